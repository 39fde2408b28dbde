//! Customer-service tickets: open, comment, assign, change status, read and list.
//!
//! Staff with `ManageTickets` work any ticket; a customer (`OpenOwnTickets`) opens tickets
//! for themselves (about an order of theirs, or none), reads their own and comments on
//! them visibly. Two privacy rules hold here, not in any adapter: a customer never gets
//! an internal comment (every ticket handed to a customer goes through
//! [`Ticket::without_internal_comments`]), and another customer's ticket reads
//! byte-for-byte like one that does not exist (`queries::hide_not_found`). Every change
//! writes exactly one audit entry (subjects: the ticket, its customer, its order if any).
//! The opening of a ticket and every comment the customer sees also go into the
//! customer's communication log (channel `ticket`), in the same write set.

use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation, Role};
use crate::clock::Timestamp;
use crate::credentials::LoginId;
use crate::error::{EntityKind, Error, Result};
use crate::ids::{CustomerId, MessageId, OrderId, TicketId, UserId};
use crate::message::{CommMessage, Direction, MessageChannel};
use crate::staff::StaffUser;
use crate::store::{IndexName, Record, RecordKey, RecordKind, Store, StoreError, Versioned, keys};
use crate::ticket::{Ticket, TicketComment, TicketDraft, TicketStatus, Visibility};

use super::Engine;
use super::queries::{MAX_PAGE, Page, hide_not_found};
use super::unit::Unit;

/// Filters for [`Engine::list_tickets`]. All are optional and combine with AND. Tickets
/// come in opening (id) order, oldest first: the order a desk works them in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    /// Only tickets in this status.
    pub status: Option<TicketStatus>,
    /// Only tickets assigned to this staff user.
    pub assignee: Option<UserId>,
    /// Only this customer's tickets (a customer always sees only their own).
    pub customer: Option<CustomerId>,
    /// Only tickets about this order.
    pub order: Option<OrderId>,
    /// Page size (1..=500; 0 means 50).
    pub limit: usize,
    /// Continue after this cursor (the `next_cursor` of a previous page).
    pub cursor: Option<String>,
}

impl TicketFilter {
    fn matches(&self, ticket: &Ticket) -> bool {
        self.status.is_none_or(|s| ticket.status() == s)
            && self.assignee.is_none_or(|u| ticket.assignee() == Some(u))
            && self.customer.is_none_or(|c| ticket.customer() == c)
            && self.order.is_none_or(|o| ticket.order() == Some(o))
    }
}

/// Who may write on tickets: customers for themselves, staff for anyone.
fn require_ticket_writer(actor: &Actor) -> Result<()> {
    match actor.role() {
        Role::Customer => actor.require(Operation::OpenOwnTickets),
        Role::Admin
        | Role::OrderProcessor
        | Role::CustomerService
        | Role::Sales
        | Role::Warehouse
        | Role::Analyst
        | Role::Guest => actor.require(Operation::ManageTickets),
    }
}

/// The ticket as `actor` may see it: a customer never gets internal comments.
fn as_seen_by(actor: &Actor, ticket: Ticket) -> Ticket {
    match actor.customer_id() {
        Some(_) => ticket.without_internal_comments(),
        None => ticket,
    }
}

fn unknown(id: TicketId) -> Error {
    Error::not_found(EntityKind::Ticket, id)
}

/// Subjects of a ticket's audit entries: the ticket, its customer, its order if any.
fn subjects(ticket: &Ticket) -> Vec<Subject> {
    let mut subjects = vec![
        Subject::Ticket(ticket.id()),
        Subject::Customer(ticket.customer()),
    ];
    subjects.extend(ticket.order().map(Subject::Order));
    subjects
}

impl<S: Store> Engine<S> {
    /// Opens a ticket from `draft`. A customer opens only for themselves, about an order
    /// of theirs or none (anything else reads as not found); staff open for any customer,
    /// about an order of that customer.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound` for the customer or order; `Validation` for an order of
    /// another customer (staff); `Storage`.
    pub fn open_ticket(&self, actor: &Actor, draft: &TicketDraft) -> Result<Ticket> {
        require_ticket_writer(actor)?;
        if actor.customer_id().is_some_and(|me| me != draft.customer()) {
            return Err(Error::not_found(EntityKind::Customer, draft.customer()));
        }
        self.transact(|unit| {
            let customer = unit.customer(draft.customer())?;
            if let Some(order_id) = draft.order() {
                let order = unit.order(order_id)?;
                if order.customer() != customer.id() {
                    if actor.customer_id().is_some() {
                        return Err(Error::not_found(EntityKind::Order, order_id));
                    }
                    return Err(Error::invalid(
                        "order",
                        format!("{order_id} belongs to another customer"),
                    ));
                }
            }
            let id = TicketId(unit.store().next_id()?);
            let now = self.clock.now();
            let ticket = Ticket::open(id, draft.clone(), actor.record(), now);
            unit.reindex(&[], &keys::ticket_entries(&ticket));
            let mut changes = vec![
                FieldChange::new("subject", None, Some(ticket.subject().to_string())),
                FieldChange::new("priority", None, Some(ticket.priority().to_string())),
                FieldChange::new("status", None, Some(ticket.status().to_string())),
            ];
            if let Some(order) = ticket.order() {
                changes.push(FieldChange::new("order", None, Some(order.to_string())));
            }
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action: AuditAction::TicketOpened,
                subjects: subjects(&ticket),
                changes,
            });
            let opening = ticket
                .comments()
                .first()
                .map(|c| format!(": {}", c.text()))
                .unwrap_or_default();
            log_ticket_message(
                unit,
                &ticket,
                Direction::Inbound,
                &format!("opened{opening}"),
                now,
            )?;
            unit.put(Record::Ticket(ticket.clone()));
            Ok(ticket)
        })
    }

    /// Adds a comment to a ticket. Internal comments are staff's (`ManageTickets`); a
    /// customer's comment on a pending or resolved ticket gives it back to staff (open).
    /// Returns the ticket as the actor may see it.
    ///
    /// # Errors
    /// `Forbidden` (an internal comment by a customer too); `NotFound` (another customer's
    /// ticket alike); `Validation` for the text; [`crate::Refusal::TicketClosed`];
    /// `Storage`.
    pub fn comment_ticket(
        &self,
        actor: &Actor,
        id: TicketId,
        text: &str,
        visibility: Visibility,
    ) -> Result<Ticket> {
        require_ticket_writer(actor)?;
        if visibility == Visibility::Internal {
            actor.require(Operation::ManageTickets)?;
        }
        self.change_ticket(
            actor,
            id,
            AuditAction::TicketCommented,
            |unit, ticket, now| {
                let comment = TicketComment::new(now, actor.record(), text, visibility)?;
                if visibility == Visibility::Visible {
                    let direction = match actor.customer_id() {
                        Some(_) => Direction::Inbound,
                        None => Direction::Outbound,
                    };
                    log_ticket_message(unit, ticket, direction, comment.text(), now)?;
                }
                let before = ticket.status();
                ticket.comment(comment)?;
                if actor.customer_id().is_some() {
                    ticket.customer_commented();
                }
                let kind = match visibility {
                    Visibility::Visible => "visible",
                    Visibility::Internal => "internal",
                };
                let mut changes = vec![FieldChange::new(
                    &format!("{kind} comment"),
                    None,
                    Some(text.trim().to_string()),
                )];
                if ticket.status() != before {
                    changes.push(FieldChange::new(
                        "status",
                        Some(before.to_string()),
                        Some(ticket.status().to_string()),
                    ));
                }
                Ok(changes)
            },
        )
    }

    /// Gives a ticket to a staff user who may work tickets (`None`: to nobody).
    ///
    /// # Errors
    /// `Forbidden`; `NotFound` for the ticket or the user; `Validation` for a user who is
    /// disabled or may not work tickets; [`crate::Refusal::TicketClosed`]; `Storage`.
    pub fn assign_ticket(
        &self,
        actor: &Actor,
        id: TicketId,
        assignee: Option<UserId>,
    ) -> Result<Ticket> {
        actor.require(Operation::ManageTickets)?;
        self.change_ticket(
            actor,
            id,
            AuditAction::TicketAssigned,
            |unit, ticket, now| {
                if let Some(user) = assignee {
                    check_assignee(&unit.user(user)?)?;
                }
                let before = ticket.assignee();
                ticket.assign(assignee, now)?;
                Ok(vec![FieldChange::new(
                    "assignee",
                    before.map(|u| u.to_string()),
                    assignee.map(|u| u.to_string()),
                )])
            },
        )
    }

    /// Moves a ticket to `status` (THE table: [`TicketStatus::allowed_next`]).
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; [`crate::Refusal::IllegalTicketTransition`]; `Storage`.
    pub fn set_ticket_status(
        &self,
        actor: &Actor,
        id: TicketId,
        status: TicketStatus,
    ) -> Result<Ticket> {
        actor.require(Operation::ManageTickets)?;
        self.change_ticket(
            actor,
            id,
            AuditAction::TicketStatusChanged,
            |_, ticket, now| {
                let before = ticket.status();
                ticket.set_status(status, now)?;
                Ok(vec![FieldChange::new(
                    "status",
                    Some(before.to_string()),
                    Some(status.to_string()),
                )])
            },
        )
    }

    /// One ticket, as the actor may see it (a customer: only their own, without internal
    /// comments).
    ///
    /// # Errors
    /// `Forbidden`; `NotFound` (another customer's ticket alike); `Storage`.
    pub fn get_ticket(&self, actor: &Actor, id: TicketId) -> Result<Ticket> {
        actor.require(Operation::ReadTickets)?;
        let ticket = match self.store.get(&RecordKey::Ticket(id))? {
            Some(Versioned {
                value: Record::Ticket(t),
                ..
            }) => t,
            Some(_) => {
                return Err(StoreError::Corrupted {
                    key: RecordKey::Ticket(id).to_string(),
                    reason: "expected a ticket record".into(),
                }
                .into());
            }
            None => return Err(unknown(id)),
        };
        check_ticket_owner(actor, &ticket).map_err(|e| hide_not_found(e, || unknown(id)))?;
        Ok(as_seen_by(actor, ticket))
    }

    /// Tickets matching `filter` in opening order, one page at a time; a customer sees only
    /// their own (asking for another customer's gives an empty page), without internal
    /// comments. Tickets whose bytes do not decode are reported in `skipped`.
    ///
    /// # Errors
    /// `Forbidden`; `Validation` for a bad limit or cursor; `Storage`.
    pub fn list_tickets(&self, actor: &Actor, filter: &TicketFilter) -> Result<Page<Ticket>> {
        actor.require(Operation::ReadTickets)?;
        let limit = match filter.limit {
            0 => 50,
            n if n > MAX_PAGE => {
                return Err(Error::invalid(
                    "limit",
                    format!("must be at most {MAX_PAGE}"),
                ));
            }
            n => n,
        };
        let after =
            match filter.cursor.as_deref() {
                Some(text) => Some(text.trim().parse::<u64>().map_err(|_| {
                    Error::invalid("cursor", "is not a cursor from a previous page")
                })?),
                None => None,
            };
        let mut filter = filter.clone();
        if let Some(me) = actor.customer_id() {
            if filter.customer.is_some_and(|c| c != me) {
                return Ok(Page::of(Vec::new()));
            }
            filter.customer = Some(me);
        }
        let source = if let Some(order) = filter.order {
            Some((IndexName::TicketByOrder, keys::ticket_owner_prefix(order.0)))
        } else if let Some(customer) = filter.customer {
            Some((
                IndexName::TicketByCustomer,
                keys::ticket_owner_prefix(customer.0),
            ))
        } else if let Some(user) = filter.assignee {
            Some((
                IndexName::TicketByAssignee,
                keys::ticket_owner_prefix(user.0),
            ))
        } else {
            filter
                .status
                .map(|s| (IndexName::TicketByStatus, keys::ticket_status_prefix(s)))
        };
        let page = match source {
            Some((index, prefix)) => self.walk_tickets(index, &prefix, after, &filter, limit)?,
            None => self.list_records(
                RecordKind::Ticket,
                after.map(|a| RecordKey::Ticket(TicketId(a))),
                limit,
                |record| match record {
                    Record::Ticket(t) => Some(t),
                    _ => None,
                },
            )?,
        };
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|t| as_seen_by(actor, t))
                .collect(),
            next_cursor: page.next_cursor,
            skipped: page.skipped,
        })
    }

    /// The tickets of one customer, all of them, as `actor` may see them (for the
    /// purchase history; the caller has checked the permission).
    pub(super) fn tickets_of(&self, actor: &Actor, customer: CustomerId) -> Result<Vec<Ticket>> {
        let mut tickets = Vec::new();
        let mut cursor = None;
        // Bounded: each page moves the cursor forward over a finite index.
        loop {
            let filter = TicketFilter {
                customer: Some(customer),
                limit: MAX_PAGE,
                cursor,
                ..TicketFilter::default()
            };
            let page = self.list_tickets(actor, &filter)?;
            tickets.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(tickets),
            }
        }
    }

    /// Walks `prefix ‖ id` keys of `index` after ticket `after`, keeping the tickets that
    /// match `filter`, up to `limit` entries (read or skipped) or the scan bound.
    fn walk_tickets(
        &self,
        index: IndexName,
        prefix: &[u8],
        after: Option<u64>,
        filter: &TicketFilter,
        limit: usize,
    ) -> Result<Page<Ticket>> {
        self.walk_index(
            (index, prefix),
            after,
            limit,
            |id| RecordKey::Ticket(TicketId(id)),
            |record| match record {
                Record::Ticket(r) => Some(r),
                _ => None,
            },
            |r| filter.matches(r),
        )
    }

    /// Loads a ticket the actor may change, lets `change` change it (returning the audit
    /// entry's fields), and writes it with its index changes and one audit entry.
    /// The id of the staff user who logs in as `login`: how desks name the person a ticket
    /// goes to (or a listing filters on). Needs `ReadTickets`, so customers cannot probe
    /// staff logins.
    ///
    /// # Errors
    /// `Forbidden`; `Validation` for a malformed login; `NotFound` for an unknown one;
    /// `Storage`.
    pub fn ticket_staff_id(&self, actor: &Actor, login: &str) -> Result<UserId> {
        actor.require(Operation::ReadTickets)?;
        let login = LoginId::parse(login)?;
        Unit::new(&self.store)
            .index_id(IndexName::UserByLogin, &keys::login(&login))?
            .map(UserId)
            .ok_or_else(|| Error::not_found(EntityKind::User, &login))
    }

    fn change_ticket(
        &self,
        actor: &Actor,
        id: TicketId,
        action: AuditAction,
        change: impl Fn(&mut Unit<'_, S>, &mut Ticket, Timestamp) -> Result<Vec<FieldChange>>,
    ) -> Result<Ticket> {
        let ticket = self.transact(|unit| {
            let mut ticket = ticket_in(unit, id)?;
            check_ticket_owner(actor, &ticket).map_err(|e| hide_not_found(e, || unknown(id)))?;
            let before = keys::ticket_entries(&ticket);
            let now = self.clock.now();
            let changes = change(unit, &mut ticket, now)?;
            ticket.check_invariants();
            unit.reindex(&before, &keys::ticket_entries(&ticket));
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action,
                subjects: subjects(&ticket),
                changes,
            });
            unit.put(Record::Ticket(ticket.clone()));
            Ok(ticket)
        })?;
        Ok(as_seen_by(actor, ticket))
    }
}

/// Adds an entry about `ticket` to its customer's communication log: `ticket 12 "subject"
/// TEXT`, cut to the log's length limit.
fn log_ticket_message<S: Store>(
    unit: &mut Unit<'_, S>,
    ticket: &Ticket,
    direction: Direction,
    text: &str,
    now: Timestamp,
) -> Result<()> {
    let full = format!("ticket {} \"{}\" {text}", ticket.id(), ticket.subject());
    let limit = crate::validate::limits::MAX_TEXT_CHARS;
    let text = if full.chars().count() > limit {
        let mut cut: String = full.chars().take(limit - 1).collect();
        cut.push('…');
        cut
    } else {
        full
    };
    let message = CommMessage {
        id: MessageId(unit.store().next_id()?),
        customer: ticket.customer(),
        at: now,
        channel: MessageChannel::Ticket,
        direction,
        text,
        order: ticket.order(),
    };
    unit.reindex(&[], &keys::message_entries(&message));
    unit.put(Record::Message(message));
    Ok(())
}

/// Tickets go only to active staff whose role may work them.
fn check_assignee(user: &StaffUser) -> Result<()> {
    if !user.is_active() {
        return Err(Error::invalid(
            "assignee",
            format!("staff user {} is disabled", user.id()),
        ));
    }
    if !user.role().allows(Operation::ManageTickets) {
        return Err(Error::invalid(
            "assignee",
            format!(
                "staff user {} is {} and may not work tickets",
                user.id(),
                user.role()
            ),
        ));
    }
    Ok(())
}

/// A customer acts only on their own tickets (others are `NotFound`).
fn check_ticket_owner(actor: &Actor, ticket: &Ticket) -> Result<()> {
    match actor.customer_id() {
        Some(me) if me != ticket.customer() => Err(unknown(ticket.id())),
        Some(_) | None => Ok(()),
    }
}

/// A ticket loaded into the unit (version-checked at apply).
fn ticket_in<S: Store>(unit: &mut Unit<'_, S>, id: TicketId) -> Result<Ticket> {
    unit.optional(RecordKey::Ticket(id), "ticket", |r| match r {
        Record::Ticket(t) => Some(t),
        _ => None,
    })?
    .ok_or_else(|| unknown(id))
}
