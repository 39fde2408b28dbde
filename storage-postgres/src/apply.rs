//! `apply`: one write set, one transaction, a fixed number of statements.
//!
//! Each step is one statement over arrays (`unnest($1::bytea[], …)`), whatever the number
//! of rows, and takes its row locks in key order, in the same order of steps in every
//! transaction (records, then index entries, then counters), so two applies never wait on
//! each other in a cycle (the one exception: a record one write set puts and another only
//! expects, and the other way round; PostgreSQL then refuses one with 40P01, a `Conflict`).
//!
//! 0. Under READ COMMITTED only: insert a guard row (`ordo_absent_guard`) for every key
//!    expected absent, put or only read, in key order. A row lock cannot be taken on a
//!    record that does not exist, so without it a write set that found a key absent (a
//!    watch list nobody has yet) could commit after another created that record (a `SUB`
//!    landing meanwhile), both on the strength of the same absence. With it, the second of
//!    two such write sets waits for the first to end and then sees its outcome in step 1
//!    (each statement of READ COMMITTED reads afresh). The rows are deleted again before
//!    commit, so the table is empty between transactions. SERIALIZABLE needs no guard: its
//!    predicate locks see the same conflict and refuse one transaction with 40001.
//! 1. `SELECT … ORDER BY kind, id FOR UPDATE` the records put, then `FOR SHARE` the ones
//!    only expected; every expected version is compared with what was found.
//! 2. `UPDATE` the records that exist (locked: the version cannot move any more).
//! 3. `INSERT … ON CONFLICT DO NOTHING` the new ones: fewer rows than asked for means one
//!    was created meanwhile (the insert waits for the other transaction): `Conflict`.
//! 4. `DELETE` the index entries removed, then `INSERT … ON CONFLICT DO UPDATE … WHERE` the
//!    added ones: a unique key held by another id updates no row, and the short row count
//!    is a `Conflict`.
//! 5. The audit entries: their sequence numbers (`nextval`), the entries, their subjects.
//! 6. The counters: `INSERT … ON CONFLICT DO UPDATE SET value = value + EXCLUDED.value`,
//!    each sum read back and refused (`Io`, rolled back) if a `Decimal` cannot hold it.
//!
//! A serialization failure (40001, SERIALIZABLE or CockroachDB) or a deadlock (40P01) rolls
//! the transaction back and runs it again, a few times, before it is reported as
//! `Conflict`: nothing of a failed attempt was written, and every version is checked anew.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use postgres::types::ToSql;
use postgres::{IsolationLevel, Statement, Transaction};
use rust_decimal::Decimal;

use ordo_core::audit::AuditEntry;
use ordo_core::store::{ALL_INDEXES, Expected, IndexName, StoreError, WriteSet};
use ordo_storage::codec;

use crate::error::from_pg;
use crate::names::{kind_name, subject_bytes};
use crate::store::{Conn, Isolation, PgStore, prepared};

/// How many times a transaction the server refused (40001, 40P01) runs in all. Under
/// SERIALIZABLE every concurrent update of one hot row (a best seller's report counter)
/// is refused but one, so this is generous; the waits grow exponentially.
const ATTEMPTS: u32 = 16;

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_millis(50);

/// A random wait in `[d/2, d)` for `d = min(0.5 ms · 2^attempt, MAX_BACKOFF)`: exponential
/// backoff with jitter, so refused transactions do not all come back at once.
fn backoff(attempt: u32) -> Duration {
    use std::hash::{BuildHasher, Hash, Hasher};
    let ceiling = Duration::from_micros(500)
        .saturating_mul(1u32 << attempt.min(16))
        .min(MAX_BACKOFF);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    std::time::SystemTime::now().hash(&mut hasher);
    std::thread::current().id().hash(&mut hasher);
    let half = ceiling / 2;
    let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX).max(1);
    half + Duration::from_nanos(hasher.finish() % nanos)
}

/// A put, ready for the tables.
struct Put {
    kind: &'static str,
    id: Vec<u8>,
    expected: Expected,
    version: i64,
    body: Vec<u8>,
}

/// The write set in the tables' terms, encoded once before any attempt.
struct Prepared {
    /// By (kind, id); the last put of a key wins, every put's expectation is checked.
    puts: Vec<Put>,
    /// Every expectation: (kind, id) → expected, puts first.
    expectations: Vec<((&'static str, Vec<u8>), Expected)>,
    /// Read-only keys (not put), by (kind, id).
    reads: Vec<(&'static str, Vec<u8>)>,
    /// Keys expected absent (put or only read), by (kind, id), deduplicated.
    absent: Vec<(&'static str, Vec<u8>)>,
    index_removes: Vec<(&'static str, Vec<u8>)>,
    /// By (index, key); the last insert of a key wins.
    index_inserts: Vec<(&'static str, Vec<u8>, i64)>,
    audit: Vec<ordo_core::audit::AuditRecord>,
    /// Summed per key, by key.
    counters: Vec<(Vec<u8>, Decimal)>,
}

fn prepare(writes: WriteSet) -> Result<Prepared, StoreError> {
    let mut expectations = Vec::new();
    let mut puts: BTreeMap<(&'static str, Vec<u8>), Put> = BTreeMap::new();
    for (record, expected) in &writes.puts {
        let key = record.key();
        let kind = kind_name(key.kind());
        let id = key.id_bytes();
        let next = expected.next_version();
        let version = i64::try_from(next)
            .map_err(|_| StoreError::Io(format!("version {next} is out of range")))?;
        let body = codec::encode_record(next, record)?;
        expectations.push(((kind, id.clone()), *expected));
        puts.insert(
            (kind, id.clone()),
            Put {
                kind,
                id,
                expected: *expected,
                version,
                body,
            },
        );
    }
    let mut reads: Vec<(&'static str, Vec<u8>)> = Vec::new();
    for (key, expected) in &writes.reads {
        let slot = (kind_name(key.kind()), key.id_bytes());
        expectations.push((slot.clone(), *expected));
        if !puts.contains_key(&slot) {
            reads.push(slot);
        }
    }
    reads.sort();
    reads.dedup();
    let mut absent: Vec<(&'static str, Vec<u8>)> = expectations
        .iter()
        .filter(|(_, expected)| *expected == Expected::Absent)
        .map(|(key, _)| key.clone())
        .collect();
    absent.sort();
    absent.dedup();
    let mut index_removes: Vec<(&'static str, Vec<u8>)> = writes
        .index_removes
        .iter()
        .map(|e| (e.index.name(), e.key.clone()))
        .collect();
    index_removes.sort();
    index_removes.dedup();
    let mut inserts: BTreeMap<(&'static str, Vec<u8>), i64> = BTreeMap::new();
    for entry in &writes.index_inserts {
        inserts.insert((entry.index.name(), entry.key.clone()), entry.id as i64);
    }
    let mut counters: BTreeMap<Vec<u8>, Decimal> = BTreeMap::new();
    for delta in &writes.counters {
        let sum = counters.entry(delta.key.clone()).or_default();
        *sum = sum
            .checked_add(delta.delta)
            .ok_or_else(|| StoreError::Io("a counter would overflow".to_string()))?;
    }
    Ok(Prepared {
        puts: puts.into_values().collect(),
        expectations,
        reads,
        absent,
        index_removes,
        index_inserts: inserts
            .into_iter()
            .map(|((index, key), id)| (index, key, id))
            .collect(),
        audit: writes.audit,
        counters: counters.into_iter().collect(),
    })
}

/// The names of the unique indexes (a key there may map to one id only).
fn unique_index_names() -> Vec<&'static str> {
    ALL_INDEXES
        .iter()
        .copied()
        .filter(|index| IndexName::is_unique(*index))
        .map(IndexName::name)
        .collect()
}

/// Applies `writes` (see the module documentation).
pub(crate) fn apply(store: &PgStore, writes: WriteSet) -> Result<(), StoreError> {
    if writes.is_empty() && writes.reads.is_empty() {
        return Ok(());
    }
    let prepared = prepare(writes)?;
    let mut conn = store.conn()?;
    let mut attempt = 1;
    loop {
        let mut trips = 0u64;
        let result = attempt_once(&mut conn, store.isolation, &prepared, &mut trips);
        store.round_trips.fetch_add(trips, Ordering::Relaxed);
        match result {
            Ok(()) => {
                store.applied.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            Err(Failure::Retry) if attempt < ATTEMPTS => {
                std::thread::sleep(backoff(attempt));
                attempt += 1;
            }
            Err(Failure::Retry) => return Err(StoreError::Conflict),
            Err(Failure::Store(error)) => return Err(error),
        }
    }
}

/// Why an attempt did not commit.
enum Failure {
    /// The server refused it (40001, 40P01): run it again.
    Retry,
    /// The answer to give.
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Failure {
        Failure::Store(error)
    }
}

fn pg(error: postgres::Error) -> Failure {
    match from_pg(error) {
        StoreError::Conflict => Failure::Retry,
        other => Failure::Store(other),
    }
}

/// Runs prepared statements in one transaction, counting round trips.
struct Steps<'c, 't> {
    tx: Transaction<'t>,
    statements: &'c mut HashMap<String, Statement>,
    trips: &'c mut u64,
}

impl Steps<'_, '_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, Failure> {
        if !self.statements.contains_key(sql) {
            *self.trips += 1;
        }
        prepared(self.statements, &mut self.tx, sql).map_err(|e| match e {
            StoreError::Conflict => Failure::Retry,
            other => Failure::Store(other),
        })
    }

    fn execute(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, Failure> {
        let statement = self.statement(sql)?;
        *self.trips += 1;
        self.tx.execute(&statement, params).map_err(pg)
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, Failure> {
        let statement = self.statement(sql)?;
        *self.trips += 1;
        self.tx.query(&statement, params).map_err(pg)
    }
}

fn attempt_once(
    conn: &mut Conn,
    isolation: Isolation,
    prepared: &Prepared,
    trips: &mut u64,
) -> Result<(), Failure> {
    let Conn { client, statements } = conn;
    let level = match isolation {
        Isolation::ReadCommitted => IsolationLevel::ReadCommitted,
        Isolation::Serializable => IsolationLevel::Serializable,
    };
    *trips += 1;
    let tx = client
        .build_transaction()
        .isolation_level(level)
        .start()
        .map_err(pg)?;
    let mut steps = Steps {
        tx,
        statements,
        trips,
    };
    let guarded = isolation == Isolation::ReadCommitted && !prepared.absent.is_empty();
    if guarded {
        guard_absent_keys(&mut steps, &prepared.absent)?;
    }
    write(&mut steps, prepared)?;
    if guarded {
        release_absent_keys(&mut steps, &prepared.absent)?;
    }
    *steps.trips += 1;
    // Dropping an uncommitted transaction (any `?` above) rolls it back.
    steps.tx.commit().map_err(pg)
}

/// Step 0 (READ COMMITTED): a guard row per key expected absent, in key order; waits for
/// any other transaction guarding one of them to end.
fn guard_absent_keys(
    steps: &mut Steps<'_, '_>,
    keys: &[(&'static str, Vec<u8>)],
) -> Result<(), Failure> {
    let kinds: Vec<&str> = keys.iter().map(|(kind, _)| *kind).collect();
    let ids: Vec<&[u8]> = keys.iter().map(|(_, id)| id.as_slice()).collect();
    steps.execute(
        "INSERT INTO ordo_absent_guard (kind, id) \
         SELECT * FROM unnest($1::text[], $2::bytea[]) ORDER BY 1, 2 ON CONFLICT DO NOTHING",
        &[&kinds, &ids],
    )?;
    Ok(())
}

/// Deletes the guard rows this transaction inserted (others wait for its end all the same:
/// a row inserted and deleted by an open transaction is still its row until then).
fn release_absent_keys(
    steps: &mut Steps<'_, '_>,
    keys: &[(&'static str, Vec<u8>)],
) -> Result<(), Failure> {
    let kinds: Vec<&str> = keys.iter().map(|(kind, _)| *kind).collect();
    let ids: Vec<&[u8]> = keys.iter().map(|(_, id)| id.as_slice()).collect();
    steps.execute(
        "DELETE FROM ordo_absent_guard g USING unnest($1::text[], $2::bytea[]) AS u(kind, id) \
         WHERE g.kind = u.kind AND g.id = u.id",
        &[&kinds, &ids],
    )?;
    Ok(())
}

fn write(steps: &mut Steps<'_, '_>, p: &Prepared) -> Result<(), Failure> {
    // 1. Lock what is put (FOR UPDATE) and what is only read (FOR SHARE), in key order.
    let mut found: HashMap<(String, Vec<u8>), i64> = HashMap::new();
    for (keys, lock) in [
        (
            p.puts
                .iter()
                .map(|put| (put.kind, put.id.clone()))
                .collect::<Vec<_>>(),
            "UPDATE",
        ),
        (p.reads.clone(), "SHARE"),
    ] {
        if keys.is_empty() {
            continue;
        }
        let kinds: Vec<&str> = keys.iter().map(|(kind, _)| *kind).collect();
        let ids: Vec<&[u8]> = keys.iter().map(|(_, id)| id.as_slice()).collect();
        let sql = format!(
            "SELECT r.kind, r.id, r.version FROM ordo_records r \
             JOIN unnest($1::text[], $2::bytea[]) AS u(kind, id) \
             ON r.kind = u.kind AND r.id = u.id \
             ORDER BY r.kind, r.id FOR {lock} OF r"
        );
        for row in steps.query(&sql, &[&kinds, &ids])? {
            found.insert((row.get(0), row.get(1)), row.get(2));
        }
    }
    for ((kind, id), expected) in &p.expectations {
        let current = found
            .get(&((*kind).to_string(), id.clone()))
            .and_then(|v| u64::try_from(*v).ok());
        if !expected.matches(current) {
            return Err(Failure::Store(StoreError::Conflict));
        }
    }
    // 2. Existing records: locked above, so the version cannot have moved.
    let (updates, inserts): (Vec<&Put>, Vec<&Put>) = p
        .puts
        .iter()
        .partition(|put| matches!(put.expected, Expected::Version(_)));
    if !updates.is_empty() {
        let n = write_records(
            steps,
            "UPDATE ordo_records r SET version = u.version, body = u.body \
             FROM unnest($1::text[], $2::bytea[], $3::int8[], $4::bytea[]) \
             AS u(kind, id, version, body) \
             WHERE r.kind = u.kind AND r.id = u.id AND r.version = u.version - 1",
            &updates,
        )?;
        if n != updates.len() as u64 {
            return Err(Failure::Store(StoreError::Conflict));
        }
    }
    // 3. New records.
    if !inserts.is_empty() {
        let n = write_records(
            steps,
            "INSERT INTO ordo_records (kind, id, version, body) \
             SELECT * FROM unnest($1::text[], $2::bytea[], $3::int8[], $4::bytea[]) \
             ORDER BY 1, 2 ON CONFLICT DO NOTHING",
            &inserts,
        )?;
        if n != inserts.len() as u64 {
            return Err(Failure::Store(StoreError::Conflict));
        }
    }
    // 4. Index entries: removals first, so a key removed and added again moves.
    if !p.index_removes.is_empty() {
        let names: Vec<&str> = p.index_removes.iter().map(|(n, _)| *n).collect();
        let keys: Vec<&[u8]> = p.index_removes.iter().map(|(_, k)| k.as_slice()).collect();
        steps.execute(
            "DELETE FROM ordo_index i USING unnest($1::text[], $2::bytea[]) AS u(idx, key) \
             WHERE i.idx = u.idx AND i.key = u.key",
            &[&names, &keys],
        )?;
    }
    if !p.index_inserts.is_empty() {
        let names: Vec<&str> = p.index_inserts.iter().map(|(n, _, _)| *n).collect();
        let keys: Vec<&[u8]> = p
            .index_inserts
            .iter()
            .map(|(_, k, _)| k.as_slice())
            .collect();
        let ids: Vec<i64> = p.index_inserts.iter().map(|(_, _, id)| *id).collect();
        let unique = unique_index_names();
        let n = steps.execute(
            "INSERT INTO ordo_index (idx, key, id) \
             SELECT * FROM unnest($1::text[], $2::bytea[], $3::int8[]) ORDER BY 1, 2 \
             ON CONFLICT (idx, key) DO UPDATE SET id = EXCLUDED.id \
             WHERE ordo_index.id = EXCLUDED.id OR EXCLUDED.idx <> ALL($4::text[])",
            &[&names, &keys, &ids, &unique],
        )?;
        if n != ids.len() as u64 {
            return Err(Failure::Store(StoreError::Conflict));
        }
    }
    // 5. Audit entries, numbered by the sequence.
    if !p.audit.is_empty() {
        let count = i32::try_from(p.audit.len())
            .map_err(|_| StoreError::Io("too many audit entries".to_string()))?;
        let mut seqs: Vec<i64> = steps
            .query(
                "SELECT nextval('ordo_audit_seq') FROM generate_series(1, $1)",
                &[&count],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect();
        seqs.sort_unstable();
        let mut bodies = Vec::with_capacity(seqs.len());
        let mut subjects: Vec<Vec<u8>> = Vec::new();
        let mut subject_seqs: Vec<i64> = Vec::new();
        for (record, seq) in p.audit.iter().zip(&seqs) {
            let sequence = u64::try_from(*seq)
                .map_err(|_| StoreError::Io(format!("audit sequence returned {seq}")))?;
            let entry = AuditEntry {
                sequence,
                record: record.clone(),
            };
            bodies.push(codec::encode_audit(&entry)?);
            let mut seen = Vec::new();
            for subject in &record.subjects {
                let bytes = subject_bytes(*subject);
                if !seen.contains(&bytes) {
                    seen.push(bytes.clone());
                    subjects.push(bytes);
                    subject_seqs.push(*seq);
                }
            }
        }
        steps.execute(
            "INSERT INTO ordo_audit (seq, body) SELECT * FROM unnest($1::int8[], $2::bytea[])",
            &[&seqs, &bodies],
        )?;
        if !subjects.is_empty() {
            steps.execute(
                "INSERT INTO ordo_audit_subject (subject, seq) \
                 SELECT * FROM unnest($1::bytea[], $2::int8[])",
                &[&subjects, &subject_seqs],
            )?;
        }
    }
    // 6. Counters: commutative, no version check; each sum must fit a Decimal.
    if !p.counters.is_empty() {
        let keys: Vec<&[u8]> = p.counters.iter().map(|(k, _)| k.as_slice()).collect();
        let deltas: Vec<String> = p.counters.iter().map(|(_, d)| d.to_string()).collect();
        let rows = steps.query(
            "INSERT INTO ordo_counters (key, value) \
             SELECT k, v::numeric FROM unnest($1::bytea[], $2::text[]) AS u(k, v) ORDER BY k \
             ON CONFLICT (key) DO UPDATE SET value = ordo_counters.value + EXCLUDED.value \
             RETURNING value::text",
            &[&keys, &deltas],
        )?;
        for row in rows {
            let text: String = row.get(0);
            if Decimal::from_str(&text).is_err() {
                return Err(Failure::Store(StoreError::Io(
                    "a counter would overflow".to_string(),
                )));
            }
        }
    }
    Ok(())
}

/// Runs an UPDATE or INSERT over the puts' columns; the rows it wrote.
fn write_records(steps: &mut Steps<'_, '_>, sql: &str, puts: &[&Put]) -> Result<u64, Failure> {
    let kinds: Vec<&str> = puts.iter().map(|p| p.kind).collect();
    let ids: Vec<&[u8]> = puts.iter().map(|p| p.id.as_slice()).collect();
    let versions: Vec<i64> = puts.iter().map(|p| p.version).collect();
    let bodies: Vec<&[u8]> = puts.iter().map(|p| p.body.as_slice()).collect();
    steps.execute(sql, &[&kinds, &ids, &versions, &bodies])
}
