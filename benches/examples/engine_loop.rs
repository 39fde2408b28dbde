//! Runs a fixed number of TPC-C-shaped transactions (the `tpcc` mix, one client, a fixed
//! seed) through the engine on the in-memory store, for profilers that count instructions:
//! the same binary and arguments execute the same work, so `valgrind --tool=callgrind`
//! totals compare one engine change with the next (see BENCHMARKS.md). Loading is outside
//! the transactions: collect only `Driver::run` with
//! `--collect-atstart=no --toggle-collect='*as ordo_benches::driver::Driver>::run'`.
//!
//! `cargo run --release -p ordo-benches --example engine_loop -- 3000`

// A measuring tool: failing loudly is what it should do.
#![allow(clippy::expect_used)]

/// The allocator the `ordo` binary uses (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeMap;

use ordo_benches::driver::{Driver, Outcome};
use ordo_benches::ordo_driver::{self, OrdoDriver};
use ordo_benches::rng::Rng;
use ordo_benches::workload::{Scale, Transaction};
use ordo_core::store::MemoryStore;

fn main() {
    let transactions: u64 = std::env::args()
        .nth(1)
        .map_or(3_000, |a| a.parse().expect("a number of transactions"));
    let scale = Scale {
        products: 5_000,
        customers: 2_000,
        warehouses: 2,
    };
    let engine = ordo_driver::engine(MemoryStore::new(), 42);
    let customers = ordo_driver::load(&engine, &scale, 1);
    let driver = OrdoDriver::new("ordo-memory", engine, customers);
    let mut rng = Rng::new(7);
    let mut done: BTreeMap<&'static str, (u64, u64)> = BTreeMap::new();
    let started = std::time::Instant::now();
    for _ in 0..transactions {
        let kind = Transaction::pick(&mut rng);
        let outcome = driver.run(kind, &mut rng, &scale);
        let counts = done.entry(kind.name()).or_default();
        match outcome {
            Outcome::Committed => counts.0 += 1,
            _ => counts.1 += 1,
        }
    }
    let took = started.elapsed();
    println!(
        "{transactions} transactions in {took:?} ({:?} each)",
        took / u32::try_from(transactions.max(1)).unwrap_or(u32::MAX)
    );
    for (name, (committed, other)) in done {
        println!("  {name}: {committed} committed, {other} rolled back or refused");
    }
}
