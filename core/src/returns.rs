//! Returns and exchanges: units of a delivered order coming back.
//!
//! A [`Return`] is its own record (an order may have several): the units asked back per
//! order line with a reason, their inspection on receipt, the refund paid for them or the
//! replacement sent, and a status history. The rules are pure functions of the order, its
//! shipments and its other returns, so the engine only loads and writes:
//!
//! - **What may come back**: units that were shipped AND delivered. A delivered order
//!   counts every unit (it is delivered once every parcel is, or when staff say so); a
//!   partially shipped or shipped order counts, per product, the units of its shipments
//!   whose carrier reported them delivered. Over all returns of an order that are not
//!   refused, never more units of a product come back than that ([`returnable_units`]).
//! - **What may be refunded**: never more than was paid for those units — per line, its
//!   total less its discount plus its tax, for `n` of its `q` units `⌊gross × n / q⌋`
//!   (rounded down to the minor unit, so the limits of several returns of one line never
//!   add up to more than the line) — and, at refund time, never more than the ledger's
//!   refundable balance (`LedgerSums::check`). Shipping is not refunded by a return.
//! - **Inspection**: every unit received is inspected once: resellable units are restocked
//!   into a chosen warehouse, damaged ones are written off with a reason (not restocked,
//!   but counted on the return, so the invariant checker knows where they went).
//! - **Lifecycle** ([`ReturnStatus::allowed_next`], THE table): requested → approved |
//!   refused; approved → received; received → refunded | exchanged. Refused, refunded and
//!   exchanged are final. A received return with nothing left to refund (an unpaid order)
//!   stays received.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::catalog::Sku;
use crate::clock::Timestamp;
use crate::error::{Error, Refusal, Result};
use crate::ids::{CustomerId, OrderId, ProductId, ReturnId};
use crate::inventory::WarehouseCode;
use crate::money::{Currency, Money};
use crate::order::{Order, OrderStatus};
use crate::shipment::{CarrierName, Shipment, TrackingNumber, TrackingStatus};
use crate::validate::{self, limits};

/// Most returns one order may have (each takes at least one unit back).
pub const MAX_RETURNS_PER_ORDER: usize = 100;

/// Where a return is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReturnStatus {
    /// Opened: the customer wants these units to come back.
    Requested,
    /// Accepted by customer service: the customer may send the units.
    Approved,
    /// Not accepted (final): its units count as not returned.
    Refused,
    /// The units arrived and each was inspected (restocked or written off).
    Received,
    /// Money paid back for the units (final).
    Refunded,
    /// Replacement units sent instead of money (final).
    Exchanged,
}

/// Every return status, in lifecycle order.
pub const ALL_RETURN_STATUSES: [ReturnStatus; 6] = [
    ReturnStatus::Requested,
    ReturnStatus::Approved,
    ReturnStatus::Refused,
    ReturnStatus::Received,
    ReturnStatus::Refunded,
    ReturnStatus::Exchanged,
];

impl ReturnStatus {
    /// THE transition table: the statuses `self` may move to.
    pub fn allowed_next(self) -> &'static [ReturnStatus] {
        use ReturnStatus::*;
        match self {
            Requested => &[Approved, Refused],
            Approved => &[Received],
            Received => &[Refunded, Exchanged],
            Refused | Refunded | Exchanged => &[],
        }
    }

    /// `to` if the table allows it.
    ///
    /// # Errors
    /// `Refused` (`IllegalReturnTransition`) otherwise.
    pub fn transition(self, to: ReturnStatus) -> Result<ReturnStatus> {
        if self.allowed_next().contains(&to) {
            Ok(to)
        } else {
            Err(Refusal::IllegalReturnTransition {
                from: self,
                to,
                allowed: self.allowed_next().to_vec(),
            }
            .into())
        }
    }

    /// Whether the return's units count against what may still come back (every status
    /// but refused).
    pub fn counts_units(self) -> bool {
        match self {
            ReturnStatus::Requested
            | ReturnStatus::Approved
            | ReturnStatus::Received
            | ReturnStatus::Refunded
            | ReturnStatus::Exchanged => true,
            ReturnStatus::Refused => false,
        }
    }

    /// `requested`, `approved`, `refused`, `received`, `refunded`, `exchanged`.
    pub fn name(self) -> &'static str {
        match self {
            ReturnStatus::Requested => "requested",
            ReturnStatus::Approved => "approved",
            ReturnStatus::Refused => "refused",
            ReturnStatus::Received => "received",
            ReturnStatus::Refunded => "refunded",
            ReturnStatus::Exchanged => "exchanged",
        }
    }

    /// A one-byte code for index keys (never reused).
    pub fn code(self) -> u8 {
        match self {
            ReturnStatus::Requested => 0,
            ReturnStatus::Approved => 1,
            ReturnStatus::Refused => 2,
            ReturnStatus::Received => 3,
            ReturnStatus::Refunded => 4,
            ReturnStatus::Exchanged => 5,
        }
    }

    /// Parses a status name (case-insensitive; `open` for requested).
    ///
    /// # Errors
    /// `Validation` (field `status`) listing the names.
    pub fn parse(text: &str) -> Result<ReturnStatus> {
        let lower = text.trim().to_ascii_lowercase();
        if lower == "open" {
            return Ok(ReturnStatus::Requested);
        }
        ALL_RETURN_STATUSES
            .into_iter()
            .find(|s| s.name() == lower)
            .ok_or_else(|| {
                Error::invalid(
                    "status",
                    format!(
                        "{text:?} must be requested, approved, refused, received, refunded or exchanged"
                    ),
                )
            })
    }
}

impl fmt::Display for ReturnStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Units of one order line coming back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLine {
    /// The product.
    pub product: ProductId,
    /// Its SKU on the order.
    pub sku: Sku,
    /// Its name on the order.
    pub name: String,
    /// Units coming back (at least 1).
    pub quantity: u32,
    /// Why (the customer's words).
    pub reason: String,
}

/// What an inspection decided for some units of a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Inspection {
    /// Resellable: put back on hand in this warehouse.
    Restocked {
        /// Where.
        warehouse: WarehouseCode,
    },
    /// Damaged: written off, not restocked.
    WrittenOff {
        /// Why.
        reason: String,
    },
}

/// Units of one product inspected alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectedUnits {
    /// The product.
    pub product: ProductId,
    /// Its SKU.
    pub sku: Sku,
    /// How many units (at least 1).
    pub quantity: u32,
    /// Restocked or written off.
    pub outcome: Inspection,
}

/// Units sent instead of a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    /// The product sent.
    pub product: ProductId,
    /// Its SKU.
    pub sku: Sku,
    /// Its name.
    pub name: String,
    /// Units (at least 1).
    pub quantity: u32,
    /// The warehouse its stock was taken from.
    pub warehouse: WarehouseCode,
    /// What it is worth at today's price (never more than the return's refund limit).
    pub value: Money,
}

/// The parcel a return's replacement left in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacementParcel {
    /// The carrier.
    pub carrier: CarrierName,
    /// Its tracking number.
    pub tracking: TrackingNumber,
    /// When it was handed over.
    pub shipped_at: Timestamp,
}

/// What a customer asks back: per SKU of the order, units and a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRequestLine {
    /// The SKU on the order.
    pub sku: Sku,
    /// Units.
    pub quantity: u32,
    /// Why.
    pub reason: String,
}

/// Units of one product of an order that may still come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returnable {
    /// The product.
    pub product: ProductId,
    /// Units shipped and delivered.
    pub delivered: u32,
    /// Units in returns that are not refused.
    pub returned: u32,
}

/// Per product of `order`: units delivered and units already in (not refused) returns.
/// A delivered order counts every unit; before that, the units of its delivered
/// shipments of order lines count (a return's replacement parcel is not a line's).
pub fn returnable_units(
    order: &Order,
    shipments: &[Shipment],
    returns: &[Return],
) -> Vec<Returnable> {
    order
        .lines()
        .iter()
        .map(|line| {
            let delivered = if order.status() == OrderStatus::Delivered {
                line.quantity
            } else {
                shipments
                    .iter()
                    .filter(|s| s.ships_order_lines() && s.status() == TrackingStatus::Delivered)
                    .flat_map(|s| s.lines())
                    .filter(|l| l.product == line.product)
                    .map(|l| l.quantity)
                    .fold(0u32, u32::saturating_add)
            };
            let returned = returns
                .iter()
                .filter(|r| r.order == order.id() && r.status.counts_units())
                .flat_map(|r| r.lines.iter())
                .filter(|l| l.product == line.product)
                .map(|l| l.quantity)
                .fold(0u32, u32::saturating_add);
            Returnable {
                product: line.product,
                delivered,
                returned,
            }
        })
        .collect()
}

/// What `units` of an order line of `quantity` units were paid: ⌊(total − discount + tax)
/// × units / quantity⌋ to the minor unit (down, so limits of one line never add up to more
/// than the line).
///
/// # Errors
/// `Validation` on overflow or a zero quantity.
pub fn paid_for_units(line: &crate::order::OrderLine, units: u32) -> Result<Money> {
    if line.quantity == 0 {
        return Err(Error::invalid("quantity", "the order line has no units"));
    }
    let gross = line
        .amounts
        .total
        .sub(&line.amounts.discount)?
        .add(&line.amounts.tax)?;
    let currency = gross.currency();
    let share = gross
        .amount()
        .checked_mul(Decimal::from(units))
        .and_then(|a| a.checked_div(Decimal::from(line.quantity)))
        .ok_or_else(|| Error::invalid("amount", "is too large"))?
        .round_dp_with_strategy(currency.minor_units(), RoundingStrategy::ToZero);
    Money::new(share, currency)
}

/// A return: units of a delivered order coming back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Return {
    id: ReturnId,
    order: OrderId,
    /// Its number among the order's returns, from 1 (unique per order: two returns
    /// opened at once on one order cannot both be the next, so they cannot both pass the
    /// units check on the same reading).
    number: u32,
    customer: CustomerId,
    currency: Currency,
    lines: Vec<ReturnLine>,
    /// What was paid for these units: the most a refund (or a replacement) may be worth.
    refund_limit: Money,
    inspections: Vec<InspectedUnits>,
    refunded: Option<Money>,
    replacements: Vec<Replacement>,
    parcel: Option<ReplacementParcel>,
    /// Why it was refused, when it was.
    refusal_reason: Option<String>,
    status: ReturnStatus,
    history: Vec<(ReturnStatus, Timestamp)>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl Return {
    /// Opens a return of `request` on `order`, checked against its `shipments` and its
    /// other `returns`: units shipped and delivered only, never more than are left.
    ///
    /// # Errors
    /// `Refused`: `NotReturnable` unless the order is partially shipped, shipped or
    /// delivered (and not archived); `ReturnsMoreThanDelivered`. `NotFound` for a SKU not
    /// on the order; `Validation` for no line, a SKU named twice, a zero quantity, a
    /// missing reason, or too many returns.
    pub fn open(
        id: ReturnId,
        order: &Order,
        shipments: &[Shipment],
        returns: &[Return],
        request: &[ReturnRequestLine],
        now: Timestamp,
    ) -> Result<Return> {
        match order.status() {
            OrderStatus::PartiallyShipped | OrderStatus::Shipped | OrderStatus::Delivered => {}
            OrderStatus::Draft
            | OrderStatus::Placed
            | OrderStatus::Confirmed
            | OrderStatus::Picking
            | OrderStatus::Packed
            | OrderStatus::Cancelled => {
                return Err(Refusal::NotReturnable {
                    status: order.status(),
                }
                .into());
            }
        }
        if order.archived().is_some() {
            return Err(Refusal::OrderArchived.into());
        }
        if request.is_empty() {
            return Err(Error::invalid("lines", "a return needs at least one line"));
        }
        if request.len() > limits::MAX_LINES_PER_ORDER {
            return Err(Error::invalid(
                "lines",
                format!("at most {} lines", limits::MAX_LINES_PER_ORDER),
            ));
        }
        if returns.iter().filter(|r| r.order == order.id()).count() >= MAX_RETURNS_PER_ORDER {
            return Err(Error::invalid(
                "lines",
                format!("an order takes at most {MAX_RETURNS_PER_ORDER} returns"),
            ));
        }
        let returnable = returnable_units(order, shipments, returns);
        let mut lines = Vec::with_capacity(request.len());
        let mut refund_limit = Money::zero(order.currency());
        for (i, asked) in request.iter().enumerate() {
            if request.iter().skip(i + 1).any(|r| r.sku == asked.sku) {
                return Err(Error::invalid("lines", "name each SKU once"));
            }
            if asked.quantity == 0 || asked.quantity > limits::MAX_QUANTITY {
                return Err(Error::invalid(
                    "quantity",
                    format!("must be between 1 and {}", limits::MAX_QUANTITY),
                ));
            }
            let reason = validate::required_text("reason", &asked.reason, limits::MAX_NAME_CHARS)?;
            let index = order.line_index(&asked.sku)?;
            let line = order
                .lines()
                .get(index)
                .ok_or_else(|| Error::Internal("order line index out of range".into()))?;
            let units = returnable
                .iter()
                .find(|r| r.product == line.product)
                .ok_or_else(|| Error::Internal("an order line without returnable units".into()))?;
            let left = units.delivered.saturating_sub(units.returned);
            if asked.quantity > left {
                return Err(Refusal::ReturnsMoreThanDelivered {
                    sku: line.sku.to_string(),
                    requested: asked.quantity,
                    left,
                }
                .into());
            }
            refund_limit = refund_limit.add(&paid_for_units(line, asked.quantity)?)?;
            lines.push(ReturnLine {
                product: line.product,
                sku: line.sku.clone(),
                name: line.name.clone(),
                quantity: asked.quantity,
                reason,
            });
        }
        let number = returns.iter().filter(|r| r.order == order.id()).count() + 1;
        let ret = Return {
            id,
            order: order.id(),
            number: u32::try_from(number).unwrap_or(u32::MAX),
            customer: order.customer(),
            currency: order.currency(),
            lines,
            refund_limit,
            inspections: Vec::new(),
            refunded: None,
            replacements: Vec::new(),
            parcel: None,
            refusal_reason: None,
            status: ReturnStatus::Requested,
            history: vec![(ReturnStatus::Requested, now)],
            created_at: now,
            updated_at: now,
        };
        ret.check_invariants();
        Ok(ret)
    }

    /// Id.
    pub fn id(&self) -> ReturnId {
        self.id
    }
    /// The order.
    pub fn order(&self) -> OrderId {
        self.order
    }
    /// Its number among the order's returns, from 1.
    pub fn number(&self) -> u32 {
        self.number
    }
    /// The order's customer.
    pub fn customer(&self) -> CustomerId {
        self.customer
    }
    /// The order's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }
    /// The units coming back.
    pub fn lines(&self) -> &[ReturnLine] {
        &self.lines
    }
    /// Units coming back, over all lines.
    pub fn units(&self) -> u64 {
        self.lines.iter().map(|l| u64::from(l.quantity)).sum()
    }
    /// What was paid for these units: the most a refund or a replacement may be worth.
    pub fn refund_limit(&self) -> Money {
        self.refund_limit
    }
    /// The inspections (empty until received).
    pub fn inspections(&self) -> &[InspectedUnits] {
        &self.inspections
    }
    /// Units restocked, per inspection.
    pub fn restocked_units(&self) -> u64 {
        self.inspections
            .iter()
            .filter(|i| matches!(i.outcome, Inspection::Restocked { .. }))
            .map(|i| u64::from(i.quantity))
            .sum()
    }
    /// Units written off.
    pub fn written_off_units(&self) -> u64 {
        self.inspections
            .iter()
            .filter(|i| matches!(i.outcome, Inspection::WrittenOff { .. }))
            .map(|i| u64::from(i.quantity))
            .sum()
    }
    /// The refund paid, once refunded.
    pub fn refunded(&self) -> Option<Money> {
        self.refunded
    }
    /// The replacement units, once exchanged.
    pub fn replacements(&self) -> &[Replacement] {
        &self.replacements
    }
    /// The replacement's parcel, once exchanged.
    pub fn parcel(&self) -> Option<&ReplacementParcel> {
        self.parcel.as_ref()
    }
    /// Why it was refused.
    pub fn refusal_reason(&self) -> Option<&str> {
        self.refusal_reason.as_deref()
    }
    /// Where it is.
    pub fn status(&self) -> ReturnStatus {
        self.status
    }
    /// Every status it had, with when.
    pub fn history(&self) -> &[(ReturnStatus, Timestamp)] {
        &self.history
    }
    /// When it was opened.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }
    /// Last change.
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    fn move_to(&mut self, to: ReturnStatus, now: Timestamp) -> Result<()> {
        self.status = self.status.transition(to)?;
        self.history.push((to, now));
        self.updated_at = now;
        Ok(())
    }

    /// Customer service accepts the return.
    ///
    /// # Errors
    /// `IllegalReturnTransition` unless requested.
    pub fn approve(&mut self, now: Timestamp) -> Result<()> {
        self.move_to(ReturnStatus::Approved, now)?;
        self.check_invariants();
        Ok(())
    }

    /// Customer service refuses the return, saying why; its units may be asked back again.
    ///
    /// # Errors
    /// `Validation` for a missing reason; `IllegalReturnTransition` unless requested.
    pub fn refuse(&mut self, reason: &str, now: Timestamp) -> Result<()> {
        let reason = validate::required_text("reason", reason, limits::MAX_NAME_CHARS)?;
        self.move_to(ReturnStatus::Refused, now)?;
        self.refusal_reason = Some(reason);
        self.check_invariants();
        Ok(())
    }

    /// The units arrived: every unit is inspected exactly once (per product, the
    /// inspected units equal the returned units). The engine restocks what is restocked.
    ///
    /// # Errors
    /// `IllegalReturnTransition` unless approved; `Validation` for a SKU not on the
    /// return, a zero quantity, a missing write-off reason, or units not inspected or
    /// inspected twice.
    pub fn receive(
        &mut self,
        inspections: &[(Sku, u32, Inspection)],
        now: Timestamp,
    ) -> Result<()> {
        self.status.transition(ReturnStatus::Received)?;
        if inspections.len() > limits::MAX_LINES_PER_ORDER * 4 {
            return Err(Error::invalid("inspection", "too many inspection lines"));
        }
        let mut checked = Vec::with_capacity(inspections.len());
        for (sku, quantity, outcome) in inspections {
            let line = self.lines.iter().find(|l| &l.sku == sku).ok_or_else(|| {
                Error::invalid("inspection", format!("{sku} is not on this return"))
            })?;
            if *quantity == 0 {
                return Err(Error::invalid(
                    "inspection",
                    format!("{sku}: at least 1 unit"),
                ));
            }
            let outcome = match outcome {
                Inspection::Restocked { warehouse } => Inspection::Restocked {
                    warehouse: warehouse.clone(),
                },
                Inspection::WrittenOff { reason } => Inspection::WrittenOff {
                    reason: validate::required_text(
                        "write-off reason",
                        reason,
                        limits::MAX_NAME_CHARS,
                    )?,
                },
            };
            checked.push(InspectedUnits {
                product: line.product,
                sku: line.sku.clone(),
                quantity: *quantity,
                outcome,
            });
        }
        for line in &self.lines {
            let inspected = checked
                .iter()
                .filter(|i| i.product == line.product)
                .map(|i| u64::from(i.quantity))
                .sum::<u64>();
            if inspected != u64::from(line.quantity) {
                return Err(Error::invalid(
                    "inspection",
                    format!(
                        "{}: {inspected} units inspected, {} returned; inspect every unit once",
                        line.sku, line.quantity
                    ),
                ));
            }
        }
        self.inspections = checked;
        self.move_to(ReturnStatus::Received, now)?;
        self.check_invariants();
        Ok(())
    }

    /// Checks a refund of `amount` for these units (at most [`Return::refund_limit`]) and
    /// records it; the engine records the ledger entry in the same write set.
    ///
    /// # Errors
    /// `IllegalReturnTransition` unless received; `CurrencyMismatch`; `Validation` for an
    /// amount that is not positive; `RefundExceedsReturn`.
    pub fn refund(&mut self, amount: Money, now: Timestamp) -> Result<()> {
        self.status.transition(ReturnStatus::Refunded)?;
        if amount.currency() != self.currency {
            return Err(Error::CurrencyMismatch {
                expected: self.currency,
                found: amount.currency(),
            });
        }
        if amount.is_negative() || amount.is_zero() {
            return Err(Error::invalid("amount", "must be positive"));
        }
        if amount > self.refund_limit {
            return Err(Refusal::RefundExceedsReturn {
                amount,
                limit: self.refund_limit,
            }
            .into());
        }
        self.refunded = Some(amount);
        self.move_to(ReturnStatus::Refunded, now)?;
        self.check_invariants();
        Ok(())
    }

    /// Records the replacement sent instead of a refund: worth (at today's prices) no more
    /// than was paid for the returned units. The engine takes the stock.
    ///
    /// # Errors
    /// `IllegalReturnTransition` unless received; `Validation` for no replacement or a
    /// zero quantity; `CurrencyMismatch`; `ExchangeExceedsReturn`.
    pub fn exchange(
        &mut self,
        replacements: Vec<Replacement>,
        parcel: ReplacementParcel,
        now: Timestamp,
    ) -> Result<()> {
        self.status.transition(ReturnStatus::Exchanged)?;
        if replacements.is_empty() || replacements.iter().any(|r| r.quantity == 0) {
            return Err(Error::invalid(
                "lines",
                "an exchange sends at least one unit",
            ));
        }
        let mut value = Money::zero(self.currency);
        for r in &replacements {
            value = value.add(&r.value)?;
        }
        if value > self.refund_limit {
            return Err(Refusal::ExchangeExceedsReturn {
                value,
                limit: self.refund_limit,
            }
            .into());
        }
        self.replacements = replacements;
        self.parcel = Some(parcel);
        self.move_to(ReturnStatus::Exchanged, now)?;
        self.check_invariants();
        Ok(())
    }

    /// Asserts the invariants (in debug builds; tests call [`Return::invariant_violation`]).
    pub fn check_invariants(&self) {
        debug_assert_eq!(self.invariant_violation(), None);
    }

    /// The first broken invariant, if any: lines with units; inspections (once received)
    /// covering every unit exactly once; a refund only when refunded and within the
    /// limit; replacements only when exchanged; the history ending in the status.
    pub fn invariant_violation(&self) -> Option<String> {
        if self.lines.is_empty() || self.lines.iter().any(|l| l.quantity == 0) {
            return Some("a return line without units".into());
        }
        let inspected = matches!(
            self.status,
            ReturnStatus::Received | ReturnStatus::Refunded | ReturnStatus::Exchanged
        );
        if inspected {
            for line in &self.lines {
                let units: u64 = self
                    .inspections
                    .iter()
                    .filter(|i| i.product == line.product)
                    .map(|i| u64::from(i.quantity))
                    .sum();
                if units != u64::from(line.quantity) {
                    return Some(format!(
                        "{}: {units} units inspected of {}",
                        line.sku, line.quantity
                    ));
                }
            }
            if self.restocked_units() + self.written_off_units() != self.units() {
                return Some("inspections name a product not on the return".into());
            }
        } else if !self.inspections.is_empty() {
            return Some(format!("inspections on a {} return", self.status));
        }
        match (self.status, self.refunded) {
            (ReturnStatus::Refunded, Some(amount)) if amount <= self.refund_limit => {}
            (ReturnStatus::Refunded, _) => return Some("refund missing or above the limit".into()),
            (_, Some(_)) => return Some(format!("a refund on a {} return", self.status)),
            (_, None) => {}
        }
        if (self.status == ReturnStatus::Exchanged)
            != (self.parcel.is_some() && !self.replacements.is_empty())
        {
            return Some(format!("replacements on a {} return", self.status));
        }
        if self.history.last().map(|(s, _)| *s) != Some(self.status) {
            return Some("the history does not end in the status".into());
        }
        None
    }
}

#[cfg(test)]
mod tests;
