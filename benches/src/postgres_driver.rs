//! The workload on ordo over PostgreSQL: the same [`OrdoDriver`](crate::ordo_driver::OrdoDriver)
//! transactions through the engine on a [`PgStore`], so its cost is measured against sled
//! and SQLite in one run.
//!
//! The database is the one named by `--database URL`, or a throwaway server started for
//! the run (`ordo_postgres::testserver`: `initdb` + `pg_ctl`, `fsync=off` — say so when
//! quoting its numbers: a production server syncs its WAL on commit).

use std::sync::Arc;

use ordo_postgres::{Isolation, PgConfig, PgStore};

/// A new, empty database: on `url`'s server if given (which must be empty), else on a
/// throwaway test server. Returns its URL and whether it is a throwaway (fsync off).
pub fn database(url: Option<&str>) -> (String, bool) {
    match url {
        Some(url) => (url.to_string(), false),
        None => {
            let url = ordo_postgres::testserver::fresh_database().unwrap_or_else(|why| {
                panic!("no PostgreSQL server for the postgres driver: {why}")
            });
            (url, true)
        }
    }
}

/// Opens the PostgreSQL store at `url` with a pool of `connections` (the client threads
/// plus room for the loader), applying under `isolation`.
pub fn open(url: &str, connections: usize, isolation: Isolation) -> Arc<PgStore> {
    let config = PgConfig {
        pool_size: u32::try_from(connections.max(2)).unwrap_or(u32::MAX),
        isolation,
        ..PgConfig::default()
    };
    Arc::new(PgStore::open(url, config).expect("open the PostgreSQL store"))
}
