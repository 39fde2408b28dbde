//! The store a service (or any `ordo` command) runs on: a sled data directory or a
//! PostgreSQL database, behind one type that implements [`Store`].
//!
//! [`ServiceStore`](crate::serve::ServiceStore) is `Arc<AppStore>`, so the dispatchers,
//! channels and web pages built on it run unchanged on either backend. The CLI re-uses
//! this enum for its own commands.

use std::sync::Arc;

use ordo_core::audit::{AuditEntry, Subject};
use ordo_core::store::{
    IndexName, IndexRange, Record, RecordKey, RecordKind, ScanPage, Store, StoreError, Versioned,
    WriteSet,
};
use ordo_postgres::PgStore;
use ordo_storage::SledStore;
use rust_decimal::Decimal;

/// One of the backends.
#[derive(Debug)]
pub enum AppStore {
    /// A sled data directory (one process at a time); shared with the backup thread.
    Sled(Arc<SledStore>),
    /// A PostgreSQL database (any number of processes).
    Postgres(PgStore),
}

impl AppStore {
    /// The sled store, if this is one (automatic backups are sled's alone: a PostgreSQL
    /// store is backed up by the database, `pg_dump`).
    pub fn sled(&self) -> Option<&Arc<SledStore>> {
        match self {
            AppStore::Sled(store) => Some(store),
            AppStore::Postgres(_) => None,
        }
    }

    /// A short name of the backend, for start-up messages and logs.
    pub fn backend_name(&self) -> &'static str {
        match self {
            AppStore::Sled(_) => "sled",
            AppStore::Postgres(_) => "postgres",
        }
    }
}

impl From<SledStore> for AppStore {
    fn from(store: SledStore) -> AppStore {
        AppStore::Sled(Arc::new(store))
    }
}

impl From<PgStore> for AppStore {
    fn from(store: PgStore) -> AppStore {
        AppStore::Postgres(store)
    }
}

/// Calls the same method on whichever backend `self` is.
macro_rules! each {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AppStore::Sled($store) => $call,
            AppStore::Postgres($store) => $call,
        }
    };
}

impl Store for AppStore {
    fn next_id(&self) -> Result<u64, StoreError> {
        each!(self, s => s.next_id())
    }
    fn get(&self, key: &RecordKey) -> Result<Option<Versioned<Record>>, StoreError> {
        each!(self, s => s.get(key))
    }
    fn scan(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<Vec<Versioned<Record>>, StoreError> {
        each!(self, s => s.scan(kind, after, limit))
    }
    fn scan_listing(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        each!(self, s => s.scan_listing(kind, after, limit))
    }
    fn index_get(&self, index: IndexName, key: &[u8]) -> Result<Option<u64>, StoreError> {
        each!(self, s => s.index_get(index, key))
    }
    fn index_scan(
        &self,
        index: IndexName,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError> {
        each!(self, s => s.index_scan(index, range, limit))
    }
    fn audit_for(
        &self,
        subject: Subject,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        each!(self, s => s.audit_for(subject, after, limit))
    }
    fn sync(&self) -> Result<(), StoreError> {
        each!(self, s => s.sync())
    }
    fn apply(&self, writes: WriteSet) -> Result<(), StoreError> {
        each!(self, s => s.apply(writes))
    }
    fn counters(
        &self,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Decimal)>, StoreError> {
        each!(self, s => s.counters(range, limit))
    }
}
