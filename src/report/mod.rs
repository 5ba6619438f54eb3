//! The report: everything a printer needs, decided once (texts rendered, findings
//! sorted, summary counted). Printers only lay it out, one module per format.

mod human;
mod json;
pub mod overview;

pub use human::{wrap_hanging, HumanPrinter, Style};
pub use json::JsonPrinter;

use crate::engine::Outcome;
use crate::finding::{Evidence, RootCause, Severity, Subject};
use crate::knowledge;
use crate::messages;
use crate::model::Tenant;
use crate::rules::SkipReason;
use crate::snapshot::time::{self, Time};
use serde::Serialize;
use std::io::{self, Write};

pub const SCHEMA_VERSION: u32 = 1;

/// Where the judging instant came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AsOfSource {
    /// `--as-of` on the command line.
    Option,
    /// `exported_at` in snapshot.json.
    Snapshot,
    /// Neither was given: the wall clock (the report says the run is not repeatable).
    CurrentTime,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub as_of: String,
    pub as_of_source: AsOfSource,
    pub snapshot: SnapshotInfo,
    pub skipped: Vec<SkippedRule>,
    /// Things the loader noticed that did not stop it (unknown values, unknown keys).
    pub notes: Vec<Note>,
    pub summary: Summary,
    /// The integration's health, item by item (the human report opens with it).
    pub health: Vec<overview::HealthLine>,
    pub findings: Vec<ReportFinding>,
    /// The language of the human text fields.
    #[serde(skip)]
    pub lang: String,
    #[serde(skip)]
    pub focus: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Serialize)]
pub struct SnapshotInfo {
    pub path: String,
    pub tenant_id: Option<String>,
    pub counts: Counts,
}

#[derive(Debug, Serialize)]
pub struct Counts {
    pub groups: usize,
    pub users: usize,
    pub lookout_devices: usize,
    pub intune_devices: usize,
}

#[derive(Debug, Serialize)]
pub struct SkippedRule {
    pub rule: &'static str,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct Note {
    pub file: String,
    pub message: String,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl Summary {
    pub fn add(&mut self, s: Severity) {
        match s {
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
    }

    pub fn count(&self, s: Severity) -> usize {
        match s {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ReportFinding {
    pub rule: &'static str,
    pub severity: Severity,
    pub subject: Subject,
    pub cause: Option<&'static str>,
    pub title: String,
    pub diagnosis: String,
    pub impact: String,
    pub remediation: Vec<String>,
    pub references: Vec<String>,
    pub evidence: Evidence,
    /// The configuration finding that explains this one (also in `evidence`).
    #[serde(skip)]
    pub root_cause: Option<RootCause>,
}

pub struct BuildOptions<'a> {
    pub snapshot_path: &'a str,
    pub as_of: Time,
    pub as_of_source: AsOfSource,
    pub lang: &'a str,
    pub focus: Vec<String>,
}

/// Turns the engine's outcome into a report: texts rendered in `lang`, summary counted.
pub fn build(tenant: &Tenant, outcome: Outcome, opts: &BuildOptions) -> Report {
    let msg = messages::get(opts.lang);
    let mut summary = Summary::default();
    let findings = outcome
        .findings
        .into_iter()
        .map(|f| {
            summary.add(f.severity);
            let k = knowledge::of(f.rule);
            let text = k.text(opts.lang);
            ReportFinding {
                rule: f.rule,
                severity: f.severity,
                cause: f.cause,
                title: text.title.clone(),
                diagnosis: knowledge::render(text.diagnosis_template(f.cause), &f),
                impact: text.impact.trim().to_string(),
                remediation: text.remediation(f.cause).to_vec(),
                references: k.references.clone(),
                subject: f.subject,
                evidence: f.evidence,
                root_cause: f.root_cause,
            }
        })
        .collect::<Vec<_>>();
    let health = overview::build(tenant, &findings, opts.as_of, msg);
    let skipped = outcome
        .skipped
        .into_iter()
        .map(|s| SkippedRule {
            rule: s.rule,
            reason: match s.reason {
                SkipReason::MissingInput(input) => {
                    msg.f("skip.missing_input", &[("file", &input.file_name())])
                }
                SkipReason::NoIntuneConnector => msg.t("skip.no_intune_connector"),
            },
        })
        .collect();
    let notes = tenant
        .files
        .iter()
        .flat_map(|f| {
            f.notes.iter().map(|n| Note {
                file: f.name.clone(),
                message: n.clone(),
            })
        })
        .collect();
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        as_of: time::format(&opts.as_of),
        as_of_source: opts.as_of_source,
        snapshot: SnapshotInfo {
            path: opts.snapshot_path.to_string(),
            tenant_id: tenant.tenant_id.clone(),
            counts: Counts {
                groups: tenant.groups.len(),
                users: tenant.users.len(),
                lookout_devices: tenant.lookout_devices.len(),
                intune_devices: tenant.intune_devices.len(),
            },
        },
        skipped,
        notes,
        summary,
        health,
        findings,
        lang: opts.lang.to_string(),
        focus: opts.focus.clone(),
    }
}

/// One output format.
pub trait Printer {
    fn print(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

impl Summary {
    /// True when a finding at or above `threshold` exists (`None`: never fails).
    pub fn fails(&self, threshold: Option<Severity>) -> bool {
        threshold.is_some_and(|t| {
            Severity::ALL
                .iter()
                .any(|&s| s.at_least(t) && self.count(s) > 0)
        })
    }
}
