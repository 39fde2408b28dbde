//! The gateway flow against a fake Stripe-shaped server on 127.0.0.1: one charge however
//! often a timed-out call is retried, a decline records nothing, partial capture then
//! refund limits, a cancelled order's hold voided at the gateway, webhooks that update
//! the ledger once however often they arrive.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use ordo_core::auth::Actor;
use ordo_core::engine::{Engine, OrderRequest};
use ordo_core::error::Refusal;
use ordo_core::ids::OrderId;
use ordo_core::money::Money;
use ordo_core::payment::{LedgerEntryKind, PaymentStatus};
use ordo_core::store::MemoryStore;
use ordo_core::testkit::sample;
use ordo_payments::webhook::{self, EventChange, GatewayEvent};
use ordo_payments::{
    AuthorizeRequest, GatewayError, ManualGateway, OperationKey, PaymentError, PaymentGateway,
    Payments, RetryPolicy, SecretKey, StripeConfig, StripeGateway,
};
use support::fake_stripe::{FakeStripe, SECRET_KEY};

struct Shop {
    engine: Engine<Arc<MemoryStore>>,
    admin: Actor,
    order: OrderId,
}

/// One placed order of one TEE: 20 + 4 tax + 5 shipping = 29.00 USD.
fn shop() -> Shop {
    let (engine, _clock) = sample::engine(Arc::new(MemoryStore::new()), 7);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 2000))
        .unwrap();
    engine.restock(&admin, "TEE", "MAIN", 10, "in").unwrap();
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    let order = engine
        .create_order(&admin, &OrderRequest::simple(customer, &[("TEE", 1)]))
        .unwrap()
        .id();
    Shop {
        engine,
        admin,
        order,
    }
}

fn gateway(fake: &FakeStripe) -> StripeGateway {
    let mut config = StripeConfig::new(SecretKey::new(SECRET_KEY));
    config.base_url = fake.base_url();
    config.timeout = Duration::from_millis(300);
    StripeGateway::new(config).unwrap()
}

const RETRY: RetryPolicy = RetryPolicy {
    attempts_max: 4,
    backoff: Duration::from_millis(10),
};

fn usd(cents: i64) -> Money {
    sample::usd_cents(cents)
}

fn kinds(shop: &Shop) -> Vec<LedgerEntryKind> {
    let order = shop
        .engine
        .get_order(&shop.admin, shop.order)
        .unwrap()
        .value;
    order.ledger().iter().map(|e| e.kind).collect()
}

#[test]
fn timeouts_then_success_make_one_charge_and_one_ledger_entry() {
    let fake = FakeStripe::start();
    let stripe = gateway(&fake);
    let shop = shop();
    fake.answer_slowly(2); // the first two answers are lost to the client's timeout
    let payments = Payments::new(&shop.engine, &stripe, RETRY);
    let order = payments
        .authorize(&shop.admin, shop.order, usd(2900), "pm_card_visa")
        .unwrap();
    assert_eq!(fake.requests(), 3);
    assert_eq!(fake.charges(), 1, "three calls, one charge");
    let keys = fake.keys();
    assert!(keys.iter().all(|k| k == &keys[0]), "one key: {keys:?}");
    assert_eq!(keys[0], format!("ordo-{}-1", shop.order.get()));
    assert_eq!(order.payment_status().unwrap(), PaymentStatus::Authorized);
    assert_eq!(kinds(&shop), vec![LedgerEntryKind::Authorization]);
    assert_eq!(order.gateway_authorization(), Some(("stripe", "pi_1")));
}

#[test]
fn a_crash_between_the_gateway_and_the_ledger_is_completed_by_a_retry_with_the_same_key() {
    let fake = FakeStripe::start();
    let stripe = gateway(&fake);
    let shop = shop();
    // The first run reached the gateway and died before writing the ledger.
    let key = OperationKey::new(shop.order, 1);
    stripe
        .authorize(&AuthorizeRequest {
            order: shop.order,
            amount: usd(2900),
            payment_method: "pm_card_visa",
            key: &key,
        })
        .unwrap();
    assert!(kinds(&shop).is_empty());
    // The clerk runs the command again.
    let payments = Payments::new(&shop.engine, &stripe, RETRY);
    payments
        .authorize(&shop.admin, shop.order, usd(2900), "pm_card_visa")
        .unwrap();
    assert_eq!(fake.requests(), 2);
    assert_eq!(fake.charges(), 1);
    assert_eq!(kinds(&shop), vec![LedgerEntryKind::Authorization]);
}

#[test]
fn a_declined_card_is_a_clear_error_and_nothing_is_paid() {
    let fake = FakeStripe::start();
    let stripe = gateway(&fake);
    let shop = shop();
    let payments = Payments::new(&shop.engine, &stripe, RETRY);
    let error = payments
        .authorize(&shop.admin, shop.order, usd(2900), "pm_card_chargeDeclined")
        .unwrap_err();
    assert!(
        matches!(&error, PaymentError::Gateway(GatewayError::Declined { code, .. }) if code == "card_declined"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the card was declined (card_declined): Your card was declined."
    );
    assert_eq!(fake.requests(), 1, "a decline is not retried");
    assert_eq!(fake.charges(), 0);
    assert!(kinds(&shop).is_empty());
    let order = shop
        .engine
        .get_order(&shop.admin, shop.order)
        .unwrap()
        .value;
    assert_eq!(order.payment_status().unwrap(), PaymentStatus::Unpaid);
}

#[test]
fn a_partial_capture_releases_the_rest_and_refunds_stop_at_what_was_captured() {
    let fake = FakeStripe::start();
    let stripe = gateway(&fake);
    let shop = shop();
    let payments = Payments::new(&shop.engine, &stripe, RETRY);
    payments
        .authorize(&shop.admin, shop.order, usd(2900), "pm_card_visa")
        .unwrap();
    let order = payments
        .capture(&shop.admin, shop.order, usd(1000))
        .unwrap();
    use LedgerEntryKind::*;
    assert_eq!(kinds(&shop), vec![Authorization, Capture, Void]);
    assert_eq!(
        order.payment_status().unwrap(),
        PaymentStatus::PartiallyPaid
    );
    assert_eq!(fake.intent("pi_1").received, 1000);
    // Nothing is held any more: a second capture is refused before the gateway.
    let requests = fake.requests();
    assert!(matches!(
        payments
            .capture(&shop.admin, shop.order, usd(1))
            .unwrap_err(),
        PaymentError::Engine(ordo_core::Error::Refused(
            Refusal::CaptureExceedsAuthorized { .. }
        ))
    ));
    // A refund above the capture is refused before the gateway hears of it.
    assert!(matches!(
        payments
            .refund(&shop.admin, shop.order, usd(1001))
            .unwrap_err(),
        PaymentError::Engine(ordo_core::Error::Refused(Refusal::RefundExceedsPaid { .. }))
    ));
    assert_eq!(fake.requests(), requests);
    payments.refund(&shop.admin, shop.order, usd(600)).unwrap();
    let order = payments.refund(&shop.admin, shop.order, usd(400)).unwrap();
    assert_eq!(order.payment_status().unwrap(), PaymentStatus::Refunded);
    assert!(matches!(
        payments
            .refund(&shop.admin, shop.order, usd(1))
            .unwrap_err(),
        PaymentError::Engine(ordo_core::Error::Refused(Refusal::RefundExceedsPaid { .. }))
    ));
    assert_eq!((fake.charges(), fake.captures(), fake.refunds()), (1, 1, 2));
    assert_eq!(fake.intent("pi_1").refunded, 1000);
    assert_eq!(
        kinds(&shop),
        vec![Authorization, Capture, Void, Refund, Refund]
    );
}

#[test]
fn a_cancelled_orders_hold_is_a_void_due_until_the_gateway_releases_it() {
    let fake = FakeStripe::start();
    let stripe = gateway(&fake);
    let shop = shop();
    let payments = Payments::new(&shop.engine, &stripe, RETRY);
    payments
        .authorize(&shop.admin, shop.order, usd(2900), "pm_card_visa")
        .unwrap();
    let order = shop
        .engine
        .cancel_order(&shop.admin, shop.order, "out of stock")
        .unwrap();
    assert_eq!(order.void_due().unwrap(), usd(2900));
    assert_eq!(fake.voids(), 0, "cancelling does not call the gateway");
    let order = payments.void(&shop.admin, shop.order).unwrap();
    assert_eq!(fake.voids(), 1);
    assert_eq!(fake.intent("pi_1").status, "canceled");
    assert_eq!(order.void_due().unwrap(), usd(0));
    assert_eq!(
        kinds(&shop),
        vec![LedgerEntryKind::Authorization, LedgerEntryKind::Void]
    );
}

#[test]
fn the_manual_gateway_records_the_same_lifecycle_without_leaving_the_process() {
    let shop = shop();
    let manual = ManualGateway;
    let payments = Payments::new(&shop.engine, &manual, RETRY);
    payments
        .authorize(&shop.admin, shop.order, usd(2900), "")
        .unwrap();
    payments
        .capture(&shop.admin, shop.order, usd(2900))
        .unwrap();
    let order = payments.refund(&shop.admin, shop.order, usd(900)).unwrap();
    assert_eq!(
        order.payment_status().unwrap(),
        PaymentStatus::PartiallyRefunded
    );
    use LedgerEntryKind::*;
    assert_eq!(kinds(&shop), vec![Authorization, Capture, Refund]);
    assert!(
        order
            .ledger()
            .iter()
            .all(|e| e.external_reference.is_empty())
    );
}

#[test]
fn forbidden_actors_never_reach_the_gateway() {
    let fake = FakeStripe::start();
    let stripe = gateway(&fake);
    let shop = shop();
    let payments = Payments::new(&shop.engine, &stripe, RETRY);
    let guest = Actor::guest();
    assert!(matches!(
        payments
            .authorize(&guest, shop.order, usd(2900), "pm_card_visa")
            .unwrap_err(),
        PaymentError::Engine(ordo_core::Error::Forbidden { .. })
    ));
    assert_eq!(fake.requests(), 0);
}

fn event(id: &str, order: OrderId, change: EventChange) -> GatewayEvent {
    GatewayEvent {
        id: id.into(),
        order,
        payment_id: "pi_1".into(),
        change,
    }
}

#[test]
fn duplicate_webhooks_make_one_ledger_entry_each() {
    let fake = FakeStripe::start();
    let stripe = gateway(&fake);
    let shop = shop();
    let payments = Payments::new(&shop.engine, &stripe, RETRY);
    payments
        .authorize(&shop.admin, shop.order, usd(2900), "pm_card_visa")
        .unwrap();
    let apply = |e: &GatewayEvent| webhook::apply_event(&shop.engine, "stripe", e).unwrap();
    // The authorization the flow recorded is not recorded again by its event.
    let held = event("evt_1", shop.order, EventChange::Authorized(usd(2900)));
    assert_eq!(apply(&held), 0);
    // A capture made in the gateway's dashboard reaches the ledger once (then the rest
    // is released), however often the event is delivered.
    let succeeded = event("evt_2", shop.order, EventChange::Succeeded(usd(2000)));
    let recorded: Vec<usize> = (0..3).map(|_| apply(&succeeded)).collect();
    assert_eq!(recorded, vec![2, 0, 0]);
    let refunded = event("evt_3", shop.order, EventChange::Refunded(usd(500)));
    let recorded: Vec<usize> = (0..3).map(|_| apply(&refunded)).collect();
    assert_eq!(recorded, vec![1, 0, 0]);
    use LedgerEntryKind::*;
    assert_eq!(kinds(&shop), vec![Authorization, Capture, Void, Refund]);
    let order = shop
        .engine
        .get_order(&shop.admin, shop.order)
        .unwrap()
        .value;
    assert_eq!(order.ledger_sums().unwrap().paid, usd(2000));
    assert_eq!(order.ledger_sums().unwrap().refunded, usd(500));
}

#[test]
fn a_capture_event_for_an_authorization_the_ledger_missed_records_both_once() {
    let shop = shop();
    let succeeded = event("evt_5", shop.order, EventChange::Succeeded(usd(2900)));
    let recorded: Vec<usize> = (0..2)
        .map(|_| webhook::apply_event(&shop.engine, "stripe", &succeeded).unwrap())
        .collect();
    assert_eq!(recorded, vec![2, 0]);
    assert_eq!(
        kinds(&shop),
        vec![LedgerEntryKind::Authorization, LedgerEntryKind::Capture]
    );
}

#[test]
fn a_signed_event_body_round_trips_through_verification_and_parsing() {
    let shop = shop();
    let body = format!(
        r#"{{"id":"evt_7","type":"payment_intent.amount_capturable_updated","data":{{"object":
        {{"id":"pi_1","currency":"usd","amount_capturable":2900,"metadata":{{"ordo_order":"{}"}}}}}}}}"#,
        shop.order.get()
    );
    let now = 1_800_000_000;
    let header = webhook::signature_header(b"whsec_x", now, body.as_bytes());
    webhook::verify_signature(&header, body.as_bytes(), b"whsec_x", now, 300).unwrap();
    let parsed = webhook::parse_event(body.as_bytes()).unwrap().unwrap();
    assert_eq!(
        webhook::apply_event(&shop.engine, "stripe", &parsed).unwrap(),
        1
    );
    assert_eq!(
        webhook::apply_event(&shop.engine, "stripe", &parsed).unwrap(),
        0
    );
    assert_eq!(kinds(&shop), vec![LedgerEntryKind::Authorization]);
    assert!(
        webhook::verify_signature(&header, body.as_bytes(), b"whsec_x", now + 301, 300).is_err()
    );
}

#[test]
fn the_secret_key_stays_out_of_debug_output() {
    let fake = FakeStripe::start();
    let stripe = gateway(&fake);
    let shown = format!("{stripe:?}");
    assert!(!shown.contains(SECRET_KEY), "{shown}");
    assert!(shown.contains("<redacted>"));
}
