//! The CLI's own small parsers: pure functions from one argument's text to domain input,
//! returning [`ordo_core::Error`] (a `Validation` error, exit code 3) so they can be fuzzed.
//!
//! Each one only splits the text into its parts; every part is checked by ordo-core's own
//! parse functions (`Sku::parse`, `Money::parse`, `validate::quantity`, …), so the rules live
//! in one place whatever adapter the input came through.

use std::str::FromStr;

use ordo_core::catalog::{BackorderPolicy, Media, MediaKind, PriceTier, Sku};
use ordo_core::customer::{Address, AddressInput};
use ordo_core::engine::ItemRequest;
use ordo_core::ids::CustomerId;
use ordo_core::message::Direction;
use ordo_core::money::{Currency, Money};
use ordo_core::validate;
use ordo_core::{Error, Result};
use rust_decimal::Decimal;

/// Most items a listing command shows in one page (products, customers).
pub const MAX_LIST_LIMIT: usize = 1_000;

/// Parses an order item `SKU:QTY` (e.g. `TEE-RED-M:2`).
///
/// # Errors
/// `Validation` if the text has no `:`, the SKU is invalid, or the quantity is not a whole
/// number from 1 to 10 000.
pub fn item(text: &str) -> Result<ItemRequest> {
    let (sku, quantity) = text.rsplit_once(':').ok_or_else(|| {
        Error::invalid(
            "item",
            format!("{text:?} must look like SKU:QTY, e.g. TEE-RED-M:2"),
        )
    })?;
    let sku = Sku::parse(sku)?;
    let quantity = item_quantity(&sku, quantity)?;
    Ok(ItemRequest {
        sku: sku.to_string(),
        quantity: i64::from(quantity),
    })
}

/// Parses the quantity of `sku` as typed (a whole number from 1 to 10 000).
///
/// # Errors
/// `Validation` naming the SKU.
pub fn item_quantity(sku: &Sku, text: &str) -> Result<u32> {
    // The range rule is core's (`Sku::quantity`); the CLI only turns text into a number.
    let number = whole_number(&format!("quantity for SKU {sku}"), text)?;
    sku.quantity(number)
}

/// Parses a product specification `KEY=VALUE` (e.g. `Material=Organic cotton`).
///
/// # Errors
/// `Validation` if there is no `=`; the parts themselves are checked by the catalog.
pub fn specification(text: &str) -> Result<(String, String)> {
    let (key, value) = text.split_once('=').ok_or_else(|| {
        Error::invalid(
            "specification",
            format!("{text:?} must look like KEY=VALUE, e.g. Material=Cotton"),
        )
    })?;
    Ok((key.trim().to_string(), value.trim().to_string()))
}

/// Parses a wholesale price tier `QTY:PRICE` (e.g. `10:8.50` or `10:8.50 USD`); a price
/// without a currency is in `currency` (the product's).
///
/// # Errors
/// `Validation` for a missing `:`, a bad quantity or a bad price.
pub fn price_tier(text: &str, currency: Currency) -> Result<PriceTier> {
    let (quantity, price) = text.split_once(':').ok_or_else(|| {
        Error::invalid(
            "wholesale tier",
            format!("{text:?} must look like QTY:PRICE, e.g. 10:8.50"),
        )
    })?;
    let min_quantity = validate::quantity(
        "wholesale tier quantity",
        whole_number("wholesale tier quantity", quantity)?,
    )?;
    let unit_price = Money::parse(price, Some(currency), "wholesale price")?;
    Ok(PriceTier {
        min_quantity,
        unit_price,
    })
}

/// Parses a discount `LABEL:PERCENT` (e.g. `WELCOME:10` or `WELCOME:12.5%`).
///
/// # Errors
/// `Validation` for a missing `:` or a percent that is not a number; the label and range
/// are checked by the engine.
pub fn discount(text: &str) -> Result<(String, Decimal)> {
    let (label, percent) = text.rsplit_once(':').ok_or_else(|| {
        Error::invalid(
            "discount",
            format!("{text:?} must look like LABEL:PERCENT, e.g. WELCOME:10"),
        )
    })?;
    Ok((label.trim().to_string(), self::percent(percent)?))
}

/// Parses a percentage (`10`, `12.5` or `12.5%`); its range is checked by the engine.
///
/// # Errors
/// `Validation` if it is not a number.
pub fn percent(text: &str) -> Result<Decimal> {
    let number = text.trim().trim_end_matches('%').trim();
    Decimal::from_str(number).map_err(|_| {
        Error::invalid(
            "discount",
            format!("{text:?} is not a percentage like 10 or 12.5"),
        )
    })
}

/// Parses a Telegram chat id (a whole number; group chats are negative).
///
/// # Errors
/// `Validation` if it is not a whole number.
pub fn telegram_chat(text: &str) -> Result<i64> {
    whole_number("Telegram chat id", text)
}

/// Parses a message direction: `in` (from the customer) or `out` (to the customer).
///
/// # Errors
/// `Validation` for anything else.
pub fn direction(text: &str) -> Result<Direction> {
    Direction::parse(text)
}

/// Parses a stock correction `+N` or `-N` (a bare `N` means `+N`).
///
/// # Errors
/// `Validation` if it is not a whole number or is zero.
pub fn stock_delta(text: &str) -> Result<i64> {
    let delta = whole_number("stock adjustment", text)?;
    if delta == 0 {
        return Err(Error::invalid("stock adjustment", "must not be zero"));
    }
    Ok(delta)
}

/// Parses a restock quantity (a whole number of units, at least 1).
///
/// # Errors
/// `Validation` if it is not a positive whole number.
pub fn restock_quantity(text: &str) -> Result<u64> {
    let number = whole_number("restock quantity", text)?;
    u64::try_from(number)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| Error::invalid("restock quantity", "must be at least 1"))
}

/// Parses a customer id (digits).
///
/// # Errors
/// `Validation` if it is not a number.
pub fn customer_id(text: &str) -> Result<CustomerId> {
    text.trim()
        .parse::<u64>()
        .map(CustomerId)
        .map_err(|_| Error::invalid("customer id", format!("{text:?} must be a number, e.g. 42")))
}

/// Parses the one-line address form `recipient, street, [line 2,] city, postal code, country`.
///
/// # Errors
/// `Validation` from [`Address::parse_line`].
pub fn address(text: &str) -> Result<AddressInput> {
    Address::parse_line(text).map(|address| address.to_input())
}

/// A photo or video from its URL (the catalog checks the URL).
pub fn media(kind: MediaKind, url: &str) -> Media {
    Media {
        kind,
        url: url.trim().to_string(),
        caption: String::new(),
    }
}

/// Parses a backorder policy: `allow` or `deny`.
///
/// # Errors
/// `Validation` for anything else.
pub fn backorder_policy(text: &str) -> Result<BackorderPolicy> {
    match text.trim().to_ascii_lowercase().as_str() {
        "allow" | "yes" => Ok(BackorderPolicy::Allow),
        "deny" | "no" => Ok(BackorderPolicy::Deny),
        _ => Err(Error::invalid(
            "backorder",
            format!("{text:?} must be allow or deny"),
        )),
    }
}

/// Checks a page size for product and customer listings: 1 to [`MAX_LIST_LIMIT`].
///
/// # Errors
/// `Validation` outside that range.
pub fn list_limit(limit: usize) -> Result<usize> {
    if (1..=MAX_LIST_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(Error::invalid(
            "limit",
            format!("must be from 1 to {MAX_LIST_LIMIT}"),
        ))
    }
}

fn whole_number(field: &str, text: &str) -> Result<i64> {
    let trimmed = text.trim();
    trimmed
        .parse::<i64>()
        .map_err(|_| Error::invalid(field, format!("{trimmed:?} is not a whole number")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordo_core::ErrorKind;

    #[test]
    fn items_split_at_the_last_colon_and_check_quantity() {
        let item = item("tee-red-m:2").unwrap();
        assert_eq!(item.sku, "TEE-RED-M");
        assert_eq!(item.quantity, 2);
        assert_eq!(
            super::item("TEE-RED-M:0").unwrap_err().to_string(),
            "quantity for SKU TEE-RED-M must be at least 1"
        );
        assert!(super::item("TEE-RED-M:-3").is_err());
        assert!(super::item("TEE-RED-M:two").is_err());
        assert!(super::item("TEE-RED-M").is_err());
        assert!(super::item(":2").is_err());
        assert_eq!(
            super::item("TEE:x").unwrap_err().kind(),
            ErrorKind::Validation
        );
    }

    #[test]
    fn telegram_chats_and_directions() {
        assert_eq!(telegram_chat(" -1001234 ").unwrap(), -1_001_234);
        assert!(telegram_chat("@ada").is_err());
        assert_eq!(direction("IN").unwrap(), Direction::Inbound);
        assert_eq!(direction("outbound").unwrap(), Direction::Outbound);
        assert_eq!(direction("up").unwrap_err().kind(), ErrorKind::Validation);
    }

    #[test]
    fn specifications_discounts_and_tiers() {
        assert_eq!(
            specification("Material = Organic cotton").unwrap(),
            ("Material".to_string(), "Organic cotton".to_string())
        );
        assert!(specification("Material").is_err());
        assert_eq!(
            discount("WELCOME:12.5%").unwrap(),
            ("WELCOME".to_string(), Decimal::new(125, 1))
        );
        assert!(discount("WELCOME").is_err());
        assert!(discount("WELCOME:lots").is_err());
        let tier = price_tier("10:8.50", Currency::USD).unwrap();
        assert_eq!(tier.min_quantity, 10);
        assert_eq!(tier.unit_price.to_string(), "8.50 USD");
        assert!(price_tier("0:8.50", Currency::USD).is_err());
        assert!(price_tier("10", Currency::USD).is_err());
        assert!(price_tier("10:cheap", Currency::USD).is_err());
    }

    #[test]
    fn stock_numbers_dates_and_ids() {
        assert_eq!(stock_delta("+5").unwrap(), 5);
        assert_eq!(stock_delta("-3").unwrap(), -3);
        assert_eq!(stock_delta("7").unwrap(), 7);
        assert!(stock_delta("0").is_err());
        assert!(stock_delta("++1").is_err());
        assert_eq!(restock_quantity("12").unwrap(), 12);
        assert!(restock_quantity("0").is_err());
        assert!(restock_quantity("-1").is_err());
        assert_eq!(customer_id(" 42 ").unwrap(), CustomerId(42));
        assert!(customer_id("ada").is_err());
        assert!(list_limit(0).is_err());
        assert!(list_limit(MAX_LIST_LIMIT + 1).is_err());
    }

    #[test]
    fn addresses_go_through_the_core_parser() {
        let input = address("Ada Lovelace, 12 St James's Sq, London, SW1Y 4JH, gb").unwrap();
        assert_eq!(input.country, "GB");
        assert!(address("Ada, London").is_err());
    }

    #[test]
    fn nothing_panics_on_odd_input() {
        for text in [
            "",
            ":",
            "::",
            "=",
            "\u{0}",
            "é:é",
            "A:99999999999999999999",
            "+",
            "-",
        ] {
            let _ = item(text);
            let _ = specification(text);
            let _ = price_tier(text, Currency::USD);
            let _ = discount(text);
            let _ = stock_delta(text);
            let _ = restock_quantity(text);
            let _ = customer_id(text);
            let _ = address(text);
            let _ = backorder_policy(text);
        }
    }
}
