//! Webhook mode (`telegram.webhook_url`): Telegram posts each update to our own axum
//! server, on the path of that URL, instead of the bot polling for them.
//!
//! - At start the bot registers the URL with `setWebhook` and a fresh random secret
//!   (32 random bytes, hex) that Telegram then sends back in
//!   `X-Telegram-Bot-Api-Secret-Token` on every post. The secret lives only in memory: a
//!   restart registers a new one.
//! - The route compares that header with the secret in constant time (`subtle`); a wrong
//!   or missing one is `401` and nothing is read or handled. (teloxide's own axum
//!   listener compares with `!=`, so it is not used.)
//! - An accepted update goes into a bounded queue that teloxide's `Dispatcher` reads as
//!   its update listener, so handlers run exactly as under long polling (one chat's
//!   updates in order, idempotent on `update_id`). A full queue answers `503`: Telegram
//!   posts the update again later.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use futures_util::{Stream, StreamExt};
use rand::RngCore;
use subtle::ConstantTimeEq;
use teloxide::stop::{StopToken, mk_stop_token};
use teloxide::types::Update;
use teloxide::update_listeners::{StatefulListener, UpdateListener};
use tokio::sync::mpsc;

use super::command::SecretText;
use crate::config::ServeConfig;

/// The header Telegram sends the secret in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Updates accepted but not yet handled, at most.
const QUEUE: usize = 1024;

/// The largest update body read (Telegram's updates are far smaller).
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The updates the webhook route accepted, for the bot, with what it registers.
pub struct WebhookUpdates {
    /// The public URL to register.
    pub url: reqwest::Url,
    /// The secret to register with it.
    pub secret: SecretText,
    updates: mpsc::Receiver<Update>,
}

/// What the route checks and where it puts updates.
struct Route {
    secret: SecretText,
    sender: mpsc::Sender<Update>,
}

/// The webhook route (on the path of `telegram.webhook_url`) and the updates it will
/// accept, when a bot token and a webhook URL are configured.
pub fn routes(config: &ServeConfig) -> Option<(Router, WebhookUpdates)> {
    let telegram = config.telegram();
    telegram.token.as_ref()?;
    let url = reqwest::Url::parse(telegram.webhook_url.as_deref()?).ok()?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let (sender, updates) = mpsc::channel(QUEUE);
    let route = Arc::new(Route {
        secret: SecretText::new(secret.clone()),
        sender,
    });
    let router = Router::new()
        .route(url.path(), post(accept))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(route);
    Some((
        router,
        WebhookUpdates {
            url,
            secret: SecretText::new(secret),
            updates,
        },
    ))
}

/// `POST` of one update: the secret checked first (constant time), then queued.
async fn accept(State(route): State<Arc<Route>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|value| value.as_bytes())
        .unwrap_or_default();
    if !bool::from(given.ct_eq(route.secret.expose().as_bytes())) {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(update) = serde_json::from_slice::<Update>(&body) else {
        // Not an update this build reads: acknowledged, so Telegram does not retry it.
        tracing::warn!("a Telegram webhook post was not an update");
        return StatusCode::OK;
    };
    match route.sender.try_send(update) {
        Ok(()) => StatusCode::OK,
        Err(mpsc::error::TrySendError::Full(_)) => StatusCode::SERVICE_UNAVAILABLE,
        Err(mpsc::error::TrySendError::Closed(_)) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The queue's updates as a stream that ends when the stop token is used.
type Updates = Pin<Box<dyn Stream<Item = Result<Update, Infallible>> + Send>>;

/// The first of a pair (the listener's stream, borrowed for the dispatcher).
fn stream_of(state: &mut (Updates, StopToken)) -> &mut Updates {
    &mut state.0
}

/// The listener's stop token.
fn stop_of(state: &mut (Updates, StopToken)) -> StopToken {
    state.1.clone()
}

impl WebhookUpdates {
    /// The update listener for teloxide's `Dispatcher`: the accepted updates, until the
    /// dispatcher stops it.
    pub fn listener(self) -> impl UpdateListener<Err = Infallible> + Send {
        let (token, flag) = mk_stop_token();
        let updates = futures_util::stream::unfold(self.updates, |mut updates| async move {
            updates.recv().await.map(|update| (Ok(update), updates))
        })
        .take_until(flag);
        let stream: Updates = Box::pin(updates);
        StatefulListener::new((stream, token), stream_of, stop_of)
    }
}
