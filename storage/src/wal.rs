//! The commit log: an append-only, checksummed file of accepted batches in `DIR/log/`, the
//! store's commit point (sled is the checkpointed, indexed copy; see [`crate::checkpoint`]).
//!
//! Each batch the writer accepts becomes one **record**: its log position (consecutive
//! u64s), the id high-water mark when it was written (see [`crate::store::Shared::next_id`]),
//! its **durability mark** (the last position whose `fdatasync` had returned when it was
//! written) and every change as an absolute "key := value" or "key removed", counters and
//! sequence numbers included, so replaying a record twice leaves the same state as once.
//! Layout (all integers little-endian, `docs/storage-format.md`):
//!
//! ```text
//! len u32 (payload bytes | MARKED) ‖ crc32 u32 (of len and the payload) ‖ payload:
//!   position u64 ‖ id_high u64 ‖ durable u64 ‖ count u32 ‖ count × (slot u16 ‖
//!   key_len u32 ‖ key ‖ present u8 ‖ [value_len u32 ‖ value if present = 1])
//! ```
//!
//! The top bit of `len` ([`MARKED`]) says the payload has the `durable` field: records of
//! storage format 8 have neither, and their checksum covers the payload only (they are
//! still read, as unmarked). The checksum covers `len` too, so a flipped top bit cannot
//! make a marked record read as an unmarked one.
//!
//! Records go to segment files named by the first position they hold (`{position:020}.wal`);
//! a segment rolls after [`SEGMENT_BYTES`] so that segments wholly checkpointed can be
//! deleted. A segment is zero-filled a little ahead of its records (see [`EXTEND_BYTES`]):
//! zeros where a record would start end the segment. At open a bad record (short, torn,
//! wrong checksum) in the last segment is cut off, with everything after it, unless a
//! valid record after it shows that it had been made durable (a durability mark reaching
//! it, or no mark, or a checkpoint that covered it): then it is damage and the store
//! refuses to open. A bad record no later
//! mark covers lies in what no `fdatasync` had covered yet: the tail a crash interrupted,
//! or, in `Periodic` mode, pages a power loss kept out of order (a later page on disk, an
//! earlier one lost), which the durability promise allows to lose. Older segments were
//! synced before the log rolled past them: a bad record there is always damage.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use ordo_core::store::StoreError;

use crate::error::from_io;
use crate::layout::{Slot, TREE_COUNT};
use crate::sync::{sync_dir, sync_parent};

/// One change: a tree, a key and the new value (`None` removes).
pub(crate) type Change = (Slot, Vec<u8>, Option<Vec<u8>>);

/// The size after which the next record starts a new segment (a checkpoint deletes whole
/// segments, so this bounds the disk the log holds beyond the overlay's cap).
pub(crate) const SEGMENT_BYTES: u64 = 64 << 20;

/// The directory of the log inside a store directory.
pub(crate) const LOG_DIR: &str = "log";

/// How far ahead of the records a segment is filled with zeros: a record then overwrites
/// allocated blocks without changing the file's size, so its `fdatasync` writes data only
/// (an append that grows the file costs a journal commit on every `fdatasync`). One size
/// change per this many bytes remains.
const EXTEND_BYTES: u64 = 1 << 20;

/// What a segment is extended with (written in pieces, never allocated per extension).
static ZEROS: [u8; 64 << 10] = [0; 64 << 10];

/// Bytes before a record's payload: its length and checksum.
const HEADER: usize = 8;
/// Bytes of a payload before its changes: position, id high-water mark, durability mark,
/// change count.
const PAYLOAD_HEAD: usize = 28;
/// The same for a record of format 8 (no durability mark).
const UNMARKED_PAYLOAD_HEAD: usize = 20;
/// The bit of the length word that says the payload carries a durability mark (set on
/// every record written since storage format 9; never part of a length, which is at most
/// [`MAX_RECORD`]).
const MARKED: u32 = 1 << 31;
/// A length beyond this is not a record (a torn or damaged header).
const MAX_RECORD: usize = 1 << 30;
/// How far past the last good position a record found after a bad one may lie to count as
/// proof that the bad one is not the tail (filters the byte-by-byte search cheaply).
const SEARCH_SPAN: u64 = 1 << 32;

/// One decoded record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogRecord {
    /// Its log position.
    pub(crate) position: u64,
    /// The last id handed out when it was written.
    pub(crate) id_high: u64,
    /// The last position that was durable (its `fdatasync` had returned) when it was
    /// written; `None` for a record of storage format 8, which has no mark.
    pub(crate) durable: Option<u64>,
    /// Its changes, in apply order.
    pub(crate) changes: Vec<Change>,
}

/// Encodes one record (header and payload) with `durable`, the last position whose
/// `fdatasync` has returned, as its durability mark.
///
/// # Errors
/// `Io` if a key, value or the record exceeds the format's lengths.
pub(crate) fn encode(
    position: u64,
    id_high: u64,
    durable: u64,
    changes: &[Change],
) -> Result<Vec<u8>, StoreError> {
    let too_long = || StoreError::Io("a write set is too large for the commit log".to_string());
    let size = changes
        .iter()
        .map(|(_, key, value)| 11 + key.len() + value.as_ref().map_or(0, |v| 4 + v.len()))
        .sum::<usize>();
    let mut out = Vec::with_capacity(HEADER + PAYLOAD_HEAD + size);
    out.extend_from_slice(&[0u8; HEADER]);
    out.extend_from_slice(&position.to_le_bytes());
    out.extend_from_slice(&id_high.to_le_bytes());
    out.extend_from_slice(&durable.to_le_bytes());
    let count = u32::try_from(changes.len()).map_err(|_| too_long())?;
    out.extend_from_slice(&count.to_le_bytes());
    for (slot, key, value) in changes {
        let slot = u16::try_from(slot.0).map_err(|_| too_long())?;
        out.extend_from_slice(&slot.to_le_bytes());
        let key_len = u32::try_from(key.len()).map_err(|_| too_long())?;
        out.extend_from_slice(&key_len.to_le_bytes());
        out.extend_from_slice(key);
        match value {
            Some(value) => {
                out.push(1);
                let len = u32::try_from(value.len()).map_err(|_| too_long())?;
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(value);
            }
            None => out.push(0),
        }
    }
    let payload_len = out.len() - HEADER;
    if payload_len > MAX_RECORD {
        return Err(too_long());
    }
    let word = (u32::try_from(payload_len).map_err(|_| too_long())? | MARKED).to_le_bytes();
    let crc = checksum(Some(&word), &out[HEADER..]);
    out[..4].copy_from_slice(&word);
    out[4..HEADER].copy_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// A record's checksum: CRC-32 of its length word (`None` for a format-8 record, whose
/// checksum covers the payload only) and its payload.
fn checksum(word: Option<&[u8]>, payload: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    if let Some(word) = word {
        hasher.update(word);
    }
    hasher.update(payload);
    hasher.finalize()
}

/// A little-endian reader over a payload; `None` when it runs short.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).and_then(|b| b.first().copied())
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// Decodes a payload whose checksum matched (`marked`: it has a durability mark); `None`
/// if it is malformed.
fn decode_payload(payload: &[u8], marked: bool) -> Option<LogRecord> {
    let mut cursor = Cursor(payload);
    let position = cursor.u64()?;
    let id_high = cursor.u64()?;
    let durable = if marked { Some(cursor.u64()?) } else { None };
    let count = cursor.u32()?;
    let mut changes = Vec::new();
    for _ in 0..count {
        let slot = usize::from(cursor.u16()?);
        if slot >= TREE_COUNT {
            return None;
        }
        let key_len = usize::try_from(cursor.u32()?).ok()?;
        let key = cursor.take(key_len)?.to_vec();
        let value = match cursor.u8()? {
            0 => None,
            1 => {
                let len = usize::try_from(cursor.u32()?).ok()?;
                Some(cursor.take(len)?.to_vec())
            }
            _ => return None,
        };
        changes.push((Slot(slot), key, value));
    }
    if !cursor.0.is_empty() {
        return None;
    }
    Some(LogRecord {
        position,
        id_high,
        durable,
        changes,
    })
}

/// The record at `offset` of `bytes` and the offset after it, if one is whole and valid.
fn record_at(bytes: &[u8], offset: usize) -> Option<(LogRecord, usize)> {
    let header = bytes.get(offset..offset.checked_add(HEADER)?)?;
    let word_bytes = header.get(..4)?;
    let word = u32::from_le_bytes(word_bytes.try_into().ok()?);
    let marked = word & MARKED != 0;
    let len = usize::try_from(word & !MARKED).ok()?;
    let crc = u32::from_le_bytes(header.get(4..)?.try_into().ok()?);
    let head = if marked {
        PAYLOAD_HEAD
    } else {
        UNMARKED_PAYLOAD_HEAD
    };
    if !(head..=MAX_RECORD).contains(&len) {
        return None;
    }
    let start = offset + HEADER;
    let payload = bytes.get(start..start.checked_add(len)?)?;
    if checksum(marked.then_some(word_bytes), payload) != crc {
        return None;
    }
    decode_payload(payload, marked).map(|record| (record, start + len))
}

/// Whether a valid record in `bytes[from..]` shows that the record at position `bad` had
/// been made durable: it comes after `bad` and its durability mark reaches `bad`, or it
/// has no mark (format 8, which cannot tell), or `synced` says so already (a checkpoint
/// covered `bad`, after `fdatasync`ing the log). Then a bad record before it is damage;
/// otherwise everything from the bad record on was written after the last `fdatasync`
/// that returned, which a crash or power loss may take.
fn durable_after(bytes: &[u8], from: usize, bad: u64, synced: bool) -> bool {
    let end = bytes.len().saturating_sub(HEADER + PAYLOAD_HEAD);
    (from..=end).any(|offset| {
        let position = bytes
            .get(offset + HEADER..offset + HEADER + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes);
        match position {
            Some(p) if p >= bad && p - bad < SEARCH_SPAN => record_at(bytes, offset)
                .is_some_and(|(record, _)| synced || record.durable.is_none_or(|d| d >= bad)),
            _ => false,
        }
    })
}

/// A segment file's name for its first position.
fn segment_name(first: u64) -> String {
    format!("{first:020}.wal")
}

/// The first position of a segment named `name`, if it is a segment's name.
fn segment_first(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".wal")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether `name` is a log segment's file name (for the data directory's inventory).
pub(crate) fn is_segment_name(name: &str) -> bool {
    segment_first(name).is_some()
}

/// The segment being appended to, and the older ones.
struct Segments {
    /// The active segment (shared so a sync need not hold the lock while it waits).
    file: Arc<File>,
    /// Where the next record goes (the records' end; zeros follow up to `allocated`).
    size: u64,
    /// The active segment's length, zero-filled beyond `size`.
    allocated: u64,
    /// The last position written (its `write` returned) to any segment.
    written: u64,
    /// Every segment, oldest first, the active one last: (first position, path).
    all: Vec<(u64, PathBuf)>,
}

/// The open log of a store directory.
pub(crate) struct Log {
    dir: PathBuf,
    segments: Mutex<Segments>,
    /// When the active segment rolls ([`SEGMENT_BYTES`]; smaller in tests).
    segment_bytes: u64,
}

/// What [`Log::open`] found.
pub(crate) struct Recovered {
    /// The log, ready to append after the last record.
    pub(crate) log: Log,
    /// The last position in the log (or the checkpointed one, if higher).
    pub(crate) last_position: u64,
    /// The highest id high-water mark of any record.
    pub(crate) id_high: u64,
    /// How many records after the checkpoint were replayed.
    pub(crate) replayed: u64,
}

/// How a segment's records end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SegmentEnd {
    /// At the end of the file or the zero fill ahead of the records, at this offset.
    Whole(usize),
    /// At a bad record (at `offset`, log `position`) that nothing shows was durable: it
    /// and everything after it are cut off.
    Cut {
        /// Where the bad record starts.
        offset: usize,
        /// The log position it held.
        position: u64,
    },
}

impl SegmentEnd {
    /// Where the segment's good records end.
    pub(crate) fn offset(self) -> usize {
        match self {
            SegmentEnd::Whole(offset) | SegmentEnd::Cut { offset, .. } => offset,
        }
    }
}

/// Reading a log's segments in order at open: the rules of recovery on bytes alone (no
/// files), so a fuzzer can drive them (`crate::fuzzing::log_recovery`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scan {
    /// The position the last checkpoint moved into sled.
    checkpointed: u64,
    /// The last position read.
    seen: Option<u64>,
    /// The last position in the log (or the checkpointed one, if higher).
    pub(crate) last: u64,
    /// The highest id high-water mark of any record.
    pub(crate) id_high: u64,
    /// How many records after the checkpoint were handed on.
    pub(crate) replayed: u64,
}

impl Scan {
    /// Nothing read yet; records at or below `checkpointed` are skipped.
    pub(crate) fn after(checkpointed: u64) -> Scan {
        Scan {
            checkpointed,
            seen: None,
            last: checkpointed,
            id_high: 0,
            replayed: 0,
        }
    }

    /// Reads one segment's `bytes` (`first`: the position its name gives; `is_last`: the
    /// active one), handing each record after the checkpoint to `replay` in order.
    ///
    /// # Errors
    /// `Corrupted` (keyed by `label`) for a bad record that was durable (see the module's
    /// documentation), positions out of order, or records missing after the checkpoint;
    /// whatever `replay` returns.
    pub(crate) fn segment(
        &mut self,
        bytes: &[u8],
        first: u64,
        is_last: bool,
        label: &str,
        replay: &mut impl FnMut(LogRecord) -> Result<(), StoreError>,
    ) -> Result<SegmentEnd, StoreError> {
        let corrupted = |reason: String| StoreError::Corrupted {
            key: label.to_string(),
            reason,
        };
        let mut offset = 0;
        while offset < bytes.len() {
            let Some((record, next)) = record_at(bytes, offset) else {
                if bytes
                    .get(offset..)
                    .is_some_and(|rest| rest.iter().all(|b| *b == 0))
                {
                    // The zero-filled space ahead of the records: the segment's end.
                    return Ok(SegmentEnd::Whole(offset));
                }
                // The position the bad record held.
                let bad = self.seen.map_or(first, |s| s.saturating_add(1));
                let synced = bad <= self.checkpointed;
                if !is_last || durable_after(bytes, offset + 1, bad, synced) {
                    return Err(corrupted(format!(
                        "the commit log record at byte {offset} is damaged and a later \
                         record shows it had been made durable; the log cannot be \
                         replayed past it"
                    )));
                }
                return Ok(SegmentEnd::Cut {
                    offset,
                    position: bad,
                });
            };
            let position = record.position;
            if self.seen.is_some_and(|s| position <= s) {
                return Err(corrupted(format!(
                    "commit log position {position} is out of order"
                )));
            }
            self.id_high = self.id_high.max(record.id_high);
            if position > self.checkpointed {
                let previous = self
                    .seen
                    .unwrap_or(self.checkpointed)
                    .max(self.checkpointed);
                if position != previous.saturating_add(1) {
                    return Err(corrupted(format!(
                        "commit log position {position} follows {previous}: records are \
                         missing"
                    )));
                }
                replay(record)?;
                self.replayed += 1;
            }
            self.seen = Some(position);
            self.last = self.last.max(position);
            offset = next;
        }
        Ok(SegmentEnd::Whole(bytes.len()))
    }
}

impl Log {
    /// Opens (creating if needed) the log in `store_dir/log`, hands every record after
    /// `checkpointed` to `replay` in order, cuts off a tail no `fdatasync` covered from its
    /// first bad record on (see the module's documentation), and `fdatasync`s the last
    /// segment (so whatever is replayed is durable before anyone reads it).
    ///
    /// # Errors
    /// `Corrupted` if a bad record is in an older segment or a later record's durability
    /// mark shows it had been made durable, positions after the checkpoint
    /// are not consecutive, or records the checkpoint does not cover are missing; `Io`
    /// if the files cannot be read, written or synced; whatever `replay` returns.
    pub(crate) fn open(
        store_dir: &Path,
        checkpointed: u64,
        mut replay: impl FnMut(LogRecord) -> Result<(), StoreError>,
    ) -> Result<Recovered, StoreError> {
        let dir = store_dir.join(LOG_DIR);
        let created = !dir.exists();
        std::fs::create_dir_all(&dir)
            .map_err(|e| from_io(&format!("cannot create {}", dir.display()), &e))?;
        if created {
            sync_parent(&dir)?;
        }
        let listing = |e: std::io::Error| from_io(&format!("cannot list {}", dir.display()), &e);
        let mut all: Vec<(u64, PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(listing)? {
            let entry = entry.map_err(listing)?;
            if let Some(first) = entry.file_name().to_str().and_then(segment_first) {
                all.push((first, entry.path()));
            }
        }
        all.sort();
        let mut scan = Scan::after(checkpointed);
        let mut tail_size = 0u64;
        let count = all.len();
        for (number, (first, path)) in all.iter().enumerate() {
            let is_last = number + 1 == count;
            let bytes = std::fs::read(path)
                .map_err(|e| from_io(&format!("cannot read {}", path.display()), &e))?;
            let label = path.display().to_string();
            let end = scan.segment(&bytes, *first, is_last, &label, &mut replay)?;
            if let SegmentEnd::Cut { offset, position } = end {
                tracing::warn!(
                    segment = %label,
                    offset,
                    cut = bytes.len() - offset,
                    position,
                    "cutting off the commit log at a record a crash left incomplete \
                     (written after the last fdatasync: never durable)"
                );
                truncate(path, offset as u64)?;
            }
            if is_last {
                tail_size = end.offset() as u64;
            }
        }
        let (file, size, allocated) = match all.last() {
            Some((_, path)) => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| from_io(&format!("cannot open {}", path.display()), &e))?;
                let allocated = file
                    .metadata()
                    .map_err(|e| from_io(&format!("cannot read {}", path.display()), &e))?
                    .len();
                file.sync_data()
                    .map_err(|e| from_io(&format!("cannot fsync {}", path.display()), &e))?;
                (file, tail_size, allocated)
            }
            None => {
                let next = scan.last.saturating_add(1);
                let path = dir.join(segment_name(next));
                let file = create_segment(&dir, &path)?;
                all.push((next, path));
                (file, 0, 0)
            }
        };
        Ok(Recovered {
            log: Log {
                dir,
                segments: Mutex::new(Segments {
                    file: Arc::new(file),
                    size,
                    allocated,
                    written: scan.last,
                    all,
                }),
                segment_bytes: SEGMENT_BYTES,
            },
            last_position: scan.last,
            id_high: scan.id_high,
            replayed: scan.replayed,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Segments> {
        // Poisoning would mean a panic mid-append: the writer stops on it (fail-stop).
        self.segments.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends one encoded record (`write(2)`, no `fsync`): after this a process crash
    /// keeps it (the page cache survives), a power loss may not. Rolls to a new segment
    /// first if the active one is full (the old one is `fdatasync`ed before).
    ///
    /// # Errors
    /// `Io`: the log may now end in part of this record; the writer must stop.
    pub(crate) fn append(&self, position: u64, record: &[u8]) -> Result<(), StoreError> {
        let mut segments = self.lock();
        if segments.size >= self.segment_bytes {
            segments
                .file
                .sync_data()
                .map_err(|e| from_io("cannot fsync a commit log segment", &e))?;
            let path = self.dir.join(segment_name(position));
            let file = create_segment(&self.dir, &path)?;
            segments.file = Arc::new(file);
            segments.size = 0;
            segments.allocated = 0;
            segments.all.push((position, path));
        }
        let end = segments.size + record.len() as u64;
        if end > segments.allocated {
            let extended = end + EXTEND_BYTES;
            // Bounded: each round writes up to ZEROS.len() bytes more.
            while segments.allocated < extended {
                let left = usize::try_from(extended - segments.allocated).unwrap_or(usize::MAX);
                let zeros = ZEROS.get(..left.min(ZEROS.len())).unwrap_or(&ZEROS);
                segments
                    .file
                    .write_all_at(zeros, segments.allocated)
                    .map_err(|e| from_io("cannot extend the commit log", &e))?;
                segments.allocated += zeros.len() as u64;
            }
        }
        segments
            .file
            .write_all_at(record, segments.size)
            .map_err(|e| from_io("cannot write the commit log", &e))?;
        segments.size = end;
        segments.written = position;
        Ok(())
    }

    /// `fdatasync`s what was written; returns the last position now durable.
    ///
    /// # Errors
    /// `Io` if the `fdatasync` fails (the data may not be durable).
    pub(crate) fn sync(&self) -> Result<u64, StoreError> {
        // Older segments were synced when the log rolled past them.
        let (file, written) = {
            let segments = self.lock();
            (segments.file.clone(), segments.written)
        };
        file.sync_data()
            .map_err(|e| from_io("cannot fdatasync the commit log", &e))?;
        Ok(written)
    }

    /// Deletes every segment whose records are all at or below `position` (never the
    /// active one); returns how many.
    ///
    /// # Errors
    /// `Io` if a file cannot be removed or the directory synced.
    pub(crate) fn remove_through(&self, position: u64) -> Result<usize, StoreError> {
        let mut segments = self.lock();
        let mut removed = 0;
        // A segment ends where the next begins: it is wholly covered if the next one's
        // first position is at most `position + 1`.
        while segments.all.len() > 1
            && segments
                .all
                .get(1)
                .is_some_and(|(next, _)| *next <= position.saturating_add(1))
        {
            let (first, path) = segments.all.remove(0);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    segments.all.insert(0, (first, path));
                    return Err(from_io("cannot delete a commit log segment", &e));
                }
            }
            removed += 1;
        }
        drop(segments);
        if removed > 0 {
            sync_dir(&self.dir)?;
        }
        Ok(removed)
    }

    /// How many segment files the log has (tests).
    #[cfg(test)]
    pub(crate) fn segment_count(&self) -> usize {
        self.lock().all.len()
    }

    /// Rolls segments after `bytes` instead of [`SEGMENT_BYTES`] (tests).
    #[cfg(test)]
    pub(crate) fn set_segment_bytes(&mut self, bytes: u64) {
        self.segment_bytes = bytes;
    }
}

/// Creates an empty segment and makes its directory entry durable.
fn create_segment(dir: &Path, path: &Path) -> Result<File, StoreError> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(path)
        .map_err(|e| from_io(&format!("cannot create {}", path.display()), &e))?;
    sync_dir(dir)?;
    Ok(file)
}

/// Cuts a segment to `len` bytes and makes that durable.
fn truncate(path: &Path, len: u64) -> Result<(), StoreError> {
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| from_io(&format!("cannot open {}", path.display()), &e))?;
    file.set_len(len)
        .and_then(|()| file.sync_all())
        .map_err(|e| from_io(&format!("cannot truncate {}", path.display()), &e))
}

/// Every valid record from the start of a segment's bytes up to the first that is not,
/// with its byte range (for tests that damage records as a crash would).
#[cfg(test)]
pub(crate) fn record_spans(bytes: &[u8]) -> Vec<(LogRecord, std::ops::Range<usize>)> {
    let mut spans = Vec::new();
    let mut offset = 0;
    while let Some((record, next)) = record_at(bytes, offset) {
        spans.push((record, offset..next));
        offset = next;
    }
    spans
}

/// A record's bytes as storage format 8 wrote them: no durability mark (tests and fuzz
/// seeds of what an older release left).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn encode_format_8(record: &LogRecord) -> Result<Vec<u8>, StoreError> {
    let marked = encode(record.position, record.id_high, 0, &record.changes)?;
    // The payload without its mark: position and id_high, then count and changes.
    let mut payload = marked[HEADER..HEADER + 16].to_vec();
    payload.extend_from_slice(&marked[HEADER + 24..]);
    let len = u32::try_from(payload.len())
        .map_err(|_| StoreError::Io("a write set is too large for the commit log".into()))?;
    let mut out = len.to_le_bytes().to_vec();
    out.extend_from_slice(&checksum(None, &payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

#[cfg(test)]
mod tests;
