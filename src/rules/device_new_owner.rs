//! device-new-owner: the phone now belongs to someone else in Intune while Lookout
//! still registers it to the previous user. The guide's answer is to wipe
//! it and have the new user enroll.

use super::{
    enrollment_group_of, lookout_device_finding, Context, Registered, Rule, RuleId, RuleMeta,
};
use crate::finding::{Evidence, Finding, Severity, SubjectKind};
use crate::model::Tenant;
use crate::snapshot::Input;

pub struct DeviceNewOwner;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Warning,
    subject_kind: SubjectKind::Device,
    causes: &[NEW_OWNER_IN_GROUP, GROUP_CASE_MISMATCH, NEW_OWNER_NOT_IN_GROUP],
    needs: &[Input::LookoutDevices, Input::IntuneDevices],
};

pub const NEW_OWNER_IN_GROUP: &str = "new-owner-in-enrollment-group";
pub const NEW_OWNER_NOT_IN_GROUP: &str = "new-owner-not-in-enrollment-group";
/// The new owner is in the Entra group Enrollment Management names in another letter
/// case: the fix is the rename, not adding them to a group they are already in.
pub const GROUP_CASE_MISMATCH: &str = "enrollment-group-case-mismatch";

impl Rule for DeviceNewOwner {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        for d in &t.lookout_devices {
            if Tenant::is_deleted(d) {
                continue;
            }
            let (Some(intune), Some(email)) = (
                t.linked_intune(d),
                d.email.as_deref().filter(|e| !e.trim().is_empty()),
            ) else {
                continue;
            };
            // Most records name the device's primary user in the same spelling:
            // telling that needs no lower-cased copies (ASCII-equal ignoring case
            // implies equal once lower-cased).
            let upn = intune.user_principal_name.as_deref().unwrap_or_default();
            if email.trim().eq_ignore_ascii_case(upn.trim()) {
                continue;
            }
            let Some(new_owner) = intune.owner() else {
                continue;
            };
            let same = t.same_person(email, &new_owner)
                || intune
                    .email_address
                    .as_deref()
                    .is_some_and(|m| t.same_person(email, m));
            if same {
                continue;
            }
            let group = enrollment_group_of(t, Some(&new_owner));
            let mismatch = t.case_mismatched_enrollment(&new_owner);
            let cause = match (t.has(Input::Groups), &group, mismatch) {
                (false, _, _) => None,
                (true, Some(_), _) => Some(NEW_OWNER_IN_GROUP),
                (true, None, Some(_)) => Some(GROUP_CASE_MISMATCH),
                (true, None, None) => Some(NEW_OWNER_NOT_IN_GROUP),
            };
            let mut evidence = Evidence::new()
                .with("lookout_guid", d.guid.as_str())
                .with("intune_device_id", intune.id.as_str())
                .with("device_name", t.lookout_device_name(d))
                .with("lookout_owner", email.to_lowercase())
                .with("intune_primary_user", new_owner.as_str())
                .with("enrollment_group", group);
            if let (Some(GROUP_CASE_MISMATCH), Some(c)) = (cause, mismatch) {
                evidence.set("configured_group", c.name.as_str());
                evidence.set(
                    "actual_group",
                    c.case_only.first().map(|&g| t.groups[g].name.as_str()),
                );
            }
            let mut f =
                lookout_device_finding(ctx, Self::ID, META.default_severity, d).evidence(evidence);
            f.cause = cause;
            if let (Some(GROUP_CASE_MISMATCH), Some(c)) = (cause, mismatch) {
                f = f.caused_by(RuleId::EnrollmentGroupCaseMismatch, c.name.clone());
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;

    #[test]
    fn handed_over_phone_is_reported_with_the_new_owners_scope() {
        // Alice's phone now belongs to Bob (enrolled) in Intune.
        let fx = Fixture::new().intune_owner("d-alice", "bob@contoso.com");
        let f = fx.run_one(RuleId::DeviceNewOwner);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].cause, Some("new-owner-in-enrollment-group"));
        assert_eq!(
            f[0].evidence.get("lookout_owner").unwrap(),
            "alice@contoso.com"
        );
        assert_eq!(
            f[0].evidence.get("intune_primary_user").unwrap(),
            "bob@contoso.com"
        );

        let fx = Fixture::new().intune_owner("d-alice", "dave@contoso.com");
        assert_eq!(
            fx.run_one(RuleId::DeviceNewOwner)[0].cause,
            Some("new-owner-not-in-enrollment-group")
        );
    }

    #[test]
    fn a_new_owner_in_a_case_mismatched_group_needs_the_rename() {
        // Bob is in "Lookout Pilot", configured as "lookout pilot".
        let fx = Fixture::new()
            .enrollment_groups(&["lookout pilot"])
            .intune_owner("d-alice", "bob@contoso.com");
        let f = fx.run_one(RuleId::DeviceNewOwner);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].cause, Some("enrollment-group-case-mismatch"));
        assert_eq!(f[0].evidence.get("configured_group").unwrap(), "lookout pilot");
        assert_eq!(f[0].evidence.get("actual_group").unwrap(), "Lookout Pilot");
        let rc = f[0].root_cause.as_ref().unwrap();
        assert_eq!(rc.rule, RuleId::EnrollmentGroupCaseMismatch);
    }

    #[test]
    fn same_person_by_mail_or_case_is_silent() {
        assert!(Fixture::new().run_one(RuleId::DeviceNewOwner).is_empty());
        // Lookout knows Bob by his mail address, Intune by his UPN.
        let fx = Fixture::new().lookout_device(
            "lk-bob",
            "Robert.Smith@Contoso.com",
            "ACTIVATED",
            "PROTECTED",
            "d-bob",
        );
        assert!(fx.run_one(RuleId::DeviceNewOwner).is_empty());
    }
}
