//! Money that can always be read back: every order the engine acknowledges on a
//! `SledStore` reads back (by id and in listings) exactly as it was returned, and an
//! amount ordo could not store is refused before anything is written.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ordo_core::catalog::BackorderPolicy;
use ordo_core::engine::{OrderFilter, OrderRequest};
use ordo_core::error::{Error, ErrorKind};
use ordo_core::money::{Currency, Money};
use ordo_core::testkit::sample;
use ordo_storage::{Durability, SledStore, StoreConfig};
use rust_decimal::Decimal;

fn open(dir: &tempfile::TempDir) -> SledStore {
    SledStore::open(
        dir.path(),
        StoreConfig::new(Durability::Periodic {
            flush_every_ms: 1_000,
        }),
    )
    .unwrap()
}

/// Regression (issue 8): a product at 300000.00 with backorders allowed, ordered ×5000,
/// was priced, committed and acknowledged (`total 1800000005.00 USD`); afterwards the
/// order could not be read, listed, backed up or restored ("corrupted").
#[test]
fn an_order_above_the_money_bound_is_refused_before_the_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let (engine, _clock) = sample::engine(&store, 8);
    let admin = sample::admin();
    let mut input = sample::product("BIG", 1);
    input.base_price = Money::new(Decimal::new(30_000_000, 2), Currency::USD).unwrap();
    input.price_lists.clear();
    input.backorder = BackorderPolicy::Allow;
    engine.create_product(&admin, input).unwrap();
    let mut small = sample::product("SMALL", 100);
    small.backorder = BackorderPolicy::Allow;
    engine.create_product(&admin, small).unwrap();
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap();

    let refused = engine
        .create_order(
            &admin,
            &OrderRequest::simple(customer.id(), &[("SMALL", 1), ("BIG", 5_000)]),
        )
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Validation, "{refused}");
    assert!(matches!(refused, Error::Validation { .. }), "{refused:?}");
    assert_eq!(
        refused.to_string(),
        "line 2 (SKU BIG) total exceeds the largest amount ordo stores (1,000,000,000.00 USD)"
    );

    // Nothing was written, and the store still lists and reads every order.
    let kept = engine
        .create_order(&admin, &OrderRequest::simple(customer.id(), &[("BIG", 3)]))
        .unwrap();
    let page = engine.list_orders(&admin, &OrderFilter::default()).unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].value, kept);
    assert_eq!(engine.get_order(&admin, kept.id()).unwrap().value, kept);
}

mod extremes {
    use std::sync::atomic::{AtomicU64, Ordering};

    use ordo_core::catalog::{BackorderPolicy, TaxCategory};
    use ordo_core::engine::{OrderFilter, OrderRequest};
    use ordo_core::error::ErrorKind;
    use ordo_core::ids::CustomerId;
    use ordo_core::money::{Currency, Money};
    use ordo_core::pricing::{PricingChange, ShippingMethod};
    use ordo_core::store::{RecordKind, Store};
    use ordo_core::testkit::sample;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use rust_decimal::Decimal;

    const CODES: [&str; 6] = ["USD", "EUR", "JPY", "KRW", "KWD", "BHD"];

    /// One line: price as (magnitude, raw units) and quantity, with a tax category.
    type Line = ((u32, u64), u32, u8);

    fn line() -> impl Strategy<Value = Line> {
        (
            (0u32..=12, any::<u64>()),
            prop_oneof![Just(1u32), Just(5_000), Just(10_000), 1u32..=10_000,],
            0u8..3,
        )
    }

    /// A price in `currency` of about `10^magnitude` minor units, at most the bound.
    fn price(currency: Currency, (magnitude, raw): (u32, u64)) -> Money {
        let minor = currency.minor_units();
        let ceiling = 10u64.pow((9 + minor).min(magnitude + 1));
        let units = 1 + raw % ceiling;
        Money::new(Decimal::new(units as i64, minor), currency).unwrap()
    }

    /// Extreme prices × quantities × currencies (JPY and KRW without decimals, KWD and BHD
    /// with three) through the real engine on a `SledStore`: every order is either refused
    /// before the write with a validation error naming the bound, or stored and read back
    /// equal, by id and in the listing.
    #[test]
    fn every_order_is_refused_before_the_write_or_reads_back_equal() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::open(&dir);
        let (engine, _clock) = sample::engine(&store, 21);
        let admin = sample::admin();
        let fees: Vec<PricingChange> = CODES
            .iter()
            .map(|code| {
                let currency = Currency::parse(code).unwrap();
                PricingChange::ShippingFee {
                    method: ShippingMethod::Standard,
                    currency,
                    fee: Some(Money::new(Decimal::from(5), currency).unwrap()),
                }
            })
            .collect();
        engine.change_pricing_settings(&admin, &fees).unwrap();
        let customer: CustomerId = engine
            .create_customer(&admin, &sample::customer(1))
            .unwrap()
            .id();
        let skus = AtomicU64::new(0);
        let accepted = AtomicU64::new(0);
        let refused = AtomicU64::new(0);
        let mut runner = TestRunner::new(Config {
            cases: 96,
            failure_persistence: None,
            ..Config::default()
        });
        let case = (
            0..CODES.len(),
            proptest::collection::vec(line(), 1..=3),
            0u32..=2,
            any::<bool>(),
        );
        runner
            .run(&case, |(code, lines, discount, pickup)| {
                let currency = Currency::parse(CODES[code]).unwrap();
                let mut request = OrderRequest::simple(customer, &[]);
                for (magnitude, quantity, tax) in &lines {
                    let sku = format!("P{}", skus.fetch_add(1, Ordering::SeqCst));
                    let mut input = sample::product(&sku, 1);
                    input.base_price = price(currency, *magnitude);
                    input.price_lists.clear();
                    input.backorder = BackorderPolicy::Allow;
                    input.tax_category = [
                        TaxCategory::Standard,
                        TaxCategory::Reduced,
                        TaxCategory::Zero,
                    ][usize::from(*tax)];
                    engine.create_product(&admin, input).unwrap();
                    request.items.push(ordo_core::engine::ItemRequest {
                        sku,
                        quantity: i64::from(*quantity),
                    });
                }
                if discount > 0 {
                    request
                        .discounts
                        .push(("OFF".into(), Decimal::from(discount * 15)));
                }
                if pickup {
                    request.shipping = ShippingMethod::Pickup;
                }
                let newest = |engine: &ordo_core::Engine<&ordo_storage::SledStore>| {
                    engine
                        .list_orders(
                            &admin,
                            &OrderFilter {
                                customer: Some(customer),
                                limit: 1,
                                ..OrderFilter::default()
                            },
                        )
                        .unwrap()
                };
                let before = newest(&engine).items.first().map(|o| o.value.id());
                match engine.create_order(&admin, &request) {
                    Ok(order) => {
                        accepted.fetch_add(1, Ordering::SeqCst);
                        let stored = engine.get_order(&admin, order.id()).unwrap();
                        prop_assert_eq!(&stored.value, &order);
                        let listed = newest(&engine);
                        prop_assert!(listed.skipped.is_empty());
                        prop_assert_eq!(&listed.items[0].value, &order);
                        prop_assert_eq!(order.totals().total.currency(), currency);
                    }
                    Err(error) => {
                        refused.fetch_add(1, Ordering::SeqCst);
                        prop_assert_eq!(error.kind(), ErrorKind::Validation);
                        let text = error.to_string();
                        prop_assert!(
                            text.contains("exceeds the largest amount ordo stores"),
                            "{}",
                            text
                        );
                        let after = newest(&engine).items.first().map(|o| o.value.id());
                        prop_assert_eq!(after, before, "a refused order left a trace");
                    }
                }
                Ok(())
            })
            .unwrap();
        let (accepted, refused) = (accepted.into_inner(), refused.into_inner());
        assert_eq!(accepted + refused, 96);
        assert!(accepted >= 10, "only {accepted} orders were accepted");
        assert!(refused >= 10, "only {refused} orders were refused");
        // Every stored record still decodes: the listing scan skips nothing.
        let all = store.scan_listing(RecordKind::Order, None, 1_000).unwrap();
        assert!(all.skipped.is_empty());
        assert_eq!(all.records.len() as u64, accepted);
    }
}
