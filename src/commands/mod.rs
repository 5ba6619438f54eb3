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

/// Loads and models a snapshot folder (read only), with a spinner on a terminal when
/// that takes a while.
pub fn load(dir: &Path) -> Result<Tenant> {
    let progress = crate::progress::Progress::start(
        crate::messages::current().f("report.loading", &[("path", &dir.display())]),
    );
    // The directory (users and groups) is indexed while the device lists are read.
    let (snap, directory) =
        snapshot::load_with(dir, |groups| Tenant::directory(groups.unwrap_or_default()))?;
    let tenant = directory.complete(snap);
    progress.finish();
    Ok(tenant)
}
