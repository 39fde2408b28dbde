//! Replays every committed fuzz corpus file of the core targets through the same code the
//! fuzzer runs, so `cargo test` checks them without a fuzzer (see FUZZING.md).

// Tests assert by panicking.
#![allow(clippy::panic)]

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.display().to_string(), bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn engine_ops_corpus_keeps_every_invariant() {
    let files = corpus("engine_ops");
    assert!(!files.is_empty());
    for (name, bytes) in files {
        eprintln!("replaying {name}");
        ordo_core::testkit::fuzz::engine_ops(&bytes);
    }
}

#[test]
fn cli_args_corpus_never_panics() {
    let files = corpus("cli_args");
    assert!(!files.is_empty());
    for (_, bytes) in files {
        ordo_core::testkit::fuzz::parsers(&bytes);
    }
}
