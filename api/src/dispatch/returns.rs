//! `return.*`: returns and exchanges. Parses the wire values into domain types (SKUs,
//! warehouses, carrier, tracking number, payment method, status) and renders return
//! views; every rule (what may come back, refund limits, who may see what) is the
//! engine's.

use ordo_core::Result;
use ordo_core::catalog::Sku;
use ordo_core::engine::{ExchangeRequest, InspectionLine, ReturnFilter, ReturnRefund};
use ordo_core::ids::ReturnId;
use ordo_core::inventory::WarehouseCode;
use ordo_core::payment::PaymentMethod;
use ordo_core::returns::{Inspection, ReturnRequestLine, ReturnStatus};
use ordo_core::shipment::{CarrierName, TrackingNumber};
use ordo_core::store::Store;
use serde_json::Value;

use super::{Op, value};
use crate::request::Request;
use crate::return_args::{ReturnExchange, ReturnReceive};
use crate::views::{ListView, ReturnView};

pub(super) fn run<S: Store>(op: &Op<'_, S>, request: Request) -> Result<Value> {
    let (engine, actor) = (op.engine, op.actor);
    let view = |ret: ordo_core::returns::Return| value(&ReturnView::new(&ret));
    match request {
        Request::ReturnOpen(args) => {
            let order = op.order_id(&args.order)?;
            let lines = args
                .lines
                .iter()
                .map(|l| {
                    Ok(ReturnRequestLine {
                        sku: Sku::parse(&l.sku)?,
                        quantity: l.quantity,
                        reason: l.reason.clone(),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            view(engine.open_return(actor, order, &lines)?)
        }
        Request::ReturnApprove(args) => view(engine.approve_return(actor, ReturnId(args.id))?),
        Request::ReturnRefuse(args) => {
            view(engine.refuse_return(actor, ReturnId(args.id), &args.reason)?)
        }
        Request::ReturnReceive(args) => {
            view(engine.receive_return(actor, ReturnId(args.id), &inspections(&args)?)?)
        }
        Request::ReturnRefund(args) => {
            let request = ReturnRefund {
                amount: args.amount,
                method: args
                    .method
                    .as_deref()
                    .map(PaymentMethod::parse)
                    .transpose()?,
                external_reference: args.external_reference,
            };
            view(engine.refund_return(actor, ReturnId(args.id), &request)?)
        }
        Request::ReturnExchange(args) => {
            view(engine.exchange_return(actor, ReturnId(args.id), &exchange(&args)?)?)
        }
        Request::ReturnShow(args) => view(engine.get_return(actor, ReturnId(args.id))?),
        Request::ReturnList(args) => {
            let filter = ReturnFilter {
                status: args
                    .status
                    .as_deref()
                    .map(ReturnStatus::parse)
                    .transpose()?,
                order: match &args.order {
                    Some(key) => Some(op.order_id(key)?),
                    None => None,
                },
                customer: match &args.customer {
                    Some(key) => Some(op.customer_id(key)?),
                    None => None,
                },
                limit: args.limit.unwrap_or(0),
                cursor: args.cursor,
            };
            let page = engine.list_returns(actor, &filter)?;
            let items = page.items.iter().map(ReturnView::new).collect();
            value(&ListView::new(&page, items))
        }
        other => Err(super::misrouted(&other)),
    }
}

/// Restocked and written-off units as the engine's inspection lines.
fn inspections(args: &ReturnReceive) -> Result<Vec<InspectionLine>> {
    let restocked = args.restock.iter().map(|r| {
        Ok((
            Sku::parse(&r.sku)?,
            r.quantity,
            Inspection::Restocked {
                warehouse: WarehouseCode::parse(&r.warehouse)?,
            },
        ))
    });
    let written_off = args.write_off.iter().map(|w| {
        Ok((
            Sku::parse(&w.sku)?,
            w.quantity,
            Inspection::WrittenOff {
                reason: w.reason.clone(),
            },
        ))
    });
    restocked.chain(written_off).collect()
}

fn exchange(args: &ReturnExchange) -> Result<ExchangeRequest> {
    Ok(ExchangeRequest {
        lines: args
            .lines
            .iter()
            .map(|l| Ok((Sku::parse(&l.sku)?, l.quantity)))
            .collect::<Result<Vec<_>>>()?,
        warehouse: args
            .warehouse
            .as_deref()
            .map(WarehouseCode::parse)
            .transpose()?,
        carrier: CarrierName::parse(&args.carrier)?,
        tracking: TrackingNumber::parse(&args.tracking_number)?,
    })
}
