//! The rule catalogue: one module per rule, detection only, declared in `registry.rs`.
//! Each rule reads the normalized tenant and returns findings with their evidence; the
//! words (title, diagnosis, remediation) live in `rules/<slug>.toml` at the top of the
//! repository.

use crate::finding::{Finding, Severity, Subject, SubjectKind};
use crate::model::Tenant;
use crate::snapshot::intune_devices::IntuneDevice;
use crate::snapshot::lookout_devices::LookoutDevice;
use crate::snapshot::time::Time;
use crate::snapshot::Input;

#[macro_use]
mod registry;
rule_table!(declare_rules);

/// The causes of console-access-group-not-found: which of the two console groups.
pub use console_access_group_not_found::{FULL_ACCESS_GROUP, RESTRICTED_ACCESS_GROUP};

/// The subject id of findings about the Lookout-side Intune connector settings.
pub const CONNECTOR_SUBJECT: &str = "intune-connector";

/// The subject id of an Intune MTD connector: its Graph id.
pub(crate) fn mtd_connector_subject(c: &crate::snapshot::mtd_connector::MtdConnector) -> String {
    c.id.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("intune-mtd-connector")
        .to_string()
}

/// Why a rule could not run on this snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A file the rule reads is not in the snapshot.
    MissingInput(Input),
    /// lookout.json has no Intune connector, so no enrollment group defines scope.
    NoIntuneConnector,
    /// Turned off by policy: `true` on the command line (--allow), `false` in the file.
    TurnedOff(bool),
    /// A lookout.json setting the rule judges still holds a template placeholder (its
    /// path), so its value is unknown.
    Placeholder(String),
    /// A lookout.json setting the rule judges against is not set (its path).
    NotConfigured(&'static str),
}

/// What a rule sees: the tenant, the instant it is judged at, and the help-desk focus.
pub struct Context<'a> {
    pub tenant: &'a Tenant,
    pub as_of: Time,
    pub focus: &'a Focus,
}

/// What the catalogue knows about a rule without running it (its slug and knowledge
/// file follow from its `RuleId`).
pub struct RuleMeta {
    pub default_severity: Severity,
    pub subject_kind: SubjectKind,
    /// Cause slugs this rule can report, in precedence order.
    pub causes: &'static [&'static str],
    /// Files the rule cannot work without.
    pub needs: &'static [Input],
}

/// A rule's own id, for its code (`Self::ID`); the registry implements it for every
/// rule type.
pub trait Registered {
    const ID: RuleId;
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    fn default_severity(&self) -> Severity {
        self.meta().default_severity
    }
    fn subject_kind(&self) -> SubjectKind {
        self.meta().subject_kind
    }
    fn causes(&self) -> &'static [&'static str] {
        self.meta().causes
    }
    fn needs(&self) -> &'static [Input] {
        self.meta().needs
    }
    /// A reason beyond missing files not to run (checked after `needs`).
    fn skip_reason(&self, _ctx: &Context) -> Option<SkipReason> {
        None
    }
    fn check(&self, ctx: &Context, out: &mut Vec<Finding>);
}

/// The users and devices a help-desk run asks about (`--user`, `--device`).
#[derive(Debug, Clone, Default)]
pub struct Focus {
    /// Lower-case UPNs.
    pub users: Vec<String>,
    /// Lower-case device ids (Lookout guid, Intune id, Entra device id).
    pub devices: Vec<String>,
}

impl Focus {
    pub fn new(users: &[String], devices: &[String]) -> Focus {
        let norm = |v: &[String]| {
            let mut v: Vec<String> = v.iter().map(|s| s.trim().to_lowercase()).collect();
            v.sort();
            v.dedup();
            v
        };
        Focus {
            users: norm(users),
            devices: norm(devices),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.devices.is_empty()
    }

    /// The focus with each user also known by the other names the directory has for
    /// them (UPN and mail), so a user asked about by e-mail address gets the findings
    /// filed under their UPN, and the other way round.
    pub fn resolved(&self, t: &Tenant) -> Focus {
        let mut users = self.users.clone();
        for q in &self.users {
            if let Some(u) = t.user(q).map(|u| &t.users[u]) {
                users.push(u.upn.to_string());
                users.extend(u.mail.as_deref().map(str::to_owned));
            }
        }
        Focus::new(&users, &self.devices)
    }

    pub fn names_user(&self, upn: Option<&str>) -> bool {
        upn.is_some_and(|u| self.users.iter().any(|f| f.eq_ignore_ascii_case(u.trim())))
    }

    pub fn names_device(&self, id: Option<&str>) -> bool {
        id.is_some_and(|d| {
            self.devices
                .iter()
                .any(|f| f.eq_ignore_ascii_case(d.trim()))
        })
    }

    /// True when the finding concerns a focused user or device. Tenant, connector and
    /// group findings concern everyone.
    pub fn keeps(&self, f: &Finding) -> bool {
        if self.is_empty() {
            return true;
        }
        match f.subject.kind {
            SubjectKind::Tenant | SubjectKind::Connector | SubjectKind::Group => true,
            SubjectKind::User | SubjectKind::Device => {
                f.concerns.users.iter().any(|u| self.names_user(Some(u)))
                    || f.concerns
                        .devices
                        .iter()
                        .any(|d| self.names_device(Some(d)))
            }
        }
    }

    /// True when the Intune device or its owner is asked about.
    pub fn names_intune(&self, t: &Tenant, d: &IntuneDevice) -> bool {
        if self.is_empty() {
            return false;
        }
        self.names_user(d.owner().as_deref())
            || self.names_device(Some(&d.id))
            || self.names_device(d.entra_device_id())
            || t.lookout_records_for(d)
                .iter()
                .any(|l| self.names_device(Some(&l.guid)))
    }
}

/// A finding about a Lookout device record, with everything focus needs to match it.
pub(crate) fn lookout_device_finding(
    ctx: &Context,
    rule: RuleId,
    severity: Severity,
    device: &LookoutDevice,
) -> Finding {
    let t = ctx.tenant;
    let owner = device.email.as_deref();
    let subject = Subject::new(SubjectKind::Device, device.guid.as_str())
        .named(t.lookout_device_name(device).as_deref())
        .owned_by(owner);
    let mut f = Finding::new(rule, severity, subject).concerning_user(owner);
    if let Some(i) = t.linked_intune(device) {
        f = f.concerning_user(i.owner().as_deref());
    }
    for id in t.lookout_device_ids(device) {
        f = f.concerning_device(Some(id));
    }
    f
}

/// A finding about an Intune managed device.
pub(crate) fn intune_device_finding(
    ctx: &Context,
    rule: RuleId,
    severity: Severity,
    device: &IntuneDevice,
) -> Finding {
    let owner = device.owner();
    let subject = Subject::new(SubjectKind::Device, device.id.as_str())
        .named(device.device_name.as_deref())
        .owned_by(owner.as_deref());
    let mut f = Finding::new(rule, severity, subject)
        .concerning_user(owner.as_deref())
        .concerning_device(Some(&device.id))
        .concerning_device(device.entra_device_id());
    for l in ctx.tenant.lookout_records_for(device) {
        f = f.concerning_device(Some(&l.guid));
    }
    f
}

/// The display name of the enrollment group that brings `user` into scope, if any.
pub(crate) fn enrollment_group_of(t: &Tenant, user: Option<&str>) -> Option<String> {
    user.and_then(|u| t.enrolment(u))
        .map(|e| t.groups[e.enrollment_group].name.clone())
}

/// The configuration finding for a configured enrollment group that resolves to no group.
pub(crate) fn missing_enrollment_group_finding(t: &Tenant, name: &str) -> (RuleId, String) {
    let case_only = t
        .enrollment_groups
        .iter()
        .any(|c| c.name == name && c.exact.is_empty() && !c.case_only.is_empty());
    if case_only {
        (RuleId::EnrollmentGroupCaseMismatch, name.to_string())
    } else {
        (RuleId::EnrollmentGroupNotFound, name.to_string())
    }
}

/// Whole days from `earlier` to `later` (floor), for evidence; `None` when `later`
/// comes first: an event after the judging time has no age to state.
pub(crate) fn days_between(earlier: Time, later: Time) -> Option<i64> {
    (later >= earlier).then(|| (later - earlier).num_days())
}

pub(crate) fn fmt_time(t: Option<Time>) -> serde_json::Value {
    t.map(|t| crate::snapshot::time::format(&t).into())
        .unwrap_or(serde_json::Value::Null)
}

/// Rules about the connector's settings have nothing to judge when lookout.json has no
/// Intune connector (intune-connector-missing reports that once).
pub(crate) fn connector_required(ctx: &Context) -> Option<SkipReason> {
    ctx.tenant
        .config
        .intune_connector
        .is_none()
        .then_some(SkipReason::NoIntuneConnector)
}

/// Why a rule cannot judge the lookout.json settings it reads: one still holds a
/// template placeholder, or the console checks have users to judge but no
/// full-access group to judge them against. Checked for every rule, before it runs.
pub(crate) fn settings_skip(id: RuleId, ctx: &Context) -> Option<SkipReason> {
    const FULL_ACCESS: &str = "console_access.full_access_group_id";
    let cfg = &ctx.tenant.config;
    let setting = match id {
        RuleId::TenantNotLinked => "tenant.azure_ad_tenant_id",
        RuleId::EnrollmentGroupsUnset => "intune_connector.enrollment_groups",
        RuleId::ErrorNotificationsUnset => "intune_connector.error_management_emails",
        RuleId::ConsoleAccessDenied | RuleId::ConsoleAccessRestricted => FULL_ACCESS,
        _ => return None,
    };
    if let Some(p) = cfg.placeholder_in(setting) {
        return Some(SkipReason::Placeholder(p.key.clone()));
    }
    let full_access_unset = cfg
        .console_access
        .full_access_group_id
        .as_deref()
        .is_none_or(|id| id.trim().is_empty());
    (setting == FULL_ACCESS && full_access_unset && !console_users(ctx).is_empty())
        .then_some(SkipReason::NotConfigured(FULL_ACCESS))
}

/// The tenant a tenant-level finding is about: snapshot.json's tenant id, else the
/// one configured in Lookout.
pub(crate) fn tenant_subject_id(t: &Tenant) -> String {
    t.tenant_id
        .clone()
        .or_else(|| {
            t.config
                .tenant
                .azure_ad_tenant_id
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// Users whose console access is checked: `expected_users`, lower-case, each once,
/// sorted. A user asked about with `--user` is not one of them (a phone user need not
/// use the console): the report states their console access as a fact instead.
pub(crate) fn console_users(ctx: &Context) -> Vec<String> {
    let mut users: Vec<String> = ctx
        .tenant
        .config
        .console_access
        .expected_users
        .iter()
        .map(|u| u.trim().to_lowercase())
        .filter(|u| !u.is_empty())
        .collect();
    users.sort();
    users.dedup();
    users
}

/// Where a user stands with the two console-access groups.
pub(crate) struct ConsoleMembership {
    /// Membership path into the full-access group ("Lookout Admins > Helpdesk").
    pub full: Option<String>,
    pub restricted: Option<String>,
    pub full_group_name: Option<String>,
    pub restricted_group_name: Option<String>,
}

pub(crate) fn console_membership(t: &Tenant, upn: &str) -> ConsoleMembership {
    let access = &t.config.console_access;
    let resolve = |id: &Option<String>| {
        id.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|id| t.group_by_id(id))
    };
    let path_in = |g: Option<usize>| {
        let (g, u) = (g?, t.user(upn)?);
        t.membership_path(g, u).map(|p| t.path_names(&p))
    };
    let full = resolve(&access.full_access_group_id);
    let restricted = resolve(&access.restricted_access_group_id);
    ConsoleMembership {
        full: path_in(full),
        restricted: path_in(restricted),
        full_group_name: full.map(|g| t.groups[g].name.clone()),
        restricted_group_name: restricted.map(|g| t.groups[g].name.clone()),
    }
}

#[cfg(test)]
pub(crate) mod testkit;

#[cfg(test)]
mod tests {
    use super::testkit::Fixture;
    use super::RuleId;

    #[test]
    fn a_user_asked_about_by_mail_gets_the_findings_of_their_upn() {
        // Bob's UPN is bob@; his mail is robert.smith@. His phone is pending.
        let pending = |fixture: Fixture| {
            fixture
                .lookout_device("lk-bob", "bob@contoso.com", "PENDING", "", "aad-bob")
                .run_one(RuleId::DevicePending)
        };
        assert_eq!(
            pending(Fixture::new().focus_user("Robert.Smith@contoso.com")).len(),
            1
        );
        assert_eq!(
            pending(Fixture::new().focus_user("bob@contoso.com")).len(),
            1
        );
        assert!(pending(Fixture::new().focus_user("alice@contoso.com")).is_empty());
    }

    /// An event after the judging time (a snapshot judged before its export) has no
    /// age: the evidence says nothing rather than a negative number of days.
    #[test]
    fn events_after_the_judging_time_have_no_age() {
        let f = Fixture::new()
            .lookout_device(
                "lk-alice",
                "alice@contoso.com",
                "ACTIVATED",
                "DISCONNECTED",
                "d-alice",
            )
            .checkin("lk-alice", "2027-03-01T00:00:00Z")
            .run_one(RuleId::DeviceDisconnected);
        assert_eq!(f.len(), 1);
        assert!(f[0].evidence.get("days_since_check_in").unwrap().is_null());
        assert!(!crate::knowledge::render(
            crate::knowledge::of(RuleId::DeviceDisconnected)
                .text("en")
                .diagnosis_template(f[0].cause),
            &f[0]
        )
        .contains("days ago"));
    }
}
