//! Issue 5: every output format for the sample tenant, checked against what its
//! consumer expects (JSON Schema, the SARIF 2.1.0 schema, JUnit XML counts, CSV
//! columns, workflow-command syntax), plus configuration, overrides and baselines.

mod support;

use indoc::{formatdoc, indoc};
use serde_json::Value;
use std::path::Path;
use support::{bin, copy_of, json_report, save_baseline};

fn run(args: &[&str]) -> (String, i32) {
    let out = bin().args(args).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn validate(schema_path: &str, instance: &Value) {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema_path}: {errors:#?}");
}

#[test]
fn json_reports_validate_against_the_checked_in_schema() {
    for dir in [
        "fixtures/sample",
        "fixtures/healthy",
        "fixtures/config-intune-connector-missing",
    ] {
        let (report, _) = json_report(&["diagnose", dir]);
        validate("schema/report.schema.json", &report);
    }
    // Checks skipped for lack of input, and users and devices asked about, found or not.
    let (gaps, _) = json_report(&GAPS);
    validate("schema/report.schema.json", &gaps);
    assert_eq!(gaps["complete"], false);
    let (focused, _) = json_report(&[
        "diagnose",
        "fixtures/sample",
        "--user",
        "isaiah.langer@contoso.com",
        "--device",
        "da9a1ac6-eb80-41c5-ac2b-8cba6c387f95",
    ]);
    validate("schema/report.schema.json", &focused);
    assert_eq!(focused["complete"], true);
    let mut unfound = gaps.clone();
    unfound["focus"][0].as_object_mut().unwrap().remove("found");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("schema/report.schema.json").unwrap())
            .unwrap();
    assert!(!jsonschema::validator_for(&schema)
        .unwrap()
        .is_valid(&unfound));
    // With a baseline and suppressions too.
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base.json");
    save_baseline(&["diagnose", "fixtures/healthy"], &base);
    let (report, _) = json_report(&[
        "diagnose",
        "fixtures/sample",
        "--baseline",
        base.to_str().unwrap(),
    ]);
    validate("schema/report.schema.json", &report);
    // The schema itself rejects drift: a finding without a rule is invalid.
    let mut broken = report.clone();
    broken["findings"][0]
        .as_object_mut()
        .unwrap()
        .remove("rule");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("schema/report.schema.json").unwrap())
            .unwrap();
    assert!(!jsonschema::validator_for(&schema)
        .unwrap()
        .is_valid(&broken));
}

#[test]
fn sarif_validates_and_carries_rules_and_levels() {
    let (text, code) = run(&["diagnose", "fixtures/sample", "--format", "sarif"]);
    assert_eq!(code, 1);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    validate("tests/schemas/sarif-2.1.0.json", &sarif);
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), lookout_doctor::rules::RuleId::ALL.len());
    let pending = rules.iter().find(|r| r["id"] == "device-pending").unwrap();
    assert_eq!(pending["defaultConfiguration"]["level"], "warning");
    assert!(pending["help"]["text"]
        .as_str()
        .unwrap()
        .contains("Activate"));
    let (report, _) = json_report(&["diagnose", "fixtures/sample"]);
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), report["findings"].as_array().unwrap().len());
    for (r, f) in results.iter().zip(report["findings"].as_array().unwrap()) {
        assert_eq!(r["ruleId"], f["rule"]);
        assert_eq!(
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            f["rule"]
        );
        let level = match f["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level);
    }
}

#[test]
fn junit_is_xml_with_one_failure_per_failing_finding() {
    let count = |fail_on: &str| {
        let (xml, _) = run(&[
            "diagnose",
            "fixtures/sample",
            "--format",
            "junit",
            "--fail-on",
            fail_on,
        ]);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let failures = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count();
        assert_eq!(
            root.attribute("failures")
                .unwrap()
                .parse::<usize>()
                .unwrap(),
            failures
        );
        let suites = doc
            .descendants()
            .filter(|n| n.has_tag_name("testsuite"))
            .count();
        assert_eq!(
            suites,
            lookout_doctor::rules::RuleId::ALL.len(),
            "one suite per rule"
        );
        failures
    };
    let (report, _) = json_report(&["diagnose", "fixtures/sample"]);
    let s = &report["summary"];
    let n = |k: &str| s[k].as_u64().unwrap() as usize;
    assert_eq!(count("error"), n("error"));
    assert_eq!(count("warning"), n("error") + n("warning"));
    assert_eq!(count("never"), 0);
}

#[test]
fn csv_is_an_action_plan_with_owner_and_due_date() {
    let (text, _) = run(&["diagnose", "fixtures/sample", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[headers.len() - 2], "owner");
    assert_eq!(&headers[headers.len() - 1], "due_date");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let (report, _) = json_report(&["diagnose", "fixtures/sample"]);
    assert_eq!(rows.len(), report["findings"].as_array().unwrap().len());
    assert!(
        rows.iter().all(|r| r[9].starts_with("1. ")),
        "remediation steps are numbered"
    );
}

#[test]
fn github_annotations_and_markdown() {
    let (text, _) = run(&["diagnose", "fixtures/sample", "--format", "github"]);
    let (report, _) = json_report(&["diagnose", "fixtures/sample"]);
    let s = &report["summary"];
    let lines: Vec<&str> = text.lines().collect();
    // One annotation per rule and cause, saying how many findings it stands for.
    let count = |p: &str| -> (usize, u64) {
        let annotations: Vec<&&str> = lines.iter().filter(|l| l.starts_with(p)).collect();
        let findings = annotations
            .iter()
            .map(|l| {
                let title = l.split(",title=").nth(1).unwrap();
                match title.split_once("%3A ") {
                    Some((_, rest)) if rest.contains("(s)::") => {
                        rest.split(' ').next().unwrap().parse::<u64>().unwrap()
                    }
                    _ => 1,
                }
            })
            .sum();
        (annotations.len(), findings)
    };
    let groups = |severity: &str| {
        let findings = report["findings"].as_array().unwrap();
        let mut groups: Vec<(&str, &str)> = findings
            .iter()
            .filter(|f| f["severity"] == severity && f.get("suppressed").is_none())
            .map(|f| {
                (
                    f["rule"].as_str().unwrap(),
                    f["cause"].as_str().unwrap_or(""),
                )
            })
            .collect();
        groups.sort();
        groups.dedup();
        groups.len()
    };
    for (command, severity) in [
        ("::error ", "error"),
        ("::warning ", "warning"),
        ("::notice ", "info"),
    ] {
        assert_eq!(
            count(command),
            (groups(severity), s[severity].as_u64().unwrap()),
            "{command}"
        );
    }
    assert!(lines
        .iter()
        .filter(|l| l.starts_with("::"))
        .all(|l| !l[2..].contains('\n') && l.contains(" file=fixtures/sample/")));

    let (md, _) = run(&["diagnose", "fixtures/sample", "--format", "markdown"]);
    assert!(md.starts_with("# lookout-doctor"));
    assert!(md.contains("## Integration health") && md.contains("## Findings"));
    assert!(md.contains("### ERROR `device-active-without-id`"));
}

#[test]
fn output_file_is_written_atomically_and_never_into_the_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("report.sarif");
    std::fs::write(&path, "stale").unwrap();
    let (stdout, code) = run(&[
        "diagnose",
        "fixtures/sample",
        "--format",
        "sarif",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(written["version"], "2.1.0");
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "no temporary files left"
    );

    let snap = copy_of("fixtures/sample");
    let inside = snap.path().join("report.json");
    let out = bin()
        .args([
            "diagnose",
            snap.path().to_str().unwrap(),
            "--output",
            inside.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never writes into a snapshot"));
    assert!(!inside.exists());
}

/// A run with gaps of every kind: Lookout device events alone, so most checks lack
/// their input, asked about a user and a device that no export knows.
const GAPS: [&str; 8] = [
    "diagnose",
    "fixtures/export-lookout-events",
    "--as-of",
    "2026-11-20T12:00:00Z",
    "--user",
    "nobody@contoso.com",
    "--device",
    "no-such-phone",
];

fn run_gaps(format: &str) -> String {
    let mut args = GAPS.to_vec();
    args.extend(["--format", format]);
    run(&args).0
}

#[test]
fn what_the_run_could_not_see_is_in_every_format() {
    let (report, _) = json_report(&GAPS);
    let skipped = report["skipped"].as_array().unwrap();
    let missing: Vec<&Value> = skipped
        .iter()
        .filter(|s| s["cause"] == "missing-input")
        .collect();
    assert!(!missing.is_empty() && missing.iter().all(|s| s["input"].is_string()));
    let focus = report["focus"].as_array().unwrap();
    assert_eq!(focus.len(), 2);
    assert!(focus.iter().all(|e| e["found"] == false));
    assert_eq!(focus[0]["kind"], "user");
    assert_eq!(focus[1]["kind"], "device");

    let human = run_gaps("human");
    assert!(human.contains("Checks not run:"), "{human}");
    assert_eq!(
        human
            .matches("not in any export: check the spelling")
            .count(),
        2
    );

    // SARIF: one tool execution notification per skipped check and per unknown name.
    let sarif: Value = serde_json::from_str(&run_gaps("sarif")).unwrap();
    validate("tests/schemas/sarif-2.1.0.json", &sarif);
    let run0 = &sarif["runs"][0];
    let notes = run0["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), skipped.len() + 2);
    let descriptors = run0["tool"]["driver"]["notifications"].as_array().unwrap();
    for (n, s) in notes.iter().zip(skipped) {
        assert_eq!(n["associatedRule"]["id"], s["rule"]);
        let index = n["descriptor"]["index"].as_u64().unwrap() as usize;
        assert_eq!(descriptors[index]["id"], n["descriptor"]["id"]);
        let level = if s["cause"] == "missing-input" {
            "warning"
        } else {
            "note"
        };
        assert_eq!(n["level"], level);
    }
    assert!(notes[skipped.len()..]
        .iter()
        .all(|n| n["descriptor"]["id"] == "focus-not-found"));
    assert_eq!(run0["invocations"][0]["executionSuccessful"], true);

    // JUnit: each skipped check is a skipped case, each unknown name one too.
    let xml = run_gaps("junit");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let skipped_cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .count();
    assert_eq!(skipped_cases, skipped.len() + 2);
    assert!(doc
        .descendants()
        .any(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some("focus")));

    // GitHub: the gaps come first, one annotation per kind, whatever their number.
    let github = run_gaps("github");
    let lines: Vec<&str> = github.lines().collect();
    assert!(
        lines[0].starts_with("::warning title=Not in any export::"),
        "{github}"
    );
    assert!(lines[0].contains("nobody@contoso.com") && lines[0].contains("no-such-phone"));
    assert!(lines[1].starts_with("::warning title=Checks not run::"));
    assert_eq!(lines[1].matches("%0A").count() + 1, missing.len());
    assert!(lines.last().unwrap().contains("not fully read"));

    // Markdown: before the health and the findings.
    let md = run_gaps("markdown");
    let at = |heading: &str| {
        md.find(heading)
            .unwrap_or_else(|| panic!("{heading}: {md}"))
    };
    assert!(at("## Asked about") < at("## Checks not run"));
    assert!(at("## Checks not run") < at("## Integration health"));
    assert!(at("## Integration health") < at("## Findings"));
    assert!(md.contains("**The check passes, but the snapshot was not fully read"));

    // CSV: rows with their own status before the findings.
    let csv_text = run_gaps("csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let status: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[11].to_string())
        .collect();
    let count = |s: &str| status.iter().filter(|x| *x == s).count();
    assert_eq!(count("not-found"), 2);
    assert_eq!(count("skipped"), skipped.len());
    assert_eq!(
        status.len(),
        2 + skipped.len() + report["findings"].as_array().unwrap().len()
    );
    assert!(status[..2 + skipped.len()]
        .iter()
        .all(|s| s == "not-found" || s == "skipped"));
}

#[test]
fn fail_on_skipped_fails_every_format_that_shows_a_verdict() {
    let with_flag = |format: &str| {
        let mut args = GAPS.to_vec();
        args.extend(["--format", format, "--fail-on-skipped"]);
        let (text, code) = run(&args);
        assert_eq!(code, 2, "{format}");
        text
    };
    assert!(with_flag("human").contains("Exit code 2: the snapshot was not fully read"));
    assert!(with_flag("markdown").contains("**The check fails: the snapshot was not fully read"));
    let sarif: Value = serde_json::from_str(&with_flag("sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    assert!(with_flag("github").contains("(--fail-on-skipped: exit 2)"));
    // JUnit: a check skipped for lack of input fails; one turned off would not.
    let xml = with_flag("junit");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let not_run = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure") && n.attribute("type") == Some("not-run"))
        .count();
    let (report, _) = json_report(&GAPS);
    let missing = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["cause"] == "missing-input")
        .count();
    assert_eq!(not_run, missing);
}

fn with_config(dir: &Path, config: &str) -> tempfile::TempDir {
    let tmp = copy_of(dir);
    std::fs::write(tmp.path().join("lookout-doctor.toml"), config).unwrap();
    tmp
}

#[test]
fn suppressions_stay_visible_but_do_not_count() {
    // scenario-consent-not-granted has exactly one finding, an error.
    let (r, code) = json_report(&["diagnose", "fixtures/scenario-consent-not-granted"]);
    assert_eq!(code, 1);
    let tenant = r["findings"][0]["subject"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let config = formatdoc! {r#"
        [[suppress]]
        rule = "consent-not-granted"
        subject = "{tenant}"
        reason = "consent scheduled with the GA, CHG-1234"
        expires = "2026-12-31"

        [[suppress]]
        rule = "device-pending"
        subject = "no-such-device"
        reason = "old entry"
    "#};
    let tmp = with_config(Path::new("fixtures/scenario-consent-not-granted"), &config);
    let dir = tmp.path().to_str().unwrap();
    let (r, code) = json_report(&["diagnose", dir]);
    assert_eq!(code, 0, "a suppressed error does not fail the run");
    assert_eq!(r["summary"]["error"], 0);
    assert_eq!(r["summary"]["suppressed"], 1);
    assert_eq!(
        r["findings"][0]["suppressed"],
        "consent scheduled with the GA, CHG-1234"
    );
    let states: Vec<&str> = r["suppressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["applied", "unmatched"]);
    let (text, _) = run(&["diagnose", dir]);
    assert!(
        text.contains("Suppressed findings (not counted)") && text.contains("matches no finding"),
        "{text}"
    );

    // After the expiry date the suppression stops applying, and says so.
    let (r, code) = json_report(&["diagnose", dir, "--as-of", "2027-01-01T00:00:00Z"]);
    assert_eq!(code, 1);
    assert_eq!(r["suppressions"][0]["state"], "expired");
    assert!(r["findings"][0].get("suppressed").is_none());
}

#[test]
fn severity_overrides_from_file_and_command_line() {
    // scenario-device-pending: two warnings, exit 0.
    let dir = "fixtures/scenario-device-pending";
    assert_eq!(run(&["diagnose", dir]).1, 0);
    assert_eq!(run(&["diagnose", dir, "--deny", "device-pending"]).1, 1);
    let (r, code) = json_report(&["diagnose", "fixtures/sample", "--allow", "device-pending"]);
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule"] != "device-pending"));
    assert!(r["skipped"].as_array().unwrap().iter().any(
        |s| s["rule"] == "device-pending" && s["reason"].as_str().unwrap().contains("--allow")
    ));
    assert_eq!(code, 1);

    let config = indoc! {r#"
        [rules]
        device-pending = "error"
    "#};
    let tmp = with_config(Path::new(dir), config);
    let (r, code) = json_report(&["diagnose", tmp.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] == "error"));
    // The command line wins over the file.
    assert_eq!(
        run(&[
            "diagnose",
            tmp.path().to_str().unwrap(),
            "--warn",
            "device-pending"
        ])
        .1,
        0
    );
    // --config points at a file elsewhere.
    let cfg = tmp.path().join("lookout-doctor.toml");
    assert_eq!(
        run(&["diagnose", dir, "--config", cfg.to_str().unwrap()]).1,
        1
    );
}

#[test]
fn config_mistakes_are_exit_2_with_key_and_line() {
    let tmp = with_config(
        Path::new("fixtures/healthy"),
        indoc! {r#"
            [rules]
            device-pending = "info"
            device-pendng = "off"
        "#},
    );
    let out = bin()
        .args(["diagnose", tmp.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("lookout-doctor.toml:3:1")
            && err.contains("device-pendng")
            && err.contains("did you mean"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let out = bin()
        .args(["diagnose", "fixtures/healthy", "--deny", "no-such-rule"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn baselines_mark_new_and_resolved_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample.json");
    save_baseline(&["diagnose", "fixtures/sample"], &sample);
    let sample = sample.to_str().unwrap();

    // Same snapshot: nothing new, so --fail-on-new passes while plain --fail-on fails.
    let (r, code) = json_report(&[
        "diagnose",
        "fixtures/sample",
        "--baseline",
        sample,
        "--fail-on-new",
    ]);
    assert_eq!(code, 0);
    assert_eq!(r["summary"]["new"], 0);
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["baseline_state"] == "unchanged"));
    assert_eq!(r["resolved"].as_array().unwrap().len(), 0);
    assert_eq!(
        run(&["diagnose", "fixtures/sample", "--baseline", sample]).1,
        1
    );

    // Everything fixed: all baseline findings are resolved.
    let (r, code) = json_report(&["diagnose", "fixtures/healthy", "--baseline", sample]);
    assert_eq!(code, 0);
    let (base, _) = json_report(&["diagnose", "fixtures/sample"]);
    assert_eq!(
        r["resolved"].as_array().unwrap().len(),
        base["findings"].as_array().unwrap().len()
    );

    // From a healthy baseline every finding is new, and new errors fail the run.
    let healthy = tmp.path().join("healthy.json");
    save_baseline(&["diagnose", "fixtures/healthy"], &healthy);
    let (r, code) = json_report(&[
        "diagnose",
        "fixtures/sample",
        "--baseline",
        healthy.to_str().unwrap(),
        "--fail-on-new",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        r["summary"]["new"].as_u64().unwrap() as usize,
        r["findings"].as_array().unwrap().len()
    );

    // A broken baseline is exit 2 with its position.
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\"findings\": [").unwrap();
    let out = bin()
        .args([
            "diagnose",
            "fixtures/sample",
            "--baseline",
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json:1:"));
    // --fail-on-new without --baseline is a usage error.
    assert_eq!(run(&["diagnose", "fixtures/sample", "--fail-on-new"]).1, 2);
}
