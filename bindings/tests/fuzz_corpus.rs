//! Replays every committed `api_request` corpus file through the fuzz target's body (see
//! FUZZING.md), so `cargo test` checks them without a fuzzer.

// Test helpers assert by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn api_request_corpus_keeps_the_contract() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/api_request");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    for path in files {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        ordo_ffi::fuzzing::api_request(&bytes);
    }
}
