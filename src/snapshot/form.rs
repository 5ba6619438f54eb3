//! What the loader found out about a file besides its records: which export it
//! recognised, the encoding quirks it coped with, the records it had to skip and
//! anything else worth a note. All of it is data; `validate` and the report word it
//! in the reader's language when they print it, from `locales/` under `validate.*`.

use super::LoadError;
use crate::messages::Messages;
use std::path::Path;

/// The export a file was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// One JSON object in the shape SPEC shows (lookout.json, snapshot.json, ...).
    Json,
    /// Microsoft Graph pages (`{"@odata.context", "value": [...]}`), `pages` of them.
    GraphJson { pages: usize },
    /// Graph PowerShell objects serialised by `ConvertTo-Json` (PascalCase keys).
    GraphPowerShellJson,
    /// A bare JSON list of records with no envelope (a portal "Download JSON").
    JsonList,
    /// Lookout Mobile Risk API v2 (`{"count", "devices": [...]}`), `pages` of them.
    LookoutApiJson { pages: usize },
    /// Lookout records with the older camelCase names (`activationStatus`, ...).
    LookoutLegacyJson,
    /// Lookout Mobile Risk API device events (`target` + `details` blocks).
    LookoutEventsJson { pages: usize },
    /// CSV whose headers are the API's property names (`id`, `deviceName`, ...).
    GraphCsv,
    /// Intune admin center "Devices > All devices > Export" (`DevicesWithInventory_*.csv`).
    AdminCenterCsv,
    /// PowerShell `Export-Csv` (a `#TYPE` line or PascalCase headers).
    PowerShellCsv,
    /// Lookout device list as CSV with the API names flattened (`details.external_id`).
    LookoutCsv,
    /// CSV with headers written out for people (`Activation Status`, `Device ID`).
    SpelledOutCsv,
    /// Groups as one row per membership (group id, group name, member id, ...).
    MembershipCsv,
    /// Entra "Download groups": one row per group, no members.
    GroupListCsv,
    /// Entra "Download members", one file per group under `group-members/`.
    EntraMembersCsv { files: usize },
    /// Azure Monitor records from a diagnostic setting: `{"records": [...]}` as an
    /// Event Hub receives them, or records on their own.
    AzureMonitorJson,
    /// Azure Monitor records as a storage account keeps them: JSON Lines, one record
    /// per line (`PT1H.json`).
    AzureMonitorJsonLines { lines: usize },
    /// Log Analytics portal "Export to CSV" of the `AuditLogs` table.
    LogAnalyticsCsv,
    /// Log Analytics query API response (`tables`, `columns`, `rows`).
    LogAnalyticsJson,
}

impl Form {
    /// The message key under `validate.form.` and the number it carries, if any.
    fn key(self) -> (&'static str, usize) {
        match self {
            Form::Json => ("json", 0),
            Form::GraphJson { pages } if pages > 1 => ("graph_json_pages", pages),
            Form::GraphJson { .. } => ("graph_json", 0),
            Form::GraphPowerShellJson => ("graph_powershell_json", 0),
            Form::JsonList => ("json_list", 0),
            Form::LookoutApiJson { pages } if pages > 1 => ("lookout_api_json_pages", pages),
            Form::LookoutApiJson { .. } => ("lookout_api_json", 0),
            Form::LookoutLegacyJson => ("lookout_legacy_json", 0),
            Form::LookoutEventsJson { pages } => ("lookout_events_json", pages),
            Form::GraphCsv => ("graph_csv", 0),
            Form::AdminCenterCsv => ("admin_center_csv", 0),
            Form::PowerShellCsv => ("powershell_csv", 0),
            Form::LookoutCsv => ("lookout_csv", 0),
            Form::SpelledOutCsv => ("spelled_out_csv", 0),
            Form::MembershipCsv => ("membership_csv", 0),
            Form::GroupListCsv => ("group_list_csv", 0),
            Form::EntraMembersCsv { files } => ("entra_members_csv", files),
            Form::AzureMonitorJson => ("azure_monitor_json", 0),
            Form::AzureMonitorJsonLines { lines } => ("azure_monitor_json_lines", lines),
            Form::LogAnalyticsCsv => ("log_analytics_csv", 0),
            Form::LogAnalyticsJson => ("log_analytics_json", 0),
        }
    }

    /// "Graph JSON (3 pages)", in the user's language.
    pub fn describe(self, msg: &Messages) -> String {
        let (key, count) = self.key();
        msg.f(&format!("validate.form.{key}"), &[("count", &count)])
    }
}

/// Something about the bytes of a file that a plain reader would trip over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Quirk {
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// Windows PowerShell `Export-Csv` writes `#TYPE <class>` above the header.
    TypeLine,
    /// Excel's `sep=;` first line.
    SepLine,
    Semicolon,
    Tab,
    /// Windows PowerShell 5.1 `ConvertTo-Json` dates (`/Date(ms)/`).
    MsDates,
}

impl Quirk {
    pub fn describe(self, msg: &Messages) -> String {
        let key = match self {
            Quirk::Utf8Bom => "utf8_bom",
            Quirk::Utf16Le => "utf16_le",
            Quirk::Utf16Be => "utf16_be",
            Quirk::TypeLine => "type_line",
            Quirk::SepLine => "sep_line",
            Quirk::Semicolon => "semicolon",
            Quirk::Tab => "tab",
            Quirk::MsDates => "ms_dates",
        };
        msg.t(&format!("validate.quirk.{key}"))
    }
}

impl Quirk {
    /// The quirk an encoding amounts to; plain UTF-8 is none.
    pub fn of_encoding(e: super::text::Encoding) -> Option<Quirk> {
        use super::text::Encoding;
        match e {
            Encoding::Utf8 => None,
            Encoding::Utf8Bom => Some(Quirk::Utf8Bom),
            Encoding::Utf16Le => Some(Quirk::Utf16Le),
            Encoding::Utf16Be => Some(Quirk::Utf16Be),
        }
    }
}

/// Why a record was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// An Intune row without a device id: nothing can link to it.
    NoDeviceId,
    /// A Lookout row without a guid.
    NoGuid,
    /// A group-member row with neither an object id nor a UPN.
    NoMember,
    /// A membership row that names no group.
    NoGroup,
    /// A Lookout event about a threat or an audit action, not a device's state.
    NotDeviceEvent,
    /// An object with no activity name, or an Azure Monitor record of another
    /// category (sign-ins, ...): not a directory audit.
    NotAuditRecord,
}

impl SkipReason {
    pub fn key(self) -> &'static str {
        match self {
            SkipReason::NoDeviceId => "no_device_id",
            SkipReason::NoGuid => "no_guid",
            SkipReason::NoMember => "no_member",
            SkipReason::NoGroup => "no_group",
            SkipReason::NotDeviceEvent => "not_device_event",
            SkipReason::NotAuditRecord => "not_audit_record",
        }
    }

    pub fn describe(self, msg: &Messages) -> String {
        msg.t(&format!("validate.skip.{}", self.key()))
    }
}

/// Where a record is, for messages: CSV record and line, or the n-th JSON record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Csv {
        /// Set when one entry covers several files (group-members/).
        file: Option<String>,
        record: u64,
        line: u64,
    },
    Json {
        /// 1-based page, when the file holds several.
        page: Option<usize>,
        /// 1-based position in its list.
        index: usize,
    },
}

impl Location {
    pub fn describe(&self, msg: &Messages) -> String {
        match self {
            Location::Csv { file, record, line } => {
                let at = msg.f("validate.where.csv", &[("record", record), ("line", line)]);
                match file {
                    Some(f) => format!("{f} {at}"),
                    None => at,
                }
            }
            Location::Json { page: None, index } => {
                msg.f("validate.where.json", &[("index", index)])
            }
            Location::Json {
                page: Some(page),
                index,
            } => msg.f(
                "validate.where.json_page",
                &[("page", page), ("index", index)],
            ),
        }
    }
}

/// Records skipped for one reason: how many, and where the first one is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub reason: SkipReason,
    pub count: usize,
    pub first: Location,
}

/// Collects skipped records while a file is read.
#[derive(Debug, Clone, Default)]
pub struct Skips(pub Vec<Skipped>);

impl Skips {
    pub fn add(&mut self, reason: SkipReason, at: Location) {
        match self.0.iter_mut().find(|s| s.reason == reason) {
            Some(s) => s.count += 1,
            None => self.0.push(Skipped {
                reason,
                count: 1,
                first: at,
            }),
        }
    }

    pub fn total(&self) -> usize {
        self.0.iter().map(|s| s.count).sum()
    }

    /// A file whose every record had to be skipped is not usable: say why, at the
    /// first such record, instead of quietly loading nothing.
    pub fn check_usable(&self, kept: usize, path: &Path) -> Result<(), LoadError> {
        match self.0.first() {
            Some(first) if kept == 0 => Err(LoadError::Unusable {
                path: path.to_owned(),
                first: first.clone(),
            }),
            _ => Ok(()),
        }
    }
}

/// Something worth knowing about a file that did not stop the load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Records of the file left out for one reason.
    Skipped(Skipped),
    /// The last page links to a next one: the export stopped early.
    MorePages,
    /// A count the export states (`key`: `count` or `@odata.count`) that is not the
    /// number of records read (`total`, over all files of the input).
    CountMismatch {
        key: &'static str,
        count: u64,
        total: usize,
    },
    /// Lookout device events folded into one record per device.
    EventsFolded { events: usize, devices: usize },
    /// A group known only from its `group-members/` file, under a made-up id.
    SyntheticGroupId {
        group: String,
        file: String,
        id: String,
    },
    /// Member rows that say neither what they are nor who (ignored).
    UntypedMembers { count: usize },
    /// A lookout.json setting nothing reads, by its path, with the setting it most
    /// likely means when one is spelt alike.
    UnknownSetting {
        key: String,
        suggestion: Option<String>,
    },
    /// Values of one field that are none of the known ones, each with the number of
    /// records that hold it, in value order. They are kept as written.
    UnknownValues {
        field: &'static str,
        values: Vec<(String, usize)>,
    },
    /// Connectors of other Mobile Threat Defense partners in the list: not judged.
    OtherMtdPartners { partners: Vec<MtdPartner> },
    /// The list holds connectors, none of them Lookout's.
    NoLookoutMtdConnector,
    /// An export whose record list is empty: read as none, and said.
    NoRecords,
    /// A lookout.json setting still holding a template placeholder, read as unknown.
    Placeholder { key: String, value: String },
    /// Values longer than `limit` characters cut to it (`cap`): how many, and the
    /// field and record of the first.
    ValuesCut {
        count: usize,
        limit: usize,
        field: String,
        at: Option<Location>,
    },
    /// Lone UTF-16 surrogates (escaped in JSON, or in UTF-16 text) replaced with
    /// U+FFFD; `line` is the first one's.
    SurrogatesRepaired { count: usize, line: usize },
}

/// Another partner's Mobile Threat Defense connector, as a note names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MtdPartner {
    /// The partner's name, when its id is a known one.
    pub name: Option<&'static str>,
    pub id: String,
    pub state: Option<String>,
}

impl MtdPartner {
    /// "Microsoft Defender for Endpoint (enabled)", "unknown partner c2b6… (notSetUp)".
    fn describe(&self, msg: &Messages) -> String {
        let who = match self.name {
            Some(name) => name.to_owned(),
            None => msg.f("validate.note.unknown_mtd_partner", &[("id", &self.id)]),
        };
        match &self.state {
            Some(state) => format!("{who} ({state})"),
            None => who,
        }
    }
}

impl Note {
    /// The note in the reader's language.
    pub fn describe(&self, msg: &Messages) -> String {
        match self {
            Note::Skipped(s) => msg.f(
                "validate.note.skipped",
                &[
                    ("count", &s.count),
                    ("reason", &s.reason.describe(msg)),
                    ("at", &s.first.describe(msg)),
                ],
            ),
            Note::MorePages => msg.t("validate.note.more_pages"),
            Note::CountMismatch { key, count, total } => msg.f(
                "validate.note.count_mismatch",
                &[("key", key), ("count", count), ("total", total)],
            ),
            Note::EventsFolded { events, devices } => msg.f(
                "validate.note.events_folded",
                &[("events", events), ("devices", devices)],
            ),
            Note::SyntheticGroupId { group, file, id } => msg.f(
                "validate.note.synthetic_group_id",
                &[("group", group), ("file", file), ("id", id)],
            ),
            Note::UntypedMembers { count } => {
                msg.f("validate.note.untyped_members", &[("count", count)])
            }
            Note::UnknownSetting {
                key,
                suggestion: None,
            } => msg.f("validate.note.unknown_setting", &[("key", key)]),
            Note::UnknownSetting {
                key,
                suggestion: Some(suggestion),
            } => msg.f(
                "validate.note.unknown_setting_did_you_mean",
                // The key quoted from the file goes last (see UnknownValues below).
                &[("suggestion", suggestion), ("key", key)],
            ),
            // The values quoted from the file go last, so that none of them can spell
            // a placeholder that is filled after it.
            Note::UnknownValues { field, values } => {
                let total: usize = values.iter().map(|(_, n)| n).sum();
                let list: Vec<String> = values
                    .iter()
                    .map(|(value, n)| {
                        msg.f(
                            "validate.note.unknown_value",
                            &[("count", n), ("value", value)],
                        )
                    })
                    .collect();
                msg.f(
                    "validate.note.unknown_values",
                    &[
                        ("total", &total),
                        ("field", field),
                        ("list", &list.join(", ")),
                    ],
                )
            }
            Note::OtherMtdPartners { partners } => {
                let list: Vec<String> = partners.iter().map(|p| p.describe(msg)).collect();
                msg.f(
                    "validate.note.other_mtd_partners",
                    &[("count", &partners.len()), ("list", &list.join(", "))],
                )
            }
            Note::NoLookoutMtdConnector => msg.f(
                "validate.note.no_lookout_mtd_connector",
                &[("id", &super::mtd_connector::LOOKOUT_CONNECTOR_ID)],
            ),
            Note::NoRecords => msg.t("validate.note.no_records"),
            Note::Placeholder { key, value } => msg.f(
                "validate.note.placeholder",
                &[("key", key), ("value", value)],
            ),
            // The field named from the file goes last (see UnknownValues above).
            Note::ValuesCut {
                count,
                limit,
                field,
                at: Some(at),
            } => msg.f(
                "validate.note.values_cut",
                &[
                    ("count", count),
                    ("limit", limit),
                    ("at", &at.describe(msg)),
                    ("field", field),
                ],
            ),
            Note::ValuesCut {
                count,
                limit,
                field,
                at: None,
            } => msg.f(
                "validate.note.values_cut_field",
                &[("count", count), ("limit", limit), ("field", field)],
            ),
            Note::SurrogatesRepaired { count, line } => msg.f(
                "validate.note.surrogates_repaired",
                &[("count", count), ("line", line)],
            ),
        }
    }

    /// A note on the unknown values of one field, if there are any: `values` holds
    /// the field's unknown value of each record (`None` for a known value or none).
    pub(crate) fn unknown_values<'a>(
        field: &'static str,
        values: impl Iterator<Item = Option<&'a str>>,
    ) -> Option<Note> {
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for v in values.flatten() {
            *counts.entry(v).or_default() += 1;
        }
        (!counts.is_empty()).then(|| Note::UnknownValues {
            field,
            values: counts.into_iter().map(|(v, n)| (v.to_owned(), n)).collect(),
        })
    }
}
