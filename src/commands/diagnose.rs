//! `lookout-doctor diagnose`: load, run the rules, print the report.

use crate::cli::{ColorChoice, DiagnoseArgs, OutputFormat, LANG, PIPE_WIDTH};
use crate::engine::{self, Options};
use crate::report::{self, AsOfSource, BuildOptions, HumanPrinter, JsonPrinter, Printer, Style};
use crate::rules::Focus;
use anyhow::{anyhow, Result};
use std::io::{IsTerminal, Write};

pub fn run(args: &DiagnoseArgs, out: &mut dyn Write) -> Result<u8> {
    let as_of_arg = args
        .as_of
        .as_deref()
        .map(|s| {
            chrono::DateTime::parse_from_rfc3339(s.trim())
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| anyhow!("--as-of \"{s}\" is not an RFC 3339 time (expected e.g. 2026-11-20T12:00:00Z)"))
        })
        .transpose()?;
    let tenant = super::load(&args.dir)?;
    let (as_of, as_of_source) = match (as_of_arg, tenant.exported_at) {
        (Some(t), _) => (t, AsOfSource::Option),
        (None, Some(t)) => (t, AsOfSource::Snapshot),
        (None, None) => (chrono::Utc::now(), AsOfSource::CurrentTime),
    };
    let focus = Focus::new(&args.user, &args.device);
    let mut focus_list: Vec<String> = focus.users.clone();
    focus_list.extend(focus.devices.iter().cloned());
    let outcome = engine::run(&tenant, &Options { as_of, focus });
    let report = report::build(
        &tenant,
        outcome,
        &BuildOptions {
            snapshot_path: &args.dir.to_string_lossy(),
            as_of,
            as_of_source,
            lang: LANG,
            focus: focus_list,
        },
    );
    let fail_on = args.fail_on.threshold();
    match args.format {
        OutputFormat::Json => JsonPrinter.print(&report, out)?,
        OutputFormat::Human => {
            let color = use_color(args.color);
            HumanPrinter {
                style: Style {
                    color,
                    width: width(),
                    fail_on,
                },
            }
            .print(&report, out)?
        }
    }
    Ok(u8::from(report.summary.fails(fail_on)))
}

/// Colour: `--color always/never`, else only on a terminal without NO_COLOR.
fn use_color(choice: ColorChoice) -> bool {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    colored::control::set_override(on);
    on
}

fn width() -> usize {
    if std::io::stdout().is_terminal() {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(PIPE_WIDTH)
            .clamp(60, 160)
    } else {
        PIPE_WIDTH
    }
}
