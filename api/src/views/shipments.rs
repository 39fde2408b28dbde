//! The JSON shape of a shipment (`ordo order shipments`, `order.ship`).

use ordo_core::shipment::{Shipment, TrackingEvent};
use serde::{Deserialize, Serialize};

/// A parcel handed to a carrier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentView {
    /// Shipment id.
    pub id: u64,
    /// The order.
    pub order_id: u64,
    /// Its number among the order's shipments, from 1 (what `--shipment N` takes).
    pub number: u32,
    /// The carrier.
    pub carrier: String,
    /// `standard`, `express` or `pickup`.
    pub method: String,
    /// The carrier's tracking number.
    pub tracking_number: String,
    /// Weight in kg as a decimal string, if weighed.
    pub weight_kg: Option<String>,
    /// `in_transit`, `out_for_delivery`, `delivered` or `exception`.
    pub status: String,
    /// When it was handed over.
    pub shipped_at: String,
    /// The units in it.
    pub lines: Vec<ShipmentLineView>,
    /// The carrier's events, in arrival order.
    pub events: Vec<TrackingEventView>,
    /// The return whose replacement units it carries (an exchange); absent for units of
    /// the order's lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_return_id: Option<u64>,
}

/// Units of one line in a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentLineView {
    /// SKU.
    pub sku: String,
    /// Product name on the order.
    pub name: String,
    /// Units.
    pub quantity: u32,
}

/// One carrier event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingEventView {
    /// When (the carrier's time).
    pub at: String,
    /// The status it reports.
    pub status: String,
    /// Where.
    pub location: String,
}

impl ShipmentView {
    /// The view of `shipment`.
    pub fn new(shipment: &Shipment) -> ShipmentView {
        ShipmentView {
            id: shipment.id().get(),
            order_id: shipment.order().get(),
            number: shipment.number(),
            carrier: shipment.carrier().to_string(),
            method: shipment.method().to_string(),
            tracking_number: shipment.tracking().to_string(),
            weight_kg: shipment.weight().map(|w| {
                let text = w.to_string();
                text.trim_end_matches(" kg").to_string()
            }),
            status: shipment.status().to_string(),
            shipped_at: shipment.shipped_at().to_string(),
            lines: shipment
                .lines()
                .iter()
                .map(|l| ShipmentLineView {
                    sku: l.sku.to_string(),
                    name: l.name.clone(),
                    quantity: l.quantity,
                })
                .collect(),
            events: shipment.events().iter().map(event_view).collect(),
            for_return_id: shipment.for_return().map(|r| r.get()),
        }
    }
}

fn event_view(event: &TrackingEvent) -> TrackingEventView {
    TrackingEventView {
        at: event.at.to_string(),
        status: event.status.to_string(),
        location: event.location.clone(),
    }
}
