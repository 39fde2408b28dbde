//! Pricing: line totals, discounts, taxes, shipping and the order total.
//!
//! Rounding happens at three named steps per line, each to the currency's minor unit:
//! 1. line total = unit price × quantity (exact)
//! 2. line discount = line total × Σ discount percents / 100, half to even
//! 3. line tax = (line total − line discount) × tax rate, rounded with the order's
//!    [`RoundingMode`] (the store's setting when the order was created)
//!
//! Order total = Σ line totals − Σ line discounts + Σ line taxes + shipping fee.
//!
//! Every step stays within the money bound ([`crate::money::MAX_AMOUNT`]); a step that would
//! leave it is a `Validation` error naming the step (`total`, `tax`, `order total`, …).
//!
//! The rates and the rounding mode are store settings ([`PricingSettings`], changed by the
//! `change_pricing_settings` engine command), so every process prices identically.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::TaxCategory;
use crate::error::{Error, Result};
use crate::money::{Currency, Money, RoundingMode};
use crate::seller::{Seller, SellerField};
use crate::validate::{self, limits};

/// The most decimal places a tax rate may have (0.082500 = 8.25 %).
const MAX_RATE_DECIMALS: u32 = 6;

/// Tax rates per category, as fractions (0.20 = 20 %).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRates {
    #[serde(with = "rust_decimal::serde::str")]
    standard: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    reduced: Decimal,
}

/// Checks one tax rate: a fraction between 0 and 1 with at most six decimals.
fn check_rate(name: &str, rate: Decimal) -> Result<Decimal> {
    if rate < Decimal::ZERO || rate > Decimal::ONE {
        return Err(Error::invalid(name, "must be between 0 and 1 (0% to 100%)"));
    }
    let rate = rate.normalize();
    if rate.scale() > MAX_RATE_DECIMALS {
        return Err(Error::invalid(
            name,
            format!("may have at most {MAX_RATE_DECIMALS} decimal places"),
        ));
    }
    Ok(rate)
}

/// A rate as a percentage: `0.2` → `20%`.
fn percent(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).normalize())
}

impl TaxRates {
    /// Checked rates: each between 0 and 1, at most six decimals.
    ///
    /// # Errors
    /// `Validation` if a rate is out of range.
    pub fn new(standard: Decimal, reduced: Decimal) -> Result<TaxRates> {
        Ok(TaxRates {
            standard: check_rate("standard tax rate", standard)?,
            reduced: check_rate("reduced tax rate", reduced)?,
        })
    }

    /// These rates with `category` at `rate`.
    ///
    /// # Errors
    /// `Validation` for a rate out of range, or for the zero category (always 0).
    pub fn with_rate(&self, category: TaxCategory, rate: Decimal) -> Result<TaxRates> {
        let field = format!("tax.{category}");
        let rate = check_rate(&field, rate)?;
        let mut rates = self.clone();
        match category {
            TaxCategory::Standard => rates.standard = rate,
            TaxCategory::Reduced => rates.reduced = rate,
            TaxCategory::Zero => {
                return Err(Error::invalid(
                    field,
                    "cannot be set: zero-rated products are always taxed at 0%",
                ));
            }
        }
        Ok(rates)
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
// Lower-case words on the wire; bincode stores the variant index, so names are free.
#[serde(rename_all = "snake_case")]
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

impl ShippingMethod {
    /// A stable one-byte code (ordering and fingerprints; never renumber).
    pub fn code(self) -> u8 {
        match self {
            ShippingMethod::Standard => 0,
            ShippingMethod::Express => 1,
            ShippingMethod::Pickup => 2,
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

    /// Standard 5.00 and express 15.00 in USD and EUR (the defaults of a fresh store).
    pub fn sample() -> ShippingRates {
        let rates = [
            (ShippingMethod::Standard, 5, Currency::USD),
            (ShippingMethod::Express, 15, Currency::USD),
            (ShippingMethod::Standard, 5, Currency::EUR),
            (ShippingMethod::Express, 15, Currency::EUR),
        ];
        ShippingRates::new(
            rates
                .into_iter()
                // Whole amounts far below the bound: `new` cannot refuse them.
                .filter_map(|(method, amount, currency)| {
                    Money::new(Decimal::from(amount), currency)
                        .ok()
                        .map(|fee| (method, fee))
                })
                .collect(),
        )
    }

    /// Every configured fee, one per method and currency (later pairs win), sorted by
    /// method, then currency.
    pub fn fees(&self) -> Vec<(ShippingMethod, Money)> {
        let mut fees: BTreeMap<(u8, Currency), (ShippingMethod, Money)> = BTreeMap::new();
        for (method, fee) in &self.rates {
            fees.insert((method.code(), fee.currency()), (*method, *fee));
        }
        fees.into_values().collect()
    }

    /// These rates with the fee for `method` in `currency` set (`Some`) or removed (`None`).
    ///
    /// # Errors
    /// `Validation` for pickup (always free) or a fee that is negative or in another
    /// currency.
    pub fn with_fee(
        &self,
        method: ShippingMethod,
        currency: Currency,
        fee: Option<Money>,
    ) -> Result<ShippingRates> {
        let field = format!("shipping.{method}.{currency}");
        if method == ShippingMethod::Pickup {
            return Err(Error::invalid(
                field,
                "cannot be set: pickup is always free",
            ));
        }
        if let Some(fee) = &fee {
            if fee.currency() != currency {
                return Err(Error::CurrencyMismatch {
                    expected: currency,
                    found: fee.currency(),
                });
            }
            if fee.is_negative() {
                return Err(Error::invalid(field, "must not be negative"));
            }
        }
        let mut rates: Vec<(ShippingMethod, Money)> = self
            .fees()
            .into_iter()
            .filter(|(m, f)| !(*m == method && f.currency() == currency))
            .collect();
        rates.extend(fee.map(|fee| (method, fee)));
        Ok(ShippingRates { rates })
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
/// `CurrencyMismatch` if the line is in another currency; `Validation` naming the step
/// (`total`, `discount`, `tax`) whose amount would exceed the money bound.
pub fn price_line(
    currency: Currency,
    line: &LineInput,
    discount_rate: Decimal,
    tax_rounding: RoundingMode,
) -> Result<LineAmounts> {
    if line.unit_price.currency() != currency {
        return Err(Error::CurrencyMismatch {
            expected: currency,
            found: line.unit_price.currency(),
        });
    }
    let total = line
        .unit_price
        .times(line.quantity)
        .map_err(|e| e.for_field("total"))?;
    let discount = total
        .scale_by(discount_rate)
        .map_err(|e| e.for_field("discount"))?;
    let tax = total
        .sub(&discount)
        .and_then(|taxable| taxable.scale_with(line.tax_rate, tax_rounding))
        .map_err(|e| e.for_field("tax"))?;
    Ok(LineAmounts {
        total,
        discount,
        tax,
    })
}

/// `a + b`, an error naming `field` if the sum would exceed the money bound.
pub(crate) fn add_to(field: &str, a: &Money, b: &Money) -> Result<Money> {
    a.add(b).map_err(|e| e.for_field(field))
}

/// subtotal − discount + tax + shipping, an error naming `order total` if it (or a step on
/// the way) would exceed the money bound.
pub(crate) fn order_total(totals: &Totals) -> Result<Money> {
    totals
        .subtotal
        .sub(&totals.discount)
        .and_then(|net| net.add(&totals.tax))
        .and_then(|taxed| taxed.add(&totals.shipping))
        .map_err(|e| e.for_field("order total"))
}

/// Adds priced lines and the shipping fee up to the order's totals.
///
/// # Errors
/// `CurrencyMismatch`; `Validation` naming the sum (`order subtotal`, `order tax`,
/// `order total`, …) that would exceed the money bound.
pub fn sum<'a>(
    currency: Currency,
    amounts: impl IntoIterator<Item = &'a LineAmounts>,
    shipping: Money,
) -> Result<Totals> {
    let mut totals = Totals::zero(currency);
    for line in amounts {
        totals.subtotal = add_to("order subtotal", &totals.subtotal, &line.total)?;
        totals.discount = add_to("order discount", &totals.discount, &line.discount)?;
        totals.tax = add_to("order tax", &totals.tax, &line.tax)?;
    }
    totals.shipping = add_to("shipping fee", &Money::zero(currency), &shipping)?;
    totals.total = order_total(&totals)?;
    Ok(totals)
}

/// Prices `lines` with `discounts` and `shipping`, in `currency`, rounding tax with
/// `tax_rounding`.
///
/// # Errors
/// `CurrencyMismatch` if a line or the fee is in another currency; `Validation` naming the
/// line (`line 2 total`) or the sum that would exceed the money bound.
pub fn price(
    currency: Currency,
    lines: &[LineInput],
    discounts: &[Discount],
    shipping: Money,
    tax_rounding: RoundingMode,
) -> Result<(Vec<LineAmounts>, Totals)> {
    let rate = discount_rate(discounts);
    let amounts = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            price_line(currency, line, rate, tax_rounding)
                .map_err(|e| e.within(format_args!("line {}", index + 1)))
        })
        .collect::<Result<Vec<_>>>()?;
    let totals = sum(currency, &amounts, shipping)?;
    Ok((amounts, totals))
}

/// The store's settings: tax rates, shipping fees, how tax is rounded, and the seller
/// invoices and labels print (schema 4). Kept in
/// the store (`Record::PricingSettings`), changed only by the audited, admin-only
/// `Engine::change_pricing_settings`, so every process prices identically. A store that
/// never saved any prices with [`PricingSettings::default`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingSettings {
    tax_rates: TaxRates,
    shipping_rates: ShippingRates,
    tax_rounding: RoundingMode,
    /// Who sells (appended in schema 4; empty until set).
    seller: Seller,
}

impl Default for PricingSettings {
    /// 20 % standard and 5 % reduced tax, standard 5.00 and express 15.00 shipping in USD
    /// and EUR, tax rounded half to even, no seller details.
    fn default() -> Self {
        PricingSettings {
            tax_rates: TaxRates::default(),
            shipping_rates: ShippingRates::sample(),
            tax_rounding: RoundingMode::HalfEven,
            seller: Seller::default(),
        }
    }
}

impl PricingSettings {
    /// Settings from their parts (no seller details; see [`PricingSettings::with`]).
    pub fn new(
        tax_rates: TaxRates,
        shipping_rates: ShippingRates,
        tax_rounding: RoundingMode,
    ) -> PricingSettings {
        PricingSettings {
            tax_rates,
            shipping_rates,
            tax_rounding,
            seller: Seller::default(),
        }
    }

    /// Who sells, as invoices and labels print it.
    pub fn seller(&self) -> &Seller {
        &self.seller
    }

    /// Tax rates per category.
    pub fn tax_rates(&self) -> &TaxRates {
        &self.tax_rates
    }

    /// Shipping fees per method and currency.
    pub fn shipping_rates(&self) -> &ShippingRates {
        &self.shipping_rates
    }

    /// How the tax step rounds.
    pub fn tax_rounding(&self) -> RoundingMode {
        self.tax_rounding
    }

    /// These settings with `change` made.
    ///
    /// # Errors
    /// `Validation` for a value out of range (see [`TaxRates::with_rate`],
    /// [`ShippingRates::with_fee`]).
    pub fn with(&self, change: &PricingChange) -> Result<PricingSettings> {
        let mut next = self.clone();
        match change {
            PricingChange::TaxRate { category, rate } => {
                next.tax_rates = self.tax_rates.with_rate(*category, *rate)?;
            }
            PricingChange::ShippingFee {
                method,
                currency,
                fee,
            } => {
                next.shipping_rates = self.shipping_rates.with_fee(*method, *currency, *fee)?;
            }
            PricingChange::TaxRounding(mode) => next.tax_rounding = *mode,
            PricingChange::Seller { field, value } => {
                next.seller = self.seller.with(*field, value)?;
            }
        }
        Ok(next)
    }

    /// Every setting by name (`tax.standard`, `shipping.express.EUR`, `rounding`) with its
    /// value as people read it (`20%`, `15.00 EUR`, `half-even`), in name order: what
    /// `ordo settings show` prints and what the audit compares.
    pub fn fields(&self) -> BTreeMap<String, String> {
        let mut fields = BTreeMap::new();
        for category in [TaxCategory::Standard, TaxCategory::Reduced] {
            fields.insert(
                format!("tax.{category}"),
                percent(self.tax_rates.rate(category)),
            );
        }
        for (method, fee) in self.shipping_rates.fees() {
            fields.insert(
                format!("shipping.{method}.{}", fee.currency()),
                fee.to_string(),
            );
        }
        fields.insert("rounding".into(), self.tax_rounding.to_string());
        for field in SellerField::ALL {
            let value = self.seller.get(field);
            if !value.is_empty() {
                fields.insert(field.to_string(), value);
            }
        }
        fields
    }

    /// The settings that differ from `before` to `self`: (name, before, after), `None`
    /// where a setting is absent (a shipping fee added or removed).
    pub fn diff(&self, before: &PricingSettings) -> Vec<(String, Option<String>, Option<String>)> {
        let old = before.fields();
        let new = self.fields();
        let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter_map(|name| {
                let (was, now) = (old.get(name), new.get(name));
                (was != now).then(|| (name.clone(), was.cloned(), now.cloned()))
            })
            .collect()
    }
}

/// One change to the pricing settings, as `ordo settings set` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PricingChange {
    /// `tax.CATEGORY=RATE`: the rate of `standard` or `reduced` (a fraction such as `0.2`,
    /// or a percentage such as `20%`).
    TaxRate {
        /// The category.
        category: TaxCategory,
        /// The rate, a fraction.
        rate: Decimal,
    },
    /// `shipping.METHOD.CURRENCY=AMOUNT` (or `=none` to remove the fee; orders in that
    /// currency then cannot use the method).
    ShippingFee {
        /// Standard or express (pickup is always free).
        method: ShippingMethod,
        /// The currency the fee is for.
        currency: Currency,
        /// The fee, or `None` to remove it.
        fee: Option<Money>,
    },
    /// `rounding=half-even|half-up`: how the tax step rounds.
    TaxRounding(RoundingMode),
    /// `seller.name=…`, `seller.address=LINE; LINE`, `seller.tax_id=…`,
    /// `seller.contact=…` (an empty value clears it).
    Seller {
        /// The part.
        field: SellerField,
        /// Its new value, as typed.
        value: String,
    },
}

impl PricingChange {
    /// Parses `tax.standard=0.2`, `tax.reduced=5%`, `shipping.express.EUR=15.00`,
    /// `shipping.express.JPY=none`, `rounding=half-up` or `seller.name=Ordo Shop`.
    ///
    /// # Errors
    /// `Validation` naming the setting, for an unknown name or a bad value.
    pub fn parse(text: &str) -> Result<PricingChange> {
        let unknown = || {
            Error::invalid(
                "setting",
                format!(
                    "{text:?} is not a setting; use tax.CATEGORY=RATE, \
                     shipping.METHOD.CURRENCY=AMOUNT, rounding=half-even|half-up or \
                     seller.name|address|tax_id|contact=TEXT"
                ),
            )
        };
        let (name, value) = text.split_once('=').ok_or_else(unknown)?;
        let (name, value) = (name.trim(), value.trim());
        let parts: Vec<&str> = name.split('.').collect();
        match parts.as_slice() {
            [head, category] if head.eq_ignore_ascii_case("tax") => {
                let category = TaxCategory::parse(category)?;
                let field = format!("tax.{category}");
                Ok(PricingChange::TaxRate {
                    category,
                    rate: parse_rate(&field, value)?,
                })
            }
            [head, method, currency] if head.eq_ignore_ascii_case("shipping") => {
                let method = ShippingMethod::parse(method)?;
                let currency = Currency::parse(currency)?;
                let field = format!("shipping.{method}.{currency}");
                let fee = if value.eq_ignore_ascii_case("none") {
                    None
                } else {
                    Some(Money::parse(value, Some(currency), &field)?)
                };
                Ok(PricingChange::ShippingFee {
                    method,
                    currency,
                    fee,
                })
            }
            [head] if head.eq_ignore_ascii_case("rounding") => {
                Ok(PricingChange::TaxRounding(RoundingMode::parse(value)?))
            }
            [head, field] if head.eq_ignore_ascii_case("seller") => {
                let field = SellerField::parse(field)?;
                // Checked now, so a bad value is refused before any write.
                Seller::default().with(field, value)?;
                Ok(PricingChange::Seller {
                    field,
                    value: value.to_string(),
                })
            }
            _ => Err(unknown()),
        }
    }
}

/// `0.2` or `20%` as a fraction.
fn parse_rate(field: &str, value: &str) -> Result<Decimal> {
    let bad = || Error::invalid(field, format!("{value:?} is not a rate like 0.2 or 20%"));
    match value.strip_suffix('%') {
        Some(number) => Decimal::from_str(number.trim())
            .ok()
            .and_then(|p| p.checked_div(Decimal::ONE_HUNDRED))
            .ok_or_else(bad),
        None => Decimal::from_str(value).map_err(|_| bad()),
    }
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
        let (amounts, totals) = price(
            Currency::USD,
            &lines,
            &discounts,
            usd(dec!(5)),
            RoundingMode::HalfEven,
        )
        .unwrap();
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
        let (_, totals) = price(
            Currency::USD,
            &lines,
            &d,
            usd(dec!(0)),
            RoundingMode::HalfEven,
        )
        .unwrap();
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
        assert!(
            price(
                Currency::USD,
                &lines,
                &[],
                usd(dec!(0)),
                RoundingMode::HalfEven
            )
            .is_err()
        );
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

    #[test]
    fn tax_rounds_as_the_mode_says() {
        // 10.25 at 20 % = 2.05 exactly; at 5 % = 0.5125 → 0.51; 0.25 at 10 % = 0.025.
        let line = |cents, rate| LineInput {
            unit_price: usd(Decimal::new(cents, 2)),
            quantity: 1,
            tax_rate: rate,
        };
        let tax =
            |input: &LineInput, mode| price_line(Currency::USD, input, dec!(0), mode).unwrap().tax;
        assert_eq!(
            tax(&line(25, dec!(0.1)), RoundingMode::HalfEven),
            usd(dec!(0.02))
        );
        assert_eq!(
            tax(&line(25, dec!(0.1)), RoundingMode::HalfUp),
            usd(dec!(0.03))
        );
        assert_eq!(
            tax(&line(1025, dec!(0.05)), RoundingMode::HalfUp),
            usd(dec!(0.51))
        );
        // Discounts stay half to even whatever the tax mode: 0.25 × 10 % = 0.025 → 0.02.
        let discounted = price_line(
            Currency::USD,
            &line(25, dec!(0)),
            dec!(0.1),
            RoundingMode::HalfUp,
        )
        .unwrap();
        assert_eq!(discounted.discount, usd(dec!(0.02)));
    }

    #[test]
    fn a_step_past_the_money_bound_is_named() {
        let line = |cents: i64, quantity| LineInput {
            unit_price: usd(Decimal::new(cents, 2)),
            quantity,
            tax_rate: dec!(0.2),
        };
        let refused = |lines: &[LineInput]| {
            price(
                Currency::USD,
                lines,
                &[],
                usd(dec!(5)),
                RoundingMode::HalfEven,
            )
            .unwrap_err()
            .to_string()
        };
        let bound = "exceeds the largest amount ordo stores (1,000,000,000.00 USD)";
        assert_eq!(
            refused(&[line(1, 1), line(30_000_000, 5_000)]),
            format!("line 2 total {bound}")
        );
        // 900,000,000.00 fits; its tax (180,000,000.00) too; the order total does not.
        assert_eq!(
            refused(&[line(9_000_000, 10_000)]),
            format!("order total {bound}")
        );
        assert_eq!(
            refused(&[line(6_000_000, 10_000), line(6_000_000, 10_000)]),
            format!("order subtotal {bound}")
        );
        let (_, fits) = price(
            Currency::USD,
            &[line(8_000_000, 10_000)],
            &[],
            usd(dec!(5)),
            RoundingMode::HalfEven,
        )
        .unwrap();
        assert_eq!(fits.total, usd(dec!(960000005.00)));
    }

    #[test]
    fn the_seller_is_a_setting_listed_only_once_set() {
        let parse = PricingChange::parse;
        let before = PricingSettings::default();
        assert!(!before.fields().keys().any(|k| k.starts_with("seller.")));
        let after = before
            .with(&parse("seller.name = Ordo Shop").unwrap())
            .unwrap()
            .with(&parse("Seller.Address=1 Market St;Leeds").unwrap())
            .unwrap();
        assert_eq!(after.seller().name(), "Ordo Shop");
        assert_eq!(
            after.diff(&before),
            vec![
                (
                    "seller.address".to_string(),
                    None,
                    Some("1 Market St; Leeds".to_string())
                ),
                (
                    "seller.name".to_string(),
                    None,
                    Some("Ordo Shop".to_string())
                ),
            ]
        );
        let cleared = after.with(&parse("seller.address=").unwrap()).unwrap();
        assert_eq!(cleared.fields().get("seller.address"), None);
        assert_eq!(
            parse("seller.iban=GB00").unwrap_err().field(),
            Some("setting")
        );
        assert_eq!(
            parse(&format!("seller.name={}", "x".repeat(121)))
                .unwrap_err()
                .field(),
            Some("seller.name")
        );
    }

    #[test]
    fn settings_parse_apply_and_diff() {
        let parse = |text: &str| PricingChange::parse(text);
        assert_eq!(
            parse("tax.standard=21%").unwrap(),
            PricingChange::TaxRate {
                category: TaxCategory::Standard,
                rate: dec!(0.21)
            }
        );
        assert_eq!(
            parse(" TAX.Reduced = 0.07 ").unwrap(),
            PricingChange::TaxRate {
                category: TaxCategory::Reduced,
                rate: dec!(0.07)
            }
        );
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            parse("shipping.express.jpy=1500").unwrap(),
            PricingChange::ShippingFee {
                method: ShippingMethod::Express,
                currency: jpy,
                fee: Some(Money::new(dec!(1500), jpy).unwrap()),
            }
        );
        assert_eq!(
            parse("shipping.standard.EUR=none").unwrap(),
            PricingChange::ShippingFee {
                method: ShippingMethod::Standard,
                currency: Currency::EUR,
                fee: None
            }
        );
        assert_eq!(
            parse("rounding=half-up").unwrap(),
            PricingChange::TaxRounding(RoundingMode::HalfUp)
        );
        for bad in [
            "",
            "tax",
            "tax.standard",
            "colour=red",
            "tax.luxury=0.3",
            "tax.standard=abc",
            "shipping.express=5",
            "shipping.drone.USD=5",
            "shipping.express.XYZ=5",
            "shipping.express.USD=1.001",
            "rounding=up",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let defaults = PricingSettings::default();
        let apply = |text: &str| defaults.with(&parse(text).unwrap());
        assert_eq!(
            apply("tax.standard=1.5").unwrap_err().to_string(),
            "tax.standard must be between 0 and 1 (0% to 100%)"
        );
        assert_eq!(
            apply("tax.standard=0.0000001").unwrap_err().to_string(),
            "tax.standard may have at most 6 decimal places"
        );
        assert!(
            apply("tax.zero=0.1")
                .unwrap_err()
                .to_string()
                .contains("always taxed at 0%")
        );
        assert!(
            apply("shipping.pickup.USD=1")
                .unwrap_err()
                .to_string()
                .contains("pickup is always free")
        );
        assert!(apply("shipping.standard.USD=-1").is_err());
        let changed = apply("tax.standard=21%")
            .unwrap()
            .with(&parse("shipping.express.JPY=1500").unwrap())
            .unwrap()
            .with(&parse("shipping.standard.EUR=none").unwrap())
            .unwrap()
            .with(&parse("rounding=half-up").unwrap())
            .unwrap();
        assert_eq!(changed.tax_rates().rate(TaxCategory::Standard), dec!(0.21));
        assert_eq!(changed.tax_rounding(), RoundingMode::HalfUp);
        assert!(
            changed
                .shipping_rates()
                .fee(ShippingMethod::Standard, Currency::EUR)
                .is_err()
        );
        assert_eq!(
            changed
                .shipping_rates()
                .fee(ShippingMethod::Express, jpy)
                .unwrap()
                .to_string(),
            "1500 JPY"
        );
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            changed.diff(&defaults),
            vec![
                ("rounding".to_string(), some("half-even"), some("half-up")),
                ("shipping.express.JPY".to_string(), None, some("1500 JPY")),
                ("shipping.standard.EUR".to_string(), some("5.00 EUR"), None),
                ("tax.standard".to_string(), some("20%"), some("21%")),
            ]
        );
        assert!(defaults.diff(&defaults).is_empty());
        // Setting a fee again replaces it, never duplicates it.
        let twice = apply("shipping.express.USD=16")
            .unwrap()
            .with(&parse("shipping.express.USD=17").unwrap())
            .unwrap();
        assert_eq!(twice.shipping_rates().fees().len(), 4);
        assert_eq!(
            twice
                .shipping_rates()
                .fee(ShippingMethod::Express, Currency::USD)
                .unwrap(),
            usd(dec!(17))
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
            let (amounts, totals) = price(Currency::USD, &inputs, &discounts, usd(Decimal::new(fee, 2)), RoundingMode::HalfEven).unwrap();
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
