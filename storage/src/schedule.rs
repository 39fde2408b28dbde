//! Automatic backups: every N minutes into a directory, keeping the newest K files.
//!
//! [`BackupSchedule`] is plain data with a [`BackupSchedule::run_due`] method that takes
//! the current time, so hosts (and tests) decide when to call it;
//! [`spawn_backups`] runs it on a thread of its own.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ordo_core::store::StoreError;

use crate::error::from_io;
use crate::store::SledStore;

const PREFIX: &str = "ordo-";
const SUFFIX: &str = ".ordo-backup";

/// When and where automatic backups go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSchedule {
    dir: PathBuf,
    every: Duration,
    keep: usize,
    last: Option<SystemTime>,
}

impl BackupSchedule {
    /// A backup every `every_minutes` minutes into `dir` (created if needed), keeping the
    /// newest `keep` files. The last backup already in `dir` counts, so a restart does not
    /// back up again before it is due.
    ///
    /// # Errors
    /// `Io` if `every_minutes` or `keep` is 0, or `dir` cannot be created or listed.
    pub fn every_minutes(
        dir: &Path,
        every_minutes: u64,
        keep: usize,
    ) -> Result<BackupSchedule, StoreError> {
        if every_minutes == 0 || keep == 0 {
            return Err(StoreError::Io(
                "a backup schedule needs an interval and a number of files to keep of at \
                 least 1"
                    .to_string(),
            ));
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| from_io(&format!("cannot create {}", dir.display()), &e))?;
        let mut schedule = BackupSchedule {
            dir: dir.to_path_buf(),
            every: Duration::from_secs(every_minutes.saturating_mul(60)),
            keep,
            last: None,
        };
        schedule.last = schedule
            .backups()?
            .last()
            .and_then(|path| taken_at(path))
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms));
        Ok(schedule)
    }

    /// The interval.
    pub fn every(&self) -> Duration {
        self.every
    }

    /// True if a backup is due at `now`.
    pub fn is_due(&self, now: SystemTime) -> bool {
        match self.last {
            None => true,
            // A clock that went backwards makes a backup due rather than never.
            Some(last) => now
                .duration_since(last)
                .map_or(true, |gap| gap >= self.every),
        }
    }

    /// How long until the next backup is due at `now` (zero if due).
    pub fn due_in(&self, now: SystemTime) -> Duration {
        match self.last {
            None => Duration::ZERO,
            Some(last) => match now.duration_since(last) {
                Ok(gap) => self.every.saturating_sub(gap),
                Err(_) => Duration::ZERO,
            },
        }
    }

    /// If a backup is due at `now`, writes one named after `now` and deletes the oldest
    /// beyond `keep`; returns its path.
    ///
    /// # Errors
    /// As [`SledStore::backup`]; `Io` if old backups cannot be listed or removed.
    pub fn run_due(
        &mut self,
        store: &SledStore,
        now: SystemTime,
    ) -> Result<Option<PathBuf>, StoreError> {
        if !self.is_due(now) {
            return Ok(None);
        }
        let ms = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let path = self.dir.join(format!("{PREFIX}{ms:015}{SUFFIX}"));
        store.backup(&path)?;
        self.last = Some(now);
        let backups = self.backups()?;
        let excess = backups.len().saturating_sub(self.keep);
        for old in backups.iter().take(excess) {
            std::fs::remove_file(old)
                .map_err(|e| from_io(&format!("cannot remove {}", old.display()), &e))?;
        }
        Ok(Some(path))
    }

    /// The backups in the directory written by a schedule, oldest first.
    ///
    /// # Errors
    /// `Io` if the directory cannot be listed.
    pub fn backups(&self) -> Result<Vec<PathBuf>, StoreError> {
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|e| from_io(&format!("cannot list {}", self.dir.display()), &e))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry =
                entry.map_err(|e| from_io(&format!("cannot list {}", self.dir.display()), &e))?;
            let path = entry.path();
            if taken_at(&path).is_some() {
                found.push(path);
            }
        }
        // Fixed-width millisecond names: name order is time order.
        found.sort();
        Ok(found)
    }
}

/// The time in a schedule's backup file name.
fn taken_at(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    let digits = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    if digits.len() != 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A running backup thread; stops (after any backup in progress) when stopped or dropped.
#[derive(Debug)]
pub struct BackupThread {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl BackupThread {
    /// Stops the thread and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the backup thread panicked");
        }
    }
}

impl Drop for BackupThread {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Runs `schedule` on its own thread against the system clock. A failed backup is logged
/// and tried again at the next interval.
///
/// # Errors
/// `Io` if the thread cannot be started.
pub fn spawn_backups(
    store: Arc<SledStore>,
    mut schedule: BackupSchedule,
) -> Result<BackupThread, StoreError> {
    let (stop, stopped) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("ordo-backups".to_string())
        .spawn(move || {
            loop {
                let now = SystemTime::now();
                match schedule.run_due(&store, now) {
                    Ok(Some(path)) => tracing::info!(path = %path.display(), "backup written"),
                    Ok(None) => {}
                    Err(error) => {
                        tracing::error!(%error, "automatic backup failed");
                        // Wait a whole interval before trying again.
                        schedule.last = Some(now);
                    }
                }
                let wait = schedule
                    .due_in(SystemTime::now())
                    .max(Duration::from_secs(1));
                match stopped.recv_timeout(wait) {
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
        })
        .map_err(|e| from_io("cannot start the backup thread", &e))?;
    Ok(BackupThread {
        stop: Some(stop),
        thread: Some(thread),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_schedule_file_names_count() {
        assert_eq!(
            taken_at(Path::new("/x/ordo-001700000000000.ordo-backup")),
            Some(1_700_000_000_000)
        );
        assert_eq!(taken_at(Path::new("ordo-17.ordo-backup")), None);
        assert_eq!(
            taken_at(Path::new("ordo-00170000000000x.ordo-backup")),
            None
        );
        assert_eq!(taken_at(Path::new("notes.txt")), None);
    }
}
