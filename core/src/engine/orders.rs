//! Order commands: create, change items, address and status, cancel, archive, restore.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation};
use crate::catalog::{BackorderPolicy, Sku};
use crate::customer::{Address, AddressInput};
use crate::error::{EntityKind, Error, Refusal, Result};
use crate::ids::{CustomerId, OrderId, OrderReference};
use crate::order::{Order, OrderHeader, OrderStatus, StockEffect};
use crate::outbox::DomainEvent;
use crate::payment::PaymentMethod;
use crate::pricing::{Discount, ShippingMethod};
use crate::store::{IdempotencyRecord, Record, Store, keys};
use crate::validate::{self, limits};

use super::idempotency::{check_idempotency_key, idempotency_storage_key, within_window};
use super::{Engine, Unit};

/// One requested item: SKU text and quantity as typed (validated by the engine).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRequest {
    /// SKU.
    pub sku: String,
    /// Units (may be anything; the engine checks 1..=10 000).
    pub quantity: i64,
}

/// A request to create an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    /// The customer.
    pub customer: CustomerId,
    /// Items.
    pub items: Vec<ItemRequest>,
    /// Shipping address; `None` uses the customer's default address.
    #[serde(default)]
    pub ship_to: Option<AddressInput>,
    /// Shipping method.
    pub shipping: ShippingMethod,
    /// Intended payment method.
    pub payment: PaymentMethod,
    /// Discounts as (label, percent): staff with the right to apply discounts only.
    #[serde(default)]
    pub discounts: Vec<(String, Decimal)>,
    /// Free-text notes.
    #[serde(default)]
    pub notes: String,
    /// Keep as a draft instead of placing it.
    #[serde(default)]
    pub draft: bool,
    /// Makes retries safe: the same key and content return the first order.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl OrderRequest {
    /// A placed order for `customer` with `items`, default address, standard shipping, card.
    pub fn simple(customer: CustomerId, items: &[(&str, i64)]) -> OrderRequest {
        OrderRequest {
            customer,
            items: items
                .iter()
                .map(|(sku, quantity)| ItemRequest {
                    sku: (*sku).to_string(),
                    quantity: *quantity,
                })
                .collect(),
            ship_to: None,
            shipping: ShippingMethod::Standard,
            payment: PaymentMethod::Card,
            discounts: Vec::new(),
            notes: String::new(),
            draft: false,
            idempotency_key: None,
        }
    }
}

/// A human rendering of an order's items, for audit entries.
fn items_summary(order: &Order) -> String {
    order
        .lines()
        .iter()
        .map(|l| format!("{}×{}", l.sku, l.quantity))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<S: Store> Engine<S> {
    /// Creates an order (placed, or a draft), reserving stock for a placed order.
    ///
    /// # Errors
    /// `Validation` for bad input; `NotFound` for an unknown customer or SKU;
    /// `InsufficientStock`; `Refused` for an inactive customer or product
    /// (`CustomerCannotOrder`, `ProductNotForSale`);
    /// `IdempotencyMismatch`; `Forbidden`; `Conflict` after too many lost races.
    pub fn create_order(&self, actor: &Actor, request: &OrderRequest) -> Result<Order> {
        actor.require(Operation::EditOrders)?;
        if !request.draft {
            actor.require(Operation::PlaceOrders)?;
        }
        if !request.discounts.is_empty() {
            actor.require(Operation::ApplyDiscounts)?;
        }
        if actor.customer_id().is_some_and(|me| me != request.customer) {
            return Err(Error::Forbidden {
                role: actor.role().to_string(),
                operation: "order for another customer".into(),
            });
        }
        let key = request
            .idempotency_key
            .as_deref()
            .map(check_idempotency_key)
            .transpose()?;
        if request.items.len() > limits::MAX_LINES_PER_ORDER {
            return Err(Error::invalid(
                "items",
                format!(
                    "an order may have at most {} lines",
                    limits::MAX_LINES_PER_ORDER
                ),
            ));
        }
        if request.notes.chars().count() > limits::MAX_TEXT_CHARS {
            return Err(Error::invalid(
                "notes",
                format!("must be at most {} characters", limits::MAX_TEXT_CHARS),
            ));
        }
        let remembered = key.as_ref().map(|k| {
            (
                k.clone(),
                idempotency_storage_key(actor, k),
                request.fingerprint(),
            )
        });
        self.transact(|unit| {
            let now = self.clock.now();
            if let Some((key, stored_under, fingerprint)) = &remembered
                && let Some(existing) = unit.idempotency(stored_under)?
                && within_window(existing.created_at, now, self.config.idempotency_window_ms)
            {
                if existing.fingerprint != *fingerprint {
                    return Err(Error::IdempotencyMismatch { key: key.clone() });
                }
                return unit.order(existing.order);
            }
            // A key never used, or used longer ago than the window: a new request (an
            // expired record is overwritten, at the version it was read).
            let order = self.build_order(unit, actor, request)?;
            if let Some((_, stored_under, fingerprint)) = &remembered {
                unit.put(Record::Idempotency(IdempotencyRecord {
                    key: stored_under.clone(),
                    fingerprint: fingerprint.clone(),
                    order: order.id(),
                    created_at: now,
                }));
            }
            Ok(order)
        })
    }

    fn build_order(
        &self,
        unit: &mut Unit<'_, S>,
        actor: &Actor,
        request: &OrderRequest,
    ) -> Result<Order> {
        let now = self.clock.now();
        let customer = unit.customer(request.customer)?;
        if !customer.can_order() {
            return Err(Refusal::CustomerCannotOrder {
                customer: customer.id(),
                status: customer.status(),
            }
            .into());
        }
        let shipping_address = match &request.ship_to {
            Some(input) => Address::parse(input)?,
            None => customer.addresses().first().cloned().ok_or_else(|| {
                Error::invalid(
                    "shipping address",
                    "is required (the customer has no default address)",
                )
            })?,
        };
        let discounts = request
            .discounts
            .iter()
            .map(|(label, percent)| Discount::new(label, *percent))
            .collect::<Result<Vec<_>>>()?;
        let notes = validate::multiline_text("notes", &request.notes, limits::MAX_TEXT_CHARS)?;
        // Resolve every item before anything else so errors name the first bad item.
        let mut resolved = Vec::with_capacity(request.items.len());
        for item in &request.items {
            let sku = Sku::parse(&item.sku)?;
            let quantity = sku.quantity(item.quantity)?;
            let product = unit.product_by_sku(&sku)?;
            resolved.push((product, quantity));
        }
        let currency = match resolved.first() {
            Some((product, _)) => product.base_price().currency(),
            None => return Err(Error::invalid("items", "an order needs at least one item")),
        };
        let prices = unit.pricing_settings()?;
        let shipping_fee = prices.shipping_rates().fee(request.shipping, currency)?;
        let id = OrderId(unit.store().next_id()?);
        let mut order = Order::new_draft(OrderHeader {
            id,
            customer: customer.id(),
            customer_name: customer.name().to_string(),
            currency,
            shipping_address,
            shipping_method: request.shipping,
            shipping_fee,
            payment_method: request.payment,
            discounts,
            notes,
            idempotency_key: request.idempotency_key.clone(),
            created_at: now,
            tax_rounding: prices.tax_rounding(),
        })?;
        for (product, quantity) in &resolved {
            let merged = order.quantity_of(product.id()).saturating_add(*quantity);
            let price = product.unit_price(customer.price_group(), merged);
            let rate = prices.tax_rates().rate(product.tax_category());
            order.add_item(product, *quantity, price, rate, now)?;
        }
        let mut changes = vec![
            FieldChange::new("items", None, Some(items_summary(&order))),
            FieldChange::new("total", None, Some(order.totals().total.to_string())),
        ];
        if !request.draft {
            let reference = OrderReference::generate(self.random.as_ref());
            let effects = order.change_status(OrderStatus::Placed, Some(reference.clone()), now)?;
            self.apply_stock_effects(unit, &mut order, effects)?;
            changes.push(FieldChange::new(
                "reference",
                None,
                Some(reference.to_string()),
            ));
            unit.event(
                now,
                DomainEvent::OrderPlaced {
                    order: id,
                    reference,
                    customer: customer.id(),
                    total: order.totals().total,
                },
            );
        }
        changes.insert(
            0,
            FieldChange::new("status", None, Some(order.status().to_string())),
        );
        unit.reindex(&[], &keys::order_entries(&order));
        unit.audit(AuditRecord {
            at: now,
            actor: actor.record(),
            action: AuditAction::OrderCreated,
            subjects: vec![Subject::Order(id), Subject::Customer(customer.id())],
            changes,
        });
        debug_assert_eq!(order.settled_allocation_violation(), None);
        unit.put(Record::Order(Box::new(order.clone())));
        Ok(order)
    }

    /// Applies stock effects of an order change to the stock records in the unit, recording
    /// where reservations landed on the order.
    pub(super) fn apply_stock_effects(
        &self,
        unit: &mut Unit<'_, S>,
        order: &mut Order,
        effects: Vec<StockEffect>,
    ) -> Result<()> {
        for effect in effects {
            match effect {
                StockEffect::Reserve { product, quantity } => {
                    let item = unit.product(product)?;
                    let pinned = order
                        .lines()
                        .iter()
                        .find(|l| l.product == product)
                        .and_then(|l| l.warehouse.clone());
                    let stock = unit.stock_mut(product)?;
                    let warehouse = pinned
                        .or_else(|| stock.best_warehouse().cloned())
                        .unwrap_or_else(|| self.config.default_warehouse.clone());
                    let available = stock.level(&warehouse).map_or(0, |l| l.available());
                    let reserved =
                        u32::try_from(available.min(u64::from(quantity))).unwrap_or(quantity);
                    let missing = quantity - reserved;
                    if missing > 0 && item.backorder() == BackorderPolicy::Deny {
                        return Err(Error::InsufficientStock {
                            sku: item.sku().to_string(),
                            requested: u64::from(quantity),
                            available,
                        });
                    }
                    if reserved > 0 {
                        stock.reserve(&warehouse, u64::from(reserved), item.sku().as_str())?;
                    }
                    order.record_allocation(product, &warehouse, reserved, missing)?;
                }
                StockEffect::Release {
                    product,
                    warehouse,
                    quantity,
                } => {
                    unit.stock_mut(product)?
                        .release(&warehouse, u64::from(quantity))?;
                }
                StockEffect::Consume {
                    product,
                    warehouse,
                    quantity,
                } => {
                    unit.stock_mut(product)?
                        .consume(&warehouse, u64::from(quantity))?;
                }
            }
        }
        Ok(())
    }

    /// Reserves what has arrived for backordered lines (before fulfilment moves on).
    fn fill_backorders(&self, unit: &mut Unit<'_, S>, order: &mut Order) -> Result<()> {
        for (product, wanted) in order.backorders() {
            let Some(warehouse) = order
                .lines()
                .iter()
                .find(|l| l.product == product)
                .and_then(|l| l.warehouse.clone())
            else {
                continue;
            };
            let sku = unit.product(product)?.sku().to_string();
            let stock = unit.stock_mut(product)?;
            let available = stock.level(&warehouse).map_or(0, |l| l.available());
            let take = u32::try_from(available.min(u64::from(wanted))).unwrap_or(0);
            if take > 0 {
                stock.reserve(&warehouse, u64::from(take), &sku)?;
                order.fill_backorder(product, take)?;
            }
        }
        Ok(())
    }

    /// Moves a loaded order one step to `to`: fills backorders on the way, gives a placed
    /// order its reference, and applies the stock effects of the move.
    pub(super) fn step_status(
        &self,
        unit: &mut Unit<'_, S>,
        order: &mut Order,
        to: OrderStatus,
    ) -> Result<()> {
        if order.status().holds_stock() {
            self.fill_backorders(unit, order)?;
        }
        let reference = (to == OrderStatus::Placed && order.reference().is_none())
            .then(|| OrderReference::generate(self.random.as_ref()));
        let effects = order.change_status(to, reference, self.clock.now())?;
        self.apply_stock_effects(unit, order, effects)
    }

    /// Loads an order for a change, checks permission and ownership, runs `change`, and
    /// writes the order, its index changes, the audit entry and any events.
    pub(super) fn change_order(
        &self,
        actor: &Actor,
        id: OrderId,
        operation: Operation,
        action: AuditAction,
        change: impl Fn(&mut Unit<'_, S>, &mut Order) -> Result<(Vec<FieldChange>, Vec<DomainEvent>)>,
    ) -> Result<Order> {
        actor.require(operation)?;
        self.transact(|unit| self.change_in_unit(unit, actor, id, action, &change))
    }

    /// [`Engine::change_order`] inside a unit of work that may change other orders too.
    pub(super) fn change_in_unit(
        &self,
        unit: &mut Unit<'_, S>,
        actor: &Actor,
        id: OrderId,
        action: AuditAction,
        change: &impl Fn(&mut Unit<'_, S>, &mut Order) -> Result<(Vec<FieldChange>, Vec<DomainEvent>)>,
    ) -> Result<Order> {
        let mut order = unit.order(id)?;
        self.check_owner(actor, &order)?;
        let before = keys::order_entries(&order);
        let (changes, events) = change(unit, &mut order)?;
        debug_assert_eq!(order.settled_allocation_violation(), None);
        let now = order.updated_at();
        unit.reindex(&before, &keys::order_entries(&order));
        unit.audit(AuditRecord {
            at: now,
            actor: actor.record(),
            action,
            subjects: vec![Subject::Order(id), Subject::Customer(order.customer())],
            changes,
        });
        for event in events {
            unit.event(now, event);
        }
        unit.put(Record::Order(Box::new(order.clone())));
        Ok(order)
    }

    /// A customer may only touch their own orders; to them, other orders do not exist.
    pub(crate) fn check_owner(&self, actor: &Actor, order: &Order) -> Result<()> {
        match actor.customer_id() {
            Some(me) if me != order.customer() => {
                Err(Error::not_found(EntityKind::Order, order.id()))
            }
            Some(_) | None => Ok(()),
        }
    }

    /// Adds `quantity` of `sku` to an order (merging with an existing line), re-pricing it
    /// and reserving the extra units if the order holds stock.
    ///
    /// # Errors
    /// As [`Engine::create_order`]; `Refused` (`ItemsLocked`) once items are locked.
    pub fn add_item(
        &self,
        actor: &Actor,
        order: OrderId,
        sku: &str,
        quantity: i64,
    ) -> Result<Order> {
        actor.require(Operation::EditOrders)?;
        let sku = Sku::parse(sku)?;
        let quantity = sku.quantity(quantity)?;
        self.change_order(
            actor,
            order,
            Operation::EditOrders,
            AuditAction::ItemAdded,
            |unit, order| {
                let now = self.clock.now();
                let product = unit.product_by_sku(&sku)?;
                let customer = unit.customer(order.customer())?;
                let before = order.quantity_of(product.id());
                let merged = before.saturating_add(quantity);
                let price = product.unit_price(customer.price_group(), merged);
                let rate = unit
                    .pricing_settings()?
                    .tax_rates()
                    .rate(product.tax_category());
                let effects = order.add_item(&product, quantity, price, rate, now)?;
                self.apply_stock_effects(unit, order, effects)?;
                Ok((
                    vec![FieldChange::new(
                        &format!("quantity of {sku}"),
                        Some(before.to_string()),
                        Some(order.quantity_of(product.id()).to_string()),
                    )],
                    Vec::new(),
                ))
            },
        )
    }

    /// Sets the quantity of `sku` on an order, adjusting its reservation by the difference.
    ///
    /// # Errors
    /// As [`Engine::add_item`]; `NotFound` if the order has no such line.
    pub fn set_quantity(
        &self,
        actor: &Actor,
        order: OrderId,
        sku: &str,
        quantity: i64,
    ) -> Result<Order> {
        actor.require(Operation::EditOrders)?;
        let sku = Sku::parse(sku)?;
        let quantity = sku.quantity(quantity)?;
        self.change_order(
            actor,
            order,
            Operation::EditOrders,
            AuditAction::QuantityChanged,
            |unit, order| {
                let now = self.clock.now();
                let index = order.line_index(&sku)?;
                let product_id = order
                    .lines()
                    .get(index)
                    .map(|l| l.product)
                    .ok_or_else(|| Error::Internal("order line index out of range".into()))?;
                let product = unit.product(product_id)?;
                let customer = unit.customer(order.customer())?;
                let before = order.quantity_of(product_id);
                let price = product.unit_price(customer.price_group(), quantity);
                let effects = order.set_quantity(&sku, quantity, price, now)?;
                self.apply_stock_effects(unit, order, effects)?;
                Ok((
                    vec![FieldChange::new(
                        &format!("quantity of {sku}"),
                        Some(before.to_string()),
                        Some(quantity.to_string()),
                    )],
                    Vec::new(),
                ))
            },
        )
    }

    /// Removes `sku` from an order, releasing its reservation.
    ///
    /// # Errors
    /// `NotFound`; `Refused` once items are locked (`ItemsLocked`) or for the last item
    /// of a placed order (`LastItem`).
    pub fn remove_item(&self, actor: &Actor, order: OrderId, sku: &str) -> Result<Order> {
        actor.require(Operation::EditOrders)?;
        let sku = Sku::parse(sku)?;
        self.change_order(
            actor,
            order,
            Operation::EditOrders,
            AuditAction::ItemRemoved,
            |unit, order| {
                let now = self.clock.now();
                let index = order.line_index(&sku)?;
                let before = order.lines().get(index).map(|l| l.quantity).unwrap_or(0);
                let effects = order.remove_item(&sku, now)?;
                self.apply_stock_effects(unit, order, effects)?;
                Ok((
                    vec![FieldChange::new(
                        &format!("quantity of {sku}"),
                        Some(before.to_string()),
                        None,
                    )],
                    Vec::new(),
                ))
            },
        )
    }

    /// Changes an order's shipping address (until it ships).
    ///
    /// # Errors
    /// `Validation` for a bad address; `Refused` (`AddressLocked`) once shipped.
    pub fn set_address(
        &self,
        actor: &Actor,
        order: OrderId,
        address: &AddressInput,
    ) -> Result<Order> {
        actor.require(Operation::ChangeAddress)?;
        let address = Address::parse(address)?;
        self.change_order(
            actor,
            order,
            Operation::ChangeAddress,
            AuditAction::AddressChanged,
            |_, order| {
                let before = order.shipping_address().to_string();
                order.set_address(address.clone(), self.clock.now())?;
                Ok((
                    vec![FieldChange::new(
                        "shipping address",
                        Some(before),
                        Some(address.to_string()),
                    )],
                    Vec::new(),
                ))
            },
        )
    }

    /// Moves an order to `to` (not `Cancelled`: use [`Engine::cancel_order`]), with the
    /// stock effects of the move: reserve when placed, consume when shipped.
    ///
    /// # Errors
    /// `IllegalTransition` naming the allowed statuses; `InsufficientStock` when a draft is
    /// placed; `Refused` (`Backordered`) for backordered units on the way to picking; `Forbidden`.
    pub fn change_status(&self, actor: &Actor, order: OrderId, to: OrderStatus) -> Result<Order> {
        self.change_order(
            actor,
            order,
            status_operation(to)?,
            AuditAction::StatusChanged,
            |unit, order| {
                let from = order.status();
                self.step_status(unit, order, to)?;
                let mut changes = vec![FieldChange::new(
                    "status",
                    Some(from.to_string()),
                    Some(to.to_string()),
                )];
                let event = match (to, order.reference()) {
                    (OrderStatus::Placed, Some(reference)) => {
                        changes.push(FieldChange::new(
                            "reference",
                            None,
                            Some(reference.to_string()),
                        ));
                        DomainEvent::OrderPlaced {
                            order: order.id(),
                            reference: reference.clone(),
                            customer: order.customer(),
                            total: order.totals().total,
                        }
                    }
                    _ => DomainEvent::OrderStatusChanged {
                        order: order.id(),
                        customer: order.customer(),
                        from,
                        to,
                    },
                };
                Ok((changes, vec![event]))
            },
        )
    }

    /// Cancels an order with a reason, releasing its reservations. A paid order keeps a
    /// refund due, visible on the order. Money held by the manual gateway is voided in the
    /// same write set; money held through a gateway adapter stays a void due
    /// ([`Order::void_due`]) that the gateway worker releases at the gateway and records.
    ///
    /// # Errors
    /// `IllegalTransition` once packed; `Validation` for a missing reason.
    pub fn cancel_order(&self, actor: &Actor, order: OrderId, reason: &str) -> Result<Order> {
        actor.require(Operation::CancelOrders)?;
        let reason =
            validate::required_text("cancellation reason", reason, limits::MAX_NAME_CHARS)?;
        self.change_order(
            actor,
            order,
            Operation::CancelOrders,
            AuditAction::OrderCancelled,
            |unit, order| {
                let from = order.status();
                let effects =
                    order.change_status(OrderStatus::Cancelled, None, self.clock.now())?;
                self.apply_stock_effects(unit, order, effects)?;
                order.set_cancel_reason(reason.clone());
                let mut changes = vec![
                    FieldChange::new(
                        "status",
                        Some(from.to_string()),
                        Some(OrderStatus::Cancelled.to_string()),
                    ),
                    FieldChange::new("reason", None, Some(reason.clone())),
                ];
                changes.extend(self.void_on_cancel(order)?);
                Ok((
                    changes,
                    vec![DomainEvent::OrderCancelled {
                        order: order.id(),
                        customer: order.customer(),
                        refund_due: order.refund_due()?,
                    }],
                ))
            },
        )
    }

    /// Archives (soft-deletes) an order: hidden from default listings, never removed.
    ///
    /// # Errors
    /// `Refused` for orders that hold stock or are in flight (`OrderNotArchivable`), or
    /// already archived (`OrderArchived`).
    pub fn archive_order(&self, actor: &Actor, order: OrderId, reason: &str) -> Result<Order> {
        actor.require(Operation::ArchiveOrders)?;
        let reason = validate::required_text("archive reason", reason, limits::MAX_NAME_CHARS)?;
        self.change_order(
            actor,
            order,
            Operation::ArchiveOrders,
            AuditAction::OrderArchived,
            |_, order| {
                order.archive(reason.clone(), self.clock.now())?;
                Ok((
                    vec![FieldChange::new(
                        "archived",
                        Some("no".into()),
                        Some(format!("yes: {reason}")),
                    )],
                    Vec::new(),
                ))
            },
        )
    }

    /// Gives an order a percentage discount (replacing one with the same label), re-pricing
    /// it. Staff only: customers never name a percentage.
    ///
    /// # Errors
    /// `Validation` for a bad label or percentage; `Refused` (`ItemsLocked`) once the order's items are locked;
    /// `Forbidden`; `NotFound`.
    pub fn apply_discount(
        &self,
        actor: &Actor,
        order: OrderId,
        label: &str,
        percent: Decimal,
    ) -> Result<Order> {
        actor.require(Operation::ApplyDiscounts)?;
        let discount = Discount::new(label, percent)?;
        self.change_order(
            actor,
            order,
            Operation::ApplyDiscounts,
            AuditAction::DiscountApplied,
            |_, order| {
                let before = order.totals().total;
                order.apply_discount(discount.clone(), self.clock.now())?;
                Ok((
                    vec![
                        FieldChange::new(
                            "discount",
                            None,
                            Some(format!("{} {}%", discount.label(), discount.percent())),
                        ),
                        FieldChange::new(
                            "total",
                            Some(before.to_string()),
                            Some(order.totals().total.to_string()),
                        ),
                    ],
                    Vec::new(),
                ))
            },
        )
    }

    /// Restores an archived order.
    ///
    /// # Errors
    /// `Refused` (`OrderNotArchived`) if it is not archived.
    pub fn restore_order(&self, actor: &Actor, order: OrderId) -> Result<Order> {
        self.change_order(
            actor,
            order,
            Operation::ArchiveOrders,
            AuditAction::OrderRestored,
            |_, order| {
                order.restore(self.clock.now())?;
                Ok((
                    vec![FieldChange::new(
                        "archived",
                        Some("yes".into()),
                        Some("no".into()),
                    )],
                    Vec::new(),
                ))
            },
        )
    }
}

/// The operation that moving an order to `to` needs.
///
/// # Errors
/// `CancelWithReason` for `Cancelled`: cancelling has its own command, which records a
/// reason.
pub(super) fn status_operation(to: OrderStatus) -> Result<Operation> {
    match to {
        OrderStatus::Draft | OrderStatus::Placed => Ok(Operation::PlaceOrders),
        OrderStatus::Confirmed => Ok(Operation::ConfirmOrders),
        OrderStatus::Picking
        | OrderStatus::Packed
        | OrderStatus::Shipped
        | OrderStatus::Delivered => Ok(Operation::Fulfil),
        OrderStatus::Cancelled => Err(Refusal::CancelWithReason.into()),
        OrderStatus::PartiallyShipped => Err(Refusal::ShipmentRequired.into()),
    }
}
