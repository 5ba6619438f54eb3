//! `--format github`: GitHub Actions workflow commands, so findings show as annotations
//! on the run (errors fail-colored, warnings yellow, info as notices): one per rule and
//! cause with its count, a finding alone as itself. GitHub shows about ten annotations
//! per level, so at most ten are written per level ([`Report::annotations`] decides
//! which), and a notice says what was folded.
//! What the run could not see comes first, summarised: a `--user`/`--device` no export
//! knows, checks skipped for lack of input, files not recognised (warnings), checks
//! turned off (a notice).
//!
//! Values are escaped as for a terminal (annotations end up in the job log), then the
//! whole message as workflow-command data: a value can neither end the command's
//! line nor move the cursor.

use super::limits::{self, ANNOTATIONS_PER_LEVEL};
use super::{CauseGroup, Printer, Report, ReportFinding, SkippedRule};
use crate::escape::{terminal, workflow_data, workflow_property};
use crate::finding::Severity;
use crate::messages::{self, Messages};
use std::io::{self, Write};

pub struct GithubPrinter;

/// One annotation; `lines` become the message, one per line.
fn annotate(out: &mut dyn Write, command: &str, title: &str, lines: &[String]) -> io::Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "::{command} title={}::{}",
        workflow_property(title),
        workflow_data(&lines.join("\n"))
    )
}

/// What the run could not see, before any finding: GitHub shows only the first few
/// annotations of each level. One annotation per kind of gap, whatever its size,
/// while the step's [`limits::GAP_ROOM`] lasts (`room`, per level); past it, the same
/// text as a plain log line, so a step of many tenants still says every gap.
fn gaps(r: &Report, room: &mut [usize; 3], out: &mut dyn Write) -> io::Result<()> {
    let msg = messages::get(&r.lang);
    let mut gap = |out: &mut dyn Write, command: &str, title: &str, lines: &[String]| {
        let level = if command == "warning" { 1 } else { 2 };
        if lines.is_empty() || room[level] > 0 {
            room[level] -= usize::from(!lines.is_empty());
            return annotate(out, command, title, lines);
        }
        let text = format!("{command}: {title}: {}", lines.join("; "));
        // Folded as the data of an annotation is, so no value starts a line.
        writeln!(out, "{}", workflow_data(&text))
    };
    let not_found: Vec<String> = r
        .focus_not_found()
        .map(|e| e.describe_with(r, terminal))
        .collect();
    gap(out, "warning", &msg.t("report.not_found_title"), &not_found)?;
    let (missing, on_purpose): (Vec<_>, Vec<_>) =
        r.skipped.iter().partition(|s| s.for_lack_of_input());
    let lines = |skipped: Vec<&SkippedRule>| -> Vec<String> {
        skipped
            .iter()
            .map(|s| format!("{}: {}", s.rule, terminal(&s.reason)))
            .collect()
    };
    let heading = msg.t("report.skipped_heading");
    gap(out, "warning", &heading, &lines(missing))?;
    let unread: Vec<String> = r
        .unread_files()
        .map(|n| format!("{}: {}", terminal(&n.file), terminal(&n.message)))
        .collect();
    gap(out, "warning", &msg.t("report.unread_heading"), &unread)?;
    gap(out, "notice", &heading, &lines(on_purpose))
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// How many subjects of a group are named in its annotation.
const EXAMPLES: usize = 3;

/// A finding alone: its subject, diagnosis and first step.
fn finding(
    r: &Report,
    f: &ReportFinding,
    explains: usize,
    msg: &Messages,
    out: &mut dyn Write,
) -> io::Result<()> {
    let title = format!("{} · {}", f.rule, f.subject_label_with(terminal));
    let lines = vec![f.diagnosis_with(terminal)];
    annotate_finding(r, f, &title, lines, explains, msg, out)
}

/// The annotation of `f`'s file and severity: `lines`, then how many findings it
/// explains and the first step of the fix, alike for a finding alone and a group.
fn annotate_finding(
    r: &Report,
    f: &ReportFinding,
    title: &str,
    mut lines: Vec<String>,
    explains: usize,
    msg: &Messages,
    out: &mut dyn Write,
) -> io::Result<()> {
    if explains > 0 {
        lines.push(msg.f("limits.gh_explains", &[("count", &explains)]));
    }
    if let Some(first) = f.remediation.first() {
        lines.push(msg.f("limits.gh_first_step", &[("step", &first)]));
    }
    writeln!(
        out,
        "::{} file={},title={}::{}",
        command(f.severity),
        workflow_property(&terminal(r.file_of(f))),
        workflow_property(title),
        workflow_data(&lines.join("\n"))
    )
}

/// Several findings of one rule and cause: their count, what the cause means, the
/// first few subjects and the first step.
fn group(r: &Report, g: &CauseGroup<'_>, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
    let f = g.members[0].finding;
    let count = g.members.len();
    let kind = msg.t(&format!("limits.kind.{}", f.subject.kind.as_str()));
    let title = match g.cause {
        Some(cause) => msg.f(
            "limits.gh_group_title",
            &[
                ("rule", &f.rule),
                ("cause", &cause),
                ("count", &count),
                ("kind", &kind),
            ],
        ),
        None => msg.f(
            "limits.gh_group_title_no_cause",
            &[("rule", &f.rule), ("count", &count), ("kind", &kind)],
        ),
    };
    let mut lines = vec![f.title.to_string()];
    if let Some(meaning) = f.cause_meaning {
        lines.push(meaning.to_string());
    }
    let examples: Vec<String> = g
        .members
        .iter()
        .take(EXAMPLES)
        .map(|m| m.finding.subject_label_with(terminal))
        .collect();
    let mut among = msg.f("limits.gh_examples", &[("examples", &examples.join("; "))]);
    if count > EXAMPLES {
        among.push(' ');
        among.push_str(&msg.f("limits.gh_and_more", &[("count", &(count - EXAMPLES))]));
    }
    lines.push(among);
    let explains = g.total() - count;
    annotate_finding(r, f, &title, lines, explains, msg, out)
}

/// The reports of one step: GitHub's limit on annotations is the step's, so the
/// reports share it ([`limits::annotations`]), and one notice says what was folded.
fn print_step(reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
    let plan = limits::annotations(reports);
    let mut gap_room = limits::GAP_ROOM;
    for (i, (r, shown)) in reports.iter().zip(&plan.shown).enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let msg = messages::get(&r.lang);
        gaps(r, &mut gap_room, out)?;
        for g in shown {
            match g.members.as_slice() {
                [alone] => finding(r, alone.finding, alone.explains.len(), msg, out)?,
                _ => group(r, g, msg, out)?,
            }
        }
        summary(r, out)?;
    }
    let Some(first) = reports.first().filter(|_| !plan.folded.is_empty()) else {
        return Ok(());
    };
    let msg = messages::get(&first.lang);
    let groups: Vec<String> = plan
        .folded
        .iter()
        .map(|f| {
            let level = command(f.severity);
            let mut text = match f.cause {
                Some(c) => format!("{level} {} ({c}): {}", f.rule, f.count),
                None => format!("{level} {}: {}", f.rule, f.count),
            };
            if reports.len() > 1 {
                text = format!("{} {text}", terminal(&reports[f.report].snapshot.path));
            }
            text
        })
        .collect();
    let title = msg.f("limits.gh_folded_title", &[("count", &plan.folded.len())]);
    let text = msg.f(
        "limits.gh_folded",
        &[
            ("limit", &ANNOTATIONS_PER_LEVEL),
            ("findings", &plan.folded_findings()),
            ("count", &plan.folded.len()),
            ("groups", &groups.join("; ")),
        ],
    );
    annotate(out, "notice", &title, &[text])
}

/// The run's counts, as a plain log line.
fn summary(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    let failing = r.failing().count();
    write!(
        out,
        "lookout-doctor: {} error(s), {} warning(s), {} info, {} suppressed; {failing} finding(s) fail the check",
        s.error, s.warning, s.info, s.suppressed
    )?;
    if !r.is_complete() {
        write!(
            out,
            "; not fully read: {} check(s) skipped for lack of input, {} file(s) not recognised",
            r.skipped_for_lack_of_input().count(),
            r.unread_files().count()
        )?;
        if r.fails_incomplete() {
            write!(out, " (--fail-on-skipped: exit 2)")?;
        }
    }
    writeln!(out)
}

impl Printer for GithubPrinter {
    fn print(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        print_step(std::slice::from_ref(r), out)
    }

    /// Several tenants in one step share its annotations.
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        print_step(reports, out)
    }
}
