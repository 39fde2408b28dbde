//! The chat bot: teloxide's [`Dispatcher`] with `dptree` handlers over long polling.
//! A message is parsed by [`command::parse`], the engine decides (on the blocking pool,
//! as the chat's session user or as a guest), and [`reply`] words the answer.
//!
//! - **Linking** (`links`): `/login LOGIN PASSWORD` signs in through the engine
//!   (`Engine::login`: throttled like every login) and links the chat to the new session
//!   in the engine's store (the token's hash, never the token), so the link survives a
//!   restart; `/logout` ends the session. A customer's linked chat is their channel: their
//!   order news are pushed to it. The message holding the password is deleted
//!   (`deleteMessage`) before the login is even tried, whether or not it works. Every
//!   later command acts as the session's user (`Engine::telegram_chat_actor`), so the
//!   engine's permission matrix and ownership rules apply as on every other front; a
//!   session that ended or expired makes the chat a guest again.
//! - **Privacy:** `/track` asks `Engine::order_by_reference` as the chat's user; the
//!   engine answers `NotFound` for someone else's order exactly as for a missing one, a
//!   guest is refused before anything is read, and both are rendered as the one line for
//!   a reference that does not exist.
//! - **At most once per update:** each chat's latest handled update ids are kept in the
//!   store, so an update Telegram delivers again — in the same batch or after a restart —
//!   does not act twice.
//!
//! - **Communication log:** a linked customer's messages and the bot's replies go into
//!   their log (`MessageChannel::Telegram`); a `/login` message never does.
//!
//! - **Dialogue state** for guided flows is kept in the store too
//!   ([`super::dialogue::EngineDialogues`], teloxide's `Storage`).
//!
//! - **Catalog and cart:** `/catalog` pages and product cards (`catalog`), `/cart` and
//!   checkout on the customer's Draft order (`cart`).
//!
//! - **Registration** (`register`): `/register` (or the Register button) is a guided flow
//!   whose progress is the chat's dialogue state; every decision is the engine's
//!   (`Engine::register_for_telegram_chat` and friends).

use std::sync::Arc;

use ordo_core::auth::{Actor, Principal};
use ordo_core::engine::{OrderFilter, ShipRequest, TicketFilter};
use ordo_core::error::ErrorKind;
use ordo_core::ids::{CustomerId, OrderReference};
use ordo_core::message::{Direction, MessageChannel};
use ordo_core::order::Order;
use ordo_core::store::Store;
use ordo_core::ticket::TicketStatus;
use teloxide::RequestError;
use teloxide::dispatching::{Dispatcher, UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ReplyMarkup};
use tokio::sync::watch;

use super::cart;
use super::catalog;
use super::command::{self, Argument, Callback, LoginAttempt, TelegramCommand};
use super::links;
use super::pace::ChatPacer;
use super::register;
use super::reply;
use super::sender::split;
use super::staff;
use crate::pool::EnginePool;

/// A reply refused with 429 is tried at most this many times.
pub(super) const MAX_RATE_LIMITED_TRIES: u32 = 3;

/// The longest `retry_after` a reply waits (a longer one is cut to this).
pub(super) const MAX_RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// Orders `/orders` lists at most; tickets `/tickets`; customers `/find`.
const LISTED: usize = 10;

/// The reason recorded when a customer cancels in the chat.
const CANCEL_REASON: &str = "cancelled by the customer in Telegram";

/// What the bot's handlers share. Everything a chat needs across updates (its sign-in,
/// its dialogue, the updates handled) is in the engine's store, so a new `BotState` on
/// the same store carries on where the last one stopped.
pub struct BotState<S: Store> {
    pub(super) pool: EnginePool<S>,
    /// The turns of each chat (shared with the dispatcher's sender in `ordo serve`).
    pub(super) pacer: Arc<ChatPacer>,
}

impl<S: Store + Send + Sync + 'static> BotState<S> {
    /// The state of a bot working on `pool`, with a pacer of its own.
    pub fn new(pool: EnginePool<S>) -> Arc<BotState<S>> {
        BotState::paced(pool, ChatPacer::telegram())
    }

    /// The state of a bot working on `pool` whose messages take their turns from
    /// `pacer`.
    pub fn paced(pool: EnginePool<S>, pacer: Arc<ChatPacer>) -> Arc<BotState<S>> {
        Arc::new(BotState { pool, pacer })
    }
}

/// The handler tree: messages and button presses.
pub fn handler<S: Store + Send + Sync + 'static>() -> UpdateHandler<RequestError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message::<S>))
        .branch(Update::filter_callback_query().endpoint(on_callback::<S>))
}

/// Runs the bot on the updates the webhook route accepts (after registering it with
/// `setWebhook` and its secret) until `stop` turns true.
pub async fn run_webhook<S: Store + Send + Sync + 'static>(
    bot: Bot,
    state: Arc<BotState<S>>,
    stop: watch::Receiver<bool>,
    updates: super::webhook::WebhookUpdates,
) {
    let registered = bot
        .set_webhook(updates.url.clone())
        .secret_token(updates.secret.expose().to_string())
        .await;
    if let Err(error) = registered {
        tracing::error!(%error, "the Telegram webhook could not be registered");
    }
    let listener = updates.listener();
    let mut dispatcher = dispatcher(bot, state);
    let stopper = stop_on(dispatcher.shutdown_token(), stop);
    tracing::info!("Telegram bot started (webhook)");
    dispatcher
        .dispatch_with_listener(
            listener,
            teloxide::error_handlers::LoggingErrorHandler::with_custom_text(
                "a Telegram webhook update could not be read",
            ),
        )
        .await;
    stopper.abort();
}

/// The dispatcher of the bot's handlers.
fn dispatcher<S: Store + Send + Sync + 'static>(
    bot: Bot,
    state: Arc<BotState<S>>,
) -> Dispatcher<Bot, RequestError, teloxide::dispatching::DefaultKey> {
    Dispatcher::builder(bot, handler::<S>())
        .dependencies(dptree::deps![state])
        .default_handler(|_| async {})
        .error_handler(
            teloxide::error_handlers::LoggingErrorHandler::with_custom_text(
                "a Telegram update could not be answered",
            ),
        )
        .build()
}

/// Shuts the dispatcher down once `stop` turns true.
fn stop_on(
    token: teloxide::dispatching::ShutdownToken,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while !*stop.borrow() {
            if stop.changed().await.is_err() {
                break;
            }
        }
        // Refused while the dispatcher is still starting: try again shortly.
        loop {
            match token.shutdown() {
                Ok(done) => {
                    done.await;
                    break;
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
    })
}

/// Runs the bot by long polling until `stop` turns true.
pub async fn run<S: Store + Send + Sync + 'static>(
    bot: Bot,
    state: Arc<BotState<S>>,
    stop: watch::Receiver<bool>,
) {
    let mut dispatcher = dispatcher(bot, state);
    let stopper = stop_on(dispatcher.shutdown_token(), stop);
    tracing::info!("Telegram bot started (long polling)");
    dispatcher.dispatch().await;
    stopper.abort();
}

/// A message: parsed, answered.
async fn on_message<S: Store + Send + Sync + 'static>(
    bot: Bot,
    message: Message,
    update: Update,
    state: Arc<BotState<S>>,
) -> ResponseResult<()> {
    let chat = message.chat.id;
    if !links::first_time(&state.pool, chat.0, update.id.0).await {
        return Ok(());
    }
    let text = message.text().unwrap_or_default();
    if register_reads(&bot, &state, &message, text).await? {
        return Ok(());
    }
    let (answer, customer) = match command::parse(text) {
        TelegramCommand::Register => {
            let signed_in = actor(&state, chat.0).await.is_some();
            let said = register::start(&state, chat, signed_in).await;
            return send_markup(&bot, &state.pacer, chat, &said.text, said.markup).await;
        }
        TelegramCommand::Resend => {
            let said = register::resend(&state, chat).await;
            return send_markup(&bot, &state.pacer, chat, &said.text, said.markup).await;
        }
        // Staff commands that send files: the words and the file go out from `staff`.
        parsed @ (TelegramCommand::Picklist(_) | TelegramCommand::Report(_)) => {
            let actor = actor(&state, chat.0).await;
            let customer = actor.as_ref().and_then(Actor::customer_id);
            let shown = staff::answer(&bot, &state, chat, actor, parsed).await?;
            if let Some(customer) = customer {
                log_exchange(&state, customer, text, &shown).await;
            }
            return Ok(());
        }
        // It may hold a password: answered, never logged.
        TelegramCommand::Login(attempt) => {
            (login(&bot, &state, chat, message.id, attempt).await?, None)
        }
        parsed => {
            let actor = actor(&state, chat.0).await;
            let customer = actor.as_ref().and_then(Actor::customer_id);
            (answer(&state, chat.0, actor, parsed).await, customer)
        }
    };
    send(&bot, &state.pacer, chat, &answer.text, answer.keyboard).await?;
    if let Some(customer) = customer {
        log_exchange(&state, customer, text, &answer.text).await;
    }
    Ok(())
}

/// A registration in progress reads the chat's answers (any text that is not a command,
/// and a shared contact); a message holding the password is deleted before the engine
/// reads it. `/start` leaves the registration. Returns whether the message was the
/// registration's. Nothing here reaches the communication log.
async fn register_reads<S: Store + Send + Sync + 'static>(
    bot: &Bot,
    state: &Arc<BotState<S>>,
    message: &Message,
    text: &str,
) -> ResponseResult<bool> {
    let chat = message.chat.id;
    let contact = message.contact();
    let command = text.trim_start().starts_with('/');
    if contact.is_none() && (command || text.trim().is_empty()) {
        if command && command::parse(text) == TelegramCommand::Start {
            register::leave(state, chat).await;
        }
        return Ok(false);
    }
    let Some(step) = register::current(state, chat).await else {
        return Ok(false);
    };
    let input = match contact {
        Some(contact) => register::Input::Contact {
            phone: &contact.phone_number,
            own: contact.user_id.is_some()
                && contact.user_id == message.from.as_ref().map(|user| user.id),
        },
        None => {
            if register::holds_secret(&step) {
                bot.delete_message(chat, message.id).await?;
            }
            register::Input::Text(text)
        }
    };
    let said = register::answer(state, chat, step, input).await;
    send_markup(bot, &state.pacer, chat, &said.text, said.markup).await?;
    Ok(true)
}

/// Writes a linked customer's message and the bot's reply into their communication log
/// (`MessageChannel::Telegram`); a failure is logged, the chat already has its answer.
async fn log_exchange<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    customer: CustomerId,
    inbound: &str,
    outbound: &str,
) {
    let exchange = [
        (Direction::Inbound, inbound.to_string()),
        (Direction::Outbound, outbound.to_string()),
    ];
    let logged = state
        .pool
        .run(move |engine| {
            exchange.into_iter().try_for_each(|(direction, text)| {
                engine
                    .log_message(
                        &Actor::system(),
                        customer,
                        MessageChannel::Telegram,
                        direction,
                        &text,
                        None,
                    )
                    .map(|_| ())
            })
        })
        .await;
    match logged {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(%error, "a Telegram message could not be logged"),
        Err(error) => tracing::warn!(%error, "a Telegram message could not be logged"),
    }
}

/// A button press: acknowledged, then answered like the command it stands for.
async fn on_callback<S: Store + Send + Sync + 'static>(
    bot: Bot,
    query: CallbackQuery,
    update: Update,
    state: Arc<BotState<S>>,
) -> ResponseResult<()> {
    // The chat the button was in; without its message (too old), the user's private chat.
    let chat = match (&query.message, i64::try_from(query.from.id.0)) {
        (Some(message), _) => message.chat().id,
        (None, Ok(user)) => ChatId(user),
        (None, Err(_)) => return Ok(()),
    };
    if !links::first_time(&state.pool, chat.0, update.id.0).await {
        return Ok(());
    }
    bot.answer_callback_query(query.id.clone()).await?;
    let data = query.data.as_deref().unwrap_or_default();
    let parsed = match Callback::decode(data) {
        Some(
            callback @ (Callback::AddToCart { .. }
            | Callback::CartLine { .. }
            | Callback::Cart
            | Callback::Checkout(_)
            | Callback::Shipping { .. }
            | Callback::Place(_)),
        ) => {
            let actor = actor(&state, chat.0).await;
            let customer = actor.as_ref().and_then(Actor::customer_id);
            let answer = cart::press(&state, actor.unwrap_or_else(Actor::guest), callback).await;
            send(&bot, &state.pacer, chat, &answer.text, answer.keyboard).await?;
            if let Some(customer) = customer {
                log_exchange(&state, customer, &format!("[button {data}]"), &answer.text).await;
            }
            return Ok(());
        }
        Some(callback @ (Callback::CatalogPage(_) | Callback::Product { .. })) => {
            let message = query.message.as_ref().map(|m| m.id());
            let actor = actor(&state, chat.0).await;
            let customer = actor.as_ref().and_then(Actor::customer_id);
            let actor = actor.unwrap_or_else(Actor::guest);
            let shown = browse(&bot, &state, chat, message, actor, callback).await?;
            if let Some(customer) = customer {
                log_exchange(&state, customer, &format!("[button {data}]"), &shown).await;
            }
            return Ok(());
        }
        Some(Callback::Register) => {
            let signed_in = actor(&state, chat.0).await.is_some();
            let said = register::start(&state, chat, signed_in).await;
            return send_markup(&bot, &state.pacer, chat, &said.text, said.markup).await;
        }
        Some(Callback::ResendCode) => {
            let said = register::resend(&state, chat).await;
            return send_markup(&bot, &state.pacer, chat, &said.text, said.markup).await;
        }
        Some(Callback::Login) => TelegramCommand::Login(None),
        Some(Callback::Track(reference)) => TelegramCommand::Track {
            references: vec![reference],
            invalid: Vec::new(),
            too_many: 0,
        },
        Some(Callback::Cancel(reference)) => TelegramCommand::Cancel(Argument::Valid(reference)),
        _ => return send(&bot, &state.pacer, chat, reply::STALE_BUTTON, None).await,
    };
    let answer = match parsed {
        TelegramCommand::Login(None) => Answer::text(reply::LOGIN_USAGE),
        parsed => {
            let actor = actor(&state, chat.0).await;
            answer(&state, chat.0, actor, parsed).await
        }
    };
    send(&bot, &state.pacer, chat, &answer.text, answer.keyboard).await
}

/// A catalog button: another page (edited into the message that held the buttons, when
/// there is one) or a product's card (`sendPhoto` when it has a photo; as text when it
/// has none or Telegram refuses the photo). Returns the words shown.
async fn browse<S: Store + Send + Sync + 'static>(
    bot: &Bot,
    state: &BotState<S>,
    chat: ChatId,
    message: Option<MessageId>,
    actor: Actor,
    callback: Callback,
) -> ResponseResult<String> {
    if let Callback::CatalogPage(number) = callback {
        let answer = catalog::page(state, actor, number).await;
        if let (Some(message), Some(keyboard)) = (message, answer.keyboard.clone()) {
            let edited = bot
                .edit_message_text(chat, message, answer.text.clone())
                .reply_markup(keyboard)
                .await;
            if edited.is_ok() {
                return Ok(answer.text);
            }
        }
        send(bot, &state.pacer, chat, &answer.text, answer.keyboard).await?;
        return Ok(answer.text);
    }
    let Callback::Product { product, page } = callback else {
        return Ok(String::new());
    };
    let card = catalog::card(state, actor, product, page).await;
    let answer = card.answer;
    if let Some(url) = card.photo.and_then(|url| reqwest::Url::parse(&url).ok()) {
        let mut request = bot
            .send_photo(chat, teloxide::types::InputFile::url(url))
            .caption(catalog::caption(&answer.text));
        if let Some(keyboard) = answer.keyboard.clone() {
            request = request.reply_markup(keyboard);
        }
        state.pacer.wait_turn(chat.0).await;
        match request.await {
            Ok(_) => return Ok(answer.text),
            Err(error) => tracing::debug!(%error, "a product photo was refused; sent as text"),
        }
    }
    send(bot, &state.pacer, chat, &answer.text, answer.keyboard).await?;
    Ok(answer.text)
}

/// A reply and its buttons.
pub(super) struct Answer {
    /// The words.
    pub(super) text: String,
    /// The buttons under them.
    pub(super) keyboard: Option<InlineKeyboardMarkup>,
}

impl Answer {
    /// Words without buttons.
    pub(super) fn text(text: impl Into<String>) -> Answer {
        Answer {
            text: text.into(),
            keyboard: None,
        }
    }
}

/// Sends `text` (in parts when over Telegram's limit), the keyboard on the last part;
/// see [`send_markup`].
pub(super) async fn send(
    bot: &Bot,
    pacer: &ChatPacer,
    chat: ChatId,
    text: &str,
    keyboard: Option<InlineKeyboardMarkup>,
) -> ResponseResult<()> {
    let markup = keyboard.map(ReplyMarkup::InlineKeyboard);
    send_markup(bot, pacer, chat, text, markup).await
}

/// Sends `text` (in parts when over Telegram's limit), the markup (buttons, reply
/// keyboard or its removal) on the last part. A part refused with 429 is sent again after
/// Telegram's `retry_after` (at most [`MAX_RATE_LIMITED_TRIES`] tries, each wait at most
/// [`MAX_RETRY_AFTER`]). Each part waits for the chat's turn (one message a second).
async fn send_markup(
    bot: &Bot,
    pacer: &ChatPacer,
    chat: ChatId,
    text: &str,
    keyboard: Option<ReplyMarkup>,
) -> ResponseResult<()> {
    let parts = split(text);
    let last = parts.len().saturating_sub(1);
    for (index, part) in parts.into_iter().enumerate() {
        let markup = keyboard.clone().filter(|_| index == last);
        let mut tries = 0;
        loop {
            tries += 1;
            pacer.wait_turn(chat.0).await;
            let mut request = bot.send_message(chat, part.clone());
            if let Some(markup) = markup.clone() {
                request = request.reply_markup(markup);
            }
            match request.await {
                Ok(_) => break,
                Err(RequestError::RetryAfter(wait)) if tries < MAX_RATE_LIMITED_TRIES => {
                    tokio::time::sleep(wait.duration().min(MAX_RETRY_AFTER)).await;
                }
                Err(error) => return Err(error),
            }
        }
    }
    Ok(())
}

/// `/login`: the message is deleted first (it may hold a password), then the engine
/// decides.
async fn login<S: Store + Send + Sync + 'static>(
    bot: &Bot,
    state: &BotState<S>,
    chat: ChatId,
    message: MessageId,
    attempt: Option<LoginAttempt>,
) -> ResponseResult<Answer> {
    let Some(LoginAttempt {
        login,
        password: Some(password),
    }) = attempt
    else {
        if attempt.is_some() {
            bot.delete_message(chat, message).await?;
        }
        return Ok(Answer::text(reply::LOGIN_USAGE));
    };
    bot.delete_message(chat, message).await?;
    let actor = match links::login(&state.pool, chat.0, login, password).await {
        Ok(actor) => actor,
        Err(Some(error)) => return Ok(Answer::text(reply::refused(&error.to_string()))),
        Err(None) => return Ok(Answer::text(reply::TRY_AGAIN)),
    };
    let staff_role = match actor.principal() {
        Principal::Customer(_) => None,
        _ => Some(actor.role().to_string()),
    };
    Ok(Answer::text(reply::logged_in(staff_role.as_deref())))
}

/// Who the chat acts as: its session's user, or a guest (no session, or one that ended).
async fn actor<S: Store + Send + Sync + 'static>(state: &BotState<S>, chat: i64) -> Option<Actor> {
    links::actor(&state.pool, chat).await
}

/// Every command but `/login`.
async fn answer<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    chat: i64,
    actor: Option<Actor>,
    parsed: TelegramCommand,
) -> Answer {
    let linked = actor.is_some();
    let actor = actor.unwrap_or_else(Actor::guest);
    match parsed {
        TelegramCommand::Start if linked => Answer::text(reply::WELCOME_BACK),
        TelegramCommand::Start => Answer {
            text: reply::WELCOME.to_string(),
            keyboard: Some(InlineKeyboardMarkup::new([[
                InlineKeyboardButton::callback("Log in", Callback::Login.encode()),
                InlineKeyboardButton::callback("Register", Callback::Register.encode()),
            ]])),
        },
        TelegramCommand::Logout => {
            links::logout(&state.pool, chat).await;
            Answer::text(reply::LOGGED_OUT)
        }
        TelegramCommand::Track {
            references,
            invalid,
            too_many,
        } => track(state, actor, references, invalid, too_many).await,
        TelegramCommand::Orders if linked => orders(state, actor).await,
        TelegramCommand::Cancel(reference) => {
            let cancel = |engine: &ordo_core::Engine<S>, actor: &Actor, order: Order| {
                engine.cancel_order(actor, order.id(), CANCEL_REASON)
            };
            with_reference(
                state,
                actor,
                reference,
                ("cancel", "REF"),
                cancel,
                reply::now,
            )
            .await
        }
        TelegramCommand::Order(reference) => {
            let show = |_: &ordo_core::Engine<S>, _: &Actor, order: Order| Ok(order);
            let usage = ("order", "REF");
            with_reference(state, actor, reference, usage, show, reply::order_detail).await
        }
        TelegramCommand::Status { reference, status } => match status {
            Argument::Valid(status) => {
                let change = move |engine: &ordo_core::Engine<S>, actor: &Actor, order: Order| {
                    engine.change_status(actor, order.id(), status)
                };
                let usage = ("status", "REF STATUS");
                with_reference(state, actor, reference, usage, change, reply::now).await
            }
            Argument::Missing | Argument::Invalid(_) => {
                Answer::text(reply::usage("status", "REF STATUS"))
            }
        },
        TelegramCommand::Find(query) if linked => find(state, actor, query).await,
        TelegramCommand::Cart => cart::show(state, actor).await,
        TelegramCommand::Catalog(page) => catalog::page(state, actor, page).await,
        TelegramCommand::Tickets if linked => tickets(state, actor).await,
        TelegramCommand::Ship {
            reference,
            carrier: Argument::Valid(carrier),
            tracking: Argument::Valid(tracking),
        } => {
            // Every unit left, with the order's own shipping method.
            let ship = move |engine: &ordo_core::Engine<S>, actor: &Actor, order: Order| {
                let request = ShipRequest {
                    lines: Vec::new(),
                    carrier,
                    method: None,
                    tracking,
                    weight: None,
                };
                engine.ship_order(actor, order.id(), &request)?;
                Ok(engine.get_order(actor, order.id())?.value)
            };
            let usage = ("ship", "REF CARRIER TRACKING");
            with_reference(state, actor, reference, usage, ship, reply::now).await
        }
        TelegramCommand::Ship { .. } => Answer::text(reply::usage("ship", "REF CARRIER TRACKING")),
        TelegramCommand::Orders | TelegramCommand::Find(_) | TelegramCommand::Tickets => {
            Answer::text(reply::LOG_IN_FIRST)
        }
        // Answered with their files by `staff::answer` in `on_message`; never here.
        TelegramCommand::Report(_) | TelegramCommand::Picklist(_) => Answer::text(reply::HELP),
        // Answered by `register::resend` in `on_message`; never here.
        TelegramCommand::Resend => Answer::text(reply::HELP),
        TelegramCommand::Login(_) => Answer::text(reply::LOGIN_USAGE),
        TelegramCommand::Help
        | TelegramCommand::Register
        | TelegramCommand::Text(_)
        | TelegramCommand::Unknown => Answer::text(reply::HELP),
    }
}

/// `/track`: each reference as the chat's user; a refusal or a miss is one wording.
async fn track<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    actor: Actor,
    references: Vec<OrderReference>,
    invalid: Vec<String>,
    too_many: usize,
) -> Answer {
    let looked_up = state
        .pool
        .run(move |engine| {
            references
                .into_iter()
                .map(
                    |reference| match engine.order_by_reference(&actor, &reference.to_string()) {
                        Ok(found) => Ok((reference, Some(found.value))),
                        Err(error) if hides(&error) => Ok((reference, None)),
                        Err(error) => Err(error),
                    },
                )
                .collect::<Result<Vec<_>, _>>()
        })
        .await;
    match looked_up {
        Ok(Ok(found)) => Answer::text(reply::track(&found, &invalid, too_many)),
        _ => Answer::text(reply::TRY_AGAIN),
    }
}

/// Errors that read like "no such order": not found, and a caller not allowed to read
/// orders at all (refused before anything was looked up, so it tells nothing).
fn hides(error: &ordo_core::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::NotFound | ErrorKind::Forbidden | ErrorKind::Unauthenticated
    )
}

/// `/orders`: the chat's user's orders, newest first.
async fn orders<S: Store + Send + Sync + 'static>(state: &BotState<S>, actor: Actor) -> Answer {
    let listed = state
        .pool
        .run(move |engine| {
            engine.list_orders(
                &actor,
                &OrderFilter {
                    limit: LISTED,
                    ..OrderFilter::default()
                },
            )
        })
        .await;
    match listed {
        Ok(Ok(page)) => {
            let orders: Vec<Order> = page.items.into_iter().map(|o| o.value).collect();
            Answer::text(reply::orders(&orders))
        }
        Ok(Err(error)) => refusal(&error),
        Err(_) => Answer::text(reply::TRY_AGAIN),
    }
}

/// An order found by reference as the chat's user, then `act` on it; a reference the
/// user may not see reads as one that does not exist.
async fn with_reference<S, F>(
    state: &BotState<S>,
    actor: Actor,
    reference: Argument<OrderReference>,
    usage: (&str, &str),
    act: F,
    render: fn(&Order) -> String,
) -> Answer
where
    S: Store + Send + Sync + 'static,
    F: FnOnce(&ordo_core::Engine<S>, &Actor, Order) -> ordo_core::Result<Order> + Send + 'static,
{
    let reference = match reference {
        Argument::Valid(reference) => reference,
        Argument::Missing => return Answer::text(reply::usage(usage.0, usage.1)),
        Argument::Invalid(word) => return Answer::text(reply::not_a_reference(&word)),
    };
    let shown = reference.clone();
    let done = state
        .pool
        .run(move |engine| {
            let order = match engine.order_by_reference(&actor, &reference.to_string()) {
                Ok(found) => found.value,
                Err(error) if hides(&error) => return Ok(None),
                Err(error) => return Err(error),
            };
            act(engine, &actor, order).map(Some)
        })
        .await;
    match done {
        Ok(Ok(Some(order))) => Answer::text(render(&order)),
        Ok(Ok(None)) => Answer::text(crate::sms::reply::unknown_line(&shown)),
        Ok(Err(error)) => refusal(&error),
        Err(_) => Answer::text(reply::TRY_AGAIN),
    }
}

/// The engine's refusal, worded for the chat.
pub(super) fn refusal(error: &ordo_core::Error) -> Answer {
    match error.kind() {
        ErrorKind::Forbidden => Answer::text(reply::not_permitted(&error.to_string())),
        ErrorKind::Internal => Answer::text(reply::TRY_AGAIN),
        _ => Answer::text(reply::refused(&error.to_string())),
    }
}

/// `/find`: an order by reference, else customers by name.
async fn find<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    actor: Actor,
    query: String,
) -> Answer {
    if query.is_empty() {
        return Answer::text(reply::usage("find", "NAME, REFERENCE or PHONE"));
    }
    let found = state
        .pool
        .run(move |engine| {
            let order = match OrderReference::parse(&query) {
                Ok(reference) => match engine.order_by_reference(&actor, &reference.to_string()) {
                    Ok(found) => Some(found.value),
                    Err(error) if error.kind() == ErrorKind::NotFound => None,
                    Err(error) => return Err(error),
                },
                Err(_) => None,
            };
            let customers = match order {
                Some(_) => Vec::new(),
                None => {
                    engine
                        .list_customers(&actor, Some(&query), None, LISTED)?
                        .items
                }
            };
            Ok((customers, order))
        })
        .await;
    match found {
        Ok(Ok((customers, order))) => Answer::text(reply::found(&customers, order.as_ref())),
        Ok(Err(error)) => refusal(&error),
        Err(_) => Answer::text(reply::TRY_AGAIN),
    }
}

/// `/tickets`: open tickets.
async fn tickets<S: Store + Send + Sync + 'static>(state: &BotState<S>, actor: Actor) -> Answer {
    let listed = state
        .pool
        .run(move |engine| {
            engine.list_tickets(
                &actor,
                &TicketFilter {
                    status: Some(TicketStatus::Open),
                    limit: LISTED,
                    ..TicketFilter::default()
                },
            )
        })
        .await;
    match listed {
        Ok(Ok(page)) => Answer::text(reply::tickets(&page.items)),
        Ok(Err(error)) => refusal(&error),
        Err(_) => Answer::text(reply::TRY_AGAIN),
    }
}
