//! Lookout's consent, from the best evidence the snapshot holds (SPEC 4.1): Entra's
//! own enterprise applications (service-principals.json) first, what the
//! administrator wrote in lookout.json (`tenant.consent.granted`) else.
//!
//! Lookout's application id is not published, so its enterprise application is the
//! one whose name or publisher says Lookout, unless lookout.json names its app id
//! (`tenant.consent.app_id`). A single sign-on application an administrator made in
//! the tenant (Lookout's SSO guide names it `lookout_saml`) is named like Lookout but
//! is not its integration: it is set aside, never decides.

use super::Tenant;
use crate::snapshot::service_principals::{Entry, PermissionGrant};
use rustc_hash::FxHashMap as HashMap;

/// An enterprise application with what was granted to it, its grants and assignments
/// gathered from wherever the file listed them.
#[derive(Debug, Clone, Default)]
pub struct Principal {
    /// Object id in this tenant.
    pub id: Option<String>,
    pub app_id: Option<String>,
    /// `displayName`, else `appDisplayName`, else the name its assignments give it.
    pub name: Option<String>,
    /// `publisherName`, else the verified publisher's name.
    pub publisher: Option<String>,
    /// Made in this tenant (owned by it, or set up for SAML single sign-on).
    pub made_here: bool,
    /// Permission names consented by an administrator for everyone (`AllPrincipals`
    /// grants), each once, in grant order.
    pub admin_scopes: Vec<String>,
    /// `AllPrincipals` grants, whatever their scope.
    pub admin_grants: usize,
    /// Grants that users consented to for themselves (`Principal`).
    pub user_grants: usize,
    /// Application permissions (app role assignments held by the application).
    pub app_roles: usize,
}

impl Principal {
    /// Something was consented to by an administrator: a delegated grant for all
    /// users, or an application permission.
    pub fn admin_consented(&self) -> bool {
        self.admin_grants > 0 || self.app_roles > 0
    }

    /// Known by neither a name nor an app id: only its grants were exported.
    fn unnamed(&self) -> bool {
        self.name.is_none() && self.app_id.is_none()
    }

    fn add_grant(&mut self, g: &PermissionGrant) {
        let consent = g.consent_type.as_deref().unwrap_or("").trim();
        if consent.eq_ignore_ascii_case("AllPrincipals") {
            self.admin_grants += 1;
            for scope in g.scope.as_deref().unwrap_or("").split_whitespace() {
                if !self.admin_scopes.iter().any(|s| s == scope) {
                    self.admin_scopes.push(scope.to_owned());
                }
            }
        } else if consent.eq_ignore_ascii_case("Principal") {
            self.user_grants += 1;
        }
    }
}

/// Joins the file's records into applications, in file order. A grant or assignment
/// whose application is not in the file stands for it (an assignment names it).
pub(super) fn principals(entries: Vec<Entry>, own_tenants: &[&str]) -> Vec<Principal> {
    let mut out: Vec<Principal> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::default();
    // Grants and assignments seen, by id: the same one nested and listed apart counts once.
    let mut seen: HashMap<String, ()> = HashMap::default();
    let mut first_time = |kind: &str, id: Option<&str>| {
        id.map(str::trim)
            .filter(|i| !i.is_empty())
            .is_none_or(|i| seen.insert(format!("{kind}:{i}"), ()).is_none())
    };
    let mut slot = |out: &mut Vec<Principal>, id: Option<&str>| -> usize {
        let key = id
            .map(|i| i.trim().to_lowercase())
            .filter(|i| !i.is_empty());
        if let Some(&ix) = key.as_ref().and_then(|k| by_id.get(k)) {
            return ix;
        }
        out.push(Principal {
            id: key.clone(),
            ..Principal::default()
        });
        if let Some(k) = key {
            by_id.insert(k, out.len() - 1);
        }
        out.len() - 1
    };
    let text = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    // Applications first, so that listed-apart records find theirs whatever the order.
    let (apps, others): (Vec<Entry>, Vec<Entry>) = entries
        .into_iter()
        .partition(|e| matches!(e, Entry::Principal(_)));
    for entry in apps.into_iter().chain(others) {
        match entry {
            Entry::Principal(sp) => {
                let ix = slot(&mut out, sp.id.as_deref());
                let p = &mut out[ix];
                p.app_id = text(sp.app_id.as_deref());
                p.name = text(sp.display_name.as_deref())
                    .or_else(|| text(sp.app_display_name.as_deref()));
                p.publisher = text(sp.publisher_name.as_deref())
                    .or_else(|| text(sp.verified_publisher.as_deref()));
                let owner = sp.app_owner_organization_id.as_deref().map(str::trim);
                p.made_here = owner
                    .is_some_and(|o| own_tenants.iter().any(|t| t.trim().eq_ignore_ascii_case(o)))
                    || sp
                        .preferred_single_sign_on_mode
                        .as_deref()
                        .is_some_and(|m| m.trim().eq_ignore_ascii_case("saml"))
                    || sp.tags.iter().any(|t| {
                        t.eq_ignore_ascii_case(
                            "WindowsAzureActiveDirectoryCustomSingleSignOnApplication",
                        )
                    });
                for g in &sp.grants {
                    if first_time("grant", g.id.as_deref()) {
                        p.add_grant(g);
                    }
                }
                for a in &sp.assignments {
                    if first_time("assignment", a.id.as_deref()) {
                        p.app_roles += 1;
                    }
                }
            }
            Entry::Grant(g) => {
                if first_time("grant", g.id.as_deref()) {
                    let ix = slot(&mut out, g.client_id.as_deref());
                    out[ix].add_grant(&g);
                }
            }
            Entry::Assignment(a) => {
                // Assignments of users and groups to an application are not
                // permissions granted to it.
                let by_application = a
                    .principal_type
                    .as_deref()
                    .is_none_or(|t| t.trim().eq_ignore_ascii_case("ServicePrincipal"));
                if by_application && first_time("assignment", a.id.as_deref()) {
                    let ix = slot(&mut out, a.principal_id.as_deref());
                    let p = &mut out[ix];
                    p.app_roles += 1;
                    if p.name.is_none() {
                        p.name = text(a.principal_display_name.as_deref());
                    }
                }
            }
        }
    }
    out
}

/// What the snapshot says about the consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentState {
    Granted,
    NotGranted,
    /// Nothing says: lookout.json leaves it unset and no application list decides.
    Unknown,
}

/// Which evidence decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentSource {
    /// Entra's enterprise applications (service-principals.json).
    ServicePrincipals,
    /// `tenant.consent.granted` in lookout.json.
    Setting,
    Nothing,
}

/// Lookout's consent as the evidence shows it, with the evidence.
#[derive(Debug, Clone)]
pub struct ConsentVerdict<'t> {
    pub state: ConsentState,
    pub source: ConsentSource,
    /// What lookout.json says (`None`: unset or a placeholder).
    pub setting: Option<bool>,
    /// The app id looked for, when lookout.json names one; else Lookout's
    /// application is looked for by name.
    pub app_id: Option<&'t str>,
    /// Applications in service-principals.json taken for Lookout's (empty when
    /// there is none, or no such file).
    pub lookout_apps: Vec<&'t Principal>,
    /// Applications named like Lookout but made in this tenant: set aside.
    pub set_aside: Vec<&'t Principal>,
    /// Applications known only by the grants exported for them, whose name the file
    /// does not give: when Lookout's is not found, one of them could be it.
    pub unnamed: usize,
    /// Applications service-principals.json holds (`None`: no such file).
    pub principals_read: Option<usize>,
}

impl Tenant {
    /// Lookout's consent: service-principals.json decides when it shows an answer,
    /// lookout.json's setting otherwise.
    pub fn consent(&self) -> ConsentVerdict<'_> {
        let consent = &self.config.tenant.consent;
        let app_id = consent
            .app_id
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty());
        let mut verdict = ConsentVerdict {
            state: match consent.granted {
                Some(true) => ConsentState::Granted,
                Some(false) => ConsentState::NotGranted,
                None => ConsentState::Unknown,
            },
            source: match consent.granted {
                Some(_) => ConsentSource::Setting,
                None => ConsentSource::Nothing,
            },
            setting: consent.granted,
            app_id,
            lookout_apps: Vec::new(),
            set_aside: Vec::new(),
            unnamed: 0,
            principals_read: None,
        };
        if !self.has(crate::snapshot::Input::ServicePrincipals) {
            return verdict;
        }
        verdict.principals_read = Some(self.service_principals.len());
        for p in &self.service_principals {
            let has_app_id = |id: &str| {
                p.app_id
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(id))
            };
            match app_id {
                // The app id the administrator named decides alone.
                Some(id) if has_app_id(id) => verdict.lookout_apps.push(p),
                Some(_) => {}
                None if names_lookout(p) && p.made_here => verdict.set_aside.push(p),
                None if names_lookout(p) => verdict.lookout_apps.push(p),
                None => {}
            }
        }
        verdict.unnamed = self
            .service_principals
            .iter()
            .filter(|p| p.unnamed() && p.admin_consented())
            .count();
        let granted = verdict.lookout_apps.iter().any(|p| p.admin_consented());
        // Without Lookout's application in the file, grants of applications the file
        // does not name leave the question open: the setting answers it.
        let open = verdict.lookout_apps.is_empty() && verdict.unnamed > 0;
        if !open {
            verdict.source = ConsentSource::ServicePrincipals;
            verdict.state = if granted {
                ConsentState::Granted
            } else {
                ConsentState::NotGranted
            };
        }
        verdict
    }
}

/// Named or published like Lookout.
fn names_lookout(p: &Principal) -> bool {
    [p.name.as_deref(), p.publisher.as_deref()]
        .into_iter()
        .flatten()
        .any(|n| n.to_lowercase().contains("lookout"))
}
