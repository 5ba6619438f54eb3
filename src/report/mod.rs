//! The report: everything a printer needs, decided once (texts rendered, findings
//! sorted, summary counted). Printers only lay it out, one module per format.

pub mod baseline;
mod csv;
mod github;
mod human;
mod json;
mod junit;
mod markdown;
pub mod overview;
mod sarif;

pub use human::{wrap_hanging, HumanPrinter, Style};
pub use json::JsonPrinter;

use crate::cli::OutputFormat;
use crate::engine::{Outcome, SuppressionState};
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
    /// Every suppression of the configuration and what became of it.
    pub suppressions: Vec<SuppressionEntry>,
    /// With `--baseline`: findings of the baseline that are gone now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Vec<baseline::ResolvedFinding>>,
    /// The integration's health, item by item (the human report opens with it).
    pub health: Vec<overview::HealthLine>,
    pub findings: Vec<ReportFinding>,
    /// The language of the human text fields.
    #[serde(skip)]
    pub lang: String,
    #[serde(skip)]
    pub focus: Vec<String>,
    /// The snapshot file read for each input (for formats that point at files).
    #[serde(skip)]
    pub files: Vec<(crate::snapshot::Input, String)>,
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

/// Counts of findings that count: suppressed ones are only in `suppressed`.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub suppressed: usize,
    /// With `--baseline`: findings that were not in the baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct SuppressionEntry {
    pub rule: String,
    pub subject: String,
    pub reason: String,
    pub expires: Option<String>,
    pub state: SuppressionState,
    pub matched: usize,
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
    // The rule's texts are shared with the knowledge base, not copied per finding:
    // a fleet's report has tens of thousands of findings of a handful of rules.
    pub title: &'static str,
    pub diagnosis: String,
    pub impact: &'static str,
    pub remediation: &'static [String],
    pub references: &'static [String],
    pub evidence: Evidence,
    /// The configuration finding that explains this one (also in `evidence`).
    #[serde(skip)]
    pub root_cause: Option<RootCause>,
    /// The reason of the suppression covering this finding; it then counts toward
    /// neither the summary's severities nor the exit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
    /// With `--baseline`: "new" or "unchanged".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<baseline::BaselineState>,
}

impl ReportFinding {
    pub fn is_suppressed(&self) -> bool {
        self.suppressed.is_some()
    }

    /// "device lk-1 (Pixel 8, alice@contoso.com)": the subject for one-line mentions.
    pub fn subject_label(&self) -> String {
        let mut label = format!("{} {}", self.subject.kind.as_str(), self.subject.id);
        let extra: Vec<&str> = [self.subject.name.as_deref(), self.subject.user.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !extra.is_empty() {
            label.push_str(&format!(" ({})", extra.join(", ")));
        }
        label
    }
}

impl Report {
    /// The snapshot file a finding is about (the one to look at or re-export), as a
    /// path relative to where the tool was run.
    pub fn file_of(&self, f: &ReportFinding) -> String {
        use crate::finding::SubjectKind;
        use crate::snapshot::Input;
        let needs = crate::rules::by_slug(f.rule).map_or(&[][..], |r| r.needs());
        let input = if needs.contains(&Input::MtdConnector) {
            Input::MtdConnector
        } else {
            match f.subject.kind {
                SubjectKind::Device => needs
                    .iter()
                    .copied()
                    .find(|i| matches!(i, Input::IntuneDevices | Input::LookoutDevices))
                    .unwrap_or(Input::LookoutDevices),
                SubjectKind::User => Input::Groups,
                _ => Input::Lookout,
            }
        };
        let name = self
            .files
            .iter()
            .find(|(i, _)| *i == input)
            .map_or_else(|| format!("{}.json", input.stem()), |(_, n)| n.clone());
        let base = self.snapshot.path.trim_end_matches(['/', '\\']);
        format!("{base}/{name}")
    }
}

pub struct BuildOptions<'a> {
    pub snapshot_path: &'a str,
    pub as_of: Time,
    pub as_of_source: AsOfSource,
    pub lang: &'a str,
    pub focus: Vec<String>,
    /// The findings of an earlier run, to mark new and resolved ones.
    pub baseline: Option<&'a baseline::Baseline>,
}

impl<'a> BuildOptions<'a> {
    /// English, no focus, no baseline, judged at an explicit instant: what harnesses
    /// (property tests, fuzz targets) need.
    pub fn plain(snapshot_path: &'a str, as_of: Time) -> BuildOptions<'a> {
        BuildOptions {
            snapshot_path,
            as_of,
            as_of_source: AsOfSource::Option,
            lang: "en",
            focus: Vec::new(),
            baseline: None,
        }
    }
}

/// Turns the engine's outcome into a report: texts rendered in `lang`, summary counted.
pub fn build(tenant: &Tenant, outcome: Outcome, opts: &BuildOptions) -> Report {
    let msg = messages::get(opts.lang);
    let mut summary = Summary::default();
    let findings = outcome
        .findings
        .into_iter()
        .map(|f| {
            if f.suppressed.is_some() {
                summary.suppressed += 1;
            } else {
                summary.add(f.severity);
            }
            let k = knowledge::of(f.rule);
            let text = k.text(opts.lang);
            ReportFinding {
                rule: f.rule,
                severity: f.severity,
                cause: f.cause,
                title: &text.title,
                diagnosis: knowledge::render(text.diagnosis_template(f.cause), &f),
                impact: text.impact.trim(),
                remediation: text.remediation(f.cause),
                references: &k.references,
                subject: f.subject,
                evidence: f.evidence,
                root_cause: f.root_cause,
                suppressed: f.suppressed,
                baseline_state: None,
            }
        })
        .collect::<Vec<_>>();
    let mut findings = findings;
    let resolved = opts.baseline.map(|b| {
        let (new, resolved) = b.compare(&mut findings);
        summary.new = Some(new);
        resolved
    });
    let suppressions = outcome
        .suppressions
        .into_iter()
        .map(|o| SuppressionEntry {
            rule: o.suppression.rule,
            subject: o.suppression.subject,
            reason: o.suppression.reason,
            expires: o
                .suppression
                .expires
                .map(|d| d.format("%Y-%m-%d").to_string()),
            state: o.state,
            matched: o.matched,
        })
        .collect();
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
                SkipReason::TurnedOff(true) => msg.t("skip.turned_off_cli"),
                SkipReason::TurnedOff(false) => msg.t("skip.turned_off_config"),
            },
        })
        .collect();
    let notes = tenant
        .files
        .iter()
        .flat_map(|f| {
            f.notes.iter().map(|n| Note {
                file: f.name.clone(),
                message: n.describe(msg),
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
        suppressions,
        resolved,
        health,
        findings,
        lang: opts.lang.to_string(),
        focus: opts.focus.clone(),
        files: tenant
            .files
            .iter()
            .map(|f| (f.input, f.name.clone()))
            .collect(),
    }
}

/// One output format.
pub trait Printer {
    fn print(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;

    /// Several tenants' reports in one output. By default one after the other; formats
    /// with a container of their own (a JSON array, SARIF runs) override it.
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        for (i, r) in reports.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            self.print(r, out)?;
        }
        Ok(())
    }
}

/// The printer of a `--format`.
pub fn printer(format: OutputFormat, style: Style) -> Box<dyn Printer> {
    match format {
        OutputFormat::Human => Box::new(HumanPrinter { style }),
        OutputFormat::Json => Box::new(JsonPrinter),
        OutputFormat::Markdown => Box::new(markdown::MarkdownPrinter { fail: style.fail }),
        OutputFormat::Sarif => Box::new(sarif::SarifPrinter),
        OutputFormat::Junit => Box::new(junit::JunitPrinter { fail: style.fail }),
        OutputFormat::Csv => Box::new(csv::CsvPrinter),
        OutputFormat::Github => Box::new(github::GithubPrinter { fail: style.fail }),
    }
}

/// When a run fails (exit code 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailPolicy {
    /// `--fail-on`; `None` for never.
    pub threshold: Option<Severity>,
    /// `--fail-on-new`: only findings that are not in the baseline count.
    pub new_only: bool,
}

impl Report {
    /// The findings that decide the exit code: not suppressed, at or above the
    /// threshold, and new when only new ones count.
    pub fn failing(&self, policy: FailPolicy) -> impl Iterator<Item = &ReportFinding> {
        self.findings.iter().filter(move |f| {
            !f.is_suppressed()
                && policy.threshold.is_some_and(|t| f.severity.at_least(t))
                && (!policy.new_only
                    || f.baseline_state != Some(baseline::BaselineState::Unchanged))
        })
    }

    pub fn exit_code(&self, policy: FailPolicy) -> u8 {
        u8::from(self.failing(policy).next().is_some())
    }
}
