//! enrollment-group-empty: an enrollment group exists but holds no user, even through
//! nested groups, so it enrolls nothing.

use super::{Context, Registered, Rule, RuleMeta, SkipReason};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct EnrollmentGroupEmpty;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Warning,
    subject_kind: SubjectKind::Group,
    causes: &[],
    needs: &[Input::Lookout, Input::Groups],
};

impl Rule for EnrollmentGroupEmpty {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn skip_reason(&self, ctx: &Context) -> Option<SkipReason> {
        super::connector_required(ctx)
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let mut seen = Vec::new();
        for c in &t.enrollment_groups {
            for &g in &c.exact {
                if seen.contains(&g) || !t.transitive_users(g).is_empty() {
                    continue;
                }
                seen.push(g);
                let group = &t.groups[g];
                out.push(
                    Finding::new(
                        Self::ID,
                        META.default_severity,
                        Subject::new(SubjectKind::Group, &group.id).named(Some(&group.name)),
                    )
                    .evidence(
                        Evidence::new()
                            .with("group_name", group.name.as_str())
                            .with("group_id", group.id.as_str())
                            .with("nested_group_count", t.nested_groups(g).len() - 1),
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;

    #[test]
    fn group_without_users_is_reported() {
        // "Helpdesk" nests "Lookout Admins" and back: users, so not empty. An unknown
        // name is another rule's business; "All Staff" has users.
        assert!(Fixture::new().run_one(RuleId::EnrollmentGroupEmpty).is_empty());
        let fx = Fixture::new()
            .enrollment_groups(&["Lookout Pilot", "Empty Wave"])
            .add_group("g-empty", "Empty Wave");
        let f = fx.run_one(RuleId::EnrollmentGroupEmpty);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject.id, "g-empty");
        assert_eq!(f[0].subject.name.as_deref(), Some("Empty Wave"));
    }
}
