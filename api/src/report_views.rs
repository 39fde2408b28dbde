//! The wire shapes of `report.*` answers, converted by hand from `ordo_core::report`: days
//! as `YYYY-MM-DD`, amounts as decimal strings beside their currency, durations in
//! milliseconds and hours.

use ordo_core::report::{
    CustomerFigures, CustomerReport, CustomerSales, DayRange, ProductSales, SPEED_BUCKET_BOUNDS_MS,
    SalesReport, SpeedFigures, SpeedReport, StockReport, StockRow, day_label, day_of,
};
use rust_decimal::Decimal;
use serde::Serialize;

/// `report.sales`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SalesView {
    /// First day.
    pub from: String,
    /// Last day (included).
    pub to: String,
    /// `day`, `week` or `month`.
    pub group: String,
    /// One row per period and currency.
    pub periods: Vec<SalesRowView>,
    /// Top products by revenue (top customers: `report.customers`).
    pub products: Vec<ProductSalesView>,
}

/// One period of sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SalesRowView {
    /// `2026-11-30`, `2026-W49` or `2026-11`.
    pub period: String,
    /// The period's first day.
    pub start: String,
    /// Currency of `revenue`.
    pub currency: String,
    /// Orders placed (not cancelled since).
    pub orders: u64,
    /// Σ order totals.
    pub revenue: Decimal,
    /// Units ordered.
    pub units: u64,
    /// Orders cancelled during the period.
    pub cancelled: u64,
}

/// One product's sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductSalesView {
    /// Product id.
    pub product: u64,
    /// SKU (`null` if the product does not read).
    pub sku: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Currency of `revenue`.
    pub currency: String,
    /// Units ordered.
    pub units: u64,
    /// Σ line total − line discount, before tax.
    pub revenue: Decimal,
}

/// One customer's purchases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerSalesView {
    /// Customer id.
    pub customer: u64,
    /// Name (`null` if the record does not read).
    pub name: Option<String>,
    /// Currency of `revenue`.
    pub currency: String,
    /// Orders placed.
    pub orders: u64,
    /// Σ order totals.
    pub revenue: Decimal,
}

fn range(range: DayRange) -> (String, String) {
    (day_label(range.from()), day_label(range.to()))
}

fn product(p: &ProductSales) -> ProductSalesView {
    ProductSalesView {
        product: p.product.0,
        sku: p.sku.clone(),
        name: p.name.clone(),
        currency: p.currency.code().to_string(),
        units: p.units,
        revenue: p.revenue,
    }
}

fn customer(c: &CustomerSales) -> CustomerSalesView {
    CustomerSalesView {
        customer: c.customer.0,
        name: c.name.clone(),
        currency: c.currency.code().to_string(),
        orders: c.orders,
        revenue: c.revenue,
    }
}

impl SalesView {
    /// The view of a report.
    pub fn new(report: &SalesReport) -> SalesView {
        let (from, to) = range(report.range);
        SalesView {
            from,
            to,
            group: format!("{:?}", report.group).to_lowercase(),
            periods: report
                .periods
                .iter()
                .map(|r| SalesRowView {
                    period: r.period.clone(),
                    start: day_label(day_of(r.period_start)),
                    currency: r.currency.code().to_string(),
                    orders: r.orders,
                    revenue: r.revenue,
                    units: r.units,
                    cancelled: r.cancelled,
                })
                .collect(),
            products: report.products.iter().map(product).collect(),
        }
    }
}

/// One stage of `report.speed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeedFiguresView {
    /// Orders that completed the stage in the range.
    pub orders: u64,
    /// Median, as the upper bound of its histogram bucket (`null`: none, or beyond 30 days).
    pub median_ms: Option<i64>,
    /// 90th percentile, likewise.
    pub p90_ms: Option<i64>,
    /// Median in hours.
    pub median_hours: Option<Decimal>,
    /// p90 in hours.
    pub p90_hours: Option<Decimal>,
    /// The histogram the figures come from, one entry per bucket in order (what a chart
    /// draws).
    pub buckets: Vec<SpeedBucketView>,
}

/// One bucket of a speed histogram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeedBucketView {
    /// Upper bound (inclusive, ms) of the bucket; `null` for the last one (longer than every
    /// bound).
    pub up_to_ms: Option<i64>,
    /// Orders in the bucket.
    pub orders: u64,
}

fn hours(ms: Option<i64>) -> Option<Decimal> {
    ms.map(|ms| (Decimal::from(ms) / Decimal::from(3_600_000)).round_dp(1))
}

fn speed(f: &SpeedFigures) -> SpeedFiguresView {
    SpeedFiguresView {
        orders: f.orders,
        median_ms: f.median_ms,
        p90_ms: f.p90_ms,
        median_hours: hours(f.median_ms),
        p90_hours: hours(f.p90_ms),
        buckets: f
            .buckets
            .iter()
            .enumerate()
            .map(|(index, orders)| SpeedBucketView {
                up_to_ms: SPEED_BUCKET_BOUNDS_MS.get(index).copied(),
                orders: *orders,
            })
            .collect(),
    }
}

/// `report.speed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeedView {
    /// First day.
    pub from: String,
    /// Last day (included).
    pub to: String,
    /// Placed → shipped.
    pub to_ship: SpeedFiguresView,
    /// Shipped → delivered.
    pub to_deliver: SpeedFiguresView,
}

impl SpeedView {
    /// The view of a report.
    pub fn new(report: &SpeedReport) -> SpeedView {
        let (from, to) = range(report.range);
        SpeedView {
            from,
            to,
            to_ship: speed(&report.to_ship),
            to_deliver: speed(&report.to_deliver),
        }
    }
}

/// Customer figures of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerFiguresView {
    /// The currency.
    pub currency: String,
    /// Customers with an order in the range.
    pub customers: u64,
    /// Their orders.
    pub orders: u64,
    /// Σ order totals.
    pub revenue: Decimal,
    /// revenue / orders.
    pub average_order_value: Decimal,
    /// Customers with two or more orders.
    pub repeat_customers: u64,
    /// repeat / customers (0–1).
    pub repeat_purchase_rate: Decimal,
    /// First order ever in the range.
    pub new_customers: u64,
    /// Ordered before the range.
    pub returning_customers: u64,
}

fn figures(f: &CustomerFigures) -> CustomerFiguresView {
    CustomerFiguresView {
        currency: f.currency.code().to_string(),
        customers: f.customers,
        orders: f.orders,
        revenue: f.revenue,
        average_order_value: f.average_order_value,
        repeat_customers: f.repeat_customers,
        repeat_purchase_rate: f.repeat_purchase_rate,
        new_customers: f.new_customers,
        returning_customers: f.returning_customers,
    }
}

/// `report.customers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomersView {
    /// First day.
    pub from: String,
    /// Last day (included).
    pub to: String,
    /// Per currency.
    pub figures: Vec<CustomerFiguresView>,
    /// Top customers by revenue.
    pub top: Vec<CustomerSalesView>,
}

impl CustomersView {
    /// The view of a report.
    pub fn new(report: &CustomerReport) -> CustomersView {
        let (from, to) = range(report.range);
        CustomersView {
            from,
            to,
            figures: report.figures.iter().map(figures).collect(),
            top: report.top.iter().map(customer).collect(),
        }
    }
}

/// One product of `report.stock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockRowView {
    /// Product id.
    pub product: u64,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// On hand, all warehouses.
    pub on_hand: u64,
    /// Reserved for open orders.
    pub reserved: u64,
    /// on hand − reserved.
    pub available: u64,
    /// Units ordered in the 30 days to `as_of`.
    pub units_last_30_days: u64,
    /// available ÷ daily rate (`null` without sales).
    pub days_of_cover: Option<Decimal>,
    /// At or below the threshold.
    pub low: bool,
}

fn stock_row(r: &StockRow) -> StockRowView {
    StockRowView {
        product: r.product.0,
        sku: r.sku.clone(),
        name: r.name.clone(),
        on_hand: r.on_hand,
        reserved: r.reserved,
        available: r.available,
        units_last_30_days: r.units_last_30_days,
        days_of_cover: r.days_of_cover,
        low: r.low,
    }
}

/// `report.stock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockView {
    /// The last day of the 30-day window.
    pub as_of: String,
    /// The low-stock threshold.
    pub low_threshold: u64,
    /// Low first, then fewest days of cover.
    pub rows: Vec<StockRowView>,
}

impl StockView {
    /// The view of a report.
    pub fn new(report: &StockReport) -> StockView {
        StockView {
            as_of: day_label(day_of(report.as_of)),
            low_threshold: report.low_threshold,
            rows: report.rows.iter().map(stock_row).collect(),
        }
    }
}
