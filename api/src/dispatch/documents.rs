//! `order.invoice` and `picklist`: the data behind documents for people (the renderers are
//! `ordo-documents`'); every rule is the engine's.

use ordo_core::Result;
use ordo_core::inventory::WarehouseCode;
use ordo_core::store::Store;
use serde_json::Value;

use super::{Op, value};
use crate::request::Request;
use crate::views::{InvoiceView, PickListView};

pub(super) fn run<S: Store>(op: &Op<'_, S>, request: Request) -> Result<Value> {
    let (engine, actor) = (op.engine, op.actor);
    match request {
        Request::OrderInvoice(args) => {
            let order = op.order_id(&args.order)?;
            // Reading an issued invoice needs only `ReadOrders` (customers: their own);
            // the first request issues it, which needs `IssueInvoices`.
            let invoice = match engine.order_invoice(actor, order)? {
                Some(invoice) => invoice,
                None => engine.issue_invoice(actor, order)?,
            };
            value(&InvoiceView::new(&invoice)?)
        }
        Request::PickList(args) => {
            let warehouse = WarehouseCode::parse(&args.warehouse)?;
            value(&PickListView::new(&engine.pick_list(actor, &warehouse)?))
        }
        other => Err(super::misrouted(&other)),
    }
}
