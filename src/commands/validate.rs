//! `lookout-doctor validate DIR`: load and cross-check a snapshot, no rules.

use crate::cli::{ValidateArgs, LANG, PIPE_WIDTH};
use crate::messages;
use crate::report::wrap_hanging;
use crate::snapshot::Input;
use anyhow::{Context as _, Result};
use std::io::Write;

pub fn run(args: &ValidateArgs, out: &mut dyn Write) -> Result<u8> {
    let msg = messages::get(LANG);
    let tenant = super::load(&args.dir).with_context(|| "the snapshot could not be loaded")?;
    writeln!(
        out,
        "{}",
        msg.f("validate.heading", &[("path", &args.dir.display())])
    )?;
    for input in Input::ALL {
        match tenant.files.iter().find(|f| f.input == input) {
            Some(f) => {
                writeln!(
                    out,
                    "  {}",
                    msg.f(
                        "validate.file_line",
                        &[
                            ("name", &f.name),
                            ("format", &f.format.as_str()),
                            ("records", &f.records)
                        ]
                    )
                )?;
                for n in &f.notes {
                    writeln!(out, "      - {n}")?;
                }
            }
            None => writeln!(
                out,
                "  {}",
                msg.f("validate.absent", &[("name", &input.file_name())])
            )?,
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
