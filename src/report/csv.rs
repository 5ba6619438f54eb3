//! `--format csv`: the action plan, one row per finding, with empty owner and due-date
//! columns for whoever triages it in a spreadsheet.

use super::layout::numbered;
use super::{Printer, Report};
use std::io::{self, Write};

pub struct CsvPrinter;

const HEADER: [&str; 16] = [
    "severity",
    "rule",
    "cause",
    "subject_kind",
    "subject_id",
    "subject_name",
    "user",
    "title",
    "diagnosis",
    "remediation",
    "references",
    "status",
    "suppression_reason",
    "file",
    "owner",
    "due_date",
];

impl Printer for CsvPrinter {
    fn print(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.print_many(std::slice::from_ref(r), out)
    }

    /// One table for all tenants: the `file` column says which snapshot a row is from.
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        for r in reports {
            write_rows(&mut w, r)?;
        }
        w.flush()
    }
}

fn write_rows<W: Write>(w: &mut csv::Writer<W>, r: &Report) -> io::Result<()> {
    {
        for f in &r.findings {
            w.write_record([
                f.severity.as_str(),
                f.rule.slug(),
                f.cause.unwrap_or(""),
                f.subject.kind.as_str(),
                &f.subject.id,
                f.subject.name.as_deref().unwrap_or(""),
                f.subject.user.as_deref().unwrap_or(""),
                f.title,
                &f.diagnosis,
                &numbered(f.remediation).join("\n"),
                &f.references.join("\n"),
                f.status(),
                f.suppressed.as_deref().unwrap_or(""),
                r.file_of(f),
                "",
                "",
            ])?;
        }
    }
    Ok(())
}
