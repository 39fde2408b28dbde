//! Report counters on sled: they survive a reopen, and a backup restored elsewhere carries
//! them exactly (the counter tree is one of the trees a backup copies and verifies).

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use ordo_core::testkit::conformance_counters::{assert_counters_equal, counter_workload};
use ordo_storage::backup::{self, IfNotEmpty};
use ordo_storage::{Durability, SledStore, StoreConfig};

fn open(dir: &Path) -> SledStore {
    SledStore::open(dir, StoreConfig::new(Durability::Immediate)).unwrap()
}

#[test]
fn counters_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let expected = {
        let store = open(dir.path());
        counter_workload(&store)
    };
    let store = open(dir.path());
    assert_counters_equal(&store, &expected);
}

#[test]
fn a_backup_restores_the_counters() {
    let dir = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("store.backup");
    let expected = {
        let store = open(dir.path());
        let expected = counter_workload(&store);
        let info = store.backup(&file).unwrap();
        assert_eq!(
            info.entries_of("report_counters"),
            Some(expected.len() as u64),
            "every counter is in the backup"
        );
        expected
    };
    let target = work.path().join("restored");
    backup::restore(&file, &target, IfNotEmpty::Refuse).unwrap();
    let restored = open(&target);
    assert_counters_equal(&restored, &expected);
}
