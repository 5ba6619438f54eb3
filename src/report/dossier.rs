//! The help-desk dossier of a `--user` or `--device`: the one-screen answer to "why
//! isn't Frank's phone in Lookout". A user's groups and how they reach each enrollment
//! group, and each of their Intune devices beside its Lookout records (ids, OS,
//! compliance, activation and protection, last check-ins, the device ID that links
//! them); a device's owner and both records. Gathered from the tenant when the report
//! is built; the human printer lays it out. Facts, not findings: the findings follow.

use crate::model::{GroupIx, Tenant, UserIx};
use crate::redact::Redactor;
use crate::snapshot::intune_devices::IntuneDevice;
use crate::snapshot::lookout_devices::LookoutDevice;
use crate::snapshot::time::{self, Time};
use crate::snapshot::Input;

/// What the snapshot says about one user or device asked about.
#[derive(Debug, Default)]
pub struct Dossier {
    /// A user's display name, or a device's name.
    pub name: Option<String>,
    /// A device's owner (its Intune primary user, else its Lookout e-mail).
    pub owner: Option<String>,
    /// The groups a user is a direct member of, by name, sorted; `None` when the
    /// snapshot has no group export (or for a device).
    pub groups: Option<Vec<String>>,
    /// Each enrollment group configured in Lookout, and how the user is in it.
    pub enrollment: Vec<EnrollmentPath>,
    /// Each Intune device with the Lookout records that point to it, then the Lookout
    /// records that point to none.
    pub devices: Vec<DevicePair>,
}

/// One configured enrollment group and the user's path into it.
#[derive(Debug)]
pub struct EnrollmentPath {
    /// As configured in Lookout (case-sensitive).
    pub configured: String,
    pub membership: Membership,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Membership {
    /// A direct member of the group.
    Direct,
    /// A member through nested groups: "Lookout Pilot > Lookout Wave 1".
    Nested(String),
    /// In a group whose name matches only ignoring letter case, which the connector
    /// does not match: its name and the user's path into it.
    /// `path` is `None` for a direct member.
    CaseMismatch {
        actual: String,
        path: Option<String>,
    },
    NotMember,
    /// No group of the export has that name, even ignoring case.
    NoSuchGroup,
}

/// An Intune device and its Lookout records, side by side.
#[derive(Debug)]
pub struct DevicePair {
    pub intune: Option<IntuneRecord>,
    pub lookout: Vec<LookoutRecord>,
}

#[derive(Debug)]
pub struct IntuneRecord {
    pub id: String,
    pub entra_device_id: Option<String>,
    pub name: Option<String>,
    pub user: Option<String>,
    /// "iOS 18.1".
    pub os: Option<String>,
    pub compliance: Option<String>,
    pub threat_state: Option<String>,
    pub last_check_in: Option<CheckIn>,
}

#[derive(Debug)]
pub struct LookoutRecord {
    pub guid: String,
    /// Lookout's "device ID": the Intune id or Entra device id it links to.
    pub device_id: Option<String>,
    /// What the device ID points to, seen from the Intune device beside it.
    pub link: Link,
    pub name: Option<String>,
    pub user: Option<String>,
    /// "IOS 18.1".
    pub os: Option<String>,
    pub activation: Option<String>,
    pub protection: Option<String>,
    pub security: Option<String>,
    pub last_check_in: Option<CheckIn>,
}

/// How a Lookout record's device ID links it to the Intune device beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Equals the Intune device id.
    IntuneId,
    /// Equals the Entra device id.
    EntraId,
    /// Names some other device, or none the exports know.
    Elsewhere,
    /// The record has no device ID.
    Missing,
}

/// A check-in time and its age at the judging time.
#[derive(Debug)]
pub struct CheckIn {
    pub at: String,
    /// Whole days before the judging time (negative: after it).
    pub days: i64,
}

impl CheckIn {
    fn of(at: Option<Time>, as_of: Time) -> Option<CheckIn> {
        at.map(|t| CheckIn {
            at: time::format(&t),
            days: (as_of - t).num_days(),
        })
    }
}

fn text(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn joined(parts: [Option<&str>; 2]) -> Option<String> {
    let parts: Vec<&str> = parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn intune_record(d: &IntuneDevice, as_of: Time) -> IntuneRecord {
    IntuneRecord {
        id: d.id.to_string(),
        entra_device_id: d.entra_device_id().map(str::to_owned),
        name: text(d.device_name.as_deref()),
        user: d.owner(),
        os: joined([
            d.operating_system.as_ref().map(|o| o.as_str()),
            d.os_version.as_deref(),
        ]),
        compliance: text(d.compliance_state.as_deref()),
        threat_state: text(d.partner_reported_threat_state.as_deref()),
        last_check_in: CheckIn::of(d.last_sync_date_time, as_of),
    }
}

fn lookout_record(d: &LookoutDevice, beside: Option<&IntuneDevice>, as_of: Time) -> LookoutRecord {
    let device_id = d.device_id();
    let link = match (device_id, beside) {
        (None, _) => Link::Missing,
        (Some(id), Some(i)) if id.eq_ignore_ascii_case(i.id.trim()) => Link::IntuneId,
        (Some(id), Some(i))
            if i.entra_device_id()
                .is_some_and(|e| e.eq_ignore_ascii_case(id)) =>
        {
            Link::EntraId
        }
        (Some(_), _) => Link::Elsewhere,
    };
    LookoutRecord {
        guid: d.guid.to_string(),
        device_id: device_id.map(str::to_owned),
        link,
        name: d.hardware_name().map(|n| n.to_string()),
        user: text(d.email.as_deref()).map(|e| e.to_lowercase()),
        os: joined([
            d.platform.as_ref().map(|p| p.as_str()),
            d.software.os_version.as_deref(),
        ]),
        activation: d.activation_status.as_ref().map(|s| s.as_str().to_owned()),
        protection: d.protection_status.as_ref().map(|s| s.as_str().to_owned()),
        security: d.security_status.as_ref().map(|s| s.as_str().to_owned()),
        last_check_in: CheckIn::of(d.checkin_time, as_of),
    }
}

/// An Intune device with every Lookout record that points to it.
fn pair(t: &Tenant, d: &IntuneDevice, as_of: Time) -> DevicePair {
    DevicePair {
        intune: Some(intune_record(d, as_of)),
        lookout: t
            .lookout_records_of(d)
            .map(|l| lookout_record(l, Some(d), as_of))
            .collect(),
    }
}

/// The pairs of some Intune devices and Lookout records: each Intune device with its
/// records, then each record not among them beside the Intune device it links to (if
/// that one is not listed yet), or alone.
fn pairs<'t>(
    t: &'t Tenant,
    intune: Vec<&'t IntuneDevice>,
    lookout: Vec<&'t LookoutDevice>,
    as_of: Time,
) -> Vec<DevicePair> {
    let mut listed: Vec<*const IntuneDevice> = Vec::new();
    let mut out = Vec::new();
    for d in intune {
        if !listed.contains(&(d as *const _)) {
            listed.push(d);
            out.push(pair(t, d, as_of));
        }
    }
    for l in lookout {
        match t.linked_intune(l) {
            Some(i) if listed.contains(&(i as *const _)) => {}
            Some(i) => {
                listed.push(i);
                out.push(pair(t, i, as_of));
            }
            None => out.push(DevicePair {
                intune: None,
                lookout: vec![lookout_record(l, None, as_of)],
            }),
        }
    }
    out
}

/// The dossier of a user, by UPN, e-mail or object id (lower case).
pub fn of_user(t: &Tenant, q: &str, as_of: Time) -> Dossier {
    let user = t.user(q);
    let is_user = |key: Option<&str>| {
        key.map(str::trim).is_some_and(|k| {
            !k.is_empty()
                && (k.eq_ignore_ascii_case(q) || user.is_some_and(|u| t.user(k) == Some(u)))
        })
    };
    let has_groups = t.has(Input::Groups);
    let groups = has_groups.then(|| {
        let mut names: Vec<String> = user
            .map(|u| {
                t.groups
                    .iter()
                    .filter(|g| g.user_members.contains(&u))
                    .map(|g| g.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names.dedup();
        names
    });
    let enrollment = if has_groups {
        t.enrollment_groups
            .iter()
            .map(|c| EnrollmentPath {
                configured: c.name.clone(),
                membership: membership(t, user, &c.exact, &c.case_only),
            })
            .collect()
    } else {
        Vec::new()
    };
    let intune: Vec<&IntuneDevice> = t
        .intune_devices
        .iter()
        .filter(|d| match user {
            Some(u) => t.intune_owner(d) == Some(u),
            None => is_user(d.user_principal_name.as_deref()),
        })
        .collect();
    let lookout: Vec<&LookoutDevice> = t
        .lookout_devices
        .iter()
        .filter(|d| is_user(d.email.as_deref()))
        .collect();
    Dossier {
        name: user.and_then(|u| text(t.users[u].display_name.as_deref())),
        owner: None,
        groups,
        enrollment,
        devices: pairs(t, intune, lookout, as_of),
    }
}

/// How a user is in a configured enrollment group: through the groups named exactly so,
/// else through those that match only ignoring case.
fn membership(
    t: &Tenant,
    user: Option<UserIx>,
    exact: &[GroupIx],
    case_only: &[GroupIx],
) -> Membership {
    if exact.is_empty() && case_only.is_empty() {
        return Membership::NoSuchGroup;
    }
    let Some(u) = user else {
        return Membership::NotMember;
    };
    let path_in = |roots: &[GroupIx]| roots.iter().find_map(|&g| t.membership_path(g, u));
    if let Some(path) = path_in(exact) {
        return match path.len() {
            1 => Membership::Direct,
            _ => Membership::Nested(t.path_names(&path)),
        };
    }
    match path_in(case_only) {
        Some(path) => Membership::CaseMismatch {
            actual: t.groups[path[0]].name.clone(),
            path: (path.len() > 1).then(|| t.path_names(&path)),
        },
        None => Membership::NotMember,
    }
}

/// The dossier of a device, by Lookout guid or device ID, Intune id or Entra device id
/// (lower case).
pub fn of_device(t: &Tenant, q: &str, as_of: Time) -> Dossier {
    let is = |id: Option<&str>| id.is_some_and(|id| id.trim().eq_ignore_ascii_case(q));
    let intune: Vec<&IntuneDevice> = t
        .intune_devices
        .iter()
        .filter(|d| is(Some(&d.id)) || is(d.entra_device_id()))
        .collect();
    let lookout: Vec<&LookoutDevice> = t
        .lookout_devices
        .iter()
        .filter(|d| is(Some(&d.guid)) || is(d.device_id()))
        .collect();
    let devices = pairs(t, intune, lookout, as_of);
    let first = devices.first();
    let owner = first.and_then(|p| {
        p.intune
            .as_ref()
            .and_then(|i| i.user.clone())
            .or_else(|| p.lookout.iter().find_map(|l| l.user.clone()))
    });
    let name = first.and_then(|p| {
        p.intune
            .as_ref()
            .and_then(|i| i.name.clone())
            .or_else(|| p.lookout.iter().find_map(|l| l.name.clone()))
    });
    Dossier {
        name,
        owner,
        groups: None,
        enrollment: Vec::new(),
        devices,
    }
}

impl Dossier {
    /// `--redact`: every identifier and name replaced by its pseudonym; statuses and
    /// OS versions searched as free text (a value outside the known set is the
    /// tenant's own words), times kept.
    pub fn redact(&mut self, r: &Redactor) {
        use crate::finding::SubjectKind;
        let Dossier {
            name,
            owner,
            groups,
            enrollment,
            devices,
        } = self;
        // A user's display name or a device's name: redacted as text, which knows both.
        if let Some(n) = name {
            *n = r.text(n);
        }
        if let Some(o) = owner {
            *o = r.user(o);
        }
        for g in groups.iter_mut().flatten() {
            *g = r.group_name(g);
        }
        for e in enrollment {
            e.configured = r.group_name(&e.configured);
            match &mut e.membership {
                Membership::Nested(path) => *path = r.text(path),
                Membership::CaseMismatch { actual, path } => {
                    *actual = r.group_name(actual);
                    *path = path.as_deref().map(|p| r.text(p));
                }
                Membership::Direct | Membership::NotMember | Membership::NoSuchGroup => {}
            }
        }
        for p in devices {
            if let Some(i) = &mut p.intune {
                i.id = r.device(&i.id);
                i.entra_device_id = i.entra_device_id.as_deref().map(|d| r.device(d));
                i.name = i
                    .name
                    .as_deref()
                    .map(|n| r.subject_name(SubjectKind::Device, n));
                i.user = i.user.as_deref().map(|u| r.user(u));
                for value in [&mut i.os, &mut i.compliance, &mut i.threat_state] {
                    *value = value.as_deref().map(|v| r.text(v));
                }
            }
            for l in &mut p.lookout {
                l.guid = r.device(&l.guid);
                l.device_id = l.device_id.as_deref().map(|d| r.device(d));
                l.name = l.name.as_deref().map(|n| r.text(n));
                l.user = l.user.as_deref().map(|u| r.user(u));
                for value in [
                    &mut l.os,
                    &mut l.activation,
                    &mut l.protection,
                    &mut l.security,
                ] {
                    *value = value.as_deref().map(|v| r.text(v));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::Fixture;

    fn as_of() -> Time {
        time::parse("2026-11-20T12:00:00Z").unwrap().unwrap()
    }

    #[test]
    fn a_user_in_an_enrollment_group_through_a_nested_group_has_that_path() {
        let t = Fixture::new().tenant();
        let d = of_user(&t, "bob@contoso.com", as_of());
        assert!(d.groups.as_ref().is_some_and(|g| !g.is_empty()), "{d:?}");
        assert!(!d.enrollment.is_empty(), "{d:?}");
        assert!(!d.devices.is_empty(), "{d:?}");
    }

    #[test]
    fn an_unknown_device_has_no_records() {
        let t = Fixture::new().tenant();
        let d = of_device(&t, "no-such-phone", as_of());
        assert!(d.devices.is_empty());
        assert_eq!(d.owner, None);
    }
}
