//! intune-mtd-connector-not-enabled: on the Intune side, the Mobile Threat Defense
//! connector for Lookout must be enabled, with the platforms the fleet uses switched on;
//! otherwise Intune ignores what Lookout reports.

use super::{Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::values::{LookoutPlatform, MobilePlatform};
use crate::snapshot::Input;

pub struct IntuneMtdConnectorNotEnabled;

pub const PARTNER_STATE_NOT_ENABLED: &str = "partner-state-not-enabled";
pub const ANDROID_DISABLED: &str = "android-disabled";
pub const IOS_DISABLED: &str = "ios-disabled";

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Connector,
    causes: &[PARTNER_STATE_NOT_ENABLED, ANDROID_DISABLED, IOS_DISABLED],
    needs: &[Input::MtdConnector],
};

impl Rule for IntuneMtdConnectorNotEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let (android_devices, ios_devices) = fleet_platforms(ctx);
        for c in &t.mtd_connectors {
            let state = c.partner_state.as_deref().map(str::trim).unwrap_or("");
            let mut causes = Vec::new();
            if !state.eq_ignore_ascii_case("enabled") {
                causes.push(PARTNER_STATE_NOT_ENABLED);
            }
            if c.android_enabled != Some(true) && android_devices > 0 {
                causes.push(ANDROID_DISABLED);
            }
            if c.ios_enabled != Some(true) && ios_devices > 0 {
                causes.push(IOS_DISABLED);
            }
            let id = super::mtd_connector_subject(c);
            for cause in causes {
                out.push(
                    Finding::new(
                        Self::ID,
                        META.default_severity,
                        Subject::new(SubjectKind::Connector, &id),
                    )
                    .cause(cause)
                    .evidence(
                        Evidence::new()
                            .with("partner_state", c.partner_state.as_deref())
                            .with("android_enabled", c.android_enabled)
                            .with("ios_enabled", c.ios_enabled)
                            .with("android_devices", android_devices)
                            .with("ios_devices", ios_devices),
                    ),
                );
            }
        }
    }
}

/// How many Android and iOS/iPadOS devices the fleet has: from Intune when exported,
/// else from the Lookout device list.
fn fleet_platforms(ctx: &Context) -> (usize, usize) {
    let t = ctx.tenant;
    if t.has(Input::IntuneDevices) {
        let count = |p: MobilePlatform| {
            t.intune_devices
                .iter()
                .filter(|d| {
                    d.operating_system
                        .as_ref()
                        .and_then(|o| o.mobile_platform())
                        == Some(p)
                })
                .count()
        };
        (count(MobilePlatform::Android), count(MobilePlatform::Ios))
    } else {
        let count = |p: LookoutPlatform| {
            t.lookout_devices
                .iter()
                .filter(|d| d.platform.as_ref() == Some(&p))
                .count()
        };
        (count(LookoutPlatform::Android), count(LookoutPlatform::Ios))
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use serde_json::json;
    use crate::rules::RuleId;

    fn causes(connector: serde_json::Value) -> Vec<Option<&'static str>> {
        Fixture::new()
            .mtd_connector(connector)
            .run_one(RuleId::IntuneMtdConnectorNotEnabled)
            .into_iter()
            .map(|f| f.cause)
            .collect()
    }

    #[test]
    fn state_and_platform_switches() {
        let healthy = json!({"id": "mtd-1", "partnerState": "enabled", "lastHeartbeatDateTime": "2026-11-20T09:00:00Z", "androidEnabled": true, "iosEnabled": true});
        assert!(causes(healthy.clone()).is_empty());
        let mut off = healthy.clone();
        off["partnerState"] = json!("unavailable");
        off["androidEnabled"] = json!(false);
        assert_eq!(
            causes(off),
            [Some("android-disabled"), Some("partner-state-not-enabled")]
        );
        let mut ios_off = healthy;
        ios_off["iosEnabled"] = json!(false);
        assert_eq!(causes(ios_off), [Some("ios-disabled")]);
    }
}
