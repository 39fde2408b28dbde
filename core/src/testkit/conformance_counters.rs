//! The counter part of the store conformance suite ([`WriteSet::counters`],
//! [`Store::counters`]): every backend runs it with
//! [`store_counter_conformance_tests!`](crate::store_counter_conformance_tests) beside
//! [`store_conformance_tests!`](crate::store_conformance_tests). Each check takes a fresh,
//! empty store. Durability across a reopen and backups are backend-specific and tested by
//! the backends themselves with [`counter_workload`] and [`assert_counters_equal`].

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::clock::Timestamp;
use crate::ids::OrderId;
use crate::store::{Expected, IdempotencyRecord, IndexRange, Record, Store, StoreError, WriteSet};

fn all() -> IndexRange {
    IndexRange::prefix(&[], false)
}

fn counters_of(store: &dyn Store) -> BTreeMap<Vec<u8>, Decimal> {
    store
        .counters(&all(), usize::MAX)
        .unwrap()
        .into_iter()
        .collect()
}

fn marker(key: &str) -> Record {
    Record::Idempotency(IdempotencyRecord {
        key: key.to_string(),
        fingerprint: "f".to_string(),
        order: OrderId(1),
        created_at: Timestamp(1),
    })
}

/// Deltas add up (integers and exact decimals), absent counters start at zero, a counter
/// back at zero is not listed, and scans respect bounds, direction and limit.
pub fn counter_deltas_add_up_and_scan_in_order<S: Store>(store: S) {
    let mut ws = WriteSet::new();
    ws.count(b"a/1".to_vec(), Decimal::from(2));
    ws.count(b"a/2".to_vec(), Decimal::new(1999, 2));
    ws.count(b"a/1".to_vec(), Decimal::from(3));
    ws.count(b"b/1".to_vec(), Decimal::from(7));
    store.apply(ws).unwrap();
    let mut ws = WriteSet::new();
    ws.count(b"a/2".to_vec(), Decimal::new(1, 2));
    ws.count(b"b/1".to_vec(), Decimal::from(-7));
    store.apply(ws).unwrap();
    let found = counters_of(&store);
    assert_eq!(found.len(), 2, "b/1 is back at zero: {found:?}");
    assert_eq!(found.get(b"a/1".as_slice()), Some(&Decimal::from(5)));
    assert_eq!(found.get(b"a/2".as_slice()), Some(&Decimal::from(20)));

    let prefix = store.counters(&IndexRange::prefix(b"a/", true), 1).unwrap();
    assert_eq!(prefix, vec![(b"a/2".to_vec(), Decimal::from(20))]);
    let none = store.counters(&IndexRange::prefix(b"c/", false), 10);
    assert_eq!(none.unwrap(), Vec::new());
}

/// Counter deltas are part of the write set's atomicity: a write set refused for a version
/// conflict adds nothing, one accepted adds everything together with its puts.
pub fn counter_deltas_are_atomic_with_the_write_set<S: Store>(store: S) {
    let mut ws = WriteSet::new();
    ws.put(marker("k"), Expected::Absent);
    ws.count(b"orders".to_vec(), Decimal::ONE);
    store.apply(ws).unwrap();

    let mut stale = WriteSet::new();
    stale.put(marker("k"), Expected::Absent);
    stale.count(b"orders".to_vec(), Decimal::ONE);
    stale.count(b"other".to_vec(), Decimal::ONE);
    assert_eq!(store.apply(stale), Err(StoreError::Conflict));
    let found = counters_of(&store);
    assert_eq!(found.len(), 1, "nothing of a refused write set: {found:?}");
    assert_eq!(found.get(b"orders".as_slice()), Some(&Decimal::ONE));

    // A write set of only counter deltas is not empty and is applied.
    let mut only = WriteSet::new();
    only.count(b"orders".to_vec(), Decimal::ONE);
    assert!(!only.is_empty());
    store.apply(only).unwrap();
    assert_eq!(
        counters_of(&store).get(b"orders".as_slice()),
        Some(&Decimal::from(2))
    );
}

/// 8 threads adding to the same counters at once: every delta counts (no lost update),
/// and no apply is refused (deltas carry no version check, so they never conflict).
pub fn concurrent_counter_deltas_sum_exactly<S: Store + 'static>(store: S) {
    const THREADS: u64 = 8;
    const APPLIES: u64 = 50;
    let store = Arc::new(store);
    let handles: Vec<_> = (0..THREADS)
        .map(|thread| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut applied = 0u64;
                for i in 0..APPLIES {
                    let mut ws = WriteSet::new();
                    ws.count(b"hot/count".to_vec(), Decimal::ONE);
                    ws.count(b"hot/money".to_vec(), Decimal::new(1001, 2));
                    ws.count(format!("cold/{thread}").into_bytes(), Decimal::from(i + 1));
                    store.apply(ws).unwrap();
                    applied += 1;
                }
                applied
            })
        })
        .collect();
    let applied: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(applied, THREADS * APPLIES);
    let found = counters_of(&*store);
    let total = Decimal::from(THREADS * APPLIES);
    assert_eq!(found.get(b"hot/count".as_slice()), Some(&total));
    assert_eq!(
        found.get(b"hot/money".as_slice()),
        Some(&(total * Decimal::new(1001, 2)))
    );
    for thread in 0..THREADS {
        let key = format!("cold/{thread}").into_bytes();
        assert_eq!(
            found.get(&key),
            Some(&Decimal::from(APPLIES * (APPLIES + 1) / 2))
        );
    }
}

/// Applies a fixed mixed workload of counter deltas (and puts) to `store` and returns
/// the counters it must leave, for backends' reopen and backup tests.
pub fn counter_workload(store: &dyn Store) -> BTreeMap<Vec<u8>, Decimal> {
    let mut expected: BTreeMap<Vec<u8>, Decimal> = BTreeMap::new();
    for i in 0..40u32 {
        let mut ws = WriteSet::new();
        ws.put(marker(&format!("w{i}")), Expected::Absent);
        let key = format!("day/{:03}", i % 7).into_bytes();
        let delta = Decimal::new(i64::from(i) * 137 - 900, 2);
        ws.count(key.clone(), delta);
        *expected.entry(key).or_default() += delta;
        store.apply(ws).unwrap();
    }
    expected.retain(|_, v| !v.is_zero());
    assert!(!expected.is_empty());
    expected
}

/// Asserts `store` holds exactly the counters `expected`.
pub fn assert_counters_equal(store: &dyn Store, expected: &BTreeMap<Vec<u8>, Decimal>) {
    assert_eq!(&counters_of(store), expected);
}

/// Generates one `#[test]` per counter conformance check for a store built by `$factory`.
#[macro_export]
macro_rules! store_counter_conformance_tests {
    ($factory:expr) => {
        mod store_counter_conformance {
            #[allow(unused_imports)]
            use super::*;
            use $crate::testkit::conformance_counters as check;

            #[test]
            fn counter_deltas_add_up_and_scan_in_order() {
                check::counter_deltas_add_up_and_scan_in_order($factory);
            }
            #[test]
            fn counter_deltas_are_atomic_with_the_write_set() {
                check::counter_deltas_are_atomic_with_the_write_set($factory);
            }
            #[test]
            fn concurrent_counter_deltas_sum_exactly() {
                check::concurrent_counter_deltas_sum_exactly($factory);
            }
        }
    };
}
