//! Writes valid encodings of every stored value kind into `fuzz/corpus/record_decode/`.
//!
//! `cargo run -p ordo-storage --example write_fuzz_seeds`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/record_decode");
    std::fs::create_dir_all(&dir)?;
    for (i, value) in ordo_storage::fuzzing::seed_values()?
        .into_iter()
        .enumerate()
    {
        std::fs::write(dir.join(format!("seed-{i:02}")), value)?;
    }
    println!("wrote seeds to {}", dir.display());
    Ok(())
}
