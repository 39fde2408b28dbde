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
        DomainEvent::ShipmentSent {
            carrier,
            tracking,
            complete: true,
            ..
        } => format!("Your order {order} has shipped with {carrier}, tracking number {tracking}."),
        DomainEvent::ShipmentSent {
            carrier, tracking, ..
        } => format!(
            "Part of your order {order} has shipped with {carrier}, tracking number {tracking}. The rest follows."
        ),
        DomainEvent::ShipmentOutForDelivery {
            carrier, tracking, ..
        } => format!(
            "Your order {order} is out for delivery today ({carrier}, tracking number {tracking})."
        ),
        DomainEvent::ReturnApproved { return_id, .. } => format!(
            "Your return {return_id} for order {order} is approved. Please send the items back."
        ),
        DomainEvent::ReturnRefunded {
            return_id, amount, ..
        } => format!("We refunded {amount} for your return {return_id} (order {order})."),
        DomainEvent::ReturnExchanged {
            return_id,
            carrier,
            tracking,
            ..
        } => format!(
            "Your replacement for return {return_id} (order {order}) has shipped with {carrier}, tracking number {tracking}."
        ),
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
        | DomainEvent::RefundRecorded { .. }
        | DomainEvent::ShipmentSent { .. }
        | DomainEvent::ShipmentOutForDelivery { .. }
        | DomainEvent::ReturnApproved { .. }
        | DomainEvent::ReturnRefunded { .. }
        | DomainEvent::ReturnExchanged { .. } => None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use ordo_core::customer::{Email, Phone};
    use ordo_core::ids::{CustomerId, OrderId, OrderReference, RegistrationId, ReturnId};
    use ordo_core::money::{Currency, Money};
    use ordo_core::order::OrderStatus;
    use ordo_core::random::SeededRandom;
    use ordo_core::registration::Channel;
    use rust_decimal::Decimal;

    fn usd(cents: i64) -> Money {
        Money::new(Decimal::new(cents, 2), Currency::parse("USD").unwrap()).unwrap()
    }

    fn reference() -> OrderReference {
        OrderReference::generate(&SeededRandom::from_seed([3; 32]))
    }

    /// One event of every kind, and the text it must read as.
    fn every_template() -> Vec<(DomainEvent, Facts, String)> {
        let r = reference();
        let (order, customer) = (OrderId(1), CustomerId(2));
        let facts = || Facts {
            reference: Some(r.to_string()),
            code: None,
        };
        let code = || Facts {
            reference: None,
            code: Some("493021".into()),
        };
        vec![
            (
                DomainEvent::OrderPlaced {
                    order,
                    reference: r.clone(),
                    customer,
                    total: usd(3500),
                },
                facts(),
                format!("Thank you! Your order {r} is placed. Total: 35.00 USD."),
            ),
            (
                DomainEvent::OrderStatusChanged {
                    order,
                    customer,
                    from: OrderStatus::Packed,
                    to: OrderStatus::Shipped,
                },
                facts(),
                format!("Your order {r} is now shipped."),
            ),
            (
                DomainEvent::OrderCancelled {
                    order,
                    customer,
                    refund_due: usd(0),
                },
                facts(),
                format!("Your order {r} has been cancelled."),
            ),
            (
                DomainEvent::OrderCancelled {
                    order,
                    customer,
                    refund_due: usd(1250),
                },
                facts(),
                format!("Your order {r} has been cancelled. We will refund 12.50 USD."),
            ),
            (
                DomainEvent::PaymentRecorded {
                    order,
                    customer,
                    amount: usd(1000),
                },
                facts(),
                format!("We received your payment of 10.00 USD for order {r}."),
            ),
            (
                DomainEvent::RefundRecorded {
                    order,
                    customer,
                    amount: usd(400),
                },
                facts(),
                format!("We refunded 4.00 USD for order {r}."),
            ),
            (
                DomainEvent::VerificationCodeRequested {
                    customer,
                    channel: Channel::Sms,
                    nonce: 9,
                },
                code(),
                "Your ordo verification code is 493021. It is valid for 10 minutes.".into(),
            ),
            (
                DomainEvent::ContactChangeRequested {
                    customer,
                    phone: Phone::parse("+15550001111").unwrap(),
                    email: Email::parse("a@example.com").unwrap(),
                    nonce: 9,
                },
                code(),
                "Your ordo verification code is 493021. It is valid for 10 minutes.".into(),
            ),
            (
                DomainEvent::RegistrationApproved {
                    customer,
                    registration_id: RegistrationId::generate(&SeededRandom::from_seed([4; 32])),
                },
                Facts::default(),
                String::new(),
            ),
            (
                DomainEvent::ShipmentSent {
                    order,
                    customer,
                    carrier: "dhl".into(),
                    tracking: "JD0123456789".into(),
                    complete: true,
                },
                facts(),
                format!("Your order {r} has shipped with dhl, tracking number JD0123456789."),
            ),
            (
                DomainEvent::ShipmentSent {
                    order,
                    customer,
                    carrier: "dhl".into(),
                    tracking: "JD0123456789".into(),
                    complete: false,
                },
                facts(),
                format!(
                    "Part of your order {r} has shipped with dhl, tracking number JD0123456789. The rest follows."
                ),
            ),
            (
                DomainEvent::ShipmentOutForDelivery {
                    order,
                    customer,
                    carrier: "dhl".into(),
                    tracking: "JD0123456789".into(),
                },
                facts(),
                format!(
                    "Your order {r} is out for delivery today (dhl, tracking number JD0123456789)."
                ),
            ),
            (
                DomainEvent::ReturnApproved {
                    order,
                    customer,
                    return_id: ReturnId(41),
                },
                facts(),
                format!("Your return 41 for order {r} is approved. Please send the items back."),
            ),
            (
                DomainEvent::ReturnRefunded {
                    order,
                    customer,
                    return_id: ReturnId(41),
                    amount: usd(2160),
                },
                facts(),
                format!("We refunded 21.60 USD for your return 41 (order {r})."),
            ),
            (
                DomainEvent::ReturnExchanged {
                    order,
                    customer,
                    return_id: ReturnId(41),
                    carrier: "ups".into(),
                    tracking: "1Z999AA10123456784".into(),
                },
                facts(),
                format!(
                    "Your replacement for return 41 (order {r}) has shipped with ups, tracking number 1Z999AA10123456784."
                ),
            ),
        ]
    }

    #[test]
    fn every_template_reads_as_written_and_fits_one_sms() {
        let all = every_template();
        assert_eq!(all.len(), 15, "one case per template");
        for (event, facts, expected) in &all {
            let text = text(event, facts);
            if let DomainEvent::RegistrationApproved {
                registration_id, ..
            } = event
            {
                assert_eq!(
                    text,
                    format!(
                        "Your business account is approved. Your Registration ID is {registration_id}."
                    )
                );
            } else {
                assert_eq!(&text, expected, "{}", event.kind());
            }
            // Plain GSM-7 text within one segment (160 characters) keeps texts cheap.
            assert!(text.is_ascii() && text.len() <= 160, "{text}");
        }
    }

    #[test]
    fn a_code_that_is_gone_is_not_worded_as_a_code() {
        let (event, _, _) = every_template().swap_remove(6);
        let gone = text(&event, &Facts::default());
        assert!(!gone.contains("code is"), "{gone}");
        assert!(gone.contains("nothing to send"), "{gone}");
    }

    #[test]
    fn order_news_without_a_reference_names_the_draft() {
        let (event, _, _) = every_template().swap_remove(1);
        assert_eq!(
            text(&event, &Facts::default()),
            "Your order (draft) is now shipped."
        );
    }
}
