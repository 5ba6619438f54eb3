//! `lookout.json`: the Lookout tenant and Intune connector settings, copied by the
//! administrator from the Lookout console (SPEC 3.1).

use super::detect::{Head, Recognised};
use super::lenient::deserialize_object_only;
use super::text::FileText;
use super::time::{self, Time};
use super::{FileInfo, Format, Input, LoadError, Loaded, Note};
use serde::{Deserialize, Deserializer};
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    remote = "Self",
    expecting = "an object with the sections tenant, console_access, intune_connector, enrollment_settings"
)]
pub struct LookoutConfig {
    #[serde(default)]
    pub tenant: TenantSettings,
    #[serde(default)]
    pub console_access: ConsoleAccess,
    /// `None` when no Intune connector was created in the Lookout console.
    #[serde(default)]
    pub intune_connector: Option<IntuneConnector>,
    #[serde(default)]
    pub enrollment_settings: EnrollmentSettings,
    #[serde(default)]
    pub min_os_versions: MinOsVersions,
    #[serde(default, deserialize_with = "null_as_default")]
    pub coverage: Coverage,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(remote = "Self")]
pub struct TenantSettings {
    #[serde(default)]
    pub azure_ad_tenant_id: Option<String>,
    #[serde(default)]
    pub consent: Consent,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(remote = "Self")]
pub struct Consent {
    /// Only a literal `true` counts as granted.
    #[serde(default)]
    pub granted: Option<bool>,
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    pub granted_at: Option<Time>,
    #[serde(default)]
    pub granted_by: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(remote = "Self")]
pub struct ConsoleAccess {
    #[serde(default)]
    pub full_access_group_id: Option<String>,
    #[serde(default)]
    pub restricted_access_group_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub expected_users: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(remote = "Self")]
pub struct IntuneConnector {
    /// The connector's polling interval.
    #[serde(default = "default_heartbeat")]
    pub heartbeat_frequency_minutes: u32,
    #[serde(default, deserialize_with = "null_as_default")]
    pub enrollment_groups: Vec<String>,
    #[serde(default)]
    pub state_sync: StateSync,
    #[serde(default, deserialize_with = "null_as_default")]
    pub error_management_emails: Vec<String>,
}

pub const DEFAULT_HEARTBEAT_MINUTES: u32 = 5;
pub const DEFAULT_DISCONNECTED_AFTER_DAYS: i64 = 30;

fn default_heartbeat() -> u32 {
    DEFAULT_HEARTBEAT_MINUTES
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(remote = "Self")]
pub struct StateSync {
    #[serde(default)]
    pub device_status: Option<bool>,
    #[serde(default)]
    pub threat_status: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(remote = "Self")]
pub struct EnrollmentSettings {
    /// As configured; may be out of the valid 1-90 range (the audit reports that).
    #[serde(default)]
    pub disconnected_after_days: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(remote = "Self")]
pub struct MinOsVersions {
    #[serde(default)]
    pub android: Option<String>,
    #[serde(default)]
    pub ios: Option<String>,
}

// Every section must be a JSON object (see `deserialize_object_only`).
deserialize_object_only!(
    LookoutConfig,
    "an object with the sections tenant, console_access, intune_connector, enrollment_settings"
);
deserialize_object_only!(
    TenantSettings,
    "an object with \"azure_ad_tenant_id\" and \"consent\""
);
deserialize_object_only!(
    Consent,
    "an object with \"granted\", \"granted_at\" and \"granted_by\""
);
deserialize_object_only!(ConsoleAccess, "an object with \"full_access_group_id\", \"restricted_access_group_id\" and \"expected_users\"");
deserialize_object_only!(IntuneConnector, "an object with \"heartbeat_frequency_minutes\", \"enrollment_groups\", \"state_sync\" and \"error_management_emails\"");
deserialize_object_only!(
    StateSync,
    "an object with \"device_status\" and \"threat_status\""
);
deserialize_object_only!(
    EnrollmentSettings,
    "an object with \"disconnected_after_days\""
);
deserialize_object_only!(MinOsVersions, "an object with \"android\" and \"ios\"");

/// Which Intune devices are expected to show up in Lookout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(
    rename_all = "kebab-case",
    expecting = "\"enrollment-groups\" or \"all-mobile-devices\""
)]
pub enum Coverage {
    #[default]
    EnrollmentGroups,
    AllMobileDevices,
}

impl Coverage {
    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::EnrollmentGroups => "enrollment-groups",
            Coverage::AllMobileDevices => "all-mobile-devices",
        }
    }
}

impl LookoutConfig {
    /// The polling interval, in minutes (default 5).
    pub fn polling_interval_minutes(&self) -> u32 {
        self.intune_connector
            .as_ref()
            .map_or(DEFAULT_HEARTBEAT_MINUTES, |c| c.heartbeat_frequency_minutes)
    }

    /// The disconnected threshold as configured (default 30); may be out of range.
    pub fn disconnected_after_days(&self) -> i64 {
        self.enrollment_settings
            .disconnected_after_days
            .unwrap_or(DEFAULT_DISCONNECTED_AFTER_DAYS)
    }

    /// Configured enrollment group names, blanks dropped, in configured order.
    pub fn enrollment_group_names(&self) -> Vec<&str> {
        self.intune_connector
            .as_ref()
            .map(|c| {
                c.enrollment_groups
                    .iter()
                    .map(|g| g.as_str())
                    .filter(|g| !g.trim().is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The sections of lookout.json (SPEC 3.1).
const SECTIONS: [&str; 6] = [
    "tenant",
    "console_access",
    "intune_connector",
    "enrollment_settings",
    "min_os_versions",
    "coverage",
];

/// Whether a head is lookout.json: an object with its sections.
pub(crate) fn recognise(head: &Head) -> Option<Recognised> {
    let j = head.json().filter(|j| !j.list && !j.lines)?;
    let sections = j
        .keys
        .iter()
        .filter(|k| SECTIONS.contains(&k.as_str()))
        .count();
    // Its own shape, not a record's: worth more than a record key or two.
    (sections > 0).then(|| {
        Recognised::new(
            Input::Lookout,
            Format::Json,
            super::Form::Json,
            2 * sections,
        )
    })
}

/// serde helper: `null` reads as the type's default (admins write `null` for "none").
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Reads `lookout.json`. It is written by hand, so a misspelt key is noted rather than
/// ignored; keys starting with `_` are comments (`init` writes `_comment` keys) and
/// stay silent.
pub fn read(path: &Path, text: &FileText) -> Result<Loaded<LookoutConfig>, LoadError> {
    let mut info = FileInfo::new(Input::Lookout, path, Format::Json, text);
    let bytes = text.as_bytes();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::Invalid {
            path: path.to_owned(),
            message: "the file is empty; see `lookout-doctor explain` and SPEC 3.1 for its fields"
                .into(),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let config = serde_ignored::deserialize(&mut de, |p| {
        if !matches!(&p, serde_ignored::Path::Map { key, .. } if key.starts_with('_')) {
            info.notes.push(Note::UnknownSetting { key: p.to_string() });
        }
    })
    .and_then(|c| de.end().map(|_| c))
    .map_err(|e| LoadError::json(path.to_owned(), &e))?;
    info.records = 1;
    Ok(Loaded {
        records: config,
        info,
        pages: Vec::new(),
    })
}
