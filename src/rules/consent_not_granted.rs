//! consent-not-granted: nobody can sign in to the Lookout console until an Entra
//! Global Administrator has accepted Lookout's consent prompt. Entra's enterprise
//! applications (service-principals.json) are the evidence when the snapshot has
//! them; lookout.json's `tenant.consent.granted` otherwise. Unknown is not this
//! finding: the health overview says it is unknown.

use super::{Context, Registered, Rule, RuleMeta};
use crate::finding::{Evidence, Finding, Severity, Subject, SubjectKind};
use crate::model::{ConsentSource, ConsentState, Principal, Tenant};
use crate::snapshot::Input;
use serde_json::{json, Value};

pub struct ConsentNotGranted;

const META: RuleMeta = RuleMeta {
    default_severity: Severity::Error,
    subject_kind: SubjectKind::Tenant,
    causes: &[],
    needs: &[Input::Lookout],
};

pub const CONSENT_URL: &str = "https://aad.lookout.com/les?action=consent";

impl Rule for ConsentNotGranted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context, out: &mut Vec<Finding>) {
        let t = ctx.tenant;
        let v = t.consent();
        if v.state != ConsentState::NotGranted {
            return;
        }
        let by_principals = v.source == ConsentSource::ServicePrincipals;
        let decided_by = match v.source {
            ConsentSource::ServicePrincipals => file_names(t, Input::ServicePrincipals),
            _ => file_names(t, Input::Lookout),
        };
        let names = |apps: &[&Principal]| -> Option<Vec<String>> {
            (!apps.is_empty()).then(|| apps.iter().map(|p| quoted_name(p)).collect())
        };
        // Which sentence of the diagnosis applies: Lookout's application is there
        // without an administrator's consent, or it is not there at all.
        let searched = (by_principals && v.lookout_apps.is_empty())
            .then_some(v.principals_read)
            .flatten();
        let tenant_id = super::tenant_subject_id(t);
        let mut evidence = Evidence::new()
            .with("tenant_id", tenant_id.as_str())
            .with("decided_by", decided_by)
            .with("consent_granted", v.setting);
        // What service-principals.json showed, when the snapshot has it.
        if v.principals_read.is_some() {
            evidence = evidence
                .with("lookout_app_id", v.app_id)
                .with(
                    "lookout_applications",
                    v.lookout_apps.iter().map(|p| described(p)).collect::<Vec<_>>(),
                )
                .with(
                    "lookout_application_names",
                    names(&v.lookout_apps).filter(|_| by_principals),
                )
                .with("applications_without_lookout", searched)
                .with("set_aside_application_names", names(&v.set_aside));
        }
        out.push(
            Finding::new(
                Self::ID,
                META.default_severity,
                Subject::new(SubjectKind::Tenant, &tenant_id),
            )
            .evidence(evidence.with("consent_url", CONSENT_URL)),
        );
    }
}

/// The names of the files of `input` the snapshot read, for evidence.
fn file_names(t: &Tenant, input: Input) -> String {
    let names: Vec<&str> = t
        .files
        .iter()
        .filter(|f| f.input == input)
        .map(|f| f.name.as_str())
        .collect();
    names.join(", ")
}

/// `"Lookout Mobile Endpoint Security"`, or the app id when the file gives no name.
fn quoted_name(p: &Principal) -> String {
    match (&p.name, &p.app_id, &p.id) {
        (Some(name), _, _) => format!("\"{name}\""),
        (None, Some(app_id), _) => format!("app id {app_id}"),
        (None, None, Some(id)) => format!("object id {id}"),
        (None, None, None) => "—".into(),
    }
}

/// An application and what was granted to it.
fn described(p: &Principal) -> Value {
    json!({
        "display_name": p.name,
        "app_id": p.app_id,
        "publisher": p.publisher,
        "admin_consented_permissions": p.admin_scopes,
        "application_permissions": p.app_roles,
        "user_consents": p.user_grants,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::{Fixture, LOOKOUT_HEALTHY};
    use crate::rules::RuleId;
    use serde_json::{json, Value};

    /// Lookout's enterprise application as Graph lists it, with `grants` and
    /// `roles` nested.
    fn lookout_app(grants: Value, roles: Value) -> Value {
        json!({"id": "sp-lookout", "appId": "app-lookout", "displayName": "Lookout Mobile Endpoint Security",
               "publisherName": "Lookout, Inc.", "appOwnerOrganizationId": "lookout-tenant",
               "oauth2PermissionGrants": grants, "appRoleAssignments": roles})
    }

    fn admin_grant() -> Value {
        json!([{"id": "g1", "clientId": "sp-lookout", "consentType": "AllPrincipals", "principalId": null,
                "resourceId": "graph", "scope": " User.Read "}])
    }

    /// A single sign-on application made in the tenant itself (Lookout's SSO guide
    /// calls it lookout_saml): named like Lookout, granted nothing.
    fn saml_app() -> Value {
        json!({"id": "sp-saml", "appId": "app-saml", "displayName": "lookout_saml",
               "appOwnerOrganizationId": "tenant-1", "preferredSingleSignOnMode": "saml"})
    }

    fn with_consent(consent: &str) -> String {
        LOOKOUT_HEALTHY.replace(r#"{"granted": true}"#, consent)
    }

    #[test]
    fn fires_when_lookout_json_says_false() {
        let f = Fixture::new()
            .lookout(&with_consent(r#"{"granted": false}"#))
            .run_one(RuleId::ConsentNotGranted);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].subject.id, "tenant-1");
        assert_eq!(f[0].evidence.get("decided_by").unwrap(), "lookout.json");
        assert_eq!(
            f[0].evidence.get("consent_url").unwrap(),
            super::CONSENT_URL
        );
    }

    #[test]
    fn unknown_is_not_this_finding() {
        for consent in [r#"{"granted": null}"#, "{}"] {
            let f = Fixture::new()
                .lookout(&with_consent(consent))
                .run_one(RuleId::ConsentNotGranted);
            assert!(f.is_empty(), "{consent}: {f:?}");
        }
    }

    #[test]
    fn silent_when_granted() {
        assert!(Fixture::new().run_one(RuleId::ConsentNotGranted).is_empty());
    }

    #[test]
    fn admin_consent_in_entra_beats_a_false_setting() {
        for roles in [json!([]), json!([{"id": "a1", "appRoleId": "r", "principalId": "sp-lookout"}])] {
            let grants = if roles.as_array().unwrap().is_empty() {
                admin_grant()
            } else {
                json!([])
            };
            let f = Fixture::new()
                .lookout(&with_consent(r#"{"granted": false}"#))
                .service_principals(json!({"value": [lookout_app(grants, roles), saml_app()]}))
                .run_one(RuleId::ConsentNotGranted);
            assert!(f.is_empty(), "{f:?}");
        }
    }

    #[test]
    fn lookout_app_without_admin_consent_beats_a_true_setting() {
        let user_only = json!([{"id": "g2", "clientId": "sp-lookout", "consentType": "Principal", "principalId": "u1", "scope": "User.Read"}]);
        let f = Fixture::new()
            .service_principals(json!({"value": [lookout_app(user_only, json!([]))]}))
            .run_one(RuleId::ConsentNotGranted);
        assert_eq!(f.len(), 1);
        let e = &f[0].evidence;
        assert_eq!(e.get("decided_by").unwrap(), "service-principals.json");
        assert_eq!(e.get("consent_granted").unwrap(), true);
        assert_eq!(
            e.get("lookout_application_names").unwrap(),
            &json!(["\"Lookout Mobile Endpoint Security\""])
        );
        assert_eq!(
            e.get("lookout_applications").unwrap()[0]["user_consents"],
            1
        );
        assert!(e.get("applications_without_lookout").unwrap().is_null());
    }

    #[test]
    fn a_customer_made_sso_app_does_not_decide() {
        let f = Fixture::new()
            .service_principals(json!({"value": [saml_app(), {"id": "sp-x", "appId": "x", "displayName": "Contoso HR"}]}))
            .run_one(RuleId::ConsentNotGranted);
        assert_eq!(f.len(), 1);
        let e = &f[0].evidence;
        assert_eq!(e.get("applications_without_lookout").unwrap(), 2);
        assert_eq!(
            e.get("set_aside_application_names").unwrap(),
            &json!(["\"lookout_saml\""])
        );
        assert!(e.get("lookout_application_names").unwrap().is_null());
    }

    #[test]
    fn grants_listed_apart_join_their_application() {
        // GET /servicePrincipals?$filter=..., then .../oauth2PermissionGrants, saved
        // as one list of pages.
        let pages = json!([
            {"value": [lookout_app(json!([]), json!([]))]},
            {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants", "value": admin_grant()}
        ]);
        let f = Fixture::new()
            .lookout(&with_consent(r#"{"granted": false}"#))
            .service_principals(pages)
            .run_one(RuleId::ConsentNotGranted);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_configured_app_id_names_lookouts_application() {
        let renamed = json!({"value": [{"id": "sp-1", "appId": "APP-MES", "displayName": "Mobile Security",
            "oauth2PermissionGrants": admin_grant()}]});
        let lookout = LOOKOUT_HEALTHY.replace(
            r#"{"granted": true}"#,
            r#"{"granted": false, "app_id": "app-mes"}"#,
        );
        let fx = Fixture::new().service_principals(renamed.clone());
        assert_eq!(
            fx.run_one(RuleId::ConsentNotGranted).len(),
            1,
            "not found by name"
        );
        let fx = Fixture::new().lookout(&lookout).service_principals(renamed);
        assert!(fx.run_one(RuleId::ConsentNotGranted).is_empty());
    }

    #[test]
    fn grants_of_unnamed_applications_leave_it_to_the_setting() {
        let grants_only = json!({"value": admin_grant()});
        let fx = Fixture::new()
            .lookout(&with_consent(r#"{"granted": false}"#))
            .service_principals(grants_only.clone());
        let f = fx.run_one(RuleId::ConsentNotGranted);
        assert_eq!(f[0].evidence.get("decided_by").unwrap(), "lookout.json");
        let unknown = Fixture::new()
            .lookout(&with_consent("{}"))
            .service_principals(grants_only);
        assert!(unknown.run_one(RuleId::ConsentNotGranted).is_empty());
    }
}
