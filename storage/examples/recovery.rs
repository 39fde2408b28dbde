//! Recovery time after a crash with a full overlay: a child process writes orders through
//! the engine in `Periodic` mode with checkpoints held off (everything stays in the commit
//! log and the overlay), is killed with SIGKILL, and the store is then opened and timed
//! (the open replays the whole log). Prints the log's size, the records replayed and the
//! time the open took.
//!
//! `cargo run --release -p ordo-storage --example recovery -- [orders]`

// A measuring tool: failing loudly is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ordo_core::engine::OrderRequest;
use ordo_core::ids::CustomerId;
use ordo_core::testkit::sample;
use ordo_storage::{Durability, SledStore, StoreConfig};

const CHILD: &str = "ORDO_RECOVERY_CHILD_DIR";

fn main() {
    let orders: u64 = std::env::args()
        .nth(1)
        .map_or(50_000, |a| a.parse().expect("numeric argument"));
    if let Ok(dir) = std::env::var(CHILD) {
        write_then_wait(Path::new(&dir), orders);
        return;
    }
    let dir = std::env::temp_dir().join(format!("ordo-recovery-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg(orders.to_string())
        .env(CHILD, &dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        if line.unwrap() == "DONE" {
            break;
        }
    }
    let wrote = started.elapsed();
    child.kill().unwrap();
    child.wait().unwrap();
    let log_bytes: u64 = std::fs::read_dir(dir.join("log"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    let opening = Instant::now();
    let store = SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap();
    let took = opening.elapsed();
    println!(
        "{orders} orders written in {:.1} s, then SIGKILL; commit log {:.1} MiB; open replayed \
         {} records in {:.0} ms",
        wrote.as_secs_f64(),
        log_bytes as f64 / (1 << 20) as f64,
        store.replayed_at_open(),
        took.as_secs_f64() * 1000.0
    );
    let closing = Instant::now();
    drop(store);
    println!(
        "the first checkpoint after it (at close) took {:.0} ms",
        closing.elapsed().as_secs_f64() * 1000.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The child: writes `orders` orders from 4 threads with no checkpoint, prints DONE, waits.
fn write_then_wait(dir: &Path, orders: u64) {
    let config = StoreConfig::new(Durability::Periodic {
        flush_every_ms: 3_600_000,
    })
    .with_checkpoint_bytes(usize::MAX / 8)
    .with_checkpoint_every(Duration::from_secs(3600));
    let store = Arc::new(SledStore::open(dir, config).unwrap());
    let (engine, _clock) = sample::engine(store.clone(), 7);
    let admin = sample::admin();
    let skus: Vec<String> = (0..200).map(|i| format!("SKU-{i:05}")).collect();
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
    let engine = Arc::new(engine);
    let skus = Arc::new(skus);
    let workers: Vec<_> = (0..4u64)
        .map(|t| {
            let engine = engine.clone();
            let skus = skus.clone();
            let customers = customers.clone();
            std::thread::spawn(move || {
                let admin = sample::admin();
                let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ (t + 1);
                for _ in 0..orders / 4 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let customer = customers[(state % customers.len() as u64) as usize];
                    let lines = 1 + (state >> 20) as usize % 3;
                    let first = (state >> 30) as usize % skus.len();
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
    println!("DONE");
    std::thread::sleep(Duration::from_secs(3600));
}
