//! `--redact`: no identifier from the input survives in any output format, the
//! pseudonyms are stable within a report (and across runs with the same key), and the
//! key never appears in the output.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use support::bin;

const FORMATS: [&str; 7] = [
    "human", "json", "markdown", "sarif", "junit", "csv", "github",
];
const KEY: &str = "correct horse battery staple 42";

/// Keys whose string values identify a person, a device, a group or the tenant.
const IDENTIFYING_KEYS: [&str; 18] = [
    "id",
    "userPrincipalName",
    "mail",
    "displayName",
    "deviceName",
    "email",
    "guid",
    "external_id",
    "azureADDeviceId",
    "userId",
    "emailAddress",
    "tenant_id",
    "azure_ad_tenant_id",
    "granted_by",
    "full_access_group_id",
    "restricted_access_group_id",
    "oldValue",
    "newValue",
];
const IDENTIFYING_LISTS: [&str; 3] = [
    "expected_users",
    "error_management_emails",
    "enrollment_groups",
];

fn collect(v: &Value, key: Option<&str>, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            let s = s.trim().trim_matches('"');
            if key.is_some_and(|k| IDENTIFYING_KEYS.contains(&k) || IDENTIFYING_LISTS.contains(&k))
                && s.len() >= 4
            {
                out.insert(s.to_lowercase());
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| collect(v, Some(k), out)),
        _ => {}
    }
}

/// The tool's own words (every rule explained): a name that also appears there, such
/// as the 'Lookout Pilot' of an example, is not a leak when it shows up in help text.
fn static_text() -> String {
    let mut text = String::new();
    for r in lookout_doctor::rules::RuleId::ALL {
        let out = bin().args(["explain", r.slug()]).output().unwrap();
        text.push_str(&String::from_utf8_lossy(&out.stdout).to_lowercase());
    }
    text
}

fn identifiers(dir: &str, keep_groups: bool) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut groups = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.ends_with(".json") {
            continue;
        }
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        collect(&v, None, &mut ids);
        if name == "groups.json" {
            for g in v["value"].as_array().unwrap() {
                groups.insert(g["id"].as_str().unwrap().to_lowercase());
                groups.insert(g["displayName"].as_str().unwrap().to_lowercase());
            }
        }
        if name == "lookout.json" {
            for g in v["intune_connector"]["enrollment_groups"]
                .as_array()
                .into_iter()
                .flatten()
            {
                groups.insert(g.as_str().unwrap().to_lowercase());
            }
            for k in ["full_access_group_id", "restricted_access_group_id"] {
                if let Some(id) = v["console_access"][k].as_str() {
                    groups.insert(id.to_lowercase());
                }
            }
        }
    }
    if keep_groups {
        ids.retain(|s| !groups.contains(s));
    }
    let words = static_text();
    ids.retain(|s| !words.contains(s.as_str()) && !["enabled"].contains(&s.as_str()));
    ids
}

fn output(dir: &str, format: &str, extra: &[&str], key: &str) -> String {
    let out = bin()
        .args(["diagnose", dir, "--redact", "--format", format])
        .args(extra)
        .env("LOOKOUT_DOCTOR_REDACT_KEY", key)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn no_identifier_survives_in_any_format() {
    for dir in [
        "fixtures/sample",
        "fixtures/scenario-device-active-without-id",
        "fixtures/config-enrollment-group-case-mismatch",
    ] {
        let ids = identifiers(dir, false);
        assert!(
            ids.len() > 30,
            "{dir}: only {} identifiers collected",
            ids.len()
        );
        for format in FORMATS {
            let text = output(dir, format, &[], KEY).to_lowercase();
            let leaked: Vec<&String> = ids.iter().filter(|id| text.contains(id.as_str())).collect();
            assert!(
                leaked.is_empty(),
                "{dir} --format {format} leaks {leaked:?}"
            );
            assert!(
                !text.contains(&KEY.to_lowercase()),
                "the key is in the output"
            );
        }
    }
}

#[test]
fn keep_groups_leaves_group_names_readable() {
    let text = output("fixtures/sample", "json", &["--redact-keep", "groups"], KEY);
    assert!(text.contains("Lookout wave 3"), "group names kept");
    let ids = identifiers("fixtures/sample", true);
    let lower = text.to_lowercase();
    let leaked: Vec<&String> = ids
        .iter()
        .filter(|id| lower.contains(id.as_str()))
        .collect();
    assert!(leaked.is_empty(), "{leaked:?}");
}

#[test]
fn pseudonyms_are_stable_and_keyed() {
    let a = output("fixtures/sample", "json", &[], KEY);
    assert_eq!(
        a,
        output("fixtures/sample", "json", &[], KEY),
        "same key, same bytes"
    );
    assert_ne!(
        a,
        output("fixtures/sample", "json", &[], "another key"),
        "the key changes the pseudonyms"
    );
    let report: Value = serde_json::from_str(&a).unwrap();
    // One user, one pseudonym: both of Irvin's duplicate records name the same owner.
    let owners: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "device-duplicate")
        .map(|f| f["subject"]["user"].as_str().unwrap())
        .collect();
    assert_eq!(owners.len(), 1);
    assert!(owners.iter().next().unwrap().ends_with("@redacted.invalid"));
    // The case mismatch stays visible: the two spellings get different pseudonyms.
    let mismatch = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "enrollment-group-case-mismatch")
        .unwrap();
    assert_ne!(
        mismatch["evidence"]["configured_name"],
        mismatch["evidence"]["actual_name"]
    );
}
