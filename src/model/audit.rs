//! The directory audit log: membership changes and group deletions, by user.

use super::{lower, non_empty, Tenant};
use crate::snapshot::audit_logs::{AuditRecord, TargetResource};
use crate::snapshot::time::Time;

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

impl Tenant {
    pub(super) fn index_audit(&mut self, records: Vec<AuditRecord>) {
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
}

/// Reads one directory audit record into an event, if it is one we care about.
fn normalize_audit(r: &AuditRecord) -> Option<AuditEvent> {
    let kind = match r.activity_display_name.as_deref()?.trim() {
        "Add member to group" => AuditKind::AddMember,
        "Remove member from group" => AuditKind::RemoveMember,
        "Delete group" | "Hard delete group" => AuditKind::DeleteGroup,
        _ => return None,
    };
    let is =
        |t: &TargetResource, k: &str| t.kind.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(k));
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
        // A system-initiated change has `initiatedBy: {}`; Azure Monitor still names
        // who made it.
        actor: r
            .initiated_by
            .as_ref()
            .and_then(|i| i.actor())
            .or_else(|| non_empty(&r.identity).map(str::to_owned)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> AuditEvent {
        normalize_audit(&serde_json::from_str(json).unwrap()).unwrap()
    }

    /// As Azure Monitor writes a membership change: the Group target has no name (or
    /// there is none), and the group is named only by the user's modified properties,
    /// JSON-quoted.
    #[test]
    fn the_group_comes_from_the_modified_properties() {
        let props = r#""modifiedProperties": [
            {"displayName": "Group.ObjectID", "oldValue": "\"22bf\"", "newValue": null},
            {"displayName": "Group.DisplayName", "oldValue": "\"Lookout Wave 2\"", "newValue": null},
            {"displayName": "Group.WellKnownObjectName", "oldValue": null, "newValue": null}]"#;
        let user = format!(
            r#"{{"id": "DE4F", "type": "User", "userPrincipalName": "Joni.Sherman@contoso.com", {props}}}"#
        );
        let no_group = event(&format!(
            r#"{{"activityDisplayName": "Remove member from group", "initiatedBy": {{}}, "identity": "Patti Fernandez", "targetResources": [{user}]}}"#
        ));
        assert_eq!(no_group.kind, AuditKind::RemoveMember);
        assert_eq!(no_group.group_id.as_deref(), Some("22bf"));
        assert_eq!(no_group.group_name.as_deref(), Some("Lookout Wave 2"));
        assert_eq!(
            no_group.user_upn.as_deref(),
            Some("joni.sherman@contoso.com")
        );
        assert_eq!(no_group.actor.as_deref(), Some("Patti Fernandez"));
        let nameless = event(&format!(
            r#"{{"activityDisplayName": "Remove member from group", "targetResources": [{user}, {{"id": "22bf", "displayName": null, "type": "Group", "groupType": "unknownFutureValue"}}]}}"#
        ));
        assert_eq!(nameless.group_id.as_deref(), Some("22bf"));
        assert_eq!(nameless.group_name.as_deref(), Some("Lookout Wave 2"));
        assert_eq!(nameless.actor, None);
    }
}
