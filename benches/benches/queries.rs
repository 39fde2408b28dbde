//! Index queries at 10k, 100k and 1M orders on SledStore: each must cost O(log n + page).
//!
//! `cargo bench -p ordo-benches --bench queries` (sizes: `ORDO_BENCH_SIZES=10000,100000,1000000`).
//! Data sets are built once under `target/ordo-bench-data/`.

// Benchmarks fail loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

/// The allocator the `ordo` binary uses (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ordo_benches::dataset;
use ordo_benches::rng::Rng;
use ordo_core::clock::{DAY_MS, Timestamp};
use ordo_core::engine::OrderFilter;
use ordo_core::ids::CustomerId;
use ordo_core::order::OrderStatus;
use ordo_core::testkit::sample;

fn sizes() -> Vec<u64> {
    std::env::var("ORDO_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn queries(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ordo-bench-data");
    let admin = sample::admin();
    let mut group = c.benchmark_group("index-queries");
    for orders in sizes() {
        let data = dataset::open(&root, orders);
        let engine = &data.engine;
        let first_customer = engine.list_customers(&admin, None, None, 1).unwrap().items[0]
            .id()
            .0;
        let mut rng = Rng::new(1);
        group.bench_with_input(
            BenchmarkId::new("get-by-reference", orders),
            &orders,
            |b, _| {
                b.iter(|| {
                    let r = &data.references[rng.below(data.references.len() as u64) as usize];
                    black_box(engine.order_by_reference(&admin, r).unwrap());
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("list-by-customer-20", orders),
            &orders,
            |b, _| {
                b.iter(|| {
                    let customer = CustomerId(first_customer + rng.below(data.customers));
                    let filter = OrderFilter {
                        customer: Some(customer),
                        limit: 20,
                        ..OrderFilter::default()
                    };
                    black_box(engine.list_orders(&admin, &filter).unwrap());
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("date-range-page-20", orders),
            &orders,
            |b, _| {
                b.iter(|| {
                    let from = Timestamp(dataset::START.0 + rng.below(89) as i64 * DAY_MS);
                    let filter = OrderFilter {
                        from: Some(from),
                        to: Some(from.plus_ms(DAY_MS)),
                        limit: 20,
                        ..OrderFilter::default()
                    };
                    black_box(engine.list_orders(&admin, &filter).unwrap());
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("status-page-20", orders),
            &orders,
            |b, _| {
                b.iter(|| {
                    let filter = OrderFilter {
                        status: Some(OrderStatus::Placed),
                        limit: 20,
                        ..OrderFilter::default()
                    };
                    black_box(engine.list_orders(&admin, &filter).unwrap());
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("customer-name-page-20", orders),
            &orders,
            |b, _| {
                b.iter(|| {
                    let name = format!("Customer {}", rng.below(data.customers));
                    let filter = OrderFilter {
                        customer_name: Some(name),
                        limit: 20,
                        ..OrderFilter::default()
                    };
                    black_box(engine.list_orders(&admin, &filter).unwrap());
                })
            },
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = queries
}
criterion_main!(benches);
