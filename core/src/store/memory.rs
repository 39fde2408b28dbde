//! A thread-safe in-memory [`Store`]: the reference implementation of the contract, used by
//! tests, the simulation and hosts that do not need durability.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::RwLock;

use rust_decimal::Decimal;

use crate::audit::{AuditEntry, Subject};

use super::{
    IndexName, IndexRange, Record, RecordKey, RecordKind, ScanPage, Store, StoreError, Versioned,
    WriteSet,
};

#[derive(Default)]
struct Inner {
    next_id: u64,
    records: BTreeMap<RecordKey, (u64, Record)>,
    indexes: BTreeMap<IndexName, BTreeMap<Vec<u8>, u64>>,
    audit: BTreeMap<u64, AuditEntry>,
    audit_by_subject: BTreeSet<(Subject, u64)>,
    next_audit: u64,
    /// Report counters; a counter back at zero is removed.
    counters: BTreeMap<Vec<u8>, Decimal>,
}

/// The in-memory store. Cheap to create; everything is lost when it is dropped.
#[derive(Default)]
pub struct MemoryStore {
    inner: RwLock<Inner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        // A poisoned lock means a panic elsewhere mid-read; apply never leaves partial state
        // (it validates before mutating), so the data is still consistent.
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }
}

fn as_slice(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

impl Store for MemoryStore {
    fn next_id(&self) -> Result<u64, StoreError> {
        let mut inner = self.write();
        inner.next_id += 1;
        Ok(inner.next_id)
    }

    fn get(&self, key: &RecordKey) -> Result<Option<Versioned<Record>>, StoreError> {
        Ok(self
            .read()
            .records
            .get(key)
            .map(|(version, value)| Versioned {
                version: *version,
                value: value.clone(),
            }))
    }

    fn scan(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<Vec<Versioned<Record>>, StoreError> {
        let inner = self.read();
        let start = match after {
            Some(key) => Bound::Excluded(key.clone()),
            None => Bound::Unbounded,
        };
        Ok(inner
            .records
            .range((start, Bound::Unbounded))
            .filter(|(k, _)| k.kind() == kind)
            .take(limit)
            .map(|(_, (version, value))| Versioned {
                version: *version,
                value: value.clone(),
            })
            .collect())
    }

    fn scan_listing(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        // Values are kept decoded: nothing here can fail to read.
        Ok(ScanPage {
            records: self.scan(kind, after, limit)?,
            skipped: Vec::new(),
        })
    }

    fn index_get(&self, index: IndexName, key: &[u8]) -> Result<Option<u64>, StoreError> {
        Ok(self
            .read()
            .indexes
            .get(&index)
            .and_then(|m| m.get(key))
            .copied())
    }

    fn index_scan(
        &self,
        index: IndexName,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError> {
        let inner = self.read();
        let Some(map) = inner.indexes.get(&index) else {
            return Ok(Vec::new());
        };
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let bounds = (as_slice(&range.start), as_slice(&range.end));
        let entries = map.range::<[u8], _>(bounds).map(|(k, id)| (k.clone(), *id));
        Ok(if range.reverse {
            entries.rev().take(limit).collect()
        } else {
            entries.take(limit).collect()
        })
    }

    fn audit_for(
        &self,
        subject: Subject,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let inner = self.read();
        let from = after.map_or(0, |a| a.saturating_add(1));
        Ok(inner
            .audit_by_subject
            .range((subject, from)..)
            .take_while(|(s, _)| *s == subject)
            .take(limit)
            .filter_map(|(_, seq)| inner.audit.get(seq).cloned())
            .collect())
    }

    fn sync(&self) -> Result<(), StoreError> {
        // Nothing outlives the process: what is applied is as durable as it gets.
        Ok(())
    }

    fn apply(&self, writes: WriteSet) -> Result<(), StoreError> {
        let mut inner = self.write();
        // Check everything first; mutate only when every check passed.
        let puts = writes
            .puts
            .iter()
            .map(|(record, expected)| (record.key(), *expected));
        let reads = writes.reads.iter().cloned();
        for (key, expected) in puts.chain(reads) {
            let current = inner.records.get(&key).map(|(v, _)| *v);
            if !expected.matches(current) {
                return Err(StoreError::Conflict);
            }
        }
        let counters = summed_counters(&inner.counters, &writes.counters)?;
        for entry in &writes.index_inserts {
            if entry.index.is_unique() {
                let removed_here = writes
                    .index_removes
                    .iter()
                    .any(|r| r.index == entry.index && r.key == entry.key);
                match inner
                    .indexes
                    .get(&entry.index)
                    .and_then(|m| m.get(&entry.key))
                {
                    Some(id) if *id != entry.id && !removed_here => {
                        return Err(StoreError::Conflict);
                    }
                    _ => {}
                }
            }
        }
        for (record, expected) in writes.puts {
            inner
                .records
                .insert(record.key(), (expected.next_version(), record));
        }
        for entry in writes.index_removes {
            if let Some(map) = inner.indexes.get_mut(&entry.index) {
                map.remove(&entry.key);
            }
        }
        for entry in writes.index_inserts {
            inner
                .indexes
                .entry(entry.index)
                .or_default()
                .insert(entry.key, entry.id);
        }
        for record in writes.audit {
            inner.next_audit += 1;
            let sequence = inner.next_audit;
            for subject in &record.subjects {
                inner.audit_by_subject.insert((*subject, sequence));
            }
            inner
                .audit
                .insert(sequence, AuditEntry { sequence, record });
        }
        for (key, value) in counters {
            if value.is_zero() {
                inner.counters.remove(&key);
            } else {
                inner.counters.insert(key, value);
            }
        }
        Ok(())
    }

    fn counters(
        &self,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Decimal)>, StoreError> {
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let inner = self.read();
        let bounds = (as_slice(&range.start), as_slice(&range.end));
        let entries = inner
            .counters
            .range::<[u8], _>(bounds)
            .map(|(k, v)| (k.clone(), *v));
        Ok(if range.reverse {
            entries.rev().take(limit).collect()
        } else {
            entries.take(limit).collect()
        })
    }
}

/// The values `deltas` leave the counters at (checked before anything is written).
fn summed_counters(
    current: &BTreeMap<Vec<u8>, Decimal>,
    deltas: &[super::CounterDelta],
) -> Result<BTreeMap<Vec<u8>, Decimal>, StoreError> {
    let mut values: BTreeMap<Vec<u8>, Decimal> = BTreeMap::new();
    for delta in deltas {
        let value = match values.get(&delta.key) {
            Some(value) => *value,
            None => current.get(&delta.key).copied().unwrap_or_default(),
        };
        let sum = value
            .checked_add(delta.delta)
            .ok_or_else(|| StoreError::Io("a counter would overflow".to_string()))?;
        values.insert(delta.key.clone(), sum);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    crate::store_conformance_tests!(super::super::MemoryStore::new());
    crate::store_counter_conformance_tests!(super::super::MemoryStore::new());
}
