//! device-missing: an Intune phone or tablet that should be in Lookout has no Lookout
//! record. The troubleshooting guide's three explanations are tried in order: the
//! owner is not in an enrollment group, the OS is too old for Lookout, or the
//! connector has not polled since the device became eligible. An owner kept out only
//! by the letter case of a configured group name is told apart, since the fix is then
//! the rename, not a new membership.

use super::{intune_device_finding, Context, Registered, Rule, RuleId, RuleMeta, SkipReason};
use crate::finding::{Evidence, Finding, Severity, SubjectKind};
use crate::model::{AuditKind, Tenant};
use crate::snapshot::intune_devices::IntuneDevice;
use crate::snapshot::lookout_config::Coverage;
use crate::snapshot::time::Time;
use crate::snapshot::values::MobilePlatform;
use crate::snapshot::Input;
use crate::version;
use chrono::Duration;

pub struct DeviceMissing;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Warning,
    subject_kind: SubjectKind::Device,
    causes: &[
        ENROLLMENT_GROUP_CASE_MISMATCH,
        OWNER_NOT_IN_ENROLLMENT_GROUP,
        UNSUPPORTED_OS,
        WITHIN_POLLING_INTERVAL,
        UNEXPLAINED,
    ],
    needs: &[Input::Lookout, Input::IntuneDevices, Input::LookoutDevices],
};

pub const ENROLLMENT_GROUP_CASE_MISMATCH: &str = "enrollment-group-case-mismatch";
pub const OWNER_NOT_IN_ENROLLMENT_GROUP: &str = "owner-not-in-enrollment-group";
pub const UNSUPPORTED_OS: &str = "unsupported-os";
pub const WITHIN_POLLING_INTERVAL: &str = "within-polling-interval";
pub const UNEXPLAINED: &str = "unexplained";

impl Rule for DeviceMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn skip_reason(&self, ctx: &Context) -> Option<SkipReason> {
        let t = ctx.tenant;
        if t.config.coverage == Coverage::EnrollmentGroups {
            // Scope is "users in enrollment groups": without groups or a connector
            // nothing is expected in Lookout, unless the help desk names a device.
            if !t.has(Input::Groups) && ctx.focus.is_empty() {
                return Some(SkipReason::MissingInput(Input::Groups));
            }
            if t.config.intune_connector.is_none() && ctx.focus.is_empty() {
                return Some(SkipReason::NoIntuneConnector);
            }
        }
        None
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let coverage = t.config.coverage;
        for d in &t.intune_devices {
            let Some(platform) = d
                .operating_system
                .as_ref()
                .and_then(|o| o.mobile_platform())
            else {
                continue;
            };
            let enrolment = t.intune_enrolment(d);
            let in_scope = enrolment.is_some()
                || coverage == Coverage::AllMobileDevices
                || ctx.focus.names_intune(t, d);
            if !in_scope || t.lookout_records_of(d).any(|r| !Tenant::is_deleted(r)) {
                continue;
            }
            let owner = d.owner();
            let records = t.lookout_records_for(d);

            let mut evidence = Evidence::new()
                .with("intune_device_id", d.id.as_str())
                .with("device_name", d.device_name.as_deref())
                .with("owner", owner.clone())
                .with(
                    "operating_system",
                    d.operating_system.as_ref().map(|o| o.as_str().to_owned()),
                )
                .with("os_version", d.os_version.as_deref())
                .with("coverage", coverage.as_str())
                .with(
                    "enrollment_group",
                    enrolment.map(|e| t.groups[e.enrollment_group].name.clone()),
                );
            if let Some(deleted) = records.first() {
                evidence.set("deleted_lookout_record", deleted.guid.as_str());
            }

            let membership_known = t.has(Input::Groups);
            let mut root_cause = None;
            let (cause, severity) = if enrolment.is_none() && membership_known {
                match owner.as_deref().and_then(|o| t.case_mismatched_enrollment(o)) {
                    Some(c) => {
                        evidence.set("configured_group", c.name.as_str());
                        // The group the configuration rule names as the real one.
                        evidence.set(
                            "actual_group",
                            c.case_only.first().map(|&g| t.groups[g].name.as_str()),
                        );
                        root_cause = Some((RuleId::EnrollmentGroupCaseMismatch, c.name.clone()));
                        (ENROLLMENT_GROUP_CASE_MISMATCH, Severity::Warning)
                    }
                    None => (OWNER_NOT_IN_ENROLLMENT_GROUP, Severity::Warning),
                }
            } else if let Some(min) = unsupported(t, d, platform) {
                evidence.set("min_os_version", min);
                (UNSUPPORTED_OS, Severity::Warning)
            } else if let Some((since, via)) =
                eligible_within_polling(t, d, owner.as_deref(), ctx.as_of)
            {
                let minutes = t.config.polling_interval_minutes();
                evidence.set("eligible_since", super::fmt_time(Some(since)));
                evidence.set("eligible_via_group", via);
                evidence.set("polling_interval_minutes", minutes);
                evidence.set(
                    "expected_by",
                    super::fmt_time(Some(since + Duration::minutes(i64::from(minutes)))),
                );
                (WITHIN_POLLING_INTERVAL, Severity::Info)
            } else {
                (UNEXPLAINED, Severity::Error)
            };
            let mut f = intune_device_finding(ctx, Self::ID, severity, d)
                .cause(cause)
                .evidence(evidence);
            if let Some((rule, subject)) = root_cause {
                f = f.caused_by(rule, subject);
            }
            out.push(f);
        }
    }
}

/// The minimum version the device falls short of, if Lookout does not support it.
fn unsupported(t: &Tenant, d: &IntuneDevice, platform: MobilePlatform) -> Option<String> {
    let min = match platform {
        MobilePlatform::Android => t.config.min_os_versions.android.as_deref(),
        MobilePlatform::Ios => t.config.min_os_versions.ios.as_deref(),
    }?;
    let os = d.os_version.as_deref()?;
    (version::compare(os, min)? == std::cmp::Ordering::Less).then(|| min.to_owned())
}

/// When the device became eligible within the last polling interval: the owner was
/// added to an enrollment group (latest such audit record), or the device enrolled in
/// Intune. Returns the instant and the group (None for a fresh enrolment).
fn eligible_within_polling(
    t: &Tenant,
    d: &IntuneDevice,
    owner: Option<&str>,
    as_of: Time,
) -> Option<(Time, Option<String>)> {
    let window_start = as_of - Duration::minutes(i64::from(t.config.polling_interval_minutes()));
    let in_window = |at: Time| at > window_start && at <= as_of;
    let added = owner.and_then(|o| {
        t.audit_for_user(o)
            .into_iter()
            .rev()
            .filter(|e| e.kind == AuditKind::AddMember && t.audit_group_is_enrollment(e))
            .find_map(|e| {
                e.at.filter(|&at| in_window(at))
                    .map(|at| (at, t.audit_group_label(e)))
            })
    });
    added.or_else(|| {
        d.enrolled_date_time
            .filter(|&at| in_window(at))
            .map(|at| (at, None))
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;

    fn missing(fx: Fixture) -> Vec<(String, Option<&'static str>)> {
        fx.run_one(RuleId::DeviceMissing)
            .into_iter()
            .map(|f| (f.subject.id, f.cause))
            .collect()
    }

    #[test]
    fn enrolled_phone_without_record_is_unexplained_error() {
        let fx = Fixture::new().without_lookout_device("lk-alice");
        let f = fx.run_one(RuleId::DeviceMissing);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject.id, "d-alice");
        assert_eq!(f[0].cause, Some("unexplained"));
        assert_eq!(f[0].severity, crate::finding::Severity::Error);
        assert_eq!(
            f[0].evidence.get("enrollment_group").unwrap(),
            "Lookout Pilot"
        );
    }

    #[test]
    fn old_os_is_unsupported() {
        let fx = Fixture::new()
            .without_lookout_device("lk-alice")
            .min_os("ios", "18.0");
        assert_eq!(missing(fx), [("d-alice".into(), Some("unsupported-os"))]);
    }

    #[test]
    fn recent_group_addition_is_within_polling_interval() {
        let fx = Fixture::new().without_lookout_device("lk-alice").audit_add(
            "alice@contoso.com",
            "g-wave",
            "Lookout Wave",
            "2026-11-20T11:58:00Z",
        );
        let f = fx.run_one(RuleId::DeviceMissing);
        assert_eq!(f[0].cause, Some("within-polling-interval"));
        assert_eq!(f[0].severity, crate::finding::Severity::Info);
        assert_eq!(
            f[0].evidence.get("expected_by").unwrap(),
            "2026-11-20T12:03:00Z"
        );
        assert_eq!(
            f[0].evidence.get("eligible_via_group").unwrap(),
            "Lookout Wave"
        );
    }

    #[test]
    fn addition_older_than_the_interval_does_not_explain() {
        let fx = Fixture::new().without_lookout_device("lk-alice").audit_add(
            "alice@contoso.com",
            "g-wave",
            "Lookout Wave",
            "2026-11-20T11:00:00Z",
        );
        assert_eq!(missing(fx), [("d-alice".into(), Some("unexplained"))]);
    }

    #[test]
    fn outsiders_are_out_of_scope_unless_asked_about() {
        // dave is in no enrollment group and has no Lookout record.
        assert!(missing(Fixture::new()).is_empty());
        let asked = Fixture::new().focus_user("DAVE@contoso.com");
        assert_eq!(
            missing(asked),
            [("d-dave".into(), Some("owner-not-in-enrollment-group"))]
        );
        let by_device = Fixture::new().focus_device("aad-dave");
        assert_eq!(
            missing(by_device),
            [("d-dave".into(), Some("owner-not-in-enrollment-group"))]
        );
    }

    #[test]
    fn owner_kept_out_by_letter_case_is_told_apart() {
        let fx = Fixture::new()
            .enrollment_groups(&["lookout pilot"])
            .without_lookout_device("lk-alice")
            .focus_device("d-alice");
        let f = fx.run_one(RuleId::DeviceMissing);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].cause, Some("enrollment-group-case-mismatch"));
        assert_eq!(f[0].severity, crate::finding::Severity::Warning);
        assert_eq!(
            f[0].evidence.get("configured_group").unwrap(),
            "lookout pilot"
        );
        assert_eq!(f[0].evidence.get("actual_group").unwrap(), "Lookout Pilot");
        assert_eq!(
            f[0].evidence.get("root_cause").unwrap(),
            &serde_json::json!({"rule": "enrollment-group-case-mismatch", "subject": "lookout pilot"})
        );
    }

    #[test]
    fn all_mobile_coverage_includes_outsiders_but_never_windows() {
        let fx = Fixture::new().coverage_all_mobile();
        assert_eq!(
            missing(fx),
            [("d-dave".into(), Some("owner-not-in-enrollment-group"))]
        );
    }
}
