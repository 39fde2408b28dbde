//! The checkpointer: moves the overlay ([`crate::overlay`]) into sled and lets the commit
//! log ([`crate::wal`]) shrink.
//!
//! One checkpoint, serialized with every other by the store's checkpoint lock:
//!
//! 1. take a snapshot of the overlay (every entry, and a log position `P` it covers: every
//!    entry written at or below `P` is in it; entries written meanwhile may be too);
//! 2. `fdatasync` the log (so sled never holds a change a power loss could take from the
//!    log: sled only ever runs behind it);
//! 3. apply the snapshot to sled, one `apply_batch` per tree (the log, not a sled
//!    transaction, makes this atomic: a checkpoint cut short is replayed from the log at the
//!    next open, and every change is an absolute value, so applying it twice is harmless),
//!    with the id counter in the meta tree;
//! 4. flush sled and `fsync` its files, then record `P` in the meta tree
//!    ([`layout::META_LOG_POSITION`]) and flush and `fsync` again;
//! 5. only then delete the log segments wholly at or below `P` and drop the overlay's
//!    entries written at or below `P` (a newer write of the same key stays).
//!
//! The thread runs one when the overlay holds more than the configured bytes (the writer
//! asks), at least every [`CHECKPOINT_EVERY`] while it holds anything, and a last one on a
//! clean close, so a clean reopen replays nothing. Writers wait while the overlay is over
//! its cap (four times the trigger): memory stays bounded when sled falls behind.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ordo_core::store::StoreError;

use crate::codec;
use crate::durable;
use crate::error::{from_io, from_sled};
use crate::layout;
use crate::store::Shared;

/// A checkpoint runs at least this often while the overlay holds anything.
pub(crate) const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

/// Where a test stops a checkpoint, as if the process died there.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// After this many trees were applied, before the position is recorded.
    AfterTrees(usize),
    /// After the position is recorded, before log segments are deleted.
    BeforeLogDeletion,
}

/// Runs one checkpoint (see the module documentation); waits for one in progress first.
///
/// # Errors
/// `Io` (or `Corrupted`) from the log, sled or an `fsync`: the caller must stop the store.
pub(crate) fn checkpoint(shared: &Shared) -> Result<(), StoreError> {
    let mut syncer = shared.checkpoint_lock();
    run(shared, syncer.as_mut())
}

/// Checkpoints everything, then runs `then` while no checkpoint can change sled (the
/// caller holds the writer, so nothing new reaches the overlay either): sled alone is then
/// the whole store (backups).
///
/// # Errors
/// As [`checkpoint`], or whatever `then` returns.
pub(crate) fn with_all_checkpointed<T>(
    shared: &Shared,
    then: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut syncer = shared.checkpoint_lock();
    run(shared, syncer.as_mut())?;
    then()
}

fn run(
    shared: &Shared,
    mut syncer: Option<&mut crate::sync::FileSyncer>,
) -> Result<(), StoreError> {
    let (upto, trees) = shared.overlay.snapshot();
    let ids = shared.ids.load(Ordering::Acquire);
    if trees.is_empty()
        && upto <= shared.checkpointed.load(Ordering::Acquire)
        && ids <= shared.ids_checkpointed.load(Ordering::Acquire)
    {
        return Ok(());
    }
    let started = Instant::now();
    durable::make_durable(shared)?;
    for (applied, (slot, changes)) in trees.iter().enumerate() {
        #[cfg(test)]
        if shared.stops_at(Stop::AfterTrees(applied)) {
            return Ok(());
        }
        let _ = applied;
        let mut batch = sled::Batch::default();
        for (key, value) in changes {
            match value {
                Some(value) => batch.insert(key.clone(), value.clone()),
                None => batch.remove(key.clone()),
            }
        }
        shared
            .trees
            .tree(*slot)
            .apply_batch(batch)
            .map_err(from_sled)?;
    }
    let meta = shared.trees.tree(layout::META);
    if ids > 0 {
        meta.insert(layout::META_LAST_ID, codec::encode_counter(ids)?)
            .map_err(from_sled)?;
    }
    flush_and_sync(shared, syncer.as_deref_mut())?;
    meta.insert(layout::META_LOG_POSITION, codec::encode_counter(upto)?)
        .map_err(from_sled)?;
    flush_and_sync(shared, syncer)?;
    shared.checkpointed.fetch_max(upto, Ordering::AcqRel);
    shared.ids_checkpointed.fetch_max(ids, Ordering::AcqRel);
    #[cfg(test)]
    if shared.stops_at(Stop::BeforeLogDeletion) {
        return Ok(());
    }
    if let Some(log) = &shared.log {
        log.remove_through(upto)?;
    }
    shared.overlay.remove_through(upto, &trees);
    shared.counters.flushed(started.elapsed());
    Ok(())
}

fn flush_and_sync(
    shared: &Shared,
    syncer: Option<&mut crate::sync::FileSyncer>,
) -> Result<(), StoreError> {
    shared.db.flush().map_err(from_sled)?;
    match syncer {
        Some(syncer) => syncer.sync(),
        None => Ok(()),
    }
}

/// What the checkpoint thread is asked: to stop, or to run at once.
#[derive(Debug, Default)]
struct Requests {
    stop: bool,
    now: bool,
}

/// Wakes the checkpoint thread (the writer asks for a checkpoint through it).
#[derive(Debug, Default)]
pub(crate) struct Signal {
    requests: Mutex<Requests>,
    changed: Condvar,
}

impl Signal {
    /// Asks for a checkpoint now rather than at the next tick.
    pub(crate) fn request(&self) {
        self.requests.lock().unwrap_or_else(|p| p.into_inner()).now = true;
        self.changed.notify_all();
    }

    fn stop(&self) {
        self.requests.lock().unwrap_or_else(|p| p.into_inner()).stop = true;
        self.changed.notify_all();
    }

    /// Waits `every`, or until asked; true if stopped.
    fn wait(&self, every: Duration) -> bool {
        let deadline = Instant::now() + every;
        let mut asked = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: spurious wake-ups only re-wait until the deadline.
        while !asked.stop && !asked.now {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            asked = self
                .changed
                .wait_timeout(asked, left)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        asked.now = false;
        asked.stop
    }
}

/// The checkpoint thread; a last checkpoint runs when it is stopped.
pub(crate) struct Checkpointer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread.
    ///
    /// # Errors
    /// `Io` if the thread cannot be started.
    pub(crate) fn spawn(shared: Arc<Shared>) -> Result<Checkpointer, StoreError> {
        let own = shared.clone();
        let thread = std::thread::Builder::new()
            .name("ordo-checkpoint".to_string())
            .spawn(move || {
                // Bounded by the stop signal.
                loop {
                    let stopping = own.checkpoint_signal.wait(own.checkpoint_every);
                    if stopping && own.crashed() {
                        return;
                    }
                    if own.failure().is_some() {
                        return;
                    }
                    if let Err(error) = checkpoint(&own) {
                        own.fail(&format!("checkpoint failed: {error}"));
                        return;
                    }
                    if stopping {
                        return;
                    }
                }
            })
            .map_err(|e| from_io("cannot start the checkpoint thread", &e))?;
        Ok(Checkpointer {
            shared,
            thread: Some(thread),
        })
    }

    /// Stops the thread after its last checkpoint and waits for it.
    pub(crate) fn stop(&mut self) {
        self.shared.checkpoint_signal.stop();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the checkpoint thread panicked");
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests;
