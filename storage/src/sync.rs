//! Forcing the database files to stable storage after sled's own flush.
//!
//! sled 0.34's `flush()` ends in `sync_file_range`, which writes the pages but neither
//! forces the device's write cache nor records the file's metadata; it never syncs the
//! blob files it writes for very large pages, writes its `conf` file without `fsync`, and
//! never syncs a directory after creating or renaming a file in it. So after every flush
//! that must be durable (each batch in [`Durability::Immediate`], each round of the
//! periodic flusher in [`Durability::Periodic`]) the store calls [`FileSyncer::sync`]:
//! `fsync` of the log file `db`, of any blob file not synced yet, and of the directories
//! whose entries changed. At open, [`FileSyncer::new`] syncs everything once.
//!
//! [`Durability::Immediate`]: crate::Durability::Immediate
//! [`Durability::Periodic`]: crate::Durability::Periodic

use std::fs::File;
use std::path::{Path, PathBuf};

use ordo_core::store::StoreError;

use crate::error::from_io;

/// How the database came to be open: whether its directory's own entry (in the parent
/// directory) still has to be made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opened {
    /// The store was created by this open (or a crash interrupted its creation).
    Created,
    /// The store existed and was complete.
    Existing,
}

/// Open handles on the files `fsync` must reach.
pub(crate) struct FileSyncer {
    dir: PathBuf,
    log: File,
    /// Names of blob files already synced (sled names them by log sequence number).
    synced_blobs: std::collections::BTreeSet<std::ffi::OsString>,
}

impl FileSyncer {
    /// Handles for the database in `dir` (which sled has opened already). Everything
    /// present is synced once, so later calls only touch new files: every file in `dir`
    /// (sled writes its `conf` without `fsync`, and renames snapshots without syncing the
    /// directory), the blobs, the directories, and — for a store just created — the parent
    /// directory holding `dir`'s own entry.
    ///
    /// # Errors
    /// `Io` if the log file cannot be opened or an `fsync` fails.
    pub(crate) fn new(dir: &Path, opened: Opened) -> Result<FileSyncer, StoreError> {
        let log_path = dir.join("db");
        let log = File::open(&log_path)
            .map_err(|e| from_io(&format!("cannot open {}", log_path.display()), &e))?;
        let mut syncer = FileSyncer {
            dir: dir.to_path_buf(),
            log,
            synced_blobs: Default::default(),
        };
        sync_files_in(dir)?;
        syncer.sync_new_blobs()?;
        sync_dir(&dir.join("blobs"))?;
        sync_dir(dir)?;
        if opened == Opened::Created {
            sync_parent(dir)?;
        }
        Ok(syncer)
    }

    /// `fsync`s the log, new blob files and the directories.
    ///
    /// # Errors
    /// `Io` if any `fsync` fails: the data may not be durable.
    pub(crate) fn sync(&mut self) -> Result<(), StoreError> {
        self.log
            .sync_all()
            .map_err(|e| from_io("cannot fsync the database log", &e))?;
        if self.sync_new_blobs()? {
            sync_dir(&self.dir.join("blobs"))?;
            sync_dir(&self.dir)?;
        }
        Ok(())
    }

    /// Syncs blob files not seen before; true if there were any.
    fn sync_new_blobs(&mut self) -> Result<bool, StoreError> {
        let blobs = self.dir.join("blobs");
        let entries = match std::fs::read_dir(&blobs) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(from_io("cannot list the blob directory", &e)),
        };
        let mut found_new = false;
        let mut present = std::collections::BTreeSet::new();
        for entry in entries {
            let entry = entry.map_err(|e| from_io("cannot list the blob directory", &e))?;
            let name = entry.file_name();
            if !self.synced_blobs.contains(&name) {
                match File::open(entry.path()).and_then(|f| f.sync_all()) {
                    Ok(()) => {}
                    // sled removes blobs it no longer needs; a vanished one needs no sync.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(from_io("cannot fsync a blob file", &e)),
                }
                found_new = true;
            }
            present.insert(name);
        }
        self.synced_blobs = present;
        Ok(found_new)
    }
}

/// `fsync` of every regular file directly in `dir` (a file that vanishes meanwhile, such
/// as a snapshot sled replaces, needs none).
///
/// # Errors
/// `Io` if the directory cannot be listed or an `fsync` fails.
pub(crate) fn sync_files_in(dir: &Path) -> Result<(), StoreError> {
    let listing = |e: std::io::Error| from_io(&format!("cannot list {}", dir.display()), &e);
    for entry in std::fs::read_dir(dir).map_err(listing)? {
        let entry = entry.map_err(listing)?;
        let is_file = entry.file_type().map_err(listing)?.is_file();
        if is_file {
            sync_file(&entry.path())?;
        }
    }
    Ok(())
}

/// `fsync` of every file of a closed store in `dir` (top level and `blobs/`), then of
/// `blobs/` and of `dir` itself: after this the directory is complete on stable storage.
///
/// # Errors
/// `Io` if anything cannot be listed or synced.
pub(crate) fn sync_store_files(dir: &Path) -> Result<(), StoreError> {
    let blobs = dir.join("blobs");
    if blobs.is_dir() {
        sync_files_in(&blobs)?;
        sync_dir(&blobs)?;
    }
    sync_files_in(dir)?;
    sync_dir(dir)
}

/// `fsync` of one file (none needed if it has vanished).
///
/// # Errors
/// `Io` if the `fsync` fails.
pub(crate) fn sync_file(path: &Path) -> Result<(), StoreError> {
    match File::open(path).and_then(|f| f.sync_all()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(from_io(&format!("cannot fsync {}", path.display()), &e)),
    }
}

/// `fsync` of a directory, so the entries of files created, renamed or removed in it are
/// durable.
///
/// # Errors
/// `Io` if the `fsync` fails.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    match File::open(dir).and_then(|d| d.sync_all()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(from_io(&format!("cannot fsync {}", dir.display()), &e)),
    }
}

/// `fsync` of the directory holding `path`, so `path`'s own entry (created or renamed) is
/// durable.
///
/// # Errors
/// `Io` if the `fsync` fails.
pub(crate) fn sync_parent(path: &Path) -> Result<(), StoreError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(parent)
        .and_then(|d| d.sync_all())
        .map_err(|e| from_io(&format!("cannot fsync {}", parent.display()), &e))
}
