//! error-notifications-unset: nobody receives the connector's error reports, so a
//! broken sync goes unnoticed until users complain.

use super::{Context, Registered, Rule, RuleMeta, SkipReason, CONNECTOR_SUBJECT};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct ErrorNotificationsUnset;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Warning,
    subject_kind: SubjectKind::Connector,
    causes: &[],
    needs: &[Input::Lookout],
};

impl Rule for ErrorNotificationsUnset {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn skip_reason(&self, ctx: &Context) -> Option<SkipReason> {
        super::connector_required(ctx)
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let Some(connector) = &ctx.tenant.config.intune_connector else {
            return;
        };
        if connector
            .error_management_emails
            .iter()
            .any(|e| !e.trim().is_empty())
        {
            return;
        }
        out.push(
            Finding::new(
                Self::ID,
                META.default_severity,
                Subject::new(SubjectKind::Connector, CONNECTOR_SUBJECT),
            )
            .evidence(Evidence::new().with("error_management_emails", Vec::<String>::new())),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::{Fixture, LOOKOUT_HEALTHY};
    use crate::rules::RuleId;

    #[test]
    fn empty_or_blank_addresses_fire() {
        assert!(Fixture::new()
            .run_one(RuleId::ErrorNotificationsUnset)
            .is_empty());
        for list in ["[]", "[\" \"]", "null"] {
            let lookout = LOOKOUT_HEALTHY.replace("[\"secops@contoso.com\"]", list);
            assert_eq!(
                Fixture::new()
                    .lookout(&lookout)
                    .run_one(RuleId::ErrorNotificationsUnset)
                    .len(),
                1,
                "{list}"
            );
        }
    }
}
