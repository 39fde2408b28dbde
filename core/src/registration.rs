//! Customer registration and verification codes.
//!
//! A code is 6 digits, valid 10 minutes, at most 5 attempts. It is never stored: it is
//! derived as HMAC-SHA256(store secret, customer ‖ nonce) when the notification is sent and
//! when it is checked, and compared in constant time. The verification record holds only the
//! nonce, so neither the database nor its files ever contain a code in clear.
//!
//! A registration is reached by its [`RegistrationHandle`] (128 random bits, returned once
//! to whoever registered; only its SHA-256 is stored), never by the dense customer id, so a
//! guest cannot verify, resend or probe someone else's registration. Wrong codes count per
//! registration (a resend does not reset them), resends wait [`RESEND_COOLDOWN_MS`] and are
//! capped at [`MAX_RESENDS`], and a registration not verified within the engine's
//! `registration_ttl_ms` expires and frees its phone and email.

use std::fmt;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::clock::Timestamp;
use crate::error::{Error, Refusal};
use crate::ids::CustomerId;

/// How long a code is valid.
pub const CODE_TTL_MS: i64 = 10 * 60_000;
/// Wrong codes allowed per registration (or contact change), across resends.
pub const MAX_CODE_ATTEMPTS: u32 = 5;
/// Shortest wait between two codes for the same registration.
pub const RESEND_COOLDOWN_MS: i64 = 60_000;
/// New codes one registration may ask for after the first.
pub const MAX_RESENDS: u32 = 5;

/// Where a customer receives codes and notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// Text message to the customer's phone.
    Sms,
    /// Telegram chat.
    Telegram {
        /// The chat id.
        chat_id: i64,
    },
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Channel::Sms => f.write_str("SMS"),
            Channel::Telegram { chat_id } => write!(f, "Telegram chat {chat_id}"),
        }
    }
}

/// The secret verification codes are derived from (32 random bytes, kept in the store).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSecret(pub [u8; 32]);

impl fmt::Debug for CodeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeSecret(<redacted>)")
    }
}

/// An outstanding verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Random per issued code; the code is derived from it (redacted in human-readable
    /// serializations).
    #[serde(serialize_with = "crate::secret::redacted")]
    pub nonce: u64,
    /// Where the code was sent.
    pub channel: Channel,
    /// Issued.
    pub issued_at: Timestamp,
    /// Wrong codes entered so far, across resends.
    pub attempts: u32,
    /// New codes sent after the first.
    pub resends: u32,
    /// The SHA-256 of the registration's handle (`None` for a contact change, which the
    /// signed-in customer answers).
    #[serde(serialize_with = "crate::secret::redacted")]
    pub handle: Option<HandleHash>,
}

impl Verification {
    /// When the code stops working.
    pub fn expires_at(&self) -> Timestamp {
        self.issued_at.plus_ms(CODE_TTL_MS)
    }

    /// The same verification with a new code: attempts carry over, resends count.
    ///
    /// # Errors
    /// `ResendLimitReached` after [`MAX_RESENDS`]; `ResendTooSoon` before the cooldown has
    /// passed.
    pub fn resend(&self, nonce: u64, now: Timestamp) -> Result<Verification, Error> {
        if self.resends >= MAX_RESENDS {
            return Err(Refusal::ResendLimitReached.into());
        }
        let ready = self.issued_at.plus_ms(RESEND_COOLDOWN_MS);
        if now < ready {
            return Err(Refusal::ResendTooSoon {
                wait_seconds: (ready.0 - now.0 + 999) / 1000,
            }
            .into());
        }
        Ok(Verification {
            nonce,
            issued_at: now,
            resends: self.resends + 1,
            ..self.clone()
        })
    }
}

/// A bearer handle for one pending registration: 32 hex characters (128 random bits),
/// returned once to whoever registered. Only its [`HandleHash`] is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistrationHandle(String);

impl RegistrationHandle {
    /// 128 fresh random bits.
    pub fn generate(random: &dyn crate::random::RandomSource) -> RegistrationHandle {
        RegistrationHandle(format!(
            "{:016x}{:016x}",
            random.next_u64(),
            random.next_u64()
        ))
    }

    /// Parses a handle as presented by a client. Anything malformed is refused with the
    /// same error as an unknown handle, so the answer says nothing about what exists.
    ///
    /// # Errors
    /// `NotFound` (registration) unless 32 hex characters.
    pub fn parse(text: &str) -> Result<RegistrationHandle, Error> {
        let text = text.trim();
        if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(RegistrationHandle(text.to_ascii_lowercase()))
        } else {
            Err(unknown_registration())
        }
    }

    /// The handle, to give to the person who registered.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// What is stored.
    pub fn hash(&self) -> HandleHash {
        HandleHash(Sha256::digest(self.0.as_bytes()).into())
    }
}

impl fmt::Debug for RegistrationHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RegistrationHandle(<redacted>)")
    }
}

/// The SHA-256 of a [`RegistrationHandle`], the key of the registration index.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HandleHash(pub [u8; 32]);

impl fmt::Debug for HandleHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HandleHash(<redacted>)")
    }
}

/// The one answer for a registration handle that is unknown, malformed, finished or
/// expired.
pub fn unknown_registration() -> Error {
    Error::NotFound {
        entity: crate::error::EntityKind::Registration,
        key: "for this handle".into(),
    }
}

/// The handle of a registration made in Telegram chat `chat` for `customer`: derived (an
/// HMAC under the store's code secret), so neither the bot nor the chat's record ever
/// holds it, and only the engine — given that chat and customer — reaches the
/// registration. Only its [`HandleHash`] is stored, as for every handle.
pub(crate) fn chat_handle(
    secret: &CodeSecret,
    chat: i64,
    customer: CustomerId,
) -> RegistrationHandle {
    let digest = match Hmac::<Sha256>::new_from_slice(&secret.0) {
        Ok(mut mac) => {
            mac.update(b"ordo telegram registration v1");
            mac.update(&chat.to_be_bytes());
            mac.update(&customer.0.to_be_bytes());
            let tag: [u8; 32] = mac.finalize().into_bytes().into();
            tag
        }
        // HMAC accepts keys of any length; unreachable, and a plain hash would do.
        Err(_) => Sha256::digest([chat.to_be_bytes(), customer.0.to_be_bytes()].concat()).into(),
    };
    RegistrationHandle(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
}

/// The 6-digit code for `customer` and `nonce`.
pub fn derive_code(secret: &CodeSecret, customer: CustomerId, nonce: u64) -> String {
    let digest = mac(secret, customer, nonce);
    let number = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 1_000_000;
    format!("{number:06}")
}

fn mac(secret: &CodeSecret, customer: CustomerId, nonce: u64) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail; fall back to an all-zero tag.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&secret.0) else {
        return [0; 32];
    };
    mac.update(b"ordo verification code v1");
    mac.update(&customer.0.to_be_bytes());
    mac.update(&nonce.to_be_bytes());
    mac.finalize().into_bytes().into()
}

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRejection {
    /// Older than 10 minutes.
    Expired,
    /// Five wrong codes already.
    TooManyAttempts,
    /// Not the code that was sent.
    Wrong,
}

/// Checks `entered` against the code derived for this verification (constant-time).
///
/// # Errors
/// The reason the code is refused.
pub fn check_code(
    secret: &CodeSecret,
    customer: CustomerId,
    verification: &Verification,
    entered: &str,
    now: Timestamp,
) -> std::result::Result<(), CodeRejection> {
    if now >= verification.expires_at() {
        return Err(CodeRejection::Expired);
    }
    if verification.attempts >= MAX_CODE_ATTEMPTS {
        return Err(CodeRejection::TooManyAttempts);
    }
    let expected = derive_code(secret, customer, verification.nonce);
    let entered: String = entered
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if entered.len() == expected.len() && bool::from(entered.as_bytes().ct_eq(expected.as_bytes()))
    {
        Ok(())
    } else {
        Err(CodeRejection::Wrong)
    }
}

impl CodeRejection {
    /// The error a customer sees.
    pub fn to_error(self, attempts_left: u32) -> Error {
        match self {
            CodeRejection::Expired => Refusal::CodeExpired.into(),
            CodeRejection::TooManyAttempts => Refusal::TooManyCodeAttempts.into(),
            CodeRejection::Wrong => Refusal::WrongCode { attempts_left }.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verification(at: i64, attempts: u32) -> Verification {
        Verification {
            nonce: 99,
            channel: Channel::Sms,
            issued_at: Timestamp(at),
            attempts,
            resends: 0,
            handle: None,
        }
    }

    #[test]
    fn codes_are_six_digits_and_depend_on_secret_customer_and_nonce() {
        let s = CodeSecret([7; 32]);
        let code = derive_code(&s, CustomerId(1), 99);
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        assert_ne!(code, derive_code(&s, CustomerId(2), 99));
        assert_ne!(code, derive_code(&s, CustomerId(1), 100));
        assert_ne!(code, derive_code(&CodeSecret([8; 32]), CustomerId(1), 99));
    }

    #[test]
    fn expiry_attempts_and_wrong_codes() {
        let s = CodeSecret([7; 32]);
        let code = derive_code(&s, CustomerId(1), 99);
        let v = verification(0, 0);
        assert_eq!(
            check_code(&s, CustomerId(1), &v, &code, Timestamp(1000)),
            Ok(())
        );
        assert_eq!(
            check_code(&s, CustomerId(1), &v, "000000x", Timestamp(1000)),
            Err(CodeRejection::Wrong)
        );
        assert_eq!(
            check_code(&s, CustomerId(1), &v, &code, Timestamp(CODE_TTL_MS)),
            Err(CodeRejection::Expired)
        );
        let tired = verification(0, MAX_CODE_ATTEMPTS);
        assert_eq!(
            check_code(&s, CustomerId(1), &tired, &code, Timestamp(1)),
            Err(CodeRejection::TooManyAttempts)
        );
    }
}
