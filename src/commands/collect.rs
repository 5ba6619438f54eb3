//! `lookout-doctor collect DIR`: reads the credentials and settings, collects the
//! snapshot (see [`crate::collect`]), and says on stderr what it wrote in one line.
//! stdout stays empty: the snapshot is the output.

use crate::cli::CollectArgs;
use crate::collect::cloud::Endpoints;
use crate::collect::progress::Board;
use crate::collect::secret::Scrubber;
use crate::collect::{self, Credentials, Settings, Since};
use anyhow::{anyhow, Result};
use std::io::IsTerminal;
use std::time::Duration;

pub fn run(args: &CollectArgs) -> Result<u8> {
    let scrubber = Scrubber::default();
    // Whatever goes wrong, the message passes the scrubber on its way out.
    collect_and_report(args, &scrubber).map_err(|e| anyhow!(scrubber.scrub(&format!("{e:#}"))))
}

fn collect_and_report(args: &CollectArgs, scrubber: &Scrubber) -> Result<u8> {
    let as_of = args
        .as_of
        .as_deref()
        .map(|s| {
            chrono::DateTime::parse_from_rfc3339(s.trim())
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| anyhow!("--as-of \"{s}\" is not an RFC 3339 time (expected e.g. 2026-11-20T12:00:00Z)"))
        })
        .transpose()?;
    let settings = Settings {
        dir: args.dir.clone(),
        cloud: args.cloud,
        endpoints: Endpoints::new(
            args.cloud,
            args.graph_url.as_deref(),
            args.login_url.as_deref(),
            args.lookout_url.as_deref(),
        )?,
        since: Since::parse(&args.since)?,
        all_groups: args.all_groups,
        no_lookout: args.no_lookout,
        timeout: Duration::from_secs(args.timeout),
        as_of,
        verbose: args.verbose,
    };
    let creds = Credentials::from_env(
        |name| std::env::var(name).ok(),
        args.device_code,
        std::io::stdin().is_terminal(),
        settings.no_lookout,
    )?;
    let board = Board::for_stderr();
    let summary = collect::run(&settings, creds, &board, scrubber)?;
    // Below the finished bars, which stay on the terminal.
    drop(board);
    eprintln!("{}", scrubber.scrub(&summary.line()));
    Ok(0)
}
