//! Each fix once: the findings of one rule and cause share their explanation, impact
//! and remediation steps, so a report that lists thousands of findings gives each
//! fix once, with how many findings it resolves. The counts are the summary table's
//! ([`RuleCount`]), merged over severities, so the two can never disagree.

use super::{ReportFinding, RuleCount};
use crate::finding::Severity;
use crate::rules::RuleId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub rule: RuleId,
    pub cause: Option<&'static str>,
    /// The worst severity among its findings.
    pub severity: Severity,
    pub title: &'static str,
    pub cause_meaning: Option<&'static str>,
    pub impact: &'static str,
    pub remediation: &'static [String],
    pub references: &'static [String],
    /// Findings of this rule and cause, suppressed ones included.
    pub count: usize,
    pub suppressed: usize,
}

/// One fix per rule and cause of the summary table `by_rule` (counted from
/// `findings`): worst severity first, then by rule slug and cause.
pub(super) fn of(by_rule: &[RuleCount], findings: &[ReportFinding]) -> Vec<Fix> {
    let mut fixes: Vec<Fix> = Vec::new();
    for row in by_rule {
        for c in &row.causes {
            if let Some(fix) = fixes
                .iter_mut()
                .find(|x| x.rule == row.rule && x.cause == c.cause)
            {
                // The same rule and cause at another severity.
                fix.severity = fix.severity.min(row.severity);
                fix.count += c.count;
                fix.suppressed += c.suppressed;
                continue;
            }
            // Its texts are the rule and cause's, alike in every finding of them.
            let Some(f) = findings
                .iter()
                .find(|f| f.rule == row.rule && f.cause == c.cause)
            else {
                continue;
            };
            fixes.push(Fix {
                rule: row.rule,
                cause: c.cause,
                severity: row.severity,
                title: f.title,
                cause_meaning: f.cause_meaning,
                impact: f.impact,
                remediation: f.remediation,
                references: f.references,
                count: c.count,
                suppressed: c.suppressed,
            });
        }
    }
    fixes.sort_by_key(|x| (x.severity, x.rule.slug(), x.cause));
    fixes
}
