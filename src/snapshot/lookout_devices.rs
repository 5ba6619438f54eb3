//! `lookout-devices.json` / `.csv`: the Lookout device list (Mobile Risk API v2 shape;
//! CSV uses the same names flattened with dots).

use super::csv_table::CsvTable;
use super::time::{self, Time};
use super::values::{ActivationStatus, LookoutPlatform, ProtectionStatus, SecurityStatus};
use super::LoadError;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(expecting = "an object with a \"devices\" list (Lookout Mobile Risk API v2)")]
pub struct LookoutDevicesFile {
    #[serde(default)]
    pub count: Option<u64>,
    pub devices: Vec<LookoutDevice>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(expecting = "a device object with \"guid\" and \"activation_status\"")]
pub struct LookoutDevice {
    pub guid: String,
    #[serde(default, deserialize_with = "ActivationStatus::deserialize_opt")]
    pub activation_status: Option<ActivationStatus>,
    #[serde(default, deserialize_with = "ProtectionStatus::deserialize_opt")]
    pub protection_status: Option<ProtectionStatus>,
    #[serde(default, deserialize_with = "SecurityStatus::deserialize_opt")]
    pub security_status: Option<SecurityStatus>,
    #[serde(default, deserialize_with = "LookoutPlatform::deserialize_opt")]
    pub platform: Option<LookoutPlatform>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    pub checkin_time: Option<Time>,
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    pub activated_at: Option<Time>,
    #[serde(default, deserialize_with = "super::lookout_config::null_as_default")]
    pub details: Details,
    #[serde(default, deserialize_with = "super::lookout_config::null_as_default")]
    pub software: Software,
    #[serde(default, deserialize_with = "super::lookout_config::null_as_default")]
    pub hardware: Hardware,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Details {
    /// The Lookout "device ID": the Intune managed-device id (or Entra device id).
    #[serde(default)]
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Software {
    #[serde(default)]
    pub os_version: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Hardware {
    #[serde(default)]
    pub manufacturer: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
}

impl LookoutDevice {
    /// The device ID, if it has one.
    pub fn device_id(&self) -> Option<&str> {
        self.details
            .external_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// "Google Pixel 8", from the hardware fields.
    pub fn hardware_name(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.hardware.manufacturer, &self.hardware.model]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// Reads the CSV form.
pub fn from_csv(path: &Path, bytes: &[u8]) -> Result<Vec<LookoutDevice>, LoadError> {
    let mut table = CsvTable::open(path, bytes)?;
    let guid = table.require("guid", &["guid"])?;
    let activation = table.column(&["activation_status"]);
    let protection = table.column(&["protection_status"]);
    let security = table.column(&["security_status"]);
    let platform = table.column(&["platform"]);
    let email = table.column(&["email"]);
    let checkin = table.column(&["checkin_time"]);
    let activated = table.column(&["activated_at"]);
    let external = table.column(&["details.external_id"]);
    let os_version = table.column(&["software.os_version"]);
    let manufacturer = table.column(&["hardware.manufacturer"]);
    let model = table.column(&["hardware.model"]);
    let mut out = Vec::new();
    while let Some(row) = table.next_row()? {
        let Some(device_guid) = row.text(Some(guid)) else {
            return Err(row.error("the guid cell is empty; every Lookout device has a guid"));
        };
        out.push(LookoutDevice {
            guid: device_guid,
            activation_status: row
                .text(activation)
                .and_then(|s| ActivationStatus::parse(&s)),
            protection_status: row
                .text(protection)
                .and_then(|s| ProtectionStatus::parse(&s)),
            security_status: row.text(security).and_then(|s| SecurityStatus::parse(&s)),
            platform: row.text(platform).and_then(|s| LookoutPlatform::parse(&s)),
            email: row.text(email),
            checkin_time: row.time(checkin)?,
            activated_at: row.time(activated)?,
            details: Details {
                external_id: row.text(external),
            },
            software: Software {
                os_version: row.text(os_version),
            },
            hardware: Hardware {
                manufacturer: row.text(manufacturer),
                model: row.text(model),
            },
        });
    }
    Ok(out)
}
