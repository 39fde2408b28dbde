//! Every parser of outside input returns a value or a clear error, and never panics.

// Tests assert by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;

use ordo_core::catalog::{PriceGroup, Sku, TaxCategory};
use ordo_core::clock::Timestamp;
use ordo_core::customer::{Address, Email, Phone};
use ordo_core::ids::OrderReference;
use ordo_core::inventory::WarehouseCode;
use ordo_core::money::{Currency, Money};
use ordo_core::order::OrderStatus;
use ordo_core::payment::PaymentMethod;
use ordo_core::pricing::ShippingMethod;
use ordo_core::validate;

fn parse_everything(text: &str) {
    let _ = Sku::parse(text);
    let _ = Phone::parse(text);
    let _ = Email::parse(text);
    let _ = Address::parse_line(text);
    let _ = OrderReference::parse(text);
    let _ = WarehouseCode::parse(text);
    let _ = Currency::parse(text);
    let _ = Money::parse(text, None, "amount");
    let _ = Money::parse(text, Some(Currency::USD), "amount");
    let _ = Timestamp::parse_date(text, "date");
    let _ = OrderStatus::parse(text);
    let _ = PaymentMethod::parse(text);
    let _ = ShippingMethod::parse(text);
    let _ = PriceGroup::parse(text);
    let _ = TaxCategory::parse(text);
    let _ = validate::required_text("field", text, 10);
    let _ = validate::url("url", text);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parsers_never_panic_on_any_text(text in any::<String>()) {
        parse_everything(&text);
    }

    #[test]
    fn parsers_never_panic_on_plausible_text(text in "[0-9A-Za-z+@., :-]{0,40}") {
        parse_everything(&text);
    }

    #[test]
    fn money_round_trips_through_its_display(cents in -100_000_000i64..100_000_000) {
        let money = Money::new(rust_decimal::Decimal::new(cents, 2), Currency::EUR).unwrap();
        prop_assert_eq!(Money::parse(&money.to_string(), None, "amount").unwrap(), money);
    }
}

#[test]
fn edge_values_get_errors_not_panics() {
    for text in [
        "",
        " ",
        "\0",
        "99999999999999999999999999999999 USD",
        "-0 USD",
        "1e10 USD",
        "ORD-----",
        "+",
        "@",
        ",,,,,",
    ] {
        parse_everything(text);
    }
    assert!(Money::parse("99999999999999999999999999999999999 USD", None, "amount").is_err());
}
