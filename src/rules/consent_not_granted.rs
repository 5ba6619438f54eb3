//! consent-not-granted: nobody can sign in to the Lookout console until an Entra
//! Global Administrator has accepted Lookout's consent prompt.

use super::{Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct ConsentNotGranted;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Tenant,
    causes: &[],
    needs: &[Input::Lookout],
};

pub const CONSENT_URL: &str = "https://aad.lookout.com/les?action=consent";

impl Rule for ConsentNotGranted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let consent = &ctx.tenant.config.tenant.consent;
        if consent.granted == Some(true) {
            return;
        }
        let tenant_id = super::tenant_subject_id(ctx.tenant);
        out.push(
            Finding::new(
                Self::ID,
                META.default_severity,
                Subject::new(SubjectKind::Tenant, &tenant_id),
            )
            .evidence(
                Evidence::new()
                    .with("tenant_id", tenant_id)
                    .with("consent_granted", consent.granted)
                    .with("consent_url", CONSENT_URL),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::{Fixture, LOOKOUT_HEALTHY};
    use crate::rules::RuleId;

    #[test]
    fn fires_when_consent_is_false_or_missing() {
        for consent in [r#"{"granted": false}"#, r#"{}"#] {
            let lookout = LOOKOUT_HEALTHY.replace(r#"{"granted": true}"#, consent);
            let f = Fixture::new()
                .lookout(&lookout)
                .run_one(RuleId::ConsentNotGranted);
            assert_eq!(f.len(), 1, "{consent}");
            assert_eq!(f[0].subject.id, "tenant-1");
            assert_eq!(
                f[0].evidence.get("consent_url").unwrap(),
                super::CONSENT_URL
            );
        }
    }

    #[test]
    fn silent_when_granted() {
        assert!(Fixture::new().run_one(RuleId::ConsentNotGranted).is_empty());
    }
}
