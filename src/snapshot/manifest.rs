//! `snapshot.json`: when the snapshot was exported and from which Entra tenant.

use super::cap::{Capper, Cuts};
use super::detect::{Head, Recognised};
use super::lenient::deserialize_object_only;
use super::text::FileText;
use super::time::{self, Time};
use super::{FileInfo, Format, Input, LoadError, Loaded};
use serde::Deserialize;
use std::path::Path;

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

/// Whether a head is a manifest: an object whose keys are `exported_at` and
/// `tenant_id` (comments aside), at least one of them.
pub(crate) fn recognise(head: &Head) -> Option<Recognised> {
    let j = head.json().filter(|j| !j.list && !j.lines)?;
    let keys = || j.keys.iter().filter(|k| !k.starts_with('_'));
    let known = keys()
        .filter(|k| matches!(k.as_str(), "exported_at" | "tenant_id"))
        .count();
    // What `collect` adds beside them: where each file came from.
    let provenance = keys()
        .filter(|k| matches!(k.as_str(), "tool" | "tool_version" | "cloud" | "files"))
        .count();
    (known > 0 && known + provenance == keys().count())
        .then(|| Recognised::new(Input::Manifest, Format::Json, super::Form::Json, known))
}

/// Reads `snapshot.json`.
pub fn read(path: &Path, text: &FileText) -> Result<Loaded<Manifest>, LoadError> {
    let mut info = FileInfo::new(Input::Manifest, path, Format::Json, text);
    let bytes = text.as_bytes();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::Invalid {
            path: path.to_owned(),
            message: "the file is empty; export it again".into(),
        });
    }
    let capper = Capper::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // The trait's (object only), not the derived inherent function.
    let manifest = <Manifest as Deserialize>::deserialize(capper.deserializer(&mut de))
        .and_then(|m| de.end().map(|_| m))
        .map_err(|e| LoadError::json(path.to_owned(), &e))?;
    let mut cuts = Cuts::default();
    capper.take_into(&mut cuts, None);
    info.notes.extend(cuts.note());
    info.records = 1;
    Ok(Loaded {
        records: manifest,
        info,
        pages: Vec::new(),
    })
}
