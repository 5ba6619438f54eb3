//! `--format csv`: the action plan, one row per finding, with empty owner and due-date
//! columns for whoever triages it in a spreadsheet. Rows for what the run could not
//! see (checks not run, files not read, a `--user`/`--device` no export knows) come
//! first; their `status` says which.
//!
//! The file starts with a UTF-8 byte-order mark, so Excel opened by a double click
//! reads it as UTF-8 (without one it takes the ANSI code page, and "Diego’s iPhone" or
//! any Japanese name turns to mojibake). Every cell a spreadsheet would take for a
//! formula is quoted ([`escape::csv_cell`]), and tenant values are escaped as for a
//! terminal: a CSV is read in spreadsheets and printed in logs, and neither should
//! hide or act on a control character; each row of values stays on one line.

use super::layout::numbered;
use super::{Printer, Report};
use crate::escape::{self, terminal};
use crate::messages;
use std::borrow::Cow;
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
        out.write_all(BYTE_ORDER_MARK.as_bytes())?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        for r in reports {
            write_rows(&mut w, r)?;
        }
        w.flush()
    }
}

const BYTE_ORDER_MARK: &str = "\u{feff}";

/// Writes one row, each cell safe for a spreadsheet.
fn write_row<W: Write>(w: &mut csv::Writer<W>, cells: [&str; HEADER.len()]) -> csv::Result<()> {
    w.write_record(cells.map(|c| Cell(escape::csv_cell(c))))
}

/// A cell as the csv crate takes it, without copying the ones that need no change.
struct Cell<'a>(Cow<'a, str>);

impl AsRef<[u8]> for Cell<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
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
        write_row(
            w,
            [
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
            ],
        )
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
            subject_id: &terminal(&e.query),
            title: &not_found,
            diagnosis: &e.describe_with(r, terminal),
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
            diagnosis: &terminal(&s.reason),
            status: "skipped",
            file: &terminal(s.input.map_or("", |i| r.path_of(i))),
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
            diagnosis: &terminal(&n.message),
            status: "not-read",
            file: &terminal(&r.path_in_snapshot(&n.file)),
        }
        .write(w)?;
    }
    Ok(())
}

fn write_rows<W: Write>(w: &mut csv::Writer<W>, r: &Report) -> io::Result<()> {
    write_gaps(w, r)?;
    {
        for f in &r.findings {
            write_row(
                w,
                [
                    f.severity.as_str(),
                    f.rule.slug(),
                    f.cause.unwrap_or(""),
                    f.subject.kind.as_str(),
                    &terminal(&f.subject.id),
                    &terminal(f.subject.name.as_deref().unwrap_or("")),
                    &terminal(f.subject.user.as_deref().unwrap_or("")),
                    f.title,
                    &f.diagnosis_with(terminal),
                    &numbered(f.remediation).join("\n"),
                    &f.references.join("\n"),
                    f.status(),
                    &terminal(f.suppressed.as_deref().unwrap_or("")),
                    &terminal(r.file_of(f)),
                    "",
                    "",
                ],
            )?;
        }
    }
    Ok(())
}
