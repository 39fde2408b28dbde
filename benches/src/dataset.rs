//! Order data sets for the query benchmarks: N orders over 90 days, kept on disk between
//! runs (under `target/ordo-bench-data/`) because building a million orders takes a while.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ordo_core::clock::{DAY_MS, ManualClock, Timestamp};
use ordo_core::engine::{Engine, EngineConfig, OrderRequest};
use ordo_core::ids::CustomerId;
use ordo_core::random::SeededRandom;
use ordo_core::testkit::sample;
use ordo_storage::{Durability, SledStore, StoreConfig};

use crate::rng::Rng;
use crate::workload;

/// When the data set's 90 days begin.
pub const START: Timestamp = sample::EPOCH;
/// Products in a data set.
pub const PRODUCTS: u64 = 1_000;

/// A built data set.
pub struct Dataset {
    /// The engine over the store.
    pub engine: Engine<Arc<SledStore>>,
    /// Orders in it.
    pub orders: u64,
    /// Customers in it.
    pub customers: u64,
    /// A sample of order references to look up.
    pub references: Vec<String>,
}

fn customers_for(orders: u64) -> u64 {
    (orders / 50).max(200)
}

/// The data set with `orders` orders, built on first use in `root/<orders>`.
pub fn open(root: &Path, orders: u64) -> Dataset {
    let dir: PathBuf = root.join(orders.to_string());
    let ready = dir.join("READY");
    let built = ready.exists();
    if !built {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let customers = customers_for(orders);
    let open_engine = |durability| {
        let store = Arc::new(
            SledStore::open(&dir.join("db"), StoreConfig::new(durability)).expect("open data set"),
        );
        let clock = Arc::new(ManualClock::new(START));
        (
            Engine::new(
                store,
                clock.clone(),
                Arc::new(SeededRandom::new(orders)),
                EngineConfig::default(),
            ),
            clock,
        )
    };
    if !built {
        let (engine, clock) = open_engine(Durability::Periodic {
            flush_every_ms: 1000,
        });
        build(&engine, &clock, orders, customers);
        drop(engine);
        // Reopen in Immediate mode once so everything is on disk before marking it ready.
        drop(open_engine(Durability::Immediate));
        std::fs::write(&ready, b"ok").expect("mark data set");
    }
    let (engine, _clock) = open_engine(Durability::Immediate);
    let mut references = Vec::new();
    let admin = sample::admin();
    let mut rng = Rng::new(7);
    let ids: Vec<u64> = (0..1000).map(|_| rng.below(orders)).collect();
    for page in engine
        .list_orders(
            &admin,
            &ordo_core::engine::OrderFilter {
                limit: 500,
                ..Default::default()
            },
        )
        .expect("sample orders")
        .items
        .iter()
        .zip(ids)
    {
        if let Some(r) = page.0.value.reference() {
            references.push(r.to_string());
        }
    }
    Dataset {
        engine,
        orders,
        customers,
        references,
    }
}

fn build(engine: &Engine<Arc<SledStore>>, clock: &ManualClock, orders: u64, customers: u64) {
    let admin = sample::admin();
    for n in 0..PRODUCTS {
        let sku = workload::sku(n);
        engine
            .create_product(&admin, sample::product(&sku, 500 + n as i64))
            .expect("product");
        engine
            .restock(&admin, &sku, "W0", 100_000_000, "data set")
            .expect("stock");
    }
    let ids: Vec<CustomerId> = (0..customers)
        .map(|n| {
            engine
                .create_customer(&admin, &sample::customer(n))
                .expect("customer")
                .id()
        })
        .collect();
    let step = (90 * DAY_MS) / orders as i64;
    let threads = 4u64;
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (ids, admin) = (&ids, &admin);
            scope.spawn(move || {
                let mut rng = Rng::new(t + 11);
                for _ in (t..orders).step_by(threads as usize) {
                    clock.advance(step.max(1));
                    let customer = ids[rng.below(ids.len() as u64) as usize];
                    let skus: Vec<String> = (0..rng.between(1, 3))
                        .map(|_| workload::sku(rng.below(PRODUCTS)))
                        .collect();
                    let items: Vec<(&str, i64)> = skus.iter().map(|s| (s.as_str(), 1)).collect();
                    engine
                        .create_order(admin, &OrderRequest::simple(customer, &items))
                        .expect("order");
                }
            });
        }
    });
}
