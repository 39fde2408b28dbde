//! One ticket in the console: `GET /console/tickets/{id}` (the conversation, internal notes
//! included, and the forms the role may use), `POST …/comment` (`ticket.comment`: a reply
//! the customer reads, or an internal note), `POST …/status` (`ticket.status`) and
//! `POST …/assign` (`ticket.assign`: to a staff login, or to nobody). The engine decides
//! every change; the page only offers the forms of `ManageTickets` to roles that have it.

use axum::extract::{Extension, Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use ordo_api::request::{OnTicket, StaffKey, TicketAssign, TicketCommentArgs, TicketSetStatus};
use ordo_api::views::TicketView;
use ordo_api::{ApiError, Request};
use ordo_core::auth::Operation;
use ordo_core::store::Store;
use ordo_core::ticket::TicketStatus;

use crate::form::{self, Fields, Outcome, field};
use crate::layout::{csrf_field, respond, see_other};
use crate::state::WebState;
use crate::{call, csrf};

use super::order::text;
use super::{Staff, page, refusal, staff};

/// The statuses a ticket may be set to, as the form offers them.
const STATUSES: [&str; 4] = ["open", "pending", "resolved", "closed"];

/// `GET /console/tickets/{id}`.
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
    if let Some(refused) = refusal(&staff, Operation::ReadTickets) {
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
    let ticket: TicketView =
        match call::view(web, Some(&staff.token), Request::TicketGet(OnTicket { id })).await {
            Ok(ticket) => ticket,
            Err(error) => {
                let body = html! { h1 { "Ticket" } p.alert { (error.message) } };
                return respond(form::status_of(&error), page("Ticket", staff, body));
            }
        };
    let status = outcome
        .error
        .as_ref()
        .map_or(StatusCode::OK, form::status_of);
    let may_manage = staff.may(Operation::ManageTickets);
    let csrf = &staff.csrf;
    let body = html! {
        h1 { "Ticket " (ticket.id) ": " (ticket.subject) }
        p { "Status: " span.badge #status { (ticket.status) } " · Priority: " (ticket.priority)
            " · Customer: " a href={ "/console/customers/" (ticket.customer_id) } { (ticket.customer_id) }
            @if let Some(order) = ticket.order_id { " · Order: " a href={ "/console/orders/" (order) } { (order) } }
            " · Assigned to: " (ticket.assignee_id.map_or_else(|| "nobody".to_string(), |a| format!("staff user {a}"))) }
        h2 { "Conversation" }
        @for comment in &ticket.comments {
            div.comment {
                p { strong { (comment.author) } " · " (comment.at) @if comment.internal { " · " span.badge { "internal note" } } }
                p { (comment.text) }
            }
        }
        @if ticket.comments.is_empty() { p { "No messages yet." } }
        @if may_manage {
            h2 { "Reply" }
            (form::alert(outcome.form_error("comment", &["text"])))
            form #comment-form method="post" action={ "/console/tickets/" (id) "/comment" } {
                (csrf_field(csrf))
                label { "Message"
                    textarea name="text" rows="4" { (outcome.value("comment", "text")) }
                    @if let Some(m) = outcome.field_error("comment", "text") { span.error { (m) } }
                }
                label { input type="checkbox" name="internal" value="yes" checked[outcome.value("comment", "internal") == "yes"]; " Internal note (the customer does not see it)" }
                button type="submit" { "Send" }
            }
            h2 { "Status" }
            (form::alert(outcome.form_error("status", &["status"])))
            form.inline #ticket-status-form method="post" action={ "/console/tickets/" (id) "/status" } {
                (csrf_field(csrf))
                label { "Status"
                    select name="status" { @for s in STATUSES { option value=(s) selected[s == ticket.status] { (s) } } }
                }
                button type="submit" { "Set" }
            }
            h2 { "Assign" }
            (form::alert(outcome.form_error("assign", &["assignee"])))
            form.inline #assign-form method="post" action={ "/console/tickets/" (id) "/assign" } {
                (csrf_field(csrf))
                (field(outcome, "assign", "assignee", "Staff login (empty: nobody)", "text", ""))
                button type="submit" { "Assign" }
            }
        }
        p { a href="/console/tickets" { "All tickets" } }
    };
    respond(status, page(&format!("Ticket {id}"), staff, body))
}

/// Runs a form's request; back to the ticket, or the ticket with the refusal next to the
/// form's input.
async fn act<S: Store + Send + Sync + 'static>(
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
    if let Some(refused) = refusal(&staff, Operation::ManageTickets) {
        return refused;
    }
    match super::submit(web, &staff, request).await {
        Ok(()) => see_other(&format!("/console/tickets/{id}"), Vec::new()),
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

/// `POST /console/tickets/{id}/comment`.
pub(crate) async fn comment<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let request = Ok(Request::TicketComment(TicketCommentArgs {
        id,
        text: fields.get("text").cloned().unwrap_or_default(),
        internal: text(&fields, "internal") == "yes",
    }));
    act(&web, &headers, &token, id, "comment", fields, request).await
}

/// `POST /console/tickets/{id}/status`.
pub(crate) async fn set_status<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let request = TicketStatus::parse(&text(&fields, "status"))
        .map(|status| Request::TicketStatus(TicketSetStatus { id, status }))
        .map_err(|e| ApiError::from_engine(&e));
    act(&web, &headers, &token, id, "status", fields, request).await
}

/// `POST /console/tickets/{id}/assign`.
pub(crate) async fn assign<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let login = text(&fields, "assignee");
    let assignee = (!login.is_empty()).then_some(StaffKey::Login(login));
    let request = Ok(Request::TicketAssign(TicketAssign { id, assignee }));
    act(&web, &headers, &token, id, "assign", fields, request).await
}
