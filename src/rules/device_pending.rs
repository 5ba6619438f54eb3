//! device-pending: the device is known to Lookout but its user has never opened
//! Lookout for Work and tapped Activate.

use super::{lookout_device_finding, Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, SubjectKind};
use crate::snapshot::values::ActivationStatus;
use crate::snapshot::Input;

pub struct DevicePending;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Warning,
    subject_kind: SubjectKind::Device,
    causes: &[],
    needs: &[Input::LookoutDevices],
};

impl Rule for DevicePending {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        for d in &t.lookout_devices {
            if d.activation_status != Some(ActivationStatus::Pending) {
                continue;
            }
            let evidence = Evidence::new()
                .with("lookout_guid", d.guid.as_str())
                .with("owner", d.email.as_deref().map(str::to_lowercase))
                .with(
                    "platform",
                    d.platform.as_ref().map(|p| p.as_str().to_owned()),
                )
                .with("device_name", t.lookout_device_name(d))
                .with(
                    "intune_device_id",
                    t.linked_intune(d).map(|i| i.id.as_str()),
                );
            out.push(
                lookout_device_finding(ctx, Self::ID, META.default_severity, d).evidence(evidence),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;

    #[test]
    fn pending_device_is_reported_and_linked() {
        let f = Fixture::new()
            .lookout_device(
                "lk-9",
                "alice@contoso.com",
                "PENDING",
                "PROTECTED",
                "d-alice",
            )
            .run_one(RuleId::DevicePending);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject.id, "lk-9");
        assert_eq!(f[0].subject.name.as_deref(), Some("Alice iPhone"));
        assert_eq!(f[0].evidence.get("intune_device_id").unwrap(), "d-alice");
    }

    #[test]
    fn activated_devices_are_silent() {
        assert!(Fixture::new().run_one(RuleId::DevicePending).is_empty());
    }
}
