//! `intune-mtd-connector.json`: Intune's Mobile Threat Defense connector for Lookout
//! (Graph `mobileThreatDefenseConnector`), as a single object or a `value` list.

use super::time::{self, Time};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "a mobileThreatDefenseConnector object, or an object with a \"value\" list of them"
)]
pub struct MtdConnector {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub partner_state: Option<String>,
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    pub last_heartbeat_date_time: Option<Time>,
    #[serde(default)]
    pub android_enabled: Option<bool>,
    #[serde(default)]
    pub ios_enabled: Option<bool>,
    #[serde(default)]
    pub partner_unresponsiveness_threshold_in_days: Option<i64>,
}

/// Both accepted shapes in one pass, so errors keep their line and column.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a mobileThreatDefenseConnector object, or an object with a \"value\" list of them"
)]
pub struct MtdConnectorFile {
    #[serde(default)]
    value: Option<Vec<MtdConnector>>,
    #[serde(flatten)]
    single: MtdConnector,
}

impl MtdConnectorFile {
    pub fn into_connectors(self) -> Vec<MtdConnector> {
        self.value.unwrap_or_else(|| vec![self.single])
    }
}
