//! `ordo backup`, `ordo restore`, `ordo verify`: the data directory as one file.
//!
//! These work on the files themselves (through [`crate::store`]), so they run as whoever
//! can read and write the data directory; `--as` and `$ORDO_TOKEN` do not apply.

use std::path::Path;

use ordo_core::{Error, Refusal};

use crate::args::{BackupArgs, RestoreArgs, VerifyArgs};
use crate::render::Output;
use crate::render::tables;
use crate::render::views::BackupView;
use crate::store::{self, AppStore, BackupInfo, Occupied, Target};

/// Runs `ordo backup`.
///
/// # Errors
/// `FileExists` (exit 3) if the file exists and `--force` is absent; write failures (exit 1).
pub fn backup(store: &AppStore, data: &Path, out: Output, args: &BackupArgs) -> anyhow::Result<()> {
    if args.to.exists() && !args.force {
        return Err(Error::from(Refusal::FileExists {
            path: args.to.display().to_string(),
        })
        .into());
    }
    let info = store::backup(store, &args.to)?;
    warn_undecodable(&info, "the backup copied them as stored");
    let view = BackupView::new(&args.to, file_size(&args.to), &info);
    out.show(&view, || {
        format!(
            "Backed up {} to {}: {} entries, {} bytes.\nCheck it with: ordo verify {}",
            data.display(),
            view.file,
            view.total_entries,
            view.bytes,
            view.file
        )
    })
}

/// Runs `ordo verify`.
///
/// # Errors
/// One line naming the damage (exit 1), or why the file cannot be read (exit 1); a file
/// that is undamaged but holds records that do not decode is `UndecodableRecords` (exit 3) — after
/// the whole report, those records included, is printed.
pub fn verify(out: Output, args: &VerifyArgs) -> anyhow::Result<()> {
    let info = store::verify(&args.file)?;
    let view = BackupView::new(&args.file, file_size(&args.file), &info);
    out.show(&view, || {
        let verdict = if view.undecodable_count == 0 {
            "is a complete, undamaged backup"
        } else {
            "is complete and undamaged, but some records in it do not decode"
        };
        format!("{} {verdict}.\n\n{}", view.file, tables::backup(&view))
    })?;
    match undecodable_summary(&info) {
        None => Ok(()),
        Some(summary) => Err(Error::from(Refusal::UndecodableRecords {
            file: args.file.display().to_string(),
            summary,
        })
        .into()),
    }
}

/// `N records do not decode: k1, k2, …` (at most ten keys named), if any do not.
fn undecodable_summary(info: &BackupInfo) -> Option<String> {
    /// Keys named in one line; the report lists them all.
    const NAMED: usize = 10;
    if info.undecodable_count == 0 {
        return None;
    }
    let mut keys: Vec<&str> = info
        .undecodable
        .iter()
        .take(NAMED)
        .map(|u| u.key.as_str())
        .collect();
    let more = info.undecodable_count.saturating_sub(keys.len() as u64);
    let tail = format!("and {more} more");
    if more > 0 {
        keys.push(&tail);
    }
    let noun = if info.undecodable_count == 1 {
        "record does"
    } else {
        "records do"
    };
    Some(format!(
        "{} {noun} not decode: {}",
        info.undecodable_count,
        keys.join(", ")
    ))
}

/// One `warning:` line on stderr naming the records that do not decode, if any.
fn warn_undecodable(info: &BackupInfo, what_happened: &str) {
    if let Some(summary) = undecodable_summary(info) {
        eprintln!("warning: {summary} ({what_happened}; `ordo verify` lists them)");
    }
}

/// Runs `ordo restore` into `data`.
///
/// # Errors
/// `NotADataDirectory` (exit 3) for a directory that is not an ordo data directory (never
/// replaced); `DataDirectoryNotEmpty` (exit 3) for one holding a store without `--force`; a damaged backup (exit 1); a directory in
/// use by another ordo process (exit 5).
pub fn restore(data: &Path, out: Output, args: &RestoreArgs) -> anyhow::Result<()> {
    let occupied = match store::restore_target(data)? {
        Target::Free => Occupied::Refuse,
        Target::Store if args.force => Occupied::Replace,
        Target::Store => {
            return Err(Error::from(Refusal::DataDirectoryNotEmpty {
                path: data.display().to_string(),
            })
            .into());
        }
        Target::Foreign(why) => {
            return Err(Error::from(Refusal::NotADataDirectory {
                path: data.display().to_string(),
                why,
            })
            .into());
        }
    };
    let info = store::restore(&args.from, data, occupied)?;
    warn_undecodable(
        &info,
        "they were restored as stored, and reading them reports them",
    );
    let view = BackupView::new(&args.from, file_size(&args.from), &info);
    out.show(&view, || {
        format!(
            "Restored {} into {}: {} entries from the backup taken {}.",
            view.file,
            data.display(),
            view.total_entries,
            view.created_at
        )
    })
}

fn file_size(file: &Path) -> u64 {
    std::fs::metadata(file).map_or(0, |m| m.len())
}
