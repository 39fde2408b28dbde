//! The demo's returns: a few delivered orders send units back — one restocked and
//! refunded, one written off (damaged) and refunded, one exchanged, one on its way back,
//! one refused — through the wire contract like the rest of the demo.

use ordo_api::Request;
use ordo_api::request::{OrderKey, OrderList};
use ordo_api::return_args::{
    ExchangeLineArgs, OnReturn, RestockArgs, ReturnExchange, ReturnLineArgs, ReturnOpen,
    ReturnReceive, ReturnRefundArgs, ReturnRefuse, WriteOffArgs,
};
use ordo_api::views::ReturnView;
use ordo_core::clock::Clock;
use ordo_core::store::Store;

use super::{Demo, ListView, OrderView};
use crate::context::Refused;

/// What each demo return becomes, in order.
#[derive(Clone, Copy)]
enum Fate {
    RestockedAndRefunded,
    WrittenOff,
    Exchanged,
    Approved,
    Refused,
}

/// How many returns the demo opens (at most).
pub(super) const COUNT: usize = FATES.len();

const FATES: [Fate; 5] = [
    Fate::RestockedAndRefunded,
    Fate::WrittenOff,
    Fate::Exchanged,
    Fate::Approved,
    Fate::Refused,
];

impl<S: Store> Demo<S> {
    /// Returns of one unit of the first line of the newest paid, delivered orders; how
    /// many were opened.
    pub(super) fn returns(&self, warehouse: &str) -> anyhow::Result<usize> {
        let delivered: ListView<OrderView> = self.call(Request::OrderList(OrderList {
            status: Some("delivered".to_string()),
            limit: Some(500),
            ..OrderList::default()
        }))?;
        // Delivered before the desk's work starts, so no return is older than its parcel.
        let now = self.clock.now().to_string();
        let paid = delivered.items.iter().filter(|o| {
            o.payment_status == "paid"
                && !o.lines.is_empty()
                && o.status_history
                    .iter()
                    .any(|change| change.status == "delivered" && change.at <= now)
        });
        let mut opened = 0;
        for (order, fate) in paid.zip(FATES) {
            let Some(line) = order.lines.first() else {
                continue;
            };
            self.clock.advance(3_600_000);
            let ret: ReturnView = self.call(Request::ReturnOpen(ReturnOpen {
                order: OrderKey::Id { id: order.id },
                lines: vec![ReturnLineArgs {
                    sku: line.sku.clone(),
                    quantity: 1,
                    reason: "did not fit".to_string(),
                }],
            }))?;
            opened += 1;
            let id = ret.id;
            if let Fate::Refused = fate {
                let _: ReturnView = self.call(Request::ReturnRefuse(ReturnRefuse {
                    id,
                    reason: "bought more than 30 days ago".to_string(),
                }))?;
                continue;
            }
            let _: ReturnView = self.call(Request::ReturnApprove(OnReturn { id }))?;
            let (restock, write_off) = match fate {
                Fate::Approved | Fate::Refused => continue,
                Fate::WrittenOff => (
                    Vec::new(),
                    vec![WriteOffArgs {
                        sku: line.sku.clone(),
                        quantity: 1,
                        reason: "arrived broken".to_string(),
                    }],
                ),
                Fate::RestockedAndRefunded | Fate::Exchanged => (
                    vec![RestockArgs {
                        sku: line.sku.clone(),
                        quantity: 1,
                        warehouse: warehouse.to_string(),
                    }],
                    Vec::new(),
                ),
            };
            self.clock.advance(super::RETURN_STEP_MS - 3_600_000);
            let _: ReturnView = self.call(Request::ReturnReceive(ReturnReceive {
                id,
                restock,
                write_off,
            }))?;
            let refund = Request::ReturnRefund(ReturnRefundArgs {
                id,
                amount: None,
                method: None,
                external_reference: format!("RF-{id}"),
            });
            if let Fate::Exchanged = fate {
                let exchange = Request::ReturnExchange(ReturnExchange {
                    id,
                    lines: vec![ExchangeLineArgs {
                        sku: line.sku.clone(),
                        quantity: 1,
                    }],
                    warehouse: None,
                    carrier: "dhl".to_string(),
                    tracking_number: format!("DHLX{:08}", order.id),
                });
                match self.call::<ReturnView>(exchange) {
                    Ok(_) => continue,
                    // Bought at a discount, the same item now costs more than was paid:
                    // the desk refunds instead.
                    Err(e)
                        if e.downcast_ref::<Refused>()
                            .is_some_and(|r| r.0.code == "exchange_exceeds_return") => {}
                    Err(e) => return Err(e),
                }
            }
            let _: ReturnView = self.call(refund)?;
        }
        Ok(opened)
    }
}
