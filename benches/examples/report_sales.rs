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
//! products and customers) runs 5 times on the reopened store; the times are printed.

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
    let dir = tempfile::tempdir().expect("a temporary directory");
    let first_day = sample::EPOCH.millis() / DAY_MS;
    let random = SeededRandom::new(2026);
    let started = Instant::now();
    let mut sums: HashMap<Vec<u8>, Decimal> = HashMap::new();
    for n in 0..orders {
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
    {
        let store = SledStore::open(
            dir.path(),
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

    let store = SledStore::open(dir.path(), StoreConfig::new(Durability::Immediate)).unwrap();
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
            "run {run}: 90-day sales report ({} days, {orders} orders, {} products, {} customers listed) in {:.1?}",
            report.periods.len(),
            report.products.len(),
            report.customers.len(),
            elapsed
        );
    }
}
