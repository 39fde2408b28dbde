//! `ordo outbox …`: pending customer notifications, for local testing and as a manual
//! dispatcher until the SMS and Telegram adapters run.
//!
//! Reading and acknowledging go through the engine (`pending_notifications`,
//! `acknowledge_notification`), which allows it only to roles that dispatch notifications
//! (admin): the texts include live verification codes.

use ordo_core::auth::Actor;
use ordo_core::error::EntityKind;
use ordo_core::outbox::{DomainEvent, OutboxMessage};
use ordo_core::store::Store;
use ordo_core::{Engine, Error};

use crate::args::OutboxCommand;
use crate::context::Context;
use crate::parse;
use crate::render::notifications::{self, Facts};
use crate::render::tables;
use crate::render::views::{AckView, NotificationView};

/// Acknowledgements in flight at once: the store commits concurrent ones in one batch
/// (one flush), so 32 threads ack the demo's 12,000 messages in under 2 s instead of 6.
const ACK_THREADS: usize = 32;
/// Messages read per page when acknowledging everything.
const ACK_PAGE: usize = 1_000;

/// Runs one outbox subcommand.
///
/// # Errors
/// `Forbidden` (exit 6) for roles other than admin; `NotFound` for a sequence number
/// that is not pending; storage errors.
pub fn run<S: Store>(ctx: &Context<S>, command: OutboxCommand) -> anyhow::Result<()> {
    match command {
        OutboxCommand::List { limit, after } => list(ctx, parse::list_limit(limit)?, after),
        OutboxCommand::Ack { sequences, all } => {
            let acknowledged = if all {
                acknowledge_all(&ctx.engine, &ctx.actor)?
            } else {
                acknowledge(&ctx.engine, &ctx.actor, &sequences)?
            };
            ctx.out.show(&AckView { acknowledged }, || {
                format!("Marked {acknowledged} notification(s) as sent.")
            })
        }
    }
}

fn list<S: Store>(ctx: &Context<S>, limit: usize, after: Option<u64>) -> anyhow::Result<()> {
    let pending = ctx.engine.pending_notifications(&ctx.actor, after, limit)?;
    let views = pending
        .iter()
        .map(|message| render(&ctx.engine, message))
        .collect::<ordo_core::Result<Vec<_>>>()?;
    ctx.out.show(&views, || tables::notifications(&views))
}

/// One notification as it would be sent, looked up as the system (the dispatcher).
fn render<S: Store>(
    engine: &Engine<S>,
    message: &OutboxMessage,
) -> ordo_core::Result<NotificationView> {
    let system = Actor::system();
    let event = &message.event;
    let customer_id = notifications::customer_of(event);
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
        event: notifications::kind(event).to_string(),
        customer_id: customer_id.get(),
        to: notifications::recipient(event, customer.as_ref()),
        text: notifications::text(event, &Facts { reference, code }),
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

/// Acknowledges `sequences`, each of which must be pending; returns how many.
fn acknowledge<S: Store>(
    engine: &Engine<S>,
    actor: &Actor,
    sequences: &[u64],
) -> anyhow::Result<usize> {
    for sequence in sequences {
        let pending = engine.pending_notifications(actor, sequence.checked_sub(1), 1)?;
        if pending.first().map(|m| m.sequence) != Some(*sequence) {
            return Err(
                Error::not_found(EntityKind::Message, format!("{sequence} in the outbox")).into(),
            );
        }
    }
    for sequence in sequences {
        engine.acknowledge_notification(actor, *sequence)?;
    }
    Ok(sequences.len())
}

/// Acknowledges every pending notification; returns how many. Several threads ack at
/// once so the store commits them in shared batches (one flush each, not one per ack).
///
/// # Errors
/// The first storage error.
pub fn acknowledge_all<S: Store>(engine: &Engine<S>, actor: &Actor) -> anyhow::Result<usize> {
    let mut total = 0;
    let mut after = None;
    loop {
        let page = engine.pending_notifications(actor, after, ACK_PAGE)?;
        let Some(last) = page.last() else {
            return Ok(total);
        };
        after = Some(last.sequence);
        let sequences: Vec<u64> = page.iter().map(|m| m.sequence).collect();
        let chunk = sequences.len().div_ceil(ACK_THREADS).max(1);
        std::thread::scope(|scope| {
            let workers: Vec<_> = sequences
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .try_for_each(|s| engine.acknowledge_notification(actor, *s))
                    })
                })
                .collect();
            workers.into_iter().try_for_each(|worker| {
                worker
                    .join()
                    .map_err(|_| anyhow::anyhow!("an outbox acknowledgement thread failed"))?
                    .map_err(anyhow::Error::from)
            })
        })?;
        total += sequences.len();
    }
}
