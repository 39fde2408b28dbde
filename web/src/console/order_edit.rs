//! The order page's remaining forms: items (add, change a quantity, remove) while the
//! status lets lines change, the shipping address until the parcel leaves, archive and
//! restore, and refunds through the payment ledger (`payment.refund`).
//!
//! A form is offered only when the role's row of the permission matrix has its operation
//! and the order's status allows the change (the status table's own predicates:
//! `OrderStatus::lines_editable`, `address_editable`, `archivable`); the engine decides
//! either way, and a refusal re-renders the page with the error next to the field it names.

use axum::extract::{Extension, Form, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};
use ordo_api::request::{ItemChange, OnOrder, OrderKey, RemoveItem, SetAddress, WithReason};
use ordo_api::views::OrderView;
use ordo_api::{ApiError, Request};
use ordo_core::auth::Operation;
use ordo_core::customer::AddressInput;
use ordo_core::order::OrderStatus;
use ordo_core::store::Store;
use rust_decimal::Decimal;
use serde_json::json;

use crate::form::{self, Fields, Outcome, field};
use crate::layout::csrf_field;
use crate::state::WebState;
use crate::{call, csrf};

use super::Staff;
use super::order::{METHODS, act, text};

/// The address form's inputs (the engine's names for them are in
/// [`super::input_name`]).
const ADDRESS_FIELDS: [(&str, &str); 7] = [
    ("recipient", "Recipient"),
    ("line1", "Address line 1"),
    ("line2", "Address line 2"),
    ("city", "City"),
    ("region", "Region"),
    ("postal_code", "Postal code"),
    ("country", "Country (two letters)"),
];

/// The form name of a line's quantity and remove forms.
fn line_form(sku: &str) -> String {
    format!("line:{sku}")
}

fn status(order: &OrderView) -> Option<OrderStatus> {
    OrderStatus::parse(&order.status).ok()
}

/// Whether `amount` is a positive decimal.
fn positive(amount: &str) -> bool {
    amount
        .trim()
        .parse::<Decimal>()
        .is_ok_and(|value| value > Decimal::ZERO)
}

/// Whether money came in on the order (something a refund can give back).
fn has_payments(order: &OrderView) -> bool {
    positive(&order.paid)
}

/// The editing forms the role may use on this order now (below the lines table).
pub(crate) fn forms(staff: &Staff, order: &OrderView, id: u64, outcome: &Outcome) -> Markup {
    let state = status(order);
    let lines = staff.may(Operation::EditOrders)
        && !order.archived
        && state.is_some_and(OrderStatus::lines_editable);
    let address = staff.may(Operation::ChangeAddress)
        && !order.archived
        && state.is_some_and(OrderStatus::address_editable);
    let archive = staff.may(Operation::ArchiveOrders)
        && !order.archived
        && state.is_some_and(OrderStatus::archivable);
    let restore = staff.may(Operation::ArchiveOrders) && order.archived;
    let refund = staff.may(Operation::Refund) && has_payments(order);
    html! {
        @if lines { (items(staff, order, id, outcome)) }
        @if address { (address_form(staff, id, outcome)) }
        @if refund { (refund_form(staff, order, id, outcome)) }
        @if archive {
            h2 { "Archive" }
            (form::alert(outcome.form_error("archive", &["reason"])))
            form.inline #archive-form method="post" action={ "/console/orders/" (id) "/archive" } {
                (csrf_field(&staff.csrf))
                (field(outcome, "archive", "reason", "Reason", "text", ""))
                button type="submit" { "Archive the order" }
            }
        }
        @if restore {
            h2 { "Archived" }
            p { "Archived " (order.archived_at.as_deref().unwrap_or("")) ": " (order.archive_reason.as_deref().unwrap_or("")) }
            (form::alert(outcome.form_error("restore", &[])))
            form.inline #restore-form method="post" action={ "/console/orders/" (id) "/restore" } {
                (csrf_field(&staff.csrf))
                button type="submit" { "Restore the order" }
            }
        }
    }
}

/// Per line: its quantity and a remove button; then a form to add a product.
fn items(staff: &Staff, order: &OrderView, id: u64, outcome: &Outcome) -> Markup {
    let csrf = &staff.csrf;
    html! {
        h2 { "Items" }
        @for line in &order.lines {
            @let name = line_form(&line.sku);
            (form::alert(outcome.form_error(&name, &["quantity"])))
            div.line-edit {
                form.inline.quantity-form method="post" action={ "/console/orders/" (id) "/items/quantity" } {
                    (csrf_field(csrf))
                    input type="hidden" name="sku" value=(line.sku);
                    (field(outcome, &name, "quantity", &format!("{} · {}", line.sku, line.name), "number", &line.quantity.to_string()))
                    button type="submit" { "Change" }
                }
                form.inline.remove-form method="post" action={ "/console/orders/" (id) "/items/remove" } {
                    (csrf_field(csrf))
                    input type="hidden" name="sku" value=(line.sku);
                    button.danger type="submit" { "Remove " (line.sku) }
                }
            }
        }
        (form::alert(outcome.form_error("add", &["sku", "quantity"])))
        form.inline #add-item-form method="post" action={ "/console/orders/" (id) "/items/add" } {
            (csrf_field(csrf))
            (field(outcome, "add", "sku", "SKU", "text", ""))
            (field(outcome, "add", "quantity", "Quantity", "number", "1"))
            button type="submit" { "Add" }
        }
    }
}

fn address_form(staff: &Staff, id: u64, outcome: &Outcome) -> Markup {
    let inputs: Vec<&str> = ADDRESS_FIELDS.iter().map(|(input, _)| *input).collect();
    html! {
        h2 { "Change the shipping address" }
        (form::alert(outcome.form_error("address", &inputs)))
        form.stack #address-form method="post" action={ "/console/orders/" (id) "/address" } {
            (csrf_field(&staff.csrf))
            @for (input, label) in ADDRESS_FIELDS {
                (field(outcome, "address", input, label, "text", ""))
            }
            button type="submit" { "Change the address" }
        }
    }
}

fn refund_form(staff: &Staff, order: &OrderView, id: u64, outcome: &Outcome) -> Markup {
    let due = if positive(&order.refund_due) {
        order.refund_due.as_str()
    } else {
        ""
    };
    html! {
        h2 { "Refund" }
        p { "Paid " (order.paid) ", refunded " (order.refunded) " " (order.currency) "." }
        (form::alert(outcome.form_error("refund", &["amount", "method", "external_reference"])))
        form.inline #refund-form method="post" action={ "/console/orders/" (id) "/refund" } {
            (csrf_field(&staff.csrf))
            (field(outcome, "refund", "amount", "Amount", "text", due))
            label { "Method"
                select name="method" { @for m in METHODS { option value=(m) selected[outcome.value("refund", "method") == m] { (m) } } }
            }
            (field(outcome, "refund", "external_reference", "Reference", "text", ""))
            button.danger type="submit" { "Record the refund" }
        }
    }
}

/// A quantity typed in the form, or the validation error naming it.
fn quantity(fields: &Fields) -> Result<i64, ApiError> {
    text(fields, "quantity")
        .parse::<i64>()
        .map_err(|_| ApiError {
            code: "invalid_value".to_string(),
            kind: "validation".to_string(),
            field: Some("quantity".to_string()),
            message: "the quantity must be a whole number".to_string(),
        })
}

/// `POST /console/orders/{id}/items/add`.
pub(crate) async fn add_item<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let request = quantity(&fields).map(|quantity| {
        Request::OrderAddItem(ItemChange {
            order: OrderKey::Id { id },
            sku: text(&fields, "sku"),
            quantity,
        })
    });
    act(&web, &headers, &token, id, "add", fields, request).await
}

/// `POST /console/orders/{id}/items/quantity`.
pub(crate) async fn set_quantity<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let sku = text(&fields, "sku");
    let request = quantity(&fields).map(|quantity| {
        Request::OrderSetQuantity(ItemChange {
            order: OrderKey::Id { id },
            sku: sku.clone(),
            quantity,
        })
    });
    let name = line_form(&sku);
    act(&web, &headers, &token, id, &name, fields, request).await
}

/// `POST /console/orders/{id}/items/remove`.
pub(crate) async fn remove_item<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let sku = text(&fields, "sku");
    let request = Ok(Request::OrderRemoveItem(RemoveItem {
        order: OrderKey::Id { id },
        sku: sku.clone(),
    }));
    let name = line_form(&sku);
    act(&web, &headers, &token, id, &name, fields, request).await
}

/// `POST /console/orders/{id}/address`.
pub(crate) async fn set_address<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let address = AddressInput {
        recipient: text(&fields, "recipient"),
        line1: text(&fields, "line1"),
        line2: text(&fields, "line2"),
        city: text(&fields, "city"),
        region: text(&fields, "region"),
        postal_code: text(&fields, "postal_code"),
        country: text(&fields, "country"),
    };
    let request = Ok(Request::OrderSetAddress(SetAddress {
        order: OrderKey::Id { id },
        address,
    }));
    act(&web, &headers, &token, id, "address", fields, request).await
}

/// `POST /console/orders/{id}/archive`.
pub(crate) async fn archive<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let request = Ok(Request::OrderArchive(WithReason {
        order: OrderKey::Id { id },
        reason: text(&fields, "reason"),
    }));
    act(&web, &headers, &token, id, "archive", fields, request).await
}

/// `POST /console/orders/{id}/restore`.
pub(crate) async fn restore<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let request = Ok(Request::OrderRestore(OnOrder {
        order: OrderKey::Id { id },
    }));
    act(&web, &headers, &token, id, "restore", fields, request).await
}

/// `POST /console/orders/{id}/refund`: a refund in the order's currency, recorded in its
/// payment ledger (`payment.refund`).
pub(crate) async fn refund<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let currency = super::order::currency(&web, &headers, id).await;
    let request = call::request(
        "payment.refund",
        json!({
            "order": id,
            "amount": {"amount": text(&fields, "amount"), "currency": currency},
            "method": text(&fields, "method"),
            "external_reference": text(&fields, "external_reference"),
        }),
    )
    .map_err(|mut error| {
        // The only free-text argument the contract parses is the amount.
        error.field = Some("amount".to_string());
        error.kind = "validation".to_string();
        error.message = "the amount must be a number such as 12.50".to_string();
        error
    });
    act(&web, &headers, &token, id, "refund", fields, request).await
}
