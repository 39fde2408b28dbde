//! Restoring a backup file into a data directory, so that a crash at any moment leaves
//! the directory holding either the old store or the new one, complete.
//!
//! The target must be absent, an empty directory, or — when replacing — an ordo store
//! ([`DataDir::Store`]: its marker file and nothing but store files). Anything else is
//! refused before anything is touched: restore never deletes a directory it did not
//! create. The steps (`T` the target, `S` = `T.ordo-restoring` and `A` = `T.ordo-replaced`
//! beside it, in the same parent `P` so renames are atomic):
//!
//! 1. build the new store in `S` (a new sled database, the backup's entries, the id
//!    floor); 2. `fsync` every file of `S` and `S` itself; 3. write `S`'s marker file last
//!    and `fsync` it, `S` and `P` — from here `S` is a complete store;
//! 4. (replacing) rename `T` to `A`; 5. `fsync` `P`;
//! 6. rename `S` to `T`; 7. `fsync` `P`;
//! 8. (replacing) remove `A`'s marker; 9. remove `A`; 10. `fsync` `P`.
//!
//! A crash before 4 leaves the old `T` whole (and a leftover `S`); between 4 and 6, `T`
//! is missing while `A` (old) and `S` (new) are complete; after 6, `T` is the new store.
//! [`datadir::recover`], run by every open of `T` and by the next restore, reads which of
//! these states it finds and completes or undoes the restore. Throughout, restore holds
//! locks on `S` and on the replaced store (its `db` file, which keeps other processes from
//! opening it, and its directory), so recovery never touches a restore that is running.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ordo_core::store::StoreError;

use crate::backup::{self, BackupInfo};
use crate::codec;
use crate::datadir::{self, DataDir};
use crate::error::{from_io, from_sled};
use crate::layout::{self, Slot, Trees};
use crate::store::wait_for_unlock;
use crate::sync::{sync_parent, sync_store_files};

/// Entries per sled batch while restoring.
const RESTORE_CHUNK: usize = 10_000;

/// What [`restore`] does when the target directory already holds a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfNotEmpty {
    /// Refuse, leaving the directory untouched.
    Refuse,
    /// Replace the store (refused all the same while a process has it open, and always
    /// for a directory that is not an ordo store).
    Replace,
}

/// Restores a backup into `dir`, which must be absent or empty unless `if_not_empty` is
/// [`IfNotEmpty::Replace`] and `dir` is an ordo store ([`DataDir::Store`]). The file is
/// verified first; the new store is built beside `dir` (in `<dir>.ordo-restoring`),
/// every file and directory is `fsync`ed, and it is swapped in with renames (the old one
/// moved to `<dir>.ordo-replaced`, removed last) as `docs/storage-format.md` describes,
/// so a failure or crash at any point leaves `dir` holding either the old store or the
/// new one (the next open or restore completes or undoes an interrupted restore). The
/// restored store hands out ids above every id in the backup. Values that do not decode
/// are restored as stored and reported in [`BackupInfo::undecodable`].
///
/// # Errors
/// `Corrupted` if the backup does not verify; `Locked` if a process has `dir` open or
/// another restore into it is running; `Io` if `dir` is not an ordo store, or is one and
/// `Refuse` was given (nothing is touched then), or on any file or sled failure.
pub fn restore(
    file: &Path,
    dir: &Path,
    if_not_empty: IfNotEmpty,
) -> Result<BackupInfo, StoreError> {
    backup::verify(file)?;
    datadir::recover(dir)?;
    let replacing = match datadir::inspect(dir)? {
        DataDir::Absent | DataDir::Empty => false,
        DataDir::Store if if_not_empty == IfNotEmpty::Replace => true,
        DataDir::Store => {
            return Err(StoreError::Io(format!(
                "{} is not empty; restore into an empty directory or choose replace",
                dir.display()
            )));
        }
        DataDir::Foreign(why) => {
            return Err(StoreError::Io(format!(
                "{} is not an ordo data directory ({why}); restore never replaces it: \
                 restore into a new or empty directory",
                dir.display()
            )));
        }
    };
    let swap = Swap::prepare(dir, replacing)?;
    swap.run(file)
}

/// One restore in progress: the paths and the locks it holds until it is done (the
/// kernel releases them if the process dies).
struct Swap {
    target: PathBuf,
    staging: PathBuf,
    aside: PathBuf,
    replacing: bool,
    _locks: Vec<File>,
}

impl Swap {
    /// Takes the locks and creates the staging directory.
    fn prepare(dir: &Path, replacing: bool) -> Result<Swap, StoreError> {
        let staging = datadir::staging_path(dir)?;
        let aside = datadir::aside_path(dir)?;
        // `recover` removed every leftover it could: what is left is either held by a
        // running restore or holds files a store does not have.
        for leftover in [&staging, &aside] {
            if datadir::held_by_a_restore(leftover) {
                return Err(StoreError::Locked(format!(
                    "another restore into {} is in progress",
                    dir.display()
                )));
            }
            if leftover.exists() {
                return Err(StoreError::Io(format!(
                    "{} is in the way of the restore and is not a store this restore may \
                     remove; move it away",
                    leftover.display()
                )));
            }
        }
        let mut locks = Vec::new();
        if replacing {
            let in_use = || {
                StoreError::Locked(format!(
                    "the data directory {} is in use by another ordo process; stop it first",
                    dir.display()
                ))
            };
            // The store's own lock (sled's): no process can open it while it is swapped.
            locks.push(datadir::try_lock(&dir.join("db"))?.ok_or_else(in_use)?);
            locks.push(datadir::try_lock(dir)?.ok_or_else(in_use)?);
        }
        if let Some(parent) = staging.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| from_io(&format!("cannot create {}", parent.display()), &e))?;
        }
        std::fs::create_dir(&staging)
            .map_err(|e| from_io(&format!("cannot create {}", staging.display()), &e))?;
        let staging_lock = datadir::try_lock(&staging)?.ok_or_else(|| {
            StoreError::Locked(format!(
                "another restore into {} is in progress",
                dir.display()
            ))
        })?;
        locks.push(staging_lock);
        Ok(Swap {
            target: dir.to_path_buf(),
            staging,
            aside,
            replacing,
            _locks: locks,
        })
    }

    /// Builds the new store and swaps it in (steps 1–10 of the module documentation).
    fn run(self, file: &Path) -> Result<BackupInfo, StoreError> {
        let info = match build(file, &self.staging) {
            Ok(info) => info,
            Err(error) => {
                // Nothing was swapped: the unfinished store goes (the target is untouched).
                if let Err(cleanup) = datadir::remove_store_dir(&self.staging) {
                    tracing::warn!(%cleanup, "cannot remove an unfinished restore");
                }
                return Err(error);
            }
        };
        crash_point()?;
        sync_store_files(&self.staging)?;
        crash_point()?;
        datadir::write_marker(&self.staging)?;
        sync_parent(&self.staging)?;
        crash_point()?;
        if self.replacing {
            rename(&self.target, &self.aside)?;
            crash_point()?;
            sync_parent(&self.target)?;
            crash_point()?;
        }
        rename(&self.staging, &self.target)?;
        crash_point()?;
        sync_parent(&self.target)?;
        crash_point()?;
        if self.replacing {
            datadir::remove_marker(&self.aside)?;
            crash_point()?;
            std::fs::remove_dir_all(&self.aside)
                .map_err(|e| from_io(&format!("cannot remove {}", self.aside.display()), &e))?;
            crash_point()?;
            sync_parent(&self.aside)?;
            crash_point()?;
        }
        Ok(info)
    }
}

/// `rename(from, to)`, where `to` is absent or an empty directory (which it replaces).
fn rename(from: &Path, to: &Path) -> Result<(), StoreError> {
    std::fs::rename(from, to).map_err(|e| {
        from_io(
            &format!("cannot move {} to {}", from.display(), to.display()),
            &e,
        )
    })
}

/// Writes the backup's entries into a new database in `staging` and closes it.
fn build(file: &Path, staging: &Path) -> Result<BackupInfo, StoreError> {
    let db = sled::Config::new()
        .path(staging)
        .open()
        .map_err(from_sled)?;
    let trees = Trees::open(&db)?;
    let mut batch = sled::Batch::default();
    let mut batch_slot = Slot(0);
    let mut in_batch = 0usize;
    let info = backup::read_all(file, |slot, key, value| {
        if slot != batch_slot || in_batch >= RESTORE_CHUNK {
            let full = std::mem::take(&mut batch);
            trees
                .tree(batch_slot)
                .apply_batch(full)
                .map_err(from_sled)?;
            batch_slot = slot;
            in_batch = 0;
        }
        batch.insert(key, value);
        in_batch += 1;
        Ok(())
    })?;
    trees
        .tree(batch_slot)
        .apply_batch(batch)
        .map_err(from_sled)?;
    // Ids continue above the backup's (sled's own counter starts again at 0 here).
    trees
        .tree(layout::META)
        .insert(
            layout::META_ID_OFFSET,
            codec::encode_counter(info.id_floor)?,
        )
        .map_err(from_sled)?;
    db.flush().map_err(from_sled)?;
    drop(trees);
    drop(db);
    wait_for_unlock(staging, Duration::from_secs(10));
    Ok(info)
}

#[cfg(test)]
thread_local! {
    /// Test-only crash injection: `Some(n)` makes the `n`th crash point (1-based) of this
    /// thread's next restores fail as a crash would (nothing cleaned up, locks dropped).
    static CRASH_AT: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    /// Crash points passed so far.
    static PASSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A point between two steps where a test can make the restore stop as if the process
/// died there. Does nothing outside tests.
fn crash_point() -> Result<(), StoreError> {
    #[cfg(test)]
    {
        let passed = PASSED.with(|p| {
            p.set(p.get() + 1);
            p.get()
        });
        if CRASH_AT.with(std::cell::Cell::get) == Some(passed) {
            return Err(StoreError::Io(format!("injected crash at point {passed}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
