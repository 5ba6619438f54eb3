//! Enrollment scope: which configured enrollment groups exist (exactly, or only
//! ignoring letter case) and which users they bring in, directly or through nesting.

use super::{GroupIx, Tenant};

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

impl Tenant {
    pub(super) fn resolve_enrollment(&mut self) {
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
}
