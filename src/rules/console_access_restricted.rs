//! console-access-restricted: a console user is only in the restricted-access group,
//! so they see Security Policies read-only and none of the configuration modules.

use super::{console_users, Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct ConsoleAccessRestricted;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Info,
    subject_kind: SubjectKind::User,
    causes: &[],
    needs: &[Input::Lookout, Input::Groups],
};

impl Rule for ConsoleAccessRestricted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let access = &t.config.console_access;
        for user in console_users(ctx) {
            let m = super::console_membership(t, &user);
            let (None, Some(path)) = (&m.full, &m.restricted) else {
                continue;
            };
            out.push(
                Finding::new(
                    Self::ID,
                    META.default_severity,
                    Subject::new(SubjectKind::User, &user),
                )
                .concerning_user(Some(&user))
                .evidence(
                    Evidence::new()
                        .with("user", user.as_str())
                        .with(
                            "restricted_access_group_id",
                            access.restricted_access_group_id.clone(),
                        )
                        .with(
                            "restricted_access_group_name",
                            m.restricted_group_name.clone(),
                        )
                        .with("membership_path", path.as_str())
                        .with("full_access_group_id", access.full_access_group_id.clone())
                        .with("full_access_group_name", m.full_group_name.clone()),
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
    fn restricted_only_user_is_reported_with_the_path() {
        let f = Fixture::new()
            .expected_users(&["reader@contoso.com", "admin@contoso.com"])
            .run_one(RuleId::ConsoleAccessRestricted);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject.id, "reader@contoso.com");
        assert_eq!(
            f[0].evidence.get("membership_path").unwrap(),
            "Lookout Readers"
        );
    }
}
