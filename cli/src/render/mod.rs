//! Output: JSON views (`--json`) or human tables, and the one place that writes stdout.
//!
//! With `--json`, every command writes exactly one JSON value and nothing else to stdout;
//! without it, human text. A closed pipe (`ordo order list | head`) ends output quietly.

pub use ordo_api::notifications;
pub mod tables;
pub mod views;

use std::io::{self, Write};

use ordo_core::engine::Skipped;
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

    /// Prints `view` as JSON, or the text `human` builds.
    ///
    /// # Errors
    /// If stdout cannot be written (other than a closed pipe).
    pub fn show<V: Serialize>(
        self,
        view: &V,
        human: impl FnOnce() -> String,
    ) -> anyhow::Result<()> {
        let text = if self.json {
            serde_json::to_string_pretty(view)?
        } else {
            human()
        };
        write_stdout(&text)
    }
}

impl Output {
    /// Warns on stderr (in both output forms, so `--json` stdout stays one value) about the
    /// records a listing left out because they could not be read; nothing if none.
    pub fn warn_skipped(self, skipped: &[Skipped]) {
        if skipped.is_empty() {
            return;
        }
        let keys: Vec<String> = skipped.iter().map(|s| s.key.to_string()).collect();
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

/// Writes `text` and a newline to stdout; a closed pipe is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = io::stdout().lock();
    let result = writeln!(stdout, "{}", text.trim_end_matches('\n')).and_then(|()| stdout.flush());
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
