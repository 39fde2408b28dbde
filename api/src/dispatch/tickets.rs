//! `ticket.*`: customer-service tickets. Privacy (another customer's ticket, internal
//! comments) is the engine's; this module only parses arguments and renders views.

use ordo_core::Result;
use ordo_core::engine::TicketFilter;
use ordo_core::error::Error;
use ordo_core::ids::{TicketId, UserId};
use ordo_core::store::Store;
use ordo_core::ticket::{TicketDraft, Visibility};
use serde_json::Value;

use super::{Op, value};
use crate::request::{Request, StaffKey};
use crate::views::{ListView, TicketView};

pub(super) fn run<S: Store>(op: &Op<'_, S>, request: Request) -> Result<Value> {
    let (engine, actor) = (op.engine, op.actor);
    match request {
        Request::TicketOpen(args) => {
            let customer = match (&args.customer, actor.customer_id()) {
                (Some(key), _) => op.customer_id(key)?,
                (None, Some(me)) => me,
                (None, None) => {
                    return Err(Error::invalid("customer", "is required"));
                }
            };
            let order = match &args.order {
                Some(key) => Some(op.order_id(key)?),
                None => None,
            };
            let draft =
                TicketDraft::parse(customer, order, &args.subject, args.priority, &args.message)?;
            value(&TicketView::new(&engine.open_ticket(actor, &draft)?))
        }
        Request::TicketComment(args) => {
            let visibility = if args.internal {
                Visibility::Internal
            } else {
                Visibility::Visible
            };
            let ticket = engine.comment_ticket(actor, TicketId(args.id), &args.text, visibility)?;
            value(&TicketView::new(&ticket))
        }
        Request::TicketAssign(args) => {
            let assignee = match &args.assignee {
                Some(key) => Some(staff_id(engine, actor, key)?),
                None => None,
            };
            value(&TicketView::new(&engine.assign_ticket(
                actor,
                TicketId(args.id),
                assignee,
            )?))
        }
        Request::TicketStatus(args) => value(&TicketView::new(&engine.set_ticket_status(
            actor,
            TicketId(args.id),
            args.status,
        )?)),
        Request::TicketGet(args) => value(&TicketView::new(
            &engine.get_ticket(actor, TicketId(args.id))?,
        )),
        Request::TicketList(args) => {
            let filter = TicketFilter {
                status: args.status,
                assignee: match &args.assignee {
                    Some(key) => Some(staff_id(engine, actor, key)?),
                    None => None,
                },
                customer: match &args.customer {
                    Some(key) => Some(op.customer_id(key)?),
                    None => None,
                },
                order: match &args.order {
                    Some(key) => Some(op.order_id(key)?),
                    None => None,
                },
                limit: args.limit.unwrap_or(0),
                cursor: args.cursor,
            };
            let page = engine.list_tickets(actor, &filter)?;
            let items = page.items.iter().map(TicketView::new).collect();
            value(&ListView::new(&page, items))
        }
        other => Err(super::misrouted(&other)),
    }
}

/// The id of a staff user named by id or login.
fn staff_id<S: Store>(
    engine: &ordo_core::engine::Engine<S>,
    actor: &ordo_core::auth::Actor,
    key: &StaffKey,
) -> Result<UserId> {
    match key {
        StaffKey::Id(id) => Ok(UserId(*id)),
        StaffKey::Login(login) => engine.ticket_staff_id(actor, login),
    }
}
