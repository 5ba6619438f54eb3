//! Helpers shared by the integration tests: the binary, the fixtures, copies of them.
//! Each test file includes this module with `mod support;`.

// Every test file is its own crate and uses only some of these helpers.
#![allow(dead_code)]

pub mod synth;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Variables that change what the binary prints. A test run must not depend on the
/// developer's shell: each test sets the ones it means.
const OUTPUT_ENV: [&str; 6] = [
    "LC_ALL",
    "LC_MESSAGES",
    "LANG",
    "LOOKOUT_DOCTOR_REDACT_KEY",
    "LOOKOUT_DOCTOR_MAX_FILE_SIZE",
    // The human report's width.
    "COLUMNS",
];

/// The lookout-doctor binary, English unless `--lang` or a locale variable says
/// otherwise.
pub fn bin() -> Command {
    let mut cmd = Command::cargo_bin("lookout-doctor").unwrap();
    for var in OUTPUT_ENV {
        cmd.env_remove(var);
    }
    cmd
}

/// The report a finished `diagnose` wrote: its exit code must be 0 or 1 (findings
/// or none); anything else fails the test with what it said on stderr.
pub fn report_text(out: std::process::Output) -> String {
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A fixture snapshot folder, relative to the package root where `cargo test` runs
/// the tests: reports show the path as given, so output that names it stays the same
/// on every machine.
pub fn fixture(name: &str) -> PathBuf {
    Path::new("fixtures").join(name)
}

/// Copies a folder and everything under it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A copy of a snapshot folder in a temporary folder, for a test that changes it.
pub fn copy_of(dir: impl AsRef<Path>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(dir.as_ref(), tmp.path());
    tmp
}

/// Runs the binary with `--format json` added; the report and the exit code.
pub fn json_report(args: &[&str]) -> (serde_json::Value, i32) {
    let out = bin()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: no JSON report on stdout ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.code().unwrap())
}

/// Saves the JSON report of a run as `path`, for a later run's `--baseline`.
pub fn save_baseline(args: &[&str], path: &Path) {
    let out = bin()
        .args(args)
        .args(["--format", "json", "--output"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        path.exists(),
        "{args:?}: no report written; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
