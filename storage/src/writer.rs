//! The single writer: the one state that changes the store.
//!
//! Callers hand their [`WriteSet`] to the [`crate::commit`] queue; whichever caller leads
//! passes up to [`MAX_BATCH`] queued requests to [`Writer::process`], which, for each write
//! set in order, checks its expected versions (those of its puts and of its read
//! expectations) and unique index keys against the store (overlay, then sled: see
//! [`crate::overlay`]) as the earlier accepted write sets of the same batch leave it. A write
//! set that fails a check is answered `Conflict` and leaves no trace. The accepted ones
//! become ONE commit log record ([`crate::wal`]), written before anything else sees them;
//! then the batch enters the overlay, where every reader sees it whole. In
//! [`Durability::Immediate`] the writer then `fdatasync`s the log once, raises the
//! durability watermark (so `Store::sync` returns for it only now, see [`crate::durable`]),
//! and only then are the accepted callers answered (group commit). In `Periodic` mode the
//! flush thread does the `fdatasync` and the watermark later. The checkpointer
//! ([`crate::checkpoint`]) moves the overlay into sled in the background.
//!
//! Because only one caller at a time holds the writer, a version read here cannot change
//! before the batch commits.
//!
//! A failed log write or `fdatasync` leaves the on-disk state uncertain: the writer then
//! refuses every later request (fail-stop) until the store is reopened.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;

use ordo_core::audit::AuditEntry;
use ordo_core::store::{IndexName, RecordKey, RecordKind, StoreError, WriteSet};

use crate::backup::{self, BackupInfo};
use crate::checkpoint;
use crate::codec;
use crate::config::Durability;
use crate::durable;
use crate::layout;
use crate::overlay::View;
use crate::store::Shared;
use crate::wal::{self, Change};

/// The most requests committed together (bounds a batch's memory and latency).
pub(crate) const MAX_BATCH: usize = 256;

/// What callers ask of the writer.
pub(crate) enum Work {
    /// Apply a write set atomically.
    Apply(WriteSet),
    /// Write a backup to this file once the batch's write sets are committed.
    Backup(PathBuf),
}

/// The writer's answer to one [`Work`].
pub(crate) enum Answer {
    /// For `Apply`.
    Applied(Result<(), StoreError>),
    /// For `Backup`.
    Backup(Result<BackupInfo, StoreError>),
}

impl Answer {
    /// A refusal, whatever the work was (callers read it as their kind of answer).
    pub(crate) fn refused(error: StoreError) -> Answer {
        Answer::Applied(Err(error))
    }

    /// The outcome of an `Apply`.
    pub(crate) fn applied(self) -> Result<(), StoreError> {
        match self {
            Answer::Applied(result) => result,
            Answer::Backup(result) => result.map(|_| ()),
        }
    }

    /// The outcome of a `Backup`.
    pub(crate) fn backup(self) -> Result<BackupInfo, StoreError> {
        match self {
            Answer::Backup(result) => result,
            Answer::Applied(Err(error)) => Err(error),
            Answer::Applied(Ok(())) => Err(StoreError::Io(
                "the storage writer answered a backup without one".to_string(),
            )),
        }
    }
}

/// The writer's state.
pub(crate) struct Writer {
    shared: Arc<Shared>,
    durability: Durability,
    /// The last audit and outbox sequence numbers committed.
    committed: Sequences,
    /// The last commit log position written.
    position: u64,
    /// Set after a failure that leaves the stored state uncertain.
    failed: Option<String>,
}

/// The overlay's cap, in checkpoint triggers: writers wait above it. Four triggers leave the
/// checkpointer room to finish one checkpoint while the next fills, and bound the memory
/// (64 MiB of changes by default) and the log to replay after a crash.
const OVERLAY_CAP_FACTOR: usize = 4;

/// The longest a writer waits for the checkpointer to make room in the overlay.
const ROOM_TIMEOUT: Duration = Duration::from_secs(120);

impl Writer {
    /// A writer continuing after the `committed` sequence numbers and log `position`.
    pub(crate) fn new(
        shared: Arc<Shared>,
        durability: Durability,
        committed: Sequences,
        position: u64,
    ) -> Writer {
        Writer {
            shared,
            durability,
            committed,
            position,
            failed: None,
        }
    }

    /// Stops the writer: every later request is refused until the store is reopened.
    pub(crate) fn stop(&mut self, reason: &str) {
        tracing::error!(reason, "storage writer stopped");
        self.failed.get_or_insert_with(|| reason.to_string());
    }

    /// Validates and commits one batch; one answer per work item, in order.
    pub(crate) fn process(&mut self, works: Vec<Work>) -> Vec<Answer> {
        if self.failed.is_none() {
            self.failed = self.shared.failure();
        }
        if let Some(reason) = &self.failed {
            let error = StoreError::Io(format!(
                "storage stopped after an earlier failure ({reason}); reopen the store"
            ));
            return works
                .iter()
                .map(|_| Answer::refused(error.clone()))
                .collect();
        }
        let mut answers: Vec<Option<Answer>> = works.iter().map(|_| None).collect();
        let mut backups = Vec::new();
        let mut plan = Plan::new(self.committed);
        let mut accepted: Vec<usize> = Vec::with_capacity(works.len());
        {
            // Only this writer adds to the overlay, so what the view shows stays current
            // until the batch is committed below (after the view is dropped).
            let view = self.shared.view();
            for (index, work) in works.into_iter().enumerate() {
                match work {
                    Work::Apply(writes) => match plan.admit(&view, writes) {
                        Ok(()) => accepted.push(index),
                        Err(error) => {
                            self.shared.counters.rejected();
                            set_answer(&mut answers, index, Answer::Applied(Err(error)));
                        }
                    },
                    Work::Backup(target) => backups.push((index, target)),
                }
            }
        }
        let outcome = self.commit(plan);
        match &outcome {
            Ok(()) => self.shared.counters.committed(accepted.len()),
            Err(error) => {
                tracing::error!(%error, requests = accepted.len(), "storage batch failed");
            }
        }
        for index in accepted {
            set_answer(&mut answers, index, Answer::Applied(outcome.clone()));
        }
        // Nothing is written while the writer checkpoints and dumps, so the snapshot is
        // consistent: sled alone holds the whole store once everything is checkpointed.
        for (index, target) in backups {
            let written = if self.failed.is_some() {
                Err(StoreError::Io(
                    "storage stopped after an earlier failure; reopen the store".to_string(),
                ))
            } else {
                checkpoint::with_all_checkpointed(&self.shared, || {
                    backup::write(&self.shared, &target)
                })
            };
            set_answer(&mut answers, index, Answer::Backup(written));
        }
        answers
            .into_iter()
            .map(|answer| {
                answer.unwrap_or_else(|| {
                    Answer::refused(StoreError::Io("request left unanswered".to_string()))
                })
            })
            .collect()
    }

    /// Logs the plan as one record, puts it in the overlay, and makes it durable as the
    /// mode promises.
    fn commit(&mut self, plan: Plan) -> Result<(), StoreError> {
        if plan.is_empty() {
            return Ok(());
        }
        let sequences = plan.sequences;
        let changes = plan.into_changes()?;
        self.wait_for_room()?;
        let position = self
            .position
            .checked_add(1)
            .ok_or_else(|| StoreError::Io("the commit log is out of positions".to_string()))?;
        let started = Instant::now();
        if let Some(log) = &self.shared.log {
            let id_high = self.shared.ids.load(Ordering::Acquire);
            let durable = self.shared.watermark.durable();
            let record = wal::encode(position, id_high, durable, &changes)?;
            if let Err(error) = log.append(position, &record) {
                // The log may end in part of this record: nothing more may follow it.
                self.failed = Some(error.to_string());
                return Err(error);
            }
        }
        // Readers see the batch only once it is in the log.
        self.shared.overlay.insert(position, changes);
        self.position = position;
        self.shared.counters.applied(started.elapsed());
        debug_assert!(sequences.audit >= self.committed.audit);
        debug_assert!(sequences.outbox >= self.committed.outbox);
        self.committed = sequences;
        self.shared.watermark.committed_through(position);
        if self.shared.overlay.bytes() >= self.shared.checkpoint_bytes {
            self.shared.checkpoint_signal.request();
        }
        #[cfg(test)]
        if let Some(hook) = &*self
            .shared
            .after_commit
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            && let Err(error) = hook()
        {
            // As if the process died here: the record is logged but never made durable.
            self.failed = Some(error.to_string());
            return Err(error);
        }
        if self.durability == Durability::Immediate {
            let durable = durable::make_durable(&self.shared);
            if let Err(error) = &durable {
                self.failed = Some(error.to_string());
            }
            return durable;
        }
        Ok(())
    }

    /// Waits while the overlay is over its cap (the checkpointer is behind).
    fn wait_for_room(&self) -> Result<(), StoreError> {
        let cap = self
            .shared
            .checkpoint_bytes
            .saturating_mul(OVERLAY_CAP_FACTOR);
        let deadline = Instant::now() + ROOM_TIMEOUT;
        // Bounded by the deadline and by a checkpointer failure.
        while self.shared.overlay.bytes() >= cap {
            self.shared.checkpoint_signal.request();
            if self
                .shared
                .overlay
                .wait_for_room(cap, Duration::from_millis(100))
            {
                break;
            }
            if let Some(reason) = self.shared.failure() {
                return Err(StoreError::Io(format!(
                    "storage stopped after an earlier failure ({reason}); reopen the store"
                )));
            }
            if Instant::now() >= deadline {
                return Err(StoreError::Io(
                    "the checkpointer fell behind: no room for more changes".to_string(),
                ));
            }
        }
        Ok(())
    }
}

/// Records the answer to the `index`th work item of a batch.
fn set_answer(answers: &mut [Option<Answer>], index: usize, answer: Answer) {
    if let Some(slot) = answers.get_mut(index) {
        *slot = Some(answer);
    }
}

/// The accepted changes of one batch and the state they leave behind.
struct Plan {
    changes: Vec<Change>,
    /// Versions of records written by accepted write sets of this batch.
    versions: HashMap<(RecordKind, Vec<u8>), u64>,
    /// Index keys set (`Some`) or removed (`None`) by accepted write sets of this batch.
    index_keys: HashMap<(IndexName, Vec<u8>), Option<u64>>,
    /// Report counter values as accepted write sets of this batch leave them.
    counters: HashMap<Vec<u8>, Decimal>,
    /// The sequence numbers the batch starts after.
    first: Sequences,
    /// The last sequence numbers handed out in this batch.
    sequences: Sequences,
}

impl Plan {
    fn new(committed: Sequences) -> Plan {
        Plan {
            changes: Vec::new(),
            versions: HashMap::new(),
            index_keys: HashMap::new(),
            counters: HashMap::new(),
            first: committed,
            sequences: committed,
        }
    }

    fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The version of `key` as the batch so far leaves it.
    fn current_version(&self, view: &View, key: &RecordKey) -> Result<Option<u64>, StoreError> {
        let id = key.id_bytes();
        if let Some(version) = self.versions.get(&(key.kind(), id.clone())) {
            return Ok(Some(*version));
        }
        match view.get(layout::record_slot(key.kind()), &id)? {
            Some(bytes) => {
                codec::decode_record_version(&layout::record_label(key), &bytes).map(Some)
            }
            None => Ok(None),
        }
    }

    /// The id an index key maps to as the batch so far leaves it.
    fn current_index(
        &self,
        view: &View,
        index: IndexName,
        key: &[u8],
    ) -> Result<Option<u64>, StoreError> {
        if let Some(id) = self.index_keys.get(&(index, key.to_vec())) {
            return Ok(*id);
        }
        match view.get(layout::index_slot(index), key)? {
            Some(bytes) => codec::decode_id(&layout::index_label(index, key), &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// A report counter's value as the batch so far leaves it (zero when absent).
    fn current_counter(&self, view: &View, key: &[u8]) -> Result<Decimal, StoreError> {
        if let Some(value) = self.counters.get(key) {
            return Ok(*value);
        }
        match view.get(layout::COUNTERS, key)? {
            Some(bytes) => codec::decode_amount(|| layout::counter_label(key), &bytes),
            None => Ok(Decimal::ZERO),
        }
    }

    /// The values a write set's counter deltas leave (read-modify-write against the batch's
    /// state: the writer is the only one writing, so no delta is lost).
    fn counter_values(
        &self,
        view: &View,
        writes: &WriteSet,
    ) -> Result<HashMap<Vec<u8>, Decimal>, StoreError> {
        let mut values: HashMap<Vec<u8>, Decimal> = HashMap::new();
        for delta in &writes.counters {
            let value = match values.get(&delta.key) {
                Some(value) => *value,
                None => self.current_counter(view, &delta.key)?,
            };
            let sum = value
                .checked_add(delta.delta)
                .ok_or_else(|| StoreError::Io("a report counter would overflow".to_string()))?;
            values.insert(delta.key.clone(), sum);
        }
        Ok(values)
    }

    /// Checks a write set against the batch's state and stages it, or rejects it whole.
    fn admit(&mut self, view: &View, writes: WriteSet) -> Result<(), StoreError> {
        self.check(view, &writes)?;
        let counters = self.counter_values(view, &writes)?;
        let mut counter_changes: Vec<Change> = Vec::with_capacity(counters.len());
        for (key, value) in &counters {
            let encoded = if value.is_zero() {
                None
            } else {
                Some(codec::encode_amount(*value)?)
            };
            counter_changes.push((layout::COUNTERS, key.clone(), encoded));
        }
        let versions: Vec<_> = writes
            .puts
            .iter()
            .map(|(record, expected)| {
                let key = record.key();
                ((key.kind(), key.id_bytes()), expected.next_version())
            })
            .collect();
        let removes = writes
            .index_removes
            .iter()
            .map(|e| ((e.index, e.key.clone()), None));
        let inserts = writes
            .index_inserts
            .iter()
            .map(|e| ((e.index, e.key.clone()), Some(e.id)));
        let index_keys: Vec<_> = removes.chain(inserts).collect();
        let (changes, sequences) = self.encode(writes)?;
        // Everything below is infallible: the write set is staged whole or not at all.
        // Later entries win, as they do in the sled batch.
        self.versions.extend(versions);
        self.index_keys.extend(index_keys);
        self.changes.extend(changes);
        self.changes.extend(counter_changes);
        self.counters.extend(counters);
        self.sequences = sequences;
        Ok(())
    }

    /// The contract's checks: versions (of the puts and of the read expectations, against
    /// the store as the batch's earlier write sets leave it), then unique index keys.
    fn check(&self, view: &View, writes: &WriteSet) -> Result<(), StoreError> {
        let puts = writes
            .puts
            .iter()
            .map(|(record, expected)| (record.key(), *expected));
        let reads = writes.reads.iter().cloned();
        for (key, expected) in puts.chain(reads) {
            if !expected.matches(self.current_version(view, &key)?) {
                return Err(StoreError::Conflict);
            }
        }
        for entry in writes.index_inserts.iter().filter(|e| e.index.is_unique()) {
            let removed_here = writes
                .index_removes
                .iter()
                .any(|r| r.index == entry.index && r.key == entry.key);
            if removed_here {
                continue;
            }
            match self.current_index(view, entry.index, &entry.key)? {
                Some(id) if id != entry.id => return Err(StoreError::Conflict),
                Some(_) | None => {}
            }
        }
        Ok(())
    }

    /// Encodes every change of a checked write set, in apply order (index removes before
    /// inserts, so a key removed and re-added ends up added), with sequence numbers.
    fn encode(&self, writes: WriteSet) -> Result<(Vec<Change>, Sequences), StoreError> {
        let mut changes: Vec<Change> = Vec::new();
        for (record, expected) in &writes.puts {
            let key = record.key();
            changes.push((
                layout::record_slot(key.kind()),
                key.id_bytes(),
                Some(codec::encode_record(expected.next_version(), record)?),
            ));
        }
        for entry in &writes.index_removes {
            changes.push((layout::index_slot(entry.index), entry.key.clone(), None));
        }
        for entry in &writes.index_inserts {
            changes.push((
                layout::index_slot(entry.index),
                entry.key.clone(),
                Some(codec::encode_id(entry.id)?),
            ));
        }
        let mut sequences = self.sequences;
        for record in writes.audit {
            sequences.audit = next_sequence(sequences.audit)?;
            let sequence = sequences.audit;
            for subject in &record.subjects {
                changes.push((
                    layout::AUDIT_BY_SUBJECT,
                    layout::subject_key(*subject, sequence),
                    Some(codec::encode_marker()),
                ));
            }
            let entry = AuditEntry { sequence, record };
            changes.push((
                layout::AUDIT,
                layout::sequence_key(sequence).to_vec(),
                Some(codec::encode_audit(&entry)?),
            ));
        }
        Ok((changes, sequences))
    }

    /// Every change in apply order, the meta sequence counters included (one log record).
    fn into_changes(mut self) -> Result<Vec<Change>, StoreError> {
        if self.sequences.audit != self.first.audit {
            self.changes.push((
                layout::META,
                layout::META_LAST_AUDIT.to_vec(),
                Some(codec::encode_counter(self.sequences.audit)?),
            ));
        }
        if self.sequences.outbox != self.first.outbox {
            self.changes.push((
                layout::META,
                layout::META_LAST_OUTBOX.to_vec(),
                Some(codec::encode_counter(self.sequences.outbox)?),
            ));
        }
        Ok(self.changes)
    }
}

/// The last audit and outbox sequence numbers handed out (each its own sequence, as in
/// the in-memory store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Sequences {
    /// Last audit entry.
    pub(crate) audit: u64,
    /// Last outbox message.
    pub(crate) outbox: u64,
}

fn next_sequence(sequence: u64) -> Result<u64, StoreError> {
    sequence
        .checked_add(1)
        .ok_or_else(|| StoreError::Io("audit/outbox sequence numbers are exhausted".to_string()))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use ordo_core::clock::Timestamp;
    use ordo_core::ids::OrderId;
    use ordo_core::store::{
        Expected, IdempotencyRecord, Record, RecordKey, Store, StoreError, WriteSet,
    };

    use crate::{Durability, SledStore, StoreConfig};

    /// A write set with one record.
    pub(crate) fn change(key: &str) -> WriteSet {
        let mut writes = WriteSet::new();
        writes.put(
            Record::Idempotency(IdempotencyRecord {
                key: key.to_string(),
                fingerprint: "f".to_string(),
                order: OrderId(1),
                created_at: Timestamp(0),
            }),
            Expected::Absent,
        );
        writes
    }

    /// Calls `store.sync()` on a thread; the receiver gets its result when it returns.
    fn sync_in_background(store: &Arc<SledStore>) -> mpsc::Receiver<Result<(), StoreError>> {
        let (done_tx, done_rx) = mpsc::channel();
        let store = store.clone();
        std::thread::spawn(move || done_tx.send(store.sync()).unwrap());
        done_rx
    }

    /// Regression: in `Immediate` mode a batch is readable between its sled commit and
    /// its `fsync`, and a dispatcher that claimed a delivery then could announce an order a
    /// power cut erases. The writer is paused inside that window: the record is already
    /// readable, but `sync` (what a dispatcher calls before sending) does not return until
    /// the batch is durable.
    #[test]
    fn sync_waits_until_what_was_committed_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Arc::new(SledStore::open(dir.path(), StoreConfig::new(Durability::Immediate)).unwrap());
        let (committed_tx, committed_rx) = mpsc::channel::<()>();
        let (resume_tx, resume_rx) = mpsc::channel::<()>();
        let resume_rx = std::sync::Mutex::new(resume_rx);
        *store.shared.after_commit.lock().unwrap() = Some(Box::new(move || {
            committed_tx.send(()).unwrap();
            resume_rx.lock().unwrap().recv().unwrap();
            Ok(())
        }));
        let writer = {
            let store = store.clone();
            std::thread::spawn(move || store.apply(change("first")))
        };
        committed_rx.recv_timeout(Duration::from_secs(30)).unwrap();
        // Inside the window: committed (readable) but not yet flushed and fsynced.
        let key = RecordKey::Idempotency("first".to_string());
        assert!(store.get(&key).unwrap().is_some(), "the batch is committed");
        let synced = sync_in_background(&store);
        assert!(
            synced.recv_timeout(Duration::from_millis(300)).is_err(),
            "sync returned before the batch was durable"
        );
        resume_tx.send(()).unwrap();
        writer.join().unwrap().unwrap();
        synced
            .recv_timeout(Duration::from_secs(30))
            .unwrap()
            .unwrap();
        *store.shared.after_commit.lock().unwrap() = None;
        store.apply(change("second")).unwrap();
        // Nothing outstanding: returns at once.
        store.sync().unwrap();
    }

    /// `Periodic` mode acknowledges before the data is durable; `sync` asks the flush
    /// thread for a round at once instead of waiting for its next tick (an hour here).
    #[test]
    fn in_periodic_mode_sync_makes_the_flush_thread_flush_now() {
        let dir = tempfile::tempdir().unwrap();
        let hourly = StoreConfig::new(Durability::Periodic {
            flush_every_ms: 3_600_000,
        });
        let store = Arc::new(SledStore::open(dir.path(), hourly).unwrap());
        store.apply(change("slow")).unwrap();
        let key = RecordKey::Idempotency("slow".to_string());
        assert!(
            store.get(&key).unwrap().is_some(),
            "acknowledged and readable"
        );
        let watermark = &store.shared.watermark;
        assert!(
            watermark.durable() < watermark.committed(),
            "not durable yet"
        );
        let started = Instant::now();
        sync_in_background(&store)
            .recv_timeout(Duration::from_secs(30))
            .unwrap()
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(30));
        let watermark = &store.shared.watermark;
        assert_eq!(
            watermark.durable(),
            watermark.committed(),
            "flushed at once"
        );
    }

    /// A power loss in `Periodic` mode: of what was written after the last flush round,
    /// the disk may keep any pages and lose others (the page cache writes back in no
    /// particular order). The store must open; every write set the round covered must be
    /// there, and of the later ones a prefix (never one without those before it).
    /// 24 seeds, each losing a random half of the unsynced pages.
    #[test]
    fn a_power_loss_in_periodic_mode_keeps_what_was_synced_and_a_prefix_of_the_rest() {
        const PAGE: usize = 4096;
        let hourly = StoreConfig::new(Durability::Periodic {
            flush_every_ms: 3_600_000,
        })
        .with_checkpoint_bytes(1 << 30)
        .with_checkpoint_every(Duration::from_secs(3600));
        let mut holes = 0;
        let mut kept_after_sync = 0;
        for seed in 0..24u64 {
            let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let mut next = move || {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng
            };
            let dir = tempfile::tempdir().unwrap();
            let synced = 1 + next() % 20;
            let unsynced = 50 + next() % 150;
            let durable = {
                let store = SledStore::open(dir.path(), hourly.clone()).unwrap();
                for n in 0..synced {
                    store.apply(change(&format!("synced {n}"))).unwrap();
                }
                store.sync().unwrap();
                for n in 0..unsynced {
                    store.apply(change(&format!("later {n}"))).unwrap();
                }
                let durable = store.shared.watermark.durable();
                assert!(durable < store.shared.watermark.committed());
                store
                    .shared
                    .crashed
                    .store(true, std::sync::atomic::Ordering::Release);
                durable
            };
            // The power loss: every page after the last synced record's end is lost or
            // kept at random (a page holding synced bytes was written whole by the sync).
            let log = dir.path().join(crate::wal::LOG_DIR);
            let segment = std::fs::read_dir(&log)
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path();
            let mut bytes = std::fs::read(&segment).unwrap();
            let original = bytes.clone();
            let records = crate::wal::record_spans(&bytes);
            let synced_end = records
                .iter()
                .find(|(record, _)| record.position == durable)
                .map(|(_, span)| span.end)
                .unwrap();
            let records_end = records.last().unwrap().1.end;
            let mut lost_pages = Vec::new();
            for page in (synced_end.div_ceil(PAGE)..records_end.div_ceil(PAGE)).map(|p| p * PAGE) {
                if next() % 2 == 0 {
                    let end = (page + PAGE).min(bytes.len());
                    bytes[page..end].fill(0);
                    lost_pages.push(page);
                }
            }
            std::fs::write(&segment, &bytes).unwrap();
            let first_bad = crate::wal::record_spans(&bytes).len();
            if records
                .iter()
                .skip(first_bad + 1)
                .any(|(_, span)| bytes[span.clone()] == original[span.clone()])
            {
                // A whole record on disk after a lost one: the rule before format 9
                // refused to open such a log.
                holes += 1;
            }
            let store = SledStore::open(dir.path(), hourly.clone())
                .unwrap_or_else(|e| panic!("seed {seed}: {e} (pages lost: {lost_pages:?})"));
            let present = |key: String| store.get(&RecordKey::Idempotency(key)).unwrap().is_some();
            for n in 0..synced {
                assert!(
                    present(format!("synced {n}")),
                    "seed {seed}: synced {n} lost"
                );
            }
            let kept = (0..unsynced)
                .take_while(|n| present(format!("later {n}")))
                .count() as u64;
            for n in kept..unsynced {
                assert!(
                    !present(format!("later {n}")),
                    "seed {seed}: later {n} kept without later {kept}"
                );
            }
            kept_after_sync += kept;
        }
        // Cases the old rule refused to open, and write sets kept beyond the sync.
        assert!(
            holes >= 6,
            "only {holes} seeds lost a page before a kept one"
        );
        assert!(kept_after_sync > 0);
    }

    /// Read expectations in a batch (the plan, without a running store).
    mod expectations {
        use ordo_core::clock::Timestamp;
        use ordo_core::ids::OrderId;
        use ordo_core::store::{
            Expected, IdempotencyRecord, Record, RecordKey, StoreError, WriteSet,
        };

        use super::super::{Plan, Sequences};
        use crate::layout::Trees;
        use crate::overlay::Overlay;

        fn put(key: &str, expected: Expected) -> WriteSet {
            let mut writes = WriteSet::new();
            writes.put(
                Record::Idempotency(IdempotencyRecord {
                    key: key.to_string(),
                    fingerprint: "f".to_string(),
                    order: OrderId(1),
                    created_at: Timestamp(0),
                }),
                expected,
            );
            writes
        }

        fn reading(key: &str, expected: Expected) -> WriteSet {
            let mut writes = WriteSet::new();
            writes.expect(RecordKey::Idempotency(key.to_string()), expected);
            writes
        }

        /// Within one batch, a read expectation sees what the batch's earlier accepted write
        /// sets leave behind (the overlay), exactly as a put's expected version does.
        #[test]
        fn read_expectations_are_checked_against_the_batch_overlay() {
            let db = sled::Config::new().temporary(true).open().unwrap();
            let trees = Trees::open(&db).unwrap();
            let mut plan = Plan::new(Sequences::default());
            let overlay = Overlay::new(0);
            let view = overlay.view(&trees);
            let admit = |plan: &mut Plan, writes| plan.admit(&view, writes);
            admit(&mut plan, put("a", Expected::Absent)).unwrap();
            // Nothing is committed yet, but the batch has written `a` at version 1.
            assert_eq!(
                admit(&mut plan, reading("a", Expected::Absent)),
                Err(StoreError::Conflict)
            );
            admit(&mut plan, reading("a", Expected::Version(1))).unwrap();
            admit(&mut plan, put("a", Expected::Version(1))).unwrap();
            assert_eq!(
                admit(&mut plan, reading("a", Expected::Version(1))),
                Err(StoreError::Conflict)
            );
            admit(&mut plan, reading("a", Expected::Version(2))).unwrap();
            admit(&mut plan, reading("b", Expected::Absent)).unwrap();
            // A read expectation writes nothing: only the two puts of `a` are staged.
            assert_eq!(plan.changes.len(), 2);
        }
    }
}
