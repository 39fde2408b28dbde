//! Returns: restock into the chosen warehouse, write-off, refund limits (the return's and
//! the ledger's), units returned over several returns never above what was delivered,
//! exchanges taking replacement stock, privacy between customers, listings, one audit
//! entry per change and the customer's notifications.

use crate::audit::{AuditAction, Subject};
use crate::auth::{Actor, Role};
use crate::catalog::Sku;
use crate::clock::Timestamp;
use crate::engine::tests::{Fixture, fixture};
use crate::engine::{
    ExchangeRequest, PaymentRequest, ReturnFilter, ReturnRefund, ShipRequest, TrackingResult,
};
use crate::error::{EntityKind, Error, ErrorKind, Refusal};
use crate::ids::{CustomerId, OrderId, ReturnId, UserId};
use crate::inventory::WarehouseCode;
use crate::money::Money;
use crate::order::OrderStatus;
use crate::outbox::DomainEvent;
use crate::payment::{LedgerEntryKind, PaymentMethod};
use crate::returns::{Inspection, ReturnRequestLine, ReturnStatus};
use crate::shipment::{CarrierName, TrackingEvent, TrackingNumber, TrackingStatus};
use crate::testkit::sample;

fn sku(text: &str) -> Sku {
    Sku::parse(text).unwrap()
}

fn ask(lines: &[(&str, u32)]) -> Vec<ReturnRequestLine> {
    lines
        .iter()
        .map(|(s, q)| ReturnRequestLine {
            sku: sku(s),
            quantity: *q,
            reason: "does not fit".into(),
        })
        .collect()
}

fn ship(f: &Fixture, order: OrderId, lines: &[(&str, u32)], tracking: &str) {
    let request = ShipRequest {
        lines: lines.iter().map(|(s, q)| (sku(s), *q)).collect(),
        carrier: CarrierName::parse("dhl").unwrap(),
        method: None,
        tracking: TrackingNumber::parse(tracking).unwrap(),
        weight: None,
    };
    f.engine.ship_order(&f.admin, order, &request).unwrap();
}

fn deliver(f: &Fixture, tracking: &str) {
    let result = f
        .engine
        .track_shipment(
            &Actor::system(),
            &CarrierName::parse("dhl").unwrap(),
            &TrackingNumber::parse(tracking).unwrap(),
            &TrackingEvent::new(Timestamp(5_000), TrackingStatus::Delivered, "Door").unwrap(),
        )
        .unwrap();
    assert!(matches!(result, TrackingResult::Known { .. }));
}

/// An order of `items`, shipped whole in one parcel and delivered.
fn delivered(f: &Fixture, items: &[(&str, i64)], tracking: &str) -> OrderId {
    let order = f.order(items).unwrap().id();
    f.engine
        .advance_orders(&f.admin, &[order], OrderStatus::Packed)
        .unwrap();
    ship(f, order, &[], tracking);
    deliver(f, tracking);
    assert_eq!(
        f.engine.get_order(&f.admin, order).unwrap().value.status(),
        OrderStatus::Delivered
    );
    order
}

fn pay_in_full(f: &Fixture, order: OrderId) {
    let total = f
        .engine
        .get_order(&f.admin, order)
        .unwrap()
        .value
        .totals()
        .total;
    f.engine
        .record_payment(
            &f.admin,
            order,
            &PaymentRequest {
                amount: total,
                method: PaymentMethod::Cash,
                external_reference: String::new(),
                idempotency_key: None,
            },
        )
        .unwrap();
}

fn level(f: &Fixture, sku: &str, warehouse: &str) -> (u64, u64) {
    let product = f.engine.product_by_sku(&f.admin, sku).unwrap();
    let stock = f.engine.stock_of(&f.admin, product.id()).unwrap();
    stock
        .level(&WarehouseCode::parse(warehouse).unwrap())
        .map_or((0, 0), |l| (l.on_hand(), l.reserved()))
}

fn restock(warehouse: &str) -> Inspection {
    Inspection::Restocked {
        warehouse: WarehouseCode::parse(warehouse).unwrap(),
    }
}

fn write_off(reason: &str) -> Inspection {
    Inspection::WrittenOff {
        reason: reason.into(),
    }
}

/// Opens, approves and receives a return of `lines`, every unit restocked into MAIN.
fn received(f: &Fixture, order: OrderId, lines: &[(&str, u32)]) -> ReturnId {
    let id = f
        .engine
        .open_return(&f.admin, order, &ask(lines))
        .unwrap()
        .id();
    f.engine.approve_return(&f.admin, id).unwrap();
    let inspections: Vec<_> = lines
        .iter()
        .map(|(s, q)| (sku(s), *q, restock("MAIN")))
        .collect();
    f.engine.receive_return(&f.admin, id, &inspections).unwrap();
    id
}

fn trail(f: &Fixture, id: ReturnId) -> Vec<AuditAction> {
    f.engine
        .audit_trail(Subject::Return(id))
        .unwrap()
        .into_iter()
        .map(|e| e.record.action)
        .collect()
}

fn return_events(f: &Fixture) -> Vec<DomainEvent> {
    sample::deliveries(&f.engine)
        .into_iter()
        .map(|d| d.event().clone())
        .filter(|e| {
            matches!(
                e,
                DomainEvent::ReturnApproved { .. }
                    | DomainEvent::ReturnRefunded { .. }
                    | DomainEvent::ReturnExchanged { .. }
                    | DomainEvent::RefundRecorded { .. }
            )
        })
        .collect()
}

fn refund(amount: Option<Money>) -> ReturnRefund {
    ReturnRefund {
        amount,
        method: None,
        external_reference: String::new(),
    }
}

#[test]
fn restocked_units_go_to_the_chosen_warehouse_and_written_off_units_nowhere() {
    let f = fixture();
    let order = delivered(&f, &[("TEE", 3), ("MUG", 2)], "JD0000000001");
    assert_eq!(level(&f, "TEE", "MAIN"), (7, 0));
    assert_eq!(level(&f, "TEE", "EAST"), (0, 0));
    let opened = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 3), ("MUG", 1)]))
        .unwrap();
    assert_eq!(opened.status(), ReturnStatus::Requested);
    assert_eq!(opened.units(), 4);
    let id = opened.id();
    f.engine.approve_return(&f.admin, id).unwrap();
    // The warehouse receives it: two TEEs resellable (into EAST), one torn, the MUG broken.
    let warehouse = Actor::staff(UserId(5), Role::Warehouse).unwrap();
    let back = f
        .engine
        .receive_return(
            &warehouse,
            id,
            &[
                (sku("TEE"), 2, restock("east")),
                (sku("TEE"), 1, write_off("torn seam")),
                (sku("MUG"), 1, write_off("broken handle")),
            ],
        )
        .unwrap();
    assert_eq!(back.status(), ReturnStatus::Received);
    assert_eq!((back.restocked_units(), back.written_off_units()), (2, 2));
    assert_eq!(level(&f, "TEE", "EAST"), (2, 0), "restocked where chosen");
    assert_eq!(level(&f, "TEE", "MAIN"), (7, 0), "MAIN untouched");
    // The MUG shipped from EAST (the most available); written off, it is nowhere.
    assert_eq!(
        level(&f, "MUG", "EAST"),
        (5, 0),
        "written off: not restocked"
    );
    assert_eq!(level(&f, "MUG", "MAIN"), (5, 0));
    assert_eq!(
        trail(&f, id),
        vec![
            AuditAction::ReturnOpened,
            AuditAction::ReturnApproved,
            AuditAction::ReturnReceived
        ]
    );
    f.check();
}

#[test]
fn every_unit_is_inspected_exactly_once() {
    let f = fixture();
    let order = delivered(&f, &[("TEE", 3)], "JD0000000001");
    let id = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 2)]))
        .unwrap()
        .id();
    // Not before it is approved.
    let early = f
        .engine
        .receive_return(&f.admin, id, &[(sku("TEE"), 2, restock("MAIN"))])
        .unwrap_err();
    assert_eq!(early.code(), "illegal_return_transition");
    f.engine.approve_return(&f.admin, id).unwrap();
    for bad in [
        vec![(sku("TEE"), 1, restock("MAIN"))],
        vec![(sku("TEE"), 3, restock("MAIN"))],
        vec![
            (sku("TEE"), 2, restock("MAIN")),
            (sku("MUG"), 1, restock("MAIN")),
        ],
        vec![(sku("TEE"), 2, write_off("  "))],
    ] {
        let refused = f.engine.receive_return(&f.admin, id, &bad).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Validation, "{bad:?}");
    }
    assert_eq!(
        level(&f, "TEE", "MAIN"),
        (7, 0),
        "nothing restocked by a refusal"
    );
    assert_eq!(
        f.engine.get_return(&f.admin, id).unwrap().status(),
        ReturnStatus::Approved
    );
    f.check();
}

#[test]
fn a_refund_never_exceeds_what_was_paid_for_the_units_nor_the_ledger() {
    let f = fixture();
    let order = delivered(&f, &[("TEE", 3)], "JD0000000001");
    pay_in_full(&f, order);
    let line = f.engine.get_order(&f.admin, order).unwrap().value.lines()[0].clone();
    let id = received(&f, order, &[("TEE", 1)]);
    let ret = f.engine.get_return(&f.admin, id).unwrap();
    let expected = crate::returns::paid_for_units(&line, 1).unwrap();
    assert_eq!(ret.refund_limit(), expected);
    assert!(!expected.is_zero());
    let cent = Money::parse("0.01", Some(expected.currency()), "amount").unwrap();
    let over = f
        .engine
        .refund_return(&f.admin, id, &refund(Some(expected.add(&cent).unwrap())))
        .unwrap_err();
    assert_eq!(
        over,
        Error::Refused(Refusal::RefundExceedsReturn {
            amount: expected.add(&cent).unwrap(),
            limit: expected
        })
    );
    // No amount: what the units were paid.
    let done = f.engine.refund_return(&f.admin, id, &refund(None)).unwrap();
    assert_eq!(done.status(), ReturnStatus::Refunded);
    assert_eq!(done.refunded(), Some(expected));
    let stored = f.engine.get_order(&f.admin, order).unwrap().value;
    let refunds: Vec<Money> = stored
        .ledger()
        .iter()
        .filter(|e| e.kind == LedgerEntryKind::Refund)
        .map(|e| e.amount)
        .collect();
    assert_eq!(refunds, vec![expected], "exactly one ledger refund");
    // A refunded return is final.
    let again = f
        .engine
        .refund_return(&f.admin, id, &refund(None))
        .unwrap_err();
    assert_eq!(again.code(), "illegal_return_transition");
    // The customer heard of the approval and of the refund, once each.
    let events = return_events(&f);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(events[0], DomainEvent::ReturnApproved { return_id, .. } if return_id == id));
    assert!(
        matches!(events[1], DomainEvent::ReturnRefunded { return_id, amount, .. } if return_id == id && amount == expected)
    );
    assert_eq!(
        trail(&f, id).last(),
        Some(&AuditAction::ReturnRefunded),
        "the refund is the return's entry"
    );
    f.check();
}

#[test]
fn a_return_of_an_unpaid_order_cannot_be_refunded_and_stays_received() {
    let f = fixture();
    let order = delivered(&f, &[("TEE", 2)], "JD0000000001");
    let id = received(&f, order, &[("TEE", 2)]);
    let limit = f.engine.get_return(&f.admin, id).unwrap().refund_limit();
    let refused = f
        .engine
        .refund_return(&f.admin, id, &refund(Some(limit)))
        .unwrap_err();
    assert_eq!(refused.code(), "refund_exceeds_paid");
    assert_eq!(
        f.engine.get_return(&f.admin, id).unwrap().status(),
        ReturnStatus::Received
    );
    assert!(
        f.engine
            .get_order(&f.admin, order)
            .unwrap()
            .value
            .ledger()
            .is_empty()
    );
    f.check();
}

#[test]
fn units_returned_over_all_returns_never_exceed_the_delivered_units() {
    let f = fixture();
    let order = f.order(&[("TEE", 3), ("MUG", 1)]).unwrap().id();
    // Not before anything shipped.
    let early = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 1)]))
        .unwrap_err();
    assert_eq!(
        early,
        Error::Refused(Refusal::NotReturnable {
            status: OrderStatus::Placed
        })
    );
    f.engine
        .advance_orders(&f.admin, &[order], OrderStatus::Packed)
        .unwrap();
    ship(&f, order, &[("TEE", 2)], "JD0000000001");
    ship(&f, order, &[("MUG", 1)], "JD0000000002");
    // Shipped, not delivered yet: nothing to return.
    let in_transit = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 1)]))
        .unwrap_err();
    assert_eq!(
        in_transit,
        Error::Refused(Refusal::ReturnsMoreThanDelivered {
            sku: "TEE".into(),
            requested: 1,
            left: 0
        })
    );
    deliver(&f, "JD0000000001");
    // Partly shipped (one TEE left to ship) and partly delivered: two TEEs may come back.
    assert_eq!(
        f.engine.get_order(&f.admin, order).unwrap().value.status(),
        OrderStatus::PartiallyShipped
    );
    let mug = f
        .engine
        .open_return(&f.admin, order, &ask(&[("MUG", 1)]))
        .unwrap_err();
    assert_eq!(
        mug.code(),
        "returns_more_than_delivered",
        "its parcel is on the way"
    );
    let first = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 2)]))
        .unwrap();
    assert_eq!(first.number(), 1);
    let second = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 1)]))
        .unwrap_err();
    assert_eq!(
        second,
        Error::Refused(Refusal::ReturnsMoreThanDelivered {
            sku: "TEE".into(),
            requested: 1,
            left: 0
        })
    );
    // A refused return gives its units back to what may be returned.
    f.engine
        .refuse_return(&f.admin, first.id(), "worn")
        .unwrap();
    let again = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 1)]))
        .unwrap();
    assert_eq!(again.number(), 2);
    let third = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 1)]))
        .unwrap();
    assert_eq!(third.number(), 3);
    let fourth = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 1)]))
        .unwrap_err();
    assert_eq!(fourth.code(), "returns_more_than_delivered");
    // A SKU not on the order, twice, zero units, no reason.
    assert!(matches!(
        f.engine.open_return(&f.admin, order, &ask(&[("CAP", 1)])),
        Err(Error::NotFound { .. })
    ));
    for bad in [ask(&[]), ask(&[("TEE", 0)]), ask(&[("MUG", 1), ("MUG", 1)])] {
        let refused = f.engine.open_return(&f.admin, order, &bad).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Validation, "{bad:?}");
    }
    let mut no_reason = ask(&[("TEE", 1)]);
    no_reason[0].reason = " ".into();
    let refused = f
        .engine
        .open_return(&f.admin, order, &no_reason)
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Validation);
    let all = f
        .engine
        .list_returns(
            &f.admin,
            &ReturnFilter {
                order: Some(order),
                ..ReturnFilter::default()
            },
        )
        .unwrap();
    assert_eq!(all.items.len(), 3);
    f.check();
}

#[test]
fn an_order_delivered_without_shipments_returns_every_unit() {
    let f = fixture();
    let order = f.order(&[("MUG", 2)]).unwrap().id();
    f.engine
        .advance_orders(&f.admin, &[order], OrderStatus::Delivered)
        .unwrap();
    let ret = f
        .engine
        .open_return(&f.admin, order, &ask(&[("MUG", 2)]))
        .unwrap();
    assert_eq!(ret.units(), 2);
    f.check();
}

#[test]
fn customers_open_and_read_only_their_own_returns() {
    let f = fixture();
    let e = &f.engine;
    let order = delivered(&f, &[("TEE", 2)], "JD0000000001");
    let me = Actor::customer(f.consumer);
    let stranger = e
        .create_customer(&f.admin, &sample::customer(9))
        .unwrap()
        .id();
    let theirs = Actor::customer(stranger);
    // Another customer's order reads as missing, to open a return too.
    let foreign = e
        .open_return(&theirs, order, &ask(&[("TEE", 1)]))
        .unwrap_err();
    assert_eq!(foreign, Error::not_found(EntityKind::Order, order));
    let mine = e.open_return(&me, order, &ask(&[("TEE", 1)])).unwrap();
    assert_eq!(mine.customer(), f.consumer);
    // Customers do not approve, receive or refund.
    for refused in [
        e.approve_return(&me, mine.id()).unwrap_err(),
        e.refuse_return(&me, mine.id(), "no").unwrap_err(),
        e.receive_return(&me, mine.id(), &[(sku("TEE"), 1, restock("MAIN"))])
            .unwrap_err(),
        e.refund_return(&me, mine.id(), &refund(None)).unwrap_err(),
    ] {
        assert_eq!(refused.kind(), ErrorKind::Forbidden, "{refused:?}");
    }
    assert_eq!(e.get_return(&me, mine.id()).unwrap(), mine);
    // Another customer's return reads byte-for-byte like one that does not exist.
    let missing = ReturnId(987_654);
    let hidden = e.get_return(&theirs, mine.id()).unwrap_err();
    let absent = e.get_return(&theirs, missing).unwrap_err();
    assert_eq!(hidden.kind(), ErrorKind::NotFound);
    assert_eq!(hidden.code(), absent.code());
    assert_eq!(
        hidden.to_string().replace(&mine.id().to_string(), "#"),
        absent.to_string().replace(&missing.to_string(), "#")
    );
    assert_eq!(hidden, Error::not_found(EntityKind::Return, mine.id()));
    // Listings: a customer sees only their own, and asking for another's is empty.
    let own = e.list_returns(&me, &ReturnFilter::default()).unwrap();
    assert_eq!(own.items.len(), 1);
    let none = e.list_returns(&theirs, &ReturnFilter::default()).unwrap();
    assert!(none.items.is_empty());
    let asked = e
        .list_returns(
            &theirs,
            &ReturnFilter {
                customer: Some(f.consumer),
                ..ReturnFilter::default()
            },
        )
        .unwrap();
    assert!(asked.items.is_empty());
    let by_order = e
        .list_returns(
            &theirs,
            &ReturnFilter {
                order: Some(order),
                ..ReturnFilter::default()
            },
        )
        .unwrap();
    assert!(by_order.items.is_empty());
    f.check();
}

#[test]
fn an_exchange_takes_the_replacement_from_stock_and_tells_the_customer() {
    let f = fixture();
    let order = delivered(&f, &[("TEE", 1), ("MUG", 1)], "JD0000000001");
    let id = received(&f, order, &[("MUG", 1)]);
    // It shipped from EAST (the most available) and came back into MAIN.
    assert_eq!(level(&f, "MUG", "EAST"), (6, 0));
    assert_eq!(
        level(&f, "MUG", "MAIN"),
        (6, 0),
        "the returned MUG restocked"
    );
    let request = |lines: &[(&str, u32)], warehouse: Option<&str>| ExchangeRequest {
        lines: lines.iter().map(|(s, q)| (sku(s), *q)).collect(),
        warehouse: warehouse.map(|w| WarehouseCode::parse(w).unwrap()),
        carrier: CarrierName::parse("ups").unwrap(),
        tracking: TrackingNumber::parse("1Z999AA10123456784").unwrap(),
    };
    // A TEE is worth more than the MUG was paid.
    let dearer = f
        .engine
        .exchange_return(&f.admin, id, &request(&[("TEE", 1)], None))
        .unwrap_err();
    assert_eq!(dearer.code(), "exchange_exceeds_return");
    let not_there = f
        .engine
        .exchange_return(&f.admin, id, &request(&[("MUG", 1)], Some("NORTH")))
        .unwrap_err();
    assert_eq!(not_there.code(), "insufficient_stock");
    let done = f
        .engine
        .exchange_return(&f.admin, id, &request(&[("MUG", 1)], Some("EAST")))
        .unwrap();
    assert_eq!(done.status(), ReturnStatus::Exchanged);
    assert_eq!(done.replacements().len(), 1);
    assert_eq!(
        done.parcel().unwrap().tracking.as_str(),
        "1Z999AA10123456784"
    );
    assert_eq!(level(&f, "MUG", "EAST"), (5, 0), "one MUG left EAST");
    assert_eq!(level(&f, "MUG", "MAIN"), (6, 0));
    let events = return_events(&f);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(
        &events[1],
        DomainEvent::ReturnExchanged { tracking, .. } if tracking == "1Z999AA10123456784"
    ));
    // Final: neither refunded nor exchanged again.
    assert_eq!(
        f.engine
            .refund_return(&f.admin, id, &refund(None))
            .unwrap_err()
            .code(),
        "illegal_return_transition"
    );
    f.check();
}

#[test]
fn returns_list_by_status_order_and_customer_a_page_at_a_time() {
    let f = fixture();
    let first = delivered(&f, &[("TEE", 2)], "JD0000000001");
    let second = delivered(&f, &[("MUG", 2)], "JD0000000002");
    let a = f
        .engine
        .open_return(&f.admin, first, &ask(&[("TEE", 1)]))
        .unwrap();
    let b = f
        .engine
        .open_return(&f.admin, second, &ask(&[("MUG", 1)]))
        .unwrap();
    let c = f
        .engine
        .open_return(&f.admin, first, &ask(&[("TEE", 1)]))
        .unwrap();
    f.engine.approve_return(&f.admin, b.id()).unwrap();
    let ids = |filter: ReturnFilter| -> Vec<ReturnId> {
        let mut out = Vec::new();
        let mut cursor = None;
        for _ in 0..10 {
            let page = f
                .engine
                .list_returns(
                    &f.admin,
                    &ReturnFilter {
                        limit: 1,
                        cursor: cursor.clone(),
                        ..filter.clone()
                    },
                )
                .unwrap();
            out.extend(page.items.iter().map(|r| r.id()));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return out,
            }
        }
        panic!("paging did not end");
    };
    assert_eq!(ids(ReturnFilter::default()), vec![a.id(), b.id(), c.id()]);
    assert_eq!(
        ids(ReturnFilter {
            order: Some(first),
            ..ReturnFilter::default()
        }),
        vec![a.id(), c.id()]
    );
    assert_eq!(
        ids(ReturnFilter {
            status: Some(ReturnStatus::Requested),
            ..ReturnFilter::default()
        }),
        vec![a.id(), c.id()]
    );
    assert_eq!(
        ids(ReturnFilter {
            customer: Some(f.consumer),
            status: Some(ReturnStatus::Approved),
            ..ReturnFilter::default()
        }),
        vec![b.id()]
    );
    assert_eq!(
        ids(ReturnFilter {
            customer: Some(CustomerId(999_999)),
            ..ReturnFilter::default()
        }),
        Vec::<ReturnId>::new()
    );
    let bad = f.engine.list_returns(
        &f.admin,
        &ReturnFilter {
            cursor: Some("x".into()),
            ..ReturnFilter::default()
        },
    );
    assert!(matches!(bad, Err(Error::Validation { .. })));
    f.check();
}

#[test]
fn the_return_transition_table_is_enforced_by_the_engine() {
    let f = fixture();
    let order = delivered(&f, &[("TEE", 2)], "JD0000000001");
    let id = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 1)]))
        .unwrap()
        .id();
    f.engine
        .refuse_return(&f.admin, id, "outside the 30 days")
        .unwrap();
    let refused = f.engine.get_return(&f.admin, id).unwrap();
    assert_eq!(refused.refusal_reason(), Some("outside the 30 days"));
    assert_eq!(
        f.engine.approve_return(&f.admin, id).unwrap_err().code(),
        "illegal_return_transition"
    );
    let statuses: Vec<ReturnStatus> = refused.history().iter().map(|(s, _)| *s).collect();
    assert_eq!(
        statuses,
        vec![ReturnStatus::Requested, ReturnStatus::Refused]
    );
    // No audit entry for the refused change; no notification for a refusal.
    assert_eq!(
        trail(&f, id),
        vec![AuditAction::ReturnOpened, AuditAction::ReturnRefused]
    );
    assert!(return_events(&f).is_empty());
}

#[test]
fn the_invariant_checker_sees_units_returned_twice_and_refunds_outside_the_ledger() {
    use crate::store::{Expected, Record, Store, WriteSet, keys};
    let f = fixture();
    let order = delivered(&f, &[("TEE", 2)], "JD0000000001");
    let first = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 2)]))
        .unwrap();
    f.check();
    // A second return of the same two units, written past the engine (it checks the
    // rule against no other return, as a buggy command would).
    let stored = f.engine.get_order(&f.admin, order).unwrap().value;
    let shipments = f.engine.order_shipments(&f.admin, order).unwrap();
    let twice = crate::returns::Return::open(
        ReturnId(9_001),
        &stored,
        &shipments,
        std::slice::from_ref(&first),
        &ask(&[("TEE", 2)]),
        Timestamp(1),
    );
    assert!(twice.is_err(), "the rule itself refuses it");
    let twice = crate::returns::Return::open(
        ReturnId(9_001),
        &stored,
        &shipments,
        &[],
        &ask(&[("TEE", 2)]),
        Timestamp(1),
    )
    .unwrap();
    let mut writes = WriteSet::new();
    // Number 2, as the engine would give the order's second return.
    let entries: Vec<_> = keys::return_entries(&twice)
        .into_iter()
        .map(|mut e| {
            if e.index == crate::store::IndexName::ReturnByOrder {
                e.key = keys::return_owner_prefix(order.0)
                    .into_iter()
                    .chain(2u64.to_be_bytes())
                    .collect();
            }
            e
        })
        .collect();
    writes.reindex(&[], &entries);
    writes.put(Record::Return(twice), Expected::Absent);
    f.store.apply(writes).unwrap();
    let broken = crate::testkit::invariants::check_store(f.store.as_ref()).unwrap_err();
    assert!(broken.contains("4 units of product"), "{broken}");
    assert!(broken.contains("returned, 2 delivered"), "{broken}");
}

#[test]
fn an_order_staff_marked_delivered_returns_every_unit_whatever_its_parcels_say() {
    let f = fixture();
    let order = f.order(&[("TEE", 2)]).unwrap().id();
    f.engine
        .advance_orders(&f.admin, &[order], OrderStatus::Packed)
        .unwrap();
    ship(&f, order, &[], "JD0000000009");
    // In transit: nothing delivered yet.
    let early = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 1)]))
        .unwrap_err();
    assert_eq!(early.code(), "returns_more_than_delivered");
    // The customer has it; staff say so before the carrier does.
    f.status(order, OrderStatus::Delivered).unwrap();
    let ret = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 2)]))
        .unwrap();
    assert_eq!(ret.units(), 2);
    f.check();
}

#[test]
fn an_exchange_ships_its_replacement_as_a_tracked_parcel_that_leaves_the_order_lines_alone() {
    let f = fixture();
    let order = f.order(&[("TEE", 2), ("MUG", 1)]).unwrap().id();
    f.engine
        .advance_orders(&f.admin, &[order], OrderStatus::Packed)
        .unwrap();
    // Two parcels: the TEEs arrive, the MUG is still on its way.
    ship(&f, order, &[("TEE", 2)], "JD0000000001");
    ship(&f, order, &[("MUG", 1)], "JD0000000002");
    deliver(&f, "JD0000000001");
    let status = |f: &Fixture| f.engine.get_order(&f.admin, order).unwrap().value.status();
    assert_eq!(status(&f), OrderStatus::Shipped);
    let id = received(&f, order, &[("TEE", 1)]);
    let request = |tracking: &str| ExchangeRequest {
        lines: vec![(sku("TEE"), 1)],
        warehouse: None,
        carrier: CarrierName::parse("dhl").unwrap(),
        tracking: TrackingNumber::parse(tracking).unwrap(),
    };
    // A tracking number a parcel already has is refused, and nothing changes.
    let taken = f
        .engine
        .exchange_return(&f.admin, id, &request("JD0000000002"))
        .unwrap_err();
    assert_eq!(taken.code(), "tracking_number_in_use");
    assert_eq!(
        f.engine.get_return(&f.admin, id).unwrap().status(),
        ReturnStatus::Received
    );
    assert_eq!(f.engine.order_shipments(&f.admin, order).unwrap().len(), 2);
    f.engine
        .exchange_return(&f.admin, id, &request("JD0000000003"))
        .unwrap();
    let parcels = f.engine.order_shipments(&f.admin, order).unwrap();
    assert_eq!(parcels.len(), 3);
    let replacement = &parcels[2];
    assert_eq!(replacement.number(), 3);
    assert_eq!(replacement.for_return(), Some(id));
    assert!(!replacement.ships_order_lines());
    assert_eq!(replacement.tracking().as_str(), "JD0000000003");
    assert_eq!(replacement.units(), 1);
    assert_eq!(replacement.status(), TrackingStatus::InTransit);
    assert!(parcels[..2].iter().all(|p| p.ships_order_lines()));
    f.check();

    // The courier webhook tracks it like any parcel: the customer hears "out for
    // delivery", and its delivery moves the parcel, not the order.
    let event = |status, at| TrackingEvent::new(Timestamp(at), status, "Depot").unwrap();
    let dhl = CarrierName::parse("dhl").unwrap();
    let number = TrackingNumber::parse("JD0000000003").unwrap();
    for (status, at) in [
        (TrackingStatus::OutForDelivery, 6_000),
        (TrackingStatus::Delivered, 7_000),
    ] {
        let tracked = f
            .engine
            .track_shipment(&Actor::system(), &dhl, &number, &event(status, at))
            .unwrap();
        let TrackingResult::Known {
            shipment,
            order_status,
            ..
        } = tracked
        else {
            panic!("the replacement parcel is known: {tracked:?}");
        };
        assert_eq!(shipment.status(), status);
        assert_eq!(
            order_status,
            OrderStatus::Shipped,
            "the MUG is not delivered"
        );
    }
    let heard = sample::deliveries(&f.engine)
        .into_iter()
        .filter(|d| {
            matches!(d.event(), DomainEvent::ShipmentOutForDelivery { tracking, .. }
                if tracking == "JD0000000003")
        })
        .count();
    assert!(
        heard >= 1,
        "the customer hears the replacement is out for delivery"
    );
    // The replacement's delivered TEE is not one more TEE of the order's lines: a second
    // return of two TEEs is more than the two delivered minus the one in a return.
    let second = f
        .engine
        .open_return(&f.admin, order, &ask(&[("TEE", 2)]))
        .unwrap_err();
    assert_eq!(second.code(), "returns_more_than_delivered");
    // The last delivered TEE comes back too and is exchanged; its replacement still on the
    // road does not hold the order back: the order's own last parcel delivers it.
    let last = received(&f, order, &[("TEE", 1)]);
    f.engine
        .exchange_return(&f.admin, last, &request("JD0000000004"))
        .unwrap();
    deliver(&f, "JD0000000002");
    assert_eq!(status(&f), OrderStatus::Delivered);
    let parcels = f.engine.order_shipments(&f.admin, order).unwrap();
    assert_eq!(parcels.len(), 4);
    assert_eq!(parcels[3].for_return(), Some(last));
    assert_eq!(parcels[3].status(), TrackingStatus::InTransit);
    f.check();
}
