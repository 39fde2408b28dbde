//! Replays every committed `record_decode` and `log_recovery` corpus file through its fuzz
//! target's body.

#[test]
fn record_decode_corpus_never_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/record_decode");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        ordo_storage::fuzzing::decode_everything(&bytes);
        count += 1;
    }
    assert!(count > 0, "the corpus has files");
}

#[test]
fn log_recovery_corpus_never_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/log_recovery");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        ordo_storage::fuzzing::log_recovery(&bytes);
        count += 1;
    }
    assert!(count >= 3, "the corpus has its seeds at least");
}
