//! [`SledStore`]: opening the database, the read path, and the hand-off of writes to the
//! single writer ([`crate::commit`], [`crate::writer`]).

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use ordo_core::audit::{AuditEntry, Subject};
use ordo_core::store::{
    IndexName, IndexRange, Record, RecordKey, RecordKind, ScanPage, SkippedRecord, Store,
    StoreError, Versioned, WriteSet, keys,
};

use crate::backup::BackupInfo;
use crate::codec;
use crate::commit::CommitQueue;
use crate::config::{Durability, StoreConfig};
use crate::datadir;
use crate::durable::{PeriodicFlusher, Watermark};
use crate::error::{from_io, from_sled, from_sled_open, writer_stopped};
use crate::layout::{self, Trees};
use crate::migrate;
use crate::stats::{Counters, StoreStats};
use crate::sync::FileSyncer;
use crate::writer::{Answer, Sequences, Work, Writer};

/// What the store and its writer share.
pub(crate) struct Shared {
    /// The database.
    pub(crate) db: sled::Db,
    /// Its trees.
    pub(crate) trees: Trees,
    /// Held shared by every read call and exclusively by the writer while it commits, so a
    /// read never sees part of a batch. Readers never wait for a flush or `fsync`.
    gate: RwLock<()>,
    /// The writer's statistics.
    pub(crate) counters: Counters,
    /// Added to sled's id counter (see [`layout::META_ID_OFFSET`]).
    id_offset: u64,
    /// Which committed batches are durable (`Store::sync` waits on it).
    pub(crate) watermark: Watermark,
    /// Set when making data durable failed in the background: the writer then refuses
    /// every request (fail-stop) until the store is reopened.
    failure: Mutex<Option<String>>,
    /// Test-only: run by the writer after a batch is committed and before it is made
    /// durable, so a test can look at the store inside that window.
    #[cfg(test)]
    pub(crate) after_commit: Mutex<Option<Box<dyn Fn() + Send>>>,
}

/// The longest [`Store::sync`] waits for data to become durable before reporting an error.
const SYNC_TIMEOUT: Duration = Duration::from_secs(60);

/// How [`SledStore::start`] runs the store it is given.
struct Opening {
    durability: Durability,
    /// `None` for a temporary store (nothing is `fsync`ed).
    syncer: Option<FileSyncer>,
    dir: Option<PathBuf>,
}

impl Shared {
    /// The last id handed out (or the id floor of a restored store, if higher): every id
    /// in use is at most this. Reads only, so a backup writes nothing to take it.
    ///
    /// # Errors
    /// `Corrupted` if the counter does not decode; `Io`.
    pub(crate) fn last_id(&self) -> Result<u64, StoreError> {
        let meta = self.trees.tree(layout::META);
        let last = match meta.get(layout::META_LAST_ID).map_err(from_sled)? {
            Some(bytes) => codec::decode_counter("meta/last_id", &bytes)?,
            None => 0,
        };
        Ok(last.max(self.id_offset))
    }

    /// A fresh id from a dense counter in the meta tree (ids people can read: 1, 2, 3, …,
    /// not sled's `generate_id`, which skips a million at every reopen). The counter is
    /// written to sled's log before any record that uses the id, and sled recovers a prefix
    /// of its log, so an id whose record survived a crash is never handed out again. A
    /// restored database starts above the floor its backup recorded.
    pub(crate) fn next_id(&self) -> Result<u64, StoreError> {
        let meta = self.trees.tree(layout::META);
        // Bounded: a lost compare-and-swap means another thread took an id meanwhile.
        for _ in 0..10_000 {
            let current = meta.get(layout::META_LAST_ID).map_err(from_sled)?;
            let last = match &current {
                Some(bytes) => codec::decode_counter("meta/last_id", bytes)?,
                None => 0,
            };
            let next = last
                .max(self.id_offset)
                .checked_add(1)
                .ok_or_else(|| StoreError::Io("ids are exhausted".to_string()))?;
            let swapped = meta
                .compare_and_swap(
                    layout::META_LAST_ID,
                    current,
                    Some(codec::encode_counter(next)?),
                )
                .map_err(|e| StoreError::Io(e.to_string()))?;
            if swapped.is_ok() {
                return Ok(next);
            }
        }
        Err(StoreError::Io(
            "could not allocate an id under contention".to_string(),
        ))
    }

    /// Records a failure that leaves durability uncertain (see [`Shared::failure`]).
    pub(crate) fn fail(&self, reason: &str) {
        tracing::error!(reason, "storage stopped");
        let mut failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        failure.get_or_insert_with(|| reason.to_string());
    }

    /// The failure recorded by [`Shared::fail`], if any.
    pub(crate) fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn read_gate(&self) -> RwLockReadGuard<'_, ()> {
        // Poisoning would mean a panic while holding `()`: there is no state to be torn.
        self.gate.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The writer's exclusive hold while it commits a batch.
    pub(crate) fn write_gate(&self) -> RwLockWriteGuard<'_, ()> {
        self.gate.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// A durable [`Store`] on sled. Cheap to share behind an `Arc`; every method may be called
/// from any thread. See the [crate documentation](crate) for the durability promises.
pub struct SledStore {
    pub(crate) shared: Arc<Shared>,
    /// The queue in front of the writer (`None` only while dropping).
    commits: Option<CommitQueue>,
    /// `Periodic` mode's flush thread.
    flusher: Option<PeriodicFlusher>,
    dir: Option<PathBuf>,
    durability: Durability,
    /// Declared after `shared`, so it is dropped after the database: waits until sled has
    /// released the directory's lock (see [`LockRelease`]).
    _lock_release: LockRelease,
}

impl std::fmt::Debug for SledStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledStore")
            .field("dir", &self.dir)
            .field("durability", &self.durability)
            .finish_non_exhaustive()
    }
}

impl SledStore {
    /// Opens (creating if needed) the store in `dir`.
    ///
    /// A restore into `dir` that a crash interrupted is completed or undone first (see
    /// [`crate::backup::restore`]). Everything found at open is `fsync`ed before the store
    /// is used (also in `Periodic` mode), so whatever a reader sees at first is durable.
    /// A new store gets its marker file (see `docs/storage-format.md`).
    ///
    /// # Errors
    /// `Locked` if another process has the directory open, or a restore into it is
    /// running while it is missing; `Corrupted` if the database
    /// was written by an unknown storage format version or sled finds its files damaged;
    /// `Io` if the directory cannot be created, read or synced, or `flush_every_ms` is 0.
    pub fn open(dir: &Path, config: StoreConfig) -> Result<SledStore, StoreError> {
        let flush_every_ms = match config.durability {
            // sled's background flush still runs; the writer adds a flush per batch.
            Durability::Immediate => 500,
            Durability::Periodic { flush_every_ms: 0 } => {
                return Err(StoreError::Io(
                    "flush_every_ms must be at least 1 millisecond".to_string(),
                ));
            }
            Durability::Periodic { flush_every_ms } => flush_every_ms,
        };
        // A restore into `dir` that a crash interrupted is completed or undone first.
        datadir::recover(dir)?;
        std::fs::create_dir_all(dir)
            .map_err(|e| from_io(&format!("cannot create {}", dir.display()), &e))?;
        let db = sled::Config::new()
            .path(dir)
            .flush_every_ms(Some(flush_every_ms))
            .open()
            .map_err(|e| from_sled_open(dir, e))?;
        let trees = Trees::open(&db)?;
        let committed = prepare_meta(&db, &trees, Some(dir))?;
        let opened = datadir::mark(dir)?;
        let syncer = FileSyncer::new(dir, opened)?;
        let opening = Opening {
            durability: config.durability,
            syncer: Some(syncer),
            dir: Some(dir.to_path_buf()),
        };
        SledStore::start(db, trees, committed, opening)
    }

    /// A store in a fresh temporary directory, deleted when the store is dropped (tests).
    /// Writes are flushed per batch as in `Immediate` mode but not `fsync`ed.
    ///
    /// # Errors
    /// `Io` if sled cannot create its files.
    pub fn temporary() -> Result<SledStore, StoreError> {
        let db = sled::Config::new()
            .temporary(true)
            .open()
            .map_err(from_sled)?;
        let trees = Trees::open(&db)?;
        let committed = prepare_meta(&db, &trees, None)?;
        let opening = Opening {
            durability: Durability::Immediate,
            syncer: None,
            dir: None,
        };
        SledStore::start(db, trees, committed, opening)
    }

    /// The directory the store lives in (`None` for a temporary store).
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Writes a consistent snapshot of the whole store to `file` (see [`crate::backup`]):
    /// the writer finishes the batch in hand, then dumps every tree while no write can
    /// land; reads continue meanwhile and writes wait. The file appears atomically (it is
    /// written beside it and renamed) and is `fsync`ed. Values that do not decode are
    /// copied as stored and listed in [`BackupInfo::undecodable`].
    ///
    /// # Errors
    /// `Io` if the file cannot be written or the store cannot be read.
    pub fn backup(&self, file: &Path) -> Result<BackupInfo, StoreError> {
        self.submit(Work::Backup(file.to_path_buf())).backup()
    }

    /// The writer's counters since the store was opened (batching, flush and `fsync`
    /// cost).
    pub fn stats(&self) -> StoreStats {
        self.shared.counters.snapshot()
    }

    /// The durability mode the store was opened with.
    pub fn durability(&self) -> Durability {
        self.durability
    }

    fn start(
        db: sled::Db,
        trees: Trees,
        committed: Sequences,
        opening: Opening,
    ) -> Result<SledStore, StoreError> {
        let id_offset = match trees
            .tree(layout::META)
            .get(layout::META_ID_OFFSET)
            .map_err(from_sled)?
        {
            Some(bytes) => codec::decode_counter("meta/id_offset", &bytes)?,
            None => 0,
        };
        let shared = Arc::new(Shared {
            db,
            trees,
            gate: RwLock::new(()),
            counters: Counters::default(),
            id_offset,
            watermark: Watermark::new(),
            failure: Mutex::new(None),
            #[cfg(test)]
            after_commit: Mutex::new(None),
        });
        let Opening {
            durability,
            syncer,
            dir,
        } = opening;
        let (writer, flusher) = match durability {
            Durability::Immediate => (
                Writer::new(shared.clone(), durability, syncer, committed),
                None,
            ),
            Durability::Periodic { flush_every_ms } => {
                let every = Duration::from_millis(flush_every_ms);
                let flusher = PeriodicFlusher::spawn(shared.clone(), syncer, every)?;
                (
                    Writer::new(shared.clone(), durability, None, committed),
                    Some(flusher),
                )
            }
        };
        Ok(SledStore {
            shared,
            commits: Some(CommitQueue::new(writer)),
            flusher,
            _lock_release: LockRelease(dir.clone()),
            dir,
            durability,
        })
    }

    /// Hands work to the writer (see [`crate::commit`]) and waits for its answer.
    fn submit(&self, work: Work) -> Answer {
        match &self.commits {
            Some(commits) => commits.submit(work),
            None => Answer::refused(writer_stopped()),
        }
    }

    /// Reads the entries of `kind` in key order starting at `start`: each key with its
    /// record, or the reason it does not decode. Only sled failing is an error here.
    fn scan_from(
        &self,
        kind: RecordKind,
        start: Bound<Vec<u8>>,
        limit: usize,
    ) -> Result<Vec<ScannedEntry>, StoreError> {
        let tree = self.shared.trees.records(kind);
        let mut out = Vec::new();
        for item in tree.range((start, Bound::Unbounded)).take(limit) {
            let (key, bytes) = item.map_err(from_sled)?;
            let label = format!("{}/{}", layout::record_tree_name(kind), layout::hex(&key));
            let entry = codec::decode_record(&label, &bytes).and_then(|(version, value)| {
                if value.key().kind() != kind || value.key().id_bytes() != key.as_ref() {
                    return Err(misplaced(&label, &value.key()));
                }
                Ok(Versioned { version, value })
            });
            out.push((key, entry));
        }
        Ok(out)
    }

    /// Where a scan of `kind` after `after` starts (`None`: nothing to scan).
    fn scan_start(kind: RecordKind, after: Option<&RecordKey>) -> Option<Bound<Vec<u8>>> {
        // Keys order first by kind (as `RecordKey` does), then by their bytes.
        match after {
            None => Some(Bound::Unbounded),
            Some(key) if key.kind() < kind => Some(Bound::Unbounded),
            Some(key) if key.kind() > kind => None,
            Some(key) => Some(Bound::Excluded(key.id_bytes())),
        }
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        // No call is in progress (`drop` has the store to itself): the writer is idle.
        if let Some(commits) = self.commits.take() {
            drop(commits.into_writer());
        }
        // Its last round makes a clean close durable.
        drop(self.flusher.take());
        if let Err(error) = self.shared.db.flush() {
            tracing::error!(%error, "final flush of the store failed");
        }
    }
}

/// One entry of a record tree: its key, and its record or why it does not decode.
type ScannedEntry = (sled::IVec, Result<Versioned<Record>, StoreError>);

/// Waits, when dropped, until the database file's lock is free again.
///
/// sled releases its lock on `db` when the last of its internal handles closes, and
/// some belong to its background threads, which can outlive the `Db` by a moment. Without
/// this wait, reopening a directory right after dropping its store (in the same process)
/// could fail with `Locked`. Bounded: after [`LOCK_RELEASE_WAIT`] it gives up and logs.
struct LockRelease(Option<PathBuf>);

/// The longest [`LockRelease`] waits.
const LOCK_RELEASE_WAIT: Duration = Duration::from_secs(10);

impl Drop for LockRelease {
    fn drop(&mut self) {
        if let Some(dir) = &self.0 {
            wait_for_unlock(dir, LOCK_RELEASE_WAIT);
        }
    }
}

/// Waits up to `wait` until no one holds the lock on the database file in `dir`; true if
/// it is free (or there is no database).
pub(crate) fn wait_for_unlock(dir: &Path, wait: Duration) -> bool {
    let Ok(file) = std::fs::File::open(dir.join("db")) else {
        return true;
    };
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            // Closing `file` releases the probe's own lock.
            Ok(()) => return true,
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                tracing::warn!(dir = %dir.display(), "the database lock is still held");
                return false;
            }
            Err(std::fs::TryLockError::Error(error)) => {
                tracing::warn!(%error, dir = %dir.display(), "cannot probe the database lock");
                return false;
            }
        }
    }
}

/// A record whose bytes decode but that is stored under another key.
fn misplaced(label: &str, found: &RecordKey) -> StoreError {
    StoreError::Corrupted {
        key: label.to_string(),
        reason: format!("holds the record of {found}"),
    }
}

/// Checks (or, for a new database, writes) the format version, migrating a database of
/// the previous format first (see [`migrate`]); returns the last sequence numbers handed
/// out.
fn prepare_meta(db: &sled::Db, trees: &Trees, dir: Option<&Path>) -> Result<Sequences, StoreError> {
    let meta = trees.tree(layout::META);
    let format_label = "meta/format_version";
    match meta.get(layout::META_FORMAT_VERSION).map_err(from_sled)? {
        Some(bytes) => {
            let version = codec::decode_counter_any_schema(format_label, &bytes)?;
            if (migrate::OLDEST_FORMAT_VERSION..layout::STORAGE_FORMAT_VERSION).contains(&version) {
                migrate::migrate(db, trees, dir)?;
            } else if version != layout::STORAGE_FORMAT_VERSION {
                return Err(StoreError::Corrupted {
                    key: format_label.to_string(),
                    reason: format!(
                        "storage format version {version} is not the version this build \
                         reads ({}); use the ordo release that wrote it",
                        layout::STORAGE_FORMAT_VERSION
                    ),
                });
            }
        }
        None => {
            meta.insert(
                layout::META_FORMAT_VERSION,
                codec::encode_counter(layout::STORAGE_FORMAT_VERSION)?,
            )
            .map_err(from_sled)?;
            db.flush().map_err(from_sled)?;
        }
    }
    Ok(Sequences {
        audit: last_sequence(trees, layout::META_LAST_AUDIT, layout::AUDIT)?,
        outbox: last_sequence(trees, layout::META_LAST_OUTBOX, layout::OUTBOX)?,
    })
}

/// The last sequence number of the audit trail or the outbox: the meta counter, which is
/// written in the same transaction as the entries. The tree's largest key is a
/// cross-check that costs one lookup (the outbox counter is the only record of acked
/// messages, so the counter is what prevents reuse).
fn last_sequence(trees: &Trees, counter: &[u8], slot: layout::Slot) -> Result<u64, StoreError> {
    let label = format!("meta/{}", String::from_utf8_lossy(counter));
    let recorded = match trees.tree(layout::META).get(counter).map_err(from_sled)? {
        Some(bytes) => codec::decode_counter(&label, &bytes)?,
        None => 0,
    };
    let largest = match trees.tree(slot).last().map_err(from_sled)? {
        Some((key, _)) => layout::sequence_of(&key)
            .filter(|_| key.len() == 8)
            .ok_or_else(|| StoreError::Corrupted {
                key: layout::hex(&key),
                reason: "is not a sequence number".to_string(),
            })?,
        None => 0,
    };
    if largest > recorded {
        return Err(StoreError::Corrupted {
            key: label,
            reason: format!("is {recorded}, behind the stored entry {largest}"),
        });
    }
    Ok(recorded)
}

fn slice_bound(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

impl Store for SledStore {
    fn next_id(&self) -> Result<u64, StoreError> {
        self.shared.next_id()
    }

    fn get(&self, key: &RecordKey) -> Result<Option<Versioned<Record>>, StoreError> {
        let _gate = self.shared.read_gate();
        let Some(bytes) = self
            .shared
            .trees
            .records(key.kind())
            .get(key.id_bytes())
            .map_err(from_sled)?
        else {
            return Ok(None);
        };
        let label = layout::record_label(key);
        let (version, value) = codec::decode_record(&label, &bytes)?;
        if &value.key() != key {
            return Err(misplaced(&label, &value.key()));
        }
        Ok(Some(Versioned { version, value }))
    }

    fn scan(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<Vec<Versioned<Record>>, StoreError> {
        let Some(start) = SledStore::scan_start(kind, after).filter(|_| limit > 0) else {
            return Ok(Vec::new());
        };
        let _gate = self.shared.read_gate();
        self.scan_from(kind, start, limit)?
            .into_iter()
            .map(|(_, entry)| entry)
            .collect()
    }

    fn scan_listing(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        let Some(start) = SledStore::scan_start(kind, after).filter(|_| limit > 0) else {
            return Ok(ScanPage::default());
        };
        let _gate = self.shared.read_gate();
        let mut page = ScanPage::default();
        for (key, entry) in self.scan_from(kind, start, limit)? {
            match entry {
                Ok(record) => page.records.push(record),
                Err(StoreError::Corrupted { key: label, reason }) => {
                    // A key that names no record of this kind is damage beyond one record.
                    let key = RecordKey::from_id_bytes(kind, &key).ok_or_else(|| {
                        StoreError::Corrupted {
                            key: label,
                            reason: "the key names no record of this kind".to_string(),
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
        let _gate = self.shared.read_gate();
        match self.shared.trees.index(index).get(key).map_err(from_sled)? {
            Some(bytes) => codec::decode_id(&layout::index_label(index, key), &bytes).map(Some),
            None => Ok(None),
        }
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
        let _gate = self.shared.read_gate();
        let tree = self.shared.trees.index(index);
        let bounds = (slice_bound(&range.start), slice_bound(&range.end));
        let entries = tree.range::<&[u8], _>(bounds);
        let decode = |item: sled::Result<(sled::IVec, sled::IVec)>| {
            let (key, bytes) = item.map_err(from_sled)?;
            let id = codec::decode_id(&layout::index_label(index, &key), &bytes)?;
            Ok((key.to_vec(), id))
        };
        if range.reverse {
            entries.rev().take(limit).map(decode).collect()
        } else {
            entries.take(limit).map(decode).collect()
        }
    }

    fn counters(
        &self,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, rust_decimal::Decimal)>, StoreError> {
        if range.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let _gate = self.shared.read_gate();
        let bounds = (slice_bound(&range.start), slice_bound(&range.end));
        let entries = self.shared.trees.counters().range::<&[u8], _>(bounds);
        let decode = |item: sled::Result<(sled::IVec, sled::IVec)>| {
            let (key, bytes) = item.map_err(from_sled)?;
            let value = codec::decode_amount(|| layout::counter_label(&key), &bytes)?;
            Ok((key.to_vec(), value))
        };
        if range.reverse {
            entries.rev().take(limit).map(decode).collect()
        } else {
            entries.take(limit).map(decode).collect()
        }
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
        let from = after.map_or(0, |a| a.saturating_add(1));
        let prefix = layout::subject_prefix(subject);
        let start = layout::subject_key(subject, from);
        let end = keys::prefix_end(&prefix).map_or(Bound::Unbounded, Bound::Excluded);
        let _gate = self.shared.read_gate();
        let by_subject = self.shared.trees.tree(layout::AUDIT_BY_SUBJECT);
        let audit = self.shared.trees.tree(layout::AUDIT);
        let mut out = Vec::new();
        for item in by_subject.range((Bound::Included(start), end)).take(limit) {
            let (key, marker) = item.map_err(from_sled)?;
            let label = format!("audit_by_subject/{}", layout::hex(&key));
            codec::decode_marker(&label, &marker)?;
            let sequence = layout::sequence_of(&key).ok_or_else(|| StoreError::Corrupted {
                key: label.clone(),
                reason: "key is too short for a sequence number".to_string(),
            })?;
            let entry_label = format!("audit/{sequence}");
            let bytes = audit
                .get(layout::sequence_key(sequence))
                .map_err(from_sled)?
                .ok_or_else(|| StoreError::Corrupted {
                    key: label.clone(),
                    reason: format!("points to the missing entry {entry_label}"),
                })?;
            let entry = codec::decode_audit(&entry_label, &bytes)?;
            if entry.sequence != sequence || !entry.record.subjects.contains(&subject) {
                return Err(StoreError::Corrupted {
                    key: entry_label,
                    reason: format!("does not match its index entry {label}"),
                });
            }
            out.push(entry);
        }
        Ok(out)
    }

    fn sync(&self) -> Result<(), StoreError> {
        let watermark = &self.shared.watermark;
        let target = watermark.committed();
        if watermark.durable() >= target {
            return Ok(());
        }
        if let Some(flusher) = &self.flusher {
            flusher.flush_now();
        }
        // Bounded: a writer or flush thread that failed stops the wait at its next check.
        let deadline = Instant::now() + SYNC_TIMEOUT;
        while !watermark.wait_for(target, Duration::from_millis(100)) {
            if let Some(reason) = self.shared.failure() {
                return Err(StoreError::Io(format!(
                    "storage stopped after an earlier failure ({reason}); reopen the store"
                )));
            }
            if Instant::now() >= deadline {
                return Err(StoreError::Io(format!(
                    "the data did not become durable within {} seconds",
                    SYNC_TIMEOUT.as_secs()
                )));
            }
        }
        Ok(())
    }

    fn apply(&self, writes: WriteSet) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        self.submit(Work::Apply(writes)).applied()
    }
}
