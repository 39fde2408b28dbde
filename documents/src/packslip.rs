//! An order's pack slip: what goes in the parcel and where it goes. No prices.

use ordo_api::views::OrderView;

use crate::content::{Line, cell, to_text};
use crate::{DocumentError, address_lines, pdf};

/// The pack slip's lines.
///
/// # Errors
/// [`DocumentError::NoReference`] for a draft.
pub fn packslip_lines(order: &OrderView) -> Result<Vec<Line>, DocumentError> {
    let reference = order
        .reference
        .as_deref()
        .ok_or(DocumentError::NoReference)?;
    let mut lines = vec![
        Line::title(format!("Pack slip - {reference}")),
        Line::body(format!(
            "Order {reference} of {}",
            order.created_at.get(..10).unwrap_or(&order.created_at)
        )),
        Line::body(format!("Shipping: {}", order.shipping_method)),
        Line::gap(),
        Line::heading("Ship to"),
    ];
    lines.extend(
        address_lines(&order.shipping_address)
            .into_iter()
            .map(Line::body),
    );
    lines.push(Line::gap());
    lines.push(Line::table(format!(
        "{} {} {}",
        cell("SKU", 20),
        cell("QTY", 6),
        "ITEM"
    )));
    for line in &order.lines {
        lines.push(Line::table(format!(
            "{} {:>6} {}",
            cell(&line.sku, 20),
            line.quantity,
            cell(&line.name, 40)
        )));
    }
    let units: u64 = order.lines.iter().map(|l| u64::from(l.quantity)).sum();
    lines.push(Line::gap());
    lines.push(Line::body(format!(
        "{units} units in {} lines",
        order.lines.len()
    )));
    if !order.notes.trim().is_empty() {
        lines.push(Line::body(format!("Notes: {}", order.notes.trim())));
    }
    Ok(lines)
}

/// The pack slip as terminal text.
///
/// # Errors
/// As [`packslip_lines`].
pub fn packslip_text(order: &OrderView) -> Result<String, DocumentError> {
    Ok(to_text(&packslip_lines(order)?))
}

/// The pack slip as PDF bytes (A4).
///
/// # Errors
/// As [`packslip_lines`].
pub fn packslip_pdf(order: &OrderView) -> Result<Vec<u8>, DocumentError> {
    let lines = packslip_lines(order)?;
    let title = format!("Pack slip {}", order.reference.as_deref().unwrap_or(""));
    Ok(pdf::flow(&title, &lines))
}
