//! Gateway webhooks: the `Stripe-Signature` check and the events that update the ledger.
//!
//! The signature is `t=TIMESTAMP,v1=HEX[,v1=HEX…]` with each `v1` =
//! HMAC-SHA256(webhook secret, `"{t}.{body}"`); a signature older or newer than the
//! tolerance is refused (replays), every `v1` is compared in constant time and any may
//! match (Stripe sends several while a secret is rolled).
//!
//! Events set the ledger to the gateway's state rather than replay a delta: an
//! authorization is recorded if the intent has none, a capture for what the intent
//! received beyond what the ledger captured, a refund for what it refunded beyond what
//! the ledger refunded, a void for what is still held once the intent is cancelled or
//! captured. Each entry carries the event id as its idempotency key. So a duplicate event
//! (or an event for an operation the flow already recorded) finds nothing to do: it has
//! no effect, however often it arrives.

use hmac::{Hmac, Mac};
use ordo_core::auth::Actor;
use ordo_core::engine::{Engine, PaymentRequest, VoidRequest};
use ordo_core::ids::OrderId;
use ordo_core::money::{Currency, Money};
use ordo_core::order::Order;
use ordo_core::payment::{LedgerEntryKind, PaymentMethod, gateway_reference};
use ordo_core::store::Store;
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::gateway::from_minor_units;

/// How old (or how far in the future) a signature may be: Stripe's default, 5 minutes.
pub const TOLERANCE_SECONDS: i64 = 300;
/// The most `v1` values one header may carry.
const MAX_SIGNATURES: usize = 8;

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// No usable `t=` or `v1=` in the header.
    #[error("the signature header is malformed")]
    MalformedSignature,
    /// The timestamp is outside the tolerance window.
    #[error("the signature is too old or too new")]
    StaleSignature,
    /// No `v1` matches.
    #[error("the signature does not match")]
    WrongSignature,
    /// The body is not an event this gateway sends.
    #[error("the event is not understood: {0}")]
    MalformedEvent(String),
}

/// Checks `header` (the `Stripe-Signature` value) for `body` with `secret`, at `now_unix`
/// seconds.
///
/// # Errors
/// [`WebhookError::MalformedSignature`], [`WebhookError::StaleSignature`],
/// [`WebhookError::WrongSignature`].
pub fn verify_signature(
    header: &str,
    body: &[u8],
    secret: &[u8],
    now_unix: i64,
    tolerance_seconds: i64,
) -> Result<(), WebhookError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',').take(64) {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) if signatures.len() < MAX_SIGNATURES => {
                signatures.extend(decode_hex(value));
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::MalformedSignature)?;
    if signatures.is_empty() {
        return Err(WebhookError::MalformedSignature);
    }
    if now_unix.abs_diff(timestamp) > tolerance_seconds.unsigned_abs() {
        return Err(WebhookError::StaleSignature);
    }
    let expected = sign(secret, timestamp, body);
    // Every candidate is compared, in constant time each; any may match.
    let matched = signatures.iter().fold(0u8, |any, candidate| {
        any | candidate.ct_eq(&expected).unwrap_u8()
    });
    if matched == 1 {
        Ok(())
    } else {
        Err(WebhookError::WrongSignature)
    }
}

/// HMAC-SHA256(secret, `"{timestamp}.{body}"`): what a `v1` value holds (as hex).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length; the error arm is unreachable in practice.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return Vec::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// The `Stripe-Signature` header a gateway would send for `body` at `timestamp`.
pub fn signature_header(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let hex: String = sign(secret, timestamp, body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect()
}

/// An event as sent.
#[derive(Debug, Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: RawData,
}

#[derive(Debug, Deserialize)]
struct RawData {
    object: RawObject,
}

/// A PaymentIntent or a Charge: the fields events need.
#[derive(Debug, Deserialize)]
struct RawObject {
    id: String,
    currency: String,
    #[serde(default)]
    payment_intent: Option<String>,
    #[serde(default)]
    amount_capturable: i64,
    #[serde(default)]
    amount_received: i64,
    #[serde(default)]
    amount_refunded: i64,
    #[serde(default)]
    metadata: Metadata,
}

#[derive(Debug, Default, Deserialize)]
struct Metadata {
    #[serde(default)]
    ordo_order: Option<String>,
}

/// What an event says about a payment, in ordo's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayEvent {
    /// The event id (`evt_…`): the idempotency key of what it records.
    pub id: String,
    /// The order (from the intent's metadata).
    pub order: OrderId,
    /// The gateway's payment id.
    pub payment_id: String,
    /// What happened.
    pub change: EventChange,
}

/// The payment state an event reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventChange {
    /// `payment_intent.amount_capturable_updated`: this much is held.
    Authorized(Money),
    /// `payment_intent.succeeded`: this much was received (captured); the rest released.
    Succeeded(Money),
    /// `payment_intent.canceled`: everything held was released.
    Canceled,
    /// `charge.refunded`: this much was refunded in all.
    Refunded(Money),
}

/// Parses an event body. `Ok(None)` for an event type ordo does not act on.
///
/// # Errors
/// [`WebhookError::MalformedEvent`].
pub fn parse_event(body: &[u8]) -> Result<Option<GatewayEvent>, WebhookError> {
    let bad = |why: String| WebhookError::MalformedEvent(why);
    let raw: RawEvent = serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?;
    let object = raw.data.object;
    let currency =
        Currency::parse(&object.currency.to_ascii_uppercase()).map_err(|e| bad(e.to_string()))?;
    let money = |units: i64| from_minor_units(units, currency).map_err(|e| bad(e.to_string()));
    let change = match raw.kind.as_str() {
        "payment_intent.amount_capturable_updated" => {
            EventChange::Authorized(money(object.amount_capturable)?)
        }
        "payment_intent.succeeded" => EventChange::Succeeded(money(object.amount_received)?),
        "payment_intent.canceled" => EventChange::Canceled,
        "charge.refunded" => EventChange::Refunded(money(object.amount_refunded)?),
        _ => return Ok(None),
    };
    let order = object
        .metadata
        .ordo_order
        .as_deref()
        .and_then(|id| id.parse::<u64>().ok())
        .map(OrderId)
        .ok_or_else(|| bad("no metadata[ordo_order]".into()))?;
    let payment_id = match raw.kind.as_str() {
        "charge.refunded" => object
            .payment_intent
            .ok_or_else(|| bad("a charge without payment_intent".into()))?,
        _ => object.id,
    };
    Ok(Some(GatewayEvent {
        id: raw.id,
        order,
        payment_id,
        change,
    }))
}

/// Brings `event.order`'s ledger up to what the event reports for gateway `gateway`, as
/// the system. Returns how many ledger entries it recorded (0 for a duplicate).
///
/// # Errors
/// Engine errors (a missing order is `NotFound`).
pub fn apply_event<S: Store>(
    engine: &Engine<S>,
    gateway: &str,
    event: &GatewayEvent,
) -> ordo_core::Result<usize> {
    let actor = Actor::system();
    let reference = gateway_reference(gateway, &event.payment_id);
    let order = engine.get_order(&actor, event.order)?.value;
    let before = order.ledger().len();
    let key = |step: &str| Some(format!("{}{step}", event.id));
    let request = |amount: Money, step: &str| PaymentRequest {
        amount,
        method: PaymentMethod::Card,
        external_reference: reference.clone(),
        idempotency_key: key(step),
    };
    let of_intent = |order: &Order, kind: LedgerEntryKind| -> ordo_core::Result<Money> {
        order
            .ledger()
            .iter()
            .filter(|e| e.kind == kind && e.external_reference == reference)
            .try_fold(Money::zero(order.currency()), |sum, e| sum.add(&e.amount))
    };
    let mut order = order;
    match &event.change {
        EventChange::Authorized(amount) => {
            if of_intent(&order, LedgerEntryKind::Authorization)?.is_zero() && !amount.is_zero() {
                order = engine.authorize_payment(&actor, event.order, &request(*amount, ""))?;
            }
        }
        EventChange::Succeeded(received) => {
            // A capture whose authorization never reached the ledger (a crash after the
            // gateway answered): the hold is recorded first, so the capture is within it.
            if of_intent(&order, LedgerEntryKind::Authorization)?.is_zero() && !received.is_zero() {
                order =
                    engine.authorize_payment(&actor, event.order, &request(*received, ":auth"))?;
            }
            let captured = of_intent(&order, LedgerEntryKind::Capture)?;
            if *received > captured {
                let more = received.sub(&captured)?;
                order = engine.capture_payment(&actor, event.order, &request(more, ""))?;
            }
            order = void_rest(engine, &actor, order, &reference, key(":rest"))?;
        }
        EventChange::Canceled => {
            order = void_rest(engine, &actor, order, &reference, key(""))?;
        }
        EventChange::Refunded(total) => {
            let refunded = of_intent(&order, LedgerEntryKind::Refund)?;
            if *total > refunded {
                let more = total.sub(&refunded)?;
                order = engine.record_refund(&actor, event.order, &request(more, ""))?;
            }
        }
    }
    Ok(order.ledger().len().saturating_sub(before))
}

/// Records the void of what `order` still holds through this intent, if anything.
fn void_rest<S: Store>(
    engine: &Engine<S>,
    actor: &Actor,
    order: Order,
    reference: &str,
    key: Option<String>,
) -> ordo_core::Result<Order> {
    let held_here = order
        .gateway_authorization()
        .is_some_and(|(gateway, id)| gateway_reference(gateway, id) == reference);
    if !held_here || order.ledger_sums()?.capturable()?.is_zero() {
        return Ok(order);
    }
    engine.void_authorization(
        actor,
        order.id(),
        &VoidRequest {
            external_reference: reference.to_string(),
            idempotency_key: key,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test";
    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_signature_made_with_the_secret_passes() {
        let body = br#"{"id":"evt_1"}"#;
        let header = signature_header(SECRET, NOW, body);
        assert_eq!(
            verify_signature(&header, body, SECRET, NOW, TOLERANCE_SECONDS),
            Ok(())
        );
    }

    #[test]
    fn bad_old_or_malformed_signatures_are_refused() {
        let body = br#"{"id":"evt_1"}"#;
        let header = signature_header(SECRET, NOW, body);
        let check = |h: &str, b: &[u8], now| verify_signature(h, b, SECRET, now, TOLERANCE_SECONDS);
        assert_eq!(
            check(&header, b"{}", NOW),
            Err(WebhookError::WrongSignature)
        );
        assert_eq!(
            check(&signature_header(b"other", NOW, body), body, NOW),
            Err(WebhookError::WrongSignature)
        );
        assert_eq!(
            check(&header, body, NOW + 301),
            Err(WebhookError::StaleSignature)
        );
        assert_eq!(
            check(&header, body, NOW - 301),
            Err(WebhookError::StaleSignature)
        );
        assert_eq!(check(&header, body, NOW + 300), Ok(()));
        assert_eq!(
            check("v1=abc", body, NOW),
            Err(WebhookError::MalformedSignature)
        );
        assert_eq!(
            check("t=1", body, NOW),
            Err(WebhookError::MalformedSignature)
        );
        assert_eq!(check("", body, NOW), Err(WebhookError::MalformedSignature));
    }

    #[test]
    fn any_of_several_v1_values_may_match() {
        let body = br#"{"id":"evt_1"}"#;
        let good = signature_header(SECRET, NOW, body);
        let good_v1 = good.split_once(",v1=").unwrap().1;
        let stale_secret = signature_header(b"rolled", NOW, body);
        let stale_v1 = stale_secret.split_once(",v1=").unwrap().1;
        let header = format!("t={NOW},v1={stale_v1},v1={good_v1}");
        assert_eq!(
            verify_signature(&header, body, SECRET, NOW, TOLERANCE_SECONDS),
            Ok(())
        );
    }

    #[test]
    fn events_parse_into_changes_and_unknown_types_are_skipped() {
        let body = br#"{"id":"evt_9","type":"payment_intent.succeeded","data":{"object":
            {"id":"pi_1","currency":"usd","amount_received":1250,"metadata":{"ordo_order":"7"}}}}"#;
        let event = parse_event(body).unwrap().unwrap();
        assert_eq!(event.order, OrderId(7));
        assert_eq!(event.payment_id, "pi_1");
        assert_eq!(
            event.change,
            EventChange::Succeeded(
                Money::new(rust_decimal::Decimal::new(1250, 2), Currency::USD).unwrap()
            )
        );
        let other = br#"{"id":"evt_2","type":"customer.created","data":{"object":{"id":"cus_1","currency":"usd"}}}"#;
        assert_eq!(parse_event(other).unwrap(), None);
        assert!(parse_event(b"not json").is_err());
    }
}
