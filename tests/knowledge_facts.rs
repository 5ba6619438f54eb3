//! The knowledge says what the Microsoft and Lookout documents say, where a report
//! shows it: each test runs a fixture through the binary and reads the finding's own
//! cause, diagnosis and fix as JSON, CSV or markdown print them (the human report may
//! list a finding under its root cause instead).

mod support;

use lookout_doctor::knowledge;
use lookout_doctor::messages::LANGUAGES;
use lookout_doctor::rules::RuleId;
use serde_json::Value;
use support::{bin, fixture, json_report};

fn finding<'r>(report: &'r Value, rule: &str, subject: &str) -> &'r Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["subject"]["id"] == subject)
        .unwrap_or_else(|| panic!("no {rule} finding for {subject}"))
}

fn text(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

const CASE_FIXTURE: &str = "fixtures/config-enrollment-group-case-mismatch";
const ADELE_LOOKOUT: &str = "fde89f16-c219-5bab-a577-90ac874883b8";
const ADELE_INTUNE: &str = "65b3ca35-6ef9-5d01-8507-67d6cda56f2a";
const RENAME: &str = "In the Lookout console (https://aad.lookout.com), open System > Intune Connector > Enrollment Management, change the enrollment group's name so that its letter case matches the Entra group's name exactly";

/// A configured group named in the wrong letter case is not a deleted group: the device
/// finding names the mismatch and its fix starts with the rename, in every format that
/// prints the finding in full.
#[test]
fn case_mismatched_group_leads_the_device_finding_to_the_rename() {
    let (report, _) = json_report(&["diagnose", CASE_FIXTURE]);
    let f = finding(&report, "device-active-without-id", ADELE_LOOKOUT);
    assert_eq!(f["cause"], "enrollment-group-case-mismatch");
    let diagnosis = f["diagnosis"].as_str().unwrap();
    assert!(
        diagnosis.contains("\"Lookout Pilot\"") && diagnosis.contains("\"lookout pilot\""),
        "{diagnosis}"
    );
    assert!(!diagnosis.contains("no longer exists"), "{diagnosis}");
    let steps: Vec<&str> = f["remediation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(steps[0].starts_with(RENAME), "{steps:#?}");
    assert!(
        steps.iter().all(|s| !s.contains("create a security group")),
        "{steps:#?}"
    );

    let csv = text(&["diagnose", CASE_FIXTURE, "--format", "csv"]);
    let row = csv
        .split("\nerror,")
        .find(|r| r.starts_with("device-active-without-id,"))
        .expect("the device finding's CSV row");
    assert!(
        row.starts_with("device-active-without-id,enrollment-group-case-mismatch,"),
        "{row}"
    );
    assert!(row.contains(&format!("\"1. {RENAME}")), "{row}");

    // Markdown lists the device under the finding that explains it, after that
    // finding's fix (the rename); the device's own steps are in the CSV and JSON.
    let markdown = text(&["diagnose", CASE_FIXTURE, "--format", "markdown"]);
    let mismatch = markdown
        .find("### ERROR `enrollment-group-case-mismatch` · group lookout pilot")
        .expect("the mismatch's section in markdown");
    let rest = &markdown[mismatch..];
    let fix = rest
        .find("Enrollment Management and replace the configured name")
        .expect("the rename");
    let device = rest
        .find(&format!(
            "↳ ERROR `device-active-without-id` · device {ADELE_LOOKOUT}"
        ))
        .expect("the device listed under the mismatch");
    assert!(
        fix < device,
        "the fix comes before the findings it resolves"
    );
}

/// The same rename for a phone that is missing from Lookout because of the mismatch.
#[test]
fn case_mismatched_group_explains_a_missing_device_with_the_rename() {
    let (report, _) = json_report(&["diagnose", CASE_FIXTURE, "--device", ADELE_INTUNE]);
    let f = finding(&report, "device-missing", ADELE_INTUNE);
    assert_eq!(f["cause"], "enrollment-group-case-mismatch");
    assert_eq!(f["evidence"]["actual_group"], "Lookout Pilot");
    assert!(f["remediation"][0].as_str().unwrap().starts_with(RENAME));
}

/// The guide's answer to a phone handed to a new user is a wipe, then the new user
/// enrolls; Retire is not the first step in any language.
#[test]
fn new_owner_fix_starts_with_the_wipe_in_every_language() {
    let (report, _) = json_report(&[
        "diagnose",
        fixture("scenario-device-new-owner").to_str().unwrap(),
    ]);
    for f in report["findings"].as_array().unwrap() {
        let first = f["remediation"][0].as_str().unwrap();
        assert!(first.contains("choose Wipe"), "{first}");
        assert!(!first.contains("Retire"), "{first}");
    }
    // The name Intune's own pages give Retire in each language.
    let retire = [
        ("en", "Retire"),
        ("ko", "사용 중지"),
        ("ja", "提供終了"),
        ("zh-TW", "淘汰"),
        ("pt-BR", "Desativar"),
    ];
    let k = knowledge::of(RuleId::DeviceNewOwner);
    for (lang, word) in retire {
        let t = &k.texts[lang];
        for (cause, steps) in &t.remediation {
            assert!(
                steps.iter().all(|s| !s.contains(word)),
                "[{lang}] remediation.{cause} still says {word}"
            );
        }
        assert!(!t.why.contains(word), "[{lang}] why still says {word}");
    }
}

/// A user turned away with 403 is given every way the guide lists to ask Lookout
/// Support which group is configured.
#[test]
fn console_403_fix_names_every_support_channel() {
    const REQUESTS: &str = "https://enterprise.support.lookout.com/hc/requests";
    let (report, _) = json_report(&[
        "diagnose",
        fixture("scenario-console-access").to_str().unwrap(),
    ]);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "console-access-denied")
        .expect("a console-access-denied finding");
    let steps = f["remediation"].to_string();
    for channel in [REQUESTS, "enterprisesupport@lookout.com", "Support module"] {
        assert!(steps.contains(channel), "{channel} missing from {steps}");
    }
    let k = knowledge::of(RuleId::ConsoleAccessDenied);
    for lang in LANGUAGES {
        let steps = k.texts[lang].remediation["default"].join(" ");
        assert!(
            steps.contains(REQUESTS) && steps.contains("enterprisesupport@lookout.com"),
            "[{lang}] {steps}"
        );
    }
}

/// A device past the threshold that Lookout still reports PROTECTED and Intune still
/// counts compliant is described as such, not declared non-compliant.
#[test]
fn no_check_in_states_both_sides_instead_of_asserting_non_compliance() {
    // A day later than the export, Lynne's iPhone is past the 30-day threshold.
    let (report, _) = json_report(&[
        "diagnose",
        fixture("scenario-device-disconnected").to_str().unwrap(),
        "--as-of",
        "2026-11-21T12:00:00Z",
    ]);
    let f = finding(
        &report,
        "device-disconnected",
        "ca1789c9-8afa-400a-947f-f7277cc31702",
    );
    assert_eq!(f["cause"], "no-check-in");
    assert_eq!(f["evidence"]["protection_status"], "PROTECTED");
    assert_eq!(f["evidence"]["compliance_state"], "compliant");
    let diagnosis = f["diagnosis"].as_str().unwrap();
    for fact in [
        "last check-in was at 2026-10-22T09:40:00Z",
        "protection status as PROTECTED",
        "compliance state compliant",
        "threat state in Intune is secured",
    ] {
        assert!(diagnosis.contains(fact), "{fact} missing from {diagnosis}");
    }
    for said in [f["title"].as_str().unwrap(), diagnosis] {
        assert!(!said.contains("non-compliant"), "{said}");
    }
    assert!(!f["impact"].as_str().unwrap().starts_with("Intune treats"));
}
