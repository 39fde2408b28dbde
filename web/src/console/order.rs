//! `GET /console/orders/{id}`: lines, totals, payments, shipments and the audit history,
//! with forms for the actions the role may take (status, cancel, ship, record payment).
//! A refused form re-renders the page with the error next to the field it names and the
//! input kept.

use axum::extract::{Extension, Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use ordo_api::request::{OnOrder, OrderKey, SetStatus, WithReason};
use ordo_api::views::{AuditEntryView, OrderView, ShipmentView};
use ordo_api::{ApiError, Request};
use ordo_core::auth::Operation;
use ordo_core::order::OrderStatus;
use ordo_core::store::Store;
use serde_json::json;

use crate::form::{self, Fields, Outcome, field};
use crate::layout::{csrf_field, respond, see_other};
use crate::portal::cancellable;
use crate::state::WebState;
use crate::{call, csrf};

use super::{Staff, page, staff};

/// The payment methods a payment may be recorded with (their wire names).
pub(super) const METHODS: [&str; 4] = ["card", "cash", "bank_transfer", "cash_on_delivery"];

/// `GET /console/orders/{id}`.
pub(crate) async fn show<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    render(&web, &staff, id, &Outcome::default()).await
}

/// The statuses the form offers: the table's next steps, but cancelling (its own form).
fn next_statuses(status: &str) -> Vec<&'static str> {
    OrderStatus::parse(status)
        .map(|status| {
            status
                .allowed_next()
                .iter()
                .filter(|next| **next != OrderStatus::Cancelled)
                .map(|next| next.name())
                .collect()
        })
        .unwrap_or_default()
}

async fn render<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    staff: &Staff,
    id: u64,
    outcome: &Outcome,
) -> Response {
    let key = OrderKey::Id { id };
    let session = Some(staff.token.as_str());
    let order: OrderView = match call::view(web, session, Request::OrderGet(key.clone())).await {
        Ok(order) => order,
        Err(error) => {
            let body = html! { h1 { "Order" } p.alert { (error.message) } };
            return respond(form::status_of(&error), page("Order", staff, body));
        }
    };
    let shipments: Vec<ShipmentView> = call::view(
        web,
        session,
        Request::OrderShipments(OnOrder { order: key.clone() }),
    )
    .await
    .unwrap_or_default();
    let history: Option<Vec<AuditEntryView>> = if staff.may(Operation::ReadAudit) {
        call::view(web, session, Request::OrderHistory(OnOrder { order: key }))
            .await
            .ok()
    } else {
        None
    };
    let status = outcome
        .error
        .as_ref()
        .map_or(StatusCode::OK, form::status_of);
    let reference = order.reference.clone().unwrap_or_else(|| "(draft)".into());
    let body = html! {
        h1 { "Order " span.reference { (reference) } }
        p { "Customer: " (order.customer_name) " · Status: " span.badge #status { (order.status) }
            " · Payment: " (order.payment_status) " (paid " (order.paid) ", due " (order.balance_due) " " (order.currency) ")" }
        div.scroll { table {
            tr { th { "SKU" } th { "Product" } th.num { "Qty" } th.num { "Unit" } th.num { "Total" } }
            @for line in &order.lines {
                tr { td { (line.sku) } td { (line.name) } td.num { (line.quantity) } td.num { (line.unit_price) } td.num { (line.line_total) } }
            }
            tr { th colspan="4" { "Subtotal" } td.num { (order.totals.subtotal) } }
            tr { th colspan="4" { "Discount" } td.num { (order.totals.discount) } }
            tr { th colspan="4" { "Tax" } td.num { (order.totals.tax) } }
            tr { th colspan="4" { "Shipping" } td.num { (order.totals.shipping) } }
            tr { th colspan="4" { "Total" } td.num { strong { (order.totals.total) " " (order.currency) } } }
        } }
        p { "Ships to: " (order.shipping_address) " (" (order.shipping_method) ")" }
        (actions(staff, &order, id, outcome))
        (super::order_edit::forms(staff, &order, id, outcome))
        h2 { "Payments" }
        @if order.payments.is_empty() { p { "None." } } @else {
            div.scroll { table {
                tr { th { "Kind" } th.num { "Amount" } th { "Method" } th { "Reference" } th { "At" } }
                @for p in &order.payments { tr { td { (p.kind) } td.num { (p.amount) } td { (p.method) } td { (p.external_reference) } td { (p.at) } } }
            } }
        }
        h2 { "Shipments" }
        @if shipments.is_empty() { p { "None." } } @else {
            div.scroll { table {
                tr { th { "#" } th { "Carrier" } th { "Tracking" } th { "Status" } th { "Shipped" } }
                @for s in &shipments { tr { td { (s.number) } td { (s.carrier) } td { (s.tracking_number) } td { (s.status) } td { (s.shipped_at) } } }
            } }
        }
        @if let Some(entries) = &history {
            h2 { "History" }
            div.scroll { table {
                tr { th { "At" } th { "Who" } th { "What" } th { "Changes" } }
                @for entry in entries {
                    tr { td { (entry.at) } td { (entry.actor) } td { (entry.action) }
                        td { @for change in &entry.changes {
                            (change.field) ": " (change.before.as_deref().unwrap_or("—")) " → " (change.after.as_deref().unwrap_or("—")) br;
                        } } }
                }
            } }
        }
    };
    respond(status, page(&format!("Order {reference}"), staff, body))
}

/// The forms the role may use on this order now.
fn actions(staff: &Staff, order: &OrderView, id: u64, outcome: &Outcome) -> Markup {
    let next = next_statuses(&order.status);
    let may_move = staff.may(Operation::Fulfil) || staff.may(Operation::ConfirmOrders);
    let may_ship = staff.may(Operation::ShipOrders)
        && next
            .iter()
            .any(|s| *s == "shipped" || *s == "partially_shipped");
    let csrf = &staff.csrf;
    html! {
        @if may_move && !next.is_empty() {
            h2 { "Move to" }
            (form::alert(outcome.form_error("status", &["status"])))
            form.inline #status-form method="post" action={ "/console/orders/" (id) "/status" } {
                (csrf_field(csrf))
                label { "Status"
                    select name="status" { @for s in &next { option value=(s) { (s) } } }
                    @if let Some(m) = outcome.field_error("status", "status") { span.error { (m) } }
                }
                button type="submit" { "Move" }
            }
        }
        @if may_ship {
            h2 { "Ship" }
            (form::alert(outcome.form_error("ship", &["carrier", "tracking_number", "weight_kg"])))
            form.inline #ship-form method="post" action={ "/console/orders/" (id) "/ship" } {
                (csrf_field(csrf))
                (field(outcome, "ship", "carrier", "Carrier", "text", ""))
                (field(outcome, "ship", "tracking_number", "Tracking number", "text", ""))
                (field(outcome, "ship", "weight_kg", "Weight (kg)", "text", ""))
                button type="submit" { "Ship everything left" }
            }
        }
        @if staff.may(Operation::RecordPayments) && order.status != "draft" && order.status != "cancelled" {
            h2 { "Record a payment" }
            (form::alert(outcome.form_error("pay", &["amount", "method"])))
            form.inline #pay-form method="post" action={ "/console/orders/" (id) "/pay" } {
                (csrf_field(csrf))
                (field(outcome, "pay", "amount", "Amount", "text", &order.balance_due))
                label { "Method"
                    select name="method" { @for m in METHODS { option value=(m) selected[outcome.value("pay", "method") == m] { (m) } } }
                }
                button type="submit" { "Record" }
            }
        }
        @if staff.may(Operation::CancelOrders) && cancellable(&order.status) {
            h2 { "Cancel" }
            (form::alert(outcome.form_error("cancel", &["reason"])))
            form.inline #cancel-form method="post" action={ "/console/orders/" (id) "/cancel" } {
                (csrf_field(csrf))
                (field(outcome, "cancel", "reason", "Reason", "text", ""))
                button.danger type="submit" { "Cancel the order" }
            }
        }
    }
}

/// Runs a form's request; back to the order page, or the page with the refusal (its
/// `field` named as the form's input, [`super::input_name`]).
pub(super) async fn act<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    headers: &HeaderMap,
    token: &csrf::Token,
    id: u64,
    form_name: &str,
    fields: Fields,
    request: Result<Request, ApiError>,
) -> Response {
    let staff = match staff(web, headers, token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    match super::submit(web, &staff, request).await {
        Ok(()) => see_other(&format!("/console/orders/{id}"), Vec::new()),
        Err(error) => {
            let outcome = Outcome {
                form: form_name.to_string(),
                input: fields,
                error: Some(error),
            };
            render(web, &staff, id, &outcome).await
        }
    }
}

/// The trimmed value of input `name` (empty when absent).
pub(super) fn text(fields: &Fields, name: &str) -> String {
    fields
        .get(name)
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// `POST /console/orders/{id}/status`.
pub(crate) async fn set_status<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let request = Ok(Request::OrderSetStatus(SetStatus {
        order: OrderKey::Id { id },
        status: text(&fields, "status"),
    }));
    act(&web, &headers, &token, id, "status", fields, request).await
}

/// `POST /console/orders/{id}/cancel`.
pub(crate) async fn cancel<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let request = Ok(Request::OrderCancel(WithReason {
        order: OrderKey::Id { id },
        reason: text(&fields, "reason"),
    }));
    act(&web, &headers, &token, id, "cancel", fields, request).await
}

/// `POST /console/orders/{id}/ship`: every unit left, with the carrier's tracking number.
pub(crate) async fn ship<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let weight = text(&fields, "weight_kg");
    let request = call::request(
        "order.ship",
        json!({
            "order": id,
            "carrier": text(&fields, "carrier"),
            "tracking_number": text(&fields, "tracking_number"),
            "weight_kg": if weight.is_empty() { None } else { Some(weight) },
        }),
    );
    act(&web, &headers, &token, id, "ship", fields, request).await
}

/// `POST /console/orders/{id}/pay`: a payment in the order's currency.
pub(crate) async fn pay<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let currency = currency(&web, &headers, id).await;
    let request = call::request(
        "payment.record",
        json!({
            "order": id,
            "amount": {"amount": text(&fields, "amount"), "currency": currency},
            "method": text(&fields, "method"),
        }),
    )
    .map_err(|mut error| {
        // The only free-text argument is the amount.
        error.field = Some("amount".to_string());
        error.kind = "validation".to_string();
        error.message = "the amount must be a number such as 12.50".to_string();
        error
    });
    act(&web, &headers, &token, id, "pay", fields, request).await
}

/// The currency of order `id` as the console session sees it (empty when it does not: the
/// request is then refused like any other for that order).
pub(super) async fn currency<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    headers: &HeaderMap,
    id: u64,
) -> String {
    let staff_token = crate::cookies::get(headers, crate::cookies::CONSOLE);
    match call::view::<S, OrderView>(
        web,
        staff_token.as_deref(),
        Request::OrderGet(OrderKey::Id { id }),
    )
    .await
    {
        Ok(order) => order.currency,
        Err(_) => String::new(),
    }
}
