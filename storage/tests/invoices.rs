//! Invoice numbers on sled: many threads issuing invoices for many orders at once get
//! exactly the numbers 1..=N, each once, and the numbering goes on after a reopen.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use ordo_core::engine::{Engine, OrderRequest};
use ordo_core::ids::OrderId;
use ordo_core::testkit::sample;
use ordo_storage::{Durability, SledStore, StoreConfig};

fn open(dir: &Path) -> SledStore {
    SledStore::open(
        dir,
        StoreConfig::new(Durability::Periodic { flush_every_ms: 50 }),
    )
    .unwrap()
}

fn shop(engine: &Engine<Arc<SledStore>>, orders: usize) -> Vec<OrderId> {
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 2000))
        .unwrap();
    engine
        .restock(&admin, "TEE", "MAIN", 1000, "count")
        .unwrap();
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    (0..orders)
        .map(|_| {
            engine
                .create_order(&admin, &OrderRequest::simple(customer, &[("TEE", 1)]))
                .unwrap()
                .id()
        })
        .collect()
}

#[test]
fn many_threads_issuing_invoices_on_sled_get_exactly_one_to_n() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(dir.path()));
    let engine = Arc::new(sample::engine(store.clone(), 3).0);
    let orders = shop(&engine, 48);
    let threads = 6;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let engine = engine.clone();
            let mine: Vec<OrderId> = orders.iter().skip(t).step_by(threads).copied().collect();
            std::thread::spawn(move || {
                let admin = sample::admin();
                mine.into_iter()
                    .flat_map(|id| [id, id])
                    .map(|id| (id, engine.issue_invoice(&admin, id).unwrap().number()))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut by_order = BTreeMap::new();
    for handle in handles {
        for (id, number) in handle.join().unwrap() {
            assert_eq!(*by_order.entry(id).or_insert(number), number, "order {id}");
        }
    }
    assert_eq!(by_order.len(), 48);
    let numbers: BTreeSet<u64> = by_order.values().copied().collect();
    assert_eq!(numbers, (1..=48).collect::<BTreeSet<u64>>());
    drop(engine);
    let store = Arc::try_unwrap(store).unwrap_or_else(|_| panic!("store still shared"));
    drop(store);

    let store = Arc::new(open(dir.path()));
    let engine = sample::engine(store, 4).0;
    let more = shop_more(&engine);
    assert_eq!(
        engine
            .issue_invoice(&sample::admin(), more)
            .unwrap()
            .number(),
        49
    );
}

fn shop_more(engine: &Engine<Arc<SledStore>>) -> OrderId {
    let admin = sample::admin();
    let customer = engine
        .create_customer(&admin, &sample::customer(2))
        .unwrap()
        .id();
    engine
        .create_order(&admin, &OrderRequest::simple(customer, &[("TEE", 1)]))
        .unwrap()
        .id()
}
