//! The benchmark drivers run: every driver commits New-Orders on a tiny data set, and ordo's
//! invariants hold after a concurrent run.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use ordo_benches::driver::Driver;
use ordo_benches::ordo_driver::{self, OrdoDriver};
use ordo_benches::run;
use ordo_benches::sqlite_driver::{self, GroupCommitDriver, SqliteDriver, Synchronous};
use ordo_benches::workload::{Scale, Transaction};
use ordo_core::store::MemoryStore;
use ordo_core::testkit::invariants;
use ordo_storage::Durability;

const SCALE: Scale = Scale {
    products: 60,
    customers: 20,
    warehouses: 2,
};

fn check(driver: &dyn Driver) {
    let stats = run::run(driver, &SCALE, 2, Duration::from_millis(400), 5);
    let (committed, _, _) = stats
        .counts
        .get(&Transaction::NewOrder)
        .copied()
        .unwrap_or_default();
    assert!(committed > 0, "{} committed no new-order", driver.name());
    assert!(stats.per_second(Transaction::NewOrder) > 0.0);
}

#[test]
fn ordo_drivers_run_and_keep_invariants() {
    let store = Arc::new(MemoryStore::new());
    let engine = ordo_driver::engine(store.clone(), 1);
    let customers = ordo_driver::load(&engine, &SCALE, 2);
    let driver = OrdoDriver::new("ordo-memory", engine, customers);
    check(&driver);
    invariants::check_store(store.as_ref()).unwrap();

    let temp = tempfile::tempdir().unwrap();
    let sled = ordo_driver::open_sled(&temp.path().join("sled"), Durability::Immediate);
    let engine = ordo_driver::engine(sled.clone(), 2);
    let customers = ordo_driver::load(&engine, &SCALE, 2);
    check(&OrdoDriver::new("ordo-sled-immediate", engine, customers));
    invariants::check_store(sled.as_ref()).unwrap();
}

/// Every SQLite driver kind on a fresh copy of one loaded database (as `tpcc` runs them).
#[test]
fn sqlite_drivers_run() {
    let temp = tempfile::tempdir().unwrap();
    let seed = temp.path().join("seed.db");
    sqlite_driver::load(&seed, &SCALE);
    let copy = |name: &str| {
        let path = temp.path().join(format!("{name}.db"));
        std::fs::copy(&seed, &path).unwrap();
        path
    };
    for (name, synchronous) in [
        ("sqlite-full-pool", Synchronous::Full),
        ("sqlite-normal-pool", Synchronous::Normal),
    ] {
        check(&SqliteDriver::new(
            name,
            &copy(name),
            synchronous,
            2,
            &SCALE,
        ));
    }
    for (name, synchronous) in [
        ("sqlite-full-group", Synchronous::Full),
        ("sqlite-normal-group", Synchronous::Normal),
    ] {
        let driver = GroupCommitDriver::new(name, &copy(name), synchronous, 2, &SCALE);
        check(&driver);
        let checkpoints = driver.checkpoints();
        // Nudged by the WAL's size, or at its interval (500 ms) at the latest.
        for _ in 0..20 {
            if checkpoints.passive() > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("{name}: {} passive checkpoints", checkpoints.passive());
        assert!(
            checkpoints.passive() > 0,
            "{name}: the checkpointer never ran"
        );
        assert_eq!(checkpoints.failed(), 0, "{name}: a checkpoint failed");
    }
}

#[test]
fn the_postgres_driver_runs_and_keeps_invariants() {
    let (url, _) = ordo_benches::postgres_driver::database(None);
    let store = ordo_benches::postgres_driver::open(&url, 6, ordo_postgres::Isolation::default());
    let engine = ordo_driver::engine(store.clone(), 3);
    let customers = ordo_driver::load(&engine, &SCALE, 2);
    check(&OrdoDriver::new("ordo-postgres", engine, customers));
    invariants::check_store(store.as_ref()).unwrap();
    assert!(store.stats().applied > 0);
}

/// The TPC-C mix (two client threads: New-Order, Payment, Delivery, …) on PostgreSQL under
/// SERIALIZABLE with two applies in five failing as SQLSTATE 40001 would (the
/// CockroachDB/YugabyteDB stand-in): the engine's retries absorb them and the store's
/// invariants hold afterwards.
#[test]
fn the_postgres_driver_keeps_invariants_serializable_with_injected_failures() {
    use ordo_postgres::injected::SerializationFailures;
    let (url, _) = ordo_benches::postgres_driver::database(None);
    let store =
        ordo_benches::postgres_driver::open(&url, 6, ordo_postgres::Isolation::Serializable);
    let customers = ordo_driver::load(&ordo_driver::engine(store.clone(), 4), &SCALE, 2);
    let flaky = SerializationFailures::new(store.clone(), 400, 9);
    let counts = flaky.counts();
    let engine = ordo_driver::engine(flaky, 5);
    check(&OrdoDriver::new("ordo-postgres-flaky", engine, customers));
    invariants::check_store(store.as_ref()).unwrap();
    eprintln!(
        "{} injected serialization failures in {} applies",
        counts.failed(),
        counts.applies()
    );
    assert!(counts.failed() > 0, "nothing was injected");
}
