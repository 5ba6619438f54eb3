//! Building a [`Tenant`] in two steps: the directory (users and groups) from the
//! groups alone, then the rest of the snapshot. Between the two, a caller can read
//! the other files: on a large tenant indexing the directory takes as long as a device
//! list takes to read, so `commands::load` does it on the thread that read the groups
//! while the device lists are still being read, and it costs no time of its own.

use super::join::DeviceLinks;
use super::{non_empty, Tenant};
use crate::snapshot::groups::GroupRecord;
use crate::snapshot::Snapshot;

/// A tenant whose directory is built and whose devices, audit log and enrollment
/// scope are still to come.
pub struct Builder {
    directory: Tenant,
}

impl Builder {
    /// Indexes the users and groups of `groups`.
    pub fn directory(groups: Vec<GroupRecord>) -> Builder {
        Builder {
            directory: Tenant::directory(groups),
        }
    }

    /// Adds the rest of the snapshot. Its groups are the directory's: the snapshot no
    /// longer holds them.
    pub fn finish(self, snap: Snapshot) -> Tenant {
        debug_assert!(snap.groups.is_none(), "groups belong in the directory");
        let mut t = self.directory;
        t.snapshot_dir = snap.dir;
        t.files = snap.files;
        t.unread = snap.unread;
        t.tenant_id = snap
            .manifest
            .as_ref()
            .and_then(|m| non_empty(&m.tenant_id).map(str::to_owned));
        t.exported_at = snap.manifest.as_ref().and_then(|m| m.exported_at);
        t.config = snap.lookout;
        let own_tenants: Vec<&str> = [
            t.tenant_id.as_deref(),
            t.config.tenant.azure_ad_tenant_id.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        t.service_principals =
            super::consent::principals(snap.service_principals.unwrap_or_default(), &own_tenants);
        t.mtd_connectors = snap.mtd_connectors.unwrap_or_default();
        let intune = snap.intune_devices.unwrap_or_default();
        let lookout = snap.lookout_devices.unwrap_or_default();
        // Linking devices needs only the device lists; the user index needs the
        // directory. They run side by side.
        let audit = snap.audit_logs.unwrap_or_default();
        let (links, ()) = rayon::join(
            || DeviceLinks::build(&intune, &lookout),
            || {
                t.index_intune_users(&intune);
                t.index_audit(audit);
                t.resolve_enrollment();
            },
        );
        t.intune_devices = intune;
        t.lookout_devices = lookout;
        t.lookout_link = links.lookout_link;
        t.records_start = links.records_start;
        t.records_of = links.records_of;
        t.duplicate_ids = links.duplicate_ids;
        t
    }
}

impl Tenant {
    /// Models a snapshot read whole.
    pub fn build(mut snap: Snapshot) -> Tenant {
        let groups = snap.groups.take().unwrap_or_default();
        Builder::directory(groups).finish(snap)
    }

    /// Users and groups, indexed: the part of the model that needs nothing else.
    pub(super) fn directory(groups: Vec<GroupRecord>) -> Tenant {
        let mut t = Tenant::default();
        // Each member brings a UPN and an object id: sizing the index once avoids
        // rehashing it over and over on a large tenant.
        let members: usize = groups.iter().map(|g| g.members.len()).sum();
        t.user_by_key.reserve(members * 2);
        t.users.reserve(members);
        t.index_groups(groups);
        t
    }
}
