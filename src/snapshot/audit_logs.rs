//! `audit-logs.json`: Entra directory audit records (Graph `directoryAudits`), as
//! Graph JSON (any envelope or pages), Graph PowerShell's PascalCase objects, or the
//! portal's JSON download (a bare list). Only group membership changes and group
//! deletions matter here.

use super::detect::{Head, Recognised};
use super::json_doc::{self, Kept, Record, Seen, Shape};
use super::lenient;
use super::text::FileText;
use super::time::{self, Time};
use super::{Format, Input, LoadError, Loaded};
use serde::Deserialize;
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

impl Record for AuditRecord {
    type Raw = AuditRecord;

    fn from_raw(raw: AuditRecord, _: &mut Seen) -> Result<Kept<Self>, String> {
        Ok(Kept::Record(raw))
    }
}

const SHAPE: Shape = Shape {
    list_keys: &["value"],
    expecting: "an object with a \"value\" list of directory audit records (Microsoft Graph), a list of such pages, or a list of records",
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
/// Graph's context naming the entity set.
pub(crate) fn recognise(head: &Head) -> Option<Recognised> {
    let j = head.json()?;
    let context = j.context_is("directoryAudits");
    let keys = j.count(&KEYS);
    let score = keys + if context { 5 } else { 0 };
    let claim = |score| {
        let mut r = Recognised::new(Input::AuditLogs, Format::Json, j.form(), score);
        r.empty = j.empty_list;
        r
    };
    if keys >= 2 || context {
        Some(claim(score))
    } else {
        j.is_empty_graph_page().then(|| claim(0))
    }
}

/// Reads one file of audit records (one page or several).
pub fn read(path: &Path, text: &FileText) -> Result<Loaded<Vec<AuditRecord>>, LoadError> {
    json_doc::read(Input::AuditLogs, path, text, &SHAPE)
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
    pub fn value(&self) -> Option<String> {
        [&self.new_value, &self.old_value]
            .into_iter()
            .flatten()
            .map(|v| unquote(v))
            .find(|v| !v.is_empty())
    }
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    match serde_json::from_str::<serde_json::Value>(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Array(items)) => items
            .first()
            .and_then(|i| i.as_str())
            .unwrap_or_default()
            .to_string(),
        _ => v.trim_matches('"').to_string(),
    }
}
