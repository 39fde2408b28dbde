//! `ordo backup`, `ordo restore`, `ordo verify`: backup file arguments.

use std::path::PathBuf;

use clap::Args;

/// Options of `ordo backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Options of `ordo restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file to restore.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Replace the ordo store in the data directory (it must not be in use; a directory
    /// that is not an ordo store is never replaced).
    #[arg(long)]
    pub force: bool,
}

/// Options of `ordo verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The backup file to check.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Help of `ordo backup`.
pub const BACKUP_HELP: &str = "\
Write a consistent snapshot of the whole data directory to one checksummed file, while
the data stays readable. The file appears only when complete. A stored record that does
not decode is copied as it is and named in a warning on stderr; the backup still
succeeds.

While `ordo serve` runs on the data directory it holds the store, and `ordo backup`
refuses (exit 5): the service takes automatic backups (every 60 minutes into
DIR.backups by default; see `ordo serve --help`), or stop it and back up.";

/// Examples of `ordo backup`.
pub const BACKUP_EXAMPLES: &str = "\
Examples:
  ordo backup --to shop-2026-03-01.ordo-backup
  ordo --data /srv/ordo backup --to /backups/nightly.ordo-backup --force

Check a backup with `ordo verify FILE`; bring it back with `ordo restore --from FILE`.";

/// Help of `ordo restore`.
pub const RESTORE_HELP: &str = "\
Rebuild the data directory from a backup file. The file is verified first; the new store
is built beside the directory (DIR.ordo-restoring), synced to disk, and swapped in with
renames only when complete, so a failure or crash at any moment leaves the directory
holding the old store or the new one, whole (the next ordo command finishes or undoes an
interrupted restore). A directory that already holds a store is refused unless --force
is given, and never replaced while another ordo process has it open. A directory that is
not an ordo data directory (no ordo-store marker file, or other files besides the
store's) is never replaced, not even with --force. Records that do not decode are
restored as they are and named in a warning on stderr. While `ordo serve` runs on the
directory, restore refuses (exit 5): stop the service first.";

/// Examples of `ordo restore`.
pub const RESTORE_EXAMPLES: &str = "\
Examples:
  ordo --data ./restored restore --from shop-2026-03-01.ordo-backup
  ordo --data ./ordo-data restore --from nightly.ordo-backup --force";

/// Help of `ordo verify`.
pub const VERIFY_HELP: &str = "\
Check a backup file end to end without restoring it: header, every entry (each value is
decoded as a read would), per-tree entry counts and the checksum. Prints the storage
format version, when the backup was taken and the entries per tree.

A damaged file fails with exit code 1 and one line naming the problem; a file that
cannot be opened (missing, unreadable) also exits with 1. An undamaged file holding
records that do not decode (copied from a store that held them) prints its whole report,
those records included, and exits with 3 naming them; `ordo restore` still restores it.";

/// Examples of `ordo verify`.
pub const VERIFY_EXAMPLES: &str = "\
Examples:
  ordo verify shop-2026-03-01.ordo-backup
  ordo --json verify nightly.ordo-backup | jq .trees.orders";
