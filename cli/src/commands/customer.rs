//! `ordo customer …`: customers.

use ordo_core::customer::{Customer, CustomerInput};
use ordo_core::engine::OrderFilter;
use ordo_core::ids::CustomerId;
use ordo_core::store::Store;

use crate::args::CustomerCommand;
use crate::context::Context;
use crate::parse;
use crate::render::tables;
use crate::render::views::{AuditEntryView, CustomerView, OrderView};

/// Orders `customer show` lists under the customer.
const RECENT_ORDERS: usize = 5;

/// Runs one customer subcommand.
///
/// # Errors
/// Engine errors (validation, not found, duplicate phone or email) and output errors.
pub fn run<S: Store>(ctx: &Context<S>, command: CustomerCommand) -> anyhow::Result<()> {
    match command {
        CustomerCommand::Add {
            name,
            phone,
            email,
            company,
            tax_id,
            addresses,
        } => {
            let input = CustomerInput {
                name,
                business: company.zip(tax_id),
                phone,
                email,
                addresses: addresses
                    .iter()
                    .map(|a| parse::address(a))
                    .collect::<ordo_core::Result<_>>()?,
            };
            add(ctx, &input)
        }
        CustomerCommand::List { name, limit, after } => list(ctx, name.as_deref(), limit, after),
        CustomerCommand::Show { customer } => show(ctx, &customer),
        CustomerCommand::History { customer } => history(ctx, &customer),
    }
}

fn add<S: Store>(ctx: &Context<S>, input: &CustomerInput) -> anyhow::Result<()> {
    let customer = ctx.engine.create_customer(&ctx.actor, input)?;
    let view = CustomerView::new(&customer);
    ctx.out.show(&view, || {
        format!(
            "Added customer {} (id {}).\n\n{}",
            view.name,
            view.id,
            tables::customer_detail(&view, &[])
        )
    })
}

fn list<S: Store>(
    ctx: &Context<S>,
    name: Option<&str>,
    limit: usize,
    after: Option<u64>,
) -> anyhow::Result<()> {
    let limit = parse::list_limit(limit)?;
    let customers = ctx
        .engine
        .list_customers(&ctx.actor, name, after.map(CustomerId), limit)?;
    let views: Vec<CustomerView> = customers.iter().map(CustomerView::new).collect();
    ctx.out.show(&views, || {
        let mut text = tables::customer_list(&views);
        if let (true, None, Some(last)) = (views.len() == limit, name, views.last()) {
            text.push_str(&format!("\nMore customers: add --after {}", last.id));
        }
        text
    })
}

fn show<S: Store>(ctx: &Context<S>, key: &str) -> anyhow::Result<()> {
    let customer = find(ctx, key)?;
    let view = CustomerView::new(&customer);
    if ctx.out.is_json() {
        return ctx.out.show(&view, String::new);
    }
    let recent = ctx.engine.list_orders(
        &ctx.actor,
        &OrderFilter {
            customer: Some(customer.id()),
            include_archived: true,
            limit: RECENT_ORDERS,
            ..OrderFilter::default()
        },
    )?;
    let orders = recent
        .items
        .iter()
        .map(|o| OrderView::new(&o.value))
        .collect::<ordo_core::Result<Vec<_>>>()?;
    ctx.out
        .show(&view, || tables::customer_detail(&view, &orders))
}

fn history<S: Store>(ctx: &Context<S>, key: &str) -> anyhow::Result<()> {
    let customer = find(ctx, key)?;
    let entries = ctx.engine.customer_history(&ctx.actor, customer.id())?;
    let views: Vec<AuditEntryView> = entries.iter().map(AuditEntryView::new).collect();
    ctx.out.show(&views, || tables::audit(&views))
}

/// A customer by id, or by phone number when the text starts with `+`.
fn find<S: Store>(ctx: &Context<S>, key: &str) -> anyhow::Result<Customer> {
    let key = key.trim();
    if key.starts_with('+') {
        return Ok(ctx.engine.customer_by_phone(&ctx.actor, key)?);
    }
    let id = parse::customer_id(key)?;
    Ok(ctx.engine.get_customer(&ctx.actor, id)?)
}
