//! The words of every customer notification, in one place: the SMS and Telegram
//! dispatchers (ordo-bots) send exactly what [`text`] writes, and `outbox.list` shows it.

use ordo_core::auth::Actor;
use ordo_core::delivery::Delivery;
use ordo_core::outbox::DomainEvent;
use ordo_core::registration::CODE_TTL_MS;
use ordo_core::store::Store;
use ordo_core::{Engine, Error};

use crate::views::NotificationView;

/// What the command looked up for one notification.
#[derive(Debug, Default)]
pub struct Facts {
    /// The order's reference, for order events.
    pub reference: Option<String>,
    /// The verification code, while it is still valid.
    pub code: Option<String>,
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

/// What a dispatcher needs to word one delivery: its order's reference and, for a code,
/// the code itself while it is valid (looked up as the system, as a dispatcher does).
///
/// # Errors
/// Storage errors.
pub fn facts<S: Store>(engine: &Engine<S>, delivery: &Delivery) -> ordo_core::Result<Facts> {
    let code = match *delivery.event() {
        DomainEvent::VerificationCodeRequested {
            customer, nonce, ..
        }
        | DomainEvent::ContactChangeRequested {
            customer, nonce, ..
        } => optional(engine.verification_code(&Actor::system(), customer, nonce))?.flatten(),
        DomainEvent::OrderPlaced { .. }
        | DomainEvent::OrderStatusChanged { .. }
        | DomainEvent::OrderCancelled { .. }
        | DomainEvent::PaymentRecorded { .. }
        | DomainEvent::RegistrationApproved { .. }
        | DomainEvent::RefundRecorded { .. } => None,
    };
    Ok(Facts {
        reference: delivery.reference().map(ToString::to_string),
        code,
    })
}

/// One delivery as staff see it, with the text as it would be sent.
///
/// # Errors
/// Storage errors.
pub fn render<S: Store>(
    engine: &Engine<S>,
    delivery: &Delivery,
) -> ordo_core::Result<NotificationView> {
    let event = delivery.event();
    Ok(NotificationView {
        id: delivery.id().get(),
        at: delivery.created().to_string(),
        event: event.kind().to_string(),
        customer_id: delivery.customer().get(),
        channel: delivery.channel().to_string(),
        to: delivery.recipient().to_string(),
        status: delivery.status().to_string(),
        attempts: delivery.attempts(),
        last_error: delivery.last_error().map(str::to_string),
        carrier_status: delivery.carrier_status().map(|s| s.to_string()),
        text: text(event, &facts(engine, delivery)?),
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
