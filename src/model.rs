//! The normalized tenant: the snapshot's records plus the indexes every rule needs,
//! built once. Users are identified by lower-case UPN; group display names keep their
//! case because the Lookout connector matches them case-sensitively.

use crate::snapshot::audit_logs::AuditRecord;
use crate::snapshot::groups::MemberKind;
use crate::snapshot::intune_devices::IntuneDevice;
use crate::snapshot::lookout_config::LookoutConfig;
use crate::snapshot::lookout_devices::LookoutDevice;
use crate::snapshot::mtd_connector::MtdConnector;
use crate::snapshot::time::Time;
use crate::snapshot::values::ActivationStatus;
use crate::snapshot::{FileInfo, Input, Snapshot, Text};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::path::PathBuf;

pub type UserIx = usize;
pub type GroupIx = usize;

#[derive(Debug, Clone)]
pub struct User {
    /// Lower-case UPN (or e-mail when only that is known).
    pub upn: Text,
    pub object_id: Option<Text>,
    pub mail: Option<Text>,
    pub display_name: Option<Text>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub security_enabled: Option<bool>,
    pub user_members: Vec<UserIx>,
    pub group_members: Vec<GroupIx>,
    /// Nested group ids that are not in groups.json (their members are unknown).
    pub unresolved_groups: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
    AddMember,
    RemoveMember,
    DeleteGroup,
}

/// A membership change or group deletion from the directory audit log.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub at: Option<Time>,
    pub kind: AuditKind,
    /// Lower-case UPN of the target user, if any.
    pub user_upn: Option<String>,
    pub user_id: Option<String>,
    pub group_id: Option<String>,
    pub group_name: Option<String>,
    pub actor: Option<String>,
}

/// A configured enrollment group name and what it resolves to.
#[derive(Debug, Clone)]
pub struct ConfiguredGroup {
    pub name: String,
    /// Groups whose display name equals the configured name exactly.
    pub exact: Vec<GroupIx>,
    /// Groups that match only when letter case is ignored.
    pub case_only: Vec<GroupIx>,
}

/// How a user is in scope of Lookout enrollment.
#[derive(Debug, Clone, Copy)]
pub struct Enrolment {
    /// The configured enrollment group (exact match) that brings the user in.
    pub enrollment_group: GroupIx,
    /// The group the user is a direct member of (the same, or one nested in it).
    pub via: GroupIx,
}

/// Users by each of their keys: lower-case UPN, object id and mail. The table holds
/// only which user and which of their fields; the key itself is read from the user.
/// On a million-user tenant that makes it a quarter of the size of a table of
/// strings, and a probe that finds a user touches the user it finds, which the
/// caller reads next anyway, instead of a copy of the key.
#[derive(Debug, Clone, Default)]
struct UserIndex(hashbrown::HashTable<KeySlot>);

#[derive(Debug, Clone, Copy)]
struct KeySlot {
    user: u32,
    kind: KeyKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Upn,
    ObjectId,
    Mail,
}

impl KeySlot {
    fn key(self, users: &[User]) -> &str {
        let user = &users[self.user as usize];
        match self.kind {
            KeyKind::Upn => &user.upn,
            KeyKind::ObjectId => user.object_id.as_deref().unwrap_or_default(),
            KeyKind::Mail => user.mail.as_deref().unwrap_or_default(),
        }
    }
}

fn hash_key(key: &str) -> u64 {
    std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, key)
}

impl UserIndex {
    fn reserve(&mut self, additional: usize, users: &[User]) {
        self.0.reserve(additional, |slot| hash_key(slot.key(users)));
    }

    fn get(&self, users: &[User], key: &str) -> Option<UserIx> {
        self.0
            .find(hash_key(key), |slot| slot.key(users) == key)
            .map(|slot| slot.user as UserIx)
    }

    /// Makes the user's key of this kind (already set on the user) find them,
    /// unless it already finds someone.
    fn add(&mut self, users: &[User], user: UserIx, kind: KeyKind) {
        // Fewer than 2^32 users: each takes dozens of bytes of a snapshot file.
        let slot = KeySlot {
            user: user as u32,
            kind,
        };
        let key = slot.key(users);
        if let hashbrown::hash_table::Entry::Vacant(vacant) = self.0.entry(
            hash_key(key),
            |other| other.key(users) == key,
            |other| hash_key(other.key(users)),
        ) {
            vacant.insert(slot);
        }
    }
}

/// An Intune device's owner as a read-only pass over the user index finds it.
enum Owner<'d> {
    None,
    Known(u32),
    /// Not known yet (or known with fewer identifiers): intern this UPN.
    New(&'d str),
}

#[derive(Debug, Clone, Default)]
pub struct Tenant {
    pub snapshot_dir: PathBuf,
    pub files: Vec<FileInfo>,
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

impl Tenant {
    pub fn build(mut snap: Snapshot) -> Tenant {
        let groups = snap.groups.take().unwrap_or_default();
        Tenant::directory(groups).complete(snap)
    }

    /// Users and groups from groups.json, indexed: the part of the model that needs
    /// nothing else. On a large tenant it takes as long as a device list takes to
    /// read, so `commands::load` builds it on the thread that read the groups while
    /// the device lists are still being read.
    pub fn directory(groups: Vec<crate::snapshot::groups::GroupRecord>) -> Tenant {
        let mut t = Tenant::default();
        // Each member brings a UPN and an object id: sizing the index once avoids
        // rehashing it over and over on a large tenant.
        let members: usize = groups.iter().map(|g| g.members.len()).sum();
        t.user_by_key.reserve(members * 2, &t.users);
        t.users.reserve(members);
        t.index_groups(groups);
        t
    }

    /// Adds the rest of the snapshot to a [`Tenant::directory`]. Groups still in the
    /// snapshot are not read again: they are the directory's.
    pub fn complete(mut self, snap: Snapshot) -> Tenant {
        debug_assert!(snap.groups.is_none(), "groups belong in the directory");
        self.snapshot_dir = snap.dir;
        self.files = snap.files;
        self.tenant_id = snap
            .manifest
            .as_ref()
            .and_then(|m| non_empty(&m.tenant_id).map(str::to_owned));
        self.exported_at = snap.manifest.as_ref().and_then(|m| m.exported_at);
        self.config = snap.lookout;
        self.mtd_connectors = snap.mtd_connectors.unwrap_or_default();
        let mut t = self;
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

    pub fn has(&self, input: Input) -> bool {
        self.files.iter().any(|f| f.input == input)
    }

    // ---- users -------------------------------------------------------------

    /// Finds or creates the user with this UPN, recording its other identifiers.
    fn intern_user(
        &mut self,
        upn: &str,
        object_id: Option<&str>,
        mail: Option<&str>,
        name: Option<&str>,
    ) -> UserIx {
        let upn = lower(upn);
        let ix = match self.user_by_key.get(&self.users, &upn) {
            Some(ix) => ix,
            None => {
                self.users.push(User {
                    upn: Text::from(upn.as_ref()),
                    object_id: None,
                    mail: None,
                    display_name: None,
                });
                let ix = self.users.len() - 1;
                self.user_by_key.add(&self.users, ix, KeyKind::Upn);
                ix
            }
        };
        // Other identifiers are recorded once; later sightings only look. A key that
        // already names someone keeps naming them.
        if self.users[ix].object_id.is_none() {
            if let Some(id) = object_id.map(|i| Text::from(lower(i).as_ref())) {
                self.users[ix].object_id = Some(id);
                self.user_by_key.add(&self.users, ix, KeyKind::ObjectId);
            }
        }
        if self.users[ix].mail.is_none() {
            if let Some(m) = mail
                .map(|m| Text::from(lower(m).as_ref()))
                .filter(|m| !m.is_empty())
            {
                // Mail is usually the UPN, already a key of this very user.
                let is_upn = m == upn.as_ref();
                self.users[ix].mail = Some(m);
                if !is_upn {
                    self.user_by_key.add(&self.users, ix, KeyKind::Mail);
                }
            }
        }
        if self.users[ix].display_name.is_none() {
            self.users[ix].display_name = name.map(Text::from);
        }
        ix
    }

    /// The user with this UPN, e-mail address or object id (any case).
    pub fn user(&self, key: &str) -> Option<UserIx> {
        self.user_by_key.get(&self.users, &lower(key))
    }

    /// True when both names denote the same person (equal UPN or mail, any case).
    pub fn same_person(&self, a: &str, b: &str) -> bool {
        let (la, lb) = (lower(a), lower(b));
        if la == lb {
            return true;
        }
        matches!((self.user(&la), self.user(&lb)), (Some(x), Some(y)) if x == y)
    }

    // ---- groups ------------------------------------------------------------

    fn index_groups(&mut self, records: Vec<crate::snapshot::groups::GroupRecord>) {
        for (ix, g) in records.iter().enumerate() {
            self.group_by_id
                .entry(lower(&g.id).into_owned())
                .or_insert(ix);
            let name = g.display_name.as_deref().unwrap_or_default().to_owned();
            self.groups_by_name
                .entry(name.clone())
                .or_default()
                .push(ix);
            self.groups.push(Group {
                id: g.id.to_string(),
                name,
                security_enabled: g.security_enabled,
                user_members: Vec::new(),
                group_members: Vec::new(),
                unresolved_groups: Vec::new(),
            });
        }
        for (ix, g) in records.into_iter().enumerate() {
            for m in g.members {
                match m.kind() {
                    MemberKind::User => {
                        let key = non_empty(&m.user_principal_name)
                            .or(non_empty(&m.mail))
                            .or(non_empty(&m.id));
                        if let Some(key) = key {
                            let u = self.intern_user(
                                key,
                                non_empty(&m.id),
                                non_empty(&m.mail),
                                non_empty(&m.display_name),
                            );
                            self.groups[ix].user_members.push(u);
                        }
                    }
                    MemberKind::Group => {
                        let Some(id) = non_empty(&m.id) else { continue };
                        match self.group_by_id.get(lower(id).as_ref()) {
                            Some(&child) => self.groups[ix].group_members.push(child),
                            None => self.groups[ix].unresolved_groups.push(id.to_owned()),
                        }
                    }
                    MemberKind::Other => {}
                }
            }
        }
    }

    pub fn group_by_id(&self, id: &str) -> Option<GroupIx> {
        self.group_by_id.get(lower(id).as_ref()).copied()
    }

    /// Groups whose display name is exactly `name` (case-sensitive).
    pub fn groups_named(&self, name: &str) -> &[GroupIx] {
        self.groups_by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// Every user in `root`, directly or through nested groups, with the group they are
    /// a direct member of. Cycles in nesting terminate.
    pub fn transitive_users(&self, root: GroupIx) -> HashMap<UserIx, GroupIx> {
        let mut users = HashMap::default();
        for g in self.nested_groups(root) {
            for &u in &self.groups[g].user_members {
                users.entry(u).or_insert(g);
            }
        }
        users
    }

    /// `root` and every group nested in it, breadth first, each once.
    pub fn nested_groups(&self, root: GroupIx) -> Vec<GroupIx> {
        let mut seen: HashSet<GroupIx> = [root].into_iter().collect();
        let mut order = vec![root];
        let mut queue = VecDeque::from([root]);
        while let Some(g) = queue.pop_front() {
            for &child in &self.groups[g].group_members {
                if seen.insert(child) {
                    order.push(child);
                    queue.push_back(child);
                }
            }
        }
        order
    }

    /// The chain of groups from `root` down to the group that directly holds `user`,
    /// or `None` if the user is not in `root` even transitively.
    pub fn membership_path(&self, root: GroupIx, user: UserIx) -> Option<Vec<GroupIx>> {
        let mut parent: HashMap<GroupIx, GroupIx> = HashMap::default();
        let mut seen: HashSet<GroupIx> = [root].into_iter().collect();
        let mut queue = VecDeque::from([root]);
        while let Some(g) = queue.pop_front() {
            if self.groups[g].user_members.contains(&user) {
                let mut path = vec![g];
                let mut cur = g;
                while let Some(&p) = parent.get(&cur) {
                    path.push(p);
                    cur = p;
                }
                path.reverse();
                return Some(path);
            }
            for &child in &self.groups[g].group_members {
                if seen.insert(child) {
                    parent.insert(child, g);
                    queue.push_back(child);
                }
            }
        }
        None
    }

    /// "Lookout Pilot > Lookout Wave 2": a membership path for evidence.
    pub fn path_names(&self, path: &[GroupIx]) -> String {
        path.iter()
            .map(|&g| self.groups[g].name.as_str())
            .collect::<Vec<_>>()
            .join(" > ")
    }

    // ---- enrollment --------------------------------------------------------

    fn resolve_enrollment(&mut self) {
        let names: Vec<String> = self
            .config
            .enrollment_group_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        for name in names {
            let exact = self.groups_named(&name).to_vec();
            let case_only = if exact.is_empty() {
                let wanted = name.to_lowercase();
                (0..self.groups.len())
                    .filter(|&g| self.groups[g].name.to_lowercase() == wanted)
                    .collect()
            } else {
                Vec::new()
            };
            self.enrollment_groups.push(ConfiguredGroup {
                name,
                exact,
                case_only,
            });
        }
        let roots: Vec<GroupIx> = self
            .enrollment_groups
            .iter()
            .flat_map(|c| c.exact.iter().copied())
            .collect();
        self.enrolled = vec![None; self.users.len()];
        for root in roots {
            for g in self.nested_groups(root) {
                self.enrollment_closure.entry(g).or_insert(root);
                for &u in &self.groups[g].user_members {
                    self.enrolled[u].get_or_insert(Enrolment {
                        enrollment_group: root,
                        via: g,
                    });
                }
            }
        }
        for (configured, c) in self.enrollment_groups.iter().enumerate() {
            for &root in &c.case_only {
                for u in self.transitive_users(root).into_keys() {
                    self.case_mismatch_members.entry(u).or_insert(configured);
                }
            }
        }
    }

    /// The configured enrollment group whose letter case keeps this user out of scope:
    /// the user is in a group that matches the configured name only ignoring case.
    pub fn case_mismatched_enrollment(&self, user_key: &str) -> Option<&ConfiguredGroup> {
        let u = self.user(user_key)?;
        if self.enrolled[u].is_some() {
            return None;
        }
        self.case_mismatch_members
            .get(&u)
            .map(|&c| &self.enrollment_groups[c])
    }

    /// How the user with this UPN/e-mail is in an enrollment group, if they are.
    pub fn enrolment(&self, user_key: &str) -> Option<Enrolment> {
        self.user(user_key).and_then(|u| self.enrolled[u])
    }

    /// The configured enrollment group that `group` is (or is nested in), if any.
    pub fn enrollment_root_of(&self, group: GroupIx) -> Option<GroupIx> {
        self.enrollment_closure.get(&group).copied()
    }

    /// True when an audit event's group is an enrollment group or nested in one, or
    /// carries a configured enrollment group's name (the group may be gone since).
    pub fn audit_group_is_enrollment(&self, e: &AuditEvent) -> bool {
        let by_id = e
            .group_id
            .as_deref()
            .and_then(|id| self.group_by_id(id))
            .is_some_and(|g| self.enrollment_closure.contains_key(&g));
        let by_name = e.group_name.as_deref().is_some_and(|n| {
            self.enrollment_groups.iter().any(|c| c.name == n)
                || self
                    .groups_named(n)
                    .iter()
                    .any(|g| self.enrollment_closure.contains_key(g))
        });
        by_id || by_name
    }

    /// Display name of the group an audit event names ("—" unknown).
    pub fn audit_group_label(&self, e: &AuditEvent) -> Option<String> {
        e.group_name.clone().or_else(|| {
            e.group_id
                .as_deref()
                .and_then(|id| self.group_by_id(id))
                .map(|g| self.groups[g].name.clone())
                .or_else(|| e.group_id.clone())
        })
    }

    // ---- devices -----------------------------------------------------------

    fn index_intune_users(&mut self, devices: &[IntuneDevice]) {
        // Most owners are already known from the groups, with every identifier the
        // device carries: finding them only reads the index, so that pass runs in
        // parallel. The others are then interned one by one in device order,
        // which gives exactly what a single pass would.
        let found: Vec<Owner> = {
            use rayon::prelude::*;
            let this = &*self;
            devices.par_iter().map(|d| this.known_owner(d)).collect()
        };
        self.intune_owner = devices
            .iter()
            .zip(found)
            .map(|(d, owner)| match owner {
                Owner::None => None,
                Owner::Known(ix) => Some(ix),
                Owner::New(upn) => {
                    let ix = self.intern_user(
                        upn,
                        d.user_id.as_deref(),
                        d.email_address.as_deref(),
                        None,
                    );
                    u32::try_from(ix).ok()
                }
            })
            .collect();
    }

    /// The device's owner when interning it would change nothing.
    fn known_owner<'d>(&self, d: &'d IntuneDevice) -> Owner<'d> {
        let Some(upn) = non_empty(&d.user_principal_name) else {
            return Owner::None;
        };
        let Some(ix) = self.user_by_key.get(&self.users, &lower(upn)) else {
            return Owner::New(upn);
        };
        let user = &self.users[ix];
        let adds_id = user.object_id.is_none() && d.user_id.is_some();
        let adds_mail = user.mail.is_none()
            && d.email_address
                .as_deref()
                .is_some_and(|m| !m.trim().is_empty());
        match u32::try_from(ix) {
            Ok(ix) if !adds_id && !adds_mail => Owner::Known(ix),
            _ => Owner::New(upn),
        }
    }

    /// The primary user of an Intune device (the one [`IntuneDevice::owner`] names).
    pub fn intune_owner(&self, device: &IntuneDevice) -> Option<UserIx> {
        let ix = Self::index_in(&self.intune_devices, device)?;
        self.intune_owner[ix].map(|u| u as UserIx)
    }

    /// How an Intune device's primary user is in an enrollment group, if they are:
    /// [`Tenant::enrolment`] of its owner, without looking the owner up by name.
    pub fn intune_enrolment(&self, device: &IntuneDevice) -> Option<Enrolment> {
        self.intune_owner(device).and_then(|u| self.enrolled[u])
    }

    /// The position of a record in its list, when `item` is a reference into it.
    fn index_in<T>(list: &[T], item: &T) -> Option<usize> {
        let start = list.as_ptr() as usize;
        let at = item as *const T as usize;
        let size = std::mem::size_of::<T>().max(1);
        (at >= start && at < start + list.len() * size).then(|| (at - start) / size)
    }

    /// The Intune device a Lookout record's device ID points to.
    pub fn linked_intune(&self, device: &LookoutDevice) -> Option<&IntuneDevice> {
        let ix = Self::index_in(&self.lookout_devices, device)?;
        self.lookout_link[ix].map(|l| &self.intune_devices[l as usize])
    }

    /// Lookout records whose device ID points to this Intune device (by Intune id or
    /// Entra device id), deleted ones included, in file order.
    pub fn lookout_records_for(&self, device: &IntuneDevice) -> Vec<&LookoutDevice> {
        self.lookout_records_of(device).collect()
    }

    /// [`Tenant::lookout_records_for`] without collecting them.
    pub fn lookout_records_of<'t>(
        &'t self,
        device: &IntuneDevice,
    ) -> impl Iterator<Item = &'t LookoutDevice> + 't {
        let range = Self::index_in(&self.intune_devices, device).map_or(0..0, |ix| {
            self.records_start[ix] as usize..self.records_start[ix + 1] as usize
        });
        self.records_of[range]
            .iter()
            .map(|&r| &self.lookout_devices[r as usize])
    }

    /// Groups of Lookout records (indexes, file order) that share one device ID.
    pub fn duplicate_device_ids(&self) -> &[Vec<usize>] {
        &self.duplicate_ids
    }

    /// A name for a Lookout device: the Intune device name if linked, else its hardware.
    pub fn lookout_device_name(&self, device: &LookoutDevice) -> Option<String> {
        self.linked_intune(device)
            .and_then(|i| non_empty(&i.device_name).map(str::to_owned))
            .or_else(|| device.hardware_name().map(String::from))
    }

    /// Every identifier of a Lookout device and its Intune twin (for focus matching).
    pub fn lookout_device_ids<'a>(&'a self, device: &'a LookoutDevice) -> Vec<&'a str> {
        let mut ids = vec![device.guid.as_str()];
        ids.extend(device.device_id());
        if let Some(i) = self.linked_intune(device) {
            ids.push(i.id.as_str());
            ids.extend(i.entra_device_id());
        }
        ids
    }

    pub fn is_deleted(device: &LookoutDevice) -> bool {
        device.activation_status == Some(ActivationStatus::Deleted)
    }

    // ---- audit -------------------------------------------------------------

    fn index_audit(&mut self, records: Vec<AuditRecord>) {
        let mut events: Vec<AuditEvent> = records.iter().filter_map(normalize_audit).collect();
        // Chronological, so "the latest record" is the last one; unknown times first.
        events.sort_by_key(|e| e.at);
        for (ix, e) in events.iter().enumerate() {
            for key in [&e.user_upn, &e.user_id].into_iter().flatten() {
                self.audit_by_user
                    .entry(lower(key).into_owned())
                    .or_default()
                    .push(ix);
            }
        }
        self.audit = events;
    }

    /// Audit events about a user (by UPN, mail or object id), oldest first.
    pub fn audit_for_user(&self, user_key: &str) -> Vec<&AuditEvent> {
        let mut keys = vec![lower(user_key).into_owned()];
        if let Some(u) = self.user(user_key) {
            let u = &self.users[u];
            keys.push(u.upn.to_string());
            keys.extend(u.object_id.as_deref().map(str::to_owned));
            keys.extend(u.mail.as_deref().map(str::to_owned));
        }
        let mut ixs: Vec<usize> = keys
            .iter()
            .filter_map(|k| self.audit_by_user.get(k))
            .flatten()
            .copied()
            .collect();
        ixs.sort_unstable();
        ixs.dedup();
        ixs.into_iter().map(|ix| &self.audit[ix]).collect()
    }
}

/// Reads one directory audit record into an event, if it is one we care about.
fn normalize_audit(r: &AuditRecord) -> Option<AuditEvent> {
    let kind = match r.activity_display_name.as_deref()?.trim() {
        "Add member to group" => AuditKind::AddMember,
        "Remove member from group" => AuditKind::RemoveMember,
        "Delete group" | "Hard delete group" => AuditKind::DeleteGroup,
        _ => return None,
    };
    let is = |t: &crate::snapshot::audit_logs::TargetResource, k: &str| {
        t.kind.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(k))
    };
    let user = r.target_resources.iter().find(|t| is(t, "User"));
    let group = r.target_resources.iter().find(|t| is(t, "Group"));
    let prop = |name: &str| {
        r.target_resources
            .iter()
            .flat_map(|t| &t.modified_properties)
            .find(|p| p.display_name.as_deref() == Some(name))
            .and_then(|p| p.value())
    };
    Some(AuditEvent {
        at: r.activity_date_time,
        kind,
        user_upn: user
            .and_then(|u| non_empty(&u.user_principal_name).map(|s| lower(s).into_owned())),
        user_id: user.and_then(|u| non_empty(&u.id).map(|s| lower(s).into_owned())),
        group_id: group
            .and_then(|g| non_empty(&g.id).map(str::to_owned))
            .or_else(|| prop("Group.ObjectID")),
        group_name: group
            .and_then(|g| non_empty(&g.display_name).map(str::to_owned))
            .or_else(|| prop("Group.DisplayName")),
        actor: r.initiated_by.as_ref().and_then(|i| i.actor()),
    })
}

/// Something `validate` noticed across files: how many records, a few examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossCheck {
    /// Message key under `validate.cross.` in locales/.
    pub key: &'static str,
    pub count: usize,
    pub examples: Vec<String>,
}

impl Tenant {
    /// Consistency checks across files (no rule verdicts): links that point nowhere,
    /// members that cannot be resolved, identifiers used twice.
    pub fn cross_checks(&self) -> Vec<CrossCheck> {
        const EXAMPLES: usize = 5;
        let mut out = Vec::new();
        let mut push = |key: &'static str, mut items: Vec<String>| {
            if items.is_empty() {
                return;
            }
            items.sort();
            items.dedup();
            let count = items.len();
            items.truncate(EXAMPLES);
            out.push(CrossCheck {
                key,
                count,
                examples: items,
            });
        };
        if self.has(Input::IntuneDevices) {
            push(
                "unlinked_device_ids",
                self.lookout_devices
                    .iter()
                    .filter(|d| d.device_id().is_some() && self.linked_intune(d).is_none())
                    .map(|d| format!("{} → {}", d.guid, d.device_id().unwrap_or_default()))
                    .collect(),
            );
        }
        let mut seen = HashSet::default();
        push(
            "duplicate_guids",
            self.lookout_devices
                .iter()
                .filter(|d| !seen.insert(d.guid.to_lowercase()))
                .map(|d| d.guid.to_string())
                .collect(),
        );
        if self.has(Input::Groups) {
            push(
                "unknown_nested_groups",
                self.groups
                    .iter()
                    .flat_map(|g| {
                        g.unresolved_groups
                            .iter()
                            .map(move |id| format!("{} ∋ {id}", g.name))
                    })
                    .collect(),
            );
            push(
                "unknown_lookout_users",
                self.lookout_devices
                    .iter()
                    .filter_map(|d| d.email.as_deref().map(str::trim).filter(|e| !e.is_empty()))
                    .filter(|e| self.user(e).is_none())
                    .map(str::to_lowercase)
                    .collect(),
            );
        }
        push(
            "mobile_without_owner",
            self.intune_devices
                .iter()
                .filter(|d| {
                    d.operating_system
                        .as_ref()
                        .and_then(|o| o.mobile_platform())
                        .is_some()
                })
                .filter(|d| d.owner().is_none())
                .map(|d| d.id.to_string())
                .collect(),
        );
        out
    }
}

/// What one bucket of [`DeviceLinks::build`]'s join finds.
struct JoinedBucket {
    /// Each of the bucket's Lookout records (by position) and its Intune device.
    links: Vec<(u32, Option<u32>)>,
    /// Records that share an id.
    duplicates: Vec<Vec<usize>>,
}

fn join_bucket(intune_ids: &[(IdKey, u32)], lookout_ids: &[(IdKey, u32)]) -> JoinedBucket {
    let mut intune_by_id: HashMap<&str, u32> = HashMap::default();
    intune_by_id.reserve(intune_ids.len());
    for (id, ix) in intune_ids {
        intune_by_id.entry(id.as_str()).or_insert(*ix);
    }
    let mut first_with_id: HashMap<&str, u32> = HashMap::default();
    first_with_id.reserve(lookout_ids.len());
    let mut groups: HashMap<u32, Vec<usize>> = HashMap::default();
    let links = lookout_ids
        .iter()
        .map(|(id, ix)| {
            let first = *first_with_id.entry(id.as_str()).or_insert(*ix);
            if first != *ix {
                groups
                    .entry(first)
                    .or_insert_with(|| vec![first as usize])
                    .push(*ix as usize);
            }
            (*ix, intune_by_id.get(id.as_str()).copied())
        })
        .collect();
    JoinedBucket {
        links,
        duplicates: groups.into_values().collect(),
    }
}

/// Buckets of a hash join: enough that one bucket's table fits in a core's cache on
/// the largest tenants, few enough that small ones do not notice them.
const PARTITIONS: usize = 256;

/// An id (trimmed, lower-case) as a bucket keeps it: copied when it fits a compact
/// string's inline bytes, so that a bucket's keys sit together in memory; borrowed
/// from its record when it is longer (GUIDs are), where a copy would allocate.
enum IdKey<'a> {
    Copied(Text),
    Borrowed(Cow<'a, str>),
}

impl IdKey<'_> {
    fn as_str(&self) -> &str {
        match self {
            IdKey::Copied(id) => id,
            IdKey::Borrowed(id) => id,
        }
    }
}

/// Ids with their record's position, bucketed by hash; each bucket keeps the order
/// the ids were pushed in.
struct Partitioned<'a> {
    parts: Vec<Vec<(IdKey<'a>, u32)>>,
}

impl<'a> Partitioned<'a> {
    fn with_capacity(ids: usize) -> Partitioned<'a> {
        let each = ids / PARTITIONS + ids / (PARTITIONS * 8) + 1;
        Partitioned {
            parts: (0..PARTITIONS).map(|_| Vec::with_capacity(each)).collect(),
        }
    }

    fn push(&mut self, id: &'a str, ix: usize) {
        let id = match lower(id) {
            Cow::Borrowed(short) if short.len() <= std::mem::size_of::<Text>() => {
                IdKey::Copied(Text::from(short))
            }
            long => IdKey::Borrowed(long),
        };
        let hash = std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, id.as_str());
        // Middle bits: a bucket's table places entries by the low bits and tells
        // them apart by the top seven, which must not be the same for all of them.
        let part = (hash >> 40) as usize % PARTITIONS;
        self.parts[part].push((id, ix as u32));
    }
}

/// How the two device lists point at each other, resolved once.
struct DeviceLinks {
    lookout_link: Vec<Option<u32>>,
    records_start: Vec<u32>,
    records_of: Vec<u32>,
    duplicate_ids: Vec<Vec<usize>>,
}

impl DeviceLinks {
    /// Resolves every Lookout device ID to its Intune device once, and groups records
    /// that share a device ID.
    ///
    /// This is a join of two lists of up to millions of ids, done as a partitioned
    /// hash join: each id is copied, with its record's position, into one of
    /// [`PARTITIONS`] buckets by its hash, in list order; then each bucket is joined
    /// with a hash table small enough to stay in the processor's cache. One big table
    /// would cost a cache miss per id, which on a million-device tenant made this
    /// the slowest part of building the model. Equal ids always share a bucket and
    /// keep their list order in it, so the result is exactly a one-table join's.
    fn build(intune_devices: &[IntuneDevice], lookout_devices: &[LookoutDevice]) -> DeviceLinks {
        // An Intune device is found by its id or its Entra device id, the first
        // device (in file order) to carry an id winning.
        let mut intune_ids = Partitioned::with_capacity(intune_devices.len() * 2);
        for (ix, d) in intune_devices.iter().enumerate() {
            intune_ids.push(&d.id, ix);
            if let Some(aad) = d.entra_device_id() {
                intune_ids.push(aad, ix);
            }
        }
        let mut lookout_ids = Partitioned::with_capacity(lookout_devices.len());
        for (ix, d) in lookout_devices.iter().enumerate() {
            if let Some(id) = d.device_id() {
                lookout_ids.push(id, ix);
            }
        }
        // The buckets are independent: they are joined in parallel, each giving the
        // links of its Lookout records and its groups of duplicates.
        use rayon::prelude::*;
        let joined: Vec<JoinedBucket> = intune_ids
            .parts
            .par_iter()
            .zip(&lookout_ids.parts)
            .map(|(intune_part, lookout_part)| join_bucket(intune_part, lookout_part))
            .collect();
        let mut links = vec![None; lookout_devices.len()];
        let mut duplicates: Vec<Vec<usize>> = Vec::new();
        for bucket in joined {
            for (ix, link) in bucket.links {
                links[ix as usize] = link;
            }
            duplicates.extend(bucket.duplicates);
        }
        duplicates.sort_unstable();
        // Intune device -> its records, as one flat list with offsets.
        let mut start = vec![0u32; intune_devices.len() + 1];
        for &l in links.iter().flatten() {
            start[l as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut fill = start.clone();
        let mut records = vec![0u32; links.iter().flatten().count()];
        for (ix, l) in links.iter().enumerate() {
            if let Some(l) = *l {
                records[fill[l as usize] as usize] = ix as u32;
                fill[l as usize] += 1;
            }
        }
        DeviceLinks {
            lookout_link: links,
            records_start: start,
            records_of: records,
            duplicate_ids: duplicates,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::lookout_devices::Details;
    use proptest::prelude::*;

    /// Short and long ids, in several spellings of the same id, and blanks: enough
    /// overlap for every kind of collision the join must resolve.
    const IDS: &[&str] = &[
        "d-1",
        "D-1",
        " d-1 ",
        "d-2",
        "aad-1",
        "00000000-0000-0000-0000-000000000000",
        "830217b0-1c50-4d1b-90b3-232493251ec7",
        "830217B0-1C50-4D1B-90B3-232493251EC7",
        "9a73bc23-c7c2-523c-97c1-604cb5e53d2e",
        "",
    ];

    fn id() -> impl Strategy<Value = Option<&'static str>> {
        proptest::option::of(proptest::sample::select(IDS))
    }

    /// The join as one table and one pass: what the partitioned join must equal.
    fn one_table_join(intune: &[IntuneDevice], lookout: &[LookoutDevice]) -> DeviceLinks {
        let mut by_id: HashMap<String, u32> = HashMap::default();
        for (ix, d) in intune.iter().enumerate() {
            by_id.entry(lower(&d.id).into_owned()).or_insert(ix as u32);
            if let Some(aad) = d.entra_device_id() {
                by_id.entry(lower(aad).into_owned()).or_insert(ix as u32);
            }
        }
        let mut first: HashMap<String, usize> = HashMap::default();
        let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        let mut links = Vec::new();
        for (ix, d) in lookout.iter().enumerate() {
            let id = d.device_id().map(|i| lower(i).into_owned());
            links.push(id.as_ref().and_then(|i| by_id.get(i).copied()));
            if let Some(id) = id {
                let f = *first.entry(id).or_insert(ix);
                if f != ix {
                    groups.entry(f).or_insert_with(|| vec![f]).push(ix);
                }
            }
        }
        DeviceLinks {
            lookout_link: links,
            records_start: Vec::new(),
            records_of: Vec::new(),
            duplicate_ids: groups.into_values().collect(),
        }
    }

    /// Names that collide across kinds: a UPN that is another user's mail, ids in
    /// two letter cases, blanks.
    const NAMES: &[&str] = &[
        "a@x.com", "A@X.com", "b@x.com", "c@x.com", "u-1", "U-1", "u-2", " ", "",
    ];

    fn name() -> impl Strategy<Value = Option<&'static str>> {
        proptest::option::of(proptest::sample::select(NAMES))
    }

    type Identity = (
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    );

    fn identity() -> impl Strategy<Value = Identity> {
        (name(), name(), name())
    }

    proptest! {
        /// The owner pass (read-only and parallel, then the rest in order) leaves the
        /// directory and the owners exactly as interning every device in order does.
        #[test]
        fn owner_pass_equals_interning_in_order(
            members in proptest::collection::vec(identity(), 0..30),
            devices in proptest::collection::vec(identity(), 0..30),
        ) {
            use crate::snapshot::groups::{GroupRecord, MemberRecord};
            let members = members
                .into_iter()
                .map(|(upn, id, mail)| MemberRecord {
                    odata_type: Some("#microsoft.graph.user".into()),
                    id: id.map(Text::from),
                    user_principal_name: upn.map(Text::from),
                    mail: mail.map(Text::from),
                    display_name: None,
                })
                .collect();
            let directory = Tenant::directory(vec![GroupRecord {
                id: "g".into(),
                display_name: Some("G".into()),
                security_enabled: Some(true),
                members,
            }]);
            let devices: Vec<IntuneDevice> = devices
                .into_iter()
                .map(|(upn, user_id, email)| IntuneDevice {
                    id: "d".into(),
                    user_principal_name: upn.map(Text::from),
                    user_id: user_id.map(Text::from),
                    email_address: email.map(Text::from),
                    ..IntuneDevice::default()
                })
                .collect();
            let mut fast = directory.clone();
            fast.index_intune_users(&devices);
            let mut slow = directory;
            let owners: Vec<Option<u32>> = devices
                .iter()
                .map(|d| {
                    let upn = non_empty(&d.user_principal_name)?;
                    let ix = slow.intern_user(
                        upn,
                        d.user_id.as_deref(),
                        d.email_address.as_deref(),
                        None,
                    );
                    Some(ix as u32)
                })
                .collect();
            prop_assert_eq!(&fast.intune_owner, &owners);
            prop_assert_eq!(format!("{:?}", fast.users), format!("{:?}", slow.users));
            for key in NAMES {
                prop_assert_eq!(fast.user(key), slow.user(key));
            }
        }

        /// The user index answers as a map from key strings to users, first key
        /// wins, would: the plain model of what interning does.
        #[test]
        fn user_index_equals_a_map_of_keys(
            sightings in proptest::collection::vec((proptest::sample::select(NAMES), identity()), 0..40),
        ) {
            let mut tenant = Tenant::default();
            let mut keys: HashMap<String, UserIx> = HashMap::default();
            let mut users: Vec<(String, Option<String>, Option<String>)> = Vec::new();
            for (upn, (_, id, mail)) in sightings {
                let got = tenant.intern_user(upn, id, mail, None);
                let upn = lower(upn).into_owned();
                let want = match keys.get(&upn) {
                    Some(&ix) => ix,
                    None => {
                        users.push((upn.clone(), None, None));
                        keys.insert(upn.clone(), users.len() - 1);
                        users.len() - 1
                    }
                };
                if users[want].1.is_none() {
                    if let Some(id) = id.map(|i| lower(i).into_owned()) {
                        keys.entry(id.clone()).or_insert(want);
                        users[want].1 = Some(id);
                    }
                }
                if users[want].2.is_none() {
                    if let Some(m) = mail.map(|m| lower(m).into_owned()).filter(|m| !m.is_empty()) {
                        keys.entry(m.clone()).or_insert(want);
                        users[want].2 = Some(m);
                    }
                }
                prop_assert_eq!(got, want);
            }
            for key in NAMES {
                prop_assert_eq!(tenant.user(key), keys.get(lower(key).as_ref()).copied(), "{:?}", key);
            }
            let interned: Vec<_> = tenant
                .users
                .iter()
                .map(|u| (u.upn.to_string(), u.object_id.as_deref().map(str::to_owned), u.mail.as_deref().map(str::to_owned)))
                .collect();
            prop_assert_eq!(interned, users);
        }

        #[test]
        fn partitioned_join_equals_one_table(
            intune in proptest::collection::vec((proptest::sample::select(IDS), id()), 0..40),
            lookout in proptest::collection::vec(id(), 0..40),
        ) {
            let intune: Vec<IntuneDevice> = intune
                .into_iter()
                .map(|(id, aad)| IntuneDevice {
                    id: id.into(),
                    azure_ad_device_id: aad.map(Text::from),
                    ..IntuneDevice::default()
                })
                .collect();
            let lookout: Vec<LookoutDevice> = lookout
                .into_iter()
                .map(|id| LookoutDevice {
                    details: Details { external_id: id.map(Text::from) },
                    ..LookoutDevice::default()
                })
                .collect();
            let got = DeviceLinks::build(&intune, &lookout);
            let want = one_table_join(&intune, &lookout);
            prop_assert_eq!(&got.lookout_link, &want.lookout_link);
            prop_assert_eq!(&got.duplicate_ids, &want.duplicate_ids);
            // Every link appears once in the Intune side's record lists.
            for (l, link) in got.lookout_link.iter().enumerate() {
                if let Some(i) = link {
                    let i = *i as usize;
                    let records = &got.records_of
                        [got.records_start[i] as usize..got.records_start[i + 1] as usize];
                    prop_assert!(records.contains(&(l as u32)));
                }
            }
            prop_assert_eq!(got.records_of.len(), got.lookout_link.iter().flatten().count());
        }
    }
}
