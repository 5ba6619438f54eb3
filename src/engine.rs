//! Runs every rule over the tenant and collects the findings, in report order, then
//! applies the run's policy: rules turned off, severity changes, suppressions.

use crate::config::{Level, Origin, Policy, Suppression};
use crate::finding::Finding;
use crate::model::Tenant;
use crate::rules::{Context, Focus, RuleId, SkipReason};
use crate::snapshot::time::Time;
use std::collections::HashSet;

#[derive(Default)]
pub struct Options {
    /// The instant the snapshot is judged at (never the wall clock inside rules).
    pub as_of: Time,
    pub focus: Focus,
    pub policy: Policy,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub rule: RuleId,
    pub reason: SkipReason,
}

/// What became of one suppression in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionState {
    /// It matched findings and hid them from the summary and exit code.
    Applied,
    /// Its expiry date is before the judging date: it no longer applies.
    Expired,
    /// It matched no finding: probably stale, clean it up.
    Unmatched,
}

#[derive(Debug, Clone)]
pub struct SuppressionOutcome {
    pub suppression: Suppression,
    pub state: SuppressionState,
    pub matched: usize,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    pub suppressions: Vec<SuppressionOutcome>,
}

pub fn run(tenant: &Tenant, options: &Options) -> Outcome {
    let focus = options.focus.resolved(tenant);
    let ctx = Context {
        tenant,
        as_of: options.as_of,
        focus: &focus,
    };
    let mut outcome = Outcome::default();
    let mut to_run = Vec::new();
    for &id in RuleId::ALL {
        let rule = id.rule();
        let level = options.policy.level(id);
        let turned_off = match level {
            Some((Level::Off, origin)) => {
                Some(SkipReason::TurnedOff(matches!(origin, Origin::CommandLine)))
            }
            _ => None,
        };
        let missing = rule.needs().iter().find(|&&input| !tenant.has(input));
        let skip = turned_off
            .or_else(|| missing.map(|&input| SkipReason::MissingInput(input)))
            .or_else(|| rule.skip_reason(&ctx))
            .or_else(|| crate::rules::settings_skip(id, &ctx));
        match skip {
            Some(reason) => outcome.skipped.push(Skipped { rule: id, reason }),
            None => to_run.push((id, level)),
        }
    }
    let checked = check_all(&ctx, &to_run);
    outcome.findings.reserve(checked.iter().map(Vec::len).sum());
    for (findings, &(id, level)) in checked.into_iter().zip(&to_run) {
        let start = outcome.findings.len();
        outcome.findings.extend(findings);
        debug_assert!(outcome.findings[start..].iter().all(|f| f.rule == id));
        if let Some((Level::At(severity), _)) = level {
            for f in &mut outcome.findings[start..] {
                f.severity = *severity;
            }
        }
    }
    link_root_causes(&mut outcome.findings);
    outcome.suppressions =
        apply_suppressions(&mut outcome.findings, &options.policy, options.as_of);
    outcome.findings.retain(|f| focus.keeps(f));
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome
}

/// Runs the rules' checks in parallel (rules only read the tenant); the findings
/// come back per rule, in the order the rules were given, so the report is the same
/// whatever the scheduling.
fn check_all<L: Sync>(ctx: &Context, to_run: &[(RuleId, L)]) -> Vec<Vec<Finding>> {
    use rayon::prelude::*;
    to_run
        .par_iter()
        .with_max_len(1)
        .map(|(id, _)| {
            let mut found = Vec::new();
            id.rule().check(ctx, &mut found);
            found
        })
        .collect()
}

/// Keeps a finding's root cause only when that configuration finding exists, and
/// records it in the evidence so every format shows the link.
fn link_root_causes(findings: &mut [Finding]) {
    let reported: HashSet<(RuleId, String)> = findings
        .iter()
        .map(|f| (f.rule, f.subject.id.clone()))
        .collect();
    for f in findings.iter_mut() {
        let Some(rc) = f.root_cause.take() else {
            continue;
        };
        if reported.contains(&(rc.rule, rc.subject.clone())) {
            f.evidence.set(
                "root_cause",
                serde_json::json!({"rule": rc.rule, "subject": rc.subject}),
            );
            f.root_cause = Some(rc);
        }
    }
}

/// Marks the findings each live suppression covers. Expiry is judged at `as_of`, so an
/// old snapshot keeps giving the same answer.
fn apply_suppressions(
    findings: &mut [Finding],
    policy: &Policy,
    as_of: Time,
) -> Vec<SuppressionOutcome> {
    let today = as_of.date_naive();
    policy
        .suppressions
        .iter()
        .map(|s| {
            let matches = |f: &Finding| {
                f.rule == s.rule && f.subject.id.eq_ignore_ascii_case(s.subject.trim())
            };
            let matched = findings.iter().filter(|f| matches(f)).count();
            let state = if s.expires.is_some_and(|d| d < today) {
                SuppressionState::Expired
            } else if matched == 0 {
                SuppressionState::Unmatched
            } else {
                for f in findings.iter_mut().filter(|f| matches(f)) {
                    f.suppressed = Some(s.reason.clone());
                }
                SuppressionState::Applied
            };
            SuppressionOutcome {
                suppression: s.clone(),
                state,
                matched,
            }
        })
        .collect()
}
