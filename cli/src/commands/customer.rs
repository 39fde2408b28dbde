//! `ordo customer …`: customer records (add, list, show, update, history) and the
//! dispatch of the account and activity subcommands.

use ordo_core::customer::CustomerInput;
use ordo_core::store::Store;

use crate::args::{CustomerCommand, UpdateArgs};
use crate::context::Context;
use crate::parse;
use crate::render::tables;
use crate::render::views::{AuditEntryView, CustomerView, ListView, OrderView};
use ordo_api::Request;
use ordo_api::request::{CustomerKey, CustomerList, CustomerUpdate, OnCustomer, OrderList};

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
    let view = find(ctx, key)?;
    if ctx.out.is_json() {
        return ctx.out.show(&view, String::new);
    }
    let recent: ListView<OrderView> = ctx.call(Request::OrderList(OrderList {
        customer: Some(view.id),
        include_archived: true,
        limit: Some(RECENT_ORDERS),
        ..OrderList::default()
    }))?;
    ctx.out
        .show(&view, || tables::customer_detail(&view, &recent.items))
}

/// Changes the given fields (the engine keeps the others).
fn update<S: Store>(ctx: &Context<S>, args: UpdateArgs) -> anyhow::Result<()> {
    let addresses = if args.addresses.is_empty() {
        None
    } else {
        Some(
            args.addresses
                .iter()
                .map(|a| parse::address(a))
                .collect::<ordo_core::Result<Vec<_>>>()?,
        )
    };
    let view: CustomerView = ctx.call(Request::CustomerUpdate(CustomerUpdate {
        customer: CustomerKey::Text(args.customer.clone()),
        name: args.name,
        phone: args.phone,
        email: args.email,
        company: args.company,
        tax_id: args.tax_id,
        addresses,
    }))?;
    let waiting = view.pending_contact.as_ref().map(|change| {
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

fn history<S: Store>(ctx: &Context<S>, key: &str) -> anyhow::Result<()> {
    let views: Vec<AuditEntryView> = ctx.call(Request::CustomerHistory(OnCustomer {
        customer: CustomerKey::Text(key.to_string()),
    }))?;
    ctx.out.show(&views, || tables::audit(&views))
}

/// A customer by id, by phone number (text starting with `+`) or by Registration ID
/// (`CUS-…`).
///
/// # Errors
/// `Validation` for text that is none of these; `NotFound`; `Forbidden`.
pub fn find<S: Store>(ctx: &Context<S>, key: &str) -> anyhow::Result<CustomerView> {
    ctx.call(Request::CustomerGet(CustomerKey::Text(
        key.trim().to_string(),
    )))
}
