//! `--format json`: the machine-readable report of SPEC section 5. Same input, same bytes.

use super::{Printer, Report};
use std::io::{self, Write};

pub struct JsonPrinter;

impl Printer for JsonPrinter {
    fn print(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        out.write_all(b"\n")
    }

    /// A JSON array of reports, one per tenant, each as `print` writes it.
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, reports)?;
        out.write_all(b"\n")
    }
}
