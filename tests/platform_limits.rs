//! The CI formats stay within what GitHub accepts, on a generated 20,000-user tenant
//! (issue 16): markdown under the 1 MiB step-summary limit, at most ten annotations
//! per level, SARIF within code scanning's result limit, and what each lists or
//! folds adds up to the JSON report's counts. Many such tenants in one run fold the
//! markdown and say so; a healthy tenant folds and says nothing.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::{bin, fixture, synth};

/// The bytes a markdown report may take (`limits::MARKDOWN_BUDGET`).
const MARKDOWN_BUDGET: usize = 1_000_000;

/// One 20,000-user tenant for every test of this binary.
fn tenant() -> &'static Path {
    static TENANT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = TENANT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenant");
        synth::generate(20_000, &path, 11, synth::Shape::Short).unwrap();
        (dir, path)
    });
    path
}

fn diagnose(snapshots: &[&Path], format: &str) -> String {
    support::report_text(
        bin()
            .arg("diagnose")
            .args(snapshots)
            .args(["--format", format])
            .output()
            .unwrap(),
    )
}

type Counts = BTreeMap<(String, String), usize>;

/// Open findings per rule and cause, from the JSON report.
fn json_counts(snapshot: &Path) -> Counts {
    let report: Value = serde_json::from_str(&diagnose(&[snapshot], "json")).unwrap();
    let mut counts = Counts::new();
    for f in report["findings"].as_array().unwrap() {
        if f.get("suppressed").is_none() {
            let key = (
                f["rule"].as_str().unwrap().to_string(),
                f["cause"].as_str().unwrap_or("").to_string(),
            );
            *counts.entry(key).or_default() += 1;
        }
    }
    counts
}

/// Per tenant of a markdown output: the findings listed (table rows, or a block for
/// a finding alone) plus those said to be left out, per rule and cause.
fn markdown_counts(md: &str) -> Vec<Counts> {
    let mut tenants = Vec::new();
    let mut seen = Counts::new();
    let mut section = (String::new(), String::new());
    for line in md.lines() {
        if line.starts_with("# lookout-doctor ") && !seen.is_empty() {
            tenants.push(std::mem::take(&mut seen));
        }
        if let Some(rest) = line.strip_prefix("### ") {
            let ticks: Vec<&str> = rest.split('`').collect();
            let cause = if ticks.get(2) == Some(&" · ") {
                ticks[3]
            } else {
                ""
            };
            section = (ticks[1].to_string(), cause.to_string());
            if rest.contains("` · device ") {
                // Generated tenants have no cause a finding alone would print below.
                *seen.entry(section.clone()).or_default() += 1;
            }
        } else if line.starts_with("| device ") {
            *seen.entry(section.clone()).or_default() += 1;
        } else if let Some((count, what)) = line
            .strip_prefix('_')
            .and_then(|rest| rest.split_once(" more finding(s) of "))
        {
            let ticks: Vec<&str> = what.split('`').collect();
            let cause = if ticks[2] == " (" { ticks[3] } else { "" };
            *seen
                .entry((ticks[1].to_string(), cause.to_string()))
                .or_default() += count.parse::<usize>().unwrap();
        }
    }
    tenants.push(seen);
    tenants
}

#[test]
fn a_fleet_s_markdown_fits_a_step_summary_and_lists_every_finding() {
    let md = diagnose(&[tenant()], "markdown");
    assert!(md.len() <= MARKDOWN_BUDGET, "{} bytes", md.len());
    assert!(!md.contains("not listed"), "nothing folded at this size");
    let counts = json_counts(tenant());
    assert!(counts.values().sum::<usize>() > 900, "{counts:?}");
    assert_eq!(markdown_counts(&md), [counts]);
}

#[test]
fn many_fleets_in_one_summary_are_folded_under_the_limit_saying_what_was_left_out() {
    let one = diagnose(&[tenant()], "markdown").len();
    // Enough tenants that their reports together are well over the limit.
    let n = MARKDOWN_BUDGET / one + 2;
    let dir = tempfile::tempdir().unwrap();
    let links: Vec<PathBuf> = (0..n)
        .map(|i| {
            let link = dir.path().join(format!("tenant-{i}"));
            std::os::unix::fs::symlink(tenant(), &link).unwrap();
            link
        })
        .collect();
    let paths: Vec<&Path> = links.iter().map(PathBuf::as_path).collect();
    let md = diagnose(&paths, "markdown");
    assert!(md.len() <= MARKDOWN_BUDGET, "{} bytes", md.len());
    let counts = json_counts(tenant());
    assert_eq!(markdown_counts(&md), vec![counts; n]);
    assert_eq!(
        md.matches("to stay under GitHub's 1 MiB limit for a step summary")
            .count(),
        n,
        "each tenant's report says it was folded"
    );
    assert!(md.contains("more finding(s) of `device-pending` not listed"));
    assert!(
        md.trim_end()
            .ends_with("open findings listed; `--format csv` lists them all._"),
        "the summary ends properly"
    );
}

#[test]
fn a_fleet_s_annotations_are_one_per_rule_and_cause_at_most_ten_per_level() {
    let out = diagnose(&[tenant()], "github");
    let counts = json_counts(tenant());
    for level in ["error", "warning", "notice"] {
        let n = out
            .lines()
            .filter(|l| l.starts_with(&format!("::{level} ")))
            .count();
        assert!(n <= 10, "{level}: {n}");
    }
    // One annotation per rule and cause, with its count.
    let mut annotated = Counts::new();
    for line in out.lines().filter(|l| l.contains(" file=")) {
        let title = line.split(",title=").nth(1).unwrap();
        let (name, rest) = title.split_once("%3A ").unwrap();
        let count: usize = rest.split(' ').next().unwrap().parse().unwrap();
        let (rule, cause) = match name.split_once(" (") {
            Some((rule, cause)) => (rule, cause.trim_end_matches(')')),
            None => (name, ""),
        };
        annotated.insert((rule.to_string(), cause.to_string()), count);
    }
    assert_eq!(annotated, counts);
    assert!(!out.contains("not shown"), "nothing folded: {out}");
}

#[test]
fn a_fleet_s_sarif_holds_every_finding_within_code_scanning_s_limits() {
    let sarif: Value = serde_json::from_str(&diagnose(&[tenant()], "sarif")).unwrap();
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    let total: usize = json_counts(tenant()).values().sum();
    assert_eq!(results.len(), total);
    assert!(results.len() <= 25_000);
    assert!(results
        .iter()
        .all(|r| r["locations"].as_array().unwrap().len() <= 10));
    assert!(run["tool"]["driver"]["rules"].as_array().unwrap().len() <= 1_000);
    assert!(run.get("properties").is_none(), "nothing folded");
}

#[test]
fn a_healthy_tenant_folds_nothing_and_says_nothing_about_limits() {
    let healthy = fixture("healthy");
    let md = diagnose(&[&healthy], "markdown");
    assert!(!md.contains("1 MiB") && !md.contains("not listed"), "{md}");
    let github = diagnose(&[&healthy], "github");
    assert!(
        !github.lines().any(|l| l.starts_with("::")),
        "no annotation: {github}"
    );
    let sarif: Value = serde_json::from_str(&diagnose(&[&healthy], "sarif")).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(run["results"].as_array().unwrap().len(), 0);
    assert!(run.get("properties").is_none());
    assert!(run["invocations"][0]
        .get("toolExecutionNotifications")
        .is_none());
}
