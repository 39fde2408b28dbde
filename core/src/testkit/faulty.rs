//! A store wrapper that injects faults: fail the Nth call, fail applies with a probability,
//! or report conflicts — for testing that errors leave no partial state.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::audit::{AuditEntry, Subject};
use crate::random::{RandomSource, SeededRandom};
use crate::store::{
    IndexName, IndexRange, Record, RecordKey, RecordKind, ScanPage, Store, StoreError, Versioned,
    WriteSet,
};

/// What to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Faults {
    /// Fail the call with this 1-based number (counting every call), once.
    pub fail_call: Option<u64>,
    /// Per mille of applies that fail with `Io` before writing anything.
    pub apply_io_per_mille: u32,
    /// Per mille of applies that fail with `Conflict` before writing anything.
    pub apply_conflict_per_mille: u32,
}

/// Wraps a store and injects [`Faults`].
pub struct FaultyStore<S: Store> {
    inner: S,
    faults: Mutex<Faults>,
    calls: AtomicU64,
    random: SeededRandom,
}

impl<S: Store> FaultyStore<S> {
    /// Wraps `inner`; `seed` drives the probabilistic faults.
    pub fn new(inner: S, faults: Faults, seed: u64) -> FaultyStore<S> {
        FaultyStore {
            inner,
            faults: Mutex::new(faults),
            calls: AtomicU64::new(0),
            random: SeededRandom::new(seed),
        }
    }

    /// Changes the faults from now on.
    pub fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap_or_else(|p| p.into_inner()) = faults;
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Calls made so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    fn tick(&self) -> Result<(), StoreError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let faults = *self.faults.lock().unwrap_or_else(|p| p.into_inner());
        if faults.fail_call == Some(n) {
            return Err(StoreError::Io(format!("injected failure on call {n}")));
        }
        Ok(())
    }

    fn roll(&self, per_mille: u32) -> bool {
        per_mille > 0 && self.random.next_u64() % 1000 < u64::from(per_mille)
    }
}

impl<S: Store> Store for FaultyStore<S> {
    fn next_id(&self) -> Result<u64, StoreError> {
        self.tick()?;
        self.inner.next_id()
    }
    fn get(&self, key: &RecordKey) -> Result<Option<Versioned<Record>>, StoreError> {
        self.tick()?;
        self.inner.get(key)
    }
    fn scan(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<Vec<Versioned<Record>>, StoreError> {
        self.tick()?;
        self.inner.scan(kind, after, limit)
    }
    fn scan_listing(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        self.tick()?;
        self.inner.scan_listing(kind, after, limit)
    }
    fn index_get(&self, index: IndexName, key: &[u8]) -> Result<Option<u64>, StoreError> {
        self.tick()?;
        self.inner.index_get(index, key)
    }
    fn index_scan(
        &self,
        index: IndexName,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError> {
        self.tick()?;
        self.inner.index_scan(index, range, limit)
    }
    fn audit_for(
        &self,
        subject: Subject,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.tick()?;
        self.inner.audit_for(subject, after, limit)
    }
    fn sync(&self) -> Result<(), StoreError> {
        self.tick()?;
        self.inner.sync()
    }
    fn apply(&self, writes: WriteSet) -> Result<(), StoreError> {
        self.tick()?;
        let faults = *self.faults.lock().unwrap_or_else(|p| p.into_inner());
        if self.roll(faults.apply_io_per_mille) {
            return Err(StoreError::Io("injected write failure".into()));
        }
        if self.roll(faults.apply_conflict_per_mille) {
            return Err(StoreError::Conflict);
        }
        self.inner.apply(writes)
    }
    fn counters(
        &self,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, rust_decimal::Decimal)>, StoreError> {
        self.tick()?;
        self.inner.counters(range, limit)
    }
}
