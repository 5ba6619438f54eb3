//! enrollment-groups-unset: the Intune connector lists no enrollment group, so the
//! connector has nobody's devices to poll and no device is ever enrolled in Lookout
//! (setup guide: Enrollment Management of the Intune connector).

use super::{connector_required, Context, Registered, Rule, RuleMeta, SkipReason};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::{Input, Note};

pub struct EnrollmentGroupsUnset;

/// lookout.json has a key spelt like `enrollment_groups` but not as it: the groups
/// may well be configured in Lookout, and the snapshot says otherwise.
pub const KEY_MISSPELT: &str = "key-misspelt";
/// The connector section has no `enrollment_groups` at all.
pub const KEY_MISSING: &str = "key-missing";
/// `enrollment_groups` is there, and empty (or only blank names, or `null`).
pub const LIST_EMPTY: &str = "list-empty";

const ENROLLMENT_GROUPS: &str = "intune_connector.enrollment_groups";

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Connector,
    causes: &[KEY_MISSPELT, KEY_MISSING, LIST_EMPTY],
    needs: &[Input::Lookout],
};

impl Rule for EnrollmentGroupsUnset {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn skip_reason(&self, ctx: &Context) -> Option<SkipReason> {
        connector_required(ctx)
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let Some(connector) = &t.config.intune_connector else {
            return;
        };
        if !t.config.enrollment_group_names().is_empty() {
            return;
        }
        let misspelt = t
            .files
            .iter()
            .filter(|f| f.input == Input::Lookout)
            .flat_map(|f| &f.notes)
            .find_map(|n| match n {
                Note::UnknownSetting {
                    key,
                    suggestion: Some(s),
                } if s == ENROLLMENT_GROUPS => Some(key.clone()),
                _ => None,
            });
        let cause = match (&misspelt, &connector.enrollment_groups) {
            (Some(_), _) => KEY_MISSPELT,
            (None, None) => KEY_MISSING,
            (None, Some(_)) => LIST_EMPTY,
        };
        out.push(
            Finding::new(
                Self::ID,
                META.default_severity,
                Subject::new(SubjectKind::Connector, super::CONNECTOR_SUBJECT),
            )
            .cause(cause)
            .evidence(
                Evidence::new()
                    .with("enrollment_groups", connector.enrollment_groups.clone())
                    .with("misspelt_key", misspelt)
                    .with("setting", ENROLLMENT_GROUPS),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::{Fixture, LOOKOUT_HEALTHY};
    use crate::rules::{RuleId, SkipReason};
    use serde_json::json;

    fn with_groups(groups: &str) -> String {
        LOOKOUT_HEALTHY.replace(r#""enrollment_groups": ["Lookout Pilot"],"#, groups)
    }

    fn causes(lookout: &str) -> Vec<Option<&'static str>> {
        Fixture::new()
            .lookout(lookout)
            .run_one(RuleId::EnrollmentGroupsUnset)
            .into_iter()
            .map(|f| f.cause)
            .collect()
    }

    #[test]
    fn healthy_tenant_is_silent() {
        assert!(Fixture::new()
            .run_one(RuleId::EnrollmentGroupsUnset)
            .is_empty());
    }

    #[test]
    fn an_empty_list_or_blank_names_enroll_nobody() {
        for groups in [
            r#""enrollment_groups": [],"#,
            r#""enrollment_groups": null,"#,
            r#""enrollment_groups": ["", "  "],"#,
        ] {
            assert_eq!(causes(&with_groups(groups)), [Some("list-empty")], "{groups}");
        }
        let f = Fixture::new()
            .enrollment_groups(&[])
            .run_one(RuleId::EnrollmentGroupsUnset);
        assert_eq!(f[0].subject.id, "intune-connector");
        assert_eq!(f[0].evidence.get("enrollment_groups").unwrap(), &json!([]));
    }

    #[test]
    fn a_missing_key_enrolls_nobody() {
        assert_eq!(causes(&with_groups("")), [Some("key-missing")]);
    }

    #[test]
    fn a_misspelt_key_is_named() {
        for (key, written) in [
            ("enrolment_groups", r#""enrolment_groups": ["Lookout Pilot"],"#),
            ("enrollmentGroups", r#""enrollmentGroups": ["Lookout Pilot"],"#),
        ] {
            let f = Fixture::new()
                .lookout(&with_groups(written))
                .run_one(RuleId::EnrollmentGroupsUnset);
            assert_eq!(f[0].cause, Some("key-misspelt"));
            assert_eq!(
                f[0].evidence.get("misspelt_key").unwrap(),
                &json!(format!("intune_connector.{key}"))
            );
        }
    }

    #[test]
    fn no_connector_or_a_placeholder_is_not_this_finding() {
        let no_connector = Fixture::new().lookout(
            &serde_json::to_string(&{
                let mut v: serde_json::Value = serde_json::from_str(LOOKOUT_HEALTHY).unwrap();
                v["intune_connector"] = json!(null);
                v
            })
            .unwrap(),
        );
        assert!(no_connector
            .run_one(RuleId::EnrollmentGroupsUnset)
            .is_empty());
        let template = Fixture::new().enrollment_groups(&["REPLACE WITH THE EXACT DISPLAY NAME"]);
        assert!(template.run_one(RuleId::EnrollmentGroupsUnset).is_empty());
        assert_eq!(
            template.skip_reason(RuleId::EnrollmentGroupsUnset),
            Some(SkipReason::Placeholder(
                "intune_connector.enrollment_groups[0]".into()
            ))
        );
    }
}
