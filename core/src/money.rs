//! Money: a `rust_decimal` amount with an ISO 4217 currency. No floats anywhere.
//!
//! Arithmetic goes through methods that refuse mixed currencies. Rounding happens only at
//! named steps (line total, discount, tax) with one strategy: banker's rounding
//! (half to even) to the currency's minor unit.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// ISO 4217 codes ordo accepts, with their minor units (digits after the point).
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("INR", 2),
    ("JPY", 0),
    ("KES", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("PLN", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("USD", 2),
    ("ZAR", 2),
];

/// An ISO 4217 currency known to ordo. Construct with [`Currency::parse`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    index: u8,
}

impl Currency {
    /// US dollar.
    pub const USD: Currency = Currency { index: 24 };
    /// Euro.
    pub const EUR: Currency = Currency { index: 9 };

    /// Parses a three-letter code, case-insensitively.
    ///
    /// # Errors
    /// `Validation` if the code is not a known ISO 4217 currency.
    pub fn parse(code: &str) -> Result<Currency> {
        let upper = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .position(|(c, _)| *c == upper)
            .and_then(|i| u8::try_from(i).ok())
            .map(|index| Currency { index })
            .ok_or_else(|| {
                Error::invalid(
                    "currency",
                    format!("{code:?} is not a supported ISO 4217 code"),
                )
            })
    }

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        CURRENCIES
            .get(usize::from(self.index))
            .map_or("???", |(c, _)| c)
    }

    /// Digits after the decimal point in this currency's minor unit.
    pub fn minor_units(self) -> u32 {
        CURRENCIES
            .get(usize::from(self.index))
            .map_or(2, |(_, m)| *m)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Currency {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code().to_string()
    }
}

/// The largest amount ordo accepts in one money value (guards against overflow in totals).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// An amount of money in one currency. Invariant: the amount is at the currency's scale
/// (two decimals for USD) and within [`MAX_AMOUNT`]; deserialization checks it like
/// [`Money::new`], so bytes from disk or the wire cannot break it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MoneyWire", into = "MoneyWire")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

/// The serialized form of [`Money`].
#[derive(Serialize, Deserialize)]
struct MoneyWire {
    // As a string in every format: the default `Deserialize` for `Decimal` needs a
    // self-describing format; this way non-self-describing ones (bincode) work too.
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    currency: Currency,
}

impl TryFrom<MoneyWire> for Money {
    type Error = Error;
    fn try_from(wire: MoneyWire) -> Result<Money> {
        Money::new(wire.amount, wire.currency)
    }
}

impl From<Money> for MoneyWire {
    fn from(money: Money) -> MoneyWire {
        MoneyWire {
            amount: money.amount,
            currency: money.currency,
        }
    }
}

impl Money {
    /// A money value, checked: at most `MAX_AMOUNT` in size and no finer than the minor unit.
    ///
    /// # Errors
    /// `Validation` if the amount is too large or has more decimals than the currency allows.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Money> {
        if amount.abs() > MAX_AMOUNT {
            return Err(Error::invalid(
                "amount",
                format!("must not exceed {MAX_AMOUNT}"),
            ));
        }
        let normalized = amount.normalize();
        if normalized.scale() > currency.minor_units() {
            return Err(Error::invalid(
                "amount",
                format!(
                    "{amount} has more than {} decimal places for {currency}",
                    currency.minor_units()
                ),
            ));
        }
        Ok(Money::rounded(amount, currency))
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money {
            amount: Decimal::new(0, currency.minor_units()),
            currency,
        }
    }

    /// Rounds `amount` to the currency's minor unit with banker's rounding.
    pub fn rounded(amount: Decimal, currency: Currency) -> Money {
        let mut amount = amount.round_dp_with_strategy(
            currency.minor_units(),
            RoundingStrategy::MidpointNearestEven,
        );
        amount.rescale(currency.minor_units());
        Money { amount, currency }
    }

    /// Parses `"12.50 USD"`, `"USD 12.50"` or (with a default currency) `"12.50"`.
    ///
    /// # Errors
    /// `Validation` naming `field` if the text is not an amount and a known currency.
    pub fn parse(text: &str, default_currency: Option<Currency>, field: &str) -> Result<Money> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let (number, currency) = match parts.as_slice() {
            [n] => match default_currency {
                Some(c) => (*n, c),
                None => return Err(Error::invalid(field, "needs a currency, e.g. 12.50 USD")),
            },
            [a, b] if a.chars().all(|c| c.is_ascii_alphabetic()) => (*b, Currency::parse(a)?),
            [a, b] => (*a, Currency::parse(b)?),
            _ => {
                return Err(Error::invalid(
                    field,
                    format!("{text:?} is not an amount like 12.50 USD"),
                ));
            }
        };
        let amount = Decimal::from_str(number)
            .map_err(|_| Error::invalid(field, format!("{number:?} is not a number")))?;
        Money::new(amount, currency).map_err(|e| match e {
            Error::Validation { reason, .. } => Error::invalid(field, reason),
            other => other,
        })
    }

    /// The amount, always at the currency's scale.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// True if the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// True if the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    fn same_currency(&self, other: &Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch {
                expected: self.currency,
                found: other.currency,
            })
        }
    }

    /// `self + other`.
    ///
    /// # Errors
    /// `CurrencyMismatch` for different currencies; `Validation` on overflow.
    pub fn add(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        // Both amounts are at the currency's scale, so their sum is too: no rounding step.
        let amount = self.amount.checked_add(other.amount).ok_or_else(overflow)?;
        Ok(Money {
            amount,
            currency: self.currency,
        })
    }

    /// `self - other`.
    ///
    /// # Errors
    /// `CurrencyMismatch` for different currencies; `Validation` on overflow.
    pub fn sub(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        let amount = self.amount.checked_sub(other.amount).ok_or_else(overflow)?;
        Ok(Money {
            amount,
            currency: self.currency,
        })
    }

    /// `self × quantity`, rounded to the minor unit (the line-total step).
    ///
    /// # Errors
    /// `Validation` on overflow.
    pub fn times(&self, quantity: u32) -> Result<Money> {
        // An amount at the currency's scale times a whole number stays at that scale.
        let amount = self
            .amount
            .checked_mul(Decimal::from(quantity))
            .ok_or_else(overflow)?;
        Ok(Money {
            amount,
            currency: self.currency,
        })
    }

    /// `self × rate`, rounded to the minor unit (the tax and discount step).
    ///
    /// # Errors
    /// `Validation` on overflow.
    pub fn scale_by(&self, rate: Decimal) -> Result<Money> {
        let product = self.amount.checked_mul(rate).ok_or_else(overflow)?;
        Ok(Money::rounded(product, self.currency))
    }

    /// The larger of zero and `self`.
    pub fn clamp_non_negative(&self) -> Money {
        if self.is_negative() {
            Money::zero(self.currency)
        } else {
            *self
        }
    }
}

fn overflow() -> Error {
    Error::invalid("amount", "is too large")
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl PartialOrd for Money {
    /// Ordered only within one currency.
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        (self.currency == other.currency).then(|| self.amount.cmp(&other.amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn parses_codes_case_insensitively_and_rejects_unknown() {
        assert_eq!(Currency::parse("usd").unwrap(), Currency::USD);
        assert_eq!(Currency::parse("EUR").unwrap(), Currency::EUR);
        assert_eq!(Currency::parse("JPY").unwrap().minor_units(), 0);
        assert!(Currency::parse("XXX").is_err());
        assert!(Currency::parse("").is_err());
    }

    #[test]
    fn bankers_rounding_at_the_minor_unit() {
        assert_eq!(
            Money::rounded(dec!(0.125), Currency::USD).amount(),
            dec!(0.12)
        );
        assert_eq!(
            Money::rounded(dec!(0.135), Currency::USD).amount(),
            dec!(0.14)
        );
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::rounded(dec!(2.5), jpy).amount(), dec!(2));
    }

    #[test]
    fn refuses_mixed_currencies() {
        let a = Money::new(dec!(1), Currency::USD).unwrap();
        let b = Money::new(dec!(1), Currency::EUR).unwrap();
        assert!(matches!(a.add(&b), Err(Error::CurrencyMismatch { .. })));
        assert!(matches!(a.sub(&b), Err(Error::CurrencyMismatch { .. })));
    }

    #[test]
    fn new_refuses_sub_minor_amounts_and_huge_ones() {
        assert!(Money::new(dec!(1.005), Currency::USD).is_err());
        assert!(Money::new(dec!(1.50), Currency::USD).is_ok());
        assert!(Money::new(dec!(10000000000), Currency::USD).is_err());
    }

    #[test]
    fn parse_accepts_both_orders_and_default_currency() {
        assert_eq!(
            Money::parse("12.5 usd", None, "price").unwrap().to_string(),
            "12.50 USD"
        );
        assert_eq!(
            Money::parse("EUR 3", None, "price").unwrap().to_string(),
            "3.00 EUR"
        );
        assert_eq!(
            Money::parse("7", Some(Currency::USD), "price")
                .unwrap()
                .to_string(),
            "7.00 USD"
        );
        assert!(Money::parse("7", None, "price").is_err());
        assert!(Money::parse("abc USD", None, "price").is_err());
        assert!(Money::parse("1 2 3", None, "price").is_err());
    }

    #[test]
    fn deserializing_checks_the_amount() {
        let ok: Money = serde_json::from_str(r#"{"amount":"12.5","currency":"USD"}"#).unwrap();
        assert_eq!(ok.to_string(), "12.50 USD");
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.005","currency":"USD"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1e12","currency":"USD"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"XYZ"}"#).is_err());
    }

    proptest! {
        #[test]
        fn rounding_is_idempotent(cents in -1_000_000_000i64..1_000_000_000, extra in 0i64..1000) {
            let amount = Decimal::new(cents * 1000 + extra, 5);
            let once = Money::rounded(amount, Currency::USD);
            let twice = Money::rounded(once.amount(), Currency::USD);
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn add_then_sub_is_identity(a in -1_000_000i64..1_000_000, b in -1_000_000i64..1_000_000) {
            let x = Money::new(Decimal::new(a, 2), Currency::USD).unwrap();
            let y = Money::new(Decimal::new(b, 2), Currency::USD).unwrap();
            prop_assert_eq!(x.add(&y).unwrap().sub(&y).unwrap(), x);
        }
    }
}
