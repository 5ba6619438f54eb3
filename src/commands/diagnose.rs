//! `lookout-doctor diagnose`: load, run the rules under the run's policy, print the
//! report in the chosen format, to stdout or atomically to a file.

use crate::cli::{ColorChoice, DiagnoseArgs, RedactKeep, LANG, PIPE_WIDTH};
use crate::config::{Level, Policy};
use crate::engine::{self, Options};
use crate::finding::Severity;
use crate::output;
use crate::redact::{Keep, Redactor};
use crate::report::baseline::Baseline;
use crate::report::{self, AsOfSource, BuildOptions, FailPolicy, Style};
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
    if let Some(path) = &args.output {
        output::ensure_outside(path, &args.dir)?;
    }
    let policy = policy(args)?;
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    let tenant = super::load(&args.dir)?;
    let (as_of, as_of_source) = match (as_of_arg, tenant.exported_at) {
        (Some(t), _) => (t, AsOfSource::Option),
        (None, Some(t)) => (t, AsOfSource::Snapshot),
        (None, None) => (chrono::Utc::now(), AsOfSource::CurrentTime),
    };
    let focus = Focus::new(&args.user, &args.device);
    let focus_list: Vec<String> = focus.users.iter().chain(&focus.devices).cloned().collect();
    let mut outcome = engine::run(
        &tenant,
        &Options {
            as_of,
            focus,
            policy,
        },
    );
    let redactor = if args.redact {
        let keep = Keep {
            groups: args.redact_keep.contains(&RedactKeep::Groups),
        };
        Some(Redactor::new(&tenant, Redactor::key_from_env()?, keep))
    } else {
        None
    };
    if let Some(r) = &redactor {
        r.findings(&mut outcome.findings);
    }
    let mut report = report::build(
        &tenant,
        outcome,
        &BuildOptions {
            snapshot_path: &args.dir.to_string_lossy(),
            as_of,
            as_of_source,
            lang: LANG,
            focus: focus_list,
            baseline: baseline.as_ref(),
        },
    );
    if let Some(r) = &redactor {
        r.report(&mut report);
    }
    let fail = FailPolicy {
        threshold: args.fail_on.threshold(),
        new_only: args.fail_on_new,
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let style = Style {
        color: use_color(args.color, to_terminal),
        width: if to_terminal {
            terminal_width()
        } else {
            PIPE_WIDTH
        },
        fail,
    };
    let printer = report::printer(args.format, style);
    match &args.output {
        None => printer.print(&report, out)?,
        Some(path) => {
            let mut buf = Vec::new();
            printer.print(&report, &mut buf)?;
            output::write_atomically(path, &buf)?;
        }
    }
    Ok(report.exit_code(fail))
}

/// The configuration file, then `--allow/--warn/--deny`, which win over it.
fn policy(args: &DiagnoseArgs) -> Result<Policy> {
    let mut policy = Policy::load(args.config.as_deref(), &args.dir)?;
    let overrides = [
        (&args.allow, Level::Off),
        (&args.warn, Level::At(Severity::Warning)),
        (&args.deny, Level::At(Severity::Error)),
    ];
    for (slugs, level) in overrides {
        for slug in slugs {
            policy
                .override_level(slug, level)
                .map_err(|m| anyhow!("--{}: {m}", flag_name(level)))?;
        }
    }
    Ok(policy)
}

fn flag_name(level: Level) -> &'static str {
    match level {
        Level::Off => "allow",
        Level::At(Severity::Error) => "deny",
        Level::At(_) => "warn",
    }
}

/// Colour: `--color always/never`, else only on a terminal without NO_COLOR.
fn use_color(choice: ColorChoice, to_terminal: bool) -> bool {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    colored::control::set_override(on);
    on
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(PIPE_WIDTH)
        .clamp(60, 160)
}
