//! tenant-not-linked: the Lookout tenant must be linked to the Entra tenant the
//! devices and groups come from; otherwise the connector polls the wrong directory.

use super::{tenant_subject_id, Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::snapshot::Input;

pub struct TenantNotLinked;

pub const TENANT_ID_MISSING: &str = "tenant-id-missing";
pub const TENANT_ID_MISMATCH: &str = "tenant-id-mismatch";

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Tenant,
    causes: &[TENANT_ID_MISSING, TENANT_ID_MISMATCH],
    needs: &[Input::Lookout],
};

impl Rule for TenantNotLinked {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let configured = t
            .config
            .tenant
            .azure_ad_tenant_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let cause = match (configured, t.tenant_id.as_deref()) {
            (None, _) => TENANT_ID_MISSING,
            (Some(c), Some(s)) if !c.eq_ignore_ascii_case(s.trim()) => TENANT_ID_MISMATCH,
            _ => return,
        };
        out.push(
            Finding::new(
                Self::ID,
                META.default_severity,
                Subject::new(SubjectKind::Tenant, tenant_subject_id(t)),
            )
            .cause(cause)
            .evidence(
                Evidence::new()
                    .with("configured_tenant_id", configured)
                    .with("snapshot_tenant_id", t.tenant_id.clone()),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::{Fixture, LOOKOUT_HEALTHY};
    use crate::rules::RuleId;

    fn causes(lookout: &str) -> Vec<Option<&'static str>> {
        Fixture::new()
            .lookout(lookout)
            .run_one(RuleId::TenantNotLinked)
            .into_iter()
            .map(|f| f.cause)
            .collect()
    }

    #[test]
    fn empty_or_different_tenant_id() {
        let empty = LOOKOUT_HEALTHY.replace("\"tenant-1\"", "\"\"");
        assert_eq!(causes(&empty), [Some("tenant-id-missing")]);
        let other = LOOKOUT_HEALTHY.replace("\"tenant-1\"", "\"tenant-2\"");
        assert_eq!(causes(&other), [Some("tenant-id-mismatch")]);
    }

    #[test]
    fn same_id_in_any_case_is_linked() {
        assert!(causes(LOOKOUT_HEALTHY).is_empty());
        assert!(causes(&LOOKOUT_HEALTHY.replace("\"tenant-1\"", "\"TENANT-1\"")).is_empty());
    }
}
