//! `audit-logs.json`: Entra directory audit records. Accepted as Microsoft Graph
//! `directoryAudits` (any envelope or pages, Graph PowerShell's PascalCase objects, the
//! portal's JSON download as a bare list), as Azure Monitor writes them from a
//! diagnostic setting (`{"records": [...]}` to an Event Hub, JSON Lines in a storage
//! account, or one record on its own: the directory audit is each record's
//! `properties`), and as Log Analytics exports its `AuditLogs` table (the portal's CSV
//! with JSON text in the dynamic columns, or the query API's tables, columns and
//! rows). Only group membership changes and group deletions matter here.

use super::cap::{self, Cuts};
use super::csv_table::CsvTable;
use super::detect::{Head, Recognised};
use super::form::{Form, Location, SkipReason, Skips};
use super::json_doc::{self, Kept, Record, Seen, Shape};
use super::lenient;
use super::text::FileText;
use super::time::{self, Time};
use super::{FileInfo, Format, Input, LoadError, Loaded};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "an audit record with \"activityDateTime\" and \"activityDisplayName\""
)]
pub struct AuditRecord {
    #[serde(
        default,
        alias = "ActivityDateTime",
        deserialize_with = "time::deserialize_opt"
    )]
    pub activity_date_time: Option<Time>,
    #[serde(default, alias = "ActivityDisplayName")]
    pub activity_display_name: Option<String>,
    #[serde(
        default,
        alias = "InitiatedBy",
        deserialize_with = "lenient::opt_object"
    )]
    pub initiated_by: Option<InitiatedBy>,
    #[serde(default, alias = "TargetResources", deserialize_with = "lenient::list")]
    pub target_resources: Vec<TargetResource>,
    /// Azure Monitor's and Log Analytics' name of whoever did it (a person's display
    /// name or an app's): the only trace of a system-initiated change, whose
    /// `initiatedBy` is `{}`.
    #[serde(default, alias = "Identity")]
    pub identity: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InitiatedBy {
    #[serde(default, alias = "User", deserialize_with = "lenient::opt_object")]
    pub user: Option<Identity>,
    #[serde(default, alias = "App", deserialize_with = "lenient::opt_object")]
    pub app: Option<Identity>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    #[serde(default, alias = "Id")]
    pub id: Option<String>,
    #[serde(default, alias = "DisplayName")]
    pub display_name: Option<String>,
    #[serde(default, alias = "UserPrincipalName")]
    pub user_principal_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetResource {
    #[serde(default, alias = "Id")]
    pub id: Option<String>,
    #[serde(default, alias = "DisplayName")]
    pub display_name: Option<String>,
    #[serde(rename = "type", alias = "Type", default)]
    pub kind: Option<String>,
    #[serde(default, alias = "UserPrincipalName")]
    pub user_principal_name: Option<String>,
    #[serde(
        default,
        alias = "ModifiedProperties",
        deserialize_with = "lenient::list"
    )]
    pub modified_properties: Vec<ModifiedProperty>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifiedProperty {
    #[serde(default, alias = "DisplayName")]
    pub display_name: Option<String>,
    #[serde(default, alias = "OldValue")]
    pub old_value: Option<String>,
    #[serde(default, alias = "NewValue")]
    pub new_value: Option<String>,
}

/// A record as any JSON form spells it: a directory audit (Graph), or an Azure Monitor
/// record whose `properties` is the directory audit.
#[derive(Debug, Default, Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "an audit record with \"activityDateTime\" and \"activityDisplayName\", or an Azure Monitor record with \"properties\""
)]
pub struct RawAudit {
    #[serde(
        default,
        alias = "ActivityDateTime",
        deserialize_with = "time::deserialize_opt"
    )]
    activity_date_time: Option<Time>,
    #[serde(default, alias = "ActivityDisplayName")]
    activity_display_name: Option<String>,
    #[serde(
        default,
        alias = "InitiatedBy",
        deserialize_with = "lenient::opt_object"
    )]
    initiated_by: Option<InitiatedBy>,
    #[serde(default, alias = "TargetResources", deserialize_with = "lenient::list")]
    target_resources: Vec<TargetResource>,
    #[serde(default, alias = "Identity")]
    identity: Option<String>,
    /// Azure Monitor: when the record was written.
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    time: Option<Time>,
    /// Azure Monitor: the activity, as `activityDisplayName` names it.
    #[serde(default, alias = "OperationName")]
    operation_name: Option<String>,
    /// Azure Monitor: `AuditLogs` (`Audit` in records of 2018); a directory audit's
    /// own category (`GroupManagement`) otherwise.
    #[serde(default, alias = "Category")]
    category: Option<String>,
    /// Azure Monitor: the directory audit itself.
    #[serde(
        default,
        alias = "Properties",
        deserialize_with = "lenient::opt_object"
    )]
    properties: Option<AuditRecord>,
}

impl Record for AuditRecord {
    type Raw = RawAudit;
    const JSON_LINES: bool = true;

    fn from_raw(raw: RawAudit, seen: &mut Seen) -> Result<Kept<Self>, String> {
        let record = match raw.properties {
            Some(audit) => {
                seen.azure_monitor = true;
                // A diagnostic setting may send sign-ins and other categories to the
                // same Event Hub or storage account.
                let category = raw.category.as_deref().map(str::trim);
                if category.is_some_and(|c| {
                    !c.eq_ignore_ascii_case("AuditLogs") && !c.eq_ignore_ascii_case("Audit")
                }) {
                    return Ok(Kept::Skip(SkipReason::NotAuditRecord));
                }
                AuditRecord {
                    activity_date_time: audit.activity_date_time.or(raw.time),
                    activity_display_name: audit.activity_display_name.or(raw.operation_name),
                    initiated_by: audit.initiated_by,
                    target_resources: audit.target_resources,
                    identity: audit.identity.or(raw.identity),
                }
            }
            None => AuditRecord {
                activity_date_time: raw.activity_date_time,
                activity_display_name: raw.activity_display_name,
                initiated_by: raw.initiated_by,
                target_resources: raw.target_resources,
                identity: raw.identity,
            },
        };
        // Every directory audit names its activity; an object without one is some
        // other export, and reading it as an empty log would hide that.
        if record
            .activity_display_name
            .as_deref()
            .is_none_or(|a| a.trim().is_empty())
        {
            return Ok(Kept::Skip(SkipReason::NotAuditRecord));
        }
        Ok(Kept::Record(record))
    }
}

const SHAPE: Shape = Shape {
    list_keys: &["value", "records"],
    expecting: "an object with a \"value\" list of directory audit records (Microsoft Graph) or a \"records\" list (Azure Monitor), a list of such pages, a list of records, or one record per line",
    empty: "{\"value\": []}",
};

/// A directory audit record's own properties (Graph `directoryAudit`).
const KEYS: [&str; 8] = [
    "activityDisplayName",
    "activityDateTime",
    "targetResources",
    "initiatedBy",
    "loggedByService",
    "operationType",
    "correlationId",
    "additionalDetails",
];

/// Whether a head is an audit log: records with the directoryAudit properties, or
/// Graph's context naming the entity set; Azure Monitor records (the directory audit
/// in `properties`), in an Event Hub's `records`, in JSON Lines or on their own; the
/// Log Analytics query API's tables; the Log Analytics portal's CSV of `AuditLogs`.
pub(crate) fn recognise(head: &Head) -> Option<Recognised> {
    if let Some(c) = head.csv() {
        let shown = c.count(&[columns::AT, columns::INITIATED_BY, columns::IDENTITY]);
        return (c.has(columns::ACTIVITY) && c.has(columns::TARGETS)).then(|| {
            Recognised::new(
                Input::AuditLogs,
                Format::Csv,
                Form::LogAnalyticsCsv,
                2 + shown,
            )
        });
    }
    let j = head.json()?;
    let claim = |form, score| {
        let mut r = Recognised::new(Input::AuditLogs, Format::Json, form, score);
        r.empty = j.empty_list;
        r
    };
    // Azure Monitor: the record around the directory audit. Its first record may be
    // of another category sent to the same place; the loader sorts them.
    let properties = j.first.as_ref().and_then(|f| f.get("properties"));
    if let Some(Value::Object(audit)) = properties.filter(|_| j.has("operationName")) {
        let keys = KEYS
            .iter()
            .filter(|k| audit.keys().any(|a| a.eq_ignore_ascii_case(k)))
            .count();
        return Some(claim(Form::AzureMonitorJson, 2 + keys));
    }
    // Log Analytics' query API: `{"tables": [{"columns", "rows"}]}`.
    let table = j.top("tables").and_then(|t| t.get(0));
    if table.is_some_and(|t| t.get("columns").is_some() && t.get("rows").is_some()) {
        return Some(claim(Form::LogAnalyticsJson, 3));
    }
    let context = j.context_is("directoryAudits");
    let keys = j.count(&KEYS);
    let score = keys + if context { 5 } else { 0 };
    if keys >= 2 || context {
        Some(claim(j.form(), score))
    } else {
        j.is_empty_graph_page().then(|| claim(j.form(), 0))
    }
}

/// Reads one file of audit records (one page or several), in any of its forms.
pub fn read(path: &Path, text: &FileText) -> Result<Loaded<Vec<AuditRecord>>, LoadError> {
    if json_doc::first_key(text.as_str()).as_deref() == Some("tables") {
        return from_log_analytics_json(path, text);
    }
    if looks_like_log_analytics_csv(text.as_str()) {
        return from_log_analytics_csv(path, text);
    }
    let mut info = FileInfo::new(Input::AuditLogs, path, Format::Json, text);
    let doc = json_doc::parse::<AuditRecord>(path, text, &SHAPE)?;
    info.take_json(&doc);
    if doc.seen.azure_monitor {
        info.form = if doc.documents > 1 {
            Form::AzureMonitorJsonLines {
                lines: doc.documents,
            }
        } else {
            Form::AzureMonitorJson
        };
    }
    info.records = doc.records.len();
    Ok(Loaded {
        records: doc.records,
        info,
        pages: doc.pages,
    })
}

/// Column names of the Log Analytics `AuditLogs` table. The portal's CSV adds the zone
/// to the header of a time column (`TimeGenerated [UTC]`).
mod columns {
    pub const ACTIVITY: &[&str] = &["ActivityDisplayName", "OperationName"];
    pub const AT: &[&str] = &[
        "ActivityDateTime [UTC]",
        "ActivityDateTime",
        "TimeGenerated [UTC]",
        "TimeGenerated",
    ];
    pub const INITIATED_BY: &[&str] = &["InitiatedBy"];
    pub const TARGETS: &[&str] = &["TargetResources"];
    pub const IDENTITY: &[&str] = &["Identity"];
}

/// A CSV whose header names the `AuditLogs` table's activity and targets.
fn looks_like_log_analytics_csv(text: &str) -> bool {
    let head = text.trim_start();
    if head.starts_with(['{', '[']) {
        return false;
    }
    let header = head.lines().next().unwrap_or_default();
    let names: Vec<String> = header
        .split([',', ';', '\t'])
        .map(super::csv_table::normalize_header)
        .collect();
    let has = |wanted: &[&str]| {
        wanted
            .iter()
            .any(|w| names.contains(&super::csv_table::normalize_header(w)))
    };
    has(columns::ACTIVITY) && has(columns::TARGETS)
}

/// The Log Analytics portal's "Export to CSV" of the `AuditLogs` table. Its `TenantId`
/// is the Log Analytics workspace, not the Entra tenant (that is `AADTenantId`), so it
/// is never taken for the tenant.
fn from_log_analytics_csv(
    path: &Path,
    text: &FileText,
) -> Result<Loaded<Vec<AuditRecord>>, LoadError> {
    let mut info = FileInfo::new(Input::AuditLogs, path, Format::Csv, text);
    info.form = Form::LogAnalyticsCsv;
    let mut table = CsvTable::open(path, text.as_bytes())?;
    let activity = table.require("ActivityDisplayName", columns::ACTIVITY)?;
    let Some(at) = table.column(columns::AT) else {
        return Err(table.header_error(&missing_time_message(table.raw_headers())));
    };
    let targets = table.require("TargetResources", columns::TARGETS)?;
    let initiated_by = table.column(columns::INITIATED_BY);
    let identity = table.column(columns::IDENTITY);
    let mut out = Vec::new();
    let mut skips = Skips::default();
    while let Some(row) = table.next_row()? {
        let Some(name) = row.text(Some(activity)) else {
            skips.add(SkipReason::NotAuditRecord, row.location());
            continue;
        };
        // The dynamic columns are JSON text, parsed whole (what they hold is capped).
        let not_dynamic = |name: &str, e: serde_json::Error| {
            row.error(&format!(
                "column \"{name}\": not the JSON Log Analytics writes there ({e})"
            ))
        };
        out.push(AuditRecord {
            activity_date_time: row.time(Some(at))?,
            activity_display_name: Some(name.to_string()),
            initiated_by: row
                .json::<DynamicInitiator>(initiated_by)
                .map_err(|e| not_dynamic("InitiatedBy", e))?
                .and_then(|d| d.0),
            target_resources: row
                .json::<DynamicTargets>(Some(targets))
                .map_err(|e| not_dynamic("TargetResources", e))?
                .map(|d| d.0)
                .unwrap_or_default(),
            identity: row.text(identity).map(|t| t.to_string()),
        });
    }
    skips.check_usable(out.len(), path)?;
    info.take_csv(&table, skips);
    info.records = out.len();
    Ok(Loaded {
        records: out,
        info,
        pages: Vec::new(),
    })
}

/// What to say when the export has no time column the loader can read: most often the
/// portal was set to local time, and the header says so.
fn missing_time_message(headers: &[String]) -> String {
    let local = headers.iter().find(|h| {
        (h.starts_with("ActivityDateTime [") || h.starts_with("TimeGenerated ["))
            && !h.ends_with("[UTC]")
    });
    match local {
        Some(h) => format!(
            "the column \"{h}\" holds local times of an unknown offset; set the Log Analytics portal's time zone to UTC and export again"
        ),
        None => "the header row has no \"ActivityDateTime\" or \"TimeGenerated\" column; export every column of the AuditLogs table".into(),
    }
}

/// A Log Analytics `dynamic` value of the query API: JSON text, or the JSON itself
/// turned back into text; parsed whole, what it holds capped (cuts counted in `cuts`
/// at `at`). Empty is `None`.
fn dynamic<T: serde::de::DeserializeOwned>(
    cell: Option<&str>,
    cuts: &mut Cuts,
    at: &Location,
) -> Result<Option<T>, String> {
    match cell.filter(|c| !c.trim().is_empty()) {
        None => Ok(None),
        Some(text) => cap::parse_json_text(text, cuts, Some(at.clone()))
            .map(Some)
            .map_err(|e| format!("not the JSON Log Analytics writes there ({e})")),
    }
}

/// `InitiatedBy` as a dynamic value.
#[derive(Deserialize)]
#[serde(transparent)]
struct DynamicInitiator(#[serde(deserialize_with = "lenient::opt_object")] Option<InitiatedBy>);

/// `TargetResources` as a dynamic value.
#[derive(Deserialize)]
#[serde(transparent)]
struct DynamicTargets(#[serde(deserialize_with = "lenient::list")] Vec<TargetResource>);

/// The Log Analytics query API's answer: `{"tables": [{"name", "columns": [{"name",
/// "type"}], "rows": [[...]]}]}`.
#[derive(Deserialize)]
struct QueryResponse {
    tables: Vec<QueryTable>,
}

#[derive(Deserialize)]
struct QueryTable {
    columns: Vec<QueryColumn>,
    rows: Vec<Vec<serde_json::Value>>,
}

#[derive(Deserialize)]
struct QueryColumn {
    name: String,
}

fn from_log_analytics_json(
    path: &Path,
    text: &FileText,
) -> Result<Loaded<Vec<AuditRecord>>, LoadError> {
    let mut info = FileInfo::new(Input::AuditLogs, path, Format::Json, text);
    info.form = Form::LogAnalyticsJson;
    let response: QueryResponse =
        serde_json::from_str(text.as_str()).map_err(|e| LoadError::json(path.to_owned(), &e))?;
    let invalid = |message: String| LoadError::Invalid {
        path: path.to_owned(),
        message,
    };
    let mut out = Vec::new();
    let mut skips = Skips::default();
    let mut cuts = Cuts::default();
    for (t, table) in response.tables.iter().enumerate() {
        let column = |names: &[&str]| {
            names.iter().find_map(|n| {
                let n = super::csv_table::normalize_header(n);
                table
                    .columns
                    .iter()
                    .position(|c| super::csv_table::normalize_header(&c.name) == n)
            })
        };
        let Some(activity) = column(columns::ACTIVITY) else {
            return Err(invalid(format!(
                "table {} has no \"ActivityDisplayName\" column; query the AuditLogs table and keep its columns",
                t + 1
            )));
        };
        let (at, targets) = (column(columns::AT), column(columns::TARGETS));
        let (initiated_by, identity) = (column(columns::INITIATED_BY), column(columns::IDENTITY));
        let used = [Some(activity), at, targets, initiated_by, identity];
        for (i, c) in table.columns.iter().enumerate() {
            if !used.contains(&Some(i)) && !info.ignored.contains(&c.name) {
                info.ignored.push(c.name.clone());
            }
        }
        for (r, row) in table.rows.iter().enumerate() {
            let place = Location::Json {
                page: (response.tables.len() > 1).then_some(t + 1),
                index: r + 1,
            };
            // A cell as text: a string as it is, anything else as JSON.
            let cell = |col: Option<usize>| -> Option<Cow<str>> {
                match col.and_then(|c| row.get(c))? {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some(Cow::Borrowed(s.as_str())),
                    other => Some(Cow::Owned(other.to_string())),
                }
            };
            // A cell kept as a value: capped.
            let mut kept = |col: Option<usize>| -> Option<String> {
                let text = cell(col)?;
                match cap::cut(&text, cap::MAX_CHARS) {
                    None => Some(text.into_owned()),
                    Some(start) => {
                        let column = col.and_then(|c| table.columns.get(c));
                        cuts.add(column.map_or("", |c| c.name.as_str()), Some(place.clone()));
                        Some(start.to_owned())
                    }
                }
            };
            let at_row = |m: String| invalid(format!("row {}: {m}", r + 1));
            let Some(name) = kept(Some(activity)).filter(|n| !n.trim().is_empty()) else {
                skips.add(SkipReason::NotAuditRecord, place);
                continue;
            };
            let identity = kept(identity);
            out.push(AuditRecord {
                activity_date_time: match cell(at) {
                    Some(v) => time::parse(&v).map_err(at_row)?,
                    None => None,
                },
                activity_display_name: Some(name),
                initiated_by: dynamic::<DynamicInitiator>(
                    cell(initiated_by).as_deref(),
                    &mut cuts,
                    &place,
                )
                .map_err(|m| at_row(format!("InitiatedBy: {m}")))?
                .and_then(|d| d.0),
                target_resources: dynamic::<DynamicTargets>(
                    cell(targets).as_deref(),
                    &mut cuts,
                    &place,
                )
                .map_err(|m| at_row(format!("TargetResources: {m}")))?
                .map(|d| d.0)
                .unwrap_or_default(),
                identity,
            });
        }
    }
    skips.check_usable(out.len(), path)?;
    info.notes
        .extend(skips.0.iter().cloned().map(super::Note::Skipped));
    info.notes.extend(cuts.note());
    info.skipped = skips.0;
    info.records = out.len();
    Ok(Loaded {
        records: out,
        info,
        pages: Vec::new(),
    })
}

impl InitiatedBy {
    /// Who did it: the user's UPN, else the app's name.
    pub fn actor(&self) -> Option<String> {
        let user = self.user.as_ref().and_then(|u| {
            u.user_principal_name
                .clone()
                .or_else(|| u.display_name.clone())
        });
        user.or_else(|| self.app.as_ref().and_then(|a| a.display_name.clone()))
            .filter(|s| !s.is_empty())
    }
}

impl ModifiedProperty {
    /// Graph writes these values JSON-encoded (`"\"Lookout Pilot\""`); unwrap that.
    /// The value is capped as any value read is (its JSON text has a larger cap).
    pub fn value(&self) -> Option<String> {
        [&self.new_value, &self.old_value]
            .into_iter()
            .flatten()
            .map(|v| unquote(v))
            .find(|v| !v.is_empty())
            .map(|mut v| {
                if let Some(start) = cap::cut(&v, cap::MAX_CHARS) {
                    v.truncate(start.len());
                }
                v
            })
    }
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    // A lone surrogate escape is repaired as in a file.
    let repaired = super::text::surrogates::repair_json(v);
    let json = repaired.as_ref().map_or(v, |(text, _)| text.as_str());
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Array(items)) => items
            .first()
            .and_then(|i| i.as_str())
            .unwrap_or_default()
            .to_string(),
        _ => v.trim_matches('"').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::checked;

    fn load(text: &str) -> Result<Loaded<Vec<AuditRecord>>, String> {
        read(Path::new("audit.json"), &checked(text)).map_err(|e| e.to_string())
    }

    /// One record as Azure Monitor writes it (research/14/1-audit-logs,
    /// single-record.json, shortened): `Level`, `+00:00`, a Group target without a name.
    const RECORD: &str = r#"{"time": "2026-11-16T05:48:00.9800744Z", "operationName": "Remove member from group",
        "category": "AuditLogs", "identity": "Megan Bowen", "Level": 4,
        "properties": {"activityDisplayName": "Remove member from group",
          "activityDateTime": "2026-11-16T05:48:00.98007+00:00",
          "initiatedBy": {"user": {"id": "953a", "displayName": null, "userPrincipalName": "megan.bowen@contoso.com"}},
          "targetResources": [
            {"id": "bcd4", "displayName": null, "type": "User", "userPrincipalName": "alex.wilber@contoso.com",
             "modifiedProperties": [{"displayName": "Group.DisplayName", "oldValue": "\"Lookout Wave 1\"", "newValue": null}]},
            {"id": "8a04", "displayName": null, "Type": "Group", "groupType": "unknownFutureValue", "modifiedProperties": []}]}}"#;

    #[test]
    fn a_single_azure_monitor_record() {
        let read = load(RECORD).unwrap();
        let r = &read.records[0];
        assert_eq!(
            r.activity_display_name.as_deref(),
            Some("Remove member from group")
        );
        assert_eq!(
            r.activity_date_time.map(|t| time::format(&t)).as_deref(),
            Some("2026-11-16T05:48:00Z")
        );
        assert_eq!(r.target_resources[1].kind.as_deref(), Some("Group"));
        assert_eq!(r.target_resources[1].display_name, None);
        assert_eq!(r.identity.as_deref(), Some("Megan Bowen"));
        // Not Graph PowerShell for its capital `Level`.
        assert_eq!(read.info.form, Form::AzureMonitorJson);
    }

    #[test]
    fn event_hub_envelope_and_json_lines() {
        let hub = format!(
            r#"{{"records": [{RECORD}, {{"time": "2026-11-20T11:40:12Z", "operationName": "Sign-in activity", "category": "SignInLogs", "properties": {{"createdDateTime": "2026-11-20T11:40:12Z"}}}}]}}"#
        );
        let read = load(&hub).unwrap();
        assert_eq!(read.records.len(), 1);
        assert_eq!(read.info.skipped[0].reason, SkipReason::NotAuditRecord);
        assert_eq!(read.info.form, Form::AzureMonitorJson);
        let lines = format!(
            "{}\n{}\n",
            RECORD.replace('\n', " "),
            RECORD.replace('\n', " ")
        );
        let read = load(&lines).unwrap();
        assert_eq!(read.records.len(), 2);
        assert_eq!(read.info.form, Form::AzureMonitorJsonLines { lines: 2 });
        // Garbage after a record is still an error, at its place.
        let err = load(&format!("{}\nx", RECORD.replace('\n', " ")))
            .err()
            .unwrap();
        assert!(err.contains("audit.json:2:1"), "{err}");
    }

    #[test]
    fn system_changes_and_integer_results() {
        let read = load(r#"{"records": [{"time": "2018-12-10T00:03:46.6161822Z", "operationName": "Update policy",
            "category": "AuditLogs", "identity": "MS-PIM", "level": "Informational",
            "properties": {"result": 0, "activityDisplayName": "Update policy",
              "activityDateTime": "2018-12-10T00:03:46.6161822+00:00", "initiatedBy": {},
              "targetResources": [{"id": "5e7a", "displayName": "Default Policy", "type": "Policy"}]}}]}"#)
        .unwrap();
        let r = &read.records[0];
        assert_eq!(r.initiated_by.as_ref().and_then(InitiatedBy::actor), None);
        assert_eq!(r.identity.as_deref(), Some("MS-PIM"));
    }

    #[test]
    fn objects_that_are_no_audit_record_are_refused() {
        let err = load(r#"{"tables_of_contents": [1]}"#).err().unwrap();
        assert!(err.contains("not a directory audit record"), "{err}");
        let err = load(r#"{"records": [{"time": "2026-11-20T11:40:12Z", "category": "SignInLogs", "properties": {}}]}"#)
            .err().unwrap();
        assert!(err.contains("no record can be used"), "{err}");
    }

    #[test]
    fn log_analytics_forms() {
        let api = r#"{"tables": [{"name": "PrimaryResult",
            "columns": [{"name": "TenantId", "type": "string"}, {"name": "TimeGenerated", "type": "datetime"},
                        {"name": "ActivityDisplayName", "type": "string"}, {"name": "InitiatedBy", "type": "dynamic"},
                        {"name": "TargetResources", "type": "dynamic"}],
            "rows": [["3f1b", "2026-11-20T11:57:30.0872915Z", "Add member to group",
                      "{\"user\":{\"userPrincipalName\":\"patti.fernandez@contoso.com\"}}",
                      [{"id": "6d9e", "type": "User", "userPrincipalName": "johanna.lorenz@contoso.com"}]]]}]}"#;
        let read = load(api).unwrap();
        let r = &read.records[0];
        assert_eq!(
            r.initiated_by
                .as_ref()
                .and_then(InitiatedBy::actor)
                .as_deref(),
            Some("patti.fernandez@contoso.com")
        );
        assert_eq!(
            r.target_resources[0].user_principal_name.as_deref(),
            Some("johanna.lorenz@contoso.com")
        );
        assert_eq!(read.info.form, Form::LogAnalyticsJson);
        // The workspace id is not read as anything.
        assert_eq!(read.info.ignored, ["TenantId"]);

        let csv = "TenantId,\"TimeGenerated [UTC]\",ActivityDisplayName,InitiatedBy,TargetResources\r\n\
                   3f1b,\"11/20/2026, 11:57:30.087 AM\",Add member to group,\"{\"\"user\"\":{\"\"userPrincipalName\"\":\"\"patti.fernandez@contoso.com\"\"}}\",\"[{\"\"type\"\":\"\"User\"\",\"\"userPrincipalName\"\":\"\"johanna.lorenz@contoso.com\"\"}]\"\r\n";
        let read = load(csv).unwrap();
        assert_eq!(read.info.form, Form::LogAnalyticsCsv);
        assert_eq!(read.info.format, Format::Csv);
        assert_eq!(
            read.records[0]
                .activity_date_time
                .map(|t| time::format(&t))
                .as_deref(),
            Some("2026-11-20T11:57:30Z")
        );
        let local = csv.replace("TimeGenerated [UTC]", "TimeGenerated [Local Time]");
        let err = load(&local).err().unwrap();
        assert!(err.contains("local times") && err.contains("UTC"), "{err}");
        let broken = csv.replace("[{", "[{{");
        let err = load(&broken).err().unwrap();
        assert!(
            err.contains("record 1 (line 2): column \"TargetResources\""),
            "{err}"
        );
    }
}
