//! `ordo report …`: sales, speed, customers and stock through the contract (`report.*`),
//! as tables, as CSV with `--csv FILE`, and as a PNG chart with `--chart FILE.png`. The figures and who may see them are the
//! engine's; this module builds requests and renders what comes back.

use std::path::Path;

use anyhow::Context as _;
use ordo_api::Request;
use ordo_api::request::{ReportCustomers, ReportRange, ReportSales, ReportStock};
use ordo_core::store::Store;
use serde::{Deserialize, Serialize};

use crate::args::{ReportArgs, ReportCommand, StockReportArgs};
use crate::context::Context;
use crate::render::{chart, tables};

/// `report.sales` as the CLI reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SalesView {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Grouping.
    pub group: String,
    /// Rows per period.
    pub periods: Vec<SalesRow>,
    /// Top products.
    pub products: Vec<ProductSales>,
}

/// One period.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SalesRow {
    /// Period name.
    pub period: String,
    /// First day.
    pub start: String,
    /// Currency.
    pub currency: String,
    /// Orders.
    pub orders: u64,
    /// Revenue.
    pub revenue: String,
    /// Units.
    pub units: u64,
    /// Cancelled in the period.
    pub cancelled: u64,
}

/// One product.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductSales {
    /// Id.
    pub product: u64,
    /// SKU.
    pub sku: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Currency.
    pub currency: String,
    /// Units.
    pub units: u64,
    /// Revenue before tax.
    pub revenue: String,
}

/// One customer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerSales {
    /// Id.
    pub customer: u64,
    /// Name.
    pub name: Option<String>,
    /// Currency.
    pub currency: String,
    /// Orders.
    pub orders: u64,
    /// Revenue.
    pub revenue: String,
}

/// One stage of `report.speed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpeedFigures {
    /// Orders.
    pub orders: u64,
    /// Median, ms.
    pub median_ms: Option<i64>,
    /// p90, ms.
    pub p90_ms: Option<i64>,
    /// Median, hours.
    pub median_hours: Option<String>,
    /// p90, hours.
    pub p90_hours: Option<String>,
    /// The histogram, bucket by bucket.
    #[serde(default)]
    pub buckets: Vec<SpeedBucket>,
}

/// One bucket of a speed histogram.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpeedBucket {
    /// Upper bound, ms (`None`: the last, open bucket).
    pub up_to_ms: Option<i64>,
    /// Orders.
    pub orders: u64,
}

/// `report.speed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpeedView {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Placed → shipped.
    pub to_ship: SpeedFigures,
    /// Shipped → delivered.
    pub to_deliver: SpeedFigures,
}

/// Customer figures in one currency.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerFigures {
    /// Currency.
    pub currency: String,
    /// Customers.
    pub customers: u64,
    /// Orders.
    pub orders: u64,
    /// Revenue.
    pub revenue: String,
    /// Average order value.
    pub average_order_value: String,
    /// Repeat customers.
    pub repeat_customers: u64,
    /// Repeat-purchase rate (0–1).
    pub repeat_purchase_rate: String,
    /// New customers.
    pub new_customers: u64,
    /// Returning customers.
    pub returning_customers: u64,
}

/// `report.customers`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomersView {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Per currency.
    pub figures: Vec<CustomerFigures>,
    /// Top customers.
    pub top: Vec<CustomerSales>,
}

/// One product's stock.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StockRow {
    /// Id.
    pub product: u64,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// On hand.
    pub on_hand: u64,
    /// Reserved.
    pub reserved: u64,
    /// Available.
    pub available: u64,
    /// Units in the last 30 days.
    pub units_last_30_days: u64,
    /// Days of cover.
    pub days_of_cover: Option<String>,
    /// Low.
    pub low: bool,
}

/// `report.stock`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StockView {
    /// Window end.
    pub as_of: String,
    /// Threshold.
    pub low_threshold: u64,
    /// Rows.
    pub rows: Vec<StockRow>,
}

/// Runs one report subcommand.
///
/// # Errors
/// `Validation` (exit 3) for a bad date or group; `Forbidden` (exit 6) for a role without
/// reports; an I/O error if the CSV file or the chart cannot be written.
pub fn run<S: Store>(ctx: &Context<S>, command: ReportCommand) -> anyhow::Result<()> {
    match command {
        ReportCommand::Sales(args) => sales(ctx, &args),
        ReportCommand::Speed(args) => {
            let view: SpeedView = ctx.call(Request::ReportSpeed(ReportRange {
                from: args.from.clone(),
                to: args.to.clone(),
            }))?;
            if let Some(file) = &args.csv {
                let stages = [
                    ("placed_to_shipped", &view.to_ship),
                    ("shipped_to_delivered", &view.to_deliver),
                ];
                write_csv(
                    file,
                    &["stage", "orders", "median_hours", "p90_hours"],
                    stages.iter().map(|(name, f)| {
                        vec![
                            (*name).to_string(),
                            f.orders.to_string(),
                            f.median_hours.clone().unwrap_or_default(),
                            f.p90_hours.clone().unwrap_or_default(),
                        ]
                    }),
                )?;
            }
            if let Some(file) = &args.chart {
                chart::speed(file, &view)?;
            }
            ctx.out.show(&view, || tables::report_speed(&view))
        }
        ReportCommand::Customers(args) => {
            let view: CustomersView = ctx.call(Request::ReportCustomers(ReportCustomers {
                from: args.from.clone(),
                to: args.to.clone(),
                top: None,
            }))?;
            if let Some(file) = &args.csv {
                write_csv(
                    file,
                    &["customer", "name", "currency", "orders", "revenue"],
                    view.top.iter().map(|c| {
                        vec![
                            c.customer.to_string(),
                            c.name.clone().unwrap_or_default(),
                            c.currency.clone(),
                            c.orders.to_string(),
                            c.revenue.clone(),
                        ]
                    }),
                )?;
            }
            if let Some(file) = &args.chart {
                chart::customers(file, &view)?;
            }
            ctx.out.show(&view, || tables::report_customers(&view))
        }
        ReportCommand::Stock(args) => stock(ctx, &args),
    }
}

fn sales<S: Store>(ctx: &Context<S>, args: &ReportArgs) -> anyhow::Result<()> {
    let view: SalesView = ctx.call(Request::ReportSales(ReportSales {
        from: args.from.clone(),
        to: args.to.clone(),
        group: Some(args.group.clone()),
    }))?;
    if let Some(file) = &args.csv {
        write_csv(
            file,
            &[
                "period",
                "start",
                "currency",
                "orders",
                "revenue",
                "units",
                "cancelled",
            ],
            view.periods.iter().map(|r| {
                vec![
                    r.period.clone(),
                    r.start.clone(),
                    r.currency.clone(),
                    r.orders.to_string(),
                    r.revenue.clone(),
                    r.units.to_string(),
                    r.cancelled.to_string(),
                ]
            }),
        )?;
    }
    if let Some(file) = &args.chart {
        chart::sales(file, &view)?;
    }
    ctx.out.show(&view, || tables::report_sales(&view))
}

fn stock<S: Store>(ctx: &Context<S>, args: &StockReportArgs) -> anyhow::Result<()> {
    let view: StockView = ctx.call(Request::ReportStock(ReportStock {
        as_of: args.as_of.clone(),
        low: Some(args.low),
    }))?;
    if let Some(file) = &args.csv {
        write_csv(
            file,
            &[
                "sku",
                "name",
                "on_hand",
                "reserved",
                "available",
                "units_last_30_days",
                "days_of_cover",
                "low",
            ],
            view.rows.iter().map(|r| {
                vec![
                    r.sku.clone(),
                    r.name.clone(),
                    r.on_hand.to_string(),
                    r.reserved.to_string(),
                    r.available.to_string(),
                    r.units_last_30_days.to_string(),
                    r.days_of_cover.clone().unwrap_or_default(),
                    r.low.to_string(),
                ]
            }),
        )?;
    }
    if let Some(file) = &args.chart {
        chart::stock(file, &view)?;
    }
    ctx.out.show(&view, || tables::report_stock(&view))
}

/// Writes a header and rows as CSV to `file`.
fn write_csv(
    file: &Path,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> anyhow::Result<()> {
    let mut writer =
        csv::Writer::from_path(file).with_context(|| format!("cannot write {}", file.display()))?;
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(&row)?;
    }
    writer
        .flush()
        .with_context(|| format!("cannot write {}", file.display()))?;
    Ok(())
}
