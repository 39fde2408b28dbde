//! `/console/customers`: search (name, phone, Registration ID or id, as `customer.get` and
//! `customer.list` take them), a customer's profile with their purchases (orders linked),
//! communication log and a form to add to it, and the registrations waiting for staff
//! approval (business accounts) with approve and reject.
//!
//! Reading needs `ReadCustomers`; purchases and the log `ReadMessages`; writing to the log
//! `LogMessages`; approving `ApproveCustomers` — each part shown only to a role that has it.

use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use ordo_api::request::{
    CustomerKey, CustomerList, LogMessage, Messages, OnCustomer, OrderKey, Reject,
};
use ordo_api::views::{CustomerView, MessageView, PurchasesView};
use ordo_api::{ApiError, Request};
use ordo_core::auth::Operation;
use ordo_core::customer::CustomerStatus;
use ordo_core::store::Store;
use serde::Deserialize;

use crate::form::{self, Fields, Outcome, field};
use crate::layout::{csrf_field, respond, see_other};
use crate::portal::Page;
use crate::state::WebState;
use crate::{call, csrf};

use super::order::text;
use super::{Staff, page, refusal, staff};

/// Customers per page of the list.
const PAGE_SIZE: usize = 50;
/// Customers read per `customer.list` call while looking for pending registrations.
const SCAN_PAGE: usize = 500;
/// At most this many pages are read for the pending list (the contract has no status
/// filter): 20 × 500 customers; a shop past that is told so.
const SCAN_PAGES_MAX: usize = 20;
/// The channels a staff user may log a message under (`customer.log`).
const CHANNELS: [&str; 4] = ["note", "email", "sms", "telegram"];

/// The search box and the page cursor.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Search {
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: Option<u64>,
}

/// Whether `q` names one customer by key: a phone (`+…`), a Registration ID (`CUS-…`) or
/// an id (digits); anything else is searched as a name.
fn is_key(q: &str) -> bool {
    q.starts_with('+')
        || q.to_ascii_uppercase().starts_with("CUS-")
        || (!q.is_empty() && q.chars().all(|c| c.is_ascii_digit()))
}

async fn search<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    staff: &Staff,
    search: &Search,
) -> Result<Page<CustomerView>, ApiError> {
    let q = search.q.trim();
    if is_key(q) {
        let found = call::view::<S, CustomerView>(
            web,
            Some(&staff.token),
            Request::CustomerGet(CustomerKey::Text(q.to_string())),
        )
        .await;
        return match found {
            Ok(customer) => Ok(Page {
                items: vec![customer],
                next_cursor: None,
            }),
            Err(error) if error.kind == "not_found" => Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            }),
            Err(error) => Err(error),
        };
    }
    call::view(
        web,
        Some(&staff.token),
        Request::CustomerList(CustomerList {
            name: (!q.is_empty()).then(|| q.to_string()),
            after: search.after,
            limit: Some(PAGE_SIZE),
        }),
    )
    .await
}

fn table(customers: &[CustomerView]) -> Markup {
    html! {
        div.scroll { table #customers {
            tr { th { "Name" } th { "Kind" } th { "Phone" } th.hide-small { "Email" } th { "Status" } th.hide-small { "Registration ID" } }
            @for c in customers {
                tr {
                    td { a href={ "/console/customers/" (c.id) } { (c.name) } @if let Some(company) = &c.company { " · " (company) } }
                    td { (c.kind) }
                    td { (c.phone) }
                    td.hide-small { (c.email) }
                    td { span.badge { (c.status) } }
                    td.hide-small { (c.registration_id.as_deref().unwrap_or("")) }
                }
            }
        } }
        @if customers.is_empty() { p { "No customers match." } }
    }
}

/// `GET /console/customers`.
pub(crate) async fn list<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Query(query): Query<Search>,
    headers: HeaderMap,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(refused) = refusal(&staff, Operation::ReadCustomers) {
        return refused;
    }
    let found = search(&web, &staff, &query).await;
    let status = found
        .as_ref()
        .map_or_else(form::status_of, |_| StatusCode::OK);
    let next = found
        .as_ref()
        .ok()
        .and_then(|p| p.next_cursor.as_deref())
        .and_then(|cursor| cursor.parse::<u64>().ok())
        .map(|after| {
            form_urlencoded::Serializer::new(String::new())
                .append_pair("q", query.q.trim())
                .append_pair("after", &after.to_string())
                .finish()
        });
    let body = html! {
        h1 { "Customers" }
        @if staff.may(Operation::ApproveCustomers) {
            p { a href="/console/customers/pending" { "Registrations waiting for approval" } }
        }
        form.filters method="get" action="/console/customers" {
            label { "Name, phone (+…), Registration ID (CUS-…) or id"
                input type="search" name="q" value=(query.q); }
            button type="submit" { "Search" }
        }
        @match &found {
            Err(error) => p.alert { (error.message) },
            Ok(page) => (table(&page.items)),
        }
        @if let Some(query) = next { p { a href={ "/console/customers?" (query) } { "Next page →" } } }
    };
    respond(status, page("Customers", &staff, body))
}

/// Customers waiting for staff approval, oldest first, reading at most
/// [`SCAN_PAGES_MAX`] pages; `true` when more customers were left unread.
async fn pending_ones<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    staff: &Staff,
) -> Result<(Vec<CustomerView>, bool), ApiError> {
    let waiting = CustomerStatus::PendingApproval.to_string();
    let mut found = Vec::new();
    let mut after = None;
    for _ in 0..SCAN_PAGES_MAX {
        let page: Page<CustomerView> = call::view(
            web,
            Some(&staff.token),
            Request::CustomerList(CustomerList {
                name: None,
                after,
                limit: Some(SCAN_PAGE),
            }),
        )
        .await?;
        found.extend(page.items.into_iter().filter(|c| c.status == waiting));
        match page.next_cursor.and_then(|c| c.parse::<u64>().ok()) {
            Some(next) => after = Some(next),
            None => return Ok((found, false)),
        }
    }
    Ok((found, true))
}

/// `GET /console/customers/pending`.
pub(crate) async fn pending<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(refused) = refusal(&staff, Operation::ApproveCustomers) {
        return refused;
    }
    let found = pending_ones(&web, &staff).await;
    let status = found
        .as_ref()
        .map_or_else(form::status_of, |_| StatusCode::OK);
    let body = html! {
        h1 { "Registrations waiting for approval" }
        @match &found {
            Err(error) => p.alert { (error.message) },
            Ok((customers, more)) => {
                @if *more { p.alert { "Only the first " (SCAN_PAGE * SCAN_PAGES_MAX) " customers were read." } }
                @if customers.is_empty() { p { "Nobody is waiting." } } @else {
                    div.scroll { table #pending {
                        tr { th { "Name" } th { "Company" } th { "Tax id" } th { "Phone" } th { "Registered" } th { "Decide" } }
                        @for c in customers {
                            tr {
                                td { a href={ "/console/customers/" (c.id) } { (c.name) } }
                                td { (c.company.as_deref().unwrap_or("")) }
                                td { (c.tax_id.as_deref().unwrap_or("")) }
                                td { (c.phone) }
                                td { (c.created_at) }
                                td { (decide(&staff, c.id, &Outcome::default())) }
                            }
                        }
                    } }
                }
            }
        }
    };
    respond(status, page("Pending registrations", &staff, body))
}

/// The approve and reject forms of a pending registration.
fn decide(staff: &Staff, id: u64, outcome: &Outcome) -> Markup {
    html! {
        (form::alert(outcome.form_error("approve", &[])))
        form.inline.approve-form method="post" action={ "/console/customers/" (id) "/approve" } {
            (csrf_field(&staff.csrf))
            button type="submit" { "Approve" }
        }
        (form::alert(outcome.form_error("reject", &["reason"])))
        form.inline.reject-form method="post" action={ "/console/customers/" (id) "/reject" } {
            (csrf_field(&staff.csrf))
            (field(outcome, "reject", "reason", "Reason (shown to the customer)", "text", ""))
            button.danger type="submit" { "Reject" }
        }
    }
}

/// `GET /console/customers/{id}`.
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
    if let Some(refused) = refusal(&staff, Operation::ReadCustomers) {
        return refused;
    }
    render(&web, &staff, id, &Outcome::default()).await
}

async fn render<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    staff: &Staff,
    id: u64,
    outcome: &Outcome,
) -> Response {
    let session = Some(staff.token.as_str());
    let key = CustomerKey::Id { id };
    let customer: CustomerView =
        match call::view(web, session, Request::CustomerGet(key.clone())).await {
            Ok(customer) => customer,
            Err(error) => {
                let body = html! { h1 { "Customer" } p.alert { (error.message) } };
                return respond(form::status_of(&error), page("Customer", staff, body));
            }
        };
    let (purchases, messages) = if staff.may(Operation::ReadMessages) {
        let purchases: Result<PurchasesView, ApiError> = call::view(
            web,
            session,
            Request::CustomerPurchases(OnCustomer {
                customer: key.clone(),
            }),
        )
        .await;
        let messages: Result<Vec<MessageView>, ApiError> = call::view(
            web,
            session,
            Request::CustomerMessages(Messages {
                customer: key,
                limit: Some(100),
            }),
        )
        .await;
        (Some(purchases), Some(messages))
    } else {
        (None, None)
    };
    let status = outcome
        .error
        .as_ref()
        .map_or(StatusCode::OK, form::status_of);
    let waiting = customer.status == CustomerStatus::PendingApproval.to_string();
    let body = html! {
        h1 { (customer.name) }
        (profile(&customer))
        @if waiting && staff.may(Operation::ApproveCustomers) {
            h2 { "Waiting for approval" }
            (decide(staff, customer.id, outcome))
        } @else {
            // A decision refused for a customer no longer waiting: its forms are gone.
            (form::alert(outcome.form_error("approve", &[])))
            (form::alert(outcome.form_error("reject", &[])))
        }
        @if let Some(purchases) = &purchases { (history(purchases)) }
        @if let Some(messages) = &messages { (log(staff, customer.id, messages, outcome)) }
    };
    respond(status, page(&customer.name, staff, body))
}

fn profile(c: &CustomerView) -> Markup {
    html! {
        dl.profile {
            dt { "Status" } dd { span.badge #customer-status { (c.status) } }
            dt { "Kind" } dd { (c.kind) " · " (c.price_group) " prices" }
            @if let Some(company) = &c.company { dt { "Company" } dd { (company) " (tax id " (c.tax_id.as_deref().unwrap_or("")) ")" } }
            dt { "Phone" } dd { (c.phone) }
            dt { "Email" } dd { (c.email) }
            dt { "Registration ID" } dd { (c.registration_id.as_deref().unwrap_or("—")) }
            dt { "Login" } dd { (c.login.as_deref().unwrap_or("—")) }
            dt { "Notifications" } dd { (c.channel) }
            @if let Some(reason) = &c.rejection_reason { dt { "Rejected because" } dd { (reason) } }
            dt { "Addresses" } dd { @for a in &c.addresses { (a) br; } }
            dt { "Since" } dd { (c.created_at) }
        }
    }
}

fn history(purchases: &Result<PurchasesView, ApiError>) -> Markup {
    html! {
        h2 { "Purchases" }
        @match purchases {
            Err(error) => p.alert { (error.message) },
            Ok(p) => {
                p { (p.order_count) " orders"
                    @for spent in &p.total_spent { " · spent " (spent.amount) " " (spent.currency) }
                    @for average in &p.average_order_value { " · average " (average.amount) " " (average.currency) }
                    @if let Some(last) = &p.last_order_at { " · last " (last) } }
                @if !p.orders.is_empty() {
                    div.scroll { table #purchases {
                        tr { th { "Reference" } th { "Status" } th.num { "Total" } th { "Payment" } th.hide-small { "Created" } }
                        @for o in &p.orders {
                            tr {
                                td { a href={ "/console/orders/" (o.id) } { (o.reference.as_deref().unwrap_or("(draft)")) } }
                                td { span.badge { (o.status) } @if o.archived { " " span.badge { "archived" } } }
                                td.num { (o.total) " " (o.currency) }
                                td { (o.payment_status) }
                                td.hide-small { (o.created_at) }
                            }
                        }
                    } }
                }
            }
        }
    }
}

fn log(
    staff: &Staff,
    id: u64,
    messages: &Result<Vec<MessageView>, ApiError>,
    outcome: &Outcome,
) -> Markup {
    html! {
        h2 { "Communication log" }
        @if staff.may(Operation::LogMessages) {
            (form::alert(outcome.form_error("log", &["text", "order"])))
            form.stack #log-form method="post" action={ "/console/customers/" (id) "/log" } {
                (csrf_field(&staff.csrf))
                label { "Channel"
                    select name="channel" { @for c in CHANNELS { option value=(c) selected[outcome.value("log", "channel") == c] { (c) } } }
                }
                label { "Direction"
                    select name="direction" {
                        option value="out" { "to the customer" }
                        option value="in" selected[outcome.value("log", "direction") == "in"] { "from the customer" }
                    }
                }
                (field(outcome, "log", "text", "Message", "text", ""))
                (field(outcome, "log", "order", "About order (reference, optional)", "text", ""))
                button type="submit" { "Add to the log" }
            }
        }
        @match messages {
            Err(error) => p.alert { (error.message) },
            Ok(messages) => {
                @if messages.is_empty() { p { "Nothing logged." } } @else {
                    div.scroll { table #messages {
                        tr { th { "At" } th { "Channel" } th { "Direction" } th { "Text" } th { "Order" } }
                        @for m in messages {
                            tr {
                                td { (m.at) } td { (m.channel) } td { (m.direction) } td { (m.text) }
                                td { @if let Some(order) = m.order_id {
                                    a href={ "/console/orders/" (order) } { (m.order_reference.as_deref().unwrap_or("draft")) }
                                } }
                            }
                        }
                    } }
                }
            }
        }
    }
}

/// Runs a customer form's request; back to the profile, or the profile with the refusal.
async fn act<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    headers: &HeaderMap,
    token: &csrf::Token,
    id: u64,
    form_name: &str,
    fields: Fields,
    request: Request,
) -> Response {
    let staff = match staff(web, headers, token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    match call::value(web, Some(&staff.token), request).await {
        Ok(_) => see_other(&format!("/console/customers/{id}"), Vec::new()),
        Err(mut error) => {
            error.field = error.field.map(|name| super::input_name(&name).to_string());
            if staff.may(Operation::ReadCustomers) {
                let outcome = Outcome {
                    form: form_name.to_string(),
                    input: fields,
                    error: Some(error),
                };
                render(web, &staff, id, &outcome).await
            } else {
                let body = html! { h1 { "Refused" } p.alert { (error.message) } };
                respond(form::status_of(&error), page("Refused", &staff, body))
            }
        }
    }
}

/// `POST /console/customers/{id}/log`.
pub(crate) async fn add_log<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let order = text(&fields, "order");
    let request = Request::CustomerLog(LogMessage {
        customer: CustomerKey::Id { id },
        channel: Some(text(&fields, "channel")).filter(|c| !c.is_empty()),
        direction: Some(text(&fields, "direction")).filter(|d| !d.is_empty()),
        text: text(&fields, "text"),
        order: (!order.is_empty()).then_some(OrderKey::Text(order)),
    });
    act(&web, &headers, &token, id, "log", fields, request).await
}

/// `POST /console/customers/{id}/approve`.
pub(crate) async fn approve<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let request = Request::CustomerApprove(OnCustomer {
        customer: CustomerKey::Id { id },
    });
    act(&web, &headers, &token, id, "approve", fields, request).await
}

/// `POST /console/customers/{id}/reject`.
pub(crate) async fn reject<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let request = Request::CustomerReject(Reject {
        customer: CustomerKey::Id { id },
        reason: text(&fields, "reason"),
    });
    act(&web, &headers, &token, id, "reject", fields, request).await
}
