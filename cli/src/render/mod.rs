//! Output: JSON views (`--json`) or human tables, and the one place that writes stdout.
//!
//! With `--json`, every command writes exactly one JSON value and nothing else to stdout;
//! without it, human text. A closed pipe (`ordo order list | head`) ends output quietly.

pub mod chart;
pub mod tables;
pub mod views;

use std::io::{self, Write};

use ordo_api::views::SkippedView;
use serde::Serialize;

/// Where results go and in which form.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    json: bool,
}

impl Output {
    /// JSON output if `json`, human tables otherwise.
    pub fn new(json: bool) -> Output {
        Output { json }
    }

    /// Whether `--json` was given.
    pub fn is_json(self) -> bool {
        self.json
    }

    /// Prints `view` as the contract's response JSON (`{"ok": view}`, what the C API and
    /// HTTP return for the same request), or the text `human` builds.
    ///
    /// # Errors
    /// If stdout cannot be written (other than a closed pipe).
    pub fn show<V: Serialize>(
        self,
        view: &V,
        human: impl FnOnce() -> String,
    ) -> anyhow::Result<()> {
        let text = if self.json {
            serde_json::to_string_pretty(&serde_json::json!({ "ok": view }))?
        } else {
            human()
        };
        write_stdout(&text)
    }
}

impl Output {
    /// Warns on stderr (in both output forms, so `--json` stdout stays one value) about the
    /// records a listing left out because they could not be read; nothing if none.
    pub fn warn_skipped(self, skipped: &[SkippedView]) {
        if skipped.is_empty() {
            return;
        }
        let keys: Vec<String> = skipped.iter().map(|s| s.key.clone()).collect();
        let reasons: Vec<String> = skipped
            .iter()
            .map(|s| format!("{}: {}", s.key, s.reason))
            .collect();
        eprintln!(
            "warning: {} record(s) could not be read and are left out of this list ({}); \
             the data directory may be damaged: {}",
            skipped.len(),
            keys.join(", "),
            reasons.join("; ")
        );
    }
}

/// Whether this process has written its result to stdout (so a failure after a report,
/// as `verify` makes, does not add a second JSON value).
static WROTE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether anything was written to stdout yet.
pub fn wrote_stdout() -> bool {
    WROTE.load(std::sync::atomic::Ordering::Relaxed)
}

/// Writes `text` and a newline to stdout; a closed pipe is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    WROTE.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut stdout = io::stdout().lock();
    let result = writeln!(stdout, "{}", text.trim_end_matches('\n')).and_then(|()| stdout.flush());
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
