//! When a committed batch counts as durable: the durability watermark, and the thread that
//! makes [`Durability::Periodic`] batches durable.
//!
//! A batch is readable as soon as its commit log record is written and it is in the overlay
//! ([`crate::overlay`]), but it is durable only after the log is `fdatasync`ed. Records may
//! be read inside that window (the next write would conflict with them anyway), but a
//! dispatcher must not act on one: a text saying "order placed" for an order a power cut
//! then erases cannot be taken back. So the store keeps a **watermark**, the last log
//! position known durable; `Store::sync` (which a dispatcher calls after claiming
//! deliveries, before sending) waits until the watermark reaches the last position
//! committed when it was called:
//!
//! - in `Immediate` mode the writer raises it after each batch's `fdatasync`, before
//!   answering the callers (so `sync` rarely waits);
//! - in `Periodic` mode the [`PeriodicFlusher`] thread raises it every `flush_every_ms`,
//!   after its own `fdatasync`, and `sync` asks it for a round at once; a checkpoint
//!   also syncs the log first;
//! - at open the log's tail is `fdatasync`ed first, so both start at its last position.
//!
//! Log positions are handed out by the one writer in commit order, so "every batch up to
//! the watermark is durable" is a prefix property and one number suffices.
//!
//! [`Durability::Periodic`]: crate::Durability::Periodic

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ordo_core::store::StoreError;

use crate::error::from_io;
use crate::store::Shared;

/// The last batch committed and the last one durable.
#[derive(Debug, Default)]
pub(crate) struct Watermark {
    committed: AtomicU64,
    durable: AtomicU64,
    /// Notified whenever `durable` rises.
    advanced: (Mutex<()>, Condvar),
}

impl Watermark {
    /// Both at `position`: everything found in the log at open has been made durable.
    pub(crate) fn starting_at(position: u64) -> Watermark {
        let watermark = Watermark::default();
        watermark.committed.store(position, Ordering::Release);
        watermark.durable.store(position, Ordering::Release);
        watermark
    }

    /// The writer committed the batch at log `position`.
    pub(crate) fn committed_through(&self, position: u64) {
        self.committed.fetch_max(position, Ordering::AcqRel);
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

/// `fdatasync`s the commit log, then raises the watermark to the last position written
/// before the `fdatasync` began (a batch written meanwhile waits for the next round).
///
/// Without a log (a temporary store) what is committed counts as durable: such a store
/// promises nothing across a crash.
///
/// # Errors
/// `Io` if the `fdatasync` fails: the data may not be durable.
pub(crate) fn make_durable(shared: &Shared) -> Result<(), StoreError> {
    let started = Instant::now();
    let through = match &shared.log {
        Some(log) => log.sync()?,
        None => shared.watermark.committed(),
    };
    shared.counters.synced(started.elapsed());
    shared.watermark.durable_up_to(through);
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
                    if let Err(error) = make_durable(&shared) {
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
