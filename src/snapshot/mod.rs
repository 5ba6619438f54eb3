//! Loading a snapshot folder: one module per source file, each turning the export into
//! typed records. Nothing here judges the tenant; that is the rules' job.

pub mod audit_logs;
pub mod csv_table;
mod error;
pub mod groups;
pub mod intune_devices;
pub mod lookout_config;
pub mod lookout_devices;
pub mod manifest;
pub mod mtd_connector;
pub mod text;
pub mod time;
pub mod values;

pub use error::LoadError;

use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The files a snapshot may hold. Rules declare which of these they need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Input {
    Manifest,
    Lookout,
    Groups,
    LookoutDevices,
    IntuneDevices,
    AuditLogs,
    MtdConnector,
}

impl Input {
    pub const ALL: [Input; 7] = [
        Input::Manifest,
        Input::Lookout,
        Input::Groups,
        Input::LookoutDevices,
        Input::IntuneDevices,
        Input::AuditLogs,
        Input::MtdConnector,
    ];

    /// The file name without extension.
    pub fn stem(self) -> &'static str {
        match self {
            Input::Manifest => "snapshot",
            Input::Lookout => "lookout",
            Input::Groups => "groups",
            Input::LookoutDevices => "lookout-devices",
            Input::IntuneDevices => "intune-devices",
            Input::AuditLogs => "audit-logs",
            Input::MtdConnector => "intune-mtd-connector",
        }
    }

    /// The name users see: `groups.json`, or `lookout-devices.json (or .csv)`.
    pub fn file_name(self) -> String {
        if self.accepts_csv() {
            format!("{}.json (or .csv)", self.stem())
        } else {
            format!("{}.json", self.stem())
        }
    }

    fn accepts_csv(self) -> bool {
        matches!(self, Input::LookoutDevices | Input::IntuneDevices)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// What was read from one file, for `validate` and the report's notes.
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub input: Input,
    pub name: String,
    pub format: Format,
    pub records: usize,
    /// Things worth knowing that did not stop the load (unknown values, unknown keys).
    pub notes: Vec<String>,
}

/// Everything read from a snapshot folder, as typed records.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub dir: PathBuf,
    pub manifest: Option<manifest::Manifest>,
    pub lookout: lookout_config::LookoutConfig,
    pub groups: Option<Vec<groups::GroupRecord>>,
    pub lookout_devices: Option<Vec<lookout_devices::LookoutDevice>>,
    pub intune_devices: Option<Vec<intune_devices::IntuneDevice>>,
    pub audit_logs: Option<Vec<audit_logs::AuditRecord>>,
    pub mtd_connectors: Option<Vec<mtd_connector::MtdConnector>>,
    pub files: Vec<FileInfo>,
}

impl Snapshot {
    pub fn has(&self, input: Input) -> bool {
        self.files.iter().any(|f| f.input == input)
    }
}

/// Loads a snapshot folder. Only reads: nothing is ever written into it.
pub fn load(dir: &Path) -> Result<Snapshot, LoadError> {
    match std::fs::metadata(dir) {
        Err(_) => {
            return Err(LoadError::NoSuchFolder {
                path: dir.to_owned(),
            })
        }
        Ok(m) if !m.is_dir() => {
            return Err(LoadError::NotAFolder {
                path: dir.to_owned(),
            })
        }
        Ok(_) => {}
    }
    let mut snap = Snapshot {
        dir: dir.to_owned(),
        ..Snapshot::default()
    };
    let found: BTreeMap<Input, (PathBuf, Format)> = Input::ALL
        .iter()
        .filter_map(|&input| {
            locate(dir, input)
                .transpose()
                .map(|r| r.map(|f| (input, f)))
        })
        .collect::<Result<_, _>>()?;

    if !found.contains_key(&Input::Lookout) {
        return Err(LoadError::Missing {
            dir: dir.to_owned(),
            file: "lookout.json",
            why: "it holds the Lookout tenant and connector settings; `lookout-doctor init` explains each field",
        });
    }
    if !found.contains_key(&Input::LookoutDevices) && !found.contains_key(&Input::IntuneDevices) {
        return Err(LoadError::Missing {
            dir: dir.to_owned(),
            file: "lookout-devices.json or intune-devices.json",
            why: "at least one device list is needed to diagnose devices",
        });
    }

    for (&input, (path, format)) in &found {
        let bytes = text::read_utf8(path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut info = FileInfo {
            input,
            name,
            format: *format,
            records: 0,
            notes: Vec::new(),
        };
        match input {
            Input::Manifest => {
                snap.manifest = Some(parse_json(path, &bytes)?);
                info.records = 1;
            }
            Input::Lookout => {
                snap.lookout = parse_lookout_config(path, &bytes, &mut info.notes)?;
                info.records = 1;
            }
            Input::Groups => {
                let file: groups::GroupsFile = parse_json(path, &bytes)?;
                info.records = file.value.len();
                snap.groups = Some(file.value);
            }
            Input::LookoutDevices => {
                let devices = match format {
                    Format::Csv => lookout_devices::from_csv(path, &bytes)?,
                    Format::Json => {
                        let file: lookout_devices::LookoutDevicesFile = parse_json(path, &bytes)?;
                        if let Some(count) = file.count.filter(|&c| c != file.devices.len() as u64)
                        {
                            info.notes.push(format!(
                                "\"count\" says {count} but the file lists {} devices; was the export paged and only one page saved?",
                                file.devices.len()
                            ));
                        }
                        file.devices
                    }
                };
                note_unknown_lookout_values(&devices, &mut info.notes);
                info.records = devices.len();
                snap.lookout_devices = Some(devices);
            }
            Input::IntuneDevices => {
                let devices = match format {
                    Format::Csv => intune_devices::from_csv(path, &bytes)?,
                    Format::Json => {
                        parse_json::<intune_devices::IntuneDevicesFile>(path, &bytes)?.value
                    }
                };
                note_unknown(
                    "operatingSystem",
                    devices
                        .iter()
                        .filter_map(|d| d.operating_system.as_ref())
                        .filter(|v| v.is_other())
                        .map(|v| v.as_str()),
                    &mut info.notes,
                );
                info.records = devices.len();
                snap.intune_devices = Some(devices);
            }
            Input::AuditLogs => {
                let file: audit_logs::AuditLogsFile = parse_json(path, &bytes)?;
                info.records = file.value.len();
                snap.audit_logs = Some(file.value);
            }
            Input::MtdConnector => {
                let file: mtd_connector::MtdConnectorFile = parse_json(path, &bytes)?;
                let connectors = file.into_connectors();
                info.records = connectors.len();
                snap.mtd_connectors = Some(connectors);
            }
        }
        snap.files.push(info);
    }
    Ok(snap)
}

/// Finds `stem.json` (or `stem.csv` where accepted). Both present is an error: we
/// would not know which export is current.
fn locate(dir: &Path, input: Input) -> Result<Option<(PathBuf, Format)>, LoadError> {
    let json = dir.join(format!("{}.json", input.stem()));
    let csv = dir.join(format!("{}.csv", input.stem()));
    let json_exists = json.exists();
    let csv_exists = input.accepts_csv() && csv.exists();
    let pick = match (json_exists, csv_exists) {
        (true, true) => {
            return Err(LoadError::Ambiguous {
                dir: dir.to_owned(),
                a: format!("{}.json", input.stem()),
                b: format!("{}.csv", input.stem()),
            })
        }
        (true, false) => (json, Format::Json),
        (false, true) => (csv, Format::Csv),
        (false, false) => return Ok(None),
    };
    if pick.0.is_dir() {
        return Err(LoadError::Invalid {
            path: pick.0,
            message: "is a folder, but a file was expected".into(),
        });
    }
    Ok(Some(pick))
}

/// Parses a JSON document; errors carry the file, line, column and what was expected.
pub fn parse_json<T: DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, LoadError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::Invalid {
            path: path.to_owned(),
            message: "the file is empty; export it again".into(),
        });
    }
    serde_json::from_slice(bytes).map_err(|e| LoadError::json(path.to_owned(), &e))
}

/// lookout.json is written by hand, so a misspelt key is reported rather than ignored.
fn parse_lookout_config(
    path: &Path,
    bytes: &[u8],
    notes: &mut Vec<String>,
) -> Result<lookout_config::LookoutConfig, LoadError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::Invalid {
            path: path.to_owned(),
            message: "the file is empty; see `lookout-doctor explain` and SPEC 3.1 for its fields"
                .into(),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut unknown = Vec::new();
    let config = serde_ignored::deserialize(&mut de, |p| unknown.push(p.to_string()))
        .and_then(|c| de.end().map(|_| c))
        .map_err(|e| LoadError::json(path.to_owned(), &e))?;
    for key in unknown {
        notes.push(format!("unknown setting \"{key}\" was ignored (misspelt?)"));
    }
    Ok(config)
}

fn note_unknown_lookout_values(
    devices: &[lookout_devices::LookoutDevice],
    notes: &mut Vec<String>,
) {
    note_unknown(
        "activation_status",
        devices
            .iter()
            .filter_map(|d| d.activation_status.as_ref())
            .filter(|v| v.is_other())
            .map(|v| v.as_str()),
        notes,
    );
    note_unknown(
        "protection_status",
        devices
            .iter()
            .filter_map(|d| d.protection_status.as_ref())
            .filter(|v| v.is_other())
            .map(|v| v.as_str()),
        notes,
    );
    note_unknown(
        "security_status",
        devices
            .iter()
            .filter_map(|d| d.security_status.as_ref())
            .filter(|v| v.is_other())
            .map(|v| v.as_str()),
        notes,
    );
    note_unknown(
        "platform",
        devices
            .iter()
            .filter_map(|d| d.platform.as_ref())
            .filter(|v| v.is_other())
            .map(|v| v.as_str()),
        notes,
    );
}

/// Summarises unknown values of one field: how many records, which values.
fn note_unknown<'a>(field: &str, values: impl Iterator<Item = &'a str>, notes: &mut Vec<String>) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    if counts.is_empty() {
        return;
    }
    let total: usize = counts.values().sum();
    let list: Vec<String> = counts
        .iter()
        .map(|(v, n)| format!("\"{v}\" ({n})"))
        .collect();
    notes.push(format!(
        "{total} record(s) have an unknown {field}: {}; kept as written, rules treat them as no known status",
        list.join(", ")
    ));
}
