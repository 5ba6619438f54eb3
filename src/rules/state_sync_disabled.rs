//! state-sync-disabled: the connector must sync both device status and threat status
//! to Intune; with either off, compliance decisions run on missing data.

use super::{Context, Registered, Rule, RuleMeta, SkipReason, CONNECTOR_SUBJECT};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct StateSyncDisabled;

pub const DEVICE_STATUS_OFF: &str = "device-status-sync-off";
pub const THREAT_STATUS_OFF: &str = "threat-status-sync-off";
pub const BOTH_OFF: &str = "both-sync-off";

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Connector,
    causes: &[DEVICE_STATUS_OFF, THREAT_STATUS_OFF, BOTH_OFF],
    needs: &[Input::Lookout],
};

impl Rule for StateSyncDisabled {
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
        let device = connector.state_sync.device_status == Some(true);
        let threat = connector.state_sync.threat_status == Some(true);
        let cause = match (device, threat) {
            (true, true) => return,
            (false, true) => DEVICE_STATUS_OFF,
            (true, false) => THREAT_STATUS_OFF,
            (false, false) => BOTH_OFF,
        };
        out.push(
            Finding::new(
                Self::ID,
                META.default_severity,
                Subject::new(SubjectKind::Connector, CONNECTOR_SUBJECT),
            )
            .cause(cause)
            .evidence(
                Evidence::new()
                    .with("device_status", device)
                    .with("threat_status", threat),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::{Fixture, LOOKOUT_HEALTHY};
    use crate::rules::RuleId;

    fn cause(lookout: &str) -> Vec<Option<&'static str>> {
        Fixture::new()
            .lookout(lookout)
            .run_one(RuleId::StateSyncDisabled)
            .into_iter()
            .map(|f| f.cause)
            .collect()
    }

    #[test]
    fn each_switch_has_its_cause() {
        assert!(cause(LOOKOUT_HEALTHY).is_empty());
        let threat_off =
            LOOKOUT_HEALTHY.replace("\"threat_status\": true", "\"threat_status\": false");
        assert_eq!(cause(&threat_off), [Some("threat-status-sync-off")]);
        let device_missing = LOOKOUT_HEALTHY.replace("\"device_status\": true, ", "");
        assert_eq!(cause(&device_missing), [Some("device-status-sync-off")]);
        let both = threat_off.replace("\"device_status\": true", "\"device_status\": false");
        assert_eq!(cause(&both), [Some("both-sync-off")]);
    }
}
