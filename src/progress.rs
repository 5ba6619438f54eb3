//! A spinner on stderr while a large snapshot loads. It appears only when loading has
//! taken about a second, only when stderr is a terminal, and never in CI, so pipes,
//! logs and JSON output never see it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

const DELAY: Duration = Duration::from_secs(1);

pub struct Progress {
    done: Arc<AtomicBool>,
    bar: Arc<Mutex<Option<ProgressBar>>>,
    waiter: Option<JoinHandle<()>>,
}

fn wanted() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

impl Progress {
    /// Starts the countdown; `message` is shown if the work outlasts it.
    pub fn start(message: String) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        let bar = Arc::new(Mutex::new(None));
        let waiter = wanted().then(|| {
            let (done, bar) = (done.clone(), bar.clone());
            std::thread::spawn(move || {
                std::thread::park_timeout(DELAY);
                if done.load(Ordering::Acquire) {
                    return;
                }
                let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                spinner.set_style(
                    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                spinner.set_message(message);
                spinner.enable_steady_tick(Duration::from_millis(120));
                if let Ok(mut slot) = bar.lock() {
                    *slot = Some(spinner);
                }
            })
        });
        Progress { done, bar, waiter }
    }

    /// Stops and clears the spinner (if it ever showed).
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.done.store(true, Ordering::Release);
        if let Some(w) = self.waiter.take() {
            w.thread().unpark();
            let _ = w.join();
        }
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}

impl Drop for Progress {
    /// An error path must not leave a spinner behind on the terminal.
    fn drop(&mut self) {
        self.stop();
    }
}
