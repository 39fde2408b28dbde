//! The engine's model-based test, for any store: random command sequences (orders and
//! their lines, statuses, payments, stock, parcels, carrier events, returns) checked against
//! the store's invariants, stock conservation and one audit entry per order version after
//! every step. `core/tests/model.rs` runs it on the in-memory store; each backend runs it on
//! itself (the PostgreSQL store under both isolation levels and with injected
//! serialization failures).

use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::auth::Actor;
use crate::catalog::{BackorderPolicy, Sku};
use crate::clock::Timestamp;
use crate::engine::{
    Engine, ExchangeRequest, OrderFilter, OrderRequest, PaymentRequest, ReturnFilter, ReturnRefund,
    ShipRequest,
};
use crate::error::Error;
use crate::ids::{CustomerId, OrderId};
use crate::inventory::WarehouseCode;
use crate::order::{ALL_STATUSES, OrderStatus};
use crate::payment::PaymentMethod;
use crate::returns::{Inspection, ReturnRequestLine, ReturnStatus};
use crate::shipment::{ALL_TRACKING_STATUSES, CarrierName, TrackingEvent, TrackingNumber};
use crate::store::Store;
use crate::testkit::{invariants, sample};

const SKUS: [&str; 4] = ["TEE", "MUG", "CAP", "PRE"];
const WAREHOUSES: [&str; 2] = ["MAIN", "EAST"];

/// One command of a random run (indexes pick among the run's orders, products,
/// warehouses and customers).
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum Op {
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
    /// Ships `quantity` units of one line (or, with `all`, everything left) in a parcel.
    Ship {
        order: usize,
        line: usize,
        quantity: u32,
        all: bool,
    },
    CancelUnshipped {
        order: usize,
    },
    /// A carrier's event for one of the order's parcels (maybe old, maybe a replay).
    Track {
        order: usize,
        parcel: usize,
        status: usize,
        at: i64,
    },
    ReturnOpen {
        order: usize,
        line: usize,
        quantity: u32,
    },
    /// Moves one of the order's returns on: approve or refuse, receive (`kept` units
    /// restocked, the rest written off), refund, or exchange for a unit of `product`.
    ReturnStep {
        order: usize,
        pick: usize,
        choice: usize,
        kept: u32,
        product: usize,
    },
}

/// Random commands, weighted towards what shops do most.
pub fn op() -> impl Strategy<Value = Op> {
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
        1 => (idx.clone(), 0i64..6000).prop_map(|(order, cents)| Op::Refund { order, cents }),
        4 => (idx.clone(), 0usize..4, 1u32..4, proptest::bool::weighted(0.3))
            .prop_map(|(order, line, quantity, all)| Op::Ship { order, line, quantity, all }),
        1 => idx.clone().prop_map(|order| Op::CancelUnshipped { order }),
        3 => (idx.clone(), 0usize..3, 0usize..ALL_TRACKING_STATUSES.len(), 0i64..5)
            .prop_map(|(order, parcel, status, at)| Op::Track { order, parcel, status, at }),
        2 => (idx.clone(), 0usize..4, 1u32..4)
            .prop_map(|(order, line, quantity)| Op::ReturnOpen { order, line, quantity }),
        4 => (idx, 0usize..3, 0usize..4, 0u32..4, 0usize..4)
            .prop_map(|(order, pick, choice, kept, product)| Op::ReturnStep { order, pick, choice, kept, product }),
    ]
}

/// The engine over a store, and what the run expects of it.
pub struct Model<S: Store> {
    engine: Engine<Arc<S>>,
    store: Arc<S>,
    admin: Actor,
    customers: Vec<CustomerId>,
    orders: Vec<OrderId>,
    /// Units received or adjusted per SKU since the start (stock conservation).
    net_received: HashMap<&'static str, i64>,
    /// Successful mutations per order (one audit entry each).
    mutations: HashMap<OrderId, usize>,
    /// Units back on the shelf from returns, per SKU (stock conservation).
    restocked: HashMap<&'static str, i64>,
    /// Parcels shipped, and return commands that succeeded (the run did something).
    parcels: usize,
    returns_worked: usize,
    /// Commands that succeeded.
    succeeded: usize,
}

impl<S: Store> Model<S> {
    /// An engine on `store` (empty) with four products in stock and three customers.
    pub fn new(store: S) -> Model<S> {
        let store = Arc::new(store);
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
            restocked: HashMap::new(),
            parcels: 0,
            returns_worked: 0,
            succeeded: 0,
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

    /// Runs one command and checks what it did (an illegal transition never succeeds; a
    /// refusal changes nothing; no storage error or conflict reaches the caller).
    ///
    /// # Panics
    /// When the engine breaks a rule.
    pub fn step(&mut self, op: &Op) {
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
                        self.succeeded += 1;
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
                let loaded = e.get_order(a, id).unwrap();
                let (before, before_version) = (loaded.value, loaded.version);
                let result = match other {
                    Op::AddItem {
                        product, quantity, ..
                    } => e.add_item(a, id, SKUS[*product], *quantity).map(|_| ()),
                    Op::SetQuantity {
                        product, quantity, ..
                    } => e.set_quantity(a, id, SKUS[*product], *quantity).map(|_| ()),
                    Op::RemoveItem { product, .. } => {
                        e.remove_item(a, id, SKUS[*product]).map(|_| ())
                    }
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
                        r.map(|_| ())
                    }
                    Op::Advance { choice, .. } => {
                        let next = before.status().allowed_next();
                        // Mostly forward; one time in four the other way (usually cancel).
                        let pick = if *choice == 3 { 1 } else { 0 };
                        match next.get(pick).or(next.first()) {
                            Some(OrderStatus::Cancelled) => {
                                e.cancel_order(a, id, "test").map(|_| ())
                            }
                            Some(to) => e.change_status(a, id, *to).map(|_| ()),
                            None => return,
                        }
                    }
                    Op::Cancel { .. } => e.cancel_order(a, id, "test").map(|_| ()),
                    Op::Archive { .. } => e.archive_order(a, id, "test").map(|_| ()),
                    Op::Restore { .. } => e.restore_order(a, id).map(|_| ()),
                    Op::Pay { cents, .. } => {
                        e.record_payment(a, id, &Self::payment(*cents)).map(|_| ())
                    }
                    Op::Refund { cents, .. } => {
                        e.record_refund(a, id, &Self::payment(*cents)).map(|_| ())
                    }
                    Op::Ship {
                        line,
                        quantity,
                        all,
                        ..
                    } => {
                        self.parcels += 1;
                        let lines = match before.lines().get(*line) {
                            Some(l) if !*all => vec![(l.sku.clone(), *quantity)],
                            _ => Vec::new(),
                        };
                        let request = ShipRequest {
                            lines,
                            carrier: CarrierName::parse("dhl").unwrap(),
                            method: None,
                            tracking: TrackingNumber::parse(&format!("MODEL{}", self.parcels))
                                .unwrap(),
                            weight: None,
                        };
                        let r = e.ship_order(a, id, &request).map(|_| ());
                        if r.is_err() {
                            self.parcels -= 1;
                        }
                        r
                    }
                    Op::CancelUnshipped { .. } => e.cancel_unshipped(a, id, "test").map(|_| ()),
                    Op::Track {
                        parcel, status, at, ..
                    } => {
                        let parcels = e.order_shipments(a, id).unwrap();
                        let Some(shipment) = parcels.get(*parcel) else {
                            return;
                        };
                        let event = TrackingEvent::new(
                            Timestamp(*at),
                            ALL_TRACKING_STATUSES[*status],
                            "hub",
                        )
                        .unwrap();
                        e.track_shipment(a, shipment.carrier(), shipment.tracking(), &event)
                            .map(|_| ())
                    }
                    Op::ReturnOpen { line, quantity, .. } => {
                        let Some(l) = before.lines().get(*line) else {
                            return;
                        };
                        let request = ReturnRequestLine {
                            sku: l.sku.clone(),
                            quantity: *quantity,
                            reason: "does not fit".into(),
                        };
                        let r = e.open_return(a, id, &[request]).map(|_| ());
                        self.returns_worked += usize::from(r.is_ok());
                        r
                    }
                    Op::ReturnStep {
                        pick,
                        choice,
                        kept,
                        product,
                        ..
                    } => {
                        let r = return_step(
                            e,
                            a,
                            &mut self.restocked,
                            id,
                            (*pick, *choice, *kept, *product),
                        );
                        self.returns_worked += usize::from(r.is_ok());
                        r
                    }
                    Op::Create { .. } | Op::Restock { .. } | Op::Adjust { .. } => unreachable!(),
                };
                // Carriers and returns change the order only sometimes (a parcel's event
                // moves it on the last delivery; a return when refunded): every version
                // they moved has its one audit entry.
                if matches!(
                    other,
                    Op::Track { .. } | Op::ReturnOpen { .. } | Op::ReturnStep { .. }
                ) {
                    let moved = e.get_order(a, id).unwrap().version - before_version;
                    if result.is_err() {
                        assert_eq!(moved, 0, "a refused {other:?} changed order {id}");
                    }
                    *self.mutations.entry(id).or_default() += moved as usize;
                    (None, Some(result.map(|_| ())))
                } else {
                    (Some(id), Some(result.map(|_| ())))
                }
            }
        };
        if let Some(Ok(())) = &result {
            self.succeeded += 1;
        }
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

    /// Checks the store's invariants, stock conservation, one audit entry per order
    /// version and that every order is listed.
    ///
    /// # Panics
    /// When one does not hold.
    pub fn check(&self) {
        invariants::check_store(&*self.store).unwrap();
        // Stock conservation: on hand + shipped = everything received or adjusted, and
        // the units returns put back on the shelf.
        for sku in SKUS {
            let product = self.engine.product_by_sku(&self.admin, sku).unwrap();
            let stock = self.engine.stock_of(&self.admin, product.id()).unwrap();
            let shipped: u64 = stock.levels().iter().map(|l| l.shipped()).sum();
            assert_eq!(
                stock.total_on_hand() as i64 + shipped as i64,
                self.net_received[sku] + self.restocked.get(sku).copied().unwrap_or(0),
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

/// Moves one of order `id`'s returns on, as `(pick, choice, kept, product)` say; units
/// restocked are added to `restocked`.
fn return_step<S: Store>(
    e: &Engine<Arc<S>>,
    a: &Actor,
    restocked: &mut HashMap<&'static str, i64>,
    id: OrderId,
    (pick, choice, kept, product): (usize, usize, u32, usize),
) -> Result<(), Error> {
    let filter = ReturnFilter {
        order: Some(id),
        ..ReturnFilter::default()
    };
    let returns = e.list_returns(a, &filter).unwrap().items;
    let Some(ret) = returns.get(pick % returns.len().max(1)) else {
        return Ok(());
    };
    match ret.status() {
        ReturnStatus::Requested if choice == 0 => e.refuse_return(a, ret.id(), "worn").map(|_| ()),
        ReturnStatus::Requested => e.approve_return(a, ret.id()).map(|_| ()),
        ReturnStatus::Approved => {
            let mut lines = Vec::new();
            let mut back = Vec::new();
            for line in ret.lines() {
                let shelf = kept.min(line.quantity);
                if shelf > 0 {
                    let warehouse = WarehouseCode::parse(WAREHOUSES[choice % 2]).unwrap();
                    lines.push((line.sku.clone(), shelf, Inspection::Restocked { warehouse }));
                    back.push((line.sku.clone(), shelf));
                }
                if shelf < line.quantity {
                    let reason = "damaged".into();
                    lines.push((
                        line.sku.clone(),
                        line.quantity - shelf,
                        Inspection::WrittenOff { reason },
                    ));
                }
            }
            let r = e.receive_return(a, ret.id(), &lines).map(|_| ());
            if r.is_ok() {
                for (sku, units) in back {
                    let sku = SKUS.iter().find(|s| **s == sku.as_str()).unwrap();
                    *restocked.entry(sku).or_default() += i64::from(units);
                }
            }
            r
        }
        ReturnStatus::Received if choice < 3 => {
            let request = ReturnRefund {
                amount: None,
                method: None,
                external_reference: String::new(),
            };
            e.refund_return(a, ret.id(), &request).map(|_| ())
        }
        ReturnStatus::Received => {
            let request = ExchangeRequest {
                lines: vec![(Sku::parse(SKUS[product]).unwrap(), 1)],
                warehouse: None,
                carrier: CarrierName::parse("ups").unwrap(),
                tracking: TrackingNumber::parse(&format!("RX{}X{}", ret.id(), product)).unwrap(),
            };
            e.exchange_return(a, ret.id(), &request).map(|_| ())
        }
        ReturnStatus::Refused | ReturnStatus::Refunded | ReturnStatus::Exchanged => Ok(()),
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
        | Op::Refund { order, .. }
        | Op::Ship { order, .. }
        | Op::CancelUnshipped { order }
        | Op::Track { order, .. }
        | Op::ReturnOpen { order, .. }
        | Op::ReturnStep { order, .. } => *order,
        Op::Create { .. } | Op::Restock { .. } | Op::Adjust { .. } => 0,
    }
}

/// The model's parcels and returns on a path that must succeed: two parcels (one line's
/// units, then the rest), delivered, a return opened, approved, received (one unit
/// restocked, one written off) and refunded — checked after every step.
///
/// # Panics
/// When a step fails or an invariant breaks.
pub fn parcels_and_returns_keep_the_invariants<S: Store>(store: S) {
    let mut model = Model::new(store);
    let mut ops = vec![Op::Create {
        customer: 0,
        items: vec![(0, 3), (1, 1)],
        draft: false,
    }];
    ops.extend((0..3).map(|_| Op::Advance {
        order: 0,
        choice: 0,
    }));
    ops.extend([
        Op::Pay {
            order: 0,
            cents: 2000,
        },
        Op::Ship {
            order: 0,
            line: 0,
            quantity: 2,
            all: false,
        },
        Op::Ship {
            order: 0,
            line: 0,
            quantity: 0,
            all: true,
        },
    ]);
    ops.extend((0..2).map(|parcel| Op::Track {
        order: 0,
        parcel,
        status: 2,
        at: 1,
    }));
    ops.push(Op::ReturnOpen {
        order: 0,
        line: 0,
        quantity: 2,
    });
    // Approve, receive (one unit back on the shelf, one written off), refund.
    ops.extend((0..3).map(|_| Op::ReturnStep {
        order: 0,
        pick: 0,
        choice: 1,
        kept: 1,
        product: 0,
    }));
    for op in &ops {
        model.step(op);
        model.check();
    }
    let order = model.orders[0];
    let stored = model.engine.get_order(&model.admin, order).unwrap().value;
    assert_eq!(stored.status(), OrderStatus::Delivered);
    assert_eq!(model.parcels, 2);
    assert_eq!(
        model
            .engine
            .order_shipments(&model.admin, order)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        model.returns_worked, 4,
        "opened, approved, received, refunded"
    );
    assert_eq!(model.restocked.get("TEE"), Some(&1));
    let filter = ReturnFilter {
        order: Some(order),
        ..ReturnFilter::default()
    };
    let returns = model
        .engine
        .list_returns(&model.admin, &filter)
        .unwrap()
        .items;
    assert_eq!(returns.len(), 1);
    assert_eq!(returns[0].status(), ReturnStatus::Refunded);
}

/// Runs `cases` random command sequences (1 to 79 commands each), each on a new store from
/// `new_store`, checking the model after every command; returns how many commands
/// succeeded in all (what a caller asserts is above zero).
///
/// # Panics
/// When a check fails: the panic names the shrunk command sequence.
pub fn check_random_runs<S: Store>(cases: u32, new_store: impl Fn() -> S) -> usize {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let succeeded = std::cell::Cell::new(0usize);
    let result = runner.run(&proptest::collection::vec(op(), 1..80), |ops| {
        let mut model = Model::new(new_store());
        for op in &ops {
            model.step(op);
            model.check();
        }
        succeeded.set(succeeded.get() + model.succeeded);
        Ok::<(), TestCaseError>(())
    });
    if let Err(failure) = result {
        panic!("the model found a broken rule: {failure}");
    }
    succeeded.get()
}
