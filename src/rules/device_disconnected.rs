//! device-disconnected: an activated device that Lookout no longer hears from, either
//! because the app is gone or because it has not checked in within the configured
//! number of days. Whether Intune already counts it as non-compliant is not assumed:
//! the finding carries the linked Intune device's compliance and threat state.

use super::{days_between, fmt_time, lookout_device_finding, Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, SubjectKind};
use crate::snapshot::lookout_config::DEFAULT_DISCONNECTED_AFTER_DAYS;
use crate::snapshot::values::{ActivationStatus, ProtectionStatus};
use crate::snapshot::Input;
use chrono::Duration;

pub struct DeviceDisconnected;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Device,
    causes: &[APP_UNINSTALLED, NO_CHECK_IN],
    needs: &[Input::Lookout, Input::LookoutDevices],
};

pub const APP_UNINSTALLED: &str = "app-uninstalled";
pub const NO_CHECK_IN: &str = "no-check-in";

impl Rule for DeviceDisconnected {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let threshold_days = threshold_days(t.config.disconnected_after_days());
        let threshold = Duration::days(threshold_days);
        for d in &t.lookout_devices {
            if d.activation_status != Some(ActivationStatus::Activated) {
                continue;
            }
            let last_contact = d.checkin_time.or(d.activated_at);
            let stale = last_contact.is_some_and(|at| ctx.as_of - at > threshold);
            let cause = match d.protection_status {
                Some(ProtectionStatus::Uninstalled) => APP_UNINSTALLED,
                Some(ProtectionStatus::Disconnected) => NO_CHECK_IN,
                _ if stale => NO_CHECK_IN,
                _ => continue,
            };
            // Lookout may still say PROTECTED and Intune compliant for a device past
            // the threshold: the finding states both sides rather than a conclusion.
            let intune = t.linked_intune(d);
            let evidence = Evidence::new()
                .with("lookout_guid", d.guid.as_str())
                .with("owner", d.email.as_deref().map(str::to_lowercase))
                .with("device_name", t.lookout_device_name(d))
                .with(
                    "protection_status",
                    d.protection_status.as_ref().map(|p| p.as_str().to_owned()),
                )
                .with("last_check_in", fmt_time(last_contact))
                .with(
                    "days_since_check_in",
                    last_contact.map(|at| days_between(at, ctx.as_of)),
                )
                .with("disconnected_after_days", threshold_days)
                .with("intune_device_id", intune.map(|i| i.id.as_str()))
                .with(
                    "compliance_state",
                    intune.and_then(|i| i.compliance_state.as_deref()),
                )
                .with(
                    "intune_threat_state",
                    intune.and_then(|i| i.partner_reported_threat_state.as_deref()),
                );
            out.push(
                lookout_device_finding(ctx, Self::ID, META.default_severity, d)
                    .cause(cause)
                    .evidence(evidence),
            );
        }
    }
}

/// The threshold Lookout applies: the configured value, held to the 1-90 days the
/// console accepts (an out-of-range value is reported by the configuration audit).
fn threshold_days(configured: i64) -> i64 {
    if configured < 1 {
        DEFAULT_DISCONNECTED_AFTER_DAYS
    } else {
        configured.min(90)
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;

    fn causes(fx: Fixture) -> Vec<(String, Option<&'static str>)> {
        fx.run_one(RuleId::DeviceDisconnected)
            .into_iter()
            .map(|f| (f.subject.id, f.cause))
            .collect()
    }

    #[test]
    fn uninstalled_and_disconnected_statuses() {
        let fx = Fixture::new()
            .lookout_device(
                "lk-u",
                "alice@contoso.com",
                "ACTIVATED",
                "UNINSTALLED",
                "d-alice",
            )
            .lookout_device(
                "lk-d",
                "bob@contoso.com",
                "activated",
                "disconnected",
                "d-bob",
            );
        assert_eq!(
            causes(fx),
            [
                ("lk-d".into(), Some("no-check-in")),
                ("lk-u".into(), Some("app-uninstalled"))
            ]
        );
    }

    #[test]
    fn check_in_older_than_threshold() {
        let fx = Fixture::new().checkin("lk-alice", "2026-10-06T12:00:00Z");
        let f = fx.run_one(RuleId::DeviceDisconnected);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].cause, Some("no-check-in"));
        assert_eq!(f[0].evidence.get("days_since_check_in").unwrap(), 45);
        assert_eq!(f[0].evidence.get("disconnected_after_days").unwrap(), 30);
        // Both sides as they are: Lookout still says PROTECTED, Intune compliant.
        assert_eq!(f[0].evidence.get("protection_status").unwrap(), "PROTECTED");
        assert_eq!(f[0].evidence.get("intune_device_id").unwrap(), "d-alice");
        assert_eq!(f[0].evidence.get("compliance_state").unwrap(), "compliant");
    }

    #[test]
    fn check_in_within_threshold_is_silent() {
        let fx = Fixture::new().checkin("lk-alice", "2026-10-22T12:00:00Z");
        assert!(causes(fx).is_empty());
        assert!(causes(Fixture::new()).is_empty());
    }
}
