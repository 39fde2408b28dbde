//! Replays every committed `sms_command` and `telegram_command` corpus file through its
//! fuzz target's body (see FUZZING.md), so `cargo test` checks them without a fuzzer.

// Tests assert by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn sms_command_corpus_keeps_every_promise() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/sms_command");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let seeds = files
        .iter()
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("seed-"))
        })
        .count();
    assert!(seeds >= 40, "the corpus has {seeds} hand-written seeds");
    for path in files {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        ordo_bots::sms::fuzzing::sms_command(&bytes);
    }
}

#[test]
fn telegram_command_corpus_keeps_every_promise() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/telegram_command");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let seeds = files
        .iter()
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("seed-"))
        })
        .count();
    assert!(seeds >= 60, "the corpus has {seeds} hand-written seeds");
    for path in files {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        ordo_bots::telegram::fuzzing::telegram_command(&bytes);
    }
}
