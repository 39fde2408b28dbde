//! Online backups to one file, their verification, and restoring them.
//!
//! [`SledStore::backup`](crate::SledStore::backup) runs in the writer between
//! batches, so the dump is a consistent snapshot (no write set is half in it) while
//! reads continue. The file (all integers little-endian):
//!
//! ```text
//! magic      8 bytes  "ORDO-BAK"
//! format     u32      backup file format (1)
//! storage    u64      storage format version of the trees (docs/storage-format.md)
//! created    i64      milliseconds since the Unix epoch
//! id floor   u64      every id in the backup is below this
//! trees      u32      number of trees, then per tree: name length u8, name, entries u64
//! entries    per entry: 1u8, tree number u8, key length u32, key, value length u32, value
//! end        0u8
//! checksum   u32      CRC-32 of every byte above
//! ```
//!
//! A backup of this build's storage format lists every tree in slot order. One written by
//! an earlier release (storage format 2 and up) lists the trees it had: each is put back
//! into today's tree of the same name, the restored `meta` says the older format, and the
//! store migrates at its first open as any store of that release would.
//!
//! Values are copied exactly as stored (with their codec envelope). Backing up,
//! [`verify`] and [`restore`] decode every one of them and report those that do not decode
//! ([`BackupInfo::undecodable`]) instead of failing: one bad record must not make the
//! whole shop impossible to back up or bring back. A store restored from such a backup
//! holds the same bytes and reports each of them as `Corrupted` when read, as the original
//! did. Damage to the file itself (checksum, lengths, order, counts) and a `meta` counter
//! that does not decode still fail.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use ordo_core::store::StoreError;

use crate::codec;
pub use crate::datadir::{DataDir, inspect};
use crate::error::{from_io, from_sled};
use crate::layout::{self, Content, Slot, TREE_COUNT};
use crate::migrate;
pub use crate::restore::{IfNotEmpty, restore};
use crate::store::Shared;
use crate::sync::sync_parent;

const MAGIC: &[u8; 8] = b"ORDO-BAK";
/// The backup file format this build writes and reads.
const BACKUP_FORMAT: u32 = 1;
const ENTRY: u8 = 1;
const END: u8 = 0;
/// Keys longer than this are not written by ordo; a longer length means a damaged file.
const MAX_KEY_BYTES: usize = 64 * 1024;

/// What a backup file holds, from its header (checked against its contents by
/// [`verify`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// Storage format version of the trees in the file.
    pub storage_format_version: u64,
    /// When the backup was taken, in milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    /// Every id used in the backup is at most this; a restored store hands out ids above it.
    pub id_floor: u64,
    /// Entries per tree, by tree name, in the store's tree order.
    pub entries: Vec<(String, u64)>,
    /// Entries whose values do not decode, in file order (at most
    /// [`MAX_LISTED_UNDECODABLE`] of them; [`BackupInfo::undecodable_count`] counts all).
    /// They are kept exactly as stored: a restored store reports each as `Corrupted`
    /// when it is read, as the original did.
    pub undecodable: Vec<Undecodable>,
    /// How many entries do not decode.
    pub undecodable_count: u64,
}

/// A stored value that does not decode (found while backing up, verifying or restoring).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecodable {
    /// The tree and key: `orders/42`, `idempotency/retry-7`, `idx_product_sku/534b55`.
    pub key: String,
    /// What is wrong with the value.
    pub reason: String,
}

/// The most undecodable entries a [`BackupInfo`] lists (all are counted).
pub const MAX_LISTED_UNDECODABLE: usize = 1000;

/// Undecodable entries met so far.
#[derive(Debug, Default)]
struct Findings {
    listed: Vec<Undecodable>,
    count: u64,
}

impl Findings {
    fn add(&mut self, key: String, reason: String) {
        self.count += 1;
        if self.listed.len() < MAX_LISTED_UNDECODABLE {
            self.listed.push(Undecodable { key, reason });
        }
    }
}

impl BackupInfo {
    /// The entries of one tree (`orders`, `idx_order_reference`, …).
    pub fn entries_of(&self, tree: &str) -> Option<u64> {
        self.entries
            .iter()
            .find(|(name, _)| name == tree)
            .map(|(_, count)| *count)
    }

    /// Entries in all trees.
    pub fn total_entries(&self) -> u64 {
        self.entries.iter().map(|(_, count)| count).sum()
    }

    fn with(mut self, findings: Findings) -> BackupInfo {
        self.undecodable = findings.listed;
        self.undecodable_count = findings.count;
        self
    }
}

fn damaged(file: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupted {
        key: format!("backup {}", file.display()),
        reason: reason.into(),
    }
}

/// A writer that feeds every byte to a CRC.
struct Checksummed<W> {
    inner: W,
    crc: crc32fast::Hasher,
}

impl<W: Write> Write for Checksummed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.crc.update(buf.get(..written).unwrap_or_default());
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Dumps every tree to `target` (called on the writer thread, so nothing changes meanwhile).
///
/// # Errors
/// `Io` on any file or sled failure.
pub(crate) fn write(shared: &Shared, target: &Path) -> Result<BackupInfo, StoreError> {
    let info = BackupInfo {
        storage_format_version: layout::STORAGE_FORMAT_VERSION,
        created_at_ms: now_ms(),
        // Read, not allocated: a backup writes nothing to the store (an allocated id would
        // be a write sled may put on disk after the last fsync, before the caller is told
        // the backup is done).
        id_floor: shared.last_id()?,
        entries: layout::tree_names()
            .into_iter()
            .zip(shared.trees.iter())
            .map(|(name, (_, tree))| (name.to_string(), tree.len() as u64))
            .collect(),
        undecodable: Vec::new(),
        undecodable_count: 0,
    };
    // Every value is decoded on the way, so the caller learns of bad records now; they are
    // copied all the same (a backup keeps what the store holds).
    let mut findings = Findings::default();
    let partial = partial_path(target);
    let io = |e: std::io::Error| from_io(&format!("cannot write {}", partial.display()), &e);
    let file = File::create(&partial).map_err(io)?;
    let mut out = Checksummed {
        inner: BufWriter::new(file),
        crc: crc32fast::Hasher::new(),
    };
    write_header(&mut out, &info).map_err(io)?;
    for (slot, tree) in shared.trees.iter() {
        let mut written = 0u64;
        for item in tree.iter() {
            let (key, value) = item.map_err(from_sled)?;
            if let Err(error) = check_value(slot, &key, &value) {
                findings.add(entry_label(slot, &key), reason_of(error));
            }
            write_entry(&mut out, slot, &key, &value).map_err(io)?;
            written += 1;
        }
        let counted = info.entries.get(slot.0).map_or(0, |(_, n)| *n);
        if written != counted {
            return Err(StoreError::Io(format!(
                "tree {} changed during the backup ({counted} then {written} entries)",
                slot.0
            )));
        }
    }
    out.write_all(&[END]).map_err(io)?;
    let crc = out.crc.clone().finalize();
    let mut file = out.inner.into_inner().map_err(|e| io(e.into_error()))?;
    file.write_all(&crc.to_le_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    std::fs::rename(&partial, target).map_err(io)?;
    sync_parent(target)?;
    Ok(info.with(findings))
}

fn write_header(out: &mut impl Write, info: &BackupInfo) -> std::io::Result<()> {
    out.write_all(MAGIC)?;
    out.write_all(&BACKUP_FORMAT.to_le_bytes())?;
    out.write_all(&info.storage_format_version.to_le_bytes())?;
    out.write_all(&info.created_at_ms.to_le_bytes())?;
    out.write_all(&info.id_floor.to_le_bytes())?;
    out.write_all(&(info.entries.len() as u32).to_le_bytes())?;
    for (name, count) in &info.entries {
        out.write_all(&[name.len() as u8])?;
        out.write_all(name.as_bytes())?;
        out.write_all(&count.to_le_bytes())?;
    }
    Ok(())
}

fn write_entry(out: &mut impl Write, slot: Slot, key: &[u8], value: &[u8]) -> std::io::Result<()> {
    out.write_all(&[ENTRY, slot.0 as u8])?;
    out.write_all(&(key.len() as u32).to_le_bytes())?;
    out.write_all(key)?;
    out.write_all(&(value.len() as u32).to_le_bytes())?;
    out.write_all(value)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn partial_path(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_os_string();
    name.push(".partial");
    PathBuf::from(name)
}

/// One backup entry: its tree's number in the file, that tree's slot today, key, value.
type Entry = (usize, Slot, Vec<u8>, Vec<u8>);

/// A reader of a backup file that checks lengths and feeds a CRC.
struct Reader<'a> {
    file: &'a Path,
    inner: BufReader<File>,
    crc: crc32fast::Hasher,
    /// Today's slot of each tree the header lists, by its number in the file.
    slots: Vec<Slot>,
}

impl<'a> Reader<'a> {
    fn open(file: &'a Path) -> Result<Reader<'a>, StoreError> {
        let handle = File::open(file)
            .map_err(|e| from_io(&format!("cannot open {}", file.display()), &e))?;
        Ok(Reader {
            file,
            inner: BufReader::new(handle),
            crc: crc32fast::Hasher::new(),
            slots: Vec::new(),
        })
    }

    fn bytes(&mut self, len: usize) -> Result<Vec<u8>, StoreError> {
        let mut buf = vec![0; len];
        self.inner
            .read_exact(&mut buf)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => damaged(self.file, "the file is truncated"),
                _ => from_io(&format!("cannot read {}", self.file.display()), &e),
            })?;
        self.crc.update(&buf);
        Ok(buf)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], StoreError> {
        let bytes = self.bytes(N)?;
        bytes
            .try_into()
            .map_err(|_| damaged(self.file, "short read"))
    }

    fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, StoreError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, StoreError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A length field, refused above `max`.
    fn len(&mut self, max: usize, what: &str) -> Result<usize, StoreError> {
        let len = usize::try_from(self.u32()?).unwrap_or(usize::MAX);
        if len > max {
            return Err(damaged(
                self.file,
                format!("{what} length {len} is too large"),
            ));
        }
        Ok(len)
    }

    fn header(&mut self) -> Result<BackupInfo, StoreError> {
        if &self.array::<8>()? != MAGIC {
            return Err(damaged(self.file, "not an ordo backup (bad magic bytes)"));
        }
        let format = self.u32()?;
        if format != BACKUP_FORMAT {
            return Err(damaged(
                self.file,
                format!("backup format {format} is unknown (this build reads {BACKUP_FORMAT})"),
            ));
        }
        let storage_format_version = self.u64()?;
        if !(migrate::OLDEST_FORMAT_VERSION..=layout::STORAGE_FORMAT_VERSION)
            .contains(&storage_format_version)
        {
            return Err(damaged(
                self.file,
                format!(
                    "storage format {storage_format_version} is not one this build \
                     restores ({} to {})",
                    migrate::OLDEST_FORMAT_VERSION,
                    layout::STORAGE_FORMAT_VERSION
                ),
            ));
        }
        let created_at_ms = i64::from_le_bytes(self.array()?);
        let id_floor = self.u64()?;
        let trees = self.len(TREE_COUNT, "tree count")?;
        let names = layout::tree_names();
        let current = storage_format_version == layout::STORAGE_FORMAT_VERSION;
        if current && trees != names.len() {
            return Err(damaged(
                self.file,
                format!("{trees} trees, expected {TREE_COUNT}"),
            ));
        }
        // A backup of this format lists today's trees in today's order; one of an older
        // format lists the trees it had, each known today by its name (on disk a tree is
        // known by its name; slots are only positions).
        let mut entries = Vec::with_capacity(trees);
        for number in 0..trees {
            let len = usize::from(self.u8()?);
            let name = String::from_utf8(self.bytes(len)?)
                .map_err(|_| damaged(self.file, "a tree name is not UTF-8"))?;
            let slot = match names.iter().position(|known| *known == name) {
                Some(slot) if !current || slot == number => Slot(slot),
                _ if current => {
                    let expected = names.get(number).copied().unwrap_or("?");
                    return Err(damaged(
                        self.file,
                        format!("tree {name} where {expected} belongs"),
                    ));
                }
                _ => return Err(damaged(self.file, format!("unknown tree {name}"))),
            };
            if self.slots.contains(&slot) {
                return Err(damaged(self.file, format!("tree {name} is listed twice")));
            }
            self.slots.push(slot);
            entries.push((name, self.u64()?));
        }
        Ok(BackupInfo {
            storage_format_version,
            created_at_ms,
            id_floor,
            entries,
            undecodable: Vec::new(),
            undecodable_count: 0,
        })
    }

    /// The next entry, or `None` at the end marker.
    fn entry(&mut self) -> Result<Option<Entry>, StoreError> {
        match self.u8()? {
            END => return Ok(None),
            ENTRY => {}
            tag => return Err(damaged(self.file, format!("unknown entry tag {tag}"))),
        }
        let number = usize::from(self.u8()?);
        let Some(slot) = self.slots.get(number).copied() else {
            return Err(damaged(self.file, format!("unknown tree {number}")));
        };
        let key_len = self.len(MAX_KEY_BYTES, "key")?;
        let key = self.bytes(key_len)?;
        let value_len = self.len(codec::MAX_VALUE_BYTES + codec::ENVELOPE_LEN, "value")?;
        let value = self.bytes(value_len)?;
        Ok(Some((number, slot, key, value)))
    }

    /// Checks the checksum and that nothing follows it.
    fn finish(mut self) -> Result<(), StoreError> {
        let computed = self.crc.clone().finalize();
        let mut stored = [0u8; 4];
        self.inner
            .read_exact(&mut stored)
            .map_err(|_| damaged(self.file, "the checksum is missing"))?;
        if u32::from_le_bytes(stored) != computed {
            return Err(damaged(self.file, "checksum mismatch: the file is damaged"));
        }
        let mut rest = [0u8; 1];
        match self.inner.read(&mut rest) {
            Ok(0) => Ok(()),
            Ok(_) => Err(damaged(self.file, "unexpected bytes after the checksum")),
            Err(e) => Err(from_io(&format!("cannot read {}", self.file.display()), &e)),
        }
    }
}

/// How an entry is named in reports: `orders/42` for the 8-byte keys of records, audit
/// entries and outbox messages, the text of a printable UTF-8 key, else hex.
fn entry_label(slot: Slot, key: &[u8]) -> String {
    let tree = layout::tree_names().get(slot.0).copied().unwrap_or("?");
    let numbered = matches!(
        layout::content(slot),
        Some(Content::Records(_) | Content::Audit | Content::Outbox)
    );
    let text = std::str::from_utf8(key)
        .ok()
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_graphic()));
    match (layout::sequence_of(key), text) {
        (Some(number), _) if numbered && key.len() == 8 => format!("{tree}/{number}"),
        (_, Some(text)) => format!("{tree}/{text}"),
        _ => format!("{tree}/{}", layout::hex(key)),
    }
}

/// The reason inside a decoding error.
fn reason_of(error: StoreError) -> String {
    match error {
        StoreError::Corrupted { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// Decodes a value as its tree requires (the same checks a read would make).
fn check_value(slot: Slot, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
    let label = entry_label(slot, key);
    // A backup of an older release holds older schema versions: checked as upgraded.
    let upgraded = match layout::content(slot) {
        Some(content) => codec::upgrade_value(content.value_kind(), &label, value)?,
        None => None,
    };
    let value = upgraded.as_deref().unwrap_or(value);
    let corrupted = |reason: String| StoreError::Corrupted {
        key: label.clone(),
        reason,
    };
    match layout::content(slot) {
        Some(Content::Records(kind)) => {
            let (_, record) = codec::decode_record(&label, value)?;
            if record.key().kind() != kind || record.key().id_bytes() != key {
                return Err(corrupted(format!("holds the record of {}", record.key())));
            }
        }
        Some(Content::Index(_)) => {
            codec::decode_id(&label, value)?;
        }
        Some(Content::Audit) => {
            let entry = codec::decode_audit(&label, value)?;
            if layout::sequence_key(entry.sequence) != key {
                return Err(corrupted(format!("holds entry {}", entry.sequence)));
            }
        }
        Some(Content::AuditBySubject) => codec::decode_marker(&label, value)?,
        Some(Content::Outbox) => {
            let message = codec::decode_outbox(&label, value)?;
            if layout::sequence_key(message.sequence) != key {
                return Err(corrupted(format!("holds message {}", message.sequence)));
            }
        }
        Some(Content::Meta) => {
            codec::decode_counter(&label, value)?;
        }
        Some(Content::ReportCounters) => {
            codec::decode_amount(|| label.clone(), value)?;
        }
        None => return Err(corrupted("unknown tree".to_string())),
    }
    Ok(())
}

/// Reads a whole backup file, checking its header, checksum, entry counts and every
/// value, and returns its header with the entries whose values do not decode.
///
/// A record, index entry, audit entry or outbox message that does not decode does not
/// make the file unusable: it is a faithful copy of what the store held, listed in
/// [`BackupInfo::undecodable`]. A `meta` counter that does not decode does, because a
/// store restored from it could not open.
///
/// # Errors
/// `Corrupted` (naming the file, or the `meta` entry that does not decode) if the file
/// is damaged; `Io` if it cannot be read.
pub fn verify(file: &Path) -> Result<BackupInfo, StoreError> {
    read_all(file, |_, _, _| Ok(()))
}

/// Streams every entry through `each`, with all of [`verify`]'s checks.
pub(crate) fn read_all(
    file: &Path,
    mut each: impl FnMut(Slot, Vec<u8>, Vec<u8>) -> Result<(), StoreError>,
) -> Result<BackupInfo, StoreError> {
    let mut reader = Reader::open(file)?;
    let info = reader.header()?;
    let mut counts = vec![0u64; info.entries.len()];
    let mut findings = Findings::default();
    let mut previous: Option<(usize, Vec<u8>)> = None;
    while let Some((number, slot, key, value)) = reader.entry()? {
        // Trees are dumped in order and sled iterates keys in order: anything else is
        // damage (and would hide duplicate keys).
        if let Some((last_number, last_key)) = &previous
            && (*last_number, last_key.as_slice()) >= (number, key.as_slice())
        {
            return Err(damaged(file, "entries are out of order"));
        }
        match check_value(slot, &key, &value) {
            Ok(()) => {}
            Err(error) if slot == layout::META => return Err(error),
            Err(error) => findings.add(entry_label(slot, &key), reason_of(error)),
        }
        if let Some(count) = counts.get_mut(number) {
            *count += 1;
        }
        previous = Some((number, key.clone()));
        each(slot, key, value)?;
    }
    reader.finish()?;
    for ((name, expected), found) in info.entries.iter().zip(&counts) {
        if expected != found {
            return Err(damaged(
                file,
                format!("tree {name} has {found} entries, the header says {expected}"),
            ));
        }
    }
    Ok(info.with(findings))
}
