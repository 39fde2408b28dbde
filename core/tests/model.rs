//! Model-based tests of the engine: random command sequences checked against invariants
//! after every step, and threads racing for the last units of stock.

// Tests assert by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ordo_core::engine::{Engine, OrderRequest};
use ordo_core::error::Error;
use ordo_core::ids::CustomerId;
use ordo_core::order::{ALL_STATUSES, OrderStatus};
use ordo_core::store::MemoryStore;
use ordo_core::testkit::{invariants, model, sample};

/// Random command sequences on the in-memory store (each backend runs the same model on
/// itself, see `ordo_core::testkit::model`).
#[test]
fn invariants_hold_after_every_command() {
    let succeeded = model::check_random_runs(64, MemoryStore::new);
    eprintln!("model: {succeeded} commands succeeded in 64 runs");
    assert!(
        succeeded > 64,
        "only {succeeded} commands succeeded in 64 runs"
    );
}

#[test]
fn parcels_and_returns_keep_the_invariants() {
    model::parcels_and_returns_keep_the_invariants(MemoryStore::new());
}

#[test]
fn sixteen_threads_racing_for_the_last_units_never_oversell() {
    const UNITS: u64 = 7;
    let store = Arc::new(MemoryStore::new());
    let (engine, _clock) = sample::engine(store.clone(), 9);
    let engine = Arc::new(engine);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("LAST", 1000))
        .unwrap();
    engine
        .restock(&admin, "LAST", "MAIN", UNITS, "final batch")
        .unwrap();
    let customers: Vec<CustomerId> = sample::customers(&engine, 0..16);
    let sold = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = customers
        .into_iter()
        .map(|customer| {
            let (engine, sold, admin) = (engine.clone(), sold.clone(), admin.clone());
            std::thread::spawn(move || {
                loop {
                    match engine
                        .create_order(&admin, &OrderRequest::simple(customer, &[("LAST", 1)]))
                    {
                        Ok(_) => {
                            sold.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(Error::InsufficientStock { .. }) => return,
                        Err(Error::Conflict) => continue,
                        Err(other) => panic!("{other}"),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(sold.load(Ordering::SeqCst), UNITS);
    let product = engine.product_by_sku(&admin, "LAST").unwrap();
    let stock = engine.stock_of(&admin, product.id()).unwrap();
    assert_eq!(
        (stock.total_on_hand(), stock.total_reserved()),
        (UNITS, UNITS)
    );
    assert_eq!(
        invariants::all_orders(store.as_ref()).unwrap().len() as u64,
        UNITS
    );
    invariants::check_store(store.as_ref()).unwrap();
}

#[test]
fn the_engine_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine<MemoryStore>>();
    assert_send_sync::<Engine<Arc<MemoryStore>>>();
}

#[test]
fn statuses_round_trip_through_their_names() {
    for status in ALL_STATUSES {
        assert_eq!(OrderStatus::parse(status.name()).unwrap(), status);
    }
}
