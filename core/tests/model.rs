//! Model-based tests of the engine: random command sequences checked against invariants
//! after every step, and threads racing for the last units of stock.

// Tests assert by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;

use ordo_core::auth::Actor;
use ordo_core::catalog::BackorderPolicy;
use ordo_core::engine::{Engine, OrderFilter, OrderRequest, PaymentRequest};
use ordo_core::error::Error;
use ordo_core::ids::{CustomerId, OrderId};
use ordo_core::order::{ALL_STATUSES, OrderStatus};
use ordo_core::payment::PaymentMethod;
use ordo_core::store::MemoryStore;
use ordo_core::testkit::{invariants, sample};

const SKUS: [&str; 4] = ["TEE", "MUG", "CAP", "PRE"];
const WAREHOUSES: [&str; 2] = ["MAIN", "EAST"];

#[derive(Debug, Clone)]
enum Op {
    Create {
        customer: usize,
        items: Vec<(usize, i64)>,
        draft: bool,
    },
    AddItem {
        order: usize,
        product: usize,
        quantity: i64,
    },
    SetQuantity {
        order: usize,
        product: usize,
        quantity: i64,
    },
    RemoveItem {
        order: usize,
        product: usize,
    },
    Status {
        order: usize,
        to: usize,
    },
    Advance {
        order: usize,
        choice: usize,
    },
    Cancel {
        order: usize,
    },
    Archive {
        order: usize,
    },
    Restore {
        order: usize,
    },
    Restock {
        product: usize,
        warehouse: usize,
        quantity: u64,
    },
    Adjust {
        product: usize,
        warehouse: usize,
        delta: i64,
    },
    Pay {
        order: usize,
        cents: i64,
    },
    Refund {
        order: usize,
        cents: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let idx = 0usize..64;
    prop_oneof![
        6 => (0usize..3, proptest::collection::vec((0usize..4, prop_oneof![9 => 1i64..4, 1 => -1i64..1]), 0..4), proptest::bool::weighted(0.2))
            .prop_map(|(customer, items, draft)| Op::Create { customer, items, draft }),
        2 => (idx.clone(), 0usize..4, -1i64..5).prop_map(|(order, product, quantity)| Op::AddItem { order, product, quantity }),
        2 => (idx.clone(), 0usize..4, 0i64..8).prop_map(|(order, product, quantity)| Op::SetQuantity { order, product, quantity }),
        1 => (idx.clone(), 0usize..4).prop_map(|(order, product)| Op::RemoveItem { order, product }),
        2 => (idx.clone(), 0usize..ALL_STATUSES.len()).prop_map(|(order, to)| Op::Status { order, to }),
        8 => (idx.clone(), 0usize..4).prop_map(|(order, choice)| Op::Advance { order, choice }),
        1 => idx.clone().prop_map(|order| Op::Cancel { order }),
        1 => idx.clone().prop_map(|order| Op::Archive { order }),
        1 => idx.clone().prop_map(|order| Op::Restore { order }),
        3 => (0usize..4, 0usize..2, 0u64..8).prop_map(|(product, warehouse, quantity)| Op::Restock { product, warehouse, quantity }),
        1 => (0usize..4, 0usize..2, -4i64..4).prop_map(|(product, warehouse, delta)| Op::Adjust { product, warehouse, delta }),
        2 => (idx.clone(), 0i64..6000).prop_map(|(order, cents)| Op::Pay { order, cents }),
        1 => (idx, 0i64..6000).prop_map(|(order, cents)| Op::Refund { order, cents }),
    ]
}

struct Model {
    engine: Engine<Arc<MemoryStore>>,
    store: Arc<MemoryStore>,
    admin: Actor,
    customers: Vec<CustomerId>,
    orders: Vec<OrderId>,
    /// Units received or adjusted per SKU since the start (stock conservation).
    net_received: HashMap<&'static str, i64>,
    /// Successful mutations per order (one audit entry each).
    mutations: HashMap<OrderId, usize>,
}

impl Model {
    fn new() -> Model {
        let store = Arc::new(MemoryStore::new());
        let (engine, _clock) = sample::engine(store.clone(), 7);
        let admin = sample::admin();
        let mut net_received = HashMap::new();
        for (i, sku) in SKUS.iter().enumerate() {
            let mut input = sample::product(sku, 500 + 250 * i as i64);
            if *sku == "PRE" {
                input.backorder = BackorderPolicy::Allow;
            }
            engine.create_product(&admin, input).unwrap();
            engine.restock(&admin, sku, "MAIN", 6, "initial").unwrap();
            net_received.insert(*sku, 6);
        }
        let customers = sample::customers(&engine, 0..3);
        Model {
            engine,
            store,
            admin,
            customers,
            orders: Vec::new(),
            net_received,
            mutations: HashMap::new(),
        }
    }

    fn order(&self, index: usize) -> Option<OrderId> {
        (!self.orders.is_empty()).then(|| self.orders[index % self.orders.len()])
    }

    fn payment(cents: i64) -> PaymentRequest {
        PaymentRequest {
            amount: sample::usd_cents(cents),
            method: PaymentMethod::Card,
            external_reference: String::new(),
            idempotency_key: None,
        }
    }

    fn step(&mut self, op: &Op) {
        let e = &self.engine;
        let a = &self.admin;
        let (target, result): (Option<OrderId>, Option<Result<(), Error>>) = match op {
            Op::Create {
                customer,
                items,
                draft,
            } => {
                let items: Vec<(&str, i64)> = items.iter().map(|(p, q)| (SKUS[*p], *q)).collect();
                let mut request = OrderRequest::simple(self.customers[*customer], &items);
                request.draft = *draft;
                match e.create_order(a, &request) {
                    Ok(order) => {
                        self.orders.push(order.id());
                        self.mutations.insert(order.id(), 1);
                        (None, None)
                    }
                    Err(err) => (None, Some(Err(err))),
                }
            }
            Op::Restock {
                product,
                warehouse,
                quantity,
            } => {
                let r = e.restock(
                    a,
                    SKUS[*product],
                    WAREHOUSES[*warehouse],
                    *quantity,
                    "delivery",
                );
                if r.is_ok() {
                    *self.net_received.get_mut(SKUS[*product]).unwrap() += *quantity as i64;
                }
                (None, Some(r.map(|_| ())))
            }
            Op::Adjust {
                product,
                warehouse,
                delta,
            } => {
                let r = e.adjust_stock(a, SKUS[*product], WAREHOUSES[*warehouse], *delta, "count");
                if r.is_ok() {
                    *self.net_received.get_mut(SKUS[*product]).unwrap() += *delta;
                }
                (None, Some(r.map(|_| ())))
            }
            other => {
                let Some(id) = self.order(order_index(other)) else {
                    return;
                };
                let before = e.get_order(a, id).unwrap().value;
                let result = match other {
                    Op::AddItem {
                        product, quantity, ..
                    } => e.add_item(a, id, SKUS[*product], *quantity),
                    Op::SetQuantity {
                        product, quantity, ..
                    } => e.set_quantity(a, id, SKUS[*product], *quantity),
                    Op::RemoveItem { product, .. } => e.remove_item(a, id, SKUS[*product]),
                    Op::Status { to, .. } => {
                        let to = ALL_STATUSES[*to];
                        let r = e.change_status(a, id, to);
                        if r.is_ok() {
                            assert!(
                                before.status().allowed_next().contains(&to),
                                "illegal {} -> {to} succeeded",
                                before.status()
                            );
                        }
                        r
                    }
                    Op::Advance { choice, .. } => {
                        let next = before.status().allowed_next();
                        // Mostly forward; one time in four the other way (usually cancel).
                        let pick = if *choice == 3 { 1 } else { 0 };
                        match next.get(pick).or(next.first()) {
                            Some(OrderStatus::Cancelled) => e.cancel_order(a, id, "test"),
                            Some(to) => e.change_status(a, id, *to),
                            None => return,
                        }
                    }
                    Op::Cancel { .. } => e.cancel_order(a, id, "test"),
                    Op::Archive { .. } => e.archive_order(a, id, "test"),
                    Op::Restore { .. } => e.restore_order(a, id),
                    Op::Pay { cents, .. } => e.record_payment(a, id, &Model::payment(*cents)),
                    Op::Refund { cents, .. } => e.record_refund(a, id, &Model::payment(*cents)),
                    Op::Create { .. } | Op::Restock { .. } | Op::Adjust { .. } => unreachable!(),
                };
                (Some(id), Some(result.map(|_| ())))
            }
        };
        if let (Some(id), Some(Ok(()))) = (target, &result) {
            *self.mutations.entry(id).or_default() += 1;
        }
        if let Some(Err(err)) = &result {
            assert!(
                !matches!(err, Error::Storage(_) | Error::Conflict),
                "unexpected {err:?} for {op:?}"
            );
        }
    }

    fn check(&self) {
        invariants::check_store(self.store.as_ref()).unwrap();
        // Stock conservation: on hand + shipped = everything received or adjusted.
        for sku in SKUS {
            let product = self.engine.product_by_sku(&self.admin, sku).unwrap();
            let stock = self.engine.stock_of(&self.admin, product.id()).unwrap();
            let shipped: u64 = stock.levels().iter().map(|l| l.shipped()).sum();
            assert_eq!(
                stock.total_on_hand() as i64 + shipped as i64,
                self.net_received[sku],
                "conservation of {sku}"
            );
        }
        for (id, count) in &self.mutations {
            // Archived orders stay readable, and every mutation left one audit entry.
            self.engine.get_order(&self.admin, *id).unwrap();
            assert_eq!(
                self.engine.order_history(&self.admin, *id).unwrap().len(),
                *count,
                "audit of order {id}"
            );
        }
        let listed = self
            .engine
            .list_orders(
                &self.admin,
                &OrderFilter {
                    include_archived: true,
                    limit: 500,
                    ..OrderFilter::default()
                },
            )
            .unwrap();
        assert_eq!(listed.items.len(), self.orders.len());
    }
}

fn order_index(op: &Op) -> usize {
    match op {
        Op::AddItem { order, .. }
        | Op::SetQuantity { order, .. }
        | Op::RemoveItem { order, .. }
        | Op::Status { order, .. }
        | Op::Advance { order, .. }
        | Op::Cancel { order }
        | Op::Archive { order }
        | Op::Restore { order }
        | Op::Pay { order, .. }
        | Op::Refund { order, .. } => *order,
        Op::Create { .. } | Op::Restock { .. } | Op::Adjust { .. } => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_after_every_command(ops in proptest::collection::vec(op(), 1..80)) {
        let mut model = Model::new();
        for op in &ops {
            model.step(op);
            model.check();
        }
    }
}

#[test]
fn sixteen_threads_racing_for_the_last_units_never_oversell() {
    const UNITS: u64 = 7;
    let store = Arc::new(MemoryStore::new());
    let (engine, _clock) = sample::engine(store.clone(), 9);
    let engine = Arc::new(engine);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("LAST", 1000))
        .unwrap();
    engine
        .restock(&admin, "LAST", "MAIN", UNITS, "final batch")
        .unwrap();
    let customers: Vec<CustomerId> = sample::customers(&engine, 0..16);
    let sold = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = customers
        .into_iter()
        .map(|customer| {
            let (engine, sold, admin) = (engine.clone(), sold.clone(), admin.clone());
            std::thread::spawn(move || {
                loop {
                    match engine
                        .create_order(&admin, &OrderRequest::simple(customer, &[("LAST", 1)]))
                    {
                        Ok(_) => {
                            sold.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(Error::InsufficientStock { .. }) => return,
                        Err(Error::Conflict) => continue,
                        Err(other) => panic!("{other}"),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(sold.load(Ordering::SeqCst), UNITS);
    let product = engine.product_by_sku(&admin, "LAST").unwrap();
    let stock = engine.stock_of(&admin, product.id()).unwrap();
    assert_eq!(
        (stock.total_on_hand(), stock.total_reserved()),
        (UNITS, UNITS)
    );
    assert_eq!(
        invariants::all_orders(store.as_ref()).unwrap().len() as u64,
        UNITS
    );
    invariants::check_store(store.as_ref()).unwrap();
}

#[test]
fn the_engine_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine<MemoryStore>>();
    assert_send_sync::<Engine<Arc<MemoryStore>>>();
}

#[test]
fn statuses_round_trip_through_their_names() {
    for status in ALL_STATUSES {
        assert_eq!(OrderStatus::parse(status.name()).unwrap(), status);
    }
}
