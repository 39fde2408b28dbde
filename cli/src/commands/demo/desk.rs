//! The demo's service desk: tickets customers raised about their orders, worked by
//! customer service (assigned, answered, some with internal notes, some resolved or
//! closed), all through the wire contract like the rest of the demo.

use ordo_api::Request;
use ordo_api::request::{
    CustomerKey, ListArgs, OrderKey, OrderList, TicketAssign, TicketCommentArgs, TicketOpen,
    TicketSetStatus,
};
use ordo_api::views::{StaffUserView, TicketView};
use ordo_core::clock::Clock;
use ordo_core::store::Store;
use ordo_core::ticket::{TicketPriority, TicketStatus};

use super::dice::Dice;
use super::plan::Buyer;
use super::{Demo, ListView, OrderView};

/// What customers write about, and what the desk answers.
const CASES: [(&str, &str, &str); 6] = [
    (
        "Where is my parcel?",
        "My order has not arrived yet. Can you check?",
        "It left our warehouse yesterday; the carrier expects to deliver it tomorrow.",
    ),
    (
        "Wrong size",
        "I ordered M and would like L instead, is that possible?",
        "We can exchange it: send it back with the return label we emailed you.",
    ),
    (
        "Change the delivery address",
        "I moved last week; please ship to my new address.",
        "Done: the order now ships to your new address.",
    ),
    (
        "Invoice for my company",
        "Please send an invoice with our tax id.",
        "The invoice is on its way to your email.",
    ),
    (
        "Damaged item",
        "The mug arrived with a crack.",
        "Sorry about that! A replacement is on its way.",
    ),
    (
        "Payment taken twice?",
        "My card statement shows two charges.",
        "Only one charge went through; the other was an authorization that expires.",
    ),
];

impl<S: Store> Demo<S> {
    /// Opens `count` tickets for random buyers (about their newest order when they have
    /// one) and works them as the desk would; returns how many were opened.
    pub(super) fn tickets(
        &self,
        buyers: &[Buyer],
        dice: &Dice,
        count: usize,
    ) -> anyhow::Result<usize> {
        let users: ListView<StaffUserView> = self.call(Request::UserList(ListArgs::default()))?;
        let desk = users
            .items
            .iter()
            .find(|u| u.role == "customer-service")
            .map(|u| u.id);
        let mut opened = 0;
        for n in 0..count {
            let Some(buyer) = dice.pick(buyers) else {
                break;
            };
            let orders: ListView<OrderView> = self.call(Request::OrderList(OrderList {
                customer: Some(buyer.id.0),
                limit: Some(20),
                ..OrderList::default()
            }))?;
            // Their newest order that existed when they wrote.
            let now = self.clock.now().to_string();
            let about = orders.items.iter().find(|o| o.created_at <= now);
            let (subject, message, answer) = CASES[n % CASES.len()];
            let priority = match dice.weighted(&[20, 60, 15, 5]) {
                0 => TicketPriority::Low,
                1 => TicketPriority::Normal,
                2 => TicketPriority::High,
                _ => TicketPriority::Urgent,
            };
            let ticket: TicketView = self.call(Request::TicketOpen(TicketOpen {
                customer: Some(CustomerKey::Id { id: buyer.id.0 }),
                order: about.map(|o| OrderKey::Id { id: o.id }),
                subject: subject.to_string(),
                priority,
                message: message.to_string(),
            }))?;
            opened += 1;
            self.clock
                .advance(dice.between(60_000, super::TICKET_STEP_MS));
            if dice.chance(80) {
                let _: TicketView = self.call(Request::TicketAssign(TicketAssign {
                    id: ticket.id,
                    assignee: desk.map(ordo_api::request::StaffKey::Id),
                }))?;
            }
            if dice.chance(40) {
                let _: TicketView = self.call(Request::TicketComment(TicketCommentArgs {
                    id: ticket.id,
                    text: "Checked the order and the carrier's tracking.".to_string(),
                    internal: true,
                }))?;
            }
            if dice.chance(75) {
                let _: TicketView = self.call(Request::TicketComment(TicketCommentArgs {
                    id: ticket.id,
                    text: answer.to_string(),
                    internal: false,
                }))?;
                let status = match dice.weighted(&[30, 50, 20]) {
                    0 => TicketStatus::Pending,
                    1 => TicketStatus::Resolved,
                    _ => TicketStatus::Closed,
                };
                let _: TicketView = self.call(Request::TicketStatus(TicketSetStatus {
                    id: ticket.id,
                    status,
                }))?;
            }
        }
        Ok(opened)
    }
}
