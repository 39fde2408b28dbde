//! The deterministic simulation (`ordo_core::testkit::simulation`) on the PostgreSQL store:
//! seeded clients, injected write failures and lost acknowledgements, and crashes — here a
//! crash drops the store's connections and opens a new store on the same database, which
//! must hold exactly what was live (every committed write set, nothing else). Under READ
//! COMMITTED, SERIALIZABLE, and SERIALIZABLE with a fifth of all applies failing with a
//! serialization failure (the CockroachDB/YugabyteDB stand-in).
//!
//! `ORDO_SIM_SEEDS=N` runs N seeds per level (default 4); `ORDO_SIM_SEED=S` replays one.

// Test asserts: a failed expectation here is a failed test, so panicking is the point.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use ordo_core::store::WriteSet;
use ordo_core::testkit::simulation::{self, Backend};
use ordo_postgres::injected::{Injected, SerializationFailures};
use ordo_postgres::{Isolation, PgConfig, PgStore, testserver};

const STEPS: usize = 450;

/// One database of the test server; every store of a run is a new connection pool on it,
/// behind a wrapper failing `per_mille` of applies as SQLSTATE 40001 would.
struct Postgres {
    url: String,
    config: PgConfig,
    per_mille: u32,
    counts: Arc<Injected>,
}

impl Postgres {
    fn new(isolation: Isolation, per_mille: u32, counts: Arc<Injected>) -> Postgres {
        let url = testserver::fresh_database()
            .unwrap_or_else(|why| panic!("a PostgreSQL server is needed for this test: {why}"));
        let config = PgConfig {
            pool_size: 2,
            isolation,
            ..PgConfig::default()
        };
        Postgres {
            url,
            config,
            per_mille,
            counts,
        }
    }
}

impl Backend for Postgres {
    type Store = SerializationFailures<PgStore>;

    fn fresh(&self) -> Self::Store {
        let store = PgStore::open(&self.url, self.config).unwrap();
        let seed = self.counts.applies();
        SerializationFailures::new(store, self.per_mille, seed).counting_into(self.counts.clone())
    }

    /// The server kept every committed write set: a new pool sees them all.
    fn recover(&self, _crashed: &Self::Store, _log: &[WriteSet]) -> Self::Store {
        self.fresh()
    }
}

fn simulate(isolation: Isolation, per_mille: u32) -> Arc<Injected> {
    let counts = Arc::new(Injected::default());
    let total = simulation::run_seeds(
        &simulation::seeds(4),
        STEPS,
        || Postgres::new(isolation, per_mille, counts.clone()),
        |seed| format!("ORDO_SIM_SEED={seed} cargo test -p ordo-postgres --test simulation"),
    );
    eprintln!("{isolation:?}, {per_mille}‰ serialization failures: {total}");
    total.assert_exercised();
    counts
}

#[test]
fn simulation_under_read_committed() {
    simulate(Isolation::ReadCommitted, 0);
}

#[test]
fn simulation_under_serializable() {
    simulate(Isolation::Serializable, 0);
}

#[test]
fn simulation_with_injected_serialization_failures() {
    let counts = simulate(Isolation::Serializable, 200);
    eprintln!(
        "{} injected failures in {} applies",
        counts.failed(),
        counts.applies()
    );
    assert!(counts.failed() > 0, "no failure was injected");
}
