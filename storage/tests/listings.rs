//! Listings survive a record whose bytes on disk no longer decode: `SledStore::scan_listing`
//! reports it and goes on, the engine's listings leave it out and say so, and reading that
//! one record (or anything that decides or copies) still fails with `Corrupted`.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use ordo_core::engine::{OrderFilter, OrderRequest};
use ordo_core::error::Error;
use ordo_core::ids::OrderId;
use ordo_core::store::{RecordKey, RecordKind, Store, StoreError};
use ordo_core::testkit::sample;
use ordo_storage::{Durability, SledStore, StoreConfig};

fn open(dir: &Path) -> SledStore {
    SledStore::open(dir, StoreConfig::new(Durability::Immediate)).unwrap()
}

/// Overwrites one value in one tree, as a damaged disk would (the store must be closed).
fn damage(dir: &Path, tree: &str, key: &[u8], value: &[u8]) {
    let db = sled::open(dir).unwrap();
    db.open_tree(tree).unwrap().insert(key, value).unwrap();
    db.flush().unwrap();
    drop(db);
    // sled's background threads may hold the directory lock a moment after the drop:
    // wait for it, or the next open could fail as locked.
    let file = std::fs::File::open(dir.join("db")).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while file.try_lock().is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the lock was not released"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn a_damaged_order_is_left_out_of_listings_and_reported_by_key() {
    let dir = tempfile::tempdir().unwrap();
    let admin = sample::admin();
    let orders: Vec<OrderId> = {
        let store = open(dir.path());
        let (engine, _) = sample::engine(&store, 3);
        engine
            .create_product(&admin, sample::product("TEE", 1500))
            .unwrap();
        engine
            .restock(&admin, "TEE", "MAIN", 50, "initial count")
            .unwrap();
        let customer = engine
            .create_customer(&admin, &sample::customer(1))
            .unwrap();
        (0..3)
            .map(|_| {
                engine
                    .create_order(&admin, &OrderRequest::simple(customer.id(), &[("TEE", 1)]))
                    .unwrap()
                    .id()
            })
            .collect()
    };
    let bad = orders[1];
    // A valid envelope, then bytes bincode rejects.
    damage(
        dir.path(),
        "orders",
        &bad.0.to_be_bytes(),
        &[1, 3, 0xff, 0xff],
    );
    let store = open(dir.path());
    let (engine, _) = sample::engine(&store, 3);

    let page = engine.list_orders(&admin, &OrderFilter::default()).unwrap();
    let listed: Vec<OrderId> = page.items.iter().map(|o| o.value.id()).collect();
    assert_eq!(listed, vec![orders[2], orders[0]]);
    assert_eq!(page.skipped.len(), 1);
    assert_eq!(page.skipped[0].key, RecordKey::Order(bad));
    assert!(
        page.skipped[0].reason.contains("does not decode"),
        "{}",
        page.skipped[0].reason
    );
    // Reading that one order, or scanning strictly, still reports the damage.
    match engine.get_order(&admin, bad) {
        Err(Error::Storage(StoreError::Corrupted { key, .. })) => {
            assert_eq!(key, RecordKey::Order(bad).to_string())
        }
        other => panic!("expected Corrupted, got {other:?}"),
    }
    assert!(matches!(
        store.scan(RecordKind::Order, None, 10),
        Err(StoreError::Corrupted { .. })
    ));
    let listing = store.scan_listing(RecordKind::Order, None, 10).unwrap();
    assert_eq!(listing.records.len(), 2);
    assert_eq!(listing.len(), 3);
    assert_eq!(listing.last_key(), Some(RecordKey::Order(orders[2])));

    // A key that names no record of the kind is damage beyond one record: not skipped.
    drop(engine);
    drop(store);
    damage(dir.path(), "orders", b"odd", &[1, 1, 0]);
    let store = open(dir.path());
    assert!(matches!(
        store.scan_listing(RecordKind::Order, None, 10),
        Err(StoreError::Corrupted { .. })
    ));
}

#[test]
fn a_damaged_product_is_left_out_of_the_product_list() {
    let dir = tempfile::tempdir().unwrap();
    let admin = sample::admin();
    let ids = {
        let store = open(dir.path());
        let (engine, _) = sample::engine(&store, 3);
        ["A1", "B2", "C3"].map(|sku| {
            engine
                .create_product(&admin, sample::product(sku, 100))
                .unwrap()
                .id()
        })
    };
    damage(dir.path(), "products", &ids[0].0.to_be_bytes(), &[1]);
    let store = open(dir.path());
    let (engine, _) = sample::engine(&store, 3);
    let page = engine.list_products(&admin, None, 2).unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].id(), ids[1]);
    assert_eq!(page.skipped.len(), 1);
    assert_eq!(page.skipped[0].key, RecordKey::Product(ids[0]));
    // The page covered two records: the next one starts after the second.
    assert_eq!(page.next_cursor, Some(ids[1].0.to_string()));
    let rest = engine.list_products(&admin, Some(ids[1]), 2).unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].id(), ids[2]);
    assert!(rest.skipped.is_empty());
    assert_eq!(rest.next_cursor, None);
}
