//! enrollment-groups-unset: FILL IN: what this rule finds, and the troubleshooting scenario or setup
//! step of the guide it comes from.

use super::{Context, Rule, RuleMeta};
use crate::finding::{Finding, Severity, SubjectKind};
use crate::snapshot::Input;

pub struct EnrollmentGroupsUnset;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Connector,
    // Cause slugs in precedence order (as constants), each with its texts in
    // rules/enrollment-groups-unset.toml and a fixture that triggers it.
    causes: &[],
    // The snapshot files the rule cannot work without.
    needs: &[Input::Lookout],
};

impl Rule for EnrollmentGroupsUnset {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        // FILL IN: read ctx.tenant and push one finding per subject: Finding::new(Self::ID,
        // ...) with `super::Registered` in scope, or super::lookout_device_finding /
        // intune_device_finding for devices, with every fact the diagnosis quotes as
        // evidence.
        let _ = (ctx, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;

    #[test]
    fn healthy_tenant_is_silent() {
        assert!(Fixture::new().run_one(RuleId::EnrollmentGroupsUnset).is_empty());
    }

    #[test]
    fn fires_on_a_bent_tenant() {
        // FILL IN: bend the tenant the way the guide describes (rules/testkit.rs has the
        // Fixture methods) and name this test after the case.
        let fx = Fixture::new();
        let found = fx.run_one(RuleId::EnrollmentGroupsUnset);
        assert_eq!(found.len(), 1, "enrollment-groups-unset does not fire on the bent tenant yet");
        assert_eq!(found[0].subject.id, "FILL IN: the subject's id");
    }
}
