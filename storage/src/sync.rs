//! Forcing the database files to stable storage after sled's own flush.
//!
//! sled 0.34's `flush()` ends in `sync_file_range`, which writes the pages but neither
//! forces the device's write cache nor records the file's metadata, and it never syncs
//! the blob files it writes for very large pages. For [`Durability::Immediate`] the writer
//! therefore calls [`FileSyncer::sync`] after every flush: `fsync` of the log file `db`,
//! of any blob file not synced yet, and of the directories whose entries changed.
//!
//! [`Durability::Immediate`]: crate::Durability::Immediate

use std::fs::File;
use std::path::{Path, PathBuf};

use ordo_core::store::StoreError;

use crate::error::from_io;

/// Open handles on the files `fsync` must reach.
pub(crate) struct FileSyncer {
    dir: PathBuf,
    log: File,
    /// Names of blob files already synced (sled names them by log sequence number).
    synced_blobs: std::collections::BTreeSet<std::ffi::OsString>,
}

impl FileSyncer {
    /// Handles for the database in `dir` (which sled has opened already).
    ///
    /// # Errors
    /// `Io` if the log file cannot be opened.
    pub(crate) fn new(dir: &Path) -> Result<FileSyncer, StoreError> {
        let log_path = dir.join("db");
        let log = File::open(&log_path)
            .map_err(|e| from_io(&format!("cannot open {}", log_path.display()), &e))?;
        let mut syncer = FileSyncer {
            dir: dir.to_path_buf(),
            log,
            synced_blobs: Default::default(),
        };
        // Everything present at open is synced once, so later calls only touch new files.
        syncer.sync()?;
        sync_dir(dir)?;
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

/// `fsync` of a directory, so the entries of files created in it are durable.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    match File::open(dir).and_then(|d| d.sync_all()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(from_io(&format!("cannot fsync {}", dir.display()), &e)),
    }
}
