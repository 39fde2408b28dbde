//! Shipments: parcels handed to a carrier, each with some units of an order's lines.
//!
//! A [`Shipment`] is its own record (not a field of the order): an order may ship in
//! several parcels, each with its carrier, method, tracking number, weight and tracking
//! history, and the courier webhook finds a shipment by its carrier and tracking number.
//! The order keeps what is left to ship (its lines' reserved units); the engine writes
//! both in one write set (`Engine::ship_order`).
//!
//! Tracking never goes backwards ([`TrackingStatus::moves_to`]): a carrier's events may
//! arrive late, twice, or out of order, and only an event newer than the last one that
//! moved the status, and ahead of it, moves it. Every new event is kept (time, status,
//! location); a replay of a kept event changes nothing.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrderId, ProductId, ReturnId, ShipmentId};
use crate::pricing::ShippingMethod;

/// Most tracking events one shipment keeps (older ones are dropped first).
pub const MAX_TRACKING_EVENTS: usize = 100;

/// Heaviest parcel accepted: 1,000 kg, in grams.
pub const MAX_WEIGHT_GRAMS: u32 = 1_000_000;

/// A carrier's name as ordo knows it (`dhl`, `ups`, `postnl`): 1–32 lower-case ASCII
/// letters, digits, `-` or `_`, so it can be a URL path segment and a config key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CarrierName(String);

impl CarrierName {
    /// Parses a carrier name (trimmed, lower-cased).
    ///
    /// # Errors
    /// `Validation` (field `carrier`) for an empty, long or oddly spelt name.
    pub fn parse(text: &str) -> Result<CarrierName> {
        let name = text.trim().to_ascii_lowercase();
        let valid = !name.is_empty()
            && name.len() <= 32
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if valid {
            Ok(CarrierName(name))
        } else {
            Err(Error::invalid(
                "carrier",
                format!("{text:?} must be 1-32 letters, digits, '-' or '_'"),
            ))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CarrierName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A carrier's tracking number: 6–40 upper-case ASCII letters and digits once spaces and
/// dashes (which people type and carriers print) are taken out.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TrackingNumber(String);

impl TrackingNumber {
    /// Parses a tracking number, upper-cased, without spaces and dashes.
    ///
    /// # Errors
    /// `Validation` (field `tracking number`) for a short or long number or another
    /// character.
    pub fn parse(text: &str) -> Result<TrackingNumber> {
        let number: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid = (6..=40).contains(&number.len())
            && number
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if valid {
            Ok(TrackingNumber(number))
        } else {
            Err(Error::invalid(
                "tracking number",
                format!("{text:?} must be 6-40 letters and digits"),
            ))
        }
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A parcel's weight in whole grams (no floats: `1.25` kg is 1,250 g).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Weight {
    grams: u32,
}

impl Weight {
    /// A weight of `grams` (1 g to [`MAX_WEIGHT_GRAMS`]).
    ///
    /// # Errors
    /// `Validation` (field `weight`) outside that range.
    pub fn from_grams(grams: u32) -> Result<Weight> {
        if (1..=MAX_WEIGHT_GRAMS).contains(&grams) {
            Ok(Weight { grams })
        } else {
            Err(Error::invalid(
                "weight",
                format!("must be between 0.001 and {} kg", MAX_WEIGHT_GRAMS / 1000),
            ))
        }
    }

    /// Parses kilograms with up to three decimals (`2`, `0.35`, `1.250`).
    ///
    /// # Errors
    /// `Validation` (field `weight`) for anything else or a weight out of range.
    pub fn parse_kg(text: &str) -> Result<Weight> {
        let invalid = || Error::invalid("weight", format!("{text:?} is not a weight in kg"));
        let kg: rust_decimal::Decimal = text.trim().parse().map_err(|_| invalid())?;
        if kg.scale() > 3 {
            return Err(Error::invalid(
                "weight",
                "has at most three decimals (grams)",
            ));
        }
        let grams = (kg * rust_decimal::Decimal::from(1000)).trunc();
        let grams =
            u32::try_from(grams.mantissa() / 10_i128.pow(grams.scale())).map_err(|_| invalid())?;
        Weight::from_grams(grams)
    }

    /// Grams.
    pub fn grams(self) -> u32 {
        self.grams
    }

    /// Kilograms, exact (`1.25`), as [`Weight::parse_kg`] reads them.
    pub fn kg(self) -> rust_decimal::Decimal {
        rust_decimal::Decimal::new(i64::from(self.grams), 3).normalize()
    }
}

impl fmt::Display for Weight {
    /// `1.25 kg`, `0.005 kg`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} kg", self.kg())
    }
}

/// Where a parcel is, as its carrier reports it. Never moves backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TrackingStatus {
    /// With the carrier, on its way (the status a new shipment starts in).
    InTransit,
    /// On the van for delivery today.
    OutForDelivery,
    /// Delivered to the recipient (final).
    Delivered,
    /// The carrier reports a problem (failed attempt, damage, held at customs).
    Exception,
}

/// Every tracking status.
pub const ALL_TRACKING_STATUSES: [TrackingStatus; 4] = [
    TrackingStatus::InTransit,
    TrackingStatus::OutForDelivery,
    TrackingStatus::Delivered,
    TrackingStatus::Exception,
];

impl TrackingStatus {
    /// Whether a parcel in `self` may move to `to`: forward along in transit → out for
    /// delivery → delivered, into an exception from anything but delivered, and out of
    /// an exception to anything else. The one table; delivered is final.
    pub fn moves_to(self, to: TrackingStatus) -> bool {
        use TrackingStatus::*;
        match self {
            InTransit => matches!(to, OutForDelivery | Delivered | Exception),
            OutForDelivery => matches!(to, Delivered | Exception),
            Exception => matches!(to, InTransit | OutForDelivery | Delivered),
            Delivered => false,
        }
    }

    /// `in_transit`, `out_for_delivery`, `delivered`, `exception`.
    pub fn name(self) -> &'static str {
        match self {
            TrackingStatus::InTransit => "in_transit",
            TrackingStatus::OutForDelivery => "out_for_delivery",
            TrackingStatus::Delivered => "delivered",
            TrackingStatus::Exception => "exception",
        }
    }

    /// Parses a status name (case-insensitive; `-` or space for `_`).
    ///
    /// # Errors
    /// `Validation` (field `status`) listing the names.
    pub fn parse(text: &str) -> Result<TrackingStatus> {
        let lower = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        ALL_TRACKING_STATUSES
            .into_iter()
            .find(|s| s.name() == lower)
            .ok_or_else(|| {
                Error::invalid(
                    "status",
                    format!(
                        "{text:?} must be in_transit, out_for_delivery, delivered or exception"
                    ),
                )
            })
    }
}

impl fmt::Display for TrackingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One event a carrier reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingEvent {
    /// When it happened (the carrier's time).
    pub at: Timestamp,
    /// The status it reports.
    pub status: TrackingStatus,
    /// Where (free text, at most 200 characters; may be empty).
    pub location: String,
}

impl TrackingEvent {
    /// An event, its location trimmed and checked.
    ///
    /// # Errors
    /// `Validation` (field `location`) for over 200 characters or a control character.
    pub fn new(at: Timestamp, status: TrackingStatus, location: &str) -> Result<TrackingEvent> {
        let location = crate::validate::optional_text("location", location, 200)?;
        Ok(TrackingEvent {
            at,
            status,
            location,
        })
    }
}

/// What a tracking event did to a shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackingOutcome {
    /// The shipment already had this event (a replay): nothing changed.
    Replayed,
    /// Kept in the history; the status stayed (older, or not ahead of it).
    Recorded,
    /// Kept, and the status moved from the first to the second.
    Moved(TrackingStatus, TrackingStatus),
}

/// Units of one order line in a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentLine {
    /// The product.
    pub product: ProductId,
    /// Its SKU on the order (for documents).
    pub sku: crate::catalog::Sku,
    /// Its name on the order (for documents).
    pub name: String,
    /// Units in this parcel.
    pub quantity: u32,
}

/// What a new shipment is made of; the engine checks the units against the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentDraft {
    /// The order.
    pub order: OrderId,
    /// Its number among the order's shipments (1 for the first).
    pub number: u32,
    /// The units (at least one line).
    pub lines: Vec<ShipmentLine>,
    /// Who carries it.
    pub carrier: CarrierName,
    /// The service.
    pub method: ShippingMethod,
    /// The carrier's tracking number.
    pub tracking: TrackingNumber,
    /// The parcel's weight, if weighed.
    pub weight: Option<Weight>,
    /// The return whose replacement units it carries (an exchange); `None` for units of
    /// the order's lines.
    pub for_return: Option<ReturnId>,
}

/// A parcel handed to a carrier: units of the order's lines, or the replacement units of
/// one of its returns (an exchange), which the order's line counts leave out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    id: ShipmentId,
    order: OrderId,
    number: u32,
    lines: Vec<ShipmentLine>,
    carrier: CarrierName,
    method: ShippingMethod,
    tracking: TrackingNumber,
    weight: Option<Weight>,
    shipped_at: Timestamp,
    status: TrackingStatus,
    /// The carrier's time of the event that last moved the status (none yet at first).
    status_at: Option<Timestamp>,
    events: Vec<TrackingEvent>,
    updated_at: Timestamp,
    /// The return whose replacement it carries (appended in schema 4).
    for_return: Option<ReturnId>,
}

impl Shipment {
    /// A shipment just handed over: in transit since `at`, no events yet.
    ///
    /// # Errors
    /// `Validation` (field `lines`) for no line or a line without units.
    pub fn new(id: ShipmentId, draft: ShipmentDraft, at: Timestamp) -> Result<Shipment> {
        if draft.lines.is_empty() || draft.lines.iter().any(|l| l.quantity == 0) {
            return Err(Error::invalid("lines", "a shipment needs units of a line"));
        }
        Ok(Shipment {
            id,
            order: draft.order,
            number: draft.number,
            lines: draft.lines,
            carrier: draft.carrier,
            method: draft.method,
            tracking: draft.tracking,
            weight: draft.weight,
            shipped_at: at,
            status: TrackingStatus::InTransit,
            status_at: None,
            events: Vec::new(),
            updated_at: at,
            for_return: draft.for_return,
        })
    }

    /// A shipment as schema 3 stored it, which knew only shipments of order lines.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_schema_3(
        id: ShipmentId,
        draft: ShipmentDraft,
        shipped_at: Timestamp,
        status: TrackingStatus,
        status_at: Option<Timestamp>,
        events: Vec<TrackingEvent>,
        updated_at: Timestamp,
    ) -> Shipment {
        Shipment {
            id,
            order: draft.order,
            number: draft.number,
            lines: draft.lines,
            carrier: draft.carrier,
            method: draft.method,
            tracking: draft.tracking,
            weight: draft.weight,
            shipped_at,
            status,
            status_at,
            events,
            updated_at,
            for_return: None,
        }
    }

    /// Id.
    pub fn id(&self) -> ShipmentId {
        self.id
    }
    /// The order.
    pub fn order(&self) -> OrderId {
        self.order
    }
    /// Its number among the order's shipments, from 1.
    pub fn number(&self) -> u32 {
        self.number
    }
    /// The units.
    pub fn lines(&self) -> &[ShipmentLine] {
        &self.lines
    }
    /// Units in the parcel.
    pub fn units(&self) -> u64 {
        self.lines.iter().map(|l| u64::from(l.quantity)).sum()
    }
    /// The carrier.
    pub fn carrier(&self) -> &CarrierName {
        &self.carrier
    }
    /// The service.
    pub fn method(&self) -> ShippingMethod {
        self.method
    }
    /// The tracking number.
    pub fn tracking(&self) -> &TrackingNumber {
        &self.tracking
    }
    /// The weight, if weighed.
    pub fn weight(&self) -> Option<Weight> {
        self.weight
    }
    /// When it was handed over.
    pub fn shipped_at(&self) -> Timestamp {
        self.shipped_at
    }
    /// Where it is.
    pub fn status(&self) -> TrackingStatus {
        self.status
    }
    /// The carrier's events, in the order they arrived.
    pub fn events(&self) -> &[TrackingEvent] {
        &self.events
    }
    /// Last change.
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }
    /// The return whose replacement units it carries; `None` for units of order lines.
    pub fn for_return(&self) -> Option<ReturnId> {
        self.for_return
    }
    /// Whether it carries units of the order's lines (not an exchange's replacement).
    pub fn ships_order_lines(&self) -> bool {
        self.for_return.is_none()
    }

    /// Takes a carrier's event: a replay changes nothing; a new event is kept, and moves
    /// the status if it is no older than the event that last moved it and the move is
    /// forward ([`TrackingStatus::moves_to`]).
    pub fn track(&mut self, event: TrackingEvent, now: Timestamp) -> TrackingOutcome {
        if self.events.contains(&event) {
            return TrackingOutcome::Replayed;
        }
        let from = self.status;
        let newer = self.status_at.is_none_or(|last| event.at >= last);
        let moves = newer && from.moves_to(event.status);
        if moves {
            self.status = event.status;
            self.status_at = Some(event.at);
        }
        if self.events.len() >= MAX_TRACKING_EVENTS {
            self.events.remove(0);
        }
        self.events.push(event);
        self.updated_at = now;
        if moves {
            TrackingOutcome::Moved(from, self.status)
        } else {
            TrackingOutcome::Recorded
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TrackingStatus::*;

    fn shipment() -> Shipment {
        let draft = ShipmentDraft {
            order: OrderId(1),
            number: 1,
            lines: vec![ShipmentLine {
                product: ProductId(2),
                sku: crate::catalog::Sku::parse("TEE").unwrap(),
                name: "Tee".into(),
                quantity: 2,
            }],
            carrier: CarrierName::parse("DHL").unwrap(),
            method: ShippingMethod::Standard,
            tracking: TrackingNumber::parse("jd01 2345-6789").unwrap(),
            weight: Some(Weight::parse_kg("1.25").unwrap()),
            for_return: None,
        };
        Shipment::new(ShipmentId(9), draft, Timestamp(1_000)).unwrap()
    }

    fn event(at: i64, status: TrackingStatus) -> TrackingEvent {
        TrackingEvent::new(Timestamp(at), status, "Hub").unwrap()
    }

    #[test]
    fn names_and_numbers_are_validated_and_normalized() {
        let s = shipment();
        assert_eq!(s.carrier().as_str(), "dhl");
        assert_eq!(s.tracking().as_str(), "JD0123456789");
        assert_eq!(s.weight().unwrap().grams(), 1250);
        assert_eq!(s.weight().unwrap().to_string(), "1.25 kg");
        for bad in ["", "has space", "ünï", &"x".repeat(33)] {
            assert!(CarrierName::parse(bad).is_err(), "{bad:?}");
        }
        for bad in ["12345", "AB#12345", &"1".repeat(41)] {
            assert!(TrackingNumber::parse(bad).is_err(), "{bad:?}");
        }
        for bad in ["0", "-1", "1.2345", "1001", "kg", "0.0004"] {
            assert!(Weight::parse_kg(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Weight::parse_kg("0.005").unwrap().grams(), 5);
        assert_eq!(Weight::parse_kg("1000").unwrap().grams(), MAX_WEIGHT_GRAMS);
    }

    #[test]
    fn tracking_never_goes_backwards_and_replays_change_nothing() {
        let mut s = shipment();
        assert_eq!(s.status(), InTransit);
        assert_eq!(
            s.track(event(2_000, OutForDelivery), Timestamp(5)),
            TrackingOutcome::Moved(InTransit, OutForDelivery)
        );
        // Replayed: nothing kept twice.
        assert_eq!(
            s.track(event(2_000, OutForDelivery), Timestamp(6)),
            TrackingOutcome::Replayed
        );
        // A late in-transit event (older) is kept, the status stays.
        assert_eq!(
            s.track(event(1_500, InTransit), Timestamp(7)),
            TrackingOutcome::Recorded
        );
        // A newer in-transit is backwards: kept, no move.
        assert_eq!(
            s.track(event(2_500, InTransit), Timestamp(8)),
            TrackingOutcome::Recorded
        );
        assert_eq!(s.status(), OutForDelivery);
        assert_eq!(
            s.track(event(3_000, Exception), Timestamp(9)),
            TrackingOutcome::Moved(OutForDelivery, Exception)
        );
        assert_eq!(
            s.track(event(4_000, Delivered), Timestamp(10)),
            TrackingOutcome::Moved(Exception, Delivered)
        );
        // Delivered is final, whatever comes after.
        for (at, status) in [(5_000, Exception), (6_000, InTransit)] {
            assert_eq!(
                s.track(event(at, status), Timestamp(11)),
                TrackingOutcome::Recorded
            );
        }
        assert_eq!(s.status(), Delivered);
        assert_eq!(s.events().len(), 7);
    }

    #[test]
    fn the_tracking_table_is_exactly_the_documented_one() {
        let allowed: Vec<(TrackingStatus, TrackingStatus)> = ALL_TRACKING_STATUSES
            .iter()
            .flat_map(|a| ALL_TRACKING_STATUSES.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.moves_to(*b))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (InTransit, OutForDelivery),
                (InTransit, Delivered),
                (InTransit, Exception),
                (OutForDelivery, Delivered),
                (OutForDelivery, Exception),
                (Exception, InTransit),
                (Exception, OutForDelivery),
                (Exception, Delivered),
            ]
        );
        for s in ALL_TRACKING_STATUSES {
            assert_eq!(TrackingStatus::parse(&s.name().to_uppercase()).unwrap(), s);
        }
        assert_eq!(
            TrackingStatus::parse("out-for-delivery").unwrap(),
            OutForDelivery
        );
        assert!(TrackingStatus::parse("lost").is_err());
    }

    #[test]
    fn the_event_history_is_bounded() {
        let mut s = shipment();
        for i in 0..(MAX_TRACKING_EVENTS as i64 + 10) {
            s.track(event(2_000 + i, Exception), Timestamp(i));
        }
        assert_eq!(s.events().len(), MAX_TRACKING_EVENTS);
    }
}
