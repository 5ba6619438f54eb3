//! device-threat-detected: Lookout reports an active threat on the device. Intune's
//! compliance remediation applies: the user resolves the threat in Lookout for Work.

use super::{lookout_device_finding, Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, SubjectKind};
use crate::model::Tenant;
use crate::snapshot::values::SecurityStatus;
use crate::snapshot::Input;

pub struct DeviceThreatDetected;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Device,
    causes: &[],
    needs: &[Input::LookoutDevices],
};

impl Rule for DeviceThreatDetected {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        for d in &t.lookout_devices {
            if Tenant::is_deleted(d) {
                continue;
            }
            let Some(status) = &d.security_status else {
                continue;
            };
            let severity = match status {
                SecurityStatus::ThreatsHigh => Severity::Error,
                SecurityStatus::ThreatsMedium => Severity::Warning,
                SecurityStatus::ThreatsLow => Severity::Info,
                _ => continue,
            };
            let intune = t.linked_intune(d);
            let evidence = Evidence::new()
                .with("lookout_guid", d.guid.as_str())
                .with("owner", d.email.as_deref().map(str::to_lowercase))
                .with("device_name", t.lookout_device_name(d))
                .with("security_status", status.as_str())
                .with("threat_level", status.threat_level())
                .with(
                    "intune_threat_state",
                    intune.and_then(|i| i.partner_reported_threat_state.as_deref()),
                )
                .with(
                    "compliance_state",
                    intune.and_then(|i| i.compliance_state.as_deref()),
                );
            out.push(lookout_device_finding(ctx, Self::ID, severity, d).evidence(evidence));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;

    #[test]
    fn severity_follows_the_threat_level() {
        for (status, severity) in [
            ("THREATS_HIGH", Severity::Error),
            ("threat_medium", Severity::Warning),
            ("THREAT_LOW", Severity::Info),
        ] {
            let f = Fixture::new()
                .security("lk-alice", status)
                .run_one(RuleId::DeviceThreatDetected);
            assert_eq!(f.len(), 1, "{status}");
            assert_eq!(f[0].severity, severity, "{status}");
        }
        assert!(Fixture::new().run_one(RuleId::DeviceThreatDetected).is_empty());
    }
}
