//! One module per command; `cli` parses the arguments and dispatches here.

pub mod diagnose;
pub mod explain;
pub mod init;
pub mod rules;
pub mod validate;

use crate::model::Tenant;
use crate::snapshot;
use anyhow::Result;
use std::path::Path;

/// Loads and models a snapshot folder (read only).
pub fn load(dir: &Path) -> Result<Tenant> {
    let snap = snapshot::load(dir)?;
    Ok(Tenant::build(snap))
}
