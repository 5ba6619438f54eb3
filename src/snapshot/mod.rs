//! Loading a snapshot folder: one module per source file, each turning the export into
//! typed records. Nothing here judges the tenant; that is the rules' job.
//!
//! Each input may come in several forms (Graph JSON, its pages, Graph PowerShell
//! output, admin-center and portal CSV downloads, ...); every form loads into the same
//! records, and [`FileInfo`] says which form was recognised and what was left out.

pub mod audit_logs;
pub mod csv_table;
pub mod discover;
mod error;
pub mod form;
pub mod groups;
pub mod intune_devices;
pub mod json_doc;
pub mod lenient;
pub mod lookout_config;
pub mod lookout_devices;
pub mod manifest;
pub mod mtd_connector;
pub mod text;
pub mod time;
pub mod values;

/// Text read from a snapshot. Identifiers, UPNs, versions and states are almost all
/// short, and a compact string keeps up to 24 bytes inline: a million-device tenant
/// loads without a heap allocation per field.
pub use compact_str::CompactString as Text;
pub use error::LoadError;
pub use form::{Form, Quirk, SkipReason, Skipped};

use csv_table::CsvTable;
use discover::{Folder, Sources};
use form::Skips;
use json_doc::JsonDoc;
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

    /// The name users see: `audit-logs.json`, or `lookout-devices.json (or .csv)`.
    pub fn file_name(self) -> String {
        if self.accepts_csv() {
            format!("{}.json (or .csv)", self.stem())
        } else {
            format!("{}.json", self.stem())
        }
    }

    pub(crate) fn accepts_csv(self) -> bool {
        matches!(
            self,
            Input::LookoutDevices | Input::IntuneDevices | Input::Groups
        )
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

/// What was read from one file (or from the `group-members/` folder), for `validate`
/// and the report's notes.
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub input: Input,
    pub name: String,
    pub format: Format,
    /// Records kept.
    pub records: usize,
    /// The export the file was recognised as.
    pub form: Form,
    /// Encoding and layout quirks coped with (BOM, UTF-16, `#TYPE` line, `;`).
    pub quirks: Vec<Quirk>,
    /// Records left out, per reason (also summarised in `notes`).
    pub skipped: Vec<Skipped>,
    /// Columns (CSV) or fields (JSON, seen on the first record of each list) that no
    /// check reads.
    pub ignored: Vec<String>,
    /// Things worth knowing that did not stop the load (unknown values, unknown keys,
    /// skipped records, missing pages).
    pub notes: Vec<String>,
}

impl FileInfo {
    pub fn new(input: Input, name: &str, format: Format) -> FileInfo {
        FileInfo {
            input,
            name: name.to_owned(),
            format,
            records: 0,
            form: match format {
                Format::Json => Form::Json,
                Format::Csv => Form::GraphCsv,
            },
            quirks: Vec::new(),
            skipped: Vec::new(),
            ignored: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Records skipped, all reasons together.
    pub fn skipped_total(&self) -> usize {
        self.skipped.iter().map(|s| s.count).sum()
    }

    pub(crate) fn take_json<T>(&mut self, doc: &JsonDoc<T>) {
        self.form = doc.form();
        self.ignored.extend(doc.ignored.iter().cloned());
        self.add_skips(&doc.skips);
    }

    pub(crate) fn take_csv(&mut self, table: &CsvTable, skips: Skips) {
        self.quirks.extend_from_slice(table.quirks());
        self.ignored.extend(table.ignored_columns());
        self.add_skips(&skips);
    }

    fn add_skips(&mut self, skips: &Skips) {
        self.notes.extend(skips.notes());
        for s in &skips.0 {
            match self.skipped.iter_mut().find(|k| k.reason == s.reason) {
                Some(k) => k.count += s.count,
                None => self.skipped.push(s.clone()),
            }
        }
    }
}

/// A CSV written by PowerShell's `Export-Csv`: a `#TYPE` line, or Graph PowerShell's
/// PascalCase property names as headers (`Id`, `DeviceName`).
pub(crate) fn is_powershell_csv(table: &CsvTable) -> bool {
    table.quirks().contains(&Quirk::TypeLine)
        || table
            .raw_headers()
            .iter()
            .filter(|h| !h.is_empty())
            .all(|h| {
                h.starts_with(|c: char| c.is_ascii_uppercase())
                    && h.chars().all(|c| c.is_ascii_alphanumeric())
            })
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
    load_with(dir, |groups| groups).map(|(mut snap, groups)| {
        snap.groups = groups;
        snap
    })
}

/// Loads a snapshot folder and hands its groups, as soon as they are read and while
/// the other files are still being read, to `on_groups`; what that returns comes
/// back beside the snapshot (whose `groups` is then `None`). The groups are `None`
/// when the folder has none. Indexing a large directory this way costs no time of
/// its own: it overlaps reading the device lists.
pub fn load_with<D: Send>(
    dir: &Path,
    on_groups: impl Fn(Option<Vec<groups::GroupRecord>>) -> D + Sync,
) -> Result<(Snapshot, D), LoadError> {
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
    let folder = Folder::read(dir)?;
    let mut found: BTreeMap<Input, Sources> = BTreeMap::new();
    for input in Input::ALL {
        if let Some(sources) = folder.sources(input)? {
            found.insert(input, sources);
        }
    }
    let member_files = folder.group_member_files()?;

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
            why: "at least one device list is needed to diagnose devices (an Intune admin center export DevicesWithInventory_*.csv counts)",
        });
    }

    // Each input is read and parsed on its own thread (the big device lists are
    // independent); the parts are merged in a fixed order, so the result and the first
    // error reported are the same on every run.
    let on_groups = &on_groups;
    let parts: Vec<Result<(Snapshot, Option<D>), LoadError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = Input::ALL
            .iter()
            .filter(|&&input| input == Input::Groups || found.contains_key(&input))
            .map(|&input| {
                let sources = found.get(&input);
                let member_files = &member_files;
                scope.spawn(move || {
                    let mut part = Snapshot::default();
                    let mut directory = None;
                    match (input, sources) {
                        (Input::Groups, _) => {
                            load_groups(&mut part, sources, member_files)?;
                            directory = Some(on_groups(part.groups.take()));
                        }
                        (_, Some(sources)) => load_input(&mut part, input, sources)?,
                        (_, None) => {}
                    }
                    Ok((part, directory))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut snap = Snapshot {
        dir: dir.to_owned(),
        ..Snapshot::default()
    };
    let mut directory = None;
    for part in parts {
        let (part, d) = part?;
        snap.absorb(part);
        directory = directory.or(d);
    }
    // The groups thread always runs, so its result is always there.
    let directory = directory.unwrap_or_else(|| on_groups(None));
    Ok((snap, directory))
}

impl Snapshot {
    /// Takes over what one input's loader read.
    fn absorb(&mut self, part: Snapshot) {
        if part.files.iter().any(|f| f.input == Input::Lookout) {
            self.lookout = part.lookout;
        }
        self.manifest = self.manifest.take().or(part.manifest);
        self.groups = self.groups.take().or(part.groups);
        self.lookout_devices = self.lookout_devices.take().or(part.lookout_devices);
        self.intune_devices = self.intune_devices.take().or(part.intune_devices);
        self.audit_logs = self.audit_logs.take().or(part.audit_logs);
        self.mtd_connectors = self.mtd_connectors.take().or(part.mtd_connectors);
        self.files.extend(part.files);
    }
}

/// One file's text as UTF-8, and a [`FileInfo`] that already knows its encoding.
fn open(
    input: Input,
    path: &Path,
    format: Format,
) -> Result<(text::FileText, FileInfo), LoadError> {
    let (bytes, encoding) = text::read_text(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut info = FileInfo::new(input, &name, format);
    info.quirks.extend(Quirk::of_encoding(encoding));
    // Windows PowerShell 5.1 writes dates as /Date(ms)/; worth saying, it surprises.
    // The first records show it; scanning a whole large device list would not pay.
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if format == Format::Json && head.windows(6).any(|w| w == b"/Date(") {
        info.quirks.push(Quirk::MsDates);
    }
    Ok((bytes, info))
}

/// Reads every file of one input (pages are merged in name order).
fn load_input(snap: &mut Snapshot, input: Input, sources: &Sources) -> Result<(), LoadError> {
    let mut pages = Vec::new();
    let first_info = snap.files.len();
    for path in &sources.files {
        let (bytes, mut info) = open(input, path, sources.format)?;
        let records = match input {
            Input::Manifest => {
                snap.manifest = Some(parse_json(path, &bytes)?);
                1
            }
            Input::Lookout => {
                snap.lookout = parse_lookout_config(path, &bytes, &mut info.notes)?;
                1
            }
            Input::LookoutDevices => {
                let devices = match sources.format {
                    Format::Csv => lookout_devices::from_csv(path, &bytes, &mut info)?,
                    Format::Json => {
                        let (devices, p) =
                            lookout_devices::from_json(path, bytes.as_str(), &mut info)?;
                        pages.extend(p);
                        devices
                    }
                };
                note_unknown_lookout_values(&devices, &mut info.notes);
                extend(&mut snap.lookout_devices, devices)
            }
            Input::IntuneDevices => {
                let devices = match sources.format {
                    Format::Csv => intune_devices::from_csv(path, &bytes, &mut info)?,
                    Format::Json => {
                        let (devices, p) =
                            intune_devices::from_json(path, bytes.as_str(), &mut info)?;
                        pages.extend(p);
                        devices
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
                extend(&mut snap.intune_devices, devices)
            }
            Input::AuditLogs => {
                let (records, p) = audit_logs::from_json(path, bytes.as_str(), &mut info)?;
                pages.extend(p);
                extend(&mut snap.audit_logs, records)
            }
            Input::MtdConnector => {
                let (connectors, p) = mtd_connector::from_json(path, bytes.as_str(), &mut info)?;
                pages.extend(p);
                extend(&mut snap.mtd_connectors, connectors)
            }
            Input::Groups => unreachable!("groups are loaded by load_groups"),
        };
        info.records = records;
        snap.files.push(info);
    }
    add_completeness_notes(snap, first_info, &pages);
    Ok(())
}

/// Appends a file's records to an input's list; returns how many it held.
fn extend<T>(list: &mut Option<Vec<T>>, records: Vec<T>) -> usize {
    let n = records.len();
    match list {
        Some(all) => all.extend(records),
        None => *list = Some(records),
    }
    n
}

/// Whether every page of an input was saved, checked over all its files; noted on
/// the input's last file, where a missing page would have followed.
fn add_completeness_notes(snap: &mut Snapshot, first_info: usize, pages: &[json_doc::Page]) {
    let infos = &mut snap.files[first_info..];
    let total = infos.iter().map(|f| f.records + f.skipped_total()).sum();
    if let Some(last) = infos.last_mut() {
        last.notes
            .extend(json_doc::completeness_notes(pages, total));
    }
}

/// Groups from `groups.json` / `groups.csv` and from `group-members/`, in that order.
fn load_groups(
    snap: &mut Snapshot,
    sources: Option<&Sources>,
    member_files: &[PathBuf],
) -> Result<(), LoadError> {
    if sources.is_none() && member_files.is_empty() {
        return Ok(());
    }
    let mut all = Vec::new();
    if let Some(sources) = sources {
        let mut pages = Vec::new();
        let first_info = snap.files.len();
        for path in &sources.files {
            let (bytes, mut info) = open(Input::Groups, path, sources.format)?;
            let groups = match sources.format {
                Format::Csv => groups::from_csv(path, &bytes, &mut info)?,
                Format::Json => {
                    let (groups, p) = groups::from_json(path, bytes.as_str(), &mut info)?;
                    pages.extend(p);
                    info.records = groups.len();
                    groups
                }
            };
            all.extend(groups);
            snap.files.push(info);
        }
        add_completeness_notes(snap, first_info, &pages);
    }
    if !member_files.is_empty() {
        let info = groups::add_member_files(&mut all, member_files)?;
        snap.files.push(info);
    }
    snap.groups = Some(all);
    Ok(())
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

/// lookout.json is written by hand, so a misspelt key is reported rather than ignored;
/// keys starting with `_` are comments and stay silent.
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
    // Keys starting with "_" are comments (`init` writes "_comment" keys).
    let config = serde_ignored::deserialize(&mut de, |p| {
        if !matches!(&p, serde_ignored::Path::Map { key, .. } if key.starts_with('_')) {
            unknown.push(p.to_string());
        }
    })
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

/// Reads one file's bytes into `snap` as if the file `name` were in the snapshot
/// folder, replacing what `snap` held for that input (`group-members/<group>.csv` adds
/// one member file instead). Nothing touches the disk: the fuzz targets and property
/// tests drive every loader through this, with the same decoding and checks as
/// [`load`]. On error `snap` is left as it was.
pub fn load_bytes(snap: &mut Snapshot, name: &str, bytes: &[u8]) -> Result<(), LoadError> {
    let path = Path::new(name);
    let (text, encoding) = text::decode_text(path, bytes.to_vec())?;
    if let Some(group) = name.strip_prefix(&format!("{}/", discover::GROUP_MEMBERS_DIR)) {
        if !group.to_ascii_lowercase().ends_with(".csv") || group.contains('/') {
            return Err(not_a_snapshot_file(path));
        }
        let mut all = snap.groups.clone().unwrap_or_default();
        let mut info = groups::add_member_text(&mut all, path, &text)?;
        info.quirks.extend(Quirk::of_encoding(encoding));
        snap.groups = Some(all);
        snap.files.push(info);
        return Ok(());
    }
    let (input, format) = discover::input_of(name).ok_or_else(|| not_a_snapshot_file(path))?;
    let mut info = FileInfo::new(input, name, format);
    info.quirks.extend(Quirk::of_encoding(encoding));
    let mut pages = Vec::new();
    match (input, format) {
        (Input::Manifest, _) => {
            snap.manifest = Some(parse_json(path, &text)?);
            info.records = 1;
        }
        (Input::Lookout, _) => {
            snap.lookout = parse_lookout_config(path, &text, &mut info.notes)?;
            info.records = 1;
        }
        (Input::Groups, Format::Csv) => {
            snap.groups = Some(groups::from_csv(path, &text, &mut info)?);
        }
        (Input::Groups, Format::Json) => {
            let (records, p) = groups::from_json(path, text.as_str(), &mut info)?;
            pages = p;
            info.records = records.len();
            snap.groups = Some(records);
        }
        (Input::LookoutDevices, _) => {
            let devices = match format {
                Format::Csv => lookout_devices::from_csv(path, &text, &mut info)?,
                Format::Json => {
                    let (devices, p) = lookout_devices::from_json(path, text.as_str(), &mut info)?;
                    pages = p;
                    devices
                }
            };
            note_unknown_lookout_values(&devices, &mut info.notes);
            info.records = devices.len();
            snap.lookout_devices = Some(devices);
        }
        (Input::IntuneDevices, _) => {
            let devices = match format {
                Format::Csv => intune_devices::from_csv(path, &text, &mut info)?,
                Format::Json => {
                    let (devices, p) = intune_devices::from_json(path, text.as_str(), &mut info)?;
                    pages = p;
                    devices
                }
            };
            info.records = devices.len();
            snap.intune_devices = Some(devices);
        }
        (Input::AuditLogs, _) => {
            let (records, p) = audit_logs::from_json(path, text.as_str(), &mut info)?;
            pages = p;
            info.records = records.len();
            snap.audit_logs = Some(records);
        }
        (Input::MtdConnector, _) => {
            let (records, p) = mtd_connector::from_json(path, text.as_str(), &mut info)?;
            pages = p;
            info.records = records.len();
            snap.mtd_connectors = Some(records);
        }
    }
    let total = info.records + info.skipped_total();
    info.notes
        .extend(json_doc::completeness_notes(&pages, total));
    snap.files.retain(|f| f.input != input);
    snap.files.push(info);
    Ok(())
}

fn not_a_snapshot_file(path: &Path) -> LoadError {
    LoadError::Invalid {
        path: path.to_owned(),
        message: "is not the name of a snapshot file (lookout.json, groups.json, intune-devices.csv, group-members/<group>.csv, ...)".into(),
    }
}
