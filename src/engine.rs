//! Runs every rule over the tenant and collects the findings, in report order.

use crate::finding::Finding;
use crate::model::Tenant;
use crate::rules::{self, Context, Focus, SkipReason};
use crate::snapshot::time::Time;
use std::collections::HashSet;

pub struct Options {
    /// The instant the snapshot is judged at (never the wall clock inside rules).
    pub as_of: Time,
    pub focus: Focus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub rule: &'static str,
    pub reason: SkipReason,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
}

pub fn run(tenant: &Tenant, options: &Options) -> Outcome {
    let ctx = Context {
        tenant,
        as_of: options.as_of,
        focus: &options.focus,
    };
    let mut outcome = Outcome::default();
    for rule in rules::all() {
        let missing = rule.needs().iter().find(|&&input| !tenant.has(input));
        let skip = missing
            .map(|&input| SkipReason::MissingInput(input))
            .or_else(|| rule.skip_reason(&ctx));
        if let Some(reason) = skip {
            outcome.skipped.push(Skipped {
                rule: rule.slug(),
                reason,
            });
            continue;
        }
        let start = outcome.findings.len();
        rule.check(&ctx, &mut outcome.findings);
        debug_assert!(outcome.findings[start..]
            .iter()
            .all(|f| f.rule == rule.slug()));
    }
    link_root_causes(&mut outcome.findings);
    outcome.findings.retain(|f| options.focus.keeps(f));
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome
}

/// Keeps a finding's root cause only when that configuration finding exists, and
/// records it in the evidence so every format shows the link.
fn link_root_causes(findings: &mut [Finding]) {
    let reported: HashSet<(&'static str, String)> = findings
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
