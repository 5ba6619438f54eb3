//! intune-mtd-partner-unresponsive: Intune has not heard from Lookout for longer than
//! the connector's unresponsiveness threshold, so threat levels in Intune are stale.
//! Only Lookout's connector is judged, not the other partners' in the same list.

use super::{days_between, fmt_time, Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;
use chrono::Duration;

pub struct IntuneMtdPartnerUnresponsive;

/// Intune's default for partnerUnresponsivenessThresholdInDays.
pub const DEFAULT_THRESHOLD_DAYS: i64 = 7;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Connector,
    causes: &[],
    needs: &[Input::MtdConnector],
};

impl Rule for IntuneMtdPartnerUnresponsive {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        for c in ctx.tenant.mtd_connectors.iter().filter(|c| c.is_lookout()) {
            let threshold = c
                .partner_unresponsiveness_threshold_in_days
                .filter(|&d| d > 0)
                .unwrap_or(DEFAULT_THRESHOLD_DAYS);
            let last = c.last_heartbeat_date_time;
            let silent = last.is_none_or(|at| ctx.as_of - at > Duration::days(threshold));
            if !silent {
                continue;
            }
            out.push(
                Finding::new(
                    Self::ID,
                    META.default_severity,
                    Subject::new(SubjectKind::Connector, super::mtd_connector_subject(c)),
                )
                .evidence(
                    Evidence::new()
                        .with("last_heartbeat", fmt_time(last))
                        .with("threshold_days", threshold)
                        .with(
                            "days_since_heartbeat",
                            last.map(|at| days_between(at, ctx.as_of)),
                        ),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;
    use crate::snapshot::mtd_connector::LOOKOUT_CONNECTOR_ID;
    use serde_json::json;

    fn fires(heartbeat: serde_json::Value, threshold: Option<i64>) -> bool {
        let mut c = json!({"id": LOOKOUT_CONNECTOR_ID, "partnerState": "enabled", "lastHeartbeatDateTime": heartbeat, "androidEnabled": true, "iosEnabled": true});
        if let Some(t) = threshold {
            c["partnerUnresponsivenessThresholdInDays"] = json!(t);
        }
        !Fixture::new()
            .mtd_connector(c)
            .run_one(RuleId::IntuneMtdPartnerUnresponsive)
            .is_empty()
    }

    #[test]
    fn heartbeat_age_against_threshold() {
        assert!(!fires(json!("2026-11-20T09:00:00Z"), Some(7)));
        assert!(fires(json!("2026-11-10T09:00:00Z"), Some(7)));
        assert!(!fires(json!("2026-11-10T09:00:00Z"), Some(14)));
        assert!(fires(json!("2026-11-12T09:00:00Z"), None)); // default 7 days
        assert!(fires(json!("0001-01-01T00:00:00Z"), Some(7))); // never
    }

    /// A partner never set up has never sent a heartbeat: not Lookout's, not judged.
    #[test]
    fn other_partners_are_never_judged() {
        let zimperium = json!({"id": "08a8455c-48dd-45ff-ad82-7211355354f3", "partnerState": "notSetUp", "lastHeartbeatDateTime": "0001-01-01T00:00:00Z"});
        assert!(Fixture::new()
            .mtd_connector(json!({"value": [zimperium]}))
            .run_one(RuleId::IntuneMtdPartnerUnresponsive)
            .is_empty());
    }
}
