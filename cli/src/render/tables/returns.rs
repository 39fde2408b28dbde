//! Human output for returns: the list, and one return with its lines, inspections,
//! refund or replacement and history.

use std::fmt::Write as _;

use super::{date_and_minutes, fields, table};
use crate::render::views::ReturnView;

/// `TEE ×2, MUG ×1`.
fn units(view: &ReturnView) -> String {
    view.lines
        .iter()
        .map(|l| format!("{} ×{}", l.sku, l.quantity))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The return list.
pub fn return_list(returns: &[ReturnView]) -> String {
    if returns.is_empty() {
        return "No returns match. Open one with `ordo return open`.".into();
    }
    let mut t = table(
        &[
            "ID", "Opened", "Order", "#", "Customer", "Units", "Status", "Limit", "Refunded",
        ],
        &[0, 3, 7, 8],
    );
    for r in returns {
        t.add_row(vec![
            r.id.to_string(),
            date_and_minutes(&r.created_at),
            r.order_id.to_string(),
            r.number.to_string(),
            r.customer_id.to_string(),
            units(r),
            r.status.clone(),
            format!("{} {}", r.refund_limit, r.currency),
            r.refunded
                .as_ref()
                .map(|a| format!("{a} {}", r.currency))
                .unwrap_or_default(),
        ]);
    }
    format!("{t}\n{} return(s)", returns.len())
}

/// One return.
pub fn return_detail(r: &ReturnView) -> String {
    let mut rows = vec![
        ("Return", r.id.to_string()),
        ("Order", format!("{} (return #{})", r.order_id, r.number)),
        ("Customer", r.customer_id.to_string()),
        ("Status", r.status.clone()),
        (
            "Refund limit",
            format!(
                "{} {} (what the units were paid)",
                r.refund_limit, r.currency
            ),
        ),
        ("Opened", date_and_minutes(&r.created_at)),
    ];
    if let Some(amount) = &r.refunded {
        rows.push(("Refunded", format!("{amount} {}", r.currency)));
    }
    if let Some(reason) = &r.refusal_reason {
        rows.push(("Refused", reason.clone()));
    }
    if let (Some(carrier), Some(tracking)) =
        (&r.replacement_carrier, &r.replacement_tracking_number)
    {
        rows.push(("Replacement", format!("{carrier} {tracking}")));
    }
    let mut text = fields(&rows);
    let mut lines = table(&["SKU", "Name", "Units", "Reason"], &[2]);
    for l in &r.lines {
        lines.add_row(vec![
            l.sku.clone(),
            l.name.clone(),
            l.quantity.to_string(),
            l.reason.clone(),
        ]);
    }
    let _ = write!(text, "\n{lines}");
    if !r.inspections.is_empty() {
        let mut t = table(&["SKU", "Units", "Inspection"], &[1]);
        for i in &r.inspections {
            let what = match (&i.warehouse, &i.reason) {
                (Some(warehouse), _) => format!("restocked in {warehouse}"),
                (None, Some(reason)) => format!("written off: {reason}"),
                (None, None) => i.outcome.clone(),
            };
            t.add_row(vec![i.sku.clone(), i.quantity.to_string(), what]);
        }
        let _ = write!(text, "\nInspection:\n{t}");
    }
    if !r.replacements.is_empty() {
        let mut t = table(&["SKU", "Name", "Units", "From", "Value"], &[2, 4]);
        for p in &r.replacements {
            t.add_row(vec![
                p.sku.clone(),
                p.name.clone(),
                p.quantity.to_string(),
                p.warehouse.clone(),
                format!("{} {}", p.value, r.currency),
            ]);
        }
        let _ = write!(text, "\nReplacement:\n{t}");
    }
    let history = r
        .history
        .iter()
        .map(|s| format!("{} {}", date_and_minutes(&s.at), s.status))
        .collect::<Vec<_>>()
        .join(" → ");
    let _ = write!(text, "\nHistory: {history}");
    text
}
