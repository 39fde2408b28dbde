//! Secrets in serialized output.
//!
//! Records are kept at rest through a binary serializer (the storage codec), which must see
//! every field, hashes and nonces included. Every human-readable serialization of a public
//! type (JSON for a wire format, a log, a page) must not: fields marked
//! `#[serde(serialize_with = "crate::secret::redacted")]` serialize as `"<redacted>"` when
//! the serializer is human-readable. Wire views (the `ordo-api` DTOs) leave these fields out
//! altogether; this is the safety net for a value serialized by mistake.

use serde::{Serialize, Serializer};

/// What a secret field serializes to in a human-readable format.
pub const REDACTED: &str = "<redacted>";

/// Serializes `value` for binary formats, [`REDACTED`] for human-readable ones.
///
/// # Errors
/// Whatever the serializer returns.
pub fn redacted<T: Serialize, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    if serializer.is_human_readable() {
        serializer.serialize_str(REDACTED)
    } else {
        value.serialize(serializer)
    }
}
