//! `GET /console`: orders today and this week, orders waiting per status, low stock,
//! open tickets and the sales chart of the last 30 days — each shown only when the role
//! may read it.

use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use ordo_api::Request;
use ordo_api::request::{OrderList, ReportStock, TicketList};
use ordo_core::auth::Operation;
use ordo_core::store::Store;
use ordo_core::ticket::TicketStatus;
use serde::Deserialize;
use serde_json::Value;

use crate::layout::respond;
use crate::state::WebState;
use crate::{call, csrf};

use super::{Staff, page, staff};

/// Counted up to this many; more shows as `N+`.
pub(crate) const COUNT_CAP: usize = 50;

/// The statuses of orders waiting for the shop.
pub(crate) const WAITING: [&str; 4] = ["placed", "confirmed", "picking", "packed"];

/// A low-stock row of `report.stock`.
#[derive(Debug, Deserialize)]
struct StockRow {
    sku: String,
    name: String,
    available: u64,
    low: bool,
}

#[derive(Debug, Deserialize)]
struct Stock {
    rows: Vec<StockRow>,
}

/// How many items a listing holds (capped), as text.
fn count(listed: &Result<Value, ordo_api::ApiError>) -> String {
    match listed {
        Ok(page) => {
            let items = page["items"].as_array().map_or(0, Vec::len);
            if page["next_cursor"].is_string() {
                format!("{items}+")
            } else {
                items.to_string()
            }
        }
        Err(error) => error.message.clone(),
    }
}

async fn orders<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    staff: &Staff,
    list: OrderList,
) -> String {
    let list = OrderList {
        limit: Some(COUNT_CAP),
        ..list
    };
    count(&call::value(web, Some(&staff.token), Request::OrderList(list)).await)
}

/// Today and the Monday of this week (UTC), `YYYY-MM-DD`.
fn today_and_monday() -> (String, String) {
    let today = time::OffsetDateTime::now_utc().date();
    let monday = today
        .checked_sub(time::Duration::days(i64::from(
            today.weekday().number_days_from_monday(),
        )))
        .unwrap_or(today);
    (day(today), day(monday))
}

/// `date` as `YYYY-MM-DD`.
pub(super) fn day(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `GET /console`.
pub(crate) async fn show<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    let (today, monday) = today_and_monday();
    let mut tiles: Vec<(String, String, String)> = Vec::new();
    if staff.may(Operation::ReadOrders) {
        let on_day = orders(
            &web,
            &staff,
            OrderList {
                from: Some(today.clone()),
                ..OrderList::default()
            },
        )
        .await;
        tiles.push((
            "Orders today".into(),
            on_day,
            format!("/console/orders?from={today}"),
        ));
        let in_week = orders(
            &web,
            &staff,
            OrderList {
                from: Some(monday.clone()),
                ..OrderList::default()
            },
        )
        .await;
        tiles.push((
            "Orders this week".into(),
            in_week,
            format!("/console/orders?from={monday}"),
        ));
        for status in WAITING {
            let waiting = orders(
                &web,
                &staff,
                OrderList {
                    status: Some(status.to_string()),
                    ..OrderList::default()
                },
            )
            .await;
            tiles.push((
                format!("Waiting: {status}"),
                waiting,
                format!("/console/orders?status={status}"),
            ));
        }
    }
    if staff.may(Operation::ReadTickets) {
        let open = call::value(
            &web,
            Some(&staff.token),
            Request::TicketList(TicketList {
                status: Some(TicketStatus::Open),
                limit: Some(COUNT_CAP),
                ..TicketList::default()
            }),
        )
        .await;
        tiles.push((
            "Open tickets".into(),
            count(&open),
            "/console/tickets".into(),
        ));
    }
    let low: Option<Vec<StockRow>> = if staff.may(Operation::ViewReports) {
        call::view::<S, Stock>(
            &web,
            Some(&staff.token),
            Request::ReportStock(ReportStock::default()),
        )
        .await
        .ok()
        .map(|stock| stock.rows.into_iter().filter(|row| row.low).collect())
    } else {
        None
    };
    let chart = super::reports::dashboard_chart(&web, &staff).await;
    let body = html! {
        h1 { "Dashboard" }
        div.cards {
            @for (label, value, href) in &tiles {
                a.card href=(href) { div { (label) } div.stat { (value) } }
            }
        }
        @if let Some(rows) = &low {
            h2 { "Low stock" }
            @if rows.is_empty() { p { "Nothing is low." } } @else {
                div.scroll { table {
                    tr { th { "SKU" } th { "Product" } th.num { "Available" } }
                    @for row in rows { tr { td { (row.sku) } td { (row.name) } td.num { (row.available) } } }
                } }
            }
        }
        @if let Some(chart) = chart { (chart) }
    };
    respond(StatusCode::OK, page("Dashboard", &staff, body))
}
