//! # ordo-postgres
//!
//! [`PgStore`]: ordo-core's [`Store`](ordo_core::store::Store) contract on a PostgreSQL
//! database, so several `ordo` processes on several machines can share one store.
//!
//! ```no_run
//! use ordo_postgres::{PgConfig, PgStore};
//!
//! let store = PgStore::open("postgres://ordo@db.internal/ordo", PgConfig::default())?;
//! # Ok::<(), ordo_core::store::StoreError>(())
//! ```
//!
//! ## Design
//!
//! - The synchronous `postgres` client (the engine is synchronous) through an `r2d2` pool
//!   whose connections keep their prepared statements. No ORM, no C library.
//! - The schema is created and upgraded by versioned migrations applied at open (the
//!   `schema` module; `ordo_schema_migrations` records the applied versions).
//! - Records are rows `(kind, id BYTEA, version, body BYTEA)`; the body is the sled
//!   backend's value, byte for byte (`ordo_storage::codec`), so the two stores hold the
//!   same bytes. Index entries are `(index, key BYTEA, id)`: `BYTEA` compares bytewise
//!   (memcmp, no collation), so key order is the engine's, and scans page by keyset
//!   (`key > $cursor ORDER BY key LIMIT n`), never by offset.
//! - `next_id` is a sequence; audit entries are numbered by another (see the contract in
//!   `ordo_core::store` on what that number does and does not promise across
//!   transactions); report counters are `NUMERIC` rows added to with
//!   `INSERT … ON CONFLICT DO UPDATE SET value = value + EXCLUDED.value`.
//! - `apply` runs one transaction of a fixed number of statements, whatever the size of
//!   the write set (see the `apply` module). A version that moved, a record created
//!   meanwhile, a unique index key held by another id, and a serialization failure or
//!   deadlock the server reports after a few internal retries are all
//!   [`StoreError::Conflict`](ordo_core::store::StoreError::Conflict).
//! - Durability is the server's: `apply` returns after COMMIT, which PostgreSQL makes
//!   durable before answering (with its default `fsync = on`, `synchronous_commit = on`),
//!   so [`Store::sync`](ordo_core::store::Store::sync) has nothing left to do. Backups are
//!   the database's own (`pg_dump`).
//! - No LISTEN/NOTIFY and no advisory locks (CockroachDB lacks the first and ignores the
//!   second): dispatchers poll and claim deliveries with leases, as on sled.
//! - [`injected::SerializationFailures`] fails a random fraction of applies as a 40001
//!   would: the tests' stand-in for CockroachDB and YugabyteDB.

mod apply;
mod error;
pub mod injected;
mod names;
pub mod schema;
mod store;
pub mod testserver;

pub use store::{Isolation, PgConfig, PgStats, PgStore};

#[cfg(test)]
mod tests;
