//! The human report at fleet scale and at the help desk: findings folded by rule and
//! cause (one fix per rule and cause, `--max-rows` subjects, "and N more"), the line
//! count of a 20,000-user tenant, the width `COLUMNS` asks for, hostile values escaped
//! in tables and dossiers, and the dossier of `--user` and `--device`.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use support::{bin, copy_of, fixture, json_report, synth};

/// The human report of a run, with colour off; its exit code.
fn human(args: &[&str], env: &[(&str, &str)]) -> (String, i32) {
    let mut cmd = bin();
    cmd.args(args).args(["--color", "never", "--lang", "en"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.stderr.is_empty() || out.status.code() != Some(2),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (stdout, out.status.code().unwrap())
}

/// The subject ids of the JSON report's open findings per (rule, severity, cause).
fn subjects_by_cause(report: &Value) -> BTreeMap<(String, String, String), Vec<String>> {
    let mut groups: BTreeMap<_, Vec<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let key = (
            f["rule"].as_str().unwrap().to_string(),
            f["severity"].as_str().unwrap().to_string(),
            f["cause"].as_str().unwrap_or("").to_string(),
        );
        groups
            .entry(key)
            .or_default()
            .push(f["subject"]["id"].as_str().unwrap().to_string());
    }
    groups
}

/// The block of the report that explains one rule and cause: from its heading to the
/// next blank line after its table.
fn block<'a>(report: &'a str, rule: &str, cause: &str, count: usize) -> &'a str {
    let heading = if cause.is_empty() {
        format!(" {rule} · {count} findings")
    } else {
        format!(" {rule} · {cause} · {count} findings")
    };
    let start = report
        .find(&heading)
        .unwrap_or_else(|| panic!("no heading {heading:?} in\n{report}"));
    let rest = &report[start..];
    let end = rest.find("\n\n").unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn a_fleet_reads_one_fix_per_rule_and_cause_and_max_rows_subjects() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("tenant");
    synth::generate(20_000, &snapshot, 16, synth::Shape::Realistic).unwrap();
    let path = snapshot.to_str().unwrap();
    let (report, _) = json_report(&["diagnose", path]);
    let groups = subjects_by_cause(&report);
    assert!(
        groups.values().filter(|ids| ids.len() > 20).count() >= 3,
        "{:?}",
        groups.keys()
    );

    let (default, code) = human(&["diagnose", path], &[]);
    assert_eq!(code, 1);
    // The bound: a report a person can read, whatever the tenant's size.
    let lines = default.lines().count();
    assert!(lines < 1_000, "{lines} lines");
    // One fix per rule and cause: as many "Fix:" headings as groups.
    assert_eq!(default.matches("\n  Fix:\n").count(), groups.len());
    for ((rule, _, cause), ids) in &groups {
        let b = block(&default, rule, cause, ids.len());
        let shown = ids.iter().filter(|id| b.contains(id.as_str())).count();
        assert_eq!(shown, ids.len().min(20), "{rule} {cause}");
        if ids.len() > 20 {
            let more = format!(
                "and {} more: `--max-rows 0` or `--format csv` lists them all",
                ids.len() - 20
            );
            assert!(b.contains(&more), "{rule} {cause}: {b}");
        }
    }

    let (five, _) = human(&["diagnose", path, "--max-rows", "5"], &[]);
    for ((rule, _, cause), ids) in &groups {
        let b = block(&five, rule, cause, ids.len());
        let shown = ids.iter().filter(|id| b.contains(id.as_str())).count();
        assert_eq!(shown, ids.len().min(5), "{rule} {cause}");
        assert!(b.contains(&format!("and {} more", ids.len() - 5)));
    }

    let (all, _) = human(&["diagnose", path, "--max-rows", "0"], &[]);
    assert!(!all.contains("more: `--max-rows 0`"));
    for ((rule, _, cause), ids) in &groups {
        let b = block(&all, rule, cause, ids.len());
        assert!(
            ids.iter().all(|id| b.contains(id.as_str())),
            "{rule} {cause}"
        );
    }
    // The rule table counts each cause.
    for ((_, _, cause), ids) in groups.iter().filter(|((_, _, c), _)| !c.is_empty()) {
        let row = default
            .lines()
            .find(|l| l.contains(&format!("· {cause} ")) && l.starts_with('│'))
            .unwrap_or_else(|| panic!("no rule-table row for {cause}"));
        assert!(row.contains(&format!(" {} ", ids.len())), "{row}");
    }
}

#[test]
fn a_rule_with_one_finding_still_reads_in_full() {
    let (report, _) = human(&["diagnose", fixture("sample").to_str().unwrap()], &[]);
    // device-threat-detected has one error: its diagnosis and evidence, as before.
    let single = block_from(&report, "ERROR device-threat-detected · device ");
    assert!(single.contains("  Diagnosis: "), "{single}");
    assert!(single.contains("  Evidence:\n"), "{single}");
    // device-pending has two: explained once, then a table with both.
    let folded = block(&report, "device-pending", "", 2);
    assert!(!folded.contains("Diagnosis: "), "{folded}");
    assert_eq!(folded.matches("\n  Fix:\n").count(), 1);
}

fn block_from<'a>(report: &'a str, start: &str) -> &'a str {
    let at = report
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in\n{report}"));
    let rest = &report[at..];
    &rest[..rest.find("\n\n").unwrap_or(rest.len())]
}

/// Columns a line takes on a terminal (a CJK character takes two).
fn width(line: &str) -> usize {
    line.chars()
        .map(|c| {
            if ('\u{1100}'..='\u{115F}').contains(&c)
                || ('\u{2E80}'..='\u{A4CF}').contains(&c)
                || ('\u{AC00}'..='\u{D7A3}').contains(&c)
                || ('\u{F900}'..='\u{FAFF}').contains(&c)
                || ('\u{FF00}'..='\u{FF60}').contains(&c)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn the_report_is_as_wide_as_columns_says() {
    let sample = fixture("sample");
    let path = sample.to_str().unwrap();
    for columns in [60, 80, 140] {
        for lang in ["en", "ja"] {
            let out = bin()
                .args(["diagnose", path, "--user", "alice.johnson@contoso.com"])
                .args(["--color", "never", "--lang", lang])
                .env("COLUMNS", columns.to_string())
                .output()
                .unwrap();
            let report = String::from_utf8(out.stdout).unwrap();
            for line in report.lines().filter(|l| width(l) > columns) {
                // Only a token that cannot be broken (a URL) may stick out.
                assert_eq!(
                    line.split_whitespace().count(),
                    1,
                    "COLUMNS={columns} {lang}: {line:?} is {} wide",
                    width(line)
                );
            }
            if columns > 100 {
                assert!(report.lines().any(|l| width(l) > 100), "{lang}");
            }
        }
    }
    // Piped without COLUMNS: 100.
    let (report, _) = human(&["diagnose", path], &[]);
    let widest = report.lines().map(width).filter(|&w| w <= 100).max();
    assert_eq!(widest, Some(100));
}

#[test]
fn hostile_names_are_escaped_in_tables_and_dossiers() {
    let tmp = copy_of(fixture("sample"));
    let file = tmp.path().join("intune-devices.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut devices: Value = serde_json::from_str(&text).unwrap();
    let list = match devices.get_mut("value") {
        Some(v) => v.as_array_mut().unwrap(),
        None => devices.as_array_mut().unwrap(),
    };
    for d in list.iter_mut() {
        let name = d["deviceName"].as_str().unwrap_or("phone").to_string();
        d["deviceName"] = Value::from(format!("{name}\u{1b}[31m\u{202e}evil\r\n::error::x"));
    }
    std::fs::write(&file, serde_json::to_string(&devices).unwrap()).unwrap();
    let path = tmp.path().to_str().unwrap();
    for args in [
        vec!["diagnose", path],
        vec!["diagnose", path, "--user", "alice.johnson@contoso.com"],
        vec![
            "diagnose",
            path,
            "--device",
            "830217b0-1c50-4d1b-90b3-232493251ec7",
        ],
    ] {
        let (report, _) = human(&args, &[]);
        for raw in ['\u{1b}', '\u{202e}', '\r'] {
            assert!(!report.contains(raw), "{args:?}: raw {raw:?}");
        }
        assert!(report.contains("\\u{1b}[31m\\u{202e}evil"), "{args:?}");
        assert!(!report.lines().any(|l| l.trim_start().starts_with("::")));
    }
    // In a subject table, not only in a detailed block.
    let (report, _) = human(&["diagnose", path], &[]);
    let folded = block(&report, "device-pending", "", 2);
    assert!(folded.contains("\\u{1b}"), "{folded}");
}

#[test]
fn a_users_dossier_has_the_path_into_each_enrollment_group_and_devices_side_by_side() {
    let sample = fixture("sample");
    let path = sample.to_str().unwrap();
    let (report, _) = human(
        &["diagnose", path, "--user", "Alice.Johnson@contoso.com"],
        &[("COLUMNS", "120")],
    );
    let dossier = &report[..report.find("Integration health:").unwrap()];
    for expected in [
        "Name: Alice Johnson",
        "Groups (direct member): All Contoso Staff, Lookout Wave 1",
        "- Lookout Pilot: member through Lookout Pilot > Lookout Wave 1",
        "- Lookout wave 3: not a member, directly or through nested groups",
        "console access: none",
        "Devices (2), Intune beside Lookout:",
        // Alice's iPhone: Intune id, Lookout guid, the device ID that links them.
        "830217b0-1c50-4d1b-90b3-232493251ec7",
        "d9097d28-51f9-44ac-9c8a-b6a979b62a9a",
        "(the Intune id)",
        "ACTIVATED · PROTECTED",
        "2026-11-20T11:37:46Z (0 day(s) before the judging time)",
        // Her laptop has no Lookout record.
        "no record",
    ] {
        assert!(dossier.contains(expected), "{expected:?} not in\n{dossier}");
    }
    // One screen.
    assert!(dossier.lines().count() < 60, "{dossier}");
    // Devices are cut at --max-rows like any table.
    let (one, _) = human(
        &[
            "diagnose",
            path,
            "--user",
            "alice.johnson@contoso.com",
            "--max-rows",
            "1",
        ],
        &[],
    );
    let one = &one[..one.find("Integration health:").unwrap()];
    assert!(
        one.contains("830217b0-1c50-4d1b-90b3-232493251ec7"),
        "{one}"
    );
    assert!(!one.contains("CONTOSO-LT-0142"), "{one}");
    assert!(one.contains("and 1 more: `--max-rows 0`"), "{one}");

    // A group whose name differs only in letter case is named, and why it does not count.
    let (nestor, _) = human(
        &["diagnose", path, "--user", "nestor.wilke@contoso.com"],
        &[],
    );
    assert!(
        nestor.contains("- Lookout wave 3: only a direct member of \"Lookout Wave 3\""),
        "{nestor}"
    );
}

#[test]
fn a_devices_dossier_shows_its_owner_and_both_records() {
    let sample = fixture("sample");
    let (report, _) = human(
        &[
            "diagnose",
            sample.to_str().unwrap(),
            "--device",
            "D9097D28-51F9-44AC-9C8A-B6A979B62A9A",
        ],
        &[],
    );
    let dossier = &report[..report.find("Integration health:").unwrap()];
    for expected in [
        "Owner: alice.johnson@contoso.com",
        "Name: Alice's iPhone 15",
        "│                ┆ Intune",
        "830217b0-1c50-4d1b-90b3-232493251ec7",
        "(the Intune id)",
        "compliant",
        "ACTIVATED · PROTECTED",
        "iOS 26.1",
    ] {
        assert!(dossier.contains(expected), "{expected:?} not in\n{dossier}");
    }
    assert!(
        !dossier.contains("Groups"),
        "a device has no groups: {dossier}"
    );
}

#[test]
fn a_focus_no_export_knows_has_no_dossier() {
    let (report, code) = human(
        &[
            "diagnose",
            fixture("sample").to_str().unwrap(),
            "--user",
            "nobody@contoso.com",
        ],
        &[],
    );
    assert!(report.contains("user nobody@contoso.com: not in any export: check the spelling"));
    assert!(!report.contains("Devices ("));
    // The sample's tenant-wide findings still count.
    assert_eq!(code, 1);
}

#[test]
fn healthy_data_stays_silent() {
    let healthy = fixture("healthy");
    let path = healthy.to_str().unwrap();
    for max_rows in ["20", "0", "1"] {
        let (report, code) = human(&["diagnose", path, "--max-rows", max_rows], &[]);
        assert_eq!(code, 0);
        assert!(report.contains("No problems found."), "{report}");
        assert!(!report.contains("Findings\n"), "{report}");
        assert!(!report.contains("more: `--max-rows 0`"), "{report}");
    }
    // A healthy user's dossier is facts, not findings.
    let (report, code) = human(
        &["diagnose", path, "--user", "alice.johnson@contoso.com"],
        &[],
    );
    assert_eq!(code, 0);
    assert!(report.contains("No problems found."), "{report}");
    assert!(report.contains("Devices ("), "{report}");
}

#[test]
fn max_rows_must_be_a_count() {
    let out = bin()
        .args(["diagnose", "fixtures/sample", "--max-rows", "-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(Path::new("fixtures/sample").is_dir());
}

#[test]
fn findings_a_root_cause_explains_stay_listed_under_it_cut_at_max_rows() {
    let dir = fixture("config-enrollment-group-case-mismatch");
    let path = dir.to_str().unwrap();
    let (report, _) = json_report(&["diagnose", path]);
    let explained: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] != "enrollment-group-case-mismatch")
        .map(|f| f["subject"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(explained.len(), 2);
    let (all, _) = human(&["diagnose", path], &[]);
    let listed = block_from(&all, "Fixing this also resolves 2 finding(s)");
    assert!(explained.iter().all(|id| listed.contains(id)), "{listed}");
    let (one, _) = human(&["diagnose", path, "--max-rows", "1"], &[]);
    let listed = block_from(&one, "Fixing this also resolves 2 finding(s)");
    let shown = explained.iter().filter(|id| listed.contains(*id)).count();
    assert_eq!(shown, 1, "{listed}");
    assert!(listed.contains("and 1 more: `--max-rows 0`"), "{listed}");
}

/// The fact columns of each group's table, by the group's heading (severity, rule,
/// cause), from the first table header after that heading. `heading` reads a line
/// as a group heading; a header's fact columns are its evidence keys (lowercase).
fn fact_columns(
    report: &str,
    heading: impl Fn(&str) -> Option<(String, String, String)>,
    header_cells: impl Fn(&str) -> Option<Vec<String>>,
) -> BTreeMap<(String, String, String), Vec<String>> {
    let mut columns = BTreeMap::new();
    let mut current = None;
    for line in report.lines() {
        if let Some(key) = heading(line) {
            current = Some(key);
        } else if let Some(cells) = header_cells(line) {
            if let Some(key) = current.take() {
                let facts = cells
                    .into_iter()
                    .filter(|c| {
                        !c.is_empty() && c.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    })
                    .collect();
                columns.insert(key, facts);
            }
        }
    }
    columns
}

#[test]
fn markdown_tables_each_group_with_the_human_report_s_columns() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("tenant");
    synth::generate(3_000, &snapshot, 16, synth::Shape::Realistic).unwrap();
    let path = snapshot.to_str().unwrap();
    // Wide enough that no header is wrapped.
    let (human, _) = human(&["diagnose", path], &[("COLUMNS", "1000")]);
    let out = bin()
        .args(["diagnose", path, "--format", "markdown", "--lang", "en"])
        .output()
        .unwrap();
    let markdown = String::from_utf8(out.stdout).unwrap();
    // "ERROR rule · cause · 12 findings [3 new]" / "ERROR rule · 12 findings".
    let human_columns = fact_columns(
        &human,
        |line| {
            let (severity, rest) = line.split_once(' ')?;
            if !["ERROR", "WARNING", "INFO"].contains(&severity) || !line.contains(" findings") {
                return None;
            }
            let parts: Vec<&str> = rest.split(" · ").collect();
            let cause = if parts.len() == 3 { parts[1] } else { "" };
            Some((severity.into(), parts[0].into(), cause.into()))
        },
        |line| {
            let inner = line.strip_prefix('│')?.strip_suffix('│')?;
            let cells: Vec<String> = inner.split('┆').map(|c| c.trim().to_string()).collect();
            (cells[0] == "ID").then_some(cells)
        },
    );
    // "### ERROR `rule` · `cause` · 12 finding(s)" / "### ERROR `rule` · 12 finding(s)".
    let markdown_columns = fact_columns(
        &markdown,
        |line| {
            let rest = line.strip_prefix("### ")?;
            if !rest.ends_with(" finding(s)") {
                return None;
            }
            let (severity, rest) = rest.split_once(' ')?;
            let ticks: Vec<&str> = rest.split('`').collect();
            let cause = if ticks.len() > 4 { ticks[3] } else { "" };
            Some((severity.into(), ticks[1].into(), cause.into()))
        },
        |line| {
            let cells: Vec<String> = line
                .strip_prefix("| Subject |")?
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            Some(cells)
        },
    );
    assert!(
        human_columns.values().filter(|f| !f.is_empty()).count() >= 3,
        "{human_columns:?}"
    );
    assert_eq!(markdown_columns, human_columns);
}
