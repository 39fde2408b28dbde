//! The customer's tickets: `GET /tickets` (mine, and the form to open one, optionally about
//! an order of mine by its reference), `POST /tickets` (`ticket.open`), `GET /tickets/{id}`
//! (one ticket with the shop's replies) and `POST /tickets/{id}/reply` (`ticket.comment`).
//!
//! The engine keeps customers to their own tickets and orders: another customer's ticket
//! or order reference reads exactly like one that does not exist, and internal comments
//! never reach a customer.

use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use ordo_api::request::{OnTicket, OrderKey, TicketCommentArgs, TicketList, TicketOpen};
use ordo_api::views::{OrderView, TicketView};
use ordo_api::{ApiError, Request};
use ordo_core::store::Store;
use ordo_core::ticket::TicketPriority;
use serde::Deserialize;

use crate::form::{self, Fields, Outcome, alert, field};
use crate::layout::{csrf_field, respond, see_other};
use crate::state::WebState;
use crate::{call, csrf};

use super::catalog::Page;
use super::{Visitor, page, visitor};

/// Tickets per page of "my tickets".
const PAGE_SIZE: usize = 25;

/// Query of `GET /tickets`: the next page, or an order to ask about.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TicketsQuery {
    cursor: Option<String>,
    order: Option<String>,
}

/// `GET /tickets`.
pub(crate) async fn mine<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Query(query): Query<TicketsQuery>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_none() {
        return see_other("/signin", Vec::new());
    }
    let mut outcome = Outcome::default();
    if let Some(order) = query.order {
        outcome.form = "ticket".to_string();
        outcome.input.insert("order".to_string(), order);
    }
    render_mine(&web, &visitor, query.cursor, &outcome, StatusCode::OK).await
}

async fn render_mine<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    visitor: &Visitor,
    cursor: Option<String>,
    outcome: &Outcome,
    status: StatusCode,
) -> Response {
    let listed: Result<Page<TicketView>, _> = call::view(
        web,
        visitor.token(),
        Request::TicketList(TicketList {
            limit: Some(PAGE_SIZE),
            cursor,
            ..TicketList::default()
        }),
    )
    .await;
    let body = html! {
        h1 { "My tickets" }
        @match &listed {
            Err(error) => p.alert { (error.message) },
            Ok(page) if page.items.is_empty() => p { "You have no tickets." },
            Ok(page) => {
                div.scroll { table #tickets {
                    tr { th { "Subject" } th { "Status" } th.num { "Replies" } th.hide-small { "Updated" } }
                    @for ticket in &page.items {
                        tr {
                            td { a href={ "/tickets/" (ticket.id) } { (ticket.subject) } }
                            td { span.badge { (ticket.status) } }
                            td.num { (ticket.comments.iter().filter(|c| !c.internal).count()) }
                            td.hide-small { (ticket.updated_at) }
                        }
                    }
                } }
                @if let Some(next) = &page.next_cursor {
                    p { a href={ "/tickets?cursor=" (next) } { "More tickets →" } }
                }
            }
        }
        h2 #open { "Ask us something" }
        (alert(outcome.form_error("ticket", &["subject", "message", "order"])))
        form.stack #ticket-form method="post" action="/tickets" {
            (csrf_field(&visitor.csrf))
            (field(outcome, "ticket", "subject", "Subject", "text", ""))
            (field(outcome, "ticket", "order", "Order reference (optional)", "text", ""))
            label {
                "Message"
                textarea name="message" rows="5" maxlength="4000"
                    aria-invalid=[outcome.field_error("ticket", "message").map(|_| "true")] {
                    (outcome.value("ticket", "message"))
                }
                @if let Some(message) = outcome.field_error("ticket", "message") { span.error { (message) } }
            }
            button type="submit" { "Send" }
        }
    };
    respond(status, page("My tickets", visitor, body))
}

/// `POST /tickets`.
pub(crate) async fn open<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_none() {
        return see_other("/signin", Vec::new());
    }
    let reference = fields
        .get("order")
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let about_order = reference.is_some();
    let request = Request::TicketOpen(TicketOpen {
        customer: None,
        order: reference.map(|reference| OrderKey::Reference { reference }),
        subject: fields.get("subject").cloned().unwrap_or_default(),
        priority: TicketPriority::default(),
        message: fields.get("message").cloned().unwrap_or_default(),
    });
    let opened: Result<TicketView, ApiError> = call::view(&web, visitor.token(), request).await;
    match opened {
        Ok(ticket) => see_other(&format!("/tickets/{}?opened=1", ticket.id), Vec::new()),
        Err(mut error) => {
            // The only record a customer names here is the order: a reference that is
            // missing (or someone else's, which reads the same) belongs next to it.
            if about_order && error.kind == "not_found" {
                error.field = Some("order".to_string());
            }
            if error.field.as_deref() == Some("comment") {
                error.field = Some("message".to_string());
            }
            let status = form::status_of(&error);
            let outcome = Outcome {
                form: "ticket".to_string(),
                input: fields,
                error: Some(error),
            };
            render_mine(&web, &visitor, None, &outcome, status).await
        }
    }
}

/// Query of `GET /tickets/{id}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Opened {
    opened: Option<String>,
}

/// `GET /tickets/{id}`.
pub(crate) async fn one<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<String>,
    Query(opened): Query<Opened>,
    headers: HeaderMap,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_none() {
        return see_other("/signin", Vec::new());
    }
    let notice = opened
        .opened
        .is_some()
        .then_some("Thank you: your ticket is open and we will answer here.");
    render_one(&web, &visitor, &id, notice, None).await
}

/// A ticket id from the path (anything else is a ticket that does not exist).
fn ticket_id(id: &str) -> Result<u64, ApiError> {
    id.parse::<u64>().map_err(|_| {
        ApiError::from_engine(&ordo_core::error::Error::NotFound {
            entity: ordo_core::error::EntityKind::Ticket,
            key: id.chars().take(40).collect(),
        })
    })
}

async fn render_one<S: Store + Send + Sync + 'static>(
    web: &WebState<S>,
    visitor: &Visitor,
    id: &str,
    notice: Option<&str>,
    refused: Option<(Fields, ApiError)>,
) -> Response {
    let found: Result<TicketView, ApiError> = match ticket_id(id) {
        Ok(id) => call::view(web, visitor.token(), Request::TicketGet(OnTicket { id })).await,
        Err(error) => Err(error),
    };
    let ticket = match found {
        Ok(ticket) => ticket,
        Err(error) => {
            let status = form::status_of(&error);
            let body = html! { h1 { "Ticket" } p.alert { (error.message) } };
            return respond(status, page("Ticket", visitor, body));
        }
    };
    let reference = match ticket.order_id {
        Some(order) => call::view::<S, OrderView>(
            web,
            visitor.token(),
            Request::OrderGet(OrderKey::Id { id: order }),
        )
        .await
        .ok()
        .and_then(|order| order.reference),
        None => None,
    };
    let me = visitor
        .customer_id()
        .map(|id| format!("customer {id}"))
        .unwrap_or_default();
    let status = refused
        .as_ref()
        .map_or(StatusCode::OK, |(_, error)| form::status_of(error));
    let outcome = match refused {
        Some((input, mut error)) => {
            if error.field.as_deref() == Some("comment") {
                error.field = Some("text".to_string());
            }
            Outcome {
                form: "reply".to_string(),
                input,
                error: Some(error),
            }
        }
        None => Outcome::default(),
    };
    let body = html! {
        @if let Some(notice) = notice { p.notice role="status" { (notice) } }
        h1 { (ticket.subject) }
        p {
            "Status: " span.badge #ticket-status { (ticket.status) }
            @if let Some(reference) = &reference {
                " · About order " a href={ "/orders/" (reference) } { span.reference { (reference) } }
            }
            " · Opened " (ticket.created_at)
        }
        ol.comments {
            @for comment in ticket.comments.iter().filter(|c| !c.internal) {
                li.comment {
                    strong { @if comment.author == me { "You" } @else { "Customer service" } }
                    " · " small { (comment.at) }
                    p { (comment.text) }
                }
            }
        }
        @if ticket.status != "closed" {
            (alert(outcome.form_error("reply", &["text"])))
            form.stack #reply-form method="post" action={ "/tickets/" (ticket.id) "/reply" } {
                (csrf_field(&visitor.csrf))
                label {
                    "Reply"
                    textarea name="text" rows="4" maxlength="4000"
                        aria-invalid=[outcome.field_error("reply", "text").map(|_| "true")] {
                        (outcome.value("reply", "text"))
                    }
                    @if let Some(message) = outcome.field_error("reply", "text") { span.error { (message) } }
                }
                button type="submit" { "Send" }
            }
        }
        p { a href="/tickets" { "← My tickets" } }
    };
    respond(status, page(&ticket.subject, visitor, body))
}

/// `POST /tickets/{id}/reply`.
pub(crate) async fn reply<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let visitor = visitor(&web, &headers, &token).await;
    if visitor.session.is_none() {
        return see_other("/signin", Vec::new());
    }
    let sent = match ticket_id(&id) {
        Ok(ticket) => {
            let request = Request::TicketComment(TicketCommentArgs {
                id: ticket,
                text: fields.get("text").cloned().unwrap_or_default(),
                internal: false,
            });
            call::value(&web, visitor.token(), request).await.map(drop)
        }
        Err(error) => Err(error),
    };
    match sent {
        Ok(()) => see_other(&format!("/tickets/{id}"), Vec::new()),
        Err(error) => render_one(&web, &visitor, &id, None, Some((fields, error))).await,
    }
}
