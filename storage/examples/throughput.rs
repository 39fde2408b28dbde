//! Orders per second through the engine on a `SledStore`, per durability mode, with the
//! writer's batching, commit log and checkpoint figures (checkpoints run on their own
//! thread: their time per batch is wall time spent, not time a caller waited).
//!
//! `cargo run --release -p ordo-storage --example throughput -- [threads] [orders] [products]`

// A measuring tool: failing loudly is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Instant;

use ordo_core::engine::OrderRequest;
use ordo_core::ids::CustomerId;
use ordo_core::testkit::sample;
use ordo_storage::{Durability, SledStore, StoreConfig};

fn arg(position: usize, default: u64) -> u64 {
    std::env::args()
        .nth(position)
        .map_or(default, |a| a.parse().expect("numeric argument"))
}

fn main() {
    let threads = arg(1, 8);
    let orders = arg(2, 20_000);
    let products = arg(3, 200);
    println!("{threads} threads, {orders} orders, {products} products, 1-3 lines per order");
    for durability in [
        Durability::Immediate,
        Durability::Periodic {
            flush_every_ms: 500,
        },
    ] {
        run(durability, threads, orders, products);
    }
}

fn run(durability: Durability, threads: u64, orders: u64, products: u64) {
    let dir = std::env::temp_dir().join(format!("ordo-throughput-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Arc::new(SledStore::open(&dir, StoreConfig::new(durability)).unwrap());
    let (engine, _clock) = sample::engine(store.clone(), 7);
    let admin = sample::admin();
    let skus: Vec<String> = (0..products).map(|i| format!("SKU-{i:05}")).collect();
    for sku in &skus {
        engine
            .create_product(&admin, sample::product(sku, 1000))
            .unwrap();
        engine
            .restock(&admin, sku, "MAIN", 100_000_000, "benchmark")
            .unwrap();
    }
    let customers: Vec<u64> = sample::customers(&engine, 1..101)
        .iter()
        .map(|c| c.0)
        .collect();
    let before = store.stats();
    let engine = Arc::new(engine);
    let skus = Arc::new(skus);
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let engine = engine.clone();
            let skus = skus.clone();
            let customers = customers.clone();
            std::thread::spawn(move || {
                let admin = sample::admin();
                let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ (t + 1);
                let mut next = move || {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state
                };
                for _ in 0..orders / threads {
                    let customer = customers[(next() % customers.len() as u64) as usize];
                    let lines = 1 + (next() % 3) as usize;
                    let first = (next() % skus.len() as u64) as usize;
                    let items: Vec<(&str, i64)> = (0..lines)
                        .map(|i| (skus[(first + i * 7) % skus.len()].as_str(), 1))
                        .collect();
                    engine
                        .create_order(&admin, &OrderRequest::simple(CustomerId(customer), &items))
                        .unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let elapsed = started.elapsed();
    let done = orders / threads * threads;
    let stats = store.stats();
    let batches = stats.batches - before.batches;
    let per_batch = |d: std::time::Duration, b: std::time::Duration| {
        if batches == 0 {
            0.0
        } else {
            (d - b).as_secs_f64() * 1e6 / batches as f64
        }
    };
    println!(
        "{durability:?}: {:.0} orders/s ({done} in {:.2} s); {batches} batches, \
         {:.1} write sets/batch, {} rejected (conflicts, retried by the engine); \
         per batch: log+overlay {:.0} µs, checkpoint {:.0} µs, log fdatasync {:.0} µs",
        done as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        (stats.write_sets - before.write_sets) as f64 / batches.max(1) as f64,
        stats.rejected - before.rejected,
        per_batch(stats.apply_time, before.apply_time),
        per_batch(stats.flush_time, before.flush_time),
        per_batch(stats.fsync_time, before.fsync_time),
    );
    drop(engine);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
