//! `ordo outbox …`: the notification deliveries (one per channel and recipient of every
//! event): what the dispatchers of `ordo serve` send, what failed, and retrying it.
//!
//! Reading and retrying go through the contract (`outbox.list`, `outbox.retry`), which the
//! engine allows only to roles that dispatch notifications (admin): the texts include live
//! verification codes.

use ordo_core::store::Store;

use crate::args::OutboxCommand;
use crate::context::Context;
use crate::parse;
use crate::render::tables;
use crate::render::views::{AckView, NotificationView};
use ordo_api::Request;
use ordo_api::request::{OutboxAck, OutboxList, OutboxRetry};

/// Runs one outbox subcommand.
///
/// # Errors
/// `Forbidden` (exit 6) for roles other than admin; `NotFound` for an unknown delivery;
/// `Refused` for retrying one that has not failed; storage errors.
pub fn run<S: Store>(ctx: &Context<S>, command: OutboxCommand) -> anyhow::Result<()> {
    match command {
        OutboxCommand::List {
            limit,
            after,
            failed,
            all,
        } => {
            let views: Vec<NotificationView> = ctx.call(Request::OutboxList(OutboxList {
                after,
                limit: Some(parse::list_limit(limit)?),
                failed,
                all,
            }))?;
            ctx.out.show(&views, || tables::notifications(&views))
        }
        OutboxCommand::Ack { ids, all } => {
            let view = if all {
                AckView {
                    acknowledged: ack_all_through(&|request| ctx.call(request))?,
                }
            } else {
                ctx.call(Request::OutboxAck(OutboxAck { ids }))?
            };
            ctx.out.show(&view, || {
                format!("Marked {} delivery(ies) as sent.", view.acknowledged)
            })
        }
        OutboxCommand::Retry { id } => {
            let view: NotificationView = ctx.call(Request::OutboxRetry(OutboxRetry { id }))?;
            ctx.out.show(&view, || {
                format!(
                    "Delivery {} ({} {}) is queued again.",
                    view.id, view.event, view.to
                )
            })
        }
    }
}

/// Deliveries marked per request when acknowledging everything.
const ACK_PAGE: usize = 500;

/// Marks every delivery not yet sent as sent by hand, a page of ids per request (each
/// page one write per delivery, committed by the store in shared batches); returns how
/// many.
///
/// # Errors
/// The first refusal or storage error.
pub fn ack_all_through(
    call: &dyn Fn(Request) -> anyhow::Result<serde_json::Value>,
) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        // Acknowledged deliveries leave the unsent listing, so each page starts afresh.
        let page: Vec<NotificationView> =
            serde_json::from_value(call(Request::OutboxList(OutboxList {
                limit: Some(ACK_PAGE),
                ..OutboxList::default()
            }))?)?;
        if page.is_empty() {
            return Ok(total);
        }
        let ids: Vec<u64> = page.iter().map(|n| n.id).collect();
        total += ids.len();
        let _: serde_json::Value = call(Request::OutboxAck(OutboxAck { ids }))?;
    }
}
