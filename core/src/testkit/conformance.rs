//! The store conformance suite: every backend runs it against itself with
//! [`store_conformance_tests!`](crate::store_conformance_tests), exactly as the in-memory
//! store does. Each check takes a fresh, empty store.

use std::collections::HashSet;
use std::ops::Bound;
use std::sync::Arc;

use crate::audit::{AuditAction, AuditRecord, Subject};
use crate::auth::Actor;
use crate::clock::Timestamp;
use crate::engine::{OrderFilter, OrderRequest, PaymentRequest};
use crate::ids::{CustomerId, OrderId, ProductId};
use crate::inventory::Stock;
use crate::outbox::DomainEvent;
use crate::payment::PaymentMethod;
use crate::store::keys;
use crate::store::{
    Expected, IdempotencyRecord, IndexEntry, IndexName, IndexRange, Record, RecordKey, RecordKind,
    Store, StoreError, WriteSet,
};

use super::sample;

fn marker(key: &str, fingerprint: &str) -> Record {
    Record::Idempotency(IdempotencyRecord {
        key: key.to_string(),
        fingerprint: fingerprint.to_string(),
        order: OrderId(1),
        created_at: Timestamp(1),
    })
}

fn put(store: &dyn Store, record: Record, expected: Expected) -> Result<(), StoreError> {
    let mut ws = WriteSet::new();
    ws.put(record, expected);
    store.apply(ws)
}

fn fingerprint_of(store: &dyn Store, key: &str) -> Option<(u64, String)> {
    match store.get(&RecordKey::Idempotency(key.to_string())).unwrap() {
        Some(v) => match v.value {
            Record::Idempotency(r) => Some((v.version, r.fingerprint)),
            other => panic!("wrong record kind {other:?}"),
        },
        None => None,
    }
}

fn entry(index: IndexName, key: &[u8], id: u64) -> IndexEntry {
    IndexEntry {
        index,
        key: key.to_vec(),
        id,
    }
}

fn audit(subjects: Vec<Subject>) -> AuditRecord {
    AuditRecord {
        at: Timestamp(1),
        actor: Actor::system().record(),
        action: AuditAction::StatusChanged,
        subjects,
        changes: Vec::new(),
    }
}

/// Ids are unique and never reused, also under concurrent callers.
pub fn next_id_is_unique<S: Store + 'static>(store: S) {
    let store = Arc::new(store);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                (0..250)
                    .map(|_| store.next_id().unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for handle in handles {
        for id in handle.join().unwrap() {
            assert!(id > 0, "ids start at 1");
            assert!(seen.insert(id), "id {id} handed out twice");
        }
    }
    assert_eq!(seen.len(), 1000);
}

/// Puts create version 1 and each later put adds one; gets return what was put.
pub fn versions_start_at_one_and_increase<S: Store>(store: S) {
    assert_eq!(fingerprint_of(&store, "a"), None);
    put(&store, marker("a", "first"), Expected::Absent).unwrap();
    assert_eq!(fingerprint_of(&store, "a"), Some((1, "first".into())));
    put(&store, marker("a", "second"), Expected::Version(1)).unwrap();
    assert_eq!(fingerprint_of(&store, "a"), Some((2, "second".into())));
}

/// A stale version, `Absent` for an existing record, or a version for a missing record is
/// a `Conflict`, and nothing of that write set is written.
pub fn version_mismatch_conflicts_and_writes_nothing<S: Store>(store: S) {
    put(&store, marker("a", "v1"), Expected::Absent).unwrap();
    put(&store, marker("a", "v2"), Expected::Version(1)).unwrap();
    for (expected, key) in [
        (Expected::Version(1), "a"),
        (Expected::Absent, "a"),
        (Expected::Version(1), "missing"),
    ] {
        let mut ws = WriteSet::new();
        ws.put(marker("side", "must not appear"), Expected::Absent);
        ws.put(marker(key, "stale"), expected);
        ws.index_inserts
            .push(entry(IndexName::ProductBySku, b"SIDE", 9));
        ws.audit.push(audit(vec![Subject::Order(OrderId(9))]));
        assert_eq!(
            store.apply(ws),
            Err(StoreError::Conflict),
            "{expected:?} {key}"
        );
    }
    assert_eq!(fingerprint_of(&store, "a"), Some((2, "v2".into())));
    assert_eq!(fingerprint_of(&store, "side"), None);
    assert_eq!(fingerprint_of(&store, "missing"), None);
    assert_eq!(
        store.index_get(IndexName::ProductBySku, b"SIDE").unwrap(),
        None
    );
    assert!(
        store
            .audit_for(Subject::Order(OrderId(9)), None, 10)
            .unwrap()
            .is_empty()
    );
}

/// Read expectations are checked like the puts' versions and write nothing: a stale,
/// `Absent`-but-present or version-but-missing expectation is a `Conflict` and nothing of
/// the write set is written; a matching one lets the write set apply and leaves the
/// expected record as it was.
pub fn read_expectations_are_checked_and_write_nothing<S: Store>(store: S) {
    put(&store, marker("read", "v1"), Expected::Absent).unwrap();
    put(&store, marker("read", "v2"), Expected::Version(1)).unwrap();
    let read = RecordKey::Idempotency("read".to_string());
    let missing = RecordKey::Idempotency("missing".to_string());
    for (key, expected) in [
        (&read, Expected::Version(1)),
        (&read, Expected::Absent),
        (&missing, Expected::Version(1)),
    ] {
        let mut ws = WriteSet::new();
        ws.put(marker("side", "must not appear"), Expected::Absent);
        ws.expect(key.clone(), expected);
        ws.index_inserts
            .push(entry(IndexName::ProductBySku, b"SIDE", 9));
        ws.audit.push(audit(vec![Subject::Order(OrderId(9))]));
        assert_eq!(
            store.apply(ws),
            Err(StoreError::Conflict),
            "{key} expected {expected:?}"
        );
    }
    assert_eq!(fingerprint_of(&store, "side"), None);
    assert_eq!(
        store.index_get(IndexName::ProductBySku, b"SIDE").unwrap(),
        None
    );
    let mut applied = 0;
    for (name, key, expected) in [
        ("after-current", &read, Expected::Version(2)),
        ("after-absent", &missing, Expected::Absent),
    ] {
        let mut ws = WriteSet::new();
        ws.put(marker(name, "written"), Expected::Absent);
        ws.expect(key.clone(), expected);
        store.apply(ws).unwrap();
        applied += 1;
        assert_eq!(fingerprint_of(&store, name), Some((1, "written".into())));
    }
    assert_eq!(applied, 2);
    // The expected records were only checked, never written.
    assert_eq!(fingerprint_of(&store, "read"), Some((2, "v2".into())));
    assert_eq!(fingerprint_of(&store, "missing"), None);
}

fn sample_event() -> DomainEvent {
    DomainEvent::OrderStatusChanged {
        order: OrderId(1),
        customer: CustomerId(2),
        from: crate::order::OrderStatus::Placed,
        to: crate::order::OrderStatus::Confirmed,
    }
}

/// A unique index key taken by another id is a `Conflict`; the same id again is fine; a key
/// removed and re-added in one write set moves.
pub fn unique_index_keys_are_enforced<S: Store>(store: S) {
    let mut ws = WriteSet::new();
    ws.index_inserts
        .push(entry(IndexName::ProductBySku, b"TEE", 1));
    store.apply(ws).unwrap();
    let mut ws = WriteSet::new();
    ws.put(marker("with-dup", "x"), Expected::Absent);
    ws.index_inserts
        .push(entry(IndexName::ProductBySku, b"TEE", 2));
    assert_eq!(store.apply(ws), Err(StoreError::Conflict));
    assert_eq!(fingerprint_of(&store, "with-dup"), None);
    let mut ws = WriteSet::new();
    ws.index_inserts
        .push(entry(IndexName::ProductBySku, b"TEE", 1));
    store.apply(ws).unwrap();
    let mut ws = WriteSet::new();
    ws.index_removes
        .push(entry(IndexName::ProductBySku, b"TEE", 1));
    ws.index_inserts
        .push(entry(IndexName::ProductBySku, b"TEE", 3));
    store.apply(ws).unwrap();
    assert_eq!(
        store.index_get(IndexName::ProductBySku, b"TEE").unwrap(),
        Some(3)
    );
    // Non-unique indexes accept many ids (keys differ by their id suffix in practice).
    let mut ws = WriteSet::new();
    ws.index_inserts
        .push(entry(IndexName::OrderByCreated, b"k1", 1));
    ws.index_inserts
        .push(entry(IndexName::OrderByCreated, b"k2", 1));
    store.apply(ws).unwrap();
}

/// Scans honour bounds, direction and limit; inverted or empty ranges return nothing; the
/// same key in another index is not seen; removed entries are gone.
pub fn index_scans_respect_bounds_direction_and_limit<S: Store>(store: S) {
    let mut ws = WriteSet::new();
    for (i, key) in [b"a1", b"a2", b"a3", b"b1", b"b2"].iter().enumerate() {
        ws.index_inserts
            .push(entry(IndexName::OrderByCreated, *key, i as u64 + 1));
    }
    ws.index_inserts
        .push(entry(IndexName::OrderByStatus, b"a9", 99));
    store.apply(ws).unwrap();
    let keys = |range: IndexRange, limit| -> Vec<Vec<u8>> {
        store
            .index_scan(IndexName::OrderByCreated, &range, limit)
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    };
    assert_eq!(
        keys(IndexRange::prefix(b"a", false), 10),
        vec![b"a1".to_vec(), b"a2".to_vec(), b"a3".to_vec()]
    );
    assert_eq!(
        keys(IndexRange::prefix(b"a", true), 2),
        vec![b"a3".to_vec(), b"a2".to_vec()]
    );
    let all = IndexRange {
        start: Bound::Unbounded,
        end: Bound::Unbounded,
        reverse: true,
    };
    assert_eq!(keys(all, 10).len(), 5);
    let half_open = IndexRange {
        start: Bound::Excluded(b"a1".to_vec()),
        end: Bound::Included(b"b1".to_vec()),
        reverse: false,
    };
    assert_eq!(
        keys(half_open, 10),
        vec![b"a2".to_vec(), b"a3".to_vec(), b"b1".to_vec()]
    );
    let inverted = IndexRange {
        start: Bound::Included(b"b".to_vec()),
        end: Bound::Excluded(b"a".to_vec()),
        reverse: false,
    };
    assert!(keys(inverted, 10).is_empty());
    let empty = IndexRange {
        start: Bound::Excluded(b"a2".to_vec()),
        end: Bound::Excluded(b"a2".to_vec()),
        reverse: true,
    };
    assert!(keys(empty, 10).is_empty());
    assert!(keys(IndexRange::prefix(b"a", false), 0).is_empty());
    let mut ws = WriteSet::new();
    ws.index_removes
        .push(entry(IndexName::OrderByCreated, b"a2", 2));
    store.apply(ws).unwrap();
    assert_eq!(
        keys(IndexRange::prefix(b"a", false), 10),
        vec![b"a1".to_vec(), b"a3".to_vec()]
    );
    assert_eq!(
        store.index_get(IndexName::OrderByCreated, b"b2").unwrap(),
        Some(5)
    );
    assert_eq!(
        store.index_get(IndexName::OrderByStatus, b"a9").unwrap(),
        Some(99)
    );
}

/// Audit entries get strictly increasing sequence numbers and are found per subject.
pub fn audit_entries_are_sequenced_and_found_by_subject<S: Store>(store: S) {
    let order = Subject::Order(OrderId(7));
    let customer = Subject::Customer(CustomerId(3));
    for _ in 0..3 {
        let mut ws = WriteSet::new();
        ws.audit.push(audit(vec![order, customer]));
        ws.audit.push(audit(vec![customer]));
        store.apply(ws).unwrap();
    }
    let for_order = store.audit_for(order, None, 100).unwrap();
    let for_customer = store.audit_for(customer, None, 100).unwrap();
    assert_eq!(for_order.len(), 3);
    assert_eq!(for_customer.len(), 6);
    assert!(
        for_customer
            .windows(2)
            .all(|w| w[0].sequence < w[1].sequence)
    );
    let after = store
        .audit_for(customer, Some(for_customer[1].sequence), 2)
        .unwrap();
    assert_eq!(after, for_customer[2..4].to_vec());
    assert!(
        store
            .audit_for(Subject::Product(ProductId(1)), None, 10)
            .unwrap()
            .is_empty()
    );
}

/// Deliveries, order watch lists and phone settings are records like any other (put with
/// versions, read back equal), the delivery queue index scans in due order, and `sync`
/// returns once what was applied is durable.
pub fn delivery_records_round_trip_and_queue_in_due_order<S: Store>(store: S) {
    use crate::delivery::{Delivery, DeliveryChannel, OrderWatch, PhoneSettings, Recipient};
    use crate::ids::DeliveryId;
    let phone = crate::customer::Phone::parse("+15550001111").unwrap();
    let mut written = Vec::new();
    for (id, due) in [(3u64, 30i64), (1, 10), (2, 20)] {
        let mut delivery = Delivery::new(
            DeliveryId(id),
            Timestamp(due),
            sample_event(),
            None,
            Recipient::Phone(phone.clone()),
        );
        if id == 2 {
            delivery.claim("dispatcher-1", Timestamp(due), 5);
        }
        let mut ws = WriteSet::new();
        ws.reindex(&[], &keys::delivery_entries(&delivery));
        ws.put(Record::Delivery(delivery.clone()), Expected::Absent);
        store.apply(ws).unwrap();
        written.push(delivery);
    }
    let mut watch = OrderWatch::new(OrderId(1));
    watch.set(&phone, true);
    let settings = PhoneSettings {
        phone: phone.clone(),
        opted_out: true,
        changed: Timestamp(7),
    };
    let mut ws = WriteSet::new();
    ws.put(Record::OrderWatch(watch.clone()), Expected::Absent);
    ws.put(Record::PhoneSettings(settings.clone()), Expected::Absent);
    store.apply(ws).unwrap();
    store.sync().unwrap();
    for delivery in &written {
        let got = store
            .get(&RecordKey::Delivery(delivery.id()))
            .unwrap()
            .unwrap();
        assert_eq!(
            (got.version, got.value),
            (1, Record::Delivery(delivery.clone()))
        );
    }
    assert_eq!(
        store
            .get(&RecordKey::OrderWatch(OrderId(1)))
            .unwrap()
            .unwrap()
            .value,
        Record::OrderWatch(watch)
    );
    assert_eq!(
        store
            .get(&RecordKey::PhoneSettings(phone.as_str().to_string()))
            .unwrap()
            .unwrap()
            .value,
        Record::PhoneSettings(settings)
    );
    // Due by t=25: 1 (due at 10) and 2 (its lease lapsed at 25), not 3 (due at 30).
    let (start, end) = keys::delivery_queue_due(DeliveryChannel::Sms, Timestamp(25));
    let range = IndexRange {
        start: std::ops::Bound::Included(start),
        end: std::ops::Bound::Excluded(end),
        reverse: false,
    };
    let due: Vec<u64> = store
        .index_scan(IndexName::DeliveryQueue, &range, 10)
        .unwrap()
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(due, vec![1, 2]);
    let (start, end) = keys::delivery_queue_due(DeliveryChannel::Telegram, Timestamp(i64::MAX - 1));
    let range = IndexRange {
        start: std::ops::Bound::Included(start),
        end: std::ops::Bound::Excluded(end),
        reverse: false,
    };
    assert!(
        store
            .index_scan(IndexName::DeliveryQueue, &range, 10)
            .unwrap()
            .is_empty()
    );
}

/// Scans return one kind of record, in key order, after a key, up to a limit; the listing
/// scan covers the same records on a healthy store.
pub fn record_scans_are_per_kind_and_ordered<S: Store>(store: S) {
    let mut ws = WriteSet::new();
    for id in [3u64, 1, 2, 10] {
        ws.put(Record::Stock(Stock::empty(ProductId(id))), Expected::Absent);
    }
    ws.put(marker("zzz", "x"), Expected::Absent);
    store.apply(ws).unwrap();
    let ids = |after: Option<&RecordKey>, limit| -> Vec<u64> {
        store
            .scan(RecordKind::Stock, after, limit)
            .unwrap()
            .into_iter()
            .map(|v| match v.value {
                Record::Stock(s) => s.product().0,
                other => panic!("scan returned another kind: {other:?}"),
            })
            .collect()
    };
    assert_eq!(ids(None, 10), vec![1, 2, 3, 10]);
    assert_eq!(ids(Some(&RecordKey::Stock(ProductId(2))), 10), vec![3, 10]);
    assert_eq!(ids(None, 2), vec![1, 2]);
    assert_eq!(
        store.scan(RecordKind::Idempotency, None, 10).unwrap().len(),
        1
    );
    assert!(store.scan(RecordKind::Order, None, 10).unwrap().is_empty());
    for (after, limit) in [
        (None, 10),
        (Some(RecordKey::Stock(ProductId(2))), 10),
        (None, 2),
    ] {
        let listing = store
            .scan_listing(RecordKind::Stock, after.as_ref(), limit)
            .unwrap();
        assert!(listing.skipped.is_empty());
        assert_eq!(
            listing.records,
            store
                .scan(RecordKind::Stock, after.as_ref(), limit)
                .unwrap()
        );
        assert_eq!(
            listing.last_key(),
            listing.records.last().map(|v| v.value.key())
        );
    }
    // Both settings records share their kind, in the same order on every backend.
    let mut ws = WriteSet::new();
    ws.put(
        Record::PricingSettings(crate::pricing::PricingSettings::default()),
        Expected::Absent,
    );
    ws.put(
        Record::Settings(crate::store::Settings {
            code_secret: crate::registration::CodeSecret([7; 32]),
            admin_initialized: false,
        }),
        Expected::Absent,
    );
    store.apply(ws).unwrap();
    let settings: Vec<RecordKey> = store
        .scan(RecordKind::Settings, None, 10)
        .unwrap()
        .into_iter()
        .map(|v| v.value.key())
        .collect();
    assert_eq!(
        settings,
        vec![RecordKey::Settings, RecordKey::PricingSettings]
    );
    assert_eq!(
        store
            .scan(RecordKind::Settings, Some(&RecordKey::Settings), 10)
            .unwrap()
            .len(),
        1
    );
}

/// Concurrent read-modify-write loops with version checks lose no update.
pub fn concurrent_updates_lose_nothing<S: Store + 'static>(store: S) {
    put(&store, marker("counter", "0"), Expected::Absent).unwrap();
    let store = Arc::new(store);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                for _ in 0..50 {
                    loop {
                        let (version, count) = fingerprint_of(store.as_ref(), "counter").unwrap();
                        let next = count.parse::<u64>().unwrap() + 1;
                        match put(
                            store.as_ref(),
                            marker("counter", &next.to_string()),
                            Expected::Version(version),
                        ) {
                            Ok(()) => break,
                            Err(StoreError::Conflict) => continue,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(
        fingerprint_of(store.as_ref(), "counter"),
        Some((201, "200".into()))
    );
}

/// Every record kind the engine writes reads back exactly (the codec round-trips them).
pub fn engine_records_round_trip<S: Store>(store: S) {
    let (engine, _clock) = sample::engine(&store, 11);
    let admin = sample::admin();
    let product = engine
        .create_product(&admin, sample::product("TEE-RED-M", 1999))
        .unwrap();
    engine
        .restock(&admin, "TEE-RED-M", "MAIN", 10, "initial count")
        .unwrap();
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap();
    let order = engine
        .create_order(
            &admin,
            &OrderRequest::simple(customer.id(), &[("TEE-RED-M", 2)]),
        )
        .unwrap();
    let paid = engine
        .record_payment(
            &admin,
            order.id(),
            &PaymentRequest {
                amount: order.totals().total,
                method: PaymentMethod::Card,
                external_reference: "ch_1".into(),
                idempotency_key: Some("pay-1".into()),
            },
        )
        .unwrap();
    assert_eq!(engine.get_product(&admin, product.id()).unwrap(), product);
    assert_eq!(
        engine.get_customer(&admin, customer.id()).unwrap(),
        customer
    );
    let stored = engine.get_order(&admin, order.id()).unwrap();
    assert_eq!(stored.value, paid);
    assert_eq!(stored.version, 2);
    let reference = paid.reference().unwrap().to_string();
    assert_eq!(
        engine.order_by_reference(&admin, &reference).unwrap().value,
        paid
    );
    let page = engine
        .list_orders(
            &admin,
            &OrderFilter {
                customer_name: Some("example".into()),
                ..OrderFilter::default()
            },
        )
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(engine.order_history(&admin, order.id()).unwrap().len(), 2);
    // Placed and paid: one delivery each, to the customer's own channel.
    let deliveries = engine
        .list_deliveries(&admin, crate::engine::DeliveryFilter::All, None, 10)
        .unwrap();
    assert_eq!(deliveries.items.len(), 2);
}

/// Audit sequence numbers are unique, but only per subject do they promise an order: when
/// every write set that audits a subject also puts that subject's record (so the write
/// sets conflict on its version and commit one after another), the subject's entries read
/// back in the order of the record's versions. Four threads race read-modify-write loops
/// on one record, each write auditing the version it wrote.
pub fn audit_of_one_subject_follows_its_record_versions<S: Store + 'static>(store: S) {
    const THREADS: u64 = 4;
    const WRITES: u64 = 25;
    put(&store, marker("subject", "0"), Expected::Absent).unwrap();
    let subject = Subject::Order(OrderId(42));
    let store = Arc::new(store);
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut written = 0u64;
                while written < WRITES {
                    let (version, _) = fingerprint_of(store.as_ref(), "subject").unwrap();
                    let mut ws = WriteSet::new();
                    ws.put(
                        marker("subject", &(version + 1).to_string()),
                        Expected::Version(version),
                    );
                    let mut entry = audit(vec![subject]);
                    // The version this write set leaves the record at.
                    entry.at = Timestamp(i64::try_from(version + 1).unwrap());
                    ws.audit.push(entry);
                    match store.apply(ws) {
                        Ok(()) => written += 1,
                        Err(StoreError::Conflict) => continue,
                        Err(e) => panic!("{e}"),
                    }
                }
                written
            })
        })
        .collect();
    let written: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(written, THREADS * WRITES);
    let trail = store.audit_for(subject, None, 1000).unwrap();
    assert_eq!(trail.len() as u64, THREADS * WRITES);
    let versions: Vec<i64> = trail.iter().map(|e| e.record.at.0).collect();
    let expected: Vec<i64> = (2..2 + i64::try_from(THREADS * WRITES).unwrap()).collect();
    assert_eq!(versions, expected, "entries of one subject in commit order");
    assert!(trail.windows(2).all(|w| w[0].sequence < w[1].sequence));
}

/// Generates one `#[test]` per conformance check for a store built by `$factory`
/// (an expression evaluated afresh for each test).
#[macro_export]
macro_rules! store_conformance_tests {
    ($factory:expr) => {
        mod store_conformance {
            #[allow(unused_imports)]
            use super::*;
            use $crate::testkit::conformance as check;

            #[test]
            fn next_id_is_unique() {
                check::next_id_is_unique($factory);
            }
            #[test]
            fn versions_start_at_one_and_increase() {
                check::versions_start_at_one_and_increase($factory);
            }
            #[test]
            fn version_mismatch_conflicts_and_writes_nothing() {
                check::version_mismatch_conflicts_and_writes_nothing($factory);
            }
            #[test]
            fn read_expectations_are_checked_and_write_nothing() {
                check::read_expectations_are_checked_and_write_nothing($factory);
            }
            #[test]
            fn unique_index_keys_are_enforced() {
                check::unique_index_keys_are_enforced($factory);
            }
            #[test]
            fn index_scans_respect_bounds_direction_and_limit() {
                check::index_scans_respect_bounds_direction_and_limit($factory);
            }
            #[test]
            fn audit_entries_are_sequenced_and_found_by_subject() {
                check::audit_entries_are_sequenced_and_found_by_subject($factory);
            }
            #[test]
            fn delivery_records_round_trip_and_queue_in_due_order() {
                check::delivery_records_round_trip_and_queue_in_due_order($factory);
            }
            #[test]
            fn record_scans_are_per_kind_and_ordered() {
                check::record_scans_are_per_kind_and_ordered($factory);
            }
            #[test]
            fn concurrent_updates_lose_nothing() {
                check::concurrent_updates_lose_nothing($factory);
            }
            #[test]
            fn engine_records_round_trip() {
                check::engine_records_round_trip($factory);
            }
            #[test]
            fn audit_of_one_subject_follows_its_record_versions() {
                check::audit_of_one_subject_follows_its_record_versions($factory);
            }
        }
    };
}
