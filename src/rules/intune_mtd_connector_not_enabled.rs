//! intune-mtd-connector-not-enabled: on the Intune side, the Mobile Threat Defense
//! connector for Lookout must exist and be enabled, with the platforms the fleet uses
//! switched on; otherwise Intune ignores what Lookout reports. Other partners'
//! connectors in the same Graph list are not Lookout's and are never judged.

use super::{Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::mtd_connector::{MtdConnector, LOOKOUT_CONNECTOR_ID};
use crate::snapshot::values::{LookoutPlatform, MobilePlatform, PartnerState};
use crate::snapshot::Input;

pub struct IntuneMtdConnectorNotEnabled;

pub const PARTNER_STATE_NOT_ENABLED: &str = "partner-state-not-enabled";
pub const ANDROID_DISABLED: &str = "android-disabled";
pub const IOS_DISABLED: &str = "ios-disabled";
/// Intune lists other partners' connectors but none of Lookout's.
pub const NO_LOOKOUT_CONNECTOR: &str = "no-lookout-connector";

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Connector,
    causes: &[
        PARTNER_STATE_NOT_ENABLED,
        ANDROID_DISABLED,
        IOS_DISABLED,
        NO_LOOKOUT_CONNECTOR,
    ],
    needs: &[Input::MtdConnector],
};

impl Rule for IntuneMtdConnectorNotEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let (android_devices, ios_devices) = fleet_platforms(ctx);
        let lookout: Vec<&MtdConnector> =
            t.mtd_connectors.iter().filter(|c| c.is_lookout()).collect();
        // An empty list says nothing either way (an export without the right to read
        // the connectors looks the same).
        if lookout.is_empty() && !t.mtd_connectors.is_empty() {
            let others: Vec<String> = t
                .mtd_connectors
                .iter()
                .map(MtdConnector::partner_label)
                .collect();
            out.push(
                Finding::new(
                    Self::ID,
                    META.default_severity,
                    Subject::new(SubjectKind::Connector, LOOKOUT_CONNECTOR_ID),
                )
                .cause(NO_LOOKOUT_CONNECTOR)
                .evidence(
                    Evidence::new()
                        .with("lookout_connector_id", LOOKOUT_CONNECTOR_ID)
                        .with("other_partners", others.join(", "))
                        .with("android_devices", android_devices)
                        .with("ios_devices", ios_devices),
                ),
            );
        }
        for c in lookout {
            let mut causes = Vec::new();
            if c.partner_state != Some(PartnerState::Enabled) {
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
                            .with("partner_state", c.partner_state.as_ref().map(|s| s.as_str()))
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
    use crate::rules::RuleId;
    use crate::snapshot::mtd_connector::LOOKOUT_CONNECTOR_ID;
    use serde_json::{json, Value};

    const DEFENDER: &str = "fc780465-2017-40d4-a0c5-307022471b92";

    fn findings(connectors: Value) -> Vec<crate::finding::Finding> {
        Fixture::new()
            .mtd_connector(connectors)
            .run_one(RuleId::IntuneMtdConnectorNotEnabled)
    }

    fn causes(connector: Value) -> Vec<Option<&'static str>> {
        findings(connector).into_iter().map(|f| f.cause).collect()
    }

    fn healthy() -> Value {
        json!({"id": LOOKOUT_CONNECTOR_ID, "partnerState": "enabled", "lastHeartbeatDateTime": "2026-11-20T09:00:00Z", "androidEnabled": true, "iosEnabled": true})
    }

    #[test]
    fn state_and_platform_switches() {
        assert!(causes(healthy()).is_empty());
        let mut off = healthy();
        off["partnerState"] = json!("unavailable");
        off["androidEnabled"] = json!(false);
        assert_eq!(
            causes(off),
            [Some("android-disabled"), Some("partner-state-not-enabled")]
        );
        let mut ios_off = healthy();
        ios_off["iosEnabled"] = json!(false);
        assert_eq!(causes(ios_off), [Some("ios-disabled")]);
        // The states the beta reference adds; a written-by-hand object has no id.
        for state in ["notSetUp", "error", "unknownFutureValue", "Enabled "] {
            let mut c = healthy();
            c["partnerState"] = json!(state);
            c.as_object_mut().unwrap().remove("id");
            let want: &[Option<&str>] = if state == "Enabled " {
                &[]
            } else {
                &[Some("partner-state-not-enabled")]
            };
            assert_eq!(causes(c), want, "{state}");
        }
    }

    /// Graph lists every partner's connector: only Lookout's is judged.
    #[test]
    fn other_partners_are_never_judged() {
        let defender = json!({"id": DEFENDER, "partnerState": "unavailable", "androidEnabled": false, "iosEnabled": false});
        let unknown = json!({"id": "c2b688fe-48c0-464b-a89c-67041aa8fcb2", "partnerState": "notSetUp"});
        assert!(findings(json!({"value": [defender, healthy(), unknown]})).is_empty());
        // Without Lookout's, the list says Intune has none.
        let found = findings(json!({"value": [defender, unknown]}));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].cause, Some("no-lookout-connector"));
        assert_eq!(found[0].subject.id, LOOKOUT_CONNECTOR_ID);
        assert_eq!(
            found[0].evidence.get("other_partners").and_then(|v| v.as_str()),
            Some("Microsoft Defender for Endpoint, c2b688fe-48c0-464b-a89c-67041aa8fcb2")
        );
        // An empty list says nothing either way.
        assert!(findings(json!({"value": []})).is_empty());
    }
}
