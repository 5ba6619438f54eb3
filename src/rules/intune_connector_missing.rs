//! intune-connector-missing: no Intune connector was created in the Lookout console,
//! so Lookout neither learns which devices to enroll nor reports anything to Intune.

use super::{Context, Registered, Rule, RuleMeta, CONNECTOR_SUBJECT};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct IntuneConnectorMissing;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Connector,
    causes: &[],
    needs: &[Input::Lookout],
};

impl Rule for IntuneConnectorMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        if ctx.tenant.config.intune_connector.is_some() {
            return;
        }
        out.push(
            Finding::new(
                Self::ID,
                META.default_severity,
                Subject::new(SubjectKind::Connector, CONNECTOR_SUBJECT),
            )
            .evidence(Evidence::new().with("intune_connector", serde_json::Value::Null)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::{Fixture, LOOKOUT_HEALTHY};
    use crate::rules::RuleId;

    #[test]
    fn absent_connector_is_reported_and_scope_rules_step_aside() {
        let start = LOOKOUT_HEALTHY.find("\"intune_connector\"").unwrap();
        let end = LOOKOUT_HEALTHY.find("\"enrollment_settings\"").unwrap();
        let lookout = format!("{}{}", &LOOKOUT_HEALTHY[..start], &LOOKOUT_HEALTHY[end..]);
        let fx = Fixture::new().lookout(&lookout);
        assert_eq!(fx.run_one(RuleId::IntuneConnectorMissing).len(), 1);
        assert!(fx.run_one(RuleId::StateSyncDisabled).is_empty());
        assert!(fx.run_one(RuleId::ErrorNotificationsUnset).is_empty());
        assert!(Fixture::new()
            .run_one(RuleId::IntuneConnectorMissing)
            .is_empty());
    }
}
