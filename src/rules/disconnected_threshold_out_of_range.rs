//! disconnected-threshold-out-of-range: the number of days before Lookout marks a
//! silent device disconnected must be between 1 and 90.

use super::{Context, Registered, Rule, RuleMeta, CONNECTOR_SUBJECT};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct DisconnectedThresholdOutOfRange;

pub const VALID_DAYS: std::ops::RangeInclusive<i64> = 1..=90;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Connector,
    causes: &[],
    needs: &[Input::Lookout],
};

impl Rule for DisconnectedThresholdOutOfRange {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let Some(days) = ctx
            .tenant
            .config
            .enrollment_settings
            .disconnected_after_days
        else {
            return; // not set: Lookout's default of 30 days applies
        };
        if VALID_DAYS.contains(&days) {
            return;
        }
        out.push(
            Finding::new(
                Self::ID,
                META.default_severity,
                Subject::new(SubjectKind::Connector, CONNECTOR_SUBJECT),
            )
            .evidence(Evidence::new().with("disconnected_after_days", days)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::{Fixture, LOOKOUT_HEALTHY};
    use crate::rules::RuleId;

    #[test]
    fn bounds_are_1_and_90() {
        for (days, fires) in [
            (0, true),
            (1, false),
            (30, false),
            (90, false),
            (91, true),
            (-5, true),
        ] {
            let lookout = LOOKOUT_HEALTHY.replace(
                "\"disconnected_after_days\": 30",
                &format!("\"disconnected_after_days\": {days}"),
            );
            let f = Fixture::new()
                .lookout(&lookout)
                .run_one(RuleId::DisconnectedThresholdOutOfRange);
            assert_eq!(f.len(), usize::from(fires), "{days}");
        }
    }
}
