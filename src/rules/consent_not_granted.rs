//! consent-not-granted: nobody can sign in to the Lookout console until an Entra
//! Global Administrator has accepted Lookout's consent prompt.

use super::{Context, Rule};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct ConsentNotGranted;

pub const CONSENT_URL: &str = "https://aad.lookout.com/les?action=consent";

impl Rule for ConsentNotGranted {
    fn slug(&self) -> &'static str {
        "consent-not-granted"
    }
    fn default_severity(&self) -> Severity {
        Severity::Error
    }
    fn subject_kind(&self) -> SubjectKind {
        SubjectKind::Tenant
    }
    fn needs(&self) -> &'static [Input] {
        &[Input::Lookout]
    }
    fn knowledge_source(&self) -> &'static str {
        include_str!("../../rules/consent-not-granted.toml")
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let consent = &ctx.tenant.config.tenant.consent;
        if consent.granted == Some(true) {
            return;
        }
        let tenant_id = super::tenant_subject_id(ctx.tenant);
        out.push(
            Finding::new(
                self.slug(),
                self.default_severity(),
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

    #[test]
    fn fires_when_consent_is_false_or_missing() {
        for consent in [r#"{"granted": false}"#, r#"{}"#] {
            let lookout = LOOKOUT_HEALTHY.replace(r#"{"granted": true}"#, consent);
            let f = Fixture::new()
                .lookout(&lookout)
                .run_one("consent-not-granted");
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
        assert!(Fixture::new().run_one("consent-not-granted").is_empty());
    }
}
