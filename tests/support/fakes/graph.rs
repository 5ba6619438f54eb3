//! Microsoft Graph v1.0, the resources `collect` reads, answered in the shapes of the
//! published examples (research/17/examples/graph): `@odata.context`, server-driven
//! paging with `@odata.nextLink`, `@odata.type` on directory objects, Graph's error
//! body. Requests are checked as Graph checks them: a bearer token from the fake
//! token endpoint, `$select`/`$filter` property names that exist on the resource, the
//! advanced-query rules (`ConsistencyLevel: eventual` with `$count`), `$top` limits.

use super::http::{Request, Response};
use super::odata::{self, Filter};
use super::State;
use serde_json::{json, Map, Value};

/// Properties of each resource, for refusing a `$select` or `$filter` that names
/// something the resource does not have, as Graph does.
const MANAGED_DEVICE: &[&str] = &[
    "id",
    "userId",
    "deviceName",
    "managedDeviceOwnerType",
    "deviceActionResults",
    "enrolledDateTime",
    "lastSyncDateTime",
    "operatingSystem",
    "complianceState",
    "jailBroken",
    "managementAgent",
    "osVersion",
    "easActivated",
    "easDeviceId",
    "easActivationDateTime",
    "azureADRegistered",
    "deviceEnrollmentType",
    "activationLockBypassCode",
    "emailAddress",
    "azureADDeviceId",
    "deviceRegistrationState",
    "deviceCategoryDisplayName",
    "isSupervised",
    "exchangeLastSuccessfulSyncDateTime",
    "exchangeAccessState",
    "exchangeAccessStateReason",
    "remoteAssistanceSessionUrl",
    "remoteAssistanceSessionErrorDetails",
    "isEncrypted",
    "userPrincipalName",
    "model",
    "manufacturer",
    "imei",
    "complianceGracePeriodExpirationDateTime",
    "serialNumber",
    "phoneNumber",
    "androidSecurityPatchLevel",
    "userDisplayName",
    "configurationManagerClientEnabledFeatures",
    "wiFiMacAddress",
    "deviceHealthAttestationState",
    "subscriberCarrier",
    "meid",
    "totalStorageSpaceInBytes",
    "freeStorageSpaceInBytes",
    "managedDeviceName",
    "partnerReportedThreatState",
    "requireUserEnrollmentApproval",
    "managementCertificateExpirationDate",
    "iccid",
    "udid",
    "notes",
    "ethernetMacAddress",
    "physicalMemoryInBytes",
];
const GROUP: &[&str] = &[
    "id",
    "deletedDateTime",
    "classification",
    "createdDateTime",
    "description",
    "displayName",
    "expirationDateTime",
    "groupTypes",
    "isAssignableToRole",
    "mail",
    "mailEnabled",
    "mailNickname",
    "membershipRule",
    "membershipRuleProcessingState",
    "onPremisesDomainName",
    "onPremisesLastSyncDateTime",
    "onPremisesNetBiosName",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "preferredDataLocation",
    "preferredLanguage",
    "proxyAddresses",
    "renewedDateTime",
    "resourceBehaviorOptions",
    "resourceProvisioningOptions",
    "securityEnabled",
    "securityIdentifier",
    "theme",
    "visibility",
    "onPremisesProvisioningErrors",
];
const USER: &[&str] = &[
    "id",
    "aboutMe",
    "accountEnabled",
    "ageGroup",
    "assignedLicenses",
    "assignedPlans",
    "birthday",
    "businessPhones",
    "city",
    "companyName",
    "consentProvidedForMinor",
    "country",
    "createdDateTime",
    "creationType",
    "deletedDateTime",
    "department",
    "displayName",
    "employeeHireDate",
    "employeeId",
    "employeeOrgData",
    "employeeType",
    "externalUserState",
    "faxNumber",
    "givenName",
    "hireDate",
    "identities",
    "imAddresses",
    "interests",
    "isResourceAccount",
    "jobTitle",
    "lastPasswordChangeDateTime",
    "legalAgeGroupClassification",
    "licenseAssignmentStates",
    "mail",
    "mailNickname",
    "mobilePhone",
    "mySite",
    "officeLocation",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesExtensionAttributes",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "otherMails",
    "passwordPolicies",
    "preferredLanguage",
    "proxyAddresses",
    "securityIdentifier",
    "showInAddressList",
    "signInActivity",
    "state",
    "streetAddress",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
];
/// A directory device, the third kind of member a group can hold.
const DEVICE: &[&str] = &[
    "id",
    "accountEnabled",
    "deviceId",
    "displayName",
    "operatingSystem",
    "operatingSystemVersion",
];
const ORGANIZATION: &[&str] = &[
    "id",
    "deletedDateTime",
    "businessPhones",
    "city",
    "country",
    "countryLetterCode",
    "createdDateTime",
    "defaultUsageLocation",
    "displayName",
    "isMultipleDataLocationsForServicesEnabled",
    "marketingNotificationEmails",
    "onPremisesLastSyncDateTime",
    "onPremisesSyncEnabled",
    "partnerTenantType",
    "postalCode",
    "preferredLanguage",
    "securityComplianceNotificationMails",
    "securityComplianceNotificationPhones",
    "state",
    "street",
    "technicalNotificationMails",
    "tenantType",
    "directorySizeQuota",
    "assignedPlans",
    "privacyProfile",
    "provisionedPlans",
    "verifiedDomains",
];
const DIRECTORY_AUDIT: &[&str] = &[
    "id",
    "category",
    "correlationId",
    "result",
    "resultReason",
    "activityDisplayName",
    "activityDateTime",
    "loggedByService",
    "operationType",
    "initiatedBy",
    "targetResources",
    "additionalDetails",
];
const MTD_CONNECTOR: &[&str] = &[
    "id",
    "lastHeartbeatDateTime",
    "partnerState",
    "androidMobileApplicationManagementEnabled",
    "iosMobileApplicationManagementEnabled",
    "androidEnabled",
    "iosEnabled",
    "windowsEnabled",
    "macEnabled",
    "androidDeviceBlockedOnMissingPartnerData",
    "iosDeviceBlockedOnMissingPartnerData",
    "windowsDeviceBlockedOnMissingPartnerData",
    "macDeviceBlockedOnMissingPartnerData",
    "partnerUnsupportedOsVersionBlocked",
    "partnerUnresponsivenessThresholdInDays",
    "allowPartnerToCollectIOSApplicationMetadata",
    "allowPartnerToCollectIOSPersonalApplicationMetadata",
];
const SERVICE_PRINCIPAL: &[&str] = &[
    "id",
    "accountEnabled",
    "addIns",
    "alternativeNames",
    "appDescription",
    "appDisplayName",
    "appId",
    "applicationTemplateId",
    "appOwnerOrganizationId",
    "appRoleAssignmentRequired",
    "appRoles",
    "createdDateTime",
    "deletedDateTime",
    "description",
    "disabledByMicrosoftStatus",
    "displayName",
    "homepage",
    "info",
    "keyCredentials",
    "loginUrl",
    "logoutUrl",
    "notes",
    "notificationEmailAddresses",
    "oauth2PermissionScopes",
    "passwordCredentials",
    "preferredSingleSignOnMode",
    "preferredTokenSigningKeyThumbprint",
    "publisherName",
    "replyUrls",
    "resourceSpecificApplicationPermissions",
    "samlSingleSignOnSettings",
    "servicePrincipalNames",
    "servicePrincipalType",
    "signInAudience",
    "tags",
    "tokenEncryptionKeyId",
    "verifiedPublisher",
];
const GRANT: &[&str] = &[
    "id",
    "clientId",
    "consentType",
    "principalId",
    "resourceId",
    "scope",
];
const APP_ROLE_ASSIGNMENT: &[&str] = &[
    "id",
    "deletedDateTime",
    "appRoleId",
    "createdDateTime",
    "principalDisplayName",
    "principalId",
    "principalType",
    "resourceDisplayName",
    "resourceId",
];

/// How Graph treats a collection: directory objects (Entra ID) have the advanced-query
/// rules and the 999 page limit; Intune and the audit log do not.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Store {
    Directory,
    Other,
}

struct Collection<'a> {
    /// After `$metadata#`.
    context: String,
    type_name: &'a str,
    schema: Vec<&'a str>,
    store: Store,
    items: Vec<Value>,
    /// Groups answer `$expand=members`.
    expands_members: bool,
}

/// The `request-id` of every answer: what a failure message should quote for
/// Microsoft support.
pub const REQUEST_ID: &str = "7f1c2a90-3b4d-4e5f-8a6b-9c0d1e2f3a4b";

/// Graph's error body, and its `request-id` header.
pub fn error(status: u16, code: &str, message: &str) -> Response {
    Response::json(
        status,
        &json!({"error": {"code": code, "message": message, "innerError": {
            "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": REQUEST_ID,
            "client-request-id": REQUEST_ID
        }}}),
    )
    .with_header("request-id", REQUEST_ID)
}

fn bad_request(message: &str) -> Response {
    error(400, "BadRequest", message)
}

fn not_found(id: &str) -> Response {
    error(
        404,
        "Request_ResourceNotFound",
        &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

pub fn handle(state: &mut State, req: &Request) -> Response {
    if let Err(refused) = state.check_graph_token(req) {
        return refused;
    }
    if req.method != "GET" {
        return error(405, "Request_BadRequest", "The fake Graph serves GET only.");
    }
    let Some(rest) = req.path.strip_prefix("/v1.0/") else {
        return bad_request(&format!("Invalid version: '{}'.", req.path));
    };
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let tenant = &state.tenant;
    let collection = |context: &str, type_name, schema: &[&'static str], store, items| Collection {
        context: context.to_owned(),
        type_name,
        schema: schema.to_vec(),
        store,
        items,
        expands_members: false,
    };
    let members_schema = || [USER, GROUP, DEVICE].concat();
    let found = match segments.as_slice() {
        [o] if same(o, "organization") => collection(
            "organization",
            "organization",
            ORGANIZATION,
            Store::Directory,
            vec![tenant.organization.clone()],
        ),
        [d, m] if same(d, "deviceManagement") && same(m, "managedDevices") => collection(
            "deviceManagement/managedDevices",
            "managedDevice",
            MANAGED_DEVICE,
            Store::Other,
            tenant.managed_devices.clone(),
        ),
        [d, m] if same(d, "deviceManagement") && same(m, "mobileThreatDefenseConnectors") => {
            collection(
                "deviceManagement/mobileThreatDefenseConnectors",
                "mobileThreatDefenseConnector",
                MTD_CONNECTOR,
                Store::Other,
                tenant.mtd_connectors.clone(),
            )
        }
        [d, m, id] if same(d, "deviceManagement") && same(m, "mobileThreatDefenseConnectors") => {
            return single(
                req,
                "deviceManagement/mobileThreatDefenseConnectors/$entity",
                "mobileThreatDefenseConnector",
                MTD_CONNECTOR,
                tenant
                    .mtd_connectors
                    .iter()
                    .find(|c| c["id"].as_str().is_some_and(|c| same(c, id))),
                id,
                &state.origins.graph,
            )
        }
        [g] if same(g, "groups") => Collection {
            expands_members: true,
            ..collection(
                "groups",
                "group",
                GROUP,
                Store::Directory,
                tenant.groups.clone(),
            )
        },
        [g, id] if same(g, "groups") => {
            return single(
                req,
                "groups/$entity",
                "group",
                GROUP,
                tenant.group(id),
                id,
                &state.origins.graph,
            )
        }
        [g, id, rel, cast @ ..] if same(g, "groups") && cast.len() <= 1 => {
            if tenant.group(id).is_none() {
                return not_found(id);
            }
            let mut items = if same(rel, "members") {
                tenant.direct_members(id)
            } else if same(rel, "transitiveMembers") {
                tenant.transitive_members(id)
            } else {
                return bad_request(&format!("Resource not found for the segment '{rel}'."));
            };
            if let [cast] = cast {
                let Some(kind) = cast.strip_prefix("microsoft.graph.") else {
                    return bad_request(&format!("Resource not found for the segment '{cast}'."));
                };
                items.retain(|m| m["@odata.type"] == format!("#microsoft.graph.{kind}"));
            }
            collection(
                "directoryObjects",
                "directoryObject",
                &members_schema(),
                Store::Directory,
                items,
            )
        }
        [u] if same(u, "users") => collection(
            "users",
            "user",
            USER,
            Store::Directory,
            tenant.users.clone(),
        ),
        [u, id] if same(u, "users") => {
            let user = tenant.users.iter().find(|u| {
                [&u["id"], &u["userPrincipalName"]]
                    .iter()
                    .any(|v| v.as_str().is_some_and(|v| same(v, id)))
            });
            return single(
                req,
                "users/$entity",
                "user",
                USER,
                user,
                id,
                &state.origins.graph,
            );
        }
        [a, d] if same(a, "auditLogs") && same(d, "directoryAudits") => collection(
            "auditLogs/directoryAudits",
            "directoryAudit",
            DIRECTORY_AUDIT,
            Store::Other,
            tenant.audits.clone(),
        ),
        [s] if same(s, "servicePrincipals") => collection(
            "servicePrincipals",
            "servicePrincipal",
            SERVICE_PRINCIPAL,
            Store::Directory,
            tenant.service_principals.clone(),
        ),
        [s] if s
            .to_ascii_lowercase()
            .starts_with("serviceprincipals(appid=") =>
        {
            let app_id = s[s.find('=').unwrap() + 1..]
                .trim_end_matches(')')
                .trim_matches('\'');
            let sp = tenant
                .service_principals
                .iter()
                .find(|p| p["appId"].as_str().is_some_and(|a| same(a, app_id)));
            return single(
                req,
                "servicePrincipals/$entity",
                "servicePrincipal",
                SERVICE_PRINCIPAL,
                sp,
                app_id,
                &state.origins.graph,
            );
        }
        [s, id, rest @ ..] if same(s, "servicePrincipals") => {
            let Some(sp) = tenant
                .service_principals
                .iter()
                .find(|p| p["id"].as_str().is_some_and(|p| same(p, id)))
            else {
                return not_found(id);
            };
            match rest {
                [] => {
                    return single(
                        req,
                        "servicePrincipals/$entity",
                        "servicePrincipal",
                        SERVICE_PRINCIPAL,
                        Some(sp),
                        id,
                        &state.origins.graph,
                    )
                }
                [r] if same(r, "oauth2PermissionGrants") => collection(
                    "oauth2PermissionGrants",
                    "oAuth2PermissionGrant",
                    GRANT,
                    Store::Directory,
                    tenant
                        .grants
                        .iter()
                        .filter(|g| g["clientId"].as_str().is_some_and(|c| same(c, id)))
                        .cloned()
                        .collect(),
                ),
                [r] if same(r, "appRoleAssignments") => collection(
                    &format!("servicePrincipals('{id}')/appRoleAssignments"),
                    "appRoleAssignment",
                    APP_ROLE_ASSIGNMENT,
                    Store::Directory,
                    tenant
                        .app_role_assignments
                        .iter()
                        .filter(|a| a["principalId"].as_str().is_some_and(|p| same(p, id)))
                        .cloned()
                        .collect(),
                ),
                [r, ..] => {
                    return bad_request(&format!("Resource not found for the segment '{r}'."))
                }
            }
        }
        [o] if same(o, "oauth2PermissionGrants") => collection(
            "oauth2PermissionGrants",
            "oAuth2PermissionGrant",
            GRANT,
            Store::Directory,
            tenant.grants.clone(),
        ),
        _ => {
            return bad_request(&format!(
                "Resource not found for the segment '{}'.",
                segments.first().unwrap_or(&"")
            ))
        }
    };
    list(state, req, found)
}

/// One object, `$select` applied.
fn single(
    req: &Request,
    context: &str,
    type_name: &str,
    schema: &[&str],
    item: Option<&Value>,
    id: &str,
    origin: &str,
) -> Response {
    let Some(item) = item else {
        return not_found(id);
    };
    let select = odata::select(req.query("$select"));
    if let Some(unknown) = unknown_property(select.iter().flatten().map(String::as_str), schema) {
        return bad_request(&format!(
            "Could not find a property named '{unknown}' on type 'microsoft.graph.{type_name}'."
        ));
    }
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{origin}/v1.0/$metadata#{context}")),
    );
    if let Value::Object(fields) = odata::project(item, select.as_deref()) {
        body.extend(fields);
    }
    Response::json(200, &Value::Object(body))
}

fn unknown_property<'p>(
    names: impl IntoIterator<Item = &'p str>,
    schema: &[&str],
) -> Option<&'p str> {
    names.into_iter().find(|n| {
        let first = n.split('/').next().unwrap_or(n);
        !schema.iter().any(|s| s.eq_ignore_ascii_case(first))
    })
}

fn list(state: &mut State, req: &Request, c: Collection) -> Response {
    let eventual = req
        .header("consistencylevel")
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
    let count = req.query("$count").map(|c| c.eq_ignore_ascii_case("true"));
    for option in ["$search", "$orderby", "$skip"] {
        if req.query(option).is_some() {
            return bad_request(&format!("The fake Graph does not model {option}."));
        }
    }
    if c.store == Store::Directory && count.is_some() && !eventual {
        return error(
            400,
            "Request_BadRequest",
            "$count is not currently supported.",
        );
    }
    let filter = match req.query("$filter").map(Filter::parse) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(e)) => return bad_request(&format!("Invalid filter clause: {e}")),
    };
    if let Some(f) = &filter {
        if let Some(unknown) = unknown_property(f.properties(), &c.schema) {
            return bad_request(&format!(
                "Could not find a property named '{unknown}' on type 'microsoft.graph.{}'.",
                c.type_name
            ));
        }
        if c.store == Store::Directory && f.is_advanced() && !(eventual && count == Some(true)) {
            return error(400, "Request_UnsupportedQuery", "Unsupported query.");
        }
    }
    let select = odata::select(req.query("$select"));
    if let Some(unknown) = unknown_property(select.iter().flatten().map(String::as_str), &c.schema)
    {
        return bad_request(&format!(
            "Could not find a property named '{unknown}' on type 'microsoft.graph.{}'.",
            c.type_name
        ));
    }
    let expand_members = match req.query("$expand") {
        None => None,
        Some(e) if c.expands_members && (e == "members" || e.starts_with("members(")) => {
            Some(odata::select(
                e.strip_prefix("members($select=")
                    .map(|s| s.trim_end_matches(')')),
            ))
        }
        Some(e) => return bad_request(&format!("The fake Graph does not model $expand={e} here.")),
    };
    let top = match req.query("$top").map(str::parse::<usize>) {
        None => None,
        Some(Ok(t)) if c.store == Store::Directory && !(1..=999).contains(&t) => {
            return error(
                400,
                "Request_BadRequest",
                &format!(
                    "Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."
                ),
            )
        }
        Some(Ok(t)) => Some(t),
        Some(Err(_)) => return bad_request("Invalid $top value."),
    };

    let items: Vec<Value> = c
        .items
        .into_iter()
        .filter(|i| filter.as_ref().is_none_or(|f| f.matches(i)))
        .collect();
    let total = items.len();
    let page_size = top.unwrap_or(100).min(state.options.graph_page_size).max(1);
    let (offset, empty_page) = match req.query("$skiptoken") {
        None if state.options.graph_empty_first_pages && total > 0 => (0, true),
        None => (0, false),
        Some(t) => match odata::offset_of(t) {
            Some(o) if o <= total => (o, false),
            _ => return bad_request(&format!("Invalid skiptoken '{t}'.")),
        },
    };
    let end = if empty_page {
        0
    } else {
        (offset + page_size).min(total)
    };
    let next = if empty_page {
        Some(0)
    } else {
        (end < total).then_some(end)
    };
    let page: Vec<Value> = items[offset.min(end)..end]
        .iter()
        .map(|item| {
            let mut shown = odata::project(item, select.as_deref());
            if let Some(member_select) = &expand_members {
                // Graph expands at most 20 objects of a relationship.
                let id = item["id"].as_str().unwrap_or_default();
                let members: Vec<Value> = state
                    .tenant
                    .direct_members(id)
                    .iter()
                    .take(20)
                    .map(|m| odata::project(m, member_select.as_deref()))
                    .collect();
                shown["members"] = Value::Array(members);
            }
            shown
        })
        .collect();

    let origin = &state.origins.graph;
    let context = match &select {
        Some(s) => format!("{}({})", c.context, s.join(",")),
        None => c.context.clone(),
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{origin}/v1.0/$metadata#{context}")),
    );
    if count == Some(true) && offset == 0 && !empty_page {
        body.insert("@odata.count".into(), json!(total));
    }
    if let Some(next) = next {
        body.insert(
            "@odata.nextLink".into(),
            json!(next_link(origin, req, next)),
        );
    }
    body.insert("value".into(), Value::Array(page));
    Response::json(200, &Value::Object(body))
}

/// The same request with the page's `$skiptoken`: Graph keeps every other query
/// option in the link.
fn next_link(origin: &str, req: &Request, offset: usize) -> String {
    let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
    let mut kept: Vec<&str> = query
        .split('&')
        .filter(|p| {
            let name = super::http::percent_decode(p.split('=').next().unwrap_or(""), true);
            !p.is_empty() && !name.eq_ignore_ascii_case("$skiptoken")
        })
        .collect();
    let token = format!("$skiptoken={}", odata::skiptoken(offset));
    kept.push(&token);
    format!("{origin}{path}?{}", kept.join("&"))
}
