//! Single-operation latency: create an order (memory, sled Periodic, sled Immediate), get by
//! reference, list by customer, a date-range page, and pure-core pricing and validation of
//! a 15-line order.
//!
//! `cargo bench -p ordo-benches --bench operations`

// Benchmarks fail loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

/// The allocator the `ordo` binary uses (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ordo_benches::ordo_driver;
use ordo_benches::pricing::PricingFixture;
use ordo_benches::rng::Rng;
use ordo_benches::workload;
use ordo_core::clock::{DAY_MS, Timestamp};
use ordo_core::engine::{Engine, OrderFilter, OrderRequest};
use ordo_core::ids::CustomerId;
use ordo_core::store::{MemoryStore, Store};
use ordo_core::testkit::sample;
use ordo_storage::Durability;

const PRODUCTS: u64 = 200;

fn seeded<S: Store>(store: S) -> (Engine<S>, Vec<CustomerId>) {
    let engine = ordo_driver::engine(store, 9);
    let admin = sample::admin();
    for n in 0..PRODUCTS {
        let sku = workload::sku(n);
        engine
            .create_product(&admin, sample::product(&sku, 1000))
            .unwrap();
        engine
            .restock(&admin, &sku, "W0", 1_000_000_000, "bench")
            .unwrap();
    }
    let customers = sample::customers(&engine, 0..100);
    (engine, customers)
}

fn request(rng: &mut Rng, customers: &[CustomerId], skus: &[String]) -> OrderRequest {
    let items: Vec<(&str, i64)> = (0..3)
        .map(|i| (skus[(rng.below(PRODUCTS / 3) * 3 + i) as usize].as_str(), 1))
        .collect();
    OrderRequest::simple(
        customers[rng.below(customers.len() as u64) as usize],
        &items,
    )
}

fn create_order(c: &mut Criterion) {
    let skus: Vec<String> = (0..PRODUCTS).map(workload::sku).collect();
    let admin = sample::admin();
    let mut group = c.benchmark_group("create-order-3-lines");
    let temp = tempfile::tempdir().unwrap();
    {
        let (engine, customers) = seeded(MemoryStore::new());
        let mut rng = Rng::new(1);
        group.bench_function("memory", |b| {
            b.iter(|| {
                black_box(
                    engine
                        .create_order(&admin, &request(&mut rng, &customers, &skus))
                        .unwrap(),
                )
            })
        });
    }
    for (name, durability) in [
        (
            "sled-periodic",
            Durability::Periodic {
                flush_every_ms: 500,
            },
        ),
        ("sled-immediate", Durability::Immediate),
    ] {
        let (engine, customers) =
            seeded(ordo_driver::open_sled(&temp.path().join(name), durability));
        let mut rng = Rng::new(2);
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    engine
                        .create_order(&admin, &request(&mut rng, &customers, &skus))
                        .unwrap(),
                )
            })
        });
    }
    group.finish();
}

fn reads(c: &mut Criterion) {
    let skus: Vec<String> = (0..PRODUCTS).map(workload::sku).collect();
    let admin = sample::admin();
    let temp = tempfile::tempdir().unwrap();
    let (engine, customers) = seeded(ordo_driver::open_sled(
        &temp.path().join("reads"),
        Durability::Periodic {
            flush_every_ms: 500,
        },
    ));
    let mut rng = Rng::new(3);
    let references: Vec<String> = (0..10_000)
        .map(|_| {
            engine
                .create_order(&admin, &request(&mut rng, &customers, &skus))
                .unwrap()
                .reference()
                .unwrap()
                .to_string()
        })
        .collect();
    let now = ordo_core::clock::Clock::now(&ordo_core::clock::SystemClock);
    let mut group = c.benchmark_group("reads-10k-orders");
    group.bench_function("get-by-reference", |b| {
        b.iter(|| {
            black_box(
                engine
                    .order_by_reference(&admin, &references[rng.below(10_000) as usize])
                    .unwrap(),
            )
        })
    });
    group.bench_function("list-by-customer-20", |b| {
        b.iter(|| {
            let filter = OrderFilter {
                customer: Some(customers[rng.below(100) as usize]),
                limit: 20,
                ..OrderFilter::default()
            };
            black_box(engine.list_orders(&admin, &filter).unwrap())
        })
    });
    group.bench_function("date-range-page-20", |b| {
        b.iter(|| {
            let filter = OrderFilter {
                from: Some(Timestamp(now.0 - DAY_MS)),
                to: Some(now.plus_ms(DAY_MS)),
                limit: 20,
                ..OrderFilter::default()
            };
            black_box(engine.list_orders(&admin, &filter).unwrap())
        })
    });
    group.finish();
}

/// Validation and pricing of a 15-line order with no storage: parse SKUs and quantities,
/// pick price tiers, build the order and price it.
fn pricing(c: &mut Criterion) {
    let fixture = PricingFixture::new();
    c.bench_function("price-and-validate-15-lines", |b| {
        b.iter(|| black_box(fixture.price_once()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = pricing, create_order, reads
}
criterion_main!(benches);
