//! A small tenant for rule unit tests: healthy as built, then bent by one change at
//! a time. It is written to a temporary folder and read by the real loaders, so the
//! tests exercise the same path as the command line.

use crate::engine::{self, Options};
use crate::finding::Finding;
use crate::model::Tenant;
use crate::rules::{Focus, RuleId, SkipReason};
use serde_json::{json, Value};

pub const AS_OF: &str = "2026-11-20T12:00:00Z";

pub const LOOKOUT_HEALTHY: &str = r#"{
  "tenant": {"azure_ad_tenant_id": "tenant-1", "consent": {"granted": true}},
  "console_access": {"full_access_group_id": "g-admins", "restricted_access_group_id": "g-readers", "expected_users": []},
  "intune_connector": {"heartbeat_frequency_minutes": 5, "enrollment_groups": ["Lookout Pilot"],
    "state_sync": {"device_status": true, "threat_status": true}, "error_management_emails": ["secops@contoso.com"]},
  "enrollment_settings": {"disconnected_after_days": 30},
  "coverage": "enrollment-groups"
}"#;

fn user(upn: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.user", "id": format!("u-{}", upn.split('@').next().unwrap()), "userPrincipalName": upn, "mail": upn})
}

fn nested(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.group", "id": id})
}

fn intune(id: &str, name: &str, upn: &str, os: &str, version: &str, aad: &str) -> Value {
    json!({"id": id, "deviceName": name, "userPrincipalName": upn, "emailAddress": upn, "azureADDeviceId": aad,
           "operatingSystem": os, "osVersion": version, "lastSyncDateTime": "2026-11-20T07:00:00Z",
           "enrolledDateTime": "2026-02-01T10:00:00Z", "complianceState": "compliant"})
}

fn lookout(guid: &str, email: &str, activation: &str, protection: &str, external: &str) -> Value {
    json!({"guid": guid, "activation_status": activation, "protection_status": protection,
           "security_status": "SECURE", "platform": "IOS", "email": email,
           "checkin_time": "2026-11-20T06:00:00Z", "activated_at": "2026-03-01T10:00:00Z",
           "details": {"external_id": external}, "hardware": {"manufacturer": "Apple", "model": "iPhone 15"}})
}

pub struct Fixture {
    lookout: Value,
    groups: Value,
    intune: Vec<Value>,
    lookout_devices: Vec<Value>,
    audit: Vec<Value>,
    mtd: Option<Value>,
    service_principals: Option<Value>,
    focus: Focus,
}

impl Fixture {
    pub fn new() -> Fixture {
        let mut bob = user("bob@contoso.com");
        bob["mail"] = json!("robert.smith@contoso.com");
        Fixture {
            lookout: serde_json::from_str(LOOKOUT_HEALTHY).unwrap(),
            groups: json!([
                {"id": "g-admins", "displayName": "Lookout Admins", "members": [user("helpdesk@contoso.com"), nested("g-helpdesk")]},
                {"id": "g-helpdesk", "displayName": "Helpdesk", "members": [user("admin@contoso.com"), nested("g-admins")]},
                {"id": "g-readers", "displayName": "Lookout Readers", "members": [user("reader@contoso.com")]},
                {"id": "g-pilot", "displayName": "Lookout Pilot", "members": [user("alice@contoso.com"), nested("g-wave")]},
                {"id": "g-wave", "displayName": "Lookout Wave", "members": [bob]},
                {"id": "g-staff", "displayName": "All Staff", "members": [user("erin@contoso.com"), user("dave@contoso.com")]}
            ]),
            intune: vec![
                intune(
                    "d-alice",
                    "Alice iPhone",
                    "alice@contoso.com",
                    "iOS",
                    "17.5",
                    "aad-alice",
                ),
                intune(
                    "d-alice-pc",
                    "ALICE-LAPTOP",
                    "alice@contoso.com",
                    "Windows",
                    "10.0.22631",
                    "aad-alice-pc",
                ),
                intune(
                    "d-bob",
                    "Bob Pixel",
                    "bob@contoso.com",
                    "Android",
                    "14",
                    "aad-bob",
                ),
                intune(
                    "d-dave",
                    "Dave Galaxy",
                    "dave@contoso.com",
                    "Android",
                    "14",
                    "aad-dave",
                ),
            ],
            lookout_devices: vec![
                lookout(
                    "lk-alice",
                    "alice@contoso.com",
                    "ACTIVATED",
                    "PROTECTED",
                    "d-alice",
                ),
                lookout(
                    "lk-bob",
                    "bob@contoso.com",
                    "ACTIVATED",
                    "PROTECTED",
                    "aad-bob",
                ),
            ],
            audit: Vec::new(),
            mtd: None,
            service_principals: None,
            focus: Focus::default(),
        }
    }

    pub fn lookout(mut self, raw: &str) -> Fixture {
        self.lookout = serde_json::from_str(raw).unwrap();
        self
    }

    pub fn expected_users(mut self, users: &[&str]) -> Fixture {
        self.lookout["console_access"]["expected_users"] = json!(users);
        self
    }

    pub fn enrollment_groups(mut self, names: &[&str]) -> Fixture {
        self.lookout["intune_connector"]["enrollment_groups"] = json!(names);
        self
    }

    pub fn min_os(mut self, platform: &str, version: &str) -> Fixture {
        self.lookout["min_os_versions"][platform] = json!(version);
        self
    }

    pub fn coverage_all_mobile(mut self) -> Fixture {
        self.lookout["coverage"] = json!("all-mobile-devices");
        self
    }

    pub fn focus_user(mut self, upn: &str) -> Fixture {
        self.focus = Focus::new(&[upn.to_string()], &self.focus.devices);
        self
    }

    pub fn focus_device(mut self, id: &str) -> Fixture {
        self.focus = Focus::new(&self.focus.users, &[id.to_string()]);
        self
    }

    /// Adds a Lookout record, replacing one with the same guid.
    pub fn lookout_device(
        mut self,
        guid: &str,
        email: &str,
        activation: &str,
        protection: &str,
        external: &str,
    ) -> Fixture {
        self.lookout_devices.retain(|d| d["guid"] != guid);
        self.lookout_devices
            .push(lookout(guid, email, activation, protection, external));
        self
    }

    pub fn without_lookout_device(mut self, guid: &str) -> Fixture {
        self.lookout_devices.retain(|d| d["guid"] != guid);
        self
    }

    pub fn checkin(mut self, guid: &str, at: &str) -> Fixture {
        for d in &mut self.lookout_devices {
            if d["guid"] == guid {
                d["checkin_time"] = json!(at);
            }
        }
        self
    }

    pub fn add_group(mut self, id: &str, name: &str) -> Fixture {
        self.groups
            .as_array_mut()
            .unwrap()
            .push(json!({"id": id, "displayName": name, "members": []}));
        self
    }

    pub fn mtd_connector(mut self, connector: Value) -> Fixture {
        self.mtd = Some(connector);
        self
    }

    /// Adds service-principals.json, as written.
    pub fn service_principals(mut self, file: Value) -> Fixture {
        self.service_principals = Some(file);
        self
    }

    pub fn security(mut self, guid: &str, status: &str) -> Fixture {
        for d in &mut self.lookout_devices {
            if d["guid"] == guid {
                d["security_status"] = json!(status);
            }
        }
        self
    }

    pub fn intune_owner(mut self, id: &str, upn: &str) -> Fixture {
        for d in &mut self.intune {
            if d["id"] == id {
                d["userPrincipalName"] = json!(upn);
                d["emailAddress"] = json!(upn);
            }
        }
        self
    }

    fn audit_membership(
        mut self,
        activity: &str,
        upn: &str,
        group_id: &str,
        group: &str,
        at: &str,
    ) -> Fixture {
        let (old, new) = if activity.starts_with("Remove") {
            (json!(format!("\"{group}\"")), Value::Null)
        } else {
            (Value::Null, json!(format!("\"{group}\"")))
        };
        self.audit.push(json!({
            "activityDateTime": at, "activityDisplayName": activity,
            "initiatedBy": {"user": {"userPrincipalName": "admin@contoso.com"}},
            "targetResources": [
                {"type": "User", "id": format!("u-{}", upn.split('@').next().unwrap()), "userPrincipalName": upn,
                 "modifiedProperties": [{"displayName": "Group.DisplayName", "oldValue": old, "newValue": new}]},
                {"type": "Group", "id": group_id}
            ]
        }));
        self
    }

    pub fn audit_add(self, upn: &str, group_id: &str, group: &str, at: &str) -> Fixture {
        self.audit_membership("Add member to group", upn, group_id, group, at)
    }

    pub fn audit_remove(self, upn: &str, group_id: &str, group: &str, at: &str) -> Fixture {
        self.audit_membership("Remove member from group", upn, group_id, group, at)
    }

    pub fn tenant(&self) -> Tenant {
        let dir = tempfile::tempdir().unwrap();
        let write =
            |name: &str, v: &Value| std::fs::write(dir.path().join(name), v.to_string()).unwrap();
        write(
            "snapshot.json",
            &json!({"exported_at": AS_OF, "tenant_id": "tenant-1"}),
        );
        write("lookout.json", &self.lookout);
        write("groups.json", &json!({"value": self.groups}));
        write("intune-devices.json", &json!({"value": self.intune}));
        write(
            "lookout-devices.json",
            &json!({"count": self.lookout_devices.len(), "devices": self.lookout_devices}),
        );
        write("audit-logs.json", &json!({"value": self.audit}));
        if let Some(mtd) = &self.mtd {
            write("intune-mtd-connector.json", mtd);
        }
        if let Some(principals) = &self.service_principals {
            write("service-principals.json", principals);
        }
        Tenant::build(crate::snapshot::load(dir.path()).unwrap())
    }

    /// Runs the whole engine and returns the findings of one rule.
    pub fn run_one(&self, rule: RuleId) -> Vec<Finding> {
        self.run()
            .findings
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    /// Why the engine skipped a rule, if it did.
    pub fn skip_reason(&self, rule: RuleId) -> Option<SkipReason> {
        self.run()
            .skipped
            .into_iter()
            .find(|s| s.rule == rule)
            .map(|s| s.reason)
    }

    fn run(&self) -> engine::Outcome {
        let tenant = self.tenant();
        let options = Options {
            as_of: crate::snapshot::time::parse(AS_OF).unwrap().unwrap(),
            focus: self.focus.clone(),
            ..Options::default()
        };
        engine::run(&tenant, &options)
    }
}
