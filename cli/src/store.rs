//! Where the data lives: the one module that chooses and opens the store, and that
//! backs it up, verifies backups and restores them.
//!
//! Every other module sees only `ordo_core::store::Store` through the engine (and
//! [`BackupInfo`], re-exported here). The store is a sled data directory (`--data DIR`,
//! the default) or a PostgreSQL database (`--database postgres://…` or
//! `$ORDO_DATABASE_URL`), which several `ordo` processes may share.

use std::path::Path;

use anyhow::Context as _;
use ordo_core::store::StoreError;
use ordo_postgres::{PgConfig, PgStore};
use ordo_storage::backup::DataDir;
use ordo_storage::{Durability, IfNotEmpty, SledStore, StoreConfig, backup};

pub use ordo_storage::BackupInfo;

/// The store the CLI runs on: one of the backends (the service's own type, so `ordo serve`
/// runs on what the other commands open).
pub use ordo_bots::backend::AppStore;

/// Opens (creating if needed) the sled store in `dir`, with every acknowledged change on
/// stable storage before the command reports success.
///
/// # Errors
/// If the directory cannot be created, is in use by another ordo process, or holds data
/// that cannot be read.
pub fn open_sled(dir: &Path) -> anyhow::Result<SledStore> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    let store = SledStore::open(dir, StoreConfig::new(Durability::Immediate))
        .map_err(ordo_core::Error::from)?;
    Ok(store)
}

/// [`open_sled`] as the CLI's store.
///
/// # Errors
/// As [`open_sled`].
pub fn open_store(dir: &Path) -> anyhow::Result<AppStore> {
    open_sled(dir).map(AppStore::from)
}

/// Opens the PostgreSQL database at `url`, creating or upgrading its tables. A commit is
/// durable when the server acknowledges it (its own `fsync`).
///
/// # Errors
/// If the URL does not parse (the error does not repeat it: it may hold a password), the
/// server cannot be reached, or the database was written by a newer ordo.
pub fn open_database(url: &str) -> anyhow::Result<AppStore> {
    let store = PgStore::open(url, PgConfig::default()).map_err(ordo_core::Error::from)?;
    Ok(AppStore::Postgres(store))
}

/// Writes a consistent snapshot of `store` to `file`.
///
/// # Errors
/// If the file cannot be written or a stored value does not decode; always for a
/// PostgreSQL store, whose backups are the database's own (`pg_dump`).
pub fn backup(store: &AppStore, file: &Path) -> anyhow::Result<BackupInfo> {
    match store {
        AppStore::Sled(store) => store.backup(file).map_err(|e| backup_error(file, e)),
        AppStore::Postgres(_) => Err(anyhow::anyhow!(
            "a PostgreSQL store is backed up by the database: use pg_dump (and pg_restore)"
        )),
    }
}

/// Checks `file` end to end without restoring it.
///
/// # Errors
/// One line naming the damage, or why the file cannot be read.
pub fn verify(file: &Path) -> anyhow::Result<BackupInfo> {
    backup::verify(file).map_err(|e| backup_error(file, e))
}

/// What to do with a data directory that already holds a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occupied {
    /// Leave it alone and fail.
    Refuse,
    /// Replace the store.
    Replace,
}

/// What a restore would find at a data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Absent or empty: a restore fills it.
    Free,
    /// An ordo store: only `--force` replaces it.
    Store,
    /// Anything else, with why: never replaced.
    Foreign(String),
}

/// Looks at `dir` without opening or changing it.
///
/// # Errors
/// If the path cannot be examined.
pub fn restore_target(dir: &Path) -> anyhow::Result<Target> {
    Ok(
        match backup::inspect(dir).map_err(ordo_core::Error::from)? {
            DataDir::Absent | DataDir::Empty => Target::Free,
            DataDir::Store => Target::Store,
            DataDir::Foreign(why) => Target::Foreign(why),
        },
    )
}

/// Restores `file` into `dir`.
///
/// # Errors
/// As [`verify`]; `dir` in use by another process, not an ordo store, or (with
/// [`Occupied::Refuse`]) not empty; file system failures.
pub fn restore(file: &Path, dir: &Path, occupied: Occupied) -> anyhow::Result<BackupInfo> {
    let if_not_empty = match occupied {
        Occupied::Refuse => IfNotEmpty::Refuse,
        Occupied::Replace => IfNotEmpty::Replace,
    };
    backup::restore(file, dir, if_not_empty).map_err(|e| backup_error(file, e))
}

/// A backup failure as one line: damage names the file and what is wrong with it.
fn backup_error(file: &Path, error: StoreError) -> anyhow::Error {
    match error {
        StoreError::Corrupted { key, reason } => {
            let whole_file = key == format!("backup {}", file.display());
            if whole_file {
                anyhow::anyhow!("{} is not a usable backup: {reason}", file.display())
            } else {
                anyhow::anyhow!(
                    "{} is not a usable backup: entry {key} is damaged: {reason}",
                    file.display()
                )
            }
        }
        StoreError::Io(message) => anyhow::anyhow!(message),
        other => ordo_core::Error::from(other).into(),
    }
}
