//! [`SledStore`]: opening the database, the read path, and the hand-off of writes to the
//! single writer ([`crate::commit`], [`crate::writer`]).

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ordo_core::audit::{AuditEntry, Subject};
use ordo_core::store::{
    IndexName, IndexRange, Record, RecordKey, RecordKind, ScanPage, SkippedRecord, Store,
    StoreError, Versioned, WriteSet, keys,
};

use crate::backup::BackupInfo;
use crate::checkpoint::{self, Checkpointer};
use crate::codec;
use crate::commit::CommitQueue;
use crate::config::{Durability, StoreConfig};
use crate::datadir;
use crate::durable::{PeriodicFlusher, Watermark};
use crate::error::{from_io, from_sled, from_sled_open, writer_stopped};
use crate::layout::{self, Trees};
use crate::migrate;
use crate::overlay::{Overlay, View};
use crate::stats::{Counters, StoreStats};
use crate::sync::FileSyncer;
use crate::wal::{Log, Recovered};
use crate::writer::{Answer, Sequences, Work, Writer};

/// The storage formats upgraded at open by moving the version alone (see
/// `docs/storage-format.md`): format 7 has no commit log (its log starts empty), format 8's
/// log records have no durability mark (the log reads them as they are).
const VERSION_ONLY_UPGRADES: [u64; 2] = [7, 8];

/// sled's own background flush interval (durability never rests on it: the commit log is
/// the commit point and checkpoints flush and `fsync` sled themselves).
const SLED_FLUSH_EVERY_MS: u64 = 1000;

/// What the store, its writer and its checkpointer share.
pub(crate) struct Shared {
    /// The database: the checkpointed copy of the store.
    pub(crate) db: sled::Db,
    /// Its trees.
    pub(crate) trees: Trees,
    /// Accepted changes not yet checkpointed into sled (every read looks here first; its
    /// lock is the read gate: a read never sees part of a batch).
    pub(crate) overlay: Overlay,
    /// The commit log (`None` for a temporary store, which promises nothing across a crash).
    pub(crate) log: Option<Log>,
    /// The last id handed out (see [`Shared::next_id`]).
    pub(crate) ids: AtomicU64,
    /// The id counter as the last checkpoint wrote it to sled.
    pub(crate) ids_checkpointed: AtomicU64,
    /// The log position the last checkpoint recorded in sled.
    pub(crate) checkpointed: AtomicU64,
    /// Serializes checkpoints; holds the `fsync` handles of sled's files (`None` for a
    /// temporary store).
    checkpoint: Mutex<Option<FileSyncer>>,
    /// Wakes the checkpoint thread.
    pub(crate) checkpoint_signal: checkpoint::Signal,
    /// Overlay bytes that trigger a checkpoint (writers wait at four times this).
    pub(crate) checkpoint_bytes: usize,
    /// How often a checkpoint runs while the overlay holds anything.
    pub(crate) checkpoint_every: Duration,
    /// How many log records the open replayed (0 after a clean close).
    pub(crate) replayed: u64,
    /// The writer's statistics.
    pub(crate) counters: Counters,
    /// Which committed log positions are durable (`Store::sync` waits on it).
    pub(crate) watermark: Watermark,
    /// Set when making data durable failed in the background: the writer then refuses
    /// every request (fail-stop) until the store is reopened.
    failure: Mutex<Option<String>>,
    /// Test-only: run by the writer after a batch is committed and before it is made
    /// durable, so a test can look at the store inside that window; an error stops the
    /// writer there (as if the process died between the log append and its `fdatasync`).
    #[cfg(test)]
    pub(crate) after_commit: Mutex<Option<AfterCommit>>,
    /// Test-only: where checkpoints stop, as if the process died there.
    #[cfg(test)]
    pub(crate) stop_checkpoints: Mutex<Option<checkpoint::Stop>>,
    /// Test-only: the store "crashed": closing it writes nothing more.
    #[cfg(test)]
    pub(crate) crashed: std::sync::atomic::AtomicBool,
}

/// Test-only: the hook the writer runs between a log append and its `fdatasync`.
#[cfg(test)]
pub(crate) type AfterCommit = Box<dyn Fn() -> Result<(), StoreError> + Send>;

/// The longest [`Store::sync`] waits for data to become durable before reporting an error.
const SYNC_TIMEOUT: Duration = Duration::from_secs(60);

/// How [`SledStore::start`] runs the store it is given.
struct Opening {
    durability: Durability,
    /// `None` for a temporary store (nothing is `fsync`ed).
    syncer: Option<FileSyncer>,
    dir: Option<PathBuf>,
    /// The log and the overlay it was replayed into (`None`: no log, empty overlay).
    recovered: Option<(Recovered, Overlay)>,
    checkpoint_bytes: usize,
    checkpoint_every: Duration,
    read_cache_bytes: usize,
}

impl Shared {
    /// The last id handed out (or the id floor of a restored store, if higher): every id
    /// in use is at most this. Reads only, so a backup writes nothing to take it.
    ///
    /// # Errors
    /// Never today; kept fallible for the callers' shape.
    pub(crate) fn last_id(&self) -> Result<u64, StoreError> {
        Ok(self.ids.load(Ordering::Acquire))
    }

    /// A fresh id from a dense counter (ids people can read: 1, 2, 3, …). The counter
    /// lives in memory; every commit log record carries its value when written (at least
    /// every id a write set in it could use, since callers take ids before they apply),
    /// the checkpointer writes it to sled's meta tree, and at open it restarts from the
    /// highest of the two (and the id floor of a restored store): an id whose record
    /// survived a crash is never handed out again.
    pub(crate) fn next_id(&self) -> Result<u64, StoreError> {
        self.ids
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |last| {
                last.checked_add(1)
            })
            .map(|last| last + 1)
            .map_err(|_| StoreError::Io("ids are exhausted".to_string()))
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

    /// A consistent read of the store: overlay, then sled.
    pub(crate) fn view(&self) -> View<'_> {
        self.overlay.view(&self.trees)
    }

    /// The checkpoint lock (see [`crate::checkpoint`]).
    pub(crate) fn checkpoint_lock(&self) -> std::sync::MutexGuard<'_, Option<FileSyncer>> {
        self.checkpoint.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a test made the store "crash" (closing then writes nothing more).
    pub(crate) fn crashed(&self) -> bool {
        #[cfg(test)]
        {
            self.crashed.load(Ordering::Acquire)
        }
        #[cfg(not(test))]
        {
            false
        }
    }

    /// Whether a test stops checkpoints at `stop`.
    #[cfg(test)]
    pub(crate) fn stops_at(&self, stop: checkpoint::Stop) -> bool {
        *self
            .stop_checkpoints
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            == Some(stop)
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
    /// The checkpoint thread.
    checkpointer: Option<Checkpointer>,
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
    /// The commit log written since the last checkpoint is replayed (a torn record at its
    /// end is cut off; nothing to replay after a clean close). A new store gets its marker
    /// file (see `docs/storage-format.md`).
    ///
    /// # Errors
    /// `Locked` if another process has the directory open, or a restore into it is
    /// running while it is missing; `Corrupted` if the database
    /// was written by an unknown storage format version, sled finds its files damaged, or
    /// the commit log holds a damaged record before valid ones or misses records; `Io` if
    /// the directory cannot be created, read or synced, or `flush_every_ms` is 0.
    pub fn open(dir: &Path, config: StoreConfig) -> Result<SledStore, StoreError> {
        if config.durability == (Durability::Periodic { flush_every_ms: 0 }) {
            return Err(StoreError::Io(
                "flush_every_ms must be at least 1 millisecond".to_string(),
            ));
        }
        // A restore into `dir` that a crash interrupted is completed or undone first.
        datadir::recover(dir)?;
        std::fs::create_dir_all(dir)
            .map_err(|e| from_io(&format!("cannot create {}", dir.display()), &e))?;
        // sled's own background flush promises nothing here: checkpoints flush and fsync.
        let db = sled::Config::new()
            .path(dir)
            .flush_every_ms(Some(SLED_FLUSH_EVERY_MS))
            .open()
            .map_err(|e| from_sled_open(dir, e))?;
        let trees = Trees::open(&db)?;
        prepare_meta(&db, &trees, Some(dir))?;
        let opened = datadir::mark(dir)?;
        let syncer = FileSyncer::new(dir, opened)?;
        let checkpointed = read_counter(&trees, layout::META_LOG_POSITION)?;
        let overlay = Overlay::new(checkpointed).with_read_cache(config.read_cache_bytes());
        let started = Instant::now();
        let recovered = Log::open(dir, checkpointed, |record| {
            overlay.insert(record.position, record.changes);
            Ok(())
        })?;
        if recovered.replayed > 0 {
            tracing::info!(
                records = recovered.replayed,
                through = recovered.last_position,
                took_ms = started.elapsed().as_millis() as u64,
                "replayed the commit log after an unclean close"
            );
        }
        let opening = Opening {
            durability: config.durability,
            syncer: Some(syncer),
            dir: Some(dir.to_path_buf()),
            recovered: Some((recovered, overlay)),
            checkpoint_bytes: config.checkpoint_bytes(),
            checkpoint_every: config.checkpoint_every(),
            read_cache_bytes: config.read_cache_bytes(),
        };
        SledStore::start(db, trees, opening)
    }

    /// A store in a fresh temporary directory, deleted when the store is dropped (tests).
    /// Writes go through the overlay and checkpoints as in a store on disk, but there is no
    /// commit log and nothing is `fsync`ed.
    ///
    /// # Errors
    /// `Io` if sled cannot create its files.
    pub fn temporary() -> Result<SledStore, StoreError> {
        SledStore::temporary_with(StoreConfig::default())
    }

    /// [`SledStore::temporary`] with `config`'s checkpoint trigger (tests).
    pub(crate) fn temporary_with(config: StoreConfig) -> Result<SledStore, StoreError> {
        let db = sled::Config::new()
            .temporary(true)
            .open()
            .map_err(from_sled)?;
        let trees = Trees::open(&db)?;
        prepare_meta(&db, &trees, None)?;
        let opening = Opening {
            durability: Durability::Immediate,
            syncer: None,
            dir: None,
            recovered: None,
            checkpoint_bytes: config.checkpoint_bytes(),
            checkpoint_every: config.checkpoint_every(),
            read_cache_bytes: config.read_cache_bytes(),
        };
        SledStore::start(db, trees, opening)
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

    /// Moves every accepted change into sled now (what the checkpointer does every few
    /// seconds and on close) and lets the commit log shrink. Never needed for durability;
    /// useful to measure a workload with its deferred work paid, or to bound the log a
    /// crash would leave to replay.
    ///
    /// # Errors
    /// `Io` (or `Corrupted`) from the log, sled or an `fsync`; the store then refuses
    /// further writes, as after a failed checkpoint in the background.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        checkpoint::checkpoint(&self.shared).inspect_err(|error| {
            self.shared.fail(&format!("checkpoint failed: {error}"));
        })
    }

    /// How many commit log records the open replayed: 0 after a clean close, the batches
    /// accepted after the last checkpoint after a crash.
    pub fn replayed_at_open(&self) -> u64 {
        self.shared.replayed
    }

    /// The durability mode the store was opened with.
    pub fn durability(&self) -> Durability {
        self.durability
    }

    fn start(db: sled::Db, trees: Trees, opening: Opening) -> Result<SledStore, StoreError> {
        let Opening {
            durability,
            syncer,
            dir,
            recovered,
            checkpoint_bytes,
            checkpoint_every,
            read_cache_bytes,
        } = opening;
        let sled_ids = read_counter(&trees, layout::META_LAST_ID)?;
        let id_floor = read_counter(&trees, layout::META_ID_OFFSET)?;
        let checkpointed = read_counter(&trees, layout::META_LOG_POSITION)?;
        let (log, overlay, last_position, logged_ids, replayed) = match recovered {
            Some((recovered, overlay)) => (
                Some(recovered.log),
                overlay,
                recovered.last_position,
                recovered.id_high,
                recovered.replayed,
            ),
            None => (
                None,
                Overlay::new(checkpointed).with_read_cache(read_cache_bytes),
                checkpointed,
                0,
                0,
            ),
        };
        let shared = Arc::new(Shared {
            db,
            trees,
            overlay,
            log,
            ids: AtomicU64::new(sled_ids.max(id_floor).max(logged_ids)),
            ids_checkpointed: AtomicU64::new(sled_ids),
            checkpointed: AtomicU64::new(checkpointed),
            checkpoint: Mutex::new(syncer),
            checkpoint_signal: checkpoint::Signal::default(),
            checkpoint_bytes,
            checkpoint_every,
            replayed,
            counters: Counters::default(),
            watermark: Watermark::starting_at(last_position),
            failure: Mutex::new(None),
            #[cfg(test)]
            after_commit: Mutex::new(None),
            #[cfg(test)]
            stop_checkpoints: Mutex::new(None),
            #[cfg(test)]
            crashed: std::sync::atomic::AtomicBool::new(false),
        });
        let committed = {
            let view = shared.view();
            Sequences {
                audit: last_sequence(&view, layout::META_LAST_AUDIT, layout::AUDIT)?,
                outbox: last_sequence(&view, layout::META_LAST_OUTBOX, layout::OUTBOX)?,
            }
        };
        let writer = Writer::new(shared.clone(), durability, committed, last_position);
        let flusher = match durability {
            Durability::Immediate => None,
            Durability::Periodic { flush_every_ms } => Some(PeriodicFlusher::spawn(
                shared.clone(),
                Duration::from_millis(flush_every_ms),
            )?),
        };
        let checkpointer = Checkpointer::spawn(shared.clone())?;
        Ok(SledStore {
            shared,
            commits: Some(CommitQueue::new(writer)),
            flusher,
            checkpointer: Some(checkpointer),
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
        view: &View<'_>,
        kind: RecordKind,
        start: Bound<Vec<u8>>,
        limit: usize,
    ) -> Result<Vec<ScannedEntry>, StoreError> {
        let slot = layout::record_slot(kind);
        let mut out = Vec::new();
        for (key, bytes) in view.range(slot, slice_bound(&start), Bound::Unbounded, false, limit)? {
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
        // Its last checkpoint moves everything into sled: a clean reopen replays nothing.
        drop(self.checkpointer.take());
        if self.shared.crashed() {
            return;
        }
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
/// an earlier format first (see [`migrate`]).
fn prepare_meta(db: &sled::Db, trees: &Trees, dir: Option<&Path>) -> Result<(), StoreError> {
    let meta = trees.tree(layout::META);
    let format_label = "meta/format_version";
    match meta.get(layout::META_FORMAT_VERSION).map_err(from_sled)? {
        Some(bytes) => {
            let version = codec::decode_counter_any_schema(format_label, &bytes)?;
            if (migrate::OLDEST_FORMAT_VERSION..layout::STORAGE_FORMAT_VERSION).contains(&version) {
                if VERSION_ONLY_UPGRADES.contains(&version) {
                    // No value changes: format 8 added the commit log (a format-7 store
                    // has none, so its log starts empty), format 9 the durability mark of
                    // its records (those of format 8 are read without one).
                    meta.insert(
                        layout::META_FORMAT_VERSION,
                        codec::encode_counter(layout::STORAGE_FORMAT_VERSION)?,
                    )
                    .map_err(from_sled)?;
                    db.flush().map_err(from_sled)?;
                    tracing::info!(
                        "upgraded the store from storage format {version} to {} (no value \
                         changes)",
                        layout::STORAGE_FORMAT_VERSION
                    );
                } else {
                    migrate::migrate(db, trees, dir)?;
                }
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
    Ok(())
}

/// A meta counter as sled holds it (0 when absent).
fn read_counter(trees: &Trees, key: &[u8]) -> Result<u64, StoreError> {
    match trees.tree(layout::META).get(key).map_err(from_sled)? {
        Some(bytes) => {
            codec::decode_counter(&format!("meta/{}", String::from_utf8_lossy(key)), &bytes)
        }
        None => Ok(0),
    }
}

/// The last sequence number of the audit trail or the outbox: the meta counter, which is
/// written in the same batch as the entries. The tree's largest key is a cross-check that
/// costs one lookup (the outbox counter is the only record of acked messages, so the
/// counter is what prevents reuse).
fn last_sequence(view: &View<'_>, counter: &[u8], slot: layout::Slot) -> Result<u64, StoreError> {
    let label = format!("meta/{}", String::from_utf8_lossy(counter));
    let recorded = match view.get(layout::META, counter)? {
        Some(bytes) => codec::decode_counter(&label, &bytes)?,
        None => 0,
    };
    let last = view.range(slot, Bound::Unbounded, Bound::Unbounded, true, 1)?;
    let largest = match last.first() {
        Some((key, _)) => layout::sequence_of(key)
            .filter(|_| key.len() == 8)
            .ok_or_else(|| StoreError::Corrupted {
                key: layout::hex(key),
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
        let view = self.shared.view();
        let Some(bytes) = view.get(layout::record_slot(key.kind()), &key.id_bytes())? else {
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
        let view = self.shared.view();
        SledStore::scan_from(&view, kind, start, limit)?
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
        let view = self.shared.view();
        let mut page = ScanPage::default();
        for (key, entry) in SledStore::scan_from(&view, kind, start, limit)? {
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
        let view = self.shared.view();
        match view.get(layout::index_slot(index), key)? {
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
        let view = self.shared.view();
        let entries = view.range(
            layout::index_slot(index),
            slice_bound(&range.start),
            slice_bound(&range.end),
            range.reverse,
            limit,
        )?;
        entries
            .into_iter()
            .map(|(key, bytes)| {
                let id = codec::decode_id(&layout::index_label(index, &key), &bytes)?;
                Ok((key.to_vec(), id))
            })
            .collect()
    }

    fn counters(
        &self,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, rust_decimal::Decimal)>, StoreError> {
        if range.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let view = self.shared.view();
        let entries = view.range(
            layout::COUNTERS,
            slice_bound(&range.start),
            slice_bound(&range.end),
            range.reverse,
            limit,
        )?;
        entries
            .into_iter()
            .map(|(key, bytes)| {
                let value = codec::decode_amount(|| layout::counter_label(&key), &bytes)?;
                Ok((key.to_vec(), value))
            })
            .collect()
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
        let end = keys::prefix_end(&prefix);
        let end = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
        let view = self.shared.view();
        let markers = view.range(
            layout::AUDIT_BY_SUBJECT,
            Bound::Included(start.as_slice()),
            end,
            false,
            limit,
        )?;
        let mut out = Vec::new();
        for (key, marker) in markers {
            let label = format!("audit_by_subject/{}", layout::hex(&key));
            codec::decode_marker(&label, &marker)?;
            let sequence = layout::sequence_of(&key).ok_or_else(|| StoreError::Corrupted {
                key: label.clone(),
                reason: "key is too short for a sequence number".to_string(),
            })?;
            let entry_label = format!("audit/{sequence}");
            let bytes = view
                .get(layout::AUDIT, &layout::sequence_key(sequence))?
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
