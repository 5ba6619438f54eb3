//! The health overview that opens the human report: one line per part of the
//! integration the setup guide configures, each green, yellow or red. A line is red or
//! yellow exactly when the rule that audits that setting reported something, so the
//! overview and the findings never disagree.

use super::ReportFinding;
use crate::finding::Severity;
use crate::messages::Messages;
use crate::model::{ConsentSource, ConsentState, Principal, Tenant};
use crate::rules::RuleId;
use crate::rules::{FULL_ACCESS_GROUP, RESTRICTED_ACCESS_GROUP};
use crate::snapshot::mtd_connector::MtdConnector;
use crate::snapshot::time::{self, Time};
use crate::snapshot::Input;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Ok,
    Warning,
    Error,
    /// Not in the snapshot, so not judged.
    Unknown,
}

impl Health {
    /// The status as the JSON report writes it, and the key of its message
    /// (`health.status.…`) and of its style in the HTML page.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Warning => "warning",
            Health::Error => "error",
            Health::Unknown => "unknown",
        }
    }

    /// The status in the report language.
    pub fn label(self, msg: &Messages) -> String {
        msg.t(&format!("health.status.{}", self.as_str()))
    }
}

#[derive(Debug, Serialize)]
pub struct HealthLine {
    /// Stable key of the checked item (consent, tenant-link, ...).
    pub item: &'static str,
    pub status: Health,
    /// The item's name in the report language.
    pub label: String,
    pub detail: String,
}

/// Worst status among the findings of `rules` (Ok when none fired).
fn status_of<'f>(
    findings: impl IntoIterator<Item = &'f ReportFinding>,
    rules: &[RuleId],
) -> Health {
    let worst = findings
        .into_iter()
        .filter(|f| rules.contains(&f.rule))
        .map(|f| f.severity)
        .min();
    match worst {
        None => Health::Ok,
        Some(Severity::Error) => Health::Error,
        Some(_) => Health::Warning,
    }
}

pub fn build(
    t: &Tenant,
    findings: &[ReportFinding],
    as_of: Time,
    msg: &Messages,
) -> Vec<HealthLine> {
    let mut lines = Vec::new();
    let mut line = |item: &'static str, status: Health, detail: String| {
        lines.push(HealthLine {
            item,
            status,
            label: msg.t(&format!("health.item.{item}")),
            detail,
        });
    };
    let cfg = &t.config;

    let (status, detail) = consent_line(t, findings, msg);
    line("consent", status, detail);

    let configured = cfg
        .tenant
        .azure_ad_tenant_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (status, detail) = match (configured, t.tenant_id.as_deref()) {
        (None, _) if cfg.placeholder_in("tenant.azure_ad_tenant_id").is_some() => (
            Health::Unknown,
            msg.f(
                "health.placeholder",
                &[("key", &"tenant.azure_ad_tenant_id")],
            ),
        ),
        (Some(c), None) => (
            Health::Unknown,
            msg.f("health.tenant_unverified", &[("id", &c)]),
        ),
        (Some(c), Some(_)) => (
            status_of(findings, &[RuleId::TenantNotLinked]),
            msg.f("health.tenant_linked", &[("id", &c)]),
        ),
        (None, _) => (
            status_of(findings, &[RuleId::TenantNotLinked]),
            msg.t("health.tenant_missing"),
        ),
    };
    line("tenant-link", status, detail);

    let has_groups = t.has(Input::Groups);
    // Each console group's line: unset is said (the full-access group is what console
    // access is judged against, so without it access is unknown; the restricted one is
    // optional), a configured id is looked up.
    let console_line = |key: &'static str, id: &Option<String>, cause: &str, required: bool| {
        let id = id.as_deref().map(str::trim).filter(|s| !s.is_empty());
        match id {
            None if cfg.placeholder_in(key).is_some() => (
                Health::Unknown,
                msg.f("health.placeholder", &[("key", &key)]),
            ),
            None if required => (
                Health::Unknown,
                msg.f("health.console_not_configured", &[("key", &key)]),
            ),
            None => (Health::Ok, msg.t("health.not_configured")),
            Some(id) if !has_groups => (
                Health::Unknown,
                msg.f("health.group_id_only", &[("id", &id)]),
            ),
            Some(id) => {
                let status = status_of(
                    findings.iter().filter(|f| f.cause == Some(cause)),
                    &[RuleId::ConsoleAccessGroupNotFound],
                );
                let detail = match t.group_by_id(id) {
                    Some(g) => msg.f(
                        "health.group_members",
                        &[
                            ("name", &t.groups[g].name),
                            ("count", &t.transitive_users(g).len()),
                        ],
                    ),
                    None => msg.f("health.group_not_found", &[("id", &id)]),
                };
                (status, detail)
            }
        }
    };
    let access = &cfg.console_access;
    let (status, detail) = console_line(
        "console_access.full_access_group_id",
        &access.full_access_group_id,
        FULL_ACCESS_GROUP,
        true,
    );
    line("console-full-access", status, detail);
    let (status, detail) = console_line(
        "console_access.restricted_access_group_id",
        &access.restricted_access_group_id,
        RESTRICTED_ACCESS_GROUP,
        false,
    );
    line("console-restricted-access", status, detail);

    match &cfg.intune_connector {
        None => line(
            "intune-connector",
            status_of(findings, &[RuleId::IntuneConnectorMissing]),
            msg.t("health.connector_missing"),
        ),
        Some(c) => {
            line(
                "intune-connector",
                Health::Ok,
                msg.f(
                    "health.connector_present",
                    &[("minutes", &c.heartbeat_frequency_minutes)],
                ),
            );
            let details: Vec<String> = t
                .enrollment_groups
                .iter()
                .map(|g| {
                    if !has_groups {
                        format!("\"{}\"", g.name)
                    } else if let Some(&ix) = g.exact.first() {
                        msg.f(
                            "health.group_members",
                            &[("name", &g.name), ("count", &t.transitive_users(ix).len())],
                        )
                    } else if let Some(&ix) = g.case_only.first() {
                        msg.f(
                            "health.group_case_mismatch",
                            &[("name", &g.name), ("actual", &t.groups[ix].name)],
                        )
                    } else {
                        msg.f("health.group_name_not_found", &[("name", &g.name)])
                    }
                })
                .collect();
            let placeholder = cfg
                .placeholder_in("intune_connector.enrollment_groups")
                .map(|p| msg.f("health.placeholder", &[("key", &p.key)]));
            let (status, detail) = match placeholder {
                // No name at all: unset, unless a placeholder stands where one belongs.
                _ if !details.is_empty() => {
                    let status = if !has_groups {
                        Health::Unknown
                    } else {
                        status_of(
                            findings,
                            &[
                                RuleId::EnrollmentGroupNotFound,
                                RuleId::EnrollmentGroupCaseMismatch,
                                RuleId::EnrollmentGroupEmpty,
                            ],
                        )
                    };
                    let mut details = details;
                    details.extend(placeholder);
                    (status, details.join("; "))
                }
                Some(placeholder) => (Health::Unknown, placeholder),
                None => (
                    status_of(findings, &[RuleId::EnrollmentGroupsUnset]),
                    msg.t("health.enrollment_groups_unset"),
                ),
            };
            line("enrollment-groups", status, detail);

            let on_off = |v: Option<bool>| {
                msg.t(if v == Some(true) {
                    "health.on_state"
                } else {
                    "health.off_state"
                })
            };
            line(
                "state-sync",
                status_of(findings, &[RuleId::StateSyncDisabled]),
                msg.f(
                    "health.state_sync",
                    &[
                        ("device", &on_off(c.state_sync.device_status)),
                        ("threat", &on_off(c.state_sync.threat_status)),
                    ],
                ),
            );
            let mails: Vec<&str> = c
                .error_management_emails
                .iter()
                .map(|m| m.trim())
                .filter(|m| !m.is_empty())
                .collect();
            let placeholder = cfg.placeholder_in("intune_connector.error_management_emails");
            let (status, detail) = match placeholder {
                Some(p) if mails.is_empty() => (
                    Health::Unknown,
                    msg.f("health.placeholder", &[("key", &p.key)]),
                ),
                _ if mails.is_empty() => (
                    status_of(findings, &[RuleId::ErrorNotificationsUnset]),
                    msg.t("health.none"),
                ),
                _ => (
                    status_of(findings, &[RuleId::ErrorNotificationsUnset]),
                    mails.join(", "),
                ),
            };
            line("error-emails", status, detail);
        }
    }

    line(
        "disconnected-threshold",
        status_of(findings, &[RuleId::DisconnectedThresholdOutOfRange]),
        msg.f("health.days", &[("days", &cfg.disconnected_after_days())]),
    );

    let mtd_rules = [
        RuleId::IntuneMtdConnectorNotEnabled,
        RuleId::IntuneMtdPartnerUnresponsive,
    ];
    // Lookout's connector only: the list holds every partner's.
    let lookout: Vec<_> = t.mtd_connectors.iter().filter(|c| c.is_lookout()).collect();
    if !t.has(Input::MtdConnector) {
        line(
            "intune-mtd-connector",
            Health::Unknown,
            msg.t("health.mtd_not_exported"),
        );
    } else if t.mtd_connectors.is_empty() {
        line(
            "intune-mtd-connector",
            Health::Unknown,
            msg.t("health.mtd_none_listed"),
        );
    } else if lookout.is_empty() {
        let others: Vec<String> = t
            .mtd_connectors
            .iter()
            .map(MtdConnector::partner_label)
            .collect();
        line(
            "intune-mtd-connector",
            status_of(findings, &mtd_rules),
            msg.f(
                "health.mtd_lookout_missing",
                &[("others", &others.join(", "))],
            ),
        );
    } else {
        for c in lookout {
            let state = c
                .partner_state
                .as_ref()
                .map_or_else(|| msg.t("value.none"), |s| s.as_str().to_owned());
            let heartbeat = match c.last_heartbeat_date_time {
                // Judged before the heartbeat: it has no age yet.
                Some(at) if at > as_of => {
                    msg.f("health.heartbeat_after", &[("at", &time::format(&at))])
                }
                Some(at) => {
                    let age = as_of - at;
                    let age = if age.num_hours() < 48 {
                        msg.f("health.hours", &[("n", &age.num_hours().max(0))])
                    } else {
                        msg.f("health.days", &[("days", &age.num_days())])
                    };
                    msg.f(
                        "health.heartbeat",
                        &[("at", &time::format(&at)), ("age", &age)],
                    )
                }
                None => msg.t("health.heartbeat_never"),
            };
            line(
                "intune-mtd-connector",
                status_of(findings, &mtd_rules),
                format!("{state}; {heartbeat}"),
            );
        }
    }
    lines
}

/// The consent line: what decided (service-principals.json or lookout.json), and what
/// it shows; unknown when neither says.
fn consent_line(t: &Tenant, findings: &[ReportFinding], msg: &Messages) -> (Health, String) {
    let v = t.consent();
    let names = |apps: &[&Principal]| {
        apps.iter()
            .map(|p| match (&p.name, &p.app_id) {
                (Some(name), _) => format!("\"{name}\""),
                (None, Some(app_id)) => app_id.clone(),
                (None, None) => p.id.clone().unwrap_or_default(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let status = status_of(findings, &[RuleId::ConsentNotGranted]);
    let consent = &t.config.tenant.consent;
    let mut detail = match (v.source, v.state) {
        (ConsentSource::ServicePrincipals, ConsentState::Granted) => {
            let granted: Vec<&Principal> = v
                .lookout_apps
                .iter()
                .copied()
                .filter(|p| p.admin_consented())
                .collect();
            msg.f(
                "health.consent_granted_in_entra",
                &[("apps", &names(&granted))],
            )
        }
        (ConsentSource::ServicePrincipals, _) if !v.lookout_apps.is_empty() => msg.f(
            "health.consent_no_admin_grant",
            &[("apps", &names(&v.lookout_apps))],
        ),
        (ConsentSource::ServicePrincipals, _) => match v.app_id {
            Some(app_id) => msg.f("health.consent_no_app_id", &[("app_id", &app_id)]),
            None => msg.f(
                "health.consent_no_app",
                &[("count", &v.principals_read.unwrap_or(0))],
            ),
        },
        (_, ConsentState::Granted) => {
            let mut d = msg.t("health.consent_granted");
            if let Some(at) = consent.granted_at {
                d.push_str(&msg.f("health.on", &[("at", &time::format(&at))]));
            }
            if let Some(by) = consent.granted_by.as_deref().filter(|b| !b.is_empty()) {
                d.push_str(&msg.f("health.by", &[("by", &by)]));
            }
            d
        }
        (_, ConsentState::NotGranted) => msg.t("health.consent_missing"),
        (_, ConsentState::Unknown) => msg.t("health.consent_unknown"),
    };
    // What else the evidence shows: a setting the applications overrule, grants of
    // applications the file does not name, applications set aside.
    if v.source == ConsentSource::ServicePrincipals {
        let contradicts = match v.setting {
            Some(granted) => granted != (v.state == ConsentState::Granted),
            None => false,
        };
        if contradicts {
            detail.push_str(&msg.f(
                "health.consent_setting_overruled",
                &[("value", &v.setting.unwrap_or_default())],
            ));
        }
    }
    if v.unnamed > 0 && v.lookout_apps.is_empty() {
        detail.push_str(&msg.f("health.consent_unnamed", &[("count", &v.unnamed)]));
    }
    if !v.set_aside.is_empty() {
        detail.push_str(&msg.f(
            "health.consent_set_aside",
            &[("apps", &names(&v.set_aside))],
        ));
    }
    let status = match v.state {
        ConsentState::Unknown => Health::Unknown,
        _ => status,
    };
    (status, detail)
}
