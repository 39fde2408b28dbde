//! What makes a directory an ordo data directory, and how to tell without opening it.
//!
//! A store directory holds sled's files (`conf`, `db`, `blobs/`, `snap.*`), ordo's
//! marker file [`MARKER`] and, while `ordo serve` runs (or after it crashed), its socket
//! [`SERVICE_SOCKET`]. The marker is written (and `fsync`ed with its directory) when
//! [`SledStore::open`](crate::SledStore::open) creates the store — or the first time this
//! build opens a store an older build created. [`inspect`] classifies a directory from
//! its entries alone (no lock taken, nothing written), which is what `restore` needs
//! before it replaces anything.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ordo_core::store::StoreError;

use crate::error::from_io;
use crate::layout;
use crate::sync::{Opened, sync_dir, sync_parent};

/// The marker file's name.
pub(crate) const MARKER: &str = "ordo-store";

/// The Unix socket a running `ordo serve` listens on inside its data directory (the `ordo`
/// CLI sends its requests there while the service holds the store). It belongs to a
/// store directory like sled's files: a stale one left by a crash is no reason to call
/// the directory foreign, and a restore replaces it with the rest.
pub const SERVICE_SOCKET: &str = "ordo.sock";

/// The marker file's first line: what identifies the directory.
const MARKER_FIRST_LINE: &str = "ordo store";

/// The marker file's whole text.
fn marker_text() -> String {
    format!(
        "{MARKER_FIRST_LINE}\nstorage format {}\n\nThis directory is an ordo data directory \
         (a sled 0.34.7 database; see docs/storage-format.md).\nKeep nothing else in it: \
         `ordo restore --force` replaces the whole directory.\n",
        layout::STORAGE_FORMAT_VERSION
    )
}

/// Whether `dir` holds a marker file whose first line identifies an ordo store.
pub(crate) fn has_marker(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(MARKER))
        .is_ok_and(|text| text.lines().next() == Some(MARKER_FIRST_LINE))
}

/// Writes the marker file into a store directory that lacks it (and `fsync`s it and the
/// directory); reports whether the store is new to this build.
///
/// # Errors
/// `Io` if the file cannot be written or synced.
pub(crate) fn mark(dir: &Path) -> Result<Opened, StoreError> {
    if has_marker(dir) {
        return Ok(Opened::Existing);
    }
    write_marker(dir)?;
    Ok(Opened::Created)
}

/// Writes and `fsync`s the marker file and the directory.
///
/// # Errors
/// `Io` if the file cannot be written or synced.
pub(crate) fn write_marker(dir: &Path) -> Result<(), StoreError> {
    let path = dir.join(MARKER);
    let io = |e: std::io::Error| from_io(&format!("cannot write {}", path.display()), &e);
    let mut file = File::create(&path).map_err(io)?;
    file.write_all(marker_text().as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    sync_dir(dir)
}

/// What a directory holds, as far as replacing it is concerned ([`inspect`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataDir {
    /// Nothing at that path.
    Absent,
    /// An empty directory.
    Empty,
    /// An ordo store: the marker file and nothing but the files a store is made of.
    Store,
    /// Anything else: why it is not an ordo store (a file, a link, a directory without
    /// the marker, or one that also holds other files).
    Foreign(String),
}

/// Whether `name` is one of the entries a store directory is made of (`blobs` is checked
/// separately: it must be a directory of blob files).
fn is_store_file(name: &str) -> bool {
    let snapshot = |rest: &str| rest.len() == 16 && rest.bytes().all(|b| b.is_ascii_hexdigit());
    match name {
        "conf" | "db" | MARKER => true,
        _ => name.strip_prefix("snap.").is_some_and(|rest| {
            snapshot(rest) || rest.strip_suffix(".generating").is_some_and(snapshot)
        }),
    }
}

/// Whether `name` is a sled blob file's name (its log sequence number in decimal).
fn is_blob_file(name: &str) -> bool {
    let digits = name.strip_prefix('-').unwrap_or(name);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The first entry of `dir` that a store directory does not have, if any.
///
/// # Errors
/// `Io` if `dir` or its `blobs` cannot be listed.
fn foreign_entry(dir: &Path) -> Result<Option<String>, StoreError> {
    for (name, kind) in entries(dir)? {
        let fits = match (name.as_str(), kind) {
            ("blobs", EntryKind::Dir) => {
                let blobs = dir.join("blobs");
                for (blob, kind) in entries(&blobs)? {
                    if kind != EntryKind::File || !is_blob_file(&blob) {
                        return Ok(Some(format!("blobs/{blob}")));
                    }
                }
                true
            }
            (crate::wal::LOG_DIR, EntryKind::Dir) => {
                let log = dir.join(crate::wal::LOG_DIR);
                for (segment, kind) in entries(&log)? {
                    if kind != EntryKind::File || !crate::wal::is_segment_name(&segment) {
                        return Ok(Some(format!("{}/{segment}", crate::wal::LOG_DIR)));
                    }
                }
                true
            }
            (name, EntryKind::File) => is_store_file(name),
            (SERVICE_SOCKET, EntryKind::Socket) => true,
            _ => false,
        };
        if !fits {
            return Ok(Some(name));
        }
    }
    Ok(None)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    File,
    Dir,
    Socket,
    Other,
}

/// The entries of `dir` with their kinds (links are `Other`: not followed), sorted.
fn entries(dir: &Path) -> Result<Vec<(String, EntryKind)>, StoreError> {
    let listing = |e: std::io::Error| from_io(&format!("cannot list {}", dir.display()), &e);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(listing)? {
        let entry = entry.map_err(listing)?;
        let kind = entry.file_type().map_err(listing)?;
        let kind = if kind.is_file() {
            EntryKind::File
        } else if kind.is_dir() {
            EntryKind::Dir
        } else if std::os::unix::fs::FileTypeExt::is_socket(&kind) {
            EntryKind::Socket
        } else {
            EntryKind::Other
        };
        out.push((entry.file_name().to_string_lossy().into_owned(), kind));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Classifies `dir` from its entries alone: no lock is taken and nothing is written, so a
/// store in use by another process is still recognised (as [`DataDir::Store`]).
///
/// # Errors
/// `Io` if the path cannot be examined.
pub fn inspect(dir: &Path) -> Result<DataDir, StoreError> {
    let metadata = match std::fs::symlink_metadata(dir) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DataDir::Absent),
        Err(e) => return Err(from_io(&format!("cannot examine {}", dir.display()), &e)),
    };
    if metadata.file_type().is_symlink() {
        return Ok(DataDir::Foreign(
            "it is a symbolic link; name the directory it points to".to_string(),
        ));
    }
    if !metadata.is_dir() {
        return Ok(DataDir::Foreign("it is not a directory".to_string()));
    }
    let listed = entries(dir)?;
    let Some((first, _)) = listed.first() else {
        return Ok(DataDir::Empty);
    };
    let foreign = foreign_entry(dir)?;
    Ok(match (has_marker(dir), foreign) {
        (true, None) => DataDir::Store,
        (true, Some(entry)) => DataDir::Foreign(format!(
            "it holds {entry}, which is not part of an ordo store"
        )),
        (false, None) => DataDir::Foreign(format!(
            "it has no {MARKER} marker file; if an older ordo created it, open it once \
             with this one (any command) to mark it"
        )),
        (false, Some(_)) => {
            DataDir::Foreign(format!("it holds {first} and no {MARKER} marker file"))
        }
    })
}

/// Where a restore into `dir` builds the new store: `<name>.ordo-restoring` beside it.
///
/// # Errors
/// `Io` if `dir` has no name of its own (such as `/` or `..`).
pub(crate) fn staging_path(dir: &Path) -> Result<PathBuf, StoreError> {
    sibling(dir, "ordo-restoring")
}

/// Where a restore into `dir` moves the store it replaces: `<name>.ordo-replaced`.
///
/// # Errors
/// As [`staging_path`].
pub(crate) fn aside_path(dir: &Path) -> Result<PathBuf, StoreError> {
    sibling(dir, "ordo-replaced")
}

fn sibling(dir: &Path, suffix: &str) -> Result<PathBuf, StoreError> {
    let unnamed = || {
        StoreError::Io(format!(
            "cannot restore into {}: name the data directory itself (e.g. ./ordo-data)",
            dir.display()
        ))
    };
    let absolute = std::path::absolute(dir).map_err(|_| unnamed())?;
    let name = absolute.file_name().ok_or_else(unnamed)?;
    let parent = absolute.parent().ok_or_else(unnamed)?;
    let mut sibling = name.to_os_string();
    sibling.push(".");
    sibling.push(suffix);
    Ok(parent.join(sibling))
}

/// Takes an exclusive lock on `path` (a directory or a file) without waiting; `None` if
/// another process (or handle) holds it. Restore holds such locks on its staging
/// directory and on the store it replaces for as long as it runs, so [`recover`] can tell
/// a restore in progress from one a crash interrupted (the kernel drops the locks of a
/// process that dies).
///
/// # Errors
/// `Io` if `path` cannot be opened or locked for another reason.
pub(crate) fn try_lock(path: &Path) -> Result<Option<File>, StoreError> {
    let file =
        File::open(path).map_err(|e| from_io(&format!("cannot open {}", path.display()), &e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(from_io(&format!("cannot lock {}", path.display()), &e))
        }
    }
}

/// Whether a running restore holds `path` (see [`try_lock`]).
pub(crate) fn held_by_a_restore(path: &Path) -> bool {
    // A path that cannot even be opened is not held by anyone.
    matches!(try_lock(path), Ok(None))
}

/// Finishes or undoes a restore into `dir` that a crash (or a failure) interrupted, from
/// the state its leftovers are in; does nothing when there are none. Run by
/// [`SledStore::open`](crate::SledStore::open) before sled opens the directory, and by
/// `restore` before it starts.
///
/// - `dir` is a store: the restore either never swapped (a staging directory is left) or
///   had swapped and not yet removed the store it replaced (an aside directory is left).
///   Either leftover is removed; `dir` is kept as it is.
/// - `dir` is absent or empty: a complete staging store (it has its marker, written last)
///   is moved into place — the restore is completed; otherwise the aside store is moved
///   back — the restore is undone.
///
/// Leftovers a running restore still holds are left alone, and so are leftovers that
/// hold files a store does not have (for a person to look at).
///
/// # Errors
/// `Locked` if `dir` is missing because a restore into it is running right now; `Io` if
/// `dir` is missing and a leftover cannot be moved into place or removed, or a rename,
/// removal or `fsync` fails.
pub(crate) fn recover(dir: &Path) -> Result<(), StoreError> {
    // A directory without a name of its own (`/`) cannot be restored into either.
    let (Ok(staging), Ok(aside)) = (staging_path(dir), aside_path(dir)) else {
        return Ok(());
    };
    let staging_left = staging.exists();
    let aside_left = aside.exists();
    if !staging_left && !aside_left {
        return Ok(());
    }
    let running =
        (staging_left && held_by_a_restore(&staging)) || (aside_left && held_by_a_restore(&aside));
    match inspect(dir)? {
        DataDir::Store if running => Ok(()),
        DataDir::Store => {
            for leftover in [&aside, &staging] {
                if leftover.exists() {
                    tracing::warn!(leftover = %leftover.display(), "removing what an interrupted restore left");
                    // The store itself is whole: a leftover that cannot go (it holds
                    // other files) must not keep it from opening; restore reports it.
                    if let Err(error) = remove_store_dir(leftover) {
                        tracing::warn!(%error, "leaving it in place");
                    }
                }
            }
            Ok(())
        }
        DataDir::Absent | DataDir::Empty if running => Err(StoreError::Locked(format!(
            "a restore into {} is in progress; try again when it has finished",
            dir.display()
        ))),
        DataDir::Absent | DataDir::Empty => move_leftover_in(dir, &staging, &aside),
        DataDir::Foreign(why) => {
            tracing::warn!(dir = %dir.display(), why, "an interrupted restore left files beside a directory that is not a store; leaving them");
            Ok(())
        }
    }
}

/// `dir` is absent or empty: completes the restore from a complete staging store, or
/// undoes it from the aside store.
fn move_leftover_in(dir: &Path, staging: &Path, aside: &Path) -> Result<(), StoreError> {
    let complete = |path: &Path| -> Result<bool, StoreError> {
        Ok(path.exists() && inspect(path)? == DataDir::Store)
    };
    let (keep, drop) = if complete(staging)? {
        tracing::warn!(dir = %dir.display(), "completing an interrupted restore");
        (staging, aside)
    } else if complete(aside)? {
        tracing::warn!(dir = %dir.display(), "undoing an interrupted restore");
        (aside, staging)
    } else if staging.exists() && !aside.exists() {
        // The new store was never finished and nothing was replaced.
        tracing::warn!(leftover = %staging.display(), "removing an unfinished restore");
        return remove_store_dir(staging);
    } else {
        return Err(StoreError::Io(format!(
            "{} is missing and what an interrupted restore left beside it is not a complete \
             store; move {} and {} away, then restore again",
            dir.display(),
            staging.display(),
            aside.display()
        )));
    };
    std::fs::rename(keep, dir).map_err(|e| {
        from_io(
            &format!("cannot move {} to {}", keep.display(), dir.display()),
            &e,
        )
    })?;
    sync_parent(dir)?;
    if drop.exists() {
        remove_store_dir(drop)?;
    }
    Ok(())
}

/// Removes a directory of store files (complete or partly removed): the marker first, so
/// an interrupted removal never leaves something that looks like a complete store; then
/// the rest, then the parent's entry is synced.
///
/// # Errors
/// `Io` if it holds anything a store does not (nothing is removed then) or a removal fails.
pub(crate) fn remove_store_dir(path: &Path) -> Result<(), StoreError> {
    if let Some(entry) = foreign_entry(path)? {
        return Err(StoreError::Io(format!(
            "{} was left by an interrupted restore but holds {entry}, which is not part of \
             an ordo store; move it away",
            path.display()
        )));
    }
    remove_marker(path)?;
    std::fs::remove_dir_all(path)
        .map_err(|e| from_io(&format!("cannot remove {}", path.display()), &e))?;
    sync_parent(path)
}

/// Removes the marker file of the store in `path` (if it has one) and syncs the
/// directory: from then on the directory is not a complete store.
///
/// # Errors
/// `Io` if the removal or the `fsync` fails.
pub(crate) fn remove_marker(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(path.join(MARKER)) {
        Ok(()) => sync_dir(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(from_io(&format!("cannot remove {}", path.display()), &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Durability, SledStore, StoreConfig};

    #[test]
    fn a_service_socket_is_part_of_a_store_directory_and_nothing_else_named_so() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("data");
        drop(SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap());
        assert_eq!(inspect(&dir).unwrap(), DataDir::Store);
        // A socket left by a service (bound here and dropped: a stale one, as after a crash).
        let socket = dir.join(SERVICE_SOCKET);
        drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
        assert_eq!(inspect(&dir).unwrap(), DataDir::Store);
        // The store opens beside it.
        drop(SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap());
        assert_eq!(foreign_entry(&dir).unwrap(), None);
        // Another socket, or a plain file under the socket's name, is foreign.
        std::fs::remove_file(&socket).unwrap();
        std::fs::write(&socket, "not a socket").unwrap();
        assert!(
            matches!(inspect(&dir).unwrap(), DataDir::Foreign(why) if why.contains(SERVICE_SOCKET))
        );
        std::fs::remove_file(&socket).unwrap();
        drop(std::os::unix::net::UnixListener::bind(dir.join("other.sock")).unwrap());
        assert!(
            matches!(inspect(&dir).unwrap(), DataDir::Foreign(why) if why.contains("other.sock"))
        );
    }
}
