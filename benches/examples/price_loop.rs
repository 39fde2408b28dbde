//! Runs the 15-line pricing-and-validation path many times, for profilers that count
//! instructions (`valgrind --tool=callgrind`), where criterion's timing loop gets in the way.
//!
//! `cargo run --release -p ordo-benches --example price_loop -- 20000`

// A measuring tool: failing loudly is what it should do.
#![allow(clippy::expect_used)]

/// The allocator the `ordo` binary uses (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use ordo_benches::pricing::PricingFixture;

fn main() {
    let rounds: u32 = std::env::args()
        .nth(1)
        .map_or(20_000, |a| a.parse().expect("a number"));
    let fixture = PricingFixture::new();
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        black_box(fixture.price_once());
    }
    println!(
        "{rounds} rounds, {:?} per 15-line order",
        started.elapsed() / rounds.max(1)
    );
}
