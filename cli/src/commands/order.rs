//! `ordo order …`: orders through their whole life. Every subcommand that names an order
//! resolves its id or reference with `Engine::find_order` first.

use ordo_core::Error;
use ordo_core::catalog::Sku;
use ordo_core::engine::{OrderRequest, PaymentRequest, VoidRequest};

use ordo_core::money::{Currency, Money};
use ordo_core::order::OrderStatus;
use ordo_core::payment::PaymentMethod;
use ordo_core::pricing::ShippingMethod;
use ordo_core::store::Store;

use crate::args::{OrderCommand, OrderCreateArgs, OrderListArgs, PaymentArgs, VoidArgs};
use crate::context::Context;
use crate::parse;
use crate::render::tables;
use crate::render::views::{AuditEntryView, ListView, OrderPageView, OrderView};
use ordo_api::Request;
use ordo_api::request::{
    Advance, Discount, ItemChange, OnOrder, OrderKey, OrderList, Payment, PaymentVoid, RemoveItem,
    SetAddress, SetStatus, WithReason,
};
use std::str::FromStr;

/// Money moving in or out, for `pay`, `refund`, `authorize` and `capture`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ledger {
    Payment,
    Refund,
    Authorization,
    Capture,
}

/// Runs one order subcommand.
///
/// # Errors
/// Engine errors (validation, illegal transition, not found, conflicts) and output errors.
pub fn run<S: Store>(ctx: &Context<S>, command: OrderCommand) -> anyhow::Result<()> {
    match command {
        OrderCommand::Create(args) => create(ctx, &args),
        OrderCommand::AddItem {
            order,
            sku,
            quantity,
        } => add_item(ctx, &order, &sku, &quantity),
        OrderCommand::SetQty {
            order,
            sku,
            quantity,
        } => set_quantity(ctx, &order, &sku, &quantity),
        OrderCommand::RemoveItem { order, sku } => {
            let changed = ctx.call(Request::OrderRemoveItem(RemoveItem {
                order: key(&order),
                sku: sku.clone(),
            }))?;
            let sku = sku.trim().to_ascii_uppercase();
            show_changed(ctx, &changed, &format!("Removed {sku} from"))
        }
        OrderCommand::SetAddress { order, address } => {
            let address = parse::address(&address)?;
            let changed = ctx.call(Request::OrderSetAddress(SetAddress {
                order: key(&order),
                address,
            }))?;
            show_changed(ctx, &changed, "Changed the shipping address of")
        }
        OrderCommand::Discount {
            order,
            label,
            percent,
        } => {
            let percent = parse::percent(&percent)?;
            let changed = ctx.call(Request::OrderDiscount(Discount {
                order: key(&order),
                label: label.clone(),
                percent: percent.to_string(),
            }))?;
            show_changed(
                ctx,
                &changed,
                &format!("Applied {percent}% off ({label}) to"),
            )
        }
        OrderCommand::Status { order, status } => change_status(ctx, &order, &status),
        OrderCommand::Advance { orders, to } => advance(ctx, &orders, &to),
        OrderCommand::Cancel { order, reason } => cancel(ctx, &order, &reason),
        OrderCommand::Archive { order, reason } => {
            let archived = ctx.call(Request::OrderArchive(WithReason {
                order: key(&order),
                reason,
            }))?;
            headline(ctx, &archived, |label| {
                format!("Archived order {label}. `ordo order restore {label}` brings it back.")
            })
        }
        OrderCommand::Restore { order } => {
            let restored = ctx.call(Request::OrderRestore(OnOrder { order: key(&order) }))?;
            headline(ctx, &restored, |label| format!("Restored order {label}."))
        }
        OrderCommand::Show { order } => {
            let view: OrderView = ctx.call(Request::OrderGet(key(&order)))?;
            ctx.out.show(&view, || tables::order_detail(&view))
        }
        OrderCommand::List(args) => list(ctx, &args),
        OrderCommand::History { order } => {
            let views: Vec<AuditEntryView> =
                ctx.call(Request::OrderHistory(OnOrder { order: key(&order) }))?;
            ctx.out.show(&views, || tables::audit(&views))
        }
        OrderCommand::Pay(args) => ledger(ctx, &args, Ledger::Payment),
        OrderCommand::Refund(args) => ledger(ctx, &args, Ledger::Refund),
        OrderCommand::Authorize(args) => ledger(ctx, &args, Ledger::Authorization),
        OrderCommand::Capture(args) => ledger(ctx, &args, Ledger::Capture),
        OrderCommand::Void(args) => void(ctx, &args),
        OrderCommand::Ship(args) => super::shipment::ship(ctx, &args),
        OrderCommand::Shipments { order } => super::shipment::shipments(ctx, &order),
        OrderCommand::CancelUnshipped { order, reason } => {
            super::shipment::cancel_unshipped(ctx, &order, &reason)
        }
        OrderCommand::Packslip(args) => super::documents::packslip(ctx, &args),
        OrderCommand::Label(args) => super::documents::label(ctx, &args),
        OrderCommand::Invoice(args) => super::documents::invoice(ctx, &args),
    }
}

fn add_item<S: Store>(
    ctx: &Context<S>,
    order: &str,
    sku: &str,
    quantity: &str,
) -> anyhow::Result<()> {
    let sku = Sku::parse(sku)?;
    let quantity = parse::item_quantity(&sku, quantity)?;
    let changed = ctx.call(Request::OrderAddItem(ItemChange {
        order: key(order),
        sku: sku.to_string(),
        quantity: i64::from(quantity),
    }))?;
    show_changed(ctx, &changed, &format!("Added {quantity} × {sku} to"))
}

fn set_quantity<S: Store>(
    ctx: &Context<S>,
    order: &str,
    sku: &str,
    quantity: &str,
) -> anyhow::Result<()> {
    let sku = Sku::parse(sku)?;
    let quantity = parse::item_quantity(&sku, quantity)?;
    let changed = ctx.call(Request::OrderSetQuantity(ItemChange {
        order: key(order),
        sku: sku.to_string(),
        quantity: i64::from(quantity),
    }))?;
    show_changed(ctx, &changed, &format!("Set {sku} to {quantity} on"))
}

fn change_status<S: Store>(ctx: &Context<S>, order: &str, status: &str) -> anyhow::Result<()> {
    let status = OrderStatus::parse(status)?;
    if status == OrderStatus::Cancelled {
        // Cancelling needs a reason: point to the command that asks for one.
        return Err(Error::invalid(
            "to cancel an order,",
            format!("use: ordo order cancel {} --reason TEXT", order.trim()),
        )
        .into());
    }
    let moved = ctx.call(Request::OrderSetStatus(SetStatus {
        order: key(order),
        status: status.to_string(),
    }))?;
    headline(ctx, &moved, |label| {
        format!("Order {label} is now {status}.")
    })
}

fn advance<S: Store>(ctx: &Context<S>, orders: &[String], to: &str) -> anyhow::Result<()> {
    let to = OrderStatus::parse(to)?;
    let views: Vec<OrderView> = ctx.call(Request::OrderAdvance(Advance {
        orders: orders.iter().map(|order| key(order)).collect(),
        to: to.to_string(),
    }))?;
    ctx.out.show(&views, || {
        let labels: Vec<String> = views.iter().map(label).collect();
        format!(
            "Moved {} order(s) to {to}: {}.",
            views.len(),
            labels.join(", ")
        )
    })
}

fn cancel<S: Store>(ctx: &Context<S>, order: &str, reason: &str) -> anyhow::Result<()> {
    let cancelled: OrderView = ctx.call(Request::OrderCancel(WithReason {
        order: key(order),
        reason: reason.to_string(),
    }))?;
    let owed = rust_decimal::Decimal::from_str(&cancelled.refund_due).unwrap_or_default();
    let refund_due = format!("{} {}", cancelled.refund_due, cancelled.currency);
    headline(ctx, &cancelled, |label| {
        let mut text = format!("Cancelled order {label}; its stock is released.");
        if !owed.is_zero() {
            text.push_str(&format!(
                "\nRefund due: {refund_due}. Record it with: \
                 ordo order refund {label} --amount \"{refund_due}\""
            ));
        }
        text
    })
}

fn create<S: Store>(ctx: &Context<S>, args: &OrderCreateArgs) -> anyhow::Result<()> {
    let request = OrderRequest {
        customer: parse::customer_id(&args.customer)?,
        items: args
            .items
            .iter()
            .map(|i| parse::item(i))
            .collect::<ordo_core::Result<_>>()?,
        ship_to: args.ship_to.as_deref().map(parse::address).transpose()?,
        shipping: ShippingMethod::parse(&args.shipping)?,
        payment: PaymentMethod::parse(&args.payment)?,
        discounts: args
            .discounts
            .iter()
            .map(|d| parse::discount(d))
            .collect::<ordo_core::Result<_>>()?,
        notes: args.note.clone(),
        draft: args.draft,
        idempotency_key: args.idempotency_key.clone(),
    };
    let view: OrderView = ctx.call(Request::OrderCreate(request))?;
    ctx.out.show(&view, || {
        let what = match &view.reference {
            Some(reference) => format!("Placed order {reference} (id {})", view.id),
            None => format!("Saved draft order {}", view.id),
        };
        format!(
            "{what} for {}: total {} {}.\n\n{}",
            view.customer_name,
            view.total,
            view.currency,
            tables::order_detail(&view)
        )
    })
}

fn list<S: Store>(ctx: &Context<S>, args: &OrderListArgs) -> anyhow::Result<()> {
    if args.limit == 0 {
        return Err(Error::invalid("limit", "must be at least 1").into());
    }
    if let Some(customer) = &args.customer {
        parse::customer_id(customer)?;
    }
    let page: ListView<OrderView> = ctx.call(Request::OrderList(OrderList {
        customer: args
            .customer
            .as_deref()
            .map(parse::customer_id)
            .transpose()?
            .map(|c| c.get()),
        customer_name: args.customer_name.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        status: args.status.clone(),
        include_archived: args.archived,
        limit: Some(args.limit),
        cursor: args.cursor.clone(),
        oldest_first: args.oldest_first,
    }))?;
    ctx.out.warn_skipped(&page.skipped);
    let view = OrderPageView {
        orders: page.items.clone(),
        next_cursor: page.next_cursor.clone(),
    };
    ctx.out.show(&page, || {
        let mut text = tables::order_list(&view);
        if let Some(cursor) = &view.next_cursor {
            text.push_str(&format!(
                "\nMore orders: repeat the command with --cursor {cursor}"
            ));
        }
        text
    })
}

fn ledger<S: Store>(ctx: &Context<S>, args: &PaymentArgs, kind: Ledger) -> anyhow::Result<()> {
    let current: OrderView = ctx.call(Request::OrderGet(key(&args.order)))?;
    let currency = Currency::parse(&current.currency)?;
    let request = PaymentRequest {
        amount: Money::parse(&args.amount, Some(currency), "amount")?,
        method: PaymentMethod::parse(args.method.as_deref().unwrap_or(&current.payment_method))?,
        external_reference: args.external_reference.clone().unwrap_or_default(),
        idempotency_key: args.idempotency_key.clone(),
    };
    let payment = Payment {
        order: OrderKey::Id { id: current.id },
        payment: request.clone(),
    };
    let view: OrderView = ctx.call(match kind {
        Ledger::Payment => Request::PaymentRecord(payment),
        Ledger::Refund => Request::PaymentRefund(payment),
        Ledger::Authorization => Request::PaymentAuthorize(payment),
        Ledger::Capture => Request::PaymentCapture(payment),
    })?;
    let currency = &view.currency;
    ctx.out.show(&view, || match kind {
        Ledger::Payment => format!(
            "Recorded a payment of {} by {} on order {}.\nPaid {} of {} {currency}; balance due {} {currency} ({}).",
            request.amount,
            request.method,
            label(&view),
            view.paid,
            view.total,
            view.balance_due,
            view.payment_status
        ),
        Ledger::Refund => format!(
            "Recorded a refund of {} by {} on order {}.\nRefunded {} of {} {currency} paid; refund still due {} {currency} ({}).",
            request.amount,
            request.method,
            label(&view),
            view.refunded,
            view.paid,
            view.refund_due,
            view.payment_status
        ),
        Ledger::Authorization => format!(
            "Recorded an authorization of {} by {} on order {}.\nHeld {} {currency}; balance due {} {currency} ({}).",
            request.amount,
            request.method,
            label(&view),
            view.authorized,
            view.balance_due,
            view.payment_status
        ),
        Ledger::Capture => format!(
            "Recorded a capture of {} on order {}.\nPaid {} of {} {currency}; still held {} {currency} ({}).",
            request.amount,
            label(&view),
            view.paid,
            view.total,
            view.authorized,
            view.payment_status
        ),
    })
}

fn void<S: Store>(ctx: &Context<S>, args: &VoidArgs) -> anyhow::Result<()> {
    let view: OrderView = ctx.call(Request::PaymentVoid(PaymentVoid {
        order: key(&args.order),
        void: VoidRequest {
            external_reference: args.external_reference.clone().unwrap_or_default(),
            idempotency_key: args.idempotency_key.clone(),
        },
    }))?;
    let released = view
        .payments
        .last()
        .map_or_else(String::new, |p| p.amount.clone());
    let currency = &view.currency;
    ctx.out.show(&view, || {
        format!(
            "Voided the hold of {released} {currency} on order {}.\nPaid {} of {} {currency} ({}).",
            label(&view),
            view.paid,
            view.total,
            view.payment_status
        )
    })
}

/// The order named by an id or a reference, as the contract takes it.
fn key(id_or_reference: &str) -> OrderKey {
    OrderKey::Text(id_or_reference.trim().to_string())
}

/// Prints a changed order: JSON view, or a headline and the order's detail page.
fn show_changed<S: Store>(ctx: &Context<S>, view: &OrderView, what: &str) -> anyhow::Result<()> {
    ctx.out.show(view, || {
        format!(
            "{what} order {}.\n\n{}",
            label(view),
            tables::order_detail(view)
        )
    })
}

/// Prints a changed order: JSON view, or one headline built from the order's label.
fn headline<S: Store>(
    ctx: &Context<S>,
    view: &OrderView,
    text: impl FnOnce(&str) -> String,
) -> anyhow::Result<()> {
    ctx.out.show(view, || text(&label(view)))
}

/// How staff name an order: its reference, or its id while it is a draft.
fn label(view: &OrderView) -> String {
    view.reference
        .clone()
        .unwrap_or_else(|| view.id.to_string())
}
