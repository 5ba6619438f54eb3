//! `lookout-doctor init DIR`: starts a snapshot folder with a `lookout.json` template
//! and a README that walks through exporting every other file.
//!
//! JSON has no comments, so the template explains itself with `"_comment"` keys,
//! which the loader skips (any key starting with `_`); the README explains each
//! field in full. What the template cannot know is left unknown: its placeholders
//! (`REPLACE-…`, the all-zero tenant id) make `validate` fail, naming each one, and
//! `diagnose` reads them as unknown with a data note; the consent is `null`, which
//! the report shows as unknown rather than as a finding. An unedited template thus
//! makes no claim about the tenant.
//!
//! Nothing is ever overwritten: if either file exists, nothing is written. Each file
//! is written to a temporary name in the same folder and then linked into place, so
//! a crash never leaves half a file under the real name.

use crate::cli::InitArgs;
use crate::messages;
use anyhow::{anyhow, Context as _, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(args: &InitArgs, out: &mut dyn Write) -> Result<u8> {
    let msg = messages::current();
    let files = [
        (args.dir.join("lookout.json"), LOOKOUT_TEMPLATE),
        (args.dir.join("README.md"), README),
    ];
    // Refuse before writing anything, so a refusal leaves the folder as it was.
    if let Some((existing, _)) = files.iter().find(|(p, _)| p.exists()) {
        return Err(anyhow!(
            msg.f("init.refuse", &[("file", &existing.display())])
        ));
    }
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("{}: cannot create the folder", args.dir.display()))?;
    for (path, text) in &files {
        write_new(path, text.as_bytes())
            .with_context(|| format!("{}: cannot write the file", path.display()))?;
        writeln!(out, "{}", msg.f("init.wrote", &[("file", &path.display())]))?;
    }
    writeln!(
        out,
        "{}",
        msg.f("init.next", &[("dir", &args.dir.display())])
    )?;
    Ok(0)
}

/// Writes `bytes` to `path`, which must not exist: to a temporary file in the same
/// folder first, then linked to its name. Linking (unlike renaming) fails when the
/// name is taken, so a file that appeared meanwhile is never replaced.
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_name(path);
    let result = write_synced(&tmp, bytes).and_then(|()| link_into_place(&tmp, path));
    // The temporary name goes either way; after a link the file lives on under `path`.
    let _ = std::fs::remove_file(&tmp);
    result
}

fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

fn link_into_place(tmp: &Path, path: &Path) -> Result<()> {
    match std::fs::hard_link(tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(anyhow!(messages::current(
        )
        .f("init.refuse", &[("file", &path.display())]))),
        // Some file systems (FAT, a few network shares) have no hard links; a rename
        // is still atomic there, and the name was free a moment ago.
        Err(_) if !path.exists() => Ok(std::fs::rename(tmp, path)?),
        Err(e) => Err(e.into()),
    }
}

/// Also where `collect` starts a missing `lookout.json`.
pub(crate) const LOOKOUT_TEMPLATE: &str = r#"{
  "_comment": "Settings copied by hand from the Lookout console. README.md in this folder explains every field. Keys starting with _ are comments and are ignored. Replace every placeholder before you trust a diagnosis.",
  "tenant": {
    "_comment": "azure_ad_tenant_id: the Entra tenant (directory) ID your Lookout tenant is linked to. consent.granted: true once a Global Administrator accepted Lookout's consent prompt, false if you know nobody did, null while you do not know (service-principals.json, when exported, shows it for certain); granted_at and granted_by: when, and who. consent.app_id: leave null unless Lookout's enterprise application in Entra is not named after Lookout; then its Application ID.",
    "azure_ad_tenant_id": "00000000-0000-0000-0000-000000000000",
    "consent": {
      "granted": null,
      "granted_at": null,
      "granted_by": null,
      "app_id": null
    }
  },
  "console_access": {
    "_comment": "Object IDs of the Entra groups allowed into the Lookout console (full access, and optional read-only restricted access), and the people who must be able to sign in.",
    "full_access_group_id": "REPLACE-WITH-THE-OBJECT-ID-OF-THE-FULL-ACCESS-GROUP",
    "restricted_access_group_id": null,
    "expected_users": []
  },
  "intune_connector": {
    "_comment": "System > Intune Connector in the Lookout console. Set the whole section to null if no Intune connector was created. Enrollment group names are matched with exact letter case.",
    "heartbeat_frequency_minutes": 5,
    "enrollment_groups": [
      "REPLACE WITH THE EXACT DISPLAY NAME OF AN ENROLLMENT GROUP"
    ],
    "state_sync": {
      "device_status": true,
      "threat_status": true
    },
    "error_management_emails": []
  },
  "enrollment_settings": {
    "_comment": "System > Manage Enrollment > Enrollment Settings: days without a check-in before a device counts as disconnected (1-90).",
    "disconnected_after_days": 30
  },
  "min_os_versions": {
    "_comment": "Optional: the oldest Android and iOS release Lookout for Work supports, e.g. \"10\" and \"16.0\". Leave null to skip the check.",
    "android": null,
    "ios": null
  },
  "coverage": "enrollment-groups"
}
"#;

const README: &str = r#"# Lookout snapshot

This folder is a snapshot of one tenant for `lookout-doctor`. `lookout.json` was
written by `lookout-doctor init`; this page explains how to fill it in and how to
export every other file. When you are done, check the folder with

    lookout-doctor validate .

which says, file by file, which export it recognised, how many records it read and
what it left out, and then diagnose it with

    lookout-doctor diagnose .

## What goes in the folder

| file | what | required |
|---|---|---|
| `lookout.json` | Lookout tenant and Intune connector settings, by hand | yes |
| `intune-devices.json`, or the admin center's `DevicesWithInventory_*.csv` | Intune managed devices | one device list at least |
| `lookout-devices.json` or `.csv` | the Lookout device list | one device list at least |
| `groups.json` or `groups.csv`, and/or `group-members/*.csv` | Entra groups and their members | for enrollment and console checks |
| `audit-logs.json` | Entra audit records of membership changes and group deletions | optional |
| `intune-mtd-connector.json` | Intune's Mobile Threat Defense connector | optional |
| `service-principals.json` | Entra enterprise applications with their permission grants: the proof of Lookout's consent | optional, recommended |
| `snapshot.json` | when the snapshot was taken and from which Entra tenant | optional, recommended |

A check whose file is missing is skipped, and the report says which and why.

Names and formats are forgiving:

- Several files whose names start the same way are pages of one export, read in
  name order: `intune-devices-001.json`, `intune-devices-002.json`, ...
- UTF-8 (with or without BOM) and UTF-16 (what Windows PowerShell's `Out-File` and
  `>` write) are both fine, as are CRLF line ends, a `#TYPE` line above a CSV header,
  and `;` as the CSV delimiter.
- CSV headers are matched ignoring case, spaces and punctuation, so `Device ID`,
  `deviceId` and `device_id` are the same column. Columns nothing reads are listed by
  `validate` and otherwise ignored.

## lookout.json, field by field

Keys that start with `_` are comments; delete them or leave them.

- `tenant.azure_ad_tenant_id`: the Entra tenant (directory) ID the Lookout tenant is
  linked to. Lookout Support sets this link; compare it with the Tenant ID on the
  Overview page of the Entra admin center.
- `tenant.consent.granted`: `true` once a Global Administrator has accepted Lookout's
  consent prompt (without it every console sign-in fails), `false` if you know nobody
  has, `null` if you do not know: the report then says the consent is unknown. When
  `service-principals.json` is in the folder it decides instead (see below).
  `granted_at` (an RFC 3339 time) and `granted_by` (the administrator's account) are
  for the record.
- `tenant.consent.app_id`: `null`, unless Lookout's enterprise application in Entra is
  not named after Lookout (its name or publisher does not contain "Lookout"); then its
  Application ID, from Enterprise applications in the Entra admin center.
- `console_access.full_access_group_id`: the object ID of the Entra group whose
  members get full access to the Lookout console. In the Entra admin center open
  Groups > All groups, open the group and copy its Object ID.
- `console_access.restricted_access_group_id`: the same for the read-only group, or
  `null`.
- `console_access.expected_users`: UPNs of the people who must be able to sign in to
  the console; each is checked for membership (nested groups count).
- `intune_connector`: `null` if no Intune connector was created in Lookout.
  Otherwise, from System > Intune Connector in the Lookout console:
  - `heartbeat_frequency_minutes`: the connector's polling interval (default 5).
  - `enrollment_groups`: the enrollment group names exactly as listed under
    Enrollment Management. Letter case matters: the connector matches it exactly.
  - `state_sync.device_status` and `state_sync.threat_status`: both switches under
    State Sync; both must be on.
  - `error_management_emails`: the addresses under Error Management.
- `enrollment_settings.disconnected_after_days`: from System > Manage Enrollment >
  Enrollment Settings; after this many days without a check-in a device counts as
  disconnected. Valid values are 1 to 90 (default 30).
- `min_os_versions.android` / `min_os_versions.ios`: optional; the oldest release
  Lookout for Work supports, from Lookout's platform support page. Phones older than
  this are reported as unsupported rather than missing.
- `coverage`: `enrollment-groups` (only phones of users in enrollment groups are
  expected in Lookout) or `all-mobile-devices` (every Android, iOS and iPadOS device
  in Intune is).

Every value that still reads `REPLACE-…`, or the all-zero tenant id, is a placeholder:
`validate` refuses the file until each is filled in, and `diagnose` treats it as
unknown.

## snapshot.json

Say when you exported and from which tenant; an old snapshot is then judged at its
own time forever. In PowerShell, after `Connect-MgGraph` (below):

```powershell
@{ exported_at = (Get-Date).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ")
   tenant_id   = (Get-MgContext).TenantId } |
  ConvertTo-Json | Set-Content snapshot.json -Encoding utf8
```

## Without scripts: the portals

### Intune devices (Intune admin center)

1. Sign in to the Intune admin center and open Devices > All devices.
2. Select Export. When asked, choose to include all inventory data.
3. Open the downloaded zip and put the `DevicesWithInventory_<id>.csv` inside it into
   this folder as it is; it is recognised by its name and its columns ("Device ID",
   "Primary user UPN", "Last check-in", ...). Keep only the newest one.

### Entra groups (Entra admin center)

For every group that matters (the enrollment groups, the groups nested in them, and
the two console-access groups):

1. Open Groups > All groups and select the group.
2. Open Members and download the member list (Download members; in some versions it
   sits under Bulk operations). When the download is ready, save the CSV file.
3. Save it as `group-members/<exact group display name>.csv`, for example
   `group-members/Lookout Pilot.csv`. The file name says which group it is.

The member download does not contain the group's own object ID. To give the groups
their real IDs (the console-access settings name groups by ID), also save the group
list: Groups > All groups > Download groups, as `groups.csv`. Without it, a group
known only from its member file gets a made-up ID (`synthetic:<name>`), and
`validate` says so. If a group's name cannot be a file name (it holds `/`, `\`, `:`,
`*`, `?`, `"`, `<`, `>` or `|`), export the groups with PowerShell instead.

### Lookout devices (Lookout console)

Export the device list from the Devices page if your console offers it and save it as
`lookout-devices.csv`, or use the API below, which gives the device ID
(`details.external_id`) for certain.

## With scripts: Microsoft Graph PowerShell

Install the module once (`Install-Module Microsoft.Graph -Scope CurrentUser`), open a
PowerShell window in this folder, and sign in with read-only scopes:

```powershell
Connect-MgGraph -Scopes "Group.Read.All","GroupMember.Read.All",
  "DeviceManagementManagedDevices.Read.All","AuditLog.Read.All",
  "Directory.Read.All","DeviceManagementServiceConfig.Read.All"
```

`-All` makes each cmdlet follow the result pages itself. Always pass a generous
`-Depth` to `ConvertTo-Json`: its default of 2 turns nested objects (group members,
audit targets) into useless text, which `validate` reports as an error.

### Intune managed devices

```powershell
Get-MgDeviceManagementManagedDevice -All |
  Select-Object Id, DeviceName, UserPrincipalName, UserId, EmailAddress,
    AzureAdDeviceId, OperatingSystem, OSVersion, LastSyncDateTime,
    EnrolledDateTime, ComplianceState, PartnerReportedThreatState |
  ConvertTo-Json -Depth 5 | Set-Content intune-devices.json -Encoding utf8
```

### Groups with their members

`Get-MgGroup -ExpandProperty members` returns at most 20 members per group, so ask
for the members of each group separately:

```powershell
$groups = foreach ($g in Get-MgGroup -All -Property Id,DisplayName,SecurityEnabled) {
  [pscustomobject]@{
    Id              = $g.Id
    DisplayName     = $g.DisplayName
    SecurityEnabled = $g.SecurityEnabled
    Members         = @(Get-MgGroupMember -GroupId $g.Id -All)
  }
}
ConvertTo-Json -InputObject @($groups) -Depth 10 | Set-Content groups.json -Encoding utf8
```

In a large directory, limit `Get-MgGroup` with `-Filter` (for example
`"startswith(displayName,'Lookout')"`), but keep every group nested in an enrollment
or console-access group, and the console-access groups themselves.

A CSV with one row per membership works as well (`groups.csv` with the columns Group
ID, Group name, Member ID, Member UPN, Member type); write a row with empty member
columns for a group without members, so it does not look deleted.

### Directory audit records

Only three activities matter. Entra keeps audit records for 7 to 30 days depending
on the licence, so export soon after a problem appears:

```powershell
$activities = "Add member to group", "Remove member from group", "Delete group"
$audit = foreach ($a in $activities) {
  Get-MgAuditLogDirectoryAudit -All -Filter "activityDisplayName eq '$a'"
}
ConvertTo-Json -InputObject @($audit) -Depth 10 | Set-Content audit-logs.json -Encoding utf8
```

### Intune's Mobile Threat Defense connector

```powershell
Invoke-MgGraphRequest -Method GET -OutputType Json `
  -Uri "https://graph.microsoft.com/v1.0/deviceManagement/mobileThreatDefenseConnectors" |
  Set-Content intune-mtd-connector.json -Encoding utf8
```

### Lookout's enterprise application and its permissions

This shows whether a Global Administrator really consented: Lookout's application in
Entra and the permissions granted to it. Applications named after Lookout are taken
for Lookout's (a single sign-on application made in your own tenant, such as
`lookout_saml`, is set aside); if yours has another name, set `tenant.consent.app_id`.

```powershell
$apps = Get-MgServicePrincipal -All -Search '"displayName:lookout"' -ConsistencyLevel eventual
$out = foreach ($sp in $apps) {
  [pscustomobject]@{
    id                        = $sp.Id
    appId                     = $sp.AppId
    displayName               = $sp.DisplayName
    publisherName             = $sp.PublisherName
    appOwnerOrganizationId    = $sp.AppOwnerOrganizationId
    preferredSingleSignOnMode = $sp.PreferredSingleSignOnMode
    tags                      = @($sp.Tags)
    oauth2PermissionGrants    = @(Get-MgServicePrincipalOauth2PermissionGrant -ServicePrincipalId $sp.Id -All)
    appRoleAssignments        = @(Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id -All)
  }
}
ConvertTo-Json -InputObject @{ value = @($out) } -Depth 10 |
  Set-Content service-principals.json -Encoding utf8
```

In Graph Explorer the same takes three requests, each response saved as it comes
(`service-principals.json`, `service-principals-grants.json`,
`service-principals-roles.json`): `GET /v1.0/servicePrincipals?$search="displayName:lookout"`
(with the request header `ConsistencyLevel: eventual`), then, with the `id` of
Lookout's application, `GET /v1.0/servicePrincipals/{id}/oauth2PermissionGrants` and
`GET /v1.0/servicePrincipals/{id}/appRoleAssignments`.

### Raw Graph pages, if you prefer them

Any Graph list can be saved page by page exactly as Graph returns it; the pages are
merged in name order:

```powershell
$uri = "https://graph.microsoft.com/v1.0/deviceManagement/managedDevices"
$n = 1
while ($uri) {
  $page = Invoke-MgGraphRequest -Method GET -Uri $uri -OutputType Json
  $page | Set-Content ("intune-devices-{0:d3}.json" -f $n) -Encoding utf8
  $uri = ($page | ConvertFrom-Json).'@odata.nextLink'
  $n++
}
```

If the last saved page still carries `@odata.nextLink`, pages are missing and
`validate` says so.

## The Lookout device list: Mobile Risk API v2

1. In the Lookout console, open System > Application Keys and generate a key (it is
   shown once; keep it somewhere safe, it is valid for a year).
2. Trade the key for an access token (OAuth 2 client credentials; the token lasts
   about two hours), then read the device list page by page:

```powershell
$key = Read-Host "Lookout application key"
$token = (Invoke-RestMethod -Method POST -Uri "https://api.lookout.com/oauth2/token" `
  -Headers @{ Authorization = "Bearer $key" } `
  -ContentType "application/x-www-form-urlencoded" `
  -Body "grant_type=client_credentials").access_token
$headers = @{ Authorization = "Bearer $token" }
$oid = 0; $n = 1
do {
  $page = Invoke-RestMethod -Headers $headers `
    -Uri "https://api.lookout.com/mra/api/v2/devices?limit=1000&oid=$oid"
  ConvertTo-Json -InputObject $page -Depth 10 |
    Set-Content ("lookout-devices-{0:d3}.json" -f $n) -Encoding utf8
  if ($page.devices) { $oid = ($page.devices | Measure-Object oid -Maximum).Maximum }
  $n++
} while ($page.devices.Count -eq 1000)
```

The device list is ordered by its `oid` field, and each request asks for the devices
after the last `oid` received. Parameter names and the largest page size can differ
between API versions: check the API reference linked from the Lookout console if a
request is rejected. Each response is kept as it came (`{"count", "devices": [...]}`),
one file per page.

A CSV of the same list also works (`lookout-devices.csv`), with the API names
flattened (`details.external_id`) or written out (`Device ID`, `Activation Status`).

## Keep it private

A snapshot holds user names, e-mail addresses and device identifiers. Store it like
any other export of your directory, and never commit the application key.
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// The template is valid JSON, names every setting lookout.json has, and leaves
    /// unknown what it cannot know: its placeholders are noted, none is read as a value.
    #[test]
    fn template_loads_with_its_placeholders_as_unknown() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lookout.json"), LOOKOUT_TEMPLATE).unwrap();
        std::fs::write(
            dir.path().join("intune-devices.json"),
            r#"{"value": [{"id": "d1"}]}"#,
        )
        .unwrap();
        let snap = crate::snapshot::load(dir.path()).unwrap();
        let lookout = snap
            .files
            .iter()
            .find(|f| f.name == "lookout.json")
            .unwrap();
        let keys: Vec<&str> = snap
            .lookout
            .placeholders
            .iter()
            .map(|p| p.key.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "tenant.azure_ad_tenant_id",
                "console_access.full_access_group_id",
                "intune_connector.enrollment_groups[0]"
            ]
        );
        assert!(lookout
            .notes
            .iter()
            .all(|n| matches!(n, crate::snapshot::Note::Placeholder { .. })));
        assert_eq!(lookout.notes.len(), keys.len());
        let cfg = &snap.lookout;
        assert_eq!(cfg.tenant.azure_ad_tenant_id, None);
        assert_eq!(cfg.tenant.consent.granted, None);
        assert!(cfg.enrollment_group_names().is_empty());
        assert_eq!(cfg.disconnected_after_days(), 30);
        crate::snapshot::lookout_config::check_settings_list(LOOKOUT_TEMPLATE);
    }

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.txt");
        write_new(&path, b"one").unwrap();
        assert!(write_new(&path, b"two").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
