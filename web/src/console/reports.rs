//! `/console/reports`: sales by period and by product (`report.sales`) and by customer
//! (`report.customers`) for a range of days; and the sales chart the dashboard and this
//! page show — an inline SVG of revenue per period drawn from the same `report.sales`
//! view (no script, no image request, nothing the CSP has to allow).
//!
//! Needs `ViewReports` (admin, sales, analysts). Amounts stay decimal strings on the page;
//! a bar's height is the only thing computed from them, exactly, with `rust_decimal`.

use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use ordo_api::request::{ReportCustomers, ReportSales};
use ordo_api::{ApiError, Request};
use ordo_core::auth::Operation;
use ordo_core::store::Store;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;
use serde::Deserialize;

use crate::form;
use crate::layout::respond;
use crate::state::WebState;
use crate::{call, csrf};

use super::dashboard::day;
use super::{Staff, page, refusal, staff};

/// Days the dashboard's chart covers (today included).
pub(crate) const CHART_DAYS: i64 = 30;
/// The chart's drawing area, in SVG user units.
const CHART_WIDTH: u32 = 720;
const CHART_HEIGHT: u32 = 180;
/// Room under the bars for the first and last labels.
const LABEL_ROOM: u32 = 20;
/// At most this many day slots are filled in (a longer range shows the periods it has).
const DAY_SLOTS_MAX: usize = 400;

/// One period of `report.sales`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SalesRow {
    period: String,
    start: String,
    currency: String,
    orders: u64,
    revenue: String,
    units: u64,
    cancelled: u64,
}

/// One product of `report.sales`.
#[derive(Debug, Deserialize)]
struct ProductRow {
    sku: Option<String>,
    name: Option<String>,
    currency: String,
    units: u64,
    revenue: String,
}

/// `report.sales`.
#[derive(Debug, Deserialize)]
pub(crate) struct Sales {
    from: String,
    to: String,
    group: String,
    periods: Vec<SalesRow>,
    products: Vec<ProductRow>,
}

/// Per-currency figures of `report.customers`.
#[derive(Debug, Deserialize)]
struct CustomerFigures {
    currency: String,
    customers: u64,
    orders: u64,
    revenue: String,
    average_order_value: String,
    repeat_purchase_rate: String,
    new_customers: u64,
    returning_customers: u64,
}

/// A top customer of `report.customers`.
#[derive(Debug, Deserialize)]
struct TopCustomer {
    customer: u64,
    name: Option<String>,
    currency: String,
    orders: u64,
    revenue: String,
}

/// `report.customers`.
#[derive(Debug, Deserialize)]
struct Customers {
    figures: Vec<CustomerFigures>,
    top: Vec<TopCustomer>,
}

/// The range and grouping, as the query string carries them.
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct Range {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    group: String,
}

/// The last [`CHART_DAYS`] days, today included (UTC), as `(from, to)`.
fn last_days() -> (String, String) {
    let today = time::OffsetDateTime::now_utc().date();
    let from = today
        .checked_sub(time::Duration::days(CHART_DAYS - 1))
        .unwrap_or(today);
    (day(from), day(today))
}

/// `report.sales` for a range.
pub(crate) async fn sales<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    staff: &Staff,
    from: String,
    to: String,
    group: Option<String>,
) -> Result<Sales, ApiError> {
    call::view(
        web,
        Some(&staff.token),
        Request::ReportSales(ReportSales { from, to, group }),
    )
    .await
}

/// The dashboard's chart: revenue per day over the last [`CHART_DAYS`] days (`None` for a
/// role without reports).
pub(crate) async fn dashboard_chart<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    staff: &Staff,
) -> Option<Markup> {
    if !staff.may(Operation::ViewReports) {
        return None;
    }
    let (from, to) = last_days();
    Some(match sales(web, staff, from, to, None).await {
        Ok(sales) => html! {
            h2 { "Sales, last " (CHART_DAYS) " days" }
            (chart(&sales))
            p { a href="/console/reports" { "Reports →" } }
        },
        Err(error) => html! { p.alert { (error.message) } },
    })
}

/// Every day from `from` to `to` (`YYYY-MM-DD`), at most [`DAY_SLOTS_MAX`]; `None` if
/// either does not read as a day.
fn days(from: &str, to: &str) -> Option<Vec<String>> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let mut at = time::Date::parse(from, &format).ok()?;
    let end = time::Date::parse(to, &format).ok()?;
    let mut out = Vec::new();
    while at <= end && out.len() < DAY_SLOTS_MAX {
        out.push(day(at));
        at = at.next_day()?;
    }
    Some(out)
}

/// The slots of the chart: every day of a daily report, else the periods it has.
fn slots(sales: &Sales) -> Vec<(String, String)> {
    let from_rows = || {
        let mut seen: Vec<(String, String)> = Vec::new();
        for row in &sales.periods {
            if !seen.iter().any(|(start, _)| *start == row.start) {
                seen.push((row.start.clone(), row.period.clone()));
            }
        }
        seen
    };
    if sales.group == "day" {
        match days(&sales.from, &sales.to) {
            Some(days) => days.into_iter().map(|d| (d.clone(), d)).collect(),
            None => from_rows(),
        }
    } else {
        from_rows()
    }
}

/// An exact decimal of the view (zero if it does not read: a bar is drawn, never a figure).
fn decimal(text: &str) -> Decimal {
    text.parse().unwrap_or(Decimal::ZERO)
}

/// Revenue per period as SVG bars, one chart per currency.
pub(crate) fn chart(sales: &Sales) -> Markup {
    let slots = slots(sales);
    let mut currencies: Vec<&str> = Vec::new();
    for row in &sales.periods {
        if !currencies.contains(&row.currency.as_str()) {
            currencies.push(&row.currency);
        }
    }
    if currencies.is_empty() {
        return html! { p.chart-empty { "No sales from " (sales.from) " to " (sales.to) "." } };
    }
    html! { @for currency in currencies { (bars(sales, &slots, currency)) } }
}

fn bars(sales: &Sales, slots: &[(String, String)], currency: &str) -> Markup {
    let values: Vec<(String, Decimal, u64)> = slots
        .iter()
        .map(|(start, label)| {
            let rows = sales
                .periods
                .iter()
                .filter(|r| r.start == *start && r.currency == currency);
            let (revenue, orders) = rows.fold((Decimal::ZERO, 0), |(sum, n), r| {
                (sum + decimal(&r.revenue), n + r.orders)
            });
            (label.clone(), revenue, orders)
        })
        .collect();
    let top = values
        .iter()
        .map(|(_, revenue, _)| *revenue)
        .max()
        .unwrap_or(Decimal::ZERO);
    let count = u32::try_from(values.len().max(1)).unwrap_or(u32::MAX);
    let step = (CHART_WIDTH / count).max(1);
    let width = step.saturating_sub(2).max(1);
    let height_of = |revenue: Decimal| -> u32 {
        if top <= Decimal::ZERO {
            return 0;
        }
        (revenue * Decimal::from(CHART_HEIGHT) / top)
            .round()
            .to_u32()
            .unwrap_or(0)
            .min(CHART_HEIGHT)
    };
    let total: Decimal = values.iter().map(|(_, revenue, _)| *revenue).sum();
    let first = values.first().map(|v| v.0.clone()).unwrap_or_default();
    let last = values.last().map(|v| v.0.clone()).unwrap_or_default();
    let view_box = format!("0 0 {CHART_WIDTH} {}", CHART_HEIGHT + LABEL_ROOM);
    let summary = format!(
        "Revenue in {currency} per {} from {} to {}: {total} in all, highest {top}",
        sales.group, sales.from, sales.to
    );
    html! {
        figure.chart {
            svg.sales-chart xmlns="http://www.w3.org/2000/svg" viewBox=(view_box) role="img" aria-label=(summary) {
                title { (summary) }
                line x1="0" y1=(CHART_HEIGHT) x2=(CHART_WIDTH) y2=(CHART_HEIGHT) stroke="#8a94a6" stroke-width="1" {}
                @for (index, (label, revenue, orders)) in values.iter().enumerate() {
                    @let height = height_of(*revenue);
                    @let x = u32::try_from(index).unwrap_or(0).saturating_mul(step);
                    rect.bar x=(x) y=(CHART_HEIGHT - height) width=(width) height=(height) fill="#3b6fd8" {
                        title { (label) ": " (revenue) " " (currency) ", " (orders) " orders" }
                    }
                }
                text x="0" y=(CHART_HEIGHT + LABEL_ROOM - 4) font-size="12" fill="#333" { (first) }
                text x=(CHART_WIDTH) y=(CHART_HEIGHT + LABEL_ROOM - 4) font-size="12" fill="#333" text-anchor="end" { (last) }
            }
            figcaption { (summary) " " (currency) "." }
        }
    }
}

/// `GET /console/reports`.
pub(crate) async fn show<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Query(range): Query<Range>,
    headers: HeaderMap,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(refused) = refusal(&staff, Operation::ViewReports) {
        return refused;
    }
    let (default_from, default_to) = last_days();
    let from = some_or(&range.from, default_from);
    let to = some_or(&range.to, default_to);
    let group = some_or(&range.group, "day".to_string());
    let sold = sales(&web, &staff, from.clone(), to.clone(), Some(group.clone())).await;
    let customers: Result<Customers, ApiError> = call::view(
        &web,
        Some(&staff.token),
        Request::ReportCustomers(ReportCustomers {
            from: from.clone(),
            to: to.clone(),
            top: Some(10),
        }),
    )
    .await;
    let status = match (&sold, &customers) {
        (Err(error), _) | (_, Err(error)) => form::status_of(error),
        _ => StatusCode::OK,
    };
    let body = html! {
        h1 { "Reports" }
        form.filters method="get" action="/console/reports" {
            label { "From" input type="date" name="from" value=(from); }
            label { "To" input type="date" name="to" value=(to); }
            label { "By"
                select name="group" { @for g in ["day", "week", "month"] { option value=(g) selected[g == group] { (g) } } }
            }
            button type="submit" { "Show" }
        }
        @match &sold {
            Err(error) => p.alert { (error.message) },
            Ok(sales) => {
                (chart(sales))
                h2 { "Sales by period" }
                (periods(sales))
                h2 { "Sales by product" }
                (products(sales))
            }
        }
        h2 { "Sales by customer" }
        @match &customers {
            Err(error) => p.alert { (error.message) },
            Ok(customers) => (by_customer(customers)),
        }
    };
    respond(status, page("Reports", &staff, body))
}

fn some_or(text: &str, default: String) -> String {
    let text = text.trim();
    if text.is_empty() {
        default
    } else {
        text.to_string()
    }
}

fn periods(sales: &Sales) -> Markup {
    html! {
        @if sales.periods.is_empty() { p { "No sales in this range." } } @else {
            div.scroll { table #sales-periods {
                tr { th { "Period" } th.num { "Orders" } th.num { "Revenue" } th.num { "Units" } th.num { "Cancelled" } }
                @for r in &sales.periods {
                    tr { td { (r.period) } td.num { (r.orders) } td.num { (r.revenue) " " (r.currency) } td.num { (r.units) } td.num { (r.cancelled) } }
                }
            } }
        }
    }
}

fn products(sales: &Sales) -> Markup {
    html! {
        @if sales.products.is_empty() { p { "No products sold in this range." } } @else {
            div.scroll { table #sales-products {
                tr { th { "SKU" } th { "Product" } th.num { "Units" } th.num { "Revenue (before tax)" } }
                @for p in &sales.products {
                    tr { td { (p.sku.as_deref().unwrap_or("?")) } td { (p.name.as_deref().unwrap_or("")) } td.num { (p.units) } td.num { (p.revenue) " " (p.currency) } }
                }
            } }
        }
    }
}

fn by_customer(customers: &Customers) -> Markup {
    html! {
        @if customers.figures.is_empty() { p { "No customer ordered in this range." } } @else {
            div.scroll { table #customer-figures {
                tr { th { "Currency" } th.num { "Customers" } th.num { "Orders" } th.num { "Revenue" } th.num { "Average order" }
                    th.num { "Repeat rate" } th.num { "New" } th.num { "Returning" } }
                @for f in &customers.figures {
                    tr { td { (f.currency) } td.num { (f.customers) } td.num { (f.orders) } td.num { (f.revenue) } td.num { (f.average_order_value) }
                        td.num { (f.repeat_purchase_rate) } td.num { (f.new_customers) } td.num { (f.returning_customers) } }
                }
            } }
            h3 { "Top customers" }
            div.scroll { table #top-customers {
                tr { th { "Customer" } th.num { "Orders" } th.num { "Revenue" } }
                @for c in &customers.top {
                    tr { td { a href={ "/console/customers/" (c.customer) } { (c.name.as_deref().unwrap_or("?")) } }
                        td.num { (c.orders) } td.num { (c.revenue) " " (c.currency) } }
                }
            } }
        }
    }
}
