//! A synthetic tenant of any size, in the SPEC format, with injected faults and the
//! number of findings each device rule must report. Used by the scale test (as
//! `support::synth`) and by the benchmark's example (`cargo run --release --example
//! gen_tenant`), which includes this file by its path.
//!
//! It is a port of the reference generator, `../shared/bench/gen_tenant.py`: the same
//! random streams (Python's Mersenne Twister, drawn from in the same order) give the
//! same records and the same truth for the same size and seed, in both shapes. The
//! tenant: ten nested enrollment waves under "Lookout Pilot", 200 noise groups, one
//! phone per user (some Windows PCs), and faults: missing, pending, disconnected, new
//! owner, active without device ID. Records are written as they are made, never held
//! as a whole document: the realistic shape is about 3 GB at a million users.

use serde::{Serialize, Serializer};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

pub const AS_OF: &str = "2026-11-20T12:00:00Z";
const TENANT: &str = "6f1c2d3e-0000-4000-8000-000000000001";

const MT_N: usize = 624;
const MT_M: usize = 397;

/// Python's `random.Random`: the Mersenne Twister (MT19937), seeded and drawn from
/// exactly as CPython does, so that this generator and the reference draw the same
/// numbers.
pub struct PyRandom {
    state: [u32; MT_N],
    index: usize,
}

impl PyRandom {
    /// `random.Random(seed)`: CPython seeds with `init_by_array` over the seed's 32-bit
    /// words, least significant first (a single zero word for zero).
    pub fn new(seed: u128) -> PyRandom {
        let mut key = vec![seed as u32];
        let mut rest = seed >> 32;
        while rest != 0 {
            key.push(rest as u32);
            rest >>= 32;
        }
        let mut mt = [0u32; MT_N];
        mt[0] = 19_650_218;
        for i in 1..MT_N {
            mt[i] = 1_812_433_253u32
                .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        let (mut i, mut j) = (1, 0);
        for _ in 0..MT_N.max(key.len()) {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= MT_N {
                mt[0] = mt[MT_N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 1..MT_N {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= MT_N {
                mt[0] = mt[MT_N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
        PyRandom {
            state: mt,
            index: MT_N,
        }
    }

    fn next_u32(&mut self) -> u32 {
        if self.index >= MT_N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn twist(&mut self) {
        let mt = &mut self.state;
        for k in 0..MT_N {
            let y = (mt[k] & 0x8000_0000) | (mt[(k + 1) % MT_N] & 0x7fff_ffff);
            let odd = if y & 1 == 1 { 0x9908_b0df } else { 0 };
            mt[k] = mt[(k + MT_M) % MT_N] ^ (y >> 1) ^ odd;
        }
        self.index = 0;
    }

    /// `random()`: uniform in [0, 1), from 27 and 26 bits of two draws.
    pub fn random(&mut self) -> f64 {
        let high = f64::from(self.next_u32() >> 5);
        let low = f64::from(self.next_u32() >> 6);
        (high * 67_108_864.0 + low) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(bits)`, up to 128: 32-bit draws, least significant first, the last
    /// one keeping only its top bits.
    pub fn getrandbits(&mut self, bits: u32) -> u128 {
        assert!(bits <= 128, "getrandbits({bits})");
        let mut value = 0u128;
        let mut shift = 0;
        while shift < bits {
            let left = bits - shift;
            let word = self.next_u32();
            let word = if left < 32 { word >> (32 - left) } else { word };
            value |= u128::from(word) << shift;
            shift += 32;
        }
        value
    }

    /// `randrange(n)`: draws of n's bit length until one is below n.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "randrange(0)");
        let bits = usize::BITS - n.leading_zeros();
        loop {
            let r = self.getrandbits(bits) as usize;
            if r < n {
                return r;
            }
        }
    }

    /// `choice(items)`.
    pub fn choice<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// How the tenant's ids and records look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Short readable ids (`d-00000042`, `user42@contoso.com`) and only the fields the
    /// rules read.
    Short,
    /// As real exports are: a GUID for every object id, long UPNs, Graph user objects
    /// and `managedDevice` records with all their v1.0 fields, Lookout Mobile Risk API
    /// v2 records with their client/hardware/software/details blocks.
    Realistic,
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

/// Object ids: the short readable one, or in the realistic shape a version-4 GUID from
/// a stream of its own (seeded `seed * 7919 + 1`, as the reference's), so the faults
/// drawn from the main stream are the same in both shapes.
struct Ids {
    shape: Shape,
    rnd: PyRandom,
}

impl Ids {
    fn new(shape: Shape, seed: u64) -> Ids {
        Ids {
            shape,
            rnd: PyRandom::new(u128::from(seed) * 7919 + 1),
        }
    }

    /// `uuid.UUID(int=getrandbits(128), version=4)`, as its integer: the variant and
    /// version bits overwritten.
    fn uuid4(&mut self) -> u128 {
        let bits = self.rnd.getrandbits(128);
        (bits & !(0xc000u128 << 48) | (0x8000u128 << 48)) & !(0xf000u128 << 64) | (4u128 << 76)
    }

    /// The short id, or a GUID (which does not use the short one).
    fn id(&mut self, short: impl FnOnce() -> String) -> String {
        match self.shape {
            Shape::Short => short(),
            Shape::Realistic => hyphenated(self.uuid4()),
        }
    }
}

/// A UUID as `str(uuid.UUID(...))` writes it.
fn hyphenated(uuid: u128) -> String {
    let hex = format!("{uuid:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

const FIRST: [&str; 20] = [
    "adele",
    "alex",
    "allan",
    "diego",
    "grady",
    "henrietta",
    "isaiah",
    "johanna",
    "joni",
    "lee",
    "lidia",
    "lynne",
    "megan",
    "miriam",
    "nestor",
    "patti",
    "pradeep",
    "irvin",
    "christie",
    "debra",
];
const LAST: [&str; 20] = [
    "vance",
    "wilber",
    "deyoung",
    "siciliani",
    "archie",
    "mueller",
    "langer",
    "lorenz",
    "sherman",
    "gu",
    "holloway",
    "robbins",
    "bowen",
    "graham",
    "wilke",
    "fernandez",
    "gupta",
    "sayers",
    "cline",
    "berger",
];

/// Python's `str.title()` on ASCII: a letter is upper case after a non-letter (or at
/// the start), lower case after a letter.
fn title(word: &str) -> String {
    let mut after_letter = false;
    word.chars()
        .map(|c| {
            let out = if after_letter {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            };
            after_letter = c.is_ascii_alphabetic();
            out
        })
        .collect()
}

/// The users: their ids, drawn first as the reference does, and everything else made
/// again from the index whenever a group or a device shows a user.
struct Directory {
    shape: Shape,
    ids: Vec<String>,
}

impl Directory {
    fn new(n: usize, ids: &mut Ids) -> Directory {
        Directory {
            shape: ids.shape,
            ids: (0..n).map(|i| ids.id(|| format!("u-{i:08}"))).collect(),
        }
    }

    fn user(&self, i: usize) -> User<'_> {
        let id = &self.ids[i];
        match self.shape {
            Shape::Short => {
                let upn = format!("user{i}@contoso.com");
                User::Short(ShortUser {
                    odata_type: "#microsoft.graph.user",
                    id,
                    user_principal_name: upn.clone(),
                    mail: upn,
                    display_name: format!("User {i}"),
                })
            }
            Shape::Realistic => {
                let (first, last) = (FIRST[i % 20], LAST[(i / 20) % 20]);
                let upn = format!("{first}.{last}{i}@contoso-pharma.onmicrosoft.com");
                let (given_name, surname) = (title(first), title(&format!("{last}{i}")));
                User::Graph(GraphUser {
                    odata_type: "#microsoft.graph.user",
                    id,
                    business_phones: ["+1 425 555 0109"],
                    display_name: format!("{given_name} {surname}"),
                    given_name,
                    job_title: "Field Sales Representative",
                    mail: upn.clone(),
                    mobile_phone: (),
                    office_location: "18/2111",
                    preferred_language: "en-US",
                    surname,
                    user_principal_name: upn,
                })
            }
        }
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum User<'a> {
    Short(ShortUser<'a>),
    Graph(GraphUser<'a>),
}

impl User<'_> {
    fn upn(&self) -> &str {
        match self {
            User::Short(u) => &u.user_principal_name,
            User::Graph(u) => &u.user_principal_name,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShortUser<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'a str,
    id: &'a str,
    user_principal_name: String,
    mail: String,
    display_name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GraphUser<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'a str,
    id: &'a str,
    business_phones: [&'a str; 1],
    display_name: String,
    given_name: String,
    job_title: &'a str,
    mail: String,
    mobile_phone: (),
    office_location: &'a str,
    preferred_language: &'a str,
    surname: String,
    user_principal_name: String,
}

#[derive(Serialize)]
struct NestedGroup<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'a str,
    id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Group<'a, M> {
    id: &'a str,
    display_name: String,
    security_enabled: bool,
    members: M,
}

/// Group members by user index, made as they are written.
struct Members<'a> {
    directory: &'a Directory,
    users: &'a [usize],
}

impl Serialize for Members<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.users.iter().map(|&i| self.directory.user(i)))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShortDevice<'a> {
    id: &'a str,
    device_name: String,
    user_principal_name: &'a str,
    user_id: &'a str,
    email_address: &'a str,
    #[serde(rename = "azureADDeviceId")]
    azure_ad_device_id: &'a str,
    operating_system: &'a str,
    os_version: &'a str,
    last_sync_date_time: &'a str,
    enrolled_date_time: &'a str,
    compliance_state: &'a str,
    partner_reported_threat_state: &'a str,
}

/// A Graph v1.0 `managedDevice` with every field, in the reference's order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManagedDevice<'a> {
    id: &'a str,
    user_id: &'a str,
    device_name: String,
    managed_device_owner_type: &'a str,
    enrolled_date_time: &'a str,
    last_sync_date_time: &'a str,
    operating_system: &'a str,
    compliance_state: &'a str,
    jail_broken: &'a str,
    management_agent: &'a str,
    os_version: &'a str,
    eas_activated: bool,
    eas_device_id: String,
    eas_activation_date_time: &'a str,
    #[serde(rename = "azureADRegistered")]
    azure_ad_registered: bool,
    device_enrollment_type: &'a str,
    activation_lock_bypass_code: (),
    email_address: &'a str,
    #[serde(rename = "azureADDeviceId")]
    azure_ad_device_id: &'a str,
    device_registration_state: &'a str,
    device_category_display_name: &'a str,
    is_supervised: bool,
    exchange_last_successful_sync_date_time: &'a str,
    exchange_access_state: &'a str,
    exchange_access_state_reason: &'a str,
    remote_assistance_session_url: &'a str,
    remote_assistance_session_error_details: &'a str,
    is_encrypted: bool,
    user_principal_name: &'a str,
    model: &'a str,
    manufacturer: &'a str,
    imei: String,
    compliance_grace_period_expiration_date_time: &'a str,
    serial_number: String,
    phone_number: &'a str,
    android_security_patch_level: &'a str,
    user_display_name: &'a str,
    configuration_manager_client_enabled_features: (),
    wi_fi_mac_address: String,
    device_health_attestation_state: (),
    subscriber_carrier: &'a str,
    meid: &'a str,
    total_storage_space_in_bytes: u64,
    free_storage_space_in_bytes: u64,
    managed_device_name: String,
    partner_reported_threat_state: &'a str,
    require_user_enrollment_approval: (),
    management_certificate_expiration_date: &'a str,
    iccid: (),
    udid: (),
    notes: (),
    ethernet_mac_address: (),
    physical_memory_in_bytes: u64,
    enrollment_profile_name: (),
    device_action_results: [(); 0],
}

/// A Lookout device record; the realistic shape adds the Mobile Risk API v2 fields.
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
    details: Details<'a>,
    software: Software<'a>,
    hardware: Hardware<'a>,
    #[serde(flatten)]
    risk_api: Option<RiskApi<'a>>,
}

#[derive(Serialize)]
struct Details<'a> {
    external_id: &'a str,
    mdm_connector_id: u32,
    #[serde(flatten)]
    connector: Option<Connector<'a>>,
}

#[derive(Serialize)]
struct Connector<'a> {
    mdm_connector_uuid: &'a str,
    mdm_type: &'a str,
}

#[derive(Serialize)]
struct Software<'a> {
    os_version: &'a str,
    #[serde(flatten)]
    build: Option<Build<'a>>,
}

#[derive(Serialize)]
struct Build<'a> {
    security_patch_level: &'a str,
    sdk_version: &'a str,
    kernel_version: &'a str,
}

#[derive(Serialize)]
struct Hardware<'a> {
    manufacturer: &'a str,
    model: &'a str,
}

#[derive(Serialize)]
struct RiskApi<'a> {
    enterprise_guid: &'a str,
    updated_time: &'a str,
    risky_config: bool,
    risky_configs: Empty,
    client: Client<'a>,
    parent_details: (),
}

/// `{}`.
#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct Client<'a> {
    lookout_sdk_version: &'a str,
    package_name: &'a str,
    package_version: &'a str,
    ota_version: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Os {
    Ios,
    Android,
    Windows,
}

impl Os {
    fn name(self) -> &'static str {
        match self {
            Os::Ios => "iOS",
            Os::Android => "Android",
            Os::Windows => "Windows",
        }
    }

    fn version(self) -> &'static str {
        match self {
            Os::Ios => "17.5",
            Os::Android => "14",
            Os::Windows => "10.0.22631",
        }
    }
}

/// What the fault injection made of one user's Lookout record.
#[derive(Debug, Clone, Copy)]
enum Fate {
    /// No record: a Windows PC, an unenrolled owner's phone, or a missing one.
    Unlisted,
    Healthy,
    WithoutId,
    Pending,
    Disconnected,
    /// The record names another enrolled user's UPN.
    NewOwner(usize),
}

/// Every user's device and its fate, drawn from the main stream in the reference's
/// order, and the findings they make.
fn phones(rnd: &mut PyRandom, enrolled: &[bool]) -> (Vec<(Os, Fate)>, Truth) {
    let enrolled_list: Vec<usize> = (0..enrolled.len()).filter(|&i| enrolled[i]).collect();
    let mut truth = Truth::default();
    let phones = enrolled
        .iter()
        .enumerate()
        .map(|(i, &is_enrolled)| {
            let r = rnd.random();
            let os = if r < 0.6 {
                Os::Ios
            } else if r < 0.95 {
                Os::Android
            } else {
                return (Os::Windows, Fate::Unlisted);
            };
            if !is_enrolled {
                // Enrolled once, then the owner left the enrollment groups.
                if rnd.random() < 0.05 {
                    truth.active_without_id += 1;
                    return (os, Fate::WithoutId);
                }
                return (os, Fate::Unlisted);
            }
            let f = rnd.random();
            let fate = if f < 0.01 {
                truth.missing += 1;
                Fate::Unlisted
            } else if f < 0.03 {
                truth.pending += 1;
                Fate::Pending
            } else if f < 0.05 {
                truth.disconnected += 1;
                Fate::Disconnected
            } else if f < 0.055 {
                match *rnd.choice(&enrolled_list) {
                    other if other != i => {
                        truth.new_owner += 1;
                        Fate::NewOwner(other)
                    }
                    _ => Fate::Healthy,
                }
            } else {
                Fate::Healthy
            };
            (os, fate)
        })
        .collect();
    (phones, truth)
}

const LAST_SYNC: &str = "2026-11-20T07:00:00Z";
const ENROLLED: &str = "2026-02-01T10:00:00Z";
/// Graph's "never": the zero date.
const NEVER: &str = "0001-01-01T00:00:00Z";

fn short_device<'a>(
    i: usize,
    id: &'a str,
    aad: &'a str,
    os: Os,
    user: &'a ShortUser,
) -> ShortDevice<'a> {
    ShortDevice {
        id,
        device_name: format!("DEV-{i}"),
        user_principal_name: &user.user_principal_name,
        user_id: user.id,
        email_address: &user.mail,
        azure_ad_device_id: aad,
        operating_system: os.name(),
        os_version: os.version(),
        last_sync_date_time: LAST_SYNC,
        enrolled_date_time: ENROLLED,
        compliance_state: "compliant",
        partner_reported_threat_state: "secured",
    }
}

fn managed_device<'a>(
    i: usize,
    id: &'a str,
    aad: &'a str,
    eas: String,
    os: Os,
    user: &'a GraphUser,
) -> ManagedDevice<'a> {
    // As the reference: whatever is not an iPhone is shaped as a Pixel, PCs included.
    let apple = os == Os::Ios;
    let upn = user.user_principal_name.as_str();
    let mailbox = upn.split('@').next().unwrap_or_default();
    ManagedDevice {
        id,
        user_id: user.id,
        device_name: format!(
            "{}'s {}",
            user.given_name,
            if apple { "iPhone" } else { "Pixel" }
        ),
        managed_device_owner_type: "company",
        enrolled_date_time: ENROLLED,
        last_sync_date_time: LAST_SYNC,
        operating_system: os.name(),
        compliance_state: "compliant",
        jail_broken: "False",
        management_agent: "mdm",
        os_version: os.version(),
        eas_activated: true,
        eas_device_id: eas,
        eas_activation_date_time: NEVER,
        azure_ad_registered: true,
        device_enrollment_type: if apple {
            "appleBulkWithUser"
        } else {
            "androidEnterpriseFullyManaged"
        },
        activation_lock_bypass_code: (),
        email_address: &user.mail,
        azure_ad_device_id: aad,
        device_registration_state: "registered",
        device_category_display_name: "Unknown Category",
        is_supervised: apple,
        exchange_last_successful_sync_date_time: NEVER,
        exchange_access_state: "none",
        exchange_access_state_reason: "none",
        remote_assistance_session_url: "",
        remote_assistance_session_error_details: "",
        is_encrypted: true,
        user_principal_name: upn,
        model: if apple { "iPhone 15" } else { "Pixel 8" },
        manufacturer: if apple { "Apple" } else { "Google" },
        imei: format!("35 {i:06} 458274 7"),
        compliance_grace_period_expiration_date_time: "9999-12-31T23:59:59Z",
        serial_number: format!("F2LX{i:08}"),
        phone_number: "",
        android_security_patch_level: if apple { "" } else { "2026-10-05" },
        user_display_name: &user.display_name,
        configuration_manager_client_enabled_features: (),
        wi_fi_mac_address: format!("a4c361{i:06x}"),
        device_health_attestation_state: (),
        subscriber_carrier: "Contoso Mobile",
        meid: "",
        total_storage_space_in_bytes: 128_010_223_616,
        free_storage_space_in_bytes: 64_005_111_808,
        managed_device_name: format!("{mailbox}_{}_11/20/2026_7:00 AM", os.name()),
        partner_reported_threat_state: "secured",
        require_user_enrollment_approval: (),
        management_certificate_expiration_date: "2027-02-01T10:00:00Z",
        iccid: (),
        udid: (),
        notes: (),
        ethernet_mac_address: (),
        physical_memory_in_bytes: 0,
        enrollment_profile_name: (),
        device_action_results: [],
    }
}

/// The Lookout record of a phone (never a PC) with its fault applied.
fn lookout_device<'a>(
    shape: Shape,
    guid: String,
    os: Os,
    fate: Fate,
    email: String,
    device_id: &'a str,
) -> LookoutDevice<'a> {
    let ios = os == Os::Ios;
    let realistic = shape == Shape::Realistic;
    let (activation_status, protection_status, security_status, checkin_time) = match fate {
        Fate::Pending => ("PENDING", "", "", ""),
        Fate::Disconnected => (
            "ACTIVATED",
            "DISCONNECTED",
            "SECURE",
            "2026-09-01T06:00:00Z",
        ),
        _ => ("ACTIVATED", "PROTECTED", "SECURE", "2026-11-20T06:00:00Z"),
    };
    LookoutDevice {
        guid,
        activation_status,
        protection_status,
        security_status,
        platform: if ios { "IOS" } else { "ANDROID" },
        email,
        checkin_time,
        activated_at: "2026-03-01T10:00:00Z",
        details: Details {
            external_id: if matches!(fate, Fate::WithoutId) {
                ""
            } else {
                device_id
            },
            mdm_connector_id: 4242,
            connector: realistic.then_some(Connector {
                mdm_connector_uuid: "9e3b6d3c-8a1f-4f0e-b3b4-6f3c1d2e4a5b",
                mdm_type: "INTUNE",
            }),
        },
        software: Software {
            os_version: os.version(),
            build: realistic.then_some(Build {
                security_patch_level: if ios { "" } else { "2026-10-05" },
                sdk_version: if ios { "17" } else { "34" },
                kernel_version: "",
            }),
        },
        hardware: Hardware {
            manufacturer: if ios { "Apple" } else { "Google" },
            model: match (realistic, ios) {
                (false, _) => "Phone",
                (true, true) => "iPhone16,1",
                (true, false) => "Pixel 8",
            },
        },
        risk_api: realistic.then_some(RiskApi {
            enterprise_guid: "0b5f4a1e-97d4-4cc3-a1c6-2c2f3a4b5c6d",
            updated_time: "2026-11-20T06:00:01Z",
            risky_config: false,
            risky_configs: Empty {},
            client: Client {
                lookout_sdk_version: "8.12.0.112",
                package_name: "com.lookout.enterprise",
                package_version: "8.12.0",
                ota_version: "2026.11.04",
            },
            parent_details: (),
        }),
    }
}

/// A JSON document `head item,item,...]}`, written as the items come.
struct ListFile {
    out: BufWriter<File>,
    empty: bool,
}

impl ListFile {
    fn create(path: &Path, head: &str) -> std::io::Result<ListFile> {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
        out.write_all(head.as_bytes())?;
        Ok(ListFile { out, empty: true })
    }

    fn push(&mut self, item: &impl Serialize) -> std::io::Result<()> {
        if !self.empty {
            self.out.write_all(b",")?;
        }
        self.empty = false;
        serde_json::to_writer(&mut self.out, item)?;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.out.write_all(b"]}")?;
        self.out.flush()
    }
}

/// Writes a snapshot of `n` users into `out` and returns what a correct diagnosis finds.
/// Both random streams are drawn from in the reference's order: the main one (seeded
/// `seed`) for enrollment, noise members and faults, the id one for GUIDs.
pub fn generate(n: usize, out: &Path, seed: u64, shape: Shape) -> std::io::Result<Truth> {
    let mut rnd = PyRandom::new(u128::from(seed));
    let mut ids = Ids::new(shape, seed);
    std::fs::create_dir_all(out)?;
    let directory = Directory::new(n, &mut ids);

    // Enrollment: 80 % of the users, in ten waves nested under "Lookout Pilot".
    let enrolled: Vec<bool> = (0..n).map(|_| rnd.random() < 0.8).collect();
    let pilot = ids.id(|| "g-pilot".into());
    let full = ids.id(|| "g-full".into());
    let waves: Vec<String> = (0..10).map(|w| ids.id(|| format!("g-wave{w}"))).collect();
    let mut groups = ListFile::create(&out.join("groups.json"), "{\"value\":[")?;
    groups.push(&Group {
        id: &pilot,
        display_name: "Lookout Pilot".into(),
        security_enabled: true,
        members: waves
            .iter()
            .map(|id| NestedGroup {
                odata_type: "#microsoft.graph.group",
                id,
            })
            .collect::<Vec<_>>(),
    })?;
    for (w, id) in waves.iter().enumerate() {
        let users: Vec<usize> = (w..n).step_by(10).filter(|&i| enrolled[i]).collect();
        groups.push(&Group {
            id,
            display_name: format!("Wave {w}"),
            security_enabled: true,
            members: Members {
                directory: &directory,
                users: &users,
            },
        })?;
    }
    let admins: Vec<usize> = (0..n.min(20)).collect();
    groups.push(&Group {
        id: &full,
        display_name: "Lookout Admins".into(),
        security_enabled: true,
        members: Members {
            directory: &directory,
            users: &admins,
        },
    })?;
    // Unrelated groups with random members: noise for the membership index.
    for g in 0..200 {
        let id = ids.id(|| format!("g-misc{g}"));
        let users: Vec<usize> = (0..n.min(300)).map(|_| rnd.below(n)).collect();
        groups.push(&Group {
            id: &id,
            display_name: format!("Team {g}"),
            security_enabled: true,
            members: Members {
                directory: &directory,
                users: &users,
            },
        })?;
    }
    groups.finish()?;

    // The faults come first so the Lookout list's count can head the file.
    let (phones, truth) = phones(&mut rnd, &enrolled);
    let listed = phones
        .iter()
        .filter(|(_, fate)| !matches!(fate, Fate::Unlisted))
        .count();
    let mut intune = ListFile::create(&out.join("intune-devices.json"), "{\"value\":[")?;
    let head = format!("{{\"count\":{listed},\"devices\":[");
    let mut lookout = ListFile::create(&out.join("lookout-devices.json"), &head)?;
    for (i, &(os, fate)) in phones.iter().enumerate() {
        let id = ids.id(|| format!("d-{i:08}"));
        let aad = ids.id(|| format!("aad-{i:08}"));
        let user = directory.user(i);
        match &user {
            User::Short(user) => intune.push(&short_device(i, &id, &aad, os, user))?,
            User::Graph(user) => {
                let mut eas = format!("{:032X}", ids.uuid4());
                eas.truncate(20);
                intune.push(&managed_device(i, &id, &aad, eas, os, user))?;
            }
        }
        if os == Os::Windows {
            continue;
        }
        // Drawn for every phone, listed or not, as the reference does.
        let guid = ids.id(|| format!("lk-{i:08}"));
        let email = match fate {
            Fate::Unlisted => continue,
            Fate::NewOwner(other) => directory.user(other).upn().to_string(),
            _ => user.upn().to_string(),
        };
        lookout.push(&lookout_device(shape, guid, os, fate, email, &id))?;
    }
    intune.finish()?;
    lookout.finish()?;

    let config = serde_json::json!({
        "tenant": {"azure_ad_tenant_id": TENANT, "consent": {"granted": true}},
        "console_access": {"full_access_group_id": full, "restricted_access_group_id": null, "expected_users": []},
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
