//! `GET /console/orders`: the orders table with the filters of `ordo order list`
//! (customer name, reference, status, date range, archived) and cursor paging.

use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use ordo_api::request::{OrderKey, OrderList};
use ordo_api::views::OrderView;
use ordo_api::{ApiError, Request};
use ordo_core::auth::Operation;
use ordo_core::order::ALL_STATUSES;
use ordo_core::store::Store;
use serde::{Deserialize, Serialize};

use crate::layout::respond;
use crate::portal::Page;
use crate::state::WebState;
use crate::{call, csrf};

use super::{page, refusal, staff};

/// The table's filters, as the query string carries them.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(crate) struct Filters {
    #[serde(default)]
    customer_name: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    archived: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

fn some(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The orders the filters select.
async fn select<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    token: &str,
    filters: &Filters,
) -> Result<Page<OrderView>, ApiError> {
    if let Some(reference) = some(&filters.reference) {
        let order: OrderView = call::view(
            web,
            Some(token),
            Request::OrderGet(OrderKey::Text(reference)),
        )
        .await?;
        return Ok(Page {
            items: vec![order],
            next_cursor: None,
        });
    }
    call::view(
        web,
        Some(token),
        Request::OrderList(OrderList {
            customer_name: some(&filters.customer_name),
            status: some(&filters.status),
            from: some(&filters.from),
            to: some(&filters.to),
            include_archived: filters.archived.is_some(),
            cursor: filters.cursor.clone(),
            limit: Some(50),
            ..OrderList::default()
        }),
    )
    .await
}

/// `GET /console/orders`.
pub(crate) async fn list<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Query(filters): Query<Filters>,
    headers: HeaderMap,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(refused) = refusal(&staff, Operation::ReadOrders) {
        return refused;
    }
    let selected = select(&web, &staff.token, &filters).await;
    let status = match &selected {
        Ok(_) => StatusCode::OK,
        Err(error) if error.kind == "not_found" => StatusCode::OK,
        Err(error) => crate::form::status_of(error),
    };
    let next = selected
        .as_ref()
        .ok()
        .and_then(|p| p.next_cursor.clone())
        .map(|cursor| {
            let query = Filters {
                cursor: Some(cursor),
                ..filters.clone()
            };
            serde_urlencoded_query(&query)
        });
    let body = html! {
        h1 { "Orders" }
        form.filters method="get" action="/console/orders" {
            label { "Customer name" input type="text" name="customer_name" value=(filters.customer_name); }
            label { "Reference" input type="text" name="reference" value=(filters.reference); }
            label { "Status"
                select name="status" {
                    option value="" { "any" }
                    @for s in ALL_STATUSES {
                        @let s = s.name().to_string();
                        option value=(s) selected[s == filters.status] { (s) }
                    }
                }
            }
            label { "From" input type="date" name="from" value=(filters.from); }
            label { "To" input type="date" name="to" value=(filters.to); }
            label { "Archived" input type="checkbox" name="archived" value="1" checked[filters.archived.is_some()]; }
            button type="submit" { "Filter" }
        }
        @match &selected {
            Err(error) => p.alert { (error.message) },
            Ok(page) => {
                div.scroll { table #orders {
                    tr { th { "Reference" } th { "Customer" } th { "Status" } th.num { "Total" } th { "Payment" } th.hide-small { "Created" } }
                    @for order in &page.items {
                        tr {
                            td { a href={ "/console/orders/" (order.id) } { (order.reference.as_deref().unwrap_or("(draft)")) } }
                            td { (order.customer_name) }
                            td { span.badge { (order.status) } @if order.archived { " " span.badge { "archived" } } }
                            td.num { (order.total) " " (order.currency) }
                            td { (order.payment_status) }
                            td.hide-small { (order.created_at) }
                        }
                    }
                } }
                @if page.items.is_empty() { p { "No orders match." } }
            }
        }
        @if let Some(query) = next { p { a href={ "/console/orders?" (query) } { "Next page →" } } }
    };
    respond(status, page("Orders", &staff, body))
}

/// The filters as a query string.
fn serde_urlencoded_query(filters: &Filters) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("customer_name", filters.customer_name.as_str()),
        ("reference", filters.reference.as_str()),
        ("status", filters.status.as_str()),
        ("from", filters.from.as_str()),
        ("to", filters.to.as_str()),
    ] {
        if !value.is_empty() {
            query.append_pair(name, value);
        }
    }
    if filters.archived.is_some() {
        query.append_pair("archived", "1");
    }
    if let Some(cursor) = &filters.cursor {
        query.append_pair("cursor", cursor);
    }
    query.finish()
}
