//! Checkpoints cut short at each step, as if the process died there, then reopened: no
//! acknowledged write set is lost or half-applied, counters are not applied twice, ids are
//! not reused; a clean close replays nothing; writers wait for a full overlay.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ordo_core::clock::Timestamp;
use ordo_core::ids::OrderId;
use ordo_core::store::{
    Expected, IdempotencyRecord, IndexRange, Record, RecordKey, Store, WriteSet,
};
use rust_decimal::Decimal;

use super::{Stop, checkpoint};
use crate::{Durability, SledStore, StoreConfig};

const COUNTER: &[u8] = b"test-counter";

/// Timed checkpoints far away and no size trigger: only the test checkpoints.
fn open(dir: &Path) -> SledStore {
    let config = StoreConfig::new(Durability::Immediate)
        .with_checkpoint_bytes(usize::MAX / 8)
        .with_checkpoint_every(Duration::from_secs(3600));
    SledStore::open(dir, config).unwrap()
}

/// A write set with one record (using id `order`) and +1 on the counter.
fn order_marker(n: u64, order: u64) -> WriteSet {
    let mut writes = WriteSet::new();
    writes.put(
        Record::Idempotency(IdempotencyRecord {
            key: format!("key-{n}"),
            fingerprint: format!("f-{n}"),
            order: OrderId(order),
            created_at: Timestamp(0),
        }),
        Expected::Absent,
    );
    writes.count(COUNTER.to_vec(), Decimal::ONE);
    writes
}

/// Applies `count` write sets after the first `from`, each taking a fresh id; returns
/// the ids.
fn write(store: &SledStore, from: u64, count: u64) -> Vec<u64> {
    (from..from + count)
        .map(|n| {
            let id = store.next_id().unwrap();
            store.apply(order_marker(n, id)).unwrap();
            id
        })
        .collect()
}

/// Every write set `0..count` is there exactly once, with the id it was written with.
fn assert_all_present(store: &SledStore, ids: &[u64]) {
    for (n, id) in ids.iter().enumerate() {
        let key = RecordKey::Idempotency(format!("key-{n}"));
        match store.get(&key).unwrap() {
            Some(found) => match found.value {
                Record::Idempotency(record) => assert_eq!(record.order, OrderId(*id)),
                other => panic!("{key} holds {other:?}"),
            },
            None => panic!("{key} lost"),
        }
    }
    let counters = store
        .counters(&IndexRange::prefix(COUNTER, false), 10)
        .unwrap();
    assert_eq!(
        counters,
        vec![(COUNTER.to_vec(), Decimal::from(ids.len() as u64))],
        "the counter counts each write set once"
    );
}

/// Stops checkpoints at `stop`, runs one, and drops the store as if it crashed.
fn crash_during_checkpoint(store: SledStore, stop: Stop) {
    *store.shared.stop_checkpoints.lock().unwrap() = Some(stop);
    checkpoint(&store.shared).unwrap();
    crash(store);
}

/// Drops `store` as a crash would leave it: no last checkpoint, nothing more written.
fn crash(store: SledStore) {
    store.shared.crashed.store(true, Ordering::Release);
    drop(store);
}

#[test]
fn a_crash_between_recording_the_position_and_deleting_the_log_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let ids = write(&store, 0, 25);
    crash_during_checkpoint(store, Stop::BeforeLogDeletion);
    let store = open(dir.path());
    // The position was recorded: the records in the log are all at or below it.
    assert_eq!(store.shared.replayed, 0);
    assert!(store.shared.overlay.is_empty());
    assert_all_present(&store, &ids);
    let more = write(&store, 25, 5);
    assert!(more.iter().all(|id| id > ids.iter().max().unwrap()));
    checkpoint(&store.shared).unwrap();
    // Every record is checkpointed: only the active segment is left.
    assert_eq!(store.shared.log.as_ref().unwrap().segment_count(), 1);
    drop(store);
    let store = open(dir.path());
    assert_all_present(&store, &[ids, more].concat());
}

#[test]
fn a_crash_mid_checkpoint_replays_every_batch_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let ids = write(&store, 0, 25);
    // The records tree, and not yet the counters or the meta tree.
    crash_during_checkpoint(store, Stop::AfterTrees(1));
    let store = open(dir.path());
    assert_eq!(store.shared.replayed, 25, "one record per write set");
    assert_all_present(&store, &ids);
    // Crash again before any checkpoint: replaying the same records once more is harmless.
    crash_during_checkpoint(store, Stop::AfterTrees(0));
    let store = open(dir.path());
    assert_eq!(store.shared.replayed, 25);
    assert_all_present(&store, &ids);
    // And a full checkpoint then a crash: nothing to replay.
    checkpoint(&store.shared).unwrap();
    crash(store);
    let store = open(dir.path());
    assert_eq!(store.shared.replayed, 0);
    assert_all_present(&store, &ids);
}

#[test]
fn ids_used_by_logged_write_sets_are_not_reused_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let ids = write(&store, 0, 10);
    assert_eq!(ids, (1..=10).collect::<Vec<_>>(), "dense");
    crash_during_checkpoint(store, Stop::AfterTrees(0));
    let store = open(dir.path());
    assert_eq!(
        store.next_id().unwrap(),
        11,
        "dense, and above every logged id"
    );
}

#[test]
fn a_clean_close_checkpoints_everything_and_reopens_without_replay() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let ids = write(&store, 0, 40);
    assert!(!store.shared.overlay.is_empty());
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.shared.replayed, 0);
    assert!(store.shared.overlay.is_empty());
    assert_all_present(&store, &ids);
    assert_eq!(store.next_id().unwrap(), 41);
}

#[test]
fn writers_wait_for_the_checkpointer_when_the_overlay_is_full() {
    let config = StoreConfig::default().with_checkpoint_bytes(2_000);
    let store = SledStore::temporary_with(config).unwrap();
    let ids = write(&store, 0, 400);
    let cap = 4 * 2_000;
    // At most the cap plus the one batch that crossed it.
    assert!(store.shared.overlay.bytes() < cap + 1_000);
    assert!(store.stats().flush_time > Duration::ZERO, "checkpoints ran");
    assert_all_present(&store, &ids);
}

#[test]
fn an_asked_for_checkpoint_moves_everything_into_sled_and_reads_stay_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let ids = write(&store, 0, 30);
    assert_all_present(&store, &ids);
    assert!(!store.shared.overlay.is_empty());
    store.checkpoint().unwrap();
    assert!(store.shared.overlay.is_empty());
    // Read from sled (and the read cache) now.
    assert_all_present(&store, &ids);
    // A crash now replays nothing: the log was cut at the checkpoint.
    crash(store);
    let store = open(dir.path());
    assert_eq!(store.shared.replayed, 0);
    assert_all_present(&store, &ids);
}

#[test]
fn concurrent_readers_never_see_a_version_go_back_through_checkpoints_and_the_read_cache() {
    // Frequent checkpoints and a cache small enough to evict: every path a read can take
    // (overlay, cache, sled) is taken while the writer and the checkpointer move values.
    let config = StoreConfig::default()
        .with_checkpoint_bytes(4_000)
        .with_checkpoint_every(Duration::from_millis(5))
        .with_read_cache_bytes(2_000);
    let store = SledStore::temporary_with(config).unwrap();
    const KEYS: u64 = 24;
    const ROUNDS: u64 = 1_000;
    let key = |k: u64| RecordKey::Idempotency(format!("key-{k}"));
    let record = |k: u64, round: u64| {
        Record::Idempotency(IdempotencyRecord {
            key: format!("key-{k}"),
            fingerprint: format!("round-{round}"),
            order: OrderId(round),
            created_at: Timestamp(0),
        })
    };
    let stop = std::sync::atomic::AtomicBool::new(false);
    let ((writes, checkpoints), reads) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let mut writes = 0u64;
            let mut positions = std::collections::BTreeSet::new();
            for round in 1..=ROUNDS {
                for k in 0..KEYS {
                    let expected = match round {
                        1 => Expected::Absent,
                        _ => Expected::Version(round - 1),
                    };
                    let mut set = WriteSet::new();
                    set.put(record(k, round), expected);
                    store.apply(set).unwrap();
                    writes += 1;
                }
                positions.insert(store.shared.checkpointed.load(Ordering::Acquire));
            }
            stop.store(true, Ordering::Release);
            (writes, positions.len())
        });
        let readers: Vec<_> = (0..3u64)
            .map(|r| {
                let (stop, store) = (&stop, &store);
                scope.spawn(move || {
                    let mut seen = vec![0u64; KEYS as usize];
                    let mut reads = 0u64;
                    let mut k = r;
                    while !stop.load(Ordering::Acquire) {
                        k = (k * 7 + 3) % KEYS;
                        if let Some(found) = store.get(&key(k)).unwrap() {
                            let Record::Idempotency(value) = found.value else {
                                panic!("key-{k} holds another record");
                            };
                            // The record's payload is the round that wrote that version.
                            assert_eq!(value.order, OrderId(found.version), "key-{k}");
                            assert!(
                                found.version >= seen[k as usize],
                                "key-{k} went back from version {} to {}",
                                seen[k as usize],
                                found.version
                            );
                            seen[k as usize] = found.version;
                            reads += 1;
                        }
                    }
                    reads
                })
            })
            .collect();
        let writes = writer.join().unwrap();
        let reads: u64 = readers.into_iter().map(|r| r.join().unwrap()).sum();
        (writes, reads)
    });
    assert_eq!(writes, ROUNDS * KEYS);
    assert!(reads > 1_000, "only {reads} reads found a record");
    // Distinct checkpointed positions the writer saw between rounds.
    assert!(checkpoints > 10, "only {checkpoints} checkpoints seen");
}
