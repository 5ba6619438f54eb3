//! A synthetic tenant of any size, in the SPEC format, with injected faults and the
//! number of findings each device rule must report. Used by the scale test (as
//! `support::synth`) and by the benchmark's example (`cargo run --release --example
//! gen_tenant`), which includes this file by its path.
//!
//! The shape follows the reference generator: ten nested enrollment waves under
//! "Lookout Pilot", noise groups, one phone per user (some Windows PCs), and faults:
//! missing, pending, disconnected, new owner, active without device ID.

use serde::Serialize;
use std::io::{BufWriter, Write};
use std::path::Path;

pub const AS_OF: &str = "2026-11-20T12:00:00Z";
const TENANT: &str = "6f1c2d3e-0000-4000-8000-000000000001";

/// splitmix64: small, fast, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Truth {
    #[serde(rename = "device-missing")]
    pub missing: usize,
    #[serde(rename = "device-pending")]
    pub pending: usize,
    #[serde(rename = "device-active-without-id")]
    pub active_without_id: usize,
    #[serde(rename = "device-disconnected")]
    pub disconnected: usize,
    #[serde(rename = "device-new-owner")]
    pub new_owner: usize,
}

#[derive(Serialize)]
struct Member<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'a str,
    id: String,
    #[serde(rename = "userPrincipalName", skip_serializing_if = "Option::is_none")]
    upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mail: Option<String>,
    #[serde(rename = "displayName", skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
}

fn user(i: usize) -> Member<'static> {
    Member {
        odata_type: "#microsoft.graph.user",
        id: format!("u-{i:08}"),
        upn: Some(format!("user{i}@contoso.com")),
        mail: Some(format!("user{i}@contoso.com")),
        display_name: Some(format!("User {i}")),
    }
}

fn nested(id: String) -> Member<'static> {
    Member {
        odata_type: "#microsoft.graph.group",
        id,
        upn: None,
        mail: None,
        display_name: None,
    }
}

#[derive(Serialize)]
struct Group<'a> {
    id: String,
    #[serde(rename = "displayName")]
    display_name: String,
    #[serde(rename = "securityEnabled")]
    security_enabled: bool,
    members: Vec<Member<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IntuneDevice<'a> {
    id: String,
    device_name: String,
    user_principal_name: String,
    user_id: String,
    email_address: String,
    #[serde(rename = "azureADDeviceId")]
    azure_ad_device_id: String,
    operating_system: &'a str,
    os_version: &'a str,
    last_sync_date_time: &'a str,
    enrolled_date_time: &'a str,
    compliance_state: &'a str,
    partner_reported_threat_state: &'a str,
}

#[derive(Serialize)]
struct LookoutDevice<'a> {
    guid: String,
    activation_status: &'a str,
    protection_status: &'a str,
    security_status: &'a str,
    platform: &'a str,
    email: String,
    checkin_time: &'a str,
    activated_at: &'a str,
    details: Details,
    software: Software<'a>,
    hardware: Hardware<'a>,
}

#[derive(Serialize)]
struct Details {
    external_id: String,
    mdm_connector_id: u32,
}

#[derive(Serialize)]
struct Software<'a> {
    os_version: &'a str,
}

#[derive(Serialize)]
struct Hardware<'a> {
    manufacturer: &'a str,
    model: &'a str,
}

/// Writes `{"<key>": [items...]}` without building the whole list in memory.
fn write_list<T: Serialize>(
    path: &Path,
    head: &str,
    items: impl Iterator<Item = T>,
) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    w.write_all(head.as_bytes())?;
    for (i, item) in items.enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut w, &item)?;
    }
    w.write_all(b"]}")?;
    w.flush()
}

/// Writes a snapshot of `n` users into `out` and returns what a correct diagnosis finds.
pub fn generate(n: usize, out: &Path, seed: u64) -> std::io::Result<Truth> {
    let mut rnd = Rng::new(seed);
    std::fs::create_dir_all(out)?;
    let enrolled: Vec<bool> = (0..n).map(|_| rnd.unit() < 0.8).collect();
    let enrolled_list: Vec<usize> = (0..n).filter(|&i| enrolled[i]).collect();

    let mut groups = vec![Group {
        id: "g-pilot".into(),
        display_name: "Lookout Pilot".into(),
        security_enabled: true,
        members: (0..10).map(|w| nested(format!("g-wave{w}"))).collect(),
    }];
    for w in 0..10 {
        groups.push(Group {
            id: format!("g-wave{w}"),
            display_name: format!("Wave {w}"),
            security_enabled: true,
            members: (0..n)
                .filter(|&i| enrolled[i] && i % 10 == w)
                .map(user)
                .collect(),
        });
    }
    groups.push(Group {
        id: "g-full".into(),
        display_name: "Lookout Admins".into(),
        security_enabled: true,
        members: (0..n.min(20)).map(user).collect(),
    });
    for g in 0..200 {
        let members = (0..n.min(300)).map(|_| user(rnd.below(n))).collect();
        groups.push(Group {
            id: format!("g-misc{g}"),
            display_name: format!("Team {g}"),
            security_enabled: true,
            members,
        });
    }
    write_list(&out.join("groups.json"), "{\"value\":[", groups.into_iter())?;

    let mut truth = Truth::default();
    let mut intune = Vec::with_capacity(n);
    let mut lookout = Vec::with_capacity(n);
    for (i, &is_enrolled) in enrolled.iter().enumerate() {
        let r = rnd.unit();
        let os = if r < 0.6 {
            "iOS"
        } else if r < 0.95 {
            "Android"
        } else {
            "Windows"
        };
        let version = match os {
            "iOS" => "17.5",
            "Android" => "14",
            _ => "10.0.22631",
        };
        let upn = format!("user{i}@contoso.com");
        intune.push(IntuneDevice {
            id: format!("d-{i:08}"),
            device_name: format!("DEV-{i}"),
            user_principal_name: upn.clone(),
            user_id: format!("u-{i:08}"),
            email_address: upn.clone(),
            azure_ad_device_id: format!("aad-{i:08}"),
            operating_system: os,
            os_version: version,
            last_sync_date_time: "2026-11-20T07:00:00Z",
            enrolled_date_time: "2026-02-01T10:00:00Z",
            compliance_state: "compliant",
            partner_reported_threat_state: "secured",
        });
        if os == "Windows" {
            continue;
        }
        let ios = os == "iOS";
        let mut rec = LookoutDevice {
            guid: format!("lk-{i:08}"),
            activation_status: "ACTIVATED",
            protection_status: "PROTECTED",
            security_status: "SECURE",
            platform: if ios { "IOS" } else { "ANDROID" },
            email: upn,
            checkin_time: "2026-11-20T06:00:00Z",
            activated_at: "2026-03-01T10:00:00Z",
            details: Details {
                external_id: format!("d-{i:08}"),
                mdm_connector_id: 4242,
            },
            software: Software {
                os_version: version,
            },
            hardware: Hardware {
                manufacturer: if ios { "Apple" } else { "Google" },
                model: "Phone",
            },
        };
        if !is_enrolled {
            // Enrolled once, then the owner left the enrollment groups.
            if rnd.unit() < 0.05 {
                rec.details.external_id.clear();
                lookout.push(rec);
                truth.active_without_id += 1;
            }
            continue;
        }
        let f = rnd.unit();
        if f < 0.01 {
            truth.missing += 1;
            continue;
        } else if f < 0.03 {
            rec.activation_status = "PENDING";
            rec.protection_status = "";
            rec.security_status = "";
            rec.checkin_time = "";
            truth.pending += 1;
        } else if f < 0.05 {
            rec.protection_status = "DISCONNECTED";
            rec.checkin_time = "2026-09-01T06:00:00Z";
            truth.disconnected += 1;
        } else if f < 0.055 {
            let other = enrolled_list[rnd.below(enrolled_list.len())];
            if other != i {
                rec.email = format!("user{other}@contoso.com");
                truth.new_owner += 1;
            }
        }
        lookout.push(rec);
    }
    write_list(
        &out.join("intune-devices.json"),
        "{\"value\":[",
        intune.into_iter(),
    )?;
    let head = format!("{{\"count\":{},\"devices\":[", lookout.len());
    write_list(
        &out.join("lookout-devices.json"),
        &head,
        lookout.into_iter(),
    )?;

    let config = serde_json::json!({
        "tenant": {"azure_ad_tenant_id": TENANT, "consent": {"granted": true}},
        "console_access": {"full_access_group_id": "g-full", "restricted_access_group_id": null, "expected_users": []},
        "intune_connector": {"heartbeat_frequency_minutes": 5, "enrollment_groups": ["Lookout Pilot"],
            "state_sync": {"device_status": true, "threat_status": true},
            "error_management_emails": ["secops@contoso.com"]},
        "enrollment_settings": {"disconnected_after_days": 30},
        "coverage": "enrollment-groups"
    });
    std::fs::write(out.join("lookout.json"), config.to_string())?;
    std::fs::write(
        out.join("snapshot.json"),
        serde_json::json!({"exported_at": AS_OF, "tenant_id": TENANT}).to_string(),
    )?;
    Ok(truth)
}
