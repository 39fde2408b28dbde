//! The store conformance suite against a real PostgreSQL server (one per test process,
//! one database per test), under READ COMMITTED and under SERIALIZABLE.

use crate::{Isolation, PgConfig, PgStore, testserver};

/// A store on a new, empty database of the test server, applying under `isolation`.
pub(crate) fn store(isolation: Isolation) -> PgStore {
    let url = testserver::fresh_database()
        .unwrap_or_else(|why| panic!("a PostgreSQL server is needed for these tests: {why}"));
    PgStore::open(
        &url,
        PgConfig {
            pool_size: 6,
            isolation,
            ..PgConfig::default()
        },
    )
    .unwrap()
}

mod read_committed {
    ordo_core::store_conformance_tests!(crate::tests::store(crate::Isolation::ReadCommitted));
    ordo_core::store_counter_conformance_tests!(crate::tests::store(
        crate::Isolation::ReadCommitted
    ));
}

mod serializable {
    ordo_core::store_conformance_tests!(crate::tests::store(crate::Isolation::Serializable));
    ordo_core::store_counter_conformance_tests!(crate::tests::store(
        crate::Isolation::Serializable
    ));
}

mod ordering {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use ordo_core::audit::{AuditAction, AuditRecord, Subject};
    use ordo_core::auth::Actor;
    use ordo_core::clock::Timestamp;
    use ordo_core::ids::OrderId;
    use ordo_core::store::{Store, WriteSet};
    use rust_decimal::Decimal;

    use crate::{PgConfig, PgStore, testserver};

    fn audit(subject: Subject, at: i64) -> AuditRecord {
        AuditRecord {
            at: Timestamp(at),
            actor: Actor::system().record(),
            action: AuditAction::StatusChanged,
            subjects: vec![subject],
            changes: Vec::new(),
        }
    }

    /// PostgreSQL hands out an audit number before its transaction commits: write set A
    /// takes number 1 and is held up (on a counter row another transaction holds), B takes
    /// 2 and commits. A reader sees B alone; a reader that kept "after 2" as its cursor
    /// would never see A, which is why no reader of the store keeps one (the `Store`
    /// contract). A fresh read of the subject's trail sees both, in number order.
    #[test]
    fn a_lower_audit_number_can_commit_last_and_a_fresh_read_sees_both() {
        let url = testserver::fresh_database().unwrap();
        let store = Arc::new(PgStore::open(&url, PgConfig::default()).unwrap());
        let mut ws = WriteSet::new();
        ws.count(b"slow".to_vec(), Decimal::ONE);
        store.apply(ws).unwrap();
        let mut blocker = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let mut hold = blocker.transaction().unwrap();
        hold.execute(
            "UPDATE ordo_counters SET value = value WHERE key = $1",
            &[&b"slow".as_slice()],
        )
        .unwrap();
        let subject = Subject::Order(OrderId(7));
        let a = {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut ws = WriteSet::new();
                ws.audit.push(audit(subject, 1));
                ws.count(b"slow".to_vec(), Decimal::ONE);
                store.apply(ws)
            })
        };
        // Wait until A has taken its number (and waits for the counter row).
        let mut probe = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let called: bool = probe
                .query_one("SELECT is_called FROM ordo_audit_seq", &[])
                .unwrap()
                .get(0);
            if called {
                break;
            }
            assert!(Instant::now() < deadline, "A never took its number");
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut ws = WriteSet::new();
        ws.audit.push(audit(subject, 2));
        store.apply(ws).unwrap();
        let seen = store.audit_for(subject, None, 10).unwrap();
        assert_eq!(seen.len(), 1, "only B is committed: {seen:?}");
        assert_eq!((seen[0].record.at, seen[0].sequence), (Timestamp(2), 2));
        hold.commit().unwrap();
        a.join().unwrap().unwrap();
        let all = store.audit_for(subject, None, 10).unwrap();
        let order: Vec<(i64, u64)> = all.iter().map(|e| (e.record.at.0, e.sequence)).collect();
        assert_eq!(order, vec![(1, 1), (2, 2)], "both, in number order");
        // The cursor kept after the first read would have skipped A for good.
        assert!(store.audit_for(subject, Some(2), 10).unwrap().is_empty());
    }

    /// `apply` sends the same number of statements for a write set of 1 put as for one of
    /// 50 puts, 50 index entries and 50 counters: every step is one statement over arrays.
    #[test]
    fn apply_round_trips_do_not_grow_with_the_write_set() {
        use ordo_core::ids::OrderId;
        use ordo_core::store::{Expected, IdempotencyRecord, IndexEntry, IndexName, Record};
        let url = testserver::fresh_database().unwrap();
        // One connection: its statements, once prepared, stay prepared.
        let config = PgConfig {
            pool_size: 1,
            ..PgConfig::default()
        };
        let store = PgStore::open(&url, config).unwrap();
        let marker = |key: String| {
            Record::Idempotency(IdempotencyRecord {
                key,
                fingerprint: "f".to_string(),
                order: OrderId(1),
                created_at: Timestamp(1),
            })
        };
        let write_set = |round: u64, rows: u64| {
            let mut ws = WriteSet::new();
            for i in 0..rows {
                ws.put(marker(format!("{round}/{i}")), Expected::Absent);
                ws.index_inserts.push(IndexEntry {
                    index: IndexName::OrderByCreated,
                    key: format!("{round}/{i}").into_bytes(),
                    id: i,
                });
                ws.count(format!("c/{i}").into_bytes(), Decimal::ONE);
            }
            ws.audit.push(audit(Subject::Order(OrderId(round)), 1));
            ws
        };
        // Warm up: the first use of each statement on a connection prepares it.
        store.apply(write_set(0, 1)).unwrap();
        let mut trips = Vec::new();
        for (round, rows) in [(1, 1), (2, 50)] {
            let before = store.stats().apply_round_trips;
            let started = Instant::now();
            store.apply(write_set(round, rows)).unwrap();
            let took = started.elapsed();
            let sent = store.stats().apply_round_trips - before;
            eprintln!("apply of {rows} puts/index entries/counters: {sent} round trips, {took:?}");
            trips.push(sent);
        }
        // BEGIN, guard the new keys, lock, insert records, insert index entries, nextval,
        // audit, audit subjects, counters, release the guards, COMMIT.
        assert_eq!(trips, vec![11, 11]);
        assert_eq!(store.stats().applied, 3);
    }
}

/// Read expectations of absence under READ COMMITTED (the guard of `apply`'s step 0).
mod absence {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    use ordo_core::clock::Timestamp;
    use ordo_core::ids::OrderId;
    use ordo_core::store::{Expected, IdempotencyRecord, Record, RecordKey, Store, WriteSet};
    use rust_decimal::Decimal;

    use crate::{Isolation, PgConfig, PgStore, testserver};

    fn marker(key: &str) -> Record {
        Record::Idempotency(IdempotencyRecord {
            key: key.to_string(),
            fingerprint: "f".to_string(),
            order: OrderId(1),
            created_at: Timestamp(1),
        })
    }

    /// A decides on K being absent (a read expectation, as a status change does of an
    /// order's watch list nobody has yet) and is held up before it commits; B creates K
    /// meanwhile. Without the guard B commits first and A then commits too, on an absence
    /// that no longer held (the new subscriber would miss A's notice). With it, B waits
    /// for A: both commit, A first — the order in which their reads hold.
    #[test]
    fn a_write_set_that_found_a_key_absent_commits_before_one_creating_it() {
        let url = testserver::fresh_database().unwrap();
        let config = PgConfig {
            isolation: Isolation::ReadCommitted,
            ..PgConfig::default()
        };
        let store = Arc::new(PgStore::open(&url, config).unwrap());
        let mut ws = WriteSet::new();
        ws.count(b"slow".to_vec(), Decimal::ONE);
        store.apply(ws).unwrap();
        let mut blocker = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let mut hold = blocker.transaction().unwrap();
        hold.execute(
            "UPDATE ordo_counters SET value = value WHERE key = $1",
            &[&b"slow".as_slice()],
        )
        .unwrap();
        let finished = Arc::new(AtomicU64::new(0));
        let run = |ws: WriteSet| {
            let (store, finished) = (store.clone(), finished.clone());
            std::thread::spawn(move || {
                let result = store.apply(ws);
                (result, finished.fetch_add(1, Ordering::SeqCst))
            })
        };
        // A: K absent (read only), writes A, and waits on the held counter row.
        let mut a = WriteSet::new();
        a.expect(RecordKey::Idempotency("K".to_string()), Expected::Absent);
        a.put(marker("A"), Expected::Absent);
        a.count(b"slow".to_vec(), Decimal::ONE);
        let a = run(a);
        // Until A waits for the counter row (its checks are done by then).
        let mut probe = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let waiting: i64 = probe
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity \
                     WHERE wait_event_type = 'Lock' AND query LIKE '%ordo_counters%'",
                    &[],
                )
                .unwrap()
                .get(0);
            if waiting > 0 {
                break;
            }
            assert!(Instant::now() < deadline, "A never reached the counter row");
            std::thread::sleep(Duration::from_millis(5));
        }
        // B creates K.
        let mut b = WriteSet::new();
        b.put(marker("K"), Expected::Absent);
        let b = run(b);
        // Time for B to commit, if nothing holds it back.
        std::thread::sleep(Duration::from_millis(300));
        hold.commit().unwrap();
        let (a_result, a_order) = a.join().unwrap();
        let (b_result, b_order) = b.join().unwrap();
        a_result.unwrap();
        b_result.unwrap();
        assert!(
            a_order < b_order,
            "B created K before A, which had found K absent, committed"
        );
        let key = RecordKey::Idempotency("K".to_string());
        assert!(store.get(&key).unwrap().is_some());
        let guards: i64 = probe
            .query_one("SELECT count(*) FROM ordo_absent_guard", &[])
            .unwrap()
            .get(0);
        assert_eq!(guards, 0, "guard rows live only inside a transaction");
    }
}

/// The parts of the conformance suite that retry on `Conflict` (directly, or through the
/// engine), with a random fraction of applies failing as SQLSTATE 40001 would on
/// CockroachDB or YugabyteDB. The other checks apply once and expect success, which an
/// injected failure would refuse by design; they run above without injection.
mod injected_failures {
    use std::sync::Arc;

    use ordo_core::testkit::conformance as check;

    use crate::Isolation;
    use crate::injected::{Injected, SerializationFailures};

    /// A fresh store failing `per_mille` of applies after the first `spared`.
    fn store(
        isolation: Isolation,
        per_mille: u32,
        spared: u64,
    ) -> (SerializationFailures<crate::PgStore>, Arc<Injected>) {
        let store =
            SerializationFailures::new(super::store(isolation), per_mille, 7).sparing_first(spared);
        let counts = store.counts();
        (store, counts)
    }

    /// Asserts failures were injected (and applies got through).
    fn injected(counts: &Injected) {
        eprintln!(
            "{} injected serialization failures in {} applies",
            counts.failed(),
            counts.applies()
        );
        assert!(counts.failed() > 0, "nothing was injected");
        assert!(counts.applies() > counts.failed());
    }

    macro_rules! under {
        ($name:ident, $isolation:expr) => {
            mod $name {
                use super::*;

                #[test]
                fn concurrent_updates_lose_nothing() {
                    // The setup write does not retry: spared.
                    let (store, counts) = store($isolation, 200, 1);
                    check::concurrent_updates_lose_nothing(store);
                    injected(&counts);
                }

                #[test]
                fn audit_of_one_subject_follows_its_record_versions() {
                    let (store, counts) = store($isolation, 200, 1);
                    check::audit_of_one_subject_follows_its_record_versions(store);
                    injected(&counts);
                }

                #[test]
                fn engine_records_round_trip() {
                    // Every write goes through the engine, which retries.
                    let (store, counts) = store($isolation, 300, 0);
                    check::engine_records_round_trip(store);
                    injected(&counts);
                }
            }
        };
    }

    under!(read_committed, Isolation::ReadCommitted);
    under!(serializable, Isolation::Serializable);
}
