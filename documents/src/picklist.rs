//! A warehouse's pick list: products in SKU order, units, and the orders they are for.

use ordo_api::views::PickListView;

use crate::content::{Line, cell, to_text};
use crate::pdf;

/// The pick list's lines.
pub fn picklist_lines(list: &PickListView) -> Vec<Line> {
    let units: u64 = list.rows.iter().map(|r| r.quantity).sum();
    let mut lines = vec![
        Line::title(format!("Pick list - warehouse {}", list.warehouse)),
        Line::body(format!(
            "{} orders, {} products, {} units",
            list.orders,
            list.rows.len(),
            units
        )),
    ];
    if list.truncated {
        lines.push(Line::body(
            "More orders are ready than one list holds: pick these, then print again.",
        ));
    }
    lines.push(Line::gap());
    if list.rows.is_empty() {
        lines.push(Line::body("Nothing to pick."));
        return lines;
    }
    lines.push(Line::table(format!(
        "{} {} {}",
        cell("SKU", 20),
        cell("QTY", 6),
        "NAME"
    )));
    for row in &list.rows {
        lines.push(Line::table(format!(
            "{} {:>6} {}",
            cell(&row.sku, 20),
            row.quantity,
            cell(&row.name, 40)
        )));
        for order in &row.orders {
            lines.push(Line::table(format!(
                "    [ ] {} x {}",
                order.reference, order.quantity
            )));
        }
    }
    lines
}

/// The pick list as terminal text.
pub fn picklist_text(list: &PickListView) -> String {
    to_text(&picklist_lines(list))
}

/// The pick list as PDF bytes (A4).
pub fn picklist_pdf(list: &PickListView) -> Vec<u8> {
    pdf::flow(
        &format!("Pick list {}", list.warehouse),
        &picklist_lines(list),
    )
}
