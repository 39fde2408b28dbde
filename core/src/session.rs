//! Sessions and login throttling.
//!
//! A session token is 256 random bits shown to the caller once; only its SHA-256 hash is
//! stored. Sessions expire, can be revoked one by one (logout), and all at once by moving
//! the credentials' `sessions_valid_after` (password change).

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::{Principal, Role};
use crate::clock::Timestamp;
use crate::credentials::LoginId;
use crate::error::{AuthFailure, Result};
use crate::random::RandomSource;

/// Failed logins allowed before the login id is locked for a while.
pub const FREE_LOGIN_FAILURES: u32 = 5;
/// Longest lockout.
pub const MAX_LOCKOUT_MS: i64 = 24 * 3_600_000;

/// A bearer token: 64 hex characters (256 bits). Returned once, never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// 256 fresh random bits.
    pub fn generate(random: &dyn RandomSource) -> SessionToken {
        let mut text = String::with_capacity(64);
        for _ in 0..4 {
            text.push_str(&format!("{:016x}", random.next_u64()));
        }
        SessionToken(text)
    }

    /// Parses a token as presented by a client.
    ///
    /// # Errors
    /// `Unauthenticated` (`InvalidToken`) if it is not 64 hex characters.
    pub fn parse(text: &str) -> Result<SessionToken> {
        let text = text.trim();
        if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(SessionToken(text.to_ascii_lowercase()))
        } else {
            Err(AuthFailure::InvalidToken.into())
        }
    }

    /// The token text, to hand to the client.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// The SHA-256 hash under which the session is stored (hex).
    pub fn storage_key(&self) -> String {
        Sha256::digest(self.0.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// A stored session (keyed by the token's hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// SHA-256 of the token, hex (redacted in human-readable serializations).
    #[serde(serialize_with = "crate::secret::redacted")]
    pub token_hash: String,
    /// Who it belongs to.
    pub principal: Principal,
    /// Role at login.
    pub role: Role,
    /// Created.
    pub created_at: Timestamp,
    /// Expires.
    pub expires_at: Timestamp,
    /// Revoked by logout.
    pub revoked: bool,
}

/// Failed-login bookkeeping per login id — kept for unknown login ids too, so lockouts do not
/// reveal whether a login id exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginThrottle {
    /// The login id tried.
    pub login: LoginId,
    /// Consecutive failures.
    pub failures: u32,
    /// No attempt is checked before this time.
    pub locked_until: Option<Timestamp>,
}

impl LoginThrottle {
    /// No failures yet.
    pub fn new(login: LoginId) -> LoginThrottle {
        LoginThrottle {
            login,
            failures: 0,
            locked_until: None,
        }
    }

    /// Refuses an attempt while locked.
    ///
    /// # Errors
    /// `Unauthenticated` (`LockedOut`) saying when to try again.
    pub fn check(&self, now: Timestamp) -> Result<()> {
        match self.locked_until {
            Some(until) if now < until => Err(AuthFailure::LockedOut { until }.into()),
            Some(_) | None => Ok(()),
        }
    }

    /// Counts a failure; from the sixth on, locks for 1, 2, 4, … minutes (at most a day).
    pub fn record_failure(&mut self, now: Timestamp) {
        self.failures = self.failures.saturating_add(1);
        if self.failures > FREE_LOGIN_FAILURES {
            let doublings = (self.failures - FREE_LOGIN_FAILURES - 1).min(20);
            let lock_ms = (60_000i64 << doublings).min(MAX_LOCKOUT_MS);
            self.locked_until = Some(now.plus_ms(lock_ms));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SeededRandom;

    #[test]
    fn tokens_are_random_hex_and_hash_to_their_key() {
        let random = SeededRandom::new(1);
        let a = SessionToken::generate(&random);
        let b = SessionToken::generate(&random);
        assert_ne!(a, b);
        assert_eq!(a.reveal().len(), 64);
        assert_eq!(SessionToken::parse(a.reveal()).unwrap(), a);
        assert_eq!(a.storage_key().len(), 64);
        assert_ne!(a.storage_key(), a.reveal());
        assert!(SessionToken::parse("short").is_err());
        assert_eq!(format!("{a:?}"), "SessionToken(<redacted>)");
    }

    #[test]
    fn lockout_starts_after_five_failures_and_grows() {
        let mut t = LoginThrottle::new(LoginId::parse("ada").unwrap());
        let now = Timestamp(0);
        for _ in 0..5 {
            t.check(now).unwrap();
            t.record_failure(now);
        }
        assert!(t.check(now).is_ok(), "five failures are free");
        t.record_failure(now);
        assert!(t.check(now.plus_ms(59_000)).is_err());
        assert!(t.check(now.plus_ms(60_000)).is_ok());
        t.record_failure(now);
        assert!(t.check(now.plus_ms(119_000)).is_err());
        for _ in 0..100 {
            t.record_failure(now);
        }
        assert_eq!(t.locked_until, Some(now.plus_ms(MAX_LOCKOUT_MS)));
    }
}
