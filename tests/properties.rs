//! Property tests over damaged snapshots (issue 8): take a valid fixture, damage one
//! of its files (flip a byte, cut it short, insert bytes, delete a field or a column,
//! give a value another type, duplicate a record) and run the tool on it. Whatever the
//! damage, there is no panic, the outcome is a report or a load error that names the
//! damaged file, and it comes within a time bound.
//!
//! Most cases run in process (load, model, rules, report, JSON printer), which is
//! fast; a smaller number runs the real binary and checks the exit code contract.
//! `PROPTEST_CASES` raises the number of cases (default: 48 per fixture in process,
//! 32 through the binary), e.g. `PROPTEST_CASES=2000 cargo test --test properties`.

mod support;

use lookout_doctor::engine::{self, Options};
use lookout_doctor::model::Tenant;
use lookout_doctor::report::{self, BuildOptions, Style};
use lookout_doctor::snapshot;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{bin, copy_dir};

/// One damaged case may take this long in process (debug build, slow CI machine).
const IN_PROCESS_LIMIT: Duration = Duration::from_secs(10);
/// And this long through the binary.
const BINARY_LIMIT: Duration = Duration::from_secs(30);

fn cases(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        // Shrinking re-runs the pipeline many times; a few hundred steps are plenty to
        // get a readable counterexample.
        max_shrink_iters: 256,
        ..Config::default()
    }
}

/// Damage done to one file.
#[derive(Debug, Clone)]
enum Mutation {
    FlipByte(Index, u8),
    Truncate(Index),
    Insert(Index, Vec<u8>),
    /// A JSON field (or a CSV column) deleted.
    DeleteField(Index),
    /// A JSON value (or a CSV cell) replaced by one of another type.
    SwapType(Index, Index),
    /// A JSON list item (or a CSV row) written twice.
    DuplicateRecord(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1..=255u8).prop_map(|(i, m)| Mutation::FlipByte(i, m)),
        any::<Index>().prop_map(Mutation::Truncate),
        (
            any::<Index>(),
            prop_oneof![
                prop::collection::vec(any::<u8>(), 1..8),
                // Bytes that mean something to the parsers.
                prop::sample::select(vec![
                    b"\"".to_vec(),
                    b",".to_vec(),
                    b"{".to_vec(),
                    b"]".to_vec(),
                    b"\n".to_vec(),
                    b"\0".to_vec(),
                    "\u{feff}".as_bytes().to_vec(),
                    b"\xFF".to_vec(),
                    b"\r\n\"".to_vec(),
                ]),
            ]
        )
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<Index>().prop_map(Mutation::DeleteField),
        (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::SwapType(i, t)),
        any::<Index>().prop_map(Mutation::DuplicateRecord),
    ]
}

/// Values of every JSON type, and ones that are valid JSON but hostile to the loaders.
fn replacement(pick: &Index, was: &Value) -> Value {
    let choices = [
        Value::Null,
        Value::Bool(true),
        serde_json::json!(-1),
        serde_json::json!(1e300),
        serde_json::json!(18446744073709551615u64),
        Value::String(String::new()),
        Value::String("2026-02-30T25:00:00Z".into()),
        Value::String("/Date(99999999999999999)/".into()),
        Value::String("@{external_id=x; model=y}".into()),
        Value::String("SOMETHING_NEW".into()),
        serde_json::json!([]),
        serde_json::json!([{"id": 1}]),
        serde_json::json!({}),
        serde_json::json!({"nested": {"deeper": [1, "2", null]}}),
    ];
    // Prefer a value of another type than the one replaced.
    let same_type = |v: &Value| std::mem::discriminant(v) == std::mem::discriminant(was);
    let other: Vec<&Value> = choices.iter().filter(|v| !same_type(v)).collect();
    other[pick.index(other.len())].clone()
}

/// Every JSON pointer in a document, parents before children.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        _ => {}
    }
}

fn parent_and_key(pointer: &str) -> (&str, String) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    (parent, key.replace("~1", "/").replace("~0", "~"))
}

fn mutate_json(doc: &mut Value, m: &Mutation) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    match m {
        Mutation::DeleteField(i) => {
            let fields: Vec<&String> = all
                .iter()
                .filter(|p| {
                    doc.pointer(parent_and_key(p).0)
                        .is_some_and(Value::is_object)
                })
                .collect();
            if fields.is_empty() {
                return;
            }
            let (parent, key) = parent_and_key(fields[i.index(fields.len())]);
            if let Some(Value::Object(map)) = doc.pointer_mut(parent) {
                map.shift_remove(&key);
            }
        }
        Mutation::SwapType(i, t) => {
            if all.is_empty() {
                *doc = replacement(t, doc);
                return;
            }
            let p = all[i.index(all.len())].clone();
            if let Some(v) = doc.pointer_mut(&p) {
                *v = replacement(t, v);
            }
        }
        Mutation::DuplicateRecord(i) => {
            let lists: Vec<String> = std::iter::once(String::new())
                .chain(all)
                .filter(|p| {
                    doc.pointer(p)
                        .and_then(Value::as_array)
                        .is_some_and(|a| !a.is_empty())
                })
                .collect();
            if lists.is_empty() {
                return;
            }
            if let Some(Value::Array(items)) = doc.pointer_mut(&lists[i.index(lists.len())]) {
                let item = items[i.index(items.len())].clone();
                items.push(item);
            }
        }
        _ => unreachable!("byte mutations do not parse the file"),
    }
}

/// CSV text damaged cell by cell (a naive split is enough to damage it).
fn mutate_csv(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    match m {
        Mutation::DeleteField(i) => {
            let width = lines.first().map_or(0, Vec::len);
            if width > 0 {
                let col = i.index(width);
                for l in &mut lines {
                    if col < l.len() {
                        l.remove(col);
                    }
                }
            }
        }
        Mutation::SwapType(i, t) => {
            let cells: Vec<(usize, usize)> = lines
                .iter()
                .enumerate()
                .skip(1)
                .flat_map(|(r, l)| (0..l.len()).map(move |c| (r, c)))
                .collect();
            if !cells.is_empty() {
                let (r, c) = cells[i.index(cells.len())];
                const HOSTILE: [&str; 9] = [
                    "",
                    "maybe",
                    "2026-02-30 07:00",
                    "25:00",
                    "-1",
                    "\"",
                    "@{external_id=}",
                    "SOMETHING_NEW",
                    "/Date(-99999999999999999)/",
                ];
                lines[r][c] = HOSTILE[t.index(HOSTILE.len())].to_owned();
            }
        }
        Mutation::DuplicateRecord(i) => {
            if lines.len() > 1 {
                let r = 1 + i.index(lines.len() - 1);
                let row = lines[r].clone();
                lines.insert(r, row);
            }
        }
        _ => unreachable!("byte mutations do not parse the file"),
    }
    lines
        .iter()
        .map(|l| l.join(","))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The damaged bytes of one file.
fn mutate(name: &str, bytes: &[u8], m: &Mutation) -> Vec<u8> {
    let mut out = bytes.to_vec();
    match m {
        Mutation::FlipByte(i, mask) if !out.is_empty() => out[i.index(bytes.len())] ^= mask,
        Mutation::FlipByte(..) => {}
        Mutation::Truncate(i) => out.truncate(i.index(bytes.len() + 1)),
        Mutation::Insert(i, b) => {
            let at = i.index(bytes.len() + 1);
            out.splice(at..at, b.iter().copied());
        }
        _ => {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return out; // UTF-16: only byte damage applies
            };
            if name.ends_with(".csv") {
                out = mutate_csv(text, m).into_bytes();
            } else if let Ok(mut doc) = serde_json::from_str::<Value>(text) {
                mutate_json(&mut doc, m);
                out = serde_json::to_vec_pretty(&doc).unwrap();
            }
        }
    }
    out
}

/// The files of a fixture that can be damaged (not its README).
fn data_files(fixture: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json" || e == "csv"))
        .collect();
    files.sort();
    files
}

/// A copy of `fixture` whose file `which` is damaged by `m`; returns its folder and
/// the damaged file's name.
fn damaged(root: &Path, fixture: &str, which: &Index, m: &Mutation) -> (PathBuf, String) {
    let dir = root.join("snapshot");
    copy_dir(Path::new(fixture), &dir);
    let files = data_files(fixture);
    let file = &files[which.index(files.len())];
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let bytes = std::fs::read(file).unwrap();
    std::fs::write(dir.join(&name), mutate(&name, &bytes, m)).unwrap();
    (dir, name)
}

/// Everything `diagnose --format json` does, in process.
fn pipeline(dir: &Path) -> Result<Vec<u8>, snapshot::LoadError> {
    let snap = snapshot::load(dir)?;
    let tenant = Tenant::build(snap);
    let as_of = chrono::DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let outcome = engine::run(
        &tenant,
        &Options {
            as_of,
            ..Options::default()
        },
    );
    let path = dir.to_string_lossy();
    let report = report::build(&tenant, outcome, &BuildOptions::plain(&path, as_of));
    let style = Style::plain();
    let mut out = Vec::new();
    report::printer(report::Format::Json, style)
        .print(&report, &mut out)
        .unwrap();
    Ok(out)
}

fn in_process(fixture: &str, which: &Index, m: &Mutation) -> Result<(), TestCaseError> {
    let root = tempfile::tempdir().unwrap();
    let (dir, name) = damaged(root.path(), fixture, which, m);
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(|| pipeline(&dir))
        .map_err(|_| TestCaseError::fail(format!("panicked on damaged {name}")))?;
    let took = started.elapsed();
    prop_assert!(took < IN_PROCESS_LIMIT, "{name}: took {took:?}");
    match outcome {
        Ok(json) => {
            serde_json::from_slice::<Value>(&json)
                .map_err(|e| TestCaseError::fail(format!("{name}: report is not JSON: {e}")))?;
        }
        Err(e) => {
            // Only that file was damaged, so the message must be about it.
            let shown = e.to_string();
            prop_assert!(
                shown.contains(&name),
                "{name}: error does not name it: {shown}"
            );
            prop_assert!(
                shown.len() < 2_000,
                "{name}: error is {} bytes",
                shown.len()
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn damaged_healthy_fixture(which in any::<Index>(), m in mutation()) {
        in_process("fixtures/healthy", &which, &m)?;
    }

    #[test]
    fn damaged_sample_fixture(which in any::<Index>(), m in mutation()) {
        in_process("fixtures/sample", &which, &m)?;
    }

    #[test]
    fn damaged_csv_fixture(which in any::<Index>(), m in mutation()) {
        in_process("fixtures/export-csv", &which, &m)?;
    }
}

proptest! {
    #![proptest_config(cases(32))]

    /// The exit code contract, through the real binary.
    #[test]
    fn damaged_snapshots_through_the_binary(
        fixture in prop::sample::select(vec!["fixtures/healthy", "fixtures/sample", "fixtures/export-csv"]),
        which in any::<Index>(),
        m in mutation(),
    ) {
        let root = tempfile::tempdir().unwrap();
        let (dir, name) = damaged(root.path(), fixture, &which, &m);
        let started = Instant::now();
        let out = bin()
            .args(["diagnose", dir.to_str().unwrap(), "--format", "json"])
            .timeout(BINARY_LIMIT)
            .output()
            .unwrap();
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(took < BINARY_LIMIT, "{name}: took {took:?}");
        prop_assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        match out.status.code() {
            Some(0 | 1) => {
                serde_json::from_slice::<Value>(&out.stdout)
                    .map_err(|e| TestCaseError::fail(format!("{name}: no JSON report: {e}")))?;
            }
            Some(2) => {
                prop_assert!(out.stdout.is_empty(), "{name}: a partial report on exit 2");
                prop_assert!(stderr.contains(&name), "{name}: exit 2 without naming it: {stderr}");
            }
            other => prop_assert!(false, "{name}: exit code {other:?}: {stderr}"),
        }
    }
}

/// An `Index` that picks item `n` of `len` (proptest has no constructor for one).
fn index_picking(n: usize, len: usize) -> Index {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    loop {
        let i = any::<Index>().new_tree(&mut runner).unwrap().current();
        if i.index(len) == n {
            return i;
        }
    }
}

/// The mutations themselves do what they say (a broken generator would test nothing).
#[test]
fn mutations_damage_what_they_say() {
    let json = br#"{"a": {"b": [1, 2]}, "c": "x"}"#;
    // Fields: /a, /a/b, /c.
    let m = mutate("x.json", json, &Mutation::DeleteField(index_picking(2, 3)));
    let v: Value = serde_json::from_slice(&m).unwrap();
    assert_eq!(v, serde_json::json!({"a": {"b": [1, 2]}}));
    let m = mutate(
        "x.json",
        json,
        &Mutation::DuplicateRecord(index_picking(0, 2)),
    );
    let v: Value = serde_json::from_slice(&m).unwrap();
    assert_eq!(v["a"]["b"], serde_json::json!([1, 2, 1]));
    let m = mutate(
        "x.json",
        json,
        &Mutation::SwapType(index_picking(4, 5), index_picking(0, 3)),
    );
    let v: Value = serde_json::from_slice(&m).unwrap();
    assert!(!v["c"].is_string(), "{v}");
    let csv = b"id,name\n1,a\n2,b\n";
    let m = mutate(
        "x.csv",
        csv,
        &Mutation::DuplicateRecord(index_picking(0, 2)),
    );
    assert_eq!(String::from_utf8(m).unwrap(), "id,name\n1,a\n1,a\n2,b");
    let m = mutate("x.csv", csv, &Mutation::DeleteField(index_picking(0, 2)));
    assert_eq!(String::from_utf8(m).unwrap(), "name\na\nb");
    let m = mutate(
        "x.csv",
        csv,
        &Mutation::Truncate(index_picking(3, csv.len() + 1)),
    );
    assert_eq!(m, b"id,");
}
