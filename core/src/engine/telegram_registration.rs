//! Registration in a Telegram chat: the bot (the system actor, under
//! [`Operation::ManageChats`] like every chat record, reached by no other front)
//! registers a customer FOR a chat, confirms the SMS code typed in that chat, and completes
//! the registration with the login and password chosen there.
//!
//! - **No handle leaves the engine.** The registration's handle is derived from the store's
//!   code secret, the chat and the new customer's id
//!   ([`crate::registration::chat_handle`]); only its hash is stored, as for every handle.
//!   The bot keeps only the customer id in the chat's dialogue, and the engine reaches the
//!   registration again only given the same chat: another chat, or a registration made
//!   elsewhere, reads as an unknown registration.
//! - **Whose phone.** A phone the chat shared with Telegram's "share contact" button, the
//!   contact being the sender's own, is vouched for by Telegram: only the system may claim
//!   that (`phone_shared`), and no code is sent. A typed phone gets the usual SMS code,
//!   which [`Engine::confirm_telegram_registration_code`] checks (wrong codes counted as
//!   always). Either way the registration's verification then names the chat as its
//!   channel — that is what the engine reads as "the phone is verified for this chat" — so
//!   the code and the password are never needed at the same time and neither is kept
//!   anywhere while the other is asked for.
//! - **Completion** ([`Engine::complete_telegram_registration`]) is the one of every
//!   registration: a consumer becomes active with a Registration ID, a business waits for
//!   staff approval. The chat becomes the customer's channel (their news go to it).

use crate::auth::{Actor, Operation};
use crate::credentials::{LoginId, Password, PasswordHash};
use crate::customer::{Customer, CustomerInput};
use crate::error::{Error, Result};
use crate::ids::CustomerId;
use crate::registration::{self, Channel, RegistrationHandle, unknown_registration};
use crate::store::Store;

use super::registration::RegistrationRequest;
use super::{Engine, Unit};

impl<S: Store> Engine<S> {
    /// Registers `customer` for Telegram chat `chat`: pending verification, reached later
    /// by this chat and the returned customer's id only. With `phone_shared` (the chat
    /// shared its own contact: Telegram vouched for the phone) no code is sent; otherwise
    /// the code goes to the phone by SMS.
    ///
    /// # Errors
    /// `Forbidden` unless the actor may manage chats (the bot, as the system);
    /// `Validation`; `Duplicate` for a phone or email already registered; `Storage`.
    pub fn register_for_telegram_chat(
        &self,
        actor: &Actor,
        chat: i64,
        customer: &CustomerInput,
        phone_shared: bool,
    ) -> Result<Customer> {
        actor.require(Operation::ManageChats)?;
        let request = RegistrationRequest {
            customer: customer.clone(),
            channel: if phone_shared {
                Channel::Telegram { chat_id: chat }
            } else {
                Channel::Sms
            },
        };
        self.create_registration(
            actor,
            &request,
            |secret, id| registration::chat_handle(secret, chat, id),
            !phone_shared,
        )
    }

    /// Checks the SMS code typed in chat `chat` for the registration of `customer` made
    /// there; once right, the phone counts as verified for this chat.
    ///
    /// # Errors
    /// `Forbidden` unless the actor may manage chats; `NotFound` (registration) for a
    /// customer not registering in this chat, finished or lapsed; `Refused` for a wrong
    /// code (attempts left named), an expired code or too many attempts; `Storage`.
    pub fn confirm_telegram_registration_code(
        &self,
        actor: &Actor,
        chat: i64,
        customer: CustomerId,
        code: &str,
    ) -> Result<()> {
        actor.require(Operation::ManageChats)?;
        let handle = self.chat_registration_handle(chat, customer)?;
        let nonce = self.check_registration_code(actor, &handle, code)?;
        self.transact(|unit| {
            let mut pending = self.chat_registration(unit, &handle, customer)?;
            let Some(verification) = pending.verification().cloned() else {
                return Err(unknown_registration());
            };
            if verification.nonce != nonce {
                return Err(crate::error::Refusal::CodeSuperseded.into());
            }
            pending.start_verification(registration::Verification {
                channel: Channel::Telegram { chat_id: chat },
                ..verification
            })?;
            unit.put(crate::store::Record::Customer(pending));
            Ok(())
        })
    }

    /// Sends a fresh SMS code for the registration of `customer` made in chat `chat`, while
    /// its typed phone still waits for one: the registration's own resend
    /// ([`Engine::resend_verification`]: wrong codes entered so far still count, a new code
    /// waits [`registration::RESEND_COOLDOWN_MS`] after the last, at most
    /// [`registration::MAX_RESENDS`] times).
    ///
    /// # Errors
    /// `Forbidden` unless the actor may manage chats; `NotFound` (registration) for a
    /// customer not registering in this chat, finished or lapsed; `Validation` once the
    /// phone is verified for the chat (no code is needed); `Refused` during the cooldown
    /// (`ResendTooSoon`) or after the last resend (`ResendLimitReached`); `Storage`.
    pub fn resend_telegram_registration_code(
        &self,
        actor: &Actor,
        chat: i64,
        customer: CustomerId,
    ) -> Result<()> {
        actor.require(Operation::ManageChats)?;
        let handle = self.chat_registration_handle(chat, customer)?;
        {
            let mut unit = Unit::new(&self.store);
            let pending = self.chat_registration(&mut unit, &handle, customer)?;
            if pending
                .verification()
                .is_some_and(|v| v.channel == Channel::Telegram { chat_id: chat })
            {
                return Err(Error::invalid(
                    "code",
                    "is not needed: the phone number is already verified",
                ));
            }
        }
        self.resend_verification(actor, handle.reveal()).map(|_| ())
    }

    /// Completes the registration of `customer` made in chat `chat` with the chosen
    /// `login` and `password`, once its phone is verified for this chat (shared by
    /// Telegram, or its code confirmed). A consumer becomes active with a Registration ID;
    /// a business waits for staff approval.
    ///
    /// # Errors
    /// `Forbidden` unless the actor may manage chats; `NotFound` (registration) for a
    /// customer not registering in this chat, finished or lapsed; `Validation` while the
    /// phone is not verified yet, for a malformed login id or a weak password;
    /// `Duplicate` for a taken login id; `Storage`.
    pub fn complete_telegram_registration(
        &self,
        actor: &Actor,
        chat: i64,
        customer: CustomerId,
        login: &str,
        password: &str,
    ) -> Result<Customer> {
        actor.require(Operation::ManageChats)?;
        let handle = self.chat_registration_handle(chat, customer)?;
        let login = LoginId::parse(login)?;
        let password = Password::new(&login, password)?;
        let verified = |v: &registration::Verification| {
            v.channel == Channel::Telegram { chat_id: chat } && v.handle == Some(handle.hash())
        };
        {
            let mut unit = Unit::new(&self.store);
            let pending = self.chat_registration(&mut unit, &handle, customer)?;
            if !pending.verification().is_some_and(verified) {
                return Err(Error::invalid(
                    "code",
                    "is needed first: the phone number is not verified yet",
                ));
            }
        }
        let hash =
            PasswordHash::create(&password, self.config.password_params, self.random.as_ref())?;
        self.finish_registration(actor, &handle, verified, &login, hash)
    }

    /// The handle of `customer`'s registration in `chat`.
    fn chat_registration_handle(
        &self,
        chat: i64,
        customer: CustomerId,
    ) -> Result<RegistrationHandle> {
        let mut unit = Unit::new(&self.store);
        let Some(settings) = unit.settings()? else {
            return Err(unknown_registration());
        };
        Ok(registration::chat_handle(
            &settings.code_secret,
            chat,
            customer,
        ))
    }

    /// The pending registration `handle` reaches, if it is `customer`'s.
    fn chat_registration(
        &self,
        unit: &mut Unit<'_, S>,
        handle: &RegistrationHandle,
        customer: CustomerId,
    ) -> Result<Customer> {
        let pending = self.registration(unit, handle)?;
        if pending.id() == customer {
            Ok(pending)
        } else {
            Err(unknown_registration())
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::Actor;
    use crate::customer::CustomerStatus;
    use crate::error::ErrorKind;
    use crate::outbox::DomainEvent;
    use crate::registration::Channel;
    use crate::store::MemoryStore;
    use crate::testkit::sample;

    const PASSWORD: &str = "plum-orchard-7-lantern";

    fn engine() -> crate::Engine<MemoryStore> {
        sample::engine_with_cheap_passwords(MemoryStore::new(), 3).0
    }

    fn code_requests(engine: &crate::Engine<MemoryStore>) -> Vec<u64> {
        sample::deliveries(engine)
            .into_iter()
            .filter_map(|d| match *d.event() {
                DomainEvent::VerificationCodeRequested { nonce, .. } => Some(nonce),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_shared_contact_needs_no_code_and_the_chat_becomes_the_channel() {
        let engine = engine();
        let system = Actor::system();
        let pending = engine
            .register_for_telegram_chat(&system, 42, &sample::customer(1), true)
            .unwrap();
        assert!(code_requests(&engine).is_empty(), "no code sent");
        // Another chat does not reach it.
        let other = engine
            .complete_telegram_registration(&system, 43, pending.id(), "ada.tg", PASSWORD)
            .unwrap_err();
        assert_eq!(other.kind(), ErrorKind::NotFound);
        let done = engine
            .complete_telegram_registration(&system, 42, pending.id(), "ada.tg", PASSWORD)
            .unwrap();
        assert_eq!(done.status(), CustomerStatus::Active);
        assert!(done.registration_id().is_some());
        assert_eq!(done.channel(), Channel::Telegram { chat_id: 42 });
        assert!(engine.login("ada.tg", PASSWORD).is_ok());
        // Finished: completing again reads as unknown.
        let again = engine
            .complete_telegram_registration(&system, 42, pending.id(), "ada.tg2", PASSWORD)
            .unwrap_err();
        assert_eq!(again.kind(), ErrorKind::NotFound);
    }

    #[test]
    fn a_typed_phone_needs_its_code_before_the_password() {
        let engine = engine();
        let system = Actor::system();
        let pending = engine
            .register_for_telegram_chat(&system, 7, &sample::customer(2), false)
            .unwrap();
        let nonces = code_requests(&engine);
        assert_eq!(nonces.len(), 1, "one SMS code");
        let early = engine
            .complete_telegram_registration(&system, 7, pending.id(), "bo.tg", PASSWORD)
            .unwrap_err();
        assert_eq!(early.kind(), ErrorKind::Validation, "{early}");
        let code = engine
            .verification_code(&system, pending.id(), nonces[0])
            .unwrap()
            .unwrap();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let refused = engine
            .confirm_telegram_registration_code(&system, 7, pending.id(), wrong)
            .unwrap_err();
        assert!(
            matches!(refused, crate::error::Error::Refused(_)),
            "{refused}"
        );
        let elsewhere = engine
            .confirm_telegram_registration_code(&system, 8, pending.id(), &code)
            .unwrap_err();
        assert_eq!(elsewhere.kind(), ErrorKind::NotFound);
        engine
            .confirm_telegram_registration_code(&system, 7, pending.id(), &code)
            .unwrap();
        let done = engine
            .complete_telegram_registration(&system, 7, pending.id(), "bo.tg", PASSWORD)
            .unwrap();
        assert_eq!(done.status(), CustomerStatus::Active);
    }

    #[test]
    fn a_typed_phone_gets_a_fresh_code_after_the_cooldown_and_only_in_its_chat() {
        let (engine, clock) = sample::engine_with_cheap_passwords(MemoryStore::new(), 3);
        let system = Actor::system();
        let pending = engine
            .register_for_telegram_chat(&system, 9, &sample::customer(3), false)
            .unwrap();
        let too_soon = engine
            .resend_telegram_registration_code(&system, 9, pending.id())
            .unwrap_err();
        assert_eq!(too_soon.code(), "resend_too_soon", "{too_soon}");
        assert_eq!(code_requests(&engine).len(), 1, "no second code yet");
        clock.advance(crate::registration::RESEND_COOLDOWN_MS);
        let elsewhere = engine
            .resend_telegram_registration_code(&system, 10, pending.id())
            .unwrap_err();
        assert_eq!(elsewhere.kind(), ErrorKind::NotFound);
        let guest = engine
            .resend_telegram_registration_code(&Actor::guest(), 9, pending.id())
            .unwrap_err();
        assert_eq!(guest.kind(), ErrorKind::Forbidden);
        engine
            .resend_telegram_registration_code(&system, 9, pending.id())
            .unwrap();
        let nonces = code_requests(&engine);
        assert_eq!(nonces.len(), 2, "a second code");
        // The old code no longer works, the new one does.
        let old = engine
            .verification_code(&system, pending.id(), nonces[0])
            .unwrap();
        assert_eq!(old, None);
        let code = engine
            .verification_code(&system, pending.id(), nonces[1])
            .unwrap()
            .unwrap();
        engine
            .confirm_telegram_registration_code(&system, 9, pending.id(), &code)
            .unwrap();
        // Verified: no code is needed any more.
        clock.advance(crate::registration::RESEND_COOLDOWN_MS);
        let needless = engine
            .resend_telegram_registration_code(&system, 9, pending.id())
            .unwrap_err();
        assert_eq!(needless.kind(), ErrorKind::Validation, "{needless}");
    }

    #[test]
    fn a_business_waits_for_approval_and_only_the_bot_registers_for_a_chat() {
        let engine = engine();
        let mut input = sample::customer(3);
        input.business = Some(("Acme Ltd".into(), "DE123456789".into()));
        // The bot's operation: not a guest's nor a customer's (the permission matrix has
        // the whole table).
        for actor in [Actor::guest(), Actor::customer(crate::ids::CustomerId(1))] {
            let refused = engine
                .register_for_telegram_chat(&actor, 9, &input, true)
                .unwrap_err();
            assert_eq!(refused.kind(), ErrorKind::Forbidden);
        }
        let system = Actor::system();
        let pending = engine
            .register_for_telegram_chat(&system, 9, &input, true)
            .unwrap();
        let done = engine
            .complete_telegram_registration(&system, 9, pending.id(), "acme.tg", PASSWORD)
            .unwrap();
        assert_eq!(done.status(), CustomerStatus::PendingApproval);
    }
}
