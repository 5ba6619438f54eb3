//! The report: everything a printer needs, decided once when it is built (texts
//! rendered, identifiers redacted, findings counted and grouped, which of them fail
//! the run, which file each is about). Printers only lay it out, one module per
//! format, each behind [`Printer`].

pub mod baseline;
mod csv;
pub mod dossier;
pub mod fixes;
pub mod fleet;
pub mod focus;
pub mod fold;
mod github;
mod grouping;
mod html;
mod human;
mod json;
mod junit;
pub mod layout;
pub mod limits;
mod markdown;
pub mod overview;
mod sarif;
mod sentences;

pub use focus::FocusEntry;
pub use grouping::{CauseCount, CauseGroup, Group, RuleCount};
pub use layout::Style;

use crate::engine::{Outcome, SuppressionState};
use crate::escape;
use crate::finding::{Evidence, RootCause, Severity, Subject, SubjectKind};
use crate::knowledge;
use crate::messages;
use crate::model::Tenant;
use crate::redact::Redactor;
use crate::rules::{Focus, RuleId, SkipReason};
use crate::snapshot::time::{self, Time};
use crate::snapshot::{Input, UnreadKind};
use serde::Serialize;
use std::io::{self, Write};
use std::ops::Not;

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
    /// The users and devices the run asks about (`--user`, `--device`), with what the
    /// snapshot says about each; empty without focus.
    pub focus: Vec<FocusEntry>,
    /// False when a check was skipped for lack of input or a file of the snapshot was
    /// not recognised: the run did not read the whole snapshot (`--fail-on-skipped`).
    pub complete: bool,
    pub skipped: Vec<SkippedRule>,
    /// Things the loader noticed that did not stop it (unknown values, unknown keys).
    pub notes: Vec<Note>,
    pub summary: Summary,
    /// Said under the judging time when it is far from the export time (also a note).
    #[serde(skip)]
    pub as_of_far: Option<String>,
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
    /// The fleet's status mix, check-in ages and OS versions (the HTML report's
    /// charts); not in the JSON report, which stays as it was.
    #[serde(skip)]
    pub fleet: fleet::Fleet,
    /// Each rule and cause's fix once, with how many findings it resolves.
    #[serde(skip)]
    pub fixes: Vec<fixes::Fix>,
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
    pub cause: SkipCause,
    /// With `missing-input`: the input the snapshot lacks, by its canonical file stem.
    #[serde(serialize_with = "input_stem", skip_serializing_if = "Option::is_none")]
    pub input: Option<Input>,
    pub reason: String,
    /// The rule's title in the report language.
    #[serde(skip)]
    pub title: &'static str,
}

/// Why a check did not run, in one stable word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipCause {
    /// A file the check reads is not in the snapshot: the run is incomplete.
    MissingInput,
    /// lookout.json has no Intune connector to judge (intune-connector-missing says so).
    NoIntuneConnector,
    /// Turned off on purpose, with `--allow` or in lookout-doctor.toml.
    TurnedOff,
    /// lookout.json still holds a template placeholder where the check needs a value:
    /// the snapshot is not filled in, so the run is incomplete.
    Placeholder,
    /// An optional setting the check judges is not configured (no console-access
    /// group): nothing to judge, not a gap in the snapshot.
    NotConfigured,
}

impl SkipCause {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipCause::MissingInput => "missing-input",
            SkipCause::NoIntuneConnector => "no-intune-connector",
            SkipCause::TurnedOff => "turned-off",
            SkipCause::Placeholder => "placeholder",
            SkipCause::NotConfigured => "not-configured",
        }
    }
}

impl SkippedRule {
    /// Skipped because the snapshot lacks a file or still holds a template
    /// placeholder: what `--fail-on-skipped` fails on. A check turned off on purpose,
    /// or with nothing configured to judge, is not.
    pub fn for_lack_of_input(&self) -> bool {
        matches!(self.cause, SkipCause::MissingInput | SkipCause::Placeholder)
    }
}

fn input_stem<S: serde::Serializer>(input: &Option<Input>, s: S) -> Result<S::Ok, S::Error> {
    match input {
        Some(i) => s.serialize_str(i.stem()),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Serialize)]
pub struct Note {
    pub file: String,
    pub message: String,
    /// The file was not recognised as any export, so nothing in it was read: the run
    /// did not read the whole snapshot (`--fail-on-skipped`).
    #[serde(skip_serializing_if = "<&bool>::not")]
    pub unread: bool,
}

impl Note {
    /// A note about a file that was read.
    pub fn new(file: String, message: String) -> Note {
        Note {
            file,
            message,
            unread: false,
        }
    }

    /// A note naming a file of the snapshot that was not recognised, so not read.
    pub fn unread(file: String, message: String) -> Note {
        Note {
            file,
            message,
            unread: true,
        }
    }
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
    /// The diagnosis, line breaks in its values folded; printers that escape values
    /// render it again with [`ReportFinding::diagnosis_with`].
    pub diagnosis: String,
    /// The template the diagnosis was rendered from.
    #[serde(skip)]
    pub diagnosis_template: &'static str,
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
        self.subject_label_with(escape::none)
    }

    /// [`ReportFinding::subject_label`] with each value written by `value`.
    pub fn subject_label_with(&self, value: escape::Escape) -> String {
        let mut label = format!("{} {}", self.subject.kind.as_str(), value(&self.subject.id));
        let extra: Vec<_> = [self.subject.name.as_deref(), self.subject.user.as_deref()]
            .into_iter()
            .flatten()
            .map(value)
            .collect();
        if !extra.is_empty() {
            label.push_str(&format!(" ({})", extra.join(", ")));
        }
        label
    }

    /// The diagnosis with each value written by `value`, the medium's escaper.
    pub fn diagnosis_with(&self, value: escape::Escape) -> String {
        knowledge::render_with(
            self.diagnosis_template,
            &self.subject,
            &self.evidence,
            value,
        )
    }
}

impl Report {
    /// The path of the snapshot file a finding is about, relative to where the tool
    /// was run.
    pub fn file_of(&self, f: &ReportFinding) -> &str {
        self.path_of(f.file)
    }

    /// The findings that count: not suppressed, in report order.
    pub fn open(&self) -> impl Iterator<Item = &ReportFinding> {
        self.findings.iter().filter(|f| !f.is_suppressed())
    }

    /// The suppressions of the configuration that matched nothing or have expired.
    pub fn stale_suppressions(&self) -> impl Iterator<Item = &SuppressionEntry> {
        self.suppressions.iter().filter(|s| s.is_stale())
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

    /// The open findings folded by rule, severity and cause (each with those it
    /// explains), in report order of rules, most frequent cause first.
    pub fn cause_groups(&self) -> Vec<CauseGroup<'_>> {
        grouping::by_cause(self.groups())
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

    /// Checks skipped because the snapshot lacks a file they read.
    pub fn skipped_for_lack_of_input(&self) -> impl Iterator<Item = &SkippedRule> {
        self.skipped.iter().filter(|s| s.for_lack_of_input())
    }

    /// The notes naming files of the snapshot that were not recognised, so not read.
    pub fn unread_files(&self) -> impl Iterator<Item = &Note> {
        self.notes.iter().filter(|n| n.unread)
    }

    /// Every check could run and every file of the snapshot was read. Checks turned
    /// off on purpose do not make a run incomplete.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// `--fail-on-skipped` is set and the run is incomplete: the tool could not do its
    /// whole job, exit 2.
    pub fn fails_incomplete(&self) -> bool {
        self.fail.skipped && !self.complete
    }

    /// The `--user` and `--device` values no export knows.
    pub fn focus_not_found(&self) -> impl Iterator<Item = &FocusEntry> {
        self.focus.iter().filter(|e| !e.found)
    }

    /// The path of the snapshot file an input was read from (or would be exported as).
    pub fn path_of(&self, input: Input) -> &str {
        self.paths
            .iter()
            .find(|(i, _)| *i == input)
            .map_or("", |(_, path)| path)
    }

    /// The name of the file an input was read from (or would be exported as), inside
    /// the snapshot folder.
    pub fn file_name_of(&self, input: Input) -> &str {
        let path = self.path_of(input);
        let base = self.snapshot.path.trim_end_matches(['/', '\\']);
        path.strip_prefix(base)
            .map_or(path, |rest| rest.trim_start_matches(['/', '\\']))
    }

    /// The path of a file of the snapshot folder, as reports show paths.
    pub fn path_in_snapshot(&self, name: &str) -> String {
        format!(
            "{}/{name}",
            self.snapshot.path.trim_end_matches(['/', '\\'])
        )
    }

    /// 2 when `--fail-on-skipped` fails an incomplete run, else 1 when a finding fails
    /// the run, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.fails_incomplete() {
            2
        } else {
            u8::from(self.failing().next().is_some())
        }
    }
}

/// When a run fails (exit code 1, or 2 for an incomplete run with `--fail-on-skipped`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailPolicy {
    /// `--fail-on`; `None` for never.
    pub threshold: Option<Severity>,
    /// `--fail-on-new`: only findings that are not in the baseline count.
    pub new_only: bool,
    /// `--fail-on-skipped`: a run that did not read the whole snapshot exits 2.
    pub skipped: bool,
}

impl Default for FailPolicy {
    /// The command line's default: fail on errors.
    fn default() -> FailPolicy {
        FailPolicy {
            threshold: Some(Severity::Error),
            new_only: false,
            skipped: false,
        }
    }
}

pub struct BuildOptions<'a> {
    pub snapshot_path: &'a str,
    pub as_of: Time,
    pub as_of_source: AsOfSource,
    pub lang: &'a str,
    /// The users and devices asked about (`--user`, `--device`).
    pub focus: &'a Focus,
    /// The findings of an earlier run, to mark new and resolved ones.
    pub baseline: Option<&'a baseline::Baseline>,
    pub fail: FailPolicy,
    /// With `--redact`: every identifier the report shows becomes a pseudonym.
    pub redactor: Option<&'a Redactor>,
}

/// The focus of a run that asks about no one.
static NO_FOCUS: Focus = Focus {
    users: Vec::new(),
    devices: Vec::new(),
};

impl<'a> BuildOptions<'a> {
    /// English, no focus, no baseline, failing on errors, not redacted, judged at an
    /// explicit instant: what harnesses (property tests, fuzz targets) need.
    pub fn plain(snapshot_path: &'a str, as_of: Time) -> BuildOptions<'a> {
        BuildOptions {
            snapshot_path,
            as_of,
            as_of_source: AsOfSource::Option,
            lang: "en",
            focus: &NO_FOCUS,
            baseline: None,
            fail: FailPolicy::default(),
            redactor: None,
        }
    }
}

/// A report of `findings` over an empty tenant, as [`BuildOptions::plain`] builds it,
/// judged at 2026-11-20T12:00:00Z: what the unit tests of the report's modules read.
#[cfg(test)]
pub(crate) fn report_of(findings: Vec<crate::finding::Finding>) -> Report {
    let as_of = time::parse("2026-11-20T12:00:00Z")
        .ok()
        .flatten()
        .expect("a valid instant");
    let outcome = Outcome {
        findings,
        ..Outcome::default()
    };
    build(
        &Tenant::default(),
        outcome,
        &BuildOptions::plain("snap", as_of),
    )
}

/// Turns the engine's outcome into a report: texts rendered in `lang`, summary counted,
/// findings grouped, compared with the baseline. With a redactor, the findings' facts
/// are redacted before any text is rendered from them, then the rest of the report
/// ([`redact`]); the baseline is matched on the real identifiers (and their
/// pseudonyms, for a redacted baseline) before either.
pub fn build(tenant: &Tenant, outcome: Outcome, opts: &BuildOptions) -> Report {
    let msg = messages::get(opts.lang);
    let redactor = opts.redactor;
    let mut summary = Summary::default();
    let mut findings = Vec::with_capacity(outcome.findings.len());
    let mut match_keys = Vec::new();
    for mut f in outcome.findings {
        let real_id = opts.baseline.map(|_| f.subject.id.clone());
        if let Some(r) = redactor {
            r.finding(&mut f);
        }
        if let Some(real_id) = real_id {
            let mut ids = vec![real_id];
            if ids[0] != f.subject.id {
                ids.push(f.subject.id.clone());
            }
            match_keys.push(baseline::MatchKey {
                rule: f.rule.slug(),
                kind: f.subject.kind.as_str(),
                ids,
            });
        }
        if f.suppressed.is_some() {
            summary.suppressed += 1;
        } else {
            summary.add(f.severity);
        }
        let rule_needs = f.rule.rule().needs();
        let k = knowledge::of(f.rule);
        let text = k.text(opts.lang);
        let template = text.diagnosis_template(f.cause);
        findings.push(ReportFinding {
            rule: f.rule,
            severity: f.severity,
            cause: f.cause,
            title: &text.title,
            diagnosis: knowledge::render_with(
                template,
                &f.subject,
                &f.evidence,
                escape::fold_lines,
            ),
            diagnosis_template: template,
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
        let (states, resolved) = b.compare(&match_keys);
        let mut new = 0;
        for (f, state) in findings.iter_mut().zip(states) {
            if state == baseline::BaselineState::New && !f.is_suppressed() {
                new += 1;
            }
            f.baseline_state = Some(state);
        }
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
    let skipped: Vec<SkippedRule> = outcome
        .skipped
        .into_iter()
        .map(|s| {
            let (cause, input, reason) = match s.reason {
                SkipReason::MissingInput(input) => (
                    SkipCause::MissingInput,
                    Some(input),
                    msg.f("skip.missing_input", &[("file", &input.file_name())]),
                ),
                SkipReason::NoIntuneConnector => (
                    SkipCause::NoIntuneConnector,
                    None,
                    msg.t("skip.no_intune_connector"),
                ),
                SkipReason::TurnedOff(on_cli) => (
                    SkipCause::TurnedOff,
                    None,
                    msg.t(if on_cli {
                        "skip.turned_off_cli"
                    } else {
                        "skip.turned_off_config"
                    }),
                ),
                SkipReason::Placeholder(key) => (
                    SkipCause::Placeholder,
                    Some(Input::Lookout),
                    msg.f("skip.placeholder", &[("key", &key)]),
                ),
                SkipReason::NotConfigured(key) => (
                    SkipCause::NotConfigured,
                    None,
                    msg.f("skip.not_configured", &[("key", &key)]),
                ),
            };
            SkippedRule {
                rule: s.rule,
                cause,
                input,
                reason,
                title: &knowledge::of(s.rule).text(opts.lang).title,
            }
        })
        .collect();
    let as_of_far = as_of_far_from_export(tenant.exported_at, opts.as_of, msg);
    let manifest = tenant.files.iter().find(|f| f.input == Input::Manifest);
    // Files that were not recognised may hold data the run lacks: each is a note.
    let unrecognised = tenant
        .unread
        .iter()
        .filter(|u| u.reason.kind() == UnreadKind::NotRecognised)
        .map(|u| Note::unread(u.name.clone(), u.reason.describe(msg)));
    let notes: Vec<Note> = as_of_far
        .iter()
        .map(|text| {
            Note::new(
                manifest.map_or_else(|| "snapshot.json".into(), |f| f.name.clone()),
                text.clone(),
            )
        })
        .chain(tenant.files.iter().flat_map(|f| {
            f.notes
                .iter()
                .map(|n| Note::new(f.name.clone(), n.describe(msg)))
        }))
        .chain(unrecognised)
        .collect();
    let complete = reads_everything(&skipped, &notes);
    let focus = focus::entries(tenant, opts.focus, opts.as_of);
    let path = opts.snapshot_path.to_string();
    let paths = file_paths(tenant, &path);
    let by_rule = grouping::count_by_rule(&findings);
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        as_of: time::format(&opts.as_of),
        as_of_source: opts.as_of_source,
        focus,
        complete,
        snapshot: SnapshotInfo {
            path,
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
        as_of_far,
        suppressions,
        resolved,
        health,
        fixes: fixes::of(&by_rule, &findings),
        by_rule,
        root_causes: grouping::RootCauses::of(&findings),
        findings,
        lang: opts.lang.to_string(),
        fail: opts.fail,
        paths,
        fleet: fleet::build(tenant, opts.as_of),
    };
    if let Some(r) = redactor {
        redact(&mut report, r);
    }
    // Prose that quotes tenant values has its line breaks folded, after redaction so
    // that a value with a line break in it is still recognised and replaced.
    for h in &mut report.health {
        h.detail = escape::fold_lines(&h.detail).into_owned();
    }
    for n in &mut report.notes {
        n.message = escape::fold_lines(&n.message).into_owned();
    }
    report
}

/// What a redacted report shows instead of the snapshot folder: not where the
/// snapshot was on the sender's disk.
pub const REDACTED_SNAPSHOT_PATH: &str = "snapshot";

/// `--redact`, for everything but the findings (whose facts were redacted before
/// their texts were rendered). Every field of every section is named here, so a new
/// one cannot be added without deciding whether it quotes the tenant: identifiers are
/// replaced whole, free text is searched, the tool's own words stay.
fn redact(report: &mut Report, r: &Redactor) {
    let Report {
        schema_version: _,
        tool: _,
        as_of: _,
        as_of_source: _,
        snapshot,
        focus,
        complete: _,
        skipped,
        notes,
        summary: _,
        // Dates and day counts only.
        as_of_far: _,
        suppressions,
        resolved,
        health,
        findings: _,
        lang: _,
        fail: _,
        by_rule: _,
        root_causes: _,
        paths,
        // Counts and version numbers only.
        fleet: _,
        // The tool's own texts and counts.
        fixes: _,
    } = report;
    let SnapshotInfo {
        path,
        tenant_id,
        counts: _,
    } = snapshot;
    let base = path.trim_end_matches(['/', '\\']).to_string();
    for (_, p) in paths.iter_mut() {
        let name = p
            .strip_prefix(&base)
            .unwrap_or(p)
            .trim_start_matches(['/', '\\']);
        *p = format!("{REDACTED_SNAPSHOT_PATH}/{}", r.text(name));
    }
    *path = REDACTED_SNAPSHOT_PATH.to_string();
    if let Some(id) = tenant_id {
        *id = r.tenant(id);
    }
    for e in focus {
        let FocusEntry {
            kind,
            query,
            found: _,
            found_in: _,
            console_access,
            dossier,
        } = e;
        if let Some(d) = dossier {
            d.redact(r);
        }
        *query = match kind {
            focus::FocusKind::User => r.user(query),
            focus::FocusKind::Device => r.device(query),
        };
        if let Some(focus::ConsoleAccess {
            access: _,
            group,
            group_id,
            path,
        }) = console_access
        {
            *group = group.as_deref().map(|g| r.group_name(g));
            *group_id = group_id.as_deref().map(|g| r.group_id(g));
            *path = path.as_deref().map(|p| r.text(p));
        }
    }
    for s in skipped {
        let SkippedRule {
            rule: _,
            cause: _,
            input: _,
            reason,
            title: _,
        } = s;
        // The tool's words with a file's canonical name or a setting's key: searched
        // all the same, should one ever quote a value.
        *reason = r.text(reason);
    }
    for n in notes {
        let Note {
            file,
            message,
            unread: _,
        } = n;
        // A file's name is the exporter's choice ("Lookout Pilot.csv").
        *file = r.text(file);
        *message = r.text(message);
    }
    for s in suppressions {
        let SuppressionEntry {
            rule,
            subject,
            reason,
            expires: _,
            state: _,
            matched: _,
        } = s;
        // Whatever its state: a stale suppression names a subject the snapshot may no
        // longer know.
        *subject = r.subject_id(rule.rule().subject_kind(), subject);
        *reason = r.text(reason);
    }
    for f in resolved.iter_mut().flatten() {
        let baseline::ResolvedFinding {
            rule,
            severity,
            subject,
            cause,
            title,
        } = f;
        // A resolved finding is about a subject this snapshot may no longer know.
        let baseline::BaselineSubject {
            kind,
            id,
            name,
            user,
        } = subject;
        let kind = baseline::subject_kind(kind);
        let mut own = Vec::new();
        let mut redact = |value: &mut String, pseudonym: String| {
            own.push((std::mem::replace(value, pseudonym.clone()), pseudonym));
        };
        redact(
            id,
            match kind {
                Some(k) => r.subject_id(k, id),
                None => r.text(id),
            },
        );
        if let Some(n) = name {
            redact(
                n,
                match kind {
                    Some(k) => r.subject_name(k, n),
                    None => r.text(n),
                },
            );
        }
        if let Some(u) = user {
            redact(u, r.user(u));
        }
        // Read from the baseline file, which anyone may have edited: its texts may
        // name the subject, which this snapshot may no longer know.
        own.sort_by_key(|(real, _)| std::cmp::Reverse(real.len()));
        *rule = mentions_redacted(rule, &own, r);
        for text in [severity, cause, title].into_iter().flatten() {
            *text = mentions_redacted(text, &own, r);
        }
    }
    for h in health {
        let overview::HealthLine {
            item: _,
            status: _,
            label: _,
            detail,
        } = h;
        *detail = r.text(detail);
    }
}

/// No check was skipped for lack of input and no file of the snapshot went unread.
fn reads_everything(skipped: &[SkippedRule], notes: &[Note]) -> bool {
    !skipped.iter().any(SkippedRule::for_lack_of_input) && !notes.iter().any(|n| n.unread)
}

/// A text with a subject's own identifiers (real, pseudonym; longest first) replaced,
/// then searched like any other.
fn mentions_redacted(t: &str, own: &[(String, String)], r: &Redactor) -> String {
    let t = own
        .iter()
        .filter(|(real, _)| !real.is_empty())
        .fold(t.to_string(), |t, (real, pseudonym)| {
            t.replace(real, pseudonym)
        });
    r.text(&t)
}

/// More days than this between the export and the judging time and the snapshot no
/// longer describes the tenant at the judging time: under Lookout's default
/// disconnected threshold (30 days) every phone that checked in just before the
/// export counts as disconnected, and Entra keeps audit records 30 days at most, so
/// the changes that explain a cause are gone by then. Closer than this is the
/// ordinary "what will it look like next week" use of `--as-of`.
pub const FAR_FROM_EXPORT_DAYS: i64 = 30;

/// The sentence that says the judging time is far from the export time, if it is.
fn as_of_far_from_export(
    exported_at: Option<Time>,
    as_of: Time,
    msg: &messages::Messages,
) -> Option<String> {
    let exported_at = exported_at?;
    let days = (as_of - exported_at).num_days();
    let at = time::format(&exported_at);
    if days > FAR_FROM_EXPORT_DAYS {
        Some(msg.f(
            "report.as_of_far_after",
            &[("days", &days), ("exported_at", &at)],
        ))
    } else if days < -FAR_FROM_EXPORT_DAYS {
        Some(msg.f(
            "report.as_of_far_before",
            &[("days", &-days), ("exported_at", &at)],
        ))
    } else {
        None
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
    /// One self-contained HTML page: overview, charts, fixes and a findings table to
    /// filter and sort, readable offline.
    Html,
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
        Format::Html => Box::new(html::HtmlPrinter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Skipped;

    fn report(skipped: Vec<SkipReason>, fail: FailPolicy) -> Report {
        let as_of = time::parse("2026-11-20T12:00:00Z").unwrap().unwrap();
        let outcome = Outcome {
            skipped: skipped
                .into_iter()
                .map(|reason| Skipped {
                    rule: RuleId::DeviceMissing,
                    reason,
                })
                .collect(),
            ..Outcome::default()
        };
        let opts = BuildOptions {
            fail,
            ..BuildOptions::plain("snap", as_of)
        };
        build(&Tenant::default(), outcome, &opts)
    }

    const ON_SKIPPED: FailPolicy = FailPolicy {
        threshold: Some(Severity::Error),
        new_only: false,
        skipped: true,
    };

    #[test]
    fn only_a_missing_input_makes_a_run_incomplete() {
        let on_purpose = report(
            vec![SkipReason::TurnedOff(true), SkipReason::NoIntuneConnector],
            ON_SKIPPED,
        );
        assert!(on_purpose.is_complete());
        assert_eq!(on_purpose.exit_code(), 0);

        let missing = report(
            vec![SkipReason::MissingInput(Input::IntuneDevices)],
            ON_SKIPPED,
        );
        assert!(!missing.is_complete());
        assert_eq!(missing.exit_code(), 2);
        let s = &missing.skipped[0];
        assert_eq!(
            (s.cause, s.input),
            (SkipCause::MissingInput, Some(Input::IntuneDevices))
        );
        let json = serde_json::to_value(s).unwrap();
        assert_eq!(json["cause"], "missing-input");
        assert_eq!(json["input"], "intune-devices");

        // Without --fail-on-skipped the gap is reported but the exit code is the findings'.
        let lenient = report(
            vec![SkipReason::MissingInput(Input::IntuneDevices)],
            FailPolicy::default(),
        );
        assert!(!lenient.is_complete());
        assert_eq!(lenient.exit_code(), 0);
    }

    #[test]
    fn a_file_not_recognised_makes_a_run_incomplete() {
        let read = [Note::new("groups.json".into(), "an unknown value".into())];
        assert!(reads_everything(&[], &read));
        let unread = [Note::unread(
            "export (1).csv".into(),
            "not recognised".into(),
        )];
        assert!(!reads_everything(&[], &unread));
        assert_eq!(serde_json::to_value(&unread[0]).unwrap()["unread"], true);
        assert!(serde_json::to_value(&read[0])
            .unwrap()
            .get("unread")
            .is_none());
    }
}
