//! `--format json`: the machine-readable report of SPEC section 5. Same input, same bytes.

use super::{Printer, Report};
use serde::Serialize;
use std::io::{self, Write};

pub struct JsonPrinter;

impl Printer for JsonPrinter {
    fn print(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write_pretty(report, out)
    }

    /// A JSON array of reports, one per tenant, each as `print` writes it.
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        write_pretty(reports, out)
    }
}

/// serde_json writes a token at a time; through a local buffer those writes are
/// plain copies instead of calls through `dyn Write`, which counts on a fleet's
/// report of a hundred megabytes.
fn write_pretty<T: Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}
