//! What `collect` shows on stderr while it works: one line per endpoint with its
//! pages and records, only when stderr is a terminal and `CI` is unset (the same rule
//! as the loading spinner), so logs and pipes see nothing but errors, `--verbose`
//! lines and the summary. Lines printed meanwhile go above the bars.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// The bars of a run, or nothing.
#[derive(Clone)]
pub struct Board {
    multi: Option<MultiProgress>,
}

impl Board {
    /// Bars when stderr is a terminal outside CI; otherwise a board that draws nothing.
    pub fn for_stderr() -> Board {
        let wanted = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Board {
            multi: wanted.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }

    /// A bar for one endpoint, shown until [`Bar::done`].
    pub fn bar(&self, label: &str) -> Bar {
        let Some(multi) = &self.multi else {
            return Bar { bar: None };
        };
        let bar = multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix:<28} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(label.to_owned());
        bar.set_message("reading");
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar { bar: Some(bar) }
    }

    /// Prints a line on stderr, above the bars when they show.
    pub fn println(&self, line: &str) {
        match &self.multi {
            Some(multi) if multi.println(line).is_ok() => {}
            _ => eprintln!("{line}"),
        }
    }

    /// Runs `f` (which prints to stderr itself) with the bars out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.multi {
            Some(multi) => multi.suspend(f),
            None => f(),
        }
    }
}

/// One endpoint's line.
pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// Shows how far the endpoint got: records kept, the total when the service
    /// says it, and the pages read when they are counted (not 0).
    pub fn update(&self, pages: usize, records: usize, total: Option<u64>) {
        if let Some(bar) = &self.bar {
            let of = total.map(|t| format!(" of {t}")).unwrap_or_default();
            let pages = match pages {
                0 => String::new(),
                n => format!(", {n} page(s)"),
            };
            bar.set_message(format!("{records}{of} records{pages}"));
        }
    }

    /// Says a wait (throttling) on the endpoint's line.
    pub fn waiting(&self, why: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(why.to_owned());
        }
    }

    /// Leaves the line with its final count.
    pub fn done(self, summary: &str) {
        if let Some(bar) = &self.bar {
            bar.set_style(
                ProgressStyle::with_template("✓ {prefix:<28} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.finish_with_message(summary.to_owned());
        }
    }
}

impl Drop for Bar {
    /// A failed endpoint's line does not keep spinning above the error.
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            if !bar.is_finished() {
                bar.abandon();
            }
        }
    }
}
