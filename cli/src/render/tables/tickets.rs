//! Human output for customer-service tickets: the list and one ticket with its comments.

use std::fmt::Write as _;

use super::{date_and_minutes, fields, table};
use crate::render::views::TicketView;

/// The ticket list.
pub fn ticket_list(tickets: &[TicketView]) -> String {
    if tickets.is_empty() {
        return "No tickets match. Open one with `ordo ticket open`.".into();
    }
    let mut t = table(
        &[
            "ID", "Opened", "Customer", "Order", "Subject", "Status", "Priority", "Assignee",
            "Comments",
        ],
        &[0, 8],
    );
    for ticket in tickets {
        t.add_row(vec![
            ticket.id.to_string(),
            date_and_minutes(&ticket.created_at),
            ticket.customer_id.to_string(),
            ticket.order_id.map(|o| o.to_string()).unwrap_or_default(),
            ticket.subject.clone(),
            ticket.status.clone(),
            ticket.priority.clone(),
            ticket
                .assignee_id
                .map(|u| u.to_string())
                .unwrap_or_else(|| "—".into()),
            ticket.comments.len().to_string(),
        ]);
    }
    format!("{t}\n{} ticket(s)", tickets.len())
}

/// One ticket: its fields, then its comments oldest first (internal ones marked).
pub fn ticket_detail(ticket: &TicketView) -> String {
    let mut text = fields(&[
        ("Ticket", ticket.id.to_string()),
        ("Subject", ticket.subject.clone()),
        ("Customer", ticket.customer_id.to_string()),
        (
            "Order",
            ticket
                .order_id
                .map_or_else(|| "—".to_string(), |o| o.to_string()),
        ),
        ("Status", ticket.status.clone()),
        ("Priority", ticket.priority.clone()),
        (
            "Assignee",
            ticket
                .assignee_id
                .map_or_else(|| "—".to_string(), |u| format!("staff user {u}")),
        ),
        ("Opened", date_and_minutes(&ticket.created_at)),
        ("Updated", date_and_minutes(&ticket.updated_at)),
    ]);
    if ticket.comments.is_empty() {
        text.push_str("\nNo comments yet.");
        return text;
    }
    let mut t = table(&["When", "Who", "Comment"], &[]);
    for comment in &ticket.comments {
        let who = if comment.internal {
            format!("{} [internal]", comment.author)
        } else {
            comment.author.clone()
        };
        t.add_row(vec![
            date_and_minutes(&comment.at),
            who,
            comment.text.clone(),
        ]);
    }
    let _ = write!(text, "\n{t}");
    text
}
