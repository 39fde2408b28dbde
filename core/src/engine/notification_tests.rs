//! Notification deliveries end to end on the in-memory store: the fan-out in the same write
//! set, claims with leases (two dispatchers never hold one delivery), retries, dead
//! letters, opt-outs, provider callbacks; and the phone channel's privacy rule.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use crate::auth::Actor;
use crate::customer::Phone;
use crate::delivery::{CarrierStatus, DeliveryChannel, DeliveryStatus, Recipient, SendOutcome};
use crate::engine::tests::{Fixture, fixture};
use crate::error::{Error, Refusal};
use crate::ids::OrderReference;
use crate::order::OrderStatus;
use crate::testkit::sample;

fn system() -> Actor {
    Actor::system()
}

fn phone_of(f: &Fixture) -> Phone {
    f.engine
        .get_customer(&f.admin, f.consumer)
        .unwrap()
        .phone()
        .clone()
}

fn retry_soon() -> SendOutcome {
    SendOutcome::Retry {
        error: "HTTP 503".into(),
        retry_after_ms: 1_000,
    }
}

#[test]
fn an_order_event_fans_out_in_the_same_write_set_and_a_refusal_writes_none() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap();
    let deliveries = sample::deliveries(&f.engine);
    assert_eq!(deliveries.len(), 1);
    let placed = &deliveries[0];
    assert_eq!(placed.event().kind(), "order placed");
    assert_eq!(placed.reference(), order.reference());
    assert_eq!(placed.recipient(), &Recipient::Phone(phone_of(&f)));
    assert_eq!(placed.status(), DeliveryStatus::Pending);
    // A refused command (an illegal transition) leaves no delivery behind.
    assert!(f.status(order.id(), OrderStatus::Delivered).is_err());
    assert_eq!(sample::deliveries(&f.engine).len(), 1);
    // A status change carries the reference it was not raised with.
    f.status(order.id(), OrderStatus::Confirmed).unwrap();
    let all = sample::deliveries(&f.engine);
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].reference(), order.reference());
    f.check();
}

#[test]
fn a_subscribed_phone_hears_every_status_change_and_a_muted_customer_phone_none() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap();
    let reference = order.reference().unwrap().clone();
    let own = phone_of(&f);
    f.engine
        .watch_order(&system(), &own, &reference, false)
        .unwrap();
    let before = sample::deliveries(&f.engine).len();
    f.status(order.id(), OrderStatus::Confirmed).unwrap();
    assert_eq!(sample::deliveries(&f.engine).len(), before, "muted");
    f.engine
        .watch_order(&system(), &own, &reference, true)
        .unwrap();
    f.status(order.id(), OrderStatus::Picking).unwrap();
    let all = sample::deliveries(&f.engine);
    assert_eq!(all.len(), before + 1, "subscribed again: one text, not two");
    assert_eq!(all[before].recipient(), &Recipient::Phone(own));
}

#[test]
fn the_phone_channel_tells_an_order_only_to_its_customers_phone() {
    let f = fixture();
    let order = f.order(&[("TEE", 1)]).unwrap();
    let reference = order.reference().unwrap().clone();
    let stranger = Phone::parse("+15559990000").unwrap();
    let other_customer = f
        .engine
        .get_customer(&f.admin, crate::ids::CustomerId(f.consumer.0 + 1))
        .unwrap()
        .phone()
        .clone();
    let missing = OrderReference::parse("ORD-0000-0000")
        .or_else(|_| OrderReference::parse(&fake_reference()))
        .unwrap();
    let seen = f
        .engine
        .track_by_phone(
            &system(),
            &phone_of(&f),
            &[reference.clone(), missing.clone()],
        )
        .unwrap();
    assert_eq!(seen[0].1.as_ref().map(|o| o.id()), Some(order.id()));
    assert!(seen[1].1.is_none());
    for phone in [&stranger, &other_customer] {
        let seen = f
            .engine
            .track_by_phone(&system(), phone, std::slice::from_ref(&reference))
            .unwrap();
        assert!(seen[0].1.is_none(), "{phone} saw the order");
        // Subscribing reads exactly like a reference that does not exist.
        let foreign = f
            .engine
            .watch_order(&system(), phone, &reference, true)
            .unwrap_err()
            .to_string();
        let unknown = f
            .engine
            .watch_order(&system(), &phone_of(&f), &missing, true)
            .unwrap_err()
            .to_string()
            .replace(&missing.to_string(), &reference.to_string());
        assert_eq!(foreign, unknown);
        assert!(
            f.engine
                .open_orders_by_phone(&system(), phone, 10)
                .unwrap()
                .iter()
                .all(|o| o.customer() != f.consumer)
        );
    }
    assert_eq!(
        f.engine
            .open_orders_by_phone(&system(), &phone_of(&f), 10)
            .unwrap()
            .len(),
        1
    );
}

/// A reference with a valid check character that no order has.
fn fake_reference() -> String {
    let random = crate::random::SeededRandom::from_seed([9; 32]);
    OrderReference::generate(&random).to_string()
}

#[test]
fn two_dispatchers_claiming_at_once_never_hold_the_same_delivery() {
    let f = fixture();
    for _ in 0..10 {
        f.order(&[("TEE", 1)]).unwrap();
    }
    let engine = Arc::new(f.engine);
    let barrier = Arc::new(Barrier::new(2));
    let threads: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|owner| {
            let engine = engine.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let mut mine = Vec::new();
                for _ in 0..20 {
                    let claimed = engine
                        .claim_deliveries(&Actor::system(), DeliveryChannel::Sms, owner, 1)
                        .unwrap();
                    mine.extend(claimed.iter().map(|d| d.id().0));
                }
                mine
            })
        })
        .collect();
    let claims: Vec<Vec<u64>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let all: Vec<u64> = claims.iter().flatten().copied().collect();
    let unique: BTreeSet<u64> = all.iter().copied().collect();
    assert_eq!(all.len(), 10, "every delivery claimed once: {claims:?}");
    assert_eq!(unique.len(), 10);
}

#[test]
fn a_lapsed_lease_is_taken_over_and_the_first_dispatcher_can_no_longer_report() {
    let f = fixture();
    f.order(&[("TEE", 1)]).unwrap();
    let a = f
        .engine
        .claim_deliveries(&system(), DeliveryChannel::Sms, "a", 10)
        .unwrap();
    assert_eq!(a.len(), 1);
    // While the lease lasts nobody else gets it.
    assert!(
        f.engine
            .claim_deliveries(&system(), DeliveryChannel::Sms, "b", 10)
            .unwrap()
            .is_empty()
    );
    f.clock.advance(f.engine.config().delivery_lease_ms);
    let b = f
        .engine
        .claim_deliveries(&system(), DeliveryChannel::Sms, "b", 10)
        .unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].attempts(), 2);
    let sent = SendOutcome::Sent {
        provider_id: Some("SM1".into()),
    };
    assert!(matches!(
        f.engine
            .finish_delivery(&system(), a[0].id(), "a", a[0].attempts(), &sent),
        Err(Error::Refused(Refusal::DeliveryNotHeld { .. }))
    ));
    let done = f
        .engine
        .finish_delivery(&system(), b[0].id(), "b", b[0].attempts(), &sent)
        .unwrap();
    assert_eq!(done.status(), DeliveryStatus::Sent);
    // Out-of-order callbacks never move the provider's status back.
    f.engine
        .carrier_report(&system(), "SM1", CarrierStatus::Delivered)
        .unwrap();
    let after = f
        .engine
        .carrier_report(&system(), "SM1", CarrierStatus::Sent)
        .unwrap();
    assert_eq!(after.carrier_status(), Some(CarrierStatus::Delivered));
    assert!(matches!(
        f.engine
            .carrier_report(&system(), "SM-unknown", CarrierStatus::Sent),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn retryable_failures_wait_die_after_the_last_attempt_and_staff_can_retry() {
    let f = fixture();
    f.order(&[("TEE", 1)]).unwrap();
    let max = f.engine.config().delivery_max_attempts;
    for attempt in 1..=max {
        let claimed = f
            .engine
            .claim_deliveries(&system(), DeliveryChannel::Sms, "a", 10)
            .unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        let d = &claimed[0];
        let after = f
            .engine
            .finish_delivery(&system(), d.id(), "a", d.attempts(), &retry_soon())
            .unwrap();
        if attempt < max {
            assert_eq!(after.status(), DeliveryStatus::Failed);
            // Not due before its retry time.
            assert!(
                f.engine
                    .claim_deliveries(&system(), DeliveryChannel::Sms, "a", 10)
                    .unwrap()
                    .is_empty()
            );
            f.clock.advance(1_000);
        } else {
            assert_eq!(after.status(), DeliveryStatus::Dead);
        }
    }
    f.clock.advance(3_600_000);
    assert!(
        f.engine
            .claim_deliveries(&system(), DeliveryChannel::Sms, "a", 10)
            .unwrap()
            .is_empty(),
        "a dead delivery is never claimed"
    );
    let dead = sample::deliveries(&f.engine).remove(0);
    let page = f
        .engine
        .list_deliveries(&f.admin, super::DeliveryFilter::Problems, None, 10)
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let again = f.engine.retry_delivery(&f.admin, dead.id()).unwrap();
    assert_eq!(
        (again.status(), again.attempts()),
        (DeliveryStatus::Pending, 0)
    );
    assert!(matches!(
        f.engine.retry_delivery(&f.admin, dead.id()),
        Err(Error::Refused(Refusal::DeliveryNotRetryable { .. }))
    ));
    assert_eq!(
        f.engine
            .claim_deliveries(&system(), DeliveryChannel::Sms, "a", 10)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn nothing_is_claimed_for_a_phone_that_opted_out_until_it_opts_back_in() {
    let f = fixture();
    let own = phone_of(&f);
    assert!(f.engine.set_phone_opt_out(&system(), &own, true).unwrap());
    assert!(!f.engine.set_phone_opt_out(&system(), &own, true).unwrap());
    f.order(&[("TEE", 1)]).unwrap();
    assert!(
        f.engine
            .claim_deliveries(&system(), DeliveryChannel::Sms, "a", 10)
            .unwrap()
            .is_empty()
    );
    let dead = sample::deliveries(&f.engine).remove(0);
    assert_eq!(dead.status(), DeliveryStatus::Dead);
    assert!(dead.last_error().unwrap().contains("opted out"));
    assert!(f.engine.set_phone_opt_out(&system(), &own, false).unwrap());
    assert!(!f.engine.phone_opted_out(&system(), &own).unwrap());
    f.order(&[("TEE", 1)]).unwrap();
    assert_eq!(
        f.engine
            .claim_deliveries(&system(), DeliveryChannel::Sms, "a", 10)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn deliveries_marked_sent_by_hand_leave_the_queue_in_one_write() {
    let f = fixture();
    f.order(&[("TEE", 1)]).unwrap();
    f.order(&[("TEE", 1)]).unwrap();
    let ids: Vec<_> = sample::deliveries(&f.engine)
        .iter()
        .map(|d| d.id())
        .collect();
    let unknown = crate::ids::DeliveryId(999_999);
    assert!(matches!(
        f.engine
            .acknowledge_deliveries(&f.admin, &[ids[0], unknown]),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        f.engine
            .list_deliveries(&f.admin, super::DeliveryFilter::Unsent, None, 10)
            .unwrap()
            .items
            .len(),
        2,
        "nothing was marked"
    );
    assert_eq!(f.engine.acknowledge_deliveries(&f.admin, &ids).unwrap(), 2);
    assert_eq!(f.engine.acknowledge_deliveries(&f.admin, &ids).unwrap(), 0);
    assert!(
        f.engine
            .claim_deliveries(&system(), DeliveryChannel::Sms, "a", 10)
            .unwrap()
            .is_empty()
    );
}
