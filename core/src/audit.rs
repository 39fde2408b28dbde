//! The audit trail: one append-only entry per successful change, written in the same
//! atomic write as the change it describes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::auth::RecordedActor;
use crate::clock::Timestamp;
use crate::ids::{CustomerId, OrderId, ProductId, ReturnId, ShipmentId, TicketId, UserId};

/// An entity an audit entry is about (entries are queryable per subject).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Subject {
    /// An order.
    Order(OrderId),
    /// A customer.
    Customer(CustomerId),
    /// A product (and its stock).
    Product(ProductId),
    /// A staff user.
    User(UserId),
    /// The store's settings (one subject for all of them).
    Settings,
    /// A customer-service ticket.
    Ticket(TicketId),
    /// A shipment (its tracking events; shipping it is an entry of its order).
    Shipment(ShipmentId),
    /// An invoice, by number.
    Invoice(u64),
    /// A return.
    Return(ReturnId),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Order(id) => write!(f, "order {id}"),
            Subject::Customer(id) => write!(f, "customer {id}"),
            Subject::Product(id) => write!(f, "product {id}"),
            Subject::User(id) => write!(f, "staff user {id}"),
            Subject::Settings => f.write_str("settings"),
            Subject::Ticket(id) => write!(f, "ticket {id}"),
            Subject::Shipment(id) => write!(f, "shipment {id}"),
            Subject::Invoice(number) => write!(f, "invoice {number}"),
            Subject::Return(id) => write!(f, "return {id}"),
        }
    }
}

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    /// A product was created.
    ProductCreated,
    /// A product was changed.
    ProductUpdated,
    /// Stock was received.
    StockRestocked,
    /// Stock was corrected.
    StockAdjusted,
    /// A customer was created.
    CustomerCreated,
    /// An order was created.
    OrderCreated,
    /// An item was added.
    ItemAdded,
    /// A quantity was changed.
    QuantityChanged,
    /// An item was removed.
    ItemRemoved,
    /// The shipping address was changed.
    AddressChanged,
    /// The status was changed.
    StatusChanged,
    /// The order was cancelled.
    OrderCancelled,
    /// The order was archived.
    OrderArchived,
    /// The order was restored from the archive.
    OrderRestored,
    /// A payment was recorded.
    PaymentRecorded,
    /// A refund was recorded.
    RefundRecorded,
    /// A customer registered (pending verification).
    CustomerRegistered,
    /// A new verification code was issued.
    CodeIssued,
    /// A wrong verification code was entered.
    CodeRejected,
    /// A customer verified their code.
    CustomerVerified,
    /// Staff approved a registration.
    CustomerApproved,
    /// Staff rejected a registration.
    CustomerRejected,
    /// Contact details or addresses changed.
    CustomerUpdated,
    /// Login or password set or changed.
    CredentialsChanged,
    /// A successful login.
    LoggedIn,
    /// A failed login.
    LoginFailed,
    /// A logout.
    LoggedOut,
    /// A staff user was created.
    UserCreated,
    /// A staff user's role changed.
    UserRoleChanged,
    /// A staff user was disabled.
    UserDisabled,
    /// A message was logged.
    MessageLogged,
    /// A registration was not verified in time; its phone and email were freed.
    RegistrationExpired,
    /// A customer asked to change their phone or email; a code went to the new contact.
    ContactChangeRequested,
    /// A discount was applied to an order.
    DiscountApplied,
    /// A password change was refused because the current password was wrong.
    PasswordRejected,
    /// The pricing settings (tax rates, shipping fees, tax rounding) changed.
    PricingSettingsChanged,
    /// Staff queued a failed or dead notification delivery again.
    NotificationRetried,
    /// A phone subscribed to an order's news or muted it (`SUB` / `UNSUB`).
    OrderWatchChanged,
    /// A customer's phone opted out of texts or back in (`STOP` / `START`).
    TextsOptedOut,
    /// A customer-service ticket was opened.
    TicketOpened,
    /// A comment was added to a ticket (visible or internal).
    TicketCommented,
    /// A ticket was given to a staff user (or to nobody).
    TicketAssigned,
    /// A ticket's status changed.
    TicketStatusChanged,
    /// Money was authorized (held) on a card.
    PaymentAuthorized,
    /// Authorized money was captured.
    PaymentCaptured,
    /// The uncaptured rest of an authorization was voided.
    AuthorizationVoided,
    /// Units of an order were handed to a carrier as a shipment.
    OrderShipped,
    /// What a partly shipped order had not shipped was cancelled.
    UnshippedCancelled,
    /// A carrier's tracking event was recorded on a shipment.
    ShipmentTracked,
    /// A Telegram chat was signed in to an account (a customer's news now go to it).
    TelegramChatLinked,
    /// A Telegram chat was signed out.
    TelegramChatUnlinked,
    /// An order's shipping method (and fee) changed.
    ShippingMethodChanged,
    /// An invoice was issued for an order.
    InvoiceIssued,
    /// A return was opened.
    ReturnOpened,
    /// A return was approved.
    ReturnApproved,
    /// A return was refused.
    ReturnRefused,
    /// A return's units arrived and were inspected (restocked or written off).
    ReturnReceived,
    /// A return's units were refunded.
    ReturnRefunded,
    /// A return's units were exchanged for a replacement sent to the customer.
    ReturnExchanged,
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuditAction::ProductCreated => "product created",
            AuditAction::ProductUpdated => "product updated",
            AuditAction::StockRestocked => "stock restocked",
            AuditAction::StockAdjusted => "stock adjusted",
            AuditAction::CustomerCreated => "customer created",
            AuditAction::OrderCreated => "order created",
            AuditAction::ItemAdded => "item added",
            AuditAction::QuantityChanged => "quantity changed",
            AuditAction::ItemRemoved => "item removed",
            AuditAction::AddressChanged => "address changed",
            AuditAction::StatusChanged => "status changed",
            AuditAction::OrderCancelled => "order cancelled",
            AuditAction::OrderArchived => "order archived",
            AuditAction::OrderRestored => "order restored",
            AuditAction::PaymentRecorded => "payment recorded",
            AuditAction::RefundRecorded => "refund recorded",
            AuditAction::CustomerRegistered => "customer registered",
            AuditAction::CodeIssued => "verification code issued",
            AuditAction::CodeRejected => "verification code rejected",
            AuditAction::CustomerVerified => "customer verified",
            AuditAction::CustomerApproved => "customer approved",
            AuditAction::CustomerRejected => "customer rejected",
            AuditAction::CustomerUpdated => "customer updated",
            AuditAction::CredentialsChanged => "credentials changed",
            AuditAction::LoggedIn => "logged in",
            AuditAction::LoginFailed => "login failed",
            AuditAction::LoggedOut => "logged out",
            AuditAction::UserCreated => "staff user created",
            AuditAction::UserRoleChanged => "staff role changed",
            AuditAction::UserDisabled => "staff user disabled",
            AuditAction::MessageLogged => "message logged",
            AuditAction::RegistrationExpired => "registration expired",
            AuditAction::ContactChangeRequested => "contact change requested",
            AuditAction::DiscountApplied => "discount applied",
            AuditAction::PasswordRejected => "password change refused",
            AuditAction::PricingSettingsChanged => "pricing settings changed",
            AuditAction::NotificationRetried => "notification retried",
            AuditAction::OrderWatchChanged => "order notifications changed",
            AuditAction::TextsOptedOut => "texts opted out or in",
            AuditAction::TicketOpened => "ticket opened",
            AuditAction::TicketCommented => "ticket commented",
            AuditAction::TicketAssigned => "ticket assigned",
            AuditAction::TicketStatusChanged => "ticket status changed",
            AuditAction::PaymentAuthorized => "payment authorized",
            AuditAction::PaymentCaptured => "payment captured",
            AuditAction::AuthorizationVoided => "authorization voided",
            AuditAction::OrderShipped => "shipment sent",
            AuditAction::UnshippedCancelled => "unshipped rest cancelled",
            AuditAction::ShipmentTracked => "shipment tracked",
            AuditAction::TelegramChatLinked => "Telegram chat linked",
            AuditAction::TelegramChatUnlinked => "Telegram chat unlinked",
            AuditAction::ShippingMethodChanged => "shipping method changed",
            AuditAction::InvoiceIssued => "invoice issued",
            AuditAction::ReturnOpened => "return opened",
            AuditAction::ReturnApproved => "return approved",
            AuditAction::ReturnRefused => "return refused",
            AuditAction::ReturnReceived => "return received",
            AuditAction::ReturnRefunded => "return refunded",
            AuditAction::ReturnExchanged => "return exchanged",
        })
    }
}

/// One changed field, before and after (as display text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Field name.
    pub field: String,
    /// Value before (None when created).
    pub before: Option<String>,
    /// Value after (None when removed).
    pub after: Option<String>,
}

impl FieldChange {
    /// A changed field.
    pub fn new(field: &str, before: Option<String>, after: Option<String>) -> FieldChange {
        FieldChange {
            field: field.to_string(),
            before,
            after,
        }
    }
}

/// Collects the fields that differ between two versions of a record, as display text.
#[derive(Debug, Default)]
pub struct Changes(Vec<FieldChange>);

impl Changes {
    /// No changes yet.
    pub fn new() -> Changes {
        Changes::default()
    }

    /// Records `field` if `before` and `after` render differently.
    pub fn diff(
        &mut self,
        field: &str,
        before: impl std::fmt::Display,
        after: impl std::fmt::Display,
    ) {
        let (before, after) = (before.to_string(), after.to_string());
        if before != after {
            self.0
                .push(FieldChange::new(field, Some(before), Some(after)));
        }
    }

    /// The changed fields.
    pub fn into_vec(self) -> Vec<FieldChange> {
        self.0
    }
}

/// An audit entry before the store gives it a sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub actor: RecordedActor,
    /// What.
    pub action: AuditAction,
    /// About which entities (first is the main one).
    pub subjects: Vec<Subject>,
    /// Fields changed.
    pub changes: Vec<FieldChange>,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the trail (strictly increasing, assigned by the store).
    pub sequence: u64,
    /// The entry.
    pub record: AuditRecord,
}
