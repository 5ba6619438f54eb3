//! `audit-logs.json`: Entra directory audit records (Graph `directoryAudits`). Only
//! group membership changes and group deletions matter here.

use super::time::{self, Time};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(expecting = "an object with a \"value\" list of directory audit records (Microsoft Graph)")]
pub struct AuditLogsFile {
    pub value: Vec<AuditRecord>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "an audit record with \"activityDateTime\" and \"activityDisplayName\""
)]
pub struct AuditRecord {
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    pub activity_date_time: Option<Time>,
    #[serde(default)]
    pub activity_display_name: Option<String>,
    #[serde(default)]
    pub initiated_by: Option<InitiatedBy>,
    #[serde(default, deserialize_with = "super::lookout_config::null_as_default")]
    pub target_resources: Vec<TargetResource>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InitiatedBy {
    #[serde(default)]
    pub user: Option<Identity>,
    #[serde(default)]
    pub app: Option<Identity>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub user_principal_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetResource {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default, deserialize_with = "super::lookout_config::null_as_default")]
    pub modified_properties: Vec<ModifiedProperty>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifiedProperty {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub old_value: Option<String>,
    #[serde(default)]
    pub new_value: Option<String>,
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
