//! Self-registration: register, resend a code, verify — reached by a registration handle,
//! never by the dense customer id — and the lapse of registrations nobody verified.
//!
//! The code is checked before any password is hashed (a wrong code costs an HMAC, not an
//! argon2 run), wrong codes count per registration across resends, resends wait a cooldown
//! and are capped, and a registration not verified within `registration_ttl_ms` lapses:
//! whoever registers the same phone or email next frees them in the same write set.

use crate::audit::{AuditAction, FieldChange};
use crate::auth::{Actor, Operation};
use crate::credentials::{Credentials, LoginId, Password, PasswordHash};
use crate::customer::{Customer, CustomerDraft, CustomerInput, CustomerStatus};
use crate::error::{EntityKind, Error, Refusal, Result};
use crate::ids::{CustomerId, RegistrationId};
use crate::outbox::DomainEvent;
use crate::registration::{
    self, Channel, CodeRejection, HandleHash, RegistrationHandle, Verification,
    unknown_registration,
};
use crate::store::{IndexName, Record, Store, keys};

use super::{Engine, Unit};

/// A self-registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRequest {
    /// Name, kind, phone, email and at least one (default) address.
    pub customer: CustomerInput,
    /// Where to send the verification code.
    pub channel: Channel,
}

/// A registration that was accepted: the pending customer and the handle that reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The customer, pending verification.
    pub customer: Customer,
    /// Give this to the person who registered (once): verify and resend need it.
    pub handle: RegistrationHandle,
}

/// The answer to a verification code, with the login the customer chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyRequest {
    /// The registration handle returned by [`Engine::register_customer`].
    pub registration: String,
    /// The 6-digit code they received.
    pub code: String,
    /// Chosen login id.
    pub login: String,
    /// Chosen password (never stored; hashed with argon2id).
    pub password: String,
}

impl<S: Store> Engine<S> {
    /// Registers a customer: pending verification, a code sent through `channel`. The
    /// returned handle is the only way to verify or ask for a new code.
    ///
    /// # Errors
    /// `Validation`; `Duplicate` for a phone or email already registered; `Forbidden`.
    pub fn register_customer(
        &self,
        actor: &Actor,
        request: &RegistrationRequest,
    ) -> Result<Registration> {
        actor.require(Operation::Register)?;
        let handle = RegistrationHandle::generate(self.random.as_ref());
        let customer = self.create_registration(actor, request, |_, _| handle.clone(), true)?;
        Ok(Registration { customer, handle })
    }

    /// Writes a pending registration: the customer (pending verification), its handle
    /// (`handle` of the store's code secret and the new id) indexed by hash, the audit
    /// entry and — when `send_code` — the event that has the code sent through
    /// `request.channel`.
    pub(super) fn create_registration(
        &self,
        actor: &Actor,
        request: &RegistrationRequest,
        handle: impl Fn(&registration::CodeSecret, CustomerId) -> RegistrationHandle,
        send_code: bool,
    ) -> Result<Customer> {
        let draft = CustomerDraft::parse(&request.customer)?;
        if request.customer.addresses.is_empty() {
            return Err(Error::invalid(
                "address",
                "is required (a default shipping address)",
            ));
        }
        self.transact(|unit| {
            self.claim_contact(unit, actor, &draft, None)?;
            let settings = self.settings(unit)?;
            let now = self.clock.now();
            let id = CustomerId(unit.store().next_id()?);
            let handle = handle(&settings.code_secret, id);
            let mut customer =
                Customer::create(id, draft.clone(), CustomerStatus::PendingVerification, now);
            let verification = self.fresh_verification(request.channel, Some(handle.hash()));
            let nonce = verification.nonce;
            customer.start_verification(verification)?;
            unit.reindex(&[], &keys::customer_entries(&customer));
            let code_by = if send_code {
                request.channel.to_string()
            } else {
                "(none: the phone was verified by Telegram)".to_string()
            };
            self.customer_audit(
                unit,
                actor,
                id,
                AuditAction::CustomerRegistered,
                vec![
                    FieldChange::new("name", None, Some(customer.name().to_string())),
                    FieldChange::new("phone", None, Some(customer.phone().to_string())),
                    FieldChange::new("email", None, Some(customer.email().to_string())),
                    FieldChange::new("code sent by", None, Some(code_by)),
                ],
            );
            if send_code {
                unit.event(
                    now,
                    DomainEvent::VerificationCodeRequested {
                        customer: id,
                        channel: request.channel,
                        nonce,
                    },
                );
            }
            unit.put(Record::Customer(customer.clone()));
            Ok(customer)
        })
    }

    /// A verification with a fresh nonce, issued now.
    pub(super) fn fresh_verification(
        &self,
        channel: Channel,
        handle: Option<HandleHash>,
    ) -> Verification {
        Verification {
            nonce: self.random.next_u64(),
            channel,
            issued_at: self.clock.now(),
            attempts: 0,
            resends: 0,
            handle,
        }
    }

    /// Refuses a phone or email that another customer holds (other than `me`); a lapsed
    /// registration holding one is expired in this unit, which frees it.
    pub(super) fn claim_contact(
        &self,
        unit: &mut Unit<'_, S>,
        actor: &Actor,
        draft: &CustomerDraft,
        me: Option<CustomerId>,
    ) -> Result<()> {
        let wanted = [
            (
                "phone",
                IndexName::CustomerByPhone,
                keys::customer_phone(draft.phone()),
                draft.phone().to_string(),
            ),
            (
                "email",
                IndexName::CustomerByEmail,
                keys::customer_email(draft.email()),
                draft.email().to_string(),
            ),
        ];
        for (field, index, key, value) in wanted {
            let Some(holder) = unit.index_id(index, &key)?.map(CustomerId) else {
                continue;
            };
            if Some(holder) == me {
                continue;
            }
            let mut held_by = unit.customer(holder)?;
            if held_by.registration_lapsed(self.clock.now(), self.config.registration_ttl_ms) {
                self.lapse(unit, actor, &mut held_by)?;
                continue;
            }
            return Err(Error::Duplicate {
                entity: EntityKind::Customer,
                field,
                value,
            });
        }
        Ok(())
    }

    /// Ends a lapsed registration in `unit` (its phone, email and handle are unindexed).
    fn lapse(&self, unit: &mut Unit<'_, S>, actor: &Actor, customer: &mut Customer) -> Result<()> {
        let before = keys::customer_entries(customer);
        customer.expire()?;
        unit.reindex(&before, &keys::customer_entries(customer));
        self.customer_audit(
            unit,
            actor,
            customer.id(),
            AuditAction::RegistrationExpired,
            vec![FieldChange::new(
                "status",
                Some(CustomerStatus::PendingVerification.to_string()),
                Some(CustomerStatus::Expired.to_string()),
            )],
        );
        unit.put(Record::Customer(customer.clone()));
        Ok(())
    }

    /// The pending registration a handle reaches. Unknown, finished and lapsed
    /// registrations all give the one [`unknown_registration`] error.
    pub(super) fn registration(
        &self,
        unit: &mut Unit<'_, S>,
        handle: &RegistrationHandle,
    ) -> Result<Customer> {
        let id = unit
            .index_id(
                IndexName::RegistrationByHandle,
                &keys::registration_handle(&handle.hash()),
            )?
            .ok_or_else(unknown_registration)?;
        let customer = unit.customer(CustomerId(id))?;
        if customer.status() != CustomerStatus::PendingVerification
            || customer.registration_lapsed(self.clock.now(), self.config.registration_ttl_ms)
        {
            return Err(unknown_registration());
        }
        Ok(customer)
    }

    /// Sends a new code for a pending registration. Wrong codes entered so far still count;
    /// a new code waits [`registration::RESEND_COOLDOWN_MS`] after the last one, at most
    /// [`registration::MAX_RESENDS`] times.
    ///
    /// # Errors
    /// `NotFound` for an unknown, finished or lapsed handle; `Refused` during the cooldown
    /// (`ResendTooSoon`) or after the last resend (`ResendLimitReached`); `Forbidden`.
    pub fn resend_verification(&self, actor: &Actor, handle: &str) -> Result<Customer> {
        actor.require(Operation::Register)?;
        let handle = RegistrationHandle::parse(handle)?;
        self.transact(|unit| {
            let mut customer = self.registration(unit, &handle)?;
            let current = customer
                .verification()
                .cloned()
                .ok_or_else(unknown_registration)?;
            let now = self.clock.now();
            let verification = current.resend(self.random.next_u64(), now)?;
            let (channel, nonce) = (verification.channel, verification.nonce);
            customer.start_verification(verification)?;
            self.customer_audit(
                unit,
                actor,
                customer.id(),
                AuditAction::CodeIssued,
                vec![FieldChange::new(
                    "code sent by",
                    None,
                    Some(channel.to_string()),
                )],
            );
            unit.event(
                now,
                DomainEvent::VerificationCodeRequested {
                    customer: customer.id(),
                    channel,
                    nonce,
                },
            );
            unit.put(Record::Customer(customer.clone()));
            Ok(customer)
        })
    }

    /// The code a `VerificationCodeRequested` event stands for, while it is still valid —
    /// for the dispatcher that sends it. `None` once used, replaced or expired.
    ///
    /// # Errors
    /// `Forbidden` unless the actor dispatches notifications; `Storage`.
    pub fn verification_code(
        &self,
        actor: &Actor,
        customer: CustomerId,
        nonce: u64,
    ) -> Result<Option<String>> {
        actor.require(Operation::DispatchNotifications)?;
        let mut unit = Unit::new(&self.store);
        let Some(settings) = unit.settings()? else {
            return Ok(None);
        };
        let customer = match unit.customer(customer) {
            Ok(c) => c,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let now = self.clock.now();
        let pending = customer
            .verification()
            .into_iter()
            .chain(customer.pending_contact().map(|c| &c.verification));
        Ok(pending
            .filter(|v| v.nonce == nonce && now < v.expires_at())
            .map(|v| registration::derive_code(&settings.code_secret, customer.id(), v.nonce))
            .next())
    }

    /// Checks the code and sets the chosen login and password. Consumers become active with a
    /// permanent Registration ID; businesses wait for staff approval. A wrong code counts
    /// against the registration's attempts; the password is hashed only after the code
    /// was right.
    ///
    /// # Errors
    /// `NotFound` for an unknown, finished or lapsed handle; `Refused` for a wrong code
    /// (`WrongCode`, attempts left named), an expired code (`CodeExpired`), too many
    /// attempts (`TooManyCodeAttempts`) or a code resent meanwhile (`CodeSuperseded`);
    /// `Validation` for a weak password; `Duplicate` for a taken login id; `Forbidden`.
    pub fn verify_customer(&self, actor: &Actor, request: &VerifyRequest) -> Result<Customer> {
        actor.require(Operation::Register)?;
        let handle = RegistrationHandle::parse(&request.registration)?;
        let login = LoginId::parse(&request.login)?;
        let password = Password::new(&login, &request.password)?;
        let nonce = self.check_registration_code(actor, &handle, &request.code)?;
        let hash =
            PasswordHash::create(&password, self.config.password_params, self.random.as_ref())?;
        self.finish_registration(actor, &handle, |v| v.nonce == nonce, &login, hash)
    }

    /// Completes the registration `handle` reaches, if its verification still passes
    /// `still` (else `CodeSuperseded`): the login set (checked free), a consumer active
    /// with a Registration ID, a business waiting for approval.
    pub(super) fn finish_registration(
        &self,
        actor: &Actor,
        handle: &RegistrationHandle,
        still: impl Fn(&Verification) -> bool,
        login: &LoginId,
        hash: PasswordHash,
    ) -> Result<Customer> {
        self.transact(|unit| {
            let mut customer = self.registration(unit, handle)?;
            // A code resent while the password was being hashed: the checked one is void.
            if !customer.verification().is_some_and(&still) {
                return Err(Refusal::CodeSuperseded.into());
            }
            self.check_login_free(unit, login, Some(customer.id()))?;
            let before = keys::customer_entries(&customer);
            let credentials = Credentials {
                login: login.clone(),
                hash: hash.clone(),
                sessions_valid_after: self.clock.now(),
            };
            customer.complete_verification(
                credentials,
                RegistrationId::generate(self.random.as_ref()),
            )?;
            unit.reindex(&before, &keys::customer_entries(&customer));
            let mut changes = vec![
                FieldChange::new(
                    "status",
                    Some(CustomerStatus::PendingVerification.to_string()),
                    Some(customer.status().to_string()),
                ),
                FieldChange::new("login id", None, Some(login.to_string())),
            ];
            if let Some(id) = customer.registration_id() {
                changes.push(FieldChange::new(
                    "registration id",
                    None,
                    Some(id.to_string()),
                ));
            }
            self.customer_audit(
                unit,
                actor,
                customer.id(),
                AuditAction::CustomerVerified,
                changes,
            );
            unit.put(Record::Customer(customer.clone()));
            Ok(customer)
        })
    }

    /// Checks a registration's code (counting a wrong one) and returns the nonce of the
    /// code that was right.
    pub(super) fn check_registration_code(
        &self,
        actor: &Actor,
        handle: &RegistrationHandle,
        code: &str,
    ) -> Result<u64> {
        // The inner result carries refusals that still write (a counted failure).
        self.transact(|unit| {
            let mut customer = self.registration(unit, handle)?;
            let verification = customer
                .verification()
                .cloned()
                .ok_or_else(unknown_registration)?;
            let settings = self.settings(unit)?;
            let now = self.clock.now();
            match registration::check_code(
                &settings.code_secret,
                customer.id(),
                &verification,
                code,
                now,
            ) {
                Ok(()) => Ok(Ok(verification.nonce)),
                Err(CodeRejection::Wrong) => {
                    customer.record_wrong_code();
                    Ok(Err(self.wrong_code(unit, actor, customer, &verification)))
                }
                Err(other) => Ok(Err(other.to_error(0))),
            }
        })?
    }

    /// Writes a counted wrong code (the customer with its attempt added, an audit entry)
    /// and returns the refusal naming the attempts left.
    pub(super) fn wrong_code(
        &self,
        unit: &mut Unit<'_, S>,
        actor: &Actor,
        customer: Customer,
        verification: &Verification,
    ) -> Error {
        let left = registration::MAX_CODE_ATTEMPTS.saturating_sub(verification.attempts + 1);
        self.customer_audit(
            unit,
            actor,
            customer.id(),
            AuditAction::CodeRejected,
            vec![FieldChange::new(
                "attempts",
                Some(verification.attempts.to_string()),
                Some((verification.attempts + 1).to_string()),
            )],
        );
        unit.put(Record::Customer(customer));
        CodeRejection::Wrong.to_error(left)
    }
}
