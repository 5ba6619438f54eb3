//! enrollment-group-not-found: a configured enrollment group name matches no Entra
//! group at all (not even ignoring case), so none of its users are enrolled.

use super::{Context, Registered, Rule, RuleMeta, SkipReason};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::model::AuditKind;
use crate::snapshot::Input;

pub struct EnrollmentGroupNotFound;

pub const DELETED: &str = "deleted";

/// How close a display name must be to be offered as "did you mean".
const CLOSEST_MATCH_MIN_SIMILARITY: f64 = 0.85;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Group,
    causes: &[DELETED],
    needs: &[Input::Lookout, Input::Groups],
};

impl Rule for EnrollmentGroupNotFound {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn skip_reason(&self, ctx: &Context) -> Option<SkipReason> {
        super::connector_required(ctx)
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        for c in &t.enrollment_groups {
            if !c.exact.is_empty() || !c.case_only.is_empty() {
                continue;
            }
            let deletion = t.audit.iter().rev().find(|e| {
                e.kind == AuditKind::DeleteGroup && e.group_name.as_deref() == Some(&c.name)
            });
            let closest = t
                .groups
                .iter()
                .map(|g| {
                    (
                        strsim::jaro_winkler(&c.name.to_lowercase(), &g.name.to_lowercase()),
                        &g.name,
                    )
                })
                .filter(|(score, _)| *score >= CLOSEST_MATCH_MIN_SIMILARITY)
                .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
                .map(|(_, name)| name.clone());
            let mut f = Finding::new(
                Self::ID,
                META.default_severity,
                Subject::new(SubjectKind::Group, &c.name),
            )
            .evidence(
                Evidence::new()
                    .with("group_name", c.name.as_str())
                    .with("closest_match", closest)
                    .with("deleted_at", super::fmt_time(deletion.and_then(|e| e.at)))
                    .with("deleted_by", deletion.and_then(|e| e.actor.clone())),
            );
            if deletion.is_some() {
                f = f.cause(DELETED);
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;

    #[test]
    fn typo_suggests_the_closest_group() {
        let f = Fixture::new()
            .enrollment_groups(&["Lookout Pilots"])
            .run_one(RuleId::EnrollmentGroupNotFound);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject.id, "Lookout Pilots");
        assert_eq!(f[0].cause, None);
        assert_eq!(f[0].evidence.get("closest_match").unwrap(), "Lookout Pilot");
    }

    #[test]
    fn case_only_matches_belong_to_the_case_rule() {
        let fx = Fixture::new().enrollment_groups(&["lookout pilot"]);
        assert!(fx.run_one(RuleId::EnrollmentGroupNotFound).is_empty());
        assert_eq!(fx.run_one(RuleId::EnrollmentGroupCaseMismatch).len(), 1);
        assert!(Fixture::new()
            .run_one(RuleId::EnrollmentGroupNotFound)
            .is_empty());
    }
}
