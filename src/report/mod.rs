//! The report: everything a printer needs, decided once when it is built (texts
//! rendered, identifiers redacted, findings counted and grouped, which of them fail
//! the run, which file each is about). Printers only lay it out, one module per
//! format, each behind [`Printer`].

pub mod baseline;
mod csv;
mod github;
mod grouping;
mod human;
mod json;
mod junit;
pub mod layout;
mod markdown;
pub mod overview;
mod sarif;

pub use grouping::{Group, RuleCount};
pub use layout::Style;

use crate::engine::{Outcome, SuppressionState};
use crate::finding::{Evidence, RootCause, Severity, Subject, SubjectKind};
use crate::knowledge;
use crate::messages;
use crate::model::Tenant;
use crate::redact::Redactor;
use crate::rules::{RuleId, SkipReason};
use crate::snapshot::time::{self, Time};
use crate::snapshot::{Input, UnreadKind};
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
    /// When the run fails; `exit_code` and the formats that explain it follow it.
    #[serde(skip)]
    pub fail: FailPolicy,
    /// The summary table: findings per severity and rule (suppressed ones included),
    /// worst first, then by rule slug.
    #[serde(skip)]
    pub by_rule: Vec<RuleCount>,
    /// Which open findings are listed under the finding that explains them.
    #[serde(skip)]
    root_causes: grouping::RootCauses,
    /// The path of the snapshot file of each input (for formats that point at files).
    #[serde(skip)]
    paths: Vec<(Input, String)>,
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
    pub rule: RuleId,
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
    pub rule: RuleId,
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
    pub rule: RuleId,
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
    /// What `cause` means, in the report language, when the knowledge says.
    #[serde(skip)]
    pub cause_meaning: Option<&'static str>,
    /// The configuration finding that explains this one (also in `evidence`).
    #[serde(skip)]
    pub root_cause: Option<RootCause>,
    /// The snapshot file this finding is about: the one to look at or re-export.
    #[serde(skip)]
    pub file: Input,
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

    /// Not in the baseline this run was compared with.
    pub fn is_new(&self) -> bool {
        self.baseline_state == Some(baseline::BaselineState::New)
    }

    /// Where the finding stands, in one stable word: suppressed, new, unchanged or open.
    pub fn status(&self) -> &'static str {
        match (&self.suppressed, self.baseline_state) {
            (Some(_), _) => "suppressed",
            (None, Some(baseline::BaselineState::New)) => "new",
            (None, Some(baseline::BaselineState::Unchanged)) => "unchanged",
            (None, None) => "open",
        }
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
    /// The path of the snapshot file a finding is about, relative to where the tool
    /// was run.
    pub fn file_of(&self, f: &ReportFinding) -> &str {
        self.paths
            .iter()
            .find(|(input, _)| *input == f.file)
            .map_or("", |(_, path)| path)
    }

    /// The findings that count: not suppressed, in report order.
    pub fn open(&self) -> impl Iterator<Item = &ReportFinding> {
        self.findings.iter().filter(|f| !f.is_suppressed())
    }

    /// The findings a suppression of the configuration covers, in report order.
    pub fn suppressed(&self) -> impl Iterator<Item = &ReportFinding> {
        self.findings.iter().filter(|f| f.is_suppressed())
    }

    /// The open findings in report order, each one that another open finding explains
    /// listed under that one instead of on its own.
    pub fn groups(&self) -> impl Iterator<Item = Group<'_>> {
        self.findings
            .iter()
            .enumerate()
            .filter(|(i, f)| !f.is_suppressed() && !self.root_causes.is_explained(*i))
            .map(|(i, finding)| Group {
                finding,
                explains: self
                    .root_causes
                    .explained_by(i)
                    .iter()
                    .map(|&d| &self.findings[d])
                    .collect(),
            })
    }

    /// Whether a finding decides the exit code: not suppressed, at or above the
    /// threshold, and new when only new ones count.
    pub fn fails(&self, f: &ReportFinding) -> bool {
        !f.is_suppressed()
            && self.fail.threshold.is_some_and(|t| f.severity.at_least(t))
            && (!self.fail.new_only || f.baseline_state != Some(baseline::BaselineState::Unchanged))
    }

    /// The findings that decide the exit code.
    pub fn failing(&self) -> impl Iterator<Item = &ReportFinding> {
        self.findings.iter().filter(|f| self.fails(f))
    }

    pub fn exit_code(&self) -> u8 {
        u8::from(self.failing().next().is_some())
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

impl Default for FailPolicy {
    /// The command line's default: fail on errors.
    fn default() -> FailPolicy {
        FailPolicy {
            threshold: Some(Severity::Error),
            new_only: false,
        }
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
    pub fail: FailPolicy,
    /// With `--redact`: every identifier the report shows becomes a pseudonym.
    pub redactor: Option<&'a Redactor>,
}

impl<'a> BuildOptions<'a> {
    /// English, no focus, no baseline, failing on errors, not redacted, judged at an
    /// explicit instant: what harnesses (property tests, fuzz targets) need.
    pub fn plain(snapshot_path: &'a str, as_of: Time) -> BuildOptions<'a> {
        BuildOptions {
            snapshot_path,
            as_of,
            as_of_source: AsOfSource::Option,
            lang: "en",
            focus: Vec::new(),
            baseline: None,
            fail: FailPolicy::default(),
            redactor: None,
        }
    }
}

/// Turns the engine's outcome into a report: texts rendered in `lang`, summary counted,
/// findings grouped. With a redactor, the findings' facts are redacted before any text
/// is rendered from them, and the free text the report quotes from the tenant (health
/// details, notes, suppressions, ids) as it is taken in.
pub fn build(tenant: &Tenant, outcome: Outcome, opts: &BuildOptions) -> Report {
    let msg = messages::get(opts.lang);
    let redactor = opts.redactor;
    let quote = |s: String| match redactor {
        Some(r) => r.text(&s),
        None => s,
    };
    let mut summary = Summary::default();
    let mut findings = Vec::with_capacity(outcome.findings.len());
    for mut f in outcome.findings {
        if let Some(r) = redactor {
            r.finding(&mut f);
        }
        if f.suppressed.is_some() {
            summary.suppressed += 1;
        } else {
            summary.add(f.severity);
        }
        let rule_needs = f.rule.rule().needs();
        let k = knowledge::of(f.rule);
        let text = k.text(opts.lang);
        findings.push(ReportFinding {
            rule: f.rule,
            severity: f.severity,
            cause: f.cause,
            title: &text.title,
            diagnosis: knowledge::render(text.diagnosis_template(f.cause), &f),
            impact: text.impact.trim(),
            remediation: text.remediation(f.cause),
            references: &k.references,
            cause_meaning: f
                .cause
                .and_then(|c| text.causes.get(c))
                .map(String::as_str)
                .filter(|m| !m.is_empty()),
            file: file_input(rule_needs, f.subject.kind),
            subject: f.subject,
            evidence: f.evidence,
            root_cause: f.root_cause,
            suppressed: f.suppressed,
            baseline_state: None,
        });
    }
    let resolved = opts.baseline.map(|b| {
        let (new, mut resolved) = b.compare(&mut findings);
        summary.new = Some(new);
        for f in &mut resolved {
            let s = &mut f.subject;
            s.id = quote(std::mem::take(&mut s.id));
            s.name = s.name.take().map(quote);
            s.user = s.user.take().map(quote);
        }
        resolved
    });
    let suppressions = outcome
        .suppressions
        .into_iter()
        .map(|o| SuppressionEntry {
            rule: o.suppression.rule,
            subject: quote(o.suppression.subject),
            reason: quote(o.suppression.reason),
            expires: o
                .suppression
                .expires
                .map(|d| d.format("%Y-%m-%d").to_string()),
            state: o.state,
            matched: o.matched,
        })
        .collect();
    let mut health = overview::build(tenant, &findings, opts.as_of, msg);
    for h in &mut health {
        h.detail = quote(std::mem::take(&mut h.detail));
    }
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
    // Files that were not recognised may hold data the run lacks: each is a note.
    let unrecognised = tenant
        .unread
        .iter()
        .filter(|u| u.reason.kind() == UnreadKind::NotRecognised)
        .map(|u| Note {
            file: u.name.clone(),
            message: quote(u.reason.describe(msg)),
        });
    let notes = tenant
        .files
        .iter()
        .flat_map(|f| {
            f.notes.iter().map(|n| Note {
                file: f.name.clone(),
                message: quote(n.describe(msg)),
            })
        })
        .chain(unrecognised)
        .collect();
    // A redacted report does not say where the snapshot was on the sender's disk.
    let path = match redactor {
        Some(_) => "snapshot".to_string(),
        None => opts.snapshot_path.to_string(),
    };
    let paths = file_paths(tenant, &path);
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        as_of: time::format(&opts.as_of),
        as_of_source: opts.as_of_source,
        snapshot: SnapshotInfo {
            path,
            tenant_id: tenant.tenant_id.clone().map(quote),
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
        by_rule: grouping::count_by_rule(&findings),
        root_causes: grouping::RootCauses::of(&findings),
        findings,
        lang: opts.lang.to_string(),
        focus: opts.focus.iter().cloned().map(quote).collect(),
        fail: opts.fail,
        paths,
    }
}

/// The input a finding is about, from what its rule reads and what it is about.
fn file_input(needs: &[Input], kind: SubjectKind) -> Input {
    if needs.contains(&Input::MtdConnector) {
        return Input::MtdConnector;
    }
    match kind {
        SubjectKind::Device => needs
            .iter()
            .copied()
            .find(|i| matches!(i, Input::IntuneDevices | Input::LookoutDevices))
            .unwrap_or(Input::LookoutDevices),
        SubjectKind::User => Input::Groups,
        _ => Input::Lookout,
    }
}

/// The path of each input's file under the snapshot folder: the file read, or the
/// JSON file the input would be exported as.
fn file_paths(tenant: &Tenant, snapshot_path: &str) -> Vec<(Input, String)> {
    let base = snapshot_path.trim_end_matches(['/', '\\']);
    Input::ALL
        .iter()
        .map(|&input| {
            let name = tenant
                .files
                .iter()
                .find(|f| f.input == input)
                .map_or_else(|| format!("{}.json", input.stem()), |f| f.name.clone());
            (input, format!("{base}/{name}"))
        })
        .collect()
}

/// The formats a report prints in. The descriptions are `--format`'s help: the
/// command line takes this enum as it is, so a new format is declared here only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people at a terminal.
    Human,
    /// The machine-readable report (schema in schema/report.schema.json).
    Json,
    /// For a ticket or a pipeline summary.
    Markdown,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML: one test case per rule and subject.
    Junit,
    /// One row per finding: an action plan with owner and due-date columns.
    Csv,
    /// GitHub Actions workflow annotations.
    Github,
}

/// One output format: lays out a built report, decides nothing.
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

/// The printer of a format; only the human one is styled.
pub fn printer(format: Format, style: Style) -> Box<dyn Printer> {
    match format {
        Format::Human => Box::new(human::HumanPrinter { style }),
        Format::Json => Box::new(json::JsonPrinter),
        Format::Markdown => Box::new(markdown::MarkdownPrinter),
        Format::Sarif => Box::new(sarif::SarifPrinter),
        Format::Junit => Box::new(junit::JunitPrinter),
        Format::Csv => Box::new(csv::CsvPrinter),
        Format::Github => Box::new(github::GithubPrinter),
    }
}
