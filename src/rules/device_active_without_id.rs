//! device-active-without-id: Lookout shows the device as activated but it carries no
//! device ID, which means its owner left the enrollment scope. The phone still gets
//! threat alerts, but Intune never hears about them.
//!
//! A configured enrollment group that differs from the owner's Entra group only in
//! letter case comes first among the causes: renaming it in the connector settings
//! brings the owner back whatever else happened, and the group is not deleted.

use super::{lookout_device_finding, Context, Registered, Rule, RuleId, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, SubjectKind};
use crate::model::{AuditKind, Tenant};
use crate::snapshot::values::ActivationStatus;
use crate::snapshot::Input;

pub struct DeviceActiveWithoutId;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Device,
    causes: &[GROUP_CASE_MISMATCH, OWNER_REMOVED, GROUP_DELETED, OWNER_NOT_IN_GROUP],
    needs: &[Input::Lookout, Input::LookoutDevices],
};

pub const GROUP_CASE_MISMATCH: &str = "enrollment-group-case-mismatch";
pub const OWNER_REMOVED: &str = "owner-removed-from-enrollment-group";
pub const GROUP_DELETED: &str = "enrollment-group-deleted";
pub const OWNER_NOT_IN_GROUP: &str = "owner-not-in-enrollment-group";

impl Rule for DeviceActiveWithoutId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let configured: Vec<&str> = t.config.enrollment_group_names();
        let deleted_group = deleted_enrollment_group(t);
        for d in &t.lookout_devices {
            if d.activation_status != Some(ActivationStatus::Activated) || d.device_id().is_some() {
                continue;
            }
            let owner = d.email.as_deref().map(str::to_lowercase);
            let mut evidence = Evidence::new()
                .with("lookout_guid", d.guid.as_str())
                .with("owner", owner.clone())
                .with(
                    "platform",
                    d.platform.as_ref().map(|p| p.as_str().to_owned()),
                )
                .with("device_name", t.lookout_device_name(d))
                .with("enrollment_groups", configured.clone());
            let enrolment = owner.as_deref().and_then(|o| t.enrolment(o));
            let mut root_cause: Option<(RuleId, String)> = None;
            let cause = if let Some(e) = enrolment {
                // In scope today: the connector should assign the ID at its next poll.
                evidence.set(
                    "enrollment_group",
                    t.groups[e.enrollment_group].name.as_str(),
                );
                None
            } else if let Some(c) = owner.as_deref().and_then(|o| t.case_mismatched_enrollment(o)) {
                evidence.set("configured_group", c.name.as_str());
                // The group the configuration rule names as the real one.
                evidence.set(
                    "actual_group",
                    c.case_only.first().map(|&g| t.groups[g].name.as_str()),
                );
                root_cause = Some((RuleId::EnrollmentGroupCaseMismatch, c.name.clone()));
                Some(GROUP_CASE_MISMATCH)
            } else if let Some(removal) = owner.as_deref().and_then(|o| latest_removal(t, o)) {
                evidence.set("removed_from_group", t.audit_group_label(removal));
                evidence.set("removed_at", super::fmt_time(removal.at));
                evidence.set("removed_by", removal.actor.clone());
                Some(OWNER_REMOVED)
            } else if let Some(gone) = &deleted_group {
                evidence.set("deleted_group", gone.name.as_str());
                evidence.set("deleted_at", super::fmt_time(gone.at));
                evidence.set("deleted_by", gone.by.clone());
                root_cause = Some(super::missing_enrollment_group_finding(t, &gone.name));
                Some(GROUP_DELETED)
            } else {
                Some(OWNER_NOT_IN_GROUP)
            };
            let mut f =
                lookout_device_finding(ctx, Self::ID, META.default_severity, d).evidence(evidence);
            f.cause = cause;
            if let Some((rule, subject)) = root_cause {
                f = f.caused_by(rule, subject);
            }
            out.push(f);
        }
    }
}

/// The owner's latest membership change for an enrollment group, if it is a removal.
fn latest_removal<'t>(t: &'t Tenant, owner: &str) -> Option<&'t crate::model::AuditEvent> {
    t.audit_for_user(owner)
        .into_iter()
        .rfind(|e| {
            matches!(e.kind, AuditKind::AddMember | AuditKind::RemoveMember)
                && t.audit_group_is_enrollment(e)
        })
        .filter(|e| e.kind == AuditKind::RemoveMember)
}

struct GoneGroup {
    name: String,
    at: Option<crate::snapshot::time::Time>,
    by: Option<String>,
}

/// A configured enrollment group that no longer resolves: deleted per the audit log,
/// or absent from groups.json (which is only known when groups.json exists). A group
/// that exists under the configured name in other letter case is not deleted.
fn deleted_enrollment_group(t: &Tenant) -> Option<GoneGroup> {
    let deletion = t
        .audit
        .iter()
        .rev()
        .filter(|e| e.kind == AuditKind::DeleteGroup)
        .find(|e| {
            e.group_name
                .as_deref()
                .is_some_and(|n| t.enrollment_groups.iter().any(|c| c.name == n))
                || t.audit_group_is_enrollment(e)
        });
    if let Some(e) = deletion {
        return Some(GoneGroup {
            name: t.audit_group_label(e).unwrap_or_default(),
            at: e.at,
            by: e.actor.clone(),
        });
    }
    if !t.has(Input::Groups) {
        return None;
    }
    t.enrollment_groups
        .iter()
        .find(|c| c.exact.is_empty() && c.case_only.is_empty())
        .map(|c| GoneGroup {
            name: c.name.clone(),
            at: None,
            by: None,
        })
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;

    fn causes(fx: Fixture) -> Vec<(String, Option<&'static str>)> {
        fx.run_one(RuleId::DeviceActiveWithoutId)
            .into_iter()
            .map(|f| (f.subject.id, f.cause))
            .collect()
    }

    #[test]
    fn removal_in_the_audit_log_is_the_cause() {
        let fx = Fixture::new()
            .lookout_device("lk-erin", "erin@contoso.com", "ACTIVATED", "PROTECTED", "")
            .audit_add(
                "erin@contoso.com",
                "g-wave",
                "Lookout Wave",
                "2026-10-01T08:00:00Z",
            )
            .audit_remove(
                "erin@contoso.com",
                "g-wave",
                "Lookout Wave",
                "2026-11-02T09:14:00Z",
            );
        let f = fx.run_one(RuleId::DeviceActiveWithoutId);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].cause, Some("owner-removed-from-enrollment-group"));
        assert_eq!(
            f[0].evidence.get("removed_at").unwrap(),
            "2026-11-02T09:14:00Z"
        );
        assert_eq!(
            f[0].evidence.get("removed_by").unwrap(),
            "admin@contoso.com"
        );
    }

    #[test]
    fn re_added_after_removal_is_not_a_removal() {
        let fx = Fixture::new()
            .lookout_device("lk-erin", "erin@contoso.com", "ACTIVATED", "PROTECTED", "")
            .audit_remove(
                "erin@contoso.com",
                "g-wave",
                "Lookout Wave",
                "2026-11-02T09:14:00Z",
            )
            .audit_add(
                "erin@contoso.com",
                "g-wave",
                "Lookout Wave",
                "2026-11-03T09:14:00Z",
            );
        assert_eq!(
            causes(fx),
            [("lk-erin".into(), Some("owner-not-in-enrollment-group"))]
        );
    }

    #[test]
    fn missing_configured_group_is_deleted_group() {
        let fx = Fixture::new()
            .enrollment_groups(&["Lookout Pilot", "Lookout Legacy"])
            .lookout_device("lk-erin", "erin@contoso.com", "ACTIVATED", "PROTECTED", "");
        let f = fx.run_one(RuleId::DeviceActiveWithoutId);
        assert_eq!(f[0].cause, Some("enrollment-group-deleted"));
        assert_eq!(
            f[0].evidence.get("deleted_group").unwrap(),
            "Lookout Legacy"
        );
    }

    #[test]
    fn group_named_in_other_letter_case_is_the_cause_not_a_deletion() {
        // alice is a direct member of "Lookout Pilot"; the connector names it in lower
        // case. The audit log also shows her removed from "Lookout Wave": the rename
        // alone brings her back, so it comes first.
        let fx = Fixture::new()
            .enrollment_groups(&["lookout pilot", "Lookout Wave"])
            .lookout_device("lk-erin", "alice@contoso.com", "ACTIVATED", "PROTECTED", "")
            .audit_remove(
                "alice@contoso.com",
                "g-wave",
                "Lookout Wave",
                "2026-11-02T09:14:00Z",
            );
        let f = fx.run_one(RuleId::DeviceActiveWithoutId);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].cause, Some("enrollment-group-case-mismatch"));
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
    fn group_in_other_letter_case_does_not_explain_an_outsider() {
        // erin is in no group resembling "lookout pilot": the group exists, so nothing
        // was deleted, and the rename would not enroll her.
        let fx = Fixture::new()
            .enrollment_groups(&["lookout pilot"])
            .lookout_device("lk-erin", "erin@contoso.com", "ACTIVATED", "PROTECTED", "");
        let f = fx.run_one(RuleId::DeviceActiveWithoutId);
        assert_eq!(f[0].cause, Some("owner-not-in-enrollment-group"));
        assert!(f[0].evidence.get("root_cause").is_none());
    }

    #[test]
    fn owner_outside_groups_and_silence_for_linked_devices() {
        assert!(causes(Fixture::new()).is_empty());
        let fx = Fixture::new().lookout_device(
            "lk-erin",
            "erin@contoso.com",
            "ACTIVATED",
            "PROTECTED",
            "",
        );
        assert_eq!(
            causes(fx),
            [("lk-erin".into(), Some("owner-not-in-enrollment-group"))]
        );
        // Pending devices without an ID are device-pending's business, not this rule's.
        let pending =
            Fixture::new().lookout_device("lk-erin", "erin@contoso.com", "PENDING", "", "");
        assert!(causes(pending).is_empty());
    }
}
