//! Writes valid encodings of every stored value kind into `fuzz/corpus/record_decode/` and
//! valid commit log segments into `fuzz/corpus/log_recovery/`.
//!
//! `cargo run -p ordo-storage --example write_fuzz_seeds`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    for (target, seeds) in [
        ("record_decode", ordo_storage::fuzzing::seed_values()?),
        ("log_recovery", ordo_storage::fuzzing::seed_logs()?),
    ] {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir)?;
        for (i, value) in seeds.into_iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i:02}")), value)?;
        }
        println!("wrote seeds to {}", dir.display());
    }
    Ok(())
}
