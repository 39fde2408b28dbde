//! # ordo-storage
//!
//! [`SledStore`]: a durable implementation of ordo-core's [`Store`](ordo_core::store::Store)
//! contract on [sled](https://docs.rs/sled/0.34.7) 0.34.
//!
//! ```no_run
//! use std::path::Path;
//! use ordo_storage::{Durability, SledStore, StoreConfig};
//!
//! let store = SledStore::open(Path::new("ordo-data"), StoreConfig::new(Durability::Immediate))?;
//! # Ok::<(), ordo_core::store::StoreError>(())
//! ```
//!
//! ## Durability
//!
//! Every [`WriteSet`](ordo_core::store::WriteSet) is applied atomically, also across a
//! crash: after a restart each write set is either entirely present (records, index
//! entries, stock, audit entries, outbox messages) or entirely absent.
//!
//! The commit point is a checksummed, append-only **commit log** in the data directory
//! (`DIR/log/`); sled is the checkpointed, indexed copy behind it.
//!
//! - [`Durability::Immediate`] (the default): `apply` returns `Ok` only after the write
//!   set's log record is written and the log `fdatasync`ed. An acknowledged order survives
//!   a crash of the process or of the machine. Concurrent writers share one `fdatasync`
//!   (group commit), so throughput grows with concurrency.
//! - [`Durability::Periodic`]: `apply` returns once the log record is written (`write(2)`,
//!   no sync); a flush thread `fdatasync`s the log every `flush_every_ms`. A process crash
//!   (even SIGKILL) loses nothing acknowledged: the page cache outlives the process. Only a
//!   power loss (or kernel crash) can lose the write sets acknowledged since the last flush
//!   round began (about `flush_every_ms` plus a round's duration) — whole write sets,
//!   oldest kept first, never part of one; the store always reopens consistent.
//!
//! In both modes `Store::sync` returns only once everything committed before the call is
//! durable, so a dispatcher (which claims deliveries, then syncs, then sends) never acts on
//! a write set a power cut could erase (see the `durable` module); other reads may see a
//! committed write set before its `fdatasync`.
//!
//! ## Design
//!
//! One `sled::Db` with a tree per record kind, per secondary index, for the audit trail,
//! its per-subject index, the outbox and metadata, plus the commit log
//! (`docs/storage-format.md` documents the format). All writes go through one writer, held
//! by one calling thread at a time (the leader; see the `commit` module: no writer thread,
//! so a lone caller never waits for a thread switch), which validates a batch of up to 256
//! queued write sets against the current state, writes the accepted ones as one log record,
//! puts them in an in-memory **overlay**, makes them durable once and then answers every
//! caller. Rejected write sets get `Conflict` individually and leave no trace. Reads see the
//! overlay in front of sled (a read sees a batch whole or not at all) and never wait for
//! sled. A **checkpoint** thread moves the overlay into sled in large sorted batches,
//! `fsync`s it, records the log position reached, and only then deletes the log segments
//! it covers; a clean close checkpoints everything, and an open after a crash replays the
//! log written since the last checkpoint. Audit and outbox sequence numbers are assigned by
//! the writer and logged with the batch. A directory is used by one process at a time: a
//! second [`SledStore::open`] fails with [`StoreError::Locked`](ordo_core::store::StoreError).
//! [`SledStore::stats`] reports batch sizes and the time spent logging, syncing and
//! checkpointing.
//!
//! ## Backups
//!
//! [`SledStore::backup`] writes a consistent snapshot of a live store to one checksummed
//! file (reads continue; writes wait while everything is checkpointed and the trees are
//! dumped). [`backup::verify`]
//! checks a file end to end, [`backup::restore`] rebuilds a store from it in an empty
//! directory (or replaces an ordo store with [`IfNotEmpty::Replace`], never one that is
//! open and never a directory that is not a store, see [`backup::inspect`]) so that a
//! crash at any point leaves the old or the new store whole, and [`BackupSchedule`] /
//! [`spawn_backups`] take a backup every N minutes, keeping the newest K files. Values
//! that do not decode are copied and reported ([`BackupInfo::undecodable`]), never fatal.

pub mod backup;
mod checkpoint;
pub mod codec;
mod commit;
mod config;
#[cfg(test)]
mod crash_sim;
mod datadir;
mod durable;
mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
#[cfg(test)]
mod golden;
mod layout;
mod migrate;
mod overlay;
mod read_cache;
mod restore;
mod schedule;
mod stats;
mod store;
mod sync;
mod wal;
mod writer;

pub use backup::{BackupInfo, IfNotEmpty};
pub use config::{DEFAULT_CHECKPOINT_BYTES, DEFAULT_READ_CACHE_BYTES, Durability, StoreConfig};
pub use datadir::SERVICE_SOCKET;
pub use schedule::{BackupSchedule, BackupThread, spawn_backups};
pub use stats::StoreStats;
pub use store::SledStore;

#[cfg(test)]
mod tests {
    ordo_core::store_conformance_tests!(crate::SledStore::temporary().unwrap());
    ordo_core::store_counter_conformance_tests!(crate::SledStore::temporary().unwrap());

    /// The same contract with a checkpoint after every batch: reads constantly merge the
    /// overlay with what checkpoints already moved into sled.
    mod checkpointing_constantly {
        fn store() -> crate::SledStore {
            let config = crate::StoreConfig::default().with_checkpoint_bytes(1);
            crate::SledStore::temporary_with(config).unwrap()
        }

        ordo_core::store_conformance_tests!(store());
        ordo_core::store_counter_conformance_tests!(store());
    }
}
