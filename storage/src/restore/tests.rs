//! Crash injection: a restore stopped after each of its steps (as if the process died
//! there) leaves a directory that opens as the complete old store or the complete new one.

use std::path::Path;

use ordo_core::ids::OrderId;
use ordo_core::store::{
    Expected, IdempotencyRecord, Record, RecordKind, Store, StoreError, WriteSet,
};

use super::{CRASH_AT, IfNotEmpty, PASSED, restore};
use crate::datadir::{self, DataDir};
use crate::{Durability, SledStore, StoreConfig, backup};

fn config() -> StoreConfig {
    StoreConfig::new(Durability::Immediate)
}

/// A store in `dir` holding one idempotency record per key.
fn store_with(dir: &Path, keys: &[&str]) {
    let store = SledStore::open(dir, config()).unwrap();
    let mut writes = WriteSet::new();
    for key in keys {
        writes.put(
            Record::Idempotency(IdempotencyRecord {
                key: (*key).to_string(),
                fingerprint: "f".to_string(),
                order: OrderId(1),
                created_at: ordo_core::clock::Timestamp(0),
            }),
            Expected::Absent,
        );
    }
    store.apply(writes).unwrap();
}

/// Opens `dir` (recovering whatever a crash left), checks the store end to end (a backup
/// of it verifies: every value decodes) and returns its record keys.
fn open_and_check(dir: &Path, scratch: &Path) -> Vec<String> {
    let store = SledStore::open(dir, config()).unwrap();
    let check = scratch.join("check.ordo-backup");
    store.backup(&check).unwrap();
    backup::verify(&check).unwrap();
    store
        .scan(RecordKind::Idempotency, None, 100)
        .unwrap()
        .into_iter()
        .map(|v| match v.value {
            Record::Idempotency(record) => record.key,
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

/// Runs `restore` with a crash injected at point `at`; true if it crashed there.
fn restore_crashing_at(file: &Path, dir: &Path, mode: IfNotEmpty, at: usize) -> bool {
    CRASH_AT.with(|c| c.set(Some(at)));
    PASSED.with(|p| p.set(0));
    let outcome = restore(file, dir, mode);
    CRASH_AT.with(|c| c.set(None));
    match outcome {
        Ok(_) => false,
        Err(error) => {
            assert!(
                error
                    .to_string()
                    .contains(&format!("injected crash at point {at}")),
                "{error}"
            );
            true
        }
    }
}

fn no_leftovers(dir: &Path) {
    for leftover in [
        datadir::staging_path(dir).unwrap(),
        datadir::aside_path(dir).unwrap(),
    ] {
        assert!(!leftover.exists(), "{} is left", leftover.display());
    }
}

#[test]
fn a_crash_at_any_step_of_a_replacing_restore_leaves_the_old_or_the_new_store() {
    let scratch = tempfile::tempdir().unwrap();
    let source = scratch.path().join("source");
    store_with(&source, &["new-1", "new-2", "new-3"]);
    let file = scratch.path().join("new.ordo-backup");
    SledStore::open(&source, config())
        .unwrap()
        .backup(&file)
        .unwrap();
    let mut crashes = 0;
    for at in 1.. {
        let parent = tempfile::tempdir().unwrap();
        let target = parent.path().join("data");
        store_with(&target, &["old-1", "old-2"]);
        if !restore_crashing_at(&file, &target, IfNotEmpty::Replace, at) {
            // Past the last crash point: the restore ran to the end.
            assert_eq!(at, 11, "a replacing restore has 10 crash points");
            assert_eq!(
                open_and_check(&target, scratch.path()),
                ["new-1", "new-2", "new-3"]
            );
            break;
        }
        crashes += 1;
        let found = open_and_check(&target, scratch.path());
        // Until the new store is complete (point 3) the old one stays; from the moment
        // the old one is moved aside, recovery completes the restore.
        let want: &[&str] = if at <= 3 {
            &["old-1", "old-2"]
        } else {
            &["new-1", "new-2", "new-3"]
        };
        assert_eq!(found, want, "crash at point {at}");
        no_leftovers(&target);
        assert_eq!(datadir::inspect(&target).unwrap(), DataDir::Store);
        // And it stays so: a second open changes nothing.
        assert_eq!(open_and_check(&target, scratch.path()), want);
    }
    assert_eq!(crashes, 10);
}

#[test]
fn a_crash_at_any_step_of_a_restore_into_a_new_directory_leaves_nothing_or_the_new_store() {
    let scratch = tempfile::tempdir().unwrap();
    let source = scratch.path().join("source");
    store_with(&source, &["new-1"]);
    let file = scratch.path().join("new.ordo-backup");
    SledStore::open(&source, config())
        .unwrap()
        .backup(&file)
        .unwrap();
    let mut crashes = 0;
    for at in 1.. {
        let parent = tempfile::tempdir().unwrap();
        let target = parent.path().join("data");
        if !restore_crashing_at(&file, &target, IfNotEmpty::Refuse, at) {
            assert_eq!(at, 6, "a restore into a new directory has 5 crash points");
            break;
        }
        crashes += 1;
        let found = open_and_check(&target, scratch.path());
        // Before the new store is complete the restore is dropped (the directory opens
        // as a new, empty store); from then on it is completed.
        let want: &[&str] = if at <= 2 { &[] } else { &["new-1"] };
        assert_eq!(found, want, "crash at point {at}");
        no_leftovers(&target);
    }
    assert_eq!(crashes, 5);
}

/// While a restore runs (it holds its staging directory locked) and the target is
/// missing, opening the target must not create an empty store in its place.
#[test]
fn a_restore_in_progress_is_left_alone() {
    let parent = tempfile::tempdir().unwrap();
    let target = parent.path().join("data");
    let staging = datadir::staging_path(&target).unwrap();
    std::fs::create_dir(&staging).unwrap();
    let lock = datadir::try_lock(&staging).unwrap().unwrap();
    assert!(matches!(
        SledStore::open(&target, config()),
        Err(ordo_core::store::StoreError::Locked(message)) if message.contains("restore")
    ));
    assert!(!target.exists() && staging.exists());
    drop(lock);
    // Once the restore is gone, its unfinished staging directory is cleaned up.
    drop(SledStore::open(&target, config()).unwrap());
    assert!(!staging.exists());
}

/// A directory in the staging directory's place that holds someone's files is never
/// removed: the store still opens, and restore refuses to go on, naming it.
#[test]
fn a_foreign_directory_in_the_staging_place_is_left_alone() {
    let scratch = tempfile::tempdir().unwrap();
    let target = scratch.path().join("data");
    store_with(&target, &["old-1"]);
    let file = scratch.path().join("b.ordo-backup");
    SledStore::open(&target, config())
        .unwrap()
        .backup(&file)
        .unwrap();
    let staging = datadir::staging_path(&target).unwrap();
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("notes.txt"), "mine").unwrap();
    assert_eq!(open_and_check(&target, scratch.path()), ["old-1"]);
    match restore(&file, &target, IfNotEmpty::Replace) {
        Err(ordo_core::store::StoreError::Io(message)) => {
            assert!(message.contains("in the way"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(staging.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(open_and_check(&target, scratch.path()), ["old-1"]);
}

/// `file` rewritten as a backup of storage format `format` that lists only the trees
/// `keep` accepts (numbered anew, in their order), as an earlier release wrote them.
fn as_older_backup(file: &Path, format: u64, keep: &dyn Fn(&str) -> bool) -> Vec<u8> {
    let bytes = std::fs::read(file).unwrap();
    let body = &bytes[..bytes.len() - 4];
    let mut at = 8 + 4;
    let take = |at: &mut usize, n: usize| {
        let slice = &body[*at..*at + n];
        *at += n;
        slice
    };
    let mut out = body[..8 + 4].to_vec();
    take(&mut at, 8);
    out.extend_from_slice(&format.to_le_bytes());
    out.extend_from_slice(take(&mut at, 16)); // created, id floor
    let trees = u32::from_le_bytes(take(&mut at, 4).try_into().unwrap()) as usize;
    let mut renumbered = Vec::new();
    let mut listed = Vec::new();
    for _ in 0..trees {
        let len = usize::from(take(&mut at, 1)[0]);
        let name = String::from_utf8(take(&mut at, len).to_vec()).unwrap();
        let count = take(&mut at, 8).to_vec();
        if keep(&name) {
            renumbered.push(Some(listed.len() as u8));
            listed.push((name, count));
        } else {
            renumbered.push(None);
        }
    }
    out.extend_from_slice(&(listed.len() as u32).to_le_bytes());
    for (name, count) in &listed {
        out.push(name.len() as u8);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(count);
    }
    while take(&mut at, 1)[0] == 1 {
        let tree = usize::from(take(&mut at, 1)[0]);
        let key_len = u32::from_le_bytes(take(&mut at, 4).try_into().unwrap()) as usize;
        let key = take(&mut at, key_len).to_vec();
        let value_len = u32::from_le_bytes(take(&mut at, 4).try_into().unwrap()) as usize;
        let mut value = take(&mut at, value_len).to_vec();
        let Some(number) = renumbered[tree] else {
            panic!("an entry in a tree the older format did not have");
        };
        if key == crate::layout::META_FORMAT_VERSION {
            value = crate::codec::encode_counter(format).unwrap();
        }
        out.extend_from_slice(&[1, number]);
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(&key);
        out.extend_from_slice(&(value.len() as u32).to_le_bytes());
        out.extend_from_slice(&value);
    }
    out.push(0);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

#[test]
fn a_backup_of_an_earlier_format_restores_by_tree_name_and_migrates_at_open() {
    let scratch = tempfile::tempdir().unwrap();
    let source = scratch.path().join("source");
    store_with(&source, &["kept-1", "kept-2", "kept-3"]);
    let current = scratch.path().join("current.ordo-backup");
    SledStore::open(&source, config())
        .unwrap()
        .backup(&current)
        .unwrap();
    // Format 4 had no shipment, return or counter trees; format 3 no delivery or ticket trees either.
    let format_4 = |name: &str| {
        !name.contains("shipment") && !name.contains("return") && name != "report_counters"
    };
    let format_3 =
        |name: &str| format_4(name) && !name.contains("deliver") && !name.contains("ticket");
    let older = scratch.path().join("older.ordo-backup");
    let mut bytes = Vec::new();
    for (format, keep) in [(4, &format_4 as &dyn Fn(&str) -> bool), (3, &format_3)] {
        bytes = as_older_backup(&current, format, keep);
        std::fs::write(&older, &bytes).unwrap();
        let info = backup::verify(&older).unwrap();
        assert_eq!(info.storage_format_version, format);
        assert_eq!(info.entries_of("idempotency"), Some(3));
        assert_eq!(info.entries_of("shipments"), None);

        let restored = scratch.path().join(format!("restored-{format}"));
        restore(&older, &restored, IfNotEmpty::Refuse).unwrap();
        assert_eq!(
            open_and_check(&restored, scratch.path()),
            ["kept-1", "kept-2", "kept-3"]
        );
        // The open migrated it (keeping a copy of the store as restored beside it).
        assert!(crate::migrate::backup_path(&restored).exists());
        let store = SledStore::open(&restored, config()).unwrap();
        let again = scratch.path().join("again.ordo-backup");
        assert_eq!(
            store.backup(&again).unwrap().storage_format_version,
            crate::layout::STORAGE_FORMAT_VERSION
        );
    }

    // A tree no release ever had is damage; so is a format from before the oldest this
    // build migrates from.
    let unknown = scratch.path().join("unknown.ordo-backup");
    let at = bytes.windows(11).position(|w| w == b"idempotency").unwrap();
    bytes[at] = b'X';
    let crc_at = bytes.len() - 4;
    let crc = crc32fast::hash(&bytes[..crc_at]);
    bytes[crc_at..].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&unknown, &bytes).unwrap();
    assert!(
        matches!(backup::verify(&unknown), Err(StoreError::Corrupted { reason, .. }) if reason.contains("unknown tree Xdempotency")),
        "{:?}",
        backup::verify(&unknown)
    );
    let ancient = scratch.path().join("ancient.ordo-backup");
    std::fs::write(&ancient, as_older_backup(&current, 1, &|_| true)).unwrap();
    assert!(matches!(
        backup::verify(&ancient),
        Err(StoreError::Corrupted { reason, .. }) if reason.contains("storage format 1")
    ));
}
