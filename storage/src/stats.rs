//! Counters the writer and the checkpointer keep about their work, for benchmarks and
//! operators: how well group commit batches, what the commit log's `fdatasync` costs, and
//! how long checkpoints into sled take.
//!
//! [`Durability::Immediate`]: crate::Durability::Immediate

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A snapshot of the writer's counters since the store was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Batches committed (each one commit log record and, in `Immediate` mode, one
    /// `fdatasync`).
    pub batches: u64,
    /// Write sets committed.
    pub write_sets: u64,
    /// Write sets rejected with `Conflict` (or another error) before commit.
    pub rejected: u64,
    /// Time the writer spent writing batches to the commit log and the overlay.
    pub apply_time: Duration,
    /// Time spent in checkpoints (moving the overlay into sled, flushing and `fsync`ing
    /// it), on the checkpoint thread.
    pub flush_time: Duration,
    /// Time spent in `fdatasync` of the commit log (per batch in `Immediate` mode, per
    /// round in `Periodic` mode, and before each checkpoint).
    pub fsync_time: Duration,
}

impl StoreStats {
    /// Mean write sets per committed batch (0 when nothing was committed).
    pub fn mean_batch_size(&self) -> f64 {
        if self.batches == 0 {
            0.0
        } else {
            self.write_sets as f64 / self.batches as f64
        }
    }
}

/// The live counters (relaxed atomics: they are statistics, not synchronization).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    batches: AtomicU64,
    write_sets: AtomicU64,
    rejected: AtomicU64,
    apply_nanos: AtomicU64,
    flush_nanos: AtomicU64,
    fsync_nanos: AtomicU64,
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

impl Counters {
    /// A committed batch of `write_sets` requests.
    pub(crate) fn committed(&self, write_sets: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.write_sets.fetch_add(
            u64::try_from(write_sets).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// A rejected write set.
    pub(crate) fn rejected(&self) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
    }

    /// Time in the sled transaction.
    pub(crate) fn applied(&self, took: Duration) {
        self.apply_nanos.fetch_add(nanos(took), Ordering::Relaxed);
    }

    /// Time in sled's flush.
    pub(crate) fn flushed(&self, took: Duration) {
        self.flush_nanos.fetch_add(nanos(took), Ordering::Relaxed);
    }

    /// Time in `fsync`.
    pub(crate) fn synced(&self, took: Duration) {
        self.fsync_nanos.fetch_add(nanos(took), Ordering::Relaxed);
    }

    /// A snapshot.
    pub(crate) fn snapshot(&self) -> StoreStats {
        StoreStats {
            batches: self.batches.load(Ordering::Relaxed),
            write_sets: self.write_sets.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            apply_time: Duration::from_nanos(self.apply_nanos.load(Ordering::Relaxed)),
            flush_time: Duration::from_nanos(self.flush_nanos.load(Ordering::Relaxed)),
            fsync_time: Duration::from_nanos(self.fsync_nanos.load(Ordering::Relaxed)),
        }
    }
}
