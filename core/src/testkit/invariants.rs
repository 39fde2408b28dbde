//! Whole-store invariant checks, for property tests, the simulation and crash tests:
//! stock never oversold, reservations equal open order quantities, every order's totals
//! and allocation consistent, and indexes agreeing with primary records.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use crate::ids::{OrderId, ProductId};
use crate::inventory::{Stock, WarehouseCode};
use crate::order::Order;
use crate::returns::{Return, ReturnStatus, returnable_units};
use crate::shipment::Shipment;
use crate::store::{
    ALL_INDEXES, IndexName, IndexRange, Record, RecordKey, RecordKind, Store, keys,
};

/// Everything of two kinds, read page by page.
fn all_records(store: &dyn Store, kind: RecordKind) -> Result<Vec<Record>, String> {
    let mut out = Vec::new();
    let mut after: Option<RecordKey> = None;
    loop {
        let page = store
            .scan(kind, after.as_ref(), 1000)
            .map_err(|e| e.to_string())?;
        let done = page.len() < 1000;
        after = page.last().map(|v| v.value.key());
        out.extend(page.into_iter().map(|v| v.value));
        if done {
            return Ok(out);
        }
    }
}

/// All orders in the store.
///
/// # Errors
/// A description of a storage error.
pub fn all_orders(store: &dyn Store) -> Result<Vec<Order>, String> {
    Ok(all_records(store, RecordKind::Order)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Order(o) => Some(*o),
            _ => None,
        })
        .collect())
}

/// All stock records in the store.
///
/// # Errors
/// A description of a storage error.
pub fn all_stock(store: &dyn Store) -> Result<Vec<Stock>, String> {
    Ok(all_records(store, RecordKind::Stock)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Stock(s) => Some(s),
            _ => None,
        })
        .collect())
}

/// All shipments in the store.
///
/// # Errors
/// A description of a storage error.
pub fn all_shipments(store: &dyn Store) -> Result<Vec<Shipment>, String> {
    Ok(all_records(store, RecordKind::Shipment)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Shipment(s) => Some(s),
            _ => None,
        })
        .collect())
}

/// All returns in the store.
///
/// # Errors
/// A description of a storage error.
pub fn all_returns(store: &dyn Store) -> Result<Vec<Return>, String> {
    Ok(all_records(store, RecordKind::Return)?
        .into_iter()
        .filter_map(|r| match r {
            Record::Return(r) => Some(r),
            _ => None,
        })
        .collect())
}

/// Checks every invariant; returns the first violation found.
///
/// # Errors
/// A description of the violated invariant.
pub fn check_store(store: &dyn Store) -> Result<(), String> {
    let orders = all_orders(store)?;
    let stock = all_stock(store)?;
    check_orders(&orders)?;
    check_reservations(&orders, &stock)?;
    check_shipments(store, &orders)?;
    check_returns(store, &orders, &stock)?;
    check_order_indexes(store, &orders)?;
    check_report_counters(store)
}

/// The report counters equal the sum of every order's contribution: kept in the same write
/// set as each order change, they can be neither ahead of nor behind the orders.
fn check_report_counters(store: &dyn Store) -> Result<(), String> {
    let computed = crate::engine::computed_counters(store).map_err(|e| e.to_string())?;
    let kept: BTreeMap<Vec<u8>, rust_decimal::Decimal> = store
        .counters(&crate::store::IndexRange::prefix(&[], false), usize::MAX)
        .map_err(|e| e.to_string())?
        .into_iter()
        .collect();
    if computed != kept {
        let differing = computed
            .keys()
            .chain(kept.keys())
            .filter(|k| computed.get(*k) != kept.get(*k))
            .count();
        return Err(format!(
            "{differing} report counters differ from the orders ({} kept, {} computed)",
            kept.len(),
            computed.len()
        ));
    }
    Ok(())
}

/// Every unit of an order that ships in parcels is in exactly one parcel or still
/// reserved: per line, shipped (Σ of its shipments of order lines) + reserved = quantity;
/// a shipment belongs to an existing order and is found by its two index entries; a
/// parcel carrying a return's replacement belongs to an exchanged return of the same
/// order, carries exactly its replacement units under its tracking number, and is that
/// return's only one.
fn check_shipments(store: &dyn Store, orders: &[Order]) -> Result<(), String> {
    let shipments = all_shipments(store)?;
    let mut shipped: BTreeMap<(OrderId, ProductId), u64> = BTreeMap::new();
    let mut replaced: BTreeMap<crate::ids::ReturnId, u32> = BTreeMap::new();
    for shipment in &shipments {
        if let Some(for_return) = shipment.for_return() {
            check_replacement_parcel(store, shipment, for_return)?;
            *replaced.entry(for_return).or_default() += 1;
            if replaced.get(&for_return).is_some_and(|n| *n > 1) {
                return Err(format!("return {for_return} has two replacement parcels"));
            }
        }
        for entry in keys::shipment_entries(shipment) {
            let found = store
                .index_get(entry.index, &entry.key)
                .map_err(|e| e.to_string())?;
            if found != Some(entry.id) {
                return Err(format!(
                    "shipment {}: index {:?} gives {found:?}",
                    shipment.id(),
                    entry.index
                ));
            }
        }
        if !shipment.ships_order_lines() {
            continue;
        }
        for line in shipment.lines() {
            *shipped.entry((shipment.order(), line.product)).or_default() +=
                u64::from(line.quantity);
        }
    }
    for order in orders {
        if !shipments
            .iter()
            .any(|s| s.order() == order.id() && s.ships_order_lines())
        {
            continue;
        }
        for line in order.lines() {
            let units = shipped.remove(&(order.id(), line.product)).unwrap_or(0);
            if units + u64::from(line.reserved) != u64::from(line.quantity) {
                return Err(format!(
                    "order {} line {}: {units} shipped + {} reserved != {} ordered ({})",
                    order.id(),
                    line.sku,
                    line.reserved,
                    line.quantity,
                    order.status()
                ));
            }
        }
    }
    if let Some(((order, product), units)) = shipped.into_iter().find(|(_, u)| *u > 0) {
        return Err(format!(
            "{units} units of product {product} shipped for order {order}, which has no such line"
        ));
    }
    Ok(())
}

/// A replacement parcel: its return exists, is of the same order, is exchanged, and sent
/// exactly its replacement units with this carrier and tracking number.
fn check_replacement_parcel(
    store: &dyn Store,
    shipment: &Shipment,
    for_return: crate::ids::ReturnId,
) -> Result<(), String> {
    let ret = all_returns(store)?
        .into_iter()
        .find(|r| r.id() == for_return)
        .ok_or_else(|| {
            format!(
                "shipment {} carries the replacement of a missing return {for_return}",
                shipment.id()
            )
        })?;
    let units: Vec<(ProductId, u32)> = shipment
        .lines()
        .iter()
        .map(|l| (l.product, l.quantity))
        .collect();
    let replacements: Vec<(ProductId, u32)> = ret
        .replacements()
        .iter()
        .map(|r| (r.product, r.quantity))
        .collect();
    let parcel = ret
        .parcel()
        .map(|p| (p.carrier.clone(), p.tracking.clone()));
    if ret.order() != shipment.order()
        || ret.status() != ReturnStatus::Exchanged
        || units != replacements
        || parcel != Some((shipment.carrier().clone(), shipment.tracking().clone()))
    {
        return Err(format!(
            "shipment {} does not carry what {} return {for_return} of order {} sent",
            shipment.id(),
            ret.status(),
            ret.order()
        ));
    }
    Ok(())
}

/// Returns: each one's own invariants (every received unit inspected once: restocked +
/// written off = returned, so written-off units are known; a refund within its limit),
/// its index entries; per order and product, units in returns that are not refused never
/// above the units shipped and delivered; per order, refunds of returns within the
/// ledger's refunds (they are entries of it); per product, units restocked from returns
/// never above the units that ever shipped (they came back from the shelf's shipments).
fn check_returns(store: &dyn Store, orders: &[Order], stock: &[Stock]) -> Result<(), String> {
    let returns = all_returns(store)?;
    if returns.is_empty() {
        return Ok(());
    }
    let shipments = all_shipments(store)?;
    for ret in &returns {
        if let Some(v) = ret.invariant_violation() {
            return Err(format!("return {}: {v}", ret.id()));
        }
    }
    let mut restocked: BTreeMap<ProductId, u64> = BTreeMap::new();
    for inspected in returns.iter().flat_map(|r| r.inspections()) {
        if matches!(
            inspected.outcome,
            crate::returns::Inspection::Restocked { .. }
        ) {
            *restocked.entry(inspected.product).or_default() += u64::from(inspected.quantity);
        }
    }
    for (product, units) in restocked {
        let shipped: u64 = stock
            .iter()
            .filter(|s| s.product() == product)
            .flat_map(|s| s.levels())
            .map(|l| l.shipped())
            .sum();
        if units > shipped {
            return Err(format!(
                "{units} units of product {product} restocked from returns, {shipped} ever shipped"
            ));
        }
    }
    for order in orders {
        let of_order: Vec<Return> = returns
            .iter()
            .filter(|r| r.order() == order.id())
            .cloned()
            .collect();
        if of_order.is_empty() {
            continue;
        }
        let parcels: Vec<Shipment> = shipments
            .iter()
            .filter(|s| s.order() == order.id())
            .cloned()
            .collect();
        for units in returnable_units(order, &parcels, &of_order) {
            if units.returned > units.delivered {
                return Err(format!(
                    "order {}: {} units of product {} returned, {} delivered",
                    order.id(),
                    units.returned,
                    units.product,
                    units.delivered
                ));
            }
        }
        let mut refunded = crate::money::Money::zero(order.currency());
        for ret in of_order
            .iter()
            .filter(|r| r.status() == ReturnStatus::Refunded)
        {
            if let Some(amount) = ret.refunded() {
                refunded = refunded.add(&amount).map_err(|e| e.to_string())?;
            }
        }
        let ledger = order.ledger_sums().map_err(|e| e.to_string())?;
        if refunded > ledger.refunded {
            return Err(format!(
                "order {}: returns refunded {refunded}, the ledger {}",
                order.id(),
                ledger.refunded
            ));
        }
    }
    // Indexes last: a return written past the rules shows as the rule it breaks.
    for ret in &returns {
        for entry in keys::return_entries(ret) {
            let found = store
                .index_get(entry.index, &entry.key)
                .map_err(|e| e.to_string())?;
            if found != Some(entry.id) {
                return Err(format!(
                    "return {}: index {:?} gives {found:?}",
                    ret.id(),
                    entry.index
                ));
            }
        }
    }
    if let Some(orphan) = returns
        .iter()
        .find(|r| !orders.iter().any(|o| o.id() == r.order()))
    {
        return Err(format!(
            "return {} of a missing order {}",
            orphan.id(),
            orphan.order()
        ));
    }
    Ok(())
}

fn check_orders(orders: &[Order]) -> Result<(), String> {
    for order in orders {
        if let Some(v) = order.invariant_violation() {
            return Err(format!("order {}: {v}", order.id()));
        }
        if let Some(v) = order.settled_allocation_violation() {
            return Err(format!("order {}: {v}", order.id()));
        }
        let sums = order.ledger_sums().map_err(|e| e.to_string())?;
        if sums.refunded > sums.paid {
            return Err(format!(
                "order {}: refunded {} > paid {}",
                order.id(),
                sums.refunded,
                sums.paid
            ));
        }
        let settled = sums.captured.add(&sums.voided).map_err(|e| e.to_string())?;
        if settled > sums.authorized {
            return Err(format!(
                "order {}: captured {} + voided {} > authorized {}",
                order.id(),
                sums.captured,
                sums.voided,
                sums.authorized
            ));
        }
    }
    Ok(())
}

fn check_reservations(orders: &[Order], stock: &[Stock]) -> Result<(), String> {
    let mut expected: BTreeMap<(ProductId, WarehouseCode), u64> = BTreeMap::new();
    for order in orders.iter().filter(|o| o.status().holds_stock()) {
        for line in order.lines() {
            if let Some(w) = &line.warehouse {
                *expected.entry((line.product, w.clone())).or_default() += u64::from(line.reserved);
            }
        }
    }
    let mut actual: BTreeMap<(ProductId, WarehouseCode), u64> = BTreeMap::new();
    for s in stock {
        if let Some(v) = s.invariant_violation() {
            return Err(format!("stock of product {}: {v}", s.product()));
        }
        for level in s.levels() {
            if level.reserved() > 0 {
                actual.insert((s.product(), level.warehouse().clone()), level.reserved());
            }
        }
    }
    expected.retain(|_, v| *v > 0);
    if expected != actual {
        return Err(format!(
            "reserved stock {actual:?} != open order reservations {expected:?}"
        ));
    }
    Ok(())
}

fn check_order_indexes(store: &dyn Store, orders: &[Order]) -> Result<(), String> {
    let mut wanted: BTreeSet<(IndexName, Vec<u8>, u64)> = BTreeSet::new();
    for order in orders {
        for entry in keys::order_entries(order) {
            wanted.insert((entry.index, entry.key, entry.id));
        }
    }
    let order_indexes: Vec<IndexName> = ALL_INDEXES
        .iter()
        .copied()
        .filter(|i| {
            matches!(
                i,
                IndexName::OrderByReference
                    | IndexName::OrderByCustomer
                    | IndexName::OrderByCreated
                    | IndexName::OrderByStatus
            )
        })
        .collect();
    let mut found: BTreeSet<(IndexName, Vec<u8>, u64)> = BTreeSet::new();
    for index in order_indexes {
        let mut start = Bound::Unbounded;
        loop {
            let range = IndexRange {
                start: start.clone(),
                end: Bound::Unbounded,
                reverse: false,
            };
            let page = store
                .index_scan(index, &range, 1000)
                .map_err(|e| e.to_string())?;
            let done = page.len() < 1000;
            for (key, id) in page {
                start = Bound::Excluded(key.clone());
                found.insert((index, key, id));
            }
            if done {
                break;
            }
        }
    }
    if let Some(missing) = wanted.difference(&found).next() {
        return Err(format!(
            "index {:?} lacks an entry for order {}",
            missing.0,
            OrderId(missing.2)
        ));
    }
    if let Some(stray) = found.difference(&wanted).next() {
        return Err(format!(
            "index {:?} has a stray entry for order {}",
            stray.0,
            OrderId(stray.2)
        ));
    }
    Ok(())
}
