//! Orders: the lifecycle state machine, lines, and the order aggregate.
//!
//! The aggregate owns its rules (what may change in which status, how lines merge, how
//! totals are kept) and reports the stock effects of each change; the engine applies those
//! effects to the stock records in the same write.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::{Product, Sku};
use crate::clock::Timestamp;
use crate::customer::Address;
use crate::error::{Error, Refusal, Result};
use crate::ids::{CustomerId, OrderId, OrderReference, ProductId};
use crate::inventory::WarehouseCode;
use crate::money::{Currency, Money, RoundingMode};
use crate::payment::{LedgerEntry, LedgerSums, PaymentMethod, PaymentStatus};
use crate::pricing::{self, Discount, LineAmounts, LineInput, ShippingMethod, Totals};
use crate::validate::limits;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OrderStatus {
    /// Being put together; no stock reserved, no reference yet.
    Draft,
    /// Placed by or for the customer: stock reserved, reference given.
    Placed,
    /// Accepted by staff.
    Confirmed,
    /// Being picked in the warehouse.
    Picking,
    /// Packed and waiting for the carrier.
    Packed,
    /// Handed to the carrier: stock consumed.
    Shipped,
    /// Received by the customer (final).
    Delivered,
    /// Cancelled: reservations released (final).
    Cancelled,
    /// Some units handed to the carrier (their stock consumed), the rest still reserved.
    /// Appended last: stored records are positional; [`ALL_STATUSES`] and the transition
    /// table place it between packed and shipped.
    PartiallyShipped,
}

/// Every status, in lifecycle order.
pub const ALL_STATUSES: [OrderStatus; 9] = [
    OrderStatus::Draft,
    OrderStatus::Placed,
    OrderStatus::Confirmed,
    OrderStatus::Picking,
    OrderStatus::Packed,
    OrderStatus::PartiallyShipped,
    OrderStatus::Shipped,
    OrderStatus::Delivered,
    OrderStatus::Cancelled,
];

impl OrderStatus {
    /// The statuses an order may move to from `self`. The one transition table.
    pub fn allowed_next(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            Draft => &[Placed, Cancelled],
            Placed => &[Confirmed, Cancelled],
            Confirmed => &[Picking, Cancelled],
            Picking => &[Packed, Cancelled],
            // Shipped first: the fulfilment path (`forward`) ships everything at once;
            // partial shipping goes through shipments (`Order::ship`).
            Packed => &[Shipped, PartiallyShipped],
            // The rest ships (or is cancelled: `Order::cancel_unshipped`, which ends in
            // shipped too, never cancelled: what left stays sold).
            PartiallyShipped => &[Shipped],
            Shipped => &[Delivered],
            Delivered => &[],
            Cancelled => &[],
        }
    }

    /// Checks the move `self → to`.
    ///
    /// # Errors
    /// `IllegalTransition` naming the allowed next statuses.
    pub fn transition(self, to: OrderStatus) -> Result<OrderStatus> {
        if self.allowed_next().contains(&to) {
            Ok(to)
        } else {
            Err(Error::IllegalTransition {
                from: self,
                to,
                allowed: self.allowed_next().to_vec(),
            })
        }
    }

    /// The next status on the fulfilment path (placed → confirmed → picking → packed →
    /// shipped → delivered), `None` where the path ends: the move out of `self` that
    /// [`OrderStatus::allowed_next`] allows other than cancelling. A draft is not on the path
    /// (placing it gives a reference and reserves stock).
    pub fn forward(self) -> Option<OrderStatus> {
        if self == OrderStatus::Draft {
            return None;
        }
        self.allowed_next()
            .iter()
            .copied()
            .find(|next| *next != OrderStatus::Cancelled)
    }

    /// The steps from `self` forward along the fulfilment path to `to`, `to` included.
    /// Drafts are not on the path: placing one gives it a reference and reserves stock,
    /// which is done one order at a time.
    ///
    /// # Errors
    /// `IllegalTransition` (naming the allowed next statuses) if `to` is not ahead of
    /// `self` on the path.
    pub fn fulfilment_path(self, to: OrderStatus) -> Result<Vec<OrderStatus>> {
        let mut path = Vec::new();
        let mut at = self;
        // Bounded by the number of statuses.
        for _ in 0..ALL_STATUSES.len() {
            let Some(next) = at.forward() else { break };
            path.push(next);
            if next == to {
                return Ok(path);
            }
            at = next;
        }
        Err(Error::IllegalTransition {
            from: self,
            to,
            allowed: self.allowed_next().to_vec(),
        })
    }

    /// Whether lines may be added, changed or removed.
    pub fn lines_editable(self) -> bool {
        use OrderStatus::*;
        match self {
            Draft | Placed | Confirmed => true,
            Picking | Packed | PartiallyShipped | Shipped | Delivered | Cancelled => false,
        }
    }

    /// Whether the shipping address may change (until the parcel leaves).
    pub fn address_editable(self) -> bool {
        use OrderStatus::*;
        match self {
            Draft | Placed | Confirmed | Picking | Packed => true,
            // A parcel is on its way to the address already.
            PartiallyShipped | Shipped | Delivered | Cancelled => false,
        }
    }

    /// Whether the order holds stock reservations in this status.
    pub fn holds_stock(self) -> bool {
        use OrderStatus::*;
        match self {
            // A partly shipped order still holds the units it has not shipped.
            Placed | Confirmed | Picking | Packed | PartiallyShipped => true,
            Draft | Shipped | Delivered | Cancelled => false,
        }
    }

    /// Whether the order may be archived (soft-deleted) in this status: only when no stock
    /// is held and nothing is in flight.
    pub fn archivable(self) -> bool {
        use OrderStatus::*;
        match self {
            Draft | Delivered | Cancelled => true,
            Placed | Confirmed | Picking | Packed | PartiallyShipped | Shipped => false,
        }
    }

    /// Whether the order is under way: placed and not yet delivered or cancelled.
    pub fn is_open(self) -> bool {
        use OrderStatus::*;
        match self {
            Placed | Confirmed | Picking | Packed | PartiallyShipped | Shipped => true,
            Draft | Delivered | Cancelled => false,
        }
    }

    /// Whether units may be handed to a carrier as a shipment ([`Order::ship`]).
    pub fn ships(self) -> bool {
        use OrderStatus::*;
        match self {
            Packed | PartiallyShipped => true,
            Draft | Placed | Confirmed | Picking | Shipped | Delivered | Cancelled => false,
        }
    }

    /// Whether payments may be recorded.
    pub fn accepts_payments(self) -> bool {
        use OrderStatus::*;
        match self {
            Placed | Confirmed | Picking | Packed | PartiallyShipped | Shipped | Delivered => true,
            Draft | Cancelled => false,
        }
    }

    /// The lower-case name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        use OrderStatus::*;
        match self {
            Draft => "draft",
            Placed => "placed",
            Confirmed => "confirmed",
            Picking => "picking",
            Packed => "packed",
            Shipped => "shipped",
            Delivered => "delivered",
            Cancelled => "cancelled",
            PartiallyShipped => "partially_shipped",
        }
    }

    /// Parses a status name, case-insensitively (`canceled` accepted too).
    ///
    /// # Errors
    /// `Validation` listing the valid names.
    pub fn parse(text: &str) -> Result<OrderStatus> {
        let lower = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let lower = if lower == "canceled" {
            "cancelled".to_string()
        } else {
            lower
        };
        ALL_STATUSES
            .iter()
            .copied()
            .find(|s| s.name() == lower)
            .ok_or_else(|| {
                let names: Vec<&str> = ALL_STATUSES.iter().map(|s| s.name()).collect();
                Error::invalid(
                    "status",
                    format!("{text:?} must be one of {}", names.join(", ")),
                )
            })
    }

    /// A one-byte code for index keys (stable: never renumber).
    pub fn code(self) -> u8 {
        use OrderStatus::*;
        match self {
            Draft => 0,
            Placed => 1,
            Confirmed => 2,
            Picking => 3,
            Packed => 4,
            Shipped => 5,
            Delivered => 6,
            Cancelled => 7,
            PartiallyShipped => 8,
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One product on an order, with price snapshot and stock allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The product.
    pub product: ProductId,
    /// SKU at placement.
    pub sku: Sku,
    /// Product name at placement.
    pub name: String,
    /// Unit price at placement (re-taken from the price list when the quantity changes).
    pub unit_price: Money,
    /// Tax rate at placement.
    #[serde(with = "rust_decimal::serde::str")]
    pub tax_rate: Decimal,
    /// Units ordered.
    pub quantity: u32,
    /// Warehouse the line is reserved in, once allocated.
    pub warehouse: Option<WarehouseCode>,
    /// Units reserved for this line.
    pub reserved: u32,
    /// Units accepted without stock (backorder policy Allow).
    pub backordered: u32,
    /// Priced amounts (kept current by [`Order::reprice`]).
    pub amounts: LineAmounts,
}

/// A stock change an order change requires; the engine applies it to the stock record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StockEffect {
    /// Reserve units of a product (warehouse chosen by the engine if the line has none).
    Reserve {
        /// Product.
        product: ProductId,
        /// Units.
        quantity: u32,
    },
    /// Release reserved units.
    Release {
        /// Product.
        product: ProductId,
        /// Warehouse holding the reservation.
        warehouse: WarehouseCode,
        /// Units.
        quantity: u32,
    },
    /// Consume reserved units (shipping).
    Consume {
        /// Product.
        product: ProductId,
        /// Warehouse holding the reservation.
        warehouse: WarehouseCode,
        /// Units.
        quantity: u32,
    },
}

/// Why and when an order was archived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Archived {
    /// When.
    pub at: Timestamp,
    /// Why (required).
    pub reason: String,
}

/// Everything fixed when an order is created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderHeader {
    /// Store-assigned id.
    pub id: OrderId,
    /// The customer.
    pub customer: CustomerId,
    /// Customer name at creation (for listings).
    pub customer_name: String,
    /// Currency of every amount on the order.
    pub currency: Currency,
    /// Where to ship.
    pub shipping_address: Address,
    /// How to ship.
    pub shipping_method: ShippingMethod,
    /// Fee for the method.
    pub shipping_fee: Money,
    /// How the customer intends to pay.
    pub payment_method: PaymentMethod,
    /// Discounts.
    pub discounts: Vec<Discount>,
    /// Free-text notes.
    pub notes: String,
    /// Caller's idempotency key.
    pub idempotency_key: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// How the tax step rounds on this order (the store's setting at creation).
    pub tax_rounding: RoundingMode,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    // Crate-visible only for `store::legacy`, which upgrades records of older schemas.
    pub(crate) id: OrderId,
    pub(crate) reference: Option<OrderReference>,
    pub(crate) customer: CustomerId,
    pub(crate) customer_name: String,
    pub(crate) status: OrderStatus,
    pub(crate) currency: Currency,
    pub(crate) lines: Vec<OrderLine>,
    pub(crate) shipping_address: Address,
    pub(crate) shipping_method: ShippingMethod,
    pub(crate) shipping_fee: Money,
    pub(crate) payment_method: PaymentMethod,
    pub(crate) discounts: Vec<Discount>,
    pub(crate) totals: Totals,
    pub(crate) ledger: Vec<LedgerEntry>,
    pub(crate) notes: String,
    pub(crate) status_history: Vec<(OrderStatus, Timestamp)>,
    pub(crate) cancel_reason: Option<String>,
    pub(crate) archived: Option<Archived>,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
    /// How the tax step rounds on this order: the store's setting when it was created, kept
    /// so every later re-pricing of the order rounds the same way. (Appended last: stored
    /// records are positional.)
    pub(crate) tax_rounding: RoundingMode,
}

impl Order {
    /// A new draft with no lines.
    ///
    /// # Errors
    /// `CurrencyMismatch` if the shipping fee is in another currency.
    pub fn new_draft(header: OrderHeader) -> Result<Order> {
        let mut order = Order {
            id: header.id,
            reference: None,
            customer: header.customer,
            customer_name: header.customer_name,
            status: OrderStatus::Draft,
            currency: header.currency,
            lines: Vec::new(),
            shipping_address: header.shipping_address,
            shipping_method: header.shipping_method,
            shipping_fee: header.shipping_fee,
            payment_method: header.payment_method,
            discounts: header.discounts,
            totals: Totals::zero(header.currency),
            ledger: Vec::new(),
            notes: header.notes,
            status_history: vec![(OrderStatus::Draft, header.created_at)],
            cancel_reason: None,
            archived: None,
            idempotency_key: header.idempotency_key,
            created_at: header.created_at,
            updated_at: header.created_at,
            tax_rounding: header.tax_rounding,
        };
        order.reprice()?;
        Ok(order)
    }

    /// Internal id.
    pub fn id(&self) -> OrderId {
        self.id
    }
    /// Public reference, once placed.
    pub fn reference(&self) -> Option<&OrderReference> {
        self.reference.as_ref()
    }
    /// The customer.
    pub fn customer(&self) -> CustomerId {
        self.customer
    }
    /// Customer name at creation.
    pub fn customer_name(&self) -> &str {
        &self.customer_name
    }
    /// Current status.
    pub fn status(&self) -> OrderStatus {
        self.status
    }
    /// Currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }
    /// Lines.
    pub fn lines(&self) -> &[OrderLine] {
        &self.lines
    }
    /// Shipping address.
    pub fn shipping_address(&self) -> &Address {
        &self.shipping_address
    }
    /// Shipping method.
    pub fn shipping_method(&self) -> ShippingMethod {
        self.shipping_method
    }
    /// Intended payment method.
    pub fn payment_method(&self) -> PaymentMethod {
        self.payment_method
    }
    /// Discounts.
    pub fn discounts(&self) -> &[Discount] {
        &self.discounts
    }
    /// Money summary.
    pub fn totals(&self) -> &Totals {
        &self.totals
    }
    /// Payment ledger.
    pub fn ledger(&self) -> &[LedgerEntry] {
        &self.ledger
    }
    /// Notes.
    pub fn notes(&self) -> &str {
        &self.notes
    }
    /// Each status reached, with when.
    pub fn status_history(&self) -> &[(OrderStatus, Timestamp)] {
        &self.status_history
    }
    /// Why it was cancelled, if it was.
    pub fn cancel_reason(&self) -> Option<&str> {
        self.cancel_reason.as_deref()
    }
    /// Archive information, if archived.
    pub fn archived(&self) -> Option<&Archived> {
        self.archived.as_ref()
    }
    /// Idempotency key given at creation.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }
    /// Creation time.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }
    /// Last change.
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }
    /// How the tax step rounds on this order.
    pub fn tax_rounding(&self) -> RoundingMode {
        self.tax_rounding
    }

    /// Sums of the ledger.
    ///
    /// # Errors
    /// Only on overflow.
    pub fn ledger_sums(&self) -> Result<LedgerSums> {
        LedgerSums::of(&self.ledger, self.currency)
    }

    /// Payment status, derived from the ledger.
    ///
    /// # Errors
    /// Only on overflow.
    pub fn payment_status(&self) -> Result<PaymentStatus> {
        Ok(self.ledger_sums()?.status(&self.totals.total))
    }

    /// What is still owed: total − net paid (zero for cancelled orders, never negative).
    ///
    /// # Errors
    /// Only on overflow.
    pub fn balance_due(&self) -> Result<Money> {
        if self.status == OrderStatus::Cancelled {
            return Ok(Money::zero(self.currency));
        }
        Ok(self
            .totals
            .total
            .sub(&self.ledger_sums()?.net()?)?
            .clamp_non_negative())
    }

    /// What must be paid back: everything net paid on a cancelled order, otherwise what was
    /// paid beyond the total (e.g. after items were removed).
    ///
    /// # Errors
    /// Only on overflow.
    pub fn refund_due(&self) -> Result<Money> {
        let net = self.ledger_sums()?.net()?;
        if self.status == OrderStatus::Cancelled {
            return Ok(net.clamp_non_negative());
        }
        Ok(net.sub(&self.totals.total)?.clamp_non_negative())
    }

    /// What a cancelled order still holds on a card through a gateway: authorized, neither
    /// captured nor voided. The gateway worker voids it at the gateway and records the void
    /// (`Engine::void_authorization`); zero for other orders and once voided.
    ///
    /// # Errors
    /// Only on overflow.
    pub fn void_due(&self) -> Result<Money> {
        if self.status != OrderStatus::Cancelled {
            return Ok(Money::zero(self.currency));
        }
        self.ledger_sums()?.capturable()
    }

    /// The gateway and its payment id of the latest authorization, if a gateway adapter
    /// took it (`None` for the manual gateway, or with no authorization).
    pub fn gateway_authorization(&self) -> Option<(&str, &str)> {
        self.ledger
            .iter()
            .rev()
            .find(|e| e.kind == crate::payment::LedgerEntryKind::Authorization)
            .and_then(|e| crate::payment::parse_gateway_reference(&e.external_reference))
    }

    fn ensure_not_archived(&self) -> Result<()> {
        match self.archived {
            Some(_) => Err(Refusal::OrderArchived.into()),
            None => Ok(()),
        }
    }

    fn ensure_lines_editable(&self) -> Result<()> {
        self.ensure_not_archived()?;
        if self.status.lines_editable() {
            Ok(())
        } else {
            Err(Refusal::ItemsLocked {
                status: self.status,
            }
            .into())
        }
    }

    /// Adds `quantity` of `product` priced at `unit_price` (merging with an existing line of
    /// the same product). Returns the stock effect if the order holds stock.
    ///
    /// # Errors
    /// `OrderArchived`/`ItemsLocked` if lines are locked; `Validation` for too many lines or
    /// units; `CurrencyMismatch` for a price in another currency; `ProductNotForSale` for
    /// inactive products.
    pub fn add_item(
        &mut self,
        product: &Product,
        quantity: u32,
        unit_price: Money,
        tax_rate: Decimal,
        at: Timestamp,
    ) -> Result<Vec<StockEffect>> {
        self.ensure_lines_editable()?;
        if !product.is_active() {
            return Err(Refusal::ProductNotForSale {
                sku: product.sku().to_string(),
            }
            .into());
        }
        if unit_price.currency() != self.currency {
            return Err(Error::CurrencyMismatch {
                expected: self.currency,
                found: unit_price.currency(),
            });
        }
        if let Some(index) = self.lines.iter().position(|l| l.product == product.id()) {
            let new_quantity = self.lines[index].quantity.saturating_add(quantity);
            return self.set_quantity_at(index, new_quantity, unit_price, at);
        }
        if self.lines.len() >= limits::MAX_LINES_PER_ORDER {
            return Err(Error::invalid(
                "items",
                format!(
                    "an order may have at most {} lines",
                    limits::MAX_LINES_PER_ORDER
                ),
            ));
        }
        check_quantity(product.sku(), quantity)?;
        let line = OrderLine {
            product: product.id(),
            sku: product.sku().clone(),
            name: product.name().to_string(),
            unit_price,
            tax_rate,
            quantity,
            warehouse: None,
            reserved: 0,
            backordered: 0,
            amounts: pricing::LineAmounts {
                total: Money::zero(self.currency),
                discount: Money::zero(self.currency),
                tax: Money::zero(self.currency),
            },
        };
        // Priced before anything changes: a refusal leaves the order as it was.
        let (amounts, totals) = self.priced_with(self.lines.len(), &line)?;
        self.lines.push(OrderLine { amounts, ..line });
        self.totals = totals;
        self.touch(at)?;
        Ok(if self.status.holds_stock() {
            vec![StockEffect::Reserve {
                product: product.id(),
                quantity,
            }]
        } else {
            Vec::new()
        })
    }

    /// Units of `product` on the order (0 if none).
    pub fn quantity_of(&self, product: ProductId) -> u32 {
        self.lines
            .iter()
            .find(|l| l.product == product)
            .map_or(0, |l| l.quantity)
    }

    /// Index of the line for `sku`.
    ///
    /// # Errors
    /// `NotFound` if the order has no such line.
    pub fn line_index(&self, sku: &Sku) -> Result<usize> {
        self.lines
            .iter()
            .position(|l| &l.sku == sku)
            .ok_or_else(|| Error::not_found(crate::error::EntityKind::OrderLine, sku))
    }

    /// Sets the quantity of the line for `sku`, re-taking `unit_price` (the tier may change).
    ///
    /// # Errors
    /// As [`Order::add_item`]; `NotFound` if there is no such line.
    pub fn set_quantity(
        &mut self,
        sku: &Sku,
        quantity: u32,
        unit_price: Money,
        at: Timestamp,
    ) -> Result<Vec<StockEffect>> {
        self.ensure_lines_editable()?;
        let index = self.line_index(sku)?;
        self.set_quantity_at(index, quantity, unit_price, at)
    }

    fn set_quantity_at(
        &mut self,
        index: usize,
        quantity: u32,
        unit_price: Money,
        at: Timestamp,
    ) -> Result<Vec<StockEffect>> {
        let holds_stock = self.status.holds_stock();
        let current = self
            .lines
            .get(index)
            .ok_or_else(|| Error::Internal("order line index out of range".into()))?;
        check_quantity(&current.sku, quantity)?;
        // Priced before anything changes: a refusal leaves the order as it was.
        let changed = OrderLine {
            quantity,
            unit_price,
            ..current.clone()
        };
        let (amounts, totals) = self.priced_with(index, &changed)?;
        let line = self
            .lines
            .get_mut(index)
            .ok_or_else(|| Error::Internal("order line index out of range".into()))?;
        let mut effects = Vec::new();
        if holds_stock {
            if quantity > line.quantity {
                effects.push(StockEffect::Reserve {
                    product: line.product,
                    quantity: quantity - line.quantity,
                });
            } else {
                // Lower: drop backordered units first, then release reserved ones.
                let mut excess = line.quantity - quantity;
                let from_backorder = excess.min(line.backordered);
                line.backordered -= from_backorder;
                excess -= from_backorder;
                if excess > 0 {
                    let warehouse = line.warehouse.clone().ok_or_else(|| {
                        Error::Internal("line has reservations but no warehouse".into())
                    })?;
                    line.reserved -= excess;
                    effects.push(StockEffect::Release {
                        product: line.product,
                        warehouse,
                        quantity: excess,
                    });
                }
            }
        }
        line.quantity = quantity;
        line.unit_price = unit_price;
        line.amounts = amounts;
        self.totals = totals;
        self.touch(at)?;
        Ok(effects)
    }

    /// Removes the line for `sku`.
    ///
    /// # Errors
    /// `OrderArchived`/`ItemsLocked` if lines are locked; `LastItem` for the last line of a
    /// placed order; `NotFound`.
    pub fn remove_item(&mut self, sku: &Sku, at: Timestamp) -> Result<Vec<StockEffect>> {
        self.ensure_lines_editable()?;
        let index = self.line_index(sku)?;
        if self.lines.len() == 1 && self.status != OrderStatus::Draft {
            return Err(Refusal::LastItem.into());
        }
        let line = self.lines.remove(index);
        let mut effects = Vec::new();
        if let (Some(warehouse), true) = (line.warehouse, line.reserved > 0) {
            effects.push(StockEffect::Release {
                product: line.product,
                warehouse,
                quantity: line.reserved,
            });
        }
        self.resum(at)?;
        Ok(effects)
    }

    /// Records where a reservation for the line of `product` landed (called by the engine
    /// while applying a `Reserve` effect).
    ///
    /// # Errors
    /// `Internal` if the line does not exist or is already allocated elsewhere (the engine
    /// allocates only lines of the order, to the warehouse they are pinned to).
    pub fn record_allocation(
        &mut self,
        product: ProductId,
        warehouse: &WarehouseCode,
        reserved: u32,
        backordered: u32,
    ) -> Result<()> {
        let line = self
            .lines
            .iter_mut()
            .find(|l| l.product == product)
            .ok_or_else(|| Error::Internal("allocation for a product not on the order".into()))?;
        match &line.warehouse {
            Some(existing) if existing != warehouse => {
                return Err(Error::Internal(
                    "line is already allocated to another warehouse".into(),
                ));
            }
            _ => line.warehouse = Some(warehouse.clone()),
        }
        line.reserved += reserved;
        line.backordered += backordered;
        Ok(())
    }

    /// Backordered units per line, for the engine to try to reserve.
    pub fn backorders(&self) -> Vec<(ProductId, u32)> {
        self.lines
            .iter()
            .filter(|l| l.backordered > 0)
            .map(|l| (l.product, l.backordered))
            .collect()
    }

    /// Turns backordered units of `product` into reserved ones.
    ///
    /// # Errors
    /// `Internal` if the line has fewer backordered units (the engine fills at most what
    /// [`Order::backorders`] lists).
    pub fn fill_backorder(&mut self, product: ProductId, quantity: u32) -> Result<()> {
        let line = self
            .lines
            .iter_mut()
            .find(|l| l.product == product && l.backordered >= quantity)
            .ok_or_else(|| Error::Internal("no such backorder".into()))?;
        line.backordered -= quantity;
        line.reserved += quantity;
        Ok(())
    }

    /// Moves the order to `to`, stamping the time and the reference (on placement), and
    /// returns the stock effects of the move.
    ///
    /// # Errors
    /// `IllegalTransition`; `OrderArchived`; `OrderEmpty` for an empty order being placed;
    /// `Backordered` for backordered units on the way to picking.
    pub fn change_status(
        &mut self,
        to: OrderStatus,
        reference: Option<OrderReference>,
        at: Timestamp,
    ) -> Result<Vec<StockEffect>> {
        self.ensure_not_archived()?;
        let from = self.status;
        self.status.transition(to)?;
        if to == OrderStatus::PartiallyShipped || from == OrderStatus::PartiallyShipped {
            // Only a shipment says which units left (`Order::ship`); once an order ships
            // in parts, the rest leaves as shipments too (or is cancelled:
            // `Order::cancel_unshipped`).
            return Err(Refusal::ShipmentRequired.into());
        }
        if to == OrderStatus::Placed && self.lines.is_empty() {
            return Err(Refusal::OrderEmpty.into());
        }
        if to == OrderStatus::Picking && self.lines.iter().any(|l| l.backordered > 0) {
            let lines = self
                .lines
                .iter()
                .filter(|l| l.backordered > 0)
                .map(|l| (l.sku.to_string(), l.backordered))
                .collect();
            return Err(Refusal::Backordered { lines }.into());
        }
        let effects = self.stock_effects_of(from, to);
        for line in &mut self.lines {
            if from.holds_stock() && !to.holds_stock() {
                line.reserved = 0;
                line.backordered = 0;
            }
        }
        if to == OrderStatus::Placed && self.reference.is_none() {
            self.reference = reference;
        }
        self.status = to;
        self.status_history.push((to, at));
        self.touch(at)?;
        Ok(effects)
    }

    fn stock_effects_of(&self, from: OrderStatus, to: OrderStatus) -> Vec<StockEffect> {
        let mut effects = Vec::new();
        for line in &self.lines {
            match (from.holds_stock(), to) {
                (false, _) if to.holds_stock() => effects.push(StockEffect::Reserve {
                    product: line.product,
                    quantity: line.quantity,
                }),
                (true, OrderStatus::Shipped) => {
                    if let Some(w) = &line.warehouse {
                        effects.push(StockEffect::Consume {
                            product: line.product,
                            warehouse: w.clone(),
                            quantity: line.reserved,
                        });
                    }
                }
                (true, OrderStatus::Cancelled) => {
                    if let (Some(w), true) = (&line.warehouse, line.reserved > 0) {
                        effects.push(StockEffect::Release {
                            product: line.product,
                            warehouse: w.clone(),
                            quantity: line.reserved,
                        });
                    }
                }
                _ => {}
            }
        }
        effects
    }

    /// Units of each line not shipped yet (the units still reserved), for lines with any.
    /// Empty once nothing is left to ship (and for orders that hold no stock).
    pub fn unshipped(&self) -> Vec<(ProductId, u32)> {
        if !self.status.holds_stock() {
            return Vec::new();
        }
        self.lines
            .iter()
            .filter(|l| l.reserved > 0)
            .map(|l| (l.product, l.reserved))
            .collect()
    }

    /// Hands `units` (product, quantity; each product once, each quantity ≥ 1) to a
    /// carrier: their reservations are consumed, and the order is partially shipped, or
    /// shipped once no unit is left. Returns the stock effects (one `Consume` per line).
    ///
    /// # Errors
    /// `OrderArchived`; `NotShippable` unless packed or partially shipped;
    /// `NothingToShip` for no units; `ShipsMoreThanLeft` for more units of a line than
    /// it has left (or a product not on the order, with 0 left); `Validation` for a
    /// product named twice.
    pub fn ship(&mut self, units: &[(ProductId, u32)], at: Timestamp) -> Result<Vec<StockEffect>> {
        self.ensure_not_archived()?;
        if !self.status.ships() {
            return Err(Refusal::NotShippable {
                status: self.status,
            }
            .into());
        }
        if units.is_empty() || units.iter().all(|(_, q)| *q == 0) {
            return Err(Refusal::NothingToShip.into());
        }
        // Checked before anything changes: a refusal leaves the order as it was.
        for (i, (product, quantity)) in units.iter().enumerate() {
            if units.iter().skip(i + 1).any(|(p, _)| p == product) {
                return Err(Error::invalid("lines", "name each product once"));
            }
            let line = self.lines.iter().find(|l| l.product == *product);
            let left = line.map_or(0, |l| l.reserved);
            if *quantity > left {
                return Err(Refusal::ShipsMoreThanLeft {
                    sku: line.map_or_else(|| format!("product {product}"), |l| l.sku.to_string()),
                    requested: *quantity,
                    left,
                }
                .into());
            }
        }
        let mut effects = Vec::new();
        for (product, quantity) in units {
            let Some(line) = self.lines.iter_mut().find(|l| l.product == *product) else {
                continue;
            };
            if *quantity == 0 {
                continue;
            }
            let warehouse = line
                .warehouse
                .clone()
                .ok_or_else(|| Error::Internal("line has reservations but no warehouse".into()))?;
            line.reserved -= quantity;
            effects.push(StockEffect::Consume {
                product: *product,
                warehouse,
                quantity: *quantity,
            });
        }
        let to = if self.lines.iter().all(|l| l.reserved == 0) {
            OrderStatus::Shipped
        } else {
            OrderStatus::PartiallyShipped
        };
        if to != self.status {
            self.status.transition(to)?;
            self.status = to;
            self.status_history.push((to, at));
        }
        self.touch(at)?;
        Ok(effects)
    }

    /// Cancels what a partly shipped order has not shipped: each line keeps only its
    /// shipped units (lines with none go), the order is re-priced (so a payment beyond
    /// the new total is a refund due) and becomes shipped. Returns the releases of the
    /// unshipped units' reservations.
    ///
    /// # Errors
    /// `OrderArchived`; `NotPartiallyShipped` in any other status; `Validation` if the
    /// re-priced order breaks a bound (it only gets smaller, so never in practice).
    pub fn cancel_unshipped(&mut self, at: Timestamp) -> Result<Vec<StockEffect>> {
        self.ensure_not_archived()?;
        if self.status != OrderStatus::PartiallyShipped {
            return Err(Refusal::NotPartiallyShipped {
                status: self.status,
            }
            .into());
        }
        self.status.transition(OrderStatus::Shipped)?;
        let mut effects = Vec::new();
        for line in &mut self.lines {
            if line.reserved == 0 {
                continue;
            }
            let warehouse = line
                .warehouse
                .clone()
                .ok_or_else(|| Error::Internal("line has reservations but no warehouse".into()))?;
            effects.push(StockEffect::Release {
                product: line.product,
                warehouse,
                quantity: line.reserved,
            });
            line.quantity -= line.reserved;
            line.reserved = 0;
        }
        self.lines.retain(|l| l.quantity > 0);
        self.reprice()?;
        self.status = OrderStatus::Shipped;
        self.status_history.push((OrderStatus::Shipped, at));
        self.touch(at)?;
        Ok(effects)
    }

    /// Records the cancellation reason (status change done by [`Order::change_status`]).
    pub fn set_cancel_reason(&mut self, reason: String) {
        self.cancel_reason = Some(reason);
    }

    /// Changes the shipping address.
    ///
    /// # Errors
    /// `AddressLocked` once shipped; `OrderArchived`.
    pub fn set_address(&mut self, address: Address, at: Timestamp) -> Result<()> {
        self.ensure_not_archived()?;
        if !self.status.address_editable() {
            return Err(Refusal::AddressLocked {
                status: self.status,
            }
            .into());
        }
        self.shipping_address = address;
        self.touch(at)
    }

    /// Applies a discount (replacing one with the same label) and re-prices the order.
    ///
    /// # Errors
    /// `ItemsLocked` once items are locked; `OrderArchived`; `Validation` past 10 discounts.
    pub fn apply_discount(&mut self, discount: Discount, at: Timestamp) -> Result<()> {
        self.ensure_lines_editable()?;
        self.discounts.retain(|d| d.label() != discount.label());
        if self.discounts.len() >= 10 {
            return Err(Error::invalid("discounts", "an order may have at most 10"));
        }
        self.discounts.push(discount);
        self.reprice()?;
        self.touch(at)
    }

    /// Changes the shipping method (and with it the shipping fee, as the engine priced it)
    /// and re-prices the order: while its lines may change (a cart at checkout).
    ///
    /// # Errors
    /// `ItemsLocked` once items are locked; `OrderArchived`; `CurrencyMismatch` for a fee
    /// in another currency.
    pub fn set_shipping(
        &mut self,
        method: ShippingMethod,
        fee: Money,
        at: Timestamp,
    ) -> Result<()> {
        self.ensure_lines_editable()?;
        if fee.currency() != self.currency {
            return Err(Error::invalid(
                "shipping fee",
                "must be in the order's currency",
            ));
        }
        self.shipping_method = method;
        self.shipping_fee = fee;
        self.reprice()?;
        self.touch(at)
    }

    /// Appends a payment or refund to the ledger (amount and caps checked by the engine).
    ///
    /// # Errors
    /// Only on overflow while re-checking invariants.
    pub fn push_ledger_entry(&mut self, entry: LedgerEntry, at: Timestamp) -> Result<()> {
        self.ledger.push(entry);
        self.touch(at)
    }

    /// Archives (soft-deletes) the order.
    ///
    /// # Errors
    /// `OrderArchived` if already archived; `OrderNotArchivable` in a status that holds
    /// stock or is in flight.
    pub fn archive(&mut self, reason: String, at: Timestamp) -> Result<()> {
        self.ensure_not_archived()?;
        if !self.status.archivable() {
            return Err(Refusal::OrderNotArchivable {
                status: self.status,
            }
            .into());
        }
        self.archived = Some(Archived { at, reason });
        self.updated_at = at;
        Ok(())
    }

    /// Restores an archived order.
    ///
    /// # Errors
    /// `OrderNotArchived` if it is not archived.
    pub fn restore(&mut self, at: Timestamp) -> Result<()> {
        if self.archived.take().is_none() {
            return Err(Refusal::OrderNotArchived.into());
        }
        self.updated_at = at;
        Ok(())
    }

    /// Records the change time (changes that do not touch prices).
    fn touch(&mut self, at: Timestamp) -> Result<()> {
        self.updated_at = at;
        self.check_invariants();
        Ok(())
    }

    /// The amounts of `line` placed at `index` (replacing the line there, or appended when
    /// `index` is the number of lines), and the order's totals with it: the totals move by
    /// the difference, O(1), never a re-pricing of every line. Changes nothing.
    ///
    /// # Errors
    /// `Validation` naming the line (`line 2 (SKU X) total`) or the order sum that would
    /// exceed the money bound; `CurrencyMismatch`.
    fn priced_with(&self, index: usize, line: &OrderLine) -> Result<(LineAmounts, Totals)> {
        let input = LineInput {
            unit_price: line.unit_price,
            quantity: line.quantity,
            tax_rate: line.tax_rate,
        };
        let rate = pricing::discount_rate(&self.discounts);
        let new = pricing::price_line(self.currency, &input, rate, self.tax_rounding)
            .map_err(|e| e.within(format_args!("line {} (SKU {})", index + 1, line.sku)))?;
        let zero = Money::zero(self.currency);
        let old = self.lines.get(index).map_or(
            LineAmounts {
                total: zero,
                discount: zero,
                tax: zero,
            },
            |l| l.amounts,
        );
        let mut totals = self.totals;
        // Subtracting the old amount first keeps every intermediate sum within the final one.
        let moved = |field: &str, sum: Money, old: &Money, new: &Money| {
            sum.sub(old)
                .and_then(|without| pricing::add_to(field, &without, new))
        };
        totals.subtotal = moved("order subtotal", totals.subtotal, &old.total, &new.total)?;
        totals.discount = moved(
            "order discount",
            totals.discount,
            &old.discount,
            &new.discount,
        )?;
        totals.tax = moved("order tax", totals.tax, &old.tax, &new.tax)?;
        totals.total = pricing::order_total(&totals)?;
        Ok((new, totals))
    }

    /// Re-adds the totals from the lines' amounts.
    fn resum(&mut self, at: Timestamp) -> Result<()> {
        self.totals = pricing::sum(
            self.currency,
            self.lines.iter().map(|l| &l.amounts),
            self.shipping_fee,
        )?;
        self.touch(at)
    }

    /// Recomputes line amounts and totals from lines, discounts and shipping fee.
    ///
    /// # Errors
    /// `CurrencyMismatch` or overflow.
    pub fn reprice(&mut self) -> Result<()> {
        let rate = pricing::discount_rate(&self.discounts);
        let amounts = self
            .lines
            .iter()
            .enumerate()
            .map(|(index, l)| {
                let input = LineInput {
                    unit_price: l.unit_price,
                    quantity: l.quantity,
                    tax_rate: l.tax_rate,
                };
                pricing::price_line(self.currency, &input, rate, self.tax_rounding)
                    .map_err(|e| e.within(format_args!("line {} (SKU {})", index + 1, l.sku)))
            })
            .collect::<Result<Vec<_>>>()?;
        let totals = pricing::sum(self.currency, &amounts, self.shipping_fee)?;
        for (line, amount) in self.lines.iter_mut().zip(amounts) {
            line.amounts = amount;
        }
        self.totals = totals;
        self.check_invariants();
        Ok(())
    }

    /// Asserts the order's invariants in debug builds.
    pub fn check_invariants(&self) {
        debug_assert!(
            self.invariant_violation().is_none(),
            "{:?}",
            self.invariant_violation()
        );
    }

    /// Describes the first broken invariant, if any: every line priced for its quantity and
    /// price, totals add up, one line per product, a reference once placed. (Allocation is checked by [`Order::settled_allocation_violation`]
    /// once the engine has applied the stock effects.)
    pub fn invariant_violation(&self) -> Option<String> {
        let t = &self.totals;
        let sum = t.subtotal.amount() - t.discount.amount() + t.tax.amount() + t.shipping.amount();
        if sum != t.total.amount() {
            return Some(format!("total {} != parts {}", t.total, sum));
        }
        let line_sum: Decimal = self.lines.iter().map(|l| l.amounts.total.amount()).sum();
        if line_sum != t.subtotal.amount() {
            return Some("subtotal differs from the sum of lines".into());
        }
        let rate = pricing::discount_rate(&self.discounts);
        for (i, line) in self.lines.iter().enumerate() {
            if self
                .lines
                .iter()
                .skip(i + 1)
                .any(|o| o.product == line.product)
            {
                return Some(format!("two lines for {}", line.sku));
            }
            let input = LineInput {
                unit_price: line.unit_price,
                quantity: line.quantity,
                tax_rate: line.tax_rate,
            };
            if pricing::price_line(self.currency, &input, rate, self.tax_rounding).ok()
                != Some(line.amounts)
            {
                return Some(format!(
                    "line {} is priced for another quantity or price",
                    line.sku
                ));
            }
        }
        let was_placed = self
            .status_history
            .iter()
            .any(|(s, _)| *s == OrderStatus::Placed);
        if was_placed && self.reference.is_none() {
            return Some("placed order without a reference".into());
        }
        None
    }

    /// Checks the allocation invariant once every stock effect has been applied:
    /// reserved + backordered = quantity while stock is held, zero otherwise; a partly
    /// shipped order holds at most its quantity (the rest has shipped), nothing
    /// backordered, and has shipped something.
    pub fn settled_allocation_violation(&self) -> Option<String> {
        if self.status == OrderStatus::PartiallyShipped {
            let over = self
                .lines
                .iter()
                .find(|l| l.backordered > 0 || l.reserved > l.quantity);
            if let Some(line) = over {
                return Some(format!(
                    "line {} holds {} reserved and {} backordered of {} while partially shipped",
                    line.sku, line.reserved, line.backordered, line.quantity
                ));
            }
            if self.lines.iter().all(|l| l.reserved == l.quantity) {
                return Some("partially shipped order has shipped nothing".into());
            }
            return None;
        }
        self.lines.iter().find_map(|line| {
            let allocated = line.reserved + line.backordered;
            let expected = if self.status.holds_stock() {
                line.quantity
            } else {
                0
            };
            (allocated != expected).then(|| {
                format!(
                    "line {} allocates {allocated}, expected {expected} in status {}",
                    line.sku, self.status
                )
            })
        })
    }
}

fn check_quantity(sku: &Sku, quantity: u32) -> Result<()> {
    sku.quantity(i64::from(quantity)).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transition_table_is_exactly_the_documented_one() {
        use OrderStatus::*;
        let allowed: Vec<(OrderStatus, OrderStatus)> = ALL_STATUSES
            .iter()
            .flat_map(|from| ALL_STATUSES.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| from.transition(*to).is_ok())
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Draft, Placed),
                (Draft, Cancelled),
                (Placed, Confirmed),
                (Placed, Cancelled),
                (Confirmed, Picking),
                (Confirmed, Cancelled),
                (Picking, Packed),
                (Picking, Cancelled),
                (Packed, PartiallyShipped),
                (Packed, Shipped),
                (PartiallyShipped, Shipped),
                (Shipped, Delivered),
            ]
        );
    }

    #[test]
    fn illegal_transition_names_the_allowed_states() {
        let err = OrderStatus::Placed
            .transition(OrderStatus::Shipped)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot move order from placed to shipped; allowed next: confirmed, cancelled"
        );
    }

    #[test]
    fn the_fulfilment_path_walks_only_legal_forward_steps() {
        use OrderStatus::*;
        assert_eq!(
            Placed.fulfilment_path(Shipped).unwrap(),
            vec![Confirmed, Picking, Packed, Shipped]
        );
        assert_eq!(
            Packed.fulfilment_path(Delivered).unwrap(),
            vec![Shipped, Delivered]
        );
        for from in ALL_STATUSES {
            for to in ALL_STATUSES {
                let Ok(path) = from.fulfilment_path(to) else {
                    continue;
                };
                let mut at = from;
                for step in &path {
                    at = at.transition(*step).unwrap();
                }
                assert_eq!(at, to, "{from} → {to}");
                assert!(!path.contains(&Placed) && !path.contains(&Cancelled));
            }
        }
        for (from, to) in [
            (Draft, Confirmed),
            (Shipped, Packed),
            (Placed, Placed),
            (Picking, Cancelled),
        ] {
            assert!(
                matches!(
                    from.fulfilment_path(to),
                    Err(Error::IllegalTransition { .. })
                ),
                "{from} → {to}"
            );
        }
    }

    #[test]
    fn status_names_round_trip() {
        for s in ALL_STATUSES {
            assert_eq!(OrderStatus::parse(&s.name().to_uppercase()).unwrap(), s);
        }
        assert_eq!(
            OrderStatus::parse("canceled").unwrap(),
            OrderStatus::Cancelled
        );
        assert!(OrderStatus::parse("lost").is_err());
        let codes: std::collections::HashSet<u8> = ALL_STATUSES.iter().map(|s| s.code()).collect();
        assert_eq!(codes.len(), ALL_STATUSES.len());
    }
}
