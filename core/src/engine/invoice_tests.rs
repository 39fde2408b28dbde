//! Invoices (gap-free numbers, one per order, frozen figures, who may issue and read) and
//! the pick list.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::audit::Subject;
use crate::auth::{Actor, Role};
use crate::engine::tests::{Fixture, fixture};
use crate::engine::{Engine, OrderRequest, PaymentRequest};
use crate::error::{Error, Refusal};
use crate::ids::{CustomerId, OrderId, UserId};
use crate::inventory::WarehouseCode;
use crate::order::OrderStatus::{self, *};
use crate::payment::PaymentMethod;
use crate::store::{MemoryStore, Store};
use crate::testkit::sample;
use crate::testkit::wrappers::RaceOnApply;

fn payment(cents: i64) -> PaymentRequest {
    PaymentRequest {
        amount: sample::usd_cents(cents),
        method: PaymentMethod::Card,
        external_reference: String::new(),
        idempotency_key: None,
    }
}

#[test]
fn invoices_are_numbered_one_two_three_and_a_second_issue_returns_the_first() {
    let f = fixture();
    let a = f.order(&[("TEE", 1)]).unwrap().id();
    let b = f.order(&[("MUG", 2)]).unwrap().id();
    let c = f.order(&[("TEE", 1), ("MUG", 1)]).unwrap().id();
    let numbers: Vec<u64> = [a, b, c]
        .iter()
        .map(|id| f.engine.issue_invoice(&f.admin, *id).unwrap().number())
        .collect();
    assert_eq!(numbers, vec![1, 2, 3]);
    let again = f.engine.issue_invoice(&f.admin, b).unwrap();
    assert_eq!(again.number(), 2);
    assert_eq!(
        f.engine.audit_trail(Subject::Invoice(2)).unwrap().len(),
        1,
        "one audit entry per issue, none for the repeat"
    );
    let d = f.order(&[("TEE", 1)]).unwrap().id();
    assert_eq!(f.engine.issue_invoice(&f.admin, d).unwrap().number(), 4);
    f.check();
}

#[test]
fn an_invoice_keeps_its_figures_when_the_order_changes_later() {
    let f = fixture();
    let order = f.order(&[("TEE", 2), ("MUG", 1)]).unwrap();
    f.engine
        .record_payment(&f.admin, order.id(), &payment(1000))
        .unwrap();
    let issued = f.engine.issue_invoice(&f.admin, order.id()).unwrap();
    assert_eq!(issued.lines().len(), 2);
    assert_eq!(issued.totals(), order.totals());
    assert_eq!(issued.payments().len(), 1);
    let tax: rust_decimal::Decimal = issued.taxes().iter().map(|t| t.tax.amount()).sum();
    assert_eq!(tax, order.totals().tax.amount());
    f.engine
        .record_refund(&f.admin, order.id(), &payment(400))
        .unwrap();
    let reprint = f
        .engine
        .order_invoice(&f.admin, order.id())
        .unwrap()
        .unwrap();
    assert_eq!(reprint, issued);
    assert_eq!(reprint.payments().len(), 1);
}

#[test]
fn drafts_and_cancelled_orders_are_not_invoiced() {
    let f = fixture();
    let mut request = OrderRequest::simple(f.consumer, &[("TEE", 1)]);
    request.draft = true;
    let draft = f.engine.create_order(&f.admin, &request).unwrap().id();
    let cancelled = f.order(&[("TEE", 1)]).unwrap().id();
    f.engine.cancel_order(&f.admin, cancelled, "test").unwrap();
    for (id, status) in [(draft, Draft), (cancelled, Cancelled)] {
        let error = f.engine.issue_invoice(&f.admin, id).unwrap_err();
        assert_eq!(
            error,
            Error::Refused(Refusal::NotInvoiceable { status }),
            "{status}"
        );
    }
    // Nothing was numbered: the next invoice is 1.
    let placed = f.order(&[("TEE", 1)]).unwrap().id();
    assert_eq!(
        f.engine.issue_invoice(&f.admin, placed).unwrap().number(),
        1
    );
}

#[test]
fn customers_read_their_own_invoice_and_another_s_is_not_found() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap().id();
    let own = Actor::customer(f.consumer);
    assert!(matches!(
        f.engine.issue_invoice(&own, order),
        Err(Error::Forbidden { .. })
    ));
    f.engine.issue_invoice(&f.admin, order).unwrap();
    assert_eq!(
        f.engine
            .order_invoice(&own, order)
            .unwrap()
            .map(|i| i.number()),
        Some(1)
    );
    let stranger = Actor::customer(CustomerId(999));
    let theirs = f.engine.order_invoice(&stranger, order).unwrap_err();
    let missing = f
        .engine
        .order_invoice(&stranger, OrderId(99_999))
        .unwrap_err();
    assert!(matches!(theirs, Error::NotFound { .. }));
    assert_eq!(theirs.kind(), missing.kind());
    assert_eq!(
        theirs.to_string().replace(&order.to_string(), "N"),
        missing.to_string().replace("99999", "N")
    );
}

/// Issues invoices for `orders` from `threads` threads at once and checks the numbers.
pub(crate) fn issue_concurrently<S: Store + 'static>(
    engine: Arc<Engine<S>>,
    orders: Vec<OrderId>,
    threads: usize,
) -> Vec<u64> {
    let admin = sample::admin();
    let chunks: Vec<Vec<OrderId>> = (0..threads)
        .map(|t| orders.iter().skip(t).step_by(threads).copied().collect())
        .collect();
    let handles: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let engine = engine.clone();
            let admin = admin.clone();
            std::thread::spawn(move || {
                chunk
                    .into_iter()
                    // Each order twice: the repeat must return the same number.
                    .flat_map(|id| [id, id])
                    .map(|id| (id, engine.issue_invoice(&admin, id).unwrap().number()))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut by_order = std::collections::BTreeMap::new();
    for handle in handles {
        for (id, number) in handle.join().unwrap() {
            let first = by_order.entry(id).or_insert(number);
            assert_eq!(*first, number, "order {id} got two numbers");
        }
    }
    by_order.into_values().collect()
}

#[test]
fn many_threads_issuing_for_many_orders_get_exactly_one_to_n() {
    let store = Arc::new(MemoryStore::new());
    let (engine, _clock) = sample::engine(store, 5);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 2000))
        .unwrap();
    engine.restock(&admin, "TEE", "MAIN", 500, "count").unwrap();
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    let orders: Vec<OrderId> = (0..40)
        .map(|_| {
            engine
                .create_order(&admin, &OrderRequest::simple(customer, &[("TEE", 1)]))
                .unwrap()
                .id()
        })
        .collect();
    let numbers = issue_concurrently(Arc::new(engine), orders, 8);
    let set: BTreeSet<u64> = numbers.iter().copied().collect();
    assert_eq!(numbers.len(), 40);
    assert_eq!(set, (1..=40).collect::<BTreeSet<u64>>());
}

#[test]
fn an_invoice_issued_elsewhere_between_read_and_write_makes_the_issue_take_the_next_number() {
    let store = Arc::new(RaceOnApply::new(Arc::new(MemoryStore::new())));
    let (engine, _clock) = sample::engine(store.clone(), 42);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 2000))
        .unwrap();
    engine.restock(&admin, "TEE", "MAIN", 10, "count").unwrap();
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    let order = |engine: &Engine<_>| {
        engine
            .create_order(&admin, &OrderRequest::simple(customer, &[("TEE", 1)]))
            .unwrap()
            .id()
    };
    let mine = order(&engine);
    let theirs = order(&engine);
    store.arm(move |inner| {
        let elsewhere = sample::engine(inner.clone(), 7).0;
        assert_eq!(
            elsewhere
                .issue_invoice(&sample::admin(), theirs)
                .unwrap()
                .number(),
            1
        );
    });
    let applies = store.applies();
    let invoice = engine.issue_invoice(&admin, mine).unwrap();
    assert!(store.raced());
    assert_eq!(invoice.number(), 2, "the raced number 1 is not reused");
    assert_eq!(store.applies() - applies, 2, "one conflict, one retry");
    let theirs_invoice = engine.order_invoice(&admin, theirs).unwrap().unwrap();
    assert_eq!(theirs_invoice.number(), 1);
}

#[test]
fn the_same_order_issued_twice_at_once_gets_one_invoice() {
    let store = Arc::new(RaceOnApply::new(Arc::new(MemoryStore::new())));
    let (engine, _clock) = sample::engine(store.clone(), 42);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 2000))
        .unwrap();
    engine.restock(&admin, "TEE", "MAIN", 10, "count").unwrap();
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    let id = engine
        .create_order(&admin, &OrderRequest::simple(customer, &[("TEE", 1)]))
        .unwrap()
        .id();
    store.arm(move |inner| {
        let elsewhere = sample::engine(inner.clone(), 7).0;
        elsewhere.issue_invoice(&sample::admin(), id).unwrap();
    });
    let invoice = engine.issue_invoice(&admin, id).unwrap();
    assert!(store.raced());
    assert_eq!(invoice.number(), 1);
    assert!(
        store
            .inner()
            .get(&crate::store::RecordKey::Invoice(2))
            .unwrap()
            .is_none()
    );
}

fn warehouse(code: &str) -> WarehouseCode {
    WarehouseCode::parse(code).unwrap()
}

fn to(f: &Fixture, id: OrderId, status: OrderStatus) {
    f.engine.advance_orders(&f.admin, &[id], status).unwrap();
}

#[test]
fn the_pick_list_sums_confirmed_and_picking_orders_per_product_sorted_by_sku() {
    let f = fixture();
    f.engine
        .create_product(&f.admin, sample::product("APRON", 1500))
        .unwrap();
    f.engine
        .restock(&f.admin, "APRON", "MAIN", 4, "count")
        .unwrap();
    let first = f.order(&[("TEE", 2), ("MUG", 1), ("APRON", 1)]).unwrap();
    let second = f.order(&[("TEE", 3)]).unwrap();
    let placed = f.order(&[("TEE", 1)]).unwrap();
    let packed = f.order(&[("TEE", 1)]).unwrap();
    to(&f, first.id(), Confirmed);
    to(&f, second.id(), Picking);
    to(&f, packed.id(), Packed);
    let _ = placed;
    let warehouse_staff = Actor::staff(UserId(9), Role::Warehouse).unwrap();
    let list = f
        .engine
        .pick_list(&warehouse_staff, &warehouse("MAIN"))
        .unwrap();
    assert_eq!(list.orders, 2);
    assert!(!list.truncated);
    // MUG was allocated to EAST (more available there).
    let skus: Vec<&str> = list.rows.iter().map(|r| r.sku.as_str()).collect();
    assert_eq!(skus, vec!["APRON", "TEE"]);
    let tee = &list.rows[1];
    assert_eq!(tee.quantity, 5);
    let references: Vec<_> = tee.orders.iter().map(|(r, q)| (r.clone(), *q)).collect();
    assert_eq!(
        references,
        vec![
            (first.reference().unwrap().clone(), 2),
            (second.reference().unwrap().clone(), 3)
        ]
    );
    let east = f.engine.pick_list(&f.admin, &warehouse("EAST")).unwrap();
    assert_eq!(east.orders, 1);
    let skus: Vec<(&str, u64)> = east
        .rows
        .iter()
        .map(|r| (r.sku.as_str(), r.quantity))
        .collect();
    assert_eq!(skus, vec![("MUG", 1)]);
    let empty = f.engine.pick_list(&f.admin, &warehouse("WEST")).unwrap();
    assert_eq!(empty.orders, 0);
    assert!(empty.rows.is_empty());
    assert!(matches!(
        f.engine
            .pick_list(&Actor::customer(f.consumer), &warehouse("MAIN")),
        Err(Error::Forbidden { .. })
    ));
}
