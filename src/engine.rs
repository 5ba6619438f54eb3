//! Runs every rule over the tenant and collects the findings, in report order.

use crate::finding::Finding;
use crate::model::Tenant;
use crate::rules::{self, Context, Focus, SkipReason};
use crate::snapshot::time::Time;

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
    outcome.findings.retain(|f| options.focus.keeps(f));
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome
}
