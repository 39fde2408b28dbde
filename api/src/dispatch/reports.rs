//! `report.*`: sales, speed, customers and stock. The figures and the permission are the
//! engine's; this module parses dates and renders views.

use ordo_core::Result;
use ordo_core::clock::Timestamp;
use ordo_core::report::ReportGroup;
use ordo_core::store::Store;
use serde_json::Value;

use super::{Op, value};
use crate::report_views::{CustomersView, SalesView, SpeedView, StockView};
use crate::request::Request;

/// Top customers listed when the request does not say.
const DEFAULT_TOP: usize = 10;
/// Low-stock threshold when the request does not say.
const DEFAULT_LOW: u64 = 5;

pub(super) fn run<S: Store>(op: &Op<'_, S>, request: Request) -> Result<Value> {
    let (engine, actor) = (op.engine, op.actor);
    let day = |text: &str, field: &str| Timestamp::parse_date(text, field);
    match request {
        Request::ReportSales(args) => {
            let group = match args.group.as_deref() {
                Some(text) => ReportGroup::parse(text)?,
                None => ReportGroup::Day,
            };
            let report = engine.sales_report(
                actor,
                day(&args.from, "from")?,
                day(&args.to, "to")?,
                group,
            )?;
            value(&SalesView::new(&report))
        }
        Request::ReportSpeed(args) => {
            let report =
                engine.speed_report(actor, day(&args.from, "from")?, day(&args.to, "to")?)?;
            value(&SpeedView::new(&report))
        }
        Request::ReportCustomers(args) => {
            let report = engine.customer_report(
                actor,
                day(&args.from, "from")?,
                day(&args.to, "to")?,
                args.top.unwrap_or(DEFAULT_TOP),
            )?;
            value(&CustomersView::new(&report))
        }
        Request::ReportStock(args) => {
            let as_of = match args.as_of.as_deref() {
                Some(text) => Some(day(text, "as_of")?),
                None => None,
            };
            let report = engine.stock_report(actor, as_of, args.low.unwrap_or(DEFAULT_LOW))?;
            value(&StockView::new(&report))
        }
        other => Err(super::misrouted(&other)),
    }
}
