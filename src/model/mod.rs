//! The normalized tenant: the snapshot's records plus the indexes every rule needs,
//! built once ([`Builder`]). Users are identified by lower-case UPN; group display
//! names keep their case because the Lookout connector matches them case-sensitively.
//!
//! One module per concern: the directory (users, groups, nesting), enrollment scope,
//! devices and their owners, the join that links the two device lists, and the audit
//! log.

mod audit;
mod builder;
mod devices;
mod directory;
mod enrollment;
mod join;

pub use audit::{AuditEvent, AuditKind};
pub use builder::Builder;
pub use directory::{Group, GroupIx, User, UserIx};
pub use enrollment::{ConfiguredGroup, Enrolment};

use crate::snapshot::intune_devices::IntuneDevice;
use crate::snapshot::lookout_config::LookoutConfig;
use crate::snapshot::lookout_devices::LookoutDevice;
use crate::snapshot::mtd_connector::MtdConnector;
use crate::snapshot::time::Time;
use crate::snapshot::{FileInfo, Input, UnreadFile};
use directory::UserIndex;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct Tenant {
    pub snapshot_dir: PathBuf,
    pub files: Vec<FileInfo>,
    /// The entries of the snapshot folder that were not read, with their reasons.
    pub unread: Vec<UnreadFile>,
    /// The Entra tenant the snapshot was exported from (snapshot.json).
    pub tenant_id: Option<String>,
    pub exported_at: Option<Time>,
    pub config: LookoutConfig,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub lookout_devices: Vec<LookoutDevice>,
    pub intune_devices: Vec<IntuneDevice>,
    pub audit: Vec<AuditEvent>,
    pub mtd_connectors: Vec<MtdConnector>,
    pub enrollment_groups: Vec<ConfiguredGroup>,

    user_by_key: UserIndex,
    group_by_id: HashMap<String, GroupIx>,
    groups_by_name: HashMap<String, Vec<GroupIx>>,
    /// Lookout record -> the Intune device its device ID names (index), resolved once.
    lookout_link: Vec<Option<u32>>,
    /// Intune device -> its Lookout records: `records_of[start[i]..start[i + 1]]`.
    records_start: Vec<u32>,
    records_of: Vec<u32>,
    /// Groups of two or more Lookout records sharing one device ID, in file order.
    duplicate_ids: Vec<Vec<usize>>,
    /// Per user (by index): how they are enrolled, if they are.
    enrolled: Vec<Option<Enrolment>>,
    /// Per Intune device: its primary user, resolved once.
    intune_owner: Vec<Option<u32>>,
    /// Every group inside an enrollment group (itself included) -> that enrollment group.
    enrollment_closure: HashMap<GroupIx, GroupIx>,
    /// Users who would be enrolled if a configured name matched its group's letter case:
    /// user -> index into `enrollment_groups`.
    case_mismatch_members: HashMap<UserIx, usize>,
    audit_by_user: HashMap<String, Vec<usize>>,
}

impl Tenant {
    pub fn has(&self, input: Input) -> bool {
        self.files.iter().any(|f| f.input == input)
    }
}

/// An identifier as the indexes store it: trimmed and lower-case. Most identifiers
/// (GUIDs, exported UPNs) already are, so this borrows instead of allocating.
fn lower(s: &str) -> Cow<'_, str> {
    let t = s.trim();
    if t.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        Cow::Owned(t.to_lowercase())
    } else {
        Cow::Borrowed(t)
    }
}

fn non_empty(s: &Option<impl AsRef<str>>) -> Option<&str> {
    s.as_ref()
        .map(|s| s.as_ref().trim())
        .filter(|s| !s.is_empty())
}
