//! The command line: argument parsing and the commands. Exit codes (SPEC 6):
//! 0 nothing at or above --fail-on, 1 something is, 2 the tool could not do its job.

use crate::collect::cloud::Cloud;
use crate::commands;
use crate::finding::Severity;
use crate::report;
use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
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
    /// Output language: en, ko, ja, zh-TW, pt-BR (default: from LC_ALL, LC_MESSAGES or LANG).
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    /// Read every snapshot file into memory, never map a large one (uses more memory).
    #[arg(long, global = true)]
    pub no_mmap: bool,
    /// Follow symbolic links that lead out of the snapshot folder (refused by default:
    /// a committed snapshot could otherwise have the run read, and quote, any file).
    #[arg(long, global = true)]
    pub follow_links: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load a snapshot, run every rule and print what is wrong and how to fix it.
    Diagnose(Box<DiagnoseArgs>),
    /// List the rule catalogue: slug, default severity, title.
    Rules(RulesArgs),
    /// Explain one rule in full: what it checks, why, causes, fix, references.
    Explain(ExplainArgs),
    /// Load and cross-check a snapshot without running the rules.
    Validate(ValidateArgs),
    /// Start a snapshot folder: a lookout.json template and a README on exporting each file.
    Init(InitArgs),
    /// Write a snapshot folder straight from Microsoft Graph and the Lookout API.
    ///
    /// Credentials come from the environment: AZURE_TENANT_ID, AZURE_CLIENT_ID, and
    /// AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (an unencrypted PEM file with
    /// the certificate and its key), and LOOKOUT_APPLICATION_KEY. Nothing else is
    /// exported by hand except lookout.json, which is kept (or started from the
    /// template). Exit code 0: written; 2: not, and the folder is as it was.
    Collect(Box<CollectArgs>),
}

#[derive(clap::Args, Debug)]
pub struct DiagnoseArgs {
    /// Snapshot folders (each holds lookout.json and the exported files), or one
    /// folder whose subfolders are snapshots: one report per tenant.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = report::Format::Human)]
    pub format: report::Format,
    /// The instant the snapshot is judged at (RFC 3339). Default: exported_at of snapshot.json.
    #[arg(long, value_name = "RFC3339")]
    pub as_of: Option<String>,
    /// Ask about this user (UPN or e-mail): only their findings plus tenant-wide ones,
    /// and a plain warning if no export knows them. The human report opens with their
    /// dossier: groups, the path into each enrollment group, console access, each
    /// Intune device beside its Lookout record. Repeatable.
    #[arg(long, value_name = "UPN")]
    pub user: Vec<String>,
    /// Ask about this device (Lookout guid, Intune id or Entra device id): only its
    /// findings plus tenant-wide ones, and a plain warning if no export knows it. The
    /// human report opens with its owner and both records side by side. Repeatable.
    #[arg(long, value_name = "ID")]
    pub device: Vec<String>,
    /// Exit 1 when a finding at or above this severity exists.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Exit 2 when the snapshot was not fully read: a check skipped because a file it
    /// reads is missing, or a file not recognised (checks turned off with --allow or in
    /// the configuration do not count). The report is printed first, then what was
    /// skipped, on stderr.
    #[arg(long)]
    pub fail_on_skipped: bool,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The human report lists at most N subjects per rule and cause, then how many
    /// more there are; 0 lists them all (as --format csv does).
    #[arg(long, value_name = "N", default_value_t = report::fold::DEFAULT_MAX_ROWS)]
    pub max_rows: usize,
    /// Write the report to this file instead of stdout: a regular file is replaced
    /// atomically (keeping its permissions and owner), a link is followed, a device,
    /// named pipe or socket is written through, never replaced (a named pipe nobody
    /// reads within 10 seconds is an error).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The configuration file (default: lookout-doctor.toml in the snapshot folder).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Turn a rule off for this run. Repeatable.
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
    /// Report a rule's findings as warnings. Repeatable.
    #[arg(long, value_name = "RULE")]
    pub warn: Vec<String>,
    /// Report a rule's findings as errors. Repeatable.
    #[arg(long, value_name = "RULE")]
    pub deny: Vec<String>,
    /// An earlier JSON report: mark findings new or unchanged and list resolved ones.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: only new findings decide the exit code.
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// Replace user names, e-mails, device names and ids, tenant and group ids with
    /// stable pseudonyms (key: LOOKOUT_DOCTOR_REDACT_KEY, else random per run).
    #[arg(long)]
    pub redact: bool,
    /// With --redact: keep these readable. Repeatable.
    #[arg(long, value_enum, value_name = "WHAT", requires = "redact")]
    pub redact_keep: Vec<RedactKeep>,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum RedactKeep {
    /// Group display names and object ids.
    Groups,
}

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = CatalogueFormat::Human)]
    pub format: CatalogueFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum CatalogueFormat {
    Human,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A rule slug, as `lookout-doctor rules` lists them.
    pub rule: String,
}

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    pub dir: PathBuf,
    /// Replace user names, e-mails, device names and ids, tenant and group ids with
    /// stable pseudonyms, as `diagnose --redact` does (same key).
    #[arg(long)]
    pub redact: bool,
    /// With --redact: keep these readable. Repeatable.
    #[arg(long, value_enum, value_name = "WHAT", requires = "redact")]
    pub redact_keep: Vec<RedactKeep>,
}

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The snapshot folder to start (created if missing; existing files are never overwritten).
    pub dir: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct CollectArgs {
    /// The snapshot folder to write. It appears whole or not at all; an existing one
    /// is replaced, keeping its lookout.json, lookout-doctor.toml and README.md.
    pub dir: PathBuf,
    /// The Microsoft cloud: its Graph host and sign-in authority.
    #[arg(long, value_enum, default_value_t = Cloud::Global)]
    pub cloud: Cloud,
    /// The Microsoft Graph origin (default: the cloud's); /v1.0/... is appended.
    #[arg(long, value_name = "URL")]
    pub graph_url: Option<String>,
    /// The sign-in authority origin (default: the cloud's); /{tenant}/oauth2/v2.0/... is appended.
    #[arg(long, value_name = "URL")]
    pub login_url: Option<String>,
    /// The Lookout API origin (default: https://api.lookout.com).
    #[arg(long, value_name = "URL")]
    pub lookout_url: Option<String>,
    /// Audit logs from this many days before the export, or from this RFC 3339 time.
    #[arg(long, value_name = "DAYS|RFC3339", default_value = "30")]
    pub since: String,
    /// Every group of the tenant with its members, not only the configured ones.
    #[arg(long)]
    pub all_groups: bool,
    /// Sign in as a person with a code shown here (also the default at a terminal
    /// when neither a client secret nor a certificate is given).
    #[arg(long)]
    pub device_code: bool,
    /// Leave the Lookout device list out (no LOOKOUT_APPLICATION_KEY needed).
    #[arg(long)]
    pub no_lookout: bool,
    /// Seconds each request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// The exported_at to record in snapshot.json (RFC 3339; default: now).
    #[arg(long, value_name = "RFC3339")]
    pub as_of: Option<String>,
    /// Log every request on stderr: method, URL, status, duration (never a secret).
    #[arg(long)]
    pub verbose: bool,
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

/// Report width when stdout is not a terminal and `COLUMNS` is not set: fixed, so
/// output is reproducible.
pub const PIPE_WIDTH: usize = 100;

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
            let broken_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                    || c.to_string().contains("Broken pipe")
            });
            if broken_pipe {
                return ExitCode::from(0);
            }
            // A message may quote a file name or a value: shown escaped, on one line.
            eprintln!("error: {}", crate::escape::terminal(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

/// Runs a parsed command; returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    crate::messages::set_language(
        crate::messages::resolve(cli.lang.as_deref()).map_err(anyhow::Error::msg)?,
    );
    crate::snapshot::text::allow_maps(!cli.no_mmap);
    crate::snapshot::discover::follow_links(cli.follow_links);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = match cli.command {
        Command::Diagnose(args) => commands::diagnose::run(&args, &mut out)?,
        Command::Rules(args) => commands::rules::run(&args, &mut out)?,
        Command::Explain(args) => commands::explain::run(&args, &mut out)?,
        Command::Validate(args) => commands::validate::run(&args, &mut out)?,
        Command::Init(args) => commands::init::run(&args, &mut out)?,
        Command::Collect(args) => commands::collect::run(&args)?,
    };
    out.flush()?;
    Ok(code)
}
