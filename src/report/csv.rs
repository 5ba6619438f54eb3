//! `--format csv`: the action plan, one row per finding, with empty owner and due-date
//! columns for whoever triages it in a spreadsheet. Rows for what the run could not
//! see (checks not run, files not read, a `--user`/`--device` no export knows) come
//! first; their `status` says which.

use super::layout::numbered;
use super::{Printer, Report};
use crate::messages;
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

/// A row that is not a finding: what the run could not see, with its status.
struct GapRow<'a> {
    rule: &'a str,
    cause: &'a str,
    subject_kind: &'a str,
    subject_id: &'a str,
    title: &'a str,
    diagnosis: &'a str,
    status: &'a str,
    file: &'a str,
}

impl GapRow<'_> {
    fn write<W: Write>(&self, w: &mut csv::Writer<W>) -> csv::Result<()> {
        w.write_record([
            "",
            self.rule,
            self.cause,
            self.subject_kind,
            self.subject_id,
            "",
            "",
            self.title,
            self.diagnosis,
            "",
            "",
            self.status,
            "",
            self.file,
            "",
            "",
        ])
    }
}

/// What the run could not see comes first, each an action for the triage: a
/// `--user`/`--device` no export knows (status `not-found`), a check that did not run
/// (`skipped`, its cause in the cause column), a file not recognised (`not-read`).
fn write_gaps<W: Write>(w: &mut csv::Writer<W>, r: &Report) -> io::Result<()> {
    let msg = messages::get(&r.lang);
    let not_found = msg.t("report.not_found_title");
    for e in r.focus_not_found() {
        GapRow {
            rule: "",
            cause: "",
            subject_kind: e.kind.as_str(),
            subject_id: &e.query,
            title: &not_found,
            diagnosis: &e.describe(r),
            status: "not-found",
            file: "",
        }
        .write(w)?;
    }
    for s in &r.skipped {
        GapRow {
            rule: s.rule.slug(),
            cause: s.cause.as_str(),
            subject_kind: "",
            subject_id: "",
            title: s.title,
            diagnosis: &s.reason,
            status: "skipped",
            file: s.input.map_or("", |i| r.path_of(i)),
        }
        .write(w)?;
    }
    let unread = msg.t("report.unread_title");
    for n in r.unread_files() {
        GapRow {
            rule: "",
            cause: "",
            subject_kind: "",
            subject_id: "",
            title: &unread,
            diagnosis: &n.message,
            status: "not-read",
            file: &r.path_in_snapshot(&n.file),
        }
        .write(w)?;
    }
    Ok(())
}

fn write_rows<W: Write>(w: &mut csv::Writer<W>, r: &Report) -> io::Result<()> {
    write_gaps(w, r)?;
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
