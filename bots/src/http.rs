//! HTTP: `GET /healthz` and `POST /api/v1` (the wire contract over HTTP), on axum.
//!
//! `POST /api/v1` takes an `ordo-api` request as its body and answers with exactly the
//! contract's response JSON, as `ordo --json` and the C API do. `Authorization: Bearer
//! <token>` (from `session.login`) makes the request act as that session's user; without
//! it the caller is a guest, and the engine refuses what guests may not do (this module
//! re-checks no rule). The HTTP status is the error's kind ([`http_status`], the table in
//! `docs/api.md`). Logins and registrations are counted per peer address against the
//! store's rate-limit buckets before they run.
//!
//! Logs: one line per request with the op, the statuses and the duration; never the
//! body, the token, a password or a code.
//!
//! Extension point: [`router`] is where channel routes (`/sms/...`, Telegram) are merged;
//! [`AppState`] is what every handler gets, and takes new fields for them.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use ordo_api::request::{Nothing, TakeRate};
use ordo_api::{ApiError, Caller, MAX_REQUEST_BYTES, Outcome, Request, Response};
use ordo_core::ErrorKind;
use ordo_core::ratelimit::RateScope;
use ordo_core::store::Store;

use crate::config::ServeConfig;
use crate::exchange;
use crate::pool::EnginePool;

/// How long `/healthz` waits for its read before answering 503.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// The name the service's own bookkeeping requests (rate limits, health) run under.
pub const SERVICE_CALLER: &str = "ordo-serve";

/// What every handler gets: the engine behind its pool and the configuration. Cheap to
/// clone. Channels add their fields here (a Twilio client, …).
pub struct AppState<S: Store> {
    /// The engine, reached only through the bounded blocking pool.
    pub pool: EnginePool<S>,
    /// The service's configuration.
    pub config: Arc<ServeConfig>,
}

impl<S: Store> Clone for AppState<S> {
    fn clone(&self) -> Self {
        AppState {
            pool: self.pool.clone(),
            config: self.config.clone(),
        }
    }
}

impl<S: Store + Send + Sync + 'static> AppState<S> {
    /// The state of a service running `pool` with `config`.
    pub fn new(pool: EnginePool<S>, config: ServeConfig) -> AppState<S> {
        AppState {
            pool,
            config: Arc::new(config),
        }
    }
}

/// Every HTTP route of the service. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()`: the rate limits key on the peer.
pub fn router<S: Store + Send + Sync + 'static>(state: AppState<S>) -> Router {
    let contract = Router::new()
        .route("/healthz", get(healthz::<S>))
        .route("/api/v1", post(api_v1::<S>));
    // Channel routes are merged here, each a `Router<AppState<S>>` of its own module.
    let mut channels: Router<AppState<S>> = Router::new();
    if crate::sms::webhook::may_mount(&state.config) {
        channels = channels.merge(crate::sms::webhook::routes::<S>());
    } else {
        tracing::warn!(
            "SMS webhooks are off: without twilio.auth_token (ORDO_TWILIO_AUTH_TOKEN) they \
             are served only on a loopback address, where nobody else can forge them"
        );
    }
    if crate::payments::webhook::may_mount(&state.config) {
        channels = channels.merge(crate::payments::webhook::routes::<S>());
    }
    if crate::carriers::webhook::may_mount(&state.config) {
        channels = channels.merge(crate::carriers::webhook::routes::<S>());
    }
    contract.merge(channels).with_state(state)
}

/// `GET /healthz`: 200 `ok` when the store answers a cheap read in time, else 503.
async fn healthz<S: Store + Send + Sync + 'static>(
    State(state): State<AppState<S>>,
) -> (StatusCode, &'static str) {
    let read = state.pool.run(|engine| {
        let caller = Caller::Local {
            name: SERVICE_CALLER.to_string(),
        };
        ordo_api::execute(
            engine,
            &caller,
            None,
            Request::SettingsGet(Nothing {}),
            None,
        )
    });
    match tokio::time::timeout(HEALTH_TIMEOUT, read).await {
        Ok(Ok(response)) if response.status() == ordo_api::response::STATUS_OK => {
            (StatusCode::OK, "ok\n")
        }
        Ok(Ok(response)) => {
            tracing::warn!(
                status = response.status(),
                "health check: the store did not answer"
            );
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable\n")
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable\n")
        }
        Err(_) => {
            tracing::warn!("health check: no answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable\n")
        }
    }
}

/// `POST /api/v1`.
async fn api_v1<S: Store + Send + Sync + 'static>(
    State(state): State<AppState<S>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> axum::response::Response {
    let started = Instant::now();
    let (op, response) = answer(&state, peer.ip(), &headers, body).await;
    let status = http_status(&response);
    let code = match &response.outcome {
        Outcome::Ok(_) => "ok",
        Outcome::Error(error) => error.code.as_str(),
    };
    tracing::info!(
        op = op.unwrap_or("-"),
        http_status = status.as_u16(),
        status = response.status(),
        code,
        duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        peer = %peer.ip(),
        "api request"
    );
    reply(status, &response)
}

/// The contract's response to one HTTP request, and its op when it names a known one.
async fn answer<S: Store + Send + Sync + 'static>(
    state: &AppState<S>,
    peer: IpAddr,
    headers: &HeaderMap,
    body: Body,
) -> (Option<&'static str>, Response) {
    let session = match bearer(headers) {
        Ok(session) => session,
        Err(error) => return (None, Response::error(error, None)),
    };
    let text = match read_body(headers, body).await {
        Ok(text) => text,
        Err(error) => return (None, Response::error(error, None)),
    };
    // Anything but a JSON object goes to the contract as it came: its answer is the
    // contract's `malformed_request`.
    let Some(request) = exchange::object(&text) else {
        return (
            None,
            exchange::execute(&state.pool, Caller::Remote, text).await,
        );
    };
    let op = exchange::op_of(&request);
    if let Some(refused) = limit(state, peer, op).await {
        return (op, refused);
    }
    let json = match exchange::with_session(request, session.as_deref()) {
        Ok(json) => json,
        Err(error) => return (op, Response::error(error, None)),
    };
    (
        op,
        exchange::execute(&state.pool, Caller::Remote, json).await,
    )
}

/// The session token of an `Authorization: Bearer <token>` header; `None` without the
/// header.
///
/// # Errors
/// The contract's unauthenticated `invalid_token` for any other `Authorization` header.
fn bearer(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| exchange::invalid_token())?;
    let (scheme, token) = text.split_once(' ').ok_or_else(exchange::invalid_token)?;
    let token = token.trim();
    let well_formed = scheme.eq_ignore_ascii_case("bearer")
        && !token.is_empty()
        && token.len() <= 256
        && token.bytes().all(|b| b.is_ascii_graphic());
    if !well_formed {
        return Err(exchange::invalid_token());
    }
    Ok(Some(token.to_string()))
}

/// The body as text, at most [`MAX_REQUEST_BYTES`].
///
/// # Errors
/// `request_too_large` past the limit; `malformed_request` for a body that is not UTF-8
/// or could not be read.
async fn read_body(headers: &HeaderMap, body: Body) -> Result<String, ApiError> {
    let too_large = || {
        ApiError::bad_request(
            "request_too_large",
            format!("a request may have at most {MAX_REQUEST_BYTES} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BYTES as u64) {
        return Err(too_large());
    }
    let bytes = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            return Err(too_large());
        }
        Err(_) => {
            return Err(ApiError::bad_request(
                "malformed_request",
                "the request body could not be read",
            ));
        }
    };
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::bad_request("malformed_request", "the request is not UTF-8 text"))
}

/// The rate-limit scope of an op, for the ops a guest can repeat to guess or flood:
/// signing in and self-registration.
fn scope_of(op: Option<&str>) -> Option<RateScope> {
    match op? {
        "session.login" => Some(RateScope::Login),
        "customer.register" | "customer.resend_code" | "customer.verify" => {
            Some(RateScope::Registration)
        }
        _ => None,
    }
}

/// Counts a login or registration from `peer` against its bucket (in the store, through
/// the contract's `rate.take`); the refusal to answer with when it is over its budget,
/// or when the count could not be taken. Public for the web pages' sign-in and
/// registration forms (ordo-web), which share the buckets of `/api/v1`.
pub async fn limit<S: Store + Send + Sync + 'static>(
    state: &AppState<S>,
    peer: IpAddr,
    op: Option<&str>,
) -> Option<Response> {
    let scope = scope_of(op)?;
    let per_minute = match scope {
        RateScope::Login => state.config.login_per_minute(),
        RateScope::Registration | RateScope::Phone | RateScope::Caller => {
            state.config.registration_per_minute()
        }
    };
    let take = TakeRate {
        scope,
        key: peer.to_string(),
        burst: per_minute,
        refill_ms: (60_000 / i64::from(per_minute.max(1))).max(1),
    };
    let counted = state
        .pool
        .run(move |engine| {
            let caller = Caller::Local {
                name: SERVICE_CALLER.to_string(),
            };
            ordo_api::execute(engine, &caller, None, Request::RateTake(take), None)
        })
        .await;
    match counted {
        Ok(response) if response.status() == ordo_api::response::STATUS_OK => None,
        Ok(refused) => Some(refused),
        Err(error) => Some(Response::error(exchange::unavailable(&error), None)),
    }
}

/// The HTTP status of a response: 200 for success, else by the error's kind —
/// `bad_request` 400 (`request_too_large` 413), `validation` 422, `not_found` 404,
/// `conflict` 409 (`rate_limited` 429), `unauthenticated` 401, `forbidden` 403,
/// `internal` 500.
pub fn http_status(response: &Response) -> StatusCode {
    let error = match &response.outcome {
        Outcome::Ok(_) => return StatusCode::OK,
        Outcome::Error(error) => error,
    };
    match error.code.as_str() {
        "rate_limited" => return StatusCode::TOO_MANY_REQUESTS,
        "request_too_large" => return StatusCode::PAYLOAD_TOO_LARGE,
        _ => {}
    }
    let kind = ErrorKind::ALL
        .iter()
        .copied()
        .find(|kind| kind.code() == error.kind)
        .unwrap_or(ErrorKind::Internal);
    match kind {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Validation => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The response as HTTP: its JSON with `status`; a 401 names the scheme to use.
fn reply(status: StatusCode, response: &Response) -> axum::response::Response {
    let mut reply = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        response.to_json(),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        reply
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    reply
}

#[cfg(test)]
mod tests;
