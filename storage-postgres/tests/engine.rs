//! The engine end to end on a real PostgreSQL server: many threads, on two stores (two
//! connection pools, as two `ordo` processes would have) sharing one database, order the
//! last units of one product at once. Exactly as many orders succeed as there were units;
//! every other one is refused for stock, none for a lost race; the stock record agrees.

// Test asserts: a failed expectation here is a failed test, so panicking is the point.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::{Arc, Barrier};

use ordo_core::Error;
use ordo_core::engine::OrderRequest;
use ordo_core::store::Store;
use ordo_core::testkit::sample;
use ordo_postgres::injected::SerializationFailures;
use ordo_postgres::{Isolation, PgConfig, PgStore, testserver};

const UNITS: u64 = 5;
const THREADS: u64 = 16;

fn last_units_race(isolation: Isolation) {
    last_units_race_through(isolation, |store, _| store);
}

/// The race, each engine on `wrap(store, n)` of its own store.
fn last_units_race_through<S: Store + 'static>(
    isolation: Isolation,
    wrap: impl Fn(Arc<PgStore>, u64) -> S,
) {
    let url = testserver::fresh_database()
        .unwrap_or_else(|why| panic!("a PostgreSQL server is needed for this test: {why}"));
    let config = PgConfig {
        pool_size: 8,
        isolation,
        ..PgConfig::default()
    };
    // Two stores on one database: two processes' worth of connections.
    let stores = [
        Arc::new(PgStore::open(&url, config).unwrap()),
        Arc::new(PgStore::open(&url, config).unwrap()),
    ];
    let engines: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(i, store)| {
            let seed = 100 + i as u64;
            Arc::new(sample::engine(wrap(store.clone(), seed), seed).0)
        })
        .collect();
    let admin = sample::admin();
    let product = engines[0]
        .create_product(&admin, sample::product("LAST-ONES", 2500))
        .unwrap();
    engines[0]
        .restock(&admin, "LAST-ONES", "MAIN", UNITS, "the last units")
        .unwrap();
    let customers: Vec<_> = (0..THREADS)
        .map(|n| {
            engines[(n % 2) as usize]
                .create_customer(&admin, &sample::customer(n + 1))
                .unwrap()
                .id()
        })
        .collect();
    let barrier = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = customers
        .into_iter()
        .enumerate()
        .map(|(n, customer)| {
            let engine = engines[n % 2].clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                engine.create_order(
                    &sample::admin(),
                    &OrderRequest::simple(customer, &[("LAST-ONES", 1)]),
                )
            })
        })
        .collect();
    let mut placed = 0u64;
    let mut refused = 0u64;
    for handle in handles {
        match handle.join().unwrap() {
            Ok(_) => placed += 1,
            Err(error @ (Error::Conflict | Error::Storage(_) | Error::Internal(_))) => {
                panic!("an order failed for a reason other than stock: {error}")
            }
            Err(_) => refused += 1,
        }
    }
    assert_eq!(placed, UNITS, "exactly the units there were");
    assert_eq!(refused, THREADS - UNITS);
    let stock = engines[1].stock_of(&admin, product.id()).unwrap();
    assert_eq!(stock.total_reserved(), UNITS);
    assert_eq!(stock.total_available(), 0);
    let applied: u64 = stores.iter().map(|s| s.stats().applied).sum();
    assert!(applied >= 2 + THREADS + UNITS, "applies: {applied}");
}

#[test]
fn last_units_race_read_committed() {
    last_units_race(Isolation::ReadCommitted);
}

#[test]
fn last_units_race_serializable() {
    last_units_race(Isolation::Serializable);
}

/// The race again with a fifth of every apply failing as a CockroachDB "restart
/// transaction" (SQLSTATE 40001) would: the engine's retries absorb them, and the outcome
/// is the same.
fn last_units_race_with_injected_failures(isolation: Isolation) {
    let counts = std::sync::Mutex::new(Vec::new());
    last_units_race_through(isolation, |store, seed| {
        let wrapped = SerializationFailures::new(store, 200, seed);
        counts.lock().unwrap().push(wrapped.counts());
        wrapped
    });
    let counts = counts.into_inner().unwrap();
    let injected: u64 = counts.iter().map(|c| c.failed()).sum();
    let applies: u64 = counts.iter().map(|c| c.applies()).sum();
    eprintln!("{isolation:?}: {injected} injected serialization failures in {applies} applies");
    assert!(injected > 0, "no failure was injected in {applies} applies");
    assert!(applies > injected);
}

#[test]
fn last_units_race_with_injected_failures_read_committed() {
    last_units_race_with_injected_failures(Isolation::ReadCommitted);
}

#[test]
fn last_units_race_with_injected_failures_serializable() {
    last_units_race_with_injected_failures(Isolation::Serializable);
}
