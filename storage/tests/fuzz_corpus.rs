//! Replays every committed `record_decode` and `log_recovery` corpus file through its fuzz
//! target's body.

// Test code: a failed expectation is a failed test.
#![allow(clippy::panic)]

/// Runs `body` on every file of `fuzz/corpus/{target}`; returns how many there were.
fn replay_corpus(target: &str, body: fn(&[u8])) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        body(&bytes);
        count += 1;
    }
    count
}

#[test]
fn record_decode_corpus_never_panics() {
    let count = replay_corpus("record_decode", ordo_storage::fuzzing::decode_everything);
    assert!(count > 0, "the corpus has files");
}

#[test]
fn log_recovery_corpus_never_panics() {
    let count = replay_corpus("log_recovery", ordo_storage::fuzzing::log_recovery);
    assert!(count >= 3, "the corpus has its seeds at least");
}
