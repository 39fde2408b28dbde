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
//! - [`Durability::Immediate`] (the default): `apply` returns `Ok` only after the write set
//!   is on stable storage — sled's log is flushed and the database files are `fsync`ed.
//!   An acknowledged order survives a crash of the process or of the machine. Concurrent
//!   writers share one flush (group commit), so throughput grows with concurrency.
//! - [`Durability::Periodic`]: `apply` returns once the write set is applied in memory;
//!   a flush thread writes it out and `fsync`s it within `flush_every_ms`. A crash can
//!   lose the write sets acknowledged in about the last `flush_every_ms` milliseconds
//!   (whole write sets, oldest kept first), never part of one; the store always reopens
//!   consistent.
//!
//! In both modes an outbox message is returned by `outbox_pending` only once its write
//! set is durable (see the `durable` module); other reads may see a committed write set
//! before its `fsync`.
//!
//! ## Design
//!
//! One `sled::Db` with a tree per record kind, per secondary index, for the audit trail,
//! its per-subject index, the outbox and metadata (`docs/storage-format.md` documents the
//! format). Reads go straight to sled. All writes go through one writer, held by one
//! calling thread at a time (the leader; see the `commit` module: no writer thread, so a
//! lone caller never waits for a thread switch), which validates a batch of up to 256
//! queued write sets against the current state, commits the accepted ones in a single
//! multi-tree sled transaction, makes them durable once and then answers every caller. Rejected write sets get `Conflict` individually and leave no
//! trace. Audit and outbox sequence numbers are assigned by the writer and persisted in
//! the same transaction. A directory is used by one process at a time: a second
//! [`SledStore::open`] fails with [`StoreError::Locked`](ordo_core::store::StoreError).
//! [`SledStore::stats`] reports batch sizes and the time spent applying, flushing and
//! `fsync`ing.
//!
//! ## Backups
//!
//! [`SledStore::backup`] writes a consistent snapshot of a live store to one checksummed
//! file (reads continue; writes wait while the trees are dumped). [`backup::verify`]
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
mod restore;
mod schedule;
mod stats;
mod store;
mod sync;
mod wal;
mod writer;

pub use backup::{BackupInfo, IfNotEmpty};
pub use config::{DEFAULT_CHECKPOINT_BYTES, Durability, StoreConfig};
pub use datadir::SERVICE_SOCKET;
pub use schedule::{BackupSchedule, BackupThread, spawn_backups};
pub use stats::StoreStats;
pub use store::SledStore;

#[cfg(test)]
mod tests {
    ordo_core::store_conformance_tests!(crate::SledStore::temporary().unwrap());
    ordo_core::store_counter_conformance_tests!(crate::SledStore::temporary().unwrap());
}
