//! Inventory: stock per product per warehouse, with reservations.
//!
//! Modelled on pending → posted/voided transfers: placing an order *reserves* (pending),
//! shipping *consumes* (posted: on hand and reserved both drop), cancelling *releases*
//! (voided). Invariant: `0 ≤ reserved ≤ on_hand` for every level, always.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Refusal, Result};
use crate::ids::ProductId;
use crate::validate::{self, limits};

/// A warehouse code: 1–16 characters of `A-Z`, `0-9`, `-`; stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WarehouseCode(String);

impl WarehouseCode {
    /// Parses and upper-cases a warehouse code.
    ///
    /// # Errors
    /// `Validation` for a wrong length or characters.
    pub fn parse(text: &str) -> Result<WarehouseCode> {
        let upper = text.trim().to_ascii_uppercase();
        let ok = (1..=16).contains(&upper.len())
            && upper
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(WarehouseCode(upper))
        } else {
            Err(Error::invalid(
                "warehouse",
                format!("{text:?} must be 1 to 16 letters, digits or '-'"),
            ))
        }
    }

    /// `MAIN`, the default warehouse.
    pub fn main() -> WarehouseCode {
        WarehouseCode("MAIN".to_string())
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WarehouseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for WarehouseCode {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        WarehouseCode::parse(&value)
    }
}

impl From<WarehouseCode> for String {
    fn from(value: WarehouseCode) -> Self {
        value.0
    }
}

/// Stock of one product in one warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    warehouse: WarehouseCode,
    on_hand: u64,
    reserved: u64,
    shipped: u64,
}

impl StockLevel {
    /// The warehouse.
    pub fn warehouse(&self) -> &WarehouseCode {
        &self.warehouse
    }
    /// Units physically present (including reserved ones).
    pub fn on_hand(&self) -> u64 {
        self.on_hand
    }
    /// Units promised to open orders.
    pub fn reserved(&self) -> u64 {
        self.reserved
    }
    /// Units that can still be promised: `on_hand − reserved`.
    pub fn available(&self) -> u64 {
        self.on_hand - self.reserved
    }
    /// Units shipped from here over all time (for conservation checks and reports).
    pub fn shipped(&self) -> u64 {
        self.shipped
    }
}

/// All stock of one product: one record, so one version guards every warehouse of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stock {
    product: ProductId,
    levels: Vec<StockLevel>,
}

/// Why stock was added or adjusted (kept in the audit trail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReason(String);

impl StockReason {
    /// A required, bounded reason text.
    ///
    /// # Errors
    /// `Validation` if empty, too long or with control characters.
    pub fn parse(text: &str) -> Result<StockReason> {
        validate::required_text("reason", text, limits::MAX_NAME_CHARS).map(StockReason)
    }

    /// The reason text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Stock {
    /// No stock anywhere yet.
    pub fn empty(product: ProductId) -> Stock {
        Stock {
            product,
            levels: Vec::new(),
        }
    }

    /// The product.
    pub fn product(&self) -> ProductId {
        self.product
    }

    /// Levels, sorted by warehouse code.
    pub fn levels(&self) -> &[StockLevel] {
        &self.levels
    }

    /// The level in `warehouse`, if any stock was ever recorded there.
    pub fn level(&self, warehouse: &WarehouseCode) -> Option<&StockLevel> {
        self.levels.iter().find(|l| &l.warehouse == warehouse)
    }

    /// Units available across all warehouses.
    pub fn total_available(&self) -> u64 {
        self.levels.iter().map(StockLevel::available).sum()
    }

    /// Units on hand across all warehouses.
    pub fn total_on_hand(&self) -> u64 {
        self.levels.iter().map(|l| l.on_hand).sum()
    }

    /// Units reserved across all warehouses.
    pub fn total_reserved(&self) -> u64 {
        self.levels.iter().map(|l| l.reserved).sum()
    }

    fn level_mut(&mut self, warehouse: &WarehouseCode) -> &mut StockLevel {
        let index = match self.levels.binary_search_by(|l| l.warehouse.cmp(warehouse)) {
            Ok(i) => i,
            Err(i) => {
                self.levels.insert(
                    i,
                    StockLevel {
                        warehouse: warehouse.clone(),
                        on_hand: 0,
                        reserved: 0,
                        shipped: 0,
                    },
                );
                i
            }
        };
        &mut self.levels[index]
    }

    fn existing_mut(&mut self, warehouse: &WarehouseCode) -> Result<&mut StockLevel> {
        self.levels
            .iter_mut()
            .find(|l| &l.warehouse == warehouse)
            .ok_or_else(|| {
                Error::invalid(
                    "warehouse",
                    format!("{warehouse} holds no stock of this product"),
                )
            })
    }

    /// The warehouse to reserve `quantity` from: the one with the most available units
    /// (ties: the first by code). `None` if no warehouse holds any stock.
    pub fn best_warehouse(&self) -> Option<&WarehouseCode> {
        self.levels
            .iter()
            .rev()
            .max_by_key(|l| l.available())
            .map(|l| &l.warehouse)
    }

    /// Adds `quantity` received units to `warehouse` (creating the level if new).
    ///
    /// # Errors
    /// `Validation` if the quantity is zero or would overflow.
    pub fn restock(&mut self, warehouse: &WarehouseCode, quantity: u64) -> Result<()> {
        if quantity == 0 {
            return Err(Error::invalid("restock quantity", "must be at least 1"));
        }
        let level = self.level_mut(warehouse);
        level.on_hand = level
            .on_hand
            .checked_add(quantity)
            .ok_or_else(|| Error::invalid("restock quantity", "is too large"))?;
        self.check_invariants();
        Ok(())
    }

    /// Changes on-hand units by `delta` (count corrections, damage, loss).
    ///
    /// # Errors
    /// `AdjustmentBelowReserved` if the result would fall below the reserved units (or zero).
    pub fn adjust(&mut self, warehouse: &WarehouseCode, delta: i64) -> Result<()> {
        if delta == 0 {
            return Err(Error::invalid("adjustment", "must not be zero"));
        }
        let level = self.level_mut(warehouse);
        let new_on_hand = i128::from(level.on_hand) + i128::from(delta);
        if new_on_hand < i128::from(level.reserved) {
            return Err(Refusal::AdjustmentBelowReserved {
                warehouse: warehouse.clone(),
                delta,
                on_hand: level.on_hand,
                reserved: level.reserved,
            }
            .into());
        }
        level.on_hand =
            u64::try_from(new_on_hand).map_err(|_| Error::invalid("adjustment", "is too large"))?;
        self.check_invariants();
        Ok(())
    }

    /// Promises `quantity` units in `warehouse` to an order.
    ///
    /// # Errors
    /// `InsufficientStock` if fewer units are available there.
    pub fn reserve(&mut self, warehouse: &WarehouseCode, quantity: u64, sku: &str) -> Result<()> {
        let level = self.level_mut(warehouse);
        if level.available() < quantity {
            return Err(Error::InsufficientStock {
                sku: sku.to_string(),
                requested: quantity,
                available: level.available(),
            });
        }
        level.reserved += quantity;
        self.check_invariants();
        Ok(())
    }

    /// Gives back `quantity` reserved units (cancellation, quantity lowered).
    ///
    /// # Errors
    /// `Internal` if fewer units are reserved (a bug upstream: an order never holds more
    /// than its stock record reserved; the change is refused); `Validation` for a warehouse
    /// without stock of the product.
    pub fn release(&mut self, warehouse: &WarehouseCode, quantity: u64) -> Result<()> {
        let level = self.existing_mut(warehouse)?;
        if level.reserved < quantity {
            return Err(Error::Internal(format!(
                "cannot release {quantity} units in {warehouse}: only {} reserved",
                level.reserved
            )));
        }
        level.reserved -= quantity;
        self.check_invariants();
        Ok(())
    }

    /// Ships `quantity` reserved units: on hand and reserved both drop.
    ///
    /// # Errors
    /// `Internal` if fewer units are reserved (a bug upstream, as for [`Stock::release`]);
    /// `Validation` for a warehouse without stock of the product.
    pub fn consume(&mut self, warehouse: &WarehouseCode, quantity: u64) -> Result<()> {
        let level = self.existing_mut(warehouse)?;
        if level.reserved < quantity {
            return Err(Error::Internal(format!(
                "cannot ship {quantity} units from {warehouse}: only {} reserved",
                level.reserved
            )));
        }
        level.reserved -= quantity;
        level.on_hand -= quantity;
        level.shipped += quantity;
        self.check_invariants();
        Ok(())
    }

    /// Asserts `reserved ≤ on_hand` everywhere and levels sorted by warehouse.
    pub fn check_invariants(&self) {
        debug_assert!(
            self.invariant_violation().is_none(),
            "{:?}",
            self.invariant_violation()
        );
    }

    /// Describes the first broken invariant, if any (used by tests and the simulation).
    pub fn invariant_violation(&self) -> Option<String> {
        if let Some(l) = self.levels.iter().find(|l| l.reserved > l.on_hand) {
            return Some(format!(
                "{}: reserved {} > on hand {}",
                l.warehouse, l.reserved, l.on_hand
            ));
        }
        if self
            .levels
            .windows(2)
            .any(|w| matches!(w, [a, b] if a.warehouse >= b.warehouse))
        {
            return Some("levels not sorted by warehouse".to_string());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn wh(code: &str) -> WarehouseCode {
        WarehouseCode::parse(code).unwrap()
    }

    #[test]
    fn reserve_release_consume() {
        let mut s = Stock::empty(ProductId(1));
        s.restock(&wh("main"), 10).unwrap();
        s.reserve(&wh("MAIN"), 7, "TEE").unwrap();
        assert_eq!(s.level(&wh("MAIN")).unwrap().available(), 3);
        let err = s.reserve(&wh("MAIN"), 4, "TEE").unwrap_err();
        assert_eq!(
            err,
            Error::InsufficientStock {
                sku: "TEE".into(),
                requested: 4,
                available: 3
            }
        );
        s.release(&wh("MAIN"), 2).unwrap();
        s.consume(&wh("MAIN"), 5).unwrap();
        let l = s.level(&wh("MAIN")).unwrap();
        assert_eq!((l.on_hand(), l.reserved(), l.shipped()), (5, 0, 5));
        assert!(s.consume(&wh("MAIN"), 1).is_err());
        assert!(s.release(&wh("OTHER"), 1).is_err());
    }

    #[test]
    fn adjust_cannot_go_below_reserved() {
        let mut s = Stock::empty(ProductId(1));
        s.restock(&wh("A"), 5).unwrap();
        s.reserve(&wh("A"), 4, "X").unwrap();
        assert!(s.adjust(&wh("A"), -2).is_err());
        s.adjust(&wh("A"), -1).unwrap();
        assert_eq!(s.level(&wh("A")).unwrap().on_hand(), 4);
        assert!(s.adjust(&wh("A"), 0).is_err());
    }

    #[test]
    fn best_warehouse_is_the_fullest_then_first_by_code() {
        let mut s = Stock::empty(ProductId(1));
        assert!(s.best_warehouse().is_none());
        s.restock(&wh("B"), 5).unwrap();
        s.restock(&wh("A"), 5).unwrap();
        assert_eq!(s.best_warehouse().unwrap().as_str(), "A");
        s.restock(&wh("C"), 6).unwrap();
        assert_eq!(s.best_warehouse().unwrap().as_str(), "C");
    }

    #[test]
    fn warehouse_codes() {
        assert_eq!(wh(" east-1 ").as_str(), "EAST-1");
        assert!(WarehouseCode::parse("").is_err());
        assert!(WarehouseCode::parse("a b").is_err());
    }

    proptest! {
        #[test]
        fn reserved_never_exceeds_on_hand(ops in proptest::collection::vec((0u8..5, 0u64..20), 0..60)) {
            let mut s = Stock::empty(ProductId(1));
            let w = wh("W");
            for (op, q) in ops {
                let _ = match op {
                    0 => s.restock(&w, q),
                    1 => s.reserve(&w, q, "X"),
                    2 => s.release(&w, q),
                    3 => s.consume(&w, q),
                    _ => s.adjust(&w, i64::try_from(q).unwrap() - 10),
                };
                prop_assert!(s.invariant_violation().is_none());
            }
        }
    }
}
