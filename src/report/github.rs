//! `--format github`: GitHub Actions workflow commands, so each finding shows as an
//! annotation on the run (errors fail-colored, warnings yellow, info as notices).
//! What the run could not see comes first, summarised: a `--user`/`--device` no export
//! knows, checks skipped for lack of input, files not recognised (warnings), checks
//! turned off (a notice).
//!
//! Values are escaped as for a terminal (annotations end up in the job log), then the
//! whole message as workflow-command data: a value can neither end the command's
//! line nor move the cursor.

use super::{Printer, Report, SkippedRule};
use crate::escape::{terminal, workflow_data, workflow_property};
use crate::finding::Severity;
use crate::messages;
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
/// annotations of each level. One annotation per kind of gap, whatever its size.
fn gaps(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let msg = messages::get(&r.lang);
    let not_found: Vec<String> = r
        .focus_not_found()
        .map(|e| e.describe_with(r, terminal))
        .collect();
    annotate(out, "warning", &msg.t("report.not_found_title"), &not_found)?;
    let (missing, on_purpose): (Vec<_>, Vec<_>) =
        r.skipped.iter().partition(|s| s.for_lack_of_input());
    let lines = |skipped: Vec<&SkippedRule>| -> Vec<String> {
        skipped
            .iter()
            .map(|s| format!("{}: {}", s.rule, terminal(&s.reason)))
            .collect()
    };
    let heading = msg.t("report.skipped_heading");
    annotate(out, "warning", &heading, &lines(missing))?;
    let unread: Vec<String> = r
        .unread_files()
        .map(|n| format!("{}: {}", terminal(&n.file), terminal(&n.message)))
        .collect();
    annotate(out, "warning", &msg.t("report.unread_heading"), &unread)?;
    annotate(out, "notice", &heading, &lines(on_purpose))
}

impl Printer for GithubPrinter {
    fn print(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        gaps(r, out)?;
        for f in r.open() {
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let title = format!("{} · {}", f.rule, f.subject_label_with(terminal));
            let mut message = f.diagnosis_with(terminal);
            if let Some(first) = f.remediation.first() {
                message.push_str(&format!("\nFirst step: {first}"));
            }
            writeln!(
                out,
                "::{command} file={},title={}::{}",
                workflow_property(&terminal(r.file_of(f))),
                workflow_property(&title),
                workflow_data(&message)
            )?;
        }
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
}
