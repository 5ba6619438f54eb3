//! Loading a snapshot folder: one module per source file, each turning the export into
//! typed records. Nothing here judges the tenant; that is the rules' job.
//!
//! Each input may come in several forms (Graph JSON, its pages, Graph PowerShell
//! output, admin-center and portal CSV downloads, ...); every form loads into the same
//! records, and [`FileInfo`] says which form was recognised and what was left out.
//!
//! A folder is first discovered into a [`Plan`]: which files hold which input, each
//! recognised by its content (`detect`), and which entries are not read and why. Each
//! input module then has one entry, `read`, from a file's checked text to its records
//! and a [`FileInfo`]; one function reads any file with them, the one path from files
//! to a [`Snapshot`] for the folder loader and [`load_bytes`] alike.

pub mod audit_logs;
pub mod cap;
pub mod csv_table;
pub mod detect;
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
mod read;
pub mod service_principals;
pub mod text;
pub mod time;
pub mod values;

/// Text read from a snapshot. Identifiers, UPNs, versions and states are almost all
/// short, and a compact string keeps up to 24 bytes inline: a million-device tenant
/// loads without a heap allocation per field.
pub use compact_str::CompactString as Text;
pub use detect::{UnreadFile, UnreadKind, UnreadReason};
pub use discover::{Plan, Source};
pub use error::LoadError;
pub use form::{Form, Note, Quirk, SkipReason, Skipped};
pub use read::{load, load_bytes};

use csv_table::CsvTable;
use form::Skips;
use json_doc::JsonDoc;
use std::path::{Path, PathBuf};
use text::FileText;

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
    ServicePrincipals,
}

impl Input {
    pub const ALL: [Input; 8] = [
        Input::Manifest,
        Input::Lookout,
        Input::Groups,
        Input::LookoutDevices,
        Input::IntuneDevices,
        Input::AuditLogs,
        Input::MtdConnector,
        Input::ServicePrincipals,
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
            Input::ServicePrincipals => "service-principals",
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
    /// Records left out, per reason (also noted in `notes`).
    pub skipped: Vec<Skipped>,
    /// Columns (CSV) or fields (JSON, seen on the first record of each list) that no
    /// check reads.
    pub ignored: Vec<String>,
    /// Things worth knowing that did not stop the load (unknown values, unknown keys,
    /// skipped records, missing pages).
    pub notes: Vec<Note>,
}

impl FileInfo {
    /// What is known of a file of `input` before its records are read: its name, and
    /// the quirks its text shows.
    pub(crate) fn new(input: Input, path: &Path, format: Format, text: &FileText) -> FileInfo {
        let mut info = FileInfo::named(input, &file_name(path), format);
        info.quirks.extend(Quirk::of_encoding(text.encoding()));
        let repairs = text.repairs();
        if repairs.count > 0 {
            info.notes.push(Note::SurrogatesRepaired {
                count: repairs.count,
                line: text::line_of(text.as_bytes(), repairs.first),
            });
        }
        // Windows PowerShell 5.1 writes dates as /Date(ms)/; worth saying, it surprises.
        // The first records show it; scanning a whole large device list would not pay.
        let head = &text.as_bytes()[..text.as_bytes().len().min(64 * 1024)];
        if format == Format::Json && head.windows(6).any(|w| w == b"/Date(") {
            info.quirks.push(Quirk::MsDates);
        }
        info
    }

    pub(crate) fn named(input: Input, name: &str, format: Format) -> FileInfo {
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
        self.add_skips(&doc.skips.0);
        self.notes.extend(doc.cuts.note());
    }

    pub(crate) fn take_csv(&mut self, table: &CsvTable, skips: Skips) {
        self.quirks.extend_from_slice(table.quirks());
        self.ignored.extend(table.ignored_columns());
        self.add_skips(&skips.0);
        self.notes.extend(table.cuts().note());
    }

    /// Adds what another file of the same input was found to hold (the files of
    /// `group-members/` share one entry).
    pub(crate) fn add(&mut self, other: FileInfo) {
        self.records += other.records;
        self.quirks.extend(other.quirks);
        self.ignored.extend(other.ignored);
        self.notes.extend(other.notes);
        self.merge_skipped(&other.skipped);
    }

    /// Notes each reason's skips and counts them.
    fn add_skips(&mut self, skips: &[Skipped]) {
        self.notes.extend(skips.iter().cloned().map(Note::Skipped));
        self.merge_skipped(skips);
    }

    fn merge_skipped(&mut self, skips: &[Skipped]) {
        for s in skips {
            match self.skipped.iter_mut().find(|k| k.reason == s.reason) {
                Some(k) => k.count += s.count,
                None => self.skipped.push(s.clone()),
            }
        }
    }
}

/// The name a file is shown by.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What one file of an input gave: its records, what was learnt about the file, and
/// its pages, whose completeness is checked over all files of the input.
pub struct Loaded<T> {
    pub records: T,
    pub info: FileInfo,
    pub pages: Vec<json_doc::Page>,
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
    pub service_principals: Option<Vec<service_principals::Entry>>,
    pub files: Vec<FileInfo>,
    /// The entries of the folder that were not read, each with its reason.
    pub unread: Vec<UnreadFile>,
}

impl Snapshot {
    pub fn has(&self, input: Input) -> bool {
        self.files.iter().any(|f| f.input == input)
    }

    /// Takes over what `part` read (the inputs it has replace this snapshot's) and
    /// adds its files' entries after this snapshot's.
    pub fn absorb(&mut self, part: Snapshot) {
        fn take<T>(slot: &mut Option<T>, read: Option<T>) {
            if read.is_some() {
                *slot = read;
            }
        }
        if part.has(Input::Lookout) {
            self.lookout = part.lookout;
        }
        take(&mut self.manifest, part.manifest);
        take(&mut self.groups, part.groups);
        take(&mut self.lookout_devices, part.lookout_devices);
        take(&mut self.intune_devices, part.intune_devices);
        take(&mut self.audit_logs, part.audit_logs);
        take(&mut self.mtd_connectors, part.mtd_connectors);
        take(&mut self.service_principals, part.service_principals);
        self.files.extend(part.files);
    }
}

/// `text` as a loader reads a file that holds it.
#[cfg(test)]
pub(crate) fn checked(text: &str) -> FileText {
    text::decode(Path::new("test"), text.into()).expect("test texts are clean")
}
