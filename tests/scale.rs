//! At scale, the device rules find exactly the injected faults: a 25,000-user tenant
//! from the synthetic generator, diagnosed end to end. At that size the Intune device
//! list is over 8 MiB, so it is read through a memory map, and the smaller files are
//! read into memory: both ways of reading a file are in the run, and `--no-mmap`
//! gives the same report without the map.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use support::{bin, synth};

#[test]
fn counts_per_rule_equal_the_injected_faults() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("tenant");
    let truth = synth::generate(25_000, &snapshot, 11).unwrap();
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
