//! Injected serialization failures: a stand-in for CockroachDB and YugabyteDB, which run
//! every transaction at SERIALIZABLE and answer SQLSTATE 40001 ("restart transaction")
//! far more often than a single PostgreSQL server does.
//!
//! [`SerializationFailures`] wraps any store and fails a random fraction of `apply` calls
//! with [`StoreError::Conflict`], which is what [`PgStore`](crate::PgStore) makes of a
//! 40001 (or a 40P01 deadlock): the server rolled the transaction back, so nothing of the
//! write set is visible, and the caller must decide again on fresh reads. The engine's
//! bounded retry with backoff has to absorb them; the count of injected failures
//! ([`Injected`]) shows the tests that it had something to absorb.
//!
//! What this does not emulate (to check on a real cluster): failures on reads (CockroachDB
//! can restart a read-only transaction too), an ambiguous commit (the client cannot tell
//! whether it committed), and clock-skew uncertainty restarts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ordo_core::audit::{AuditEntry, Subject};
use ordo_core::random::{RandomSource, SeededRandom};
use ordo_core::store::{
    IndexName, IndexRange, Record, RecordKey, RecordKind, ScanPage, Store, StoreError, Versioned,
    WriteSet,
};
use rust_decimal::Decimal;

/// Counts of a [`SerializationFailures`] wrapper, shared: they stay readable after the
/// wrapper was moved into an engine or a test.
#[derive(Debug, Default)]
pub struct Injected {
    applies: AtomicU64,
    failed: AtomicU64,
}

impl Injected {
    /// `apply` calls seen.
    pub fn applies(&self) -> u64 {
        self.applies.load(Ordering::SeqCst)
    }

    /// `apply` calls failed with an injected `Conflict`.
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::SeqCst)
    }
}

/// Wraps a store and fails `per_mille`/1000 of its applies with `Conflict` before writing
/// anything, as a server rolling back on SQLSTATE 40001 would.
pub struct SerializationFailures<S: Store> {
    inner: S,
    per_mille: u32,
    /// Applies let through before injecting (a test's setup write).
    spared: u64,
    random: SeededRandom,
    counts: Arc<Injected>,
}

impl<S: Store> SerializationFailures<S> {
    /// Wraps `inner`, failing `per_mille` of applies (`200` = 20 %); `seed` makes the
    /// choice of which ones reproducible for one thread (threads interleave as they will).
    pub fn new(inner: S, per_mille: u32, seed: u64) -> SerializationFailures<S> {
        SerializationFailures {
            inner,
            per_mille: per_mille.min(1000),
            spared: 0,
            random: SeededRandom::new(seed),
            counts: Arc::new(Injected::default()),
        }
    }

    /// Lets the first `applies` through untouched (a test's setup, which does not retry).
    #[must_use]
    pub fn sparing_first(mut self, applies: u64) -> SerializationFailures<S> {
        self.spared = applies;
        self
    }

    /// Counts into `counts` (shared with other wrappers, e.g. the stores of one test run
    /// that reconnects) instead of counts of its own.
    #[must_use]
    pub fn counting_into(mut self, counts: Arc<Injected>) -> SerializationFailures<S> {
        self.counts = counts;
        self
    }

    /// The counts, shared with this wrapper.
    pub fn counts(&self) -> Arc<Injected> {
        self.counts.clone()
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: Store> Store for SerializationFailures<S> {
    fn next_id(&self) -> Result<u64, StoreError> {
        self.inner.next_id()
    }
    fn get(&self, key: &RecordKey) -> Result<Option<Versioned<Record>>, StoreError> {
        self.inner.get(key)
    }
    fn scan(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<Vec<Versioned<Record>>, StoreError> {
        self.inner.scan(kind, after, limit)
    }
    fn scan_listing(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        self.inner.scan_listing(kind, after, limit)
    }
    fn index_get(&self, index: IndexName, key: &[u8]) -> Result<Option<u64>, StoreError> {
        self.inner.index_get(index, key)
    }
    fn index_scan(
        &self,
        index: IndexName,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError> {
        self.inner.index_scan(index, range, limit)
    }
    fn audit_for(
        &self,
        subject: Subject,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.inner.audit_for(subject, after, limit)
    }
    fn sync(&self) -> Result<(), StoreError> {
        self.inner.sync()
    }
    fn apply(&self, writes: WriteSet) -> Result<(), StoreError> {
        let seen = self.counts.applies.fetch_add(1, Ordering::SeqCst);
        let roll = self.random.next_u64() % 1000;
        if seen >= self.spared && roll < u64::from(self.per_mille) {
            self.counts.failed.fetch_add(1, Ordering::SeqCst);
            return Err(StoreError::Conflict);
        }
        self.inner.apply(writes)
    }
    fn counters(
        &self,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Decimal)>, StoreError> {
        self.inner.counters(range, limit)
    }
}
