//! `POST /carriers/{carrier}/events`: a courier's tracking event, verified by its
//! `X-Ordo-Signature` ([`super::signature`]), read by the carrier's [`Carrier`] and handed
//! to `Engine::track_shipment` as the system actor on the engine pool.
//!
//! Answers: 200 when the event was applied or needs nothing (an unknown tracking number, a
//! replay, an older event — retrying would not change the answer); 401 without a
//! signature and 403 for a wrong one (nothing else happens); 400 for a body that is not an
//! event; 404 for a carrier without a secret; 503 when the engine could not answer now
//! (the carrier retries).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use ordo_core::ErrorKind;
use ordo_core::auth::Actor;
use ordo_core::engine::TrackingResult;
use ordo_core::shipment::CarrierName;
use ordo_core::store::Store;

use super::generic::{GenericCarrier, MAX_EVENT_BYTES};
use super::signature::{self, SignatureError};
use super::{Carrier, CarrierEvent};
use crate::config::ServeConfig;
use crate::http::AppState;

/// The carrier webhook routes, for [`crate::http::router`].
pub fn routes<S: Store + Send + Sync + 'static>() -> Router<AppState<S>> {
    Router::new()
        .route("/carriers/{carrier}/events", post(receive::<S>))
        .layer(DefaultBodyLimit::max(MAX_EVENT_BYTES))
}

/// Whether any carrier webhook may be mounted: a carrier has its secret.
pub fn may_mount(config: &ServeConfig) -> bool {
    !config.carrier_webhooks().is_empty()
}

/// The [`Carrier`] reading `name`'s events (the generic JSON shape for every carrier).
fn carrier_for(name: CarrierName) -> Box<dyn Carrier> {
    Box::new(GenericCarrier::new(name))
}

async fn receive<S: Store + Send + Sync + 'static>(
    State(state): State<AppState<S>>,
    Path(carrier): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((name, secret)) = CarrierName::parse(&carrier).ok().and_then(|name| {
        let secret = state.config.carrier_secret(name.as_str())?.clone();
        Some((name, secret))
    }) else {
        return (StatusCode::NOT_FOUND, "no such carrier webhook").into_response();
    };
    let carrier = carrier_for(name);
    let label = carrier.name().as_str().to_string();
    let header = headers
        .get(signature::HEADER)
        .map(|v| v.to_str().unwrap_or("?"));
    if let Err(error) = signature::verify(secret.expose().as_bytes(), &body, header) {
        tracing::warn!(carrier = label, %error, "carrier event refused");
        return match error {
            SignatureError::Missing => (StatusCode::UNAUTHORIZED, "signature required"),
            SignatureError::Malformed | SignatureError::Mismatch => {
                (StatusCode::FORBIDDEN, "signature refused")
            }
        }
        .into_response();
    }
    let CarrierEvent { tracking, event } = match carrier.parse_event(&body) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(carrier = label, %error, "carrier event not understood");
            return (StatusCode::BAD_REQUEST, "not a tracking event").into_response();
        }
    };
    let name = carrier.name().clone();
    let tracked = state
        .pool
        .run(move |engine| engine.track_shipment(&Actor::system(), &name, &tracking, &event))
        .await;
    match tracked {
        Ok(Ok(TrackingResult::Unknown)) => {
            tracing::info!(
                carrier = label,
                "carrier event for an unknown tracking number"
            );
            (StatusCode::OK, "unknown tracking number").into_response()
        }
        Ok(Ok(TrackingResult::Known {
            shipment,
            outcome,
            order_status,
        })) => {
            tracing::info!(
                carrier = label,
                shipment = %shipment.tracking(),
                ?outcome,
                %order_status,
                "carrier event applied"
            );
            (StatusCode::OK, "ok").into_response()
        }
        Ok(Err(error)) => match error.kind() {
            ErrorKind::Conflict | ErrorKind::Internal => {
                tracing::warn!(carrier = label, %error, "carrier event not applied; the carrier retries");
                (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
            }
            ErrorKind::Validation | ErrorKind::BadRequest => {
                tracing::warn!(carrier = label, %error, "carrier event refused");
                (StatusCode::BAD_REQUEST, "refused").into_response()
            }
            ErrorKind::NotFound => {
                tracing::warn!(carrier = label, %error, "carrier event for a shipment not found");
                (StatusCode::OK, "not found").into_response()
            }
            ErrorKind::Unauthenticated | ErrorKind::Forbidden => {
                tracing::error!(carrier = label, %error, "the system actor may not track shipments");
                (StatusCode::INTERNAL_SERVER_ERROR, "not allowed").into_response()
            }
        },
        Err(error) => {
            tracing::warn!(carrier = label, %error, "carrier event: engine unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
        }
    }
}
