//! A shipping label (100 × 150 mm): sender, recipient, carrier, method, tracking number,
//! weight, and a Code 128 barcode of the order reference drawn as filled rectangles.

use ordo_api::views::{OrderView, ShipmentView};

use crate::barcode::{bars, code128_modules};
use crate::content::{Line, to_text};
use crate::pdf::{Font, Page, render};
use crate::{DocumentError, Party, address_lines};

/// Label width in millimetres (4 inches).
pub(crate) const LABEL_WIDTH_MM: f32 = 101.6;
/// Label height in millimetres (6 inches).
pub(crate) const LABEL_HEIGHT_MM: f32 = 152.4;
/// Width of one barcode module.
const MODULE_MM: f32 = 0.42;
/// Height of the bars.
const BAR_HEIGHT_MM: f32 = 22.0;
const MARGIN_MM: f32 = 6.0;

/// The shipment numbered `number` (1-based), or the last one.
fn pick(shipments: &[ShipmentView], number: Option<u32>) -> Result<&ShipmentView, DocumentError> {
    match number {
        Some(n) => shipments.iter().find(|s| s.number == n),
        None => shipments.iter().max_by_key(|s| s.number),
    }
    .ok_or(DocumentError::NoSuchShipment { number })
}

struct LabelFacts<'a> {
    reference: &'a str,
    shipment: &'a ShipmentView,
    recipient: Vec<String>,
}

fn facts<'a>(
    order: &'a OrderView,
    shipments: &'a [ShipmentView],
    number: Option<u32>,
) -> Result<LabelFacts<'a>, DocumentError> {
    let reference = order
        .reference
        .as_deref()
        .ok_or(DocumentError::NoReference)?;
    Ok(LabelFacts {
        reference,
        shipment: pick(shipments, number)?,
        recipient: address_lines(&order.shipping_address),
    })
}

fn weight(shipment: &ShipmentView) -> String {
    shipment
        .weight_kg
        .as_ref()
        .map_or_else(|| "not weighed".to_string(), |kg| format!("{kg} kg"))
}

/// The label's content as terminal text (the barcode as its reference).
///
/// # Errors
/// [`DocumentError::NoSuchShipment`] for a number the order does not have (or no
/// shipment at all); [`DocumentError::NoReference`] for a draft.
pub fn label_text(
    order: &OrderView,
    shipments: &[ShipmentView],
    number: Option<u32>,
    sender: &Party,
) -> Result<String, DocumentError> {
    let facts = facts(order, shipments, number)?;
    let shipment = facts.shipment;
    let mut lines = vec![
        Line::title(format!(
            "Shipping label - {} parcel {}",
            facts.reference, shipment.number
        )),
        Line::heading("From"),
    ];
    lines.extend(sender.lines().into_iter().map(Line::body));
    lines.push(Line::heading("To"));
    lines.extend(facts.recipient.iter().cloned().map(Line::body));
    lines.push(Line::gap());
    lines.push(Line::body(format!(
        "Carrier: {}  Method: {}",
        shipment.carrier, shipment.method
    )));
    lines.push(Line::body(format!(
        "Tracking: {}",
        shipment.tracking_number
    )));
    lines.push(Line::body(format!("Weight: {}", weight(shipment))));
    lines.push(Line::body(format!(
        "Barcode (Code 128): {}",
        facts.reference
    )));
    Ok(to_text(&lines))
}

/// The label as PDF bytes: one 4 × 6 inch page.
///
/// # Errors
/// As [`label_text`]; [`DocumentError::Barcode`] if the reference cannot be encoded.
pub fn label_pdf(
    order: &OrderView,
    shipments: &[ShipmentView],
    number: Option<u32>,
    sender: &Party,
) -> Result<Vec<u8>, DocumentError> {
    let facts = facts(order, shipments, number)?;
    let shipment = facts.shipment;
    let modules = code128_modules(facts.reference)?;
    let mut page = Page::new(LABEL_WIDTH_MM, LABEL_HEIGHT_MM);
    let left = MARGIN_MM;
    let mut y = LABEL_HEIGHT_MM - MARGIN_MM - 3.0;
    page.text(left, y, Font::Bold, 8.0, "FROM");
    for line in sender.lines() {
        y -= 3.8;
        page.text(left, y, Font::Regular, 8.0, &line);
    }
    y -= 4.0;
    page.rule(y, MARGIN_MM, 0.3);
    y -= 6.0;
    page.text(left, y, Font::Bold, 9.0, "TO");
    for (index, line) in facts.recipient.iter().enumerate() {
        let (font, size, step) = if index == 0 {
            (Font::Bold, 14.0, 6.5)
        } else {
            (Font::Regular, 12.0, 5.5)
        };
        y -= step;
        page.text(left + 4.0, y, font, size, line);
    }
    y -= 6.0;
    page.rule(y, MARGIN_MM, 0.3);
    for line in [
        format!("Carrier: {}", shipment.carrier.to_uppercase()),
        format!("Method: {}", shipment.method),
        format!("Tracking: {}", shipment.tracking_number),
        format!("Weight: {}", weight(shipment)),
        format!("Parcel {} of order {}", shipment.number, facts.reference),
    ] {
        y -= 5.5;
        page.text(left, y, Font::Mono, 10.0, &line);
    }
    // The barcode, centred near the bottom, quiet zones included in its width.
    let width = modules.len() as f32 * MODULE_MM;
    let x0 = (LABEL_WIDTH_MM - width) / 2.0;
    let bottom = MARGIN_MM + 8.0;
    for (first, run) in bars(&modules) {
        page.fill_rect(
            x0 + first as f32 * MODULE_MM,
            bottom,
            run as f32 * MODULE_MM,
            BAR_HEIGHT_MM,
        );
    }
    // Courier is 0.6 em wide per character: centre the reference under the bars.
    let text_width = facts.reference.chars().count() as f32 * 0.6 * 11.0 * 25.4 / 72.0;
    page.text(
        (LABEL_WIDTH_MM - text_width) / 2.0,
        MARGIN_MM + 2.0,
        Font::MonoBold,
        11.0,
        facts.reference,
    );
    Ok(render(
        &format!("Label {} {}", facts.reference, shipment.number),
        vec![page],
    ))
}
