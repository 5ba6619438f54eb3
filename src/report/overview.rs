//! The health overview that opens the human report: one line per part of the
//! integration the setup guide configures, each green, yellow or red. A line is red or
//! yellow exactly when the rule that audits that setting reported something, so the
//! overview and the findings never disagree.

use super::ReportFinding;
use crate::finding::Severity;
use crate::messages::Messages;
use crate::model::Tenant;
use crate::rules::RuleId;
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
fn status_of(findings: &[ReportFinding], rules: &[RuleId]) -> Health {
    let worst = findings
        .iter()
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

    let consent = &cfg.tenant.consent;
    let consent_detail = if consent.granted == Some(true) {
        let mut d = msg.t("health.consent_granted");
        if let Some(at) = consent.granted_at {
            d.push_str(&msg.f("health.on", &[("at", &time::format(&at))]));
        }
        if let Some(by) = consent.granted_by.as_deref().filter(|b| !b.is_empty()) {
            d.push_str(&msg.f("health.by", &[("by", &by)]));
        }
        d
    } else {
        msg.t("health.consent_missing")
    };
    line(
        "consent",
        status_of(findings, &[RuleId::ConsentNotGranted]),
        consent_detail,
    );

    let configured = cfg
        .tenant
        .azure_ad_tenant_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (status, detail) = match (configured, t.tenant_id.as_deref()) {
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
    let group_detail = |id: &Option<String>| -> String {
        let id = id.as_deref().map(str::trim).filter(|s| !s.is_empty());
        match id {
            None => msg.t("health.not_configured"),
            Some(id) if !has_groups => msg.f("health.group_id_only", &[("id", &id)]),
            Some(id) => match t.group_by_id(id) {
                Some(g) => msg.f(
                    "health.group_members",
                    &[
                        ("name", &t.groups[g].name),
                        ("count", &t.transitive_users(g).len()),
                    ],
                ),
                None => msg.f("health.group_not_found", &[("id", &id)]),
            },
        }
    };
    let console_status = if has_groups {
        status_of(findings, &[RuleId::ConsoleAccessGroupNotFound])
    } else {
        Health::Unknown
    };
    line(
        "console-full-access",
        console_status,
        group_detail(&cfg.console_access.full_access_group_id),
    );
    line(
        "console-restricted-access",
        console_status,
        group_detail(&cfg.console_access.restricted_access_group_id),
    );

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
            let detail = if details.is_empty() {
                msg.t("health.none")
            } else {
                details.join("; ")
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
            let detail = if mails.is_empty() {
                msg.t("health.none")
            } else {
                mails.join(", ")
            };
            line(
                "error-emails",
                status_of(findings, &[RuleId::ErrorNotificationsUnset]),
                detail,
            );
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
