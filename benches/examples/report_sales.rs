//! A 90-day sales report over the counters 1M orders leave behind, on sled.
//!
//! `cargo run --release -p ordo-benches --example report_sales -- 1000000`
//!
//! The store is loaded with the report counters of N synthetic orders spread over 365 days
//! (1,000 products, 100,000 customers, 1–9 lines, USD), built by the engine's own
//! `sale_figures` — the exact keys and values the engine writes when those orders are
//! placed — summed in memory and written in write sets of 20,000 counters (writing 1M
//! orders through the engine on sled would take the better part of an hour and leave the
//! same counters). Then `Engine::sales_report` for the last 90 days (by day, with the top
//! products) runs 5 times on the reopened store, then the customers report (the top
//! customers) twice, and the raw counter scans per kind once; the times are printed.
//! `ORDO_REPORT_DIR=PATH` keeps the loaded store for the next run.

// A measuring tool: failing loudly is what it should do.
#![allow(clippy::expect_used, clippy::unwrap_used)]

/// The allocator the `ordo` binary uses (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use ordo_core::clock::{DAY_MS, ManualClock, Timestamp};
use ordo_core::engine::report_counters::{Sale, sale_figures};
use ordo_core::engine::{Engine, EngineConfig};
use ordo_core::ids::{CustomerId, ProductId};
use ordo_core::money::Currency;
use ordo_core::random::{RandomSource, SeededRandom};
use ordo_core::report::ReportGroup;
use ordo_core::store::{Store, WriteSet};
use ordo_core::testkit::sample;
use ordo_storage::{Durability, SledStore, StoreConfig};
use rust_decimal::Decimal;

const DAYS: u64 = 365;
const PRODUCTS: u64 = 1_000;
const CUSTOMERS: u64 = 100_000;

fn main() {
    let orders: u64 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("a number of orders"));
    // `ORDO_REPORT_DIR=PATH` keeps the loaded store there and reuses it on the next run.
    let kept = std::env::var_os("ORDO_REPORT_DIR").map(std::path::PathBuf::from);
    let temporary = tempfile::tempdir().expect("a temporary directory");
    let dir = kept
        .clone()
        .unwrap_or_else(|| temporary.path().to_path_buf());
    let reuse = kept.is_some() && dir.join("ordo-store").exists();
    let first_day = sample::EPOCH.millis() / DAY_MS;
    let random = SeededRandom::new(2026);
    let started = Instant::now();
    let mut sums: HashMap<Vec<u8>, Decimal> = HashMap::new();
    for n in 0..if reuse { 0 } else { orders } {
        let day = first_day + i64::try_from(n * DAYS / orders).unwrap();
        let placed =
            Timestamp(day * DAY_MS + i64::try_from(random.next_u64() % 86_400_000).unwrap());
        let lines = (0..1 + random.next_u64() % 9)
            .map(|_| {
                let quantity = u32::try_from(1 + random.next_u64() % 5).unwrap();
                let price =
                    Decimal::new(i64::try_from(100 + random.next_u64() % 9_900).unwrap(), 2);
                (
                    ProductId(1 + random.next_u64() % PRODUCTS),
                    quantity,
                    price * Decimal::from(quantity),
                )
            })
            .collect::<Vec<_>>();
        let total: Decimal =
            lines.iter().map(|(_, _, r)| *r).sum::<Decimal>() * Decimal::new(12, 1);
        let sale = Sale {
            placed,
            customer: CustomerId(1 + random.next_u64() % CUSTOMERS),
            currency: Currency::USD,
            total: total.round_dp(2),
            lines,
        };
        for (key, value) in sale_figures(&sale) {
            *sums.entry(key).or_default() += value;
        }
    }
    println!(
        "{orders} orders over {DAYS} days: {} counters, summed in {:.1?}",
        sums.len(),
        started.elapsed()
    );
    let started = Instant::now();
    if !reuse {
        let store = SledStore::open(
            &dir,
            StoreConfig::new(Durability::Periodic {
                flush_every_ms: 1_000,
            }),
        )
        .expect("a store");
        let mut counters: Vec<_> = sums.into_iter().collect();
        counters.sort();
        for chunk in counters.chunks(20_000) {
            let mut writes = WriteSet::new();
            for (key, value) in chunk {
                writes.count(key.clone(), *value);
            }
            store.apply(writes).expect("counters written");
        }
        store.sync().expect("synced");
    }
    println!("written and synced in {:.1?}", started.elapsed());

    let store = SledStore::open(&dir, StoreConfig::new(Durability::Immediate)).unwrap();
    let last_day = first_day + i64::try_from(DAYS).unwrap() - 1;
    let clock = Arc::new(ManualClock::new(Timestamp(last_day * DAY_MS)));
    let engine = Engine::new(
        store,
        clock,
        Arc::new(SeededRandom::new(1)),
        EngineConfig::default(),
    );
    let to = Timestamp(last_day * DAY_MS);
    let from = Timestamp((last_day - 89) * DAY_MS);
    let admin = sample::admin();
    for run in 1..=5 {
        let started = Instant::now();
        let report = engine
            .sales_report(&admin, from, to, ReportGroup::Day)
            .expect("a report");
        let elapsed = started.elapsed();
        let orders: u64 = report.periods.iter().map(|p| p.orders).sum();
        println!(
            "run {run}: 90-day sales report ({} days, {orders} orders, {} products listed) in {:.1?}",
            report.periods.len(),
            report.products.len(),
            elapsed
        );
    }
    // The top customers live in the customers report: one counter pair per customer and
    // day, plus one index probe per customer (new or returning; the index is empty here,
    // as this store holds counters only, so the probes are cheaper than on a real store).
    for run in 1..=2 {
        let started = Instant::now();
        let report = engine
            .customer_report(&admin, from, to, 50)
            .expect("a report");
        println!(
            "run {run}: 90-day customers report ({} customers, {} listed) in {:.1?}",
            report.figures.iter().map(|f| f.customers).sum::<u64>(),
            report.top.len(),
            started.elapsed()
        );
    }
    // Where the time goes: the raw counter scans of the range, per kind.
    let store = engine.store(&admin).expect("the store");
    let (first, last) = (
        u32::try_from(last_day - 89).unwrap(),
        u32::try_from(last_day).unwrap(),
    );
    for tag in [b'S', b'P', b'C'] {
        let key = |day: u32| {
            let mut key = vec![tag];
            key.extend_from_slice(&day.to_be_bytes());
            key
        };
        let range = ordo_core::store::IndexRange {
            start: std::ops::Bound::Included(key(first)),
            end: std::ops::Bound::Excluded(key(last + 1)),
            reverse: false,
        };
        let started = Instant::now();
        let read = store.counters(&range, usize::MAX).expect("counters").len();
        println!(
            "raw scan of '{}' counters: {read} in {:.1?}",
            char::from(tag),
            started.elapsed()
        );
    }
}
