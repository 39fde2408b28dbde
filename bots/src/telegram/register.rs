//! `/register`: the guided registration, one question per message, its progress kept as
//! the chat's dialogue state in the engine's store ([`super::dialogue::EngineDialogues`]),
//! so a restart in the middle resumes at the same question.
//!
//! Name → phone (Telegram's "share contact" button, accepted as verified only when the
//! contact is the sender's own; or typed, then the SMS code) → email → personal or
//! business (company, tax id) → delivery address → the engine registers the customer for
//! this chat → the code (typed phone only) → login id → password (its message deleted as
//! soon as it is read) → the Registration ID, or "awaiting approval" for a business.
//! While the code is awaited, "Send the code again" (a button under the question, or
//! `/resend`) asks the engine for a fresh one; its cooldown and cap are the engine's, and
//! a refused resend is shown as the engine words it.
//!
//! The bot only renders and keeps progress: every decision (formats, duplicates, the code,
//! the password's strength, whether Telegram's word for the phone counts) is the
//! engine's. **No secret at rest:** the state holds the answers so far (name, phone,
//! email, kind, address, login id) and the pending customer's id — never the registration
//! handle (the engine derives it from the chat), the code or the password, which are
//! handed to the engine in the message's own handling and dropped. A chat signed in to an
//! account cannot register (its messages go to that account's log).

use std::sync::Arc;

use ordo_core::auth::Actor;
use ordo_core::customer::{
    Address, AddressInput, CustomerInput, CustomerKind, CustomerStatus, Email, Phone,
};
use ordo_core::error::ErrorKind;
use ordo_core::ids::CustomerId;
use ordo_core::store::Store;
use serde::{Deserialize, Serialize};
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::{
    ButtonRequest, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton,
    KeyboardMarkup, ReplyMarkup,
};

use super::bot::BotState;
use super::dialogue::EngineDialogues;

/// The longest name, company or tax id the flow keeps (the engine checks the rest).
const MAX_ANSWER_CHARS: usize = 200;

/// What the chat's dialogue is waiting for. Serialized to JSON in the chat's record: only
/// answers that are not secret, and the pending customer's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "flow", rename_all = "snake_case")]
pub enum Flow {
    /// A registration in progress.
    Register(Step),
}

/// The answers collected before the engine is asked to register.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// Full name.
    pub name: String,
    /// Phone, canonical.
    pub phone: String,
    /// Whether the phone came as the sender's own shared contact.
    pub shared: bool,
    /// Email.
    pub email: String,
    /// Company and tax id, for a business.
    pub business: Option<(String, String)>,
}

/// One question of the registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Waiting for the name.
    Name,
    /// Waiting for the phone (shared contact or typed).
    Phone(Answers),
    /// Waiting for the email.
    Email(Answers),
    /// Waiting for "personal" or "business".
    Kind(Answers),
    /// Waiting for the company's name.
    Company(Answers),
    /// Waiting for the company's tax id (the company is in `business.0`).
    TaxId(Answers),
    /// Waiting for the delivery address.
    Address(Answers),
    /// Registered; waiting for the SMS code.
    Code {
        /// The pending customer.
        customer: u64,
    },
    /// Phone verified; waiting for the login id.
    Login {
        /// The pending customer.
        customer: u64,
        /// Whether it is a business (the last reply differs).
        business: bool,
    },
    /// Waiting for the password.
    Password {
        /// The pending customer.
        customer: u64,
        /// Whether it is a business.
        business: bool,
        /// The chosen login id.
        login: String,
    },
}

/// What arrived in the chat for the flow to read.
pub(super) enum Input<'a> {
    /// Typed text.
    Text(&'a str),
    /// A shared contact: its phone and whether it is the sender's own.
    Contact {
        /// The phone number as Telegram gives it (often without `+`).
        phone: &'a str,
        /// The contact's user id equals the sender's.
        own: bool,
    },
}

/// The bot's answer to one step.
pub(super) struct Said {
    /// The words.
    pub(super) text: String,
    /// The reply keyboard (or its removal), if any.
    pub(super) markup: Option<ReplyMarkup>,
}

impl Said {
    fn text(text: impl Into<String>) -> Said {
        Said {
            text: text.into(),
            markup: None,
        }
    }

    fn with(mut self, markup: ReplyMarkup) -> Said {
        self.markup = Some(markup);
        self
    }
}

/// The first question.
pub const ASK_NAME: &str = "Let's create your account. What is your full name? (Send \
/start at any time to leave; /register starts over.)";
/// A signed-in chat asked to register.
pub const SIGNED_IN: &str = "This chat is logged in to an account. Send /logout first to \
register a new one.";
/// The phone question.
pub const ASK_PHONE: &str = "Please share your phone number with the button below, or \
type it in international format (e.g. +14155550123).";
/// Someone else's contact was shared.
pub const NOT_YOUR_CONTACT: &str = "That is someone else's contact. Please share your own \
number with the button below, or type it.";
/// The email question.
pub const ASK_EMAIL: &str = "Thanks. Your email address?";
/// The kind question.
pub const ASK_KIND: &str = "Is the account for you personally or for a business?";
/// The label of the personal answer.
pub const PERSONAL: &str = "Personal";
/// The label of the business answer.
pub const BUSINESS: &str = "Business";
/// The company question.
pub const ASK_COMPANY: &str = "The company's name?";
/// The tax id question.
pub const ASK_TAX_ID: &str = "The company's tax id (VAT number)?";
/// The address question.
pub const ASK_ADDRESS: &str = "Your delivery address, in one message: recipient, street, \
[line 2,] city, postal code, country code (e.g. Ada Lovelace, 12 Main Street, Springfield, \
12345, US).";
/// The code question.
pub const ASK_CODE: &str = "We sent a 6-digit code by SMS to your phone. Please send it \
here.";
/// The login question.
pub const ASK_LOGIN: &str = "Your phone number is verified. Choose a login id (letters, \
digits, dots, dashes or underscores).";
/// The password question.
pub const ASK_PASSWORD: &str = "Now choose a password (at least 10 characters). The \
message is deleted as soon as it is read.";
/// A fresh code was sent.
pub const CODE_SENT_AGAIN: &str = "We sent a new 6-digit code by SMS to your phone; the \
earlier one no longer works. Please send the new one here.";
/// `/resend` (or its button) with no registration waiting for a code.
pub const NO_CODE_TO_RESEND: &str = "No code is awaited in this chat. Send /register to \
create an account.";
/// The label of the button that asks for a fresh code.
pub const RESEND_BUTTON: &str = "Send the code again";
/// A registration that lapsed or is gone.
pub const GONE: &str = "This registration has expired. Send /register to start again.";

/// A registered consumer's welcome.
pub fn registered(registration_id: &str, login: &str) -> String {
    format!(
        "Welcome! Your account is ready. Your Registration ID is {registration_id}. Log \
         in here with /login {login} PASSWORD."
    )
}

/// A registered business, waiting for staff.
pub fn awaiting_approval(login: &str) -> String {
    format!(
        "Thank you! Your business account is verified and awaits approval by our staff; \
         once approved, log in here with /login {login} PASSWORD."
    )
}

fn dialogues<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
) -> Arc<EngineDialogues<S, Flow>> {
    EngineDialogues::new(state.pool.clone())
}

/// The registration step chat `chat` is at, if one is in progress (a state that does not
/// read is logged and treated as none).
pub(super) async fn current<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    chat: ChatId,
) -> Option<Step> {
    match dialogues(state).get_dialogue(chat).await {
        Ok(Some(Flow::Register(step))) => Some(step),
        Ok(None) => None,
        Err(error) => {
            tracing::warn!(%error, "a Telegram dialogue could not be read");
            None
        }
    }
}

/// Keeps `step` (`None`: the flow is over).
async fn keep<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    chat: ChatId,
    step: Option<Step>,
) -> Result<(), ()> {
    let kept = match step {
        Some(step) => {
            dialogues(state)
                .update_dialogue(chat, Flow::Register(step))
                .await
        }
        None => dialogues(state).remove_dialogue(chat).await,
    };
    kept.map_err(|error| tracing::warn!(%error, "a Telegram dialogue could not be kept"))
}

/// `/register` (or its button): a signed-in chat is refused, any other starts at the name.
pub(super) async fn start<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    chat: ChatId,
    signed_in: bool,
) -> Said {
    if signed_in {
        return Said::text(SIGNED_IN);
    }
    match keep(state, chat, Some(Step::Name)).await {
        Ok(()) => Said::text(ASK_NAME).with(ReplyMarkup::kb_remove()),
        Err(()) => Said::text(super::reply::TRY_AGAIN),
    }
}

/// Leaves the flow (another command was sent mid-way: `/start`).
pub(super) async fn leave<S: Store + Send + Sync + 'static>(state: &BotState<S>, chat: ChatId) {
    let _ = keep(state, chat, None).await;
}

/// "Send the code again" (`/resend` or its button): while the chat's registration waits
/// for the SMS code, the engine sends a fresh one (or refuses: too soon, too many, in its
/// own words); at any other step the question is asked again.
pub(super) async fn resend<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    chat: ChatId,
) -> Said {
    let customer = match current(state, chat).await {
        Some(Step::Code { customer }) => customer,
        Some(other) => return Said::text(prompt(&other)),
        None => return Said::text(NO_CODE_TO_RESEND),
    };
    let sent = state
        .pool
        .run(move |engine| {
            engine.resend_telegram_registration_code(&Actor::system(), chat.0, CustomerId(customer))
        })
        .await;
    match sent {
        Ok(Ok(())) => Said::text(CODE_SENT_AGAIN).with(resend_keyboard()),
        Ok(Err(error)) if error.kind() == ErrorKind::NotFound => {
            let _ = keep(state, chat, None).await;
            Said::text(GONE)
        }
        Ok(Err(error)) => {
            Said::text(super::reply::refused(&error.to_string())).with(resend_keyboard())
        }
        Err(_) => Said::text(super::reply::TRY_AGAIN),
    }
}

/// Whether the message answering `step` must be deleted as soon as it is read (it is
/// the password).
pub(super) fn holds_secret(step: &Step) -> bool {
    matches!(step, Step::Password { .. })
}

/// The answer to `step`: the engine asked where it decides, the next step kept.
pub(super) async fn answer<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    chat: ChatId,
    step: Step,
    input: Input<'_>,
) -> Said {
    let (said, next) = advance(state, chat, step.clone(), input).await;
    if next.as_ref() != Some(&step) && keep(state, chat, next).await.is_err() {
        return Said::text(super::reply::TRY_AGAIN);
    }
    said
}

/// The reply and the next step (`None`: the flow is over).
async fn advance<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    chat: ChatId,
    step: Step,
    input: Input<'_>,
) -> (Said, Option<Step>) {
    let text = match input {
        Input::Text(text) => text.trim(),
        Input::Contact { phone, own } => {
            return match step {
                Step::Phone(answers) if own => phone_given(answers, phone, true),
                Step::Phone(_) => (
                    Said::text(NOT_YOUR_CONTACT).with(contact_keyboard()),
                    Some(step),
                ),
                other => (Said::text(prompt(&other)), Some(other)),
            };
        }
    };
    match step {
        Step::Name => match bounded(text) {
            Some(name) => (
                Said::text(format!("Thanks, {name}. {ASK_PHONE}")).with(contact_keyboard()),
                Some(Step::Phone(Answers {
                    name,
                    ..Answers::default()
                })),
            ),
            None => (Said::text(ASK_NAME), Some(Step::Name)),
        },
        Step::Phone(answers) => phone_given(answers, text, false),
        Step::Email(mut answers) => match Email::parse(text) {
            Ok(email) => {
                answers.email = email.as_str().to_string();
                (
                    Said::text(ASK_KIND).with(kind_keyboard()),
                    Some(Step::Kind(answers)),
                )
            }
            Err(error) => (
                Said::text(super::reply::refused(&error.to_string())),
                Some(Step::Email(answers)),
            ),
        },
        Step::Kind(answers) => match kind(text) {
            Some(false) => (
                Said::text(ASK_ADDRESS).with(ReplyMarkup::kb_remove()),
                Some(Step::Address(answers)),
            ),
            Some(true) => (
                Said::text(ASK_COMPANY).with(ReplyMarkup::kb_remove()),
                Some(Step::Company(answers)),
            ),
            None => (
                Said::text(ASK_KIND).with(kind_keyboard()),
                Some(Step::Kind(answers)),
            ),
        },
        Step::Company(mut answers) => match bounded(text) {
            Some(company) => {
                answers.business = Some((company, String::new()));
                (Said::text(ASK_TAX_ID), Some(Step::TaxId(answers)))
            }
            None => (Said::text(ASK_COMPANY), Some(Step::Company(answers))),
        },
        Step::TaxId(mut answers) => match (bounded(text), answers.business.take()) {
            (Some(tax_id), Some((company, _))) => {
                answers.business = Some((company, tax_id));
                (Said::text(ASK_ADDRESS), Some(Step::Address(answers)))
            }
            (_, business) => {
                answers.business = business;
                (Said::text(ASK_TAX_ID), Some(Step::TaxId(answers)))
            }
        },
        Step::Address(answers) => match Address::parse_line(text) {
            Ok(address) => register(state, chat, answers, address.to_input()).await,
            Err(error) => (
                Said::text(super::reply::refused(&error.to_string())),
                Some(Step::Address(answers)),
            ),
        },
        Step::Code { customer } => {
            let code = text.to_string();
            let confirmed = state
                .pool
                .run(move |engine| {
                    engine.confirm_telegram_registration_code(
                        &Actor::system(),
                        chat.0,
                        CustomerId(customer),
                        &code,
                    )?;
                    engine.get_customer(&Actor::system(), CustomerId(customer))
                })
                .await;
            match confirmed {
                Ok(Ok(pending)) => (
                    Said::text(ASK_LOGIN),
                    Some(Step::Login {
                        customer,
                        business: matches!(pending.kind(), CustomerKind::B2B { .. }),
                    }),
                ),
                Ok(Err(error)) if error.kind() == ErrorKind::NotFound => (Said::text(GONE), None),
                Ok(Err(error)) => (
                    Said::text(super::reply::refused(&error.to_string())).with(resend_keyboard()),
                    Some(Step::Code { customer }),
                ),
                Err(_) => (
                    Said::text(super::reply::TRY_AGAIN),
                    Some(Step::Code { customer }),
                ),
            }
        }
        Step::Login { customer, business } => match ordo_core::credentials::LoginId::parse(text) {
            Ok(login) => (
                Said::text(ASK_PASSWORD),
                Some(Step::Password {
                    customer,
                    business,
                    login: login.to_string(),
                }),
            ),
            Err(error) => (
                Said::text(super::reply::refused(&error.to_string())),
                Some(Step::Login { customer, business }),
            ),
        },
        Step::Password {
            customer,
            business,
            login,
        } => complete(state, chat, customer, business, login, text).await,
    }
}

/// The question `step` asks (for an input it cannot read, like a contact out of turn).
fn prompt(step: &Step) -> &'static str {
    match step {
        Step::Name => ASK_NAME,
        Step::Phone(_) => ASK_PHONE,
        Step::Email(_) => ASK_EMAIL,
        Step::Kind(_) => ASK_KIND,
        Step::Company(_) => ASK_COMPANY,
        Step::TaxId(_) => ASK_TAX_ID,
        Step::Address(_) => ASK_ADDRESS,
        Step::Code { .. } => ASK_CODE,
        Step::Login { .. } => ASK_LOGIN,
        Step::Password { .. } => ASK_PASSWORD,
    }
}

/// A phone answer: a shared own contact (Telegram's form may lack the `+`) or typed text.
fn phone_given(mut answers: Answers, phone: &str, shared: bool) -> (Said, Option<Step>) {
    let phone = phone.trim();
    let written = if shared && !phone.starts_with('+') {
        format!("+{phone}")
    } else {
        phone.to_string()
    };
    match Phone::parse(&written) {
        Ok(phone) => {
            answers.phone = phone.as_str().to_string();
            answers.shared = shared;
            (
                Said::text(ASK_EMAIL).with(ReplyMarkup::kb_remove()),
                Some(Step::Email(answers)),
            )
        }
        Err(error) => (
            Said::text(super::reply::refused(&error.to_string())).with(contact_keyboard()),
            Some(Step::Phone(answers)),
        ),
    }
}

/// Every answer: the engine registers the customer for this chat.
async fn register<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    chat: ChatId,
    answers: Answers,
    address: AddressInput,
) -> (Said, Option<Step>) {
    let input = CustomerInput {
        name: answers.name.clone(),
        business: answers.business.clone(),
        phone: answers.phone.clone(),
        email: answers.email.clone(),
        addresses: vec![address],
    };
    let shared = answers.shared;
    let registered = state
        .pool
        .run(move |engine| {
            engine.register_for_telegram_chat(&Actor::system(), chat.0, &input, shared)
        })
        .await;
    match registered {
        Ok(Ok(pending)) => {
            let customer = pending.id().0;
            if shared {
                let business = matches!(pending.kind(), CustomerKind::B2B { .. });
                (
                    Said::text(ASK_LOGIN),
                    Some(Step::Login { customer, business }),
                )
            } else {
                (
                    Said::text(ASK_CODE).with(resend_keyboard()),
                    Some(Step::Code { customer }),
                )
            }
        }
        // A phone or email someone else holds: the flow ends; the others are the answer's.
        Ok(Err(error @ ordo_core::Error::Duplicate { .. })) => (
            Said::text(format!(
                "{} Send /register to start again.",
                super::reply::refused(&error.to_string())
            )),
            None,
        ),
        Ok(Err(error)) => (
            Said::text(super::reply::refused(&error.to_string())),
            Some(Step::Address(answers)),
        ),
        Err(_) => (
            Said::text(super::reply::TRY_AGAIN),
            Some(Step::Address(answers)),
        ),
    }
}

/// The password: the engine completes the registration (the caller deleted the message
/// before).
async fn complete<S: Store + Send + Sync + 'static>(
    state: &BotState<S>,
    chat: ChatId,
    customer: u64,
    business: bool,
    login: String,
    password: &str,
) -> (Said, Option<Step>) {
    let password = super::command::SecretText::new(password.to_string());
    let chosen = login.clone();
    let completed = state
        .pool
        .run(move |engine| {
            engine.complete_telegram_registration(
                &Actor::system(),
                chat.0,
                CustomerId(customer),
                &chosen,
                password.expose(),
            )
        })
        .await;
    let again = Step::Password {
        customer,
        business,
        login: login.clone(),
    };
    match completed {
        Ok(Ok(done)) => match (done.status(), done.registration_id()) {
            (CustomerStatus::Active, Some(id)) => {
                (Said::text(registered(&id.to_string(), &login)), None)
            }
            _ => (Said::text(awaiting_approval(&login)), None),
        },
        Ok(Err(error)) => match error.kind() {
            ErrorKind::NotFound => (Said::text(GONE), None),
            // The login id is taken: choose another.
            ErrorKind::Conflict if matches!(error, ordo_core::Error::Duplicate { .. }) => (
                Said::text(format!(
                    "{} {ASK_LOGIN}",
                    super::reply::refused(&error.to_string())
                )),
                Some(Step::Login { customer, business }),
            ),
            _ => (
                Said::text(super::reply::refused(&error.to_string())),
                Some(again),
            ),
        },
        Err(_) => (Said::text(super::reply::TRY_AGAIN), Some(again)),
    }
}

/// A required short answer.
fn bounded(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty() && text.chars().count() <= MAX_ANSWER_CHARS).then(|| text.to_string())
}

/// "Personal" (false) or "Business" (true), as the buttons say or typed.
pub fn kind(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "personal" | "private" | "b2c" | "consumer" => Some(false),
        "business" | "company" | "b2b" => Some(true),
        _ => None,
    }
}

/// The "share my phone number" reply button.
fn contact_keyboard() -> ReplyMarkup {
    ReplyMarkup::Keyboard(
        KeyboardMarkup::new([[
            KeyboardButton::new("Share my phone number").request(ButtonRequest::Contact)
        ]])
        .resize_keyboard()
        .one_time_keyboard(),
    )
}

/// The Personal / Business reply buttons.
/// The "Send the code again" button under the code question.
fn resend_keyboard() -> ReplyMarkup {
    ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback(
            RESEND_BUTTON,
            super::command::Callback::ResendCode.encode(),
        ),
    ]]))
}

fn kind_keyboard() -> ReplyMarkup {
    ReplyMarkup::Keyboard(
        KeyboardMarkup::new([[KeyboardButton::new(PERSONAL), KeyboardButton::new(BUSINESS)]])
            .resize_keyboard()
            .one_time_keyboard(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_answer_reads_the_buttons_and_common_words() {
        assert_eq!(kind(PERSONAL), Some(false));
        assert_eq!(kind(BUSINESS), Some(true));
        assert_eq!(kind(" b2b "), Some(true));
        assert_eq!(kind("maybe"), None);
    }

    #[test]
    fn the_state_keeps_no_secret_and_reads_back() {
        let step = Flow::Register(Step::Password {
            customer: 7,
            business: false,
            login: "ada.tg".into(),
        });
        let json = serde_json::to_string(&step).unwrap();
        assert_eq!(
            json,
            r#"{"flow":"register","step":"password","customer":7,"business":false,"login":"ada.tg"}"#
        );
        assert_eq!(serde_json::from_str::<Flow>(&json).unwrap(), step);
    }
}
