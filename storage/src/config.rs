//! How a [`SledStore`](crate::SledStore) is opened: its durability mode.

/// When an acknowledged write is safe from a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `apply` returns only after the write set is on stable storage: sled's log is
    /// flushed and the database files are `fsync`ed (`sync_all`), with the directories
    /// whose entries changed. An acknowledged write survives a process crash and a power
    /// loss. Writes are group-committed: one flush and one `fsync` per batch of
    /// concurrent write sets.
    Immediate,
    /// `apply` returns once the write set is applied in memory. A flush thread writes out
    /// and `fsync`s everything every `flush_every_ms` milliseconds (sled's own periodic
    /// flush alone does not: see `docs/storage-format.md`). A process crash may lose the
    /// write sets acknowledged in about the last `flush_every_ms`; a power loss those
    /// acknowledged since the last flush round began (about `flush_every_ms` plus the
    /// round's duration) — whole write sets, never part of one — and the store reopens
    /// consistent. Outbox messages reach dispatchers only after the round that made them
    /// durable.
    Periodic {
        /// Background flush interval in milliseconds (at least 1).
        flush_every_ms: u64,
    },
}

impl Default for Durability {
    /// [`Durability::Immediate`]: an order system should not lose acknowledged orders.
    fn default() -> Self {
        Durability::Immediate
    }
}

/// Settings for [`SledStore::open`](crate::SledStore::open).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreConfig {
    /// When acknowledged writes are durable.
    pub durability: Durability,
}

impl StoreConfig {
    /// A configuration with the given durability.
    pub fn new(durability: Durability) -> StoreConfig {
        StoreConfig { durability }
    }
}
