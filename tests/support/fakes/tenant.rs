//! The tenant the fakes serve: fixtures/export-json-twin (the tenant of
//! fixtures/sample as exported by hand), taken apart into the resources Graph and the
//! Lookout API hold, so that what `collect` puts back together can be compared with
//! the hand export.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;

/// Directory objects, devices and Lookout records of one tenant.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub organization: Value,
    pub managed_devices: Vec<Value>,
    /// Group objects without their members.
    pub groups: Vec<Value>,
    /// Direct member ids of each group, by group id.
    pub members: HashMap<String, Vec<String>>,
    pub users: Vec<Value>,
    pub audits: Vec<Value>,
    pub mtd_connectors: Vec<Value>,
    /// Service principals without the grants and assignments the hand export nested
    /// in them: Graph serves those from their own endpoints.
    pub service_principals: Vec<Value>,
    pub grants: Vec<Value>,
    pub app_role_assignments: Vec<Value>,
    /// Lookout devices, each with its paging cursor `oid`, in `oid` order.
    pub lookout_devices: Vec<Value>,
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn values(v: &Value) -> Vec<Value> {
    v["value"].as_array().cloned().unwrap_or_default()
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The `oid` of the n-th Lookout device: numeric, fixed width, increasing.
pub fn oid(n: usize) -> String {
    format!("{}", 1_001_000 + n)
}

impl Tenant {
    /// fixtures/export-json-twin, plus the twin tenant's enterprise applications from
    /// fixtures/scenario-consent-granted-in-entra (the hand export has no
    /// service-principals.json; its lookout.json says consent was granted, which is what
    /// those applications show).
    pub fn twin() -> Tenant {
        let dir = Path::new("fixtures/export-json-twin");
        let snapshot = read(&dir.join("snapshot.json"));
        let id = text(&snapshot, "tenant_id").unwrap();

        let mut users: Vec<Value> = Vec::new();
        let mut groups = Vec::new();
        let mut members = HashMap::new();
        for g in values(&read(&dir.join("groups.json"))) {
            let gid = text(&g, "id").unwrap();
            let name = text(&g, "displayName").unwrap();
            groups.push(json!({
                "@odata.type": "#microsoft.graph.group",
                "id": gid,
                "deletedDateTime": null,
                "description": null,
                "displayName": name,
                "groupTypes": [],
                "mailEnabled": false,
                "mailNickname": name.replace(' ', ""),
                "securityEnabled": g["securityEnabled"],
            }));
            let mut ids = Vec::new();
            for m in g["members"].as_array().into_iter().flatten() {
                let mid = text(m, "id").unwrap();
                if m["@odata.type"] == "#microsoft.graph.user"
                    && !users.iter().any(|u| u["id"] == m["id"])
                {
                    users.push(json!({
                        "@odata.type": "#microsoft.graph.user",
                        "id": mid,
                        "businessPhones": [],
                        "displayName": m["displayName"],
                        "mail": m["mail"],
                        "userPrincipalName": m["userPrincipalName"],
                    }));
                }
                ids.push(mid);
            }
            members.insert(gid, ids);
        }

        let mut managed_devices = Vec::new();
        for d in values(&read(&dir.join("intune-devices.json"))) {
            // Users known to Intune but in no group are in the directory all the same.
            if let Some(uid) = text(&d, "userId") {
                if !users.iter().any(|u| u["id"] == uid.as_str()) {
                    users.push(json!({
                        "@odata.type": "#microsoft.graph.user",
                        "id": uid,
                        "businessPhones": [],
                        "displayName": d["userDisplayName"],
                        "mail": d["emailAddress"],
                        "userPrincipalName": d["userPrincipalName"],
                    }));
                }
            }
            let mut device = json!({"@odata.type": "#microsoft.graph.managedDevice"});
            device
                .as_object_mut()
                .unwrap()
                .extend(d.as_object().unwrap().clone());
            managed_devices.push(device);
        }

        let mut connector = read(&dir.join("intune-mtd-connector.json"));
        let connector_fields = connector.as_object_mut().unwrap();
        connector_fields.remove("@odata.context");
        let mut mtd = json!({"@odata.type": "#microsoft.graph.mobileThreatDefenseConnector"});
        mtd.as_object_mut()
            .unwrap()
            .extend(connector_fields.clone());

        let mut service_principals = Vec::new();
        let mut grants = Vec::new();
        let mut app_role_assignments = Vec::new();
        let principals = read(Path::new(
            "fixtures/scenario-consent-granted-in-entra/service-principals.json",
        ));
        for mut sp in values(&principals) {
            let fields = sp.as_object_mut().unwrap();
            if let Some(Value::Array(g)) = fields.remove("oauth2PermissionGrants") {
                grants.extend(g);
            }
            if let Some(Value::Array(a)) = fields.remove("appRoleAssignments") {
                app_role_assignments.extend(a);
            }
            let mut typed = json!({"@odata.type": "#microsoft.graph.servicePrincipal"});
            typed.as_object_mut().unwrap().extend(fields.clone());
            service_principals.push(typed);
        }

        let lookout = read(&dir.join("lookout-devices.json"));
        let lookout_devices = lookout["devices"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(n, d)| {
                let mut device = json!({"oid": oid(n)});
                device
                    .as_object_mut()
                    .unwrap()
                    .extend(d.as_object().unwrap().clone());
                device
            })
            .collect();

        Tenant {
            organization: json!({
                "id": id,
                "deletedDateTime": null,
                "businessPhones": ["425-555-0100"],
                "countryLetterCode": "US",
                "displayName": "Contoso",
                "tenantType": "AAD",
                "verifiedDomains": [{
                    "capabilities": "Email, OfficeCommunicationsOnline",
                    "isDefault": true,
                    "isInitial": true,
                    "name": "contoso.onmicrosoft.com",
                    "type": "Managed"
                }]
            }),
            id,
            managed_devices,
            groups,
            members,
            users,
            audits: values(&read(&dir.join("audit-logs.json"))),
            mtd_connectors: vec![mtd],
            service_principals,
            grants,
            app_role_assignments,
            lookout_devices,
        }
    }

    /// Adds `n` made-up Lookout devices after the tenant's own, for paging through a
    /// fleet larger than one page.
    pub fn with_more_lookout_devices(mut self, n: usize) -> Tenant {
        let start = self.lookout_devices.len();
        for i in start..start + n {
            self.lookout_devices.push(json!({
                "oid": oid(i),
                "guid": format!("00000000-0000-4000-8000-{i:012}"),
                "activation_status": "ACTIVATED",
                "protection_status": "PROTECTED",
                "security_status": "SECURE",
                "platform": "ANDROID",
                "email": format!("fleet.user{i}@contoso.com"),
                "checkin_time": "2026-11-20T11:00:00.000+00:00",
                "activated_at": "2026-06-01T09:00:00.000+00:00",
                "details": {"external_id": "", "mdm_connector_id": null},
                "software": {"os_version": "15"},
                "hardware": {"manufacturer": "Google", "model": "Pixel 8"}
            }));
        }
        self
    }

    pub fn group(&self, id: &str) -> Option<&Value> {
        self.groups
            .iter()
            .find(|g| g["id"].as_str().is_some_and(|g| g.eq_ignore_ascii_case(id)))
    }

    /// A user or group by id.
    pub fn directory_object(&self, id: &str) -> Option<&Value> {
        self.users
            .iter()
            .find(|u| u["id"].as_str().is_some_and(|u| u.eq_ignore_ascii_case(id)))
            .or_else(|| self.group(id))
    }

    /// Direct members, as directory objects.
    pub fn direct_members(&self, group: &str) -> Vec<Value> {
        let id = self
            .group(group)
            .and_then(|g| g["id"].as_str())
            .unwrap_or_default();
        self.members
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|m| self.directory_object(m).cloned())
            .collect()
    }

    /// Every member, nested groups included, each once; nesting cycles end.
    pub fn transitive_members(&self, group: &str) -> Vec<Value> {
        let mut seen: Vec<String> = Vec::new();
        let mut out = Vec::new();
        let mut queue = vec![group.to_owned()];
        while let Some(g) = queue.pop() {
            for m in self.direct_members(&g) {
                let id = text(&m, "id").unwrap();
                if seen.contains(&id) || id.eq_ignore_ascii_case(group) {
                    continue;
                }
                seen.push(id.clone());
                if m["@odata.type"] == "#microsoft.graph.group" {
                    queue.push(id);
                }
                out.push(m);
            }
        }
        out
    }
}
