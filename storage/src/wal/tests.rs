//! The commit log on its own: records round-trip, a torn tail is cut at every byte, damage
//! before a record that saw it durable refuses to open while a bad record no later mark
//! covers is cut off, format 8's unmarked records are read, positions must be consecutive,
//! segments roll and are deleted only when wholly checkpointed.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use ordo_core::store::StoreError;

use super::{Log, LogRecord, MARKED, encode, encode_format_8, segment_name};
use crate::layout::{self, Slot};

/// A record at `position` with an empty value, a removal and a put (last, so that the
/// record ends in non-zero bytes: a cut can never look like the zero fill after it),
/// marked as `Immediate` mode writes it: everything before it was durable.
fn record(position: u64) -> LogRecord {
    LogRecord {
        position,
        id_high: position * 10,
        durable: Some(position - 1),
        changes: vec![
            (layout::META, b"empty".to_vec(), Some(Vec::new())),
            (Slot(20), b"gone".to_vec(), None),
            (
                layout::record_slot(ordo_core::store::RecordKind::Order),
                position.to_be_bytes().to_vec(),
                Some(format!("order {position}").into_bytes()),
            ),
        ],
    }
}

/// Opens the log in `dir`, collecting what it replays after `checkpointed`.
fn open(dir: &Path, checkpointed: u64) -> Result<(Log, Vec<LogRecord>, u64), StoreError> {
    let mut replayed = Vec::new();
    let recovered = Log::open(dir, checkpointed, |r| {
        replayed.push(r);
        Ok(())
    })?;
    Ok((recovered.log, replayed, recovered.last_position))
}

/// The bytes of a record as the writer encodes it.
fn encoded(r: &LogRecord) -> Vec<u8> {
    encode(r.position, r.id_high, r.durable.unwrap(), &r.changes).unwrap()
}

/// Opens the log in `dir`, which must refuse: the reason of its `Corrupted` (keyed by the
/// segment's path).
fn refusal(dir: &Path, checkpointed: u64) -> String {
    match open(dir, checkpointed) {
        Err(StoreError::Corrupted { key, reason }) => {
            assert!(key.ends_with(".wal"), "{key}");
            reason
        }
        Err(other) => panic!("expected Corrupted, got {other}"),
        Ok((_, replayed, _)) => {
            panic!("expected Corrupted, opened with {} records", replayed.len())
        }
    }
}

fn append(log: &Log, position: u64) {
    append_record(log, &record(position));
}

fn append_record(log: &Log, r: &LogRecord) {
    log.append(r.position, &encoded(r)).unwrap();
}

/// The one segment's path and length of each record in it.
fn only_segment(dir: &Path) -> std::path::PathBuf {
    dir.join(super::LOG_DIR).join(segment_name(1))
}

#[test]
fn records_round_trip_and_replay_starts_after_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let (log, replayed, last) = open(dir.path(), 0).unwrap();
    assert!(replayed.is_empty());
    assert_eq!(last, 0);
    for position in 1..=5 {
        append(&log, position);
    }
    assert_eq!(log.sync().unwrap(), 5);
    drop(log);
    let (_, replayed, last) = open(dir.path(), 0).unwrap();
    assert_eq!(replayed, (1..=5).map(record).collect::<Vec<_>>());
    assert_eq!(last, 5);
    let (_, replayed, last) = open(dir.path(), 3).unwrap();
    assert_eq!(replayed, vec![record(4), record(5)]);
    assert_eq!(last, 5);
    // Replaying again changes nothing: the log is read, never consumed.
    let (_, again, _) = open(dir.path(), 3).unwrap();
    assert_eq!(again, replayed);
}

#[test]
fn a_torn_last_record_is_cut_off_at_every_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _, _) = open(dir.path(), 0).unwrap();
    for position in 1..=3 {
        append(&log, position);
    }
    drop(log);
    let path = only_segment(dir.path());
    let whole = std::fs::read(&path).unwrap();
    let len = |p: u64| encoded(&record(p)).len();
    let last_start = len(1) + len(2);
    let last_end = last_start + len(3);
    assert!(whole.len() > last_end, "the segment is zero-filled ahead");
    assert!(whole[last_end..].iter().all(|b| *b == 0));
    let mut cuts = 0;
    for cut in last_start..last_end {
        // The write stopped at `cut`: at the end of the file, or inside the zero-filled
        // space ahead of the records.
        let mut torn_in_place = whole[..cut].to_vec();
        torn_in_place.resize(whole.len(), 0);
        for (variant, bytes) in [
            ("at the end", &whole[..cut]),
            ("in place", &torn_in_place[..]),
        ] {
            std::fs::write(&path, bytes).unwrap();
            let (log, replayed, last) = open(dir.path(), 0).unwrap();
            assert_eq!(
                replayed,
                vec![record(1), record(2)],
                "cut {variant} at {cut}"
            );
            assert_eq!(last, 2);
            if cut > last_start {
                assert_eq!(
                    std::fs::metadata(&path).unwrap().len(),
                    last_start as u64,
                    "the torn bytes are gone (cut {variant} at {cut})"
                );
            }
            // The log goes on after the cut: the record can be written again.
            append(&log, 3);
            drop(log);
            let (_, replayed, _) = open(dir.path(), 0).unwrap();
            assert_eq!(
                replayed,
                vec![record(1), record(2), record(3)],
                "{variant} {cut}"
            );
            cuts += 1;
        }
    }
    assert_eq!(cuts, 2 * len(3));
}

#[test]
fn a_damaged_record_before_valid_ones_refuses_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _, _) = open(dir.path(), 0).unwrap();
    for position in 1..=3 {
        append(&log, position);
    }
    drop(log);
    let path = only_segment(dir.path());
    let whole = std::fs::read(&path).unwrap();
    let first_len = encoded(&record(1)).len();
    let second_len = encoded(&record(2)).len();
    let mut refused = 0;
    // Every byte of the middle record, header included.
    for at in first_len..first_len + second_len {
        let mut damaged = whole.clone();
        damaged[at] ^= 0x40;
        std::fs::write(&path, &damaged).unwrap();
        let reason = refusal(dir.path(), 0);
        assert!(reason.contains("damaged"), "byte {at}: {reason}");
        refused += 1;
        // Refusing changed nothing on disk.
        assert_eq!(std::fs::read(&path).unwrap(), damaged);
    }
    assert_eq!(refused, second_len);
    // The marked bit alone, flipped: the checksum covers the length word, so the record
    // is not read as one of format 8 (whose payload would then be misparsed).
    let mut unmarked = whole.clone();
    unmarked[first_len + 3] ^= 0x80;
    std::fs::write(&path, &unmarked).unwrap();
    refusal(dir.path(), 0);
}

/// `Periodic` mode: records 4 to 8 were written after the `fdatasync` that covered 1 to 3
/// (their mark is 3) and no later one returned. A power loss may keep any of their pages
/// and lose others: a bad record among them is cut off with everything after it, while
/// damage to a record some later mark covers still refuses to open.
#[test]
fn a_bad_record_no_later_mark_covers_is_cut_off_with_everything_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _, _) = open(dir.path(), 0).unwrap();
    let periodic = |position: u64| LogRecord {
        durable: Some(if position <= 3 { 0 } else { 3 }),
        ..record(position)
    };
    for position in 1..=8 {
        append_record(&log, &periodic(position));
    }
    drop(log);
    let path = only_segment(dir.path());
    let whole = std::fs::read(&path).unwrap();
    let spans: Vec<_> = super::record_spans(&whole)
        .into_iter()
        .map(|(_, span)| span)
        .collect();
    assert_eq!(spans.len(), 8);
    let mut cut = 0;
    for lost in 4..=7u64 {
        // The pages of record `lost` never reached the disk; later records' did.
        let span = spans[usize::try_from(lost).unwrap() - 1].clone();
        let mut after_power_loss = whole.clone();
        after_power_loss[span.clone()].fill(0);
        std::fs::write(&path, &after_power_loss).unwrap();
        let (log, replayed, last) = open(dir.path(), 0).unwrap();
        assert_eq!(
            replayed,
            (1..lost).map(periodic).collect::<Vec<_>>(),
            "record {lost} lost"
        );
        assert_eq!(last, lost - 1);
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            span.start as u64,
            "everything from the lost record on is gone"
        );
        drop(log);
        cut += 1;
    }
    assert_eq!(cut, 4);
    for damaged in 1..=3u64 {
        // Record 4's mark says 1 to 3 had been made durable: losing one is damage.
        let span = spans[usize::try_from(damaged).unwrap() - 1].clone();
        let mut bytes = whole.clone();
        bytes[span.start + 20] ^= 0x01;
        std::fs::write(&path, &bytes).unwrap();
        let reason = refusal(dir.path(), 0);
        assert!(
            reason.contains("made durable"),
            "record {damaged}: {reason}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "refusing changed nothing"
        );
    }
}

/// A checkpoint `fdatasync`s the log before it applies it: damage to a record it covered
/// is damage even when no later mark reaches it (a record written while that sync ran
/// carries the mark from before it). Cutting there would drop the records after the
/// checkpoint, which sled does not have.
#[test]
fn damage_to_a_checkpointed_record_refuses_even_without_a_later_mark() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _, _) = open(dir.path(), 0).unwrap();
    // 4 was written while the checkpoint through 3 synced: its mark says 2.
    for position in 1..=4 {
        append_record(
            &log,
            &LogRecord {
                durable: Some(position.min(3) - 1),
                ..record(position)
            },
        );
    }
    drop(log);
    let path = only_segment(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let spans = super::record_spans(&bytes);
    bytes[spans[2].1.start + 12] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    // Checkpointed through 3: record 3 was durable, and 4 must not be cut with it.
    refusal(dir.path(), 3);
    // Not checkpointed: nothing shows 3 durable, so 3 and 4 are the unsynced tail.
    let (_, replayed, last) = open(dir.path(), 0).unwrap();
    assert_eq!(replayed.len(), 2);
    assert_eq!(last, 2);
}

/// A store of format 8 may hold records without a durability mark after a crash: they are
/// replayed as they are, and since they cannot tell what was durable, a bad record before
/// one of them refuses to open as it did before.
#[test]
fn records_of_format_8_without_a_mark_are_read_and_a_bad_one_before_them_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let log_dir = dir.path().join(super::LOG_DIR);
    std::fs::create_dir_all(&log_dir).unwrap();
    let unmarked = |position: u64| LogRecord {
        durable: None,
        ..record(position)
    };
    let mut bytes: Vec<u8> = (1..=3)
        .flat_map(|p| encode_format_8(&unmarked(p)).unwrap())
        .collect();
    assert_eq!(
        u32::from_le_bytes(bytes[..4].try_into().unwrap()) & MARKED,
        0
    );
    std::fs::write(log_dir.join(segment_name(1)), &bytes).unwrap();
    let (log, replayed, last) = open(dir.path(), 0).unwrap();
    assert_eq!(replayed, (1..=3).map(unmarked).collect::<Vec<_>>());
    assert_eq!(last, 3);
    // New records after them carry a mark.
    append(&log, 4);
    drop(log);
    let (_, replayed, _) = open(dir.path(), 0).unwrap();
    assert_eq!(replayed.len(), 4);
    assert_eq!(replayed[3], record(4));
    let second = encode_format_8(&unmarked(1)).unwrap().len();
    bytes[second + 12] ^= 0x01;
    std::fs::write(log_dir.join(segment_name(1)), &bytes).unwrap();
    refusal(dir.path(), 0);
}

#[test]
fn missing_records_after_the_checkpoint_refuse_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _, _) = open(dir.path(), 0).unwrap();
    for position in [1, 2, 4] {
        append(&log, position);
    }
    drop(log);
    let reason = refusal(dir.path(), 0);
    assert!(reason.contains("missing"), "{reason}");
    // A checkpoint past the gap makes the records before it irrelevant.
    let (_, replayed, last) = open(dir.path(), 3).unwrap();
    assert_eq!(replayed, vec![record(4)]);
    assert_eq!(last, 4);
    // A checkpoint before the first record the log holds: records were lost.
    let (log, _, _) = open(dir.path(), 3).unwrap();
    drop(log);
    let other = tempfile::tempdir().unwrap();
    let (log, _, _) = open(other.path(), 5).unwrap();
    append(&log, 6);
    drop(log);
    refusal(other.path(), 3);
}

#[test]
fn segments_roll_and_only_wholly_checkpointed_ones_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _, _) = open(dir.path(), 0).unwrap();
    log.set_segment_bytes(1);
    for position in 1..=10 {
        append(&log, position);
    }
    // Each record after the first starts a segment.
    assert_eq!(log.segment_count(), 10);
    assert_eq!(log.remove_through(4).unwrap(), 4);
    assert_eq!(log.segment_count(), 6);
    // The active segment is never deleted, even when wholly checkpointed.
    assert_eq!(log.remove_through(10).unwrap(), 5);
    assert_eq!(log.segment_count(), 1);
    append(&log, 11);
    drop(log);
    let (_, replayed, last) = open(dir.path(), 10).unwrap();
    assert_eq!(replayed, vec![record(11)]);
    assert_eq!(last, 11);
    let files = std::fs::read_dir(dir.path().join(super::LOG_DIR))
        .unwrap()
        .count();
    assert_eq!(files, 2, "segments 10 and 11");
}

#[test]
fn an_empty_log_starts_after_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let (log, replayed, last) = open(dir.path(), 41).unwrap();
    assert!(replayed.is_empty());
    assert_eq!(last, 41);
    append(&log, 42);
    drop(log);
    let (_, replayed, _) = open(dir.path(), 41).unwrap();
    assert_eq!(replayed, vec![record(42)]);
    assert!(
        dir.path()
            .join(super::LOG_DIR)
            .join(segment_name(42))
            .exists()
    );
}

/// Whatever a crash, a power loss or a bad disk leaves in the last segment, opening never
/// panics and never replays anything but a prefix of what was written: 300 seeded cases
/// of bit flips, zeroed ranges, cuts and random bytes over 1–12 records whose marks lag
/// their positions as `Periodic` mode's do.
#[test]
fn any_damage_to_the_last_segment_opens_a_prefix_or_refuses_never_panics() {
    let mut state = 0x5EED_u64;
    let mut next = move |below: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % below as u64).unwrap()
    };
    let (mut opened, mut refused) = (0, 0);
    for case in 0..300 {
        let dir = tempfile::tempdir().unwrap();
        let count = 1 + next(12) as u64;
        let mut durable = 0;
        let written: Vec<LogRecord> = (1..=count)
            .map(|position| {
                durable = (durable + next(2) as u64).min(position - 1);
                LogRecord {
                    durable: Some(durable),
                    ..record(position)
                }
            })
            .collect();
        let (log, _, _) = open(dir.path(), 0).unwrap();
        for r in &written {
            append_record(&log, r);
        }
        drop(log);
        let path = only_segment(dir.path());
        let mut bytes = std::fs::read(&path).unwrap();
        let end = super::record_spans(&bytes).last().unwrap().1.end;
        match case % 4 {
            0 => {
                let at = next(end);
                bytes[at] ^= 1 << next(8);
            }
            1 => {
                let from = next(end);
                let to = (from + 1 + next(300)).min(bytes.len());
                bytes[from..to].fill(0);
            }
            2 => bytes.truncate(next(end)),
            _ => {
                let from = next(end);
                for byte in &mut bytes[from..(from + 64).min(end)] {
                    *byte = u8::try_from(next(256)).unwrap();
                }
            }
        }
        std::fs::write(&path, &bytes).unwrap();
        match open(dir.path(), 0) {
            Ok((_, replayed, last)) => {
                assert_eq!(
                    replayed[..],
                    written[..replayed.len()],
                    "case {case}: not a prefix"
                );
                assert_eq!(last, replayed.len() as u64, "case {case}");
                opened += 1;
            }
            Err(StoreError::Corrupted { .. }) => refused += 1,
            Err(other) => panic!("case {case}: {other}"),
        }
    }
    assert_eq!(opened + refused, 300);
    assert!(
        opened > 150 && refused > 50,
        "{opened} opened, {refused} refused"
    );
}
