//! `ordo ticket …`: customer-service tickets through the contract (`ticket.*`). Who may
//! do what, and what a customer may see, is the engine's: this module builds requests
//! and renders the views it gets back.

use ordo_api::Request;
use ordo_api::request::{
    CustomerKey, OnTicket, OrderKey, StaffKey, TicketAssign, TicketCommentArgs, TicketList,
    TicketOpen, TicketSetStatus,
};
use ordo_core::error::Error;
use ordo_core::store::Store;
use ordo_core::ticket::{TicketPriority, TicketStatus};

use crate::args::TicketCommand;
use crate::context::Context;
use crate::parse;
use crate::render::tables;
use crate::render::views::{ListView, TicketView};

/// Runs one ticket subcommand.
///
/// # Errors
/// `Validation` (exit 3) for a bad status, priority or text and for a lifecycle refusal;
/// `NotFound` (exit 4), also for another customer's ticket; `Forbidden` (exit 6).
pub fn run<S: Store>(ctx: &Context<S>, command: TicketCommand) -> anyhow::Result<()> {
    match command {
        TicketCommand::Open {
            customer,
            order,
            subject,
            priority,
            message,
        } => {
            let customer = customer
                .as_deref()
                .map(parse::customer_id)
                .transpose()?
                .map(|c| CustomerKey::Number(c.get()));
            let view: TicketView = ctx.call(Request::TicketOpen(TicketOpen {
                customer,
                order: order.map(OrderKey::Text),
                subject,
                priority: TicketPriority::parse(&priority)?,
                message,
            }))?;
            show(ctx, &view, &format!("Ticket {} opened.", view.id))
        }
        TicketCommand::Comment { id, text, internal } => {
            let view: TicketView = ctx.call(Request::TicketComment(TicketCommentArgs {
                id,
                text,
                internal,
            }))?;
            let kind = if internal {
                "Internal comment"
            } else {
                "Comment"
            };
            show(ctx, &view, &format!("{kind} added to ticket {id}."))
        }
        TicketCommand::Assign { id, user, nobody } => {
            let assignee = if nobody {
                None
            } else {
                user.as_deref().map(staff_key)
            };
            let view: TicketView =
                ctx.call(Request::TicketAssign(TicketAssign { id, assignee }))?;
            let said = match view.assignee_id {
                Some(user) => format!("Ticket {id} assigned to staff user {user}."),
                None => format!("Ticket {id} is assigned to nobody."),
            };
            show(ctx, &view, &said)
        }
        TicketCommand::Status { id, status } => {
            let status = TicketStatus::parse(&status)?;
            let view: TicketView =
                ctx.call(Request::TicketStatus(TicketSetStatus { id, status }))?;
            show(ctx, &view, &format!("Ticket {id} is now {}.", view.status))
        }
        TicketCommand::Show { id } => {
            let view: TicketView = ctx.call(Request::TicketGet(OnTicket { id }))?;
            ctx.out.show(&view, || tables::ticket_detail(&view))
        }
        TicketCommand::List {
            status,
            assignee,
            customer,
            order,
            limit,
            cursor,
        } => {
            if !(1..=500).contains(&limit) {
                return Err(Error::invalid("limit", "must be from 1 to 500").into());
            }
            let page: ListView<TicketView> = ctx.call(Request::TicketList(TicketList {
                status: status.as_deref().map(TicketStatus::parse).transpose()?,
                assignee: assignee.as_deref().map(staff_key),
                customer: customer
                    .as_deref()
                    .map(parse::customer_id)
                    .transpose()?
                    .map(|c| CustomerKey::Number(c.get())),
                order: order.map(OrderKey::Text),
                limit: Some(limit),
                cursor,
            }))?;
            ctx.out.warn_skipped(&page.skipped);
            ctx.out.show(&page, || {
                let mut text = tables::ticket_list(&page.items);
                if let Some(cursor) = &page.next_cursor {
                    text.push_str(&format!(
                        "\nMore tickets: repeat the command with --cursor {cursor}"
                    ));
                }
                text
            })
        }
    }
}

/// The ticket after a change: a one-line confirmation, then the ticket.
fn show<S: Store>(ctx: &Context<S>, view: &TicketView, said: &str) -> anyhow::Result<()> {
    ctx.out.show(view, || {
        format!("{said}\n\n{}", tables::ticket_detail(view))
    })
}

/// A staff user as typed: digits are an id, anything else a login.
fn staff_key(text: &str) -> StaffKey {
    match text.trim().parse::<u64>() {
        Ok(id) => StaffKey::Id(id),
        Err(_) => StaffKey::Login(text.trim().to_string()),
    }
}
