//! "My orders" (`GET /orders`), one order with its shipments (`GET /orders/{reference}`),
//! cancelling where the order's status allows it, and tracking several orders at once by
//! reference (`GET /track?refs=A B`).

use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use ordo_api::request::{OnOrder, OrderKey, OrderList, WithReason};
use ordo_api::views::{OrderView, ShipmentView};
use ordo_api::{ApiError, Request};
use ordo_core::order::OrderStatus;
use ordo_core::store::Store;
use serde::Deserialize;

use crate::form::{self, Fields};
use crate::layout::{csrf_field, respond, see_other};
use crate::state::WebState;
use crate::{call, csrf};

use super::catalog::Page;
use super::{Visitor, page, visitor};

/// The most references one tracking request looks up.
pub(crate) const MAX_TRACKED: usize = 20;

/// Query of `GET /orders`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Cursor {
    cursor: Option<String>,
}

/// Query of `GET /orders/{reference}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Placed {
    placed: Option<String>,
}

/// Query of `GET /track`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Track {
    refs: Option<String>,
}

/// Whether the order's status may move to cancelled (the one transition table).
pub(crate) fn cancellable(status: &str) -> bool {
    OrderStatus::parse(status)
        .is_ok_and(|status| status.allowed_next().contains(&OrderStatus::Cancelled))
}

/// `GET /orders`.
pub(crate) async fn mine<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Query(cursor): Query<Cursor>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_none() {
        return see_other("/signin", Vec::new());
    }
    let listed: Result<Page<OrderView>, _> = call::view(
        &web,
        visitor.token(),
        Request::OrderList(OrderList {
            limit: Some(25),
            cursor: cursor.cursor,
            ..OrderList::default()
        }),
    )
    .await;
    let body = match listed {
        Err(error) => html! { h1 { "My orders" } p.alert { (error.message) } },
        Ok(page) => html! {
            h1 { "My orders" }
            div.scroll { table {
                tr { th { "Reference" } th { "Status" } th.num { "Total" } th.hide-small { "Placed" } }
                @for order in page.items.iter().filter(|o| o.reference.is_some()) {
                    @let reference = order.reference.clone().unwrap_or_default();
                    tr {
                        td { a href={ "/orders/" (reference) } { (reference) } }
                        td { span.badge { (order.status) } }
                        td.num { (order.total) " " (order.currency) }
                        td.hide-small { (order.created_at) }
                    }
                }
            } }
            @if let Some(next) = &page.next_cursor {
                p { a href={ "/orders?cursor=" (next) } { "Older orders →" } }
            }
        },
    };
    respond(StatusCode::OK, page("My orders", &visitor, body))
}

fn shipments_table(shipments: &[ShipmentView]) -> Markup {
    html! {
        @if !shipments.is_empty() {
            h2 { "Shipments" }
            div.scroll { table {
                tr { th { "Carrier" } th { "Tracking number" } th { "Status" } th { "Latest" } }
                @for shipment in shipments {
                    tr {
                        td { (shipment.carrier) }
                        td { (shipment.tracking_number) }
                        td { (shipment.status) }
                        td { @if let Some(event) = shipment.events.last() { (event.status) " " (event.location) " · " (event.at) } }
                    }
                }
            } }
        }
    }
}

async fn order_and_shipments<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    visitor: &Visitor,
    reference: &str,
) -> Result<(OrderView, Vec<ShipmentView>), ApiError> {
    let key = OrderKey::Reference {
        reference: reference.to_string(),
    };
    let order: OrderView = call::view(web, visitor.token(), Request::OrderGet(key.clone())).await?;
    let shipments: Vec<ShipmentView> = call::view(
        web,
        visitor.token(),
        Request::OrderShipments(OnOrder { order: key }),
    )
    .await
    .unwrap_or_default();
    Ok((order, shipments))
}

/// `GET /orders/{reference}`.
pub(crate) async fn one<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(reference): Path<String>,
    Query(placed): Query<Placed>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_none() {
        return see_other("/signin", Vec::new());
    }
    render_one(&web, &visitor, &reference, placed.placed.is_some(), None).await
}

async fn render_one<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    visitor: &Visitor,
    reference: &str,
    just_placed: bool,
    refused: Option<ApiError>,
) -> Response {
    let (order, shipments) = match order_and_shipments(web, visitor, reference).await {
        Ok(found) => found,
        Err(error) => {
            let status = form::status_of(&error);
            let body = html! { h1 { "Order" } p.alert { (error.message) } };
            return respond(status, page("Order", visitor, body));
        }
    };
    let status = refused.as_ref().map_or(StatusCode::OK, form::status_of);
    let body = html! {
        @if just_placed {
            p.notice role="status" { "Thank you! Your order is placed. Its reference is "
                span.reference { (reference) } "." }
        }
        h1 { "Order " span.reference { (reference) } }
        @if let Some(error) = &refused { p.alert role="alert" { (error.message) } }
        p { "Status: " span.badge #status { (order.status) } " · Payment: " (order.payment_status) }
        div.scroll { table {
            tr { th { "Product" } th.num { "Quantity" } th.num { "Total" } }
            @for line in &order.lines {
                tr { td { (line.name) } td.num { (line.quantity) } td.num { (line.line_total) } }
            }
            tr { th colspan="2" { "Total" } td.num { strong { (order.totals.total) " " (order.currency) } } }
        } }
        p { "Ships to: " (order.shipping_address) }
        (shipments_table(&shipments))
        p { a href={ "/tickets?order=" (reference) "#open" } { "A question about this order?" } }
        @if cancellable(&order.status) {
            h2 { "Cancel this order" }
            form.stack method="post" action={ "/orders/" (reference) "/cancel" } {
                (csrf_field(&visitor.csrf))
                label { "Why?" input type="text" name="reason" required maxlength="200"; }
                button.danger type="submit" { "Cancel the order" }
            }
        }
    };
    respond(status, page(&format!("Order {reference}"), visitor, body))
}

/// `POST /orders/{reference}/cancel`.
pub(crate) async fn cancel<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_none() {
        return see_other("/signin", Vec::new());
    }
    let request = Request::OrderCancel(WithReason {
        order: OrderKey::Reference {
            reference: reference.clone(),
        },
        reason: fields.get("reason").cloned().unwrap_or_default(),
    });
    match call::value(&web, visitor.token(), request).await {
        Ok(_) => see_other(&format!("/orders/{reference}"), Vec::new()),
        Err(error) => render_one(&web, &visitor, &reference, false, Some(error)).await,
    }
}

/// `GET /track?refs=REF REF …`: several orders at once; a reference of someone else's
/// order reads exactly like one that does not exist (the engine's answer).
pub(crate) async fn track<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Query(track): Query<Track>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    let asked = track.refs.unwrap_or_default();
    let references: Vec<String> = asked
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|r| !r.is_empty())
        .take(MAX_TRACKED)
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    if visitor.session.is_some() {
        for reference in &references {
            rows.push((
                reference.clone(),
                order_and_shipments(&web, &visitor, reference).await,
            ));
        }
    }
    let body = html! {
        h1 { "Track orders" }
        form.filters method="get" action="/track" {
            label { "References (several at once, separated by spaces)"
                input type="text" name="refs" value=(asked) size="40"; }
            button type="submit" { "Track" }
        }
        @if visitor.session.is_none() {
            p { a href="/signin" { "Sign in" } " to track your orders." }
        }
        @for (reference, found) in &rows {
            section.card {
                h2 { (reference) }
                @match found {
                    Ok((order, shipments)) => {
                        p { "Status: " span.badge.tracked { (order.status) } }
                        (shipments_table(shipments))
                    }
                    Err(error) => p.alert { (error.message) },
                }
            }
        }
    };
    respond(StatusCode::OK, page("Track", &visitor, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_statuses_the_table_lets_cancel_offer_it() {
        assert!(cancellable("placed"));
        assert!(cancellable("picking"));
        assert!(!cancellable("shipped"));
        assert!(!cancellable("cancelled"));
        assert!(!cancellable("nonsense"));
    }
}
