//! Engine rule tests: every rule of the order lifecycle, stock, pricing, payments, archive,
//! idempotency, audit, outbox, permissions and ownership, on the in-memory store.

use std::sync::Arc;

use rust_decimal_macros::dec;

use crate::auth::{Actor, Role};
use crate::catalog::BackorderPolicy;
use crate::clock::{DAY_MS, ManualClock, Timestamp};
use crate::customer::AddressInput;
use crate::engine::{Engine, OrderFilter, OrderRequest, PaymentRequest};
use crate::error::{Error, Refusal};
use crate::ids::{CustomerId, OrderId, UserId};
use crate::inventory::WarehouseCode;
use crate::money::{Currency, Money};
use crate::order::{Order, OrderStatus};
use crate::payment::{PaymentMethod, PaymentStatus};
use crate::store::MemoryStore;
use crate::testkit::faulty::{Faults, FaultyStore};
use crate::testkit::{invariants, sample};

pub(super) struct Fixture {
    pub(super) engine: Engine<Arc<MemoryStore>>,
    pub(super) clock: Arc<ManualClock>,
    pub(super) store: Arc<MemoryStore>,
    pub(super) admin: Actor,
    pub(super) consumer: CustomerId,
    business: CustomerId,
}

/// Two products (TEE: 10 in MAIN; MUG: 5 in MAIN, 7 in EAST), a consumer and a business.
pub(super) fn fixture() -> Fixture {
    let store = Arc::new(MemoryStore::new());
    let (engine, clock) = sample::engine(store.clone(), 42);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 2000))
        .unwrap();
    engine
        .create_product(&admin, sample::product("MUG", 850))
        .unwrap();
    engine
        .restock(&admin, "TEE", "MAIN", 10, "initial count")
        .unwrap();
    engine
        .restock(&admin, "MUG", "MAIN", 5, "initial count")
        .unwrap();
    engine
        .restock(&admin, "MUG", "EAST", 7, "initial count")
        .unwrap();
    let consumer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    let mut b2b = sample::customer(2);
    b2b.business = Some(("Acme Ltd".into(), "GB123".into()));
    let business = engine.create_customer(&admin, &b2b).unwrap().id();
    Fixture {
        engine,
        clock,
        store,
        admin,
        consumer,
        business,
    }
}

impl Fixture {
    pub(super) fn order(&self, items: &[(&str, i64)]) -> Result<Order, Error> {
        self.engine
            .create_order(&self.admin, &OrderRequest::simple(self.consumer, items))
    }

    pub(super) fn available(&self, sku: &str, warehouse: &str) -> u64 {
        let product = self.engine.product_by_sku(&self.admin, sku).unwrap();
        let stock = self.engine.stock_of(&self.admin, product.id()).unwrap();
        stock
            .level(&WarehouseCode::parse(warehouse).unwrap())
            .map_or(0, |l| l.available())
    }

    pub(super) fn status(&self, order: OrderId, to: OrderStatus) -> Result<Order, Error> {
        self.engine.change_status(&self.admin, order, to)
    }

    pub(super) fn advance(&self, order: OrderId, path: &[OrderStatus]) {
        for s in path {
            self.status(order, *s).unwrap();
        }
    }

    pub(super) fn check(&self) {
        invariants::check_store(self.store.as_ref()).unwrap();
    }

    fn pay(&self, order: OrderId, cents: i64, key: Option<&str>) -> Result<Order, Error> {
        self.engine.record_payment(
            &self.admin,
            order,
            &PaymentRequest {
                amount: sample::usd_cents(cents),
                method: PaymentMethod::Card,
                external_reference: "ext".into(),
                idempotency_key: key.map(str::to_string),
            },
        )
    }
}

use OrderStatus::*;

#[test]
fn placing_reserves_stock_prices_lines_and_gives_a_reference() {
    let f = fixture();
    let order = f.order(&[("tee", 3), ("MUG", 2)]).unwrap();
    assert_eq!(order.status(), Placed);
    let reference = order.reference().unwrap().to_string();
    assert_eq!(
        f.engine
            .order_by_reference(&f.admin, &reference)
            .unwrap()
            .value,
        order
    );
    assert_eq!(f.available("TEE", "MAIN"), 7);
    // MUG: EAST has more available, so the line is reserved there.
    assert_eq!(f.available("MUG", "EAST"), 5);
    assert_eq!(f.available("MUG", "MAIN"), 5);
    // 3 × 20.00 + 2 × 8.50 = 77.00; tax 20 % = 15.40; shipping 5.00.
    let t = order.totals();
    assert_eq!(t.subtotal, sample::usd_cents(7700));
    assert_eq!(t.tax, sample::usd_cents(1540));
    assert_eq!(t.total, sample::usd_cents(9740));
    f.check();
}

#[test]
fn business_customers_pay_wholesale_tiers() {
    let f = fixture();
    let order = f
        .engine
        .create_order(&f.admin, &OrderRequest::simple(f.business, &[("TEE", 9)]))
        .unwrap();
    assert_eq!(order.lines()[0].unit_price, sample::usd_cents(1600));
    let order = f.engine.add_item(&f.admin, order.id(), "TEE", 1).unwrap();
    assert_eq!(order.lines()[0].quantity, 10);
    assert_eq!(
        order.lines()[0].unit_price,
        sample::usd_cents(1400),
        "10 units reach the next tier"
    );
    f.check();
}

#[test]
fn insufficient_stock_is_refused_and_nothing_is_written() {
    let f = fixture();
    let audit_before = f
        .engine
        .customer_history(&f.admin, f.consumer)
        .unwrap()
        .len();
    let err = f.order(&[("MUG", 1), ("TEE", 11)]).unwrap_err();
    assert_eq!(
        err,
        Error::InsufficientStock {
            sku: "TEE".into(),
            requested: 11,
            available: 10
        }
    );
    assert_eq!(f.available("TEE", "MAIN"), 10);
    assert_eq!(f.available("MUG", "EAST"), 7);
    assert!(invariants::all_orders(f.store.as_ref()).unwrap().is_empty());
    assert_eq!(
        f.engine
            .customer_history(&f.admin, f.consumer)
            .unwrap()
            .len(),
        audit_before
    );
    f.check();
}

#[test]
fn bad_input_gets_clear_errors() {
    let f = fixture();
    assert_eq!(
        f.order(&[("TEE", 0)]).unwrap_err().to_string(),
        "quantity for SKU TEE must be at least 1"
    );
    assert_eq!(
        f.order(&[("TEE", -2)]).unwrap_err().to_string(),
        "quantity for SKU TEE must be at least 1"
    );
    assert!(matches!(
        f.order(&[("NOPE", 1)]).unwrap_err(),
        Error::NotFound { .. }
    ));
    assert!(matches!(
        f.order(&[("bad sku!", 1)]).unwrap_err(),
        Error::Validation { .. }
    ));
    assert!(matches!(
        f.order(&[]).unwrap_err(),
        Error::Validation { .. }
    ));
    let missing = OrderRequest::simple(CustomerId(9999), &[("TEE", 1)]);
    assert!(matches!(
        f.engine.create_order(&f.admin, &missing).unwrap_err(),
        Error::NotFound { .. }
    ));
    let mut bad_address = OrderRequest::simple(f.consumer, &[("TEE", 1)]);
    bad_address.ship_to = Some(AddressInput {
        recipient: "Ada".into(),
        ..AddressInput::default()
    });
    assert!(matches!(
        f.engine.create_order(&f.admin, &bad_address).unwrap_err(),
        Error::Validation { .. }
    ));
    let too_many: Vec<(String, i64)> = (0..101).map(|i| (format!("SKU{i}"), 1)).collect();
    let refs: Vec<(&str, i64)> = too_many.iter().map(|(s, q)| (s.as_str(), *q)).collect();
    assert!(matches!(
        f.order(&refs).unwrap_err(),
        Error::Validation { .. }
    ));
    f.check();
}

#[test]
fn drafts_hold_no_stock_until_placed() {
    let f = fixture();
    let mut request = OrderRequest::simple(f.consumer, &[("TEE", 4)]);
    request.draft = true;
    let draft = f.engine.create_order(&f.admin, &request).unwrap();
    assert_eq!(draft.status(), Draft);
    assert!(draft.reference().is_none());
    assert_eq!(f.available("TEE", "MAIN"), 10);
    let placed = f.status(draft.id(), Placed).unwrap();
    assert!(placed.reference().is_some());
    assert_eq!(f.available("TEE", "MAIN"), 6);
    f.check();
}

#[test]
fn item_changes_adjust_reservations_by_the_difference() {
    let f = fixture();
    let order = f.order(&[("TEE", 2)]).unwrap();
    f.engine.add_item(&f.admin, order.id(), "TEE", 3).unwrap();
    assert_eq!(f.available("TEE", "MAIN"), 5);
    f.engine
        .set_quantity(&f.admin, order.id(), "TEE", 1)
        .unwrap();
    assert_eq!(f.available("TEE", "MAIN"), 9);
    assert!(matches!(
        f.engine
            .set_quantity(&f.admin, order.id(), "TEE", 11)
            .unwrap_err(),
        Error::InsufficientStock { .. }
    ));
    assert_eq!(f.available("TEE", "MAIN"), 9);
    f.engine.add_item(&f.admin, order.id(), "MUG", 2).unwrap();
    let order = f.engine.remove_item(&f.admin, order.id(), "TEE").unwrap();
    assert_eq!(f.available("TEE", "MAIN"), 10);
    assert_eq!(order.lines().len(), 1);
    assert!(matches!(
        f.engine
            .remove_item(&f.admin, order.id(), "MUG")
            .unwrap_err(),
        Error::Refused(Refusal::LastItem)
    ));
    assert!(matches!(
        f.engine
            .remove_item(&f.admin, order.id(), "TEE")
            .unwrap_err(),
        Error::NotFound { .. }
    ));
    f.check();
}

#[test]
fn items_lock_at_picking_and_the_address_at_shipping() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap();
    f.advance(order.id(), &[Confirmed, Picking]);
    assert!(matches!(
        f.engine
            .add_item(&f.admin, order.id(), "MUG", 1)
            .unwrap_err(),
        Error::Refused(Refusal::ItemsLocked { status: Picking })
    ));
    let address = AddressInput {
        recipient: "Ada".into(),
        line1: "2 Side St".into(),
        city: "Shelbyville".into(),
        postal_code: "54321".into(),
        country: "US".into(),
        ..AddressInput::default()
    };
    let moved = f
        .engine
        .set_address(&f.admin, order.id(), &address)
        .unwrap();
    assert_eq!(moved.shipping_address().city(), "Shelbyville");
    f.advance(order.id(), &[Packed, Shipped]);
    assert!(matches!(
        f.engine
            .set_address(&f.admin, order.id(), &address)
            .unwrap_err(),
        Error::Refused(Refusal::AddressLocked { status: Shipped })
    ));
    f.check();
}

#[test]
fn illegal_transitions_are_refused_and_change_nothing() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap();
    let err = f.status(order.id(), Shipped).unwrap_err();
    assert_eq!(
        err,
        Error::IllegalTransition {
            from: Placed,
            to: Shipped,
            allowed: vec![Confirmed, Cancelled]
        }
    );
    let stored = f.engine.get_order(&f.admin, order.id()).unwrap();
    assert_eq!(stored.value.status(), Placed);
    assert_eq!(stored.version, 1);
    assert!(matches!(
        f.status(order.id(), Cancelled).unwrap_err(),
        Error::Refused(Refusal::CancelWithReason)
    ));
}

#[test]
fn shipping_consumes_and_every_status_is_stamped() {
    let f = fixture();
    let order = f.order(&[("TEE", 4)]).unwrap();
    f.clock.advance(1000);
    f.advance(
        order.id(),
        &[Confirmed, Picking, Packed, Shipped, Delivered],
    );
    let product = f.engine.product_by_sku(&f.admin, "TEE").unwrap();
    let stock = f.engine.stock_of(&f.admin, product.id()).unwrap();
    let level = stock.level(&WarehouseCode::main()).unwrap();
    assert_eq!(
        (level.on_hand(), level.reserved(), level.shipped()),
        (6, 0, 4)
    );
    let order = f.engine.get_order(&f.admin, order.id()).unwrap().value;
    let stamped: Vec<OrderStatus> = order.status_history().iter().map(|(s, _)| *s).collect();
    assert_eq!(
        stamped,
        vec![
            Draft, Placed, Confirmed, Picking, Packed, Shipped, Delivered
        ]
    );
    f.check();
}

#[test]
fn cancelling_releases_stock_and_leaves_a_refund_due_on_paid_orders() {
    let f = fixture();
    let order = f.order(&[("TEE", 2)]).unwrap();
    let total_cents = 2 * 2000 + 800 + 500;
    f.pay(order.id(), total_cents, None).unwrap();
    let cancelled = f
        .engine
        .cancel_order(&f.admin, order.id(), "customer changed mind")
        .unwrap();
    assert_eq!(cancelled.status(), Cancelled);
    assert_eq!(cancelled.cancel_reason(), Some("customer changed mind"));
    assert_eq!(
        cancelled.refund_due().unwrap(),
        sample::usd_cents(total_cents)
    );
    assert_eq!(f.available("TEE", "MAIN"), 10);
    assert!(matches!(
        f.engine
            .cancel_order(&f.admin, order.id(), " ")
            .unwrap_err(),
        Error::Validation { .. }
    ));
    let packed = f.order(&[("TEE", 1)]).unwrap();
    f.advance(packed.id(), &[Confirmed, Picking, Packed]);
    assert!(matches!(
        f.engine
            .cancel_order(&f.admin, packed.id(), "too late")
            .unwrap_err(),
        Error::IllegalTransition { .. }
    ));
    f.check();
}

#[test]
fn archive_hides_from_default_listing_but_never_deletes() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap();
    assert!(matches!(
        f.engine
            .archive_order(&f.admin, order.id(), "dup")
            .unwrap_err(),
        Error::Refused(Refusal::OrderNotArchivable { status: Placed })
    ));
    f.engine
        .cancel_order(&f.admin, order.id(), "duplicate")
        .unwrap();
    f.engine
        .archive_order(&f.admin, order.id(), "duplicate entry")
        .unwrap();
    let default = f
        .engine
        .list_orders(&f.admin, &OrderFilter::default())
        .unwrap();
    assert!(default.items.is_empty());
    let all = f
        .engine
        .list_orders(
            &f.admin,
            &OrderFilter {
                include_archived: true,
                ..OrderFilter::default()
            },
        )
        .unwrap();
    assert_eq!(all.items.len(), 1);
    let archived = f.engine.get_order(&f.admin, order.id()).unwrap().value;
    assert_eq!(archived.archived().unwrap().reason, "duplicate entry");
    assert!(matches!(
        f.status(order.id(), Placed).unwrap_err(),
        Error::Refused(Refusal::OrderArchived)
    ));
    f.engine.restore_order(&f.admin, order.id()).unwrap();
    assert_eq!(
        f.engine
            .list_orders(&f.admin, &OrderFilter::default())
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(matches!(
        f.engine.restore_order(&f.admin, order.id()).unwrap_err(),
        Error::Refused(Refusal::OrderNotArchived)
    ));
    f.check();
}

#[test]
fn payment_status_follows_the_ledger_and_caps_hold() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap(); // 20 + 4 tax + 5 shipping = 29.00
    assert_eq!(order.payment_status().unwrap(), PaymentStatus::Unpaid);
    let o = f.pay(order.id(), 1000, None).unwrap();
    assert_eq!(o.payment_status().unwrap(), PaymentStatus::PartiallyPaid);
    assert_eq!(o.balance_due().unwrap(), sample::usd_cents(1900));
    assert!(matches!(
        f.pay(order.id(), 1901, None).unwrap_err(),
        Error::Refused(Refusal::PaymentExceedsBalance { .. })
    ));
    assert!(matches!(
        f.pay(order.id(), 0, None).unwrap_err(),
        Error::Validation { .. }
    ));
    let o = f.pay(order.id(), 1900, None).unwrap();
    assert_eq!(o.payment_status().unwrap(), PaymentStatus::Paid);
    let refund = |cents| {
        f.engine.record_refund(
            &f.admin,
            order.id(),
            &PaymentRequest {
                amount: sample::usd_cents(cents),
                method: PaymentMethod::Card,
                external_reference: String::new(),
                idempotency_key: None,
            },
        )
    };
    assert_eq!(
        refund(900).unwrap().payment_status().unwrap(),
        PaymentStatus::PartiallyRefunded
    );
    assert!(matches!(
        refund(2001).unwrap_err(),
        Error::Refused(Refusal::RefundExceedsPaid { .. })
    ));
    assert_eq!(
        refund(2000).unwrap().payment_status().unwrap(),
        PaymentStatus::Refunded
    );
    let eur = PaymentRequest {
        amount: Money::new(dec!(1), Currency::EUR).unwrap(),
        method: PaymentMethod::Cash,
        external_reference: String::new(),
        idempotency_key: None,
    };
    assert!(matches!(
        f.engine
            .record_payment(&f.admin, order.id(), &eur)
            .unwrap_err(),
        Error::CurrencyMismatch { .. }
    ));
}

#[test]
fn payments_with_an_idempotency_key_are_recorded_once() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap();
    let first = f.pay(order.id(), 500, Some("pay-1")).unwrap();
    let again = f.pay(order.id(), 500, Some("pay-1")).unwrap();
    assert_eq!(first, again);
    assert_eq!(again.ledger().len(), 1);
    assert!(matches!(
        f.pay(order.id(), 600, Some("pay-1")).unwrap_err(),
        Error::IdempotencyMismatch { .. }
    ));
}

#[test]
fn order_creation_is_idempotent_by_key() {
    let f = fixture();
    let mut request = OrderRequest::simple(f.consumer, &[("TEE", 2)]);
    request.idempotency_key = Some("client-42".into());
    let first = f.engine.create_order(&f.admin, &request).unwrap();
    let second = f.engine.create_order(&f.admin, &request).unwrap();
    assert_eq!(first.id(), second.id());
    assert_eq!(invariants::all_orders(f.store.as_ref()).unwrap().len(), 1);
    assert_eq!(f.available("TEE", "MAIN"), 8);
    request.items[0].quantity = 3;
    assert_eq!(
        f.engine.create_order(&f.admin, &request).unwrap_err(),
        Error::IdempotencyMismatch {
            key: "client-42".into()
        }
    );
    request.idempotency_key = Some("has space".into());
    assert!(matches!(
        f.engine.create_order(&f.admin, &request).unwrap_err(),
        Error::Validation { .. }
    ));
}

#[test]
fn listing_filters_by_customer_name_date_and_status_with_cursor_pages() {
    let f = fixture();
    let mut ids = Vec::new();
    for i in 0..25 {
        f.clock.advance(DAY_MS);
        let customer = if i % 5 == 0 { f.business } else { f.consumer };
        let order = f
            .engine
            .create_order(&f.admin, &OrderRequest::simple(customer, &[("MUG", 1)]))
            .unwrap_or_else(|_| {
                f.engine
                    .restock(&f.admin, "MUG", "MAIN", 50, "more")
                    .unwrap();
                f.engine
                    .create_order(&f.admin, &OrderRequest::simple(customer, &[("MUG", 1)]))
                    .unwrap()
            });
        if i % 3 == 0 {
            f.status(order.id(), Confirmed).unwrap();
        }
        ids.push(order.id());
    }
    // Pages of 7, newest first, no gaps or repeats.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = f
            .engine
            .list_orders(
                &f.admin,
                &OrderFilter {
                    limit: 7,
                    cursor: cursor.clone(),
                    ..OrderFilter::default()
                },
            )
            .unwrap();
        seen.extend(page.items.iter().map(|o| o.value.id()));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    // The same pages oldest first.
    let mut oldest = Vec::new();
    let mut cursor = None;
    loop {
        let filter = OrderFilter {
            limit: 4,
            cursor: cursor.clone(),
            oldest_first: true,
            ..OrderFilter::default()
        };
        let page = f.engine.list_orders(&f.admin, &filter).unwrap();
        oldest.extend(page.items.iter().map(|o| o.value.id()));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(oldest, ids);
    let by = |filter: OrderFilter| -> Vec<OrderId> {
        f.engine
            .list_orders(&f.admin, &filter)
            .unwrap()
            .items
            .iter()
            .map(|o| o.value.id())
            .collect()
    };
    assert_eq!(
        by(OrderFilter {
            customer: Some(f.business),
            ..OrderFilter::default()
        })
        .len(),
        5
    );
    assert_eq!(
        by(OrderFilter {
            status: Some(Confirmed),
            ..OrderFilter::default()
        })
        .len(),
        9
    );
    assert_eq!(
        by(OrderFilter {
            status: Some(Confirmed),
            customer: Some(f.business),
            ..OrderFilter::default()
        })
        .len(),
        2
    );
    assert_eq!(
        by(OrderFilter {
            customer_name: Some("CUSTOMER 2".into()),
            ..OrderFilter::default()
        })
        .len(),
        5
    );
    assert_eq!(
        by(OrderFilter {
            customer_name: Some("exam".into()),
            ..OrderFilter::default()
        })
        .len(),
        25
    );
    assert!(
        by(OrderFilter {
            customer_name: Some("nobody".into()),
            ..OrderFilter::default()
        })
        .is_empty()
    );
    let from = Timestamp(sample::EPOCH.0 + 3 * DAY_MS);
    let to = Timestamp(sample::EPOCH.0 + 8 * DAY_MS);
    assert_eq!(
        by(OrderFilter {
            from: Some(from),
            to: Some(to),
            ..OrderFilter::default()
        }),
        {
            let mut v = ids[2..7].to_vec();
            v.reverse();
            v
        }
    );
    assert!(matches!(
        f.engine.list_orders(
            &f.admin,
            &OrderFilter {
                cursor: Some("nonsense".into()),
                ..OrderFilter::default()
            }
        ),
        Err(Error::Validation { .. })
    ));
    f.check();
}

#[test]
fn every_mutation_writes_one_audit_entry_and_placements_write_events() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap();
    f.engine.add_item(&f.admin, order.id(), "MUG", 1).unwrap();
    f.status(order.id(), Confirmed).unwrap();
    f.engine.cancel_order(&f.admin, order.id(), "test").unwrap();
    let history = f.engine.order_history(&f.admin, order.id()).unwrap();
    let actions: Vec<String> = history
        .iter()
        .map(|e| e.record.action.to_string())
        .collect();
    assert_eq!(
        actions,
        vec![
            "order created",
            "item added",
            "status changed",
            "order cancelled"
        ]
    );
    assert!(history.windows(2).all(|w| w[0].sequence < w[1].sequence));
    let change = &history[2].record.changes[0];
    assert_eq!(
        (change.before.as_deref(), change.after.as_deref()),
        (Some("placed"), Some("confirmed"))
    );
    let events = sample::deliveries(&f.engine);
    assert_eq!(events.len(), 3, "placed, confirmed, cancelled");
    // Refused commands write nothing.
    let _ = f.status(order.id(), Shipped);
    assert_eq!(
        f.engine.order_history(&f.admin, order.id()).unwrap().len(),
        4
    );
    assert_eq!(sample::deliveries(&f.engine).len(), 3);
}

#[test]
fn customers_see_only_their_own_orders() {
    let f = fixture();
    let mine = Actor::customer(f.consumer);
    let theirs = f
        .engine
        .create_order(&f.admin, &OrderRequest::simple(f.business, &[("TEE", 1)]))
        .unwrap();
    let reference = theirs.reference().unwrap().to_string();
    assert!(matches!(
        f.engine.get_order(&mine, theirs.id()).unwrap_err(),
        Error::NotFound { .. }
    ));
    assert!(matches!(
        f.engine.order_by_reference(&mine, &reference).unwrap_err(),
        Error::NotFound { .. }
    ));
    assert!(matches!(
        f.engine
            .cancel_order(&mine, theirs.id(), "mine now")
            .unwrap_err(),
        Error::NotFound { .. }
    ));
    assert!(matches!(
        f.engine
            .create_order(&mine, &OrderRequest::simple(f.business, &[("TEE", 1)]))
            .unwrap_err(),
        Error::Forbidden { .. }
    ));
    let own = f
        .engine
        .create_order(&mine, &OrderRequest::simple(f.consumer, &[("TEE", 1)]))
        .unwrap();
    let listed = f
        .engine
        .list_orders(
            &mine,
            &OrderFilter {
                customer: Some(f.business),
                ..OrderFilter::default()
            },
        )
        .unwrap();
    assert!(listed.items.is_empty());
    let listed = f
        .engine
        .list_orders(&mine, &OrderFilter::default())
        .unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|o| o.value.id())
            .collect::<Vec<_>>(),
        vec![own.id()]
    );
    assert!(matches!(
        f.engine.get_customer(&mine, f.business).unwrap_err(),
        Error::NotFound { .. }
    ));
}

#[test]
fn roles_are_enforced_by_the_engine() {
    let f = fixture();
    let analyst = Actor::staff(UserId(1), Role::Analyst).unwrap();
    let warehouse = Actor::staff(UserId(2), Role::Warehouse).unwrap();
    let order = f.order(&[("TEE", 1)]).unwrap();
    assert!(matches!(
        f.engine
            .create_order(&analyst, &OrderRequest::simple(f.consumer, &[("TEE", 1)]))
            .unwrap_err(),
        Error::Forbidden { .. }
    ));
    assert!(f.engine.get_order(&analyst, order.id()).is_ok());
    assert!(matches!(
        f.engine
            .cancel_order(&warehouse, order.id(), "x")
            .unwrap_err(),
        Error::Forbidden { .. }
    ));
    assert!(matches!(
        f.engine
            .change_status(&warehouse, order.id(), Confirmed)
            .unwrap_err(),
        Error::Forbidden { .. }
    ));
    f.status(order.id(), Confirmed).unwrap();
    f.engine
        .change_status(&warehouse, order.id(), Picking)
        .unwrap();
    assert!(matches!(
        f.engine
            .restock(&analyst, "TEE", "MAIN", 1, "x")
            .unwrap_err(),
        Error::Forbidden { .. }
    ));
    assert_eq!(
        f.engine.order_history(&analyst, order.id()).unwrap().len(),
        3
    );
}

#[test]
fn only_active_customers_and_products_can_be_ordered() {
    let f = fixture();
    let mut input = sample::product("OLD", 100);
    input.active = false;
    f.engine.create_product(&f.admin, input).unwrap();
    f.engine.restock(&f.admin, "OLD", "MAIN", 5, "x").unwrap();
    assert!(matches!(
        f.order(&[("OLD", 1)]).unwrap_err(),
        Error::Refused(Refusal::ProductNotForSale { .. })
    ));
}

#[test]
fn one_order_is_one_currency() {
    let f = fixture();
    let mut input = sample::product("EUROTEE", 100);
    input.base_price = Money::new(dec!(10), Currency::EUR).unwrap();
    input.price_lists.clear();
    f.engine.create_product(&f.admin, input).unwrap();
    f.engine
        .restock(&f.admin, "EUROTEE", "MAIN", 5, "x")
        .unwrap();
    assert!(matches!(
        f.order(&[("TEE", 1), ("EUROTEE", 1)]).unwrap_err(),
        Error::CurrencyMismatch { .. }
    ));
    let eur_order = f.order(&[("EUROTEE", 1)]).unwrap();
    assert_eq!(eur_order.currency(), Currency::EUR);
    assert!(matches!(
        f.engine
            .add_item(&f.admin, eur_order.id(), "TEE", 1)
            .unwrap_err(),
        Error::CurrencyMismatch { .. }
    ));
}

#[test]
fn backorders_wait_for_stock_before_picking() {
    let f = fixture();
    let mut input = sample::product("PRE", 1000);
    input.backorder = BackorderPolicy::Allow;
    f.engine.create_product(&f.admin, input).unwrap();
    f.engine
        .restock(&f.admin, "PRE", "MAIN", 2, "first batch")
        .unwrap();
    let order = f.order(&[("PRE", 5)]).unwrap();
    assert_eq!(
        (order.lines()[0].reserved, order.lines()[0].backordered),
        (2, 3)
    );
    f.status(order.id(), Confirmed).unwrap();
    assert!(matches!(
        f.status(order.id(), Picking).unwrap_err(),
        Error::Refused(Refusal::Backordered { .. })
    ));
    f.engine
        .restock(&f.admin, "PRE", "MAIN", 10, "second batch")
        .unwrap();
    let picking = f.status(order.id(), Picking).unwrap();
    assert_eq!(
        (picking.lines()[0].reserved, picking.lines()[0].backordered),
        (5, 0)
    );
    assert_eq!(f.available("PRE", "MAIN"), 7);
    f.check();
}

#[test]
fn duplicates_are_refused() {
    let f = fixture();
    assert!(matches!(
        f.engine
            .create_product(&f.admin, sample::product("tee", 1))
            .unwrap_err(),
        Error::Duplicate { field: "SKU", .. }
    ));
    let mut again = sample::customer(1);
    again.email = "new@example.com".into();
    assert!(matches!(
        f.engine.create_customer(&f.admin, &again).unwrap_err(),
        Error::Duplicate { field: "phone", .. }
    ));
    let mut again = sample::customer(1);
    again.phone = "+15550009999".into();
    again.email = "CUSTOMER1@EXAMPLE.COM".into();
    assert!(matches!(
        f.engine.create_customer(&f.admin, &again).unwrap_err(),
        Error::Duplicate { field: "email", .. }
    ));
}

#[test]
fn stock_adjustments_never_go_below_reserved() {
    let f = fixture();
    f.order(&[("TEE", 8)]).unwrap();
    assert!(matches!(
        f.engine
            .adjust_stock(&f.admin, "TEE", "MAIN", -3, "damaged")
            .unwrap_err(),
        Error::Refused(Refusal::AdjustmentBelowReserved { .. })
    ));
    f.engine
        .adjust_stock(&f.admin, "TEE", "MAIN", -2, "damaged")
        .unwrap();
    assert_eq!(f.available("TEE", "MAIN"), 0);
    assert!(matches!(
        f.engine
            .restock(&f.admin, "TEE", "MAIN", 1, " ")
            .unwrap_err(),
        Error::Validation { .. }
    ));
    f.check();
}

#[test]
fn a_failed_write_leaves_no_trace() {
    let store = Arc::new(MemoryStore::new());
    let faulty = Arc::new(FaultyStore::new(store.clone(), Faults::default(), 1));
    let (engine, _) = sample::engine(faulty.clone(), 3);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 100))
        .unwrap();
    engine.restock(&admin, "TEE", "MAIN", 3, "x").unwrap();
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap();
    // Fail each call of the command in turn: it either fails cleanly or succeeds whole.
    for n in 1..40 {
        faulty.set_faults(Faults {
            fail_call: Some(faulty.calls() + n),
            ..Faults::default()
        });
        let result =
            engine.create_order(&admin, &OrderRequest::simple(customer.id(), &[("TEE", 1)]));
        faulty.set_faults(Faults::default());
        if let Err(e) = &result {
            assert!(matches!(e, Error::Storage(_)), "{e}");
        }
        invariants::check_store(store.as_ref()).unwrap();
        if result.is_ok() {
            break;
        }
    }
    assert_eq!(invariants::all_orders(store.as_ref()).unwrap().len(), 1);
}

/// Returns the same value for the first `repeat` draws, then counts up.
struct RepeatingRandom {
    draws: std::sync::atomic::AtomicU64,
    repeat: u64,
}

impl crate::random::RandomSource for RepeatingRandom {
    fn next_u64(&self) -> u64 {
        let n = self.draws.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n < self.repeat { 12345 } else { 12345 + n }
    }
}

#[test]
fn a_reference_collision_is_retried_with_a_new_reference() {
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(ManualClock::new(sample::EPOCH));
    let random = Arc::new(RepeatingRandom {
        draws: Default::default(),
        repeat: 3,
    });
    let engine = Engine::new(
        store.clone(),
        clock,
        random,
        crate::engine::EngineConfig::default(),
    );
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 100))
        .unwrap();
    engine.restock(&admin, "TEE", "MAIN", 10, "x").unwrap();
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap();
    let first = engine
        .create_order(&admin, &OrderRequest::simple(customer.id(), &[("TEE", 1)]))
        .unwrap();
    let second = engine
        .create_order(&admin, &OrderRequest::simple(customer.id(), &[("TEE", 1)]))
        .unwrap();
    assert_ne!(first.reference(), second.reference());
    invariants::check_store(store.as_ref()).unwrap();
}

#[test]
fn lines_keep_the_price_and_name_they_were_placed_at() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap();
    let mut changed = sample::product("TEE", 9900);
    changed.name = "Renamed tee".into();
    f.engine.update_product(&f.admin, "TEE", changed).unwrap();
    let stored = f.engine.get_order(&f.admin, order.id()).unwrap().value;
    assert_eq!(stored.lines()[0].unit_price, sample::usd_cents(2000));
    assert_eq!(stored.lines()[0].name, "Product TEE");
    assert_eq!(stored.totals(), order.totals());
    // New orders get the new price.
    let newer = f.order(&[("TEE", 1)]).unwrap();
    assert_eq!(newer.lines()[0].unit_price, sample::usd_cents(9900));
}

#[test]
fn a_changed_sku_moves_its_index_entry() {
    let f = fixture();
    let mut renamed = sample::product("TEE-2", 2000);
    renamed.name = "Tee v2".into();
    f.engine.update_product(&f.admin, "TEE", renamed).unwrap();
    assert!(matches!(
        f.engine.product_by_sku(&f.admin, "TEE").unwrap_err(),
        Error::NotFound { .. }
    ));
    assert_eq!(
        f.engine.product_by_sku(&f.admin, "TEE-2").unwrap().name(),
        "Tee v2"
    );
    assert!(matches!(
        f.engine
            .update_product(&f.admin, "TEE-2", sample::product("MUG", 1))
            .unwrap_err(),
        Error::Duplicate { .. }
    ));
}

#[test]
fn refusals_reach_callers_with_their_codes_kinds_and_fields() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap().id();
    let cancelled = f.order(&[("MUG", 1)]).unwrap().id();
    f.engine
        .cancel_order(&f.admin, cancelled, "changed mind")
        .unwrap();
    let refusals = [
        f.engine.remove_item(&f.admin, order, "TEE").unwrap_err(),
        f.pay(order, 999_999, None).unwrap_err(),
        f.status(order, Cancelled).unwrap_err(),
        f.engine
            .adjust_stock(&f.admin, "TEE", "MAIN", -10, "count")
            .unwrap_err(),
        f.engine
            .advance_orders(&f.admin, &[order], Draft)
            .unwrap_err(),
        f.engine
            .advance_orders(&f.admin, &[order, cancelled], Shipped)
            .unwrap_err(),
        f.engine.authenticate(&"0".repeat(63)).unwrap_err(),
    ];
    let seen: Vec<(&str, i32, Option<&str>)> = refusals
        .iter()
        .map(|e| (e.code(), e.kind().status(), e.field()))
        .collect();
    assert_eq!(
        seen,
        [
            ("last_item", 3, None),
            ("payment_exceeds_balance", 3, Some("amount")),
            ("cancel_with_reason", 3, None),
            ("adjustment_below_reserved", 3, Some("adjustment")),
            ("batch_target_not_allowed", 3, None),
            ("illegal_transition", 3, None),
            ("invalid_token", 6, None),
        ]
    );
    // Nothing of the refused changes happened: the order is as it was placed.
    let stored = f.engine.get_order(&f.admin, order).unwrap();
    assert_eq!((stored.value.status(), stored.version), (Placed, 1));
    f.check();
}
