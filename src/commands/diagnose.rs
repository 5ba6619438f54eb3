//! `lookout-doctor diagnose`: load, run the rules under the run's policy, print the
//! report in the chosen format, to stdout or to a file (`output`). Several snapshot
//! folders (or one folder of them) give one report per tenant.

use crate::cli::{ColorChoice, DiagnoseArgs, RedactKeep, PIPE_WIDTH};
use crate::config::{Level, Policy};
use crate::engine::{self, Options};
use crate::escape;
use crate::finding::Severity;
use crate::output;
use crate::redact::{Keep, RedactKey, Redactor};
use crate::report::baseline::Baselines;
use crate::report::{self, AsOfSource, BuildOptions, FailPolicy, Report, SkipCause, Style};
use crate::rules::Focus;
use crate::snapshot::time::Time;
use crate::snapshot::Input;
use anyhow::{anyhow, Result};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

pub fn run(args: &DiagnoseArgs, out: &mut dyn Write) -> Result<u8> {
    // One key for the run: the tenants of a multi-tenant run share pseudonyms.
    let redaction = if args.redact {
        Some(Redaction::new(args, RedactKey::from_env()?))
    } else {
        None
    };
    diagnose(args, redaction.as_ref(), out).map_err(|e| match &redaction {
        Some(r) => r.error(None, &e),
        None => e,
    })
}

/// Under `--redact`: the key, what to keep, and what errors show instead of the run's
/// paths (they may name the user, the customer or the tenant).
struct Redaction {
    key: RedactKey,
    keep: Keep,
    paths: Vec<(PathBuf, String)>,
}

impl Redaction {
    fn new(args: &DiagnoseArgs, key: RedactKey) -> Redaction {
        let dirs = snapshot_dirs(&args.dirs);
        let folders = args
            .dirs
            .iter()
            .chain(&dirs)
            .map(|d| (d.clone(), report::REDACTED_SNAPSHOT_PATH.to_string()));
        let files = [&args.config, &args.baseline, &args.output]
            .into_iter()
            .flatten()
            .map(|f| {
                let name = f.file_name().unwrap_or_default().to_string_lossy();
                (f.clone(), name.into_owned())
            });
        Redaction {
            key,
            keep: Keep {
                groups: args.redact_keep.contains(&RedactKeep::Groups),
            },
            paths: folders.chain(files).collect(),
        }
    }

    /// An error, redacted by what the tenant's redactor knows, or else by patterns.
    fn error(&self, tenant: Option<&Redactor>, e: &anyhow::Error) -> anyhow::Error {
        let paths: Vec<(&Path, &str)> = self
            .paths
            .iter()
            .map(|(p, label)| (p.as_path(), label.as_str()))
            .collect();
        match tenant {
            Some(r) => r.error(e, &paths),
            None => Redactor::without_tenant(&self.key).error(e, &paths),
        }
    }
}

fn diagnose(args: &DiagnoseArgs, redaction: Option<&Redaction>, out: &mut dyn Write) -> Result<u8> {
    let as_of = args
        .as_of
        .as_deref()
        .map(|s| {
            chrono::DateTime::parse_from_rfc3339(s.trim())
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| {
                    anyhow!("--as-of \"{s}\" is not an RFC 3339 time (expected e.g. 2026-11-20T12:00:00Z)")
                })
        })
        .transpose()?;
    let dirs = snapshot_dirs(&args.dirs);
    if let Some(path) = &args.output {
        for dir in &dirs {
            output::ensure_outside(path, dir)?;
        }
    }
    let baselines = args.baseline.as_deref().map(Baselines::load).transpose()?;
    if let (Some(path), Some(b)) = (&args.baseline, &baselines) {
        // Pseudonyms under another key, or none, never equal the baseline's: every
        // finding would be new and every one of the baseline resolved.
        if b.is_redacted() && !redaction.is_some_and(|r| r.key.stable) {
            return Err(anyhow!(
                "{}: the baseline is a redacted report; compare with it under --redact, with the {} it was made with",
                path.display(),
                crate::redact::KEY_ENV
            ));
        }
    }
    let fail = FailPolicy {
        threshold: args.fail_on.threshold(),
        new_only: args.fail_on_new,
        skipped: args.fail_on_skipped,
    };

    let mut reports = Vec::with_capacity(dirs.len());
    let mut failed = Vec::new();
    for (i, dir) in dirs.iter().enumerate() {
        let last = i + 1 == dirs.len();
        match diagnose_one(args, dir, as_of, baselines.as_ref(), fail, redaction, last) {
            Ok(r) => reports.push(r),
            // One tenant: its error is the run's error. Several: the others are still
            // reported, the failure is said on stderr, and the exit code is 2.
            Err(e) if dirs.len() == 1 => return Err(e),
            Err(e) => failed.push(format!("{e:#}")),
        }
    }

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let style = Style {
        color: use_color(args.color, to_terminal),
        width: report_width(std::env::var("COLUMNS").ok().as_deref(), to_terminal),
        max_rows: args.max_rows,
    };
    let printer = report::printer(args.format, style);
    let mut buf = Vec::new();
    let sink: &mut dyn Write = if args.output.is_some() { &mut buf } else { out };
    if dirs.len() == 1 {
        printer.print(&reports[0], sink)?;
    } else {
        printer.print_many(&reports, sink)?;
    }
    if let Some(path) = &args.output {
        output::write_report(path, &buf)?;
    }
    // The report comes first, whole; then what made an incomplete run fail.
    for r in reports.iter().filter(|r| r.fails_incomplete()) {
        eprintln!("error: {}", escape::terminal(&incomplete_message(r)));
    }
    for f in &failed {
        eprintln!("error: {}", escape::terminal(f));
    }
    let code = if failed.is_empty() {
        reports.iter().map(Report::exit_code).max().unwrap_or(0)
    } else {
        2
    };
    // The process ends next: freeing a large run's findings one by one would only
    // delay it (as with the last tenant's model).
    std::mem::forget(reports);
    Ok(code)
}

/// What `--fail-on-skipped` fails an incomplete run on: the files the snapshot lacks
/// with the checks each one stopped, and the files not recognised.
fn incomplete_message(r: &Report) -> String {
    let mut missing: Vec<(Input, Vec<&str>)> = Vec::new();
    let mut placeholders: Vec<&str> = Vec::new();
    for s in r.skipped_for_lack_of_input() {
        if s.cause == SkipCause::Placeholder {
            placeholders.push(s.rule.slug());
            continue;
        }
        let Some(input) = s.input else { continue };
        match missing.iter_mut().find(|(i, _)| *i == input) {
            Some((_, rules)) => rules.push(s.rule.slug()),
            None => missing.push((input, vec![s.rule.slug()])),
        }
    }
    let mut parts: Vec<String> = missing
        .iter()
        .map(|(input, rules)| {
            format!(
                "{} is not in the snapshot, so {} did not run",
                input.file_name(),
                rules.join(", ")
            )
        })
        .collect();
    if !placeholders.is_empty() {
        parts.push(format!(
            "lookout.json still holds template placeholders, so {} did not run",
            placeholders.join(", ")
        ));
    }
    let unread: Vec<&str> = r.unread_files().map(|n| n.file.as_str()).collect();
    if !unread.is_empty() {
        parts.push(format!(
            "not recognised, so not read: {}",
            unread.join(", ")
        ));
    }
    format!(
        "{}: the snapshot was not fully read (--fail-on-skipped): {}",
        r.snapshot.path,
        parts.join("; ")
    )
}

/// The snapshot folders of the run: the folders given, or, for a single folder with
/// no lookout.json, its subfolders that have one (sorted, so output is stable).
fn snapshot_dirs(given: &[PathBuf]) -> Vec<PathBuf> {
    if let [only] = given {
        if only.is_dir() && !only.join("lookout.json").exists() {
            // A folder that cannot be listed is the loader's to explain.
            let Ok(entries) = std::fs::read_dir(only) else {
                return given.to_vec();
            };
            let mut subs: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.join("lookout.json").is_file())
                .collect();
            subs.sort();
            if !subs.is_empty() {
                return subs;
            }
        }
    }
    given.to_vec()
}

/// Loads one snapshot and builds its report.
fn diagnose_one(
    args: &DiagnoseArgs,
    dir: &Path,
    as_of: Option<Time>,
    baselines: Option<&Baselines>,
    fail: FailPolicy,
    redaction: Option<&Redaction>,
    last: bool,
) -> Result<Report> {
    let policy = match (policy(args, dir), redaction) {
        (Err(e), None) => return Err(e),
        (policy, _) => policy,
    };
    // Under --redact a configuration error is told once the snapshot is loaded, so
    // what the snapshot knows is redacted from it too.
    let tenant = super::load(dir).map_err(|e| match redaction {
        Some(r) => r.error(None, &e),
        None => e,
    })?;
    let redactor = redaction.map(|r| Redactor::new(&tenant, &r.key, r.keep));
    let policy = policy.map_err(|e| match redaction {
        Some(r) => r.error(redactor.as_ref(), &e),
        None => e,
    })?;
    let (as_of, as_of_source) = match (as_of, tenant.exported_at) {
        (Some(t), _) => (t, AsOfSource::Option),
        (None, Some(t)) => (t, AsOfSource::Snapshot),
        (None, None) => (chrono::Utc::now(), AsOfSource::CurrentTime),
    };
    let focus = Focus::new(&args.user, &args.device);
    let outcome = engine::run(
        &tenant,
        &Options {
            as_of,
            focus: focus.clone(),
            policy,
        },
    );
    // The rules' own lists of findings were copied into one and freed.
    crate::memory::release_free();
    let path = dir.to_string_lossy();
    let tenant_ids: Vec<String> = tenant
        .tenant_id
        .iter()
        .flat_map(|id| {
            [
                Some(id.to_string()),
                redactor.as_ref().map(|r| r.tenant(id)),
            ]
        })
        .flatten()
        .collect();
    let tenant_ids: Vec<&str> = tenant_ids.iter().map(String::as_str).collect();
    let baseline = baselines.and_then(|b| b.for_tenant(&tenant_ids, &path));
    let report = report::build(
        &tenant,
        outcome,
        &BuildOptions {
            snapshot_path: &path,
            as_of,
            as_of_source,
            lang: crate::messages::language(),
            focus: &focus,
            baseline,
            fail,
            redactor: redactor.as_ref(),
        },
    );
    if last {
        // Freeing a fleet-scale model costs a twentieth of the run, and the process
        // ends right after the last tenant.
        std::mem::forget(tenant);
    } else {
        // In a multi-tenant run the memory serves the next tenant.
        drop(tenant);
    }
    Ok(report)
}

/// The configuration file, then `--allow/--warn/--deny`, which win over it.
fn policy(args: &DiagnoseArgs, dir: &Path) -> Result<Policy> {
    let mut policy = Policy::load(args.config.as_deref(), dir)?;
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

/// The narrowest width the report is laid out at: prose wraps no narrower.
const MIN_WIDTH: usize = 40;
/// The widest: longer lines are hard to read, whatever the terminal.
const MAX_WIDTH: usize = 200;

/// The width the report is laid out at: `COLUMNS` when set (the user's or the
/// shell's word, also for a file or a pipe), else the terminal's, else
/// [`PIPE_WIDTH`].
fn report_width(columns: Option<&str>, to_terminal: bool) -> usize {
    let tty = || {
        to_terminal
            .then(|| comfy_table::Table::new().width())
            .flatten()
            .map(usize::from)
    };
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .or_else(tty)
        .unwrap_or(PIPE_WIDTH)
        .clamp(MIN_WIDTH, MAX_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_width_is_columns_else_the_terminal_else_the_pipe_width() {
        assert_eq!(report_width(Some("72"), false), 72);
        assert_eq!(report_width(Some(" 120 "), true), 120);
        assert_eq!(report_width(None, false), PIPE_WIDTH);
        assert_eq!(report_width(Some("wide"), false), PIPE_WIDTH);
        assert_eq!(report_width(Some("0"), false), PIPE_WIDTH);
        assert_eq!(report_width(Some("10"), false), MIN_WIDTH);
        assert_eq!(report_width(Some("1000"), false), MAX_WIDTH);
    }
}
