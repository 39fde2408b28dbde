//! Rate limits the channels apply per phone number or per caller: a token bucket per key,
//! kept in the store so that every process of a shop counts against the same budget.
//!
//! The engine applies its own limits to what it owns (login lockouts, code attempts and
//! resends); this is the hook for what only a channel sees (inbound texts per phone, HTTP
//! requests per address), used through [`crate::engine::Engine::take_rate`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::validate;

/// What a key counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateScope {
    /// Messages from one phone number.
    Phone,
    /// Requests from one caller (an address, a chat, an API key).
    Caller,
    /// Registrations from one caller.
    Registration,
    /// Login attempts from one caller (on top of the per-login-id lockout).
    Login,
}

impl fmt::Display for RateScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RateScope::Phone => "phone",
            RateScope::Caller => "caller",
            RateScope::Registration => "registration",
            RateScope::Login => "login",
        })
    }
}

/// A budget: `burst` requests at once, one more every `refill_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    burst: u32,
    refill_ms: i64,
}

impl RateLimit {
    /// A checked budget.
    ///
    /// # Errors
    /// `Validation` unless `burst` ≥ 1 and `refill_ms` ≥ 1.
    pub fn new(burst: u32, refill_ms: i64) -> Result<RateLimit> {
        if burst == 0 || refill_ms < 1 {
            return Err(Error::invalid(
                "rate limit",
                "needs a burst of at least 1 and a refill interval of at least 1 ms",
            ));
        }
        Ok(RateLimit { burst, refill_ms })
    }
}

/// The key a bucket is kept under: scope and the caller's key (a phone, an address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateKey(String);

impl RateKey {
    /// A checked key.
    ///
    /// # Errors
    /// `Validation` for an empty key, one over 128 characters or with control characters.
    pub fn new(scope: RateScope, key: &str) -> Result<RateKey> {
        let key = validate::required_text("rate limit key", key, 128)?;
        Ok(RateKey(format!("{scope}:{key}")))
    }

    /// The stored form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One bucket as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateBucket {
    /// `scope:key`.
    pub key: String,
    /// Requests left.
    pub tokens: u32,
    /// When `tokens` was last brought up to date.
    pub updated_at: Timestamp,
}

impl RateBucket {
    /// A full bucket.
    pub fn full(key: &RateKey, limit: RateLimit, now: Timestamp) -> RateBucket {
        RateBucket {
            key: key.0.clone(),
            tokens: limit.burst,
            updated_at: now,
        }
    }

    /// Takes one request from the bucket, refilled for the time passed.
    ///
    /// # Errors
    /// `RateLimited` saying when the next request is allowed.
    pub fn take(&mut self, limit: RateLimit, now: Timestamp) -> Result<()> {
        let elapsed = now.0.saturating_sub(self.updated_at.0).max(0);
        let refills = elapsed / limit.refill_ms;
        if refills > 0 {
            let refills = u32::try_from(refills).unwrap_or(u32::MAX);
            self.tokens = self.tokens.saturating_add(refills).min(limit.burst);
            self.updated_at = Timestamp(
                self.updated_at
                    .0
                    .saturating_add(i64::from(refills).saturating_mul(limit.refill_ms)),
            );
            if self.tokens == limit.burst {
                self.updated_at = now;
            }
        }
        if self.tokens == 0 {
            let next = self.updated_at.0.saturating_add(limit.refill_ms);
            return Err(Error::RateLimited {
                retry_after_ms: next.saturating_sub(now.0).max(1),
            });
        }
        self.tokens -= 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_one_per_interval() {
        let limit = RateLimit::new(3, 1000).unwrap();
        let key = RateKey::new(RateScope::Phone, "+15551234567").unwrap();
        let mut bucket = RateBucket::full(&key, limit, Timestamp(0));
        let allowed = (0..5)
            .filter(|_| bucket.take(limit, Timestamp(10)).is_ok())
            .count();
        assert_eq!(allowed, 3);
        match bucket.take(limit, Timestamp(10)) {
            Err(Error::RateLimited { retry_after_ms }) => assert_eq!(retry_after_ms, 990),
            other => panic!("{other:?}"),
        }
        assert!(bucket.take(limit, Timestamp(1000)).is_ok());
        assert!(bucket.take(limit, Timestamp(1500)).is_err());
        assert!(bucket.take(limit, Timestamp(2000)).is_ok());
        // A long pause refills to the burst, never beyond.
        let allowed = (0..10)
            .filter(|_| bucket.take(limit, Timestamp(1_000_000)).is_ok())
            .count();
        assert_eq!(allowed, 3);
        assert!(RateLimit::new(0, 1).is_err());
        assert!(RateKey::new(RateScope::Caller, " ").is_err());
        assert_eq!(key.as_str(), "phone:+15551234567");
    }
}
