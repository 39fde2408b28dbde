//! Store wrappers that stage one situation deterministically: a record whose bytes no
//! longer decode ([`UnreadableRecord`]), and a concurrent change that lands between a
//! command's reads and its write ([`RaceOnApply`]).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::audit::{AuditEntry, Subject};
use crate::store::{
    IndexName, IndexRange, Record, RecordKey, RecordKind, ScanPage, SkippedRecord, Store,
    StoreError, Versioned, WriteSet,
};

/// Wraps a store and makes one record unreadable, as damaged bytes on disk would: `get`
/// and `scan` return [`StoreError::Corrupted`] for it, `scan_listing` reports it in
/// [`ScanPage::skipped`] (as the contract asks of every backend), and everything else
/// (indexes, writes) is untouched.
pub struct UnreadableRecord<S: Store> {
    inner: S,
    key: RecordKey,
}

/// Why [`UnreadableRecord`] says its record does not decode.
pub const UNREADABLE_REASON: &str = "does not decode: injected damage";

impl<S: Store> UnreadableRecord<S> {
    /// Wraps `inner`, making the record at `key` unreadable.
    pub fn new(inner: S, key: RecordKey) -> UnreadableRecord<S> {
        UnreadableRecord { inner, key }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn corrupted(&self) -> StoreError {
        StoreError::Corrupted {
            key: self.key.to_string(),
            reason: UNREADABLE_REASON.to_string(),
        }
    }
}

impl<S: Store> Store for UnreadableRecord<S> {
    fn next_id(&self) -> Result<u64, StoreError> {
        self.inner.next_id()
    }
    fn get(&self, key: &RecordKey) -> Result<Option<Versioned<Record>>, StoreError> {
        if *key == self.key && self.inner.get(key)?.is_some() {
            return Err(self.corrupted());
        }
        self.inner.get(key)
    }
    fn scan(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<Vec<Versioned<Record>>, StoreError> {
        let page = self.inner.scan(kind, after, limit)?;
        if page.iter().any(|v| v.value.key() == self.key) {
            return Err(self.corrupted());
        }
        Ok(page)
    }
    fn scan_listing(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        let mut page = self.inner.scan_listing(kind, after, limit)?;
        if let Some(at) = page.records.iter().position(|v| v.value.key() == self.key) {
            page.records.remove(at);
            page.skipped.push(SkippedRecord {
                key: self.key.clone(),
                reason: UNREADABLE_REASON.to_string(),
            });
            page.skipped.sort_by(|a, b| a.key.cmp(&b.key));
        }
        Ok(page)
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
        self.inner.apply(writes)
    }
    fn counters(
        &self,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, rust_decimal::Decimal)>, StoreError> {
        self.inner.counters(range, limit)
    }
}

/// What [`RaceOnApply`] runs against the wrapped store.
pub type Race<S> = Box<dyn FnOnce(&S) + Send>;

/// Wraps a store and, on the first `apply` after [`RaceOnApply::arm`], first runs a change
/// of its own against the wrapped store — a concurrent writer whose change lands after the
/// command read what it decided on and before its write set is applied. Counts applies.
pub struct RaceOnApply<S: Store> {
    inner: S,
    race: Mutex<Option<Race<S>>>,
    applies: AtomicU64,
}

impl<S: Store> RaceOnApply<S> {
    /// Wraps `inner`, unarmed.
    pub fn new(inner: S) -> RaceOnApply<S> {
        RaceOnApply {
            inner,
            race: Mutex::new(None),
            applies: AtomicU64::new(0),
        }
    }

    /// Runs `race` against the wrapped store at the start of the next `apply`, once.
    pub fn arm(&self, race: impl FnOnce(&S) + Send + 'static) {
        *self.race.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(race));
    }

    /// `apply` calls so far (the race's own writes, made on the wrapped store, not counted).
    pub fn applies(&self) -> u64 {
        self.applies.load(Ordering::SeqCst)
    }

    /// Whether the armed race has run.
    pub fn raced(&self) -> bool {
        self.race
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: Store> Store for RaceOnApply<S> {
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
        self.applies.fetch_add(1, Ordering::SeqCst);
        let race = self.race.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(race) = race {
            race(&self.inner);
        }
        self.inner.apply(writes)
    }
    fn counters(
        &self,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, rust_decimal::Decimal)>, StoreError> {
        self.inner.counters(range, limit)
    }
}
