//! A chat's sign-in and the updates handled in it, kept in the engine
//! (`Engine::link_telegram_chat` and friends, as the system) so a restart of the bot
//! forgets neither: a signed-in chat stays signed in, and an update Telegram delivers
//! again after a restart acts no second time.
//!
//! The session token never leaves the engine call that opens it: [`login`] signs in and
//! links the chat in one call on the blocking pool, and the engine keeps only the token's
//! hash with the chat.

use ordo_core::auth::Actor;
use ordo_core::engine::LoginOutcome;
use ordo_core::store::Store;

use super::command::SecretText;
use crate::pool::EnginePool;

/// Who chat `chat` acts as: its session's user while that session lives, else a guest
/// (`None`). A store failure reads as a guest (logged): the chat is asked to sign in
/// rather than answered with someone's data.
pub(super) async fn actor<S: Store + Send + Sync + 'static>(
    pool: &EnginePool<S>,
    chat: i64,
) -> Option<Actor> {
    let found = pool
        .run(move |engine| engine.telegram_chat_actor(&Actor::system(), chat))
        .await;
    match found {
        Ok(Ok(actor)) => actor,
        Ok(Err(error)) => {
            tracing::warn!(%error, "a Telegram chat's sign-in could not be read");
            None
        }
        Err(error) => {
            tracing::warn!(%error, "a Telegram chat's sign-in could not be read");
            None
        }
    }
}

/// Signs in with `login` and `password` and links chat `chat` to the new session (the
/// chat's previous session ends). Returns who signed in.
///
/// # Errors
/// The engine's refusal (wrong login, throttled), or `None` when the pool is closing.
pub(super) async fn login<S: Store + Send + Sync + 'static>(
    pool: &EnginePool<S>,
    chat: i64,
    login: String,
    password: SecretText,
) -> Result<Actor, Option<ordo_core::Error>> {
    let linked = pool
        .run(move |engine| {
            let LoginOutcome { token, .. } = engine.login(&login, password.expose())?;
            engine.link_telegram_chat(&Actor::system(), chat, token.reveal())
        })
        .await;
    match linked {
        Ok(Ok(actor)) => Ok(actor),
        Ok(Err(error)) => Err(Some(error)),
        Err(_) => Err(None),
    }
}

/// Signs chat `chat` out (its session ends); a chat that was not signed in is fine.
pub(super) async fn logout<S: Store + Send + Sync + 'static>(pool: &EnginePool<S>, chat: i64) {
    let ended = pool
        .run(move |engine| engine.unlink_telegram_chat(&Actor::system(), chat))
        .await;
    match ended {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => tracing::warn!(%error, "a Telegram chat could not be signed out"),
        Err(error) => tracing::warn!(%error, "a Telegram chat could not be signed out"),
    }
}

/// Whether update `update` of chat `chat` is handled for the first time (and records
/// it). A store failure lets the update through (logged): answering twice beats never.
pub(super) async fn first_time<S: Store + Send + Sync + 'static>(
    pool: &EnginePool<S>,
    chat: i64,
    update: u32,
) -> bool {
    let marked = pool
        .run(move |engine| engine.mark_telegram_update(&Actor::system(), chat, u64::from(update)))
        .await;
    match marked {
        Ok(Ok(new)) => new,
        Ok(Err(error)) => {
            tracing::warn!(%error, "a Telegram update could not be recorded as handled");
            true
        }
        Err(error) => {
            tracing::warn!(%error, "a Telegram update could not be recorded as handled");
            true
        }
    }
}
