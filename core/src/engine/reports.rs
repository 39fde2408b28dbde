//! Reports (sales, speed, customers, stock), read from the report counters
//! ([`super::report_counters`]) so a range costs its days' counters, never its orders.
//! Staff with `ViewReports` only; customers never.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::auth::{Actor, Operation};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, ProductId};
use crate::money::Currency;
use crate::report::{
    CustomerFigures, CustomerReport, CustomerSales, DayRange, ProductSales, ReportGroup,
    SPEED_BUCKET_BOUNDS_MS, SalesReport, SalesRow, SpeedFigures, SpeedReport, StockReport,
    StockRow, day_of, day_start, days_of_cover, period_label,
};
use crate::store::{IndexName, IndexRange, Record, RecordKey, RecordKind, Store, keys};

use super::Engine;
use super::report_counters::{
    CANCELLED, CUSTOMER, METRIC_ORDERS, METRIC_PRODUCT_UNITS, METRIC_REVENUE, METRIC_UNITS,
    PRODUCT, SALES, SPEED, STAGE_TO_DELIVER, STAGE_TO_SHIP, currency_of, day_range,
    split_currency_metric, split_id_currency_metric, split_key,
};

/// How many products a sales report lists.
pub const REPORT_TOP: usize = 50;

/// Products and stock records read per page by the stock report.
const STOCK_PAGE: usize = 500;

/// A counter that must be a whole count.
fn count(value: Decimal) -> u64 {
    u64::try_from(value.trunc()).unwrap_or(0)
}

/// A counter key that does not parse: the store holds something the engine never wrote.
fn bad_key(key: &[u8]) -> Error {
    Error::Internal(format!("report counter key {key:02x?} does not parse"))
}

/// Per (id, currency): (count, revenue).
type Totals = HashMap<(u64, Currency), (u64, Decimal)>;

impl<S: Store> Engine<S> {
    /// All counters of one kind for the days of `range`.
    fn counters_of(&self, tag: u8, from: u32, to: u32) -> Result<Vec<(Vec<u8>, Decimal)>> {
        Ok(self.store.counters(&day_range(tag, from, to), usize::MAX)?)
    }

    /// `P` or `C` counters of a range summed per (id, currency): (count, revenue).
    fn totals_by_id(&self, tag: u8, range: DayRange) -> Result<Totals> {
        // Summed per raw currency code first: a range has ~2,000 counters a day.
        let mut sums: HashMap<(u64, [u8; 3]), (Decimal, Decimal)> = HashMap::new();
        for (key, value) in self.counters_of(tag, range.from(), range.to())? {
            let (_, _, rest) = split_key(&key).ok_or_else(|| bad_key(&key))?;
            let (id, code, metric) = split_id_currency_metric(rest).ok_or_else(|| bad_key(&key))?;
            let entry = sums.entry((id, code)).or_default();
            match metric {
                METRIC_REVENUE => entry.1 += value,
                // Metric 0 is units (P) or orders (C).
                _ => entry.0 += value,
            }
        }
        let mut totals = Totals::with_capacity(sums.len());
        for ((id, code), (counted, revenue)) in sums {
            let currency = currency_of(code).ok_or_else(|| bad_key(&code))?;
            totals.insert((id, currency), (count(counted), revenue));
        }
        Ok(totals)
    }

    /// Sales between `from` and `to` (whole UTC days, both included) grouped by `group`,
    /// with the [`REPORT_TOP`] products by revenue (the top customers are in
    /// [`Engine::customer_report`]). Reads the range's `S`, `X` and `P` counters: about
    /// 2,000 a day for 1,000 products sold daily.
    ///
    /// # Errors
    /// `Forbidden` without `ViewReports`; `Validation` for a bad range; `Storage`.
    pub fn sales_report(
        &self,
        actor: &Actor,
        from: Timestamp,
        to: Timestamp,
        group: ReportGroup,
    ) -> Result<SalesReport> {
        actor.require(Operation::ViewReports)?;
        let range = DayRange::new(from, to)?;
        // Per (period start, currency): orders, revenue, units, cancelled.
        let sales = self.counters_of(SALES, range.from(), range.to())?;
        let cancelled = self.counters_of(CANCELLED, range.from(), range.to())?;
        let mut grouped: BTreeMap<(u32, Currency), [Decimal; 4]> = BTreeMap::new();
        for (tag, list) in [(SALES, &sales), (CANCELLED, &cancelled)] {
            for (key, value) in list {
                let (_, day, rest) = split_key(key).ok_or_else(|| bad_key(key))?;
                let (currency, metric) = split_currency_metric(rest).ok_or_else(|| bad_key(key))?;
                let slot = match (tag, metric) {
                    (CANCELLED, _) => 3,
                    (_, METRIC_ORDERS) => 0,
                    (_, METRIC_REVENUE) => 1,
                    (_, METRIC_UNITS) => 2,
                    _ => return Err(bad_key(key)),
                };
                let figures = grouped
                    .entry((group.period_start(day), currency))
                    .or_default();
                if let Some(figure) = figures.get_mut(slot) {
                    *figure += *value;
                }
            }
        }
        let periods = grouped
            .into_iter()
            .map(
                |((start, currency), [orders, revenue, units, cancelled])| SalesRow {
                    period: period_label(group, start),
                    period_start: day_start(start),
                    currency,
                    orders: count(orders),
                    revenue,
                    units: count(units),
                    cancelled: count(cancelled),
                },
            )
            .collect();
        let products = self.top_products(range)?;
        Ok(SalesReport {
            range,
            group,
            periods,
            products,
        })
    }

    /// The [`REPORT_TOP`] products of a range by revenue, with their SKU and name.
    fn top_products(&self, range: DayRange) -> Result<Vec<ProductSales>> {
        let mut totals: Vec<_> = self.totals_by_id(PRODUCT, range)?.into_iter().collect();
        totals.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(&b.0)));
        totals.truncate(REPORT_TOP);
        totals
            .into_iter()
            .map(|((id, currency), (units, revenue))| {
                let product = match self.store.get(&RecordKey::Product(ProductId(id)))? {
                    Some(v) => match v.value {
                        Record::Product(p) => Some(p),
                        _ => None,
                    },
                    None => None,
                };
                Ok(ProductSales {
                    product: ProductId(id),
                    sku: product.as_ref().map(|p| p.sku().to_string()),
                    name: product.as_ref().map(|p| p.name().to_string()),
                    currency,
                    units,
                    revenue,
                })
            })
            .collect()
    }

    /// The `top` customers of a range by revenue, with their names.
    fn top_customers(&self, range: DayRange, top: usize) -> Result<Vec<CustomerSales>> {
        let mut totals: Vec<_> = self.totals_by_id(CUSTOMER, range)?.into_iter().collect();
        totals.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(&b.0)));
        totals.truncate(top);
        totals
            .into_iter()
            .map(|((id, currency), (orders, revenue))| {
                Ok(CustomerSales {
                    customer: CustomerId(id),
                    name: self.customer_name(CustomerId(id))?,
                    currency,
                    orders,
                    revenue,
                })
            })
            .collect()
    }

    fn customer_name(&self, id: CustomerId) -> Result<Option<String>> {
        Ok(match self.store.get(&RecordKey::Customer(id))? {
            Some(v) => match v.value {
                Record::Customer(c) => Some(c.name().to_string()),
                _ => None,
            },
            None => None,
        })
    }

    /// How long orders took from placed to shipped (those shipped within the range) and
    /// from shipped to delivered (those delivered within it): median and p90, exact to
    /// the histogram bucket ([`SPEED_BUCKET_BOUNDS_MS`]; the bucket's upper bound).
    ///
    /// # Errors
    /// `Forbidden` without `ViewReports`; `Validation` for a bad range; `Storage`.
    pub fn speed_report(
        &self,
        actor: &Actor,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<SpeedReport> {
        actor.require(Operation::ViewReports)?;
        let range = DayRange::new(from, to)?;
        let buckets = SPEED_BUCKET_BOUNDS_MS.len() + 1;
        let mut to_ship = vec![0u64; buckets];
        let mut to_deliver = vec![0u64; buckets];
        for (key, value) in self.counters_of(SPEED, range.from(), range.to())? {
            let (_, _, rest) = split_key(&key).ok_or_else(|| bad_key(&key))?;
            let &[stage, bucket] = rest else {
                return Err(bad_key(&key));
            };
            let histogram = match stage {
                STAGE_TO_SHIP => &mut to_ship,
                STAGE_TO_DELIVER => &mut to_deliver,
                _ => return Err(bad_key(&key)),
            };
            let slot = histogram
                .get_mut(usize::from(bucket))
                .ok_or_else(|| bad_key(&key))?;
            *slot += count(value);
        }
        Ok(SpeedReport {
            range,
            to_ship: SpeedFigures::from_buckets(to_ship),
            to_deliver: SpeedFigures::from_buckets(to_deliver),
        })
    }

    /// Customer behaviour between `from` and `to`: per currency, customers, orders, average
    /// order value, repeat-purchase rate, new vs returning (returning: an order created
    /// before the range, found in the `OrderByCustomer` index — any order, drafts and
    /// cancelled ones included); and the `top` customers by revenue.
    ///
    /// # Errors
    /// `Forbidden` without `ViewReports`; `Validation` for a bad range; `Storage`.
    pub fn customer_report(
        &self,
        actor: &Actor,
        from: Timestamp,
        to: Timestamp,
        top: usize,
    ) -> Result<CustomerReport> {
        actor.require(Operation::ViewReports)?;
        let range = DayRange::new(from, to)?;
        let totals = self.totals_by_id(CUSTOMER, range)?;
        let start = day_start(range.from());
        let mut returning: HashMap<u64, bool> = HashMap::new();
        let mut figures: BTreeMap<Currency, CustomerFigures> = BTreeMap::new();
        for ((customer, currency), (orders, revenue)) in &totals {
            let earlier = match returning.get(customer) {
                Some(known) => *known,
                None => {
                    let known = self.ordered_before(CustomerId(*customer), start)?;
                    returning.insert(*customer, known);
                    known
                }
            };
            let row = figures.entry(*currency).or_insert_with(|| CustomerFigures {
                currency: *currency,
                customers: 0,
                orders: 0,
                revenue: Decimal::ZERO,
                average_order_value: Decimal::ZERO,
                repeat_customers: 0,
                repeat_purchase_rate: Decimal::ZERO,
                new_customers: 0,
                returning_customers: 0,
            });
            row.customers += 1;
            row.orders += orders;
            row.revenue += *revenue;
            if *orders >= 2 {
                row.repeat_customers += 1;
            }
            if earlier {
                row.returning_customers += 1;
            } else {
                row.new_customers += 1;
            }
        }
        for row in figures.values_mut() {
            if row.orders > 0 {
                row.average_order_value = (row.revenue / Decimal::from(row.orders))
                    .round_dp_with_strategy(
                        row.currency.minor_units(),
                        RoundingStrategy::MidpointNearestEven,
                    );
            }
            if row.customers > 0 {
                row.repeat_purchase_rate = (Decimal::from(row.repeat_customers)
                    / Decimal::from(row.customers))
                .round_dp(4);
            }
        }
        Ok(CustomerReport {
            range,
            figures: figures.into_values().collect(),
            top: self.top_customers(range, top.min(super::queries::MAX_PAGE))?,
        })
    }

    /// Whether `customer` has an order created before `start`.
    fn ordered_before(&self, customer: CustomerId, start: Timestamp) -> Result<bool> {
        let prefix = keys::order_customer_prefix(customer);
        let mut end = prefix.clone();
        end.extend_from_slice(&keys::timestamp(start));
        let range = IndexRange {
            start: Bound::Included(prefix),
            end: Bound::Excluded(end),
            reverse: false,
        };
        Ok(!self
            .store
            .index_scan(IndexName::OrderByCustomer, &range, 1)?
            .is_empty())
    }

    /// Stock of every product: on hand, reserved, available, units ordered in the 30 days
    /// ending on `as_of`'s day (today's when `None`), days of cover, and whether it is low (available at or
    /// below `low_threshold`). Low products first, then fewest days of cover, then SKU.
    ///
    /// # Errors
    /// `Forbidden` without `ViewReports`; `Storage`.
    pub fn stock_report(
        &self,
        actor: &Actor,
        as_of: Option<Timestamp>,
        low_threshold: u64,
    ) -> Result<StockReport> {
        actor.require(Operation::ViewReports)?;
        let last = day_of(as_of.unwrap_or_else(|| self.clock.now()));
        let first = last.saturating_sub(29);
        let mut sold: HashMap<u64, u64> = HashMap::new();
        for (key, value) in self.counters_of(PRODUCT, first, last)? {
            let (_, _, rest) = split_key(&key).ok_or_else(|| bad_key(&key))?;
            let (id, _, metric) = split_id_currency_metric(rest).ok_or_else(|| bad_key(&key))?;
            if metric == METRIC_PRODUCT_UNITS {
                *sold.entry(id).or_default() += count(value);
            }
        }
        let mut rows = Vec::new();
        let mut after: Option<RecordKey> = None;
        loop {
            let page = self
                .store
                .scan(RecordKind::Product, after.as_ref(), STOCK_PAGE)?;
            for versioned in &page {
                let Record::Product(product) = &versioned.value else {
                    continue;
                };
                let stock = match self.store.get(&RecordKey::Stock(product.id()))? {
                    Some(v) => match v.value {
                        Record::Stock(s) => Some(s),
                        _ => None,
                    },
                    None => None,
                };
                let on_hand = stock.as_ref().map_or(0, |s| s.total_on_hand());
                let reserved = stock.as_ref().map_or(0, |s| s.total_reserved());
                let available = on_hand.saturating_sub(reserved);
                let units = sold.get(&product.id().0).copied().unwrap_or(0);
                rows.push(StockRow {
                    product: product.id(),
                    sku: product.sku().to_string(),
                    name: product.name().to_string(),
                    on_hand,
                    reserved,
                    available,
                    units_last_30_days: units,
                    days_of_cover: days_of_cover(available, units),
                    low: available <= low_threshold,
                });
            }
            if page.len() < STOCK_PAGE {
                break;
            }
            after = page.last().map(|v| v.value.key());
        }
        rows.sort_by(|a, b| {
            b.low
                .cmp(&a.low)
                .then_with(|| match (a.days_of_cover, b.days_of_cover) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                })
                .then_with(|| a.sku.cmp(&b.sku))
        });
        Ok(StockReport {
            as_of: day_start(last),
            low_threshold,
            rows,
        })
    }
}
