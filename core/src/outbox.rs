//! The outbox: domain events written in the same atomic write as the change, read later
//! by notification dispatchers (SMS, Telegram). Delivery is at-least-once.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::customer::{Email, Phone};
use crate::ids::{CustomerId, OrderId, OrderReference, RegistrationId, ReturnId};
use crate::money::Money;
use crate::order::OrderStatus;
use crate::registration::Channel;

/// Something that happened that a customer may want to hear about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DomainEvent {
    /// An order was placed.
    OrderPlaced {
        /// Order.
        order: OrderId,
        /// Its reference.
        reference: OrderReference,
        /// Its customer.
        customer: CustomerId,
        /// Its total.
        total: Money,
    },
    /// An order moved to a new status (other than placed and cancelled).
    OrderStatusChanged {
        /// Order.
        order: OrderId,
        /// Its customer.
        customer: CustomerId,
        /// Previous status.
        from: OrderStatus,
        /// New status.
        to: OrderStatus,
    },
    /// An order was cancelled.
    OrderCancelled {
        /// Order.
        order: OrderId,
        /// Its customer.
        customer: CustomerId,
        /// Refund owed because of the cancellation.
        refund_due: Money,
    },
    /// A payment was recorded.
    PaymentRecorded {
        /// Order.
        order: OrderId,
        /// Its customer.
        customer: CustomerId,
        /// Amount.
        amount: Money,
    },
    /// A verification code must be sent. The code itself is not in the event: the dispatcher
    /// asks the engine for it (`Engine::verification_code`) while it is valid.
    VerificationCodeRequested {
        /// The customer.
        customer: CustomerId,
        /// Where to send it.
        channel: Channel,
        /// Identifies the issued code (redacted in human-readable serializations).
        #[serde(serialize_with = "crate::secret::redacted")]
        nonce: u64,
    },
    /// A business registration was approved (the customer can now order).
    RegistrationApproved {
        /// The customer.
        customer: CustomerId,
        /// Their permanent Registration ID.
        registration_id: RegistrationId,
    },
    /// A refund was recorded.
    RefundRecorded {
        /// Order.
        order: OrderId,
        /// Its customer.
        customer: CustomerId,
        /// Amount.
        amount: Money,
    },
    /// A customer asked to change their phone or email: a code must go to the new phone if
    /// it changed, else to the new email. Like [`DomainEvent::VerificationCodeRequested`],
    /// the dispatcher asks the engine for the code.
    ContactChangeRequested {
        /// The customer.
        customer: CustomerId,
        /// The phone after the change.
        phone: Phone,
        /// The email after the change.
        email: Email,
        /// Identifies the issued code (redacted in human-readable serializations).
        #[serde(serialize_with = "crate::secret::redacted")]
        nonce: u64,
    },
    /// Units of an order left with a carrier (the order is now partially shipped or
    /// shipped). One event per shipment, so the customer hears each tracking number.
    ShipmentSent {
        /// Order.
        order: OrderId,
        /// Its customer.
        customer: CustomerId,
        /// The carrier.
        carrier: String,
        /// The tracking number.
        tracking: String,
        /// Whether every unit of the order has shipped now.
        complete: bool,
    },
    /// A carrier reported a parcel out for delivery.
    ShipmentOutForDelivery {
        /// Order.
        order: OrderId,
        /// Its customer.
        customer: CustomerId,
        /// The carrier.
        carrier: String,
        /// The tracking number.
        tracking: String,
    },
    /// Customer service approved a return: the customer may send the units.
    ReturnApproved {
        /// Order.
        order: OrderId,
        /// Its customer.
        customer: CustomerId,
        /// The return.
        return_id: ReturnId,
    },
    /// A return's units were refunded (the ledger's refund entry, told once).
    ReturnRefunded {
        /// Order.
        order: OrderId,
        /// Its customer.
        customer: CustomerId,
        /// The return.
        return_id: ReturnId,
        /// Amount paid back.
        amount: Money,
    },
    /// A replacement for a return's units left with a carrier.
    ReturnExchanged {
        /// Order.
        order: OrderId,
        /// Its customer.
        customer: CustomerId,
        /// The return.
        return_id: ReturnId,
        /// The carrier.
        carrier: String,
        /// The tracking number.
        tracking: String,
    },
}

impl DomainEvent {
    /// The customer it is about.
    pub fn customer(&self) -> CustomerId {
        match self {
            DomainEvent::OrderPlaced { customer, .. }
            | DomainEvent::OrderStatusChanged { customer, .. }
            | DomainEvent::OrderCancelled { customer, .. }
            | DomainEvent::PaymentRecorded { customer, .. }
            | DomainEvent::VerificationCodeRequested { customer, .. }
            | DomainEvent::ContactChangeRequested { customer, .. }
            | DomainEvent::RegistrationApproved { customer, .. }
            | DomainEvent::RefundRecorded { customer, .. }
            | DomainEvent::ShipmentSent { customer, .. }
            | DomainEvent::ShipmentOutForDelivery { customer, .. }
            | DomainEvent::ReturnApproved { customer, .. }
            | DomainEvent::ReturnRefunded { customer, .. }
            | DomainEvent::ReturnExchanged { customer, .. } => *customer,
        }
    }

    /// The order it is about, for order events.
    pub fn order(&self) -> Option<OrderId> {
        match self {
            DomainEvent::OrderPlaced { order, .. }
            | DomainEvent::OrderStatusChanged { order, .. }
            | DomainEvent::OrderCancelled { order, .. }
            | DomainEvent::PaymentRecorded { order, .. }
            | DomainEvent::RefundRecorded { order, .. }
            | DomainEvent::ShipmentSent { order, .. }
            | DomainEvent::ShipmentOutForDelivery { order, .. }
            | DomainEvent::ReturnApproved { order, .. }
            | DomainEvent::ReturnRefunded { order, .. }
            | DomainEvent::ReturnExchanged { order, .. } => Some(*order),
            DomainEvent::VerificationCodeRequested { .. }
            | DomainEvent::ContactChangeRequested { .. }
            | DomainEvent::RegistrationApproved { .. } => None,
        }
    }

    /// Whether its text carries a verification code (never logged, never stored).
    pub fn carries_code(&self) -> bool {
        match self {
            DomainEvent::VerificationCodeRequested { .. }
            | DomainEvent::ContactChangeRequested { .. } => true,
            DomainEvent::OrderPlaced { .. }
            | DomainEvent::OrderStatusChanged { .. }
            | DomainEvent::OrderCancelled { .. }
            | DomainEvent::PaymentRecorded { .. }
            | DomainEvent::RegistrationApproved { .. }
            | DomainEvent::RefundRecorded { .. }
            | DomainEvent::ShipmentSent { .. }
            | DomainEvent::ShipmentOutForDelivery { .. }
            | DomainEvent::ReturnApproved { .. }
            | DomainEvent::ReturnRefunded { .. }
            | DomainEvent::ReturnExchanged { .. } => false,
        }
    }

    /// What happened, in a few words (`order placed`, `verification code`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            DomainEvent::OrderPlaced { .. } => "order placed",
            DomainEvent::OrderStatusChanged { .. } => "order status",
            DomainEvent::OrderCancelled { .. } => "order cancelled",
            DomainEvent::PaymentRecorded { .. } => "payment",
            DomainEvent::VerificationCodeRequested { .. } => "verification code",
            DomainEvent::ContactChangeRequested { .. } => "contact change code",
            DomainEvent::RegistrationApproved { .. } => "registration approved",
            DomainEvent::RefundRecorded { .. } => "refund",
            DomainEvent::ShipmentSent { .. } => "shipment sent",
            DomainEvent::ShipmentOutForDelivery { .. } => "out for delivery",
            DomainEvent::ReturnApproved { .. } => "return approved",
            DomainEvent::ReturnRefunded { .. } => "return refunded",
            DomainEvent::ReturnExchanged { .. } => "return exchanged",
        }
    }
}

/// A stored outbox message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Position in the outbox (strictly increasing, assigned by the store).
    pub sequence: u64,
    /// When the event happened.
    pub at: Timestamp,
    /// The event.
    pub event: DomainEvent,
}
