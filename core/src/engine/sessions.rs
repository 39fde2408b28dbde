//! Logging in and out, session checks, password changes.
//!
//! Failed logins are counted per login id whether or not it exists, and every failure reads
//! the same ("login id or password is incorrect"), so neither the messages nor the lockouts
//! reveal which login ids exist. Unknown login ids are checked against a decoy hash so they
//! cost the same time.

use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation, Principal, RecordedActor, Role};
use crate::clock::Timestamp;
use crate::credentials::{Credentials, LoginId, Password, PasswordHash};
use crate::customer::CustomerStatus;
use crate::error::{AuthFailure, Error, Refusal, Result};
use crate::ids::{CustomerId, UserId};
use crate::ratelimit::{RateBucket, RateKey, RateLimit};
use crate::session::{LoginThrottle, Session, SessionToken};
use crate::store::{IndexName, Record, RecordKey, Store, keys};

use super::{Engine, Unit};

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// Give this to the client; it is not stored anywhere.
    pub token: SessionToken,
    /// Who logged in.
    pub actor: Actor,
    /// When the session ends.
    pub expires_at: Timestamp,
}

/// The account a login id belongs to, as found at login time.
enum Account {
    Customer(CustomerId, Credentials),
    Staff(UserId, Role, Credentials),
}

fn wrong_login() -> Error {
    AuthFailure::WrongLogin.into()
}

impl<S: Store> Engine<S> {
    fn account(&self, unit: &mut Unit<'_, S>, login: &LoginId) -> Result<Option<Account>> {
        let key = keys::login(login);
        if let Some(id) = unit.index_id(IndexName::UserByLogin, &key)? {
            let user = unit.user(UserId(id))?;
            return Ok(user
                .is_active()
                .then(|| Account::Staff(user.id(), user.role(), user.credentials().clone())));
        }
        if let Some(id) = unit.index_id(IndexName::CustomerByLogin, &key)? {
            let customer = unit.customer(CustomerId(id))?;
            let active = customer.status() == CustomerStatus::Active;
            return Ok(customer
                .credentials()
                .filter(|_| active)
                .map(|c| Account::Customer(customer.id(), c.clone())));
        }
        Ok(None)
    }

    /// Checks a login id and password and opens a session.
    ///
    /// # Errors
    /// `Unauthenticated` with the same message for an unknown login id, a wrong password or an
    /// inactive account; `Unauthenticated` naming the time to retry while locked out.
    pub fn login(&self, login: &str, password: &str) -> Result<LoginOutcome> {
        let login = LoginId::parse(login).map_err(|_| wrong_login())?;
        let mut unit = Unit::new(&self.store);
        unit.throttle(&login)?.check(self.clock.now())?;
        let account = self.account(&mut unit, &login)?;
        // The expensive check runs outside the write transaction, once.
        let password_ok = match &account {
            Some(Account::Customer(_, c)) | Some(Account::Staff(_, _, c)) => {
                c.hash.verify(password)
            }
            None => {
                self.decoy.verify(password);
                false
            }
        };
        let subject = match &account {
            Some(Account::Customer(id, _)) => vec![Subject::Customer(*id)],
            Some(Account::Staff(id, _, _)) => vec![Subject::User(*id)],
            None => Vec::new(),
        };
        // The inner result carries refusals that still write (a counted failure).
        self.transact(|unit| {
            let now = self.clock.now();
            let mut throttle = unit.throttle(&login)?;
            throttle.check(now)?;
            let audit = |action, changes| AuditRecord {
                at: now,
                actor: Actor::guest().record(),
                action,
                subjects: subject.clone(),
                changes,
            };
            let Some(account) = account.as_ref().filter(|_| password_ok) else {
                throttle.record_failure(now);
                unit.audit(audit(
                    AuditAction::LoginFailed,
                    vec![FieldChange::new("login id", None, Some(login.to_string()))],
                ));
                unit.put(Record::Throttle(throttle));
                return Ok(Err(wrong_login()));
            };
            if throttle.failures > 0 {
                throttle.failures = 0;
                throttle.locked_until = None;
                unit.put(Record::Throttle(throttle));
            }
            let (principal, role, ttl) = match account {
                Account::Customer(id, _) => (
                    Principal::Customer(*id),
                    Role::Customer,
                    self.config.customer_session_ms,
                ),
                Account::Staff(id, role, _) => {
                    (Principal::Staff(*id), *role, self.config.staff_session_ms)
                }
            };
            let token = SessionToken::generate(self.random.as_ref());
            let session = Session {
                token_hash: token.storage_key(),
                principal: principal.clone(),
                role,
                created_at: now,
                expires_at: now.plus_ms(ttl),
                revoked: false,
            };
            unit.audit(audit(
                AuditAction::LoggedIn,
                vec![FieldChange::new("login id", None, Some(login.to_string()))],
            ));
            let expires_at = session.expires_at;
            unit.put(Record::Session(session));
            Ok(Ok(LoginOutcome {
                token,
                actor: Actor::from_session(principal, role),
                expires_at,
            }))
        })?
    }

    /// The actor a session token stands for.
    ///
    /// # Errors
    /// `Unauthenticated` for an unknown, expired or revoked token, a disabled account, or a
    /// session older than the last password change.
    pub fn authenticate(&self, token: &str) -> Result<Actor> {
        let token = SessionToken::parse(token)?;
        let gone = || Error::from(AuthFailure::SessionEnded);
        let mut unit = Unit::new(&self.store);
        let session = unit.session(&token.storage_key())?.ok_or_else(gone)?;
        self.session_actor(&mut unit, &session)
    }

    /// The actor of a stored session, if it is still alive (not revoked or expired, the
    /// account active, no password change since it began).
    ///
    /// # Errors
    /// `Unauthenticated` (`SessionEnded`) when it is not.
    pub(super) fn session_actor(&self, unit: &mut Unit<'_, S>, session: &Session) -> Result<Actor> {
        let gone = || Error::from(AuthFailure::SessionEnded);
        if session.revoked || self.clock.now() >= session.expires_at {
            return Err(gone());
        }
        match &session.principal {
            Principal::Customer(id) => {
                let customer = unit.customer(*id)?;
                let valid_after = customer.credentials().map(|c| c.sessions_valid_after);
                if customer.status() != CustomerStatus::Active
                    || valid_after.is_none_or(|t| session.created_at < t)
                {
                    return Err(gone());
                }
                Ok(Actor::customer(*id))
            }
            Principal::Staff(id) => {
                let user = unit.user(*id)?;
                if !user.is_active() || session.created_at < user.credentials().sessions_valid_after
                {
                    return Err(gone());
                }
                // The current role applies: re-roling takes effect at once.
                Actor::staff(*id, user.role())
            }
            Principal::LocalAdmin(_) | Principal::System | Principal::Guest => Err(gone()),
        }
    }

    /// Ends the session of `token` (idempotent).
    ///
    /// # Errors
    /// `Unauthenticated` for a malformed token; `Storage`.
    pub fn logout(&self, token: &str) -> Result<()> {
        let token = SessionToken::parse(token)?;
        self.transact(|unit| {
            let Some(mut session) = unit.session(&token.storage_key())? else {
                return Ok(());
            };
            if session.revoked {
                return Ok(());
            }
            session.revoked = true;
            let subjects = principal_subject(&session.principal);
            unit.audit(AuditRecord {
                at: self.clock.now(),
                actor: RecordedActor {
                    principal: session.principal.clone(),
                    role: session.role,
                },
                action: AuditAction::LoggedOut,
                subjects,
                changes: Vec::new(),
            });
            unit.put(Record::Session(session));
            Ok(())
        })
    }

    /// Changes the actor's own password (the old one must be right); every session ends.
    ///
    /// # Errors
    /// `Unauthenticated` for a wrong old password; `Validation` for a weak new one.
    pub fn change_password(&self, actor: &Actor, old: &str, new: &str) -> Result<()> {
        let mut unit = Unit::new(&self.store);
        let current = match actor.principal() {
            Principal::Customer(id) => unit.customer(*id)?.credentials().cloned(),
            Principal::Staff(id) => Some(unit.user(*id)?.credentials().clone()),
            Principal::LocalAdmin(_) | Principal::System | Principal::Guest => None,
        }
        .ok_or(Refusal::NoPassword)?;
        // Wrong current passwords count like failed logins (a stolen session cannot guess
        // its way to a permanent takeover), and a locked-out login id cannot try at all.
        unit.throttle(&current.login)?.check(self.clock.now())?;
        let password = Password::new(&current.login, new)?;
        if !current.hash.verify(old) {
            self.transact(|unit| {
                let now = self.clock.now();
                let mut throttle = unit.throttle(&current.login)?;
                throttle.record_failure(now);
                unit.audit(AuditRecord {
                    at: now,
                    actor: actor.record(),
                    action: AuditAction::PasswordRejected,
                    subjects: principal_subject(actor.principal()),
                    changes: Vec::new(),
                });
                unit.put(Record::Throttle(throttle));
                Ok(())
            })?;
            return Err(AuthFailure::WrongCurrentPassword.into());
        }
        let hash =
            PasswordHash::create(&password, self.config.password_params, self.random.as_ref())?;
        self.transact(|unit| {
            let now = self.clock.now();
            let throttle = unit.throttle(&current.login)?;
            throttle.check(now)?;
            if throttle.failures > 0 {
                unit.put(Record::Throttle(LoginThrottle::new(current.login.clone())));
            }
            let credentials = Credentials {
                login: current.login.clone(),
                hash: hash.clone(),
                sessions_valid_after: now,
            };
            // The credentials the old password was checked against must still be the
            // account's: a login or password set meanwhile (by staff) is not overwritten.
            let changed_meanwhile = || Error::from(Refusal::CredentialsChanged);
            let subject = match actor.principal() {
                Principal::Customer(id) => {
                    let mut customer = unit.customer(*id)?;
                    if customer.credentials() != Some(&current) {
                        return Err(changed_meanwhile());
                    }
                    customer.set_credentials(credentials);
                    unit.put(Record::Customer(customer));
                    Subject::Customer(*id)
                }
                Principal::Staff(id) => {
                    let mut user = unit.user(*id)?;
                    if user.credentials() != &current {
                        return Err(changed_meanwhile());
                    }
                    user.set_credentials(credentials);
                    unit.put(Record::User(user));
                    Subject::User(*id)
                }
                Principal::LocalAdmin(_) | Principal::System | Principal::Guest => {
                    return Err(Refusal::NoPassword.into());
                }
            };
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action: AuditAction::CredentialsChanged,
                subjects: vec![subject],
                changes: vec![FieldChange::new(
                    "password",
                    None,
                    Some("changed; all sessions ended".into()),
                )],
            });
            Ok(())
        })
    }
}

/// The audit subject for a principal's own account.
pub(super) fn principal_subject(principal: &Principal) -> Vec<Subject> {
    match principal {
        Principal::Customer(id) => vec![Subject::Customer(*id)],
        Principal::Staff(id) => vec![Subject::User(*id)],
        Principal::LocalAdmin(_) | Principal::System | Principal::Guest => Vec::new(),
    }
}

impl<S: Store> Engine<S> {
    /// Counts one request of `key` against `limit` (a token bucket kept in the store, so
    /// every process of the shop shares it). The channels call this before they act on
    /// what a phone or caller sent.
    ///
    /// # Errors
    /// `RateLimited` with the time to wait; `Forbidden` unless the actor may limit rates
    /// (the channels act as system).
    pub fn take_rate(&self, actor: &Actor, key: &RateKey, limit: RateLimit) -> Result<()> {
        actor.require(Operation::LimitRates)?;
        // The inner result carries a refusal that still writes nothing but must not retry.
        self.transact(|unit| {
            let now = self.clock.now();
            let mut bucket = unit
                .optional(
                    RecordKey::RateBucket(key.as_str().to_string()),
                    "rate bucket",
                    |r| match r {
                        Record::RateBucket(b) => Some(b),
                        _ => None,
                    },
                )?
                .unwrap_or_else(|| RateBucket::full(key, limit, now));
            match bucket.take(limit, now) {
                Ok(()) => {
                    unit.put(Record::RateBucket(bucket));
                    Ok(Ok(()))
                }
                Err(refused) => Ok(Err(refused)),
            }
        })?
    }
}
