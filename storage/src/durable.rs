//! When a committed batch counts as durable: the durability watermark, and the thread that
//! makes [`Durability::Periodic`] batches durable.
//!
//! A batch is readable as soon as its sled transaction commits, but it is durable only
//! after sled's log is flushed and the files are `fsync`ed ([`crate::sync`]). Records may
//! be read inside that window (the next write would conflict with them anyway), but a
//! dispatcher must not act on one: a text saying "order placed" for an order a power cut
//! then erases cannot be taken back. So the store numbers its committed batches and keeps a
//! **watermark**, the last batch known durable; `Store::sync` (which a dispatcher calls
//! after claiming deliveries, before sending) waits until the watermark reaches the last
//! batch committed when it was called:
//!
//! - in `Immediate` mode the writer raises it after each batch's flush and `fsync`, before
//!   answering the callers (so `sync` rarely waits);
//! - in `Periodic` mode the [`PeriodicFlusher`] thread raises it every `flush_every_ms`,
//!   after its own flush and `fsync`, and `sync` asks it for a round at once (sled's
//!   background flusher alone promises nothing that could drive it; see
//!   `docs/storage-format.md`);
//! - at open everything recovered is `fsync`ed first, so both numbers start at 0.
//!
//! Batches are numbered by the one writer in commit order, so "every batch up to the
//! watermark is durable" is a prefix property and one number suffices.
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

/// The last batch committed and the last one durable.
#[derive(Debug, Default)]
pub(crate) struct Watermark {
    committed: AtomicU64,
    durable: AtomicU64,
    /// Notified whenever `durable` rises.
    advanced: (Mutex<()>, Condvar),
}

impl Watermark {
    /// Both at 0: everything stored at open has been made durable.
    pub(crate) fn new() -> Watermark {
        Watermark::default()
    }

    /// The writer committed one more batch.
    pub(crate) fn committed_one(&self) {
        self.committed.fetch_add(1, Ordering::AcqRel);
    }

    /// The last batch committed.
    pub(crate) fn committed(&self) -> u64 {
        self.committed.load(Ordering::Acquire)
    }

    /// Every batch up to `batch` is durable.
    fn durable_up_to(&self, batch: u64) {
        self.durable.fetch_max(batch, Ordering::Release);
        let _guard = self.advanced.0.lock().unwrap_or_else(|p| p.into_inner());
        self.advanced.1.notify_all();
    }

    /// The last batch known durable.
    pub(crate) fn durable(&self) -> u64 {
        self.durable.load(Ordering::Acquire)
    }

    /// Waits up to `timeout` for the watermark to reach `batch`; true if it did.
    pub(crate) fn wait_for(&self, batch: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut guard = self.advanced.0.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded by the deadline: spurious wake-ups only re-check.
        while self.durable() < batch {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            guard = self
                .advanced
                .1
                .wait_timeout(guard, left)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        true
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
    let batch = shared.watermark.committed();
    let started = Instant::now();
    shared.db.flush().map_err(from_sled)?;
    shared.counters.flushed(started.elapsed());
    if let Some(syncer) = syncer {
        let started = Instant::now();
        syncer.sync()?;
        shared.counters.synced(started.elapsed());
    }
    shared.watermark.durable_up_to(batch);
    Ok(())
}

/// What the flush thread is asked: to stop, or to flush at once.
#[derive(Debug, Default)]
struct Requests {
    stop: bool,
    flush_now: bool,
}

/// The requests, with the condition variable the thread waits on.
type StopSignal = Arc<(Mutex<Requests>, Condvar)>;

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
        let stop: StopSignal = Arc::new((Mutex::new(Requests::default()), Condvar::new()));
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

    /// Asks for a flush round now rather than at the next tick.
    pub(crate) fn flush_now(&self) {
        let (requests, changed) = &*self.stop;
        requests.lock().unwrap_or_else(|p| p.into_inner()).flush_now = true;
        changed.notify_all();
    }

    /// Stops the thread after one last flush and waits for it.
    pub(crate) fn stop(&mut self) {
        {
            let (requests, changed) = &*self.stop;
            requests.lock().unwrap_or_else(|p| p.into_inner()).stop = true;
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

/// Waits `every`, or until a flush is asked for or the thread is stopped; true if stopped.
fn wait_or_stop(signal: &StopSignal, every: Duration) -> bool {
    let (requests, changed) = &**signal;
    let deadline = Instant::now() + every;
    let mut asked = requests.lock().unwrap_or_else(|p| p.into_inner());
    // Bounded: spurious wake-ups only re-wait until the deadline.
    while !asked.stop && !asked.flush_now {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        asked = changed
            .wait_timeout(asked, left)
            .map(|(guard, _)| guard)
            .unwrap_or_else(|p| p.into_inner().0);
    }
    asked.flush_now = false;
    asked.stop
}
