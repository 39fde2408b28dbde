//! `order.ship`, `order.shipments`, `order.cancel_unshipped`: parses the wire values into
//! domain types (SKU, carrier, tracking number, weight) and renders shipment views; every
//! rule is the engine's.

use ordo_core::Result;
use ordo_core::catalog::Sku;
use ordo_core::engine::ShipRequest;
use ordo_core::pricing::ShippingMethod;
use ordo_core::shipment::{CarrierName, TrackingNumber, Weight};
use ordo_core::store::Store;
use serde_json::Value;

use super::{Op, value};
use crate::request::{Request, Ship};
use crate::views::{OrderView, ShipmentView};

pub(super) fn run<S: Store>(op: &Op<'_, S>, request: Request) -> Result<Value> {
    let (engine, actor) = (op.engine, op.actor);
    match request {
        Request::OrderShip(args) => {
            let order = op.order_id(&args.order)?;
            let shipment = engine.ship_order(actor, order, &ship_request(&args)?)?;
            value(&ShipmentView::new(&shipment))
        }
        Request::OrderShipments(args) => {
            let order = op.order_id(&args.order)?;
            let shipments = engine.order_shipments(actor, order)?;
            value(&shipments.iter().map(ShipmentView::new).collect::<Vec<_>>())
        }
        Request::OrderCancelUnshipped(args) => {
            let order = op.order_id(&args.order)?;
            value(&OrderView::new(&engine.cancel_unshipped(
                actor,
                order,
                &args.reason,
            )?)?)
        }
        other => Err(super::misrouted(&other)),
    }
}

/// The wire arguments as domain inputs, each refused with its field's name.
fn ship_request(args: &Ship) -> Result<ShipRequest> {
    Ok(ShipRequest {
        lines: args
            .lines
            .iter()
            .map(|line| Ok((Sku::parse(&line.sku)?, line.quantity)))
            .collect::<Result<Vec<_>>>()?,
        carrier: CarrierName::parse(&args.carrier)?,
        method: args
            .method
            .as_deref()
            .map(ShippingMethod::parse)
            .transpose()?,
        tracking: TrackingNumber::parse(&args.tracking_number)?,
        weight: args
            .weight_kg
            .as_deref()
            .map(Weight::parse_kg)
            .transpose()?,
    })
}
