//! The engine's model test (`ordo_core::testkit::model`) on the PostgreSQL store, as on the
//! in-memory store: random command sequences, every invariant checked after every command,
//! under READ COMMITTED, under SERIALIZABLE, and under SERIALIZABLE with a fifth of all
//! applies failing as a CockroachDB "restart transaction" (SQLSTATE 40001) would.

// Test asserts: a failed expectation here is a failed test, so panicking is the point.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ordo_core::testkit::model;
use ordo_postgres::injected::{Injected, SerializationFailures};
use ordo_postgres::{Isolation, PgConfig, PgStore, testserver};

/// Random runs per isolation level (each on a new database; every command is several round
/// trips and every check reads the whole store, so fewer than the in-memory store's 64).
const CASES: u32 = 10;

fn store(isolation: Isolation) -> PgStore {
    let url = testserver::fresh_database()
        .unwrap_or_else(|why| panic!("a PostgreSQL server is needed for this test: {why}"));
    let config = PgConfig {
        pool_size: 2,
        isolation,
        ..PgConfig::default()
    };
    PgStore::open(&url, config).unwrap()
}

fn random_runs(isolation: Isolation) {
    let succeeded = model::check_random_runs(CASES, || store(isolation));
    eprintln!("{isolation:?}: {succeeded} commands succeeded in {CASES} runs");
    assert!(succeeded > CASES as usize, "{succeeded} commands succeeded");
}

#[test]
fn the_model_holds_under_read_committed() {
    random_runs(Isolation::ReadCommitted);
}

#[test]
fn the_model_holds_under_serializable() {
    random_runs(Isolation::Serializable);
}

#[test]
fn the_model_holds_with_injected_serialization_failures() {
    let counts = Arc::new(Injected::default());
    let seed = AtomicU64::new(0);
    let succeeded = model::check_random_runs(CASES, || {
        let seed = seed.fetch_add(1, Ordering::Relaxed);
        SerializationFailures::new(store(Isolation::Serializable), 200, seed)
            .counting_into(counts.clone())
    });
    eprintln!(
        "{} injected failures in {} applies; {succeeded} commands succeeded",
        counts.failed(),
        counts.applies()
    );
    assert!(succeeded > CASES as usize, "{succeeded} commands succeeded");
    assert!(counts.failed() > 0, "no failure was injected");
}

#[test]
fn parcels_and_returns_keep_the_invariants() {
    model::parcels_and_returns_keep_the_invariants(store(Isolation::ReadCommitted));
}
