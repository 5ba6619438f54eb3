//! `--format github`: GitHub Actions workflow commands, so each finding shows as an
//! annotation on the run (errors fail-colored, warnings yellow, info as notices).
//! What the run could not see comes first, summarised: a `--user`/`--device` no export
//! knows, checks skipped for lack of input, files not recognised (warnings), checks
//! turned off (a notice).

use super::{Printer, Report, SkippedRule};
use crate::finding::Severity;
use crate::messages;
use std::io::{self, Write};

pub struct GithubPrinter;

/// Workflow-command data escaping (message part).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command property escaping (title=, file=).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation; `lines` become the message, one per line.
fn annotate(out: &mut dyn Write, command: &str, title: &str, lines: &[String]) -> io::Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "::{command} title={}::{}",
        escape_property(title),
        escape_data(&lines.join("\n"))
    )
}

/// What the run could not see, before any finding: GitHub shows only the first few
/// annotations of each level. One annotation per kind of gap, whatever its size.
fn gaps(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let msg = messages::get(&r.lang);
    let not_found: Vec<String> = r.focus_not_found().map(|e| e.describe(r)).collect();
    annotate(out, "warning", &msg.t("report.not_found_title"), &not_found)?;
    let (missing, on_purpose): (Vec<_>, Vec<_>) =
        r.skipped.iter().partition(|s| s.for_lack_of_input());
    let lines = |skipped: Vec<&SkippedRule>| -> Vec<String> {
        skipped
            .iter()
            .map(|s| format!("{}: {}", s.rule, s.reason))
            .collect()
    };
    let heading = msg.t("report.skipped_heading");
    annotate(out, "warning", &heading, &lines(missing))?;
    let unread: Vec<String> = r
        .unread_files()
        .map(|n| format!("{}: {}", n.file, n.message))
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
            let title = format!("{} · {}", f.rule, f.subject_label());
            let mut message = f.diagnosis.clone();
            if let Some(first) = f.remediation.first() {
                message.push_str(&format!("\nFirst step: {first}"));
            }
            writeln!(
                out,
                "::{command} file={},title={}::{}",
                escape_property(r.file_of(f)),
                escape_property(&title),
                escape_data(&message)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_command_syntax() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a: b, c"), "a%3A b%2C c");
    }
}
