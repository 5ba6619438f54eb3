//! `lookout-devices.json` / `.csv`: the Lookout device list. Accepted as the Mobile
//! Risk API v2 JSON (`{"count", "devices"}`, also several pages), records with the
//! older camelCase names (`emailAddress`, `activationStatus`, `externalId`), device
//! events with `target` and `details` blocks (folded to one record per device), and
//! CSV with the API names flattened (`details.external_id`), written out for people
//! (`Activation Status`), or as PowerShell's `Export-Csv` leaves nested objects
//! (`@{external_id=...}`).
//!
//! The Mobile Risk API v2 event stream (`change_type`, a `device` block with its
//! `status`), as JSON or as the raw `text/event-stream`, is refused: it is a change
//! log, not a list of devices.

use super::csv_table::{Column, CsvTable, Row};
use super::detect::{Content, Head, Recognised};
use super::form::{Form, SkipReason, Skips};
use super::json_doc::{self, Kept, Record, Seen, Shape};
use super::lenient;
use super::text::FileText;
use super::time::{self, Time};
use super::values::{ActivationStatus, LookoutPlatform, ProtectionStatus, SecurityStatus};
use super::{FileInfo, Format, Input, LoadError, Loaded, Note, Text};
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// Said of the stream saved as it came (`text/event-stream`).
const AS_RECEIVED: &str = " (this file is the stream as received, text/event-stream)";

/// Why the v2 event stream cannot be read as the device list, and what to export.
const EVENT_STREAM: &str = "this is the Lookout Mobile Risk API v2 event stream (/mra/stream/v2/events or /mra/api/v2/events), not the device list: a change log of at most the last ten days whose events carry only the fields that changed, so every device that did not change is missing and the others are incomplete. Export the device list instead: GET https://api.lookout.com/mra/api/v2/devices, every page (pass the last device's oid until a page comes back empty)";

#[derive(Debug, Clone, Default)]
pub struct LookoutDevice {
    pub guid: Text,
    pub activation_status: Option<ActivationStatus>,
    pub protection_status: Option<ProtectionStatus>,
    pub security_status: Option<SecurityStatus>,
    pub platform: Option<LookoutPlatform>,
    pub email: Option<Text>,
    pub checkin_time: Option<Time>,
    pub activated_at: Option<Time>,
    pub details: Details,
    pub software: Software,
    pub hardware: Hardware,
}

#[derive(Debug, Clone, Default)]
pub struct Details {
    /// The Lookout "device ID": the Intune managed-device id (or Entra device id).
    pub external_id: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Software {
    #[serde(default, alias = "osVersion")]
    pub os_version: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Hardware {
    #[serde(default)]
    pub manufacturer: Option<Text>,
    #[serde(default)]
    pub model: Option<Text>,
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
    pub fn hardware_name(&self) -> Option<Text> {
        let parts: Vec<&str> = [&self.hardware.manufacturer, &self.hardware.model]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" ").into())
    }
}

/// A device as any Lookout JSON spells it. The older camelCase names are separate
/// fields (not aliases) so the loader can say which form it read.
#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a device object with \"guid\" and \"activation_status\"")]
pub struct RawDevice {
    #[serde(default)]
    guid: Option<Text>,
    /// The device guid in older device objects; an event's own id in events.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    id: Option<Text>,
    /// `DEVICE`, `THREAT` or `AUDIT` on events.
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_text")]
    kind: Option<Text>,
    #[serde(default, deserialize_with = "ActivationStatus::deserialize_opt")]
    activation_status: Option<ActivationStatus>,
    #[serde(default, deserialize_with = "ProtectionStatus::deserialize_opt")]
    protection_status: Option<ProtectionStatus>,
    #[serde(default, deserialize_with = "SecurityStatus::deserialize_opt")]
    security_status: Option<SecurityStatus>,
    #[serde(default, deserialize_with = "LookoutPlatform::deserialize_opt")]
    platform: Option<LookoutPlatform>,
    #[serde(default)]
    email: Option<Text>,
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    checkin_time: Option<Time>,
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    activated_at: Option<Time>,
    #[serde(default, deserialize_with = "lenient::object")]
    details: RawDetails,
    #[serde(default, deserialize_with = "lenient::object")]
    software: Software,
    #[serde(default, deserialize_with = "lenient::object")]
    hardware: Hardware,
    #[serde(default, deserialize_with = "lenient::opt_object")]
    target: Option<RawTarget>,
    // The older camelCase names, as separate fields rather than aliases so the loader
    // can tell which form it read (and without `flatten`, which would buffer records).
    #[serde(
        default,
        rename = "activationStatus",
        deserialize_with = "ActivationStatus::deserialize_opt"
    )]
    legacy_activation_status: Option<ActivationStatus>,
    #[serde(
        default,
        rename = "protectionStatus",
        deserialize_with = "ProtectionStatus::deserialize_opt"
    )]
    legacy_protection_status: Option<ProtectionStatus>,
    #[serde(
        default,
        rename = "securityStatus",
        deserialize_with = "SecurityStatus::deserialize_opt"
    )]
    legacy_security_status: Option<SecurityStatus>,
    #[serde(default, rename = "emailAddress")]
    legacy_email_address: Option<Text>,
    #[serde(
        default,
        rename = "checkinTime",
        alias = "lastCheckinTime",
        deserialize_with = "time::deserialize_opt"
    )]
    legacy_checkin_time: Option<Time>,
    #[serde(
        default,
        rename = "activatedAt",
        deserialize_with = "time::deserialize_opt"
    )]
    legacy_activated_at: Option<Time>,
    #[serde(default, rename = "externalId")]
    legacy_external_id: Option<Text>,
    #[serde(default, rename = "osVersion")]
    legacy_os_version: Option<Text>,
    #[serde(default)]
    manufacturer: Option<Text>,
    #[serde(default)]
    model: Option<Text>,
    /// An event of the v2 stream: what it did (`CREATED`, `UPDATED`, ...).
    #[serde(default, rename = "change_type")]
    v2_change_type: Option<IgnoredAny>,
    /// An event of the v2 stream: the device's changed fields.
    #[serde(default, rename = "device")]
    v2_device: Option<IgnoredAny>,
}

impl RawDevice {
    fn uses_legacy_names(&self) -> bool {
        self.legacy_activation_status.is_some()
            || self.legacy_protection_status.is_some()
            || self.legacy_security_status.is_some()
            || self.legacy_email_address.is_some()
            || self.legacy_external_id.is_some()
    }
}

/// `details`: v2 carries the device ID here; events carry the statuses.
#[derive(Debug, Default, Deserialize)]
struct RawDetails {
    #[serde(default, alias = "externalId")]
    external_id: Option<Text>,
    #[serde(
        default,
        alias = "activationStatus",
        deserialize_with = "ActivationStatus::deserialize_opt"
    )]
    activation_status: Option<ActivationStatus>,
    #[serde(
        default,
        alias = "protectionStatus",
        deserialize_with = "ProtectionStatus::deserialize_opt"
    )]
    protection_status: Option<ProtectionStatus>,
    #[serde(
        default,
        alias = "securityStatus",
        deserialize_with = "SecurityStatus::deserialize_opt"
    )]
    security_status: Option<SecurityStatus>,
}

/// An event's `target` block: the device it is about.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTarget {
    #[serde(default, rename = "type")]
    kind: Option<Text>,
    #[serde(default)]
    id: Option<Text>,
    #[serde(default)]
    guid: Option<Text>,
    #[serde(default, alias = "external_id")]
    external_id: Option<Text>,
    #[serde(default, alias = "email")]
    email_address: Option<Text>,
    #[serde(default, deserialize_with = "LookoutPlatform::deserialize_opt")]
    platform: Option<LookoutPlatform>,
    #[serde(default, alias = "os_version")]
    os_version: Option<Text>,
    #[serde(default)]
    manufacturer: Option<Text>,
    #[serde(default)]
    model: Option<Text>,
}

fn is_device_kind(kind: &Option<Text>) -> bool {
    kind.as_deref()
        .is_none_or(|k| k.eq_ignore_ascii_case("device"))
}

impl Record for LookoutDevice {
    type Raw = RawDevice;

    fn refusal(seen: &Seen) -> Option<String> {
        seen.v2_event_stream.then(|| EVENT_STREAM.to_string())
    }

    fn from_raw(raw: RawDevice, seen: &mut Seen) -> Result<Kept<Self>, String> {
        if raw.v2_change_type.is_some() || raw.v2_device.is_some() {
            // Nothing more to learn from the rest of the file: `refusal` says why.
            seen.v2_event_stream = true;
            return Err(EVENT_STREAM.into());
        }
        let legacy = raw.uses_legacy_names();
        let event = raw.target.is_some();
        if event {
            seen.events = true;
            // Threat and audit events are about something else than a device's state.
            let about_device = raw.target.as_ref().is_some_and(|t| is_device_kind(&t.kind));
            if !is_device_kind(&raw.kind) || !about_device {
                return Ok(Kept::Skip(SkipReason::NotDeviceEvent));
            }
        }
        seen.legacy_names |= legacy;
        let target = raw.target.unwrap_or_default();
        // In an event, `id` is the event's; in an older device object it is the device's.
        let own_id = raw.id.filter(|_| !event && legacy);
        let Some(guid) = raw.guid.or(target.guid).or(target.id).or(own_id) else {
            return Err(
                "missing field `guid` (the Lookout device id; older exports name it target.id)"
                    .into(),
            );
        };
        let details = raw.details;
        Ok(Kept::Record(LookoutDevice {
            guid,
            activation_status: raw
                .activation_status
                .or(raw.legacy_activation_status)
                .or(details.activation_status),
            protection_status: raw
                .protection_status
                .or(raw.legacy_protection_status)
                .or(details.protection_status),
            security_status: raw
                .security_status
                .or(raw.legacy_security_status)
                .or(details.security_status),
            platform: raw.platform.or(target.platform),
            email: raw
                .email
                .or(raw.legacy_email_address)
                .or(target.email_address),
            checkin_time: raw.checkin_time.or(raw.legacy_checkin_time),
            activated_at: raw.activated_at.or(raw.legacy_activated_at),
            details: Details {
                external_id: details
                    .external_id
                    .or(raw.legacy_external_id)
                    .or(target.external_id),
            },
            software: Software {
                os_version: raw
                    .software
                    .os_version
                    .or(raw.legacy_os_version)
                    .or(target.os_version),
            },
            hardware: Hardware {
                manufacturer: raw
                    .hardware
                    .manufacturer
                    .or(raw.manufacturer)
                    .or(target.manufacturer),
                model: raw.hardware.model.or(raw.model).or(target.model),
            },
        }))
    }
}

const SHAPE: Shape = Shape {
    list_keys: &["devices", "events", "value"],
    expecting: "an object with a \"devices\" list (Lookout Mobile Risk API v2), a list of such pages, or a list of devices",
    empty: "{\"count\": 0, \"devices\": []}",
};

/// Reads one file of the Lookout device list, in any of its forms.
pub fn read(
    format: Format,
    path: &Path,
    text: &FileText,
) -> Result<Loaded<Vec<LookoutDevice>>, LoadError> {
    if is_event_stream_text(text.as_str()) {
        return Err(LoadError::Invalid {
            path: path.to_owned(),
            message: format!(
                "{EVENT_STREAM} (this file is the stream as received, text/event-stream)"
            ),
        });
    }
    let mut info = FileInfo::new(Input::LookoutDevices, path, format, text);
    let (devices, pages) = match format {
        Format::Json => from_json(path, text, &mut info)?,
        Format::Csv => (from_csv(path, text.as_bytes(), &mut info)?, Vec::new()),
    };
    let unknown = [
        Note::unknown_values(
            "activation_status",
            devices
                .iter()
                .map(|d| d.activation_status.as_ref()?.unknown()),
        ),
        Note::unknown_values(
            "protection_status",
            devices
                .iter()
                .map(|d| d.protection_status.as_ref()?.unknown()),
        ),
        Note::unknown_values(
            "security_status",
            devices
                .iter()
                .map(|d| d.security_status.as_ref()?.unknown()),
        ),
        Note::unknown_values(
            "platform",
            devices.iter().map(|d| d.platform.as_ref()?.unknown()),
        ),
    ];
    info.notes.extend(unknown.into_iter().flatten());
    info.records = devices.len();
    Ok(Loaded {
        records: devices,
        info,
        pages,
    })
}

/// The raw `text/event-stream` of the v2 stream: lines of `event:`, `data:`, `id:`.
fn is_event_stream_text(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(is_event_stream_line)
}

fn is_event_stream_line(line: &str) -> bool {
    ["event:", "data:", "id:", "retry:"]
        .iter()
        .any(|field| line.trim_start().starts_with(field))
}

/// Reads the JSON forms. Pages are checked for completeness by the caller, over all
/// files of the device list.
fn from_json(
    path: &Path,
    text: &FileText,
    info: &mut FileInfo,
) -> Result<(Vec<LookoutDevice>, Vec<json_doc::Page>), LoadError> {
    let doc = json_doc::parse::<LookoutDevice>(path, text, &SHAPE)?;
    info.take_json(&doc);
    let pages = doc.pages.len();
    info.form = match doc.list_key {
        _ if doc.seen.events => Form::LookoutEventsJson { pages },
        Some("events") => Form::LookoutEventsJson { pages },
        _ if doc.seen.legacy_names => Form::LookoutLegacyJson,
        Some("devices") => Form::LookoutApiJson { pages },
        _ => info.form,
    };
    let mut devices = doc.records;
    if doc.seen.events {
        let events = devices.len();
        devices = fold_events(devices);
        info.notes.push(Note::EventsFolded {
            events,
            devices: devices.len(),
        });
    }
    Ok((devices, doc.pages))
}

/// One record per device from a stream of its events: a later event's known values
/// replace earlier ones (an event only carries what changed), first-seen order kept.
fn fold_events(events: Vec<LookoutDevice>) -> Vec<LookoutDevice> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<LookoutDevice> = Vec::new();
    for e in events {
        match index.get(e.guid.to_lowercase().as_str()) {
            Some(&i) => merge(&mut out[i], e),
            None => {
                index.insert(e.guid.to_lowercase().into(), out.len());
                out.push(e);
            }
        }
    }
    out
}

fn merge(into: &mut LookoutDevice, newer: LookoutDevice) {
    fn take<T>(slot: &mut Option<T>, value: Option<T>) {
        if value.is_some() {
            *slot = value;
        }
    }
    take(&mut into.activation_status, newer.activation_status);
    take(&mut into.protection_status, newer.protection_status);
    take(&mut into.security_status, newer.security_status);
    take(&mut into.platform, newer.platform);
    take(&mut into.email, newer.email);
    take(&mut into.checkin_time, newer.checkin_time);
    take(&mut into.activated_at, newer.activated_at);
    take(&mut into.details.external_id, newer.details.external_id);
    take(&mut into.software.os_version, newer.software.os_version);
    take(&mut into.hardware.manufacturer, newer.hardware.manufacturer);
    take(&mut into.hardware.model, newer.hardware.model);
}

/// Column names per field: API names flattened with dots, then spelled-out forms.
mod columns {
    pub const GUID: &[&str] = &["guid", "Device GUID", "Lookout GUID", "target.guid"];
    pub const ACTIVATION: &[&str] = &["activation_status", "details.activationStatus"];
    pub const PROTECTION: &[&str] = &["protection_status", "details.protectionStatus"];
    pub const SECURITY: &[&str] = &["security_status", "details.securityStatus"];
    pub const PLATFORM: &[&str] = &["platform", "target.platform"];
    pub const EMAIL: &[&str] = &["email", "emailAddress", "User email", "target.emailAddress"];
    pub const CHECKIN: &[&str] = &[
        "checkin_time",
        "Last check-in",
        "Last checkin",
        "Check-in time",
    ];
    pub const ACTIVATED: &[&str] = &["activated_at", "Activation date", "Activated"];
    pub const EXTERNAL: &[&str] = &[
        "details.external_id",
        "external_id",
        "Device ID",
        "MDM device ID",
        "target.externalId",
    ];
    pub const OS_VERSION: &[&str] = &["software.os_version", "os_version", "target.osVersion"];
    pub const MANUFACTURER: &[&str] = &[
        "hardware.manufacturer",
        "manufacturer",
        "target.manufacturer",
    ];
    pub const MODEL: &[&str] = &["hardware.model", "model", "target.model"];
}

/// A field from its own column, or else from the PowerShell text of a nested object.
struct Field {
    col: Column,
    nested: Column,
    keys: &'static [&'static str],
}

impl Field {
    fn new(
        table: &mut CsvTable,
        names: &[&str],
        object: &str,
        keys: &'static [&'static str],
    ) -> Field {
        let col = table.column(names);
        let nested = if col.is_none() {
            table.column(&[object])
        } else {
            None
        };
        Field { col, nested, keys }
    }

    fn read(&self, row: &Row) -> Option<Text> {
        row.text(self.col)
            .or_else(|| row.ps_field(self.nested, self.keys).map(Text::from))
    }
}

/// A Lookout device's status fields, as v2 and the older API spell them.
const STATUS_KEYS: [&str; 10] = [
    "activation_status",
    "protection_status",
    "security_status",
    "checkin_time",
    "activated_at",
    "activationStatus",
    "protectionStatus",
    "securityStatus",
    "checkinTime",
    "externalId",
];

/// Whether a head is the Lookout device list: the Mobile Risk API's `devices` (or
/// `events`) envelope, device records with a guid and their statuses, or a CSV with a
/// guid column.
pub(crate) fn recognise(head: &Head) -> Option<Recognised> {
    if let Some(c) = head.csv() {
        let fields = [
            columns::ACTIVATION,
            columns::PROTECTION,
            columns::SECURITY,
            columns::PLATFORM,
            columns::EMAIL,
            columns::EXTERNAL,
            columns::CHECKIN,
        ];
        let form = if c.is_powershell() {
            Form::PowerShellCsv
        } else if c.raw.iter().any(|h| h.contains(' ')) {
            Form::SpelledOutCsv
        } else {
            Form::LookoutCsv
        };
        // The guid is Lookout's alone: it counts for more than a shared column.
        return c.has(columns::GUID).then(|| {
            Recognised::new(
                Input::LookoutDevices,
                Format::Csv,
                form,
                3 + c.count(&fields),
            )
        });
    }
    let events = Form::LookoutEventsJson { pages: 1 };
    if let Content::Text { first_line } = &head.content {
        return is_event_stream_line(first_line).then(|| {
            let mut r = Recognised::new(Input::LookoutDevices, Format::Json, events, 3);
            r.refused = Some(format!("{EVENT_STREAM}{AS_RECEIVED}"));
            r
        });
    }
    let j = head.json()?;
    // The v2 stream is recognised, and refused, before anything is read.
    if j.has("change_type") || j.has("created_time") {
        let mut r = Recognised::new(Input::LookoutDevices, Format::Json, events, 3);
        r.refused = Some(EVENT_STREAM.into());
        return Some(r);
    }
    let statuses = j.count(&STATUS_KEYS);
    let (form, score) = match j.list_key.as_deref() {
        Some("devices") => (Form::LookoutApiJson { pages: 1 }, 3 + statuses),
        Some("events") if j.has("target") && j.has("details") => {
            (Form::LookoutEventsJson { pages: 1 }, 3 + statuses)
        }
        Some("events") => (Form::LookoutEventsJson { pages: 1 }, 2),
        _ if j.has("guid") && statuses > 0 => {
            let legacy = j.count(&STATUS_KEYS[5..]) > 0;
            let form = if legacy {
                Form::LookoutLegacyJson
            } else {
                j.form()
            };
            (form, 3 + statuses)
        }
        _ => return None,
    };
    let mut r = Recognised::new(Input::LookoutDevices, Format::Json, form, score);
    r.empty = j.empty_list;
    Some(r)
}

/// Reads the CSV forms.
fn from_csv(
    path: &Path,
    bytes: &[u8],
    info: &mut FileInfo,
) -> Result<Vec<LookoutDevice>, LoadError> {
    let mut table = CsvTable::open(path, bytes)?;
    info.form = csv_form(&table);
    let Some(guid) = table.column(columns::GUID) else {
        return Err(table.header_error(&missing_guid_message(&table)));
    };
    let activation = table.column(columns::ACTIVATION);
    let protection = table.column(columns::PROTECTION);
    let security = table.column(columns::SECURITY);
    let platform = table.column(columns::PLATFORM);
    let email = table.column(columns::EMAIL);
    let checkin = table.column(columns::CHECKIN);
    let activated = table.column(columns::ACTIVATED);
    let external = Field::new(
        &mut table,
        columns::EXTERNAL,
        "details",
        &["external_id", "externalId"],
    );
    let os_version = Field::new(
        &mut table,
        columns::OS_VERSION,
        "software",
        &["os_version", "osVersion"],
    );
    let manufacturer = Field::new(
        &mut table,
        columns::MANUFACTURER,
        "hardware",
        &["manufacturer"],
    );
    let model = Field::new(&mut table, columns::MODEL, "hardware", &["model"]);
    let mut out = Vec::new();
    let mut skips = Skips::default();
    while let Some(row) = table.next_row()? {
        let Some(device_guid) = row.text(Some(guid)) else {
            skips.add(SkipReason::NoGuid, row.location());
            continue;
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
                external_id: external.read(&row),
            },
            software: Software {
                os_version: os_version.read(&row),
            },
            hardware: Hardware {
                manufacturer: manufacturer.read(&row),
                model: model.read(&row),
            },
        });
    }
    skips.check_usable(out.len(), path)?;
    info.take_csv(&table, skips);
    Ok(out)
}

fn csv_form(table: &CsvTable) -> Form {
    let headers = table.raw_headers();
    if super::is_powershell_csv(table) {
        Form::PowerShellCsv
    } else if headers.iter().any(|h| h.contains(' ')) {
        Form::SpelledOutCsv
    } else {
        Form::LookoutCsv
    }
}

fn missing_guid_message(table: &CsvTable) -> String {
    if table.has(&["Device ID", "Device name", "Primary user UPN"])
        && table.has(&["Last check-in", "OS"])
    {
        "this looks like an Intune device export, not the Lookout device list; name it intune-devices.csv".into()
    } else {
        "the header row has no Lookout device guid column (expected \"guid\", \"Device GUID\" or \"Lookout GUID\"); is this the Lookout device list?".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::checked;

    fn load(json: &str) -> (Vec<LookoutDevice>, FileInfo) {
        let read = read(Format::Json, Path::new("t.json"), &checked(json)).unwrap();
        (read.records, read.info)
    }

    #[test]
    fn older_camel_case_names() {
        let (d, i) = load(
            r#"[{"guid":"g1","emailAddress":"A@x.com","activationStatus":"ACTIVATED","protectionStatus":"PROTECTED","securityStatus":"THREAT_LOW","externalId":"i-1","platform":"IOS","checkinTime":"2026-11-20T07:00:00Z"}]"#,
        );
        assert_eq!(d[0].device_id(), Some("i-1"));
        assert_eq!(d[0].email.as_deref(), Some("A@x.com"));
        assert_eq!(d[0].security_status, Some(SecurityStatus::ThreatsLow));
        assert!(d[0].checkin_time.is_some());
        assert_eq!(i.form, Form::LookoutLegacyJson);
    }

    #[test]
    fn events_fold_into_devices() {
        let (d, i) = load(
            r#"{"count":3,"moreEvents":false,"events":[
              {"type":"DEVICE","id":"1","details":{"type":"DEVICE_STATUS","activationStatus":"ACTIVATED","protectionStatus":"PROTECTED","securityStatus":"SECURE"},
               "target":{"type":"DEVICE","id":"g1","externalId":"i-1","emailAddress":"a@x.com","platform":"ANDROID","osVersion":"14"}},
              {"type":"THREAT","id":"2","details":{"severity":"HIGH"},"target":{"type":"DEVICE","id":"g1"}},
              {"type":"DEVICE","id":"3","details":{"securityStatus":"THREAT_HIGH"},"target":{"type":"DEVICE","id":"g1"}}]}"#,
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].guid, "g1");
        assert_eq!(d[0].activation_status, Some(ActivationStatus::Activated));
        assert_eq!(d[0].security_status, Some(SecurityStatus::ThreatsHigh));
        assert_eq!(d[0].software.os_version.as_deref(), Some("14"));
        assert_eq!(i.form, Form::LookoutEventsJson { pages: 1 });
        assert_eq!(i.skipped[0].reason, SkipReason::NotDeviceEvent);
        assert!(i.notes.contains(&Note::EventsFolded {
            events: 2,
            devices: 1
        }));
    }

    #[test]
    fn the_v2_event_stream_is_refused_in_every_form() {
        let event = r#"{"id": "1", "created_time": "2025-03-24T11:13:24.915+00:00", "type": "DEVICE", "change_type": "UPDATED",
            "device": {"guid": "g1", "platform": "IOS", "info": {"external_id": "i-1", "email": "a@x.com"},
                       "status": {"activation_status": "ACTIVATED", "protection_status": "PROTECTED"}},
            "target": {"guid": "g1", "type": "DEVICE"}}"#;
        for text in [
            format!(r#"{{"events": [{event}]}}"#),
            format!("[{event}]"),
            // A stream whose first event is about a threat is the stream all the same.
            r#"{"events": [{"type": "THREAT", "change_type": "CREATED", "threat": {}}]}"#.into(),
            format!(
                "event:heartbeat\ndata:{{}}\n\nid:1\nevent:events\ndata:{{\"events\":[{}]}}\n",
                event.replace('\n', " ")
            ),
        ] {
            let err = read(Format::Json, Path::new("t.json"), &checked(&text))
                .err()
                .unwrap()
                .to_string();
            assert!(
                err.starts_with("t.json: this is the Lookout Mobile Risk API v2 event stream")
                    && err.contains("/mra/api/v2/devices"),
                "{err}"
            );
        }
    }

    #[test]
    fn unknown_values_are_noted_per_field() {
        let (_, i) = load(
            r#"{"devices": [{"guid": "g1", "activation_status": "HIBERNATING", "platform": "TIZEN"},
                {"guid": "g2", "activation_status": "HIBERNATING"},
                {"guid": "g3", "activation_status": "ACTIVATED"}]}"#,
        );
        assert_eq!(
            i.notes,
            [
                Note::UnknownValues {
                    field: "activation_status",
                    values: vec![("HIBERNATING".into(), 2)]
                },
                Note::UnknownValues {
                    field: "platform",
                    values: vec![("TIZEN".into(), 1)]
                }
            ]
        );
        assert_eq!(
            i.notes[0].describe(crate::messages::get("en")),
            "2 record(s) have an unknown activation_status: \"HIBERNATING\" (2); kept as written, rules treat them as no known status"
        );
    }

    #[test]
    fn missing_guid_is_an_error_with_its_position() {
        let text = checked(r#"{"devices": [{"activation_status": "PENDING"}]}"#);
        let err = read(Format::Json, Path::new("t.json"), &text)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("t.json:1:") && err.contains("missing field `guid`"),
            "{err}"
        );
    }

    #[test]
    fn powershell_export_csv_with_nested_objects() {
        let csv = "#TYPE System.Management.Automation.PSCustomObject\r\n\
                   \"guid\";\"activation_status\";\"checkin_time\";\"details\";\"hardware\";\"software\"\r\n\
                   \"g1\";\"ACTIVATED\";\"11/20/2026 7:00:00 AM\";\"@{external_id=i-1; mdm_connector_id=4}\";\"@{manufacturer=Apple; model=iPhone15,4}\";\"@{os_version=26.1}\"\r\n\
                   \"\";\"PENDING\";\"\";\"\";\"\";\"\"\r\n";
        let read = read(Format::Csv, Path::new("t.csv"), &checked(csv)).unwrap();
        let (d, i) = (read.records, read.info);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].device_id(), Some("i-1"));
        assert_eq!(d[0].hardware_name().as_deref(), Some("Apple iPhone15,4"));
        assert_eq!(d[0].software.os_version.as_deref(), Some("26.1"));
        assert_eq!(i.form, Form::PowerShellCsv);
        assert_eq!(i.skipped[0].count, 1);
    }
}
