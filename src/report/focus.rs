//! What a help-desk run (`--user`, `--device`) learns about each user and device it
//! asks about, as facts rather than findings: whether any export knows them and which,
//! and a user's console access. A name found in no export is most often a typo, and a
//! run focused on it would otherwise look like a clean bill of health.

use super::dossier::{self, Dossier};
use super::Report;
use crate::escape::{self, Escape};
use crate::messages::{self, Messages};
use crate::model::Tenant;
use crate::rules::{console_membership, Focus};
use crate::snapshot::time::Time;
use crate::snapshot::Input;
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FocusKind {
    User,
    Device,
}

impl FocusKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FocusKind::User => "user",
            FocusKind::Device => "device",
        }
    }
}

/// One `--user` or `--device` of the run and what the snapshot says about it.
#[derive(Debug, Serialize)]
pub struct FocusEntry {
    pub kind: FocusKind,
    /// As asked, trimmed and lower-case (identifiers are compared ignoring case).
    pub query: String,
    /// Some export names it; when false, the report says "check the spelling".
    pub found: bool,
    /// The exports that name it, by their canonical file stem.
    #[serde(serialize_with = "input_stems")]
    pub found_in: Vec<Input>,
    /// A user's access to the Lookout console; absent for a device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub console_access: Option<ConsoleAccess>,
    /// What the human report opens with for a help-desk question: groups, paths
    /// into the enrollment groups, devices side by side. Only when some export knows
    /// the user or device; not part of the JSON report.
    #[serde(skip)]
    pub dossier: Option<Dossier>,
}

/// A user's access to the Lookout console, from the console-access groups.
#[derive(Debug, Serialize)]
pub struct ConsoleAccess {
    pub access: Access,
    /// The console-access group that grants it (full access wins over restricted).
    pub group: Option<String>,
    pub group_id: Option<String>,
    /// How the user is in that group: "Lookout MES Admins > SecOps Analysts".
    pub path: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Full,
    /// Security Policies read-only, no configuration or enrollment modules.
    Restricted,
    /// In neither group: the console answers 403.
    None,
    /// The snapshot has no group export to tell.
    Unknown,
}

impl FocusEntry {
    /// One line for people: where it was found and, for a user, their console access;
    /// or that no export knows it.
    pub fn describe(&self, r: &Report) -> String {
        self.describe_with(r, escape::none)
    }

    /// [`FocusEntry::describe`] with each value written by `value`, the escaper of
    /// the medium the line is for.
    pub fn describe_with(&self, r: &Report, value: Escape) -> String {
        let msg = messages::get(&r.lang);
        let kind = self.kind.as_str();
        let query = value(&self.query);
        if !self.found {
            return msg.f(
                &format!("report.focus_{kind}_not_found"),
                &[("query", &query)],
            );
        }
        let files: Vec<_> = self
            .found_in
            .iter()
            .map(|&i| value(r.file_name_of(i)))
            .collect();
        let console = self
            .console_access
            .as_ref()
            .map(|c| c.describe(msg, value))
            .unwrap_or_default();
        msg.f(
            &format!("report.focus_{kind}_found"),
            &[
                ("query", &query),
                ("files", &files.join(", ")),
                ("console", &console),
            ],
        )
    }
}

impl ConsoleAccess {
    /// The access and the group path, the path written by `value`.
    pub fn describe(&self, msg: &Messages, value: Escape) -> String {
        let path = value(self.path.as_deref().unwrap_or_default());
        match self.access {
            Access::Full => msg.f("report.console_full", &[("path", &path)]),
            Access::Restricted => msg.f("report.console_restricted", &[("path", &path)]),
            Access::None => msg.t("report.console_none"),
            Access::Unknown => msg.t("report.console_unknown"),
        }
    }
}

fn input_stems<S: Serializer>(inputs: &[Input], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(inputs.iter().map(|i| i.stem()))
}

/// The facts of every user, then every device, of the focus, in its order; the
/// check-ins of their dossiers aged at `as_of`.
pub fn entries(t: &Tenant, focus: &Focus, as_of: Time) -> Vec<FocusEntry> {
    let users = focus.users.iter().map(|q| {
        let found_in = user_found_in(t, q);
        let found = !found_in.is_empty();
        FocusEntry {
            kind: FocusKind::User,
            query: q.clone(),
            found,
            found_in,
            console_access: Some(console_access(t, q)),
            dossier: found.then(|| dossier::of_user(t, q, as_of)),
        }
    });
    let devices = focus.devices.iter().map(|q| {
        let found_in = device_found_in(t, q);
        let found = !found_in.is_empty();
        FocusEntry {
            kind: FocusKind::Device,
            query: q.clone(),
            found,
            found_in,
            console_access: None,
            dossier: found.then(|| dossier::of_device(t, q, as_of)),
        }
    });
    users.chain(devices).collect()
}

/// The exports that know a user (lower-case UPN, mail or object id): as a group
/// member, an Intune device's primary user, a Lookout device's e-mail or an audit
/// record's target.
fn user_found_in(t: &Tenant, q: &str) -> Vec<Input> {
    let user = t.user(q);
    let is = |key: Option<&str>| {
        key.map(str::trim).is_some_and(|k| {
            !k.is_empty()
                && (k.eq_ignore_ascii_case(q) || user.is_some_and(|u| t.user(k) == Some(u)))
        })
    };
    let in_groups = user.is_some_and(|u| t.groups.iter().any(|g| g.user_members.contains(&u)));
    let on_intune = t.intune_devices.iter().any(|d| {
        user.is_some_and(|u| t.intune_owner(d) == Some(u))
            || is(d.user_principal_name.as_deref())
            || is(d.email_address.as_deref())
            || is(d.user_id.as_deref())
    });
    let on_lookout = t.lookout_devices.iter().any(|d| is(d.email.as_deref()));
    let in_audit = !t.audit_for_user(q).is_empty();
    [
        (Input::Groups, in_groups),
        (Input::LookoutDevices, on_lookout),
        (Input::IntuneDevices, on_intune),
        (Input::AuditLogs, in_audit),
    ]
    .into_iter()
    .filter_map(|(input, found)| found.then_some(input))
    .collect()
}

/// The exports that know a device id: a Lookout guid or device ID, an Intune id or an
/// Entra device id, in any letter case.
fn device_found_in(t: &Tenant, q: &str) -> Vec<Input> {
    let is = |id: Option<&str>| id.is_some_and(|id| id.trim().eq_ignore_ascii_case(q));
    let on_lookout = t
        .lookout_devices
        .iter()
        .any(|d| is(Some(&d.guid)) || is(d.device_id()));
    let on_intune = t
        .intune_devices
        .iter()
        .any(|d| is(Some(&d.id)) || is(d.entra_device_id()));
    [
        (Input::LookoutDevices, on_lookout),
        (Input::IntuneDevices, on_intune),
    ]
    .into_iter()
    .filter_map(|(input, found)| found.then_some(input))
    .collect()
}

/// Where the user stands with the console-access groups, as the console-access rules
/// judge it.
fn console_access(t: &Tenant, upn: &str) -> ConsoleAccess {
    if !t.has(Input::Groups) {
        return ConsoleAccess {
            access: Access::Unknown,
            group: None,
            group_id: None,
            path: None,
        };
    }
    let m = console_membership(t, upn);
    let access = &t.config.console_access;
    let configured = |id: &Option<String>| {
        id.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let (level, group, group_id, path) = match (m.full, m.restricted) {
        (Some(path), _) => (
            Access::Full,
            m.full_group_name,
            configured(&access.full_access_group_id),
            Some(path),
        ),
        (None, Some(path)) => (
            Access::Restricted,
            m.restricted_group_name,
            configured(&access.restricted_access_group_id),
            Some(path),
        ),
        (None, None) => (Access::None, None, None, None),
    };
    ConsoleAccess {
        access: level,
        group,
        group_id,
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::Fixture;

    fn facts(users: &[&str], devices: &[&str]) -> Vec<FocusEntry> {
        let t = Fixture::new().tenant();
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let as_of = crate::snapshot::time::parse("2026-11-20T12:00:00Z")
            .unwrap()
            .unwrap();
        entries(&t, &Focus::new(&own(users), &own(devices)), as_of)
    }

    #[test]
    fn users_are_found_by_upn_or_mail_in_any_case() {
        let f = facts(
            &[
                "BOB@contoso.com",
                "robert.smith@contoso.com",
                "bbo@contoso.com",
            ],
            &[],
        );
        let found: Vec<(&str, bool)> = f.iter().map(|e| (e.query.as_str(), e.found)).collect();
        assert_eq!(
            found,
            [
                ("bbo@contoso.com", false),
                ("bob@contoso.com", true),
                ("robert.smith@contoso.com", true),
            ]
        );
        assert!(f[1].found_in.contains(&Input::Groups));
        assert!(f[1].found_in.contains(&Input::IntuneDevices));
    }

    #[test]
    fn console_access_is_a_fact_with_its_path() {
        let f = facts(
            &["admin@contoso.com", "reader@contoso.com", "bob@contoso.com"],
            &[],
        );
        let access: Vec<Access> = f
            .iter()
            .map(|e| e.console_access.as_ref().unwrap().access)
            .collect();
        assert_eq!(access, [Access::Full, Access::None, Access::Restricted]);
        let full = f[0].console_access.as_ref().unwrap();
        assert_eq!(full.group.as_deref(), Some("Lookout Admins"));
        assert!(full.path.as_deref().unwrap().starts_with("Lookout Admins"));
    }

    #[test]
    fn devices_are_found_by_any_of_their_ids() {
        let f = facts(&[], &["LK-BOB", "d-bob", "aad-bob", "no-such-phone"]);
        let found: Vec<(&str, bool)> = f.iter().map(|e| (e.query.as_str(), e.found)).collect();
        assert_eq!(
            found,
            [
                ("aad-bob", true),
                ("d-bob", true),
                ("lk-bob", true),
                ("no-such-phone", false),
            ]
        );
        assert!(f.iter().all(|e| e.console_access.is_none()));
    }
}
