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
        // Only a configured id can be missing from Entra. A group left unset (or as a
        // template placeholder) is not configured in lookout.json, which the health
        // overview says; it is no group id to look for.
        let configured = [
            (FULL_ACCESS_GROUP, &access.full_access_group_id),
            (RESTRICTED_ACCESS_GROUP, &access.restricted_access_group_id),
        ];
        for (cause, id) in configured {
            let Some(id) = id.as_deref().map(str::trim).filter(|id| !id.is_empty()) else {
                continue;
            };
            if t.group_by_id(id).is_none() {
                out.push(
                    Finding::new(
                        Self::ID,
                        META.default_severity,
                        Subject::new(SubjectKind::Group, id),
                    )
                    .cause(cause)
                    .evidence(Evidence::new().with("group_id", id)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::{Fixture, LOOKOUT_HEALTHY};
    use crate::rules::{RuleId, SkipReason};

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
    fn unset_groups_are_not_looked_for() {
        for (full, restricted) in [("null", "null"), ("\"\"", "null"), ("\"  \"", "\"\"")] {
            let lookout = LOOKOUT_HEALTHY
                .replace("\"g-admins\"", full)
                .replace("\"g-readers\"", restricted);
            let fx = Fixture::new().lookout(&lookout);
            assert!(
                fx.run_one(RuleId::ConsoleAccessGroupNotFound).is_empty(),
                "{full} {restricted}"
            );
        }
        // A template placeholder is not configured either.
        let lookout = LOOKOUT_HEALTHY.replace("\"g-admins\"", "\"REPLACE-WITH-THE-OBJECT-ID\"");
        let fx = Fixture::new().lookout(&lookout);
        assert!(fx.run_one(RuleId::ConsoleAccessGroupNotFound).is_empty());
    }

    #[test]
    fn without_a_full_access_group_console_users_are_not_judged() {
        let lookout = LOOKOUT_HEALTHY.replace("\"g-admins\"", "null");
        let fx = Fixture::new()
            .lookout(&lookout)
            .expected_users(&["carol@contoso.com"]);
        assert!(fx.run_one(RuleId::ConsoleAccessDenied).is_empty());
        assert_eq!(
            fx.skip_reason(RuleId::ConsoleAccessDenied),
            Some(SkipReason::NotConfigured(
                "console_access.full_access_group_id"
            ))
        );
        // With nobody to judge, there is nothing to skip.
        let quiet = Fixture::new().lookout(&lookout);
        assert_eq!(quiet.skip_reason(RuleId::ConsoleAccessDenied), None);
    }

    #[test]
    fn existing_groups_are_silent() {
        assert!(Fixture::new()
            .run_one(RuleId::ConsoleAccessGroupNotFound)
            .is_empty());
    }
}
