//! What makes a directory an ordo data directory, and how to tell without opening it.
//!
//! A store directory holds sled's files (`conf`, `db`, `blobs/`, `snap.*`) and ordo's
//! marker file [`MARKER`], written (and `fsync`ed with its directory) when
//! [`SledStore::open`](crate::SledStore::open) creates the store — or the first time this
//! build opens a store an older build created. [`inspect`] classifies a directory from
//! its entries alone (no lock taken, nothing written), which is what `restore` needs
//! before it replaces anything.

use std::io::Write as _;
use std::path::Path;

use ordo_core::store::StoreError;

use crate::error::from_io;
use crate::layout;
use crate::sync::{Opened, sync_dir};

/// The marker file's name.
pub(crate) const MARKER: &str = "ordo-store";

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
    let mut file = std::fs::File::create(&path).map_err(io)?;
    file.write_all(marker_text().as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    sync_dir(dir)
}
