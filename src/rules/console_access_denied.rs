//! console-access-denied: a user who must use the Lookout console (one of
//! `console_access.expected_users`) is in neither the full-access nor the
//! restricted-access Entra group, so the console answers 403.

use super::{console_users, Context, Registered, Rule, RuleId, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct ConsoleAccessDenied;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::User,
    causes: &[],
    needs: &[Input::Lookout, Input::Groups],
};

impl Rule for ConsoleAccessDenied {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let access = &t.config.console_access;
        for user in console_users(ctx) {
            let m = super::console_membership(t, &user);
            if m.full.is_some() || m.restricted.is_some() {
                continue;
            }
            let mut f = Finding::new(
                Self::ID,
                META.default_severity,
                Subject::new(SubjectKind::User, &user),
            );
            if m.full_group_name.is_none() {
                // The configured full-access group does not resolve: that is the real problem.
                let id = access.full_access_group_id.as_deref().unwrap_or("").trim();
                f = f.caused_by(RuleId::ConsoleAccessGroupNotFound, id);
            }
            out.push(
                f.concerning_user(Some(&user)).evidence(
                    Evidence::new()
                        .with("user", user.as_str())
                        .with("full_access_group_id", access.full_access_group_id.clone())
                        .with("full_access_group_name", m.full_group_name)
                        .with(
                            "restricted_access_group_id",
                            access.restricted_access_group_id.clone(),
                        )
                        .with("restricted_access_group_name", m.restricted_group_name)
                        .with("user_found_in_directory", t.user(&user).is_some()),
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
    fn expected_user_outside_both_groups_is_denied() {
        let f = Fixture::new()
            .expected_users(&["Carol@Contoso.com"])
            .run_one(RuleId::ConsoleAccessDenied);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject.id, "carol@contoso.com");
        assert_eq!(
            f[0].evidence.get("full_access_group_name").unwrap(),
            "Lookout Admins"
        );
    }

    #[test]
    fn user_asked_about_is_not_made_a_console_user() {
        // Bob is in no console group; asking about him (a phone user) is no 403 error.
        let f = Fixture::new()
            .focus_user("bob@contoso.com")
            .run_one(RuleId::ConsoleAccessDenied);
        assert!(f.is_empty(), "{f:?}");
        // He is checked once he is expected to use the console.
        let f = Fixture::new()
            .focus_user("bob@contoso.com")
            .expected_users(&["bob@contoso.com"])
            .run_one(RuleId::ConsoleAccessDenied);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject.id, "bob@contoso.com");
    }

    #[test]
    fn nested_membership_grants_access_and_cycles_terminate() {
        // admin@ is in "Lookout Admins" through the nested "Helpdesk" group, which
        // nests "Lookout Admins" again (a cycle).
        let f = Fixture::new()
            .expected_users(&["helpdesk@contoso.com", "admin@contoso.com"])
            .run_one(RuleId::ConsoleAccessDenied);
        assert!(f.is_empty(), "{f:?}");
    }
}
