//! A background checkpointer: the writer runs with `wal_autocheckpoint=0`, so no commit
//! pays for copying the WAL into the database; this thread does it on its own connection,
//! `PASSIVE` (never blocks the writer or readers) every [`INTERVAL`], and `TRUNCATE` when
//! the WAL has grown past [`TRUNCATE_PAGES`] anyway (readers kept a passive checkpoint from
//! finishing), so the WAL stays bounded.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::{Synchronous, connect};

/// Time between passive checkpoints.
const INTERVAL: Duration = Duration::from_millis(50);

/// WAL frames (pages) above which the WAL is truncated (a passive checkpoint lets the
/// writer start the WAL over only when no reader still needs it)
/// (16,384 × 4 KiB = 64 MiB).
const TRUNCATE_PAGES: i64 = 16_384;

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
    stop: Arc<(Mutex<bool>, Condvar)>,
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
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let counts = Arc::new(CheckpointCounts::default());
        let thread = {
            let (stop, counts) = (stop.clone(), counts.clone());
            std::thread::Builder::new()
                .name("sqlite-checkpointer".into())
                .spawn(move || checkpoint_until_stopped(&conn, &stop, &counts))?
        };
        Ok(Checkpointer {
            stop,
            counts,
            thread: Some(thread),
        })
    }

    /// What it did so far.
    pub(super) fn counts(&self) -> &CheckpointCounts {
        &self.counts
    }
}

fn checkpoint_until_stopped(
    conn: &Connection,
    stop: &(Mutex<bool>, Condvar),
    counts: &CheckpointCounts,
) {
    let (stopped, wake) = stop;
    let mut guard = stopped.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        guard = match wake.wait_timeout(guard, INTERVAL) {
            Ok((guard, _)) => guard,
            Err(poisoned) => poisoned.into_inner().0,
        };
        if *guard {
            return;
        }
        match checkpoint(conn, counts) {
            Ok(()) => {}
            Err(e) => {
                counts.failed.fetch_add(1, Ordering::Relaxed);
                eprintln!("sqlite checkpointer: {e}");
            }
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
        let (stopped, wake) = &*self.stop;
        *stopped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            eprintln!("sqlite checkpointer thread panicked");
        }
    }
}
