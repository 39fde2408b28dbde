//! The generic HTTP carrier: one JSON object per request,
//! `{"tracking_number": "JD0000000001", "status": "out_for_delivery",
//! "time": "2026-12-01T09:30:00Z", "location": "Leeds"}`.
//!
//! `status` is `in_transit`, `out_for_delivery`, `delivered` or `exception`; `time` is
//! RFC 3339 (any offset, kept to the millisecond); `location` may be absent. Other fields
//! are ignored (carriers add them without notice).

use ordo_core::clock::Timestamp;
use ordo_core::shipment::{CarrierName, TrackingEvent, TrackingNumber, TrackingStatus};
use ordo_core::{Error, Result};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Carrier, CarrierEvent};

/// The largest event body read, in bytes (an event is a few hundred).
pub const MAX_EVENT_BYTES: usize = 16 * 1024;

/// A carrier posting ordo's generic JSON tracking event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericCarrier {
    name: CarrierName,
}

impl GenericCarrier {
    /// The generic carrier named `name`.
    pub fn new(name: CarrierName) -> GenericCarrier {
        GenericCarrier { name }
    }
}

#[derive(Deserialize)]
struct Wire {
    tracking_number: String,
    status: String,
    time: String,
    #[serde(default)]
    location: Option<String>,
}

impl Carrier for GenericCarrier {
    fn name(&self) -> &CarrierName {
        &self.name
    }

    fn parse_event(&self, body: &[u8]) -> Result<CarrierEvent> {
        if body.len() > MAX_EVENT_BYTES {
            return Err(Error::invalid(
                "body",
                format!("{} bytes is over {MAX_EVENT_BYTES}", body.len()),
            ));
        }
        let wire: Wire = serde_json::from_slice(body)
            .map_err(|e| Error::invalid("body", format!("not a tracking event: {e}")))?;
        let tracking = TrackingNumber::parse(&wire.tracking_number)?;
        let status = TrackingStatus::parse(&wire.status)?;
        let at = parse_time(&wire.time)?;
        let event = TrackingEvent::new(at, status, wire.location.as_deref().unwrap_or(""))?;
        Ok(CarrierEvent { tracking, event })
    }
}

/// An RFC 3339 time as milliseconds since the epoch.
fn parse_time(text: &str) -> Result<Timestamp> {
    let invalid = || {
        Error::invalid(
            "time",
            format!("{text:?} is not an RFC 3339 time like 2026-12-01T09:30:00Z"),
        )
    };
    let parsed = OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|_| invalid())?;
    let millis = i64::try_from(parsed.unix_timestamp_nanos() / 1_000_000).map_err(|_| invalid())?;
    Ok(Timestamp(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dhl() -> GenericCarrier {
        GenericCarrier::new(CarrierName::parse("dhl").unwrap())
    }

    #[test]
    fn reads_an_event_with_and_without_a_location() {
        let event = dhl()
            .parse_event(
                br#"{"tracking_number":"jd-0000 000001","status":"out_for_delivery","time":"2026-12-01T10:30:00.250+01:00","location":" Leeds ","extra":1}"#,
            )
            .unwrap();
        assert_eq!(event.tracking.as_str(), "JD0000000001");
        assert_eq!(event.event.status, TrackingStatus::OutForDelivery);
        // 2026-12-01T09:30:00.250Z
        assert_eq!(event.event.at, Timestamp(1_796_117_400_250));
        assert_eq!(event.event.location, "Leeds");
        let bare = dhl()
            .parse_event(
                br#"{"tracking_number":"JD0000000001","status":"delivered","time":"2026-12-01T09:30:00Z"}"#,
            )
            .unwrap();
        assert_eq!(bare.event.status, TrackingStatus::Delivered);
        assert_eq!(bare.event.location, "");
        assert_eq!(dhl().name().as_str(), "dhl");
    }

    #[test]
    fn refuses_what_is_not_an_event() {
        let ok_time = "2026-12-01T09:30:00Z";
        let cases = [
            "not json".to_string(),
            "{}".to_string(),
            format!(r#"{{"tracking_number":"JD0000000001","status":"lost","time":"{ok_time}"}}"#),
            r#"{"tracking_number":"JD0000000001","status":"delivered","time":"yesterday"}"#
                .to_string(),
            r#"{"tracking_number":"JD0000000001","status":"delivered","time":"2026-12-01"}"#
                .to_string(),
            format!(r#"{{"tracking_number":"J!","status":"delivered","time":"{ok_time}"}}"#),
            format!(
                r#"{{"tracking_number":"JD0000000001","status":"delivered","time":"{ok_time}","location":"{}"}}"#,
                "x".repeat(201)
            ),
            format!(
                r#"{{"tracking_number":"JD0000000001","status":"delivered","time":"{ok_time}","pad":"{}"}}"#,
                " ".repeat(MAX_EVENT_BYTES)
            ),
        ];
        for body in cases {
            assert!(dhl().parse_event(body.as_bytes()).is_err(), "{body:.80}");
        }
    }
}
