//! Report figures kept current as orders change: commutative counter deltas
//! ([`WriteSet::counters`]) written in the same write set as the order change.
//!
//! Every order *contributes* a set of counter values, a pure function of the order as it
//! stands ([`contribution`]). When a unit of work puts an order, the deltas are the new
//! contribution minus the one the order had when the unit loaded it ([`deltas`]), so
//! placing adds, cancelling subtracts, editing lines moves the difference, and a status
//! change that moves no figure (confirm, pick, pack) writes no counter at all. Summing
//! every order's contribution ([`rebuild_counters`]) therefore gives exactly the counters
//! kept incrementally — the check `ordo verify` can make, and how a store written before
//! counters existed gets them.
//!
//! The counters, all keyed by the UTC day (days since 1970-01-01, big-endian `u32`) of the
//! event they count, so a date range is one key range:
//!
//! | key | value |
//! |---|---|
//! | `S ‖ day placed ‖ currency ‖ 0` | orders placed (not cancelled) |
//! | `S ‖ day placed ‖ currency ‖ 1` | revenue: Σ order totals |
//! | `S ‖ day placed ‖ currency ‖ 2` | units ordered |
//! | `P ‖ day placed ‖ product ‖ currency ‖ 0` | units of the product |
//! | `P ‖ day placed ‖ product ‖ currency ‖ 1` | product revenue: Σ line total − line discount (before tax) |
//! | `C ‖ day placed ‖ customer ‖ currency ‖ 0` | orders of the customer |
//! | `C ‖ day placed ‖ customer ‖ currency ‖ 1` | revenue of the customer: Σ order totals |
//! | `X ‖ day cancelled ‖ currency ‖ 0` | orders cancelled after being placed |
//! | `H ‖ day reached ‖ stage ‖ bucket` | orders whose stage (0 placed → shipped, 1 shipped → delivered) ended that day and took a duration in that [`crate::report::SPEED_BUCKET_BOUNDS_MS`] bucket |
//!
//! A cancelled order contributes only its `X` counter: its sale is subtracted from the
//! day it was placed. Customer figures come from counters too: computing them from the
//! `OrderByCustomer` index would decode every order of the range (what reports must not
//! do). Speed is kept as histograms, so medians and p90 are exact to the bucket (reports
//! give the bucket's upper bound).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{CustomerId, ProductId};
use crate::money::Currency;
use crate::order::{Order, OrderStatus};
use crate::report::{day_of, speed_bucket};
use crate::store::{CounterDelta, IndexRange, Record, RecordKind, Store, WriteSet, keys};

/// Tag of the per-day sales counters.
pub(crate) const SALES: u8 = b'S';
/// Tag of the per-day × product counters.
pub(crate) const PRODUCT: u8 = b'P';
/// Tag of the per-day × customer counters.
pub(crate) const CUSTOMER: u8 = b'C';
/// Tag of the per-day cancellation counters.
pub(crate) const CANCELLED: u8 = b'X';
/// Tag of the speed histograms.
pub(crate) const SPEED: u8 = b'H';

/// `S` metric: orders.
pub(crate) const METRIC_ORDERS: u8 = 0;
/// `S`/`P`/`C` metric: revenue (`P`: units are metric 0).
pub(crate) const METRIC_REVENUE: u8 = 1;
/// `S` metric: units.
pub(crate) const METRIC_UNITS: u8 = 2;
/// `P` metric: units.
pub(crate) const METRIC_PRODUCT_UNITS: u8 = 0;

/// Speed stage: placed → shipped.
pub(crate) const STAGE_TO_SHIP: u8 = 0;
/// Speed stage: shipped → delivered.
pub(crate) const STAGE_TO_DELIVER: u8 = 1;

fn currency_bytes(currency: Currency) -> [u8; 3] {
    let mut bytes = [b'?'; 3];
    for (slot, byte) in bytes.iter_mut().zip(currency.code().bytes()) {
        *slot = byte;
    }
    bytes
}

/// `tag ‖ day`: the start of a day's counters of one kind.
pub(crate) fn day_prefix(tag: u8, day: u32) -> Vec<u8> {
    let mut key = Vec::with_capacity(24);
    key.push(tag);
    key.extend_from_slice(&day.to_be_bytes());
    key
}

/// `S ‖ day ‖ currency ‖ metric`.
pub(crate) fn sales_key(day: u32, currency: Currency, metric: u8) -> Vec<u8> {
    let mut key = day_prefix(SALES, day);
    key.extend_from_slice(&currency_bytes(currency));
    key.push(metric);
    key
}

/// `P ‖ day ‖ product ‖ currency ‖ metric`.
pub(crate) fn product_key(day: u32, product: ProductId, currency: Currency, metric: u8) -> Vec<u8> {
    let mut key = day_prefix(PRODUCT, day);
    key.extend_from_slice(&product.0.to_be_bytes());
    key.extend_from_slice(&currency_bytes(currency));
    key.push(metric);
    key
}

/// `C ‖ day ‖ customer ‖ currency ‖ metric`.
pub(crate) fn customer_key(
    day: u32,
    customer: CustomerId,
    currency: Currency,
    metric: u8,
) -> Vec<u8> {
    let mut key = day_prefix(CUSTOMER, day);
    key.extend_from_slice(&customer.0.to_be_bytes());
    key.extend_from_slice(&currency_bytes(currency));
    key.push(metric);
    key
}

/// `X ‖ day ‖ currency ‖ 0`.
pub(crate) fn cancelled_key(day: u32, currency: Currency) -> Vec<u8> {
    let mut key = day_prefix(CANCELLED, day);
    key.extend_from_slice(&currency_bytes(currency));
    key.push(METRIC_ORDERS);
    key
}

/// `H ‖ day ‖ stage ‖ bucket`.
pub(crate) fn speed_key(day: u32, stage: u8, bucket: u8) -> Vec<u8> {
    let mut key = day_prefix(SPEED, day);
    key.push(stage);
    key.push(bucket);
    key
}

/// The key range of days `from..=to` of one counter kind.
pub(crate) fn day_range(tag: u8, from: u32, to: u32) -> IndexRange {
    let start = day_prefix(tag, from);
    let end = match to.checked_add(1) {
        Some(next) => std::ops::Bound::Excluded(day_prefix(tag, next)),
        None => {
            keys::prefix_end(&[tag]).map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded)
        }
    };
    IndexRange {
        start: std::ops::Bound::Included(start),
        end,
        reverse: false,
    }
}

/// A counter key taken apart: its tag, its day and the bytes after them.
pub(crate) fn split_key(key: &[u8]) -> Option<(u8, u32, &[u8])> {
    let (&tag, rest) = key.split_first()?;
    let day = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
    Some((tag, day, rest.get(4..)?))
}

/// `id (8 bytes) ‖ currency code (3) ‖ metric (1)` of a `P` or `C` key's rest. The code
/// stays bytes ([`currency_of`] reads it): a report sums many counters per code and
/// parses each code once.
pub(crate) fn split_id_currency_metric(rest: &[u8]) -> Option<(u64, [u8; 3], u8)> {
    let id = u64::from_be_bytes(rest.get(..8)?.try_into().ok()?);
    let code: [u8; 3] = rest.get(8..11)?.try_into().ok()?;
    let metric = *rest.get(11)?;
    (rest.len() == 12).then_some((id, code, metric))
}

/// The currency of a counter key's code bytes.
pub(crate) fn currency_of(code: [u8; 3]) -> Option<Currency> {
    Currency::parse(std::str::from_utf8(&code).ok()?).ok()
}

/// `currency (3) ‖ metric (1)` of an `S` or `X` key's rest.
pub(crate) fn split_currency_metric(rest: &[u8]) -> Option<(Currency, u8)> {
    let code = std::str::from_utf8(rest.get(..3)?).ok()?;
    let currency = Currency::parse(code).ok()?;
    let metric = *rest.get(3)?;
    (rest.len() == 4).then_some((currency, metric))
}

/// When the order first reached `status`, if it did.
fn reached(order: &Order, status: OrderStatus) -> Option<Timestamp> {
    order
        .status_history()
        .iter()
        .find(|(s, _)| *s == status)
        .map(|(_, at)| *at)
}

/// What a placed (not cancelled) order sells, as the sales counters see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    /// When it was placed.
    pub placed: Timestamp,
    /// Who bought.
    pub customer: CustomerId,
    /// In which currency.
    pub currency: Currency,
    /// The order total.
    pub total: Decimal,
    /// Per line: product, units, revenue (line total − line discount).
    pub lines: Vec<(ProductId, u32, Decimal)>,
}

/// The sales, product and customer counter values of one sale (the part of
/// [`contribution`] a benchmark can build without a whole order).
pub fn sale_figures(sale: &Sale) -> Vec<(Vec<u8>, Decimal)> {
    let day = day_of(sale.placed);
    let currency = sale.currency;
    let units: u64 = sale.lines.iter().map(|(_, q, _)| u64::from(*q)).sum();
    let mut figures = Vec::with_capacity(5 + 2 * sale.lines.len());
    figures.push((sales_key(day, currency, METRIC_ORDERS), Decimal::ONE));
    figures.push((sales_key(day, currency, METRIC_REVENUE), sale.total));
    figures.push((sales_key(day, currency, METRIC_UNITS), Decimal::from(units)));
    for (product, quantity, revenue) in &sale.lines {
        figures.push((
            product_key(day, *product, currency, METRIC_PRODUCT_UNITS),
            Decimal::from(*quantity),
        ));
        figures.push((
            product_key(day, *product, currency, METRIC_REVENUE),
            *revenue,
        ));
    }
    figures.push((
        customer_key(day, sale.customer, currency, METRIC_ORDERS),
        Decimal::ONE,
    ));
    figures.push((
        customer_key(day, sale.customer, currency, METRIC_REVENUE),
        sale.total,
    ));
    figures
}

/// The counter values one order contributes as it stands (see the module table). A draft
/// contributes nothing.
pub fn contribution(order: &Order) -> Vec<(Vec<u8>, Decimal)> {
    let Some(placed) = reached(order, OrderStatus::Placed) else {
        return Vec::new();
    };
    let currency = order.currency();
    let mut figures = Vec::with_capacity(8 + 2 * order.lines().len());
    if order.status() == OrderStatus::Cancelled {
        let at = reached(order, OrderStatus::Cancelled).unwrap_or(placed);
        figures.push((cancelled_key(day_of(at), currency), Decimal::ONE));
        return figures;
    }
    let sale = Sale {
        placed,
        customer: order.customer(),
        currency,
        total: order.totals().total.amount(),
        lines: order
            .lines()
            .iter()
            .map(|line| {
                let revenue = line.amounts.total.amount() - line.amounts.discount.amount();
                (line.product, line.quantity, revenue)
            })
            .collect(),
    };
    figures.extend(sale_figures(&sale));
    if let Some(shipped) = reached(order, OrderStatus::Shipped) {
        let bucket = speed_bucket(shipped.millis() - placed.millis());
        figures.push((
            speed_key(day_of(shipped), STAGE_TO_SHIP, bucket),
            Decimal::ONE,
        ));
        if let Some(delivered) = reached(order, OrderStatus::Delivered) {
            let bucket = speed_bucket(delivered.millis() - shipped.millis());
            figures.push((
                speed_key(day_of(delivered), STAGE_TO_DELIVER, bucket),
                Decimal::ONE,
            ));
        }
    }
    figures
}

/// The deltas that take the counters from an order's `old` contribution to its `new` one
/// (zero differences left out, in key order).
pub fn deltas(old: &[(Vec<u8>, Decimal)], new: &[(Vec<u8>, Decimal)]) -> Vec<CounterDelta> {
    // The common cases without a map: nothing moved (a payment, a confirmation), or a new
    // order (nothing to subtract: sort, and sum a key that appears twice).
    if old == new {
        return Vec::new();
    }
    if old.is_empty() {
        let mut sorted: Vec<&(Vec<u8>, Decimal)> = new.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<CounterDelta> = Vec::with_capacity(sorted.len());
        for (key, value) in sorted {
            match out.last_mut() {
                Some(last) if last.key == *key => last.delta += *value,
                _ => out.push(CounterDelta {
                    key: key.clone(),
                    delta: *value,
                }),
            }
        }
        out.retain(|delta| !delta.delta.is_zero());
        return out;
    }
    let mut sums: BTreeMap<&[u8], Decimal> = BTreeMap::new();
    for (key, value) in new {
        *sums.entry(key.as_slice()).or_default() += *value;
    }
    for (key, value) in old {
        *sums.entry(key.as_slice()).or_default() -= *value;
    }
    sums.into_iter()
        .filter(|(_, delta)| !delta.is_zero())
        .map(|(key, delta)| CounterDelta {
            key: key.to_vec(),
            delta,
        })
        .collect()
}

/// How many orders [`rebuild_counters`] reads per scan.
const REBUILD_PAGE: usize = 512;

/// Every counter recomputed from the orders (the sum of their contributions), in key
/// order, zeros left out: what the incrementally kept counters must equal.
///
/// # Errors
/// `Storage` if an order cannot be read (a record that does not decode is `Corrupted`).
pub fn computed_counters<S: Store + ?Sized>(store: &S) -> Result<BTreeMap<Vec<u8>, Decimal>> {
    let mut sums: BTreeMap<Vec<u8>, Decimal> = BTreeMap::new();
    let mut after = None;
    loop {
        let page = store.scan(RecordKind::Order, after.as_ref(), REBUILD_PAGE)?;
        for versioned in &page {
            if let Record::Order(order) = &versioned.value {
                for (key, value) in contribution(order) {
                    *sums.entry(key).or_default() += value;
                }
            }
        }
        if page.len() < REBUILD_PAGE {
            break;
        }
        after = page.last().map(|v| v.value.key());
    }
    sums.retain(|_, value| !value.is_zero());
    Ok(sums)
}

/// Recomputes every counter from the orders and writes the difference to what the store
/// holds, in one write set (for a store written before counters existed: the format
/// migration runs it; `ordo verify` can compare with [`computed_counters`]). Returns how
/// many counters it changed. Run it while nothing else writes: a concurrent order change
/// would be counted twice or not at all.
///
/// # Errors
/// `Storage` if an order or a counter cannot be read or the write set cannot be applied.
pub fn rebuild_counters<S: Store + ?Sized>(store: &S) -> Result<usize> {
    let computed = computed_counters(store)?;
    let stored: BTreeMap<Vec<u8>, Decimal> = store
        .counters(&IndexRange::prefix(&[], false), usize::MAX)?
        .into_iter()
        .collect();
    let mut writes = WriteSet::new();
    for (key, want) in &computed {
        let have = stored.get(key).copied().unwrap_or_default();
        if have != *want {
            writes.count(key.clone(), *want - have);
        }
    }
    for (key, have) in &stored {
        if !computed.contains_key(key) {
            writes.count(key.clone(), -*have);
        }
    }
    let changed = writes.counters.len();
    if changed > 0 {
        store.apply(writes)?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::deltas;

    fn figures(list: &[(&str, i64)]) -> Vec<(Vec<u8>, Decimal)> {
        list.iter()
            .map(|(key, value)| (key.as_bytes().to_vec(), Decimal::from(*value)))
            .collect()
    }

    fn pairs(list: &[crate::store::CounterDelta]) -> Vec<(String, Decimal)> {
        list.iter()
            .map(|d| (String::from_utf8_lossy(&d.key).into_owned(), d.delta))
            .collect()
    }

    /// The shortcuts (nothing moved; nothing to subtract) give what the general case gives:
    /// key order, a key listed twice summed, zeros left out.
    #[test]
    fn deltas_take_the_same_shape_on_every_path() {
        let new = figures(&[("b", 2), ("a", 1), ("c", 0), ("b", 3)]);
        let expected = vec![
            ("a".to_string(), Decimal::from(1)),
            ("b".to_string(), Decimal::from(5)),
        ];
        assert_eq!(pairs(&deltas(&[], &new)), expected);
        // The general path (an old contribution with a key the new one lacks).
        let old = figures(&[("z", 4)]);
        let mut general = expected.clone();
        general.push(("z".to_string(), Decimal::from(-4)));
        assert_eq!(pairs(&deltas(&old, &new)), general);
        assert!(deltas(&new, &new).is_empty());
        assert_eq!(
            pairs(&deltas(&new, &[])),
            vec![
                ("a".to_string(), Decimal::from(-1)),
                ("b".to_string(), Decimal::from(-5)),
            ]
        );
    }
}
