//! `GET /console/tickets`: open tickets (roles that may read tickets), each linked to its
//! page (`ticket`).

use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use ordo_api::Request;
use ordo_api::request::TicketList;
use ordo_api::views::TicketView;
use ordo_core::auth::Operation;
use ordo_core::store::Store;

use crate::layout::respond;
use crate::portal::Page;
use crate::state::WebState;
use crate::{call, csrf};

use super::{page, refusal, staff};

/// `GET /console/tickets`.
pub(crate) async fn list<S: Store + Send + Sync + 'static>(
    State(web): State<WebState<S>>,
    Extension(token): Extension<csrf::Token>,
    headers: HeaderMap,
) -> Response {
    let staff = match staff(&web, &headers, &token).await {
        Ok(staff) => staff,
        Err(answer) => return answer,
    };
    if let Some(refused) = refusal(&staff, Operation::ReadTickets) {
        return refused;
    }
    let listed: Result<Page<TicketView>, _> = call::view(
        &web,
        Some(&staff.token),
        Request::TicketList(TicketList {
            limit: Some(100),
            ..TicketList::default()
        }),
    )
    .await;
    let body = html! {
        h1 { "Tickets" }
        @match &listed {
            Err(error) => p.alert { (error.message) },
            Ok(page) => {
                div.scroll { table {
                    tr { th { "#" } th { "Subject" } th { "Status" } th { "Priority" } th { "Customer" } th { "Order" } th.hide-small { "Updated" } }
                    @for t in &page.items {
                        tr {
                            td { a href={ "/console/tickets/" (t.id) } { (t.id) } } td { a href={ "/console/tickets/" (t.id) } { (t.subject) } } td { span.badge { (t.status) } } td { (t.priority) }
                            td { (t.customer_id) }
                            td { @if let Some(order) = t.order_id { a href={ "/console/orders/" (order) } { (order) } } }
                            td.hide-small { (t.updated_at) }
                        }
                    }
                } }
                @if page.items.is_empty() { p { "No tickets." } }
            }
        }
    };
    respond(StatusCode::OK, page("Tickets", &staff, body))
}
