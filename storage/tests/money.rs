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
    input.base_price = Money::new(Decimal::new(300_000_00, 2), Currency::USD).unwrap();
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
