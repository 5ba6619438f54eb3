//! `lookout-doctor validate DIR`: load and cross-check a snapshot, no rules. Per file
//! it says which export it recognised, how many records it read and skipped (and
//! why), and which columns or fields nothing reads; a file that cannot be read at
//! all stops the load with exit 2, naming the file and the line or record.

use crate::cli::{ValidateArgs, PIPE_WIDTH};
use crate::messages::{self, Messages};
use crate::report::layout::wrap_hanging;
use crate::snapshot::{FileInfo, Format, Input};
use anyhow::{Context as _, Result};
use std::io::Write;

/// Column and field names listed before "… and N more": enough to recognise the
/// export, short enough for a terminal.
const IGNORED_SHOWN: usize = 12;

pub fn run(args: &ValidateArgs, out: &mut dyn Write) -> Result<u8> {
    let msg = messages::current();
    let tenant = super::load(&args.dir).with_context(|| "the snapshot could not be loaded")?;
    writeln!(
        out,
        "{}",
        msg.f("validate.heading", &[("path", &args.dir.display())])
    )?;
    for input in Input::ALL {
        let mut files = tenant.files.iter().filter(|f| f.input == input).peekable();
        if files.peek().is_none() {
            writeln!(
                out,
                "  {}",
                msg.f("validate.absent", &[("name", &input.file_name())])
            )?;
        }
        for f in files {
            print_file(out, msg, f)?;
        }
    }
    let checks = tenant.cross_checks();
    if !checks.is_empty() {
        writeln!(out, "\n{}:", msg.t("validate.cross_heading"))?;
        for c in checks {
            let line = msg.f(
                &format!("validate.cross.{}", c.key),
                &[("count", &c.count), ("examples", &c.examples.join(", "))],
            );
            writeln!(out, "{}", wrap_hanging(PIPE_WIDTH, "  - ", "    ", &line))?;
        }
    }
    writeln!(out, "\n{}", msg.t("validate.ok"))?;
    Ok(0)
}

/// One file: what it is and how much of it was used, then its notes.
fn print_file(out: &mut dyn Write, msg: &Messages, f: &FileInfo) -> Result<()> {
    let skipped = match f.skipped_total() {
        0 => String::new(),
        n => msg.f("validate.detail.skipped_suffix", &[("count", &n)]),
    };
    let quirks = if f.quirks.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = f.quirks.iter().map(|q| q.describe(msg)).collect();
        msg.f("validate.detail.quirks", &[("list", &list.join(", "))])
    };
    let line = msg.f(
        "validate.detail.file_line",
        &[
            ("name", &f.name),
            ("format", &f.format.as_str()),
            ("records", &f.records),
            ("skipped", &skipped),
            ("form", &f.form.describe(msg)),
            ("quirks", &quirks),
        ],
    );
    writeln!(out, "{}", wrap_hanging(PIPE_WIDTH, "  ", "      ", &line))?;
    if !f.ignored.is_empty() {
        writeln!(
            out,
            "{}",
            wrap_hanging(PIPE_WIDTH, "      ", "        ", &ignored_line(msg, f))
        )?;
    }
    for n in &f.notes {
        writeln!(
            out,
            "{}",
            wrap_hanging(PIPE_WIDTH, "      - ", "        ", n)
        )?;
    }
    Ok(())
}

fn ignored_line(msg: &Messages, f: &FileInfo) -> String {
    let mut list: Vec<String> = f.ignored.iter().take(IGNORED_SHOWN).cloned().collect();
    if f.ignored.len() > IGNORED_SHOWN {
        list.push(msg.f(
            "validate.detail.more",
            &[("count", &(f.ignored.len() - IGNORED_SHOWN))],
        ));
    }
    let key = match f.format {
        Format::Csv => "validate.detail.ignored_columns",
        Format::Json => "validate.detail.ignored_fields",
    };
    msg.f(
        key,
        &[("count", &f.ignored.len()), ("list", &list.join(", "))],
    )
}
