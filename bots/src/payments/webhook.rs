//! `POST /payments/{gateway}/webhook`: a gateway's event, verified by its
//! `Stripe-Signature` (HMAC-SHA256 over `"t.body"` with the webhook secret, 5-minute
//! tolerance, constant-time compare, any of several `v1` values), then applied to the
//! ledger by `ordo_payments::webhook::apply_event` (an event already applied has no
//! effect).
//!
//! Answers: 200 when the event was applied or needs nothing (a type ordo does not act on,
//! a duplicate, an order that is not ours, a change the ledger refuses — retrying would not
//! change the answer); 403 for a missing or wrong signature (nothing else happens); 400 for
//! a body that is not an event; 404 for a gateway without a webhook secret; 503 when the
//! engine could not answer now (the gateway retries).

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use ordo_core::ErrorKind;
use ordo_core::store::Store;
use ordo_payments::webhook::{self, TOLERANCE_SECONDS};

use crate::http::AppState;

/// The largest event read (Stripe's are a few kilobytes).
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The payment webhook routes, for [`crate::http::router`].
pub fn routes<S: Store + Send + Sync + 'static>() -> Router<AppState<S>> {
    Router::new()
        .route("/payments/{gateway}/webhook", post(receive::<S>))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Whether any payment webhook may be mounted: a gateway has its webhook secret.
pub fn may_mount(config: &crate::config::ServeConfig) -> bool {
    !config.payment_webhooks().is_empty()
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

async fn receive<S: Store + Send + Sync + 'static>(
    State(state): State<AppState<S>>,
    Path(gateway): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = state
        .config
        .payment_gateway(&gateway)
        .and_then(|g| g.webhook_secret.clone())
    else {
        return (StatusCode::NOT_FOUND, "no such payment webhook").into_response();
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Err(error) = webhook::verify_signature(
        signature,
        &body,
        secret.expose().as_bytes(),
        now_unix(),
        TOLERANCE_SECONDS,
    ) {
        tracing::warn!(gateway, %error, "payment webhook refused");
        return (StatusCode::FORBIDDEN, "signature refused").into_response();
    }
    let event = match webhook::parse_event(&body) {
        Ok(Some(event)) => event,
        Ok(None) => return (StatusCode::OK, "ignored").into_response(),
        Err(error) => {
            tracing::warn!(gateway, %error, "payment webhook not understood");
            return (StatusCode::BAD_REQUEST, "not an event").into_response();
        }
    };
    let name = gateway.clone();
    let applied = state
        .pool
        .run(move |engine| webhook::apply_event(engine, &name, &event))
        .await;
    match applied {
        Ok(Ok(recorded)) => {
            tracing::info!(gateway, recorded, "payment webhook applied");
            (StatusCode::OK, "ok").into_response()
        }
        Ok(Err(error)) => match error.kind() {
            ErrorKind::Conflict | ErrorKind::Internal => {
                tracing::warn!(gateway, %error, "payment webhook not applied; the gateway retries");
                (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
            }
            ErrorKind::Validation
            | ErrorKind::NotFound
            | ErrorKind::BadRequest
            | ErrorKind::Unauthenticated
            | ErrorKind::Forbidden => {
                tracing::warn!(gateway, %error, "payment webhook event refused by the ledger");
                (StatusCode::OK, "refused").into_response()
            }
        },
        Err(error) => {
            tracing::warn!(gateway, %error, "payment webhook: engine unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
        }
    }
}
