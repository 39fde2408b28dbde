//! Pricing: line totals, discounts, taxes, shipping and the order total.
//!
//! One rounding rule, applied at three named steps per line, each to the currency's minor
//! unit with banker's rounding:
//! 1. line total = unit price × quantity
//! 2. line discount = line total × Σ discount percents / 100
//! 3. line tax = (line total − line discount) × tax rate
//!
//! Order total = Σ line totals − Σ line discounts + Σ line taxes + shipping fee.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::TaxCategory;
use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::validate::{self, limits};

/// Tax rates per category, as fractions (0.20 = 20 %).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRates {
    #[serde(with = "rust_decimal::serde::str")]
    standard: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    reduced: Decimal,
}

impl TaxRates {
    /// Checked rates: each between 0 and 1.
    ///
    /// # Errors
    /// `Validation` if a rate is out of range.
    pub fn new(standard: Decimal, reduced: Decimal) -> Result<TaxRates> {
        for (name, rate) in [
            ("standard tax rate", standard),
            ("reduced tax rate", reduced),
        ] {
            if rate < Decimal::ZERO || rate > Decimal::ONE {
                return Err(Error::invalid(name, "must be between 0 and 1"));
            }
        }
        Ok(TaxRates { standard, reduced })
    }

    /// The rate for `category`.
    pub fn rate(&self, category: TaxCategory) -> Decimal {
        match category {
            TaxCategory::Standard => self.standard,
            TaxCategory::Reduced => self.reduced,
            TaxCategory::Zero => Decimal::ZERO,
        }
    }
}

impl Default for TaxRates {
    /// 20 % standard, 5 % reduced.
    fn default() -> Self {
        TaxRates {
            standard: Decimal::new(20, 2),
            reduced: Decimal::new(5, 2),
        }
    }
}

/// How an order travels to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ShippingMethod {
    /// Regular delivery.
    Standard,
    /// Next-day delivery.
    Express,
    /// Customer collects at a warehouse: always free.
    Pickup,
}

impl ShippingMethod {
    /// Parses `standard`, `express` or `pickup`.
    ///
    /// # Errors
    /// `Validation` for anything else.
    pub fn parse(text: &str) -> Result<ShippingMethod> {
        match text.trim().to_ascii_lowercase().as_str() {
            "standard" => Ok(ShippingMethod::Standard),
            "express" => Ok(ShippingMethod::Express),
            "pickup" => Ok(ShippingMethod::Pickup),
            _ => Err(Error::invalid(
                "shipping method",
                format!("{text:?} must be standard, express or pickup"),
            )),
        }
    }
}

impl fmt::Display for ShippingMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShippingMethod::Standard => "standard",
            ShippingMethod::Express => "express",
            ShippingMethod::Pickup => "pickup",
        })
    }
}

/// Shipping fees per method and currency.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShippingRates {
    rates: Vec<(ShippingMethod, Money)>,
}

impl ShippingRates {
    /// Rates from `(method, fee)` pairs; later pairs for the same method and currency win.
    pub fn new(rates: Vec<(ShippingMethod, Money)>) -> ShippingRates {
        ShippingRates { rates }
    }

    /// Standard 5.00 and express 15.00 in USD and EUR.
    pub fn sample() -> ShippingRates {
        let fee = |amount: i64, currency| Money::rounded(Decimal::from(amount), currency);
        ShippingRates::new(vec![
            (ShippingMethod::Standard, fee(5, Currency::USD)),
            (ShippingMethod::Express, fee(15, Currency::USD)),
            (ShippingMethod::Standard, fee(5, Currency::EUR)),
            (ShippingMethod::Express, fee(15, Currency::EUR)),
        ])
    }

    /// The fee for `method` in `currency`. Pickup is always free.
    ///
    /// # Errors
    /// `Validation` if no rate is configured for that method and currency.
    pub fn fee(&self, method: ShippingMethod, currency: Currency) -> Result<Money> {
        if method == ShippingMethod::Pickup {
            return Ok(Money::zero(currency));
        }
        self.rates
            .iter()
            .rev()
            .find(|(m, fee)| *m == method && fee.currency() == currency)
            .map(|(_, fee)| *fee)
            .ok_or_else(|| {
                Error::invalid(
                    "shipping method",
                    format!("{method} has no rate in {currency}"),
                )
            })
    }
}

/// A percentage off every line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    label: String,
    #[serde(with = "rust_decimal::serde::str")]
    percent: Decimal,
}

impl Discount {
    /// A checked discount: label required, percent in (0, 100].
    ///
    /// # Errors
    /// `Validation` for an empty label or an out-of-range percent.
    pub fn new(label: &str, percent: Decimal) -> Result<Discount> {
        let label = validate::required_text("discount label", label, limits::MAX_NAME_CHARS)?;
        if percent <= Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err(Error::invalid(
                "discount",
                "must be more than 0 and at most 100 percent",
            ));
        }
        Ok(Discount { label, percent })
    }

    /// What the discount is for (e.g. `WELCOME10`).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Percent off.
    pub fn percent(&self) -> Decimal {
        self.percent
    }
}

/// What pricing needs to know about one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInput {
    /// Price of one unit (snapshot at placement).
    pub unit_price: Money,
    /// Units.
    pub quantity: u32,
    /// Tax rate for the line (snapshot at placement).
    pub tax_rate: Decimal,
}

/// The priced amounts of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAmounts {
    /// Unit price × quantity.
    pub total: Money,
    /// Discount on this line.
    pub discount: Money,
    /// Tax on the discounted line.
    pub tax: Money,
}

/// The money summary of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Σ line totals.
    pub subtotal: Money,
    /// Σ line discounts.
    pub discount: Money,
    /// Σ line taxes.
    pub tax: Money,
    /// Shipping fee.
    pub shipping: Money,
    /// subtotal − discount + tax + shipping.
    pub total: Money,
}

impl Totals {
    /// All zero in `currency`.
    pub fn zero(currency: Currency) -> Totals {
        let z = Money::zero(currency);
        Totals {
            subtotal: z,
            discount: z,
            tax: z,
            shipping: z,
            total: z,
        }
    }
}

/// The fraction off every line for `discounts` (their percents add up, capped at 100 %).
pub fn discount_rate(discounts: &[Discount]) -> Decimal {
    let percent: Decimal = discounts.iter().map(Discount::percent).sum();
    percent.min(Decimal::ONE_HUNDRED) / Decimal::ONE_HUNDRED
}

/// Prices one line: total, discount and tax, each rounded (the three named steps).
///
/// # Errors
/// `CurrencyMismatch` if the line is in another currency; `Validation` on overflow.
pub fn price_line(
    currency: Currency,
    line: &LineInput,
    discount_rate: Decimal,
) -> Result<LineAmounts> {
    if line.unit_price.currency() != currency {
        return Err(Error::CurrencyMismatch {
            expected: currency,
            found: line.unit_price.currency(),
        });
    }
    let total = line.unit_price.times(line.quantity)?;
    let discount = total.scale_by(discount_rate)?;
    let tax = total.sub(&discount)?.scale_by(line.tax_rate)?;
    Ok(LineAmounts {
        total,
        discount,
        tax,
    })
}

/// Adds priced lines and the shipping fee up to the order's totals.
///
/// # Errors
/// `CurrencyMismatch`; `Validation` on overflow.
pub fn sum<'a>(
    currency: Currency,
    amounts: impl IntoIterator<Item = &'a LineAmounts>,
    shipping: Money,
) -> Result<Totals> {
    let mut totals = Totals::zero(currency);
    for line in amounts {
        totals.subtotal = totals.subtotal.add(&line.total)?;
        totals.discount = totals.discount.add(&line.discount)?;
        totals.tax = totals.tax.add(&line.tax)?;
    }
    totals.shipping = Money::zero(currency).add(&shipping)?;
    totals.total = totals
        .subtotal
        .sub(&totals.discount)?
        .add(&totals.tax)?
        .add(&totals.shipping)?;
    Ok(totals)
}

/// Prices `lines` with `discounts` and `shipping`, in `currency`.
///
/// # Errors
/// `CurrencyMismatch` if a line or the fee is in another currency; `Validation` on overflow.
pub fn price(
    currency: Currency,
    lines: &[LineInput],
    discounts: &[Discount],
    shipping: Money,
) -> Result<(Vec<LineAmounts>, Totals)> {
    let rate = discount_rate(discounts);
    let amounts = lines
        .iter()
        .map(|line| price_line(currency, line, rate))
        .collect::<Result<Vec<_>>>()?;
    let totals = sum(currency, &amounts, shipping)?;
    Ok((amounts, totals))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn usd(a: Decimal) -> Money {
        Money::new(a, Currency::USD).unwrap()
    }

    #[test]
    fn prices_a_two_line_order_with_discount_tax_and_shipping() {
        let lines = [
            LineInput {
                unit_price: usd(dec!(19.99)),
                quantity: 3,
                tax_rate: dec!(0.20),
            },
            LineInput {
                unit_price: usd(dec!(4.50)),
                quantity: 1,
                tax_rate: dec!(0.05),
            },
        ];
        let discounts = [Discount::new("WELCOME10", dec!(10)).unwrap()];
        let (amounts, totals) = price(Currency::USD, &lines, &discounts, usd(dec!(5))).unwrap();
        // 59.97 − 6.00 (5.997 → 6.00) = 53.97 → tax 10.794 → 10.79
        assert_eq!(amounts[0].total, usd(dec!(59.97)));
        assert_eq!(amounts[0].discount, usd(dec!(6.00)));
        assert_eq!(amounts[0].tax, usd(dec!(10.79)));
        // 4.50 − 0.45 = 4.05 → tax 0.2025 → 0.20
        assert_eq!(amounts[1].tax, usd(dec!(0.20)));
        assert_eq!(totals.subtotal, usd(dec!(64.47)));
        assert_eq!(totals.discount, usd(dec!(6.45)));
        assert_eq!(totals.tax, usd(dec!(10.99)));
        assert_eq!(totals.total, usd(dec!(74.01)));
    }

    #[test]
    fn discounts_never_exceed_the_goods() {
        let lines = [LineInput {
            unit_price: usd(dec!(10)),
            quantity: 1,
            tax_rate: dec!(0.2),
        }];
        let d = [
            Discount::new("A", dec!(80)).unwrap(),
            Discount::new("B", dec!(80)).unwrap(),
        ];
        let (_, totals) = price(Currency::USD, &lines, &d, usd(dec!(0))).unwrap();
        assert_eq!(totals.total, usd(dec!(0)));
        assert!(Discount::new("X", dec!(0)).is_err());
        assert!(Discount::new("X", dec!(101)).is_err());
        assert!(Discount::new(" ", dec!(5)).is_err());
    }

    #[test]
    fn refuses_mixed_currency_lines_and_missing_rates() {
        let eur = Money::new(dec!(1), Currency::EUR).unwrap();
        let lines = [LineInput {
            unit_price: eur,
            quantity: 1,
            tax_rate: dec!(0),
        }];
        assert!(price(Currency::USD, &lines, &[], usd(dec!(0))).is_err());
        let jpy = Currency::parse("JPY").unwrap();
        assert!(
            ShippingRates::sample()
                .fee(ShippingMethod::Express, jpy)
                .is_err()
        );
        assert!(
            ShippingRates::sample()
                .fee(ShippingMethod::Pickup, jpy)
                .unwrap()
                .is_zero()
        );
    }

    proptest! {
        #[test]
        fn lines_sum_to_the_total(
            lines in proptest::collection::vec((1i64..100_000, 1u32..500, 0u32..30), 0..20),
            percent in 0u32..60,
            fee in 0i64..3000,
        ) {
            let inputs: Vec<LineInput> = lines.iter().map(|(cents, q, rate)| LineInput {
                unit_price: usd(Decimal::new(*cents, 2)), quantity: *q, tax_rate: Decimal::new(i64::from(*rate), 2),
            }).collect();
            let discounts: Vec<Discount> = if percent == 0 { vec![] } else { vec![Discount::new("P", Decimal::from(percent)).unwrap()] };
            let (amounts, totals) = price(Currency::USD, &inputs, &discounts, usd(Decimal::new(fee, 2))).unwrap();
            let mut sum = Decimal::ZERO;
            for a in &amounts {
                sum += a.total.amount() - a.discount.amount() + a.tax.amount();
                prop_assert!(a.discount.amount() <= a.total.amount());
            }
            prop_assert_eq!(sum + totals.shipping.amount(), totals.total.amount());
            prop_assert_eq!(totals.total.amount().scale(), 2);
        }
    }
}
