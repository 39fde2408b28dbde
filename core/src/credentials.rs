//! Logins and passwords: login ids, the password policy, argon2id hashing.
//!
//! Passwords are hashed with argon2id (OWASP parameters by default: 19 MiB, 2 iterations,
//! 1 lane); the parameters are stored in the PHC string with the hash, so they can be raised
//! later and old hashes still verify. Neither [`Password`] nor [`PasswordHash`] prints its
//! content in `Debug`.

use std::fmt;

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::random::RandomSource;

/// Bundled list of common passwords that the policy refuses (lower-case, one per line).
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (argon2 takes any length; this bounds the work per attempt).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A login id: 3–32 characters of `a-z`, `0-9`, `.`, `_`, `-`, starting with a letter or
/// digit; stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LoginId(String);

impl LoginId {
    /// Parses and lower-cases a login id.
    ///
    /// # Errors
    /// `Validation` for a wrong length or characters.
    pub fn parse(text: &str) -> Result<LoginId> {
        let lower = text.trim().to_ascii_lowercase();
        let ok_char =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
        let ok = (3..=32).contains(&lower.len())
            && lower.chars().all(ok_char)
            && lower.starts_with(|c: char| c.is_ascii_alphanumeric());
        if ok {
            Ok(LoginId(lower))
        } else {
            Err(Error::invalid(
                "login id",
                "must be 3 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit",
            ))
        }
    }

    /// The login id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for LoginId {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        LoginId::parse(&value)
    }
}

impl From<LoginId> for String {
    fn from(value: LoginId) -> Self {
        value.0
    }
}

/// A password that passed the policy. Never stored, never printed.
pub struct Password(String);

impl Password {
    /// Checks the policy: 10–128 characters, not the login id, not a common password.
    ///
    /// # Errors
    /// `Validation` saying which rule failed.
    pub fn new(login: &LoginId, text: &str) -> Result<Password> {
        let chars = text.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(Error::invalid(
                "password",
                format!("must be at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(Error::invalid(
                "password",
                format!("must be at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        let lower = text.to_lowercase();
        if lower == login.as_str() || lower.contains(login.as_str()) {
            return Err(Error::invalid("password", "must not contain the login id"));
        }
        if COMMON_PASSWORDS
            .lines()
            .any(|common| common.trim() == lower)
        {
            return Err(Error::invalid("password", "is too common; choose another"));
        }
        Ok(Password(text.to_string()))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for PasswordParams {
    /// OWASP's recommendation for argon2id: 19 MiB, 2 iterations, 1 lane.
    fn default() -> Self {
        PasswordParams {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// An argon2id hash in PHC string form (algorithm, parameters, salt, hash).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordHash(String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<argon2id>)")
    }
}

fn internal(what: &str, e: impl fmt::Display) -> Error {
    Error::Internal(format!("{what} failed: {e}"))
}

impl PasswordHash {
    /// Hashes `password` with a fresh 16-byte salt from `random`.
    ///
    /// # Errors
    /// `Internal` if the parameters are invalid (the engine's configuration).
    pub fn create(
        password: &Password,
        params: PasswordParams,
        random: &dyn RandomSource,
    ) -> Result<PasswordHash> {
        let mut salt = [0u8; 16];
        for chunk in salt.chunks_mut(8) {
            chunk.copy_from_slice(&random.next_u64().to_le_bytes()[..chunk.len()]);
        }
        let salt = SaltString::encode_b64(&salt).map_err(|e| internal("salt encoding", e))?;
        let params = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| internal("password parameters", e))?;
        count_argon2_run();
        let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.0.as_bytes(), &salt)
            .map_err(|e| internal("password hashing", e))?;
        Ok(PasswordHash(hash.to_string()))
    }

    /// Whether `candidate` matches (constant-time compare inside argon2). A malformed stored
    /// hash never matches.
    pub fn verify(&self, candidate: &str) -> bool {
        match argon2::password_hash::PasswordHash::new(&self.0) {
            Ok(parsed) => {
                count_argon2_run();
                Argon2::default()
                    .verify_password(candidate.as_bytes(), &parsed)
                    .is_ok()
            }
            Err(_) => false,
        }
    }

    /// A hash that matches nothing, verified against unknown logins so that a wrong login id
    /// costs one argon2 run with the same parameters, like a wrong password. It is built
    /// without running argon2 (a random salt and a random 32-byte "output" in PHC form):
    /// verifying runs argon2 in full and compares against bytes no password produces.
    pub fn decoy(params: PasswordParams, random: &dyn RandomSource) -> PasswordHash {
        let mut bytes = [0u8; 48];
        for chunk in bytes.chunks_mut(8) {
            chunk.copy_from_slice(&random.next_u64().to_le_bytes());
        }
        let (salt, output) = bytes.split_at(16);
        let encoded = SaltString::encode_b64(salt)
            .ok()
            .zip(argon2::password_hash::Output::new(output).ok());
        let (salt, output) = match &encoded {
            Some((salt, output)) => (salt.as_str().to_string(), output.to_string()),
            // Unreachable for these lengths; a fixed well-formed pair keeps the cost equal.
            None => (
                "ZGVjb3lkZWNveWRlY295".to_string(),
                "ZGVjb3lkZWNveWRlY295ZGVjb3lkZWNveWRlY295ZGU".to_string(),
            ),
        };
        PasswordHash(format!(
            "$argon2id$v=19$m={},t={},p={}${salt}${output}",
            params.memory_kib, params.iterations, params.parallelism
        ))
    }
}

thread_local! {
    static ARGON2_RUNS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn count_argon2_run() {
    ARGON2_RUNS.with(|runs| runs.set(runs.get().saturating_add(1)));
}

/// How many times argon2 has run (hash or verify) on this thread. Tests count runs rather
/// than time them: an unknown login id must cost exactly what a known one costs.
pub fn argon2_runs_on_this_thread() -> u64 {
    ARGON2_RUNS.with(std::cell::Cell::get)
}

/// A login and its password hash, kept on the customer or staff record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The login id.
    pub login: LoginId,
    /// The password hash (redacted in human-readable serializations).
    #[serde(serialize_with = "crate::secret::redacted")]
    pub hash: PasswordHash,
    /// Sessions created before this time are no longer valid (password change, "log out everywhere").
    pub sessions_valid_after: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SeededRandom;

    fn login() -> LoginId {
        LoginId::parse("Ada.L").unwrap()
    }

    #[test]
    fn login_ids() {
        assert_eq!(login().as_str(), "ada.l");
        for bad in ["ab", "-ada", "ada lovelace", "ådå", &"a".repeat(33)] {
            assert!(LoginId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_policy() {
        assert!(Password::new(&login(), "short").is_err());
        assert!(
            Password::new(&login(), "ADA.L-is-me-2026").is_err(),
            "contains the login id"
        );
        assert!(Password::new(&login(), "Password123").is_err(), "common");
        assert!(Password::new(&login(), "1234567890").is_err(), "common");
        assert!(Password::new(&login(), &"x".repeat(129)).is_err());
        assert!(Password::new(&login(), "correct horse battery").is_ok());
        assert_eq!(
            format!(
                "{:?}",
                Password::new(&login(), "correct horse battery").unwrap()
            ),
            "Password(<redacted>)"
        );
    }

    #[test]
    fn hashes_verify_only_the_right_password_and_carry_their_parameters() {
        let random = SeededRandom::new(1);
        let password = Password::new(&login(), "correct horse battery").unwrap();
        let hash = PasswordHash::create(&password, PasswordParams::default(), &random).unwrap();
        assert!(
            hash.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hash.0
        );
        assert!(hash.verify("correct horse battery"));
        assert!(!hash.verify("correct horse batterY"));
        assert!(!hash.0.contains("correct horse"));
        let again = PasswordHash::create(&password, PasswordParams::default(), &random).unwrap();
        assert_ne!(hash, again, "fresh salt each time");
        assert!(!PasswordHash("garbage".into()).verify("anything"));
        let decoy = PasswordHash::decoy(PasswordParams::default(), &random);
        let runs = argon2_runs_on_this_thread();
        assert!(!decoy.verify("correct horse battery"));
        assert_eq!(
            argon2_runs_on_this_thread(),
            runs + 1,
            "a decoy costs one full run"
        );
        assert!(
            decoy.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            decoy.0
        );
        assert_eq!(format!("{hash:?}"), "PasswordHash(<argon2id>)");
    }
}
