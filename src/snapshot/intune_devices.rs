//! `intune-devices.json` / `.csv`: Intune managed devices. Accepted as Graph
//! `managedDevices` JSON (any envelope, pages, or Graph PowerShell's PascalCase
//! objects), the admin center's "Devices > All devices > Export" CSV
//! (`DevicesWithInventory_*.csv`), or a CSV with the Graph property names
//! (PowerShell `Export-Csv` included).

use super::csv_table::CsvTable;
use super::detect::{Head, Recognised};
use super::form::{Form, SkipReason, Skips};
use super::json_doc::{self, Kept, Record, Seen, Shape};
use super::lenient;
use super::text::FileText;
use super::time::{self, Time};
use super::values::OperatingSystem;
use super::{FileInfo, Format, Input, LoadError, Loaded, Note, Text};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "a managed device object with \"id\""
)]
pub struct IntuneDevice {
    #[serde(alias = "Id")]
    pub id: Text,
    #[serde(default, alias = "DeviceName")]
    pub device_name: Option<Text>,
    #[serde(default, alias = "UserPrincipalName")]
    pub user_principal_name: Option<Text>,
    #[serde(default, alias = "UserId")]
    pub user_id: Option<Text>,
    #[serde(default, alias = "EmailAddress")]
    pub email_address: Option<Text>,
    #[serde(
        rename = "azureADDeviceId",
        alias = "azureAdDeviceId",
        alias = "AzureAdDeviceId",
        alias = "AzureADDeviceId",
        default
    )]
    pub azure_ad_device_id: Option<Text>,
    #[serde(
        default,
        alias = "OperatingSystem",
        deserialize_with = "OperatingSystem::deserialize_opt"
    )]
    pub operating_system: Option<OperatingSystem>,
    #[serde(default, alias = "OSVersion", alias = "OsVersion")]
    pub os_version: Option<Text>,
    #[serde(
        default,
        alias = "LastSyncDateTime",
        deserialize_with = "time::deserialize_opt"
    )]
    pub last_sync_date_time: Option<Time>,
    #[serde(
        default,
        alias = "EnrolledDateTime",
        deserialize_with = "time::deserialize_opt"
    )]
    pub enrolled_date_time: Option<Time>,
    #[serde(
        default,
        alias = "ComplianceState",
        deserialize_with = "lenient::opt_text"
    )]
    pub compliance_state: Option<Text>,
    #[serde(
        default,
        alias = "PartnerReportedThreatState",
        deserialize_with = "lenient::opt_text"
    )]
    pub partner_reported_threat_state: Option<Text>,
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

impl Record for IntuneDevice {
    type Raw = IntuneDevice;

    fn from_raw(raw: IntuneDevice, _: &mut Seen) -> Result<Kept<Self>, String> {
        Ok(Kept::Record(raw))
    }
}

const SHAPE: Shape = Shape {
    list_keys: &["value"],
    expecting: "an object with a \"value\" list of managed devices (Microsoft Graph), a list of such pages, or a list of devices (PowerShell ConvertTo-Json)",
    empty: "{\"value\": []}",
};

/// Reads one file of the Intune device list, in any of its forms.
pub fn read(
    format: Format,
    path: &Path,
    text: &FileText,
) -> Result<Loaded<Vec<IntuneDevice>>, LoadError> {
    let mut read = match format {
        Format::Json => json_doc::read(Input::IntuneDevices, path, text, &SHAPE)?,
        Format::Csv => {
            let mut info = FileInfo::new(Input::IntuneDevices, path, format, text);
            let devices = from_csv(path, text.as_bytes(), &mut info)?;
            info.records = devices.len();
            Loaded {
                records: devices,
                info,
                pages: Vec::new(),
            }
        }
    };
    let unknown = read
        .records
        .iter()
        .map(|d| d.operating_system.as_ref()?.unknown());
    read.info
        .notes
        .extend(Note::unknown_values("operatingSystem", unknown));
    Ok(read)
}

/// Column names per field, for every CSV form: admin center export headers first,
/// then Graph property names (PowerShell's PascalCase matches them once normalized).
mod columns {
    pub const ID: &[&str] = &["Device ID", "id", "Intune device ID", "managedDeviceId"];
    pub const NAME: &[&str] = &["Device name", "deviceName"];
    pub const UPN: &[&str] = &[
        "Primary user UPN",
        "userPrincipalName",
        "User principal name",
        "UPN",
    ];
    pub const USER_ID: &[&str] = &["UserId", "Primary user ID", "User ID"];
    pub const EMAIL: &[&str] = &[
        "Primary user email address",
        "emailAddress",
        "Email address",
    ];
    pub const ENTRA_ID: &[&str] = &[
        "Azure AD Device ID",
        "Microsoft Entra Device ID",
        "Entra Device ID",
        "azureADDeviceId",
    ];
    pub const OS: &[&str] = &["OS", "operatingSystem", "Operating system"];
    pub const OS_VERSION: &[&str] = &["OS version", "osVersion"];
    pub const LAST_SYNC: &[&str] = &["Last check-in", "lastSyncDateTime", "Last sync"];
    pub const ENROLLED: &[&str] = &["Enrollment date", "enrolledDateTime", "Enrolled date"];
    pub const COMPLIANCE: &[&str] = &["Compliance", "complianceState", "Compliance state"];
    pub const THREAT: &[&str] = &[
        "partnerReportedThreatState",
        "Partner reported threat state",
    ];
}

/// A managed device's own properties (Graph `managedDevice`).
const KEYS: [&str; 13] = [
    "deviceName",
    "managedDeviceOwnerType",
    "azureADDeviceId",
    "operatingSystem",
    "osVersion",
    "lastSyncDateTime",
    "enrolledDateTime",
    "complianceState",
    "managementAgent",
    "deviceEnrollmentType",
    "partnerReportedThreatState",
    "serialNumber",
    "userPrincipalName",
];

/// Whether a head is the Intune device list: Graph managed devices (by their
/// properties or Graph's context), the admin center export, or a CSV with the Graph
/// names.
pub(crate) fn recognise(head: &Head) -> Option<Recognised> {
    if let Some(c) = head.csv() {
        let fields = [
            columns::NAME,
            columns::UPN,
            columns::OS,
            columns::OS_VERSION,
            columns::LAST_SYNC,
            columns::ENROLLED,
            columns::ENTRA_ID,
            columns::COMPLIANCE,
        ];
        let shown = c.count(&fields);
        let form = if c.has(&["Device ID"]) {
            Form::AdminCenterCsv
        } else if c.is_powershell() {
            Form::PowerShellCsv
        } else {
            Form::GraphCsv
        };
        return (c.has(columns::ID) && shown >= 1)
            .then(|| Recognised::new(Input::IntuneDevices, Format::Csv, form, 1 + shown));
    }
    let j = head.json()?;
    let context = j.context_is("managedDevices");
    let keys = j.count(&KEYS);
    let claim = |score| {
        let mut r = Recognised::new(Input::IntuneDevices, Format::Json, j.form(), score);
        r.empty = j.empty_list;
        r
    };
    if context || (keys >= 2 && j.has("deviceName")) {
        Some(claim(keys + if context { 5 } else { 0 }))
    } else {
        j.is_empty_graph_page().then(|| claim(0))
    }
}

/// Reads the CSV forms.
fn from_csv(
    path: &Path,
    bytes: &[u8],
    info: &mut FileInfo,
) -> Result<Vec<IntuneDevice>, LoadError> {
    let mut table = CsvTable::open(path, bytes)?;
    info.form = csv_form(&table);
    let Some(id) = table.column(columns::ID) else {
        return Err(table.header_error(&missing_id_message(&table)));
    };
    let name = table.column(columns::NAME);
    let upn = table.column(columns::UPN);
    let user_id = table.column(columns::USER_ID);
    let email = table.column(columns::EMAIL);
    let aad = table.column(columns::ENTRA_ID);
    let os = table.column(columns::OS);
    let os_version = table.column(columns::OS_VERSION);
    let last_sync = table.column(columns::LAST_SYNC);
    let enrolled = table.column(columns::ENROLLED);
    let compliance = table.column(columns::COMPLIANCE);
    let threat = table.column(columns::THREAT);
    let mut out = Vec::new();
    let mut skips = Skips::default();
    while let Some(row) = table.next_row()? {
        let Some(device_id) = row.text(Some(id)) else {
            skips.add(SkipReason::NoDeviceId, row.location());
            continue;
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
            compliance_state: row.text(compliance).map(|c| graph_compliance(&c).into()),
            partner_reported_threat_state: row.text(threat),
        });
    }
    skips.check_usable(out.len(), path)?;
    info.take_csv(&table, skips);
    Ok(out)
}

fn csv_form(table: &CsvTable) -> Form {
    if table.has(&["Device ID"]) {
        Form::AdminCenterCsv
    } else if super::is_powershell_csv(table) {
        Form::PowerShellCsv
    } else {
        Form::GraphCsv
    }
}

/// Says what the file looks like when it has no id column, so the fix is obvious.
fn missing_id_message(table: &CsvTable) -> String {
    if table.has(&["Device name", "Primary user UPN", "Last check-in"]) {
        "this looks like an Intune admin center export but has no \"Device ID\" column; export again from Devices > All devices > Export and keep that column".into()
    } else if table.has(&["guid", "activation_status", "Activation status"]) {
        "this looks like a Lookout device list, not Intune devices; name it lookout-devices.csv"
            .into()
    } else if table.has(&["userPrincipalName", "User principal name"])
        && table.has(&["userType", "objectType", "Member type"])
    {
        "this looks like an Entra group members download, not Intune devices; save it as group-members/<group name>.csv".into()
    } else {
        "the header row has no Intune device id column (expected \"Device ID\" as the Intune admin center exports it, or \"id\" as Microsoft Graph names it); is this the right export?".into()
    }
}

/// The admin center shows compliance as words ("Not compliant"); Graph, and
/// therefore the rules and reports, use `compliant`, `noncompliant`, ...
fn graph_compliance(shown: &str) -> String {
    let compact: String = shown
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    match compact.as_str() {
        "compliant" => "compliant".into(),
        "noncompliant" | "notcompliant" => "noncompliant".into(),
        "ingraceperiod" => "inGracePeriod".into(),
        "notevaluated" | "unknown" => "unknown".into(),
        "conflict" => "conflict".into(),
        "error" => "error".into(),
        "configmanager" => "configManager".into(),
        _ => shown.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> FileInfo {
        FileInfo::named(Input::IntuneDevices, "t", Format::Csv)
    }

    #[test]
    fn admin_center_csv_with_skipped_rows() {
        let csv = "\"Device ID\",\"Device name\",\"Primary user UPN\",\"OS\",\"Last check-in\",\"Compliance\",\"Serial number\"\r\n\
                   \"d-1\",\"Phone\",\"A@contoso.com\",\"iOS\",\"2026-11-20 07:00:00.0000000\",\"Not compliant\",\"X1\"\r\n\
                   \"\",\"Ghost\",\"\",\"Android\",\"\",\"Compliant\",\"X2\"\r\n";
        let mut i = info();
        let devices = from_csv(
            Path::new("DevicesWithInventory_1.csv"),
            csv.as_bytes(),
            &mut i,
        )
        .unwrap();
        assert_eq!(devices.len(), 1);
        assert_eq!(devices[0].compliance_state.as_deref(), Some("noncompliant"));
        assert_eq!(i.form, Form::AdminCenterCsv);
        assert_eq!(i.ignored, vec!["Serial number".to_string()]);
        assert_eq!(i.skipped[0].count, 1);
    }

    #[test]
    fn unusable_csvs_say_why() {
        let mut i = info();
        let err = from_csv(
            Path::new("x.csv"),
            b"Device name,Primary user UPN\nA,b@c\n",
            &mut i,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no \"Device ID\" column"), "{err}");
        let err = from_csv(
            Path::new("x.csv"),
            b"Device ID,Device name\n,A\n,B\n",
            &mut i,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("record 1, line 2"), "{err}");
    }

    #[test]
    fn powershell_json() {
        let json = r#"{"Id":"d-1","DeviceName":"P","AzureAdDeviceId":"e-1","OSVersion":"17","LastSyncDateTime":"/Date(1763622000000)/","ComplianceState":1,"AdditionalProperties":{}}"#;
        let read = read(
            Format::Json,
            Path::new("x.json"),
            &crate::snapshot::checked(json),
        )
        .unwrap();
        let d = &read.records;
        assert_eq!(d[0].entra_device_id(), Some("e-1"));
        assert_eq!(d[0].os_version.as_deref(), Some("17"));
        assert!(d[0].last_sync_date_time.is_some());
        assert_eq!(read.info.form, Form::GraphPowerShellJson);
        assert!(read.info.quirks.contains(&crate::snapshot::Quirk::MsDates));
    }

    #[test]
    fn unknown_operating_systems_are_noted() {
        let csv = "Device ID,OS
d-1,iOS
d-2,Tizen
d-3,Tizen
";
        let read = read(
            Format::Csv,
            Path::new("x.csv"),
            &crate::snapshot::checked(csv),
        )
        .unwrap();
        assert_eq!(
            read.info.notes,
            [Note::UnknownValues {
                field: "operatingSystem",
                values: vec![("Tizen".into(), 2)]
            }]
        );
    }
}
