//! Backups: consistent under concurrent writes, verified byte for byte, restored
//! elsewhere equal to the source; restore's refusals; the automatic schedule.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ordo_core::store::{ALL_INDEXES, IndexRange};
use ordo_storage::backup::{self, IfNotEmpty};
use ordo_storage::{BackupSchedule, spawn_backups};

use super::*;

/// Every record of every kind, by key.
fn records(store: &SledStore) -> BTreeMap<RecordKey, (u64, Record)> {
    let mut out = BTreeMap::new();
    for kind in [
        RecordKind::Product,
        RecordKind::Customer,
        RecordKind::Order,
        RecordKind::Stock,
        RecordKind::Idempotency,
    ] {
        let mut after: Option<RecordKey> = None;
        loop {
            let page = store.scan(kind, after.as_ref(), 500).unwrap();
            let done = page.len() < 500;
            after = page.last().map(|v| v.value.key());
            for v in page {
                out.insert(v.value.key(), (v.version, v.value));
            }
            if done {
                break;
            }
        }
    }
    out
}

/// Every index entry.
fn index_entries(store: &SledStore) -> Vec<(String, Vec<u8>, u64)> {
    let mut out = Vec::new();
    for index in ALL_INDEXES {
        let all = IndexRange {
            start: std::ops::Bound::Unbounded,
            end: std::ops::Bound::Unbounded,
            reverse: false,
        };
        for (key, id) in store.index_scan(index, &all, usize::MAX).unwrap() {
            out.push((index.name().to_string(), key, id));
        }
    }
    out
}

/// Records, index entries, deliveries and the number of order audit entries.
type Observable = (
    BTreeMap<RecordKey, (u64, Record)>,
    Vec<(String, Vec<u8>, u64)>,
    Vec<ordo_core::store::Versioned<ordo_core::store::Record>>,
    usize,
);

/// Everything observable through the `Store` trait.
fn everything(store: &SledStore) -> Observable {
    let orders = invariants::all_orders(store).unwrap();
    let audit: usize = orders
        .iter()
        .map(|o| {
            store
                .audit_for(Subject::Order(o.id()), None, 1000)
                .unwrap()
                .len()
        })
        .sum();
    (
        records(store),
        index_entries(store),
        store
            .scan(ordo_core::store::RecordKind::Delivery, None, usize::MAX)
            .unwrap(),
        audit,
    )
}

#[test]
fn a_backup_under_concurrent_writes_restores_to_a_consistent_equal_store() {
    let source_dir = TempDir::new("backup-source");
    let customers = setup_catalog(source_dir.path());
    let store = Arc::new(SledStore::open(source_dir.path(), immediate()).unwrap());
    let (engine, _clock) = sample::engine(store.clone(), 99);
    let engine = Arc::new(engine);
    let running = Arc::new(AtomicBool::new(true));
    let writers: Vec<_> = (0..3u64)
        .map(|t| {
            let engine = engine.clone();
            let running = running.clone();
            let customers = customers.clone();
            std::thread::spawn(move || {
                let admin = sample::admin();
                let mut rng = Rng::new(t + 5);
                let mut made = 0;
                while running.load(Ordering::Relaxed) {
                    let customer = customers[rng.below(customers.len() as u64) as usize];
                    let sku = SKUS[rng.below(SKUS.len() as u64) as usize];
                    let order = engine
                        .create_order(
                            &admin,
                            &OrderRequest::simple(CustomerId(customer), &[(sku, 1)]),
                        )
                        .unwrap();
                    made += 1;
                    if made % 4 == 0 {
                        engine.cancel_order(&admin, order.id(), "test").unwrap();
                    }
                }
                made
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let files = TempDir::new("backup-files");
    let live = files.path().join("live.ordo-backup");
    let info = store.backup(&live).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    running.store(false, Ordering::Relaxed);
    let made: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(made > 0);
    assert_eq!(backup::verify(&live).unwrap(), info);
    assert!(info.entries_of("orders").unwrap() > 0);

    // The live backup is a consistent state: a prefix of the source's history.
    let restored_dir = TempDir::new("backup-restored");
    let target = restored_dir.path().join("data");
    backup::restore(&live, &target, IfNotEmpty::Refuse).unwrap();
    {
        let restored = SledStore::open(&target, immediate()).unwrap();
        invariants::check_store(&restored).unwrap();
        let source_records = records(&store);
        let restored_records = records(&restored);
        assert_eq!(
            restored_records.len() as u64,
            ["products", "customers", "orders", "stock", "idempotency"]
                .iter()
                .map(|t| info.entries_of(t).unwrap())
                .sum::<u64>()
        );
        for (key, (version, record)) in &restored_records {
            let (source_version, source_record) = &source_records[key];
            assert!(source_version >= version, "{key} went back in time");
            if source_version == version {
                assert_eq!(source_record, record, "{key} differs at one version");
            }
        }
        // Ids continue above everything in the backup.
        assert!(restored.next_id().unwrap() > info.id_floor);
    }

    // Once writes stop, a backup restores to exactly the source.
    let quiet = files.path().join("quiet.ordo-backup");
    store.backup(&quiet).unwrap();
    backup::restore(&quiet, &target, IfNotEmpty::Replace).unwrap();
    let restored = SledStore::open(&target, immediate()).unwrap();
    let (records_a, indexes_a, outbox_a, audit_a) = everything(&store);
    let (records_b, indexes_b, outbox_b, audit_b) = everything(&restored);
    assert_eq!(records_a, records_b);
    assert_eq!(indexes_a, indexes_b);
    assert_eq!(outbox_a, outbox_b);
    assert_eq!(audit_a, audit_b);
    eprintln!(
        "backup test: {made} orders written concurrently, {} records compared",
        records_a.len()
    );
}

#[test]
fn damaged_backups_fail_verification_and_restore_nothing() {
    let dir = TempDir::new("backup-damage");
    let store = SledStore::open(&dir.path().join("data"), immediate()).unwrap();
    let mut ws = WriteSet::new();
    ws.put(marker("a"), Expected::Absent);
    ws.audit.push(audit_about(1));
    store.apply(ws).unwrap();
    let file = dir.path().join("b.ordo-backup");
    store.backup(&file).unwrap();
    let good = std::fs::read(&file).unwrap();
    backup::verify(&file).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() - 9].to_vec()),
        ("empty", Vec::new()),
        ("flipped byte", {
            let mut bad = good.clone();
            let middle = bad.len() / 2;
            bad[middle] ^= 0x40;
            bad
        }),
        ("bad magic", {
            let mut bad = good.clone();
            bad[0] = b'X';
            bad
        }),
        ("trailing bytes", {
            let mut bad = good.clone();
            bad.push(0);
            bad
        }),
    ];
    let target = dir.path().join("restored");
    for (what, bytes) in cases {
        let damaged = dir.path().join(format!("{what}.ordo-backup"));
        std::fs::write(&damaged, bytes).unwrap();
        match backup::verify(&damaged) {
            Err(StoreError::Corrupted { key, .. }) => assert!(key.contains("backup"), "{what}"),
            other => panic!("{what}: expected Corrupted, got {other:?}"),
        }
        assert!(backup::restore(&damaged, &target, IfNotEmpty::Refuse).is_err());
        assert!(!target.exists(), "{what}: a failed restore leaves nothing");
    }
}

#[test]
fn restore_refuses_a_non_empty_or_open_directory() {
    let dir = TempDir::new("backup-refuse");
    let data = dir.path().join("data");
    let store = SledStore::open(&data, immediate()).unwrap();
    let file = dir.path().join("b.ordo-backup");
    store.backup(&file).unwrap();
    let other = dir.path().join("other");
    SledStore::open(&other, immediate()).unwrap();
    assert!(matches!(
        backup::restore(&file, &other, IfNotEmpty::Refuse),
        Err(StoreError::Io(message)) if message.contains("not empty")
    ));
    // Open by a store: refused even when replacing.
    assert!(matches!(
        backup::restore(&file, &data, IfNotEmpty::Replace),
        Err(StoreError::Locked(_))
    ));
    drop(store);
    backup::restore(&file, &data, IfNotEmpty::Replace).unwrap();
    backup::restore(&file, &other, IfNotEmpty::Replace).unwrap();
    SledStore::open(&other, immediate()).unwrap();
    // Nothing is left beside the directories.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["b.ordo-backup", "data", "other"]);
}

/// Every file and directory under `root`, with the bytes of each file.
fn tree_bytes(root: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let relative = path.strip_prefix(root).unwrap().to_path_buf();
        if meta.is_dir() {
            out.insert(relative, None);
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else {
            out.insert(relative, Some(std::fs::read(&path).unwrap()));
        }
    }
    out
}

/// Regression: `restore --force` ran `remove_dir_all` on any directory that was not empty;
/// a folder holding someone's thesis was wiped. A directory that is not an ordo store is
/// refused, even when replacing, and left byte for byte as it was — also one that holds a
/// store and other files besides.
#[test]
fn restore_never_replaces_a_directory_that_is_not_an_ordo_store() {
    let dir = TempDir::new("backup-thesis");
    let file = dir.path().join("b.ordo-backup");
    SledStore::open(&dir.path().join("data"), immediate())
        .unwrap()
        .backup(&file)
        .unwrap();
    let thesis = dir.path().join("thesis");
    std::fs::create_dir_all(thesis.join("chapters")).unwrap();
    std::fs::write(
        thesis.join("thesis.tex"),
        "\\documentclass{book} years of work",
    )
    .unwrap();
    std::fs::write(thesis.join("chapters/1.tex"), "\\chapter{One}").unwrap();
    // A store with a stranger's file inside is not a store either.
    let mixed = dir.path().join("mixed");
    SledStore::open(&mixed, immediate()).unwrap();
    std::fs::write(mixed.join("notes.txt"), "mine").unwrap();
    // Nor is a plain file.
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, "just a file").unwrap();
    let mut refused = 0;
    for target in [&thesis, &mixed, &plain] {
        let before = tree_bytes(target);
        for mode in [IfNotEmpty::Replace, IfNotEmpty::Refuse] {
            match backup::restore(&file, target, mode) {
                Err(StoreError::Io(message)) => {
                    assert!(message.contains("not an ordo data directory"), "{message}");
                    refused += 1;
                }
                other => panic!("{}: expected a refusal, got {other:?}", target.display()),
            }
            assert_eq!(
                tree_bytes(target),
                before,
                "{} was touched",
                target.display()
            );
        }
    }
    assert_eq!(refused, 6);
    // Nothing was left beside them either.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["b.ordo-backup", "data", "mixed", "plain.txt", "thesis"]
    );
}

#[test]
fn the_schedule_backs_up_when_due_and_keeps_the_newest() {
    let dir = TempDir::new("backup-schedule");
    let store = SledStore::open(&dir.path().join("data"), immediate()).unwrap();
    let backups = dir.path().join("backups");
    let mut schedule = BackupSchedule::every_minutes(&backups, 10, 3).unwrap();
    let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let minutes = |m: u64| start + Duration::from_secs(m * 60);
    assert!(schedule.run_due(&store, minutes(0)).unwrap().is_some());
    assert!(schedule.run_due(&store, minutes(5)).unwrap().is_none());
    assert_eq!(schedule.due_in(minutes(5)), Duration::from_secs(300));
    for m in [10, 20, 30, 40] {
        let path = schedule.run_due(&store, minutes(m)).unwrap().unwrap();
        backup::verify(&path).unwrap();
    }
    let kept = schedule.backups().unwrap();
    assert_eq!(kept.len(), 3);
    assert!(kept[2].to_string_lossy().contains(&format!(
        "{:015}",
        minutes(40).duration_since(UNIX_EPOCH).unwrap().as_millis()
    )));
    // A new schedule over the same directory knows when the last backup was.
    let again = BackupSchedule::every_minutes(&backups, 10, 3).unwrap();
    assert!(!again.is_due(minutes(45)));
    assert!(again.is_due(minutes(50)));
    assert!(BackupSchedule::every_minutes(&backups, 0, 3).is_err());

    // The thread helper writes the first backup at once and stops on request.
    let store = Arc::new(store);
    let fresh = dir.path().join("thread-backups");
    let thread = spawn_backups(
        store.clone(),
        BackupSchedule::every_minutes(&fresh, 60, 2).unwrap(),
    )
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::fs::read_dir(&fresh).unwrap().count() == 0 {
        assert!(std::time::Instant::now() < deadline, "no backup written");
        std::thread::sleep(Duration::from_millis(20));
    }
    thread.stop();
    let _ = SystemTime::now();
}

/// Regression: one record that did not decode made `verify` and `restore` fail, so a shop
/// with a single damaged record could neither check nor bring back any backup. Backing up,
/// verifying and restoring now succeed, copy the bad bytes as they are and name them.
#[test]
fn a_record_that_does_not_decode_is_reported_not_fatal() {
    let dir = TempDir::new("backup-undecodable");
    let data = dir.path().join("data");
    {
        let store = SledStore::open(&data, immediate()).unwrap();
        let mut ws = WriteSet::new();
        ws.put(marker("good-1"), Expected::Absent);
        ws.put(marker("good-2"), Expected::Absent);
        store.apply(ws).unwrap();
    }
    // Raw bytes written behind the store's back: a record and an index entry that do not
    // decode, and a meta entry that does not either.
    damage(&data, "idempotency", b"bad", &[1, 3, 0xff, 0xff]);
    damage(&data, "idx_product_sku", b"SKU-X", &[1, 1]);
    let expected = ["idempotency/bad", "idx_product_sku/SKU-X"];
    let file = dir.path().join("b.ordo-backup");
    let info = SledStore::open(&data, immediate())
        .unwrap()
        .backup(&file)
        .unwrap();
    let keys = |info: &ordo_storage::BackupInfo| -> Vec<String> {
        info.undecodable.iter().map(|u| u.key.clone()).collect()
    };
    assert_eq!(info.undecodable_count, 2);
    assert_eq!(keys(&info), expected);
    assert!(info.undecodable.iter().all(|u| !u.reason.is_empty()));
    assert_eq!(
        info.entries_of("idempotency"),
        Some(3),
        "the bad record is copied too"
    );

    let verified = backup::verify(&file).unwrap();
    assert_eq!(verified, info);

    let target = dir.path().join("restored");
    let restored_info = backup::restore(&file, &target, IfNotEmpty::Refuse).unwrap();
    assert_eq!(keys(&restored_info), expected);
    let restored = SledStore::open(&target, immediate()).unwrap();
    for good in ["good-1", "good-2"] {
        let key = RecordKey::Idempotency(good.into());
        assert!(restored.get(&key).unwrap().is_some(), "{good} restored");
    }
    // The bad record is there as it was, and reads report it as the original store did.
    match restored.get(&RecordKey::Idempotency("bad".into())) {
        Err(StoreError::Corrupted { key, .. }) => assert_eq!(key, "idempotency/bad"),
        other => panic!("expected Corrupted, got {other:?}"),
    }
    drop(restored);

    // A meta counter that does not decode would give a store that cannot open: a backup
    // still copies and names it, but verify and restore refuse the file.
    damage(&data, "meta", b"junk", &[7]);
    let meta_file = dir.path().join("meta.ordo-backup");
    let info = SledStore::open(&data, immediate())
        .unwrap()
        .backup(&meta_file)
        .unwrap();
    assert_eq!(info.undecodable_count, 3);
    assert_eq!(info.undecodable.last().unwrap().key, "meta/junk");
    match backup::verify(&meta_file) {
        Err(StoreError::Corrupted { key, .. }) => assert_eq!(key, "meta/junk"),
        other => panic!("expected Corrupted, got {other:?}"),
    }
    let refused = dir.path().join("refused");
    assert!(backup::restore(&meta_file, &refused, IfNotEmpty::Refuse).is_err());
    assert!(!refused.exists());
}
