//! The words of customer notifications, for `outbox.list`: a stand-in for the templates of
//! the SMS and Telegram adapters (ordo-bots), so staff can test flows and send messages by
//! hand until those run.

use ordo_core::auth::Actor;
use ordo_core::customer::Customer;
use ordo_core::outbox::OutboxMessage;
use ordo_core::store::Store;
use ordo_core::{Engine, Error};

use crate::views::NotificationView;
use ordo_core::outbox::DomainEvent;
use ordo_core::registration::{CODE_TTL_MS, Channel};

/// What the command looked up for one notification.
#[derive(Debug, Default)]
pub struct Facts {
    /// The order's reference, for order events.
    pub reference: Option<String>,
    /// The verification code, while it is still valid.
    pub code: Option<String>,
}

/// What happened, in a few words (`order placed`, `verification code`, …).
pub fn kind(event: &DomainEvent) -> &'static str {
    match event {
        DomainEvent::OrderPlaced { .. } => "order placed",
        DomainEvent::OrderStatusChanged { .. } => "order status",
        DomainEvent::OrderCancelled { .. } => "order cancelled",
        DomainEvent::PaymentRecorded { .. } => "payment",
        DomainEvent::VerificationCodeRequested { .. } => "verification code",
        DomainEvent::ContactChangeRequested { .. } => "contact change code",
        DomainEvent::RegistrationApproved { .. } => "registration approved",
        DomainEvent::RefundRecorded { .. } => "refund",
    }
}

/// The customer an event is for.
pub fn customer_of(event: &DomainEvent) -> ordo_core::ids::CustomerId {
    match event {
        DomainEvent::OrderPlaced { customer, .. }
        | DomainEvent::OrderStatusChanged { customer, .. }
        | DomainEvent::OrderCancelled { customer, .. }
        | DomainEvent::PaymentRecorded { customer, .. }
        | DomainEvent::VerificationCodeRequested { customer, .. }
        | DomainEvent::ContactChangeRequested { customer, .. }
        | DomainEvent::RegistrationApproved { customer, .. }
        | DomainEvent::RefundRecorded { customer, .. } => *customer,
    }
}

/// Where it goes: `SMS to +442071234567` or `Telegram chat 123456789`.
pub fn recipient(event: &DomainEvent, customer: Option<&Customer>) -> String {
    // A code for a new contact goes to the new phone if it changed, else the new email.
    if let DomainEvent::ContactChangeRequested { phone, email, .. } = event {
        return match customer {
            Some(c) if c.phone() == phone => format!("email to {email}"),
            Some(_) | None => format!("SMS to {phone}"),
        };
    }
    let channel = match event {
        DomainEvent::VerificationCodeRequested { channel, .. } => Some(*channel),
        DomainEvent::OrderPlaced { .. }
        | DomainEvent::OrderStatusChanged { .. }
        | DomainEvent::OrderCancelled { .. }
        | DomainEvent::PaymentRecorded { .. }
        | DomainEvent::RegistrationApproved { .. }
        | DomainEvent::ContactChangeRequested { .. }
        | DomainEvent::RefundRecorded { .. } => customer.map(Customer::channel),
    };
    match (channel, customer) {
        (Some(Channel::Telegram { chat_id }), _) => format!("Telegram chat {chat_id}"),
        (Some(Channel::Sms), Some(customer)) => format!("SMS to {}", customer.phone()),
        (Some(Channel::Sms) | None, _) => "(customer not found)".to_string(),
    }
}

/// The message text as it would be sent.
pub fn text(event: &DomainEvent, facts: &Facts) -> String {
    let order = facts.reference.as_deref().unwrap_or("(draft)");
    match event {
        DomainEvent::OrderPlaced {
            reference, total, ..
        } => format!("Thank you! Your order {reference} is placed. Total: {total}."),
        DomainEvent::OrderStatusChanged { to, .. } => {
            format!("Your order {order} is now {to}.")
        }
        DomainEvent::OrderCancelled { refund_due, .. } if refund_due.is_zero() => {
            format!("Your order {order} has been cancelled.")
        }
        DomainEvent::OrderCancelled { refund_due, .. } => {
            format!("Your order {order} has been cancelled. We will refund {refund_due}.")
        }
        DomainEvent::PaymentRecorded { amount, .. } => {
            format!("We received your payment of {amount} for order {order}.")
        }
        DomainEvent::RefundRecorded { amount, .. } => {
            format!("We refunded {amount} for order {order}.")
        }
        DomainEvent::VerificationCodeRequested { .. }
        | DomainEvent::ContactChangeRequested { .. } => match &facts.code {
            Some(code) => format!(
                "Your ordo verification code is {code}. It is valid for {} minutes.",
                CODE_TTL_MS / 60_000
            ),
            None => "(this code has expired or was replaced; nothing to send)".to_string(),
        },
        DomainEvent::RegistrationApproved {
            registration_id, ..
        } => {
            format!("Your business account is approved. Your Registration ID is {registration_id}.")
        }
    }
}

/// One notification as it would be sent, looked up as the system (the dispatcher).
///
/// # Errors
/// Storage errors (a customer or order that is gone is left out, not an error).
pub fn render<S: Store>(
    engine: &Engine<S>,
    message: &OutboxMessage,
) -> ordo_core::Result<NotificationView> {
    let system = Actor::system();
    let event = &message.event;
    let customer_id = customer_of(event);
    let customer = optional(engine.get_customer(&system, customer_id))?;
    let order = match event {
        DomainEvent::OrderStatusChanged { order, .. }
        | DomainEvent::OrderCancelled { order, .. }
        | DomainEvent::PaymentRecorded { order, .. }
        | DomainEvent::RefundRecorded { order, .. } => Some(*order),
        DomainEvent::OrderPlaced { .. }
        | DomainEvent::VerificationCodeRequested { .. }
        | DomainEvent::ContactChangeRequested { .. }
        | DomainEvent::RegistrationApproved { .. } => None,
    };
    let reference = match order {
        Some(id) => optional(engine.get_order(&system, id))?
            .and_then(|o| o.value.reference().map(|r| r.to_string())),
        None => None,
    };
    let code = match event {
        DomainEvent::VerificationCodeRequested {
            customer, nonce, ..
        }
        | DomainEvent::ContactChangeRequested {
            customer, nonce, ..
        } => engine.verification_code(&system, *customer, *nonce)?,
        DomainEvent::OrderPlaced { .. }
        | DomainEvent::OrderStatusChanged { .. }
        | DomainEvent::OrderCancelled { .. }
        | DomainEvent::PaymentRecorded { .. }
        | DomainEvent::RegistrationApproved { .. }
        | DomainEvent::RefundRecorded { .. } => None,
    };
    Ok(NotificationView {
        sequence: message.sequence,
        at: message.at.to_string(),
        event: kind(event).to_string(),
        customer_id: customer_id.get(),
        to: recipient(event, customer.as_ref()),
        text: text(event, &Facts { reference, code }),
    })
}

/// `None` for not found, the value otherwise.
fn optional<T>(result: ordo_core::Result<T>) -> ordo_core::Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
