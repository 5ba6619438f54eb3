//! enrollment-group-case-mismatch: the configured enrollment group name differs from
//! the real group's name only in letter case. The connector matches names exactly, so
//! the group is invisible to it and its users are never enrolled.

use super::{Context, Registered, Rule, RuleMeta, SkipReason};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct EnrollmentGroupCaseMismatch;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Group,
    causes: &[],
    needs: &[Input::Lookout, Input::Groups],
};

impl Rule for EnrollmentGroupCaseMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn skip_reason(&self, ctx: &Context) -> Option<SkipReason> {
        super::connector_required(ctx)
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        for c in &t.enrollment_groups {
            let Some(&g) = c.case_only.first().filter(|_| c.exact.is_empty()) else {
                continue;
            };
            let group = &t.groups[g];
            out.push(
                Finding::new(
                    Self::ID,
                    META.default_severity,
                    Subject::new(SubjectKind::Group, &c.name).named(Some(&group.name)),
                )
                .evidence(
                    Evidence::new()
                        .with("configured_name", c.name.as_str())
                        .with("actual_name", group.name.as_str())
                        .with("group_id", group.id.as_str())
                        .with("member_count", t.transitive_users(g).len()),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;

    #[test]
    fn wrong_case_is_reported_and_explains_device_findings() {
        let fx = Fixture::new()
            .enrollment_groups(&["lookout pilot"])
            .lookout_device("lk-erin", "alice@contoso.com", "ACTIVATED", "PROTECTED", "");
        let f = fx.run_one(RuleId::EnrollmentGroupCaseMismatch);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.get("actual_name").unwrap(), "Lookout Pilot");
        assert_eq!(f[0].evidence.get("member_count").unwrap(), 2);
        let device = fx.run_one(RuleId::DeviceActiveWithoutId);
        assert_eq!(device[0].cause, Some("enrollment-group-case-mismatch"));
        assert_eq!(
            device[0].evidence.get("root_cause").unwrap(),
            &serde_json::json!({"rule": "enrollment-group-case-mismatch", "subject": "lookout pilot"})
        );
    }

    #[test]
    fn exact_name_is_silent() {
        assert!(Fixture::new()
            .run_one(RuleId::EnrollmentGroupCaseMismatch)
            .is_empty());
    }
}
