//! Configuration that is quietly wrong is said, end to end: an unedited `init`
//! template is unknown rather than wrong, a misspelt lookout.json key is named with
//! the setting it means, an unset console configuration is only a health line, and a
//! judging time far from the export is said, with no negative age anywhere.

mod support;

use serde_json::Value;
use support::{bin, copy_of, fixture, json_report};

fn health<'r>(report: &'r Value, item: &str) -> &'r Value {
    report["health"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["item"] == item)
        .unwrap_or_else(|| panic!("no health line {item}"))
}

fn stdout(args: &[&str]) -> (String, i32) {
    let out = bin().args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn an_unedited_template_is_unknown_not_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap");
    let snap = snap.to_str().unwrap();
    bin().args(["init", snap]).assert().success();
    std::fs::copy(
        fixture("healthy").join("intune-devices.json"),
        dir.path().join("snap/intune-devices.json"),
    )
    .unwrap();

    // validate: every placeholder named, exit 2.
    let out = bin().args(["validate", snap]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for key in [
        "tenant.azure_ad_tenant_id",
        "console_access.full_access_group_id",
        "intune_connector.enrollment_groups[0]",
    ] {
        assert!(err.contains(key), "{key} not named: {err}");
    }
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Loaded without errors"));

    // diagnose: no claim about the tenant, a note per placeholder, the consent unknown.
    let (report, _) = json_report(&["diagnose", snap]);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for quiet in [
        "consent-not-granted",
        "tenant-not-linked",
        "console-access-group-not-found",
        "enrollment-group-not-found",
        "enrollment-groups-unset",
    ] {
        assert!(!rules.contains(&quiet), "{quiet} fired on the template");
    }
    let notes = report["notes"].to_string();
    assert_eq!(
        notes.matches("template's placeholder").count(),
        3,
        "{notes}"
    );
    assert_eq!(health(&report, "consent")["status"], "unknown");
    for item in ["tenant-link", "console-full-access", "enrollment-groups"] {
        let line = health(&report, item);
        assert_eq!(line["status"], "unknown", "{item}");
        assert!(
            line["detail"].as_str().unwrap().contains("placeholder"),
            "{item}: {line}"
        );
    }
    let skipped = report["skipped"].to_string();
    assert!(
        skipped.contains("tenant.azure_ad_tenant_id in lookout.json still holds"),
        "{skipped}"
    );
    assert!(skipped.contains("\"cause\":\"placeholder\""), "{skipped}");
    assert_eq!(report["complete"], false);

    // A template left unfilled is a snapshot not fully read: --fail-on-skipped says so.
    let out = bin()
        .args(["diagnose", snap, "--fail-on", "never", "--fail-on-skipped"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("lookout.json still holds template placeholders, so")
            && err.contains("tenant-not-linked"),
        "{err}"
    );
}

#[test]
fn a_misspelt_key_is_named_with_the_setting_it_means() {
    let (out, code) = stdout(&["validate", "fixtures/config-enrollment-groups-misspelt"]);
    assert_eq!(code, 0);
    // Long notes are wrapped; the words are what matters.
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        out.contains(
            "unknown setting \"intune_connector.enrolment_groups\" was ignored; did you mean \"intune_connector.enrollment_groups\"?"
        ),
        "{out}"
    );
    assert!(!out.contains(".?."), "{out}");
    let (report, code) = json_report(&["diagnose", "fixtures/config-enrollment-groups-misspelt"]);
    assert_eq!(code, 1);
    let line = health(&report, "enrollment-groups");
    assert_eq!(line["status"], "error");
    assert!(!line["detail"].as_str().unwrap().contains("OK"));
}

#[test]
fn unset_console_access_is_a_health_line_only() {
    let (report, code) = json_report(&["diagnose", "fixtures/config-console-access-unset"]);
    assert_eq!(code, 0);
    assert!(report["findings"].as_array().unwrap().is_empty());
    let full = health(&report, "console-full-access");
    assert_eq!(full["status"], "unknown");
    assert!(full["detail"]
        .as_str()
        .unwrap()
        .contains("console_access.full_access_group_id"));
    assert_eq!(health(&report, "console-restricted-access")["status"], "ok");
    // Each console group's line follows only its own findings.
    let (report, _) = json_report(&["diagnose", "fixtures/config-console-access-group-not-found"]);
    assert_eq!(health(&report, "console-full-access")["status"], "error");
    assert_eq!(
        health(&report, "console-restricted-access")["status"],
        "error"
    );
}

#[test]
fn consent_says_which_evidence_decided() {
    let (report, _) = json_report(&["diagnose", "fixtures/scenario-consent-granted-in-entra"]);
    let consent = health(&report, "consent");
    assert_eq!(consent["status"], "ok");
    let detail = consent["detail"].as_str().unwrap();
    assert!(detail.contains("service-principals.json"), "{detail}");
    assert!(
        detail.contains("lookout.json says granted: false"),
        "{detail}"
    );
    assert!(detail.contains("\"lookout_saml\""), "{detail}");

    let (report, _) = json_report(&["diagnose", "fixtures/scenario-consent-no-admin-grant"]);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "consent-not-granted");
    assert_eq!(f["evidence"]["decided_by"], "service-principals.json");
    let app = &f["evidence"]["lookout_applications"][0];
    assert_eq!(app["display_name"], "Lookout Mobile Endpoint Security");
    assert_eq!(app["application_permissions"], 0);

    let (report, _) = json_report(&["diagnose", "fixtures/scenario-consent-unknown"]);
    let consent = health(&report, "consent");
    assert_eq!(consent["status"], "unknown");
    assert!(consent["detail"]
        .as_str()
        .unwrap()
        .contains("export service-principals.json"));
}

/// Grants listed apart join their application (the Graph Explorer way of exporting):
/// the joined applications hold exactly what the nested file holds.
#[test]
fn graph_lists_saved_apart_read_like_the_nested_file() {
    let (apart, _) = json_report(&["diagnose", "fixtures/scenario-consent-graph-lists"]);
    let nested = copy_of(fixture("scenario-consent-graph-lists"));
    for extra in [
        "service-principals-grants.json",
        "service-principals-roles.json",
    ] {
        std::fs::remove_file(nested.path().join(extra)).unwrap();
    }
    std::fs::copy(
        fixture("scenario-consent-no-admin-grant").join("service-principals.json"),
        nested.path().join("service-principals.json"),
    )
    .unwrap();
    let (without_grants, _) = json_report(&["diagnose", nested.path().to_str().unwrap()]);
    assert_eq!(health(&apart, "consent")["status"], "ok");
    assert_eq!(
        without_grants["findings"][0]["rule"], "consent-not-granted",
        "the same application without its grants"
    );
}

#[test]
fn a_judging_time_far_from_the_export_is_said_and_ages_never_go_negative() {
    for (as_of, words) in [
        ("2033-10-01T00:00:00Z", "days after the export"),
        ("2019-01-01T00:00:00Z", "days before the export"),
    ] {
        let (human, _) = stdout(&["diagnose", "fixtures/healthy", "--as-of", as_of]);
        let header: String = human.lines().take(6).collect::<Vec<_>>().join("\n");
        assert!(header.contains(words), "{as_of}: {header}");
        let (report, _) = json_report(&["diagnose", "fixtures/healthy", "--as-of", as_of]);
        assert_eq!(report["notes"][0]["file"], "snapshot.json");
        assert!(report["notes"][0]["message"]
            .as_str()
            .unwrap()
            .contains(words));
        for format in ["human", "json", "markdown", "csv"] {
            let (out, _) = stdout(&[
                "diagnose",
                "fixtures/scenario-device-disconnected",
                "--as-of",
                as_of,
                "--format",
                format,
            ]);
            let negative = regex_free_negative_age(&out);
            assert!(negative.is_none(), "{as_of} {format}: {negative:?}");
        }
    }
    // Close to the export, nothing is said.
    let (report, _) = json_report(&[
        "diagnose",
        "fixtures/healthy",
        "--as-of",
        "2026-12-10T00:00:00Z",
    ]);
    assert!(report["notes"].as_array().unwrap().is_empty());
}

/// The first "-<digits> day" / "-<digits> hour" or negative `days_since_*` value in
/// `text`, if any.
fn regex_free_negative_age(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('-') {
        let digits: String = text[i + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if digits.is_empty() || (i > 0 && bytes[i - 1].is_ascii_alphanumeric()) {
            continue;
        }
        let after = text[i + 1 + digits.len()..].trim_start();
        if after.starts_with("day") || after.starts_with("hour") {
            return Some(text[i..(i + 20).min(text.len())].to_string());
        }
    }
    ["\"days_since_check_in\":-", "\"days_since_heartbeat\":-"]
        .iter()
        .find(|k| text.contains(*k))
        .map(|k| k.to_string())
}
