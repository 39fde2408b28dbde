//! Human output for accounts: staff users, the communication log, purchase history.

use std::fmt::Write as _;

use super::{date_and_minutes, fields, order_table, table, with_currency, yes_no};
use crate::render::views::{MessageView, PurchasesView, StaffUserView};

/// The staff user list.
pub fn staff_list(users: &[StaffUserView]) -> String {
    if users.is_empty() {
        return "No staff users yet. Create the first with `ordo admin init`.".into();
    }
    let mut t = table(&["ID", "Login", "Name", "Role", "Active", "Since"], &[0]);
    for u in users {
        t.add_row(vec![
            u.id.to_string(),
            u.login.clone(),
            u.name.clone(),
            u.role.clone(),
            yes_no(u.active).to_string(),
            date_and_minutes(&u.created_at),
        ]);
    }
    format!("{t}\n{} user(s)", users.len())
}

/// A communication log, newest first.
pub fn messages(log: &[MessageView]) -> String {
    if log.is_empty() {
        return "No messages logged.".into();
    }
    let mut t = table(&["When", "Channel", "Way", "Order", "Text"], &[]);
    for m in log {
        t.add_row(vec![
            date_and_minutes(&m.at),
            m.channel.clone(),
            m.direction.clone(),
            m.order_reference
                .clone()
                .or_else(|| m.order_id.map(|id| id.to_string()))
                .unwrap_or_default(),
            m.text.clone(),
        ]);
    }
    format!("{t}\n{} message(s)", log.len())
}

/// Purchase history: the figures, then the orders.
pub fn purchases(p: &PurchasesView) -> String {
    let money = |amounts: &[crate::render::views::AmountView]| {
        if amounts.is_empty() {
            return "—".to_string();
        }
        amounts
            .iter()
            .map(|a| with_currency(&a.amount, &a.currency))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let day = |at: &Option<String>| at.as_deref().map_or("—".to_string(), date_and_minutes);
    let mut text = fields(&[
        (
            "Customer",
            format!("{} (id {})", p.customer_name, p.customer_id),
        ),
        ("Orders", p.order_count.to_string()),
        ("Total spent", money(&p.total_spent)),
        ("Average order", money(&p.average_order_value)),
        ("First order", day(&p.first_order_at)),
        ("Last order", day(&p.last_order_at)),
    ]);
    if p.orders.is_empty() {
        text.push_str("\nNo orders yet.");
    } else {
        let _ = write!(text, "\n{}", order_table(&p.orders));
    }
    if p.tickets.is_empty() {
        text.push_str("\nNo service tickets.");
    } else {
        let _ = write!(
            text,
            "\nService tickets:\n{}",
            super::ticket_list(&p.tickets)
        );
    }
    text
}
