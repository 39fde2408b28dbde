//! `order.*` and `payment.*`: orders through their whole life.

use ordo_core::Result;
use ordo_core::clock::{DAY_MS, Timestamp};
use ordo_core::engine::{OrderCountFilter, OrderFilter};
use ordo_core::error::Error;
use ordo_core::ids::CustomerId;
use ordo_core::order::{Order, OrderStatus};
use ordo_core::store::Store;
use serde_json::Value;

use super::{Op, value};
use crate::request::Request;
use crate::views::{AuditEntryView, ListView, OrderCountView, OrderView};

pub(super) fn run<S: Store>(op: &Op<'_, S>, request: Request) -> Result<Value> {
    let (engine, actor) = (op.engine, op.actor);
    match request {
        Request::OrderCreate(order) => view(&engine.create_order(actor, &order)?),
        Request::OrderGet(key) => {
            let id = op.order_id(&key)?;
            view(&engine.get_order(actor, id)?.value)
        }
        Request::OrderList(args) => {
            let filter = OrderFilter {
                customer: args.customer.map(CustomerId),
                customer_name: args.customer_name,
                from: args
                    .from
                    .as_deref()
                    .map(|d| Timestamp::parse_date(d, "from date"))
                    .transpose()?,
                to: args
                    .to
                    .as_deref()
                    .map(|d| Timestamp::parse_date(d, "to date").map(|day| day.plus_ms(DAY_MS)))
                    .transpose()?,
                status: args.status.as_deref().map(OrderStatus::parse).transpose()?,
                include_archived: args.include_archived,
                limit: args.limit.unwrap_or(0),
                cursor: args.cursor,
                oldest_first: args.oldest_first,
            };
            let page = engine.list_orders(actor, &filter)?;
            let items = page
                .items
                .iter()
                .map(|o| OrderView::new(&o.value))
                .collect::<Result<Vec<_>>>()?;
            value(&ListView::new(&page, items))
        }
        Request::OrderCount(args) => {
            let filter = OrderCountFilter {
                from: args
                    .from
                    .as_deref()
                    .map(|d| Timestamp::parse_date(d, "from date"))
                    .transpose()?,
                to: args
                    .to
                    .as_deref()
                    .map(|d| Timestamp::parse_date(d, "to date").map(|day| day.plus_ms(DAY_MS)))
                    .transpose()?,
                status: args.status.as_deref().map(OrderStatus::parse).transpose()?,
            };
            let counted = engine.count_orders(actor, &filter)?;
            value(&OrderCountView {
                count: counted.count,
                capped: counted.capped,
            })
        }
        Request::OrderAddItem(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.add_item(actor, id, &args.sku, args.quantity)?)
        }
        Request::OrderSetQuantity(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.set_quantity(actor, id, &args.sku, args.quantity)?)
        }
        Request::OrderRemoveItem(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.remove_item(actor, id, &args.sku)?)
        }
        Request::OrderSetAddress(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.set_address(actor, id, &args.address)?)
        }
        Request::OrderSetStatus(args) => {
            let id = op.order_id(&args.order)?;
            let status = OrderStatus::parse(&args.status)?;
            view(&engine.change_status(actor, id, status)?)
        }
        Request::OrderAdvance(args) => {
            let ids = args
                .orders
                .iter()
                .map(|key| op.order_id(key))
                .collect::<Result<Vec<_>>>()?;
            let moved = engine.advance_orders(actor, &ids, OrderStatus::parse(&args.to)?)?;
            let views = moved
                .iter()
                .map(OrderView::new)
                .collect::<Result<Vec<_>>>()?;
            value(&views)
        }
        Request::OrderCancel(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.cancel_order(actor, id, &args.reason)?)
        }
        Request::OrderArchive(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.archive_order(actor, id, &args.reason)?)
        }
        Request::OrderRestore(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.restore_order(actor, id)?)
        }
        Request::OrderDiscount(args) => {
            let id = op.order_id(&args.order)?;
            let percent = args
                .percent
                .trim()
                .trim_end_matches('%')
                .trim()
                .parse()
                .map_err(|_| {
                    Error::invalid(
                        "percent",
                        format!("{:?} is not a number like 10 or 12.5", args.percent),
                    )
                })?;
            view(&engine.apply_discount(actor, id, &args.label, percent)?)
        }
        Request::OrderHistory(args) => {
            let id = op.order_id(&args.order)?;
            let entries = engine.order_history(actor, id)?;
            value(&entries.iter().map(AuditEntryView::new).collect::<Vec<_>>())
        }
        Request::PaymentRecord(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.record_payment(actor, id, &args.payment)?)
        }
        Request::PaymentRefund(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.record_refund(actor, id, &args.payment)?)
        }
        Request::PaymentAuthorize(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.authorize_payment(actor, id, &args.payment)?)
        }
        Request::PaymentCapture(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.capture_payment(actor, id, &args.payment)?)
        }
        Request::PaymentVoid(args) => {
            let id = op.order_id(&args.order)?;
            view(&engine.void_authorization(actor, id, &args.void)?)
        }
        other => Err(super::misrouted(&other)),
    }
}

fn view(order: &Order) -> Result<Value> {
    value(&OrderView::new(order)?)
}
