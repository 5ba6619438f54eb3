//! `intune-mtd-connector.json`: Intune's Mobile Threat Defense connector for Lookout
//! (Graph `mobileThreatDefenseConnector`), as a single object (a Graph entity, or
//! Graph PowerShell's PascalCase object) or a `value` list of them.

use super::detect::{Head, Recognised};
use super::json_doc::{self, Kept, Record, Seen, Shape};
use super::lenient;
use super::text::FileText;
use super::time::{self, Time};
use super::{Format, Input, LoadError, Loaded};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "a mobileThreatDefenseConnector object, or an object with a \"value\" list of them"
)]
pub struct MtdConnector {
    #[serde(default, alias = "Id")]
    pub id: Option<String>,
    #[serde(
        default,
        alias = "PartnerState",
        deserialize_with = "lenient::opt_text"
    )]
    pub partner_state: Option<super::Text>,
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
    json_doc::read(Input::MtdConnector, path, text, &SHAPE)
}
