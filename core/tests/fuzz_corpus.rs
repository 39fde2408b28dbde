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

#[test]
fn the_engine_ops_corpus_works_returns_through_every_step() {
    let files = corpus("engine_ops");
    let counts = |file: &str| {
        let (_, bytes) = files
            .iter()
            .find(|(name, _)| name.ends_with(file))
            .unwrap_or_else(|| panic!("{file} is missing from the corpus"));
        let counts = ordo_core::testkit::fuzz::engine_ops_counted(bytes);
        (counts.opened, counts.steps)
    };
    // A delivered order (no parcels): two returns opened, approved, received (restocked,
    // written off), refunded and exchanged, a third refused; one open refused for units
    // already returned.
    assert_eq!(counts("returns-delivered-refund-exchange"), (3, 7));
    // A parcel delivered: a return restocked into EAST and refunded, another exchanged.
    assert_eq!(counts("returns-shipped-parcel"), (2, 6));
}
