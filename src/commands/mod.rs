//! One module per command; `cli` parses the arguments and dispatches here.

pub mod collect;
pub mod diagnose;
pub mod explain;
pub mod init;
pub mod rules;
pub mod validate;

use crate::model::{Builder, Tenant};
use crate::snapshot::{Input, Plan};
use anyhow::Result;
use std::path::Path;

/// Loads and models a snapshot folder (read only), with a spinner on a terminal when
/// that takes a while.
pub fn load(dir: &Path) -> Result<Tenant> {
    let progress = crate::progress::Progress::start(
        crate::messages::current().f("report.loading", &[("path", &dir.display())]),
    );
    let plan = Plan::discover(dir)?;
    let others: Vec<Input> = plan.inputs().filter(|&i| i != Input::Groups).collect();
    // The directory (users and groups) is indexed on the thread that read the groups
    // while the other files, the large device lists above all, are still being read.
    let ((directory, groups), mut parts) = std::thread::scope(|scope| {
        let directory = scope.spawn(|| {
            let mut groups = plan.read(Input::Groups);
            let records = groups.as_mut().ok().and_then(|part| part.groups.take());
            (Builder::directory(records.unwrap_or_default()), groups)
        });
        let parts = plan.read_each(&others);
        let directory = directory
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (directory, parts)
    });
    parts.push((Input::Groups, groups));
    let tenant = directory.finish(plan.assemble(parts)?);
    // The loaders' transient records and indexes are gone; their memory goes back
    // to the system rather than waiting in the allocator.
    crate::memory::release_free();
    progress.finish();
    Ok(tenant)
}
