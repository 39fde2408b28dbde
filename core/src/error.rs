//! The one error type of ordo, and the small set of kinds every adapter maps it to.
//!
//! Messages are written for the clerk or customer who reads them: they name the field or
//! the rule, never a Rust type.

use std::fmt;

use crate::money::Currency;
use crate::order::OrderStatus;
use crate::store::StoreError;

/// The kind of an [`Error`]: what adapters turn into exit codes, C status codes and HTTP statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The request itself is malformed (usage error).
    BadRequest,
    /// An input failed validation or a business rule refused the change.
    Validation,
    /// The thing asked for does not exist (or is not visible to the actor).
    NotFound,
    /// A concurrent change, a duplicate, an idempotency-key mismatch, or a data directory
    /// in use by another process.
    Conflict,
    /// The actor is not who they claim to be.
    Unauthenticated,
    /// The actor may not do this.
    Forbidden,
    /// Something broke inside ordo or its storage.
    Internal,
}

impl ErrorKind {
    /// The process exit code the `ordo` CLI uses for this kind (see DESIGN.md).
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Internal => 1,
            ErrorKind::BadRequest => 2,
            ErrorKind::Validation => 3,
            ErrorKind::NotFound => 4,
            ErrorKind::Conflict => 5,
            ErrorKind::Unauthenticated | ErrorKind::Forbidden => 6,
        }
    }
}

/// The kinds of entity an error can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum EntityKind {
    /// A catalog product.
    Product,
    /// A customer.
    Customer,
    /// An order.
    Order,
    /// A stock record.
    Stock,
    /// A warehouse.
    Warehouse,
    /// An order line.
    OrderLine,
    /// A staff user.
    User,
    /// A logged message.
    Message,
    /// A pending registration (reached by its handle).
    Registration,
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntityKind::Product => "product",
            EntityKind::Customer => "customer",
            EntityKind::Order => "order",
            EntityKind::Stock => "stock record",
            EntityKind::Warehouse => "warehouse",
            EntityKind::OrderLine => "order line",
            EntityKind::User => "staff user",
            EntityKind::Message => "message",
            EntityKind::Registration => "registration",
        })
    }
}

/// Every error the engine returns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input is invalid: `field` names it, `reason` says what is wrong.
    #[error("{field} {reason}")]
    Validation {
        /// The field, in words a clerk knows (e.g. `quantity for SKU TEE-RED-M`).
        field: String,
        /// What is wrong with it (e.g. `must be at least 1`).
        reason: String,
    },
    /// A named entity does not exist.
    #[error("{entity} {key} was not found")]
    NotFound {
        /// What kind of thing was asked for.
        entity: EntityKind,
        /// The id, reference or code that was asked for.
        key: String,
    },
    /// An order status change that the lifecycle does not allow.
    #[error(
        "cannot move order from {from} to {to}; allowed next: {}",
        list_states(allowed)
    )]
    IllegalTransition {
        /// The order's current status.
        from: OrderStatus,
        /// The status that was asked for.
        to: OrderStatus,
        /// The statuses reachable from `from`.
        allowed: Vec<OrderStatus>,
    },
    /// Not enough available stock and the product does not allow backorders.
    #[error("not enough stock for {sku}: requested {requested}, available {available}")]
    InsufficientStock {
        /// The product's SKU.
        sku: String,
        /// Units asked for.
        requested: u64,
        /// Units available across warehouses (on hand minus reserved).
        available: u64,
    },
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: expected {expected}, got {found}")]
    CurrencyMismatch {
        /// The currency already in use.
        expected: Currency,
        /// The currency that was offered.
        found: Currency,
    },
    /// A business rule refused the change; the message says which rule.
    #[error("{0}")]
    Rule(String),
    /// The thing being created already exists (unique SKU, phone, email, …).
    #[error("{entity} with {field} {value} already exists")]
    Duplicate {
        /// What kind of thing.
        entity: EntityKind,
        /// The unique field.
        field: &'static str,
        /// The value that is taken.
        value: String,
    },
    /// An idempotency key was reused with different content.
    #[error("idempotency key {key} was already used for a different request")]
    IdempotencyMismatch {
        /// The reused key.
        key: String,
    },
    /// The change lost a race against concurrent changes, even after retrying.
    #[error("the record changed while you were editing it; try again")]
    Conflict,
    /// The actor could not be authenticated.
    #[error("not signed in: {0}")]
    Unauthenticated(String),
    /// The actor's role does not permit the operation.
    #[error("{role} may not {operation}")]
    Forbidden {
        /// The actor's role.
        role: String,
        /// The operation, in words.
        operation: String,
    },
    /// Storage failed or returned bytes that do not decode.
    #[error("storage error: {0}")]
    Storage(#[from] StoreError),
    /// A caller went over a rate limit; the request may be repeated later.
    #[error("too many requests; try again in {} seconds", (retry_after_ms + 999) / 1000)]
    RateLimited {
        /// How long to wait, in milliseconds.
        retry_after_ms: i64,
    },
    /// One order of a batch command was refused, so no order of the batch changed.
    #[error("order {order}: {refusal}")]
    InBatch {
        /// The order's reference (or id, before it has one).
        order: String,
        /// Why it was refused (part of this error's message, not a separate cause, so
        /// adapters printing an error chain say it once).
        refusal: Box<Error>,
    },
}

fn list_states(states: &[OrderStatus]) -> String {
    if states.is_empty() {
        return "none (final state)".to_string();
    }
    states
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Error {
    /// The kind adapters map this error to.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Validation { .. }
            | Error::IllegalTransition { .. }
            | Error::InsufficientStock { .. }
            | Error::CurrencyMismatch { .. }
            | Error::Rule(_) => ErrorKind::Validation,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Duplicate { .. }
            | Error::IdempotencyMismatch { .. }
            | Error::Conflict
            | Error::RateLimited { .. } => ErrorKind::Conflict,
            Error::Unauthenticated(_) => ErrorKind::Unauthenticated,
            Error::Forbidden { .. } => ErrorKind::Forbidden,
            // A data directory in use by another process: "try again later", not a fault.
            Error::Storage(StoreError::Conflict | StoreError::Locked(_)) => ErrorKind::Conflict,
            Error::Storage(_) => ErrorKind::Internal,
            Error::InBatch { refusal, .. } => refusal.kind(),
        }
    }

    /// This error, said of one `order` of a batch. Storage errors stay as they are, so the
    /// engine still retries a batch that lost a race.
    pub fn in_batch(self, order: impl fmt::Display) -> Self {
        match self {
            Error::Storage(_) | Error::Conflict | Error::InBatch { .. } => self,
            other => Error::InBatch {
                order: order.to_string(),
                refusal: Box::new(other),
            },
        }
    }

    /// This error said of a part of something larger: a `Validation` error's field gets
    /// `whole` in front (`total` → `line 2 (SKU X) total`); other errors stay as they are.
    pub fn within(self, whole: impl fmt::Display) -> Self {
        match self {
            Error::Validation { field, reason } => Error::Validation {
                field: format!("{whole} {field}"),
                reason,
            },
            other => other,
        }
    }

    /// This error with its `Validation` field renamed to `field` (a step that only knows
    /// "amount" is said of what the amount is); other errors stay as they are.
    pub fn for_field(self, field: impl Into<String>) -> Self {
        match self {
            Error::Validation { reason, .. } => Error::Validation {
                field: field.into(),
                reason,
            },
            other => other,
        }
    }

    /// Shorthand for a validation error.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for a not-found error.
    pub fn not_found(entity: EntityKind, key: impl fmt::Display) -> Self {
        Error::NotFound {
            entity,
            key: key.to_string(),
        }
    }
}

/// Result alias for engine operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_the_documented_exit_codes() {
        assert_eq!(
            Error::invalid("quantity", "must be at least 1")
                .kind()
                .exit_code(),
            3
        );
        assert_eq!(Error::not_found(EntityKind::Order, 7).kind().exit_code(), 4);
        assert_eq!(Error::Conflict.kind().exit_code(), 5);
        assert_eq!(
            Error::Storage(StoreError::Locked("in use".into()))
                .kind()
                .exit_code(),
            5
        );
        assert_eq!(Error::Unauthenticated("x".into()).kind().exit_code(), 6);
        assert_eq!(
            Error::Storage(StoreError::Io("disk".into()))
                .kind()
                .exit_code(),
            1
        );
        assert_eq!(ErrorKind::BadRequest.exit_code(), 2);
    }

    #[test]
    fn messages_read_like_sentences() {
        let e = Error::invalid("quantity for SKU TEE-RED-M", "must be at least 1");
        assert_eq!(
            e.to_string(),
            "quantity for SKU TEE-RED-M must be at least 1"
        );
        let e = Error::IllegalTransition {
            from: OrderStatus::Delivered,
            to: OrderStatus::Placed,
            allowed: vec![],
        };
        assert_eq!(
            e.to_string(),
            "cannot move order from delivered to placed; allowed next: none (final state)"
        );
    }
}
