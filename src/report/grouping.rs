//! How findings are arranged for reading, decided once when the report is built: the
//! summary table's count per rule, and which finding is listed under the
//! configuration finding that explains it. Printers walk the result.

use super::ReportFinding;
use crate::finding::Severity;
use crate::rules::RuleId;
use std::collections::{HashMap, HashSet};

/// A row of the summary table: the findings of one rule at one severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCount {
    pub severity: Severity,
    pub rule: RuleId,
    /// The rule's title in the report language.
    pub title: &'static str,
    pub count: usize,
    /// The count of each cause among them, most frequent first, then by cause slug
    /// (`None`, a rule without causes, sorts first).
    pub causes: Vec<CauseCount>,
}

/// The findings of one cause within a [`RuleCount`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseCount {
    pub cause: Option<&'static str>,
    /// Suppressed ones included.
    pub count: usize,
    pub suppressed: usize,
}

/// Counts every finding, suppressed ones included, by severity and rule: worst first,
/// then by rule slug.
pub(super) fn count_by_rule(findings: &[ReportFinding]) -> Vec<RuleCount> {
    let mut counts: Vec<RuleCount> = Vec::new();
    for f in findings {
        // Findings come sorted by severity and rule: their row is nearly always the last.
        match counts
            .iter_mut()
            .rev()
            .find(|c| c.severity == f.severity && c.rule == f.rule)
        {
            Some(c) => {
                c.count += 1;
                match c.causes.iter_mut().find(|c| c.cause == f.cause) {
                    Some(c) => c.add(f),
                    None => c.causes.push(CauseCount::of(f)),
                }
            }
            None => counts.push(RuleCount {
                severity: f.severity,
                rule: f.rule,
                title: f.title,
                count: 1,
                causes: vec![CauseCount::of(f)],
            }),
        }
    }
    // By the slug as written, whatever order the rules are declared in.
    counts.sort_by_key(|c| (c.severity, c.rule.slug()));
    for c in &mut counts {
        c.causes
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.cause.cmp(&b.cause)));
    }
    counts
}

impl CauseCount {
    fn of(f: &ReportFinding) -> CauseCount {
        CauseCount {
            cause: f.cause,
            count: 1,
            suppressed: usize::from(f.is_suppressed()),
        }
    }

    fn add(&mut self, f: &ReportFinding) {
        self.count += 1;
        self.suppressed += usize::from(f.is_suppressed());
    }
}

/// The open findings of one rule at one severity with one cause: the unit a report
/// at fleet scale explains once and then lists subjects for.
#[derive(Debug)]
pub struct CauseGroup<'r> {
    pub severity: Severity,
    pub rule: RuleId,
    pub cause: Option<&'static str>,
    /// Its findings in report order, each with those it explains.
    pub members: Vec<Group<'r>>,
}

impl CauseGroup<'_> {
    /// The findings of the group, those listed under its members included.
    pub fn total(&self) -> usize {
        self.members.iter().map(|g| 1 + g.explains.len()).sum()
    }
}

/// Folds the groups (report order: by severity, then rule) by rule, severity and
/// cause. Within a rule and severity, causes come most frequent first, then by slug,
/// so the cause that needs the most work leads.
pub(super) fn by_cause<'r>(groups: impl Iterator<Item = Group<'r>>) -> Vec<CauseGroup<'r>> {
    let mut out: Vec<CauseGroup<'r>> = Vec::new();
    // Where the current rule and severity's groups begin in `out`.
    let mut run_start = 0;
    for g in groups {
        let f = g.finding;
        let same_run = out
            .get(run_start)
            .is_some_and(|c| c.rule == f.rule && c.severity == f.severity);
        if !same_run {
            sort_run(&mut out[run_start..]);
            run_start = out.len();
        }
        match out[run_start..].iter_mut().find(|c| c.cause == f.cause) {
            Some(c) => c.members.push(g),
            None => out.push(CauseGroup {
                severity: f.severity,
                rule: f.rule,
                cause: f.cause,
                members: vec![g],
            }),
        }
    }
    sort_run(&mut out[run_start..]);
    out
}

fn sort_run(run: &mut [CauseGroup<'_>]) {
    run.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| a.cause.cmp(&b.cause))
    });
}

/// An open finding that no other open finding explains, with those it explains.
#[derive(Debug)]
pub struct Group<'r> {
    pub finding: &'r ReportFinding,
    /// In report order; empty for most findings.
    pub explains: Vec<&'r ReportFinding>,
}

/// A finding explained by a configuration finding that is itself reported and open is
/// listed under it, so the admin fixes one setting instead of reading many findings.
#[derive(Debug, Default)]
pub(super) struct RootCauses {
    /// Open findings listed under their cause, as indices into the findings, ascending.
    explained: Vec<usize>,
    /// Open findings that explain others, with the indices of those; both ascending.
    explains: Vec<(usize, Vec<usize>)>,
}

impl RootCauses {
    pub(super) fn of(findings: &[ReportFinding]) -> RootCauses {
        let open = || {
            findings
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.is_suppressed())
        };
        // The causes open findings name; most reports name none, and stop here.
        let named: HashSet<_> = open()
            .filter_map(|(_, f)| f.root_cause.as_ref())
            .map(|rc| (rc.rule, rc.subject.as_str()))
            .collect();
        if named.is_empty() {
            return RootCauses::default();
        }
        // A cause that is suppressed or focused away is not shown to list anything under.
        let shown: HashSet<_> = open()
            .map(|(_, f)| (f.rule, f.subject.id.as_str()))
            .filter(|k| named.contains(k))
            .collect();
        let mut under: HashMap<_, Vec<usize>> = HashMap::new();
        let mut explained = Vec::new();
        for (i, f) in open() {
            let Some(rc) = &f.root_cause else { continue };
            let cause = (rc.rule, rc.subject.as_str());
            if shown.contains(&cause) {
                under.entry(cause).or_default().push(i);
                explained.push(i);
            }
        }
        let explains = open()
            .filter(|(i, _)| explained.binary_search(i).is_err())
            .filter_map(|(i, f)| {
                under
                    .get(&(f.rule, f.subject.id.as_str()))
                    .map(|list| (i, list.clone()))
            })
            .collect();
        RootCauses {
            explained,
            explains,
        }
    }

    /// Listed under its cause rather than on its own.
    pub(super) fn is_explained(&self, finding: usize) -> bool {
        self.explained.binary_search(&finding).is_ok()
    }

    /// The findings listed under this one.
    pub(super) fn explained_by(&self, finding: usize) -> &[usize] {
        self.explains
            .binary_search_by_key(&finding, |(cause, _)| *cause)
            .map_or(&[], |at| &self.explains[at].1)
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::{Finding, Severity, Subject, SubjectKind};
    use crate::report::Report;
    use crate::rules::RuleId;

    fn device(rule: RuleId, id: &str) -> Finding {
        Finding::new(rule, Severity::Error, Subject::new(SubjectKind::Device, id))
    }

    use crate::report::report_of as report;

    /// Each group as "rule subject > explained subjects".
    fn groups(r: &Report) -> Vec<String> {
        r.groups()
            .map(|g| {
                let explains: Vec<&str> =
                    g.explains.iter().map(|f| f.subject.id.as_str()).collect();
                format!(
                    "{} {} > {}",
                    g.finding.rule,
                    g.finding.subject.id,
                    explains.join(",")
                )
            })
            .collect()
    }

    #[test]
    fn findings_are_listed_under_the_open_finding_that_explains_them() {
        let cause = Finding::new(
            RuleId::TenantNotLinked,
            Severity::Error,
            Subject::new(SubjectKind::Tenant, "t1"),
        );
        let r = report(vec![
            device(RuleId::DeviceMissing, "d1").caused_by(RuleId::TenantNotLinked, "t1"),
            device(RuleId::DeviceMissing, "d2"),
            device(RuleId::DeviceMissing, "d3").caused_by(RuleId::TenantNotLinked, "t1"),
            // A cause that is not reported explains nothing.
            device(RuleId::DeviceMissing, "d4").caused_by(RuleId::TenantNotLinked, "t2"),
            cause,
        ]);
        assert_eq!(
            groups(&r),
            [
                "device-missing d2 > ",
                "device-missing d4 > ",
                "tenant-not-linked t1 > d1,d3",
            ]
        );
    }

    #[test]
    fn a_suppressed_cause_explains_nothing_and_suppressed_findings_are_not_grouped() {
        let mut cause = Finding::new(
            RuleId::TenantNotLinked,
            Severity::Error,
            Subject::new(SubjectKind::Tenant, "t1"),
        );
        cause.suppressed = Some("known".into());
        let mut hidden = device(RuleId::DeviceMissing, "d2");
        hidden.suppressed = Some("known".into());
        let r = report(vec![
            device(RuleId::DeviceMissing, "d1").caused_by(RuleId::TenantNotLinked, "t1"),
            hidden,
            cause,
        ]);
        assert_eq!(groups(&r), ["device-missing d1 > "]);
        assert_eq!(r.suppressed().count(), 2);
    }

    #[test]
    fn cause_groups_fold_a_rule_by_cause_most_frequent_first() {
        let with = |id: &str, cause: &'static str| {
            let mut f = device(RuleId::DeviceMissing, id);
            f.cause = Some(cause);
            f
        };
        let r = report(vec![
            with("d1", "b-cause"),
            with("d2", "a-cause"),
            with("d3", "b-cause"),
            with("d4", "c-cause"),
            with("d5", "a-cause"),
            device(RuleId::DevicePending, "d6"),
        ]);
        let rows: Vec<(String, Option<&str>, Vec<&str>)> = r
            .cause_groups()
            .iter()
            .map(|c| {
                let ids = c.members.iter().map(|g| g.finding.subject.id.as_str());
                (c.rule.to_string(), c.cause, ids.collect())
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("device-missing".into(), Some("a-cause"), vec!["d2", "d5"]),
                ("device-missing".into(), Some("b-cause"), vec!["d1", "d3"]),
                ("device-missing".into(), Some("c-cause"), vec!["d4"]),
                ("device-pending".into(), None, vec!["d6"]),
            ]
        );
        let causes: Vec<(Option<&str>, usize)> = r.by_rule[0]
            .causes
            .iter()
            .map(|c| (c.cause, c.count))
            .collect();
        assert_eq!(
            causes,
            [
                (Some("a-cause"), 2),
                (Some("b-cause"), 2),
                (Some("c-cause"), 1)
            ]
        );
    }

    #[test]
    fn rule_counts_include_suppressed_findings_worst_first_then_by_slug() {
        let mut suppressed = device(RuleId::DeviceMissing, "d3");
        suppressed.suppressed = Some("known".into());
        let mut warning = device(RuleId::DevicePending, "d4");
        warning.severity = Severity::Warning;
        let r = report(vec![
            device(RuleId::DevicePending, "d1"),
            device(RuleId::DeviceMissing, "d2"),
            suppressed,
            warning,
        ]);
        let rows: Vec<(Severity, &str, usize)> = r
            .by_rule
            .iter()
            .map(|c| (c.severity, c.rule.slug(), c.count))
            .collect();
        assert_eq!(
            rows,
            [
                (Severity::Error, "device-missing", 2),
                (Severity::Error, "device-pending", 1),
                (Severity::Warning, "device-pending", 1),
            ]
        );
    }

    #[test]
    fn each_fix_counts_its_rule_and_cause_over_severities_as_the_summary_table_does() {
        let with = |id: &str, severity: Severity, cause: &'static str, suppressed: bool| {
            let mut f = device(RuleId::DeviceMissing, id);
            f.severity = severity;
            f.cause = Some(cause);
            f.suppressed = suppressed.then(|| "known".into());
            f
        };
        let r = report(vec![
            with("d1", Severity::Warning, "a-cause", false),
            with("d2", Severity::Error, "a-cause", true),
            with("d3", Severity::Error, "b-cause", false),
            with("d4", Severity::Warning, "a-cause", false),
        ]);
        let fixes: Vec<(Severity, Option<&str>, usize, usize)> = r
            .fixes
            .iter()
            .map(|f| (f.severity, f.cause, f.count, f.suppressed))
            .collect();
        // The worst severity of its findings, all of them counted, suppressed or not.
        assert_eq!(
            fixes,
            [
                (Severity::Error, Some("a-cause"), 3, 1),
                (Severity::Error, Some("b-cause"), 1, 0),
            ]
        );
        let counted: usize = r.by_rule.iter().map(|c| c.count).sum();
        assert_eq!(r.fixes.iter().map(|f| f.count).sum::<usize>(), counted);
    }
}
