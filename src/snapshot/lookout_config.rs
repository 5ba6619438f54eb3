//! `lookout.json`: the Lookout tenant and Intune connector settings, copied by the
//! administrator from the Lookout console (SPEC 3.1).

use super::cap::{Capper, Cuts};
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
    /// Settings that still hold a template placeholder, in file order. Their values
    /// were taken out of the settings above: they are unknown, not data.
    #[serde(skip)]
    pub placeholders: Vec<Placeholder>,
}

/// A setting of lookout.json left as a template wrote it (`REPLACE-…`, the all-zero
/// tenant id, SPEC's `<Entra group object id>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// Where it is: `console_access.full_access_group_id`, `intune_connector.enrollment_groups[0]`.
    pub key: String,
    pub value: String,
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
    /// `None` when unknown: `null`, absent, or a template placeholder.
    #[serde(default, deserialize_with = "bool_or_placeholder")]
    pub granted: Option<bool>,
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    pub granted_at: Option<Time>,
    #[serde(default)]
    pub granted_by: Option<String>,
    /// The application (client) id of Lookout's enterprise application, for tenants
    /// where it is not found by its name (service-principals.json).
    #[serde(default)]
    pub app_id: Option<String>,
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
    /// `None` when the key is absent (`null` reads as an empty list: it is there).
    #[serde(default, deserialize_with = "present_list")]
    pub enrollment_groups: Option<Vec<String>>,
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
    "an object with \"granted\", \"granted_at\", \"granted_by\" and \"app_id\""
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
                    .flatten()
                    .map(|g| g.as_str())
                    .filter(|g| !g.trim().is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first placeholder left in the setting at `key` or anything inside it.
    pub fn placeholder_in(&self, key: &str) -> Option<&Placeholder> {
        self.placeholders.iter().find(|p| {
            p.key
                .strip_prefix(key)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }

    /// Takes every placeholder out of the settings, so that nothing reads one as a
    /// value, and keeps where each was.
    fn take_placeholders(&mut self) {
        let mut found = Vec::new();
        let mut one = |key: &str, slot: &mut Option<String>| {
            if let Some(value) = slot.take_if(|v| is_placeholder(v)) {
                found.push(Placeholder {
                    key: key.to_owned(),
                    value,
                });
            }
        };
        let tenant = &mut self.tenant;
        one("tenant.azure_ad_tenant_id", &mut tenant.azure_ad_tenant_id);
        one("tenant.consent.granted_by", &mut tenant.consent.granted_by);
        one("tenant.consent.app_id", &mut tenant.consent.app_id);
        let console = &mut self.console_access;
        one(
            "console_access.full_access_group_id",
            &mut console.full_access_group_id,
        );
        one(
            "console_access.restricted_access_group_id",
            &mut console.restricted_access_group_id,
        );
        one("min_os_versions.android", &mut self.min_os_versions.android);
        one("min_os_versions.ios", &mut self.min_os_versions.ios);
        let mut list = |key: &str, items: &mut Vec<String>| {
            let mut index = 0;
            items.retain(|v| {
                let keep = !is_placeholder(v);
                if !keep {
                    found.push(Placeholder {
                        key: format!("{key}[{index}]"),
                        value: v.clone(),
                    });
                }
                index += 1;
                keep
            });
        };
        list(
            "console_access.expected_users",
            &mut self.console_access.expected_users,
        );
        if let Some(c) = &mut self.intune_connector {
            if let Some(groups) = &mut c.enrollment_groups {
                list("intune_connector.enrollment_groups", groups);
            }
            list(
                "intune_connector.error_management_emails",
                &mut c.error_management_emails,
            );
        }
        self.placeholders = found;
    }
}

/// A value nobody filled in: what `init`'s template and SPEC's example put where the
/// administrator's own value belongs.
pub fn is_placeholder(value: &str) -> bool {
    const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";
    let v = value.trim();
    v.get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("replace"))
        || v == ZERO_GUID
        || (v.len() > 2 && v.starts_with('<') && v.ends_with('>'))
        || v == "…"
        || v == "..."
}

/// serde helper: `true`, `false`, `null`, or a template placeholder (read as `None`,
/// and noted by [`read`]); any other text is an error.
fn bool_or_placeholder<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct Flag;

    impl<'de> serde::de::Visitor<'de> for Flag {
        type Value = Option<bool>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("true, false or null")
        }

        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Option<bool>, E> {
            Ok(Some(v))
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Option<bool>, E> {
            if is_placeholder(v) {
                Ok(None)
            } else {
                Err(E::invalid_type(serde::de::Unexpected::Str(v), &self))
            }
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<bool>, E> {
            Ok(None)
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Option<bool>, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<bool>, D::Error> {
            d.deserialize_any(self)
        }
    }

    d.deserialize_any(Flag)
}

/// The template placeholder written for `tenant.consent.granted`, which its
/// deserializer reads as unknown: the one setting whose placeholder is not text.
fn granted_placeholder(bytes: &[u8]) -> Option<Placeholder> {
    // Read again, capped again (the first reading counted the cuts).
    let doc = serde_json::Value::deserialize(
        Capper::new().deserializer(&mut serde_json::Deserializer::from_slice(bytes)),
    )
    .ok()?;
    let value = doc.pointer("/tenant/consent/granted")?.as_str()?;
    Some(Placeholder {
        key: "tenant.consent.granted".into(),
        value: value.to_owned(),
    })
}

/// serde helper: a list whose key is present; `null` reads as an empty list.
fn present_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    Ok(Some(
        Option::<Vec<String>>::deserialize(d)?.unwrap_or_default(),
    ))
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

/// Reads `lookout.json`. It is written by hand, so a misspelt key is noted (with the
/// setting it most likely means) rather than ignored, and a placeholder left from a
/// template is noted and taken out; keys starting with `_` are comments (`init`
/// writes `_comment` keys) and stay silent.
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
    let capper = Capper::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut config: LookoutConfig = serde_ignored::deserialize(capper.deserializer(&mut de), |p| {
        if !matches!(&p, serde_ignored::Path::Map { key, .. } if key.starts_with('_')) {
            let key = setting_path(&p);
            let suggestion = closest_setting(&key).map(str::to_owned);
            info.notes.push(Note::UnknownSetting { key, suggestion });
        }
    })
    .and_then(|c| de.end().map(|_| c))
    .map_err(|e| LoadError::json(path.to_owned(), &e))?;
    let mut cuts = Cuts::default();
    capper.take_into(&mut cuts, None);
    info.notes.extend(cuts.note());
    config.take_placeholders();
    if let Some(granted) = granted_placeholder(bytes) {
        // In the order of the settings (SPEC 3.1): after the tenant id.
        let at = usize::from(
            config
                .placeholders
                .first()
                .is_some_and(|p| p.key == "tenant.azure_ad_tenant_id"),
        );
        config.placeholders.insert(at, granted);
    }
    info.notes
        .extend(config.placeholders.iter().map(|p| Note::Placeholder {
            key: p.key.clone(),
            value: p.value.clone(),
        }));
    info.records = 1;
    Ok(Loaded {
        records: config,
        info,
        pages: Vec::new(),
    })
}

/// Every setting lookout.json has, by its path (SPEC 3.1). `init`'s template writes
/// each of them, and a test holds the two together.
const SETTINGS: &[&str] = &[
    "tenant",
    "tenant.azure_ad_tenant_id",
    "tenant.consent",
    "tenant.consent.granted",
    "tenant.consent.granted_at",
    "tenant.consent.granted_by",
    "tenant.consent.app_id",
    "console_access",
    "console_access.full_access_group_id",
    "console_access.restricted_access_group_id",
    "console_access.expected_users",
    "intune_connector",
    "intune_connector.heartbeat_frequency_minutes",
    "intune_connector.enrollment_groups",
    "intune_connector.state_sync",
    "intune_connector.state_sync.device_status",
    "intune_connector.state_sync.threat_status",
    "intune_connector.error_management_emails",
    "enrollment_settings",
    "enrollment_settings.disconnected_after_days",
    "min_os_versions",
    "min_os_versions.android",
    "min_os_versions.ios",
    "coverage",
];

/// `intune_connector.enrolment_groups`: a key's path as the file spells it (serde's
/// own rendering marks optional sections with a `?` step).
fn setting_path(p: &serde_ignored::Path) -> String {
    use serde_ignored::Path;
    match p {
        Path::Root => String::new(),
        Path::Map { parent, key } => match setting_path(parent) {
            base if base.is_empty() => key.clone(),
            base => format!("{base}.{key}"),
        },
        Path::Seq { parent, index } => format!("{}[{index}]", setting_path(parent)),
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => setting_path(parent),
    }
}

/// The setting an unknown key most likely means: a sibling spelt alike
/// (`enrolment_groups`, `enrollmentGroups` → `enrollment_groups`), else a setting of
/// that name in another section (`enrollment_groups` written at the top level).
fn closest_setting(path: &str) -> Option<&'static str> {
    let (parent, key) = (parent_of(path), path.rsplit('.').next().unwrap_or(path));
    let wanted = spelling(key);
    let name = |s: &str| spelling(s.rsplit_once('.').map_or(s, |(_, k)| k));
    let distance = |s: &str| edit_distance(&wanted, &name(s));
    let sibling = SETTINGS
        .iter()
        .filter(|s| parent_of(s) == parent)
        .filter(|s| distance(s) <= if name(s).len() >= 6 { 2 } else { 1 })
        .min_by_key(|s| distance(s));
    sibling
        .or_else(|| {
            SETTINGS
                .iter()
                .find(|s| parent_of(s) != parent && name(s) == wanted)
        })
        .copied()
}

/// `intune_connector` of `intune_connector.enrollment_groups`; "" at the top level.
fn parent_of(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(parent, _)| parent)
}

/// A key as compared: lower case, letters and digits only (`enrollmentGroups`,
/// `Enrollment-Groups` and `enrollment_groups` are one spelling).
fn spelling(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Levenshtein distance (keys are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Holds `SETTINGS` and a complete lookout.json (`init`'s template) together: every
/// key the file writes is a setting, and every setting is written.
#[cfg(test)]
pub(crate) fn check_settings_list(complete: &str) {
    fn paths(v: &serde_json::Value, base: &str, out: &mut Vec<String>) {
        if let serde_json::Value::Object(map) = v {
            for (k, v) in map.iter().filter(|(k, _)| !k.starts_with('_')) {
                let path = if base.is_empty() {
                    k.clone()
                } else {
                    format!("{base}.{k}")
                };
                paths(v, &path, out);
                out.push(path);
            }
        }
    }
    let mut written = Vec::new();
    paths(&serde_json::from_str(complete).unwrap(), "", &mut written);
    written.sort();
    let mut known: Vec<String> = SETTINGS.iter().map(|s| s.to_string()).collect();
    known.sort();
    assert_eq!(written, known);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::checked;

    fn notes(json: &str) -> Vec<Note> {
        read(Path::new("lookout.json"), &checked(json))
            .unwrap()
            .info
            .notes
    }

    fn unknown(key: &str, suggestion: Option<&str>) -> Note {
        Note::UnknownSetting {
            key: key.into(),
            suggestion: suggestion.map(Into::into),
        }
    }

    #[test]
    fn misspelt_keys_are_named_by_their_path_with_the_likely_setting() {
        let n = notes(
            r#"{"intune_connector": {"enrolment_groups": ["A"], "enrollmentGroups": [], "state_sync": {"deviceStatus": true}},
                "tenant": {"consent": {"grantedAt": null}}, "enrollment_groups": [], "colour": 1, "_comment": "x"}"#,
        );
        assert_eq!(
            n,
            [
                unknown(
                    "intune_connector.enrolment_groups",
                    Some("intune_connector.enrollment_groups")
                ),
                unknown(
                    "intune_connector.enrollmentGroups",
                    Some("intune_connector.enrollment_groups")
                ),
                unknown(
                    "intune_connector.state_sync.deviceStatus",
                    Some("intune_connector.state_sync.device_status")
                ),
                unknown(
                    "tenant.consent.grantedAt",
                    Some("tenant.consent.granted_at")
                ),
                unknown(
                    "enrollment_groups",
                    Some("intune_connector.enrollment_groups")
                ),
                unknown("colour", None),
            ]
        );
        // The path has no stray step for the optional section.
        let msg = crate::messages::get("en");
        assert_eq!(
            n[0].describe(msg),
            "unknown setting \"intune_connector.enrolment_groups\" was ignored; did you mean \"intune_connector.enrollment_groups\"?"
        );
    }

    #[test]
    fn placeholders_are_taken_out_and_noted() {
        let read = read(
            Path::new("lookout.json"),
            &checked(
                r#"{"tenant": {"azure_ad_tenant_id": "00000000-0000-0000-0000-000000000000", "consent": {"granted": "REPLACE-WITH-true-OR-false", "app_id": "<app id>"}},
                    "console_access": {"full_access_group_id": "replace-me", "expected_users": ["a@contoso.com", "…"]},
                    "intune_connector": {"enrollment_groups": ["Pilot", "REPLACE WITH A GROUP"]}}"#,
            ),
        )
        .unwrap();
        let cfg = read.records;
        let keys: Vec<&str> = cfg.placeholders.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "tenant.azure_ad_tenant_id",
                "tenant.consent.granted",
                "tenant.consent.app_id",
                "console_access.full_access_group_id",
                "console_access.expected_users[1]",
                "intune_connector.enrollment_groups[1]"
            ]
        );
        assert_eq!(cfg.tenant.azure_ad_tenant_id, None);
        assert_eq!(cfg.console_access.expected_users, ["a@contoso.com"]);
        assert_eq!(cfg.enrollment_group_names(), ["Pilot"]);
        assert!(cfg
            .placeholder_in("intune_connector.enrollment_groups")
            .is_some());
        assert!(cfg.placeholder_in("intune_connector").is_some());
        assert!(cfg.placeholder_in("intune_connector.enrollment").is_none());
        assert_eq!(cfg.tenant.consent.granted, None);
        assert_eq!(read.info.notes.len(), 6);
    }

    #[test]
    fn real_values_are_not_placeholders() {
        for value in [
            "b5f0c4d2-7a3e-4e91-8c6d-1f2a9e3b7c40",
            "Lookout Pilot",
            "Replay Team",
            "<",
            "a<b>",
        ] {
            assert!(!is_placeholder(value), "{value}");
        }
    }

    #[test]
    fn an_absent_enrollment_group_key_is_told_from_an_empty_list() {
        let groups = |json: &str| {
            read(Path::new("lookout.json"), &checked(json))
                .unwrap()
                .records
                .intune_connector
                .unwrap()
                .enrollment_groups
        };
        assert_eq!(groups(r#"{"intune_connector": {}}"#), None);
        assert_eq!(
            groups(r#"{"intune_connector": {"enrollment_groups": null}}"#),
            Some(vec![])
        );
        assert_eq!(
            groups(r#"{"intune_connector": {"enrollment_groups": []}}"#),
            Some(vec![])
        );
    }
}
