//! How a [`SledStore`](crate::SledStore) is opened: its durability mode.

/// When an acknowledged write is safe from a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `apply` returns only after the write set is on stable storage: its commit log record
    /// is written and the log `fdatasync`ed. An acknowledged write survives a process crash
    /// and a power loss. Writes are group-committed: one `fdatasync` per batch of
    /// concurrent write sets.
    Immediate,
    /// `apply` returns once the write set's commit log record is written (`write(2)`, no
    /// sync). A flush thread `fdatasync`s the log every `flush_every_ms` milliseconds. A
    /// process crash (even SIGKILL) loses nothing acknowledged; a power loss may lose those
    /// acknowledged since the last flush round began (about `flush_every_ms` plus the
    /// round's duration) — whole write sets, never part of one — and the store reopens
    /// consistent. Outbox messages reach dispatchers only after the round that made them
    /// durable.
    Periodic {
        /// Background `fdatasync` interval in milliseconds (at least 1).
        flush_every_ms: u64,
    },
}

impl Default for Durability {
    /// [`Durability::Immediate`]: an order system should not lose acknowledged orders.
    fn default() -> Self {
        Durability::Immediate
    }
}

/// Bytes of accepted changes held in memory (the overlay in front of sled) that start a
/// checkpoint by default: 16 MiB is a few thousand orders, large enough for sled to take
/// them in big sorted batches, small enough that replaying the log after a crash takes well
/// under a second. Writers wait when the overlay reaches four times this.
pub const DEFAULT_CHECKPOINT_BYTES: usize = 16 << 20;

/// Bytes of keys and values the read cache in front of sled holds by default: 256 MiB holds
/// the products, stock and customers of a large shop (the TPC-C benchmark's 100,000
/// products in 2 warehouses and 30,000 customers take about 150 MiB), and is allocated only
/// as reads fill it.
pub const DEFAULT_READ_CACHE_BYTES: usize = 256 << 20;

/// Settings for [`SledStore::open`](crate::SledStore::open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// When acknowledged writes are durable.
    pub durability: Durability,
    /// See [`StoreConfig::with_checkpoint_bytes`].
    checkpoint_bytes: usize,
    /// How often a checkpoint runs while the overlay holds anything.
    checkpoint_every: std::time::Duration,
    /// See [`StoreConfig::with_read_cache_bytes`].
    read_cache_bytes: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig::new(Durability::default())
    }
}

impl StoreConfig {
    /// A configuration with the given durability.
    pub fn new(durability: Durability) -> StoreConfig {
        StoreConfig {
            durability,
            checkpoint_bytes: DEFAULT_CHECKPOINT_BYTES,
            checkpoint_every: crate::checkpoint::CHECKPOINT_EVERY,
            read_cache_bytes: DEFAULT_READ_CACHE_BYTES,
        }
    }

    /// Checkpoint at least every `every` while changes are held in memory (default: 2
    /// seconds). A long interval leaves more of the commit log to replay after a crash;
    /// durability does not depend on it.
    pub fn with_checkpoint_every(mut self, every: std::time::Duration) -> StoreConfig {
        self.checkpoint_every = every.max(std::time::Duration::from_millis(1));
        self
    }

    /// The interval of timed checkpoints.
    pub(crate) fn checkpoint_every(&self) -> std::time::Duration {
        self.checkpoint_every
    }

    /// Checkpoint once the changes held in memory reach about `bytes` (at least 1; the
    /// default is [`DEFAULT_CHECKPOINT_BYTES`]). Writers wait while four times this is held.
    /// Small values make checkpoints frequent (crash tests use this); durability does not
    /// depend on it.
    pub fn with_checkpoint_bytes(mut self, bytes: usize) -> StoreConfig {
        self.checkpoint_bytes = bytes.max(1);
        self
    }

    /// The checkpoint trigger in bytes.
    pub fn checkpoint_bytes(&self) -> usize {
        self.checkpoint_bytes
    }

    /// Keep up to about `bytes` of recently read records in memory in front of sled
    /// (default: [`DEFAULT_READ_CACHE_BYTES`]; 0 turns the cache off). A read it answers
    /// costs a hash lookup instead of a walk through sled's pages; what it holds is always
    /// what sled holds, so its size changes speed and memory, never what a read returns.
    pub fn with_read_cache_bytes(mut self, bytes: usize) -> StoreConfig {
        self.read_cache_bytes = bytes;
        self
    }

    /// The read cache's budget in bytes.
    pub fn read_cache_bytes(&self) -> usize {
        self.read_cache_bytes
    }
}
