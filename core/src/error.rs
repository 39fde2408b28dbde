//! The one error type of ordo, and the small set of kinds every adapter maps it to.
//!
//! Messages are written for the clerk or customer who reads them: they name the field or
//! the rule, never a Rust type. Every error also has a stable snake_case [`Error::code`]
//! that scripts and hosts match on; [`ERROR_CODES`] lists them all (and `docs/errors.md`
//! is generated from it).

use std::fmt;

use crate::money::Currency;
use crate::order::OrderStatus;
pub use crate::refusal::{AuthFailure, Refusal};
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
    /// Every kind, in the order of their status numbers.
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::Internal,
        ErrorKind::BadRequest,
        ErrorKind::Validation,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::Unauthenticated,
        ErrorKind::Forbidden,
    ];

    /// The status number every front shares (C status, CLI exit code; 0 is success):
    /// 1 internal, 2 bad request, 3 validation or rule, 4 not found, 5 conflict,
    /// 6 unauthenticated or forbidden.
    pub fn status(self) -> i32 {
        match self {
            ErrorKind::Internal => 1,
            ErrorKind::BadRequest => 2,
            ErrorKind::Validation => 3,
            ErrorKind::NotFound => 4,
            ErrorKind::Conflict => 5,
            ErrorKind::Unauthenticated | ErrorKind::Forbidden => 6,
        }
    }

    /// The process exit code the `ordo` CLI uses for this kind: its [`ErrorKind::status`].
    pub fn exit_code(self) -> i32 {
        self.status()
    }

    /// The kind's stable snake_case name on the wire.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Validation => "validation",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Internal => "internal",
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
    /// A notification delivery.
    Delivery,
    /// A customer-service ticket.
    Ticket,
    /// A shipment.
    Shipment,
    /// A return.
    Return,
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
            EntityKind::Delivery => "delivery",
            EntityKind::Ticket => "ticket",
            EntityKind::Shipment => "shipment",
            EntityKind::Return => "return",
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
    /// A business rule refused the change; the refusal says which rule.
    #[error("{0}")]
    Refused(Refusal),
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
    Unauthenticated(AuthFailure),
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
    /// An invariant of ordo's own broke (a bug, not a refusal): the message says which.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        Error::Refused(refusal)
    }
}

impl From<AuthFailure> for Error {
    fn from(failure: AuthFailure) -> Self {
        Error::Unauthenticated(failure)
    }
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
            | Error::Refused(_) => ErrorKind::Validation,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Duplicate { .. }
            | Error::IdempotencyMismatch { .. }
            | Error::Conflict
            | Error::RateLimited { .. } => ErrorKind::Conflict,
            Error::Unauthenticated(_) => ErrorKind::Unauthenticated,
            Error::Forbidden { .. } => ErrorKind::Forbidden,
            // A data directory in use by another process: "try again later", not a fault.
            Error::Storage(StoreError::Conflict | StoreError::Locked(_)) => ErrorKind::Conflict,
            Error::Storage(_) | Error::Internal(_) => ErrorKind::Internal,
            Error::InBatch { refusal, .. } => refusal.kind(),
        }
    }

    /// The stable snake_case code of this error (listed in [`ERROR_CODES`]); a batch
    /// refusal has its cause's code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation { .. } => "invalid_value",
            Error::NotFound { .. } => "not_found",
            Error::IllegalTransition { .. } => "illegal_transition",
            Error::InsufficientStock { .. } => "insufficient_stock",
            Error::CurrencyMismatch { .. } => "currency_mismatch",
            Error::Refused(refusal) => refusal.code(),
            Error::Duplicate { .. } => "duplicate",
            Error::IdempotencyMismatch { .. } => "idempotency_key_reused",
            Error::Conflict | Error::Storage(StoreError::Conflict) => "conflict",
            Error::Unauthenticated(failure) => failure.code(),
            Error::Forbidden { .. } => "forbidden",
            Error::Storage(StoreError::Locked(_)) => "store_locked",
            Error::Storage(StoreError::Corrupted { .. }) => "corrupted",
            Error::Storage(StoreError::Io(_)) => "storage_error",
            Error::RateLimited { .. } => "rate_limited",
            Error::InBatch { refusal, .. } => refusal.code(),
            Error::Internal(_) => "internal",
        }
    }

    /// The input field this error is about, if it names one: a `Validation` error's
    /// field, or a refusal's (a payment's `amount`).
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation { field, .. } => Some(field),
            Error::Refused(refusal) => refusal.field(),
            Error::InBatch { refusal, .. } => refusal.field(),
            Error::NotFound { .. }
            | Error::IllegalTransition { .. }
            | Error::InsufficientStock { .. }
            | Error::CurrencyMismatch { .. }
            | Error::Duplicate { .. }
            | Error::IdempotencyMismatch { .. }
            | Error::Conflict
            | Error::Unauthenticated(_)
            | Error::Forbidden { .. }
            | Error::Storage(_)
            | Error::RateLimited { .. }
            | Error::Internal(_) => None,
        }
    }

    /// This error, said of one `order` of a batch. Storage errors stay as they are, so the
    /// engine still retries a batch that lost a race; so do internal errors.
    pub fn in_batch(self, order: impl fmt::Display) -> Self {
        match self {
            Error::Storage(_) | Error::Conflict | Error::InBatch { .. } | Error::Internal(_) => {
                self
            }
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

/// Every code an [`Error`] can have, with its kind and what it means: the public list
/// scripts and hosts match on (`docs/errors.md` is generated from it). A code is never
/// renamed or reused; new ones are added.
pub const ERROR_CODES: &[(&str, ErrorKind, &str)] = &[
    // Input and lookups.
    (
        "invalid_value",
        ErrorKind::Validation,
        "an input is invalid; the error's field names it",
    ),
    (
        "not_found",
        ErrorKind::NotFound,
        "the record does not exist, or the caller may not see it",
    ),
    // Rules with their own variant.
    (
        "illegal_transition",
        ErrorKind::Validation,
        "the order lifecycle does not allow this status change",
    ),
    (
        "insufficient_stock",
        ErrorKind::Validation,
        "not enough available stock, and the product does not allow backorders",
    ),
    (
        "currency_mismatch",
        ErrorKind::Validation,
        "an amount is in another currency than the order's",
    ),
    // Conflicts.
    (
        "duplicate",
        ErrorKind::Conflict,
        "a unique value (SKU, phone, email, login id) is taken",
    ),
    (
        "idempotency_key_reused",
        ErrorKind::Conflict,
        "the idempotency key was used for a different request",
    ),
    (
        "conflict",
        ErrorKind::Conflict,
        "the record changed concurrently, even after retrying; try again",
    ),
    (
        "rate_limited",
        ErrorKind::Conflict,
        "too many requests; try again after the wait it names",
    ),
    (
        "store_locked",
        ErrorKind::Conflict,
        "the data directory is in use by another process",
    ),
    // Who is calling.
    (
        "wrong_login",
        ErrorKind::Unauthenticated,
        "the login id or password is incorrect (or the account may not sign in)",
    ),
    (
        "locked_out",
        ErrorKind::Unauthenticated,
        "too many failed attempts on this login id; try again after the time it names",
    ),
    (
        "session_ended",
        ErrorKind::Unauthenticated,
        "the session is unknown, expired, revoked or older than a password change",
    ),
    (
        "invalid_token",
        ErrorKind::Unauthenticated,
        "the session token is malformed",
    ),
    (
        "missing_token",
        ErrorKind::Unauthenticated,
        "no session token was given where one is needed",
    ),
    (
        "wrong_current_password",
        ErrorKind::Unauthenticated,
        "the current password given to change it is wrong",
    ),
    (
        "forbidden",
        ErrorKind::Forbidden,
        "the caller's role may not do this",
    ),
    // Orders.
    (
        "order_archived",
        ErrorKind::Validation,
        "the order is archived; restore it first",
    ),
    (
        "order_not_archived",
        ErrorKind::Validation,
        "restoring an order that is not archived",
    ),
    (
        "order_not_archivable",
        ErrorKind::Validation,
        "the order holds stock or is on its way; cancel it or wait for delivery",
    ),
    (
        "items_locked",
        ErrorKind::Validation,
        "items and discounts are fixed in the order's status",
    ),
    (
        "address_locked",
        ErrorKind::Validation,
        "the shipping address is fixed in the order's status",
    ),
    (
        "product_not_for_sale",
        ErrorKind::Validation,
        "the product is inactive",
    ),
    (
        "last_item",
        ErrorKind::Validation,
        "a placed order keeps at least one item; cancel it instead",
    ),
    (
        "order_empty",
        ErrorKind::Validation,
        "an order needs at least one item to be placed",
    ),
    (
        "backordered",
        ErrorKind::Validation,
        "picking cannot start while units are backordered",
    ),
    (
        "cancel_with_reason",
        ErrorKind::Validation,
        "orders are cancelled with the cancel command, which records a reason",
    ),
    (
        "batch_target_not_allowed",
        ErrorKind::Validation,
        "a batch moves orders forward from placed, not to this status",
    ),
    // Payments and stock.
    (
        "payments_not_accepted",
        ErrorKind::Validation,
        "the order's status does not take payments",
    ),
    (
        "payment_exceeds_balance",
        ErrorKind::Validation,
        "the payment is larger than the balance due",
    ),
    (
        "refund_exceeds_paid",
        ErrorKind::Validation,
        "the refund is larger than what was paid and not refunded",
    ),
    (
        "adjustment_below_reserved",
        ErrorKind::Validation,
        "the adjustment would leave fewer units on hand than are reserved",
    ),
    // Customers and their accounts.
    (
        "customer_cannot_order",
        ErrorKind::Validation,
        "only active (verified, approved) customers order",
    ),
    (
        "not_pending_registration",
        ErrorKind::Validation,
        "the customer is not a pending registration",
    ),
    (
        "not_awaiting_code",
        ErrorKind::Validation,
        "the customer is not waiting for a verification code",
    ),
    (
        "not_awaiting_approval",
        ErrorKind::Validation,
        "the customer is not waiting for approval",
    ),
    (
        "not_rejectable",
        ErrorKind::Validation,
        "only pending registrations can be rejected",
    ),
    (
        "account_not_active",
        ErrorKind::Validation,
        "contact details change only on an active account",
    ),
    (
        "account_not_verified",
        ErrorKind::Validation,
        "credentials are set only on a verified account",
    ),
    (
        "no_contact_change_pending",
        ErrorKind::Validation,
        "no contact change is waiting for a code",
    ),
    (
        "wrong_code",
        ErrorKind::Validation,
        "the verification code is not correct; the message says how many attempts are left",
    ),
    (
        "code_expired",
        ErrorKind::Validation,
        "the verification code has expired; ask for a new one",
    ),
    (
        "too_many_code_attempts",
        ErrorKind::Validation,
        "too many wrong codes; the registration is locked until it expires",
    ),
    (
        "code_superseded",
        ErrorKind::Validation,
        "a newer code was sent; enter the newest one",
    ),
    (
        "resend_too_soon",
        ErrorKind::Validation,
        "a new code can be sent only after the wait it names",
    ),
    (
        "resend_limit_reached",
        ErrorKind::Validation,
        "no more codes can be sent for this registration",
    ),
    (
        "contact_code_too_soon",
        ErrorKind::Validation,
        "a contact-change code was sent less than a minute ago",
    ),
    (
        "no_password",
        ErrorKind::Validation,
        "the caller has no password of their own to change",
    ),
    (
        "credentials_changed",
        ErrorKind::Validation,
        "the login or password changed meanwhile; try again",
    ),
    (
        "admin_already_exists",
        ErrorKind::Validation,
        "the first administrator exists; sign in as them to add users",
    ),
    (
        "last_active_admin",
        ErrorKind::Validation,
        "the last active administrator cannot be disabled or re-roled",
    ),
    // Files (backup, restore, verify).
    (
        "file_exists",
        ErrorKind::Validation,
        "the file exists; overwrite it only with --force",
    ),
    (
        "undecodable_records",
        ErrorKind::Validation,
        "an undamaged backup holds records that do not decode",
    ),
    (
        "data_directory_not_empty",
        ErrorKind::Validation,
        "the data directory holds a store; replace it only with --force",
    ),
    (
        "not_a_data_directory",
        ErrorKind::Validation,
        "the directory is not an ordo data directory and is never replaced",
    ),
    (
        "delivery_not_held",
        ErrorKind::Validation,
        "a dispatcher reported on a delivery another dispatcher has taken over",
    ),
    (
        "delivery_not_retryable",
        ErrorKind::Validation,
        "only failed or dead deliveries can be retried",
    ),
    // Tickets.
    (
        "illegal_ticket_transition",
        ErrorKind::Validation,
        "the ticket lifecycle does not allow this status change (closed is final)",
    ),
    (
        "ticket_closed",
        ErrorKind::Validation,
        "a closed ticket takes no comments and no assignee; open a new ticket",
    ),
    (
        "capture_exceeds_authorized",
        ErrorKind::Validation,
        "a capture larger than what is authorized and neither captured nor voided",
    ),
    (
        "nothing_to_void",
        ErrorKind::Validation,
        "a void when no authorized money is left uncaptured",
    ),
    (
        "shipment_required",
        ErrorKind::Validation,
        "an order becomes partially shipped only by shipping some of its units as a shipment",
    ),
    (
        "not_shippable",
        ErrorKind::Validation,
        "the order ships only once packed, until every unit has shipped",
    ),
    (
        "nothing_to_ship",
        ErrorKind::Validation,
        "a shipment needs at least one unit",
    ),
    (
        "ships_more_than_left",
        ErrorKind::Validation,
        "a shipment names more units of a line than it has left to ship",
    ),
    (
        "not_partially_shipped",
        ErrorKind::Validation,
        "only a partially shipped order has an unshipped rest to cancel",
    ),
    (
        "tracking_number_in_use",
        ErrorKind::Validation,
        "another shipment of the same carrier has this tracking number",
    ),
    (
        "not_invoiceable",
        ErrorKind::Validation,
        "an invoice is issued only for a placed order that is not cancelled",
    ),
    (
        "not_returnable",
        ErrorKind::Validation,
        "an order takes returns once some of its units are shipped and delivered",
    ),
    (
        "returns_more_than_delivered",
        ErrorKind::Validation,
        "a return names more units of a line than were delivered and not already returned",
    ),
    (
        "illegal_return_transition",
        ErrorKind::Validation,
        "the return lifecycle does not allow this status change",
    ),
    (
        "refund_exceeds_return",
        ErrorKind::Validation,
        "a return's refund is at most what was paid for its units",
    ),
    (
        "exchange_exceeds_return",
        ErrorKind::Validation,
        "a replacement is worth at most what was paid for the returned units",
    ),
    // Faults.
    (
        "corrupted",
        ErrorKind::Internal,
        "stored bytes do not decode; the message names the record",
    ),
    (
        "storage_error",
        ErrorKind::Internal,
        "the storage backend failed (I/O)",
    ),
    (
        "internal",
        ErrorKind::Internal,
        "an invariant of ordo's own broke (a bug); the message says which",
    ),
];

/// The code table as markdown (`docs/errors.md` holds it; a test keeps them equal).
pub fn codes_markdown() -> String {
    let mut out = String::from("| code | kind | status | meaning |\n|---|---|:---:|---|\n");
    for (code, kind, meaning) in ERROR_CODES {
        out.push_str(&format!(
            "| `{code}` | {} | {} | {meaning} |\n",
            kind.code(),
            kind.status()
        ));
    }
    out
}

/// Result alias for engine operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::money::Money;
    use crate::refusal::samples::{next_auth_failure, next_refusal};

    /// The error after `previous` (the first for `None`): one of every variant, every
    /// refusal, every authentication failure and every storage error, then `None`. The
    /// matches have no `_` arm, so a new variant does not compile until it is placed here,
    /// and then the code-table test checks its code.
    fn next_error(previous: Option<&Error>) -> Option<Error> {
        let Some(previous) = previous else {
            return Some(Error::invalid("quantity", "must be at least 1"));
        };
        Some(match previous {
            Error::Validation { .. } => Error::not_found(EntityKind::Order, 7),
            Error::NotFound { .. } => Error::IllegalTransition {
                from: OrderStatus::Delivered,
                to: OrderStatus::Placed,
                allowed: vec![],
            },
            Error::IllegalTransition { .. } => Error::InsufficientStock {
                sku: "TEE".into(),
                requested: 3,
                available: 1,
            },
            Error::InsufficientStock { .. } => Error::CurrencyMismatch {
                expected: Currency::EUR,
                found: Currency::USD,
            },
            Error::CurrencyMismatch { .. } => Error::Refused(next_refusal(None)?),
            Error::Refused(refusal) => match next_refusal(Some(refusal)) {
                Some(next) => Error::Refused(next),
                None => Error::Duplicate {
                    entity: EntityKind::Product,
                    field: "sku",
                    value: "TEE".into(),
                },
            },
            Error::Duplicate { .. } => Error::IdempotencyMismatch { key: "k1".into() },
            Error::IdempotencyMismatch { .. } => Error::Conflict,
            Error::Conflict => Error::Unauthenticated(next_auth_failure(None)?),
            Error::Unauthenticated(failure) => match next_auth_failure(Some(failure)) {
                Some(next) => Error::Unauthenticated(next),
                None => Error::Forbidden {
                    role: "analyst".into(),
                    operation: "create or edit orders".into(),
                },
            },
            Error::Forbidden { .. } => Error::Storage(StoreError::Conflict),
            Error::Storage(store) => match store {
                StoreError::Conflict => Error::Storage(StoreError::Corrupted {
                    key: "order/7".into(),
                    reason: "truncated".into(),
                }),
                StoreError::Corrupted { .. } => {
                    Error::Storage(StoreError::Locked("in use by pid 42".into()))
                }
                StoreError::Locked(_) => Error::Storage(StoreError::Io("disk full".into())),
                StoreError::Io(_) => Error::RateLimited {
                    retry_after_ms: 1500,
                },
            },
            Error::RateLimited { .. } => Error::Refused(Refusal::OrderArchived).in_batch("ORD-1"),
            Error::InBatch { .. } => Error::Internal("stock record vanished".into()),
            Error::Internal(_) => return None,
        })
    }

    fn samples() -> Vec<Error> {
        std::iter::successors(next_error(None), |e| next_error(Some(e))).collect()
    }

    #[test]
    fn every_error_has_a_listed_code_of_its_own_kind() {
        let table: BTreeMap<&str, ErrorKind> =
            ERROR_CODES.iter().map(|(c, k, _)| (*c, *k)).collect();
        assert_eq!(table.len(), ERROR_CODES.len(), "a code is listed twice");
        let samples = samples();
        // 15 variants, Refused, Unauthenticated and Storage once per inner variant.
        assert_eq!(samples.len(), 12 + 56 + 6 + 4);
        let mut seen = BTreeSet::new();
        for error in &samples {
            let code = error.code();
            assert_eq!(
                table.get(code),
                Some(&error.kind()),
                "{error:?}: code {code} is not listed with kind {:?} in ERROR_CODES",
                error.kind()
            );
            seen.insert(code);
        }
        let listed: BTreeSet<&str> = table.keys().copied().collect();
        assert_eq!(
            listed.difference(&seen).collect::<Vec<_>>(),
            Vec::<&&str>::new(),
            "listed codes no error has"
        );
    }

    #[test]
    fn codes_are_snake_case_and_meanings_one_line() {
        for (code, _, meaning) in ERROR_CODES {
            let snake = !code.is_empty()
                && code.starts_with(|c: char| c.is_ascii_lowercase())
                && !code.ends_with('_')
                && !code.contains("__")
                && code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            assert!(snake, "{code} is not snake_case");
            assert!(
                !meaning.is_empty() && !meaning.contains(['\n', '|']),
                "{code}: {meaning:?}"
            );
        }
        let kinds: BTreeSet<&str> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(kinds.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn the_documented_codes_are_the_code_table() {
        crate::testkit::docs::assert_page_holds("docs/errors.md", &codes_markdown());
    }

    #[test]
    fn kinds_map_to_the_documented_status_numbers() {
        let statuses: Vec<(&str, i32)> = ErrorKind::ALL
            .iter()
            .map(|k| (k.code(), k.status()))
            .collect();
        assert_eq!(
            statuses,
            [
                ("internal", 1),
                ("bad_request", 2),
                ("validation", 3),
                ("not_found", 4),
                ("conflict", 5),
                ("unauthenticated", 6),
                ("forbidden", 6),
            ]
        );
        for kind in ErrorKind::ALL {
            assert_eq!(kind.exit_code(), kind.status());
        }
    }

    #[test]
    fn kinds_map_to_the_documented_exit_codes() {
        assert_eq!(
            Error::invalid("quantity", "must be at least 1")
                .kind()
                .exit_code(),
            3
        );
        assert_eq!(Error::from(Refusal::OrderArchived).kind().exit_code(), 3);
        assert_eq!(Error::not_found(EntityKind::Order, 7).kind().exit_code(), 4);
        assert_eq!(Error::Conflict.kind().exit_code(), 5);
        assert_eq!(
            Error::Storage(StoreError::Locked("in use".into()))
                .kind()
                .exit_code(),
            5
        );
        assert_eq!(Error::from(AuthFailure::SessionEnded).kind().exit_code(), 6);
        assert_eq!(
            Error::Storage(StoreError::Io("disk".into()))
                .kind()
                .exit_code(),
            1
        );
        assert_eq!(Error::Internal("bug".into()).kind().exit_code(), 1);
        assert_eq!(ErrorKind::BadRequest.exit_code(), 2);
    }

    #[test]
    fn a_batch_refusal_has_its_causes_code_kind_and_field() {
        let payment = Refusal::PaymentExceedsBalance {
            amount: Money::new(rust_decimal::Decimal::new(2000, 2), Currency::EUR).unwrap(),
            due: Money::new(rust_decimal::Decimal::new(1500, 2), Currency::EUR).unwrap(),
        };
        let error = Error::from(payment).in_batch("ORD-1");
        assert!(matches!(error, Error::InBatch { .. }));
        assert_eq!(error.code(), "payment_exceeds_balance");
        assert_eq!(error.kind(), ErrorKind::Validation);
        assert_eq!(error.field(), Some("amount"));
        let internal = Error::Internal("bug".into()).in_batch("ORD-1");
        assert_eq!(internal.code(), "internal");
        assert!(matches!(internal, Error::Internal(_)));
    }

    #[test]
    fn fields_come_from_validation_and_refusals() {
        assert_eq!(
            Error::invalid("quantity for SKU TEE", "must be at least 1").field(),
            Some("quantity for SKU TEE")
        );
        assert_eq!(
            Error::from(Refusal::WrongCode { attempts_left: 2 }).field(),
            Some("verification code")
        );
        assert_eq!(Error::from(Refusal::OrderArchived).field(), None);
        assert_eq!(Error::Conflict.field(), None);
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
        assert_eq!(
            Error::from(Refusal::OrderArchived).to_string(),
            "order is archived; restore it first"
        );
        assert_eq!(
            Error::from(AuthFailure::WrongLogin).to_string(),
            "not signed in: login id or password is incorrect"
        );
    }
}
