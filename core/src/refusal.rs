//! Why ordo said no: one typed variant per business rule it enforces ([`Refusal`]) and per
//! way a caller fails to prove who they are ([`AuthFailure`]), each with a stable
//! snake_case code that scripts and hosts match on (listed in [`crate::error::ERROR_CODES`]
//! and `docs/errors.md`).
//!
//! Each variant carries the data its message needs, so adapters can say more than the
//! message does (a wait in seconds, the amount due) without parsing text. Messages are
//! written for the clerk or customer who reads them.

use crate::clock::Timestamp;
use crate::customer::CustomerStatus;
use crate::ids::CustomerId;
use crate::inventory::WarehouseCode;
use crate::money::Money;
use crate::order::OrderStatus;

/// A business rule refused the change (kind [`crate::ErrorKind::Validation`], status 3).
///
/// Codes are the public contract: a variant may be added, but a code is never renamed or
/// reused for another rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The order is archived: nothing about it changes until it is restored.
    #[error("order is archived; restore it first")]
    OrderArchived,
    /// Restoring an order that is not archived.
    #[error("order is not archived")]
    OrderNotArchived,
    /// Archiving an order that still holds stock or is on its way.
    #[error("a {status} order cannot be archived; cancel it first or wait until it is delivered")]
    OrderNotArchivable {
        /// The order's status.
        status: OrderStatus,
    },
    /// The order's items (and discounts) are fixed in this status.
    #[error("items cannot be changed once an order is {status}")]
    ItemsLocked {
        /// The order's status.
        status: OrderStatus,
    },
    /// The shipping address is fixed in this status.
    #[error("the address cannot be changed once an order is {status}")]
    AddressLocked {
        /// The order's status.
        status: OrderStatus,
    },
    /// The product is inactive.
    #[error("{sku} is not available for sale")]
    ProductNotForSale {
        /// The product's SKU.
        sku: String,
    },
    /// A placed order keeps at least one item; cancelling is the way to empty it.
    #[error("cannot remove the last item of a placed order; cancel the order instead")]
    LastItem,
    /// Placing an order without items.
    #[error("an order needs at least one item to be placed")]
    OrderEmpty,
    /// Picking cannot start while units are still backordered.
    #[error("cannot start picking: backordered {}", list_backorders(lines))]
    Backordered {
        /// Each backordered line: its SKU and the units still missing.
        lines: Vec<(String, u32)>,
    },
    /// A status change to `cancelled`: cancelling is its own command, with a reason.
    #[error("orders are cancelled with the cancel command, which records a reason")]
    CancelWithReason,
    /// A batch status change to a status batches do not reach.
    #[error("a batch moves orders forward from placed; orders become {to} one at a time")]
    BatchTargetNotAllowed {
        /// The status asked for.
        to: OrderStatus,
    },
    /// The order's status does not take payments.
    #[error("a {status} order cannot take payments")]
    PaymentsNotAccepted {
        /// The order's status.
        status: OrderStatus,
    },
    /// A payment larger than what is still owed.
    #[error("payment of {amount} exceeds the balance due of {due}")]
    PaymentExceedsBalance {
        /// The payment offered.
        amount: Money,
        /// The balance due.
        due: Money,
    },
    /// A refund larger than what was paid and not yet refunded.
    #[error("refund of {amount} exceeds the {refundable} paid and not yet refunded")]
    RefundExceedsPaid {
        /// The refund asked for.
        amount: Money,
        /// What can still be refunded.
        refundable: Money,
    },
    /// A stock adjustment would leave fewer units on hand than are reserved.
    #[error(
        "cannot adjust {warehouse} by {delta}: {on_hand} on hand, {reserved} reserved for open orders"
    )]
    AdjustmentBelowReserved {
        /// The warehouse.
        warehouse: WarehouseCode,
        /// The change asked for.
        delta: i64,
        /// Units on hand there.
        on_hand: u64,
        /// Units reserved there.
        reserved: u64,
    },
    /// Only active customers order.
    #[error("customer {customer} cannot place orders: account is {status}")]
    CustomerCannotOrder {
        /// The customer.
        customer: CustomerId,
        /// Their account's status.
        status: CustomerStatus,
    },
    /// Only a pending registration can lapse.
    #[error("customer {customer} is {status}, not a pending registration")]
    NotPendingRegistration {
        /// The customer.
        customer: CustomerId,
        /// Their account's status.
        status: CustomerStatus,
    },
    /// A code for an account that is not waiting for one.
    #[error("customer {customer} is {status}, not waiting for a code")]
    NotAwaitingCode {
        /// The customer.
        customer: CustomerId,
        /// Their account's status.
        status: CustomerStatus,
    },
    /// Approving an account that is not waiting for approval.
    #[error("customer {customer} is {status}, not waiting for approval")]
    NotAwaitingApproval {
        /// The customer.
        customer: CustomerId,
        /// Their account's status.
        status: CustomerStatus,
    },
    /// Rejecting an account that is not a pending registration.
    #[error("customer {customer} is {status}; only pending registrations can be rejected")]
    NotRejectable {
        /// The customer.
        customer: CustomerId,
        /// Their account's status.
        status: CustomerStatus,
    },
    /// Contact details change only on an active account.
    #[error("customer {customer} is {status}; contact details change once the account is active")]
    AccountNotActive {
        /// The customer.
        customer: CustomerId,
        /// Their account's status.
        status: CustomerStatus,
    },
    /// Staff set credentials only on a verified account.
    #[error("customer {customer} is {status}; verify the registration first")]
    AccountNotVerified {
        /// The customer.
        customer: CustomerId,
        /// Their account's status.
        status: CustomerStatus,
    },
    /// A contact-change code when no change is pending.
    #[error("no contact change is waiting for a code")]
    NoContactChangePending,
    /// A verification code that does not match.
    #[error("verification code is not correct ({attempts_left} attempts left)")]
    WrongCode {
        /// Wrong codes still allowed before the registration locks.
        attempts_left: u32,
    },
    /// The verification code is past its validity.
    #[error("the verification code has expired; ask for a new one")]
    CodeExpired,
    /// Too many wrong codes: the registration is locked until it lapses.
    #[error("too many wrong codes; this registration is locked until it expires")]
    TooManyCodeAttempts,
    /// A newer code was sent while this one was being checked.
    #[error("a new code was sent meanwhile; enter the newest code")]
    CodeSuperseded,
    /// A new code was asked for before the cooldown passed.
    #[error("a new code can be sent in {wait_seconds} seconds")]
    ResendTooSoon {
        /// Seconds until a new code can be sent (rounded up).
        wait_seconds: i64,
    },
    /// Every allowed code of this registration was sent.
    #[error("no more codes can be sent for this registration; register again after it expires")]
    ResendLimitReached,
    /// A second contact change within the cooldown.
    #[error("a code for a contact change was sent less than a minute ago")]
    ContactCodeTooSoon,
    /// The actor has no password of their own (the local administrator, the system).
    #[error("this actor has no password to change")]
    NoPassword,
    /// The credentials the current password was checked against were replaced meanwhile.
    #[error("the account's login or password changed meanwhile; try again")]
    CredentialsChanged,
    /// The first administrator was already created.
    #[error("an administrator already exists; log in as them to add users")]
    AdminAlreadyExists,
    /// Disabling or re-roling the last active administrator.
    #[error("this is the last active administrator")]
    LastActiveAdmin,
    /// A file would be overwritten without `--force` (decided by the binaries).
    #[error("{path} already exists; add --force to overwrite it")]
    FileExists {
        /// The file.
        path: String,
    },
    /// An undamaged backup file holds records that do not decode.
    #[error("{file} is undamaged, but {summary}")]
    UndecodableRecords {
        /// The backup file.
        file: String,
        /// How many records, and which (`2 records do not decode: k1, k2`).
        summary: String,
    },
    /// Restoring into a data directory that holds a store, without `--force`.
    #[error(
        "the data directory {path} already holds data; restore into an empty directory or add --force to replace it"
    )]
    DataDirectoryNotEmpty {
        /// The data directory.
        path: String,
    },
    /// Restoring into a directory that is not an ordo data directory (never replaced).
    #[error(
        "{path} is not an ordo data directory ({why}); restore never replaces it, even with --force: restore into a new or empty directory"
    )]
    NotADataDirectory {
        /// The directory.
        path: String,
        /// What makes it foreign.
        why: String,
    },
    /// A dispatcher reported on a delivery it no longer holds (its lease lapsed and another
    /// dispatcher took it over, or it is no longer being sent).
    #[error("this dispatcher no longer holds delivery {delivery}")]
    DeliveryNotHeld {
        /// The delivery.
        delivery: u64,
    },
    /// Retrying a delivery that has not failed.
    #[error("delivery {delivery} is {status}; only failed or dead deliveries can be retried")]
    DeliveryNotRetryable {
        /// The delivery.
        delivery: u64,
        /// Its status.
        status: crate::delivery::DeliveryStatus,
    },
    /// A ticket status change its lifecycle does not allow.
    #[error("a {from} ticket cannot become {to} ({})", list_ticket_states(allowed))]
    IllegalTicketTransition {
        /// The ticket's status.
        from: crate::ticket::TicketStatus,
        /// The status asked for.
        to: crate::ticket::TicketStatus,
        /// The statuses reachable from `from`.
        allowed: Vec<crate::ticket::TicketStatus>,
    },
    /// A closed ticket takes no comments and no assignee.
    #[error("ticket {ticket} is closed; open a new ticket")]
    TicketClosed {
        /// The ticket.
        ticket: u64,
    },
    /// A capture larger than what is authorized and neither captured nor voided.
    #[error(
        "capture of {amount} exceeds the {capturable} authorized and not yet captured or voided"
    )]
    CaptureExceedsAuthorized {
        /// The capture asked for.
        amount: Money,
        /// What can still be captured.
        capturable: Money,
    },
    /// A void when no authorized money is left to release.
    #[error("nothing is authorized and uncaptured; there is nothing to void")]
    NothingToVoid,
    /// Moving an order to partially shipped by hand: a shipment says which units left.
    #[error(
        "an order becomes partially shipped when some of its units ship; ship them as a shipment"
    )]
    ShipmentRequired,
    /// Shipping from a status that does not ship (before packing, or after everything left).
    #[error("a {status} order cannot ship; it ships once packed, until every unit has shipped")]
    NotShippable {
        /// The order's status.
        status: OrderStatus,
    },
    /// A shipment without units.
    #[error("a shipment needs at least one unit")]
    NothingToShip,
    /// Shipping more units of a line than it has left to ship.
    #[error("{sku}: cannot ship {requested} units, {left} left to ship")]
    ShipsMoreThanLeft {
        /// The line's SKU.
        sku: String,
        /// Units asked for.
        requested: u32,
        /// Units of the line not shipped yet.
        left: u32,
    },
    /// Cancelling the unshipped rest of an order that is not partially shipped.
    #[error("only a partially shipped order has an unshipped rest to cancel; this one is {status}")]
    NotPartiallyShipped {
        /// The order's status.
        status: OrderStatus,
    },
    /// A tracking number that a shipment of the same carrier already has.
    #[error("{carrier} tracking number {tracking} is already on another shipment")]
    TrackingNumberInUse {
        /// The carrier.
        carrier: String,
        /// The tracking number.
        tracking: String,
    },
    /// Issuing an invoice for an order that is not placed, or cancelled.
    #[error(
        "a {status} order cannot be invoiced; an order is invoiced once placed, unless cancelled"
    )]
    NotInvoiceable {
        /// The order's status.
        status: OrderStatus,
    },
    /// A return of an order that has not shipped (or was cancelled).
    #[error("a {status} order takes no return; units come back once shipped and delivered")]
    NotReturnable {
        /// The order's status.
        status: OrderStatus,
    },
    /// Returning more units of a line than were delivered and not already returned.
    #[error("{sku}: cannot return {requested} units, {left} delivered and not yet returned")]
    ReturnsMoreThanDelivered {
        /// The line's SKU.
        sku: String,
        /// Units asked back.
        requested: u32,
        /// Units delivered and in no other return.
        left: u32,
    },
    /// A return status change its lifecycle does not allow.
    #[error("a {from} return cannot become {to}{}", list_return_states(allowed))]
    IllegalReturnTransition {
        /// The return's status.
        from: crate::returns::ReturnStatus,
        /// The status asked for.
        to: crate::returns::ReturnStatus,
        /// The statuses reachable from `from`.
        allowed: Vec<crate::returns::ReturnStatus>,
    },
    /// A refund above what was paid for the returned units.
    #[error("cannot refund {amount} for this return: its units were paid {limit}")]
    RefundExceedsReturn {
        /// Amount asked.
        amount: Money,
        /// What was paid for the returned units.
        limit: Money,
    },
    /// Replacement units worth more than was paid for the returned units.
    #[error("the replacement is worth {value}; the returned units were paid {limit}")]
    ExchangeExceedsReturn {
        /// The replacement's value at today's prices.
        value: Money,
        /// What was paid for the returned units.
        limit: Money,
    },
}

fn list_return_states(states: &[crate::returns::ReturnStatus]) -> String {
    if states.is_empty() {
        " (it is final)".to_string()
    } else {
        format!(
            " (it may become {})",
            states
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(" or ")
        )
    }
}

fn list_ticket_states(states: &[crate::ticket::TicketStatus]) -> String {
    if states.is_empty() {
        return "it is final".to_string();
    }
    let names: Vec<String> = states.iter().map(ToString::to_string).collect();
    format!("allowed: {}", names.join(", "))
}

fn list_backorders(lines: &[(String, u32)]) -> String {
    lines
        .iter()
        .map(|(sku, units)| format!("{sku} ({units} units)"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Refusal {
    /// The stable snake_case code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::OrderArchived => "order_archived",
            Refusal::OrderNotArchived => "order_not_archived",
            Refusal::OrderNotArchivable { .. } => "order_not_archivable",
            Refusal::ItemsLocked { .. } => "items_locked",
            Refusal::AddressLocked { .. } => "address_locked",
            Refusal::ProductNotForSale { .. } => "product_not_for_sale",
            Refusal::LastItem => "last_item",
            Refusal::OrderEmpty => "order_empty",
            Refusal::Backordered { .. } => "backordered",
            Refusal::CancelWithReason => "cancel_with_reason",
            Refusal::BatchTargetNotAllowed { .. } => "batch_target_not_allowed",
            Refusal::PaymentsNotAccepted { .. } => "payments_not_accepted",
            Refusal::PaymentExceedsBalance { .. } => "payment_exceeds_balance",
            Refusal::RefundExceedsPaid { .. } => "refund_exceeds_paid",
            Refusal::AdjustmentBelowReserved { .. } => "adjustment_below_reserved",
            Refusal::CustomerCannotOrder { .. } => "customer_cannot_order",
            Refusal::NotPendingRegistration { .. } => "not_pending_registration",
            Refusal::NotAwaitingCode { .. } => "not_awaiting_code",
            Refusal::NotAwaitingApproval { .. } => "not_awaiting_approval",
            Refusal::NotRejectable { .. } => "not_rejectable",
            Refusal::AccountNotActive { .. } => "account_not_active",
            Refusal::AccountNotVerified { .. } => "account_not_verified",
            Refusal::NoContactChangePending => "no_contact_change_pending",
            Refusal::WrongCode { .. } => "wrong_code",
            Refusal::CodeExpired => "code_expired",
            Refusal::TooManyCodeAttempts => "too_many_code_attempts",
            Refusal::CodeSuperseded => "code_superseded",
            Refusal::ResendTooSoon { .. } => "resend_too_soon",
            Refusal::ResendLimitReached => "resend_limit_reached",
            Refusal::ContactCodeTooSoon => "contact_code_too_soon",
            Refusal::NoPassword => "no_password",
            Refusal::CredentialsChanged => "credentials_changed",
            Refusal::AdminAlreadyExists => "admin_already_exists",
            Refusal::LastActiveAdmin => "last_active_admin",
            Refusal::FileExists { .. } => "file_exists",
            Refusal::UndecodableRecords { .. } => "undecodable_records",
            Refusal::DataDirectoryNotEmpty { .. } => "data_directory_not_empty",
            Refusal::NotADataDirectory { .. } => "not_a_data_directory",
            Refusal::DeliveryNotHeld { .. } => "delivery_not_held",
            Refusal::DeliveryNotRetryable { .. } => "delivery_not_retryable",
            Refusal::IllegalTicketTransition { .. } => "illegal_ticket_transition",
            Refusal::TicketClosed { .. } => "ticket_closed",
            Refusal::CaptureExceedsAuthorized { .. } => "capture_exceeds_authorized",
            Refusal::NothingToVoid => "nothing_to_void",
            Refusal::ShipmentRequired => "shipment_required",
            Refusal::NotShippable { .. } => "not_shippable",
            Refusal::NothingToShip => "nothing_to_ship",
            Refusal::ShipsMoreThanLeft { .. } => "ships_more_than_left",
            Refusal::NotPartiallyShipped { .. } => "not_partially_shipped",
            Refusal::TrackingNumberInUse { .. } => "tracking_number_in_use",
            Refusal::NotInvoiceable { .. } => "not_invoiceable",
            Refusal::NotReturnable { .. } => "not_returnable",
            Refusal::ReturnsMoreThanDelivered { .. } => "returns_more_than_delivered",
            Refusal::IllegalReturnTransition { .. } => "illegal_return_transition",
            Refusal::RefundExceedsReturn { .. } => "refund_exceeds_return",
            Refusal::ExchangeExceedsReturn { .. } => "exchange_exceeds_return",
        }
    }

    /// The input field this refusal is about, in the words a [`crate::Error::Validation`]
    /// uses, if it is about one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::PaymentExceedsBalance { .. }
            | Refusal::RefundExceedsPaid { .. }
            | Refusal::CaptureExceedsAuthorized { .. } => Some("amount"),
            Refusal::AdjustmentBelowReserved { .. } => Some("adjustment"),
            Refusal::WrongCode { .. } => Some("verification code"),
            Refusal::NothingToShip | Refusal::ShipsMoreThanLeft { .. } => Some("lines"),
            Refusal::TrackingNumberInUse { .. } => Some("tracking number"),
            Refusal::ReturnsMoreThanDelivered { .. } | Refusal::ExchangeExceedsReturn { .. } => {
                Some("lines")
            }
            Refusal::RefundExceedsReturn { .. } => Some("amount"),
            Refusal::NotReturnable { .. } | Refusal::IllegalReturnTransition { .. } => None,
            Refusal::OrderArchived
            | Refusal::OrderNotArchived
            | Refusal::OrderNotArchivable { .. }
            | Refusal::ItemsLocked { .. }
            | Refusal::AddressLocked { .. }
            | Refusal::ProductNotForSale { .. }
            | Refusal::LastItem
            | Refusal::OrderEmpty
            | Refusal::Backordered { .. }
            | Refusal::CancelWithReason
            | Refusal::BatchTargetNotAllowed { .. }
            | Refusal::PaymentsNotAccepted { .. }
            | Refusal::CustomerCannotOrder { .. }
            | Refusal::NotPendingRegistration { .. }
            | Refusal::NotAwaitingCode { .. }
            | Refusal::NotAwaitingApproval { .. }
            | Refusal::NotRejectable { .. }
            | Refusal::AccountNotActive { .. }
            | Refusal::AccountNotVerified { .. }
            | Refusal::NoContactChangePending
            | Refusal::CodeExpired
            | Refusal::TooManyCodeAttempts
            | Refusal::CodeSuperseded
            | Refusal::ResendTooSoon { .. }
            | Refusal::ResendLimitReached
            | Refusal::ContactCodeTooSoon
            | Refusal::NoPassword
            | Refusal::CredentialsChanged
            | Refusal::AdminAlreadyExists
            | Refusal::LastActiveAdmin
            | Refusal::FileExists { .. }
            | Refusal::UndecodableRecords { .. }
            | Refusal::DataDirectoryNotEmpty { .. }
            | Refusal::NotADataDirectory { .. }
            | Refusal::DeliveryNotHeld { .. }
            | Refusal::DeliveryNotRetryable { .. }
            | Refusal::IllegalTicketTransition { .. }
            | Refusal::TicketClosed { .. }
            | Refusal::NothingToVoid
            | Refusal::ShipmentRequired
            | Refusal::NotShippable { .. }
            | Refusal::NotPartiallyShipped { .. }
            | Refusal::NotInvoiceable { .. } => None,
        }
    }
}

/// Why a caller is not signed in (kind [`crate::ErrorKind::Unauthenticated`], status 6).
///
/// A wrong login id, a wrong password and an inactive account are one variant with one
/// message, so neither tells whether a login id exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthFailure {
    /// Unknown login id, wrong password, or an account that may not sign in.
    #[error("login id or password is incorrect")]
    WrongLogin,
    /// Too many failed attempts on this login id.
    #[error("too many failed attempts; try again after {until}")]
    LockedOut {
        /// No attempt is checked before this time.
        until: Timestamp,
    },
    /// The session is unknown, expired, revoked, or older than the last password change.
    #[error("the session has ended; log in again")]
    SessionEnded,
    /// A session token that is not 64 hex characters.
    #[error("the session token is not valid")]
    InvalidToken,
    /// No session token was given where one is needed.
    #[error("{variable} is not set")]
    MissingToken {
        /// Where the token was looked for (e.g. the environment variable `ORDO_TOKEN`).
        variable: String,
    },
    /// The current password given to change a password is wrong.
    #[error("the current password is not correct")]
    WrongCurrentPassword,
}

impl AuthFailure {
    /// The stable snake_case code of this failure.
    pub fn code(&self) -> &'static str {
        match self {
            AuthFailure::WrongLogin => "wrong_login",
            AuthFailure::LockedOut { .. } => "locked_out",
            AuthFailure::SessionEnded => "session_ended",
            AuthFailure::InvalidToken => "invalid_token",
            AuthFailure::MissingToken { .. } => "missing_token",
            AuthFailure::WrongCurrentPassword => "wrong_current_password",
        }
    }
}

/// One value of every variant, for the tests that keep codes and the code table complete.
#[cfg(test)]
pub(crate) mod samples {
    use super::*;
    use crate::money::Currency;

    /// The refusal after `previous` (the first for `None`), in declaration order; `None`
    /// after the last. The match has no `_` arm, so a new variant does not compile until
    /// it is placed in this chain (and with it, in the code table test).
    pub(crate) fn next_refusal(previous: Option<&Refusal>) -> Option<Refusal> {
        let status = OrderStatus::Shipped;
        let customer = CustomerId(7);
        let pending = CustomerStatus::PendingVerification;
        let eur = |cents: i64| {
            Money::new(rust_decimal::Decimal::new(cents, 2), Currency::EUR)
                .expect("a sample amount is in bounds")
        };
        let Some(previous) = previous else {
            return Some(Refusal::OrderArchived);
        };
        Some(match previous {
            Refusal::OrderArchived => Refusal::OrderNotArchived,
            Refusal::OrderNotArchived => Refusal::OrderNotArchivable { status },
            Refusal::OrderNotArchivable { .. } => Refusal::ItemsLocked { status },
            Refusal::ItemsLocked { .. } => Refusal::AddressLocked { status },
            Refusal::AddressLocked { .. } => Refusal::ProductNotForSale { sku: "TEE".into() },
            Refusal::ProductNotForSale { .. } => Refusal::LastItem,
            Refusal::LastItem => Refusal::OrderEmpty,
            Refusal::OrderEmpty => Refusal::Backordered {
                lines: vec![("TEE".into(), 2), ("MUG".into(), 1)],
            },
            Refusal::Backordered { .. } => Refusal::CancelWithReason,
            Refusal::CancelWithReason => Refusal::BatchTargetNotAllowed {
                to: OrderStatus::Cancelled,
            },
            Refusal::BatchTargetNotAllowed { .. } => Refusal::PaymentsNotAccepted {
                status: OrderStatus::Draft,
            },
            Refusal::PaymentsNotAccepted { .. } => Refusal::PaymentExceedsBalance {
                amount: eur(2000),
                due: eur(1500),
            },
            Refusal::PaymentExceedsBalance { .. } => Refusal::RefundExceedsPaid {
                amount: eur(2000),
                refundable: eur(500),
            },
            Refusal::RefundExceedsPaid { .. } => Refusal::AdjustmentBelowReserved {
                warehouse: WarehouseCode::parse("MAIN").expect("a valid code"),
                delta: -5,
                on_hand: 6,
                reserved: 3,
            },
            Refusal::AdjustmentBelowReserved { .. } => Refusal::CustomerCannotOrder {
                customer,
                status: pending,
            },
            Refusal::CustomerCannotOrder { .. } => Refusal::NotPendingRegistration {
                customer,
                status: CustomerStatus::Active,
            },
            Refusal::NotPendingRegistration { .. } => Refusal::NotAwaitingCode {
                customer,
                status: CustomerStatus::Active,
            },
            Refusal::NotAwaitingCode { .. } => Refusal::NotAwaitingApproval {
                customer,
                status: pending,
            },
            Refusal::NotAwaitingApproval { .. } => Refusal::NotRejectable {
                customer,
                status: CustomerStatus::Active,
            },
            Refusal::NotRejectable { .. } => Refusal::AccountNotActive {
                customer,
                status: pending,
            },
            Refusal::AccountNotActive { .. } => Refusal::AccountNotVerified {
                customer,
                status: pending,
            },
            Refusal::AccountNotVerified { .. } => Refusal::NoContactChangePending,
            Refusal::NoContactChangePending => Refusal::WrongCode { attempts_left: 4 },
            Refusal::WrongCode { .. } => Refusal::CodeExpired,
            Refusal::CodeExpired => Refusal::TooManyCodeAttempts,
            Refusal::TooManyCodeAttempts => Refusal::CodeSuperseded,
            Refusal::CodeSuperseded => Refusal::ResendTooSoon { wait_seconds: 42 },
            Refusal::ResendTooSoon { .. } => Refusal::ResendLimitReached,
            Refusal::ResendLimitReached => Refusal::ContactCodeTooSoon,
            Refusal::ContactCodeTooSoon => Refusal::NoPassword,
            Refusal::NoPassword => Refusal::CredentialsChanged,
            Refusal::CredentialsChanged => Refusal::AdminAlreadyExists,
            Refusal::AdminAlreadyExists => Refusal::LastActiveAdmin,
            Refusal::LastActiveAdmin => Refusal::FileExists {
                path: "backup.ordo".into(),
            },
            Refusal::FileExists { .. } => Refusal::UndecodableRecords {
                file: "backup.ordo".into(),
                summary: "1 record does not decode: order/7".into(),
            },
            Refusal::UndecodableRecords { .. } => Refusal::DataDirectoryNotEmpty {
                path: "data".into(),
            },
            Refusal::DataDirectoryNotEmpty { .. } => Refusal::NotADataDirectory {
                path: "home".into(),
                why: "it holds other files".into(),
            },
            Refusal::NotADataDirectory { .. } => Refusal::DeliveryNotHeld { delivery: 7 },
            Refusal::DeliveryNotHeld { .. } => Refusal::DeliveryNotRetryable {
                delivery: 7,
                status: crate::delivery::DeliveryStatus::Sent,
            },
            Refusal::DeliveryNotRetryable { .. } => Refusal::IllegalTicketTransition {
                from: crate::ticket::TicketStatus::Closed,
                to: crate::ticket::TicketStatus::Open,
                allowed: vec![],
            },
            Refusal::IllegalTicketTransition { .. } => Refusal::TicketClosed { ticket: 7 },
            Refusal::TicketClosed { .. } => Refusal::CaptureExceedsAuthorized {
                amount: eur(2000),
                capturable: eur(500),
            },
            Refusal::CaptureExceedsAuthorized { .. } => Refusal::NothingToVoid,
            Refusal::NothingToVoid => Refusal::ShipmentRequired,
            Refusal::ShipmentRequired => Refusal::NotShippable {
                status: OrderStatus::Picking,
            },
            Refusal::NotShippable { .. } => Refusal::NothingToShip,
            Refusal::NothingToShip => Refusal::ShipsMoreThanLeft {
                sku: "TEE".into(),
                requested: 3,
                left: 2,
            },
            Refusal::ShipsMoreThanLeft { .. } => Refusal::NotPartiallyShipped { status },
            Refusal::NotPartiallyShipped { .. } => Refusal::TrackingNumberInUse {
                carrier: "dhl".into(),
                tracking: "JD0123456789".into(),
            },
            Refusal::TrackingNumberInUse { .. } => Refusal::NotInvoiceable {
                status: OrderStatus::Cancelled,
            },
            Refusal::NotInvoiceable { .. } => Refusal::NotReturnable { status },
            Refusal::NotReturnable { .. } => Refusal::ReturnsMoreThanDelivered {
                sku: "TEE".into(),
                requested: 3,
                left: 2,
            },
            Refusal::ReturnsMoreThanDelivered { .. } => Refusal::IllegalReturnTransition {
                from: crate::returns::ReturnStatus::Refused,
                to: crate::returns::ReturnStatus::Approved,
                allowed: vec![],
            },
            Refusal::IllegalReturnTransition { .. } => Refusal::RefundExceedsReturn {
                amount: eur(2000),
                limit: eur(1500),
            },
            Refusal::RefundExceedsReturn { .. } => Refusal::ExchangeExceedsReturn {
                value: eur(2000),
                limit: eur(1500),
            },
            Refusal::ExchangeExceedsReturn { .. } => return None,
        })
    }

    /// The failure after `previous` (the first for `None`); as [`next_refusal`].
    pub(crate) fn next_auth_failure(previous: Option<&AuthFailure>) -> Option<AuthFailure> {
        let Some(previous) = previous else {
            return Some(AuthFailure::WrongLogin);
        };
        Some(match previous {
            AuthFailure::WrongLogin => AuthFailure::LockedOut {
                until: Timestamp(1_700_000_060_000),
            },
            AuthFailure::LockedOut { .. } => AuthFailure::SessionEnded,
            AuthFailure::SessionEnded => AuthFailure::InvalidToken,
            AuthFailure::InvalidToken => AuthFailure::MissingToken {
                variable: "ORDO_TOKEN".into(),
            },
            AuthFailure::MissingToken { .. } => AuthFailure::WrongCurrentPassword,
            AuthFailure::WrongCurrentPassword => return None,
        })
    }

    /// Every refusal, one of each variant.
    pub(crate) fn refusals() -> Vec<Refusal> {
        std::iter::successors(next_refusal(None), |r| next_refusal(Some(r))).collect()
    }

    /// Every authentication failure, one of each variant.
    pub(crate) fn auth_failures() -> Vec<AuthFailure> {
        std::iter::successors(next_auth_failure(None), |a| next_auth_failure(Some(a))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;

    #[test]
    fn every_sample_chain_visits_each_variant_once() {
        let refusals = refusals();
        let codes: std::collections::BTreeSet<_> = refusals.iter().map(Refusal::code).collect();
        assert_eq!(refusals.len(), 56);
        assert_eq!(codes.len(), refusals.len(), "two refusals share a code");
        let failures = auth_failures();
        let codes: std::collections::BTreeSet<_> = failures.iter().map(AuthFailure::code).collect();
        assert_eq!(failures.len(), 6);
        assert_eq!(codes.len(), failures.len(), "two failures share a code");
    }

    #[test]
    fn messages_are_the_ones_clerks_and_scripts_know() {
        assert_eq!(
            Refusal::Backordered {
                lines: vec![("TEE".into(), 2), ("MUG".into(), 1)]
            }
            .to_string(),
            "cannot start picking: backordered TEE (2 units), MUG (1 units)"
        );
        assert_eq!(
            Refusal::ResendTooSoon { wait_seconds: 42 }.to_string(),
            "a new code can be sent in 42 seconds"
        );
        assert_eq!(
            Refusal::CustomerCannotOrder {
                customer: CustomerId(7),
                status: CustomerStatus::PendingVerification
            }
            .to_string(),
            format!(
                "customer 7 cannot place orders: account is {}",
                CustomerStatus::PendingVerification
            )
        );
        assert_eq!(
            AuthFailure::LockedOut {
                until: Timestamp(0)
            }
            .to_string(),
            format!("too many failed attempts; try again after {}", Timestamp(0))
        );
    }
}
