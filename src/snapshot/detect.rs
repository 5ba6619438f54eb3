//! What a file holds, from its content: every file of a snapshot folder (and of a
//! `.zip` in it) is recognised by the start of its text, whatever its name.
//!
//! A bounded [`Head`] of the file is read and decoded once: for JSON, the start of
//! the document as a small value (lists cut to their first items), its top-level
//! keys, the key that holds the record list and the first record; for CSV, the header
//! (after a `#TYPE` or `sep=` line) and the first rows. Each input's module says
//! whether a head is one of its forms (`recognise`, listed in [`RECOGNISERS`]); the
//! claim that shows the most of its form's keys or columns wins, and the file name
//! only breaks a tie. A file nothing recognises is named, with the form it comes
//! closest to; it is never read as something it might not be.

use super::csv_table::{normalize_header, CsvTable};
use super::form::{Form, Quirk};
use super::text::{self, Encoding};
use super::{
    audit_logs, groups, intune_devices, lookout_config, lookout_devices, manifest, mtd_connector,
    service_principals,
};
use super::{Format, Input, LoadError};
use crate::messages::Messages;
use serde_json::{Map, Value};
use std::path::Path;

/// How much of a file is read to recognise it, at first. A head grows (up to
/// [`MAX_HEAD`]) while its first record does not fit.
pub const HEAD: usize = 64 << 10;

/// The most of a file read to recognise it: a first record larger than this (a group
/// with tens of thousands of inline members) is recognised from what fits.
pub const MAX_HEAD: usize = 4 << 20;

/// Lists longer than this are cut in a head's values: a few items show the shape.
const ITEMS_KEPT: usize = 3;

/// Text values longer than this (in characters) are cut in a head's values.
const TEXT_KEPT: usize = 256;

/// Nesting deeper than this is skipped in a head's values.
const DEPTH_KEPT: usize = 16;

/// The keys that hold the record list of an export's envelope: Graph's `value`,
/// Lookout's `devices` and `events`, Azure Monitor's `records`.
pub const LIST_KEYS: [&str; 4] = ["value", "devices", "events", "records"];

/// The start of one file, decoded, and what it shows.
#[derive(Debug, Clone)]
pub struct Head {
    /// The name the file is shown by: `intune_devices.json`,
    /// `group-members/Lookout Pilot.csv`, `export.zip/DevicesWithInventory_1.csv`.
    pub name: String,
    /// The encoding the text is in (`None` when it is not text).
    pub encoding: Option<Encoding>,
    /// Whether the head holds the whole file.
    pub whole: bool,
    pub content: Content,
}

/// What the start of a file is.
#[derive(Debug, Clone)]
pub enum Content {
    Json(JsonHead),
    Csv(CsvHead),
    /// Text that is neither JSON nor CSV (a note, a Markdown page): its first line.
    Text {
        first_line: String,
    },
    /// Nothing but white space.
    Empty,
    /// Bytes that are not text (an image, a damaged file).
    Binary,
    /// A `.zip` archive (also an Office document): read as the files it holds.
    Archive,
}

/// The start of a JSON document.
#[derive(Debug, Clone, Default)]
pub struct JsonHead {
    /// The document as far as the head goes, every list cut to its first items and
    /// long texts cut short.
    pub doc: Value,
    /// The top-level keys: of the top object, of the first page when the top is a
    /// list of pages, of the first line in JSON Lines.
    pub keys: Vec<String>,
    /// The top is a list (of pages or of records).
    pub list: bool,
    /// The key that holds the record list (one of [`LIST_KEYS`]), when the records
    /// are inside an envelope.
    pub list_key: Option<String>,
    /// The first record (lists in it cut to their first items): the first item of the
    /// record list, the first item of a bare list, the first line of JSON Lines, or
    /// the top object itself when it holds no list.
    pub first: Option<Value>,
    /// The record list is there and empty (`"devices": []`).
    pub empty_list: bool,
    /// JSON Lines: one JSON value per line, no surrounding list.
    pub lines: bool,
    /// The head ends before the first record does (even at [`MAX_HEAD`]).
    pub cut: bool,
    /// Where the text stops being JSON, when it does within the head.
    pub error: Option<String>,
}

/// The start of a CSV file.
#[derive(Debug, Clone, Default)]
pub struct CsvHead {
    /// The header as written (trimmed).
    pub raw: Vec<String>,
    /// The header as matched: letters and digits only, lower case
    /// ([`normalize_header`]).
    pub normalized: Vec<String>,
    /// `#TYPE` and `sep=` lines, delimiter.
    pub quirks: Vec<Quirk>,
    /// The first rows (a few), one text per column.
    pub rows: Vec<Vec<String>>,
}

/// A file recognised as one form of one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    pub input: Input,
    pub format: Format,
    /// The form, as far as the head tells (the loader may refine it: pages, events).
    pub form: Form,
    /// How many of the form's distinctive keys or columns the head shows. The claim
    /// with the most wins, the file's name breaks a tie, and a claim of 0 (an empty
    /// Graph page, which could be any Graph list) counts only when the name backs it.
    pub score: usize,
    /// An Entra "Download members" file: the members of one group, which only the
    /// file's name says.
    pub group_members: bool,
    /// The record list is there and empty: a valid export of nothing.
    pub empty: bool,
    /// Recognised, but it cannot stand in for the input: why, and what to export
    /// instead. Reading the snapshot stops there (exit 2).
    pub refused: Option<String>,
}

impl Recognised {
    pub fn new(input: Input, format: Format, form: Form, score: usize) -> Recognised {
        Recognised {
            input,
            format,
            form,
            score,
            group_members: false,
            empty: false,
            refused: None,
        }
    }
}

/// One input's recogniser.
pub struct Recogniser {
    pub input: Input,
    /// Says whether a head is one of the input's forms.
    pub recognise: fn(&Head) -> Option<Recognised>,
    /// Keys and columns typical of the input (as [`normalize_header`] writes them),
    /// to name the closest form of a file nothing recognises.
    pub typical: &'static [&'static str],
}

/// Every input's recogniser, in [`Input`] order.
pub const RECOGNISERS: &[Recogniser] = &[
    Recogniser {
        input: Input::Manifest,
        recognise: manifest::recognise,
        typical: &["exportedat", "tenantid"],
    },
    Recogniser {
        input: Input::Lookout,
        recognise: lookout_config::recognise,
        typical: &[
            "tenant",
            "consoleaccess",
            "intuneconnector",
            "enrollmentsettings",
            "minosversions",
            "coverage",
            "azureadtenantid",
            "enrollmentgroups",
        ],
    },
    Recogniser {
        input: Input::Groups,
        recognise: groups::recognise,
        typical: &[
            "displayname",
            "securityenabled",
            "grouptypes",
            "mailenabled",
            "members",
            "groupid",
            "groupname",
            "memberid",
            "memberupn",
            "membertype",
            "objectid",
            "userprincipalname",
            "usertype",
            "grouptype",
            "membershiptype",
        ],
    },
    Recogniser {
        input: Input::LookoutDevices,
        recognise: lookout_devices::recognise,
        typical: &[
            "guid",
            "activationstatus",
            "protectionstatus",
            "securitystatus",
            "platform",
            "email",
            "checkintime",
            "activatedat",
            "details",
            "externalid",
            "detailsexternalid",
            "devicegroupguid",
            "lookoutguid",
            "devices",
        ],
    },
    Recogniser {
        input: Input::IntuneDevices,
        recognise: intune_devices::recognise,
        typical: &[
            "deviceid",
            "devicename",
            "primaryuserupn",
            "os",
            "osversion",
            "lastcheckin",
            "azureaddeviceid",
            "operatingsystem",
            "lastsyncdatetime",
            "enrolleddatetime",
            "compliancestate",
            "manageddeviceownertype",
            "userprincipalname",
            "serialnumber",
        ],
    },
    Recogniser {
        input: Input::AuditLogs,
        recognise: audit_logs::recognise,
        typical: &[
            "activitydisplayname",
            "activitydatetime",
            "targetresources",
            "initiatedby",
            "loggedbyservice",
            "operationtype",
            "operationname",
            "category",
            "correlationid",
            "result",
        ],
    },
    Recogniser {
        input: Input::MtdConnector,
        recognise: mtd_connector::recognise,
        typical: &[
            "partnerstate",
            "lastheartbeatdatetime",
            "androidenabled",
            "iosenabled",
            "partnerunresponsivenessthresholdindays",
            "androiddeviceblockedonmissingpartnerdata",
            "iosdeviceblockedonmissingpartnerdata",
        ],
    },
    Recogniser {
        input: Input::ServicePrincipals,
        recognise: service_principals::recognise,
        typical: &[
            "appid",
            "serviceprincipaltype",
            "serviceprincipalnames",
            "appownerorganizationid",
            "publishername",
            "clientid",
            "consenttype",
            "scope",
            "approleid",
            "principalid",
            "principaltype",
            "resourceid",
        ],
    },
];

/// What a file was found to be, before anything else is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Read(Recognised),
    Unread(UnreadReason),
}

/// A file of the snapshot that is not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadFile {
    /// As files are shown: `notes.txt`, `old/`, `export.zip/extra.csv`.
    pub name: String,
    pub reason: UnreadReason,
}

/// The two kinds of files not read: ones that may hold data the run then lacks, and
/// ones that are plainly not exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnreadKind {
    /// Not recognised as any export, or not opened: data may be missing. Named in
    /// every report's data notes.
    NotRecognised,
    /// A system file, a lock file, a backup, lookout-doctor's own files: not an export.
    NotAnExport,
}

/// Why a file is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnreadReason {
    /// Nothing recognised it.
    NotRecognised {
        seen: Seen,
        /// The input it shares the most keys or columns with, if any.
        closest: Option<Closest>,
    },
    /// A subfolder other than `group-members/`: its files are not read.
    Folder,
    /// An archive inside an archive: only one level of archive is opened.
    NestedArchive,
    /// An archive entry that is encrypted.
    Encrypted,
    /// An archive entry compressed with a method that is not read (named).
    UnsupportedCompression { method: String },
    /// A hidden or system file (`.DS_Store`, `Thumbs.db`, `desktop.ini`, `__MACOSX/`).
    System,
    /// An Office or LibreOffice lock file (`~$groups.xlsx`).
    LockFile,
    /// A backup or temporary copy (`groups.json~`, `.bak`, `.tmp`, `.swp`).
    Backup,
    /// A report lookout-doctor wrote.
    OwnReport,
    /// The README.md that `lookout-doctor init` writes.
    InitReadme,
    /// Another Markdown document (notes, a fixture's README): no export is Markdown.
    Document,
    /// `lookout-doctor.toml`: the policy `diagnose` reads.
    Policy,
}

/// What an unrecognised file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// JSON with these top-level (or first-record) keys.
    Json { keys: Vec<String> },
    /// JSON that is not valid within its first bytes.
    BadJson { message: String },
    /// CSV with these columns.
    Csv { columns: Vec<String> },
    /// A graph page with an empty list and no name saying whose.
    EmptyGraphList,
    /// Text that is neither JSON nor CSV.
    Text,
    /// An empty file.
    Empty,
    /// Not text.
    Binary,
    /// An Excel workbook (`.xlsx`).
    Workbook,
    /// Several inputs claim it equally and its name says none of them.
    Ambiguous { inputs: Vec<Input> },
}

/// The form an unrecognised file comes closest to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closest {
    pub input: Input,
    /// The file's own format (CSV when the input has a CSV form).
    pub format: Format,
    /// The keys or columns it shares with that form, as written in the file.
    pub shared: Vec<String>,
}

impl UnreadReason {
    pub fn kind(&self) -> UnreadKind {
        match self {
            UnreadReason::NotRecognised { .. }
            | UnreadReason::Folder
            | UnreadReason::NestedArchive
            | UnreadReason::Encrypted
            | UnreadReason::UnsupportedCompression { .. } => UnreadKind::NotRecognised,
            UnreadReason::System
            | UnreadReason::LockFile
            | UnreadReason::Backup
            | UnreadReason::OwnReport
            | UnreadReason::InitReadme
            | UnreadReason::Document
            | UnreadReason::Policy => UnreadKind::NotAnExport,
        }
    }
}

impl UnreadReason {
    /// Why the file is not read, and what to do, in the reader's language.
    pub fn describe(&self, msg: &Messages) -> String {
        let key = match self {
            UnreadReason::NotRecognised { seen, closest } => {
                return not_recognised(msg, seen, closest.as_ref())
            }
            UnreadReason::UnsupportedCompression { method } => {
                return msg.f(
                    "validate.unread.unsupported_compression",
                    &[("method", method)],
                )
            }
            UnreadReason::Folder => "folder",
            UnreadReason::NestedArchive => "nested_archive",
            UnreadReason::Encrypted => "encrypted",
            UnreadReason::System => "system",
            UnreadReason::LockFile => "lock_file",
            UnreadReason::Backup => "backup",
            UnreadReason::OwnReport => "own_report",
            UnreadReason::InitReadme => "init_readme",
            UnreadReason::Document => "document",
            UnreadReason::Policy => "policy",
        };
        msg.f(
            &format!("validate.unread.{key}"),
            &[("members", &GROUP_MEMBERS_FOLDER)],
        )
    }
}

/// How `group-members/` is written in messages.
const GROUP_MEMBERS_FOLDER: &str = "group-members/";

/// A short list of names for a message: the first few, then how many more.
fn few(names: &[String]) -> String {
    const SHOWN: usize = 6;
    let mut list: Vec<String> = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("\"{n}\""))
        .collect();
    if names.len() > SHOWN {
        list.push(format!("… (+{})", names.len() - SHOWN));
    }
    list.join(", ")
}

/// The canonical file name of an input in a format (`intune-devices.csv`).
fn canonical(input: Input, format: Format) -> String {
    format!("{}.{}", input.stem(), format.as_str())
}

fn not_recognised(msg: &Messages, seen: &Seen, closest: Option<&Closest>) -> String {
    let (seen_key, list) = match seen {
        Seen::Json { keys } => ("json", few(keys)),
        Seen::BadJson { message } => ("bad_json", message.clone()),
        Seen::Csv { columns } => ("csv", few(columns)),
        Seen::EmptyGraphList => ("empty_graph_list", String::new()),
        Seen::Text => ("text", String::new()),
        Seen::Empty => ("empty", String::new()),
        Seen::Binary => ("binary", String::new()),
        Seen::Workbook => ("workbook", String::new()),
        Seen::Ambiguous { inputs } => (
            "ambiguous",
            inputs
                .iter()
                .map(|i| canonical(*i, Format::Json))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    };
    let seen_text = msg.f(&format!("validate.seen.{seen_key}"), &[("list", &list)]);
    let advice = match (seen, closest) {
        (Seen::Workbook, _) => msg.t("validate.unread.advice_workbook"),
        (Seen::EmptyGraphList | Seen::Ambiguous { .. }, _) => {
            msg.t("validate.unread.advice_name_it")
        }
        (_, Some(c)) => msg.f(
            "validate.unread.advice_closest",
            &[("file", &canonical(c.input, c.format))],
        ),
        (_, None) => msg.t("validate.unread.advice_none"),
    };
    let closest_text = closest.map_or_else(String::new, |c| {
        msg.f(
            "validate.unread.closest",
            &[
                ("file", &canonical(c.input, c.format)),
                ("shared", &few(&c.shared)),
            ],
        )
    });
    // Both pieces quote names from the file: filled in one pass, so that no name
    // can spell a placeholder that would be filled after it.
    fill_once(
        &msg.t("validate.unread.not_recognised"),
        &[
            ("advice", &advice),
            ("closest", &closest_text),
            ("seen", &seen_text),
        ],
    )
}

/// `template` with each `{name}` of `args` replaced, in one pass over the template.
fn fill_once(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        match args.iter().find(|(name, _)| {
            after[1..].starts_with(name) && after[1 + name.len()..].starts_with('}')
        }) {
            Some((name, value)) => {
                out.push_str(value);
                rest = &after[name.len() + 2..];
            }
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Head {
    /// Reads the head of the file at `path`, shown as `name`: [`HEAD`] bytes, more
    /// while the first record does not fit.
    pub fn read(path: &Path, name: &str) -> Result<Head, LoadError> {
        Head::grow(name, |len| text::read_head(path, len))
    }

    /// Reads a head through `read(len)`, which gives the first `len` bytes of the
    /// file and whether that is all of it, growing it while the first record or the
    /// header does not fit.
    pub fn grow(
        name: &str,
        mut read: impl FnMut(usize) -> Result<(Vec<u8>, bool), LoadError>,
    ) -> Result<Head, LoadError> {
        let mut len = HEAD;
        loop {
            let (bytes, whole) = read(len)?;
            let head = Head::of_bytes(name, &bytes, whole);
            if whole || len >= MAX_HEAD || !head.wants_more() {
                return Ok(head);
            }
            len = (len * 8).min(MAX_HEAD);
        }
    }

    /// The head of a file whose first bytes (`whole`: all of them) are `bytes`.
    pub fn of_bytes(name: &str, bytes: &[u8], whole: bool) -> Head {
        let not_text = |content| Head {
            name: name.to_owned(),
            encoding: None,
            whole,
            content,
        };
        if text::zipped::is_zip(bytes) {
            return not_text(Content::Archive);
        }
        let Some((text, encoding)) = text::decode_head(bytes) else {
            return not_text(Content::Binary);
        };
        let trimmed = text.trim_start();
        let content = if trimmed.is_empty() {
            Content::Empty
        } else if trimmed.starts_with(['{', '[']) {
            Content::Json(JsonHead::of(trimmed, whole))
        } else {
            csv_head(name, &text, whole).map_or_else(
                || Content::Text {
                    first_line: trimmed.lines().next().unwrap_or_default().to_owned(),
                },
                Content::Csv,
            )
        };
        Head {
            name: name.to_owned(),
            encoding: Some(encoding),
            whole,
            content,
        }
    }

    /// Whether more of the file would tell more: the first record or the header
    /// row is cut.
    fn wants_more(&self) -> bool {
        match &self.content {
            Content::Json(j) => j.cut,
            _ => false,
        }
    }

    pub fn json(&self) -> Option<&JsonHead> {
        match &self.content {
            Content::Json(j) => Some(j),
            _ => None,
        }
    }

    pub fn csv(&self) -> Option<&CsvHead> {
        match &self.content {
            Content::Csv(c) => Some(c),
            _ => None,
        }
    }
}

impl JsonHead {
    /// The head of a JSON text (which starts with `{` or `[`).
    fn of(text: &str, whole: bool) -> JsonHead {
        let mut scan = Scan::new(text.as_bytes());
        let doc = scan.value(0).unwrap_or(Value::Null);
        let mut head = JsonHead {
            doc,
            ..JsonHead::default()
        };
        match scan.stop {
            Some(Stop::Bad(ref message)) => head.error = Some(message.clone()),
            Some(Stop::End) if !whole => {}
            Some(Stop::End) => {
                head.error = Some("the file ends before the JSON document does".into());
            }
            None => {
                // After the first value: another one on a later line is JSON Lines.
                scan.skip_ws();
                if scan.i < scan.s.len() {
                    let between = &scan.s[scan.start_of_rest..scan.i];
                    if between.contains(&b'\n') && matches!(scan.s[scan.i], b'{' | b'[') {
                        head.lines = true;
                    } else {
                        head.error =
                            Some("there is more text after the end of the JSON document".into());
                    }
                }
            }
        }
        head.derive(&scan.cut_at);
        head
    }

    /// Fills the keys, list key and first record in from `doc`; `cut_at` is where the
    /// head ended inside the document, if it did.
    fn derive(&mut self, cut_at: &Option<Vec<Step>>) {
        let doc = std::mem::take(&mut self.doc);
        let (page, path): (Option<&Map<String, Value>>, Vec<Step>) = match &doc {
            Value::Object(top) => (Some(top), Vec::new()),
            Value::Array(items) => {
                self.list = true;
                match items.first() {
                    Some(Value::Object(item)) if envelope_key(item).is_some() => {
                        // The first page that has a record shows what they are.
                        let at = items
                            .iter()
                            .position(|p| {
                                p.as_object()
                                    .and_then(|p| p.get(envelope_key(p)?))
                                    .and_then(Value::as_array)
                                    .is_some_and(|l| !l.is_empty())
                            })
                            .unwrap_or(0);
                        let page = items[at].as_object().unwrap_or(item);
                        (Some(page), vec![Step::Index(at)])
                    }
                    Some(first @ Value::Object(_)) => {
                        self.first = Some(first.clone());
                        self.cut = cut_inside(cut_at, &[Step::Index(0)]);
                        (None, Vec::new())
                    }
                    _ => (None, Vec::new()),
                }
            }
            _ => (None, Vec::new()),
        };
        if let Some(page) = page {
            self.keys = page.keys().cloned().collect();
            match envelope_key(page) {
                Some(key) => {
                    let list = page.get(key).and_then(Value::as_array);
                    let mut at = path;
                    at.push(Step::Key(key.to_owned()));
                    self.empty_list = list.is_some_and(Vec::is_empty) && !cut_inside(cut_at, &at);
                    self.first = list.and_then(|l| l.first()).cloned();
                    at.push(Step::Index(0));
                    self.cut = cut_inside(cut_at, &at);
                    self.list_key = Some(key.to_owned());
                }
                None => {
                    self.first = Some(Value::Object(page.clone()));
                    self.cut = cut_inside(cut_at, &path);
                }
            }
        }
        self.doc = doc;
    }

    /// The first record's keys.
    pub fn record_keys(&self) -> impl Iterator<Item = &str> {
        self.first
            .as_ref()
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|r| r.keys().map(String::as_str))
    }

    /// How many of `names` are keys of the first record (any letter case: Graph
    /// PowerShell writes `DeviceName` for `deviceName`).
    pub fn count(&self, names: &[&str]) -> usize {
        names
            .iter()
            .filter(|n| self.record_keys().any(|k| k.eq_ignore_ascii_case(n)))
            .count()
    }

    /// Whether the first record has a key `name` (any letter case).
    pub fn has(&self, name: &str) -> bool {
        self.count(&[name]) == 1
    }

    /// A top-level value of the envelope (or of the first page): `@odata.context`,
    /// `count`.
    pub fn top(&self, key: &str) -> Option<&Value> {
        let page = match &self.doc {
            Value::Array(items) => items.first(),
            top => Some(top),
        };
        page.and_then(Value::as_object).and_then(|p| p.get(key))
    }

    /// Graph's `@odata.context` (which names the entity set), from the envelope or
    /// the first record.
    pub fn odata_context(&self) -> Option<&str> {
        self.top("@odata.context")
            .or_else(|| self.first.as_ref()?.get("@odata.context"))
            .and_then(Value::as_str)
    }

    /// Whether Graph's `@odata.context` names `entity_set` (`managedDevices`,
    /// `groups`, ...): `...$metadata#deviceManagement/managedDevices`.
    pub fn context_is(&self, entity_set: &str) -> bool {
        self.odata_context().is_some_and(|c| {
            // `...#groups(members())`, `...#deviceManagement/managedDevices/$entity`:
            // the last segment of the path, without its selection.
            let path = c.rsplit_once('#').map_or(c, |(_, p)| p);
            path.split('/')
                .rfind(|s| !s.is_empty() && !s.starts_with('$'))
                .map(|s| s.split('(').next().unwrap_or(s))
                .is_some_and(|s| s.eq_ignore_ascii_case(entity_set))
        })
    }

    /// A Graph page whose `value` list is empty: which input it is, only its name or
    /// `@odata.context` can say.
    pub fn is_empty_graph_page(&self) -> bool {
        self.empty_list && self.list_key.as_deref() == Some("value")
    }

    /// Whether the first record's keys are written the way Graph PowerShell does
    /// (PascalCase: `DeviceName`, `Id`).
    pub fn pascal_case(&self) -> bool {
        let mut keys = self
            .record_keys()
            .filter(|k| !k.starts_with('@'))
            .peekable();
        keys.peek().is_some() && keys.all(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
    }

    /// The generic form the head shows (loaders refine it: pages, events).
    pub fn form(&self) -> Form {
        if self.pascal_case() {
            Form::GraphPowerShellJson
        } else if self.list_key.is_some() {
            Form::GraphJson { pages: 1 }
        } else if self.list {
            Form::JsonList
        } else {
            Form::Json
        }
    }
}

/// The key of an envelope object that holds its record list: one of [`LIST_KEYS`]
/// whose value is a list.
fn envelope_key(object: &Map<String, Value>) -> Option<&'static str> {
    LIST_KEYS
        .into_iter()
        .find(|k| object.get(*k).is_some_and(Value::is_array))
}

/// Whether the head was cut inside the value at `path` (or before it began).
fn cut_inside(cut_at: &Option<Vec<Step>>, path: &[Step]) -> bool {
    match cut_at {
        None => false,
        // Cut at a path that starts with `path` is inside it; one that is a strict
        // prefix of `path` ended before the value was reached.
        Some(cut) => cut.starts_with(path) || path.starts_with(cut),
    }
}

impl CsvHead {
    /// Whether a column matches one of `names` (compared as [`normalize_header`]).
    pub fn has(&self, names: &[&str]) -> bool {
        names.iter().any(|n| {
            let n = normalize_header(n);
            self.normalized.contains(&n)
        })
    }

    /// How many of the column sets `sets` the header has one of.
    pub fn count(&self, sets: &[&[&str]]) -> usize {
        sets.iter().filter(|names| self.has(names)).count()
    }

    /// A CSV written by PowerShell's `Export-Csv`: a `#TYPE` line, or Graph
    /// PowerShell's PascalCase property names as headers.
    pub fn is_powershell(&self) -> bool {
        self.quirks.contains(&Quirk::TypeLine)
            || self.raw.iter().filter(|h| !h.is_empty()).all(|h| {
                h.starts_with(|c: char| c.is_ascii_uppercase())
                    && h.chars().all(|c| c.is_ascii_alphanumeric())
            })
    }
}

/// The CSV header and first rows of a text, when it reads as CSV with at least two
/// columns (or a `#TYPE`/`sep=` line says it is CSV).
fn csv_head(name: &str, text: &str, whole: bool) -> Option<CsvHead> {
    // Only complete lines: a row cut short would look like a bad row.
    let text = if whole {
        text
    } else {
        &text[..text.rfind('\n').map_or(0, |i| i + 1)]
    };
    let mut table = CsvTable::open(Path::new(name), text.as_bytes()).ok()?;
    let raw: Vec<String> = table.raw_headers().to_vec();
    let quirks = table.quirks().to_vec();
    let preamble = quirks
        .iter()
        .any(|q| matches!(q, Quirk::TypeLine | Quirk::SepLine));
    if raw.iter().filter(|h| !h.is_empty()).count() < 2 && !preamble {
        return None;
    }
    let mut rows = Vec::new();
    while rows.len() < ITEMS_KEPT {
        let Ok(Some(row)) = table.next_row() else {
            break;
        };
        rows.push(
            (0..raw.len())
                .map(|i| row.text(Some(i)).map(|t| t.to_string()).unwrap_or_default())
                .collect(),
        );
    }
    Some(CsvHead {
        normalized: raw.iter().map(|h| normalize_header(h)).collect(),
        raw,
        quirks,
        rows,
    })
}

/// One step into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Why a scan stopped before the end of the first value.
#[derive(Debug, Clone)]
enum Stop {
    /// The head ends.
    End,
    /// The text is not JSON there.
    Bad(String),
}

/// A forgiving JSON reader for a head: builds what it can of the first value and
/// notes where the head ended inside it. Texts and numbers are handed to serde_json
/// once their extent is known, so escapes and number forms are JSON's.
struct Scan<'a> {
    s: &'a [u8],
    i: usize,
    stop: Option<Stop>,
    /// Where in the document the head ended (keys and indexes), when it did.
    cut_at: Option<Vec<Step>>,
    path: Vec<Step>,
    /// Where the text after the first value starts.
    start_of_rest: usize,
}

impl<'a> Scan<'a> {
    fn new(s: &'a [u8]) -> Scan<'a> {
        Scan {
            s,
            i: 0,
            stop: None,
            cut_at: None,
            path: Vec::new(),
            start_of_rest: 0,
        }
    }

    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn end(&mut self) {
        if self.stop.is_none() {
            self.stop = Some(Stop::End);
            self.cut_at = Some(self.path.clone());
        }
    }

    fn bad(&mut self, what: &str) {
        if self.stop.is_none() {
            let before = &self.s[..self.i.min(self.s.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            self.stop = Some(Stop::Bad(format!("line {line}: {what}")));
        }
    }

    /// The next value, as much of it as the head holds; `None` when nothing of it
    /// could be read. Deeper than [`DEPTH_KEPT`] it is skipped (and `Null`).
    fn value(&mut self, depth: usize) -> Option<Value> {
        self.skip_ws();
        let Some(&c) = self.s.get(self.i) else {
            self.end();
            return None;
        };
        let v = match c {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Value::String),
            _ => self.scalar(),
        };
        if self.stop.is_none() {
            self.start_of_rest = self.i;
        }
        v
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        self.i += 1;
        let mut map = Map::new();
        loop {
            self.skip_ws();
            match self.s.get(self.i) {
                None => {
                    self.end();
                    return Some(Value::Object(map));
                }
                Some(b'}') => {
                    self.i += 1;
                    return Some(Value::Object(map));
                }
                Some(b',') if !map.is_empty() => {
                    self.i += 1;
                    continue;
                }
                Some(b'"') => {}
                Some(_) => {
                    self.bad("expected a key in double quotes");
                    return Some(Value::Object(map));
                }
            }
            let Some(key) = self.string() else {
                return Some(Value::Object(map));
            };
            self.skip_ws();
            match self.s.get(self.i) {
                Some(b':') => self.i += 1,
                None => {
                    self.path.push(Step::Key(key));
                    self.end();
                    self.path.pop();
                    return Some(Value::Object(map));
                }
                Some(_) => {
                    self.bad("expected ':' after a key");
                    return Some(Value::Object(map));
                }
            }
            self.path.push(Step::Key(key.clone()));
            let value = if depth >= DEPTH_KEPT {
                self.skip_value();
                Some(Value::Null)
            } else {
                self.value(depth + 1)
            };
            self.path.pop();
            if let Some(v) = value {
                map.insert(key, v);
            }
            if self.stop.is_some() {
                return Some(Value::Object(map));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        self.i += 1;
        let mut items = Vec::new();
        let mut index = 0;
        loop {
            self.skip_ws();
            match self.s.get(self.i) {
                None => {
                    self.path.push(Step::Index(index));
                    self.end();
                    self.path.pop();
                    return Some(Value::Array(items));
                }
                Some(b']') => {
                    self.i += 1;
                    return Some(Value::Array(items));
                }
                Some(b',') if index > 0 => {
                    self.i += 1;
                    continue;
                }
                Some(_) => {}
            }
            self.path.push(Step::Index(index));
            if index < ITEMS_KEPT && depth < DEPTH_KEPT {
                if let Some(v) = self.value(depth + 1) {
                    items.push(v);
                }
            } else {
                self.skip_value();
            }
            self.path.pop();
            index += 1;
            if self.stop.is_some() {
                return Some(Value::Array(items));
            }
        }
    }

    /// A text value, cut to [`TEXT_KEPT`] characters.
    fn string(&mut self) -> Option<String> {
        let start = self.i;
        self.i += 1;
        while let Some(&c) = self.s.get(self.i) {
            match c {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    let quoted = &self.s[start..self.i];
                    // A lone surrogate escape is repaired when the file is read: so
                    // here, or the file would not even be recognised.
                    let parsed = serde_json::from_slice::<String>(quoted).or_else(|e| {
                        std::str::from_utf8(quoted)
                            .ok()
                            .and_then(text::surrogates::repair_json)
                            .map_or(Err(e), |(repaired, _)| serde_json::from_str(&repaired))
                    });
                    return match parsed {
                        Ok(text) if text.chars().count() > TEXT_KEPT => {
                            Some(text.chars().take(TEXT_KEPT).collect())
                        }
                        Ok(text) => Some(text),
                        Err(e) => {
                            self.i = start;
                            self.bad(&format!("{e}"));
                            None
                        }
                    };
                }
                _ => self.i += 1,
            }
        }
        self.end();
        None
    }

    /// A number, `true`, `false` or `null`.
    fn scalar(&mut self) -> Option<Value> {
        let start = self.i;
        while let Some(&c) = self.s.get(self.i) {
            if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.') {
                self.i += 1;
            } else {
                break;
            }
        }
        if self.i == self.s.len() {
            self.end();
            return None;
        }
        match serde_json::from_slice::<Value>(&self.s[start..self.i]) {
            Ok(v) if start < self.i => Some(v),
            _ => {
                self.i = start;
                self.bad("expected a value (JSON writes text in double quotes)");
                None
            }
        }
    }

    /// Passes over a value without keeping it.
    fn skip_value(&mut self) {
        self.skip_ws();
        match self.s.get(self.i) {
            None => self.end(),
            Some(b'"') => {
                self.i += 1;
                while let Some(&c) = self.s.get(self.i) {
                    match c {
                        b'\\' => self.i += 2,
                        b'"' => {
                            self.i += 1;
                            return;
                        }
                        _ => self.i += 1,
                    }
                }
                self.i = self.s.len();
                self.end();
            }
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                let mut in_text = false;
                while let Some(&c) = self.s.get(self.i) {
                    self.i += 1;
                    if in_text {
                        match c {
                            b'\\' => self.i += 1,
                            b'"' => in_text = false,
                            _ => {}
                        }
                        continue;
                    }
                    match c {
                        b'"' => in_text = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return;
                            }
                        }
                        _ => {}
                    }
                }
                self.end();
            }
            Some(_) => {
                let _ = self.scalar();
            }
        }
    }
}

/// What a head is, by its content first and its name second.
pub fn classify(head: &Head) -> Verdict {
    if let Some(reason) = not_an_export(head) {
        return Verdict::Unread(reason);
    }
    // Archives are opened where they are found, one level deep.
    if matches!(head.content, Content::Archive) {
        return Verdict::Unread(UnreadReason::NestedArchive);
    }
    let claims: Vec<Recognised> = RECOGNISERS
        .iter()
        .filter_map(|r| (r.recognise)(head))
        .collect();
    let best = claims.iter().map(|c| c.score).max();
    let top: Vec<&Recognised> = claims.iter().filter(|c| Some(c.score) == best).collect();
    let hinted: Vec<&&Recognised> = top.iter().filter(|c| hints(&head.name, c.input)).collect();
    match (top.as_slice(), hinted.as_slice()) {
        (_, [one]) => return Verdict::Read((**one).clone()),
        ([one], _) if one.score > 0 => return Verdict::Read((*one).clone()),
        _ => {}
    }
    // Nothing the content tells for sure: a SPEC name still says what the file
    // should be, and its loader then says what is wrong with it.
    if let Some((input, format)) = input_of_name(file_name(&head.name)) {
        let mut r = Recognised::new(input, format, generic_form(head), 0);
        r.empty = head.json().is_some_and(|j| j.empty_list);
        return Verdict::Read(r);
    }
    let seen = match head.json() {
        Some(j) if j.is_empty_graph_page() => Seen::EmptyGraphList,
        _ if top.len() > 1 && best > Some(0) => Seen::Ambiguous {
            inputs: top.iter().map(|c| c.input).collect(),
        },
        _ => seen(head),
    };
    Verdict::Unread(UnreadReason::NotRecognised {
        closest: closest(head),
        seen,
    })
}

fn generic_form(head: &Head) -> Form {
    match &head.content {
        Content::Json(j) => j.form(),
        _ => Form::GraphCsv,
    }
}

/// What an unrecognised head shows, for its message.
fn seen(head: &Head) -> Seen {
    match &head.content {
        Content::Json(j) => match &j.error {
            Some(message) if j.keys.is_empty() && j.first.is_none() => Seen::BadJson {
                message: message.clone(),
            },
            // An envelope's keys say little; its records' keys say what they are.
            _ => Seen::Json {
                keys: if j.keys.is_empty() || (j.list_key.is_some() && j.first.is_some()) {
                    j.record_keys().map(str::to_owned).collect()
                } else {
                    j.keys.clone()
                },
            },
        },
        Content::Csv(c) => Seen::Csv {
            columns: c.raw.clone(),
        },
        Content::Text { .. } => Seen::Text,
        Content::Empty => Seen::Empty,
        Content::Binary | Content::Archive => Seen::Binary,
    }
}

/// The input whose typical keys or columns the head shares the most of.
fn closest(head: &Head) -> Option<Closest> {
    let mut written: Vec<String> = Vec::new();
    let all: Vec<&str> = match &head.content {
        Content::Json(j) => j
            .keys
            .iter()
            .map(String::as_str)
            .chain(j.record_keys())
            .collect(),
        Content::Csv(c) => c.raw.iter().map(String::as_str).collect(),
        _ => return None,
    };
    for w in all {
        if !written.iter().any(|x| x == w) {
            written.push(w.to_owned());
        }
    }
    RECOGNISERS
        .iter()
        .map(|r| {
            let shared: Vec<String> = written
                .iter()
                .filter(|w| r.typical.contains(&normalize_header(w).as_str()))
                .cloned()
                .collect();
            (r.input, shared)
        })
        .filter(|(_, shared)| !shared.is_empty())
        // The first of equals, in Input order.
        .fold(
            None::<(Input, Vec<String>)>,
            |best, (input, shared)| match best {
                Some(b) if b.1.len() >= shared.len() => Some(b),
                _ => Some((input, shared)),
            },
        )
        .map(|(input, shared)| Closest {
            input,
            format: match head.content {
                Content::Csv(_) if input.accepts_csv() => Format::Csv,
                _ => Format::Json,
            },
            shared,
        })
}

/// Files that are plainly not exports, by name or by what they start with.
fn not_an_export(head: &Head) -> Option<UnreadReason> {
    if let Some(reason) = not_an_export_by_name(file_name(&head.name)) {
        return Some(reason);
    }
    match &head.content {
        Content::Json(j) => {
            let tool = j.doc.get("tool").and_then(|t| t.get("name"));
            let sarif_tool = j
                .doc
                .get("runs")
                .and_then(|r| r.get(0))
                .and_then(|r| r.pointer("/tool/driver/name"));
            ((j.doc.get("schema_version").is_some() && tool == Some(&Value::from(TOOL)))
                || sarif_tool == Some(&Value::from(TOOL)))
            .then_some(UnreadReason::OwnReport)
        }
        Content::Csv(c) => c
            .raw
            .starts_with(&REPORT_CSV_COLUMNS.map(String::from))
            .then_some(UnreadReason::OwnReport),
        Content::Text { first_line } if first_line.trim() == INIT_README_TITLE => {
            Some(UnreadReason::InitReadme)
        }
        Content::Text { first_line } if first_line.contains(TOOL) => Some(UnreadReason::OwnReport),
        Content::Text { .. } if has_ext(file_name(&head.name), "md") => {
            Some(UnreadReason::Document)
        }
        _ => None,
    }
}

/// The tool's name, as its reports carry it.
const TOOL: &str = env!("CARGO_PKG_NAME");

/// The first line of the README that `init` writes.
const INIT_README_TITLE: &str = "# Lookout snapshot";

/// The first columns of the CSV report (`--format csv`).
const REPORT_CSV_COLUMNS: [&str; 4] = ["severity", "rule", "cause", "subject_kind"];

/// Files that are not exports by their name alone: hidden and system files, lock
/// files, backups, lookout-doctor's policy.
pub fn not_an_export_by_name(name: &str) -> Option<UnreadReason> {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("~$") || lower.starts_with(".~lock.") {
        Some(UnreadReason::LockFile)
    } else if lower.starts_with('.')
        || matches!(
            lower.as_str(),
            "thumbs.db" | "ehthumbs.db" | "desktop.ini" | "__macosx" | "icon\r"
        )
    {
        Some(UnreadReason::System)
    } else if lower.ends_with('~')
        || [
            ".bak",
            ".tmp",
            ".swp",
            ".old",
            ".orig",
            ".crdownload",
            ".part",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        Some(UnreadReason::Backup)
    } else if lower == "lookout-doctor.toml" {
        Some(UnreadReason::Policy)
    } else {
        None
    }
}

/// The last part of a shown name (`export.zip/a.csv` → `a.csv`).
pub fn file_name(shown: &str) -> &str {
    shown.rsplit('/').next().unwrap_or(shown)
}

/// Whether a file's name suggests `input` (used only to break a tie between claims
/// its content cannot settle, e.g. an empty Graph page).
pub fn hints(shown: &str, input: Input) -> bool {
    let name = file_name(shown);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let n = normalize_header(stem);
    let has = |s: &str| n.contains(s);
    match input {
        Input::Manifest => has("snapshot") || has("manifest"),
        Input::Lookout => n == "lookout" || has("lookoutconfig") || has("lookoutsettings"),
        Input::Groups => has("group") || has("member"),
        Input::LookoutDevices => (has("lookout") || has("mra")) && has("device"),
        Input::IntuneDevices => {
            (has("intune") && has("device")) || has("manageddevice") || has("withinventory")
        }
        Input::AuditLogs => has("audit"),
        Input::MtdConnector => has("mtd") || has("threatdefense") || has("connector"),
        Input::ServicePrincipals => {
            has("serviceprincipal") || has("enterpriseapp") || has("permissiongrant")
        }
    }
}

pub(crate) fn has_ext(name: &str, ext: &str) -> bool {
    // Compared as bytes: slicing the name as text would split a character of a
    // name such as `日本語` and panic.
    let (name, ext) = (name.as_bytes(), ext.as_bytes());
    name.len() > ext.len() + 1
        && name[name.len() - ext.len() - 1] == b'.'
        && name[name.len() - ext.len()..].eq_ignore_ascii_case(ext)
}

/// The input and format a SPEC file name stands for (`lookout.json`,
/// `intune-devices-2.json`, `DevicesWithInventory_1.csv`, ...): what a file is read
/// as when its content is not recognised, so that its loader says what is wrong.
pub fn input_of_name(name: &str) -> Option<(Input, Format)> {
    let lower = name.to_ascii_lowercase();
    Input::ALL.into_iter().find_map(|input| {
        let exact = |ext: &str| lower == format!("{}.{ext}", input.stem());
        if exact("json") || belongs_to(name, input, "json") {
            Some((input, Format::Json))
        } else if input.accepts_csv() && (exact("csv") || belongs_to(name, input, "csv")) {
            Some((input, Format::Csv))
        } else {
            None
        }
    })
}

/// Whether a file name is one of `input`'s files: the SPEC stem as a prefix (any
/// letter case), or the admin center's Intune export name.
fn belongs_to(name: &str, input: Input, ext: &str) -> bool {
    if !has_ext(name, ext) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    let stem = input.stem();
    // `lookout` is a prefix of `lookout-devices`; lookout.json is only ever exact.
    let by_stem = !matches!(input, Input::Manifest | Input::Lookout) && lower.starts_with(stem);
    let admin_center = input == Input::IntuneDevices
        && ext == "csv"
        && (lower.starts_with("deviceswithinventory") || lower.starts_with("devicewithinventory"));
    by_stem || admin_center
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(name: &str, text: &str) -> Head {
        Head::of_bytes(name, text.as_bytes(), true)
    }

    fn verdict(name: &str, text: &str) -> Verdict {
        classify(&head(name, text))
    }

    fn input(name: &str, text: &str) -> Option<Input> {
        match verdict(name, text) {
            Verdict::Read(r) => Some(r.input),
            Verdict::Unread(_) => None,
        }
    }

    #[test]
    fn json_heads_show_keys_list_and_first_record() {
        let h = head(
            "x.json",
            r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#deviceManagement/managedDevices","value":[{"id":"a","deviceName":"P","members":[1,2,3,4,5]},{"id":"b"}]}"#,
        );
        let j = h.json().unwrap();
        assert_eq!(j.keys, ["@odata.context", "value"]);
        assert_eq!(j.list_key.as_deref(), Some("value"));
        assert_eq!(j.first.as_ref().unwrap()["deviceName"], "P");
        assert_eq!(
            j.first.as_ref().unwrap()["members"]
                .as_array()
                .unwrap()
                .len(),
            ITEMS_KEPT
        );
        assert!(j.context_is("managedDevices") && !j.context_is("groups"));
        assert!(!j.cut && !j.lines && !j.list && j.error.is_none());

        // The first page with a record shows what they are.
        let j = head("x.json", r#"[{"value":[]},{"value":[{"id":"b"}]}]"#);
        let j = j.json().unwrap();
        assert!(j.list && !j.empty_list);
        assert_eq!(j.first.as_ref().unwrap()["id"], "b");
        assert_eq!(j.list_key.as_deref(), Some("value"));
        let j = head("x.json", r#"{"count":0,"devices":[]}"#);
        assert!(j.json().unwrap().empty_list);

        let h = head("x.json", "{\"a\":1}\n{\"a\":2}\n");
        assert!(h.json().unwrap().lines);
        assert_eq!(h.json().unwrap().keys, ["a"]);

        let h = head("x.json", "{\"a\": tru e}");
        assert!(h.json().unwrap().error.is_some());
    }

    #[test]
    fn a_head_cut_inside_the_first_record_grows() {
        let members = "{\"id\":\"m\"},".repeat(20_000);
        let text = format!(
            "{{\"value\":[{{\"id\":\"g\",\"members\":[{members}{{\"id\":\"m\"}}],\"displayName\":\"G\",\"securityEnabled\":true}}]}}"
        );
        let cut = Head::of_bytes("g.json", &text.as_bytes()[..HEAD], false);
        assert!(cut.json().unwrap().cut);
        let mut reads = 0;
        let grown = Head::grow("g.json", |len| {
            reads += 1;
            let n = len.min(text.len());
            Ok((text.as_bytes()[..n].to_vec(), n == text.len()))
        })
        .unwrap();
        assert_eq!(reads, 2);
        let j = grown.json().unwrap();
        assert!(!j.cut);
        assert!(j.has("securityEnabled"));
        assert_eq!(input("g.json", &text), Some(Input::Groups));
    }

    #[test]
    fn csv_heads_after_a_type_line() {
        let h = head(
            "x.csv",
            "#TYPE System.Management.Automation.PSCustomObject\r\n\"Guid\";\"Email\"\r\n\"g\";\"a@x\"\r\n",
        );
        let c = h.csv().unwrap();
        assert_eq!(c.raw, ["Guid", "Email"]);
        assert_eq!(c.normalized, ["guid", "email"]);
        assert_eq!(c.rows, [["g", "a@x"]]);
        assert!(c.is_powershell());
        assert!(matches!(
            head("notes.txt", "just some notes\nmore").content,
            Content::Text { .. }
        ));
    }

    #[test]
    fn content_decides_whatever_the_name() {
        assert_eq!(
            input(
                "group-memberships.csv",
                "Group ID,Group name,Member ID,Member UPN,Member type\ng,G,m,a@x,User\n"
            ),
            Some(Input::Groups)
        );
        assert_eq!(
            input(
                "intune_devices.json",
                r#"{"value":[{"id":"d","deviceName":"P","operatingSystem":"iOS","azureADDeviceId":"e"}]}"#
            ),
            Some(Input::IntuneDevices)
        );
        assert_eq!(
            input(
                "MRA devices 2026-11-20.json",
                r#"{"count":1,"devices":[{"guid":"g","activation_status":"ACTIVATED"}]}"#
            ),
            Some(Input::LookoutDevices)
        );
        assert_eq!(
            input("a.json", r#"{"exported_at":"2026-11-20T12:00:00Z"}"#),
            Some(Input::Manifest)
        );
        let Verdict::Read(r) = verdict(
            "Lookout Pilot.csv",
            "id,displayName,userPrincipalName,mail,userType\nu,U,u@x,u@x,Member\n",
        ) else {
            panic!()
        };
        assert!(r.group_members && r.input == Input::Groups);
    }

    #[test]
    fn empty_graph_pages_need_a_name() {
        let empty = r#"{"@odata.context":"x","value":[]}"#;
        let Verdict::Read(r) = verdict("intune_devices.json", empty) else {
            panic!()
        };
        assert_eq!(r.input, Input::IntuneDevices);
        assert!(r.empty);
        assert!(matches!(
            verdict("export.json", empty),
            Verdict::Unread(UnreadReason::NotRecognised {
                seen: Seen::EmptyGraphList,
                ..
            })
        ));
        let Verdict::Read(r) = verdict("x.json", r#"{"count":0,"devices":[]}"#) else {
            panic!()
        };
        assert_eq!(r.input, Input::LookoutDevices);
        assert!(r.empty);
    }

    #[test]
    fn unrecognised_files_name_their_closest_form() {
        let Verdict::Unread(UnreadReason::NotRecognised { seen, closest }) =
            verdict("devices.csv", "Device name,OS version,Color\nP,17,red\n")
        else {
            panic!()
        };
        assert!(matches!(seen, Seen::Csv { .. }));
        let closest = closest.unwrap();
        assert_eq!(closest.input, Input::IntuneDevices);
        assert_eq!(closest.shared, ["Device name", "OS version"]);
        // A damaged file with a SPEC name goes to its loader, which says where.
        assert_eq!(
            input("intune-devices.json", "{\"value\": [oops"),
            Some(Input::IntuneDevices)
        );
        assert!(matches!(
            verdict("notes.txt", "hello"),
            Verdict::Unread(UnreadReason::NotRecognised {
                seen: Seen::Text,
                ..
            })
        ));
    }

    #[test]
    fn files_that_are_not_exports() {
        let reason = |name: &str, text: &str| match verdict(name, text) {
            Verdict::Unread(r) => Some(r),
            Verdict::Read(_) => None,
        };
        assert_eq!(reason(".DS_Store", "x"), Some(UnreadReason::System));
        assert_eq!(reason("Thumbs.db", "x"), Some(UnreadReason::System));
        assert_eq!(reason("~$groups.xlsx", "x"), Some(UnreadReason::LockFile));
        assert_eq!(reason("groups.json~", "{}"), Some(UnreadReason::Backup));
        assert_eq!(
            reason("lookout-doctor.toml", "[rules]"),
            Some(UnreadReason::Policy)
        );
        assert_eq!(
            reason("README.md", "# Lookout snapshot\n\nThis folder"),
            Some(UnreadReason::InitReadme)
        );
        assert_eq!(
            reason(
                "report.json",
                r#"{"schema_version":1,"tool":{"name":"lookout-doctor"}}"#
            ),
            Some(UnreadReason::OwnReport)
        );
        assert_eq!(
            reason("r.csv", "severity,rule,cause,subject_kind,subject_id\n"),
            Some(UnreadReason::OwnReport)
        );
        assert_eq!(UnreadReason::Backup.kind(), UnreadKind::NotAnExport);
        assert_eq!(UnreadReason::Folder.kind(), UnreadKind::NotRecognised);
    }

    #[test]
    fn names_hint_and_spec_names() {
        assert!(hints("intune_devices.json", Input::IntuneDevices));
        assert!(!hints("intune-mtd-connector.json", Input::IntuneDevices));
        assert!(hints("intune-mtd-connector.json", Input::MtdConnector));
        assert!(hints("x.zip/MRA devices.json", Input::LookoutDevices));
        assert!(hints("exportGroupMembers_2026.csv", Input::Groups));
        assert_eq!(
            input_of_name("DevicesWithInventory_1.csv"),
            Some((Input::IntuneDevices, Format::Csv))
        );
        assert_eq!(
            input_of_name("lookout.json"),
            Some((Input::Lookout, Format::Json))
        );
        assert_eq!(input_of_name("lookout.csv"), None);
        assert!(!has_ext("日本語", "csv"));
        assert!(has_ext("Übersicht.csv", "csv"));
    }

    /// Every export in the fixtures is recognised by its content as the input its
    /// SPEC name says, and so is each file renamed to something arbitrary.
    #[test]
    fn every_fixture_file_is_recognised_by_its_content() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut checked = 0;
        for dir in std::fs::read_dir(fixtures).unwrap() {
            let dir = dir.unwrap().path();
            if !dir.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&dir).unwrap() {
                let path = file.unwrap().path();
                let name = path.file_name().unwrap().to_str().unwrap();
                let Some((want, _)) = input_of_name(name) else {
                    continue;
                };
                for shown in [name, "renamed export.dat"] {
                    let head = Head::read(&path, shown).unwrap();
                    match classify(&head) {
                        Verdict::Read(r) => assert_eq!(r.input, want, "{}", path.display()),
                        other => panic!("{}: {other:?}", path.display()),
                    }
                }
                checked += 1;
            }
        }
        assert!(checked > 150, "{checked}");
    }

    /// The manifest `collect` writes, with where each file came from, is still the
    /// manifest under any name.
    #[test]
    fn a_collected_manifest_is_recognised_by_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export-info.json");
        std::fs::write(
            &path,
            r#"{"exported_at": "2026-11-20T12:00:00Z", "tenant_id": "t", "tool": "lookout-doctor collect",
                "tool_version": "0.1.0", "cloud": "global", "files": {"groups.json": {"pages": 1}}}"#,
        )
        .unwrap();
        let head = Head::read(&path, "export-info.json").unwrap();
        match classify(&head) {
            Verdict::Read(r) => assert_eq!(r.input, Input::Manifest),
            other => panic!("{other:?}"),
        }
    }
}
