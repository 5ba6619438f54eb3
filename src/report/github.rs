//! `--format github`: GitHub Actions workflow commands, so each finding shows as an
//! annotation on the run (errors fail-colored, warnings yellow, info as notices).

use super::{Printer, Report};
use crate::finding::Severity;
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

impl Printer for GithubPrinter {
    fn print(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
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
        writeln!(
            out,
            "lookout-doctor: {} error(s), {} warning(s), {} info, {} suppressed; {failing} finding(s) fail the check",
            s.error, s.warning, s.info, s.suppressed
        )
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
