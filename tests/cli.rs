//! The command line as users and pipelines meet it: exit codes, error messages on bad
//! input, the JSON contract, determinism, and the read-only promise.

mod support;

use indoc::indoc;
use serde_json::Value;
use std::path::Path;
use support::{bin, copy_of, json_report};

#[test]
fn healthy_tenant_is_silent_and_exits_0() {
    let (report, code) = json_report(&["diagnose", "fixtures/healthy"]);
    assert_eq!(code, 0);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    assert_eq!(
        report["summary"],
        serde_json::json!({"error": 0, "warning": 0, "info": 0, "suppressed": 0})
    );
    let out = bin()
        .args(["diagnose", "fixtures/healthy"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("No problems found."));
}

#[test]
fn json_report_has_the_contract_shape() {
    let (r, code) = json_report(&["diagnose", "fixtures/sample"]);
    assert_eq!(code, 1);
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["tool"]["name"], "lookout-doctor");
    assert_eq!(r["as_of"], "2026-11-20T12:00:00Z");
    for key in ["path", "tenant_id", "counts"] {
        assert!(r["snapshot"].get(key).is_some(), "snapshot.{key}");
    }
    for key in ["groups", "users", "lookout_devices", "intune_devices"] {
        assert!(
            r["snapshot"]["counts"][key].as_u64().unwrap() > 0,
            "counts.{key}"
        );
    }
    let findings = r["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    let rank = |s: &str| {
        ["error", "warning", "info"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    let mut last = (0, String::new(), String::new());
    for f in findings {
        for key in [
            "rule",
            "severity",
            "subject",
            "cause",
            "title",
            "diagnosis",
            "impact",
            "remediation",
            "references",
            "evidence",
        ] {
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
        let diagnosis = f["diagnosis"].as_str().unwrap();
        assert!(
            !diagnosis.contains('{') && !diagnosis.contains("[["),
            "unfilled template: {diagnosis}"
        );
        assert!(!f["remediation"].as_array().unwrap().is_empty());
        let key = (
            rank(f["severity"].as_str().unwrap()),
            f["rule"].as_str().unwrap().to_string(),
            f["subject"]["id"].as_str().unwrap().to_string(),
        );
        assert!(key >= last, "findings out of order: {key:?} after {last:?}");
        last = key;
    }
    let summary = &r["summary"];
    let total: u64 = ["error", "warning", "info"]
        .iter()
        .map(|k| summary[k].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, findings.len());
}

#[test]
fn same_snapshot_same_bytes() {
    let run = || {
        bin()
            .args(["diagnose", "fixtures/sample", "--format", "json"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
    let human = || {
        bin()
            .args(["diagnose", "fixtures/sample"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(human(), human());
}

#[test]
fn fail_on_sets_the_exit_code() {
    // scenario-device-pending has warnings only.
    let code = |extra: &[&str]| {
        bin()
            .args(["diagnose", "fixtures/scenario-device-pending"])
            .args(extra)
            .output()
            .unwrap()
            .status
            .code()
            .unwrap()
    };
    assert_eq!(code(&[]), 0);
    assert_eq!(code(&["--fail-on", "warning"]), 1);
    assert_eq!(code(&["--fail-on", "info"]), 1);
    assert_eq!(
        bin()
            .args(["diagnose", "fixtures/sample", "--fail-on", "never"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn as_of_changes_time_based_verdicts() {
    // One day later, the phone that checked in 29 days before the export is disconnected.
    let (before, _) = json_report(&["diagnose", "fixtures/scenario-device-disconnected"]);
    let (after, _) = json_report(&[
        "diagnose",
        "fixtures/scenario-device-disconnected",
        "--as-of",
        "2026-11-21T12:00:00Z",
    ]);
    let count = |r: &Value| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "device-disconnected")
            .count()
    };
    assert_eq!(count(&after), count(&before) + 1);
    assert_eq!(after["as_of"], "2026-11-21T12:00:00Z");
}

#[test]
fn no_color_in_pipes_and_color_on_request() {
    let plain = bin()
        .args(["diagnose", "fixtures/sample"])
        .output()
        .unwrap()
        .stdout;
    assert!(!plain.contains(&0x1b), "escape codes in piped output");
    let colored = bin()
        .args(["diagnose", "fixtures/sample", "--color", "always"])
        .output()
        .unwrap()
        .stdout;
    assert!(colored.contains(&0x1b));
}

fn assert_load_error(dir: &Path, needles: &[&str]) {
    let out = bin().arg("diagnose").arg(dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "a failed load must print no report");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "stderr lacks {n:?}: {stderr}");
    }
}

#[test]
fn truncated_json_names_file_line_and_column() {
    let tmp = copy_of("fixtures/healthy");
    let path = tmp.path().join("lookout-devices.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    assert_load_error(tmp.path(), &["lookout-devices.json:", "ends too early"]);
}

#[test]
fn wrong_shapes_and_values_are_clear_errors() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "groups.json",
            "[]",
            &["groups.json:1:", "expected an object with a \"value\" list"],
        ),
        (
            "lookout-devices.json",
            "{\"devices\": [{\"guid\": \"x\", \"checkin_time\": \"2026-13-45T00:00:00Z\"}]}",
            &["lookout-devices.json:1:", "not a timestamp"],
        ),
        (
            "lookout-devices.json",
            "{\"devices\": [{\"activation_status\": \"PENDING\"}]}",
            &["missing field `guid`"],
        ),
        (
            "lookout.json",
            "{\"coverage\": \"everything\"}",
            &["lookout.json:1:", "enrollment-groups"],
        ),
        ("lookout.json", "", &["lookout.json", "empty"]),
        (
            "intune-devices.json",
            "{\"value\": [{\"id\": 5}]}",
            &["intune-devices.json:1:", "expected a string"],
        ),
    ];
    for (file, content, needles) in cases {
        let tmp = copy_of("fixtures/healthy");
        std::fs::write(tmp.path().join(file), content).unwrap();
        assert_load_error(tmp.path(), needles);
    }
}

#[test]
fn missing_files_and_folders() {
    assert_load_error(
        Path::new("fixtures/does-not-exist"),
        &["snapshot folder not found"],
    );
    let tmp = copy_of("fixtures/healthy");
    std::fs::remove_file(tmp.path().join("lookout.json")).unwrap();
    assert_load_error(tmp.path(), &["lookout.json is missing"]);

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("lookout.json"), "{}").unwrap();
    assert_load_error(tmp.path(), &["lookout-devices.json or intune-devices.json"]);
}

#[test]
fn csv_errors_name_the_record() {
    let tmp = copy_of("fixtures/healthy");
    std::fs::remove_file(tmp.path().join("lookout-devices.json")).unwrap();
    std::fs::write(
        tmp.path().join("lookout-devices.csv"),
        indoc! {"
            guid,activation_status,email
            lk-1,ACTIVATED,a@contoso.com
            lk-2,PENDING
        "},
    )
    .unwrap();
    assert_load_error(
        tmp.path(),
        &[
            "lookout-devices.csv: record 2 (line 3)",
            "2 fields but the header has 3",
        ],
    );
}

#[test]
fn absent_optional_files_skip_their_rules() {
    let tmp = copy_of("fixtures/healthy");
    std::fs::remove_file(tmp.path().join("groups.json")).unwrap();
    let (r, code) = json_report(&["diagnose", tmp.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    let skipped: Vec<&str> = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rule"].as_str().unwrap())
        .collect();
    assert!(skipped.contains(&"console-access-denied"), "{skipped:?}");
    assert!(skipped.contains(&"device-missing"), "{skipped:?}");
    assert!(r["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("groups.json"));
}

#[test]
fn csv_device_lists_load_like_json() {
    // The same Lookout device list as CSV gives the same findings.
    let tmp = copy_of("fixtures/scenario-device-disconnected");
    let devices: Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("lookout-devices.json")).unwrap(),
    )
    .unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "guid",
        "activation_status",
        "protection_status",
        "security_status",
        "platform",
        "email",
        "checkin_time",
        "activated_at",
        "details.external_id",
        "hardware.manufacturer",
        "hardware.model",
    ])
    .unwrap();
    for d in devices["devices"].as_array().unwrap() {
        let s = |v: &Value| v.as_str().unwrap_or("").to_string();
        w.write_record([
            s(&d["guid"]),
            s(&d["activation_status"]),
            s(&d["protection_status"]),
            s(&d["security_status"]),
            s(&d["platform"]),
            s(&d["email"]),
            s(&d["checkin_time"]),
            s(&d["activated_at"]),
            s(&d["details"]["external_id"]),
            s(&d["hardware"]["manufacturer"]),
            s(&d["hardware"]["model"]),
        ])
        .unwrap();
    }
    std::fs::remove_file(tmp.path().join("lookout-devices.json")).unwrap();
    std::fs::write(
        tmp.path().join("lookout-devices.csv"),
        w.into_inner().unwrap(),
    )
    .unwrap();
    let (json_run, _) = json_report(&["diagnose", "fixtures/scenario-device-disconnected"]);
    let (csv_run, _) = json_report(&["diagnose", tmp.path().to_str().unwrap()]);
    let strip = |r: &Value| -> Vec<(String, String, String)> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].to_string(),
                    f["subject"]["id"].to_string(),
                    f["cause"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(strip(&json_run), strip(&csv_run));
}

#[test]
fn diagnose_never_writes_into_the_snapshot() {
    let tmp = copy_of("fixtures/sample");
    let listing = |p: &Path| {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(p)
            .unwrap()
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = listing(tmp.path());
    bin().arg("diagnose").arg(tmp.path()).output().unwrap();
    bin().arg("validate").arg(tmp.path()).output().unwrap();
    assert_eq!(before, listing(tmp.path()));
}

#[test]
fn focus_on_a_user_keeps_only_their_findings() {
    let (r, _) = json_report(&[
        "diagnose",
        "fixtures/sample",
        "--user",
        "JONI.SHERMAN@contoso.com",
    ]);
    let findings = r["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        let kind = f["subject"]["kind"].as_str().unwrap();
        if kind == "user" || kind == "device" {
            assert!(
                f.to_string()
                    .to_lowercase()
                    .contains("joni.sherman@contoso.com"),
                "{f}"
            );
        }
    }
}

#[test]
fn asking_about_a_user_states_their_console_access_without_judging_it() {
    // Bob is a phone user in no console group, and not an expected console user.
    let (r, _) = json_report(&[
        "diagnose",
        "fixtures/sample",
        "--user",
        "Bob.Martinez@contoso.com",
    ]);
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule"] != "console-access-denied"));
    let bob = &r["focus"][0];
    assert_eq!(bob["query"], "bob.martinez@contoso.com");
    assert_eq!(bob["found"], true);
    assert_eq!(bob["console_access"]["access"], "none");
    // Lee's access is full, through the group nested in the full-access group.
    let (r, _) = json_report(&[
        "diagnose",
        "fixtures/scenario-console-access",
        "--user",
        "lee.gu@contoso.com",
    ]);
    let access = &r["focus"][0]["console_access"];
    assert_eq!(access["access"], "full");
    assert_eq!(access["path"], "Lookout MES Admins > SecOps Analysts");
    let text = String::from_utf8(
        bin()
            .args([
                "diagnose",
                "fixtures/scenario-console-access",
                "--user",
                "lee.gu@contoso.com",
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    // The line wraps at the pipe width.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("console access: full, through Lookout MES Admins > SecOps Analysts"),
        "{text}"
    );
}

#[test]
fn a_user_or_device_in_no_export_is_said_plainly() {
    let out = bin()
        .args([
            "diagnose",
            "fixtures/scenario-device-pending",
            "--device",
            "lidias-galaxy",
            "--user",
            "lidia.holoway@contoso.com",
        ])
        .output()
        .unwrap();
    // Nothing about them to fail on: the exit code is the findings' as always.
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "user lidia.holoway@contoso.com: not in any export: check the spelling",
        "device lidias-galaxy: not in any export: check the spelling",
    ] {
        assert!(text.contains(line), "{text}");
    }
}

#[test]
fn fail_on_skipped_exits_2_after_printing_the_report() {
    let tmp = copy_of("fixtures/healthy");
    std::fs::remove_file(tmp.path().join("intune-mtd-connector.json")).unwrap();
    let dir = tmp.path().to_str().unwrap();
    assert_eq!(json_report(&["diagnose", dir]).1, 0, "reported, not failed");

    let out = bin()
        .args(["diagnose", dir, "--fail-on-skipped", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // The whole report is on stdout, the reason on stderr.
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not fully read (--fail-on-skipped)")
            && err.contains("intune-mtd-connector.json is not in the snapshot")
            && err.contains("intune-mtd-connector-not-enabled, intune-mtd-partner-unresponsive"),
        "{err}"
    );

    // Checks turned off on purpose do not count, on the command line or in the file.
    let allowed = [
        "--allow",
        "intune-mtd-connector-not-enabled",
        "--allow",
        "intune-mtd-partner-unresponsive",
    ];
    let mut args = vec!["diagnose", dir, "--fail-on-skipped"];
    args.extend(allowed);
    let out = bin().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
    std::fs::write(
        tmp.path().join("lookout-doctor.toml"),
        indoc! {r#"
            [rules]
            intune-mtd-connector-not-enabled = "off"
            intune-mtd-partner-unresponsive = "off"
        "#},
    )
    .unwrap();
    assert_eq!(json_report(&["diagnose", dir, "--fail-on-skipped"]).1, 0);

    // No Intune connector is a finding, not a gap: its settings checks have nothing
    // to judge.
    let no_connector = "fixtures/config-intune-connector-missing";
    let (r, code) = json_report(&["diagnose", no_connector, "--fail-on-skipped"]);
    assert_eq!(code, 1);
    assert_eq!(r["complete"], true);
    assert!(r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["cause"] == "no-intune-connector"));

    // Several tenants: 2 wins over the findings' 1, and the incomplete one is named.
    std::fs::remove_file(tmp.path().join("lookout-doctor.toml")).unwrap();
    let out = bin()
        .args(["diagnose", "fixtures/sample", dir, "--fail-on-skipped"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with(&format!("error: {dir}: ")), "{err}");
}

#[test]
fn rules_and_explain() {
    let out = bin().arg("rules").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("device-active-without-id") && text.contains("consent-not-granted"));

    let out = bin().args(["explain", "device-pending"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for heading in [
        "What it checks",
        "Why it matters",
        "Example",
        "How to fix",
        "References",
        "https://",
    ] {
        assert!(text.contains(heading), "explain lacks {heading}");
    }

    let out = bin().args(["explain", "device-pendng"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean \"device-pending\""));
}

#[test]
fn validate_reports_files_without_running_rules() {
    let out = bin()
        .args(["validate", "fixtures/sample"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("lookout-devices.json: Lookout devices, json, 16 record(s)"),
        "{text}"
    );
    assert!(!text.contains("device-pending"));
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(
        bin()
            .args(["diagnose", "fixtures/sample", "--as-of", "yesterday"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        bin()
            .args(["diagnose", "fixtures/sample", "--format", "xml"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        bin().args(["frobnicate"]).output().unwrap().status.code(),
        Some(2)
    );
}

#[test]
fn human_report_opens_with_the_integration_health() {
    let text = String::from_utf8(
        bin()
            .args(["diagnose", "fixtures/sample"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(text.contains("Integration health:"));
    assert!(text.contains("FAIL Enrollment groups"), "{text}");
    assert!(text.contains("WARN Error e-mails"), "{text}");
    assert!(text.contains("OK   Admin consent"), "{text}");
    // A healthy tenant is green throughout.
    let healthy = String::from_utf8(
        bin()
            .args(["diagnose", "fixtures/healthy"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let start = healthy.find("Integration health:").unwrap();
    let block: Vec<&str> = healthy[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| !l.starts_with("       "))
        .collect();
    assert!(block.len() >= 9, "{block:?}");
    assert!(
        block.iter().all(|l| l.trim_start().starts_with("OK")),
        "{block:?}"
    );
}

#[test]
fn device_findings_are_grouped_under_their_configuration_cause() {
    let dir = "fixtures/config-enrollment-group-case-mismatch";
    let (r, _) = json_report(&["diagnose", dir]);
    let device = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "device-active-without-id")
        .unwrap();
    assert_eq!(
        device["evidence"]["root_cause"],
        serde_json::json!({"rule": "enrollment-group-case-mismatch", "subject": "lookout pilot"})
    );
    let text = String::from_utf8(bin().args(["diagnose", dir]).output().unwrap().stdout).unwrap();
    assert!(
        text.contains("Fixing this also resolves 2 finding(s)"),
        "{text}"
    );
    // Listed once, as a line under its cause, not as a full block of its own: the
    // device without an ID, and the handed-over phone whose new owner the rename
    // brings in.
    for (rule, severity) in [
        ("device-active-without-id", "ERROR"),
        ("device-new-owner", "WARNING"),
    ] {
        assert!(!text.contains(&format!("\n{severity} {rule} ·")), "{text}");
        assert!(
            text.contains(&format!("- {severity} {rule} · device")),
            "{text}"
        );
    }
}
