//! A background checkpointer: the writer runs with `wal_autocheckpoint=0`, so no commit
//! pays for copying the WAL into the database; this thread does it on its own connection
//! with `PASSIVE` checkpoints (they never block the writer or readers). The writer's WAL
//! hook nudges it when a commit leaves [`NUDGE_PAGES`] or more in the WAL (SQLite's own
//! automatic checkpoint threshold, moved off the committing thread); it also runs every
//! [`INTERVAL`] regardless. When the WAL has grown past [`TRUNCATE_PAGES`] anyway (readers
//! kept the writer from starting it over), it runs `TRUNCATE`, so the WAL stays bounded.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::{Synchronous, connect};

/// WAL pages after a commit from which the writer nudges the checkpointer (SQLite's default
/// `wal_autocheckpoint`).
const NUDGE_PAGES: i32 = 1_000;

/// Longest time between passive checkpoints.
const INTERVAL: Duration = Duration::from_millis(500);

/// WAL pages above which the WAL is truncated (16,384 × 4 KiB = 64 MiB).
const TRUNCATE_PAGES: i64 = 16_384;

/// What the checkpointer thread waits on: a nudge or the stop.
#[derive(Debug, Default)]
struct Signal {
    nudged: bool,
    stopped: bool,
}

/// The checkpointer's signal, shared with the writer's WAL hook.
type Shared = Arc<(Mutex<Signal>, Condvar)>;

/// What the checkpointer did, for the report and the tests.
#[derive(Debug, Default)]
pub struct CheckpointCounts {
    passive: AtomicU64,
    truncated: AtomicU64,
    failed: AtomicU64,
}

impl CheckpointCounts {
    /// Passive checkpoints run.
    pub fn passive(&self) -> u64 {
        self.passive.load(Ordering::Relaxed)
    }

    /// Truncating checkpoints run (the WAL had grown large).
    pub fn truncated(&self) -> u64 {
        self.truncated.load(Ordering::Relaxed)
    }

    /// Checkpoints that returned an error (the thread goes on).
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

/// The running checkpointer thread; stopped and joined on drop.
pub(super) struct Checkpointer {
    signal: Shared,
    counts: Arc<CheckpointCounts>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path`.
    ///
    /// # Errors
    /// Opening its connection, or starting the thread.
    pub(super) fn start(path: &Path, synchronous: Synchronous) -> std::io::Result<Checkpointer> {
        let conn = connect(path, synchronous).map_err(std::io::Error::other)?;
        let signal = Shared::default();
        let counts = Arc::new(CheckpointCounts::default());
        let thread = {
            let (signal, counts) = (signal.clone(), counts.clone());
            std::thread::Builder::new()
                .name("sqlite-checkpointer".into())
                .spawn(move || checkpoint_until_stopped(&conn, &signal, &counts))?
        };
        Ok(Checkpointer {
            signal,
            counts,
            thread: Some(thread),
        })
    }

    /// Makes `writer` nudge this checkpointer instead of checkpointing itself.
    ///
    /// # Errors
    /// Setting the pragma or the hook.
    pub(super) fn attach(&self, writer: &mut Connection) -> rusqlite::Result<()> {
        // The pragma first: it installs SQLite's own hook, which the next call replaces.
        writer.execute_batch("PRAGMA wal_autocheckpoint=0;")?;
        let signal = self.signal.clone();
        writer.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages: i32| {
            if pages >= NUDGE_PAGES {
                let (state, wake) = &*signal;
                state.lock().unwrap_or_else(|p| p.into_inner()).nudged = true;
                wake.notify_one();
            }
            Ok(())
        }))
    }

    /// What it did so far.
    pub(super) fn counts(&self) -> &CheckpointCounts {
        &self.counts
    }
}

fn checkpoint_until_stopped(conn: &Connection, signal: &Shared, counts: &CheckpointCounts) {
    let (state, wake) = &**signal;
    loop {
        {
            let guard = state.lock().unwrap_or_else(|p| p.into_inner());
            let (mut guard, _) = wake
                .wait_timeout_while(guard, INTERVAL, |s| !s.nudged && !s.stopped)
                .unwrap_or_else(|p| p.into_inner());
            if guard.stopped {
                return;
            }
            guard.nudged = false;
        }
        if let Err(e) = checkpoint(conn, counts) {
            counts.failed.fetch_add(1, Ordering::Relaxed);
            eprintln!("sqlite checkpointer: {e}");
        }
    }
}

/// One passive checkpoint, and a truncating one if the WAL stayed large.
fn checkpoint(conn: &Connection, counts: &CheckpointCounts) -> rusqlite::Result<()> {
    // Columns: busy, frames in the WAL, frames checkpointed.
    let frames: i64 = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))?;
    counts.passive.fetch_add(1, Ordering::Relaxed);
    if frames > TRUNCATE_PAGES {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        counts.truncated.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (state, wake) = &*self.signal;
        state.lock().unwrap_or_else(|p| p.into_inner()).stopped = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            eprintln!("sqlite checkpointer thread panicked");
        }
    }
}
