//! device-duplicate: two Lookout records carry the same device ID (usually a reinstall
//! that left the old record behind), so Intune may receive the stale one's state.

use super::{lookout_device_finding, Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, SubjectKind};
use crate::model::Tenant;
use crate::snapshot::Input;

pub struct DeviceDuplicate;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Warning,
    subject_kind: SubjectKind::Device,
    causes: &[],
    needs: &[Input::LookoutDevices],
};

impl Rule for DeviceDuplicate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        for records in t.duplicate_device_ids() {
            let live: Vec<_> = records
                .iter()
                .map(|&ix| &t.lookout_devices[ix])
                .filter(|d| !Tenant::is_deleted(d))
                .collect();
            if live.len() < 2 {
                continue;
            }
            for d in &live {
                let others: Vec<&str> = live
                    .iter()
                    .filter(|o| o.guid != d.guid)
                    .map(|o| o.guid.as_str())
                    .collect();
                let evidence = Evidence::new()
                    .with("device_id", d.device_id())
                    .with("lookout_guid", d.guid.as_str())
                    .with("other_guids", others)
                    .with("owner", d.email.as_deref().map(str::to_lowercase));
                out.push(
                    lookout_device_finding(ctx, Self::ID, META.default_severity, d)
                        .evidence(evidence),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::Fixture;
    use crate::rules::RuleId;

    #[test]
    fn records_sharing_an_id_are_each_reported() {
        let fx = Fixture::new()
            .lookout_device(
                "lk-old",
                "alice@contoso.com",
                "ACTIVATED",
                "PROTECTED",
                "D-ALICE",
            )
            .lookout_device("lk-gone", "alice@contoso.com", "DELETED", "", "d-alice");
        let f = fx.run_one(RuleId::DeviceDuplicate);
        let ids: Vec<&str> = f.iter().map(|f| f.subject.id.as_str()).collect();
        assert_eq!(ids, ["lk-alice", "lk-old"]);
        assert_eq!(
            f[0].evidence.get("other_guids").unwrap(),
            &serde_json::json!(["lk-old"])
        );
        assert!(Fixture::new().run_one(RuleId::DeviceDuplicate).is_empty());
    }
}
