//! The money bound through the engine: an order, item change or quantity that would make
//! any amount exceed what ordo stores is refused before anything is written, naming the
//! line or the order sum.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::catalog::BackorderPolicy;
use crate::engine::OrderRequest;
use crate::engine::tests::{Fixture, fixture};
use crate::error::{Error, ErrorKind};
use crate::money::{Currency, Money};
use crate::pricing::ShippingMethod;
use crate::testkit::{invariants, sample};

const USD_BOUND: &str = "exceeds the largest amount ordo stores (1,000,000,000.00 USD)";

/// Adds a product priced `amount` in `currency`, with backorders allowed (no stock needed).
fn priced(f: &Fixture, sku: &str, amount: Decimal, currency: Currency) {
    let mut input = sample::product(sku, 1);
    input.base_price = Money::new(amount, currency).unwrap();
    input.price_lists.clear();
    input.backorder = BackorderPolicy::Allow;
    f.engine.create_product(&f.admin, input).unwrap();
}

fn nothing_written(f: &Fixture, audit_before: usize) {
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

/// Regression (issue 8): 300000.00 × 5000 was priced, committed and acknowledged
/// (`total 1800000005.00 USD`), and the order could never be read back.
#[test]
fn an_order_above_the_bound_is_refused_naming_the_line() {
    let f = fixture();
    priced(&f, "BIG", dec!(300000.00), Currency::USD);
    let audit_before = f
        .engine
        .customer_history(&f.admin, f.consumer)
        .unwrap()
        .len();
    let refused = f.order(&[("TEE", 1), ("BIG", 5_000)]).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Validation);
    assert_eq!(
        refused.to_string(),
        format!("line 2 (SKU BIG) total {USD_BOUND}")
    );
    assert_eq!(f.available("TEE", "MAIN"), 10);
    nothing_written(&f, audit_before);
}

#[test]
fn sums_above_the_bound_are_refused_naming_the_sum() {
    let f = fixture();
    priced(&f, "HALF", dec!(60000.00), Currency::USD);
    priced(&f, "HALF2", dec!(60000.00), Currency::USD);
    priced(&f, "NINE", dec!(90000.00), Currency::USD);
    let audit_before = f
        .engine
        .customer_history(&f.admin, f.consumer)
        .unwrap()
        .len();
    // Each line (600,000,000.00) fits; their sum does not.
    assert_eq!(
        f.order(&[("HALF", 10_000), ("HALF2", 10_000)])
            .unwrap_err()
            .to_string(),
        format!("order subtotal {USD_BOUND}")
    );
    // 900,000,000.00 and its 20 % tax fit; the total with tax does not.
    assert_eq!(
        f.order(&[("NINE", 10_000)]).unwrap_err().to_string(),
        format!("order total {USD_BOUND}")
    );
    nothing_written(&f, audit_before);
}

#[test]
fn an_item_change_above_the_bound_is_refused_and_changes_nothing() {
    let f = fixture();
    priced(&f, "BIG", dec!(300000.00), Currency::USD);
    let order = f.order(&[("TEE", 1), ("BIG", 2_000)]).unwrap();
    let stored = |f: &Fixture| f.engine.get_order(&f.admin, order.id()).unwrap();
    let before = stored(&f);
    let refusals = [
        f.engine.add_item(&f.admin, order.id(), "BIG", 2_000),
        f.engine.set_quantity(&f.admin, order.id(), "BIG", 4_000),
    ];
    for refused in refusals {
        assert_eq!(
            refused.unwrap_err().to_string(),
            format!("line 2 (SKU BIG) total {USD_BOUND}")
        );
    }
    assert_eq!(stored(&f), before);
    // Within the bound the same commands work.
    let grown = f
        .engine
        .set_quantity(&f.admin, order.id(), "BIG", 2_500)
        .unwrap();
    assert_eq!(
        grown.lines()[1].amounts.total,
        Money::new(dec!(750000000.00), Currency::USD).unwrap()
    );
    f.check();
}

#[test]
fn the_bound_is_named_in_the_currency_of_the_order() {
    let f = fixture();
    let jpy = Currency::parse("JPY").unwrap();
    priced(&f, "YEN", dec!(200000), jpy);
    let mut request = OrderRequest::simple(f.consumer, &[("YEN", 5_001)]);
    request.shipping = ShippingMethod::Pickup;
    let refused = f.engine.create_order(&f.admin, &request).unwrap_err();
    assert!(matches!(refused, Error::Validation { .. }));
    assert_eq!(
        refused.to_string(),
        "line 1 (SKU YEN) total exceeds the largest amount ordo stores (1,000,000,000 JPY)"
    );
    request.items[0].quantity = 4_000;
    let order = f.engine.create_order(&f.admin, &request).unwrap();
    assert_eq!(order.totals().subtotal.to_string(), "800000000 JPY");
    // 20 % of it is tax: 960,000,000 JPY in all, read back as written.
    assert_eq!(order.totals().total.to_string(), "960000000 JPY");
    assert_eq!(
        f.engine.get_order(&f.admin, order.id()).unwrap().value,
        order
    );
    f.check();
}
