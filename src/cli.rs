//! The command line: argument parsing and the four commands. Exit codes (SPEC 6):
//! 0 nothing at or above --fail-on, 1 something is, 2 the tool could not do its job.

use crate::engine::{self, Options};
use crate::finding::Severity;
use crate::knowledge;
use crate::messages;
use crate::model::Tenant;
use crate::report::{
    self, wrap_hanging, AsOfSource, BuildOptions, HumanPrinter, JsonPrinter, Printer, Style,
};
use crate::rules::{self, Focus};
use crate::snapshot::{self, Input};
use anyhow::{anyhow, bail, Context as _, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "lookout-doctor",
    version,
    about = "Diagnose a Lookout Mobile Endpoint Security + Microsoft Intune integration from an exported tenant snapshot",
    long_about = None,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load a snapshot, run every rule and print what is wrong and how to fix it.
    Diagnose(DiagnoseArgs),
    /// List the rule catalogue: slug, default severity, title.
    Rules(RulesArgs),
    /// Explain one rule in full: what it checks, why, causes, fix, references.
    Explain(ExplainArgs),
    /// Load and cross-check a snapshot without running the rules.
    Validate(ValidateArgs),
}

#[derive(clap::Args, Debug)]
pub struct DiagnoseArgs {
    /// The snapshot folder (holds lookout.json and the exported files).
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// The instant the snapshot is judged at (RFC 3339). Default: exported_at of snapshot.json.
    #[arg(long, value_name = "RFC3339")]
    pub as_of: Option<String>,
    /// Only findings about this user (UPN); also checks their console access. Repeatable.
    #[arg(long, value_name = "UPN")]
    pub user: Vec<String>,
    /// Only findings about this device (Lookout guid, Intune id or Entra device id). Repeatable.
    #[arg(long, value_name = "ID")]
    pub device: Vec<String>,
    /// Exit 1 when a finding at or above this severity exists.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A rule slug, as `lookout-doctor rules` lists them.
    pub rule: String,
}

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    pub dir: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

const LANG: &str = "en";
/// Prose width when stdout is not a terminal: fixed, so output is reproducible.
const PIPE_WIDTH: usize = 100;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // A closed pipe (`| head`) is not an error worth a message.
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::from(0);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs a parsed command; returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = match cli.command {
        Command::Diagnose(args) => diagnose(&args, &mut out)?,
        Command::Rules(args) => list_rules(&args, &mut out)?,
        Command::Explain(args) => explain(&args, &mut out)?,
        Command::Validate(args) => validate(&args, &mut out)?,
    };
    out.flush()?;
    Ok(code)
}

fn load(dir: &std::path::Path) -> Result<Tenant> {
    let snap = snapshot::load(dir)?;
    Ok(Tenant::build(snap))
}

fn diagnose(args: &DiagnoseArgs, out: &mut dyn Write) -> Result<u8> {
    let as_of_arg = args
        .as_of
        .as_deref()
        .map(|s| {
            chrono::DateTime::parse_from_rfc3339(s.trim())
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| anyhow!("--as-of \"{s}\" is not an RFC 3339 time (expected e.g. 2026-11-20T12:00:00Z)"))
        })
        .transpose()?;
    let tenant = load(&args.dir)?;
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

fn list_rules(args: &RulesArgs, out: &mut dyn Write) -> Result<u8> {
    let msg = messages::get(LANG);
    match args.format {
        OutputFormat::Json => {
            let list: Vec<serde_json::Value> = rules::all()
                .iter()
                .map(|r| {
                    let k = knowledge::of(r.slug());
                    serde_json::json!({
                        "rule": r.slug(),
                        "default_severity": r.default_severity(),
                        "subject_kind": r.subject_kind(),
                        "causes": r.causes(),
                        "title": k.text(LANG).title,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)?;
        }
        OutputFormat::Human => {
            let mut table = comfy_table::Table::new();
            table
                .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
                .set_header(vec![
                    msg.t("rules.col_slug"),
                    msg.t("rules.col_severity"),
                    msg.t("rules.col_subject"),
                    msg.t("rules.col_title"),
                ]);
            for r in rules::all() {
                table.add_row(vec![
                    r.slug().to_string(),
                    r.default_severity().to_string(),
                    r.subject_kind().as_str().to_string(),
                    knowledge::of(r.slug()).text(LANG).title.clone(),
                ]);
            }
            writeln!(out, "{table}")?;
            writeln!(
                out,
                "{}",
                msg.f("rules.footer", &[("count", &rules::all().len())])
            )?;
        }
    }
    Ok(0)
}

fn explain(args: &ExplainArgs, out: &mut dyn Write) -> Result<u8> {
    let slug = args.rule.trim().to_lowercase();
    let Some(rule) = rules::by_slug(&slug) else {
        let best = rules::all()
            .iter()
            .map(|r| (strsim::jaro_winkler(&slug, r.slug()), r.slug()))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((score, s)) if score > 0.8 => bail!("unknown rule \"{}\"; did you mean \"{s}\"? (`lookout-doctor rules` lists them all)", args.rule),
            _ => bail!("unknown rule \"{}\" (`lookout-doctor rules` lists them all)", args.rule),
        }
    };
    let msg = messages::get(LANG);
    let k = knowledge::of(rule.slug());
    let text = k.text(LANG);
    let wrap = |s: &str| wrap_hanging(PIPE_WIDTH, "  ", "  ", s);
    writeln!(out, "{} — {}", rule.slug(), text.title)?;
    writeln!(
        out,
        "{}",
        msg.f(
            "explain.default_severity",
            &[
                ("severity", &rule.default_severity()),
                ("subject", &rule.subject_kind().as_str())
            ]
        )
    )?;
    let files: Vec<String> = rule.needs().iter().map(|i| i.file_name()).collect();
    writeln!(
        out,
        "{}",
        msg.f("explain.needs", &[("files", &files.join(", "))])
    )?;
    for (heading, body) in [
        ("explain.what", &text.what),
        ("explain.why", &text.why),
        ("explain.example", &text.example),
    ] {
        writeln!(out, "\n{}:\n{}", msg.t(heading), wrap(body))?;
    }
    if !rule.causes().is_empty() {
        writeln!(out, "\n{}:", msg.t("explain.causes"))?;
        for c in rule.causes() {
            let meaning = text.causes.get(*c).map(String::as_str).unwrap_or("");
            writeln!(
                out,
                "{}",
                wrap_hanging(PIPE_WIDTH, "  - ", "    ", &format!("{c}: {meaning}"))
            )?;
        }
    }
    writeln!(
        out,
        "\n{}:\n{}",
        msg.t("explain.impact"),
        wrap(&text.impact)
    )?;
    let mut fixes: Vec<(Option<&str>, &Vec<String>)> = Vec::new();
    if let Some(d) = text.remediation.get("default") {
        fixes.push((None, d));
    }
    for c in rule.causes() {
        if let Some(steps) = text.remediation.get(*c) {
            fixes.push((Some(c), steps));
        }
    }
    writeln!(out, "\n{}:", msg.t("explain.fix"))?;
    for (cause, steps) in fixes {
        if let Some(c) = cause {
            writeln!(
                out,
                "  {}:",
                msg.f("explain.fix_for_cause", &[("cause", &c)])
            )?;
        }
        for (i, step) in steps.iter().enumerate() {
            let first = format!("    {}. ", i + 1);
            let rest = " ".repeat(first.len());
            writeln!(out, "{}", wrap_hanging(PIPE_WIDTH, &first, &rest, step))?;
        }
    }
    writeln!(out, "\n{}:", msg.t("explain.references"))?;
    for r in &k.references {
        writeln!(out, "  {r}")?;
    }
    Ok(0)
}

fn validate(args: &ValidateArgs, out: &mut dyn Write) -> Result<u8> {
    let msg = messages::get(LANG);
    let tenant = load(&args.dir).with_context(|| "the snapshot could not be loaded")?;
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
