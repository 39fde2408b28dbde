//! `ordo customer purchases` and `ordo customer log`: what a customer bought and what
//! was said to and by them.

use ordo_core::message::MessageChannel;
use ordo_core::store::Store;

use crate::args::LogArgs;
use crate::context::Context;
use crate::parse;
use crate::render::tables;
use crate::render::views::{MessageView, PurchasesView};

use super::customer::find;

/// Prints a customer's purchase history.
///
/// # Errors
/// `Forbidden` (exit 6); `NotFound` (exit 4).
pub fn purchases<S: Store>(ctx: &Context<S>, key: &str) -> anyhow::Result<()> {
    let customer = find(ctx, key)?;
    let history = ctx.engine.purchase_history(&ctx.actor, customer.id())?;
    let view = PurchasesView::new(&customer, &history)?;
    ctx.out.show(&view, || tables::purchases(&view))
}

/// Lists the communication log, or adds a message to it with `--note`.
///
/// # Errors
/// `Validation` (exit 3); `Forbidden` (exit 6); `NotFound` (exit 4).
pub fn log<S: Store>(ctx: &Context<S>, args: &LogArgs) -> anyhow::Result<()> {
    let customer = find(ctx, &args.customer)?;
    let Some(text) = &args.note else {
        let limit = parse::list_limit(args.limit)?;
        let messages = ctx.engine.messages(&ctx.actor, customer.id(), limit)?;
        let views = messages
            .iter()
            .map(|m| {
                let reference = match m.order {
                    Some(order) => ctx
                        .engine
                        .get_order(&ctx.actor, order)?
                        .value
                        .reference()
                        .map(|r| r.to_string()),
                    None => None,
                };
                Ok(MessageView::new(m, reference))
            })
            .collect::<ordo_core::Result<Vec<_>>>()?;
        return ctx.out.show(&views, || tables::messages(&views));
    };
    let channel = MessageChannel::parse(&args.channel)?;
    let direction = parse::direction(&args.direction)?;
    let order = match &args.order {
        Some(order) => Some(ctx.engine.find_order(&ctx.actor, order)?.value),
        None => None,
    };
    let message = ctx.engine.log_message(
        &ctx.actor,
        customer.id(),
        channel,
        direction,
        text,
        order.as_ref().map(|o| o.id()),
    )?;
    let reference = order.and_then(|o| o.reference().map(|r| r.to_string()));
    let view = MessageView::new(&message, reference);
    ctx.out.show(&view, || {
        format!(
            "Logged a {} message ({}) for {} (customer {}).",
            view.channel,
            view.direction,
            customer.name(),
            customer.id()
        )
    })
}
