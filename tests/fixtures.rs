//! End to end: every fixture snapshot under fixtures/ is diagnosed by the binary and
//! must give exactly the findings (rule, severity, subject, cause) and exit code that
//! tests/expected/<fixture>.json lists, and, where a run lists `focus`, what it says
//! about each `--user` and `--device` (found, and a user's console access). The
//! expectations were derived independently of the code, from SPEC and the rule
//! semantics.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use support::{bin, fixture};

fn implemented_rules() -> BTreeSet<String> {
    let out = bin().args(["rules", "--format", "json"]).output().unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect()
}

fn key(f: &Value, subject_kind: &str, subject_id: &str) -> String {
    format!(
        "{} {} {}:{} cause={}",
        f["severity"].as_str().unwrap(),
        f["rule"].as_str().unwrap(),
        subject_kind,
        subject_id,
        f["cause"].as_str().unwrap_or("-")
    )
}

#[test]
fn every_fixture_gives_its_expected_findings() {
    let implemented = implemented_rules();
    let mut checked = 0;
    let mut evidence_keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir("tests/expected")
        .unwrap()
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let dir = fixture(&name);
        assert!(
            dir.is_dir(),
            "tests/expected/{name}.json has no fixtures/{name}/"
        );
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for run in expected["runs"].as_array().unwrap() {
            let args: Vec<String> = run["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect();
            let out = bin()
                .arg("diagnose")
                .arg(&dir)
                .args(["--format", "json"])
                .args(&args)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                panic!("{name} {args:?}: no JSON report ({e}); stderr: {stderr}")
            });
            let want: Vec<String> = run["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| implemented.contains(f["rule"].as_str().unwrap()))
                .map(|f| {
                    key(
                        f,
                        f["subject_kind"].as_str().unwrap(),
                        f["subject_id"].as_str().unwrap(),
                    )
                })
                .collect();
            for f in report["findings"].as_array().unwrap() {
                let keys = evidence_keys
                    .entry(f["rule"].as_str().unwrap().to_string())
                    .or_default();
                keys.extend(f["evidence"].as_object().unwrap().keys().cloned());
                let d = f["diagnosis"].as_str().unwrap();
                if d.contains('{') || d.contains("[[") || d.trim().is_empty() {
                    failures.push(format!(
                        "{name} {args:?}: unfilled diagnosis for {}: {d}",
                        f["rule"]
                    ));
                }
            }
            let got: Vec<String> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    key(
                        f,
                        f["subject"]["kind"].as_str().unwrap(),
                        f["subject"]["id"].as_str().unwrap(),
                    )
                })
                .collect();
            if want != got {
                failures.push(format!(
                    "{name} {args:?}:\n  want {want:#?}\n  got  {got:#?}"
                ));
            }
            // What the run says about each --user and --device: found or not, and a
            // user's console access as a fact.
            if let Some(want) = run.get("focus") {
                let got: Vec<Value> = report["focus"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| {
                        let mut fact = serde_json::json!({
                            "kind": e["kind"],
                            "query": e["query"],
                            "found": e["found"],
                        });
                        if let Some(c) = e.get("console_access") {
                            fact["console_access"] = c["access"].clone();
                        }
                        fact
                    })
                    .collect();
                if want.as_array().unwrap() != &got {
                    failures.push(format!(
                        "{name} {args:?}: focus\n  want {want:#}\n  got  {got:#?}"
                    ));
                }
            }
            // The exit code can only be compared once every rule it depends on exists.
            let all_implemented = run["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| implemented.contains(f["rule"].as_str().unwrap()));
            if all_implemented {
                let want_code = run["exit_code"].as_i64().unwrap() as i32;
                if out.status.code() != Some(want_code) {
                    failures.push(format!(
                        "{name} {args:?}: exit {:?}, want {want_code}",
                        out.status.code()
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} runs checked");
    // Every placeholder a diagnosis template names must be evidence that rule emits
    // somewhere (a misspelt key inside an optional [[...]] segment would otherwise
    // silently vanish).
    for &rule in lookout_doctor::rules::RuleId::ALL {
        let seen = evidence_keys.get(rule.slug()).cloned().unwrap_or_default();
        let k = lookout_doctor::knowledge::of(rule);
        for (lang, text) in &k.texts {
            for (cause, template) in &text.diagnosis {
                for p in lookout_doctor::knowledge::placeholders(template) {
                    let builtin = ["subject_id", "subject_name", "subject_user"].contains(&p);
                    if !builtin && !seen.contains(p) {
                        failures.push(format!("rules/{rule}.toml [{lang}] diagnosis.{cause}: {{{p}}} is never in its evidence"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
