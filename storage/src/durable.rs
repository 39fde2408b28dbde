//! When a committed batch counts as durable: the outbox watermark, and the thread that
//! makes [`Durability::Periodic`] batches durable.
//!
//! A batch is readable as soon as its sled transaction commits, but it is durable only
//! after sled's log is flushed and the files are `fsync`ed ([`crate::sync`]). Records may
//! be read inside that window (the next write would conflict with them anyway), but an
//! outbox message must not be: a dispatcher that texts "order placed" for an order a power
//! cut then erases cannot take the text back. So the store keeps a **watermark**, the
//! highest outbox sequence whose write set is durable, and `outbox_pending` returns nothing
//! above it:
//!
//! - in `Immediate` mode the writer raises it after each batch's flush and `fsync`, before
//!   answering the callers;
//! - in `Periodic` mode the [`PeriodicFlusher`] thread raises it every `flush_every_ms`,
//!   after its own flush and `fsync` (sled's background flusher alone promises nothing
//!   that could drive it; see `docs/storage-format.md`);
//! - at open everything recovered is `fsync`ed first, so the watermark starts at the last
//!   outbox sequence stored.
//!
//! Outbox sequences are handed out by the one writer in commit order, so "every message up
//! to the watermark is durable" is a prefix property and one number suffices.
//!
//! [`Durability::Periodic`]: crate::Durability::Periodic

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ordo_core::store::StoreError;

use crate::error::{from_io, from_sled};
use crate::store::Shared;
use crate::sync::FileSyncer;

/// The last outbox sequence committed and the last one durable.
#[derive(Debug)]
pub(crate) struct Watermark {
    committed: AtomicU64,
    durable: AtomicU64,
}

impl Watermark {
    /// Both at `outbox`: everything stored at open has been made durable.
    pub(crate) fn new(outbox: u64) -> Watermark {
        Watermark {
            committed: AtomicU64::new(outbox),
            durable: AtomicU64::new(outbox),
        }
    }

    /// The writer committed a batch whose last outbox sequence is `outbox`.
    pub(crate) fn committed(&self, outbox: u64) {
        self.committed.fetch_max(outbox, Ordering::Release);
    }

    /// Every outbox message up to `outbox` is durable.
    fn durable_up_to(&self, outbox: u64) {
        self.durable.fetch_max(outbox, Ordering::Release);
    }

    /// The highest outbox sequence a dispatcher may see.
    pub(crate) fn durable(&self) -> u64 {
        self.durable.load(Ordering::Acquire)
    }
}

/// Flushes sled's log and `fsync`s the files, then raises the watermark to what was
/// committed before the flush began (a batch committed meanwhile waits for the next round).
///
/// Without a syncer (a temporary store) the flush alone counts: such a store promises
/// nothing across a crash.
///
/// # Errors
/// `Io` if the flush or an `fsync` fails: the data may not be durable.
pub(crate) fn make_durable(
    shared: &Shared,
    syncer: Option<&mut FileSyncer>,
) -> Result<(), StoreError> {
    let outbox = shared.watermark.committed.load(Ordering::Acquire);
    let started = Instant::now();
    shared.db.flush().map_err(from_sled)?;
    shared.counters.flushed(started.elapsed());
    if let Some(syncer) = syncer {
        let started = Instant::now();
        syncer.sync()?;
        shared.counters.synced(started.elapsed());
    }
    shared.watermark.durable_up_to(outbox);
    Ok(())
}

/// Set when the thread should stop, with the condition variable it waits on.
type StopSignal = Arc<(Mutex<bool>, Condvar)>;

/// The thread that makes `Periodic` mode's batches durable every `flush_every_ms`; it
/// makes one last round when stopped (so a clean close is durable).
pub(crate) struct PeriodicFlusher {
    stop: StopSignal,
    thread: Option<JoinHandle<()>>,
}

impl PeriodicFlusher {
    /// Starts the thread.
    ///
    /// # Errors
    /// `Io` if the thread cannot be started.
    pub(crate) fn spawn(
        shared: Arc<Shared>,
        mut syncer: Option<FileSyncer>,
        every: Duration,
    ) -> Result<PeriodicFlusher, StoreError> {
        let stop: StopSignal = Arc::new((Mutex::new(false), Condvar::new()));
        let signal = stop.clone();
        let thread = std::thread::Builder::new()
            .name("ordo-flush".to_string())
            .spawn(move || {
                let mut stopping = false;
                // Bounded by the stop signal: each round waits `every` unless stopping.
                while !stopping {
                    stopping = wait_or_stop(&signal, every);
                    if let Err(error) = make_durable(&shared, syncer.as_mut()) {
                        // After a failed fsync the kernel may have dropped the dirty
                        // pages: a retry could "succeed" without the data. Fail-stop.
                        shared.fail(&format!("periodic flush failed: {error}"));
                        return;
                    }
                }
            })
            .map_err(|e| from_io("cannot start the flush thread", &e))?;
        Ok(PeriodicFlusher {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops the thread after one last flush and waits for it.
    pub(crate) fn stop(&mut self) {
        {
            let (flag, changed) = &*self.stop;
            *flag.lock().unwrap_or_else(|p| p.into_inner()) = true;
            changed.notify_all();
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the flush thread panicked");
        }
    }
}

impl Drop for PeriodicFlusher {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits `every` or until stopped; true if stopped.
fn wait_or_stop(signal: &StopSignal, every: Duration) -> bool {
    let (flag, changed) = &**signal;
    let deadline = Instant::now() + every;
    let mut stopped = flag.lock().unwrap_or_else(|p| p.into_inner());
    // Bounded: spurious wake-ups only re-wait until the deadline.
    while !*stopped {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        stopped = changed
            .wait_timeout(stopped, left)
            .map(|(guard, _)| guard)
            .unwrap_or_else(|p| p.into_inner().0);
    }
    true
}
