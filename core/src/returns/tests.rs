//! The rules of returns as pure functions: THE transition table, what may come back
//! (delivered units, over all returns), what a refund may be, inspections.

use super::*;
use crate::engine::{ShipRequest, TrackingResult};
use crate::money::Currency;
use crate::order::OrderLine;
use crate::pricing::LineAmounts;
use crate::shipment::TrackingEvent;
use crate::testkit::sample;
use ReturnStatus::*;

fn eur(cents: i64) -> Money {
    Money::new(Decimal::new(cents, 2), Currency::EUR).unwrap()
}

fn line(quantity: u32, total: i64, discount: i64, tax: i64) -> OrderLine {
    OrderLine {
        product: ProductId(1),
        sku: Sku::parse("TEE").unwrap(),
        name: "Tee".into(),
        unit_price: eur(total / i64::from(quantity.max(1))),
        tax_rate: Decimal::new(20, 2),
        quantity,
        warehouse: None,
        reserved: 0,
        backordered: 0,
        amounts: LineAmounts {
            total: eur(total),
            discount: eur(discount),
            tax: eur(tax),
        },
    }
}

fn ask(sku: &str, quantity: u32) -> ReturnRequestLine {
    ReturnRequestLine {
        sku: Sku::parse(sku).unwrap(),
        quantity,
        reason: "too small".into(),
    }
}

/// An order of 3 TEE and 1 MUG from the engine: TEE ×2 shipped and delivered, MUG
/// shipped and in transit, one TEE left to ship. Its order and shipments.
fn partly_delivered() -> (Order, Vec<Shipment>) {
    let store = std::sync::Arc::new(crate::store::MemoryStore::new());
    let (engine, _clock) = sample::engine(store, 7);
    let admin = sample::admin();
    for (sku, cents) in [("TEE", 2000), ("MUG", 850)] {
        engine
            .create_product(&admin, sample::product(sku, cents))
            .unwrap();
        engine.restock(&admin, sku, "MAIN", 10, "count").unwrap();
    }
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    let order = engine
        .create_order(
            &admin,
            &crate::engine::OrderRequest::simple(customer, &[("TEE", 3), ("MUG", 1)]),
        )
        .unwrap()
        .id();
    engine
        .advance_orders(&admin, &[order], OrderStatus::Packed)
        .unwrap();
    for (sku, quantity, tracking) in [("TEE", 2, "JD0000000001"), ("MUG", 1, "JD0000000002")] {
        engine
            .ship_order(
                &admin,
                order,
                &ShipRequest {
                    lines: vec![(Sku::parse(sku).unwrap(), quantity)],
                    carrier: CarrierName::parse("dhl").unwrap(),
                    method: None,
                    tracking: TrackingNumber::parse(tracking).unwrap(),
                    weight: None,
                },
            )
            .unwrap();
    }
    let delivered = engine
        .track_shipment(
            &crate::auth::Actor::system(),
            &CarrierName::parse("dhl").unwrap(),
            &TrackingNumber::parse("JD0000000001").unwrap(),
            &TrackingEvent::new(Timestamp(9), TrackingStatus::Delivered, "").unwrap(),
        )
        .unwrap();
    assert!(matches!(delivered, TrackingResult::Known { .. }));
    let shipments = engine.order_shipments(&admin, order).unwrap();
    let order = engine.get_order(&admin, order).unwrap().value;
    (order, shipments)
}

#[test]
fn the_return_table_is_exactly_the_documented_one() {
    let allowed: Vec<(ReturnStatus, ReturnStatus)> = ALL_RETURN_STATUSES
        .iter()
        .flat_map(|a| ALL_RETURN_STATUSES.iter().map(move |b| (*a, *b)))
        .filter(|(a, b)| a.transition(*b).is_ok())
        .collect();
    assert_eq!(
        allowed,
        vec![
            (Requested, Approved),
            (Requested, Refused),
            (Approved, Received),
            (Received, Refunded),
            (Received, Exchanged),
        ]
    );
    let err = Refunded.transition(Approved).unwrap_err();
    assert_eq!(err.code(), "illegal_return_transition");
    assert_eq!(
        err.to_string(),
        "a refunded return cannot become approved (it is final)"
    );
    assert_eq!(
        Requested.transition(Received).unwrap_err().to_string(),
        "a requested return cannot become received (it may become approved or refused)"
    );
    for s in ALL_RETURN_STATUSES {
        assert_eq!(ReturnStatus::parse(&s.name().to_uppercase()).unwrap(), s);
        assert_eq!(s.counts_units(), s != Refused);
    }
    assert_eq!(ReturnStatus::parse("open").unwrap(), Requested);
    assert!(ReturnStatus::parse("lost").is_err());
    let codes: std::collections::BTreeSet<u8> =
        ALL_RETURN_STATUSES.iter().map(|s| s.code()).collect();
    assert_eq!(codes.len(), ALL_RETURN_STATUSES.len());
}

#[test]
fn what_units_were_paid_is_their_share_of_the_line_rounded_down() {
    // 3 units, 60.00 − 6.00 discount + 10.80 tax = 64.80 → 21.60 a unit.
    let l = line(3, 6000, 600, 1080);
    assert_eq!(paid_for_units(&l, 1).unwrap(), eur(2160));
    assert_eq!(paid_for_units(&l, 3).unwrap(), eur(6480));
    // 10.00 over 3 units: 3.33 each (down), 10.00 for all three.
    let odd = line(3, 1000, 0, 0);
    assert_eq!(paid_for_units(&odd, 1).unwrap(), eur(333));
    assert_eq!(paid_for_units(&odd, 2).unwrap(), eur(666));
    assert_eq!(paid_for_units(&odd, 3).unwrap(), eur(1000));
    assert!(paid_for_units(&line(0, 0, 0, 0), 1).is_err());
}

proptest::proptest! {
    /// However a line's units are split over returns, their limits add up to at most
    /// what the line was paid.
    #[test]
    fn limits_of_a_split_never_exceed_the_line(
        quantity in 1u32..50,
        cents in 1i64..1_000_000,
        cuts in proptest::collection::vec(1u32..50, 1..10),
    ) {
        let l = line(quantity, cents, 0, 0);
        let mut left = quantity;
        let mut sum = eur(0);
        for cut in cuts {
            let n = cut.min(left);
            if n == 0 {
                break;
            }
            sum = sum.add(&paid_for_units(&l, n).unwrap()).unwrap();
            left -= n;
        }
        proptest::prop_assert!(sum <= eur(cents));
    }
}

#[test]
fn only_delivered_units_come_back_over_all_returns() {
    let (order, shipments) = partly_delivered();
    assert_eq!(order.status(), OrderStatus::PartiallyShipped);
    let units = returnable_units(&order, &shipments, &[]);
    let delivered: Vec<u32> = units.iter().map(|u| u.delivered).collect();
    assert_eq!(delivered, vec![2, 0], "TEE ×2 delivered, MUG in transit");
    let first = Return::open(
        ReturnId(1),
        &order,
        &shipments,
        &[],
        &[ask("TEE", 2)],
        Timestamp(10),
    )
    .unwrap();
    assert_eq!(first.number(), 1);
    assert_eq!(first.invariant_violation(), None);
    let more = Return::open(
        ReturnId(2),
        &order,
        &shipments,
        std::slice::from_ref(&first),
        &[ask("TEE", 1)],
        Timestamp(11),
    )
    .unwrap_err();
    assert_eq!(more.code(), "returns_more_than_delivered");
    let mug = Return::open(
        ReturnId(2),
        &order,
        &shipments,
        &[],
        &[ask("MUG", 1)],
        Timestamp(11),
    )
    .unwrap_err();
    assert_eq!(mug.code(), "returns_more_than_delivered");
    // A refused return's units count no more.
    let mut refused = first.clone();
    refused.refuse("worn", Timestamp(12)).unwrap();
    let again = Return::open(
        ReturnId(3),
        &order,
        &shipments,
        std::slice::from_ref(&refused),
        &[ask("TEE", 2)],
        Timestamp(13),
    )
    .unwrap();
    assert_eq!(
        again.number(),
        2,
        "numbered after every return of the order"
    );
}

#[test]
fn a_return_moves_through_inspection_to_a_refund_within_its_limit() {
    let (order, shipments) = partly_delivered();
    let mut ret = Return::open(
        ReturnId(1),
        &order,
        &shipments,
        &[],
        &[ask("TEE", 2)],
        Timestamp(10),
    )
    .unwrap();
    let limit = ret.refund_limit();
    assert!(!limit.is_zero());
    let tee = Sku::parse("TEE").unwrap();
    let main = WarehouseCode::parse("MAIN").unwrap();
    ret.approve(Timestamp(11)).unwrap();
    // One unit short, then a unit of a SKU not on the return: refused, nothing kept.
    assert!(
        ret.receive(
            &[(
                tee.clone(),
                1,
                Inspection::Restocked {
                    warehouse: main.clone()
                }
            )],
            Timestamp(12)
        )
        .is_err()
    );
    assert!(ret.inspections().is_empty());
    ret.receive(
        &[
            (
                tee.clone(),
                1,
                Inspection::Restocked {
                    warehouse: main.clone(),
                },
            ),
            (
                tee.clone(),
                1,
                Inspection::WrittenOff {
                    reason: "stained".into(),
                },
            ),
        ],
        Timestamp(12),
    )
    .unwrap();
    assert_eq!((ret.restocked_units(), ret.written_off_units()), (1, 1));
    let cent = Money::new(Decimal::new(1, 2), limit.currency()).unwrap();
    let over = ret
        .refund(limit.add(&cent).unwrap(), Timestamp(13))
        .unwrap_err();
    assert_eq!(over.code(), "refund_exceeds_return");
    assert!(
        ret.refund(Money::zero(limit.currency()), Timestamp(13))
            .is_err()
    );
    assert_eq!(
        ret.refund(eur(100), Timestamp(13)).unwrap_err().code(),
        "currency_mismatch"
    );
    ret.refund(limit, Timestamp(13)).unwrap();
    assert_eq!(ret.status(), Refunded);
    assert_eq!(ret.refunded(), Some(limit));
    assert_eq!(ret.invariant_violation(), None);
    let walked: Vec<ReturnStatus> = ret.history().iter().map(|(s, _)| *s).collect();
    assert_eq!(walked, vec![Requested, Approved, Received, Refunded]);
}

#[test]
fn an_order_that_has_not_shipped_takes_no_return() {
    let (order, _) = partly_delivered();
    // An order without delivered shipments and not delivered has nothing to give back.
    let units = returnable_units(&order, &[], &[]);
    assert!(units.iter().all(|u| u.delivered == 0));
}
