//! `service-principals.json`: Entra's enterprise applications (Graph
//! `servicePrincipals`) with the permissions granted to them, the evidence of
//! Lookout's consent (SPEC 3 and 4.1). Taken as Graph gives them to an administrator:
//!
//! - service principals with their `oauth2PermissionGrants` and `appRoleAssignments`
//!   nested (a collector's file, or `$expand`);
//! - the lists Graph returns apart: `GET /servicePrincipals` (or `?$filter=...`),
//!   `GET /servicePrincipals/{id}/oauth2PermissionGrants` (also the tenant-wide
//!   `GET /oauth2PermissionGrants`) and `GET /servicePrincipals/{id}/appRoleAssignments`,
//!   saved together as a list of pages or in files of their own;
//!
//! each in any of the JSON forms (Graph pages, a bare list, Graph PowerShell's
//! PascalCase objects). A record says by its fields which of the three it is; the
//! model joins grants to their application by `clientId` and assignments by
//! `principalId`.

use super::detect::{Head, Recognised};
use super::json_doc::{self, Kept, Record, Seen, Shape};
use super::lenient;
use super::lookout_config::null_as_default;
use super::text::FileText;
use super::{Format, Input, LoadError, Loaded, Text};
use serde::Deserialize;
use std::path::Path;

/// One record of the file: an application, or a grant or assignment listed apart
/// from it.
#[derive(Debug, Clone)]
pub enum Entry {
    Principal(ServicePrincipal),
    Grant(PermissionGrant),
    Assignment(AppRoleAssignment),
}

/// An enterprise application (service principal) of the tenant.
#[derive(Debug, Clone, Default)]
pub struct ServicePrincipal {
    /// Its object id in this tenant: what grants name as `clientId`.
    pub id: Option<Text>,
    /// The application (client) id, the same in every tenant.
    pub app_id: Option<Text>,
    pub display_name: Option<String>,
    pub app_display_name: Option<String>,
    pub publisher_name: Option<String>,
    /// `verifiedPublisher.displayName`.
    pub verified_publisher: Option<String>,
    /// The tenant that owns the application: the customer's own for an app made
    /// there, the vendor's for a multi-tenant one.
    pub app_owner_organization_id: Option<Text>,
    /// `saml` for a single sign-on application an administrator set up by hand.
    pub preferred_single_sign_on_mode: Option<Text>,
    pub tags: Vec<String>,
    pub grants: Vec<PermissionGrant>,
    pub assignments: Vec<AppRoleAssignment>,
}

/// Delegated permissions (`oauth2PermissionGrant`): `AllPrincipals` is an
/// administrator's consent for everyone, `Principal` one user's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionGrant {
    pub id: Option<Text>,
    /// The object id of the application the permissions are granted to.
    pub client_id: Option<Text>,
    pub consent_type: Option<Text>,
    /// The resource (Microsoft Graph, ...) by its object id in this tenant.
    pub resource_id: Option<Text>,
    /// Space-separated permission names (`User.Read`).
    pub scope: Option<String>,
}

/// An application permission (`appRoleAssignment`): only an administrator can grant
/// one to an application.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppRoleAssignment {
    pub id: Option<Text>,
    pub app_role_id: Option<Text>,
    /// Who holds it: the application's object id (or a user or group's, for
    /// assignments to an application rather than by it).
    pub principal_id: Option<Text>,
    pub principal_display_name: Option<String>,
    /// `ServicePrincipal`, `User` or `Group`.
    pub principal_type: Option<Text>,
    pub resource_display_name: Option<String>,
    pub resource_id: Option<Text>,
}

/// Every field of the three record kinds: which are present says the kind.
#[derive(Debug, Default, Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "a service principal, an oauth2PermissionGrant or an appRoleAssignment object"
)]
pub struct RawEntry {
    #[serde(default, alias = "Id", deserialize_with = "lenient::opt_text")]
    id: Option<Text>,
    #[serde(default, alias = "AppId", deserialize_with = "lenient::opt_text")]
    app_id: Option<Text>,
    #[serde(default, alias = "DisplayName")]
    display_name: Option<String>,
    #[serde(default, alias = "AppDisplayName")]
    app_display_name: Option<String>,
    #[serde(default, alias = "PublisherName")]
    publisher_name: Option<String>,
    #[serde(
        default,
        alias = "VerifiedPublisher",
        deserialize_with = "lenient::opt_object"
    )]
    verified_publisher: Option<VerifiedPublisher>,
    #[serde(
        default,
        alias = "AppOwnerOrganizationId",
        deserialize_with = "lenient::opt_text"
    )]
    app_owner_organization_id: Option<Text>,
    #[serde(
        default,
        alias = "PreferredSingleSignOnMode",
        deserialize_with = "lenient::opt_text"
    )]
    preferred_single_sign_on_mode: Option<Text>,
    #[serde(
        default,
        alias = "ServicePrincipalType",
        deserialize_with = "lenient::opt_text"
    )]
    service_principal_type: Option<Text>,
    #[serde(default, alias = "Tags", deserialize_with = "null_as_default")]
    tags: Vec<String>,
    #[serde(
        default,
        alias = "Oauth2PermissionGrants",
        alias = "OAuth2PermissionGrants",
        deserialize_with = "lenient::list"
    )]
    oauth2_permission_grants: Vec<RawGrant>,
    #[serde(
        default,
        alias = "AppRoleAssignments",
        deserialize_with = "lenient::list"
    )]
    app_role_assignments: Vec<RawAssignment>,
    // A grant's fields.
    #[serde(default, alias = "ClientId", deserialize_with = "lenient::opt_text")]
    client_id: Option<Text>,
    #[serde(default, alias = "ConsentType", deserialize_with = "lenient::opt_text")]
    consent_type: Option<Text>,
    #[serde(default, alias = "Scope")]
    scope: Option<String>,
    // An assignment's fields.
    #[serde(default, alias = "AppRoleId", deserialize_with = "lenient::opt_text")]
    app_role_id: Option<Text>,
    #[serde(default, alias = "PrincipalDisplayName")]
    principal_display_name: Option<String>,
    #[serde(
        default,
        alias = "PrincipalType",
        deserialize_with = "lenient::opt_text"
    )]
    principal_type: Option<Text>,
    #[serde(default, alias = "ResourceDisplayName")]
    resource_display_name: Option<String>,
    // Both.
    #[serde(default, alias = "PrincipalId", deserialize_with = "lenient::opt_text")]
    principal_id: Option<Text>,
    #[serde(default, alias = "ResourceId", deserialize_with = "lenient::opt_text")]
    resource_id: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifiedPublisher {
    #[serde(default, alias = "DisplayName")]
    display_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawGrant {
    #[serde(default, alias = "Id", deserialize_with = "lenient::opt_text")]
    id: Option<Text>,
    #[serde(default, alias = "ClientId", deserialize_with = "lenient::opt_text")]
    client_id: Option<Text>,
    #[serde(default, alias = "ConsentType", deserialize_with = "lenient::opt_text")]
    consent_type: Option<Text>,
    #[serde(default, alias = "ResourceId", deserialize_with = "lenient::opt_text")]
    resource_id: Option<Text>,
    #[serde(default, alias = "Scope")]
    scope: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAssignment {
    #[serde(default, alias = "Id", deserialize_with = "lenient::opt_text")]
    id: Option<Text>,
    #[serde(default, alias = "AppRoleId", deserialize_with = "lenient::opt_text")]
    app_role_id: Option<Text>,
    #[serde(default, alias = "PrincipalId", deserialize_with = "lenient::opt_text")]
    principal_id: Option<Text>,
    #[serde(default, alias = "PrincipalDisplayName")]
    principal_display_name: Option<String>,
    #[serde(
        default,
        alias = "PrincipalType",
        deserialize_with = "lenient::opt_text"
    )]
    principal_type: Option<Text>,
    #[serde(default, alias = "ResourceDisplayName")]
    resource_display_name: Option<String>,
    #[serde(default, alias = "ResourceId", deserialize_with = "lenient::opt_text")]
    resource_id: Option<Text>,
}

impl From<RawGrant> for PermissionGrant {
    fn from(g: RawGrant) -> PermissionGrant {
        PermissionGrant {
            id: g.id,
            client_id: g.client_id,
            consent_type: g.consent_type,
            resource_id: g.resource_id,
            scope: g.scope,
        }
    }
}

impl From<RawAssignment> for AppRoleAssignment {
    fn from(a: RawAssignment) -> AppRoleAssignment {
        AppRoleAssignment {
            id: a.id,
            app_role_id: a.app_role_id,
            principal_id: a.principal_id,
            principal_display_name: a.principal_display_name,
            principal_type: a.principal_type,
            resource_display_name: a.resource_display_name,
            resource_id: a.resource_id,
        }
    }
}

impl Record for Entry {
    type Raw = RawEntry;

    fn from_raw(raw: RawEntry, _: &mut Seen) -> Result<Kept<Self>, String> {
        // An assignment and a grant carry fields no application has; an application
        // is known by its app id, its names or its type.
        if raw.app_role_id.is_some() {
            return Ok(Kept::Record(Entry::Assignment(AppRoleAssignment {
                id: raw.id,
                app_role_id: raw.app_role_id,
                principal_id: raw.principal_id,
                principal_display_name: raw.principal_display_name,
                principal_type: raw.principal_type,
                resource_display_name: raw.resource_display_name,
                resource_id: raw.resource_id,
            })));
        }
        if raw.consent_type.is_some() || raw.client_id.is_some() {
            return Ok(Kept::Record(Entry::Grant(PermissionGrant {
                id: raw.id,
                client_id: raw.client_id,
                consent_type: raw.consent_type,
                resource_id: raw.resource_id,
                scope: raw.scope,
            })));
        }
        let is_principal = raw.app_id.is_some()
            || raw.display_name.is_some()
            || raw.app_display_name.is_some()
            || raw.service_principal_type.is_some();
        if !is_principal {
            return Err("this record is neither a service principal (appId, displayName), an oauth2PermissionGrant (clientId, consentType, scope) nor an appRoleAssignment (appRoleId, principalId); is this the right export?".into());
        }
        Ok(Kept::Record(Entry::Principal(ServicePrincipal {
            id: raw.id,
            app_id: raw.app_id,
            display_name: raw.display_name,
            app_display_name: raw.app_display_name,
            publisher_name: raw.publisher_name,
            verified_publisher: raw.verified_publisher.and_then(|v| v.display_name),
            app_owner_organization_id: raw.app_owner_organization_id,
            preferred_single_sign_on_mode: raw.preferred_single_sign_on_mode,
            tags: raw.tags,
            grants: raw
                .oauth2_permission_grants
                .into_iter()
                .map(Into::into)
                .collect(),
            assignments: raw
                .app_role_assignments
                .into_iter()
                .map(Into::into)
                .collect(),
        })))
    }
}

const SHAPE: Shape = Shape {
    list_keys: &["value"],
    expecting: "an object with a \"value\" list of service principals, oauth2PermissionGrants or appRoleAssignments (Microsoft Graph), a list of such pages, or a list of records",
    empty: "{\"value\": []}",
};

/// Keys only an enterprise application has.
const PRINCIPAL_KEYS: [&str; 6] = [
    "appId",
    "servicePrincipalType",
    "servicePrincipalNames",
    "appOwnerOrganizationId",
    "appRoleAssignmentRequired",
    "oauth2PermissionScopes",
];
/// Keys of a delegated permission grant.
const GRANT_KEYS: [&str; 5] = [
    "clientId",
    "consentType",
    "scope",
    "principalId",
    "resourceId",
];
/// Keys of an app role assignment.
const ASSIGNMENT_KEYS: [&str; 6] = [
    "appRoleId",
    "principalId",
    "principalType",
    "principalDisplayName",
    "resourceDisplayName",
    "resourceId",
];

/// Whether a file is a list of enterprise applications, of their delegated grants or
/// of their app role assignments: by the first record's keys, or by the entity set
/// Graph's `@odata.context` names.
pub(crate) fn recognise(head: &Head) -> Option<Recognised> {
    let j = head.json()?;
    let context = [
        "servicePrincipals",
        "oauth2PermissionGrants",
        "appRoleAssignments",
    ]
    .iter()
    .any(|set| j.context_is(set));
    let principal = j.count(&PRINCIPAL_KEYS);
    let grant = j.count(&GRANT_KEYS);
    let assignment = j.count(&ASSIGNMENT_KEYS);
    let score = principal.max(grant).max(assignment) + if context { 5 } else { 0 };
    let claim = |score| {
        let mut r = Recognised::new(Input::ServicePrincipals, Format::Json, j.form(), score);
        r.empty = j.empty_list;
        r
    };
    let shown = principal >= 2
        || j.has("appRoleId")
        || j.has("consentType")
        || (j.has("clientId") && j.has("scope"));
    if shown || context {
        Some(claim(score))
    } else {
        j.is_empty_graph_page().then(|| claim(0))
    }
}

/// Reads one file of applications, grants or assignments (one page or several).
pub fn read(path: &Path, text: &FileText) -> Result<Loaded<Vec<Entry>>, LoadError> {
    json_doc::read(Input::ServicePrincipals, path, text, &SHAPE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::checked;

    fn read_str(s: &str) -> Vec<Entry> {
        read(Path::new("service-principals.json"), &checked(s))
            .unwrap()
            .records
    }

    #[test]
    fn each_record_is_told_by_its_fields() {
        let entries = read_str(
            r#"[{"value": [{"id": "sp-1", "appId": "app-1", "displayName": "Lookout"}]},
                {"value": [{"id": "g", "clientId": "sp-1", "consentType": "AllPrincipals", "principalId": null, "resourceId": "r", "scope": "User.Read"}]},
                {"value": [{"id": "a", "appRoleId": "role", "principalId": "sp-1", "principalType": "ServicePrincipal", "resourceId": "r"}]}]"#,
        );
        assert!(matches!(&entries[0], Entry::Principal(p) if p.app_id.as_deref() == Some("app-1")));
        assert!(matches!(&entries[1], Entry::Grant(g) if g.scope.as_deref() == Some("User.Read")));
        assert!(
            matches!(&entries[2], Entry::Assignment(a) if a.principal_id.as_deref() == Some("sp-1"))
        );
    }

    #[test]
    fn graph_powershell_objects_and_nested_lists() {
        let entries = read_str(
            r#"[{"Id": "sp-1", "AppId": "app-1", "DisplayName": "Lookout", "PublisherName": "Lookout, Inc.",
                 "VerifiedPublisher": {"DisplayName": "Lookout"}, "Tags": null,
                 "Oauth2PermissionGrants": [{"ClientId": "sp-1", "ConsentType": "AllPrincipals", "Scope": "User.Read"}],
                 "AppRoleAssignments": {"AppRoleId": "role", "PrincipalId": "sp-1"}, "AdditionalProperties": {}}]"#,
        );
        let Entry::Principal(p) = &entries[0] else {
            panic!("{entries:?}")
        };
        assert_eq!(p.verified_publisher.as_deref(), Some("Lookout"));
        assert_eq!(p.grants.len(), 1);
        assert_eq!(p.assignments.len(), 1);
    }

    /// Each list Graph returns is recognised by its content under any name, and
    /// nothing else is taken for one of them.
    #[test]
    fn recognised_by_content_whatever_the_name() {
        use crate::snapshot::detect::{classify, Verdict};
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let verdict = |name: &str, bytes: &[u8]| match classify(&Head::of_bytes(name, bytes, true))
        {
            Verdict::Read(r) => Some((r.input, r.empty)),
            Verdict::Unread(_) => None,
        };
        for file in [
            "scenario-consent-granted-in-entra/service-principals.json",
            "scenario-consent-graph-lists/service-principals.json",
            "scenario-consent-graph-lists/service-principals-grants.json",
            "scenario-consent-graph-lists/service-principals-roles.json",
        ] {
            let bytes = std::fs::read(fixtures.join(file)).unwrap();
            assert_eq!(
                verdict("Export 2026-11-20.json", &bytes),
                Some((Input::ServicePrincipals, false)),
                "{file}"
            );
        }
        // Graph's own documentation examples, as they are published.
        let published = [
            r#"{"value": [{"id": "59e617e5-e447-4adc-8b88-00af644d7c92", "deletedDateTime": null, "accountEnabled": true, "appDisplayName": "My App", "appId": "65415bb1-9267-4313-bbf5-ae259732ee12", "appOwnerOrganizationId": "1bc1c026-2f7b-48a5-98da-afa2fd8bc7bc", "appRoleAssignmentRequired": false, "displayName": "foo", "publisherName": "Contoso", "servicePrincipalNames": ["f1bd758f-4a1a-4b71-aa20-a248a22a8928"]}]}"#,
            r#"{"value": [{"id": "id-value", "clientId": "clientId-value", "consentType": "consentType-value", "principalId": "principalId-value", "resourceId": "resourceId-value", "scope": "scope-value"}]}"#,
            r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#appRoleAssignments", "value": [{"id": "UxOIjjUXr0WvIe4TRFgqTY4z9Wu5KxpBtlEpoTGjw-A", "createdDateTime": "2021-02-02T04:22:45.4980259Z", "appRoleId": "e2a3a72e-5f79-4c64-b1b1-878b674786c9", "principalDisplayName": "dxprovisioning-graphapi-client", "principalId": "8e881353-1735-45af-af21-ee1344582a4d", "principalType": "ServicePrincipal", "resourceDisplayName": "Microsoft Graph", "resourceId": "fea94d6d-b5bf-44d2-a887-4f72a8d74f44"}]}"#,
            r#"{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals", "value": []}"#,
        ];
        for text in published {
            assert!(
                matches!(
                    verdict("response.json", text.as_bytes()),
                    Some((Input::ServicePrincipals, _))
                ),
                "{text}"
            );
        }
        for other in [
            "healthy/groups.json",
            "healthy/intune-devices.json",
            "healthy/audit-logs.json",
        ] {
            let bytes = std::fs::read(fixtures.join(other)).unwrap();
            assert_ne!(
                verdict("x.json", &bytes).map(|v| v.0),
                Some(Input::ServicePrincipals),
                "{other}"
            );
        }
    }

    #[test]
    fn a_record_of_no_known_kind_is_refused() {
        let e = read(
            Path::new("service-principals.json"),
            &checked(r#"{"value": [{"id": "x"}]}"#),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("neither a service principal"), "{e}");
    }
}
