//! `ordo order ship`, `ordo order shipments`, `ordo order cancel-unshipped`: requests
//! through the contract, tables for people.

use ordo_api::Request;
use ordo_api::request::{OnOrder, OrderKey, Ship, ShipLine, WithReason};
use ordo_core::store::Store;

use crate::args::shipment::ShipArgs;
use crate::context::Context;
use crate::parse;
use crate::render::tables;
use crate::render::views::{OrderView, ShipmentView};

fn key(id_or_reference: &str) -> OrderKey {
    OrderKey::Text(id_or_reference.trim().to_string())
}

/// `ordo order ship`.
pub(super) fn ship<S: Store>(ctx: &Context<S>, args: &ShipArgs) -> anyhow::Result<()> {
    let lines = args
        .lines
        .iter()
        .map(|text| {
            let item = parse::item(text)?;
            let quantity = u32::try_from(item.quantity).unwrap_or(u32::MAX);
            Ok(ShipLine {
                sku: item.sku,
                quantity,
            })
        })
        .collect::<ordo_core::Result<Vec<_>>>()?;
    let shipment: ShipmentView = ctx.call(Request::OrderShip(Ship {
        order: key(&args.order),
        lines,
        carrier: args.carrier.clone(),
        method: args.method.clone(),
        tracking_number: args.tracking.clone(),
        weight_kg: args.weight.clone(),
    }))?;
    ctx.out.show(&shipment, || {
        format!(
            "Shipped {} unit(s) of order {} as shipment #{} with {}, tracking number {}.\n\n{}",
            shipment
                .lines
                .iter()
                .map(|l| u64::from(l.quantity))
                .sum::<u64>(),
            args.order.trim(),
            shipment.number,
            shipment.carrier,
            shipment.tracking_number,
            tables::shipment_list(std::slice::from_ref(&shipment))
        )
    })
}

/// `ordo order shipments`.
pub(super) fn shipments<S: Store>(ctx: &Context<S>, order: &str) -> anyhow::Result<()> {
    let views: Vec<ShipmentView> =
        ctx.call(Request::OrderShipments(OnOrder { order: key(order) }))?;
    ctx.out.show(&views, || tables::shipment_list(&views))
}

/// `ordo order cancel-unshipped`.
pub(super) fn cancel_unshipped<S: Store>(
    ctx: &Context<S>,
    order: &str,
    reason: &str,
) -> anyhow::Result<()> {
    let view: OrderView = ctx.call(Request::OrderCancelUnshipped(WithReason {
        order: key(order),
        reason: reason.to_string(),
    }))?;
    ctx.out.show(&view, || {
        format!(
            "Cancelled what order {} had not shipped; it is {} now.\n\n{}",
            order.trim(),
            view.status,
            tables::order_detail(&view)
        )
    })
}
