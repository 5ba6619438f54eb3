//! `--redact`: no identifier from the input survives in any output format, the
//! pseudonyms are stable within a report (and across runs with the same key), and the
//! key never appears in the output.
//!
//! Issue 15 (item 10): a snapshot seeded with marker identifiers in every section the
//! report has (a short group name, a non-ASCII address in another letter case,
//! addresses and GUIDs the tenant does not know in suppression reasons, file names and
//! unknown values, a stale suppression, a baseline finding that is gone, unknown
//! `--user`/`--device`) gives none of them back, in any format, nor in `validate`, nor
//! in the errors of a snapshot or a configuration that cannot be read.

mod support;

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::{bin, copy_dir};

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
    support::report_text(
        bin()
            .args(["diagnose", dir, "--redact", "--format", format])
            .args(extra)
            .env("LOOKOUT_DOCTOR_REDACT_KEY", key)
            .output()
            .unwrap(),
    )
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

// ---- Issue 15, item 10: a tenant seeded with markers -------------------------------

/// The folder the seeded snapshot is in: a folder name is the sender's, and a
/// redacted report does not say it.
const FOLDER: &str = "tenant-acme-marker";
/// A group with a short name: matched as a whole word in free text.
const SHORT_GROUP: &str = "HR";
const SHORT_GROUP_ID: &str = "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e";
/// A user whose address has a non-ASCII letter, and the same address in capitals.
const ELODIE: &str = "élodie.marker@contoso.com";
const ELODIE_CAPS: &str = "ÉLODIE.MARKER@CONTOSO.COM";
const ELODIE_NAME: &str = "Élodie Marker";
const ELODIE_ID: &str = "3e5f7a9b-1c2d-4e3f-8a4b-5c6d7e8f9a0b";
const ELODIE_DEVICE: &str = "9e8d7c6b-5a49-4837-a261-f0e1d2c3b4a5";
/// Addresses and a GUID the tenant does not know, in free text.
const UNKNOWN_MAIL: &str = "quinn.marker@elsewhere.example";
const UNKNOWN_GUID: &str = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
const VALUE_MAIL: &str = "ops.marker@elsewhere.example";
const FILE_MAIL: &str = "zoe.marker@contoso.com";
/// A suppression whose subject is gone.
const STALE_SUBJECT: &str = "lk-stale-marker-9";
/// A baseline finding about a device that is gone.
const GONE_ID: &str = "lk-gone-marker-7";
const GONE_NAME: &str = "Gone Marker Phone";
const GONE_USER: &str = "gone.marker@contoso.com";
/// `--user` and `--device` the snapshot does not know.
const NOBODY: &str = "nobody.marker@elsewhere.example";
const NO_DEVICE: &str = "lk-unknown-marker";

/// Markers no report shows (the report names Élodie by her address, the group by its
/// name), looked for all the same.
const NOT_SHOWN: [&str; 2] = [SHORT_GROUP_ID, ELODIE_ID];

/// The markers an unredacted report shows, compared without letter case (the short
/// group name is looked for as a word, in its case).
const MARKERS: [&str; 15] = [
    FOLDER,
    ELODIE,
    // The dossier of `--user` names her.
    ELODIE_NAME,
    ELODIE_DEVICE,
    UNKNOWN_MAIL,
    UNKNOWN_GUID,
    VALUE_MAIL,
    FILE_MAIL,
    STALE_SUBJECT,
    GONE_ID,
    GONE_NAME,
    GONE_USER,
    NOBODY,
    NO_DEVICE,
    "marker",
];

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// The sample fixture with the markers added, in `<tmp>/tenant-acme-marker`.
fn seeded(tmp: &Path) -> PathBuf {
    let dir = tmp.join(FOLDER);
    copy_dir(Path::new("fixtures/sample"), &dir);

    let mut groups = read_json(&dir.join("groups.json"));
    groups["value"].as_array_mut().unwrap().push(json!({
        "id": SHORT_GROUP_ID,
        "displayName": SHORT_GROUP,
        "securityEnabled": true,
        "mailEnabled": false,
        "members": [{
            "@odata.type": "#microsoft.graph.user",
            "id": ELODIE_ID,
            "userPrincipalName": ELODIE,
            "mail": ELODIE,
            "displayName": ELODIE_NAME
        }]
    }));
    write_json(&dir.join("groups.json"), &groups);

    let mut lookout = read_json(&dir.join("lookout.json"));
    let connector = &mut lookout["intune_connector"];
    connector["enrollment_groups"]
        .as_array_mut()
        .unwrap()
        .push(json!(SHORT_GROUP));
    // Known to the tenant in lower case, written here in capitals, in a list the
    // report shows as one text.
    connector["error_management_emails"] = json!([ELODIE_CAPS, "megan.bowen@contoso.com"]);
    write_json(&dir.join("lookout.json"), &lookout);

    let mut devices = read_json(&dir.join("lookout-devices.json"));
    devices["devices"].as_array_mut().unwrap().push(json!({
        "guid": ELODIE_DEVICE,
        "activation_status": "ACTIVATED",
        "protection_status": "PROTECTED",
        // An unknown value is quoted in a data note.
        "security_status": format!("escalated to {VALUE_MAIL}"),
        "platform": "ANDROID",
        "email": ELODIE_CAPS,
        "checkin_time": "2026-11-20T10:00:00.000+00:00",
        "activated_at": "2026-04-22T14:00:00.000+00:00",
        "details": {},
        "software": {"os_version": "15"},
        "hardware": {"manufacturer": "Google", "model": "Pixel 8"}
    }));
    write_json(&dir.join("lookout-devices.json"), &devices);

    // A file nothing reads, named after a person: its name is in a note.
    std::fs::write(
        dir.join(format!("handover {FILE_MAIL}.txt")),
        "notes from the handover\n",
    )
    .unwrap();

    std::fs::write(
        dir.join("lookout-doctor.toml"),
        format!(
            "[[suppress]]\nrule = \"device-missing\"\nsubject = \"{STALE_SUBJECT}\"\n\
             reason = \"asked by {UNKNOWN_MAIL} for {UNKNOWN_GUID}\"\n\n\
             [[suppress]]\nrule = \"device-disconnected\"\n\
             subject = \"af8e2fdb-c031-4256-a50f-d989382851ff\"\n\
             reason = \"{ELODIE_CAPS} in {SHORT_GROUP} is on leave, THREE HRS a day\"\n\
             expires = \"2026-01-01\"\n"
        ),
    )
    .unwrap();
    dir
}

/// A baseline of the seeded snapshot (its own findings, unredacted) plus one finding
/// about a device that is gone, so it is listed as resolved.
fn baseline(dir: &Path, tmp: &Path) -> PathBuf {
    let out = bin()
        .args([
            "diagnose",
            "--format",
            "json",
            "--as-of",
            "2026-11-20T12:00:00Z",
        ])
        .arg(dir)
        .output()
        .unwrap();
    let mut report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"].as_array_mut().unwrap().push(json!({
        "rule": "device-missing",
        "severity": "error",
        "subject": {"kind": "device", "id": GONE_ID, "name": GONE_NAME, "user": GONE_USER},
        "cause": null,
        "title": format!("{GONE_NAME} is missing")
    }));
    let path = tmp.join("baseline.json");
    write_json(&path, &report);
    path
}

/// stdout and stderr of a run, with the key set.
fn run(args: &[&str], dir: &Path, key: &str) -> (String, String, i32) {
    let out = bin()
        .args(args)
        .arg(dir)
        .args(["--as-of", "2026-11-20T12:00:00Z"])
        .env("LOOKOUT_DOCTOR_REDACT_KEY", key)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

/// `word` in `text` with no letter, digit or `_` on either side.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let word_char = |c: char| c.is_alphanumeric() || c == '_';
        !before.is_some_and(word_char) && !after.is_some_and(word_char)
    })
}

/// The markers a text holds.
fn markers_in(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    let mut found: Vec<&str> = MARKERS
        .into_iter()
        .chain(NOT_SHOWN)
        .filter(|m| lower.contains(&m.to_lowercase()))
        .collect();
    if has_word(text, SHORT_GROUP) {
        found.push(SHORT_GROUP);
    }
    found
}

/// The runs of the seeded snapshot: with baseline and configuration, and focused on
/// a user and a device the snapshot does not know.
fn seeded_runs(baseline: &Path, format: &str) -> [Vec<String>; 2] {
    let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    [
        own(&[
            "diagnose",
            "--format",
            format,
            "--color",
            "never",
            "--baseline",
        ])
        .into_iter()
        .chain([baseline.display().to_string()])
        .collect(),
        own(&[
            "diagnose",
            "--format",
            format,
            "--color",
            "never",
            "--user",
            NOBODY,
            "--user",
            ELODIE_CAPS,
            "--device",
            NO_DEVICE,
        ]),
    ]
}

#[test]
fn no_marker_survives_in_any_format_and_every_one_is_there_unredacted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = seeded(tmp.path());
    let baseline = baseline(&dir, tmp.path());
    let mut unredacted = String::new();
    for format in FORMATS {
        for args in seeded_runs(&baseline, format) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (plain, _, _) = run(&args, &dir, KEY);
            unredacted.push_str(&plain);
            let redacted: Vec<&str> = args.iter().copied().chain(["--redact"]).collect();
            let (text, err, code) = run(&redacted, &dir, KEY);
            assert!(matches!(code, 0 | 1), "{args:?}: {err}");
            let leaked = markers_in(&text);
            assert!(leaked.is_empty(), "{args:?} --redact leaks {leaked:?}");
            assert!(markers_in(&err).is_empty(), "{args:?}: stderr leaks: {err}");
        }
    }
    // Without --redact every marker is there: the test would see a leak.
    let mut shown = markers_in(&unredacted);
    shown.sort();
    let mut all: Vec<&str> = MARKERS.iter().copied().chain([SHORT_GROUP]).collect();
    all.sort();
    assert_eq!(shown, all);
}

/// One section of the seeded report, redacted and not.
fn section(key_path: &[&str], extra: &[&str]) -> (Value, Value) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = seeded(tmp.path());
    let baseline = baseline(&dir, tmp.path());
    let get = |redact: bool| {
        let mut args = vec!["diagnose", "--format", "json", "--baseline"];
        let b = baseline.display().to_string();
        args.push(&b);
        args.extend(extra);
        if redact {
            args.push("--redact");
        }
        let (out, err, _) = run(&args, &dir, KEY);
        let mut v: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
        for k in key_path {
            v = v[*k].take();
        }
        v
    };
    (get(false), get(true))
}

#[test]
fn resolved_baseline_entries_are_redacted() {
    let (plain, redacted) = section(&["resolved"], &[]);
    let shown = plain.to_string();
    assert!(shown.contains(GONE_ID) && shown.contains(GONE_NAME) && shown.contains(GONE_USER));
    let resolved = redacted.as_array().unwrap();
    assert_eq!(
        resolved.len(),
        1,
        "only the device that is gone: {redacted}"
    );
    let subject = &resolved[0]["subject"];
    assert!(
        subject["id"].as_str().unwrap().starts_with("id-"),
        "{subject}"
    );
    assert!(
        subject["name"].as_str().unwrap().starts_with("device-"),
        "{subject}"
    );
    assert!(
        subject["user"]
            .as_str()
            .unwrap()
            .ends_with("@redacted.invalid"),
        "{subject}"
    );
    assert!(markers_in(&redacted.to_string()).is_empty(), "{redacted}");
}

#[test]
fn suppressions_of_every_state_are_redacted() {
    let (plain, redacted) = section(&["suppressions"], &[]);
    let states: Vec<&str> = plain
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["unmatched", "expired"]);
    assert!(plain.to_string().contains(STALE_SUBJECT));
    let leaked = markers_in(&redacted.to_string());
    assert!(leaked.is_empty(), "{leaked:?} in {redacted}");
    assert!(redacted[0]["subject"].as_str().unwrap().starts_with("id-"));
}

#[test]
fn a_short_group_name_is_redacted_as_a_word_only() {
    let (plain, redacted) = section(&["health"], &[]);
    assert!(has_word(&plain.to_string(), SHORT_GROUP), "{plain}");
    let text = redacted.to_string();
    assert!(!has_word(&text, SHORT_GROUP), "{text}");
    // The "HR" inside ordinary words is left alone.
    let (_, redacted) = section(&["suppressions"], &[]);
    let reason = redacted[1]["reason"].as_str().unwrap();
    assert!(
        reason.ends_with(" is on leave, THREE HRS a day"),
        "{reason}"
    );
    assert!(!has_word(reason, SHORT_GROUP), "{reason}");
}

#[test]
fn an_address_in_another_letter_case_is_redacted_in_free_text() {
    let (plain, redacted) = section(&["suppressions"], &[]);
    assert!(plain[1]["reason"]
        .as_str()
        .unwrap()
        .starts_with(ELODIE_CAPS));
    let reason = redacted[1]["reason"].as_str().unwrap();
    assert!(!reason.to_lowercase().contains("marker"), "{reason}");
    let (plain, redacted) = section(&["health"], &[]);
    assert!(plain.to_string().contains(ELODIE_CAPS), "{plain}");
    let text = redacted.to_string();
    assert!(!text.to_lowercase().contains("marker"), "{text}");
    // The same person, the same pseudonym, whatever the case it was written in.
    let (_, findings) = section(&["findings"], &[]);
    let owner = findings
        .as_array()
        .unwrap()
        .iter()
        .find_map(|f| f["subject"]["user"].as_str().filter(|u| text.contains(*u)));
    assert!(
        owner.is_some(),
        "the health line's address is the device owner's pseudonym"
    );
}

#[test]
fn unknown_addresses_and_guids_in_free_text_are_redacted() {
    for path in [&["suppressions"][..], &["notes"], &["focus"]] {
        let extra = ["--user", NOBODY, "--device", NO_DEVICE];
        let (plain, redacted) = section(path, &extra);
        let before = markers_in(&plain.to_string());
        assert!(!before.is_empty(), "{path:?}: nothing to redact in {plain}");
        let leaked = markers_in(&redacted.to_string());
        assert!(leaked.is_empty(), "{path:?} leaks {leaked:?}: {redacted}");
    }
}

#[test]
fn the_snapshot_path_and_the_multi_tenant_table_are_redacted() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().join("customers");
    seeded(&parent);
    copy_dir(&parent.join(FOLDER), &parent.join("second-acme-marker"));
    for format in [
        "human", "markdown", "json", "sarif", "junit", "csv", "github",
    ] {
        let (out, err, _) = run(
            &[
                "diagnose", "--redact", "--color", "never", "--format", format,
            ],
            &parent,
            KEY,
        );
        assert!(out.contains("snapshot"), "{err}");
        let leaked = markers_in(&out);
        assert!(leaked.is_empty(), "--format {format} leaks {leaked:?}");
    }
}

#[test]
fn the_baseline_is_matched_on_real_identifiers_before_redaction() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = seeded(tmp.path());
    let plain = tmp.path().join("plain.json");
    let redacted = tmp.path().join("redacted.json");
    let save = |path: &Path, redact: bool, key: &str| {
        let mut args = vec!["diagnose", "--format", "json", "--output"];
        let p = path.display().to_string();
        args.push(&p);
        if redact {
            args.push("--redact");
        }
        run(&args, &dir, key);
    };
    save(&plain, false, KEY);
    save(&redacted, true, KEY);
    let compare = |baseline: &Path, key: &str| {
        let b = baseline.display().to_string();
        let (out, err, code) = run(
            &["diagnose", "--format", "json", "--redact", "--baseline", &b],
            &dir,
            key,
        );
        let report: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
        (report, code)
    };
    // An unredacted baseline, and a redacted one made with the same key: nothing is
    // new, nothing resolved.
    for baseline in [&plain, &redacted] {
        let (report, _) = compare(baseline, KEY);
        assert_eq!(report["summary"]["new"], 0, "{}", baseline.display());
        assert_eq!(report["resolved"], json!([]), "{}", baseline.display());
        assert!(report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["baseline_state"] == "unchanged"));
    }
    // Another key gives other pseudonyms: every finding is new, every one of the
    // baseline resolved (and still only pseudonyms).
    let (report, _) = compare(&redacted, "another key");
    let findings = report["findings"].as_array().unwrap().len();
    assert_eq!(report["resolved"].as_array().unwrap().len(), findings);
    assert!(markers_in(&report.to_string()).is_empty());
    // Without a key of its own the run cannot match a redacted baseline at all.
    let b = redacted.display().to_string();
    for args in [
        vec!["diagnose", "--baseline", &b],
        vec!["diagnose", "--redact", "--baseline", &b],
    ] {
        let out = bin().args(&args).arg(&dir).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("LOOKOUT_DOCTOR_REDACT_KEY"), "{err}");
    }
}

#[test]
fn validate_redacts_like_diagnose() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = seeded(tmp.path());
    let (plain, _, code) = {
        let out = bin().arg("validate").arg(&dir).output().unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            (),
            out.status.code(),
        )
    };
    assert_eq!(code, Some(0));
    let shown = markers_in(&plain);
    for m in [FOLDER, FILE_MAIL, VALUE_MAIL] {
        assert!(shown.contains(&m), "{m} not in {plain}");
    }
    let out = bin()
        .args(["validate", "--redact"])
        .arg(&dir)
        .env("LOOKOUT_DOCTOR_REDACT_KEY", KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Snapshot snapshot\n"), "{text}");
    let leaked = markers_in(&text);
    assert!(
        leaked.is_empty(),
        "validate --redact leaks {leaked:?}:\n{text}"
    );
    // The same key, the same pseudonym as diagnose gives the file's name.
    let (report, _, _) = run(&["diagnose", "--format", "json", "--redact"], &dir, KEY);
    let report: Value = serde_json::from_str(&report).unwrap();
    let unread = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["unread"] == true && n["file"].as_str().unwrap().starts_with("handover"))
        .unwrap();
    assert!(text.contains(unread["file"].as_str().unwrap()), "{text}");
}

/// A snapshot in a marker folder whose lookout.json quotes `value` where a number
/// belongs, so it cannot be loaded.
fn unloadable(tmp: &Path, value: &str) -> PathBuf {
    let dir = tmp.join(FOLDER);
    copy_dir(Path::new("fixtures/sample"), &dir);
    let mut lookout = read_json(&dir.join("lookout.json"));
    lookout["intune_connector"]["heartbeat_frequency_minutes"] = json!(value);
    write_json(&dir.join("lookout.json"), &lookout);
    dir
}

#[test]
fn errors_of_a_redacted_run_quote_no_identifier() {
    for value in [UNKNOWN_MAIL, GONE_NAME, UNKNOWN_GUID] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = unloadable(tmp.path(), value);
        for command in [&["diagnose"][..], &["validate"]] {
            let plain = bin().args(command).arg(&dir).output().unwrap();
            let plain = String::from_utf8_lossy(&plain.stderr).to_string();
            // Errors quote a short prefix of a value (issue 15): the plain run shows
            // it, so the redacted run has something to hide.
            let prefix: String = value.chars().take(16).collect();
            assert!(
                plain.contains(FOLDER) && plain.contains(&prefix),
                "{command:?}: {plain}"
            );
            let out = bin()
                .args(command)
                .arg("--redact")
                .arg(&dir)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{err}");
            assert!(err.contains("snapshot/lookout.json"), "{err}");
            let leaked = markers_in(&err);
            assert!(
                leaked.is_empty() && !err.contains(&prefix),
                "{command:?} --redact leaks {leaked:?}: {err}"
            );
        }
    }
}

#[test]
fn configuration_errors_of_a_redacted_run_quote_no_identifier() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = seeded(tmp.path());
    std::fs::write(
        dir.join("lookout-doctor.toml"),
        format!(
            "[[suppress]]\nrule = \"device-missing\"\nsubject = \"{ELODIE_DEVICE}\"\n\
             reason = \"r\"\nexpires = \"until {ELODIE_NAME} is back\"\n"
        ),
    )
    .unwrap();
    let (_, plain, _) = run(&["diagnose"], &dir, KEY);
    let prefix: String = ELODIE_NAME.chars().take(8).collect();
    assert!(plain.contains(&prefix), "{plain}");
    let (_, err, code) = run(&["diagnose", "--redact"], &dir, KEY);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("snapshot/lookout-doctor.toml"), "{err}");
    assert!(
        markers_in(&err).is_empty() && !err.contains(&prefix),
        "{err}"
    );
}
