//! `intune-devices.json` / `.csv`: Intune managed devices (Graph `managedDevices`).

use super::csv_table::CsvTable;
use super::time::{self, Time};
use super::values::OperatingSystem;
use super::LoadError;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(expecting = "an object with a \"value\" list of managed devices (Microsoft Graph)")]
pub struct IntuneDevicesFile {
    pub value: Vec<IntuneDevice>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "a managed device object with \"id\""
)]
pub struct IntuneDevice {
    pub id: String,
    #[serde(default)]
    pub device_name: Option<String>,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub email_address: Option<String>,
    #[serde(rename = "azureADDeviceId", alias = "azureAdDeviceId", default)]
    pub azure_ad_device_id: Option<String>,
    #[serde(default, deserialize_with = "OperatingSystem::deserialize_opt")]
    pub operating_system: Option<OperatingSystem>,
    #[serde(default)]
    pub os_version: Option<String>,
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    pub last_sync_date_time: Option<Time>,
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    pub enrolled_date_time: Option<Time>,
    #[serde(default)]
    pub compliance_state: Option<String>,
    #[serde(default)]
    pub partner_reported_threat_state: Option<String>,
}

impl IntuneDevice {
    /// The primary user, lower-case; `None` for a userless device.
    pub fn owner(&self) -> Option<String> {
        self.user_principal_name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase)
    }

    /// The Entra device id, if Intune knows it (all zeros means "not registered").
    pub fn entra_device_id(&self) -> Option<&str> {
        self.azure_ad_device_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && !s.chars().all(|c| c == '0' || c == '-'))
    }
}

/// Reads the CSV form (Graph property names as headers).
pub fn from_csv(path: &Path, bytes: &[u8]) -> Result<Vec<IntuneDevice>, LoadError> {
    let mut table = CsvTable::open(path, bytes)?;
    let id = table.require("id", &["id"])?;
    let name = table.column(&["deviceName"]);
    let upn = table.column(&["userPrincipalName"]);
    let user_id = table.column(&["userId"]);
    let email = table.column(&["emailAddress"]);
    let aad = table.column(&["azureADDeviceId"]);
    let os = table.column(&["operatingSystem"]);
    let os_version = table.column(&["osVersion"]);
    let last_sync = table.column(&["lastSyncDateTime"]);
    let enrolled = table.column(&["enrolledDateTime"]);
    let compliance = table.column(&["complianceState"]);
    let threat = table.column(&["partnerReportedThreatState"]);
    let mut out = Vec::new();
    while let Some(row) = table.next_row()? {
        let Some(device_id) = row.text(Some(id)) else {
            return Err(row.error("the id cell is empty; every Intune device has an id"));
        };
        out.push(IntuneDevice {
            id: device_id,
            device_name: row.text(name),
            user_principal_name: row.text(upn),
            user_id: row.text(user_id),
            email_address: row.text(email),
            azure_ad_device_id: row.text(aad),
            operating_system: row.text(os).and_then(|s| OperatingSystem::parse(&s)),
            os_version: row.text(os_version),
            last_sync_date_time: row.time(last_sync)?,
            enrolled_date_time: row.time(enrolled)?,
            compliance_state: row.text(compliance),
            partner_reported_threat_state: row.text(threat),
        });
    }
    Ok(out)
}
