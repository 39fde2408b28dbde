//! Couriers' tracking events: `POST /carriers/{carrier}/events`.
//!
//! A [`Carrier`] turns the body a courier posts into a [`CarrierEvent`] (a tracking number
//! and a `TrackingEvent`); [`GenericCarrier`] reads ordo's own JSON shape, which every
//! configured carrier posts today. [`signature`] checks `X-Ordo-Signature`, and
//! [`webhook`] serves the route and hands the event to `Engine::track_shipment` (as the
//! system actor), which owns the rules: unknown numbers and replays change nothing, a
//! shipment only moves forward, out for delivery tells the customer, and the order is
//! delivered once every parcel is.

pub mod generic;
pub mod signature;
pub mod webhook;

use ordo_core::Result;
use ordo_core::shipment::{CarrierName, TrackingEvent, TrackingNumber};

pub use generic::GenericCarrier;

/// One tracking event as a carrier reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierEvent {
    /// The parcel's tracking number.
    pub tracking: TrackingNumber,
    /// What happened to it, when and where.
    pub event: TrackingEvent,
}

/// A courier that posts tracking events to ordo.
pub trait Carrier: Send + Sync {
    /// The carrier's name (the `{carrier}` of the route, the carrier of its shipments).
    fn name(&self) -> &CarrierName;

    /// Reads one event from the raw request body.
    ///
    /// # Errors
    /// `Validation` for a body that is not one of this carrier's events (too large, not
    /// its JSON, an unknown status, a bad time or tracking number).
    fn parse_event(&self, body: &[u8]) -> Result<CarrierEvent>;
}
