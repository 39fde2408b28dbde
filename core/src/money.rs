//! Money: a `rust_decimal` amount with an ISO 4217 currency. No floats anywhere.
//!
//! Arithmetic goes through methods that refuse mixed currencies. Rounding happens only at
//! named steps (line total, discount, tax) to the currency's minor unit: banker's rounding
//! (half to even), except the tax step, which rounds as the store's pricing settings say
//! ([`RoundingMode`]).
//!
//! **The bound holds in every step.** No `Money` can exist outside ±[`MAX_AMOUNT`] or finer
//! than its currency's minor unit: the fields are private, every constructor and every
//! arithmetic method checks, and serializing re-checks (so a stored value is always one
//! that reads back). A step that would leave the bound is a `Validation` error
//! (`… exceeds the largest amount ordo stores (1,000,000,000.00 USD)`), which callers that
//! know more name more precisely (`line 2 (SKU X) total …`, see [`Error::within`]).

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize, Serializer};

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

/// The largest amount ordo accepts in one money value, in any currency (line totals, tax,
/// order totals and ledger sums included): every arithmetic step checks it, so a value
/// that is stored can always be read back.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// How an amount halfway between two minor units is rounded (the tax step; a store
/// setting, see `pricing::PricingSettings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum RoundingMode {
    /// Half to even ("banker's rounding"): 0.125 → 0.12, 0.135 → 0.14.
    #[default]
    HalfEven,
    /// Half up (away from zero): 0.125 → 0.13.
    HalfUp,
}

impl RoundingMode {
    /// Parses `half-even` or `half-up` (`_` and spaces accepted for `-`).
    ///
    /// # Errors
    /// `Validation` for anything else.
    pub fn parse(text: &str) -> Result<RoundingMode> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str()
        {
            "half-even" | "bankers" => Ok(RoundingMode::HalfEven),
            "half-up" => Ok(RoundingMode::HalfUp),
            _ => Err(Error::invalid(
                "rounding",
                format!("{text:?} must be half-even or half-up"),
            )),
        }
    }

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            RoundingMode::HalfEven => "half-even",
            RoundingMode::HalfUp => "half-up",
        }
    }

    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        }
    }
}

impl fmt::Display for RoundingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An amount of money in one currency. Invariant: the amount is at the currency's scale
/// (two decimals for USD) and within ±[`MAX_AMOUNT`]. Every constructor and arithmetic
/// method checks it; deserialization checks it like [`Money::new`], so bytes from disk or
/// the wire cannot break it; serialization checks it too, so nothing is ever written that
/// would not read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "MoneyWire")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

/// `MAX_AMOUNT` as people write it in `currency`: `1,000,000,000.00 USD`.
fn max_amount_text(currency: Currency) -> String {
    let mut whole = String::new();
    let digits = MAX_AMOUNT.trunc().to_string();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            whole.push(',');
        }
        whole.push(digit);
    }
    match currency.minor_units() {
        0 => format!("{whole} {currency}"),
        places => format!(
            "{whole}.{} {currency}",
            "0".repeat(usize::try_from(places).unwrap_or(2))
        ),
    }
}

/// The error of a step that would leave the bound.
fn too_large(currency: Currency) -> Error {
    Error::invalid(
        "amount",
        format!(
            "exceeds the largest amount ordo stores ({})",
            max_amount_text(currency)
        ),
    )
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

impl Serialize for Money {
    /// Refuses a value that [`Money::new`] (and so deserialization) would refuse: a value
    /// that is written can always be read back.
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if let Err(refusal) = Money::new(self.amount, self.currency) {
            return Err(serde::ser::Error::custom(format!(
                "{} {} cannot be stored: {refusal}",
                self.amount, self.currency
            )));
        }
        MoneyWire {
            amount: self.amount,
            currency: self.currency,
        }
        .serialize(serializer)
    }
}

impl Money {
    /// A money value, checked: at most `MAX_AMOUNT` in size and no finer than the minor unit.
    ///
    /// # Errors
    /// `Validation` if the amount is too large or has more decimals than the currency allows.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Money> {
        if amount.abs() > MAX_AMOUNT {
            return Err(too_large(currency));
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
        Money::rounded(amount, currency)
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money {
            amount: Decimal::new(0, currency.minor_units()),
            currency,
        }
    }

    /// Rounds `amount` to the currency's minor unit with banker's rounding.
    ///
    /// # Errors
    /// `Validation` if the rounded amount is outside ±[`MAX_AMOUNT`].
    pub fn rounded(amount: Decimal, currency: Currency) -> Result<Money> {
        Money::rounded_with(amount, currency, RoundingMode::HalfEven)
    }

    /// Rounds `amount` to the currency's minor unit with `mode`.
    ///
    /// # Errors
    /// `Validation` if the rounded amount is outside ±[`MAX_AMOUNT`].
    pub fn rounded_with(amount: Decimal, currency: Currency, mode: RoundingMode) -> Result<Money> {
        let mut amount = amount.round_dp_with_strategy(currency.minor_units(), mode.strategy());
        amount.rescale(currency.minor_units());
        Money::bounded(amount, currency)
    }

    /// The one place a `Money` is made from an amount already at the currency's scale:
    /// refuses amounts outside ±[`MAX_AMOUNT`].
    fn bounded(mut amount: Decimal, currency: Currency) -> Result<Money> {
        if amount.abs() > MAX_AMOUNT {
            return Err(too_large(currency));
        }
        // Exact for amounts already at the scale; a zero product can come back at scale 0.
        amount.rescale(currency.minor_units());
        Ok(Money { amount, currency })
    }

    /// A value that breaks the invariant, to prove that the layers below refuse it
    /// (serialization, the storage codec). Tests only.
    #[cfg(any(test, feature = "testkit"))]
    #[doc(hidden)]
    pub fn out_of_bounds_for_tests(amount: Decimal, currency: Currency) -> Money {
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
    /// `CurrencyMismatch` for different currencies; `Validation` if the sum is outside
    /// ±[`MAX_AMOUNT`].
    pub fn add(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        // Both amounts are at the currency's scale, so their sum is too: no rounding step.
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or_else(|| too_large(self.currency))?;
        Money::bounded(amount, self.currency)
    }

    /// `self - other`.
    ///
    /// # Errors
    /// `CurrencyMismatch` for different currencies; `Validation` if the difference is
    /// outside ±[`MAX_AMOUNT`].
    pub fn sub(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or_else(|| too_large(self.currency))?;
        Money::bounded(amount, self.currency)
    }

    /// `self × quantity` (the line-total step; exact, no rounding).
    ///
    /// # Errors
    /// `Validation` if the product is outside ±[`MAX_AMOUNT`].
    pub fn times(&self, quantity: u32) -> Result<Money> {
        // An amount at the currency's scale times a whole number stays at that scale.
        let amount = self
            .amount
            .checked_mul(Decimal::from(quantity))
            .ok_or_else(|| too_large(self.currency))?;
        Money::bounded(amount, self.currency)
    }

    /// `self × rate`, rounded half to even to the minor unit (the discount step).
    ///
    /// # Errors
    /// `Validation` if the result is outside ±[`MAX_AMOUNT`].
    pub fn scale_by(&self, rate: Decimal) -> Result<Money> {
        self.scale_with(rate, RoundingMode::HalfEven)
    }

    /// `self × rate`, rounded with `mode` to the minor unit (the tax step).
    ///
    /// # Errors
    /// `Validation` if the result is outside ±[`MAX_AMOUNT`].
    pub fn scale_with(&self, rate: Decimal, mode: RoundingMode) -> Result<Money> {
        let product = self
            .amount
            .checked_mul(rate)
            .ok_or_else(|| too_large(self.currency))?;
        Money::rounded_with(product, self.currency, mode)
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
            Money::rounded(dec!(0.125), Currency::USD).unwrap().amount(),
            dec!(0.12)
        );
        assert_eq!(
            Money::rounded(dec!(0.135), Currency::USD).unwrap().amount(),
            dec!(0.14)
        );
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::rounded(dec!(2.5), jpy).unwrap().amount(), dec!(2));
    }

    #[test]
    fn half_up_rounds_midpoints_away_from_zero() {
        let half_up = |amount| {
            Money::rounded_with(amount, Currency::USD, RoundingMode::HalfUp)
                .unwrap()
                .amount()
        };
        assert_eq!(half_up(dec!(0.125)), dec!(0.13));
        assert_eq!(half_up(dec!(0.135)), dec!(0.14));
        assert_eq!(half_up(dec!(0.1249)), dec!(0.12));
        let ten = Money::new(dec!(10.25), Currency::USD).unwrap();
        // 10.25 × 0.2 = 2.05 exactly; 10.25 × 0.05 = 0.5125 → 0.51 either way.
        assert_eq!(
            ten.scale_with(dec!(0.5), RoundingMode::HalfUp)
                .unwrap()
                .amount(),
            dec!(5.13)
        );
        assert_eq!(ten.scale_by(dec!(0.5)).unwrap().amount(), dec!(5.12));
        assert_eq!(
            RoundingMode::parse("Half_Up").unwrap(),
            RoundingMode::HalfUp
        );
        assert_eq!(
            RoundingMode::parse("half-even").unwrap(),
            RoundingMode::HalfEven
        );
        assert!(RoundingMode::parse("ceiling").is_err());
    }

    #[test]
    fn every_arithmetic_step_keeps_the_bound() {
        let usd = |a| Money::new(a, Currency::USD).unwrap();
        let refusal =
            "amount exceeds the largest amount ordo stores (1,000,000,000.00 USD)".to_string();
        let big = usd(dec!(300000.00));
        assert_eq!(big.times(5_000).unwrap_err().to_string(), refusal);
        assert_eq!(big.times(3_333).unwrap().amount(), dec!(999900000.00));
        let max = usd(MAX_AMOUNT);
        let cent = usd(dec!(0.01));
        assert_eq!(max.add(&cent).unwrap_err().to_string(), refusal);
        assert_eq!(max.add(&usd(dec!(0))).unwrap(), max);
        assert_eq!(
            usd(-MAX_AMOUNT).sub(&cent).unwrap_err().to_string(),
            refusal
        );
        assert_eq!(max.scale_by(dec!(1.5)).unwrap_err().to_string(), refusal);
        assert_eq!(
            max.scale_with(dec!(1.0000001), RoundingMode::HalfUp)
                .unwrap_err()
                .to_string(),
            refusal
        );
        assert_eq!(
            Money::rounded(dec!(1000000000.004), Currency::USD).unwrap(),
            max
        );
        assert!(Money::rounded(dec!(1000000000.015), Currency::USD).is_err());
        // The refusal names the bound in the currency's own minor unit.
        let jpy = Currency::parse("JPY").unwrap();
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(
            Money::new(dec!(1000000001), jpy).unwrap_err().to_string(),
            "amount exceeds the largest amount ordo stores (1,000,000,000 JPY)"
        );
        assert_eq!(
            Money::new(dec!(999999999.999), kwd)
                .unwrap()
                .add(&Money::new(dec!(0.002), kwd).unwrap())
                .unwrap_err()
                .to_string(),
            "amount exceeds the largest amount ordo stores (1,000,000,000.000 KWD)"
        );
    }

    #[test]
    fn a_value_that_would_not_read_back_is_not_written() {
        let bad = Money::out_of_bounds_for_tests(dec!(1800000005.00), Currency::USD);
        let refusal = serde_json::to_string(&bad).unwrap_err().to_string();
        assert!(
            refusal.contains("1800000005.00 USD cannot be stored"),
            "{refusal}"
        );
        let too_fine = Money::out_of_bounds_for_tests(dec!(1.005), Currency::USD);
        assert!(serde_json::to_string(&too_fine).is_err());
        let good = Money::new(dec!(12.5), Currency::USD).unwrap();
        let json = serde_json::to_string(&good).unwrap();
        assert_eq!(json, r#"{"amount":"12.50","currency":"USD"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), good);
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
            let once = Money::rounded(amount, Currency::USD).unwrap();
            let twice = Money::rounded(once.amount(), Currency::USD).unwrap();
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn add_then_sub_is_identity(a in -1_000_000i64..1_000_000, b in -1_000_000i64..1_000_000) {
            let x = Money::new(Decimal::new(a, 2), Currency::USD).unwrap();
            let y = Money::new(Decimal::new(b, 2), Currency::USD).unwrap();
            prop_assert_eq!(x.add(&y).unwrap().sub(&y).unwrap(), x);
        }

        /// Whatever the operands, a step either stays within the bound at the currency's
        /// scale, or is refused: it never makes a value that would not read back.
        #[test]
        fn no_step_leaves_the_bound(
            units in -100_000_000_000i64..100_000_000_000,
            other in -100_000_000_000i64..100_000_000_000,
            code in prop::sample::select(vec!["USD", "JPY", "KRW", "KWD", "BHD", "EUR"]),
            quantity in 0u32..=10_000,
            rate_thousandths in 0i64..3_000,
        ) {
            let currency = Currency::parse(code).unwrap();
            let scale = currency.minor_units();
            let (Ok(a), Ok(b)) = (
                Money::new(Decimal::new(units, scale), currency),
                Money::new(Decimal::new(other, scale), currency),
            ) else {
                return Ok(());
            };
            let rate = Decimal::new(rate_thousandths, 3);
            for result in [
                a.add(&b),
                a.sub(&b),
                a.times(quantity),
                a.scale_by(rate),
                a.scale_with(rate, RoundingMode::HalfUp),
            ]
            .into_iter()
            .flatten()
            {
                prop_assert!(result.amount().abs() <= MAX_AMOUNT);
                prop_assert_eq!(result.amount().scale(), scale);
                let json = serde_json::to_string(&result).unwrap();
                prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), result);
            }
        }
    }
}
