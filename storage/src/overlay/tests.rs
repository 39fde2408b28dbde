//! Merged reads against a model: whatever sled holds and whatever the overlay holds on top
//! (puts and removals), `get` and `range` (forward, reverse, bounds, limits) answer what a
//! `BTreeMap` with the overlay applied answers.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::ops::Bound;

use super::Overlay;
use crate::layout::{Slot, Trees};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

const SLOT: Slot = Slot(20);

fn key(n: u64) -> Vec<u8> {
    vec![b'k', n as u8]
}

fn bound(rng: &mut Rng) -> Bound<Vec<u8>> {
    match rng.below(3) {
        0 => Bound::Unbounded,
        1 => Bound::Included(key(rng.below(40))),
        _ => Bound::Excluded(key(rng.below(40))),
    }
}

fn as_slice(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

fn in_range(k: &[u8], start: &Bound<Vec<u8>>, end: &Bound<Vec<u8>>) -> bool {
    let after_start = match start {
        Bound::Included(s) => k >= s.as_slice(),
        Bound::Excluded(s) => k > s.as_slice(),
        Bound::Unbounded => true,
    };
    let before_end = match end {
        Bound::Included(e) => k <= e.as_slice(),
        Bound::Excluded(e) => k < e.as_slice(),
        Bound::Unbounded => true,
    };
    after_start && before_end
}

#[test]
fn merged_reads_match_a_model_map() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut checked_ranges = 0;
    let mut non_empty = 0;
    let mut hidden = 0;
    for round in 0..60 {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let trees = Trees::open(&db).unwrap();
        let overlay = Overlay::new(0);
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        // What the last checkpoint left in sled.
        for n in 0..40 {
            if rng.below(2) == 0 {
                let value = format!("sled {n}").into_bytes();
                trees.tree(SLOT).insert(key(n), value.clone()).unwrap();
                model.insert(key(n), value);
            }
        }
        // Batches on top: puts and removals, some of keys sled has, some written twice.
        for position in 1..=(1 + rng.below(6)) {
            let mut changes = Vec::new();
            for _ in 0..rng.below(12) {
                let n = rng.below(40);
                if rng.below(3) == 0 {
                    if model.remove(&key(n)).is_some() {
                        hidden += 1;
                    }
                    changes.push((SLOT, key(n), None));
                } else {
                    let value = format!("batch {position} {n}").into_bytes();
                    model.insert(key(n), value.clone());
                    changes.push((SLOT, key(n), Some(value)));
                }
            }
            overlay.insert(position, changes);
        }
        let view = overlay.view(&trees);
        for n in 0..40 {
            let got = view.get(SLOT, &key(n)).unwrap().map(|v| v.to_vec());
            assert_eq!(got, model.get(&key(n)).cloned(), "round {round} key {n}");
        }
        for _ in 0..40 {
            let (start, end) = (bound(&mut rng), bound(&mut rng));
            let reverse = rng.below(2) == 0;
            let limit = 1 + rng.below(45) as usize;
            let mut expected: Vec<(Vec<u8>, Vec<u8>)> = model
                .iter()
                .filter(|(k, _)| in_range(k, &start, &end))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if reverse {
                expected.reverse();
            }
            expected.truncate(limit);
            let got: Vec<(Vec<u8>, Vec<u8>)> = view
                .range(SLOT, as_slice(&start), as_slice(&end), reverse, limit)
                .unwrap()
                .into_iter()
                .map(|(k, v)| (k.to_vec(), v.to_vec()))
                .collect();
            assert_eq!(
                got, expected,
                "round {round}: {start:?}..{end:?} reverse {reverse} limit {limit}"
            );
            checked_ranges += 1;
            if !expected.is_empty() {
                non_empty += 1;
            }
        }
    }
    assert_eq!(checked_ranges, 60 * 40);
    assert!(non_empty > 1000, "only {non_empty} ranges had entries");
    assert!(hidden > 50, "only {hidden} removals hid an entry");
}

#[test]
fn removing_through_a_position_keeps_newer_writes_of_the_same_key() {
    let db = sled::Config::new().temporary(true).open().unwrap();
    let trees = Trees::open(&db).unwrap();
    let overlay = Overlay::new(0);
    overlay.insert(1, vec![(SLOT, key(1), Some(b"one".to_vec()))]);
    overlay.insert(2, vec![(SLOT, key(2), Some(b"two".to_vec()))]);
    let (upto, taken) = overlay.snapshot();
    assert_eq!(upto, 2);
    assert_eq!(taken.len(), 1);
    // Written after the snapshot: must survive the removal.
    overlay.insert(3, vec![(SLOT, key(1), Some(b"newer".to_vec()))]);
    let before = overlay.bytes();
    overlay.remove_through(upto, &taken);
    assert!(overlay.bytes() < before);
    let view = overlay.view(&trees);
    assert_eq!(view.get(SLOT, &key(1)).unwrap().unwrap().as_ref(), b"newer");
    // Key 2 left the overlay (the checkpoint would have put it in sled).
    assert_eq!(view.get(SLOT, &key(2)).unwrap(), None);
    drop(view);
    let (upto, taken) = overlay.snapshot();
    assert_eq!(upto, 3);
    overlay.remove_through(upto, &taken);
    assert!(overlay.is_empty());
    assert_eq!(overlay.bytes(), 0);
}

#[test]
fn a_snapshot_larger_than_a_chunk_takes_every_entry_in_key_order() {
    let overlay = Overlay::new(0);
    let count = 3 * super::SNAPSHOT_CHUNK + 17;
    let changes = (0..count as u32)
        .map(|n| {
            (
                SLOT,
                n.to_be_bytes().to_vec(),
                Some(n.to_le_bytes().to_vec()),
            )
        })
        .collect();
    overlay.insert(1, changes);
    overlay.insert(2, vec![(Slot(21), b"other".to_vec(), None)]);
    let (upto, taken) = overlay.snapshot();
    assert_eq!(upto, 2);
    assert_eq!(taken.len(), 2);
    let (slot, entries) = &taken[0];
    assert_eq!(*slot, SLOT);
    assert_eq!(entries.len(), count);
    for (n, (key, value)) in entries.iter().enumerate() {
        assert_eq!(key.as_ref(), (n as u32).to_be_bytes());
        assert_eq!(value.as_deref(), Some(&(n as u32).to_le_bytes()[..]));
    }
    assert_eq!(taken[1].1, vec![(sled::IVec::from(&b"other"[..]), None)]);
    overlay.remove_through(upto, &taken);
    assert!(overlay.is_empty());
    assert_eq!(overlay.bytes(), 0);
}

/// What the checkpointer does: the snapshot into sled, then out of the overlay.
fn checkpoint(overlay: &Overlay, trees: &Trees) {
    let (upto, taken) = overlay.snapshot();
    for (slot, changes) in &taken {
        let mut batch = sled::Batch::default();
        for (key, value) in changes {
            match value {
                Some(value) => batch.insert(key.clone(), value.clone()),
                None => batch.remove(key.clone()),
            }
        }
        trees.tree(*slot).apply_batch(batch).unwrap();
    }
    overlay.remove_through(upto, &taken);
}

#[test]
fn reads_through_the_read_cache_never_see_a_stale_value() {
    let mut rng = Rng(0x51_7cc1_b727_220a);
    let db = sled::Config::new().temporary(true).open().unwrap();
    let trees = Trees::open(&db).unwrap();
    // Small enough that entries are also evicted and read back from sled.
    let overlay = Overlay::new(0).with_read_cache(4 << 10);
    let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let (mut position, mut checkpoints, mut present_reads, mut cached_reads) = (0, 0, 0, 0);
    for step in 0..20_000u64 {
        let k = key(rng.below(60));
        match rng.below(10) {
            0..=2 => {
                position += 1;
                let value = if rng.below(4) == 0 {
                    model.remove(&k);
                    None
                } else {
                    let value = format!("value {step}").into_bytes();
                    model.insert(k.clone(), value.clone());
                    Some(value)
                };
                overlay.insert(position, vec![(SLOT, k, value)]);
            }
            3 => {
                checkpoint(&overlay, &trees);
                checkpoints += 1;
            }
            _ => {
                cached_reads += usize::from(overlay.cache.get(SLOT, &k).is_some());
                let found = overlay.view(&trees).get(SLOT, &k).unwrap();
                assert_eq!(
                    found.as_deref(),
                    model.get(&k).map(Vec::as_slice),
                    "step {step}"
                );
                present_reads += usize::from(found.is_some());
            }
        }
    }
    assert!(checkpoints > 1000, "{checkpoints} checkpoints");
    assert!(present_reads > 5000, "{present_reads} reads found a value");
    assert!(cached_reads > 1000, "{cached_reads} keys read were cached");
}
