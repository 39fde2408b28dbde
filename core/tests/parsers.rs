//! Every parser of outside input returns a value or a clear error, and never panics.

// Tests assert by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;

use ordo_core::money::{Currency, Money};

/// The same body the `cli_args` fuzz target runs: every parser of outside text.
fn parse_everything(text: &str) {
    ordo_core::testkit::fuzz::parsers(text.as_bytes());
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
    fn parsers_never_panic_on_plausible_settings(
        text in "(tax|shipping|rounding)(\\.[a-zA-Z]{0,9}){0,3}=[0-9.%a-zA-Z-]{0,14}"
    ) {
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
