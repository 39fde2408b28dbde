//! The SMS channel's HTTP side: `POST /sms/inbound` (Twilio's inbound-message webhook,
//! answered with TwiML) and `POST /sms/status` (delivery status callbacks).
//!
//! Both verify `X-Twilio-Signature` over the configured public URL and every form
//! parameter received, in constant time; missing or wrong is 403 and nothing else happens.
//! Without an auth token the routes are mounted only on a loopback listener (for trying
//! the service on one machine), where requests are not signed.
//!
//! What a text asks is decided by [`super::command::parse`], what the sender may learn by
//! the engine (`track_by_phone` and friends: an order is told only to its customer's
//! phone), and the words by [`super::reply`]. Per number: a rate limit (texts beyond it
//! are read and ignored, so a flood costs no replies), and an opted-out number (`STOP`)
//! gets no reply to anything but `START`. Every inbound text and every reply from or to
//! a customer's phone goes into their communication log.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use ordo_core::auth::Actor;
use ordo_core::customer::Phone;
use ordo_core::delivery::CarrierStatus;
use ordo_core::message::{Direction, MessageChannel};
use ordo_core::ratelimit::{RateKey, RateLimit, RateScope};
use ordo_core::store::Store;
use ordo_core::{Engine, Error};

use super::command::{self, SmsCommand};
use super::{reply, signature, twiml};
use crate::http::AppState;

/// The largest webhook body read (Twilio's are a few kilobytes).
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The open orders `ORDERS` lists at most.
const ORDERS_LISTED: usize = 10;

/// The SMS routes, for [`crate::http::router`].
pub fn routes<S: Store + Send + Sync + 'static>() -> Router<AppState<S>> {
    Router::new()
        .route("/sms/inbound", post(inbound::<S>))
        .route("/sms/status", post(status::<S>))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Whether the SMS routes may be served by this configuration: with an auth token always;
/// without one only on a loopback listener.
pub fn may_mount(config: &crate::config::ServeConfig) -> bool {
    config.twilio().auth_token.is_some() || config.listen().is_loopback()
}

/// The form parameters, repeated keys included, in the order sent.
fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// The first value of `name`.
fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Whether the request is Twilio's: signed with the auth token over the URL it was sent
/// to (`public_url` and the path, or `http://` and the address the service bound without
/// one) and every parameter. Without a token (loopback only) everything is.
fn authentic<S: Store>(
    state: &AppState<S>,
    uri: &Uri,
    headers: &HeaderMap,
    params: &[(String, String)],
) -> bool {
    let Some(token) = &state.config.twilio().auth_token else {
        return true;
    };
    let base = state.config.public_url().map_or_else(
        || format!("http://{}", state.config.listen()),
        str::to_string,
    );
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string());
    let url = signature::url_for(&base, &path);
    let header = headers
        .get("X-Twilio-Signature")
        .and_then(|value| value.to_str().ok());
    signature::verify(token.expose(), &url, params, header)
}

/// The form parameters of a request Twilio signed; `None` (logged as `what`) otherwise,
/// which the handler answers with 403.
fn signed_form<S: Store>(
    state: &AppState<S>,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    what: &str,
) -> Option<Vec<(String, String)>> {
    let params = form(body);
    if authentic(state, uri, headers, &params) {
        Some(params)
    } else {
        tracing::warn!("{what} refused: missing or wrong X-Twilio-Signature");
        None
    }
}

/// A 500 for an engine failure (logged by code, never the text).
fn engine_failed(what: &str, error: &Error) -> Response {
    tracing::error!(code = error.code(), "{what} failed");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// A 503 when the engine could not be reached (shutting down).
fn pool_failed(what: &str, error: &crate::pool::PoolError) -> Response {
    tracing::error!(%error, "{what} failed");
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

/// A TwiML answer.
fn twiml_response(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `POST /sms/inbound`.
async fn inbound<S: Store + Send + Sync + 'static>(
    State(state): State<AppState<S>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(params) = signed_form(&state, &uri, &headers, &body, "inbound SMS") else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let from = param(&params, "From").unwrap_or_default().to_string();
    let text = param(&params, "Body").unwrap_or_default().to_string();
    let limit = state.config.sms_per_minute();
    let answered = state
        .pool
        .run(move |engine| answer(engine, &from, &text, limit))
        .await;
    match answered {
        Ok(Ok(Some(reply))) => twiml_response(twiml::message(&reply)),
        Ok(Ok(None)) => twiml_response(twiml::empty()),
        Ok(Err(error)) => engine_failed("inbound SMS", &error),
        Err(error) => pool_failed("inbound SMS", &error),
    }
}

/// `POST /sms/status`: a delivery status callback. Unknown message ids and stale
/// statuses change nothing; Twilio gets a 204 either way.
async fn status<S: Store + Send + Sync + 'static>(
    State(state): State<AppState<S>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(params) = signed_form(&state, &uri, &headers, &body, "SMS status callback") else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let sid = param(&params, "MessageSid").unwrap_or_default().to_string();
    let Some(reported) = param(&params, "MessageStatus").and_then(CarrierStatus::parse) else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let result = state
        .pool
        .run(move |engine| engine.carrier_report(&Actor::system(), &sid, reported))
        .await;
    match result {
        Ok(Ok(_) | Err(Error::NotFound { .. })) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(error)) => engine_failed("SMS status callback", &error),
        Err(error) => pool_failed("SMS status callback", &error),
    }
}

/// What to answer `body` from `from` (`None`: no reply), acting as the system.
///
/// # Errors
/// Storage errors.
pub fn answer<S: Store>(
    engine: &Engine<S>,
    from: &str,
    body: &str,
    per_minute: u32,
) -> ordo_core::Result<Option<String>> {
    let system = Actor::system();
    let Ok(phone) = Phone::parse(from) else {
        return Ok(None);
    };
    let key = RateKey::new(RateScope::Phone, phone.as_str())?;
    // `per_minute` at once, then one more every 60 s / `per_minute` (at least 1 ms).
    let per_minute = per_minute.max(1);
    let limit = RateLimit::new(per_minute, (60_000 / i64::from(per_minute)).max(1))?;
    match engine.take_rate(&system, &key, limit) {
        Ok(()) => {}
        Err(Error::RateLimited { .. }) => return Ok(None),
        Err(other) => return Err(other),
    }
    let customer = match engine.customer_by_phone(&system, phone.as_str()) {
        Ok(customer) => Some(customer.id()),
        Err(Error::NotFound { .. }) => None,
        Err(other) => return Err(other),
    };
    log(engine, customer, Direction::Inbound, body);
    let command = command::parse(body);
    let reply = match command {
        SmsCommand::OptOut => {
            engine.set_phone_opt_out(&system, &phone, true)?;
            None
        }
        SmsCommand::OptIn => {
            engine.set_phone_opt_out(&system, &phone, false)?;
            Some(reply::OPTED_IN.to_string())
        }
        _ if engine.phone_opted_out(&system, &phone)? => None,
        SmsCommand::Help => Some(reply::HELP.to_string()),
        SmsCommand::Unknown => Some(reply::UNKNOWN.to_string()),
        SmsCommand::Track {
            references,
            invalid,
            too_many,
        } => {
            let found = engine.track_by_phone(&system, &phone, &references)?;
            Some(reply::track(&found, &invalid, too_many))
        }
        SmsCommand::Orders => {
            let open = engine.open_orders_by_phone(&system, &phone, ORDERS_LISTED)?;
            Some(reply::orders(&open))
        }
        SmsCommand::Subscribe(reference) => Some(watch(engine, &phone, &reference, true)?),
        SmsCommand::Unsubscribe(reference) => Some(watch(engine, &phone, &reference, false)?),
    };
    if let Some(text) = &reply {
        log(engine, customer, Direction::Outbound, text);
    }
    Ok(reply)
}

/// `SUB` (`on`) or `UNSUB`, worded.
fn watch<S: Store>(
    engine: &Engine<S>,
    phone: &Phone,
    reference: &ordo_core::ids::OrderReference,
    on: bool,
) -> ordo_core::Result<String> {
    match engine.watch_order(&Actor::system(), phone, reference, on) {
        Ok(order) => Ok(reply::watch(reference, Some(&order), on)),
        Err(Error::NotFound { .. }) => Ok(reply::watch(reference, None, on)),
        Err(other) => Err(other),
    }
}

/// Writes a text into the customer's communication log (none for a number no customer
/// has); a text the log refuses (too long, …) is noted, not fatal.
fn log<S: Store>(
    engine: &Engine<S>,
    customer: Option<ordo_core::ids::CustomerId>,
    direction: Direction,
    text: &str,
) {
    let Some(customer) = customer else {
        return;
    };
    let text: String = text.chars().take(1_000).collect();
    let logged = if text.trim().is_empty() {
        "(empty text)".to_string()
    } else {
        text
    };
    if let Err(error) = engine.log_message(
        &Actor::system(),
        customer,
        MessageChannel::Sms,
        direction,
        &logged,
        None,
    ) {
        tracing::warn!(code = error.code(), "an SMS could not be logged");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordo_core::store::MemoryStore;
    use ordo_core::testkit::sample;

    #[test]
    fn any_configured_rate_answers_within_it_and_ignores_the_rest() {
        // Regression: 100,000 a minute once made a refill interval of 0 ms, refused as
        // invalid, so every text failed with a 500.
        for per_minute in [1, 6, 60_000, 100_000] {
            let (engine, _clock) = sample::engine(MemoryStore::new(), 1);
            let answered = (0..3)
                .filter(|_| {
                    answer(&engine, "+15550001111", "HELP", per_minute)
                        .unwrap()
                        .is_some()
                })
                .count();
            assert_eq!(
                answered,
                3.min(per_minute as usize),
                "{per_minute} a minute"
            );
        }
    }

    #[test]
    fn without_an_auth_token_the_webhooks_are_served_on_loopback_only() {
        let config = |env: &[(&str, &str)]| {
            crate::config::ServeConfig::parse(
                None,
                env.iter()
                    .map(|(k, v)| ((*k).to_string(), (*v).to_string())),
            )
            .unwrap()
        };
        assert!(may_mount(&config(&[("ORDO_LISTEN", "127.0.0.1:8080")])));
        assert!(!may_mount(&config(&[("ORDO_LISTEN", "0.0.0.0:8080")])));
        assert!(may_mount(&config(&[
            ("ORDO_LISTEN", "0.0.0.0:8080"),
            ("ORDO_TWILIO_AUTH_TOKEN", "secret"),
        ])));
    }

    #[test]
    fn a_sender_that_is_not_a_phone_number_gets_no_reply() {
        let (engine, _clock) = sample::engine(MemoryStore::new(), 1);
        assert_eq!(answer(&engine, "not a number", "HELP", 10).unwrap(), None);
    }
}

#[cfg(test)]
mod log_tests {
    use super::*;
    use ordo_core::engine::OrderRequest;
    use ordo_core::store::MemoryStore;
    use ordo_core::testkit::sample;

    #[test]
    fn every_text_and_reply_of_a_customer_is_logged() {
        let (engine, clock) = sample::engine(MemoryStore::new(), 1);
        let admin = sample::admin();
        engine
            .create_product(&admin, sample::product("TEE", 100))
            .unwrap();
        engine.restock(&admin, "TEE", "MAIN", 5, "x").unwrap();
        let ada = engine
            .create_customer(&admin, &sample::customer(1))
            .unwrap();
        let order = engine
            .create_order(&admin, &OrderRequest::simple(ada.id(), &[("TEE", 1)]))
            .unwrap();
        let r = order.reference().unwrap().to_string();
        let phone = ada.phone().to_string();
        let _ = &clock;
        for body in [format!("SUB {r}"), format!("unsub {r}"), "HELP".into()] {
            assert!(
                answer(&engine, &phone, &body, 100).unwrap().is_some(),
                "{body}"
            );
        }
        let log = engine.messages(&admin, ada.id(), 100).unwrap();
        assert_eq!(log.len(), 6, "{log:#?}");
    }
}
