//! The directory: users (by UPN, object id and mail) and groups (by id and display
//! name) with their nesting, from the group exports and the device owners.

use super::{lower, non_empty, Tenant};
use crate::snapshot::groups::{GroupRecord, MemberKind};
use crate::snapshot::Text;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::VecDeque;

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

/// Users by each of their keys: lower-case UPN, object id and mail. The table holds
/// only which user, which of their fields and part of the key's hash; the key itself
/// is read from the user.
/// On a million-user tenant that makes it a quarter of the size of a table of
/// strings, and a probe that finds a user touches the user it finds, which the
/// caller reads next anyway, instead of a copy of the key.
#[derive(Debug, Clone, Default)]
pub(super) struct UserIndex(hashbrown::HashTable<KeySlot>);

/// One key in the index: its user, which of their fields it is, and 30 bits of its
/// hash. With the hash at hand, growing the table does not reread every key (a
/// random access each: a tenth of a million-user run went to that), and a probe
/// reads the user only when the hashes agree.
#[derive(Debug, Clone, Copy)]
struct KeySlot {
    user: u32,
    /// The hash's bits outside `KIND_BITS`, and the key's [`KeyKind`] in them.
    hash_and_kind: u32,
}

const KIND_BITS: u32 = 0b11;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Upn = 0,
    ObjectId = 1,
    Mail = 2,
}

impl KeySlot {
    fn new(user: UserIx, kind: KeyKind, hash: u32) -> KeySlot {
        KeySlot {
            // Fewer than 2^32 users: each takes dozens of bytes of a snapshot file.
            user: user as u32,
            hash_and_kind: hash | kind as u32,
        }
    }

    fn kind(self) -> KeyKind {
        match self.hash_and_kind & KIND_BITS {
            0 => KeyKind::Upn,
            1 => KeyKind::ObjectId,
            _ => KeyKind::Mail,
        }
    }

    fn hash(self) -> u32 {
        self.hash_and_kind & !KIND_BITS
    }

    fn key(self, users: &[User]) -> &str {
        let user = &users[self.user as usize];
        match self.kind() {
            KeyKind::Upn => &user.upn,
            KeyKind::ObjectId => user.object_id.as_deref().unwrap_or_default(),
            KeyKind::Mail => user.mail.as_deref().unwrap_or_default(),
        }
    }

    /// Whether this slot holds `key`, whose [`key_hash`] is `hash`.
    fn holds(self, users: &[User], key: &str, hash: u32) -> bool {
        self.hash() == hash && self.key(users) == key
    }
}

/// The 30 bits of a key's hash a slot keeps.
fn key_hash(key: &str) -> u32 {
    let h = std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, key);
    (h ^ (h >> 32)) as u32 & !KIND_BITS
}

/// The table's hash of a key, from the bits its slot keeps: spread over 64 bits,
/// because the table places entries by the low bits and tells them apart by the top
/// seven. The kind's bits, always clear here, are shifted out first: left in, they
/// would have the table place every key at a multiple of four.
fn table_hash(hash: u32) -> u64 {
    u64::from(hash >> KIND_BITS.count_ones()).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl UserIndex {
    pub(super) fn reserve(&mut self, additional: usize) {
        self.0.reserve(additional, |slot| table_hash(slot.hash()));
    }

    pub(super) fn get(&self, users: &[User], key: &str) -> Option<UserIx> {
        let hash = key_hash(key);
        self.0
            .find(table_hash(hash), |slot| slot.holds(users, key, hash))
            .map(|slot| slot.user as UserIx)
    }

    /// Makes the user's key of this kind (already set on the user) find them,
    /// unless it already finds someone.
    fn add(&mut self, users: &[User], user: UserIx, kind: KeyKind) {
        let key = KeySlot::new(user, kind, 0).key(users);
        let hash = key_hash(key);
        if let hashbrown::hash_table::Entry::Vacant(vacant) = self.0.entry(
            table_hash(hash),
            |other| other.holds(users, key, hash),
            |other| table_hash(other.hash()),
        ) {
            vacant.insert(KeySlot::new(user, kind, hash));
        }
    }
}

impl Tenant {
    /// Finds or creates the user with this UPN, recording its other identifiers.
    pub(super) fn intern_user(
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

    pub(super) fn index_groups(&mut self, records: Vec<GroupRecord>) {
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
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Names that collide across kinds: a UPN that is another user's mail, ids in
    /// two letter cases, blanks.
    pub(in crate::model) const NAMES: &[&str] = &[
        "a@x.com", "A@X.com", "b@x.com", "c@x.com", "u-1", "U-1", "u-2", " ", "",
    ];

    fn name() -> impl Strategy<Value = Option<&'static str>> {
        proptest::option::of(proptest::sample::select(NAMES))
    }

    pub(in crate::model) type Identity = (
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    );

    pub(in crate::model) fn identity() -> impl Strategy<Value = Identity> {
        (name(), name(), name())
    }

    /// The table grows, and is resized by `reserve`, from the hashes its slots keep:
    /// every key still finds its user after many of both.
    #[test]
    fn user_index_keeps_every_key_through_growth() {
        let mut tenant = Tenant::default();
        let key = |kind: &str, i: usize| format!("{kind}-{i:05}@contoso.com");
        for i in 0..20_000 {
            if i == 7_000 {
                tenant.user_by_key.reserve(30_000);
            }
            let (upn, id, mail) = (key("upn", i), key("id", i), key("mail", i));
            assert_eq!(tenant.intern_user(&upn, Some(&id), Some(&mail), None), i);
        }
        for i in 0..20_000 {
            for kind in ["upn", "ID", "Mail"] {
                assert_eq!(tenant.user(&key(kind, i)), Some(i), "{kind} {i}");
            }
        }
        assert_eq!(tenant.user("upn-20000@contoso.com"), None);
    }

    proptest! {
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
    }
}
