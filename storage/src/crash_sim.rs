//! Crash simulation of the real storage code (issue 14): a seeded stream of write sets from
//! 1–3 threads against a [`SledStore`] that checkpoints constantly, "crashes" at a log or
//! checkpoint boundary chosen by the seed, reopens and checks that no acknowledged write set
//! was lost or half-applied, then goes on (four crashes per seed, one of each kind).
//!
//! Crash kinds:
//! - **torn tail**: the writer stops between a log append and its `fdatasync` (the
//!   `after_commit` hook fails); the last record is then left whole, cut at a random byte or
//!   zeroed from a random byte in place (unless a log `fdatasync` already covered it);
//! - **mid-checkpoint**: a checkpoint stops after some trees were applied, before the log
//!   position is recorded;
//! - **before log deletion**: a checkpoint stops after sled is flushed and the position
//!   recorded, before the covered log segments are deleted;
//! - **plain**: the store stops with no checkpoint held back.
//!
//! Each write set `n` writes a marker record, a unique index entry and a counter of its own
//! plus an audit entry, and moves its thread's account record (expected version), cursor
//! index entry (insert and remove) and total counter: after a crash the four own parts must
//! agree (all present or all absent) and the shared ones must match the write sets present.
//!
//! `ORDO_CRASH_SIM_SEEDS=N` runs seeds `0..N` (default [`DEFAULT_SEEDS`]);
//! `ORDO_CRASH_SIM_SEED=S` replays one. A failure prints the replay command.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ordo_core::audit::{AuditAction, AuditRecord, Subject};
use ordo_core::auth::Actor;
use ordo_core::clock::Timestamp;
use ordo_core::ids::OrderId;
use ordo_core::store::{
    Expected, IdempotencyRecord, IndexEntry, IndexName, IndexRange, Record, RecordKey, Store,
    StoreError, WriteSet,
};
use rust_decimal::Decimal;

use crate::checkpoint::{Stop, checkpoint};
use crate::{Durability, SledStore, StoreConfig};

/// Seeds run by default (about 8 s in a debug build on a busy 2-core machine).
const DEFAULT_SEEDS: u64 = 24;
/// Threads (account slots) at most.
const SLOTS: usize = 3;
/// A worker gives up after this many write sets (the crash comes long before).
const MAX_PER_WORKER: u64 = 500;
/// Every counter the simulation writes starts with this.
const COUNTER_PREFIX: &[u8] = b"sim/";

/// splitmix64: small, seeded, good enough to pick cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Where the store "crashes".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Crash {
    TornTail,
    MidCheckpoint,
    BeforeLogDeletion,
    Plain,
}

const CRASHES: [Crash; 4] = [
    Crash::TornTail,
    Crash::MidCheckpoint,
    Crash::BeforeLogDeletion,
    Crash::Plain,
];

/// One write set the simulation tried.
#[derive(Debug, Clone)]
struct Attempt {
    n: u64,
    slot: usize,
    id: u64,
    amount: Decimal,
    /// Which store opening (round) applied it.
    round: usize,
    /// `apply` returned `Ok`.
    acked: bool,
}

/// A thread's account: what its write sets present so far add up to.
#[derive(Debug, Clone, Default)]
struct Account {
    /// The account record's version (0: absent).
    version: u64,
    /// The last present write set's number and id.
    last: Option<(u64, u64)>,
    total: Decimal,
}

/// What the store must hold: the write sets known present (acknowledged, or found whole
/// after a crash) and the accounts they make.
#[derive(Debug, Default)]
struct Model {
    present: Vec<Attempt>,
    accounts: [Account; SLOTS],
}

impl Model {
    fn add(&mut self, attempt: &Attempt) {
        let account = &mut self.accounts[attempt.slot];
        account.version += 1;
        account.last = Some((attempt.n, attempt.id));
        account.total += attempt.amount;
        self.present.push(attempt.clone());
    }
}

/// What a run saw.
#[derive(Debug, Default)]
struct Counts {
    acked: u64,
    unacked_present: u64,
    unacked_absent: u64,
    crashes: [u64; 4],
    torn: u64,
    checkpoints_cut_short: u64,
    reopens_replaying: u64,
}

fn marker_key(n: u64) -> String {
    format!("sim-ws-{n:012}")
}

fn account_key(slot: usize) -> String {
    format!("sim-account-{slot}")
}

fn cursor_prefix(slot: usize) -> Vec<u8> {
    format!("sim-cursor-{slot}-").into_bytes()
}

fn cursor_key(slot: usize, n: u64) -> Vec<u8> {
    let mut key = cursor_prefix(slot);
    key.extend_from_slice(format!("{n:012}").as_bytes());
    key
}

fn ws_counter(n: u64) -> Vec<u8> {
    format!("sim/ws/{n:012}").into_bytes()
}

fn total_counter(slot: usize) -> Vec<u8> {
    format!("sim/total/{slot}").into_bytes()
}

fn idempotency(key: String, fingerprint: String, id: u64) -> Record {
    Record::Idempotency(IdempotencyRecord {
        key,
        fingerprint,
        order: OrderId(id),
        created_at: Timestamp(0),
    })
}

/// Write set `attempt`, moving `account` on.
fn write_set(attempt: &Attempt, account: &Account) -> WriteSet {
    let (n, slot, id) = (attempt.n, attempt.slot, attempt.id);
    let mut writes = WriteSet::new();
    writes.put(
        idempotency(marker_key(n), format!("slot-{slot}"), id),
        Expected::Absent,
    );
    let expected = match account.version {
        0 => Expected::Absent,
        version => Expected::Version(version),
    };
    writes.put(
        idempotency(account_key(slot), format!("after-{n}"), id),
        expected,
    );
    writes.index_inserts.push(IndexEntry {
        index: IndexName::OrderByReference,
        key: marker_key(n).into_bytes(),
        id,
    });
    writes.index_inserts.push(IndexEntry {
        index: IndexName::OrderByStatus,
        key: cursor_key(slot, n),
        id,
    });
    if let Some((last_n, last_id)) = account.last {
        writes.index_removes.push(IndexEntry {
            index: IndexName::OrderByStatus,
            key: cursor_key(slot, last_n),
            id: last_id,
        });
    }
    writes.audit.push(AuditRecord {
        at: Timestamp(0),
        actor: Actor::system().record(),
        action: AuditAction::StatusChanged,
        subjects: vec![Subject::Order(OrderId(id))],
        changes: Vec::new(),
    });
    writes.count(ws_counter(n), attempt.amount);
    writes.count(total_counter(slot), attempt.amount);
    writes
}

/// One thread's stream: applies write sets until one is refused (the crash) or
/// [`MAX_PER_WORKER`]; a refusal before the crash is an error.
#[allow(clippy::too_many_arguments)]
fn worker(
    store: &SledStore,
    slot: usize,
    mut account: Account,
    round: usize,
    seed: u64,
    numbers: &AtomicU64,
    acked: &AtomicU64,
    dead: &AtomicBool,
) -> Result<Vec<Attempt>, String> {
    let mut rng = Rng(seed);
    let mut attempts = Vec::new();
    for _ in 0..MAX_PER_WORKER {
        let n = numbers.fetch_add(1, Ordering::AcqRel);
        let id = store.next_id().map_err(|e| format!("next_id: {e}"))?;
        let amount = Decimal::new(1 + rng.below(100_000) as i64, 2);
        let mut attempt = Attempt {
            n,
            slot,
            id,
            amount,
            round,
            acked: false,
        };
        match store.apply(write_set(&attempt, &account)) {
            Ok(()) => {
                attempt.acked = true;
                account.version += 1;
                account.last = Some((n, id));
                account.total += amount;
                acked.fetch_add(1, Ordering::AcqRel);
                attempts.push(attempt);
            }
            // Refused by the crash: not acknowledged, maybe logged.
            Err(_) if dead.load(Ordering::Acquire) => {
                attempts.push(attempt);
                return Ok(attempts);
            }
            Err(error) => return Err(format!("write set {n} refused before the crash: {error}")),
        }
    }
    Ok(attempts)
}

/// Checks the reopened store against `model`, first settling `pending` (write sets not
/// acknowledged: each must be wholly present or wholly absent; present ones join the model).
fn verify(
    store: &SledStore,
    model: &mut Model,
    pending: Vec<Attempt>,
    counts: &mut Counts,
) -> Result<(), String> {
    let counters: BTreeMap<Vec<u8>, Decimal> = store
        .counters(&IndexRange::prefix(COUNTER_PREFIX, false), usize::MAX)
        .map_err(|e| format!("counters: {e}"))?
        .into_iter()
        .collect();
    let parts = |attempt: &Attempt| -> Result<[bool; 4], String> {
        let key = RecordKey::Idempotency(marker_key(attempt.n));
        let marker = match store.get(&key).map_err(|e| format!("get {key}: {e}"))? {
            None => false,
            Some(found) => match found.value {
                Record::Idempotency(record) if record.order == OrderId(attempt.id) => true,
                other => return Err(format!("{key} holds {other:?}, not id {}", attempt.id)),
            },
        };
        let index = store
            .index_get(
                IndexName::OrderByReference,
                marker_key(attempt.n).as_bytes(),
            )
            .map_err(|e| format!("index_get: {e}"))?;
        let index = match index {
            None => false,
            Some(id) if id == attempt.id => true,
            Some(id) => return Err(format!("{key}'s index entry points to {id}")),
        };
        let counter = match counters.get(&ws_counter(attempt.n)) {
            None => false,
            Some(value) if *value == attempt.amount => true,
            Some(value) => {
                return Err(format!(
                    "{key}'s counter is {value}, not {} (applied twice?)",
                    attempt.amount
                ));
            }
        };
        let audit = store
            .audit_for(Subject::Order(OrderId(attempt.id)), None, 10)
            .map_err(|e| format!("audit_for: {e}"))?;
        if audit.len() > 1 {
            return Err(format!("{key} has {} audit entries", audit.len()));
        }
        Ok([marker, index, counter, audit.len() == 1])
    };
    let mut pending = pending;
    pending.sort_by_key(|a| (a.slot, a.n));
    for attempt in &pending {
        match parts(attempt)? {
            [true, true, true, true] => {
                counts.unacked_present += 1;
                model.add(attempt);
            }
            [false, false, false, false] => counts.unacked_absent += 1,
            found => {
                return Err(format!(
                    "unacknowledged write set {} is half-applied: [marker, index, counter, \
                     audit] = {found:?}",
                    attempt.n
                ));
            }
        }
    }
    // Every present write set: whole, audit sequences unique and rising across reopens.
    let mut sequences = BTreeSet::new();
    let mut by_round: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    for attempt in &model.present {
        let found = parts(attempt)?;
        if found != [true, true, true, true] {
            return Err(format!(
                "{} write set {} lost or half-applied: [marker, index, counter, audit] = \
                 {found:?}",
                if attempt.acked {
                    "acknowledged"
                } else {
                    "recovered"
                },
                attempt.n
            ));
        }
        let audit = store
            .audit_for(Subject::Order(OrderId(attempt.id)), None, 1)
            .map_err(|e| format!("audit_for: {e}"))?;
        let sequence = audit[0].sequence;
        if !sequences.insert(sequence) {
            return Err(format!("audit sequence {sequence} reused"));
        }
        let range = by_round.entry(attempt.round).or_insert((u64::MAX, 0));
        range.0 = range.0.min(sequence);
        range.1 = range.1.max(sequence);
    }
    let mut before = 0;
    for (round, (low, high)) in &by_round {
        if *low <= before {
            return Err(format!(
                "round {round}'s audit sequences start at {low}, not above {before} (reused \
                 after a reopen)"
            ));
        }
        before = *high;
    }
    let ws_counters = counters
        .keys()
        .filter(|k| k.starts_with(b"sim/ws/"))
        .count();
    if ws_counters != model.present.len() {
        return Err(format!(
            "{ws_counters} write set counters for {} write sets present",
            model.present.len()
        ));
    }
    // The accounts: version, last write set, cursor entry and total.
    for (slot, account) in model.accounts.iter().enumerate() {
        let key = RecordKey::Idempotency(account_key(slot));
        let found = store.get(&key).map_err(|e| format!("get {key}: {e}"))?;
        match (&account.last, found) {
            (None, None) => {}
            (Some((_, id)), Some(found)) => {
                let order = match found.value {
                    Record::Idempotency(record) => record.order,
                    other => return Err(format!("{key} holds {other:?}")),
                };
                if found.version != account.version || order != OrderId(*id) {
                    return Err(format!(
                        "{key} is at version {} with id {order:?}, the model at {} with {id}",
                        found.version, account.version
                    ));
                }
            }
            (last, found) => return Err(format!("{key}: model {last:?}, store {found:?}")),
        }
        let cursor = store
            .index_scan(
                IndexName::OrderByStatus,
                &IndexRange::prefix(&cursor_prefix(slot), false),
                100,
            )
            .map_err(|e| format!("index_scan: {e}"))?;
        let expected: Vec<(Vec<u8>, u64)> = account
            .last
            .iter()
            .map(|(n, id)| (cursor_key(slot, *n), *id))
            .collect();
        if cursor != expected {
            return Err(format!(
                "slot {slot}'s cursor entries {cursor:?}, expected {expected:?}"
            ));
        }
        let total = counters.get(&total_counter(slot)).copied();
        let expected = account.last.map(|_| account.total);
        if total != expected {
            return Err(format!(
                "slot {slot}'s total is {total:?}, expected {expected:?}"
            ));
        }
    }
    // Ids of present write sets are never handed out again.
    let max_id = model.present.iter().map(|a| a.id).max().unwrap_or(0);
    let next = store.next_id().map_err(|e| format!("next_id: {e}"))?;
    if next <= max_id {
        return Err(format!(
            "next_id {next} reuses an id (highest present {max_id})"
        ));
    }
    Ok(())
}

/// The last segment of the log in `dir`.
fn last_segment(dir: &Path) -> Result<PathBuf, String> {
    let log = dir.join(crate::wal::LOG_DIR);
    let mut names: Vec<String> = std::fs::read_dir(&log)
        .map_err(|e| format!("read {}: {e}", log.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| crate::wal::is_segment_name(name))
        .collect();
    names.sort();
    names
        .pop()
        .map(|name| log.join(name))
        .ok_or_else(|| "no log segment".to_string())
}

/// Tears the last record of the log in `dir` (it must be at `position`): `mode` 0 leaves
/// it whole, 1 cuts the file inside it, 2 zeroes it from a byte inside it on. True if torn.
fn tear(dir: &Path, position: u64, mode: u64, rng: &mut Rng) -> Result<bool, String> {
    let path = last_segment(dir)?;
    let mut bytes = std::fs::read(&path).map_err(|e| format!("read segment: {e}"))?;
    let (record, span) = crate::wal::record_spans(&bytes)
        .pop()
        .ok_or_else(|| "the last segment holds no record".to_string())?;
    let (found, start, end) = (record.position, span.start, span.end);
    if found != position {
        return Err(format!(
            "the last logged record is at {found}, the crash at {position}"
        ));
    }
    let cut = start + rng.below((end - start) as u64) as usize;
    match mode {
        0 => return Ok(false),
        1 => bytes.truncate(cut),
        _ => bytes[cut..end].fill(0),
    }
    std::fs::write(&path, &bytes).map_err(|e| format!("write segment: {e}"))?;
    Ok(true)
}

/// One seed: four opens, each ending in a crash of a different kind, then a last check.
fn run_seed(seed: u64, counts: &mut Counts) -> Result<(), String> {
    let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x0DD0);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut model = Model::default();
    let mut pending = Vec::new();
    let numbers = AtomicU64::new(0);
    let first_kind = rng.below(4) as usize;
    for round in 0..=CRASHES.len() {
        let kind = CRASHES[(first_kind + round) % CRASHES.len()];
        // Constant checkpoints, except in every other torn tail's round: a checkpoint's log
        // `fdatasync` right after the append makes the record whole, so with constant
        // checkpoints a tail is seldom torn.
        let quiet = kind == Crash::TornTail && rng.below(2) == 0;
        let config = StoreConfig::new(Durability::Immediate)
            .with_checkpoint_bytes(if quiet {
                1 << 20
            } else {
                1 + rng.below(4_000) as usize
            })
            .with_checkpoint_every(Duration::from_millis(if quiet {
                1_000
            } else {
                1 + rng.below(30)
            }));
        let store = SledStore::open(dir.path(), config).map_err(|e| format!("open: {e}"))?;
        if store.replayed_at_open() > 0 {
            counts.reopens_replaying += 1;
        }
        verify(&store, &mut model, std::mem::take(&mut pending), counts)
            .map_err(|e| format!("after crash {round}: {e}"))?;
        if round == CRASHES.len() {
            break;
        }
        let crash_after = 1 + rng.below(30);
        let dead = Arc::new(AtomicBool::new(false));
        // Where checkpoints stop from the crash on (the torn tail's: before any tree, so no
        // checkpoint records a position past the record torn; set by the hook, the others'
        // a moment before the crash, so the checkpoint cut short has acknowledged batches
        // to move).
        let stop = match kind {
            Crash::TornTail => Some(Stop::AfterTrees(0)),
            Crash::MidCheckpoint => Some(Stop::AfterTrees(rng.below(4) as usize)),
            Crash::BeforeLogDeletion => Some(Stop::BeforeLogDeletion),
            Crash::Plain => None,
        };
        // The torn tail's crash: (its log position, whether no log `fdatasync` covered it).
        let crashed_at: Arc<Mutex<Option<(u64, bool)>>> = Arc::new(Mutex::new(None));
        {
            let weak = Arc::downgrade(&store.shared);
            let dead = dead.clone();
            let crashed_at = crashed_at.clone();
            let batches = AtomicU64::new(0);
            // The writer stops between the log append of the batch that meets the crash
            // and its `fdatasync`: that batch is logged, never acknowledged.
            *store.shared.after_commit.lock().unwrap() = Some(Box::new(move || {
                let crash = || Err(StoreError::Io("simulated crash".to_string()));
                let batch = batches.fetch_add(1, Ordering::AcqRel) + 1;
                if kind != Crash::TornTail {
                    // The other kinds crash when the test says so (see below).
                    return if dead.load(Ordering::Acquire) {
                        crash()
                    } else {
                        Ok(())
                    };
                }
                if dead.load(Ordering::Acquire) {
                    return crash();
                }
                if batch < crash_after {
                    return Ok(());
                }
                dead.store(true, Ordering::Release);
                let Some(shared) = weak.upgrade() else {
                    return crash();
                };
                let position = shared.watermark.committed();
                // Waits for a checkpoint in progress; none completes past `stop` after it.
                let _checkpoints = shared.checkpoint_lock();
                *shared.stop_checkpoints.lock().unwrap() = stop;
                // Once a log `fdatasync` began after the append (a checkpoint's, whose
                // snapshot may hold part of this record and which may have applied that
                // part to sled), the record is on disk whole: it can no longer be torn.
                let synced = shared.watermark.durable() >= position;
                *crashed_at.lock().unwrap() = Some((position, !synced));
                crash()
            }));
        }
        let threads = 1 + rng.below(SLOTS as u64) as usize;
        let acked = AtomicU64::new(0);
        let results: Vec<Result<Vec<Attempt>, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|slot| {
                    let (store, account) = (&store, model.accounts[slot].clone());
                    let (numbers, acked, dead) = (&numbers, &acked, &*dead);
                    let worker_seed = rng.next();
                    scope.spawn(move || {
                        worker(
                            store,
                            slot,
                            account,
                            round,
                            worker_seed,
                            numbers,
                            acked,
                            dead,
                        )
                    })
                })
                .collect();
            if kind != Crash::TornTail {
                let deadline = Instant::now() + Duration::from_secs(60);
                while acked.load(Ordering::Acquire) < crash_after
                    && !handles.iter().all(|h| h.is_finished())
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(1));
                }
                *store.shared.stop_checkpoints.lock().unwrap() = stop;
                std::thread::sleep(Duration::from_millis(rng.below(5)));
                dead.store(true, Ordering::Release);
                // A writer waiting for room the stopped checkpoints never make is let go as
                // a crash would: by the store failing.
                let deadline = Instant::now() + Duration::from_millis(300);
                while !handles.iter().all(|h| h.is_finished()) {
                    if Instant::now() >= deadline {
                        store.shared.fail("simulated crash");
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err("worker panicked".into())))
                .collect()
        });
        for result in results {
            for attempt in result? {
                if attempt.acked {
                    counts.acked += 1;
                    model.add(&attempt);
                } else {
                    pending.push(attempt);
                }
            }
        }
        if !dead.load(Ordering::Acquire) {
            return Err(format!("round {round}: the {kind:?} crash never came"));
        }
        if let Some(stop) = stop.filter(|_| kind != Crash::TornTail) {
            // The checkpoint the crash cuts short (the thread's own may have been already).
            let has_work = !store.shared.overlay.is_empty();
            checkpoint(&store.shared).map_err(|e| format!("checkpoint: {e}"))?;
            if has_work && matches!(stop, Stop::AfterTrees(_)) {
                counts.checkpoints_cut_short += 1;
            }
        }
        store.shared.crashed.store(true, Ordering::Release);
        drop(store);
        if kind == Crash::TornTail {
            let (position, may_tear) = crashed_at
                .lock()
                .unwrap()
                .ok_or_else(|| format!("round {round}: the torn tail recorded no crash"))?;
            if may_tear && tear(dir.path(), position, rng.below(3), &mut rng)? {
                counts.torn += 1;
            }
        }
        counts.crashes[CRASHES.iter().position(|c| *c == kind).unwrap_or(0)] += 1;
    }
    Ok(())
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[test]
fn no_acknowledged_write_set_is_lost_or_half_applied_by_crashes_at_log_and_checkpoint_boundaries() {
    let seeds: Vec<u64> = match env_u64("ORDO_CRASH_SIM_SEED") {
        Some(seed) => vec![seed],
        None => (0..env_u64("ORDO_CRASH_SIM_SEEDS").unwrap_or(DEFAULT_SEEDS)).collect(),
    };
    let started = Instant::now();
    let mut counts = Counts::default();
    for seed in &seeds {
        if let Err(error) = run_seed(*seed, &mut counts) {
            panic!(
                "seed {seed}: {error}\nreplay: ORDO_CRASH_SIM_SEED={seed} cargo test -p \
                 ordo-storage --lib crash_sim -- --nocapture"
            );
        }
    }
    eprintln!(
        "crash simulation: {} seeds in {:?}: {counts:?}",
        seeds.len(),
        started.elapsed()
    );
    assert!(counts.acked > 0, "no write set was acknowledged");
    for (kind, crashes) in CRASHES.iter().zip(counts.crashes) {
        assert_eq!(
            crashes,
            seeds.len() as u64,
            "{kind:?} crashes: one per seed"
        );
    }
    assert!(counts.reopens_replaying > 0, "no reopen replayed the log");
    if seeds.len() >= DEFAULT_SEEDS as usize {
        assert!(counts.torn > 0, "no record was torn");
        assert!(
            counts.checkpoints_cut_short > 0,
            "no checkpoint was cut short"
        );
        assert!(counts.unacked_present + counts.unacked_absent > 0);
    }
}
