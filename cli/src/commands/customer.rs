//! `ordo customer …`: customer records (add, list, show, update, history) and the
//! dispatch of the account and activity subcommands.

use ordo_core::customer::{Customer, CustomerInput, CustomerKind};
use ordo_core::engine::OrderFilter;
use ordo_core::store::Store;

use crate::args::{CustomerCommand, UpdateArgs};
use crate::context::Context;
use crate::parse;
use crate::render::tables;
use crate::render::views::{AuditEntryView, CustomerView, ListView, OrderView};
use ordo_api::Request;
use ordo_api::request::CustomerList;

use super::{account, activity};

/// Orders `customer show` lists under the customer.
const RECENT_ORDERS: usize = 5;

/// Runs one customer subcommand.
///
/// # Errors
/// Engine errors (validation, not found, duplicate phone or email, forbidden) and output
/// errors.
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
            add(ctx, input)
        }
        CustomerCommand::List { name, limit, after } => list(ctx, name.as_deref(), limit, after),
        CustomerCommand::Show { customer } => show(ctx, &customer),
        CustomerCommand::Update(args) => update(ctx, args),
        CustomerCommand::History { customer } => history(ctx, &customer),
        CustomerCommand::Purchases { customer } => activity::purchases(ctx, &customer),
        CustomerCommand::Log(args) => activity::log(ctx, &args),
        CustomerCommand::Register(args) => account::register(ctx, args),
        CustomerCommand::Verify(args) => account::verify(ctx, &args),
        CustomerCommand::ResendCode { registration } => account::resend(ctx, &registration),
        CustomerCommand::ConfirmContact { customer, code } => {
            account::confirm_contact(ctx, &customer, &code)
        }
        CustomerCommand::Approve { customer } => account::approve(ctx, &customer),
        CustomerCommand::Reject { customer, reason } => account::reject(ctx, &customer, &reason),
        CustomerCommand::SetPassword { customer, login } => {
            account::set_password(ctx, &customer, &login)
        }
    }
}

fn add<S: Store>(ctx: &Context<S>, input: CustomerInput) -> anyhow::Result<()> {
    let view: CustomerView = ctx.call(Request::CustomerCreate(input))?;
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
    let page: ListView<CustomerView> = ctx.call(Request::CustomerList(CustomerList {
        name: name.map(str::to_string),
        after,
        limit: Some(limit),
    }))?;
    ctx.out.warn_skipped(&page.skipped);
    ctx.out.show(&page, || {
        let mut text = tables::customer_list(&page.items);
        if let (None, Some(last)) = (name, &page.next_cursor) {
            text.push_str(&format!("\nMore customers: add --after {last}"));
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

/// Replaces the given fields, keeping the others from the current record.
fn update<S: Store>(ctx: &Context<S>, args: UpdateArgs) -> anyhow::Result<()> {
    let current = find(ctx, &args.customer)?;
    let business = match (args.company, args.tax_id) {
        (None, None) => current_business(current.kind()),
        (company, tax_id) => {
            let (old_company, old_tax_id) = current_business(current.kind()).unwrap_or_default();
            Some((company.unwrap_or(old_company), tax_id.unwrap_or(old_tax_id)))
        }
    };
    let addresses = if args.addresses.is_empty() {
        current.addresses().iter().map(|a| a.to_input()).collect()
    } else {
        args.addresses
            .iter()
            .map(|a| parse::address(a))
            .collect::<ordo_core::Result<_>>()?
    };
    let input = CustomerInput {
        name: args.name.unwrap_or_else(|| current.name().to_string()),
        business,
        phone: args.phone.unwrap_or_else(|| current.phone().to_string()),
        email: args.email.unwrap_or_else(|| current.email().to_string()),
        addresses,
    };
    let updated = ctx
        .engine
        .update_customer(&ctx.actor, current.id(), &input)?;
    let view = CustomerView::new(&updated);
    let waiting = updated.pending_contact().map(|change| {
        format!(
            "\nThe new phone {} / email {} apply once the code sent to them is entered:\n  \
             ordo customer confirm-contact {} --code CODE",
            change.phone, change.email, view.id
        )
    });
    ctx.out.show(&view, || {
        format!(
            "Updated customer {} (id {}).{}\n\n{}",
            view.name,
            view.id,
            waiting.clone().unwrap_or_default(),
            tables::customer_detail(&view, &[])
        )
    })
}

fn current_business(kind: &CustomerKind) -> Option<(String, String)> {
    match kind {
        CustomerKind::B2C => None,
        CustomerKind::B2B { company, tax_id } => Some((company.clone(), tax_id.clone())),
    }
}

fn history<S: Store>(ctx: &Context<S>, key: &str) -> anyhow::Result<()> {
    let customer = find(ctx, key)?;
    let entries = ctx.engine.customer_history(&ctx.actor, customer.id())?;
    let views: Vec<AuditEntryView> = entries.iter().map(AuditEntryView::new).collect();
    ctx.out.show(&views, || tables::audit(&views))
}

/// A customer by id, by phone number (text starting with `+`) or by Registration ID
/// (`CUS-…`).
///
/// # Errors
/// `Validation` for text that is none of these; `NotFound`; `Forbidden`.
pub fn find<S: Store>(ctx: &Context<S>, key: &str) -> anyhow::Result<Customer> {
    let key = key.trim();
    if key.starts_with('+') {
        return Ok(ctx.engine.customer_by_phone(&ctx.actor, key)?);
    }
    if key.len() > 4 && key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("CUS-")) {
        return Ok(ctx.engine.customer_by_registration_id(&ctx.actor, key)?);
    }
    let id = parse::customer_id(key)?;
    Ok(ctx.engine.get_customer(&ctx.actor, id)?)
}
