//! [`PgStore`]: the connection pool and the read side of the [`Store`] contract.

use std::collections::HashMap;
use std::ops::Bound;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls, Statement};
use rust_decimal::Decimal;

use ordo_core::audit::{AuditEntry, Subject};
use ordo_core::store::{
    IndexName, IndexRange, Record, RecordKey, RecordKind, ScanPage, SkippedRecord, Store,
    StoreError, Versioned, WriteSet,
};
use ordo_storage::codec;

use crate::error::{from_pg, from_pool};
use crate::names::{hex, kind_name, record_label, subject_bytes};
use crate::schema;

/// The isolation level write sets are applied under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// READ COMMITTED (PostgreSQL's default): the version checks and row locks of `apply`
    /// give the contract's guarantees on their own.
    #[default]
    ReadCommitted,
    /// SERIALIZABLE: what CockroachDB runs; the server may refuse a transaction with
    /// SQLSTATE 40001, which `apply` reports as `Conflict`.
    Serializable,
}

/// How a [`PgStore`] connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PgConfig {
    /// The most connections the pool opens.
    pub pool_size: u32,
    /// The isolation level of `apply`.
    pub isolation: Isolation,
    /// How long a call waits for a free connection (or a new one) before failing.
    pub connect_timeout: Duration,
}

impl Default for PgConfig {
    fn default() -> PgConfig {
        PgConfig {
            pool_size: 8,
            isolation: Isolation::ReadCommitted,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// One pooled connection with the statements it has prepared (each later use is one
/// round trip instead of a prepare and an execute).
pub(crate) struct Conn {
    pub(crate) client: Client,
    pub(crate) statements: HashMap<String, Statement>,
}

/// The prepared statement for `sql` on this connection, prepared on first use.
pub(crate) fn prepared<C: GenericClient>(
    statements: &mut HashMap<String, Statement>,
    client: &mut C,
    sql: &str,
) -> Result<Statement, StoreError> {
    if let Some(statement) = statements.get(sql) {
        return Ok(statement.clone());
    }
    let statement = client.prepare(sql).map_err(from_pg)?;
    statements.insert(sql.to_string(), statement.clone());
    Ok(statement)
}

/// Opens connections for the pool.
pub(crate) struct Manager {
    config: postgres::Config,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Conn, postgres::Error> {
        Ok(Conn {
            client: self.config.connect(NoTls)?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.client.is_closed()
    }
}

/// What [`PgStore::stats`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PgStats {
    /// Write sets `apply` committed.
    pub applied: u64,
    /// Statements `apply` sent (BEGIN and COMMIT included), committed or not: each is one
    /// round trip to the server.
    pub apply_round_trips: u64,
}

/// A [`Store`] on a PostgreSQL database (see the crate documentation).
pub struct PgStore {
    pub(crate) pool: r2d2::Pool<Manager>,
    pub(crate) isolation: Isolation,
    pub(crate) applied: AtomicU64,
    pub(crate) round_trips: AtomicU64,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL (and its password) is not kept, so it cannot be shown.
        f.debug_struct("PgStore")
            .field("isolation", &self.isolation)
            .finish_non_exhaustive()
    }
}

/// `limit` as SQL's `LIMIT` (BIGINT).
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`),
    /// applies the schema migrations it lacks and opens a pool of connections.
    ///
    /// # Errors
    /// `Io` if the URL does not parse (the error does not repeat it), the server cannot be
    /// reached, or the database's schema is newer than this build.
    pub fn open(url: &str, config: PgConfig) -> Result<PgStore, StoreError> {
        let pg_config = postgres::Config::from_str(url)
            .map_err(|e| StoreError::Io(format!("invalid PostgreSQL URL: {e}")))?;
        let mut client = pg_config.connect(NoTls).map_err(from_pg)?;
        schema::migrate(&mut client)?;
        drop(client);
        let pool = r2d2::Pool::builder()
            .max_size(config.pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(config.connect_timeout)
            // A broken connection shows as an error on use; checking each one out would
            // cost a round trip per call.
            .test_on_check_out(false)
            .build(Manager { config: pg_config })
            .map_err(from_pool)?;
        Ok(PgStore {
            pool,
            isolation: config.isolation,
            applied: AtomicU64::new(0),
            round_trips: AtomicU64::new(0),
        })
    }

    /// Counts of what `apply` did since the store opened.
    pub fn stats(&self) -> PgStats {
        PgStats {
            applied: self.applied.load(Ordering::Relaxed),
            apply_round_trips: self.round_trips.load(Ordering::Relaxed),
        }
    }

    /// Makes every later `next_id` return more than `floor` (ids copied in from another
    /// store, by `ordo migrate`, must never be handed out again). Never lowers the
    /// sequence.
    ///
    /// # Errors
    /// `Io` if the server fails.
    pub fn raise_ids_above(&self, floor: u64) -> Result<(), StoreError> {
        let floor = i64::try_from(floor)
            .map_err(|_| StoreError::Io(format!("id floor {floor} is out of range")))?;
        self.query(
            "SELECT setval('ordo_ids', GREATEST($1::BIGINT, (SELECT last_value FROM ordo_ids)))",
            &[&floor],
        )?;
        Ok(())
    }

    /// A pooled connection.
    pub(crate) fn conn(&self) -> Result<r2d2::PooledConnection<Manager>, StoreError> {
        self.pool.get().map_err(from_pool)
    }

    /// Runs one read statement on a pooled connection.
    fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, StoreError> {
        let mut conn = self.conn()?;
        let Conn { client, statements } = &mut *conn;
        let statement = prepared(statements, client, sql)?;
        client.query(&statement, params).map_err(from_pg)
    }

    /// The rows of `kind` after `after` (bytes), decoded or with why not.
    fn scan_rows(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<Vec<ScannedRow>, StoreError> {
        // Keys order first by kind (as `RecordKey` does), then by their bytes.
        let start = match after {
            None => None,
            Some(key) if key.kind() < kind => None,
            Some(key) if key.kind() > kind => return Ok(Vec::new()),
            Some(key) => Some(key.id_bytes()),
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        let name = kind_name(kind);
        let limit = sql_limit(limit);
        let rows = match &start {
            Some(after) => self.query(
                "SELECT id, version, body FROM ordo_records \
                 WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3",
                &[&name, after, &limit],
            )?,
            None => self.query(
                "SELECT id, version, body FROM ordo_records \
                 WHERE kind = $1 ORDER BY id LIMIT $2",
                &[&name, &limit],
            )?,
        };
        Ok(rows
            .iter()
            .map(|row| {
                let id: Vec<u8> = row.get(0);
                let decoded = decode_row(kind, &id, row.get(1), row.get(2));
                (id, decoded)
            })
            .collect())
    }
}

/// One row of a record scan: its id bytes, and its record or why it does not decode.
type ScannedRow = (Vec<u8>, Result<Versioned<Record>, StoreError>);

/// A record row: the body's version must be the column's and its key the row's.
pub(crate) fn decode_row(
    kind: RecordKind,
    id: &[u8],
    version: i64,
    body: &[u8],
) -> Result<Versioned<Record>, StoreError> {
    let label = record_label(kind, id);
    let (body_version, value) = codec::decode_record(&label, body)?;
    if i64::try_from(body_version).ok() != Some(version) {
        return Err(StoreError::Corrupted {
            key: label,
            reason: format!("body has version {body_version}, the row {version}"),
        });
    }
    let key = value.key();
    if key.kind() != kind || key.id_bytes() != id {
        return Err(StoreError::Corrupted {
            key: label,
            reason: format!("holds the record of {key}"),
        });
    }
    Ok(Versioned {
        version: body_version,
        value,
    })
}

/// `WHERE` conditions on `column` for a range, with their parameters from `$first` on.
fn range_sql<'a>(
    column: &str,
    range: &'a IndexRange,
    first: usize,
    params: &mut Vec<&'a (dyn ToSql + Sync)>,
) -> String {
    let mut sql = String::new();
    let mut number = first;
    for (bound, included, excluded) in [(&range.start, ">=", ">"), (&range.end, "<=", "<")] {
        let (op, key) = match bound {
            Bound::Included(key) => (included, key),
            Bound::Excluded(key) => (excluded, key),
            Bound::Unbounded => continue,
        };
        sql.push_str(&format!(" AND {column} {op} ${number}"));
        params.push(key);
        number += 1;
    }
    sql
}

impl Store for PgStore {
    fn next_id(&self) -> Result<u64, StoreError> {
        let rows = self.query("SELECT nextval('ordo_ids')", &[])?;
        let id: i64 = rows
            .first()
            .map(|row| row.get(0))
            .ok_or_else(|| StoreError::Io("nextval returned no row".to_string()))?;
        u64::try_from(id).map_err(|_| StoreError::Io(format!("id sequence returned {id}")))
    }

    fn get(&self, key: &RecordKey) -> Result<Option<Versioned<Record>>, StoreError> {
        let kind = key.kind();
        let id = key.id_bytes();
        let rows = self.query(
            "SELECT version, body FROM ordo_records WHERE kind = $1 AND id = $2",
            &[&kind_name(kind), &id],
        )?;
        match rows.first() {
            None => Ok(None),
            Some(row) => decode_row(kind, &id, row.get(0), row.get(1)).map(Some),
        }
    }

    fn scan(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<Vec<Versioned<Record>>, StoreError> {
        self.scan_rows(kind, after, limit)?
            .into_iter()
            .map(|(_, decoded)| decoded)
            .collect()
    }

    fn scan_listing(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        let mut page = ScanPage::default();
        for (id, decoded) in self.scan_rows(kind, after, limit)? {
            match decoded {
                Ok(record) => page.records.push(record),
                Err(StoreError::Corrupted { reason, .. }) => {
                    let key = RecordKey::from_id_bytes(kind, &id).ok_or_else(|| {
                        StoreError::Corrupted {
                            key: record_label(kind, &id),
                            reason: "the key names no record of its kind".to_string(),
                        }
                    })?;
                    page.skipped.push(SkippedRecord { key, reason });
                }
                Err(other) => return Err(other),
            }
        }
        Ok(page)
    }

    fn index_get(&self, index: IndexName, key: &[u8]) -> Result<Option<u64>, StoreError> {
        let rows = self.query(
            "SELECT id FROM ordo_index WHERE idx = $1 AND key = $2",
            &[&index.name(), &key],
        )?;
        Ok(rows.first().map(|row| row.get::<_, i64>(0) as u64))
    }

    fn index_scan(
        &self,
        index: IndexName,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError> {
        if range.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let name = index.name();
        let limit = sql_limit(limit);
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&name];
        let conditions = range_sql("key", range, 2, &mut params);
        let order = if range.reverse { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT key, id FROM ordo_index WHERE idx = $1{conditions} \
             ORDER BY key {order} LIMIT ${}",
            params.len() + 1
        );
        params.push(&limit);
        let rows = self.query(&sql, &params)?;
        Ok(rows
            .iter()
            .map(|row| (row.get(0), row.get::<_, i64>(1) as u64))
            .collect())
    }

    fn audit_for(
        &self,
        subject: Subject,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let after = match after {
            None => 0,
            Some(after) => match i64::try_from(after) {
                Ok(after) => after,
                Err(_) => return Ok(Vec::new()),
            },
        };
        let rows = self.query(
            "SELECT s.seq, a.body FROM ordo_audit_subject s JOIN ordo_audit a ON a.seq = s.seq \
             WHERE s.subject = $1 AND s.seq > $2 ORDER BY s.seq LIMIT $3",
            &[&subject_bytes(subject), &after, &sql_limit(limit)],
        )?;
        rows.iter()
            .map(|row| {
                let seq: i64 = row.get(0);
                let label = format!("audit/{seq}");
                let entry = codec::decode_audit(&label, row.get(1))?;
                if i64::try_from(entry.sequence).ok() != Some(seq) {
                    return Err(StoreError::Corrupted {
                        key: label,
                        reason: format!("holds audit entry {}", entry.sequence),
                    });
                }
                Ok(entry)
            })
            .collect()
    }

    fn sync(&self) -> Result<(), StoreError> {
        // `apply` returns after COMMIT, which the server makes durable before answering
        // (with its default `fsync = on` and `synchronous_commit = on`).
        Ok(())
    }

    fn apply(&self, writes: WriteSet) -> Result<(), StoreError> {
        crate::apply::apply(self, writes)
    }

    fn counters(
        &self,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Decimal)>, StoreError> {
        if range.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let limit = sql_limit(limit);
        let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
        let conditions = range_sql("key", range, 1, &mut params);
        let order = if range.reverse { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT key, value::text FROM ordo_counters WHERE value <> 0{conditions} \
             ORDER BY key {order} LIMIT ${}",
            params.len() + 1
        );
        params.push(&limit);
        let rows = self.query(&sql, &params)?;
        rows.iter()
            .map(|row| {
                let key: Vec<u8> = row.get(0);
                let text: String = row.get(1);
                let value = Decimal::from_str(&text).map_err(|e| StoreError::Corrupted {
                    key: format!("counters/{}", hex(&key)),
                    reason: format!("value {text} is not a decimal: {e}"),
                })?;
                Ok((key, value))
            })
            .collect()
    }
}
