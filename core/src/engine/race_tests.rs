//! Races, staged deterministically: a change that lands between a command's reads and its
//! write (write skew), and a command that finds it lost a race itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use rust_decimal_macros::dec;

use crate::auth::{Actor, Role};
use crate::catalog::TaxCategory;
use crate::engine::{Engine, OrderRequest, PaymentRequest};
use crate::error::{Error, Refusal};
use crate::payment::PaymentMethod;
use crate::pricing::PricingChange;
use crate::store::{MemoryStore, Store};
use crate::testkit::wrappers::RaceOnApply;
use crate::testkit::{invariants, sample};

type Racing = Arc<RaceOnApply<Arc<MemoryStore>>>;

/// A store whose next apply can be raced, an engine on it, TEE at 20.00 (10 in MAIN) and a
/// consumer.
fn racing_shop() -> (Racing, Engine<Racing>, crate::ids::CustomerId) {
    let store = Arc::new(RaceOnApply::new(Arc::new(MemoryStore::new())));
    let (engine, _clock) = sample::engine(store.clone(), 42);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 2000))
        .unwrap();
    engine
        .restock(&admin, "TEE", "MAIN", 10, "initial count")
        .unwrap();
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    (store, engine, customer)
}

/// Another process's engine on the same data.
fn elsewhere(inner: &Arc<MemoryStore>) -> Engine<Arc<MemoryStore>> {
    sample::engine(inner.clone(), 7).0
}

/// Regression (issue 8, write skew): the products read while pricing an order were never
/// version-checked, so a price change that landed between the read and the write was
/// missed and the order was committed at the old price.
#[test]
fn a_price_change_during_create_order_makes_it_retry_at_the_new_price() {
    let (store, engine, customer) = racing_shop();
    store.arm(|inner| {
        elsewhere(inner)
            .update_product(&sample::admin(), "TEE", sample::product("TEE", 2500))
            .unwrap();
    });
    let before = store.applies();
    let order = engine
        .create_order(
            &sample::admin(),
            &OrderRequest::simple(customer, &[("TEE", 2)]),
        )
        .unwrap();
    assert!(store.raced());
    // The first write set was refused (its product read was stale), the retry applied.
    assert_eq!(store.applies() - before, 2);
    assert_eq!(order.lines()[0].unit_price, sample::usd_cents(2500));
    assert_eq!(order.totals().subtotal, sample::usd_cents(5000));
    assert_eq!(
        invariants::all_orders(store.inner().as_ref())
            .unwrap()
            .len(),
        1
    );
    invariants::check_store(store.inner().as_ref()).unwrap();
}

/// A product taken off sale while an order for it is being priced: the order is refused,
/// not committed.
#[test]
fn a_product_deactivated_during_create_order_is_not_sold() {
    let (store, engine, customer) = racing_shop();
    let before = store.applies();
    store.arm(|inner| {
        let mut inactive = sample::product("TEE", 2000);
        inactive.active = false;
        elsewhere(inner)
            .update_product(&sample::admin(), "TEE", inactive)
            .unwrap();
    });
    let refused = engine
        .create_order(
            &sample::admin(),
            &OrderRequest::simple(customer, &[("TEE", 1)]),
        )
        .unwrap_err();
    assert_eq!(
        refused,
        Error::Refused(Refusal::ProductNotForSale { sku: "TEE".into() })
    );
    assert_eq!(refused.to_string(), "TEE is not available for sale");
    // One write set, refused; the retry refused the order before writing anything.
    assert_eq!(store.applies() - before, 1);
    assert!(
        invariants::all_orders(store.inner().as_ref())
            .unwrap()
            .is_empty()
    );
    invariants::check_store(store.inner().as_ref()).unwrap();
}

/// A customer who becomes a business (wholesale prices) while their order is priced gets
/// the price of what they are when the order is written.
#[test]
fn a_customer_change_during_create_order_is_seen() {
    let (store, engine, customer) = racing_shop();
    store.arm(move |inner| {
        let mut business = sample::customer(1);
        business.business = Some(("Acme Ltd".into(), "GB123".into()));
        elsewhere(inner)
            .update_customer(&sample::admin(), customer, &business)
            .unwrap();
    });
    let before = store.applies();
    let order = engine
        .create_order(
            &sample::admin(),
            &OrderRequest::simple(customer, &[("TEE", 1)]),
        )
        .unwrap();
    assert_eq!(store.applies() - before, 2);
    // Wholesale from one unit: 80 % of 20.00.
    assert_eq!(order.lines()[0].unit_price, sample::usd_cents(1600));
    invariants::check_store(store.inner().as_ref()).unwrap();
}

/// Pricing settings changed while an order is priced: the order uses the new tax rate.
#[test]
fn a_tax_rate_change_during_create_order_is_seen() {
    let (store, engine, customer) = racing_shop();
    store.arm(|inner| {
        elsewhere(inner)
            .change_pricing_settings(
                &sample::admin(),
                &[PricingChange::TaxRate {
                    category: TaxCategory::Standard,
                    rate: dec!(0.25),
                }],
            )
            .unwrap();
    });
    let before = store.applies();
    let order = engine
        .create_order(
            &sample::admin(),
            &OrderRequest::simple(customer, &[("TEE", 1)]),
        )
        .unwrap();
    assert_eq!(store.applies() - before, 2);
    assert_eq!(order.lines()[0].tax_rate, dec!(0.25));
    assert_eq!(order.totals().tax, sample::usd_cents(500));
}

/// Regression (issue 8): `Err(Error::Conflict)` returned by a unit of work was handed to
/// the caller instead of being retried like a conflict reported by the store.
#[test]
fn a_conflict_found_inside_a_unit_of_work_is_retried() {
    let (_store, engine, _customer) = racing_shop();
    let attempts = AtomicU32::new(0);
    let outcome = engine.transact(|_unit| {
        if attempts.fetch_add(1, Ordering::SeqCst) < 2 {
            Err(Error::Conflict)
        } else {
            Ok("third time")
        }
    });
    assert_eq!(outcome, Ok("third time"));
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    // Bounded: a unit that always loses gives up after max_attempts.
    let always = AtomicU32::new(0);
    let gave_up = engine.transact(|_unit| -> crate::Result<()> {
        always.fetch_add(1, Ordering::SeqCst);
        Err(Error::Conflict)
    });
    assert_eq!(gave_up, Err(Error::Conflict));
    assert_eq!(always.load(Ordering::SeqCst), engine.config().max_attempts);
}

/// Found by the TPC-C smoke test once broken invariants became `Internal` instead of a
/// refusal: a batch delivery read an order before a concurrent delivery shipped it and the
/// stock record after, so it had more units to ship than were reserved. A broken invariant
/// seen on records that moved meanwhile is a torn read, not a bug: the unit runs again.
#[test]
fn an_internal_error_on_records_that_moved_meanwhile_is_retried() {
    let (store, engine, _customer) = racing_shop();
    let admin = sample::admin();
    let tee = engine.product_by_sku(&admin, "TEE").unwrap().id();
    let attempts = AtomicU32::new(0);
    let outcome = engine.transact(|unit| {
        unit.stock_mut(tee)?;
        if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
            // A concurrent change to the stock record lands after the unit read it.
            elsewhere(store.inner())
                .restock(&admin, "TEE", "MAIN", 1, "race")
                .unwrap();
            return Err(Error::Internal("torn read".into()));
        }
        Ok("decided on fresh data")
    });
    assert_eq!(outcome, Ok("decided on fresh data"));
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    // On records that did not move, the same error is a bug: it reaches the caller at once.
    let once = AtomicU32::new(0);
    let bug = engine.transact(|unit| -> crate::Result<()> {
        unit.stock_mut(tee)?;
        once.fetch_add(1, Ordering::SeqCst);
        Err(Error::Internal("a bug".into()))
    });
    assert_eq!(bug, Err(Error::Internal("a bug".into())));
    assert_eq!(once.load(Ordering::SeqCst), 1);
}

/// Regression (issue 8): a payment retried while its first attempt was landing found its
/// key on the order and failed with `Conflict` instead of returning the recorded payment.
#[test]
fn a_payment_racing_its_own_retry_is_recorded_once() {
    let (store, engine, customer) = racing_shop();
    let admin = sample::admin();
    let order = engine
        .create_order(&admin, &OrderRequest::simple(customer, &[("TEE", 1)]))
        .unwrap();
    let payment = PaymentRequest {
        amount: sample::usd_cents(1000),
        method: PaymentMethod::Card,
        external_reference: "ch_1".into(),
        idempotency_key: Some("pay-1".into()),
    };
    let racing = payment.clone();
    let id = order.id();
    store.arm(move |inner| {
        elsewhere(inner)
            .record_payment(&Actor::local_admin("test"), id, &racing)
            .unwrap();
    });
    let paid = engine.record_payment(&admin, id, &payment).unwrap();
    assert!(store.raced());
    let keyed: Vec<_> = paid
        .ledger()
        .iter()
        .filter(|e| e.idempotency_key.as_deref() == Some("pay-1"))
        .collect();
    assert_eq!(keyed.len(), 1);
    assert_eq!(paid.ledger().len(), 1);
    assert_eq!(engine.get_order(&admin, id).unwrap().value, paid);
    // Other content under the same key is still refused.
    let mut other = payment.clone();
    other.amount = sample::usd_cents(999);
    assert!(matches!(
        engine.record_payment(&admin, id, &other),
        Err(Error::IdempotencyMismatch { .. })
    ));
    let stored = store
        .inner()
        .get(&crate::store::RecordKey::Order(id))
        .unwrap();
    assert_eq!(stored.map(|v| v.version), Some(2), "created, paid once");
}

/// Write skew in staff management: two administrators disabled at the same time, each
/// change seeing the other administrator still active, left no active administrator.
#[test]
fn two_administrators_disabled_at_once_leave_one() {
    let (store, engine, _customer) = racing_shop();
    let admin = sample::admin();
    for login in ["ann", "bob"] {
        engine
            .add_user(&admin, login, login, Role::Admin, "crates and pallets 9")
            .unwrap();
    }
    store.arm(|inner| {
        elsewhere(inner)
            .disable_user(&sample::admin(), "bob")
            .unwrap();
    });
    let refused = engine.disable_user(&admin, "ann").unwrap_err();
    assert!(store.raced());
    assert_eq!(refused, Error::Refused(Refusal::LastActiveAdmin));
    let active: Vec<String> = engine
        .list_users(&admin)
        .unwrap()
        .items
        .iter()
        .filter(|u| u.role() == Role::Admin && u.is_active())
        .map(|u| u.name().to_string())
        .collect();
    assert_eq!(active, vec!["ann".to_string()]);
}

/// Staff set a customer's login and password while the customer changes their own: the
/// customer's change was checked against credentials that are gone, so it is refused and
/// the staff's stand (the record never disagrees with its login index).
#[test]
fn a_password_change_racing_a_staff_reset_does_not_undo_it() {
    let (store, engine, customer) = racing_shop();
    let admin = sample::admin();
    engine
        .set_customer_credentials(&admin, customer, "ada", "rainy-tulip-orbit-42")
        .unwrap();
    let ada = engine.login("ada", "rainy-tulip-orbit-42").unwrap().actor;
    store.arm(move |inner| {
        elsewhere(inner)
            .set_customer_credentials(
                &sample::admin(),
                customer,
                "ada.king",
                "amber-canyon-lantern-7",
            )
            .unwrap();
    });
    let refused = engine
        .change_password(&ada, "rainy-tulip-orbit-42", "quiet-harbour-9-meadow")
        .unwrap_err();
    assert!(store.raced());
    assert!(
        refused.to_string().contains("changed meanwhile"),
        "{refused}"
    );
    let now = engine.get_customer(&admin, customer).unwrap();
    assert_eq!(
        now.credentials().map(|c| c.login.as_str()),
        Some("ada.king")
    );
    assert!(engine.login("ada.king", "amber-canyon-lantern-7").is_ok());
    invariants::check_store(store.inner().as_ref()).unwrap();
}
