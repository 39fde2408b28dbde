//! How a [`SledStore`](crate::SledStore) is opened: its durability mode.

/// When an acknowledged write is safe from a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `apply` returns only after the write set is on stable storage: sled's log is
    /// flushed and the database files are `fsync`ed (`sync_all`). An acknowledged write
    /// survives a process crash and a power loss. Writes are group-committed: one flush
    /// and one `fsync` per batch of concurrent write sets.
    Immediate,
    /// `apply` returns once the write set is applied in memory; sled writes it out in the
    /// background at least every `flush_every_ms` milliseconds. A crash may lose the write
    /// sets acknowledged in roughly the last `flush_every_ms` milliseconds — whole write
    /// sets, never part of one — and the store reopens consistent.
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
