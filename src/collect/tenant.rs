//! What `collect` reads from Microsoft Graph, file by file, in the shapes the
//! snapshot loaders read (SPEC 3), each with where it came from for `snapshot.json`:
//!
//! - the tenant id: `organization`;
//! - `intune-devices.json`: `deviceManagement/managedDevices`, `$select`ing the
//!   fields the checks read;
//! - `groups.json`: the enrollment groups named in `lookout.json` (found by display
//!   name, compared client-side with exact letter case) and the console-access
//!   groups (by id), each with its direct members, and the groups nested in them
//!   the same way, recursively (or every group with `--all-groups`);
//! - `audit-logs.json`: `auditLogs/directoryAudits` for member additions, removals
//!   and group deletions since `--since`, one query per activity;
//! - `intune-mtd-connector.json`: `deviceManagement/mobileThreatDefenseConnectors`;
//! - `service-principals.json`: Lookout's enterprise application(s) with their
//!   delegated grants and application role assignments nested.

use super::graph::{odata_string, with_query, Api, Graph, Paging};
use super::http;
use super::progress::Board;
use super::write::Staging;
use anyhow::{anyhow, Result};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet, VecDeque};

/// The managed-device fields the snapshot loader reads (`snapshot/intune_devices.rs`).
const DEVICE_FIELDS: &str = "id,deviceName,userPrincipalName,userId,emailAddress,azureADDeviceId,operatingSystem,osVersion,lastSyncDateTime,enrolledDateTime,complianceState,partnerReportedThreatState";

const GROUP_FIELDS: &str = "id,displayName,securityEnabled";

/// A member's fields; `securityEnabled` only for nested groups, whose record it
/// becomes.
const MEMBER_FIELDS: &str = "id,displayName,userPrincipalName,mail,securityEnabled";

/// What `groups.json` keeps of a member (SPEC 3).
const MEMBER_KEYS: [&str; 5] = [
    "@odata.type",
    "id",
    "displayName",
    "userPrincipalName",
    "mail",
];

const PRINCIPAL_FIELDS: &str = "id,appId,displayName,appDisplayName,publisherName,verifiedPublisher,appOwnerOrganizationId,preferredSingleSignOnMode,servicePrincipalType,tags";

/// The audit activities the checks read (`snapshot/audit_logs.rs`).
pub const AUDIT_ACTIVITIES: [&str; 3] = [
    "Add member to group",
    "Remove member from group",
    "Delete group",
];

/// Graph's identity-and-access reports allow 5 requests per 10 s per app and tenant.
const AUDIT_REQUESTS: usize = 5;
const AUDIT_WINDOW: std::time::Duration = std::time::Duration::from_secs(10);

/// Where a file came from, as `snapshot.json` records it.
pub fn provenance(graph: &Graph, endpoints: &[String], paging: Paging) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("source".into(), json!(graph.origin().to_string()));
    m.insert("endpoints".into(), json!(endpoints));
    m.insert("pages".into(), json!(paging.pages));
    m.insert("records".into(), json!(paging.records));
    m
}

/// The tenant's id (a GUID even when `AZURE_TENANT_ID` is a domain).
pub fn tenant_id(graph: &mut Graph, board: &Board) -> Result<String> {
    let bar = board.bar("tenant (organization)");
    let mut id = None;
    graph.list(
        Api::Organization,
        &with_query("/v1.0/organization", &[("$select", "id")]),
        Some(&bar),
        |page| {
            id = id.take().or_else(|| {
                page.first()
                    .and_then(|o| o.get("id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
            Ok(())
        },
    )?;
    let id = id.ok_or_else(|| {
        anyhow!("Microsoft Graph GET /v1.0/organization: no organization in the answer, so the tenant id is unknown")
    })?;
    bar.done(&id);
    Ok(id)
}

/// `intune-devices.json`.
pub fn managed_devices(
    graph: &mut Graph,
    staging: &Staging,
    board: &Board,
) -> Result<Map<String, Value>> {
    let bar = board.bar("Intune devices");
    let mut file = staging.list("intune-devices.json", "value")?;
    let mut pages = 0;
    let paging = graph.list(
        Api::ManagedDevices,
        &with_query(
            "/v1.0/deviceManagement/managedDevices",
            &[("$select", DEVICE_FIELDS)],
        ),
        Some(&bar),
        |page| {
            page.iter().try_for_each(|d| file.push(d))?;
            pages += 1;
            bar.update(pages, file.records(), None);
            Ok(())
        },
    )?;
    file.finish(&[])?;
    bar.done(&format!("{} devices", paging.records));
    Ok(provenance(
        graph,
        &["GET /v1.0/deviceManagement/managedDevices".into()],
        paging,
    ))
}

/// The groups `groups.json` must hold, from `lookout.json`.
#[derive(Debug, Default)]
pub struct GroupPlan {
    /// `intune_connector.enrollment_groups`, placeholders left out.
    pub enrollment_names: Vec<String>,
    /// (setting, object id) of the console-access groups that are set.
    pub console_ids: Vec<(&'static str, String)>,
    /// Every group of the tenant (`--all-groups`).
    pub all: bool,
}

/// A group collected: its record in `groups.json`, members to come.
struct Group {
    record: Map<String, Value>,
    members: Vec<Value>,
}

/// Adds `g` (a group, or a member that is one) to the groups found, once.
fn add(found: &mut Vec<Group>, index: &mut HashMap<String, usize>, g: &Value) {
    let Some(id) = g.get("id").and_then(Value::as_str) else {
        return;
    };
    if index.contains_key(id) {
        return;
    }
    let mut record = Map::new();
    for key in ["id", "displayName", "securityEnabled"] {
        if let Some(v) = g.get(key) {
            record.insert(key.into(), v.clone());
        }
    }
    index.insert(id.to_owned(), found.len());
    found.push(Group {
        record,
        members: Vec::new(),
    });
}

/// `groups.json`.
pub fn groups(
    graph: &mut Graph,
    staging: &Staging,
    board: &Board,
    plan: &GroupPlan,
) -> Result<Map<String, Value>> {
    let bar = board.bar("groups and members");
    let mut found: Vec<Group> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut paging = Paging::default();
    let mut endpoints = Vec::new();

    if plan.all {
        endpoints.push("GET /v1.0/groups".to_owned());
        paging += graph.list(
            Api::Groups,
            &with_query(
                "/v1.0/groups",
                &[("$select", GROUP_FIELDS), ("$top", "999")],
            ),
            Some(&bar),
            |page| {
                page.iter().for_each(|g| add(&mut found, &mut index, g));
                bar.update(0, found.len(), None);
                Ok(())
            },
        )?;
    } else {
        if !plan.enrollment_names.is_empty() {
            endpoints.push("GET /v1.0/groups?$filter=displayName eq '{name}'".to_owned());
        }
        for name in &plan.enrollment_names {
            let filter = format!("displayName eq {}", odata_string(name));
            paging += graph.list(
                Api::Groups,
                &with_query(
                    "/v1.0/groups",
                    &[("$filter", &filter), ("$select", GROUP_FIELDS)],
                ),
                Some(&bar),
                |page| {
                    page.iter().for_each(|g| add(&mut found, &mut index, g));
                    Ok(())
                },
            )?;
        }
        if !plan.console_ids.is_empty() {
            endpoints.push("GET /v1.0/groups/{id}".to_owned());
        }
        // An id that is no object id names no group: Graph would refuse the
        // request (400), and the console-access checks say so from the snapshot.
        for (_, id) in plan.console_ids.iter().filter(|(_, id)| is_object_id(id)) {
            let path = with_query(
                &format!("/v1.0/groups/{}", http::percent_encode(id)),
                &[("$select", GROUP_FIELDS)],
            );
            paging.pages += 1;
            if let Some(g) = graph.get(Api::Groups, &path)? {
                add(&mut found, &mut index, &g);
            }
        }
    }

    // Direct members of every group found, and the groups nested in them, each once.
    let mut queue: VecDeque<usize> = (0..found.len()).collect();
    let mut visited: HashSet<usize> = HashSet::new();
    if !found.is_empty() {
        endpoints.push("GET /v1.0/groups/{id}/members".to_owned());
    }
    while let Some(i) = queue.pop_front() {
        if !visited.insert(i) {
            continue;
        }
        let id = found[i]
            .record
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let name = found[i]
            .record
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or(&id)
            .to_owned();
        let path = with_query(
            &format!("/v1.0/groups/{}/members", http::percent_encode(&id)),
            &[("$select", MEMBER_FIELDS), ("$top", "999")],
        );
        let mut members = Vec::new();
        let member_paging = graph.list(Api::GroupMembers, &path, Some(&bar), |page| {
            members.extend(page);
            Ok(())
        })?;
        paging.pages += member_paging.pages;
        for m in &members {
            check_member_readable(m, &name)?;
            if is_group(m) {
                add(&mut found, &mut index, m);
                if let Some(&j) = m
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|mid| index.get(mid))
                {
                    queue.push_back(j);
                }
            }
        }
        found[i].members = members.iter().map(member_record).collect();
        bar.update(paging.pages, found.len(), None);
    }

    let mut file = staging.list("groups.json", "value")?;
    for g in &found {
        let mut record = g.record.clone();
        record.insert("members".into(), Value::Array(g.members.clone()));
        file.push(&Value::Object(record))?;
    }
    paging.records = file.finish(&[])?;
    bar.done(&format!("{} groups", paging.records));

    let mut source = provenance(graph, &endpoints, paging);
    source.insert("all_groups".into(), json!(plan.all));
    source.insert(
        "enrollment_groups".into(),
        enrollment_evidence(&plan.enrollment_names, &found),
    );
    let console: Vec<Value> = plan
        .console_ids
        .iter()
        .map(|(setting, id)| {
            // Object ids are GUIDs: lookout.json may spell them in capitals.
            let exists = index.keys().any(|k| k.eq_ignore_ascii_case(id));
            json!({"setting": setting, "id": id, "found": exists})
        })
        .collect();
    source.insert("console_access_groups".into(), Value::Array(console));
    Ok(source)
}

/// For each configured enrollment group name, the groups named exactly so and those
/// whose names differ only in letter case (the evidence of
/// `enrollment-group-case-mismatch`: the connector matches names exactly).
fn enrollment_evidence(names: &[String], found: &[Group]) -> Value {
    let named = |g: &Group| {
        g.record
            .get("displayName")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Value::Array(
        names
            .iter()
            .map(|name| {
                let exact: Vec<Value> = found
                    .iter()
                    .filter(|g| named(g).as_deref() == Some(name.as_str()))
                    .filter_map(|g| g.record.get("id").cloned())
                    .collect();
                let case_only: Vec<Value> = found
                    .iter()
                    .filter(|g| {
                        named(g)
                            .is_some_and(|n| n != *name && n.to_lowercase() == name.to_lowercase())
                    })
                    .map(|g| json!({"id": g.record.get("id"), "displayName": named(g)}))
                    .collect();
                json!({"name": name, "exact": exact, "case_only": case_only})
            })
            .collect(),
    )
}

fn is_group(member: &Value) -> bool {
    member
        .get("@odata.type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("#microsoft.graph.group"))
}

/// A user member without a UPN and without mail is Graph's "limited information"
/// answer: the app may read the group but not its users. Written as it is, it would
/// read as a user nobody can be matched to.
fn check_member_readable(member: &Value, group: &str) -> Result<()> {
    let is_user = member
        .get("@odata.type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("#microsoft.graph.user"));
    let empty = |k: &str| {
        member
            .get(k)
            .is_none_or(|v| v.as_str().is_none_or(str::is_empty))
    };
    if is_user && empty("userPrincipalName") && empty("mail") {
        let id = member.get("id").and_then(Value::as_str).unwrap_or("?");
        return Err(anyhow!(
            "Microsoft Graph GET /v1.0/groups/{{id}}/members: the members of group \"{group}\" came without their user principal names (user {id}): the app may read groups but not users. Missing permission: the Microsoft Graph application permission User.Read.All or Directory.Read.All (delegated: User.ReadBasic.All); add it in the app registration and grant admin consent"
        ));
    }
    Ok(())
}

/// A member as `groups.json` keeps it.
fn member_record(member: &Value) -> Value {
    let mut m = Map::new();
    for key in MEMBER_KEYS {
        if let Some(v) = member.get(key) {
            m.insert(key.into(), v.clone());
        }
    }
    Value::Object(m)
}

/// `audit-logs.json`: one query per activity (`or` is not a documented filter of
/// directoryAudits), paced to Graph's limit for reports.
pub fn audit_logs(
    graph: &mut Graph,
    staging: &Staging,
    board: &Board,
    since: &str,
) -> Result<Map<String, Value>> {
    let bar = board.bar("audit logs");
    let mut file = staging.list("audit-logs.json", "value")?;
    let mut pace = super::http::RateLimit::new(AUDIT_REQUESTS, AUDIT_WINDOW);
    let mut paging = Paging::default();
    let mut per_activity = Map::new();
    for activity in AUDIT_ACTIVITIES {
        let filter = format!(
            "activityDateTime ge {since} and activityDisplayName eq {}",
            odata_string(activity)
        );
        let path = with_query("/v1.0/auditLogs/directoryAudits", &[("$filter", &filter)]);
        let before = paging.records;
        paging += graph.list_paced(
            Api::DirectoryAudits,
            &path,
            Some(&bar),
            Some(&mut pace),
            |page| {
                page.iter().try_for_each(|r| file.push(r))?;
                bar.update(0, file.records(), None);
                Ok(())
            },
        )?;
        per_activity.insert(activity.into(), json!(paging.records - before));
    }
    file.finish(&[])?;
    bar.done(&format!("{} records", paging.records));
    let mut source = provenance(
        graph,
        &["GET /v1.0/auditLogs/directoryAudits?$filter=activityDateTime ge {since} and activityDisplayName eq '{activity}'".into()],
        paging,
    );
    source.insert("since".into(), json!(since));
    source.insert("activities".into(), Value::Object(per_activity));
    Ok(source)
}

/// `intune-mtd-connector.json`: every partner's connector (the loader judges
/// Lookout's and names the others).
pub fn mtd_connectors(
    graph: &mut Graph,
    staging: &Staging,
    board: &Board,
) -> Result<Map<String, Value>> {
    let bar = board.bar("MTD connectors");
    let mut file = staging.list("intune-mtd-connector.json", "value")?;
    let paging = graph.list(
        Api::MtdConnectors,
        "/v1.0/deviceManagement/mobileThreatDefenseConnectors",
        Some(&bar),
        |page| page.iter().try_for_each(|c| file.push(c)),
    )?;
    file.finish(&[])?;
    bar.done(&format!("{} connectors", paging.records));
    Ok(provenance(
        graph,
        &["GET /v1.0/deviceManagement/mobileThreatDefenseConnectors".into()],
        paging,
    ))
}

/// `service-principals.json`: the applications named like Lookout (and the one
/// `tenant.consent.app_id` names), each with its grants and role assignments.
pub fn service_principals(
    graph: &mut Graph,
    staging: &Staging,
    board: &Board,
    app_id: Option<&str>,
) -> Result<Map<String, Value>> {
    let bar = board.bar("Lookout's application");
    let mut principals: Vec<Value> = Vec::new();
    let mut paging = Paging::default();
    let mut endpoints =
        vec!["GET /v1.0/servicePrincipals?$filter=startswith(displayName,'Lookout')".to_owned()];
    let mut filters = vec!["startswith(displayName,'Lookout')".to_owned()];
    // An application id is a GUID; anything else would only make Graph refuse the query.
    if let Some(app_id) = app_id.filter(|a| is_object_id(a)) {
        endpoints
            .push("GET /v1.0/servicePrincipals?$filter=appId eq '{tenant.consent.app_id}'".into());
        filters.push(format!("appId eq {}", odata_string(app_id)));
    }
    for filter in &filters {
        let path = with_query(
            "/v1.0/servicePrincipals",
            &[("$filter", filter), ("$select", PRINCIPAL_FIELDS)],
        );
        paging += graph.list(Api::ServicePrincipals, &path, Some(&bar), |page| {
            for p in page {
                let id = p.get("id");
                if id.is_some() && !principals.iter().any(|q| q.get("id") == id) {
                    principals.push(p);
                }
            }
            Ok(())
        })?;
    }
    endpoints.push("GET /v1.0/servicePrincipals/{id}/oauth2PermissionGrants".into());
    endpoints.push("GET /v1.0/servicePrincipals/{id}/appRoleAssignments".into());
    let mut file = staging.list("service-principals.json", "value")?;
    for p in &mut principals {
        let id = p
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        for (key, api) in [
            ("oauth2PermissionGrants", Api::PermissionGrants),
            ("appRoleAssignments", Api::AppRoleAssignments),
        ] {
            let mut items = Vec::new();
            let part = graph.list(
                api,
                &format!(
                    "/v1.0/servicePrincipals/{}/{key}",
                    http::percent_encode(&id)
                ),
                Some(&bar),
                |page| {
                    items.extend(page);
                    Ok(())
                },
            )?;
            paging.pages += part.pages;
            if let Value::Object(o) = p {
                o.insert(key.into(), Value::Array(items));
            }
        }
        file.push(p)?;
    }
    paging.records = file.finish(&[])?;
    bar.done(&format!("{} applications", paging.records));
    Ok(provenance(graph, &endpoints, paging))
}

/// Whether `id` is a GUID, the form of every Entra object and application id.
fn is_object_id(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, name: &str) -> Group {
        let mut record = Map::new();
        record.insert("id".into(), json!(id));
        record.insert("displayName".into(), json!(name));
        Group {
            record,
            members: Vec::new(),
        }
    }

    #[test]
    fn case_only_matches_are_recorded_as_evidence() {
        let found = [
            group("1", "Lookout Pilot"),
            group("2", "lookout wave 3"),
            group("3", "Other"),
        ];
        let names = [
            "lookout pilot".to_owned(),
            "lookout wave 3".to_owned(),
            "Gone".to_owned(),
        ];
        assert_eq!(
            enrollment_evidence(&names, &found),
            json!([
                {"name": "lookout pilot", "exact": [], "case_only": [{"id": "1", "displayName": "Lookout Pilot"}]},
                {"name": "lookout wave 3", "exact": ["2"], "case_only": []},
                {"name": "Gone", "exact": [], "case_only": []}
            ])
        );
    }

    #[test]
    fn members_without_upn_or_mail_mean_a_missing_permission() {
        let limited = json!({"@odata.type": "#microsoft.graph.user", "id": "u1", "displayName": null, "userPrincipalName": null, "mail": null});
        let e = check_member_readable(&limited, "Lookout Pilot")
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"Lookout Pilot\""), "{e}");
        assert!(e.contains("User.Read.All or Directory.Read.All"), "{e}");
        let bare = json!({"@odata.type": "#microsoft.graph.user", "id": "u1"});
        assert!(check_member_readable(&bare, "g").is_err());
        let fine = json!({"@odata.type": "#microsoft.graph.user", "id": "u1", "userPrincipalName": "a@b", "mail": null});
        assert!(check_member_readable(&fine, "g").is_ok());
        let device =
            json!({"@odata.type": "#microsoft.graph.device", "id": "d1", "displayName": null});
        assert!(check_member_readable(&device, "g").is_ok());
    }

    #[test]
    fn members_keep_the_fields_groups_json_holds() {
        let m = json!({"@odata.type": "#microsoft.graph.group", "id": "g2", "displayName": "Nested", "securityEnabled": true, "mail": null});
        assert_eq!(
            member_record(&m),
            json!({"@odata.type": "#microsoft.graph.group", "id": "g2", "displayName": "Nested", "mail": null})
        );
        assert!(is_group(&m));
        assert_eq!(http::percent_encode("a/b"), "a%2Fb");
        assert!(is_object_id("A9F00309-2f22-42a2-9f6d-649885cc2bfc"));
        for not in [
            "Lookout Admins",
            "a9f00309-2f22-42a2-9f6d-649885cc2bf",
            "a9f00309x2f22-42a2-9f6d-649885cc2bfc",
        ] {
            assert!(!is_object_id(not), "{not}");
        }
    }
}
