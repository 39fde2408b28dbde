//! The database schema, as versioned migrations applied when a store opens.
//!
//! `ordo_schema_migrations` records every applied version. Opening applies the missing
//! ones in order, each in its own transaction together with its row in that table, under
//! an exclusive lock on it, so two processes opening one database at once migrate it once.
//! A database whose newest version is beyond what this build knows is refused.
//!
//! Keys are `BYTEA` (compared bytewise, like memcmp: no collation); kind and index names
//! are `TEXT COLLATE "C"` and only ever compared for equality.

use postgres::Client;

use ordo_core::store::StoreError;

use crate::error::from_pg;

/// Every migration, oldest first: (version, SQL). Append new ones at the end.
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        r#"
CREATE TABLE ordo_records (
    kind TEXT COLLATE "C" NOT NULL,
    id BYTEA NOT NULL,
    version BIGINT NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE ordo_index (
    idx TEXT COLLATE "C" NOT NULL,
    key BYTEA NOT NULL,
    id BIGINT NOT NULL,
    PRIMARY KEY (idx, key)
);
CREATE SEQUENCE ordo_audit_seq;
CREATE TABLE ordo_audit (
    seq BIGINT PRIMARY KEY,
    body BYTEA NOT NULL
);
CREATE TABLE ordo_audit_subject (
    subject BYTEA NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (subject, seq)
);
CREATE TABLE ordo_counters (
    key BYTEA PRIMARY KEY,
    value NUMERIC NOT NULL
);
CREATE SEQUENCE ordo_ids;
"#,
    ),
    // Under READ COMMITTED, a write set that found a record absent locks a row here for
    // that key (and so does one creating the record), so the two cannot both commit on
    // the strength of the same absence (see `apply`). Rows live only inside a
    // transaction: each apply deletes the ones it inserted before it commits.
    (
        2,
        r#"
CREATE TABLE ordo_absent_guard (
    kind TEXT COLLATE "C" NOT NULL,
    id BYTEA NOT NULL,
    PRIMARY KEY (kind, id)
);
"#,
    ),
];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i32 = 2;

/// Applies the migrations `client`'s database lacks.
///
/// # Errors
/// `Io` if the database is newer than this build or a migration fails.
pub(crate) fn migrate(client: &mut Client) -> Result<i32, StoreError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS ordo_schema_migrations (
                version INT PRIMARY KEY,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )",
        )
        .map_err(from_pg)?;
    for (version, sql) in MIGRATIONS {
        let mut tx = client.transaction().map_err(from_pg)?;
        tx.batch_execute("LOCK TABLE ordo_schema_migrations IN EXCLUSIVE MODE")
            .map_err(from_pg)?;
        let newest: Option<i32> = tx
            .query_one("SELECT max(version) FROM ordo_schema_migrations", &[])
            .map_err(from_pg)?
            .get(0);
        let newest = newest.unwrap_or(0);
        if newest > SCHEMA_VERSION {
            return Err(StoreError::Io(format!(
                "the database has schema version {newest}; this build of ordo knows up to \
                 {SCHEMA_VERSION}"
            )));
        }
        if newest >= *version {
            continue;
        }
        tx.batch_execute(sql).map_err(from_pg)?;
        tx.execute(
            "INSERT INTO ordo_schema_migrations (version) VALUES ($1)",
            &[version],
        )
        .map_err(from_pg)?;
        tx.commit().map_err(from_pg)?;
        tracing::info!(version, "applied a PostgreSQL schema migration");
    }
    Ok(SCHEMA_VERSION)
}
