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
/// Hands memory the allocator keeps for reuse back to the system. glibc's malloc
/// keeps what threads free in their arenas; at fleet scale what the loaders leave
/// there is a sixth of the run's peak memory. Elsewhere this does nothing.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only gives free pages back; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

pub fn load(dir: &Path) -> Result<Tenant> {
    let progress = crate::progress::Progress::start(
        crate::messages::current().f("report.loading", &[("path", &dir.display())]),
    );
    // The directory (users and groups) is indexed while the device lists are read.
    let (snap, directory) =
        snapshot::load_with(dir, |groups| Tenant::directory(groups.unwrap_or_default()))?;
    let tenant = directory.complete(snap);
    // The loaders' transient records and indexes are gone; their memory goes back
    // to the system rather than waiting in the allocator.
    release_free_memory();
    progress.finish();
    Ok(tenant)
}
