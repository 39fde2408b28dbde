//! The cart: the customer's draft order (`order.create` with `draft`, `order.add_item`,
//! `order.set_quantity`, `order.remove_item`) and checkout (`order.set_status placed`),
//! which shows the order's reference.

use axum::extract::{Extension, Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use ordo_api::request::{ItemChange, OrderKey, OrderList, RemoveItem, SetStatus};
use ordo_api::views::OrderView;
use ordo_api::{ApiError, Request};
use ordo_core::store::Store;
use serde_json::json;

use crate::form::{self, Fields};
use crate::layout::{csrf_field, respond, see_other};
use crate::state::WebState;
use crate::{call, csrf};

use super::catalog::Page;
use super::{Visitor, page, visitor};

/// The signed-in customer's draft order, if they have one.
async fn draft<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    visitor: &Visitor,
) -> Result<Option<OrderView>, ApiError> {
    let page: Page<OrderView> = call::view(
        web,
        visitor.token(),
        Request::OrderList(OrderList {
            status: Some("draft".to_string()),
            limit: Some(1),
            ..OrderList::default()
        }),
    )
    .await?;
    Ok(page.items.into_iter().next())
}

fn signed_out() -> Response {
    see_other("/signin", Vec::new())
}

/// `GET /cart`.
pub(crate) async fn show<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_none() {
        return signed_out();
    }
    render(&web, &visitor, None, StatusCode::OK).await
}

async fn render<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    visitor: &Visitor,
    error: Option<ApiError>,
    status: StatusCode,
) -> Response {
    let cart = draft(web, visitor).await;
    let csrf = &visitor.csrf;
    let body = html! {
        h1 { "Your cart" }
        @if let Some(error) = &error { p.alert role="alert" { (error.message) } }
        @match &cart {
            Err(error) => p.alert { (error.message) },
            Ok(None) => p { "Your cart is empty. " a href="/" { "Browse the catalog" } },
            Ok(Some(order)) => {
                div.scroll { table {
                    tr { th { "Product" } th.num.hide-small { "Unit" } th { "Quantity" } th.num { "Total" } th {} }
                    @for line in &order.lines {
                        tr {
                            td { (line.name) br; small { (line.sku) } }
                            td.num.hide-small { (line.unit_price) }
                            td {
                                form.inline method="post" action="/cart/quantity" {
                                    (csrf_field(csrf))
                                    input type="hidden" name="sku" value=(line.sku);
                                    input type="number" name="quantity" value=(line.quantity) min="1" size="4" aria-label="Quantity";
                                    button type="submit" { "Update" }
                                }
                            }
                            td.num { (line.line_total) }
                            td {
                                form.inline method="post" action="/cart/remove" {
                                    (csrf_field(csrf))
                                    input type="hidden" name="sku" value=(line.sku);
                                    button.danger type="submit" { "Remove" }
                                }
                            }
                        }
                    }
                    tr { th colspan="3" { "Subtotal" } td.num { (order.totals.subtotal) } td {} }
                    tr { th colspan="3" { "Tax" } td.num { (order.totals.tax) } td {} }
                    tr { th colspan="3" { "Shipping" } td.num { (order.totals.shipping) } td {} }
                    tr { th colspan="3" { "Total" } td.num { strong { (order.totals.total) " " (order.currency) } } td {} }
                } }
                p { "Ships to: " (order.shipping_address) }
                form method="post" action="/cart/checkout" {
                    (csrf_field(csrf))
                    button type="submit" { "Place the order" }
                }
            }
        }
    };
    respond(status, page("Cart", visitor, body))
}

/// The quantity of a form, or the field's error.
fn quantity(fields: &Fields) -> Result<i64, ApiError> {
    fields
        .get("quantity")
        .and_then(|q| q.trim().parse::<i64>().ok())
        .ok_or_else(|| ApiError {
            code: "invalid_value".to_string(),
            kind: "validation".to_string(),
            field: Some("quantity".to_string()),
            message: "quantity must be a whole number".to_string(),
        })
}

fn sku(fields: &Fields) -> String {
    fields.get("sku").cloned().unwrap_or_default()
}

/// After a cart change: back to the cart, or the cart with the refusal.
async fn after<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    visitor: &Visitor,
    done: Result<(), ApiError>,
) -> Response {
    match done {
        Ok(()) => see_other("/cart", Vec::new()),
        Err(error) => {
            let status = form::status_of(&error);
            render(web, visitor, Some(error), status).await
        }
    }
}

/// `POST /cart/add`: into the draft, or a new draft.
pub(crate) async fn add<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    let Some(customer) = visitor.customer_id() else {
        return signed_out();
    };
    let done = async {
        let quantity = quantity(&fields)?;
        let sku = sku(&fields);
        let request = match draft(&web, &visitor).await? {
            Some(order) => Request::OrderAddItem(ItemChange {
                order: OrderKey::Id { id: order.id },
                sku,
                quantity,
            }),
            None => call::request(
                "order.create",
                json!({
                    "customer": customer,
                    "items": [{"sku": sku, "quantity": quantity}],
                    "shipping": "standard",
                    "payment": "card",
                    "draft": true,
                }),
            )?,
        };
        call::value(&web, visitor.token(), request).await.map(drop)
    }
    .await;
    after(&web, &visitor, done).await
}

/// `POST /cart/quantity`.
pub(crate) async fn quantity_change<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_none() {
        return signed_out();
    }
    let done = async {
        let quantity = quantity(&fields)?;
        let order = draft(&web, &visitor).await?.ok_or_else(empty)?;
        let request = Request::OrderSetQuantity(ItemChange {
            order: OrderKey::Id { id: order.id },
            sku: sku(&fields),
            quantity,
        });
        call::value(&web, visitor.token(), request).await.map(drop)
    }
    .await;
    after(&web, &visitor, done).await
}

/// `POST /cart/remove`.
pub(crate) async fn remove<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_none() {
        return signed_out();
    }
    let done = async {
        let order = draft(&web, &visitor).await?.ok_or_else(empty)?;
        let request = Request::OrderRemoveItem(RemoveItem {
            order: OrderKey::Id { id: order.id },
            sku: sku(&fields),
        });
        call::value(&web, visitor.token(), request).await.map(drop)
    }
    .await;
    after(&web, &visitor, done).await
}

/// `POST /cart/checkout`: places the draft and shows its reference.
pub(crate) async fn checkout<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_none() {
        return signed_out();
    }
    let placed = async {
        let order = draft(&web, &visitor).await?.ok_or_else(empty)?;
        let placed: OrderView = call::view(
            &web,
            visitor.token(),
            Request::OrderSetStatus(SetStatus {
                order: OrderKey::Id { id: order.id },
                status: "placed".to_string(),
            }),
        )
        .await?;
        Ok::<_, ApiError>(placed)
    }
    .await;
    match placed {
        Ok(order) => {
            let reference = order.reference.unwrap_or_else(|| order.id.to_string());
            see_other(&format!("/orders/{reference}?placed=1"), Vec::new())
        }
        Err(error) => {
            let status = form::status_of(&error);
            render(&web, &visitor, Some(error), status).await
        }
    }
}

fn empty() -> ApiError {
    ApiError {
        code: "empty_cart".to_string(),
        kind: "conflict".to_string(),
        field: None,
        message: "your cart is empty".to_string(),
    }
}
