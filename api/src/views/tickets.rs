//! The JSON shape of a customer-service ticket (`ordo ticket show`, `ticket.*`). A
//! customer's tickets come from the engine without internal comments already.

use ordo_core::ticket::{Ticket, TicketComment};
use serde::{Deserialize, Serialize};

/// A ticket with its comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketView {
    /// Ticket id (what `ordo ticket show` takes).
    pub id: u64,
    /// Whose ticket it is.
    pub customer_id: u64,
    /// The order it is about, if any.
    pub order_id: Option<u64>,
    /// What it is about.
    pub subject: String,
    /// `open`, `pending`, `resolved` or `closed`.
    pub status: String,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    /// The staff user working it (id), if any.
    pub assignee_id: Option<u64>,
    /// When it was opened.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// Its comments, oldest first.
    pub comments: Vec<TicketCommentView>,
}

/// One comment on a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketCommentView {
    /// When it was written.
    pub at: String,
    /// Who wrote it, e.g. `customer 7` or `staff user 3 (customer service)`.
    pub author: String,
    /// What it says.
    pub text: String,
    /// Staff only (never in what a customer receives).
    pub internal: bool,
}

impl TicketView {
    /// The view of `ticket`.
    pub fn new(ticket: &Ticket) -> TicketView {
        TicketView {
            id: ticket.id().get(),
            customer_id: ticket.customer().get(),
            order_id: ticket.order().map(|o| o.get()),
            subject: ticket.subject().to_string(),
            status: ticket.status().to_string(),
            priority: ticket.priority().to_string(),
            assignee_id: ticket.assignee().map(|u| u.get()),
            created_at: ticket.created_at().to_string(),
            updated_at: ticket.updated_at().to_string(),
            comments: ticket.comments().iter().map(comment_view).collect(),
        }
    }
}

fn comment_view(comment: &TicketComment) -> TicketCommentView {
    TicketCommentView {
        at: comment.at().to_string(),
        author: comment.author().to_string(),
        text: comment.text().to_string(),
        internal: comment.internal(),
    }
}
