//! `ordo customer purchases` and `ordo customer log`: what a customer bought and what
//! was said to and by them.

use ordo_core::message::MessageChannel;
use ordo_core::store::Store;

use crate::args::LogArgs;
use crate::context::Context;
use crate::parse;
use crate::render::tables;
use crate::render::views::{MessageView, PurchasesView};
use ordo_api::Request;
use ordo_api::request::{CustomerKey, LogMessage, Messages, OnCustomer, OrderKey};

use super::customer::find;

/// Prints a customer's purchase history.
///
/// # Errors
/// `Forbidden` (exit 6); `NotFound` (exit 4).
pub fn purchases<S: Store>(ctx: &Context<S>, key: &str) -> anyhow::Result<()> {
    let view: PurchasesView = ctx.call(Request::CustomerPurchases(OnCustomer {
        customer: CustomerKey::Text(key.to_string()),
    }))?;
    ctx.out.show(&view, || tables::purchases(&view))
}

/// Lists the communication log, or adds a message to it with `--note`.
///
/// # Errors
/// `Validation` (exit 3); `Forbidden` (exit 6); `NotFound` (exit 4).
pub fn log<S: Store>(ctx: &Context<S>, args: &LogArgs) -> anyhow::Result<()> {
    let customer = find(ctx, &args.customer)?;
    let key = CustomerKey::Id { id: customer.id };
    let Some(text) = &args.note else {
        let limit = parse::list_limit(args.limit)?;
        let views: Vec<MessageView> = ctx.call(Request::CustomerMessages(Messages {
            customer: key,
            limit: Some(limit),
        }))?;
        return ctx.out.show(&views, || tables::messages(&views));
    };
    MessageChannel::parse(&args.channel)?;
    parse::direction(&args.direction)?;
    let view: MessageView = ctx.call(Request::CustomerLog(LogMessage {
        customer: key,
        channel: Some(args.channel.clone()),
        direction: Some(args.direction.clone()),
        text: text.clone(),
        order: args
            .order
            .as_ref()
            .map(|o| OrderKey::Text(o.trim().to_string())),
    }))?;
    ctx.out.show(&view, || {
        format!(
            "Logged a {} message ({}) for {} (customer {}).",
            view.channel, view.direction, customer.name, customer.id
        )
    })
}
