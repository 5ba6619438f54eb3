//! Each fix once: the findings of one rule and cause share their explanation, impact
//! and remediation steps, so a report that lists thousands of findings gives each
//! fix once, with how many findings it resolves. Decided when the report is built.

use super::ReportFinding;
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

/// One fix per rule and cause: worst severity first, then by rule slug and cause.
pub(super) fn of(findings: &[ReportFinding]) -> Vec<Fix> {
    let mut fixes: Vec<Fix> = Vec::new();
    for f in findings {
        let at = match fixes
            .iter()
            .rposition(|x| x.rule == f.rule && x.cause == f.cause)
        {
            Some(at) => at,
            None => {
                fixes.push(Fix {
                    rule: f.rule,
                    cause: f.cause,
                    severity: f.severity,
                    title: f.title,
                    cause_meaning: f.cause_meaning,
                    impact: f.impact,
                    remediation: f.remediation,
                    references: f.references,
                    count: 0,
                    suppressed: 0,
                });
                fixes.len() - 1
            }
        };
        let fix = &mut fixes[at];
        fix.severity = fix.severity.min(f.severity);
        fix.count += 1;
        fix.suppressed += usize::from(f.is_suppressed());
    }
    fixes.sort_by_key(|x| (x.severity, x.rule.slug(), x.cause));
    fixes
}
