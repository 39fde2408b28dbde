//! Returns and exchanges: open, approve or refuse, receive (restock or write off each
//! unit), refund through the order's ledger, or exchange for a replacement; read and list.
//!
//! The rules are `crate::returns`' (what may come back, what may be refunded, the
//! lifecycle); this module loads the order, its shipments and its other returns, checks
//! the actor, and writes each change as one write set: the return and its index entries,
//! the stock records it restocks or takes a replacement from, the order when its ledger
//! gets the refund, exactly one audit entry (subjects: the return, its customer, and its
//! order when the order changed) and the customer's notification (approved, refunded,
//! replacement sent).
//!
//! Who: customer service and admin work returns (`ManageReturns`); the warehouse receives
//! them too (`ReceiveReturns`). A customer may open a return of their own delivered units
//! (`OpenOwnReturns`; staff still approve it) and reads their own returns; another
//! customer's return reads byte-for-byte like one that does not exist.

use std::ops::Bound;

use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation, Role};
use crate::catalog::Sku;
use crate::error::Refusal;
use crate::error::{EntityKind, Error, Result};
use crate::ids::ShipmentId;
use crate::ids::{CustomerId, OrderId, ReturnId};
use crate::inventory::WarehouseCode;
use crate::money::Money;
use crate::outbox::DomainEvent;
use crate::payment::{LedgerOperation, PaymentMethod};
use crate::returns::{
    Inspection, MAX_RETURNS_PER_ORDER, Replacement, ReplacementParcel, Return, ReturnRequestLine,
    ReturnStatus,
};
use crate::shipment::{CarrierName, Shipment, ShipmentDraft, ShipmentLine, TrackingNumber};
use crate::store::{
    IndexName, IndexRange, Record, RecordKey, RecordKind, Store, StoreError, Versioned, keys,
};
use crate::validate::{self, limits};

use super::Engine;
use super::payments::LedgerCommand;
use super::queries::{MAX_PAGE, Page, hide_not_found};
use super::shipments::{MAX_SHIPMENTS_PER_ORDER, parcel_weight};
use super::unit::Unit;

/// Filters for [`Engine::list_returns`]; all optional, combined with AND. Returns come in
/// opening (id) order, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnFilter {
    /// Only returns in this status.
    pub status: Option<ReturnStatus>,
    /// Only returns of this order.
    pub order: Option<OrderId>,
    /// Only this customer's returns (a customer always sees only their own).
    pub customer: Option<CustomerId>,
    /// Page size (1..=500; 0 means 50).
    pub limit: usize,
    /// Continue after this cursor (the `next_cursor` of a previous page).
    pub cursor: Option<String>,
}

impl ReturnFilter {
    fn matches(&self, ret: &Return) -> bool {
        self.status.is_none_or(|s| ret.status() == s)
            && self.order.is_none_or(|o| ret.order() == o)
            && self.customer.is_none_or(|c| ret.customer() == c)
    }
}

/// A refund of a received return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRefund {
    /// Amount; `None` refunds what was paid for the units, capped by what the ledger can
    /// still refund.
    pub amount: Option<Money>,
    /// How the money goes back; the order's payment method if `None`.
    pub method: Option<PaymentMethod>,
    /// Bank or gateway reference (may be empty).
    pub external_reference: String,
}

/// An exchange of a received return: replacement units, taken from stock and shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRequest {
    /// Units per SKU (any product of the catalog).
    pub lines: Vec<(Sku, u32)>,
    /// The warehouse to take them from; the one with the most available units if `None`.
    pub warehouse: Option<WarehouseCode>,
    /// Who carries the replacement.
    pub carrier: CarrierName,
    /// The carrier's tracking number.
    pub tracking: TrackingNumber,
}

/// What happens to some received units: `(SKU, units, restocked into a warehouse or
/// written off with a reason)`.
pub type InspectionLine = (Sku, u32, Inspection);

fn unknown(id: ReturnId) -> Error {
    Error::not_found(EntityKind::Return, id)
}

/// A customer acts only on their own returns (others are `NotFound`).
fn check_return_owner(actor: &Actor, ret: &Return) -> Result<()> {
    match actor.customer_id() {
        Some(me) if me != ret.customer() => Err(unknown(ret.id())),
        Some(_) | None => Ok(()),
    }
}

fn return_in<S: Store>(unit: &mut Unit<'_, S>, id: ReturnId) -> Result<Return> {
    unit.optional(RecordKey::Return(id), "return", |r| match r {
        Record::Return(r) => Some(r),
        _ => None,
    })?
    .ok_or_else(|| unknown(id))
}

/// `TEE ×2, MUG ×1`.
fn lines_summary(ret: &Return) -> String {
    ret.lines()
        .iter()
        .map(|l| format!("{} ×{}", l.sku, l.quantity))
        .collect::<Vec<_>>()
        .join(", ")
}

fn status_change(from: ReturnStatus, to: ReturnStatus) -> FieldChange {
    FieldChange::new("status", Some(from.to_string()), Some(to.to_string()))
}

impl<S: Store> Engine<S> {
    /// Opens a return of delivered units of an order (units per SKU, each with a reason).
    ///
    /// # Errors
    /// `Forbidden` without `ManageReturns` (customers: `OpenOwnReturns`); `NotFound` for
    /// the order (another customer's alike) or a SKU not on it; `Refused`:
    /// `NotReturnable`, `ReturnsMoreThanDelivered`, `OrderArchived`; `Validation` for bad
    /// lines; `Storage`.
    pub fn open_return(
        &self,
        actor: &Actor,
        order: OrderId,
        lines: &[ReturnRequestLine],
    ) -> Result<Return> {
        match actor.role() {
            Role::Customer => actor.require(Operation::OpenOwnReturns)?,
            Role::Admin
            | Role::OrderProcessor
            | Role::CustomerService
            | Role::Sales
            | Role::Warehouse
            | Role::Analyst
            | Role::Guest => actor.require(Operation::ManageReturns)?,
        }
        self.transact(|unit| {
            let order = unit.order(order)?;
            self.check_owner(actor, &order)?;
            let shipments = self.shipments_in_unit(unit, order.id())?;
            let others = self.returns_in_unit(unit, order.id())?;
            let now = self.clock.now();
            let id = ReturnId(unit.store().next_id()?);
            let ret = Return::open(id, &order, &shipments, &others, lines, now)?;
            unit.reindex(&[], &keys::return_entries(&ret));
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action: AuditAction::ReturnOpened,
                subjects: vec![Subject::Return(id), Subject::Customer(ret.customer())],
                changes: vec![
                    FieldChange::new("order", None, Some(order.id().to_string())),
                    FieldChange::new("lines", None, Some(lines_summary(&ret))),
                    FieldChange::new("refund limit", None, Some(ret.refund_limit().to_string())),
                ],
            });
            unit.put(Record::Return(ret.clone()));
            Ok(ret)
        })
    }

    /// Approves a requested return: the customer hears they may send the units.
    ///
    /// # Errors
    /// `Forbidden` without `ManageReturns`; `NotFound`; `Refused`
    /// (`IllegalReturnTransition`); `Storage`.
    pub fn approve_return(&self, actor: &Actor, id: ReturnId) -> Result<Return> {
        actor.require(Operation::ManageReturns)?;
        self.change_return(actor, id, AuditAction::ReturnApproved, |_, ret| {
            let from = ret.status();
            ret.approve(self.clock.now())?;
            let event = DomainEvent::ReturnApproved {
                order: ret.order(),
                customer: ret.customer(),
                return_id: ret.id(),
            };
            Ok((vec![status_change(from, ret.status())], vec![event], false))
        })
    }

    /// Refuses a requested return, saying why; its units may be asked back again.
    ///
    /// # Errors
    /// `Forbidden` without `ManageReturns`; `NotFound`; `Validation` for a missing
    /// reason; `Refused` (`IllegalReturnTransition`); `Storage`.
    pub fn refuse_return(&self, actor: &Actor, id: ReturnId, reason: &str) -> Result<Return> {
        actor.require(Operation::ManageReturns)?;
        self.change_return(actor, id, AuditAction::ReturnRefused, |_, ret| {
            let from = ret.status();
            ret.refuse(reason, self.clock.now())?;
            Ok((
                vec![
                    status_change(from, ret.status()),
                    FieldChange::new(
                        "reason",
                        None,
                        ret.refusal_reason().map(ToString::to_string),
                    ),
                ],
                Vec::new(),
                false,
            ))
        })
    }

    /// Receives an approved return: every unit is inspected once; resellable units are
    /// restocked into the warehouse named for them (in the same write set), damaged ones
    /// are written off with a reason (counted on the return, not restocked).
    ///
    /// # Errors
    /// `Forbidden` without `ReceiveReturns`; `NotFound`; `Validation` for units not
    /// inspected, inspected twice or not on the return, or a missing write-off reason;
    /// `Refused` (`IllegalReturnTransition`); `Storage`.
    pub fn receive_return(
        &self,
        actor: &Actor,
        id: ReturnId,
        inspections: &[InspectionLine],
    ) -> Result<Return> {
        actor.require(Operation::ReceiveReturns)?;
        self.change_return(actor, id, AuditAction::ReturnReceived, |unit, ret| {
            let from = ret.status();
            ret.receive(inspections, self.clock.now())?;
            let mut changes = vec![status_change(from, ret.status())];
            for inspected in ret.inspections() {
                let what = match &inspected.outcome {
                    Inspection::Restocked { warehouse } => {
                        unit.stock_mut(inspected.product)?
                            .restock(warehouse, u64::from(inspected.quantity))?;
                        format!(
                            "{} ×{} restocked in {warehouse}",
                            inspected.sku, inspected.quantity
                        )
                    }
                    Inspection::WrittenOff { reason } => format!(
                        "{} ×{} written off: {reason}",
                        inspected.sku, inspected.quantity
                    ),
                };
                changes.push(FieldChange::new("inspection", None, Some(what)));
            }
            Ok((changes, Vec::new(), false))
        })
    }

    /// Refunds a received return through its order's ledger (the manual gateway): at most
    /// what was paid for its units, and at most what the ledger can still refund
    /// (`LedgerSums::check`). The ledger entry, the return and the audit entry are one
    /// write set; the customer hears of the refund once.
    ///
    /// # Errors
    /// `Forbidden` without `ManageReturns`; `NotFound`; `Refused`
    /// (`IllegalReturnTransition`, `RefundExceedsReturn`, `RefundExceedsPaid`);
    /// `Validation`/`CurrencyMismatch` for a bad amount; `Storage`.
    pub fn refund_return(
        &self,
        actor: &Actor,
        id: ReturnId,
        request: &ReturnRefund,
    ) -> Result<Return> {
        actor.require(Operation::ManageReturns)?;
        let external_reference =
            validate::optional_text("external reference", &request.external_reference, 120)?;
        self.change_return(actor, id, AuditAction::ReturnRefunded, |unit, ret| {
            let mut order = unit.order(ret.order())?;
            let before = keys::order_entries(&order);
            let amount = match request.amount {
                Some(amount) => amount,
                None => {
                    let refundable = order.ledger_sums()?.refundable()?;
                    if refundable < ret.refund_limit() {
                        refundable
                    } else {
                        ret.refund_limit()
                    }
                }
            };
            let from = ret.status();
            // The return's rule first (what was paid for these units), then the ledger's
            // (what can still be refunded), so a caller sees the closer limit.
            ret.refund(amount, self.clock.now())?;
            let command = LedgerCommand {
                operation: LedgerOperation::Refund(amount),
                method: Some(request.method.unwrap_or(order.payment_method())),
                external_reference: external_reference.clone(),
                key: None,
            };
            // The ledger's own event (a refund) is replaced by the return's, so the
            // customer hears once.
            let (mut changes, _) = self.push_checked(&mut order, &command)?;
            changes.insert(0, status_change(from, ret.status()));
            unit.reindex(&before, &keys::order_entries(&order));
            unit.put(Record::Order(Box::new(order)));
            let event = DomainEvent::ReturnRefunded {
                order: ret.order(),
                customer: ret.customer(),
                return_id: ret.id(),
                amount,
            };
            Ok((changes, vec![event], true))
        })
    }

    /// Exchanges a received return: replacement units (worth, at the customer's prices
    /// with tax, no more than was paid for the returned units) are reserved against stock
    /// and shipped at once as a shipment of the order that carries the return's
    /// replacement (the carrier and tracking number given, the order's shipping method,
    /// the products' weight), so the courier webhook tracks it like any parcel; the
    /// customer hears the tracking number. The order's lines do not count it.
    ///
    /// # Errors
    /// `Forbidden` without `ManageReturns`; `NotFound` for the return or a SKU;
    /// `InsufficientStock`; `Refused` (`IllegalReturnTransition`, `ExchangeExceedsReturn`,
    /// `ProductNotForSale`, `TrackingNumberInUse`); `Validation` for bad lines or an order
    /// with the most shipments it may have; `Storage`.
    pub fn exchange_return(
        &self,
        actor: &Actor,
        id: ReturnId,
        request: &ExchangeRequest,
    ) -> Result<Return> {
        actor.require(Operation::ManageReturns)?;
        if request.lines.is_empty() || request.lines.len() > limits::MAX_LINES_PER_ORDER {
            return Err(Error::invalid(
                "lines",
                format!(
                    "an exchange sends 1 to {} lines",
                    limits::MAX_LINES_PER_ORDER
                ),
            ));
        }
        self.change_return(actor, id, AuditAction::ReturnExchanged, |unit, ret| {
            let customer = unit.customer(ret.customer())?;
            let prices = unit.pricing_settings()?;
            let now = self.clock.now();
            let mut replacements = Vec::with_capacity(request.lines.len());
            for (i, (sku, quantity)) in request.lines.iter().enumerate() {
                if request.lines.iter().skip(i + 1).any(|(s, _)| s == sku) {
                    return Err(Error::invalid("lines", "name each SKU once"));
                }
                let quantity = sku.quantity(i64::from(*quantity))?;
                let product = unit.product_by_sku(sku)?;
                if !product.is_active() {
                    return Err(crate::error::Refusal::ProductNotForSale {
                        sku: sku.to_string(),
                    }
                    .into());
                }
                let net = product
                    .unit_price(customer.price_group(), quantity)
                    .times(quantity)?;
                let tax = net.scale_by(prices.tax_rates().rate(product.tax_category()))?;
                let value = net.add(&tax)?;
                let stock = unit.stock_mut(product.id())?;
                let warehouse = request
                    .warehouse
                    .clone()
                    .or_else(|| stock.best_warehouse().cloned())
                    .unwrap_or_else(|| self.config.default_warehouse.clone());
                // Reserved and shipped in one step: the replacement leaves now.
                stock.reserve(&warehouse, u64::from(quantity), sku.as_str())?;
                stock.consume(&warehouse, u64::from(quantity))?;
                replacements.push(Replacement {
                    product: product.id(),
                    sku: product.sku().clone(),
                    name: product.name().to_string(),
                    quantity,
                    warehouse,
                    value,
                });
            }
            let parcel = ReplacementParcel {
                carrier: request.carrier.clone(),
                tracking: request.tracking.clone(),
                shipped_at: now,
            };
            let from = ret.status();
            ret.exchange(replacements, parcel, now)?;
            let shipment = self.replacement_shipment(unit, ret, request)?;
            let mut changes = vec![status_change(from, ret.status())];
            for r in ret.replacements() {
                changes.push(FieldChange::new(
                    "replacement",
                    None,
                    Some(format!(
                        "{} ×{} from {} ({})",
                        r.sku, r.quantity, r.warehouse, r.value
                    )),
                ));
            }
            changes.push(FieldChange::new(
                "shipment",
                None,
                Some(format!(
                    "#{} {} {}",
                    shipment.number(),
                    request.carrier,
                    request.tracking
                )),
            ));
            if let Some(weight) = shipment.weight() {
                changes.push(FieldChange::new("weight", None, Some(weight.to_string())));
            }
            let event = DomainEvent::ReturnExchanged {
                order: ret.order(),
                customer: ret.customer(),
                return_id: ret.id(),
                carrier: request.carrier.to_string(),
                tracking: request.tracking.to_string(),
            };
            Ok((changes, vec![event], false))
        })
    }

    /// Writes the shipment that carries an exchanged return's replacement units (the next
    /// number among its order's shipments), with its index entries.
    fn replacement_shipment(
        &self,
        unit: &mut Unit<'_, S>,
        ret: &Return,
        request: &ExchangeRequest,
    ) -> Result<Shipment> {
        let tracking_key = keys::shipment_tracking_key(&request.carrier, &request.tracking);
        if unit
            .index_id(IndexName::ShipmentByTracking, &tracking_key)?
            .is_some()
        {
            return Err(Refusal::TrackingNumberInUse {
                carrier: request.carrier.to_string(),
                tracking: request.tracking.to_string(),
            }
            .into());
        }
        let shipped = self.shipments_in_unit(unit, ret.order())?.len();
        if shipped >= MAX_SHIPMENTS_PER_ORDER {
            return Err(Error::invalid(
                "lines",
                format!("an order ships in at most {MAX_SHIPMENTS_PER_ORDER} parcels"),
            ));
        }
        let order = unit.order(ret.order())?;
        let lines: Vec<ShipmentLine> = ret
            .replacements()
            .iter()
            .map(|r| ShipmentLine {
                product: r.product,
                sku: r.sku.clone(),
                name: r.name.clone(),
                quantity: r.quantity,
            })
            .collect();
        let weight = parcel_weight(unit, &lines)?;
        let draft = ShipmentDraft {
            order: order.id(),
            number: u32::try_from(shipped + 1).unwrap_or(u32::MAX),
            lines,
            carrier: request.carrier.clone(),
            method: order.shipping_method(),
            tracking: request.tracking.clone(),
            weight,
            for_return: Some(ret.id()),
        };
        let shipment = Shipment::new(ShipmentId(unit.store().next_id()?), draft, ret.updated_at())?;
        unit.reindex(&[], &keys::shipment_entries(&shipment));
        unit.put(Record::Shipment(shipment.clone()));
        Ok(shipment)
    }

    /// A return; a customer reads only their own (another's is `NotFound`, worded as for
    /// a return that does not exist).
    ///
    /// # Errors
    /// `Forbidden` without `ReadReturns`; `NotFound`; `Storage`.
    pub fn get_return(&self, actor: &Actor, id: ReturnId) -> Result<Return> {
        actor.require(Operation::ReadReturns)?;
        let ret = match self.store.get(&RecordKey::Return(id))? {
            Some(Versioned {
                value: Record::Return(r),
                ..
            }) => r,
            Some(_) => {
                return Err(StoreError::Corrupted {
                    key: RecordKey::Return(id).to_string(),
                    reason: "expected a return record".into(),
                }
                .into());
            }
            None => return Err(unknown(id)),
        };
        check_return_owner(actor, &ret).map_err(|e| hide_not_found(e, || unknown(id)))?;
        Ok(ret)
    }

    /// Returns matching `filter` in opening order, one page at a time; a customer sees
    /// only their own (asking for another customer's gives an empty page).
    ///
    /// # Errors
    /// `Forbidden`; `Validation` for a bad limit or cursor; `Storage`.
    pub fn list_returns(&self, actor: &Actor, filter: &ReturnFilter) -> Result<Page<Return>> {
        actor.require(Operation::ReadReturns)?;
        let limit = match filter.limit {
            0 => 50,
            n if n > MAX_PAGE => {
                return Err(Error::invalid(
                    "limit",
                    format!("must be at most {MAX_PAGE}"),
                ));
            }
            n => n,
        };
        let after =
            match filter.cursor.as_deref() {
                Some(text) => Some(text.trim().parse::<u64>().map_err(|_| {
                    Error::invalid("cursor", "is not a cursor from a previous page")
                })?),
                None => None,
            };
        let mut filter = filter.clone();
        if let Some(me) = actor.customer_id() {
            if filter.customer.is_some_and(|c| c != me) {
                return Ok(Page::of(Vec::new()));
            }
            filter.customer = Some(me);
        }
        let source = if let Some(order) = filter.order {
            Some((IndexName::ReturnByOrder, keys::return_owner_prefix(order.0)))
        } else if let Some(customer) = filter.customer {
            Some((
                IndexName::ReturnByCustomer,
                keys::return_owner_prefix(customer.0),
            ))
        } else {
            filter
                .status
                .map(|s| (IndexName::ReturnByStatus, keys::return_status_prefix(s)))
        };
        match source {
            Some((index, prefix)) => self.walk_returns(index, &prefix, after, &filter, limit),
            None => self.list_records(
                RecordKind::Return,
                after.map(|a| RecordKey::Return(ReturnId(a))),
                limit,
                |record| match record {
                    Record::Return(r) => Some(r),
                    _ => None,
                },
            ),
        }
    }

    /// The returns of an order, loaded in the unit (so version-checked at apply). A
    /// return opened meanwhile is caught by its number: `ReturnByOrder` is unique on
    /// `order ‖ number`, so of two returns opened at once on one order only one gets the
    /// next number; the other's apply conflicts and it decides again, seeing the first.
    fn returns_in_unit(&self, unit: &mut Unit<'_, S>, order: OrderId) -> Result<Vec<Return>> {
        let prefix = keys::return_owner_prefix(order.0);
        let range = IndexRange {
            start: Bound::Included(prefix.clone()),
            end: keys::prefix_end(&prefix).map_or(Bound::Unbounded, Bound::Excluded),
            reverse: false,
        };
        unit.store()
            .index_scan(IndexName::ReturnByOrder, &range, MAX_RETURNS_PER_ORDER)?
            .into_iter()
            .map(|(_, id)| return_in(unit, ReturnId(id)))
            .collect()
    }

    /// Loads a return the actor may change, lets `change` change it (returning the
    /// audit's fields, the events, and whether the order changed), and writes it with its
    /// index changes and one audit entry.
    fn change_return(
        &self,
        actor: &Actor,
        id: ReturnId,
        action: AuditAction,
        change: impl Fn(
            &mut Unit<'_, S>,
            &mut Return,
        ) -> Result<(Vec<FieldChange>, Vec<DomainEvent>, bool)>,
    ) -> Result<Return> {
        self.transact(|unit| {
            let mut ret = return_in(unit, id)?;
            check_return_owner(actor, &ret).map_err(|e| hide_not_found(e, || unknown(id)))?;
            let before = keys::return_entries(&ret);
            let (changes, events, order_changed) = change(unit, &mut ret)?;
            ret.check_invariants();
            let now = ret.updated_at();
            let mut subjects = vec![Subject::Return(id)];
            if order_changed {
                subjects.push(Subject::Order(ret.order()));
            }
            subjects.push(Subject::Customer(ret.customer()));
            unit.reindex(&before, &keys::return_entries(&ret));
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action,
                subjects,
                changes,
            });
            for event in events {
                unit.event(now, event);
            }
            unit.put(Record::Return(ret.clone()));
            Ok(ret)
        })
    }

    /// Walks `prefix ‖ id` keys of `index` after return `after`, keeping the returns that
    /// match `filter`, up to `limit` entries (read or skipped) or the scan bound.
    fn walk_returns(
        &self,
        index: IndexName,
        prefix: &[u8],
        after: Option<u64>,
        filter: &ReturnFilter,
        limit: usize,
    ) -> Result<Page<Return>> {
        self.walk_index(
            (index, prefix),
            after,
            limit,
            |id| RecordKey::Return(ReturnId(id)),
            |record| match record {
                Record::Return(r) => Some(r),
                _ => None,
            },
            |r| filter.matches(r),
        )
    }
}
