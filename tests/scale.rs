//! At scale, the device rules find exactly the injected faults: a 25,000-user tenant
//! from the synthetic generator, diagnosed end to end. At that size the Intune device
//! list is over 8 MiB, so it is read through a memory map, and the smaller files are
//! read into memory: both ways of reading a file are in the run, and `--no-mmap`
//! gives the same report without the map. And the generator makes the tenant the
//! reference script makes.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use support::{bin, synth};

#[test]
fn counts_per_rule_equal_the_injected_faults() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("tenant");
    let truth = synth::generate(25_000, &snapshot, 11, synth::Shape::Short).unwrap();
    let size = |name: &str| std::fs::metadata(snapshot.join(name)).unwrap().len();
    assert!(size("intune-devices.json") > 8 << 20, "mapped");
    assert!(size("lookout-devices.json") < 8 << 20, "read");
    assert!(
        truth.missing > 50 && truth.pending > 100 && truth.new_owner > 20,
        "{truth:?}"
    );
    let out = bin()
        .args(["diagnose", snapshot.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        *counts
            .entry(f["rule"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let expected = serde_json::to_value(&truth).unwrap();
    for (rule, want) in expected.as_object().unwrap() {
        assert_eq!(
            counts.get(rule).copied().unwrap_or(0) as u64,
            want.as_u64().unwrap(),
            "{rule}"
        );
    }
    // Nothing else fires on this otherwise healthy tenant.
    let extra: Vec<&String> = counts
        .keys()
        .filter(|r| expected.get(r.as_str()).is_none())
        .collect();
    assert!(extra.is_empty(), "unexpected rules: {extra:?}");
    assert_eq!(report["snapshot"]["counts"]["intune_devices"], 25_000);

    // --no-mmap reads the large file into memory instead: the same bytes out.
    let read = bin()
        .args([
            "diagnose",
            snapshot.to_str().unwrap(),
            "--format",
            "json",
            "--no-mmap",
        ])
        .output()
        .unwrap();
    assert_eq!(read.status.code(), Some(1));
    assert!(read.stdout == out.stdout, "--no-mmap changed the report");
}

/// Where two JSON values differ first, by its path; object keys in any order.
fn first_difference(ours: &Value, theirs: &Value, at: &str) -> Option<String> {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => a.keys().chain(b.keys()).find_map(|key| {
            let at = format!("{at}.{key}");
            match (a.get(key), b.get(key)) {
                (Some(x), Some(y)) => first_difference(x, y, &at),
                (x, _) => Some(format!(
                    "{at}: only in {}",
                    if x.is_some() { "ours" } else { "theirs" }
                )),
            }
        }),
        (Value::Array(a), Value::Array(b)) if a.len() != b.len() => {
            Some(format!("{at}: {} items, reference {}", a.len(), b.len()))
        }
        (Value::Array(a), Value::Array(b)) => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, &format!("{at}[{i}]"))),
        _ if ours == theirs => None,
        _ => Some(format!("{at}: {ours}, reference {theirs}")),
    }
}

/// The generator writes what the reference generator, `../shared/bench/gen_tenant.py`,
/// writes for the same arguments, in both shapes: every file and the truth parse to
/// the same JSON. The seed is above 2^32, so both random streams are seeded from more
/// than one word. Skipped, saying so, where python3 or the script is missing: a fresh
/// machine may have only the Rust toolchain.
#[test]
fn the_generator_writes_the_reference_tenant() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_tenant.py");
    if !script.is_file() {
        eprintln!("skipped: no reference generator at {}", script.display());
        return;
    }
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output();
    if !python.is_ok_and(|out| out.status.success()) {
        eprintln!(
            "skipped: python3 is not available to run {}",
            script.display()
        );
        return;
    }
    let (users, seed) = (2000, 5_000_000_011u64);
    for (shape, flag) in [
        (synth::Shape::Short, None),
        (synth::Shape::Realistic, Some("--realistic")),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("ours");
        let truth = synth::generate(users, &ours, seed, shape).unwrap();
        let theirs = dir.path().join("theirs");
        let status = std::process::Command::new("python3")
            .arg(&script)
            .args([
                users.to_string(),
                theirs.to_str().unwrap().to_string(),
                seed.to_string(),
            ])
            .args(flag)
            .status()
            .unwrap();
        assert!(status.success(), "{} exited {status}", script.display());
        let parse = |path: &Path| -> Value {
            serde_json::from_slice(&std::fs::read(path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        for name in [
            "snapshot.json",
            "lookout.json",
            "groups.json",
            "intune-devices.json",
            "lookout-devices.json",
        ] {
            // Same bytes are the same JSON, and the writers' field orders agree, so
            // parsing (slow in a debug build) is only needed to tell what differs.
            let (a, b) = (ours.join(name), theirs.join(name));
            if std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap() {
                continue;
            }
            let (a, b) = (parse(&a), parse(&b));
            if a != b {
                let difference = first_difference(&a, &b, name).unwrap_or_default();
                panic!("{shape:?}: {difference}");
            }
        }
        assert_eq!(
            serde_json::to_value(&truth).unwrap(),
            parse(&dir.path().join("theirs.truth.json")),
            "{shape:?}: truth"
        );
    }
}
