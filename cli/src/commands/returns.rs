//! `ordo return …`: returns and exchanges through the contract (`return.*`). What may come
//! back, what may be refunded and who may see what is the engine's: this module parses
//! the command line's shorthand (`SKU:QTY`, `SKU:QTY@WAREHOUSE`, `SKU:QTY:REASON`) into
//! requests and renders the views it gets back.

use ordo_api::Request;
use ordo_api::request::{CustomerKey, OrderKey};
use ordo_api::return_args::{
    ExchangeLineArgs, OnReturn, RestockArgs, ReturnExchange, ReturnLineArgs, ReturnList,
    ReturnOpen, ReturnReceive, ReturnRefundArgs, ReturnRefuse, WriteOffArgs,
};
use ordo_core::error::Error;
use ordo_core::money::{Currency, Money};
use ordo_core::returns::ReturnStatus;
use ordo_core::store::Store;

use crate::args::ReturnCommand;
use crate::context::Context;
use crate::parse;
use crate::render::tables;
use crate::render::views::{ListView, ReturnView};

/// Runs one return subcommand.
///
/// # Errors
/// `Validation` (exit 3) for bad shorthand, a rule refused (units not delivered, a refund
/// above the limit, a lifecycle step out of order); `NotFound` (exit 4), also for another
/// customer's return; `Forbidden` (exit 6).
pub fn run<S: Store>(ctx: &Context<S>, command: ReturnCommand) -> anyhow::Result<()> {
    match command {
        ReturnCommand::Open {
            order,
            lines,
            reason,
        } => {
            let lines = lines
                .iter()
                .map(|text| {
                    let (sku, quantity) = units(text)?;
                    Ok(ReturnLineArgs {
                        sku,
                        quantity,
                        reason: reason.clone(),
                    })
                })
                .collect::<ordo_core::Result<Vec<_>>>()?;
            let view: ReturnView = ctx.call(Request::ReturnOpen(ReturnOpen {
                order: OrderKey::Text(order.trim().to_string()),
                lines,
            }))?;
            show(ctx, &view, &format!("Return {} opened.", view.id))
        }
        ReturnCommand::Approve { id } => {
            let view: ReturnView = ctx.call(Request::ReturnApprove(OnReturn { id }))?;
            show(ctx, &view, &format!("Return {id} approved."))
        }
        ReturnCommand::Refuse { id, reason } => {
            let view: ReturnView = ctx.call(Request::ReturnRefuse(ReturnRefuse { id, reason }))?;
            show(ctx, &view, &format!("Return {id} refused."))
        }
        ReturnCommand::Receive {
            id,
            restock,
            write_off,
        } => {
            let restock = restock
                .iter()
                .map(|text| restocked(text))
                .collect::<ordo_core::Result<Vec<_>>>()?;
            let write_off = write_off
                .iter()
                .map(|text| written_off(text))
                .collect::<ordo_core::Result<Vec<_>>>()?;
            let view: ReturnView = ctx.call(Request::ReturnReceive(ReturnReceive {
                id,
                restock,
                write_off,
            }))?;
            show(ctx, &view, &format!("Return {id} received."))
        }
        ReturnCommand::Refund {
            id,
            amount,
            method,
            reference,
        } => {
            let amount = match amount {
                Some(text) => {
                    // The amount is in the return's (the order's) currency.
                    let current: ReturnView = ctx.call(Request::ReturnShow(OnReturn { id }))?;
                    let currency = Currency::parse(&current.currency)?;
                    Some(Money::parse(&text, Some(currency), "amount")?)
                }
                None => None,
            };
            let view: ReturnView = ctx.call(Request::ReturnRefund(ReturnRefundArgs {
                id,
                amount,
                method,
                external_reference: reference,
            }))?;
            let said = format!(
                "Return {id} refunded: {} {}.",
                view.refunded.as_deref().unwrap_or("0"),
                view.currency
            );
            show(ctx, &view, &said)
        }
        ReturnCommand::Exchange {
            id,
            lines,
            warehouse,
            carrier,
            tracking,
        } => {
            let lines = lines
                .iter()
                .map(|text| {
                    let (sku, quantity) = units(text)?;
                    Ok(ExchangeLineArgs { sku, quantity })
                })
                .collect::<ordo_core::Result<Vec<_>>>()?;
            let view: ReturnView = ctx.call(Request::ReturnExchange(ReturnExchange {
                id,
                lines,
                warehouse,
                carrier,
                tracking_number: tracking,
            }))?;
            let said = format!(
                "Return {id} exchanged: the replacement left with {} {}.",
                view.replacement_carrier.as_deref().unwrap_or(""),
                view.replacement_tracking_number.as_deref().unwrap_or("")
            );
            show(ctx, &view, &said)
        }
        ReturnCommand::Show { id } => {
            let view: ReturnView = ctx.call(Request::ReturnShow(OnReturn { id }))?;
            ctx.out.show(&view, || tables::return_detail(&view))
        }
        ReturnCommand::List {
            status,
            order,
            customer,
            limit,
            cursor,
        } => {
            if !(1..=500).contains(&limit) {
                return Err(Error::invalid("limit", "must be from 1 to 500").into());
            }
            // Checked here too, so a typo is named before anything is sent.
            if let Some(status) = &status {
                ReturnStatus::parse(status)?;
            }
            let page: ListView<ReturnView> = ctx.call(Request::ReturnList(ReturnList {
                status,
                order: order.map(|o| OrderKey::Text(o.trim().to_string())),
                customer: customer
                    .as_deref()
                    .map(parse::customer_id)
                    .transpose()?
                    .map(|c| CustomerKey::Number(c.get())),
                limit: Some(limit),
                cursor,
            }))?;
            ctx.out.warn_skipped(&page.skipped);
            ctx.out.show(&page, || {
                let mut text = tables::return_list(&page.items);
                if let Some(cursor) = &page.next_cursor {
                    text.push_str(&format!(
                        "\nMore returns: repeat the command with --cursor {cursor}"
                    ));
                }
                text
            })
        }
    }
}

/// The return after a change: a one-line confirmation, then the return.
fn show<S: Store>(ctx: &Context<S>, view: &ReturnView, said: &str) -> anyhow::Result<()> {
    ctx.out.show(view, || {
        format!("{said}\n\n{}", tables::return_detail(view))
    })
}

/// `SKU:QTY` as (SKU, units).
fn units(text: &str) -> ordo_core::Result<(String, u32)> {
    let item = parse::item(text)?;
    Ok((item.sku, u32::try_from(item.quantity).unwrap_or(u32::MAX)))
}

/// `SKU:QTY@WAREHOUSE`.
fn restocked(text: &str) -> ordo_core::Result<RestockArgs> {
    let (units_text, warehouse) = text.rsplit_once('@').ok_or_else(|| {
        Error::invalid(
            "restock",
            format!("{text:?} must look like SKU:QTY@WAREHOUSE, e.g. TEE:1@MAIN"),
        )
    })?;
    let (sku, quantity) = units(units_text)?;
    Ok(RestockArgs {
        sku,
        quantity,
        warehouse: warehouse.trim().to_string(),
    })
}

/// `SKU:QTY:REASON` (the reason may itself contain colons).
fn written_off(text: &str) -> ordo_core::Result<WriteOffArgs> {
    let invalid = || {
        Error::invalid(
            "write-off",
            format!("{text:?} must look like SKU:QTY:REASON, e.g. TEE:1:torn seam"),
        )
    };
    let mut parts = text.splitn(3, ':');
    let (Some(sku), Some(quantity), Some(reason)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    let (sku, quantity) = units(&format!("{sku}:{quantity}"))?;
    Ok(WriteOffArgs {
        sku,
        quantity,
        reason: reason.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shorthand_parses_and_says_what_it_wants() {
        let r = restocked("tee:2@east").unwrap();
        assert_eq!(
            (r.sku.as_str(), r.quantity, r.warehouse.as_str()),
            ("TEE", 2, "east")
        );
        let w = written_off("MUG:1:broken: handle").unwrap();
        assert_eq!(
            (w.sku.as_str(), w.quantity, w.reason.as_str()),
            ("MUG", 1, "broken: handle")
        );
        for bad in ["TEE:1", "TEE@MAIN", "TEE:x@MAIN"] {
            let error = restocked(bad).unwrap_err();
            assert_eq!(error.kind(), ordo_core::ErrorKind::Validation, "{bad}");
        }
        for bad in ["TEE:1", "TEE", "TEE:0:x"] {
            assert!(written_off(bad).is_err(), "{bad}");
        }
    }
}
