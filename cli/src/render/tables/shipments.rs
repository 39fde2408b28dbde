//! Human output for shipments: one row per parcel, its units (a return's replacement
//! parcel says so) and its last carrier event.

use super::{date_and_minutes, table};
use crate::render::views::ShipmentView;

/// An order's shipments.
pub fn shipment_list(shipments: &[ShipmentView]) -> String {
    if shipments.is_empty() {
        return "No shipments yet. Ship a packed order with `ordo order ship`.".into();
    }
    let mut t = table(
        &[
            "#",
            "Shipped",
            "Carrier",
            "Method",
            "Tracking",
            "Weight",
            "Units",
            "Status",
            "Last event",
        ],
        &[0, 5],
    );
    for s in shipments {
        let mut units = s
            .lines
            .iter()
            .map(|l| format!("{} ×{}", l.sku, l.quantity))
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(ret) = s.for_return_id {
            units.push_str(&format!(" (replacement, return {ret})"));
        }
        let last = s
            .events
            .last()
            .map(|e| {
                let place = if e.location.is_empty() {
                    String::new()
                } else {
                    format!(" {}", e.location)
                };
                format!("{} {}{place}", date_and_minutes(&e.at), e.status)
            })
            .unwrap_or_default();
        t.add_row(vec![
            s.number.to_string(),
            date_and_minutes(&s.shipped_at),
            s.carrier.clone(),
            s.method.clone(),
            s.tracking_number.clone(),
            s.weight_kg
                .as_ref()
                .map(|w| format!("{w} kg"))
                .unwrap_or_default(),
            units,
            s.status.clone(),
            last,
        ]);
    }
    format!("{t}\n{} shipment(s)", shipments.len())
}
