//! console-access-group-not-found: a console-access group id configured in Lookout
//! does not exist in Entra, so nobody gets in through it.

use super::{Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct ConsoleAccessGroupNotFound;

pub const FULL_ACCESS_GROUP: &str = "full-access-group";
pub const RESTRICTED_ACCESS_GROUP: &str = "restricted-access-group";

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Group,
    causes: &[FULL_ACCESS_GROUP, RESTRICTED_ACCESS_GROUP],
    needs: &[Input::Lookout, Input::Groups],
};

impl Rule for ConsoleAccessGroupNotFound {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let access = &t.config.console_access;
        let trimmed = |id: &Option<String>| id.as_deref().map(str::trim).unwrap_or("").to_string();
        // The full-access group is required; the restricted one only when configured.
        let checks = [
            (
                FULL_ACCESS_GROUP,
                trimmed(&access.full_access_group_id),
                true,
            ),
            (
                RESTRICTED_ACCESS_GROUP,
                trimmed(&access.restricted_access_group_id),
                false,
            ),
        ];
        for (cause, id, required) in checks {
            let missing = if id.is_empty() {
                required
            } else {
                t.group_by_id(&id).is_none()
            };
            if missing {
                out.push(
                    Finding::new(
                        Self::ID,
                        META.default_severity,
                        Subject::new(SubjectKind::Group, &id),
                    )
                    .cause(cause)
                    .evidence(Evidence::new().with("group_id", id.as_str())),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::{Fixture, LOOKOUT_HEALTHY};
    use crate::rules::RuleId;

    #[test]
    fn unknown_ids_are_reported_per_role() {
        let lookout = LOOKOUT_HEALTHY
            .replace("\"g-admins\"", "\"g-gone\"")
            .replace("\"g-readers\"", "null");
        let f = Fixture::new()
            .lookout(&lookout)
            .run_one(RuleId::ConsoleAccessGroupNotFound);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject.id, "g-gone");
        assert_eq!(f[0].cause, Some("full-access-group"));
        // Users then denied point at it as their root cause.
        let denied = Fixture::new()
            .lookout(&lookout)
            .expected_users(&["admin@contoso.com"])
            .run_one(RuleId::ConsoleAccessDenied);
        assert_eq!(
            denied[0].evidence.get("root_cause").unwrap()["rule"],
            "console-access-group-not-found"
        );
    }

    #[test]
    fn existing_groups_are_silent() {
        assert!(Fixture::new()
            .run_one(RuleId::ConsoleAccessGroupNotFound)
            .is_empty());
    }
}
