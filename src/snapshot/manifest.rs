//! `snapshot.json`: when the snapshot was exported and from which Entra tenant.

use super::lenient::deserialize_object_only;
use super::time::{self, Time};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(
    remote = "Self",
    expecting = "an object with \"exported_at\" and \"tenant_id\""
)]
pub struct Manifest {
    #[serde(default, deserialize_with = "time::deserialize_opt")]
    pub exported_at: Option<Time>,
    #[serde(default)]
    pub tenant_id: Option<String>,
}

// A list would be read by position; only an object says which value is which.
deserialize_object_only!(Manifest, "an object with \"exported_at\" and \"tenant_id\"");
