//! `intune-mtd-connector.json`: Intune's Mobile Threat Defense connector for Lookout
//! (Graph `mobileThreatDefenseConnector`), as a single object (a Graph entity, or
//! Graph PowerShell's PascalCase object) or a `value` list of them.
//!
//! Graph lists every partner's connector, each under its partner's fixed id; only
//! Lookout's is judged. The others are named in a note, so `validate` shows what the
//! list held.

use super::detect::{Head, Recognised};
use super::form::{MtdPartner, Note};
use super::json_doc::{self, Kept, Record, Seen, Shape};
use super::lenient;
use super::text::FileText;
use super::time::{self, Time};
use super::values::PartnerState;
use super::{Format, Input, LoadError, Loaded};
use serde::Deserialize;
use std::path::Path;

/// The id of Lookout's connector ("Lookout for Work"), the same in every tenant.
pub const LOOKOUT_CONNECTOR_ID: &str = "2c7790de-8b02-4814-85cf-e0c59380dee8";

/// Connector ids of the Mobile Threat Defense partners Intune knows (Microsoft365DSC's
/// table; its Trellix id is malformed there and is left out).
const PARTNERS: [(&str, &str); 14] = [
    (LOOKOUT_CONNECTOR_ID, "Lookout for Work"),
    (
        "fc780465-2017-40d4-a0c5-307022471b92",
        "Microsoft Defender for Endpoint",
    ),
    (
        "860d3ab4-8fd1-45f5-89cd-ecf51e4f92e5",
        "BETTER Mobile Security",
    ),
    (
        "d3ddeae8-441f-4681-b80f-aef644f7195a",
        "Check Point Harmony Mobile",
    ),
    ("8d0ed095-8191-4bd3-8a41-953b22d51ff7", "Pradeo"),
    ("1f58d6d2-02cc-4c80-b008-1bfe7396a10a", "Jamf Trust"),
    (
        "a447eca6-a986-4d3f-9838-5862bf50776c",
        "CylancePROTECT Mobile",
    ),
    ("4928f0f6-2660-4f69-b4c5-5170ec921f7b", "Trend Micro"),
    ("bb13fe25-ce1f-45aa-b278-cabbc6b9072e", "SentinelOne"),
    (
        "e6f777f8-e4c2-4a5b-be01-50b5c124bc7f",
        "Windows Security Center",
    ),
    (
        "29ee2d98-e795-475f-a0f8-0802dc3384a9",
        "CrowdStrike Falcon for Mobile",
    ),
    ("870b252b-0ef0-4707-8847-50fc571472b3", "Sophos"),
    (
        "28fd67fd-b179-4629-a8b0-dad420b697c7",
        "Symantec Endpoint Protection",
    ),
    ("08a8455c-48dd-45ff-ad82-7211355354f3", "Zimperium"),
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "a mobileThreatDefenseConnector object, or an object with a \"value\" list of them"
)]
pub struct MtdConnector {
    #[serde(default, alias = "Id")]
    pub id: Option<String>,
    #[serde(default, alias = "PartnerState", deserialize_with = "partner_state")]
    pub partner_state: Option<PartnerState>,
    #[serde(
        default,
        alias = "LastHeartbeatDateTime",
        deserialize_with = "time::deserialize_opt"
    )]
    pub last_heartbeat_date_time: Option<Time>,
    #[serde(
        default,
        alias = "AndroidEnabled",
        deserialize_with = "lenient::opt_bool"
    )]
    pub android_enabled: Option<bool>,
    #[serde(default, alias = "IosEnabled", deserialize_with = "lenient::opt_bool")]
    pub ios_enabled: Option<bool>,
    #[serde(
        default,
        alias = "PartnerUnresponsivenessThresholdInDays",
        deserialize_with = "int32_days"
    )]
    pub partner_unresponsiveness_threshold_in_days: Option<i64>,
}

/// Windows PowerShell may write the state as its number; kept as written, and noted as
/// an unknown value.
fn partner_state<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<PartnerState>, D::Error> {
    Ok(lenient::opt_text(d)?.and_then(|s| PartnerState::parse(&s)))
}

impl MtdConnector {
    /// Whether this is Lookout's connector: its id is Lookout's, or it has none (a
    /// single object written by hand).
    pub fn is_lookout(&self) -> bool {
        self.id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .is_none_or(|id| id.eq_ignore_ascii_case(LOOKOUT_CONNECTOR_ID))
    }

    /// The partner whose connector this is, by its id; `None` for an id no table has.
    pub fn partner(&self) -> Option<&'static str> {
        let id = self.id.as_deref()?.trim();
        PARTNERS
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(id))
            .map(|(_, name)| *name)
    }

    /// The partner's name, else the connector's id: how a list names the connector.
    pub fn partner_label(&self) -> String {
        self.partner()
            .map_or_else(|| self.id.clone().unwrap_or_default(), str::to_owned)
    }
}

/// Graph's threshold is an Int32; a larger number is damage, and would overflow the
/// date arithmetic of the rules that use it.
fn int32_days<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<i64>::deserialize(d)? {
        Some(n) if i32::try_from(n).is_err() => Err(serde::de::Error::custom(format!(
            "{n} days is out of range: Graph writes partnerUnresponsivenessThresholdInDays as a 32-bit whole number"
        ))),
        days => Ok(days),
    }
}

impl Record for MtdConnector {
    type Raw = MtdConnector;

    fn from_raw(raw: MtdConnector, _: &mut Seen) -> Result<Kept<Self>, String> {
        Ok(Kept::Record(raw))
    }
}

const SHAPE: Shape = Shape {
    list_keys: &["value"],
    expecting: "a mobileThreatDefenseConnector object, or an object with a \"value\" list of them",
    empty: "{\"value\": []}",
};

/// The connector's own properties (Graph `mobileThreatDefenseConnector`).
const KEYS: [&str; 8] = [
    "partnerState",
    "lastHeartbeatDateTime",
    "androidEnabled",
    "iosEnabled",
    "partnerUnresponsivenessThresholdInDays",
    "androidDeviceBlockedOnMissingPartnerData",
    "iosDeviceBlockedOnMissingPartnerData",
    "partnerUnsupportedOsVersionBlocked",
];

/// Whether a head is the MTD connector list (or one connector): its properties, or
/// Graph's context naming the entity set.
pub(crate) fn recognise(head: &Head) -> Option<Recognised> {
    let j = head.json()?;
    let context = j.context_is("mobileThreatDefenseConnectors");
    let keys = j.count(&KEYS);
    let score = keys + if context { 5 } else { 0 };
    let claim = |score| {
        let mut r = Recognised::new(Input::MtdConnector, Format::Json, j.form(), score);
        r.empty = j.empty_list;
        r
    };
    if j.has("partnerState") || keys >= 2 || context {
        Some(claim(score))
    } else {
        j.is_empty_graph_page().then(|| claim(0))
    }
}

/// Reads the connector (one object, or a list of them).
pub fn read(path: &Path, text: &FileText) -> Result<Loaded<Vec<MtdConnector>>, LoadError> {
    let mut read = json_doc::read::<MtdConnector>(Input::MtdConnector, path, text, &SHAPE)?;
    let connectors = &read.records;
    let others: Vec<MtdPartner> = connectors
        .iter()
        .filter(|c| !c.is_lookout())
        .map(|c| MtdPartner {
            name: c.partner(),
            id: c.id.as_deref().unwrap_or_default().trim().to_owned(),
            state: c.partner_state.as_ref().map(|s| s.as_str().to_owned()),
        })
        .collect();
    let notes = &mut read.info.notes;
    notes.extend(Note::unknown_values(
        "partnerState",
        connectors
            .iter()
            .map(|c| c.partner_state.as_ref()?.unknown()),
    ));
    if !others.is_empty() {
        if others.len() == connectors.len() {
            notes.push(Note::NoLookoutMtdConnector);
        }
        notes.push(Note::OtherMtdPartners { partners: others });
    }
    Ok(read)
}
