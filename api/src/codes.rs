//! The stable code and field of an engine error, as the wire reports them.

use ordo_core::error::Error;
use ordo_core::store::StoreError;

/// The stable snake_case code of `error`.
pub fn code(error: &Error) -> &'static str {
    match error {
        Error::Validation { .. } => "invalid_value",
        Error::NotFound { .. } => "not_found",
        Error::IllegalTransition { .. } => "illegal_transition",
        Error::InsufficientStock { .. } => "insufficient_stock",
        Error::CurrencyMismatch { .. } => "currency_mismatch",
        Error::Duplicate { .. } => "duplicate",
        Error::IdempotencyMismatch { .. } => "idempotency_key_reused",
        Error::Conflict => "conflict",
        Error::Unauthenticated(_) => "unauthenticated",
        Error::Forbidden { .. } => "forbidden",
        Error::RateLimited { .. } => "rate_limited",
        Error::Storage(StoreError::Locked(_)) => "store_locked",
        Error::Storage(StoreError::Corrupted { .. }) => "corrupted",
        Error::Storage(StoreError::Conflict) => "conflict",
        Error::Storage(_) => "storage_error",
        Error::InBatch { refusal, .. } => code(refusal),
        _ => "rule",
    }
}

/// The input field `error` is about, if any.
pub fn field(error: &Error) -> Option<&str> {
    match error {
        Error::Validation { field, .. } => Some(field),
        Error::InBatch { refusal, .. } => field(refusal),
        _ => None,
    }
}
