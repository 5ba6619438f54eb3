//! Ingesting the exports administrators really have (issue 4). The folders
//! fixtures/export-*/ hold one tenant written the way each tool writes it (admin
//! center CSV with BOM, Entra member downloads, Graph pages, Graph PowerShell output
//! in UTF-16, PowerShell Export-Csv with #TYPE and ';', ...); fixtures/export-json-twin
//! is the same tenant in SPEC JSON. Every form must load into the same model and give
//! exactly the same findings; every unreadable file must be exit 2 with its file, its
//! line or record, and a reason a person can act on.

mod support;

use lookout_doctor::model::Tenant;
use lookout_doctor::snapshot::{self, time};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;
use support::{bin, copy_of};

const TWIN: &str = "fixtures/export-json-twin";
const FORMS: [&str; 9] = [
    "fixtures/export-admin-center",
    "fixtures/export-powershell",
    "fixtures/export-graph-pages",
    "fixtures/export-csv",
    "fixtures/export-arbitrary-names",
    "fixtures/export-azure-monitor",
    "fixtures/export-azure-storage",
    "fixtures/export-log-analytics-api",
    "fixtures/export-log-analytics",
];

fn tenant(dir: &Path) -> Tenant {
    Tenant::build(snapshot::load(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())))
}

fn t(v: &Option<time::Time>) -> String {
    v.as_ref().map(time::format).unwrap_or_default()
}

/// Trimmed, empty as absent: exports write "" where JSON has null.
fn s(v: &Option<lookout_doctor::snapshot::Text>) -> &str {
    v.as_deref().map(str::trim).unwrap_or_default()
}

/// Everything the rules can see of a tenant, one fact per line, in a stable order.
/// Times are compared to the second: CSV and PowerShell exports carry no more.
fn fingerprint(t_: &Tenant) -> String {
    let mut lines = vec![
        format!("tenant {:?} exported {}", t_.tenant_id, t(&t_.exported_at)),
        format!("config {:?}", t_.config),
    ];
    for u in &t_.users {
        lines.push(format!(
            "user {} id={:?} mail={:?} name={:?}",
            u.upn, u.object_id, u.mail, u.display_name
        ));
    }
    for g in &t_.groups {
        let mut users: Vec<&str> = g
            .user_members
            .iter()
            .map(|&u| t_.users[u].upn.as_str())
            .collect();
        users.sort_unstable();
        let mut nested: Vec<&str> = g
            .group_members
            .iter()
            .map(|&c| t_.groups[c].id.as_str())
            .collect();
        nested.sort_unstable();
        lines.push(format!(
            "group {} {:?} security={:?} users={users:?} groups={nested:?} unresolved={:?}",
            g.id, g.name, g.security_enabled, g.unresolved_groups
        ));
    }
    for d in &t_.lookout_devices {
        lines.push(format!(
            "lookout {} {:?} {:?} {:?} {:?} email={} checkin={} activated={} id={:?} os={} hw={:?}",
            d.guid,
            d.activation_status,
            d.protection_status,
            d.security_status,
            d.platform,
            s(&d.email),
            t(&d.checkin_time),
            t(&d.activated_at),
            d.device_id(),
            s(&d.software.os_version),
            d.hardware_name()
        ));
    }
    for d in &t_.intune_devices {
        lines.push(format!(
            "intune {} name={} owner={:?} user={} mail={} entra={:?} os={:?} {} sync={} enrolled={} compliance={} threat={}",
            d.id,
            s(&d.device_name),
            d.owner(),
            s(&d.user_id),
            s(&d.email_address),
            d.entra_device_id(),
            d.operating_system,
            s(&d.os_version),
            t(&d.last_sync_date_time),
            t(&d.enrolled_date_time),
            s(&d.compliance_state),
            s(&d.partner_reported_threat_state)
        ));
    }
    for e in &t_.audit {
        lines.push(format!(
            "audit {} {:?} user={:?}/{:?} group={:?}/{:?} by={:?}",
            t(&e.at),
            e.kind,
            e.user_upn,
            e.user_id,
            e.group_id,
            e.group_name,
            e.actor
        ));
    }
    for c in &t_.mtd_connectors {
        lines.push(format!(
            "mtd {:?} {:?} heartbeat={} android={:?} ios={:?} threshold={:?}",
            c.id,
            c.partner_state,
            t(&c.last_heartbeat_date_time),
            c.android_enabled,
            c.ios_enabled,
            c.partner_unresponsiveness_threshold_in_days
        ));
    }
    for c in &t_.enrollment_groups {
        let ids = |ix: &[usize]| {
            ix.iter()
                .map(|&g| t_.groups[g].id.clone())
                .collect::<Vec<_>>()
        };
        lines.push(format!(
            "enrollment {:?} exact={:?} case_only={:?}",
            c.name,
            ids(&c.exact),
            ids(&c.case_only)
        ));
    }
    lines.sort();
    lines.join("\n")
}

/// The first differing line, so a failure says what differs rather than dumping both.
fn assert_same(want: &str, got: &str, what: &str) {
    if want == got {
        return;
    }
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let mut msg = format!(
        "{what} differs from the twin ({} vs {} lines)\n",
        w.len(),
        g.len()
    );
    for (a, b) in w.iter().zip(&g).filter(|(a, b)| a != b).take(5) {
        let _ = writeln!(msg, "  twin: {a}\n  got:  {b}");
    }
    panic!("{msg}");
}

#[test]
fn every_export_form_loads_into_the_twin_model() {
    let twin = fingerprint(&tenant(Path::new(TWIN)));
    assert!(twin.lines().count() > 90, "the twin is a real tenant");
    for dir in FORMS {
        assert_same(&twin, &fingerprint(&tenant(Path::new(dir))), dir);
    }
}

fn findings(dir: &Path, extra: &[&str]) -> (Vec<String>, i32) {
    let out = bin()
        .arg("diagnose")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let keys = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{} cause={}",
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["subject"]["kind"].as_str().unwrap(),
                f["subject"]["id"].as_str().unwrap(),
                f["cause"].as_str().unwrap_or("-")
            )
        })
        .collect();
    (keys, out.status.code().unwrap())
}

#[test]
fn real_looking_exports_give_exactly_the_twin_findings() {
    let (want, want_code) = findings(Path::new(TWIN), &[]);
    assert!(want.len() >= 15, "{want:#?}");
    for dir in FORMS {
        assert_eq!(
            findings(Path::new(dir), &[]),
            (want.clone(), want_code),
            "{dir}"
        );
    }
    // Focus works on the same identifiers too.
    let focus = ["--user", "joni.sherman@contoso.com"];
    let (want, _) = findings(Path::new(TWIN), &focus);
    assert!(!want.is_empty());
    assert_eq!(findings(Path::new(FORMS[0]), &focus).0, want);
}

/// `validate`'s output with its wrapped lines joined again (a file line continues on
/// lines indented deeper than it), so a test can look for a whole line.
fn validate(dir: &Path) -> (String, String, i32) {
    let out = bin().arg("validate").arg(dir).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut joined = String::new();
    for line in text.lines() {
        let continues = line.starts_with("      ") && !line.trim_start().starts_with("- ");
        let after_file_line = joined
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("  ") && !l.starts_with("   "));
        if continues && after_file_line {
            joined.pop();
            joined.push(' ');
            joined.push_str(line.trim_start());
        } else {
            joined.push_str(line);
        }
        joined.push('\n');
    }
    (
        joined,
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn validate_names_each_form_and_what_it_left_out() {
    let (text, _, code) = validate(Path::new("fixtures/export-admin-center"));
    assert_eq!(code, 0, "{text}");
    for needle in [
        "lookout.json: Lookout settings, json, 1 record(s) — JSON (UTF-16 LE)",
        "groups-1.json: Entra groups, json, 5 record(s) — Graph JSON (UTF-8 with BOM)",
        "group-members/: Entra groups, csv, 48 record(s) — Entra group members CSV (10 files)",
        "lookout-devices.csv: Lookout devices, csv, 16 record(s) — PowerShell Export-Csv (#TYPE line, ';' delimiter)",
        "columns not used (2): oid, client",
        "25 record(s) — Intune admin",
        "columns not used (38): Azure AD registered",
        "audit-logs.json: Entra audit log, json, 19 record(s) — Graph PowerShell JSON",
    ] {
        assert!(text.contains(needle), "lacks {needle:?}:\n{text}");
    }
    let (text, _, _) = validate(Path::new("fixtures/export-powershell"));
    assert!(
        text.contains("intune-devices.json: Intune devices, json, 25 record(s) — Graph PowerShell JSON (ConvertTo-Json) (UTF-16 LE,"),
        "{text}"
    );
    assert!(
        text.contains("Lookout Mobile Risk API v2 JSON (2 pages)"),
        "{text}"
    );
    let (text, _, _) = validate(Path::new("fixtures/export-csv"));
    assert!(text.contains("group membership CSV"), "{text}");
    assert!(text.contains("CSV with spelled-out headers"), "{text}");
}

#[test]
fn lookout_device_events_fold_into_devices() {
    let t_ = tenant(Path::new("fixtures/export-lookout-events"));
    let twin = tenant(Path::new(TWIN));
    assert_eq!(t_.lookout_devices.len(), 5);
    for d in &t_.lookout_devices {
        let same = twin
            .lookout_devices
            .iter()
            .find(|x| x.guid == d.guid)
            .unwrap();
        // Events carry no check-in or activation times; everything else matches,
        // including the threat raised by the last event of the second device.
        assert_eq!(d.device_id(), same.device_id(), "{}", d.guid);
        assert_eq!(d.email, same.email);
        assert_eq!(d.platform, same.platform);
        assert_eq!(d.activation_status, same.activation_status);
        assert_eq!(d.protection_status, same.protection_status);
        assert_eq!(d.hardware_name(), same.hardware_name());
        assert_eq!(d.software.os_version, same.software.os_version);
    }
    assert_eq!(
        t_.lookout_devices[1].security_status,
        twin.lookout_devices[1].security_status
    );
    let (text, _, code) = validate(Path::new("fixtures/export-lookout-events"));
    assert_eq!(code, 0);
    assert!(
        text.contains("5 record(s), 1 skipped — Lookout Mobile Risk API device events"),
        "{text}"
    );
    assert!(text.contains("a threat or audit event"), "{text}");
}

/// The twin's Lookout devices rewritten with the older camelCase names, flat and as
/// a bare list: the same devices.
#[test]
fn older_camel_case_lookout_names_load_like_v2() {
    let twin: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(TWIN).join("lookout-devices.json")).unwrap(),
    )
    .unwrap();
    let legacy: Vec<Value> = twin["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            serde_json::json!({
                "guid": d["guid"],
                "activationStatus": d["activation_status"],
                "protectionStatus": d["protection_status"],
                "securityStatus": d["security_status"],
                "platform": d["platform"],
                "emailAddress": d["email"],
                "checkinTime": d["checkin_time"],
                "activatedAt": d["activated_at"],
                "externalId": d["details"]["external_id"],
                "osVersion": d["software"]["os_version"],
                "manufacturer": d["hardware"]["manufacturer"],
                "model": d["hardware"]["model"],
            })
        })
        .collect();
    let tmp = copy_of(TWIN);
    std::fs::write(
        tmp.path().join("lookout-devices.json"),
        serde_json::to_vec_pretty(&legacy).unwrap(),
    )
    .unwrap();
    assert_same(
        &fingerprint(&tenant(Path::new(TWIN))),
        &fingerprint(&tenant(tmp.path())),
        "camelCase lookout devices",
    );
    let (text, _, _) = validate(tmp.path());
    assert!(
        text.contains("Lookout JSON with the older camelCase names"),
        "{text}"
    );
}

const ADMIN_CSV: &str = "DevicesWithInventory_4b0f7d2a-9c1e-4f3a-8e5d-2c6b1a7f9e30.csv";

#[test]
fn skippable_rows_are_counted_and_explained() {
    let tmp = copy_of(FORMS[0]);
    let path = tmp.path().join(ADMIN_CSV);
    let mut bytes = std::fs::read(&path).unwrap();
    let columns = String::from_utf8_lossy(&bytes)
        .lines()
        .next()
        .unwrap()
        .matches("\",\"")
        .count();
    // A row the export can hold but nothing can link to: no Device ID.
    let row = format!("\"\",\"Shared kiosk\"{}\r\n", ",\"\"".repeat(columns - 1));
    bytes.extend_from_slice(row.as_bytes());
    std::fs::write(&path, bytes).unwrap();
    let (text, _, code) = validate(tmp.path());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("25 record(s), 1 skipped"), "{text}");
    assert!(
        text.contains("1 record(s) skipped: no device id (first: record 26, line 27)"),
        "{text}"
    );
    assert_eq!(findings(tmp.path(), &[]), findings(Path::new(TWIN), &[]));
}

#[test]
fn pages_merge_in_name_order_and_missing_pages_are_noted() {
    let tmp = copy_of("fixtures/export-graph-pages");
    // Page 3 renamed to page 10 still comes last; dropping it leaves page 2's
    // nextLink dangling, which must be said.
    std::fs::rename(
        tmp.path().join("intune-devices-003.json"),
        tmp.path().join("intune-devices-10.json"),
    )
    .unwrap();
    let (text, _, _) = validate(tmp.path());
    let order: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("intune-devices-"))
        .map(|l| l.trim_start().split(':').next().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "intune-devices-001.json",
            "intune-devices-002.json",
            "intune-devices-10.json"
        ]
    );
    assert!(!text.contains("the last page still links"), "{text}");
    std::fs::remove_file(tmp.path().join("intune-devices-10.json")).unwrap();
    let (text, _, code) = validate(tmp.path());
    assert_eq!(code, 0);
    assert!(
        text.contains("the last page still links to a next one"),
        "{text}"
    );
}

#[test]
fn groups_known_only_by_their_member_file() {
    // "Lookout Wave 1" is missing from the group list: its id is learnt from the
    // nested-group row in "Lookout Pilot.csv", so nothing changes.
    let tmp = copy_of(FORMS[0]);
    for page in ["groups-1.json", "groups-2.json"] {
        let page = tmp.path().join(page);
        let text = std::fs::read_to_string(&page).unwrap();
        let mut doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap();
        doc["value"]
            .as_array_mut()
            .unwrap()
            .retain(|g| g["displayName"] != "Lookout Wave 1" && g["displayName"] != "Leavers 2026");
        std::fs::write(&page, serde_json::to_vec(&doc).unwrap()).unwrap();
    }
    let (text, _, code) = validate(tmp.path());
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("synthetic:Lookout Wave 1"), "{text}");
    // "Leavers 2026" is nested nowhere: its id is made up, and that is said.
    assert!(
        text.contains(
            "group \"Leavers 2026\" (group-members/Leavers 2026.csv) is in no group export"
        ),
        "{text}"
    );
    let t_ = tenant(tmp.path());
    let wave = t_
        .groups
        .iter()
        .find(|g| g.name == "Lookout Wave 1")
        .unwrap();
    assert_eq!(wave.id, "8a043d21-ee5a-4818-bb9a-e4331fe8012a");
    assert!(t_.groups.iter().any(|g| g.id == "synthetic:Leavers 2026"));
    assert_eq!(findings(tmp.path(), &[]), findings(Path::new(TWIN), &[]));
}

/// `diagnose` and `validate` both refuse, with exit 2, the file and where in it.
fn assert_unreadable(dir: &Path, needles: &[&str]) {
    for cmd in ["validate", "diagnose"] {
        let out = bin().arg(cmd).arg(dir).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {stderr}");
        assert!(out.stdout.is_empty(), "{cmd}: printed a partial result");
        assert!(!stderr.contains("panicked"), "{stderr}");
        for n in needles {
            assert!(stderr.contains(n), "{cmd}: stderr lacks {n:?}: {stderr}");
        }
    }
}

#[test]
fn unreadable_files_say_where_and_why() {
    // An admin center export without its Device ID column.
    let tmp = copy_of(FORMS[0]);
    let path = tmp.path().join(ADMIN_CSV);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"Device ID\"", "\"Device\"", 1)).unwrap();
    assert_unreadable(
        tmp.path(),
        &[
            ADMIN_CSV,
            "header row (line 1)",
            "looks like an Intune admin center export but has no \"Device ID\" column",
        ],
    );

    // Every row without a device id: nothing to diagnose, so not a silent success.
    let tmp = copy_of(FORMS[0]);
    std::fs::write(
        tmp.path().join(ADMIN_CSV),
        "\u{feff}\"Device ID\",\"Device name\"\r\n\"\",\"A\"\r\n\"\",\"B\"\r\n",
    )
    .unwrap();
    assert_unreadable(
        tmp.path(),
        &[
            ADMIN_CSV,
            "record 1 (line 2)",
            "no record can be used",
            "no device id",
        ],
    );

    // An Entra member download where the group list belongs.
    let tmp = copy_of(FORMS[0]);
    for page in ["groups-1.json", "groups-2.json"] {
        std::fs::remove_file(tmp.path().join(page)).unwrap();
    }
    std::fs::copy(
        tmp.path().join("group-members/Lookout Pilot.csv"),
        tmp.path().join("groups.csv"),
    )
    .unwrap();
    assert_unreadable(
        tmp.path(),
        &["groups.csv", "Download members", "group-members/"],
    );

    // A member file that is something else entirely.
    let tmp = copy_of(FORMS[0]);
    std::fs::write(
        tmp.path().join("group-members/Lookout Pilot.csv"),
        "name,phone\nA,1\n",
    )
    .unwrap();
    assert_unreadable(
        tmp.path(),
        &["Lookout Pilot.csv", "line 1", "neither an \"id\""],
    );

    // ConvertTo-Json without -Depth: members written as type names.
    let tmp = copy_of(FORMS[1]);
    std::fs::write(
        tmp.path().join("groups.json"),
        "[\r\n  {\r\n    \"Id\": \"g1\",\r\n    \"Members\": [\"Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject\"]\r\n  }\r\n]\r\n",
    )
    .unwrap();
    assert_unreadable(tmp.path(), &["groups.json:4:", "ConvertTo-Json -Depth 10"]);

    // A truncated UTF-16 file.
    let tmp = copy_of(FORMS[0]);
    let path = tmp.path().join("lookout.json");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.pop();
    std::fs::write(&path, bytes).unwrap();
    assert_unreadable(tmp.path(), &["lookout.json", "odd number of bytes"]);

    // A bad date in a PowerShell CSV names the record and the column.
    let tmp = copy_of(FORMS[0]);
    let path = tmp.path().join("lookout-devices.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("11/20/2026 11:37:46 AM", "2026-11-31 11:37", 1),
    )
    .unwrap();
    assert_unreadable(
        tmp.path(),
        &[
            "lookout-devices.csv: record 1 (line 3): column \"checkin_time\"",
            "\"2026-11-31 11:37\" is not a timestamp",
        ],
    );
    // A European date among the American ones: two orders in one file.
    std::fs::write(
        &path,
        text.replacen("11/20/2026 11:37:46 AM", "20.11.2026 11:37", 1),
    )
    .unwrap();
    assert_unreadable(
        tmp.path(),
        &[
            "lookout-devices.csv: record 1 (line 3): column \"activated_at\": \"4/22/2026 2:00:0…\" is month first, but \"20.11.2026 11:37\" (column \"checkin_time\", record 1) is day first",
            "accepted:",
        ],
    );
}

#[test]
fn two_exports_of_one_list_are_refused() {
    let tmp = copy_of(FORMS[0]);
    std::fs::copy(
        tmp.path().join(ADMIN_CSV),
        tmp.path().join("DevicesWithInventory_older.csv"),
    )
    .unwrap();
    assert_unreadable(tmp.path(), &["keep only one", "DevicesWithInventory_"]);

    let tmp = copy_of(FORMS[0]);
    std::fs::copy(
        Path::new(TWIN).join("intune-devices.json"),
        tmp.path().join("intune-devices.json"),
    )
    .unwrap();
    assert_unreadable(tmp.path(), &["intune-devices.json", ADMIN_CSV]);
}

#[test]
fn spec_names_still_read_as_before() {
    let (text, _, code) = validate(Path::new("fixtures/sample"));
    assert_eq!(code, 0);
    assert!(
        text.contains("lookout-devices.json: Lookout devices, json, 16 record(s) — Lookout Mobile Risk API v2 JSON")
    );
    assert!(text.contains("groups.json: Entra groups, json, 10 record(s) — Graph JSON"));
    assert_same(
        &fingerprint(&tenant(Path::new("fixtures/sample"))),
        &fingerprint(&tenant(Path::new("fixtures/sample"))),
        "sample",
    );
}

#[test]
fn init_writes_a_template_and_a_guide_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("contoso");
    let out = bin().arg("init").arg(&dir).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for needle in [
        "Devices > All devices",
        "group-members/",
        "Connect-MgGraph",
        "Get-MgGroup -All",
        "Get-MgGroupMember",
        "Get-MgDeviceManagementManagedDevice -All",
        "Get-MgAuditLogDirectoryAudit -All -Filter",
        "mobileThreatDefenseConnectors",
        "@odata.nextLink",
        "/mra/api/v2/devices",
        "oauth2/token",
        "-Encoding utf8",
        "service-principals.json",
        "Get-MgServicePrincipalOauth2PermissionGrant",
    ] {
        assert!(readme.contains(needle), "README lacks {needle:?}");
    }
    let template: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("lookout.json")).unwrap()).unwrap();
    assert_eq!(template["coverage"], "enrollment-groups");

    // With a device list the template loads, without a word about its comments, but
    // validate refuses its placeholders (exit 2) until they are filled in ...
    std::fs::copy(
        Path::new(TWIN).join("intune-devices.json"),
        dir.join("intune-devices.json"),
    )
    .unwrap();
    let (text, stderr, code) = validate(&dir);
    assert_eq!(code, 2, "{text}");
    assert!(!text.contains("_comment"), "{text}");
    assert!(stderr.contains("tenant.azure_ad_tenant_id"), "{stderr}");
    // ... and a diagnosis makes no claim from them: the consent is unknown, not refused.
    let (found, _) = findings(&dir, &[]);
    assert!(
        !found.iter().any(|f| f.contains("consent-not-granted")),
        "{found:?}"
    );

    // A second init refuses, names the file, and changes nothing.
    std::fs::write(dir.join("README.md"), "my notes").unwrap();
    let out = bin().arg("init").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("lookout.json") && stderr.contains("already exists"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("README.md")).unwrap(),
        "my notes"
    );
}

/// Issue 14, item 1: every file recognised by its content, whatever its name.
#[test]
fn renamed_exports_are_recognised_by_their_content() {
    let (want, want_code) = findings(Path::new(TWIN), &[]);
    // The case: with the memberships file misnamed, a tenant with a 403
    // user and a missing device got "No problems found" and exit 0.
    assert_eq!(want_code, 1);
    for rule in ["console-access-denied", "device-missing"] {
        assert!(want.iter().any(|f| f.contains(rule)), "{rule}: {want:#?}");
    }
    for name in ["group-memberships.csv", "exportGroupMembers_2026-11-20.csv"] {
        let tmp = copy_of("fixtures/export-csv");
        std::fs::rename(tmp.path().join("groups.csv"), tmp.path().join(name)).unwrap();
        assert_eq!(
            findings(tmp.path(), &[]),
            (want.clone(), want_code),
            "{name}"
        );
        let (text, _, _) = validate(tmp.path());
        assert!(
            text.contains(&format!(
                "{name}: Entra groups, csv, 48 record(s) — group membership CSV"
            )),
            "{text}"
        );
    }
    // Graph JSON under a name of its own.
    let tmp = copy_of(TWIN);
    std::fs::rename(
        tmp.path().join("intune-devices.json"),
        tmp.path().join("intune_devices.json"),
    )
    .unwrap();
    assert_eq!(findings(tmp.path(), &[]), (want.clone(), want_code));
    // An Entra "Download members" file in the folder itself, named after its group.
    let tmp = copy_of(FORMS[0]);
    std::fs::rename(
        tmp.path().join("group-members/Lookout Pilot.csv"),
        tmp.path().join("Lookout Pilot.csv"),
    )
    .unwrap();
    assert_eq!(findings(tmp.path(), &[]), (want.clone(), want_code));
    let (text, _, _) = validate(tmp.path());
    assert!(
        text.contains("group-members/, Lookout Pilot.csv: Entra groups, csv, 48 record(s) — Entra group members CSV (10 files)"),
        "{text}"
    );
}

/// A "Download members" file does not say which group it lists: a name that is no
/// group of the snapshot and no group's name either is refused, with what to do.
#[test]
fn member_files_need_the_name_of_their_group() {
    for place in ["", "group-members/"] {
        let tmp = copy_of(FORMS[0]);
        std::fs::rename(
            tmp.path().join("group-members/Lookout Pilot.csv"),
            tmp.path()
                .join(format!("{place}exportGroupMembers_2026-11-20.csv")),
        )
        .unwrap();
        assert_unreadable(
            tmp.path(),
            &[
                "exportGroupMembers_2026-11-20.csv",
                "Download members",
                "name the file after the group's display name",
            ],
        );
    }
}

/// `validate`'s text with its wrapped lines joined, to find a sentence in it.
fn unwrapped(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Issue 14, item 2: every entry of the folder is read or named with its reason.
#[test]
fn validate_names_every_entry_of_the_folder() {
    let tmp = copy_of(TWIN);
    let dir = tmp.path();
    let write = |name: &str, text: &str| {
        if let Some(parent) = Path::new(name).parent() {
            std::fs::create_dir_all(dir.join(parent)).unwrap();
        }
        std::fs::write(dir.join(name), text).unwrap();
    };
    write("notes.txt", "exported by Ana on Friday\n");
    write(
        "devices-extra.csv",
        "Device name,OS version,Color\nPhone,17,red\n",
    );
    write(
        "token.json",
        "{\"access_token\": \"x\", \"expires_in\": 7200}",
    );
    write(".DS_Store", "\0\0\0\x01Bud1");
    write("~$groups.xlsx", "lock");
    write("groups.json~", "{}");
    write("old/intune-devices.json", "{}");
    write("lookout-doctor.toml", "[rules]\n");
    let report = bin()
        .arg("diagnose")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    std::fs::write(dir.join("last-report.json"), &report.stdout).unwrap();
    let (text, _, code) = validate(dir);
    assert_eq!(code, 0, "{text}");
    let text = unwrapped(&text);
    for needle in [
        "Not read:",
        "README.md: a Markdown document, not an export",
        "notes.txt: not recognised as any export (text that is neither JSON nor CSV)",
        "devices-extra.csv: not recognised as any export (CSV with the columns \"Device name\", \"OS version\", \"Color\"); it comes closest to intune-devices.csv (shares \"Device name\", \"OS version\")",
        "token.json: not recognised as any export (JSON with the keys \"access_token\", \"expires_in\")",
        ".DS_Store: a hidden or system file",
        "~$groups.xlsx: a lock file",
        "groups.json~: a backup or temporary copy",
        "old/: a subfolder: only group-members/ is read",
        "lookout-doctor.toml: lookout-doctor's policy file",
        "last-report.json: a report written by lookout-doctor",
    ] {
        assert!(text.contains(needle), "lacks {needle:?}:\n{text}");
    }
    // The reads are the twin's: nothing not read changed a finding.
    assert_eq!(findings(dir, &[]), findings(Path::new(TWIN), &[]));
}

/// Files not recognised are data notes of every report (files that are plainly not
/// exports are not).
#[test]
fn unrecognised_files_are_data_notes() {
    let tmp = copy_of(TWIN);
    std::fs::write(tmp.path().join("notes.txt"), "not an export\n").unwrap();
    std::fs::write(tmp.path().join(".DS_Store"), "x").unwrap();
    let (report, _) = support::json_report(&["diagnose", tmp.path().to_str().unwrap()]);
    let notes = report["notes"].as_array().unwrap();
    let files: Vec<&str> = notes.iter().map(|n| n["file"].as_str().unwrap()).collect();
    assert!(files.contains(&"notes.txt"), "{notes:#?}");
    assert!(!files.contains(&"README.md") && !files.contains(&".DS_Store"));
    // Every format names it, and --fail-on-skipped refuses to pass a snapshot that was
    // not fully read: the report is printed, then exit 2.
    for format in [
        "human", "json", "markdown", "sarif", "junit", "csv", "github",
    ] {
        let out = bin()
            .arg("diagnose")
            .arg(tmp.path())
            .args(["--format", format, "--fail-on", "never"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("notes.txt"), "{format}:\n{text}");
        assert_eq!(out.status.code(), Some(0), "{format}");
        let out = bin()
            .arg("diagnose")
            .arg(tmp.path())
            .args([
                "--format",
                format,
                "--fail-on",
                "never",
                "--fail-on-skipped",
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{format}: {stderr}");
        assert!(stderr.contains("notes.txt"), "{format}: {stderr}");
        assert!(
            !out.stdout.is_empty(),
            "{format}: the report is still printed"
        );
    }
    let out = bin().arg("diagnose").arg(tmp.path()).output().unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("not recognised as any export"), "{human}");
    // A hidden file alone is listed by validate but fails nothing.
    std::fs::remove_file(tmp.path().join("notes.txt")).unwrap();
    let out = bin()
        .arg("diagnose")
        .arg(tmp.path())
        .args(["--fail-on", "never", "--fail-on-skipped"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// An explicitly empty list is a valid export of nothing, said loudly; a file whose
/// record list cannot be found is an error.
#[test]
fn empty_envelopes_and_missing_lists() {
    let tmp = copy_of(TWIN);
    std::fs::remove_file(tmp.path().join("lookout-devices.json")).unwrap();
    std::fs::write(
        tmp.path().join("MRA devices.json"),
        "{\"count\": 0, \"devices\": []}",
    )
    .unwrap();
    let (text, _, code) = validate(tmp.path());
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("MRA devices.json: Lookout devices, json, 0 record(s) — Lookout Mobile Risk API v2 JSON"),
        "{text}"
    );
    assert!(text.contains("the export holds no records"), "{text}");
    let (report, _) = support::json_report(&["diagnose", tmp.path().to_str().unwrap()]);
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["file"] == "MRA devices.json"
                && n["message"].as_str().unwrap().contains("holds no records")),
        "{report:#}"
    );

    let tmp = copy_of(TWIN);
    std::fs::remove_file(tmp.path().join("intune-devices.json")).unwrap();
    std::fs::write(
        tmp.path().join("managed.json"),
        "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#deviceManagement/managedDevices\", \"@odata.count\": 25}",
    )
    .unwrap();
    assert_unreadable(tmp.path(), &["managed.json:1:", "no \"value\" list"]);
}

/// A zip archive built in a test: `(name, bytes, compressed)` entries.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Sets a flag or field of every header (local and central) of a zip: what a tool
/// that encrypts or compresses otherwise writes, without its payload.
fn patch_headers(zip: &mut [u8], local_offset: usize, central_offset: usize, value: u16) {
    for i in 0..zip.len().saturating_sub(4) {
        let at = match &zip[i..i + 4] {
            b"PK\x03\x04" => i + local_offset,
            b"PK\x01\x02" => i + central_offset,
            _ => continue,
        };
        zip[at..at + 2].copy_from_slice(&value.to_le_bytes());
    }
}

/// Issue 14, item 3: zips are read as the files they hold, within bounds.
#[test]
fn zip_archives_and_their_bounds() {
    let twin = Path::new(TWIN);
    let file = |name: &str| std::fs::read(twin.join(name)).unwrap();
    // A snapshot zipped whole, in a folder of its own inside the archive, with an
    // archive inside it, a macOS resource fork and an Office workbook beside it.
    let tmp = tempfile::tempdir().unwrap();
    let inner = zip_of(&[("x.csv", b"a,b\n1,2\n")]);
    let mut entries: Vec<(String, Vec<u8>)> = [
        "snapshot.json",
        "lookout.json",
        "groups.json",
        "lookout-devices.json",
        "intune-devices.json",
        "audit-logs.json",
        "intune-mtd-connector.json",
    ]
    .iter()
    .map(|n| (format!("Contoso/{n}"), file(n)))
    .collect();
    entries.push(("Contoso/older.zip".into(), inner));
    entries.push((
        "__MACOSX/Contoso/._lookout.json".into(),
        b"\0\x05\x16\x07".to_vec(),
    ));
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    std::fs::write(tmp.path().join("contoso snapshot.zip"), zip_of(&refs)).unwrap();
    std::fs::write(
        tmp.path().join("Book1.xlsx"),
        zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
        ]),
    )
    .unwrap();
    assert_eq!(findings(tmp.path(), &[]), findings(twin, &[]));
    let (text, _, _) = validate(tmp.path());
    let text = unwrapped(&text);
    for needle in [
        "contoso snapshot.zip/Contoso/intune-devices.json: Intune devices, json, 25 record(s)",
        "contoso snapshot.zip/Contoso/older.zip: an archive inside an archive: only one level is opened",
        "contoso snapshot.zip/__MACOSX/Contoso/._lookout.json: a hidden or system file",
        "Book1.xlsx: not recognised as any export (an Excel workbook); save each sheet as CSV UTF-8",
    ] {
        assert!(text.contains(needle), "lacks {needle:?}:\n{text}");
    }

    // Encrypted entries and other compression methods are named, not read.
    let tmp = copy_of(TWIN);
    let mut locked = zip_of(&[("intune-devices-2.json", b"{\"value\": []}")]);
    patch_headers(&mut locked, 6, 8, 1);
    std::fs::write(tmp.path().join("locked.zip"), locked).unwrap();
    let mut bzip = zip_of(&[("more.json", b"{\"value\": []}")]);
    patch_headers(&mut bzip, 8, 10, 12);
    std::fs::write(tmp.path().join("bzip.zip"), bzip).unwrap();
    let (text, _, code) = validate(tmp.path());
    assert_eq!(code, 0, "{text}");
    let text = unwrapped(&text);
    assert!(
        text.contains("locked.zip/intune-devices-2.json: encrypted inside the archive"),
        "{text}"
    );
    assert!(
        text.contains(
            "bzip.zip/more.json: compressed with a method lookout-doctor does not read (bzip2)"
        ),
        "{text}"
    );

    // Each entry is held to the per-file limit as it is decompressed, whatever its
    // header says, and an archive's entries together to four times that.
    let out = bin()
        .arg("validate")
        .arg("fixtures/export-arbitrary-names")
        .env("LOOKOUT_DOCTOR_MAX_FILE_SIZE", "12000")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(".zip/DevicesWithInventory_4b0f7d2a-9c1e-4f3a-8e5d-2c6b1a7f9e30.csv: decompresses to more than 11.7 KiB, the limit per input file"),
        "{stderr}"
    );
    let tmp = copy_of(TWIN);
    std::fs::remove_file(tmp.path().join("intune-devices.json")).unwrap();
    std::fs::remove_file(tmp.path().join("audit-logs.json")).unwrap();
    let pages = file("intune-devices.json");
    let five: Vec<(String, &[u8])> = (1..=5)
        .map(|i| (format!("intune-devices-{i}.json"), pages.as_slice()))
        .collect();
    let refs: Vec<(&str, &[u8])> = five.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    std::fs::write(tmp.path().join("pages.zip"), zip_of(&refs)).unwrap();
    let out = bin()
        .arg("validate")
        .arg(tmp.path())
        .env("LOOKOUT_DOCTOR_MAX_FILE_SIZE", "20000")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("pages.zip/intune-devices-5.json: the archive's files decompress to more than 78.1 KiB in all"),
        "{stderr}"
    );

    // A damaged archive is an error, not a file passed over.
    let tmp = copy_of(TWIN);
    std::fs::write(tmp.path().join("download.zip"), b"PK\x03\x04 cut short").unwrap();
    assert_unreadable(tmp.path(), &["download.zip", "cannot be read as one"]);
}

/// Entra audit logs as Azure Monitor (Event Hub, storage account) and Log Analytics
/// (portal CSV, query API) write them (issue 14): read as the audit log they are, so the owners
/// removed from an enrollment group are diagnosed as removed. Read as an empty log,
/// the same devices were blamed on a deleted group.
#[test]
fn azure_monitor_audit_logs_explain_a_removal_from_an_enrollment_group() {
    // Joni was removed from "Lookout Wave 2" (no Group target in the record), Alex
    // from "Lookout Wave 1" (a Group target without a display name).
    let removed = [
        "error device-active-without-id device:09adb9fc-7289-4912-b3da-b0bd5ee82e88 cause=owner-removed-from-enrollment-group",
        "error device-active-without-id device:7eb93c11-c2a0-4b71-a1e9-68ae2095003a cause=owner-removed-from-enrollment-group",
    ];
    for dir in [
        "fixtures/export-azure-monitor",
        "fixtures/export-azure-storage",
        "fixtures/export-log-analytics-api",
        "fixtures/export-log-analytics",
    ] {
        let (found, _) = findings(Path::new(dir), &[]);
        for want in removed {
            assert!(found.iter().any(|f| f == want), "{dir}: {found:#?}");
        }
    }
    let (text, _, code) = validate(Path::new("fixtures/export-azure-monitor"));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("audit-logs.json: Entra audit log, json, 20 record(s), 1 skipped — Azure Monitor records"),
        "{text}"
    );
    assert!(text.contains("not a directory audit record"), "{text}");
    let (text, _, _) = validate(Path::new("fixtures/export-azure-storage"));
    assert!(
        text.contains("PT1H.json: Entra audit log, json, 20 record(s), 1 skipped — Azure Monitor storage blob, JSON Lines (21 lines)"),
        "{text}"
    );
    let (text, _, _) = validate(Path::new("fixtures/export-log-analytics"));
    assert!(
        text.contains(
            "query_data.csv: Entra audit log, csv, 20 record(s) — Log Analytics CSV export of the AuditLogs table"
        ),
        "{text}"
    );
    let (text, _, _) = validate(Path::new("fixtures/export-log-analytics-api"));
    assert!(
        text.contains("20 record(s) — Log Analytics query API response"),
        "{text}"
    );
}

/// A diagnosis as JSON.
fn report(dir: &Path) -> Value {
    let out = bin()
        .arg("diagnose")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The admin center's `OS` column as it is written now (issue 14): `iOS/iPadOS` for
/// iPhones and iPads, the Android Enterprise kind for Android phones. They are phones
/// like any other (an unknown OS would drop them out of every device rule), and the
/// evidence keeps the label as written.
#[test]
fn admin_center_os_labels_are_phones() {
    let dir = Path::new("fixtures/export-admin-center-2026");
    assert_eq!(findings(dir, &[]), findings(Path::new(TWIN), &[]));
    let report = report(dir);
    let henrietta = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"]["id"] == "c633ca1e-c3d3-4e12-a20f-afa5ad1e59e7")
        .unwrap();
    assert_eq!(henrietta["cause"], "unsupported-os");
    assert_eq!(
        henrietta["evidence"]["operating_system"],
        "Android (device administrator)"
    );
    let (text, _, code) = validate(dir);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("unknown operatingSystem"), "{text}");
}

/// The Intune export after a European Excel saved it again (issue 14): `20.11.2026
/// 11:18` in German, `20/11/2026 11:18` in British English, seconds dropped. Read in
/// the order the file shows, they give the twin's findings and its times to the minute.
#[test]
fn european_spreadsheet_dates_read_in_the_order_their_file_shows() {
    let twin = tenant(Path::new(TWIN));
    let minute = |t: &Option<time::Time>| t.map(|t| time::format(&t)[..16].to_string());
    let (want, want_code) = findings(Path::new(TWIN), &[]);
    for dir in ["fixtures/export-excel-de", "fixtures/export-excel-gb"] {
        let dir = Path::new(dir);
        assert_eq!(
            findings(dir, &[]),
            (want.clone(), want_code),
            "{}",
            dir.display()
        );
        let t_ = tenant(dir);
        for d in &t_.intune_devices {
            let same = twin.intune_devices.iter().find(|x| x.id == d.id).unwrap();
            assert_eq!(
                minute(&d.last_sync_date_time),
                minute(&same.last_sync_date_time),
                "{}",
                d.id
            );
            assert_eq!(
                minute(&d.enrolled_date_time),
                minute(&same.enrolled_date_time),
                "{}",
                d.id
            );
        }
    }

    // Every day of the file at most 12 (research/14/6-excel-dates): 05/11/2026 is the
    // 5th of November or the 11th of May, and nothing in the file says which.
    let tmp = copy_of("fixtures/export-excel-gb");
    std::fs::copy(
        "fixtures/refused/intune-devices-ambiguous-dates.csv",
        tmp.path().join(ADMIN_CSV),
    )
    .unwrap();
    assert_unreadable(
        tmp.path(),
        &[
            ADMIN_CSV,
            "record 1 (line 2): column \"Last check-in\": \"05/11/2026 11:18\" could be 5 November 2026 or 11 May 2026",
            "accepted:",
            "20.11.2026 07:00",
        ],
    );

    // One value re-typed the American way into a British file: two orders, refused.
    let tmp = copy_of("fixtures/export-excel-gb");
    let path = tmp.path().join(ADMIN_CSV);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("22/04/2026 08:43", "04/22/2026 08:43", 1),
    )
    .unwrap();
    assert_unreadable(
        tmp.path(),
        &[
            ADMIN_CSV,
            "record 1 (line 2): column \"Enrollment date\": \"04/22/2026 08:43\" is month first, but \"20/11/2026 11:18\" (column \"Last check-in\", record 1) is day first",
            "accepted:",
        ],
    );
}

/// The Lookout Mobile Risk API v2 event stream saved as the device list (issue 14):
/// as JSON, polled, or as the raw stream, it is refused with exit 2, naming the file,
/// what it is and the export to use. Read as devices, every phone was missing.
#[test]
fn the_lookout_event_stream_is_not_the_device_list() {
    for file in [
        "lookout-mra-v2-event-stream.json",
        "lookout-mra-v2-events-poll.json",
        "lookout-mra-v2-event-stream.sse",
    ] {
        // Saved as the device list, or under a name of its own.
        for name in ["lookout-devices.json", file] {
            let tmp = copy_of(TWIN);
            std::fs::remove_file(tmp.path().join("lookout-devices.json")).unwrap();
            std::fs::copy(
                Path::new("fixtures/refused").join(file),
                tmp.path().join(name),
            )
            .unwrap();
            assert_unreadable(
                tmp.path(),
                &[
                    &format!("{name}: this is the Lookout Mobile Risk API v2 event stream"),
                    "change log of at most the last ten days",
                    "GET https://api.lookout.com/mra/api/v2/devices, every page",
                ],
            );
            let out = bin().arg("diagnose").arg(tmp.path()).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{name}");
        }
    }
    // The older events form is still read, and says what an event log leaves out.
    let (text, _, code) = validate(Path::new("fixtures/export-lookout-events"));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("An event log holds only the devices that changed"),
        "{text}"
    );
}

/// Graph lists every Mobile Threat Defense partner's connector (issue 14): only
/// Lookout's is judged and shown in the health line; `validate` names the others, and a
/// list without Lookout's says so.
#[test]
fn only_lookouts_mtd_connector_is_judged() {
    let human = |dir: &str| {
        let out = bin()
            .args(["diagnose", dir, "--color", "never"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let dir = "fixtures/config-intune-mtd-other-partners";
    let text = human(dir);
    assert!(
        text.contains(
            "OK   Intune MTD connector       enabled; last heartbeat 2026-11-20T08:47:21Z"
        ),
        "{text}"
    );
    assert_eq!(text.matches("Intune MTD connector").count(), 1, "{text}");
    let (text, _, code) = validate(Path::new(dir));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(
            "2 connector(s) of other Mobile Threat Defense partners, not judged: Microsoft"
        ),
        "{text}"
    );
    assert!(text.contains("Zimperium (notSetUp)"), "{text}");

    let dir = "fixtures/config-intune-mtd-lookout-missing";
    let text = human(dir);
    assert!(
        text.contains("FAIL Intune MTD connector       no Lookout for Work connector in Intune"),
        "{text}"
    );
    let (text, _, _) = validate(Path::new(dir));
    assert!(
        text.contains("none of these connectors is Lookout's"),
        "{text}"
    );
    assert!(text.contains("unknown partner"), "{text}");
}
