//! Invoices and the warehouse's pick list.
//!
//! **Gap-free numbers.** An invoice is stored under its number, and the numbers issued
//! are always exactly `1..=N`: the next number is found inside the unit of work as the
//! last issued + 1 (a galloping then binary search over `get`, valid because the numbers
//! present are always a prefix `1..=N`) and written as an *insert* (expected version:
//! absent). Two concurrent issues that both pick `N + 1` cannot both commit: the second
//! gets `Conflict` and runs again, picking `N + 2`. A write that fails leaves nothing, so
//! nothing is skipped; a retry takes the same next number. One invoice per order is kept
//! by the unique index `InvoiceByOrder`, checked by the store at apply.
//!
//! **The pick list** is the warehouse's work: every order accepted by staff and not yet
//! packed (`Confirmed` or `Picking` in THE transition table: confirmed is the first status
//! where stock is committed by staff, packing ends picking), the units of its lines
//! reserved in that warehouse, aggregated per product and sorted by SKU for walking the
//! shelves (products have no shelf location; SKUs group a shop's products by family).

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation};
use crate::catalog::Sku;
use crate::error::{Error, Result};
use crate::ids::{OrderId, OrderReference, ProductId};
use crate::inventory::WarehouseCode;
use crate::invoice::Invoice;
use crate::order::{Order, OrderStatus};
use crate::store::{IndexName, IndexRange, Record, RecordKey, Store, StoreError, keys};

use super::Engine;

/// Most orders one pick list covers; past it the list says it was cut
/// ([`PickList::truncated`]).
pub const MAX_PICK_ORDERS: usize = 2000;

/// The statuses whose orders are ready to pick: accepted by staff and not yet packed.
pub const PICK_STATUSES: [OrderStatus; 2] = [OrderStatus::Confirmed, OrderStatus::Picking];

/// One product to pick: how many units and for which orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickRow {
    /// The product.
    pub product: ProductId,
    /// Its SKU (the list's sort key).
    pub sku: Sku,
    /// Its name on the (first) order.
    pub name: String,
    /// Units to pick, over every order.
    pub quantity: u64,
    /// The orders (reference and units), in the order they were placed.
    pub orders: Vec<(OrderReference, u32)>,
}

/// What one warehouse has to pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickList {
    /// The warehouse.
    pub warehouse: WarehouseCode,
    /// Products to pick, sorted by SKU.
    pub rows: Vec<PickRow>,
    /// How many orders have units to pick there.
    pub orders: usize,
    /// Whether more than [`MAX_PICK_ORDERS`] orders were ready (the list covers the oldest).
    pub truncated: bool,
}

/// Whether invoice `number` exists.
fn invoice_exists<S: Store>(store: &S, number: u64) -> Result<bool> {
    Ok(store.get(&RecordKey::Invoice(number))?.is_some())
}

/// The last invoice number issued (0 if none): the numbers present are `1..=N`, so the
/// largest `n` with `n` present is found by doubling, then bisecting (≤ 128 reads).
fn last_invoice_number<S: Store>(store: &S) -> Result<u64> {
    if !invoice_exists(store, 1)? {
        return Ok(0);
    }
    // Invariant: `low` exists; `high` does not (or is past every u64).
    let mut low: u64 = 1;
    let mut high: Option<u64> = None;
    for _ in 0..64 {
        let probe = low.saturating_mul(2);
        if probe == low || !invoice_exists(store, probe)? {
            high = Some(probe);
            break;
        }
        low = probe;
    }
    let mut high = high.unwrap_or(u64::MAX);
    for _ in 0..64 {
        if high - low <= 1 {
            break;
        }
        let middle = low + (high - low) / 2;
        if invoice_exists(store, middle)? {
            low = middle;
        } else {
            high = middle;
        }
    }
    Ok(low)
}

impl<S: Store> Engine<S> {
    /// Issues the invoice of an order: its figures frozen now under the next number of the
    /// gap-free sequence. An order has one invoice: a second call returns the first,
    /// unchanged (and writes nothing).
    ///
    /// # Errors
    /// `Forbidden` without `IssueInvoices`; `NotFound` for the order; `Refused`
    /// (`NotInvoiceable`) for a draft or cancelled order; `Storage`.
    pub fn issue_invoice(&self, actor: &Actor, id: OrderId) -> Result<Invoice> {
        actor.require(Operation::IssueInvoices)?;
        self.transact(|unit| {
            let order = unit.order(id)?;
            self.check_owner(actor, &order)?;
            if let Some(number) =
                unit.index_id(IndexName::InvoiceByOrder, &keys::invoice_order_key(id))?
            {
                return self.load_invoice(number);
            }
            let number = last_invoice_number(unit.store())?
                .checked_add(1)
                .ok_or_else(|| Error::Internal("invoice numbers exhausted".into()))?;
            let now = self.clock.now();
            let seller = unit.pricing_settings()?.seller().clone();
            let invoice = Invoice::issue(number, &order, &seller, now)?;
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action: AuditAction::InvoiceIssued,
                // Not the order's subject: the order did not change (its history has one
                // entry per version); the invoice and the customer's trail show it.
                subjects: vec![
                    Subject::Invoice(number),
                    Subject::Customer(order.customer()),
                ],
                changes: vec![
                    FieldChange::new("invoice", None, Some(number.to_string())),
                    FieldChange::new("order", None, Some(invoice.reference().to_string())),
                    FieldChange::new("total", None, Some(invoice.totals().total.to_string())),
                ],
            });
            unit.reindex(&[], &keys::invoice_entries(&invoice));
            // Never loaded, so put as an insert: expected absent.
            unit.put(Record::Invoice(invoice.clone()));
            Ok(invoice)
        })
    }

    /// The invoice of an order, if one was issued. Customers read their own orders' only:
    /// another's reads as a missing order.
    ///
    /// # Errors
    /// `Forbidden` without `ReadOrders`; `NotFound` for the order (another customer's
    /// alike); `Storage`.
    pub fn order_invoice(&self, actor: &Actor, id: OrderId) -> Result<Option<Invoice>> {
        let order = self.get_order(actor, id)?;
        match self.store.index_get(
            IndexName::InvoiceByOrder,
            &keys::invoice_order_key(order.value.id()),
        )? {
            Some(number) => self.load_invoice(number).map(Some),
            None => Ok(None),
        }
    }

    /// What `warehouse` has to pick: the units reserved there for every order ready to
    /// pick (see the module), per product, sorted by SKU.
    ///
    /// # Errors
    /// `Forbidden` without `Fulfil`; `Storage`.
    pub fn pick_list(&self, actor: &Actor, warehouse: &WarehouseCode) -> Result<PickList> {
        actor.require(Operation::Fulfil)?;
        let mut rows: BTreeMap<Sku, PickRow> = BTreeMap::new();
        let mut orders = 0;
        let mut seen = 0;
        let mut truncated = false;
        for status in PICK_STATUSES {
            let prefix = keys::order_status_prefix(status);
            let range = IndexRange {
                start: Bound::Included(prefix.clone()),
                end: keys::prefix_end(&prefix).map_or(Bound::Unbounded, Bound::Excluded),
                reverse: false,
            };
            let left = MAX_PICK_ORDERS - seen;
            let ids = self
                .store
                .index_scan(IndexName::OrderByStatus, &range, left + 1)?;
            if ids.len() > left {
                truncated = true;
            }
            for (_, id) in ids.into_iter().take(left) {
                seen += 1;
                let Some(order) = self.load_order_record(OrderId(id))? else {
                    continue;
                };
                if add_to_pick_list(&mut rows, &order, warehouse) {
                    orders += 1;
                }
            }
        }
        Ok(PickList {
            warehouse: warehouse.clone(),
            rows: rows.into_values().collect(),
            orders,
            truncated,
        })
    }

    fn load_order_record(&self, id: OrderId) -> Result<Option<Order>> {
        match self.store.get(&RecordKey::Order(id))? {
            Some(found) => match found.value {
                Record::Order(order) => Ok(Some(*order)),
                _ => Err(StoreError::Corrupted {
                    key: RecordKey::Order(id).to_string(),
                    reason: "expected an order record".into(),
                }
                .into()),
            },
            None => Ok(None),
        }
    }

    fn load_invoice(&self, number: u64) -> Result<Invoice> {
        let key = RecordKey::Invoice(number);
        match self.store.get(&key)? {
            Some(found) => match found.value {
                Record::Invoice(invoice) => Ok(invoice),
                _ => Err(StoreError::Corrupted {
                    key: key.to_string(),
                    reason: "expected an invoice record".into(),
                }
                .into()),
            },
            // The index names an invoice that is not there: the store is damaged.
            None => Err(Error::Internal(format!(
                "invoice {number} is indexed but missing"
            ))),
        }
    }
}

/// Adds the units `order` has reserved in `warehouse` to `rows`; whether it had any.
/// A status the index gave that is no longer ready to pick (the index was read before
/// the order moved) adds nothing.
fn add_to_pick_list(
    rows: &mut BTreeMap<Sku, PickRow>,
    order: &Order,
    warehouse: &WarehouseCode,
) -> bool {
    let Some(reference) = order.reference() else {
        return false;
    };
    if !PICK_STATUSES.contains(&order.status()) || order.archived().is_some() {
        return false;
    }
    let mut any = false;
    for line in order.lines() {
        if line.warehouse.as_ref() != Some(warehouse) || line.reserved == 0 {
            continue;
        }
        any = true;
        let row = rows.entry(line.sku.clone()).or_insert_with(|| PickRow {
            product: line.product,
            sku: line.sku.clone(),
            name: line.name.clone(),
            quantity: 0,
            orders: Vec::new(),
        });
        row.quantity += u64::from(line.reserved);
        row.orders.push((reference.clone(), line.reserved));
    }
    any
}
