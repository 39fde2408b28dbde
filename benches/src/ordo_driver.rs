//! The workload on ordo: the engine over `SledStore` (either durability) or `MemoryStore`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ordo_core::auth::Actor;
use ordo_core::clock::SystemClock;
use ordo_core::engine::{Engine, EngineConfig, OrderFilter, OrderRequest, PaymentRequest};
use ordo_core::error::{Error, Refusal};
use ordo_core::ids::CustomerId;
use ordo_core::order::OrderStatus;
use ordo_core::payment::PaymentMethod;
use ordo_core::random::SeededRandom;
use ordo_core::store::Store;
use ordo_core::testkit::sample;
use ordo_storage::{Durability, SledStore, StoreConfig};

use crate::driver::{Driver, Outcome, RecentReferences};
use crate::rng::Rng;
use crate::workload::{self, INITIAL_STOCK, STOCK_THRESHOLD, Scale, Transaction};

/// ordo under test.
pub struct OrdoDriver<S: Store> {
    name: String,
    engine: Engine<S>,
    customers: Vec<CustomerId>,
    actor: Actor,
    unknown: AtomicU64,
    recent: RecentReferences,
    /// What [`Driver::settle`] runs (see [`OrdoDriver::settling_with`]).
    settle: Option<Box<dyn Fn() + Send + Sync>>,
}

/// An engine for benchmarking: system clock, seeded references.
pub fn engine<S: Store>(store: S, seed: u64) -> Engine<S> {
    Engine::new(
        store,
        Arc::new(SystemClock),
        Arc::new(SeededRandom::new(seed)),
        EngineConfig::default(),
    )
}

/// Loads products, stock and customers with `threads` loader threads; returns customer ids.
pub fn load<S: Store>(engine: &Engine<S>, scale: &Scale, threads: u64) -> Vec<CustomerId> {
    let admin = sample::admin();
    let warehouses: Vec<String> = (0..scale.warehouses).map(|w| format!("W{w}")).collect();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (admin, warehouses) = (&admin, &warehouses);
            scope.spawn(move || {
                for n in (t..scale.products).step_by(threads as usize) {
                    let sku = workload::sku(n);
                    engine
                        .create_product(admin, sample::product(&sku, 100 + (n as i64 % 9_900)))
                        .expect("load product");
                    for w in warehouses {
                        engine
                            .restock(admin, &sku, w, INITIAL_STOCK, "initial stock")
                            .expect("load stock");
                    }
                }
            });
        }
    });
    let mut customers: Vec<CustomerId> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let admin = &admin;
                scope.spawn(move || {
                    (t..scale.customers)
                        .step_by(threads as usize)
                        .map(|n| {
                            engine
                                .create_customer(admin, &sample::customer(n))
                                .expect("load customer")
                                .id()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("loader thread"))
            .collect()
    });
    customers.sort();
    customers
}

impl<S: Store> OrdoDriver<S> {
    /// A driver over an engine already loaded with `customers`.
    pub fn new(name: &str, engine: Engine<S>, customers: Vec<CustomerId>) -> OrdoDriver<S> {
        OrdoDriver {
            name: name.to_string(),
            engine,
            customers,
            actor: sample::admin(),
            unknown: AtomicU64::new(0),
            recent: RecentReferences::default(),
            settle: None,
        }
    }

    /// The driver with `settle` as what pays its store's deferred work at the end of a run
    /// (see [`Driver::settle`]).
    pub fn settling_with(mut self, settle: impl Fn() + Send + Sync + 'static) -> OrdoDriver<S> {
        self.settle = Some(Box::new(settle));
        self
    }

    fn customer(&self, rng: &mut Rng) -> CustomerId {
        self.customers[rng.below(self.customers.len() as u64) as usize]
    }

    fn new_order(&self, rng: &mut Rng, scale: &Scale) -> Outcome {
        let items = workload::new_order_items(rng, scale);
        let names: Vec<(String, i64)> = items
            .iter()
            .map(|(p, q)| match p {
                Some(p) => (workload::sku(*p), i64::from(*q)),
                None => (
                    format!("UNKNOWN-{}", self.unknown.fetch_add(1, Ordering::Relaxed)),
                    i64::from(*q),
                ),
            })
            .collect();
        let refs: Vec<(&str, i64)> = names.iter().map(|(s, q)| (s.as_str(), *q)).collect();
        match self.engine.create_order(
            &self.actor,
            &OrderRequest::simple(self.customer(rng), &refs),
        ) {
            Ok(_) => Outcome::Committed,
            Err(Error::NotFound { .. }) => Outcome::RolledBack,
            Err(Error::Conflict) => Outcome::Conflict,
            Err(e) => panic!("new-order failed: {e}"),
        }
    }

    fn payment(&self, rng: &mut Rng) -> Outcome {
        let filter = OrderFilter {
            customer: Some(self.customer(rng)),
            limit: 10,
            ..OrderFilter::default()
        };
        let page = self
            .engine
            .list_orders(&self.actor, &filter)
            .expect("payment lookup");
        let Some((order, due)) = page.items.iter().find_map(|o| {
            let due = o.value.balance_due().ok()?;
            (o.value.status().accepts_payments() && !due.is_zero()).then_some((o.value.id(), due))
        }) else {
            return Outcome::RolledBack;
        };
        let request = PaymentRequest {
            amount: due,
            method: PaymentMethod::Card,
            external_reference: String::new(),
            idempotency_key: None,
        };
        match self.engine.record_payment(&self.actor, order, &request) {
            Ok(_) => Outcome::Committed,
            // Another client paid it first.
            Err(Error::Refused(
                Refusal::PaymentExceedsBalance { .. } | Refusal::PaymentsNotAccepted { .. },
            ))
            | Err(Error::Conflict) => Outcome::Conflict,
            Err(e) => panic!("payment failed: {e}"),
        }
    }

    fn order_status(&self, rng: &mut Rng) -> Outcome {
        // Half by reference (what a customer types), half by customer (latest order).
        if rng.percent(50)
            && let Some(reference) = self.recent.pick(rng)
        {
            let order = self
                .engine
                .order_by_reference(&self.actor, &reference)
                .expect("order-status by reference");
            std::hint::black_box(order.value.lines().len());
            return Outcome::Committed;
        }
        let filter = OrderFilter {
            customer: Some(self.customer(rng)),
            limit: 1,
            ..OrderFilter::default()
        };
        let page = self
            .engine
            .list_orders(&self.actor, &filter)
            .expect("order-status");
        match page.items.first() {
            Some(order) => {
                std::hint::black_box(order.value.lines().len());
                Outcome::Committed
            }
            None => Outcome::RolledBack,
        }
    }

    fn delivery(&self) -> Outcome {
        let filter = OrderFilter {
            status: Some(OrderStatus::Placed),
            oldest_first: true,
            limit: 10,
            ..OrderFilter::default()
        };
        // Another client may ship some of the same oldest orders first: look again.
        for _ in 0..3 {
            let page = self
                .engine
                .list_orders(&self.actor, &filter)
                .expect("delivery lookup");
            if page.items.is_empty() {
                return Outcome::RolledBack;
            }
            let ids: Vec<_> = page.items.iter().map(|o| o.value.id()).collect();
            // One atomic change: confirmed, picking, packed, shipped for all ten.
            match self
                .engine
                .advance_orders(&self.actor, &ids, OrderStatus::Shipped)
            {
                Ok(_) => return Outcome::Committed,
                Err(Error::InBatch { .. }) | Err(Error::Conflict) => continue,
                Err(e) => panic!("delivery failed: {e}"),
            }
        }
        Outcome::RolledBack
    }

    fn stock_level(&self) -> Outcome {
        let page = self
            .engine
            .list_orders(
                &self.actor,
                &OrderFilter {
                    limit: 20,
                    ..OrderFilter::default()
                },
            )
            .expect("stock-level");
        let mut products: Vec<_> = page
            .items
            .iter()
            .flat_map(|o| o.value.lines().iter().map(|l| l.product))
            .collect();
        products.sort();
        products.dedup();
        let low = products
            .into_iter()
            .filter(|p| {
                let stock = self.engine.stock_of(&self.actor, *p).expect("stock");
                stock
                    .levels()
                    .iter()
                    .any(|l| l.available() < STOCK_THRESHOLD)
            })
            .count();
        std::hint::black_box(low);
        Outcome::Committed
    }
}

impl<S: Store> Driver for OrdoDriver<S> {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn run(&self, kind: Transaction, rng: &mut Rng, scale: &Scale) -> Outcome {
        match kind {
            Transaction::NewOrder => self.new_order(rng, scale),
            Transaction::Payment => self.payment(rng),
            Transaction::OrderStatus => self.order_status(rng),
            Transaction::Delivery => self.delivery(),
            Transaction::StockLevel => self.stock_level(),
        }
    }

    fn settle(&self) {
        if let Some(settle) = &self.settle {
            settle();
        }
    }
}

/// Opens a sled store in `dir` with `durability`.
pub fn open_sled(dir: &Path, durability: Durability) -> Arc<SledStore> {
    Arc::new(SledStore::open(dir, StoreConfig::new(durability)).expect("open sled store"))
}
