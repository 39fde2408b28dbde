//! Shipments: partial shipping and stock, the new state in every rule, cancelling the
//! unshipped rest, tracking events (replayed, out of order), delivery, notifications.

use crate::audit::AuditAction;
use crate::auth::{Actor, Role};
use crate::catalog::Sku;
use crate::clock::Timestamp;
use crate::engine::tests::{Fixture, fixture};
use crate::engine::{PaymentRequest, ShipRequest, TrackingResult};
use crate::error::{Error, Refusal};
use crate::ids::{OrderId, UserId};
use crate::order::OrderStatus::{self, *};
use crate::outbox::DomainEvent;
use crate::payment::PaymentMethod;
use crate::shipment::{
    CarrierName, TrackingEvent, TrackingNumber, TrackingOutcome, TrackingStatus, Weight,
};
use crate::testkit::sample;

fn request(lines: &[(&str, u32)], tracking: &str) -> ShipRequest {
    ShipRequest {
        lines: lines
            .iter()
            .map(|(sku, q)| (Sku::parse(sku).unwrap(), *q))
            .collect(),
        carrier: CarrierName::parse("dhl").unwrap(),
        method: None,
        tracking: TrackingNumber::parse(tracking).unwrap(),
        weight: Some(Weight::parse_kg("1.2").unwrap()),
    }
}

fn packed(f: &Fixture, items: &[(&str, i64)]) -> OrderId {
    let order = f.order(items).unwrap().id();
    f.engine.advance_orders(&f.admin, &[order], Packed).unwrap();
    order
}

fn on_hand(f: &Fixture, sku: &str) -> (u64, u64) {
    let product = f.engine.product_by_sku(&f.admin, sku).unwrap();
    let stock = f.engine.stock_of(&f.admin, product.id()).unwrap();
    let main = stock
        .level(&crate::inventory::WarehouseCode::parse("MAIN").unwrap())
        .unwrap();
    (main.on_hand(), main.reserved())
}

fn track(f: &Fixture, tracking: &str, at: i64, status: TrackingStatus) -> TrackingResult {
    f.engine
        .track_shipment(
            &Actor::system(),
            &CarrierName::parse("dhl").unwrap(),
            &TrackingNumber::parse(tracking).unwrap(),
            &TrackingEvent::new(Timestamp(at), status, "Hub").unwrap(),
        )
        .unwrap()
}

fn shipment_events(f: &Fixture) -> Vec<DomainEvent> {
    sample::deliveries(&f.engine)
        .into_iter()
        .map(|d| d.event().clone())
        .filter(|e| {
            matches!(
                e,
                DomainEvent::ShipmentSent { .. } | DomainEvent::ShipmentOutForDelivery { .. }
            )
        })
        .collect()
}

#[test]
fn a_partial_shipment_consumes_its_units_and_the_rest_ships_later() {
    let f = fixture();
    let order = packed(&f, &[("TEE", 3), ("MUG", 2)]);
    assert_eq!(on_hand(&f, "TEE"), (10, 3));
    let first = f
        .engine
        .ship_order(&f.admin, order, &request(&[("tee", 2)], "JD0000000001"))
        .unwrap();
    assert_eq!((first.number(), first.units()), (1, 2));
    assert_eq!(first.status(), TrackingStatus::InTransit);
    // Two TEEs left the shelf; one is still reserved.
    assert_eq!(on_hand(&f, "TEE"), (8, 1));
    let stored = f.engine.get_order(&f.admin, order).unwrap().value;
    assert_eq!(stored.status(), PartiallyShipped);
    assert!(stored.status().holds_stock() && stored.status().is_open());
    f.check();

    // No lines: everything left.
    let second = f
        .engine
        .ship_order(&f.admin, order, &request(&[], "JD0000000002"))
        .unwrap();
    assert_eq!((second.number(), second.units()), (2, 3));
    assert_eq!(on_hand(&f, "TEE"), (7, 0));
    let stored = f.engine.get_order(&f.admin, order).unwrap().value;
    assert_eq!(stored.status(), Shipped);
    let walked: Vec<OrderStatus> = stored.status_history().iter().map(|(s, _)| *s).collect();
    assert_eq!(
        walked,
        vec![
            Draft,
            Placed,
            Confirmed,
            Picking,
            Packed,
            PartiallyShipped,
            Shipped
        ]
    );
    let shipments = f.engine.order_shipments(&f.admin, order).unwrap();
    assert_eq!(shipments, vec![first, second]);
    f.check();

    // The customer heard each parcel with its tracking number.
    let events = shipment_events(&f);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(
        &events[0],
        DomainEvent::ShipmentSent { tracking, complete: false, .. } if tracking == "JD0000000001"
    ));
    assert!(matches!(
        &events[1],
        DomainEvent::ShipmentSent { tracking, complete: true, .. } if tracking == "JD0000000002"
    ));
    let shipped_entries = f
        .engine
        .order_history(&f.admin, order)
        .unwrap()
        .iter()
        .filter(|e| e.record.action == AuditAction::OrderShipped)
        .count();
    assert_eq!(shipped_entries, 2);
}

#[test]
fn shipping_refuses_what_an_order_cannot_ship_and_changes_nothing() {
    let f = fixture();
    let placed = f.order(&[("TEE", 3)]).unwrap().id();
    let refused = f
        .engine
        .ship_order(&f.admin, placed, &request(&[], "JD0000000001"))
        .unwrap_err();
    assert_eq!(
        refused,
        Error::Refused(Refusal::NotShippable { status: Placed })
    );
    let order = packed(&f, &[("TEE", 3), ("MUG", 1)]);
    let too_many = f
        .engine
        .ship_order(&f.admin, order, &request(&[("TEE", 4)], "JD0000000001"))
        .unwrap_err();
    assert_eq!(
        too_many,
        Error::Refused(Refusal::ShipsMoreThanLeft {
            sku: "TEE".into(),
            requested: 4,
            left: 3
        })
    );
    let zero = f
        .engine
        .ship_order(&f.admin, order, &request(&[("TEE", 0)], "JD0000000001"))
        .unwrap_err();
    assert_eq!(zero, Error::Refused(Refusal::NothingToShip));
    let not_on_order =
        f.engine
            .ship_order(&f.admin, order, &request(&[("CAP", 1)], "JD0000000001"));
    assert!(matches!(not_on_order, Err(Error::NotFound { .. })));
    let twice = f.engine.ship_order(
        &f.admin,
        order,
        &request(&[("TEE", 1), ("TEE", 1)], "JD0000000001"),
    );
    assert!(matches!(twice, Err(Error::Validation { .. })), "{twice:?}");
    // Nothing moved.
    assert_eq!(on_hand(&f, "TEE"), (10, 6));
    assert!(
        f.engine
            .order_shipments(&f.admin, order)
            .unwrap()
            .is_empty()
    );

    f.engine
        .ship_order(&f.admin, order, &request(&[("TEE", 1)], "JD0000000001"))
        .unwrap();
    // One tracking number per carrier.
    let reused = f
        .engine
        .ship_order(&f.admin, order, &request(&[("TEE", 1)], "jd-0000000001"))
        .unwrap_err();
    assert_eq!(reused.code(), "tracking_number_in_use");
    // Partially shipped is reached only by shipping, and left only by shipping or
    // cancelling the rest.
    for to in [PartiallyShipped, Shipped] {
        let by_hand = f.status(order, to).unwrap_err();
        assert_eq!(by_hand.code(), "shipment_required", "{to}");
    }
    let by_batch = f.engine.advance_orders(&f.admin, &[order], Delivered);
    assert!(by_batch.is_err());
    let cancel = f.engine.cancel_order(&f.admin, order, "changed mind");
    assert!(
        matches!(cancel, Err(Error::IllegalTransition { .. })),
        "{cancel:?}"
    );
    assert_eq!(on_hand(&f, "TEE"), (9, 5));
    assert_eq!(f.engine.order_shipments(&f.admin, order).unwrap().len(), 1);
    f.check();
}

#[test]
fn the_new_state_is_in_every_rule() {
    let s = PartiallyShipped;
    assert!(!s.lines_editable());
    assert!(!s.address_editable());
    assert!(s.holds_stock());
    assert!(!s.archivable());
    assert!(s.is_open());
    assert!(s.accepts_payments());
    assert!(s.ships());
    assert_eq!(s.forward(), Some(Shipped));
    assert_eq!(Packed.forward(), Some(Shipped));
    assert_eq!(OrderStatus::parse("Partially-Shipped").unwrap(), s);

    let f = fixture();
    let order = packed(&f, &[("TEE", 3)]);
    f.engine
        .ship_order(&f.admin, order, &request(&[("TEE", 1)], "JD0000000001"))
        .unwrap();
    let add = f.engine.add_item(&f.admin, order, "MUG", 1);
    assert!(matches!(
        add,
        Err(Error::Refused(Refusal::ItemsLocked { .. }))
    ));
    let archive = f.engine.archive_order(&f.admin, order, "tidy");
    assert!(matches!(
        archive,
        Err(Error::Refused(Refusal::OrderNotArchivable { .. }))
    ));
    // Payments are still taken while the rest is on its way.
    f.engine
        .record_payment(
            &f.admin,
            order,
            &PaymentRequest {
                amount: sample::usd_cents(1000),
                method: PaymentMethod::Card,
                external_reference: "ext".into(),
                idempotency_key: None,
            },
        )
        .unwrap();
    let listed = f
        .engine
        .list_orders(
            &f.admin,
            &crate::engine::OrderFilter {
                status: Some(PartiallyShipped),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(listed.items.len(), 1);
}

#[test]
fn cancelling_the_unshipped_rest_releases_it_and_leaves_a_refund_due() {
    let f = fixture();
    let order = packed(&f, &[("TEE", 3), ("MUG", 2)]);
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
                method: PaymentMethod::Card,
                external_reference: "ext".into(),
                idempotency_key: None,
            },
        )
        .unwrap();
    let refused = f.engine.cancel_unshipped(&f.admin, order, "out of stock");
    assert_eq!(
        refused.unwrap_err(),
        Error::Refused(Refusal::NotPartiallyShipped { status: Packed })
    );
    f.engine
        .ship_order(&f.admin, order, &request(&[("TEE", 1)], "JD0000000001"))
        .unwrap();
    let done = f
        .engine
        .cancel_unshipped(&f.admin, order, "out of stock")
        .unwrap();
    assert_eq!(done.status(), Shipped);
    // One TEE shipped; the other two and both MUGs are back on the shelf.
    assert_eq!(on_hand(&f, "TEE"), (9, 0));
    assert_eq!(f.available("TEE", "MAIN"), 9);
    assert_eq!(f.available("MUG", "EAST"), 7);
    assert_eq!(done.lines().len(), 1);
    assert_eq!(done.lines()[0].quantity, 1);
    // 1 × 20.00 + 20 % tax + 5.00 shipping = 29.00; the rest of what was paid is due back.
    assert_eq!(done.totals().total, sample::usd_cents(2900));
    assert_eq!(
        done.refund_due().unwrap(),
        total.sub(&sample::usd_cents(2900)).unwrap()
    );
    f.check();
}

#[test]
fn tracking_moves_shipments_forward_only_and_delivers_the_order_when_all_are_delivered() {
    let f = fixture();
    let order = packed(&f, &[("TEE", 3)]);
    let first = f
        .engine
        .ship_order(&f.admin, order, &request(&[("TEE", 1)], "JD0000000001"))
        .unwrap();
    f.engine
        .ship_order(&f.admin, order, &request(&[], "JD0000000002"))
        .unwrap();
    let audit_count = || {
        f.engine
            .audit_trail(crate::audit::Subject::Shipment(first.id()))
            .unwrap()
            .len()
    };
    let order_versions = f.engine.get_order(&f.admin, order).unwrap().version;

    assert_eq!(
        track(&f, "UNKNOWN0001", 10, TrackingStatus::Delivered),
        TrackingResult::Unknown
    );
    let TrackingResult::Known { outcome, .. } =
        track(&f, "JD0000000001", 10, TrackingStatus::OutForDelivery)
    else {
        panic!("known")
    };
    assert_eq!(
        outcome,
        TrackingOutcome::Moved(TrackingStatus::InTransit, TrackingStatus::OutForDelivery)
    );
    let before = audit_count();
    assert_eq!(before, 1);
    // Tracking changes the shipment, not the order.
    assert_eq!(
        f.engine.get_order(&f.admin, order).unwrap().version,
        order_versions
    );
    // A replay: nothing written, nobody told again.
    let TrackingResult::Known { outcome, .. } =
        track(&f, "JD0000000001", 10, TrackingStatus::OutForDelivery)
    else {
        panic!("known")
    };
    assert_eq!(outcome, TrackingOutcome::Replayed);
    assert_eq!(audit_count(), before);
    // An older in-transit event arriving late is kept but moves nothing.
    let TrackingResult::Known {
        outcome, shipment, ..
    } = track(&f, "JD0000000001", 5, TrackingStatus::InTransit)
    else {
        panic!("known")
    };
    assert_eq!(outcome, TrackingOutcome::Recorded);
    assert_eq!(shipment.status(), TrackingStatus::OutForDelivery);
    assert_eq!(shipment.events().len(), 2);

    let TrackingResult::Known { order_status, .. } =
        track(&f, "JD0000000001", 20, TrackingStatus::Delivered)
    else {
        panic!("known")
    };
    // One of two parcels delivered: the order is not.
    assert_eq!(order_status, Shipped);
    let TrackingResult::Known { order_status, .. } =
        track(&f, "JD0000000002", 30, TrackingStatus::Delivered)
    else {
        panic!("known")
    };
    assert_eq!(order_status, Delivered);
    assert_eq!(
        f.engine.get_order(&f.admin, order).unwrap().value.status(),
        Delivered
    );
    let out_for_delivery = shipment_events(&f)
        .into_iter()
        .filter(|e| matches!(e, DomainEvent::ShipmentOutForDelivery { tracking, .. } if tracking == "JD0000000001"))
        .count();
    assert_eq!(out_for_delivery, 1);
    f.check();
}

#[test]
fn the_warehouse_ships_customers_read_their_own_shipments_only() {
    let f = fixture();
    let order = packed(&f, &[("TEE", 2)]);
    let customer = Actor::customer(f.consumer);
    let refused = f
        .engine
        .ship_order(&customer, order, &request(&[], "JD0000000001"));
    assert!(matches!(refused, Err(Error::Forbidden { .. })));
    let warehouse = Actor::staff(UserId(99), Role::Warehouse).unwrap();
    let shipment = f
        .engine
        .ship_order(&warehouse, order, &request(&[], "JD0000000001"))
        .unwrap();
    assert_eq!(
        f.engine.order_shipments(&customer, order).unwrap(),
        vec![shipment]
    );
    let stranger = Actor::customer(crate::ids::CustomerId(999));
    let hidden = f.engine.order_shipments(&stranger, order).unwrap_err();
    assert_eq!(
        hidden,
        Error::not_found(crate::error::EntityKind::Order, order)
    );
}

#[test]
fn a_parcel_without_a_weight_weighs_what_its_products_weigh_when_all_are_known() {
    let f = fixture();
    let mut tee = sample::product("TEE", 2000);
    tee.weight_kg = Some("0.25".into());
    f.engine.update_product(&f.admin, "TEE", tee).unwrap();
    let mut mug = sample::product("MUG", 850);
    mug.weight_kg = None;
    f.engine.update_product(&f.admin, "MUG", mug).unwrap();
    let order = packed(&f, &[("TEE", 3), ("MUG", 1)]);
    let unweighed = |lines: &[(&str, u32)], tracking: &str| ShipRequest {
        weight: None,
        ..request(lines, tracking)
    };

    let tees = f
        .engine
        .ship_order(&f.admin, order, &unweighed(&[("TEE", 2)], "TRK000001"))
        .unwrap();
    assert_eq!(tees.weight(), Some(Weight::from_grams(500).unwrap()));
    // The mug has no weight: the parcel's is unknown rather than too light.
    let rest = f
        .engine
        .ship_order(&f.admin, order, &unweighed(&[], "TRK000002"))
        .unwrap();
    assert_eq!(rest.weight(), None);
    assert_eq!(f.engine.order_shipments(&f.admin, order).unwrap().len(), 2);
    // A weight given by the warehouse wins.
    let order = packed(&f, &[("TEE", 1)]);
    let weighed = f
        .engine
        .ship_order(&f.admin, order, &request(&[], "TRK000003"))
        .unwrap();
    assert_eq!(weighed.weight(), Some(Weight::parse_kg("1.2").unwrap()));
}
