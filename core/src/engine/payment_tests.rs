//! The card lifecycle through the engine: authorize, capture (in parts), void, refund;
//! cancelling voids what the manual gateway holds and leaves a gateway's hold as a void
//! due; replays under one idempotency key record once; audit entries and events.

use crate::audit::AuditAction;
use crate::engine::{PaymentRequest, VoidRequest};
use crate::error::{Error, Refusal};
use crate::ids::OrderId;
use crate::order::Order;
use crate::outbox::DomainEvent;
use crate::payment::{LedgerEntryKind, PaymentMethod, PaymentStatus, gateway_reference};
use crate::testkit::sample;

use super::tests::{Fixture, fixture};

fn request(cents: i64, reference: &str, key: Option<&str>) -> PaymentRequest {
    PaymentRequest {
        amount: sample::usd_cents(cents),
        method: PaymentMethod::Card,
        external_reference: reference.into(),
        idempotency_key: key.map(str::to_string),
    }
}

fn void(reference: &str, key: Option<&str>) -> VoidRequest {
    VoidRequest {
        external_reference: reference.into(),
        idempotency_key: key.map(str::to_string),
    }
}

/// A placed order of one TEE: 20 + 4 tax + 5 shipping = 29.00.
fn placed(f: &Fixture) -> OrderId {
    f.order(&[("TEE", 1)]).unwrap().id()
}

fn kinds(order: &Order) -> Vec<LedgerEntryKind> {
    order.ledger().iter().map(|e| e.kind).collect()
}

#[test]
fn authorize_capture_in_parts_void_the_rest_then_refund_within_the_captures() {
    let f = fixture();
    let id = placed(&f);
    let e = &f.engine;
    let a = &f.admin;
    let o = e
        .authorize_payment(a, id, &request(2900, "", None))
        .unwrap();
    assert_eq!(o.payment_status().unwrap(), PaymentStatus::Authorized);
    // Nothing more may be authorized or paid by hand while the whole total is held.
    assert!(matches!(
        e.record_payment(a, id, &request(1, "", None)).unwrap_err(),
        Error::Refused(Refusal::PaymentExceedsBalance { .. })
    ));
    let o = e.capture_payment(a, id, &request(1000, "", None)).unwrap();
    assert_eq!(o.payment_status().unwrap(), PaymentStatus::PartiallyPaid);
    assert!(matches!(
        e.capture_payment(a, id, &request(1901, "", None))
            .unwrap_err(),
        Error::Refused(Refusal::CaptureExceedsAuthorized { .. })
    ));
    let o = e.void_authorization(a, id, &void("", None)).unwrap();
    assert_eq!(o.ledger().last().unwrap().amount, sample::usd_cents(1900));
    assert!(matches!(
        e.void_authorization(a, id, &void("", None)).unwrap_err(),
        Error::Refused(Refusal::NothingToVoid)
    ));
    assert!(matches!(
        e.capture_payment(a, id, &request(1, "", None)).unwrap_err(),
        Error::Refused(Refusal::CaptureExceedsAuthorized { .. })
    ));
    assert!(matches!(
        e.record_refund(a, id, &request(1001, "", None))
            .unwrap_err(),
        Error::Refused(Refusal::RefundExceedsPaid { .. })
    ));
    let o = e.record_refund(a, id, &request(400, "", None)).unwrap();
    assert_eq!(
        o.payment_status().unwrap(),
        PaymentStatus::PartiallyRefunded
    );
    let o = e.record_refund(a, id, &request(600, "", None)).unwrap();
    assert_eq!(o.payment_status().unwrap(), PaymentStatus::Refunded);
    use LedgerEntryKind::*;
    assert_eq!(
        kinds(&o),
        vec![Authorization, Capture, Void, Refund, Refund],
        "five operations succeeded, no more"
    );
    // One audit entry per operation, with its own action.
    let actions: Vec<AuditAction> = e
        .order_history(a, id)
        .unwrap()
        .into_iter()
        .map(|entry| entry.record.action)
        .filter(|action| {
            matches!(
                action,
                AuditAction::PaymentAuthorized
                    | AuditAction::PaymentCaptured
                    | AuditAction::AuthorizationVoided
                    | AuditAction::RefundRecorded
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            AuditAction::PaymentAuthorized,
            AuditAction::PaymentCaptured,
            AuditAction::AuthorizationVoided,
            AuditAction::RefundRecorded,
            AuditAction::RefundRecorded,
        ]
    );
    f.check();
}

#[test]
fn a_capture_tells_the_customer_of_a_payment_and_a_hold_tells_nothing() {
    let f = fixture();
    let id = placed(&f);
    let e = &f.engine;
    let before = sample::deliveries(&f.engine).len();
    e.authorize_payment(&f.admin, id, &request(2900, "", None))
        .unwrap();
    assert_eq!(sample::deliveries(&f.engine).len(), before);
    e.capture_payment(&f.admin, id, &request(2900, "", None))
        .unwrap();
    let deliveries = sample::deliveries(&f.engine);
    assert_eq!(deliveries.len(), before + 1);
    assert!(matches!(
        deliveries.last().unwrap().event(),
        DomainEvent::PaymentRecorded { amount, .. } if *amount == sample::usd_cents(2900)
    ));
}

#[test]
fn replays_under_one_key_record_once_and_a_different_content_is_refused() {
    let f = fixture();
    let id = placed(&f);
    let e = &f.engine;
    let a = &f.admin;
    for _ in 0..3 {
        e.authorize_payment(a, id, &request(2900, "", Some("auth-1")))
            .unwrap();
        e.capture_payment(a, id, &request(1500, "", Some("cap-1")))
            .unwrap();
        e.void_authorization(a, id, &void("", Some("void-1")))
            .unwrap();
    }
    let o = e.get_order(a, id).unwrap().value;
    use LedgerEntryKind::*;
    assert_eq!(kinds(&o), vec![Authorization, Capture, Void]);
    assert!(matches!(
        e.capture_payment(a, id, &request(1400, "", Some("cap-1")))
            .unwrap_err(),
        Error::IdempotencyMismatch { .. }
    ));
}

#[test]
fn cancelling_voids_a_manual_hold_in_the_same_write_set_and_keeps_a_refund_due() {
    let f = fixture();
    let id = placed(&f);
    let e = &f.engine;
    let a = &f.admin;
    e.authorize_payment(a, id, &request(2900, "", None))
        .unwrap();
    e.capture_payment(a, id, &request(1000, "", None)).unwrap();
    let audits_before = e.order_history(a, id).unwrap().len();
    let o = e
        .cancel_order(a, id, "customer changed their mind")
        .unwrap();
    use LedgerEntryKind::*;
    assert_eq!(kinds(&o), vec![Authorization, Capture, Void]);
    assert_eq!(o.ledger().last().unwrap().amount, sample::usd_cents(1900));
    assert_eq!(o.void_due().unwrap(), sample::usd_cents(0));
    assert_eq!(o.refund_due().unwrap(), sample::usd_cents(1000));
    // One mutation, one audit entry: the void is part of the cancellation.
    assert_eq!(e.order_history(a, id).unwrap().len(), audits_before + 1);
    f.check();
}

#[test]
fn cancelling_leaves_a_gateway_hold_as_a_void_due_until_the_gateway_voids_it() {
    let f = fixture();
    let id = placed(&f);
    let e = &f.engine;
    let a = &f.admin;
    let intent = gateway_reference("stripe", "pi_1");
    e.authorize_payment(a, id, &request(2900, &intent, Some("k1")))
        .unwrap();
    let o = e.cancel_order(a, id, "out of stock").unwrap();
    assert_eq!(kinds(&o), vec![LedgerEntryKind::Authorization]);
    assert_eq!(o.void_due().unwrap(), sample::usd_cents(2900));
    assert_eq!(o.gateway_authorization(), Some(("stripe", "pi_1")));
    // No capture on a cancelled order; the void the gateway worker records is taken.
    assert!(matches!(
        e.capture_payment(a, id, &request(100, &intent, None))
            .unwrap_err(),
        Error::Refused(Refusal::PaymentsNotAccepted { .. })
    ));
    let o = e
        .void_authorization(a, id, &void(&intent, Some("k2")))
        .unwrap();
    assert_eq!(o.void_due().unwrap(), sample::usd_cents(0));
    assert_eq!(o.payment_status().unwrap(), PaymentStatus::Unpaid);
    f.check();
}

#[test]
fn customers_and_warehouse_staff_may_not_take_card_payments() {
    let f = fixture();
    let id = placed(&f);
    let customer = crate::auth::Actor::customer(f.consumer);
    assert!(matches!(
        f.engine
            .authorize_payment(&customer, id, &request(100, "", None))
            .unwrap_err(),
        Error::Forbidden { .. }
    ));
    let o = f.engine.get_order(&f.admin, id).unwrap().value;
    assert!(o.ledger().is_empty());
}
