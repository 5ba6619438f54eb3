//! Several tenants in one run: a folder of snapshot folders, or several folders.

mod support;

use serde_json::Value;
use support::{bin, copy_dir, fixture};

fn tenants(names: &[&str]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    for n in names {
        copy_dir(&fixture(n), &root.path().join(n));
    }
    root
}

fn run(args: &[&str]) -> (Vec<u8>, String, i32) {
    let out = bin().args(args).output().unwrap();
    (
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap(),
    )
}

#[test]
fn a_folder_of_snapshots_gives_one_report_per_tenant() {
    let root = tenants(&["healthy", "sample"]);
    let dir = root.path().to_str().unwrap();
    let (stdout, _, code) = run(&["diagnose", dir, "--format", "json"]);
    assert_eq!(code, 1, "the worst tenant decides the exit code");
    let reports: Vec<Value> = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(reports.len(), 2);
    assert!(reports[0]["snapshot"]["path"]
        .as_str()
        .unwrap()
        .ends_with("healthy"));
    assert_eq!(reports[0]["findings"].as_array().unwrap().len(), 0);
    assert!(!reports[1]["findings"].as_array().unwrap().is_empty());
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("schema/report.schema.json").unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(reports.iter().all(|r| validator.is_valid(r)));

    let (stdout, _, _) = run(&["diagnose", dir]);
    let text = String::from_utf8(stdout).unwrap();
    assert!(text.starts_with("2 tenants"), "{text}");
    assert_eq!(text.matches("Integration health:").count(), 2);

    let (stdout, _, _) = run(&["diagnose", dir, "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(sarif["runs"].as_array().unwrap().len(), 2);

    // Healthy tenants alone pass.
    let (_, _, code) = run(&[
        "diagnose",
        "fixtures/healthy",
        "fixtures/scenario-device-pending",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn a_broken_tenant_does_not_hide_the_others_but_fails_the_run() {
    let root = tenants(&["healthy", "sample"]);
    std::fs::write(root.path().join("sample/groups.json"), "{\"value\": [").unwrap();
    let (stdout, stderr, code) = run(&[
        "diagnose",
        root.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("groups.json:1:"), "{stderr}");
    let reports: Vec<Value> = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(reports.len(), 1, "the healthy tenant is still reported");
}
