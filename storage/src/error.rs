//! Translation of sled's errors into [`StoreError`], inside the adapter (so nothing above
//! the `Store` trait ever sees a sled type).

use std::path::Path;

use ordo_core::store::StoreError;

/// The text sled 0.34 puts in the I/O error when another process holds the database's
/// file lock (`Config::try_lock` in sled's `config.rs`).
const SLED_LOCK_MESSAGE: &str = "could not acquire lock";

/// Maps a sled error met while reading or writing.
pub(crate) fn from_sled(error: sled::Error) -> StoreError {
    match error {
        sled::Error::Corruption { at, .. } => StoreError::Corrupted {
            key: match at {
                Some(pointer) => format!("sled log at {pointer}"),
                None => "sled log".to_string(),
            },
            reason: "sled detected corruption in its own files".to_string(),
        },
        other => StoreError::Io(format!("storage failure: {other}")),
    }
}

/// Maps a sled error met while opening the database in `dir`: a held file lock becomes
/// [`StoreError::Locked`].
pub(crate) fn from_sled_open(dir: &Path, error: sled::Error) -> StoreError {
    match &error {
        sled::Error::Io(io) if io.to_string().contains(SLED_LOCK_MESSAGE) => {
            StoreError::Locked(format!(
                "the data directory {} is in use by another ordo process; stop it or use \
                 another directory",
                dir.display()
            ))
        }
        _ => match from_sled(error) {
            StoreError::Io(reason) => {
                StoreError::Io(format!("cannot open {}: {reason}", dir.display()))
            }
            other => other,
        },
    }
}

/// Maps a file-system error on `what`.
pub(crate) fn from_io(what: &str, error: &std::io::Error) -> StoreError {
    StoreError::Io(format!("{what}: {error}"))
}

/// The writer is gone (only while the store is being dropped).
pub(crate) fn writer_stopped() -> StoreError {
    StoreError::Io("the storage writer has stopped; reopen the store".to_string())
}
