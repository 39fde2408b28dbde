//! What the Telegram bot keeps about its chats ([`TelegramChat`]), so a restart forgets
//! nothing: which session a chat is signed in with, the chat's dialogue state, and the
//! last update handled in it.
//!
//! - Only the bot (running as the system: [`Operation::ManageChats`]) reads or changes
//!   these records; a chat's user acts through the actor [`Engine::telegram_chat_actor`]
//!   gives, under the permission matrix like on every other front.
//! - A chat stores the session token's HASH (the session's own storage key), never the
//!   token: the record proves which session signed the chat in, and the session record
//!   says whether it is still alive (ended, expired, superseded by a password change or a
//!   disabled account all make the chat a guest again).
//! - Signing a customer's chat in makes that chat the customer's own channel, so their
//!   order news are pushed to it by the Telegram dispatcher; signing it out (or in as
//!   someone else) gives the customer their phone back, so a chat that is no longer theirs
//!   hears nothing of their orders.
//! - Marking updates is bookkeeping, like rate buckets: no audit entry. Linking and
//!   unlinking are audited.

use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation, Principal, RecordedActor};
use crate::error::{AuthFailure, Error, ErrorKind, Result};
use crate::registration::Channel;
use crate::session::SessionToken;
use crate::store::{Record, RecordKey, Store};
use crate::telegram::TelegramChat;

use super::sessions::principal_subject;
use super::{Engine, Unit};

/// The chat's record, if the bot kept one.
fn chat_record<S: Store>(unit: &mut Unit<'_, S>, chat: i64) -> Result<Option<TelegramChat>> {
    unit.optional(
        RecordKey::TelegramChat(chat),
        "Telegram chat",
        |r| match r {
            Record::TelegramChat(c) => Some(c),
            _ => None,
        },
    )
}

impl<S: Store> Engine<S> {
    /// Signs Telegram chat `chat` in with the session of `token` (just opened by
    /// [`Engine::login`]); the session it was signed in with before, if another, ends. A
    /// customer's chat becomes their own channel (their news go to it). Returns who the
    /// chat now acts as.
    ///
    /// # Errors
    /// `Forbidden` unless the actor may manage chats; `Unauthenticated` for a malformed,
    /// unknown or ended session; `Storage`.
    pub fn link_telegram_chat(&self, actor: &Actor, chat: i64, token: &str) -> Result<Actor> {
        actor.require(Operation::ManageChats)?;
        let hash = SessionToken::parse(token)?.storage_key();
        self.transact(|unit| {
            let now = self.clock.now();
            let session = unit
                .session(&hash)?
                .ok_or_else(|| Error::from(AuthFailure::SessionEnded))?;
            let linked = self.session_actor(unit, &session)?;
            let mut record =
                chat_record(unit, chat)?.unwrap_or_else(|| TelegramChat::new(chat, now));
            if let Some(previous) = record.link(hash.clone(), now).filter(|p| *p != hash) {
                self.end_chat_session(unit, chat, &previous, Some(&session.principal))?;
            }
            let mut subjects = principal_subject(&session.principal);
            let mut changes = vec![FieldChange::new(
                "telegram chat",
                None,
                Some(chat.to_string()),
            )];
            if let Principal::Customer(id) = &session.principal {
                let mut customer = unit.customer(*id)?;
                let channel = Channel::Telegram { chat_id: chat };
                if customer.channel() != channel {
                    changes.push(FieldChange::new(
                        "channel",
                        Some(customer.channel().to_string()),
                        Some(channel.to_string()),
                    ));
                    customer.set_channel(channel);
                    unit.put(Record::Customer(customer));
                }
            }
            subjects.dedup();
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action: AuditAction::TelegramChatLinked,
                subjects,
                changes,
            });
            unit.put(Record::TelegramChat(record));
            Ok(linked)
        })
    }

    /// Signs chat `chat` out: its session ends and a customer's news go to their phone
    /// again. Returns whether the chat was signed in (a chat that was not is left alone).
    ///
    /// # Errors
    /// `Forbidden` unless the actor may manage chats; `Storage`.
    pub fn unlink_telegram_chat(&self, actor: &Actor, chat: i64) -> Result<bool> {
        actor.require(Operation::ManageChats)?;
        self.transact(|unit| {
            let now = self.clock.now();
            let Some(mut record) = chat_record(unit, chat)? else {
                return Ok(false);
            };
            let Some(previous) = record.unlink(now) else {
                return Ok(false);
            };
            let subjects = self.end_chat_session(unit, chat, &previous, None)?;
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action: AuditAction::TelegramChatUnlinked,
                subjects,
                changes: vec![FieldChange::new(
                    "telegram chat",
                    Some(chat.to_string()),
                    None,
                )],
            });
            unit.put(Record::TelegramChat(record));
            Ok(true)
        })
    }

    /// Ends the session stored under `hash` that chat `chat` was signed in with, and gives
    /// its customer their phone back as their channel if it was this chat (unless the chat
    /// is being signed in again by the same account: `keeping`). Returns the audit
    /// subjects of the session's account.
    fn end_chat_session(
        &self,
        unit: &mut Unit<'_, S>,
        chat: i64,
        hash: &str,
        keeping: Option<&Principal>,
    ) -> Result<Vec<Subject>> {
        let Some(mut session) = unit.session(hash)? else {
            return Ok(Vec::new());
        };
        let subjects = principal_subject(&session.principal);
        if let Principal::Customer(id) = &session.principal
            && keeping != Some(&session.principal)
        {
            let mut customer = unit.customer(*id)?;
            if customer.channel() == (Channel::Telegram { chat_id: chat }) {
                customer.set_channel(Channel::Sms);
                unit.put(Record::Customer(customer));
            }
        }
        if !session.revoked {
            session.revoked = true;
            unit.audit(AuditRecord {
                at: self.clock.now(),
                actor: RecordedActor {
                    principal: session.principal.clone(),
                    role: session.role,
                },
                action: AuditAction::LoggedOut,
                subjects: subjects.clone(),
                changes: Vec::new(),
            });
            unit.put(Record::Session(session));
        }
        Ok(subjects)
    }

    /// Who chat `chat` acts as: the user of the session it is signed in with while that
    /// session is alive; `None` (a guest) when it never signed in, signed out, or its
    /// session ended, expired or was superseded.
    ///
    /// # Errors
    /// `Forbidden` unless the actor may manage chats; `Storage`.
    pub fn telegram_chat_actor(&self, actor: &Actor, chat: i64) -> Result<Option<Actor>> {
        actor.require(Operation::ManageChats)?;
        let mut unit = Unit::new(&self.store);
        let Some(record) = chat_record(&mut unit, chat)? else {
            return Ok(None);
        };
        let Some(session) = record
            .session_hash()
            .map(|hash| unit.session(hash))
            .transpose()?
            .flatten()
        else {
            return Ok(None);
        };
        match self.session_actor(&mut unit, &session) {
            Ok(linked) => Ok(Some(linked)),
            Err(error)
                if matches!(
                    error.kind(),
                    ErrorKind::Unauthenticated | ErrorKind::NotFound
                ) =>
            {
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    /// The dialogue state kept for chat `chat` (as the bot serialized it), if any.
    ///
    /// # Errors
    /// `Forbidden` unless the actor may manage chats; `Storage`.
    pub fn telegram_dialogue(&self, actor: &Actor, chat: i64) -> Result<Option<String>> {
        actor.require(Operation::ManageChats)?;
        let mut unit = Unit::new(&self.store);
        Ok(chat_record(&mut unit, chat)?.and_then(|c| c.dialogue().map(str::to_string)))
    }

    /// Keeps `dialogue` as chat `chat`'s dialogue state (`None` ends it).
    ///
    /// # Errors
    /// `Forbidden` unless the actor may manage chats; `Validation` for a state over
    /// [`crate::telegram::MAX_DIALOGUE_BYTES`]; `Storage`.
    pub fn set_telegram_dialogue(
        &self,
        actor: &Actor,
        chat: i64,
        dialogue: Option<&str>,
    ) -> Result<()> {
        actor.require(Operation::ManageChats)?;
        self.transact(|unit| {
            let now = self.clock.now();
            let existing = chat_record(unit, chat)?;
            if existing.is_none() && dialogue.is_none() {
                return Ok(());
            }
            let mut record = existing.unwrap_or_else(|| TelegramChat::new(chat, now));
            record.set_dialogue(dialogue.map(str::to_string), now)?;
            unit.put(Record::TelegramChat(record));
            Ok(())
        })
    }

    /// Records that update `update` of chat `chat` is being handled; false if it already
    /// was (or is older than the chat's window of recent updates), so a re-delivered
    /// update acts once, across restarts too.
    ///
    /// # Errors
    /// `Forbidden` unless the actor may manage chats; `Storage`.
    pub fn mark_telegram_update(&self, actor: &Actor, chat: i64, update: u64) -> Result<bool> {
        actor.require(Operation::ManageChats)?;
        self.transact(|unit| {
            let now = self.clock.now();
            let mut record =
                chat_record(unit, chat)?.unwrap_or_else(|| TelegramChat::new(chat, now));
            if !record.mark_update(update, now) {
                return Ok(false);
            }
            unit.put(Record::TelegramChat(record));
            Ok(true)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::Actor;
    use crate::delivery::{DeliveryChannel, Recipient};
    use crate::engine::OrderRequest;
    use crate::order::OrderStatus;
    use crate::registration::Channel;
    use crate::store::MemoryStore;
    use crate::testkit::sample;

    const PASSWORD: &str = "plum-orchard-7-lantern";

    fn shop() -> (crate::Engine<MemoryStore>, crate::ids::CustomerId) {
        let (engine, _) = sample::engine_with_cheap_passwords(MemoryStore::new(), 3);
        let admin = sample::admin();
        engine
            .create_product(&admin, sample::product("TEE", 1500))
            .unwrap();
        engine.restock(&admin, "TEE", "MAIN", 10, "in").unwrap();
        let customer = engine
            .create_customer(&admin, &sample::customer(1))
            .unwrap();
        engine
            .set_customer_credentials(&admin, customer.id(), "ada.chat", PASSWORD)
            .unwrap();
        (engine, customer.id())
    }

    #[test]
    fn a_linked_chat_acts_as_its_user_until_unlinked_and_stores_no_token() {
        let (engine, ada) = shop();
        let system = Actor::system();
        assert_eq!(engine.telegram_chat_actor(&system, 5).unwrap(), None);
        let login = engine.login("ada.chat", PASSWORD).unwrap();
        let linked = engine
            .link_telegram_chat(&system, 5, login.token.reveal())
            .unwrap();
        assert_eq!(linked.customer_id(), Some(ada));
        assert_eq!(
            engine.telegram_chat_actor(&system, 5).unwrap(),
            Some(linked.clone())
        );
        assert_eq!(engine.telegram_chat_actor(&system, 6).unwrap(), None);
        assert_eq!(
            engine.get_customer(&system, ada).unwrap().channel(),
            Channel::Telegram { chat_id: 5 }
        );
        // The record holds the hash, never the token.
        let store = engine.store(&sample::admin()).unwrap();
        let record = crate::store::Store::get(store, &crate::store::RecordKey::TelegramChat(5))
            .unwrap()
            .unwrap();
        let debug = format!("{:?}", record.value);
        assert!(!debug.contains(login.token.reveal()), "{debug}");
        assert!(debug.contains(&login.token.storage_key()), "{debug}");

        assert!(engine.unlink_telegram_chat(&system, 5).unwrap());
        assert!(!engine.unlink_telegram_chat(&system, 5).unwrap());
        assert_eq!(engine.telegram_chat_actor(&system, 5).unwrap(), None);
        assert!(
            engine.authenticate(login.token.reveal()).is_err(),
            "the session ended"
        );
        assert_eq!(
            engine.get_customer(&system, ada).unwrap().channel(),
            Channel::Sms
        );
    }

    #[test]
    fn a_session_ended_elsewhere_makes_the_chat_a_guest() {
        let (engine, _) = shop();
        let system = Actor::system();
        let login = engine.login("ada.chat", PASSWORD).unwrap();
        engine
            .link_telegram_chat(&system, 8, login.token.reveal())
            .unwrap();
        engine.logout(login.token.reveal()).unwrap();
        assert_eq!(engine.telegram_chat_actor(&system, 8).unwrap(), None);
        // An ended session cannot link a chat.
        assert!(
            engine
                .link_telegram_chat(&system, 9, login.token.reveal())
                .is_err()
        );
        assert_eq!(engine.telegram_chat_actor(&system, 9).unwrap(), None);
    }

    #[test]
    fn signing_in_again_ends_the_chats_previous_session() {
        let (engine, _) = shop();
        let system = Actor::system();
        let first = engine.login("ada.chat", PASSWORD).unwrap();
        let second = engine.login("ada.chat", PASSWORD).unwrap();
        engine
            .link_telegram_chat(&system, 3, first.token.reveal())
            .unwrap();
        engine
            .link_telegram_chat(&system, 3, second.token.reveal())
            .unwrap();
        assert!(engine.authenticate(first.token.reveal()).is_err());
        assert!(engine.authenticate(second.token.reveal()).is_ok());
        assert!(engine.telegram_chat_actor(&system, 3).unwrap().is_some());
    }

    #[test]
    fn a_linked_customers_status_news_go_to_the_chat() {
        let (engine, ada) = shop();
        let system = Actor::system();
        let admin = sample::admin();
        let login = engine.login("ada.chat", PASSWORD).unwrap();
        engine
            .link_telegram_chat(&system, 77, login.token.reveal())
            .unwrap();
        let order = engine
            .create_order(&admin, &OrderRequest::simple(ada, &[("TEE", 1)]))
            .unwrap();
        engine
            .change_status(&admin, order.id(), OrderStatus::Confirmed)
            .unwrap();
        let to_chat = sample::deliveries(&engine)
            .into_iter()
            .filter(|d| d.channel() == DeliveryChannel::Telegram)
            .filter(|d| d.recipient() == &Recipient::TelegramChat(77))
            .count();
        assert_eq!(to_chat, 2, "the order placed and its confirmation");
    }

    #[test]
    fn an_update_acts_once_and_dialogues_round_trip() {
        let (engine, _) = shop();
        let system = Actor::system();
        assert!(engine.mark_telegram_update(&system, 1, 10).unwrap());
        assert!(!engine.mark_telegram_update(&system, 1, 10).unwrap());
        assert!(
            engine.mark_telegram_update(&system, 2, 10).unwrap(),
            "per chat"
        );
        assert!(engine.mark_telegram_update(&system, 1, 11).unwrap());
        assert_eq!(engine.telegram_dialogue(&system, 1).unwrap(), None);
        engine
            .set_telegram_dialogue(&system, 1, Some("{\"step\":\"phone\"}"))
            .unwrap();
        assert_eq!(
            engine.telegram_dialogue(&system, 1).unwrap().as_deref(),
            Some("{\"step\":\"phone\"}")
        );
        engine.set_telegram_dialogue(&system, 1, None).unwrap();
        assert_eq!(engine.telegram_dialogue(&system, 1).unwrap(), None);
        assert!(
            !engine.mark_telegram_update(&system, 1, 11).unwrap(),
            "kept"
        );
        assert!(
            engine.mark_telegram_update(&system, 1, 9).unwrap(),
            "out of order, once"
        );
        assert!(!engine.mark_telegram_update(&system, 1, 9).unwrap());
    }
}
