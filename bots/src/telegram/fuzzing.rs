//! The body of the `telegram_command` fuzz target (feature `fuzzing`): arbitrary bytes as
//! a message's text and as a button's callback data, through [`command::parse`] and
//! [`Callback::decode`], checking their promises. `cargo test` replays the committed
//! corpus through the same function.

use std::collections::BTreeSet;

use ordo_core::ids::OrderReference;
use ordo_core::inventory::WarehouseCode;

use super::command::{
    self, Argument, Callback, LoginAttempt, MAX_CALLBACK_BYTES, MAX_FIND_CHARS, MAX_PAGE,
    MAX_REFERENCES, MAX_TEXT_CHARS, SecretText, TelegramCommand,
};

/// Runs `data` (UTF-8 or not; invalid sequences become U+FFFD) through the message parser
/// and the callback decoder.
///
/// # Panics
/// When a promise is broken — the fuzzer reports these: a `Track` list that is not
/// distinct or over the cap, a reference that does not re-parse to itself, a `/find` query
/// or a page out of bounds, a warehouse code that does not re-parse, an over-long text that was read, a password visible in
/// `Debug`, callback data that decodes but is not the canonical spelling of what it
/// decoded to, or an encoding over 64 bytes.
pub fn telegram_command(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_parse(&text);
    check_callback(&text);
    check_registration(&text);
}

/// The registration's readers: the personal/business answer, and a stored dialogue state
/// (JSON from the chat's record) that reads only as what it re-encodes to.
fn check_registration(text: &str) {
    if let Some(business) = super::register::kind(text) {
        let word = text.trim().to_ascii_lowercase();
        assert_eq!(
            business,
            ["business", "company", "b2b"].contains(&word.as_str()),
            "a kind answer misread"
        );
    }
    if let Ok(flow) = serde_json::from_str::<super::register::Flow>(text) {
        let again = serde_json::to_string(&flow).unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<super::register::Flow>(&again).ok(),
            Some(flow),
            "a dialogue state that does not round-trip"
        );
    }
}

/// The message parser's promises.
fn check_parse(text: &str) {
    let parsed = command::parse(text);
    if text.chars().count() > MAX_TEXT_CHARS {
        assert_eq!(
            parsed,
            TelegramCommand::Unknown,
            "an over-long text was read"
        );
    }
    match &parsed {
        TelegramCommand::Track {
            references,
            invalid,
            too_many: _,
        } => {
            let distinct: BTreeSet<&OrderReference> = references.iter().collect();
            assert_eq!(distinct.len(), references.len(), "duplicate references");
            let distinct: BTreeSet<&String> = invalid.iter().collect();
            assert_eq!(distinct.len(), invalid.len(), "duplicate invalid words");
            assert!(
                references.len() + invalid.len() <= MAX_REFERENCES,
                "over the cap"
            );
            for reference in references {
                assert_eq!(
                    OrderReference::parse(&reference.to_string()).ok().as_ref(),
                    Some(reference),
                    "a reference that does not re-parse"
                );
            }
        }
        TelegramCommand::Find(query) => {
            assert!(
                query.chars().count() <= MAX_FIND_CHARS,
                "an over-long query"
            );
        }
        TelegramCommand::Catalog(page) => {
            assert!((1..=MAX_PAGE).contains(page), "a page out of bounds");
        }
        TelegramCommand::Report(Argument::Valid(days)) => {
            assert!(
                [1, 7, 30].contains(days),
                "a report period that was not offered"
            );
        }
        TelegramCommand::Login(Some(attempt)) => {
            if attempt.password.is_some() {
                // Debug must not depend on the password: the same login with another
                // password reads exactly the same (a short password may well appear in
                // the field names, so looking for it in the text proves nothing).
                let twin = TelegramCommand::Login(Some(LoginAttempt {
                    login: attempt.login.clone(),
                    password: Some(SecretText::new("another password".to_string())),
                }));
                assert_eq!(
                    format!("{parsed:?}"),
                    format!("{twin:?}"),
                    "a password in Debug"
                );
            }
        }
        TelegramCommand::Picklist(Argument::Valid(code)) => {
            assert_eq!(
                WarehouseCode::parse(code.as_str()).ok().as_ref(),
                Some(code),
                "a warehouse code that does not re-parse"
            );
        }
        TelegramCommand::Start
        | TelegramCommand::Help
        | TelegramCommand::Register
        | TelegramCommand::Login(None)
        | TelegramCommand::Logout
        | TelegramCommand::Orders
        | TelegramCommand::Cancel(_)
        | TelegramCommand::Cart
        | TelegramCommand::Order(_)
        | TelegramCommand::Status { .. }
        | TelegramCommand::Tickets
        | TelegramCommand::Text(_)
        | TelegramCommand::Report(Argument::Missing | Argument::Invalid(_))
        | TelegramCommand::Ship { .. }
        | TelegramCommand::Picklist(Argument::Missing | Argument::Invalid(_))
        | TelegramCommand::Resend
        | TelegramCommand::Unknown => {}
    }
}

/// The callback decoder's promises.
fn check_callback(data: &str) {
    if let Some(callback) = Callback::decode(data) {
        let encoded = callback.encode();
        assert_eq!(encoded, data, "a non-canonical spelling decoded");
        assert!(encoded.len() <= MAX_CALLBACK_BYTES, "an over-long encoding");
        assert_eq!(Callback::decode(&encoded), Some(callback), "no round trip");
    }
}
