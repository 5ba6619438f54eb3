//! How a report shows many findings of one rule and cause: the explanation, impact
//! and fix once, then a table of the subjects with the facts that tell them apart.
//! Which columns, which facts and (for the human report, cut at `--max-rows`) which
//! rows is decided here from the findings, once for every format that tables
//! subjects, so the human report and markdown show the same columns for a group.

use super::{CauseGroup, ReportFinding};
use crate::knowledge;
use serde_json::Value;

/// Rows of a subject table unless `--max-rows` says otherwise: a screenful.
pub const DEFAULT_MAX_ROWS: usize = 20;

/// Evidence facts a subject table shows beside the subject's id, name and user.
const FACT_COLUMNS: usize = 2;

/// The facts that tell one subject's finding from the next best, per rule and cause
/// (`None`: any cause), before any other fact that differs: the first two that differ
/// are only a fallback, and would show a phone's OS where its check-in time says more.
const PREFERRED_FACTS: &[(&str, Option<&str>, &[&str])] = &[
    (
        "device-missing",
        Some("within-polling-interval"),
        &["expected_by", "eligible_via_group"],
    ),
    (
        "device-missing",
        Some("unsupported-os"),
        &["os_version", "min_os_version"],
    ),
    (
        "device-missing",
        Some("enrollment-group-case-mismatch"),
        &["actual_group", "os_version"],
    ),
    (
        "device-disconnected",
        None,
        &["days_since_check_in", "protection_status"],
    ),
    ("device-new-owner", None, &["intune_primary_user"]),
    (
        "device-active-without-id",
        Some("owner-removed-from-enrollment-group"),
        &["removed_from_group", "removed_at"],
    ),
    (
        "device-threat-detected",
        None,
        &["threat_level", "security_status"],
    ),
    ("device-duplicate", None, &["device_id", "other_guids"]),
    ("console-access-restricted", None, &["membership_path"]),
];

/// The columns of a table of subjects, beside each subject's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectColumns {
    /// Some subject listed has a name, or a user: the table has that column.
    pub name: bool,
    pub user: bool,
    /// The evidence keys shown: [`differing_facts`] of the group's findings.
    pub facts: Vec<&'static str>,
}

impl SubjectColumns {
    /// The columns for `findings` of one rule and cause, in a table that lists the
    /// subjects of `listed` (the findings, and any listed with them).
    fn of<'a>(
        findings: &[&ReportFinding],
        listed: impl Iterator<Item = &'a ReportFinding> + Clone,
    ) -> SubjectColumns {
        SubjectColumns {
            name: listed.clone().any(|f| f.subject.name.is_some()),
            user: listed.clone().any(|f| f.subject.user.is_some()),
            facts: differing_facts(findings),
        }
    }

    /// The columns of a table that lists a group's members and, under each, the
    /// findings it explains (those rows leave the facts empty: the facts tell the
    /// members apart).
    pub fn with_explained(group: &CauseGroup<'_>) -> SubjectColumns {
        let members: Vec<&ReportFinding> = group.members.iter().map(|g| g.finding).collect();
        let listed = group
            .members
            .iter()
            .flat_map(|g| std::iter::once(g.finding).chain(g.explains.iter().copied()));
        Self::of(&members, listed)
    }
}

/// The subjects of a cause group, as the human report tables them.
#[derive(Debug)]
pub struct SubjectTable<'r> {
    pub columns: SubjectColumns,
    /// The facts every finding states alike, said once above the table.
    pub shared: Vec<(&'static str, &'r Value)>,
    /// The findings shown, in report order, at most `--max-rows`.
    pub rows: Vec<&'r ReportFinding>,
    /// How many findings were left out of the table.
    pub more: usize,
}

impl<'r> SubjectTable<'r> {
    /// The table of a group's members (not of the findings they explain).
    pub fn of(group: &CauseGroup<'r>, max_rows: usize) -> SubjectTable<'r> {
        let findings: Vec<&ReportFinding> = group.members.iter().map(|g| g.finding).collect();
        Self::of_findings(&findings, max_rows)
    }

    /// The table of any findings of one rule and cause.
    pub fn of_findings(findings: &[&'r ReportFinding], max_rows: usize) -> SubjectTable<'r> {
        let (shown, more) = rows_shown(findings.len(), max_rows);
        SubjectTable {
            columns: SubjectColumns::of(findings, findings.iter().copied()),
            shared: shared_facts(findings),
            rows: findings[..shown].to_vec(),
            more,
        }
    }
}

/// Of `total` rows, how many a table shows and how many it leaves out: at most
/// `max_rows`, all of them when `max_rows` is 0.
pub fn rows_shown(total: usize, max_rows: usize) -> (usize, usize) {
    let shown = if max_rows == 0 {
        total
    } else {
        total.min(max_rows)
    };
    (shown, total - shown)
}

/// The evidence keys whose values differ between the findings, at most
/// [`FACT_COLUMNS`]: what tells one subject's finding from the next. The rule and
/// cause's [`PREFERRED_FACTS`] come first, then the others in the order the first
/// finding lists them. A key that only repeats a subject's id, name or user is left
/// out (those have columns of their own), and so is one every finding shares (said
/// once above the table).
pub fn differing_facts(findings: &[&ReportFinding]) -> Vec<&'static str> {
    let Some(first) = findings.first() else {
        return Vec::new();
    };
    let preferred: Vec<&str> = PREFERRED_FACTS
        .iter()
        .filter(|(rule, cause, _)| {
            *rule == first.rule.slug() && cause.is_none_or(|c| first.cause == Some(c))
        })
        .flat_map(|(_, _, keys)| keys.iter().copied())
        .collect();
    let mut keys: Vec<&'static str> = first.evidence.iter().map(|(k, _)| k).collect();
    // The preferred keys first, in the order declared; the others keep theirs.
    keys.sort_by_key(|k| preferred.iter().position(|p| p == k).unwrap_or(usize::MAX));
    // Keys only later findings carry come after the first one's, in first-seen order.
    for f in &findings[1..] {
        for (k, _) in f.evidence.iter() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys.into_iter()
        .filter(|&key| {
            let value = |f: &ReportFinding| f.evidence.get(key).cloned().unwrap_or(Value::Null);
            let first_value = value(first);
            findings.iter().any(|f| value(f) != first_value)
                && !findings.iter().all(|f| repeats_subject(f, key))
        })
        .take(FACT_COLUMNS)
        .collect()
}

/// The facts of the first finding that every finding states with the same value,
/// in its order; none that is empty or only repeats the subject.
pub fn shared_facts<'r>(findings: &[&'r ReportFinding]) -> Vec<(&'static str, &'r Value)> {
    let Some(first) = findings.first() else {
        return Vec::new();
    };
    first
        .evidence
        .iter()
        .filter(|&(key, value)| {
            knowledge::value_text(value).is_some()
                && !repeats_subject(first, key)
                && findings[1..]
                    .iter()
                    .all(|f| f.evidence.get(key) == Some(value))
        })
        .collect()
}

/// The fact is absent or says what the subject's id, name or user already says.
fn repeats_subject(f: &ReportFinding, key: &str) -> bool {
    let Some(text) = f.evidence.get(key).and_then(knowledge::value_text) else {
        return true;
    };
    let s = &f.subject;
    [Some(&s.id), s.name.as_ref(), s.user.as_ref()]
        .into_iter()
        .flatten()
        .any(|v| v.eq_ignore_ascii_case(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
    use crate::rules::RuleId;

    fn device(id: &str, os: &str, version: &str) -> Finding {
        let mut subject = Subject::new(SubjectKind::Device, id);
        subject.name = Some(format!("{id}'s phone"));
        subject.user = Some(format!("{id}@contoso.com"));
        let mut f = Finding::new(RuleId::DeviceMissing, Severity::Error, subject);
        f.evidence = Evidence::new()
            .with("intune_device_id", id)
            .with("device_name", format!("{id}'s phone"))
            .with("owner", format!("{id}@contoso.com"))
            .with("coverage", "enrollment-groups")
            .with("operating_system", os)
            .with("os_version", version)
            .with("enrollment_group", "Lookout Pilot");
        f
    }

    use crate::report::report_of as report;

    #[test]
    fn the_facts_are_those_that_differ_and_do_not_repeat_the_subject() {
        let r = report(vec![
            device("d1", "iOS", "17.5"),
            device("d2", "Android", "14"),
            device("d3", "iOS", "16.0"),
        ]);
        let groups = r.cause_groups();
        let table = SubjectTable::of(&groups[0], 20);
        assert_eq!(table.columns.facts, ["operating_system", "os_version"]);
        let shared: Vec<&str> = table.shared.iter().map(|(k, _)| *k).collect();
        assert_eq!(shared, ["coverage", "enrollment_group"]);
        assert!(table.columns.name && table.columns.user);
        assert_eq!(table.rows.len(), 3);
        assert_eq!(table.more, 0);
    }

    #[test]
    fn a_rule_and_cause_may_prefer_its_facts() {
        let with = |id: &str, expected_by: &str| {
            let mut f = device(id, "iOS", &format!("17.{}", &id[1..]));
            f.cause = Some("within-polling-interval");
            f.evidence.set("eligible_via_group", "Lookout Wave 2");
            f.evidence.set("expected_by", expected_by);
            f
        };
        let r = report(vec![
            with("d1", "2026-11-20T12:02:00Z"),
            with("d2", "2026-11-20T12:03:00Z"),
        ]);
        let groups = r.cause_groups();
        // The group both share is said once, not a column: the next fact that differs is.
        assert_eq!(
            SubjectTable::of(&groups[0], 20).columns.facts,
            ["expected_by", "os_version"]
        );
    }

    #[test]
    fn a_fact_all_share_is_not_a_column() {
        let r = report(vec![device("d1", "iOS", "17.5"), device("d2", "iOS", "16")]);
        let groups = r.cause_groups();
        assert_eq!(
            SubjectTable::of(&groups[0], 20).columns.facts,
            ["os_version"]
        );
    }

    #[test]
    fn rows_are_cut_at_max_rows_and_zero_shows_all() {
        let r = report(
            (0..25)
                .map(|i| device(&format!("d{i:02}"), "iOS", "17"))
                .collect(),
        );
        let groups = r.cause_groups();
        let cut = SubjectTable::of(&groups[0], 20);
        assert_eq!((cut.rows.len(), cut.more), (20, 5));
        assert_eq!(cut.rows[0].subject.id, "d00");
        let all = SubjectTable::of(&groups[0], 0);
        assert_eq!((all.rows.len(), all.more), (25, 0));
        assert_eq!(rows_shown(3, 20), (3, 0));
        assert_eq!(rows_shown(0, 0), (0, 0));
    }
}
