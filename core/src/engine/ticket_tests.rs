//! Tickets through the engine: the lifecycle, illegal transitions, privacy (another
//! customer's ticket is not found, internal comments never reach a customer), filters and
//! paging, a damaged ticket in a listing, and one audit entry per change.

use crate::audit::{AuditAction, Subject};
use crate::auth::{Actor, Role};
use crate::engine::tests::{Fixture, fixture};
use crate::engine::{OrderRequest, TicketFilter};
use crate::error::{EntityKind, Error, ErrorKind};
use crate::ids::{CustomerId, OrderId, TicketId, UserId};
use crate::message::{Direction, MessageChannel};
use crate::store::RecordKey;
use crate::testkit::sample;
use crate::testkit::wrappers::{UNREADABLE_REASON, UnreadableRecord};
use crate::ticket::{Ticket, TicketDraft, TicketPriority, TicketStatus, Visibility};

const PASSWORD: &str = "crates and pallets 9";

fn draft(customer: CustomerId, order: Option<OrderId>, subject: &str) -> TicketDraft {
    TicketDraft::parse(
        customer,
        order,
        subject,
        TicketPriority::Normal,
        "Please help.",
    )
    .unwrap()
}

fn staff(f: &Fixture, login: &str, role: Role) -> (UserId, Actor) {
    let user = f
        .engine
        .add_user(&f.admin, "Staffer", login, role, PASSWORD)
        .unwrap();
    (user.id(), Actor::staff(user.id(), role).unwrap())
}

fn other_customer(f: &Fixture) -> CustomerId {
    f.engine
        .create_customer(&f.admin, &sample::customer(9))
        .unwrap()
        .id()
}

fn ticket_trail(f: &Fixture, id: TicketId) -> Vec<AuditAction> {
    f.engine
        .audit_trail(Subject::Ticket(id))
        .unwrap()
        .into_iter()
        .map(|e| e.record.action)
        .collect()
}

fn ids(tickets: &[Ticket]) -> Vec<TicketId> {
    tickets.iter().map(Ticket::id).collect()
}

#[test]
fn a_ticket_goes_from_open_to_closed_with_one_audit_entry_per_change() {
    let f = fixture();
    let e = &f.engine;
    let order = f.order(&[("TEE", 1)]).unwrap().id();
    let (agent_id, agent) = staff(&f, "agent", Role::CustomerService);
    let me = Actor::customer(f.consumer);

    let opened = e
        .open_ticket(&agent, &draft(f.consumer, Some(order), "Parcel late"))
        .unwrap();
    let id = opened.id();
    assert_eq!(opened.status(), TicketStatus::Open);
    assert_eq!(opened.order(), Some(order));
    assert_eq!(opened.comments().len(), 1);
    let assigned = e.assign_ticket(&agent, id, Some(agent_id)).unwrap();
    assert_eq!(assigned.assignee(), Some(agent_id));
    let noted = e
        .comment_ticket(&agent, id, "courier says Tuesday", Visibility::Internal)
        .unwrap();
    assert_eq!(noted.comments().len(), 2);
    assert!(noted.comments()[1].internal());
    e.comment_ticket(&agent, id, "It arrives Tuesday.", Visibility::Visible)
        .unwrap();
    let pending = e
        .set_ticket_status(&agent, id, TicketStatus::Pending)
        .unwrap();
    assert_eq!(pending.status(), TicketStatus::Pending);
    // The customer answers: it is staff's turn again.
    let answered = e
        .comment_ticket(&me, id, "Tuesday is too late!", Visibility::Visible)
        .unwrap();
    assert_eq!(answered.status(), TicketStatus::Open);
    e.set_ticket_status(&agent, id, TicketStatus::Resolved)
        .unwrap();
    let closed = e
        .set_ticket_status(&agent, id, TicketStatus::Closed)
        .unwrap();
    assert_eq!(closed.status(), TicketStatus::Closed);
    assert_eq!(closed.comments().len(), 4);
    assert_eq!(closed.created_at(), opened.created_at());

    use AuditAction::*;
    let expected = vec![
        TicketOpened,
        TicketAssigned,
        TicketCommented,
        TicketCommented,
        TicketStatusChanged,
        TicketCommented,
        TicketStatusChanged,
        TicketStatusChanged,
    ];
    assert_eq!(ticket_trail(&f, id), expected);
    // Each entry is also on the customer's and the order's trail.
    let customer_trail = e.customer_history(&f.admin, f.consumer).unwrap();
    assert_eq!(
        customer_trail
            .iter()
            .filter(|entry| entry.record.subjects.contains(&Subject::Ticket(id)))
            .count(),
        expected.len()
    );
    let order_trail = e.order_history(&f.admin, order).unwrap();
    assert_eq!(
        order_trail
            .iter()
            .filter(|entry| entry.record.subjects.contains(&Subject::Ticket(id)))
            .count(),
        expected.len()
    );
    // The customer's comment that reopened it records the status change too.
    let trail = e.audit_trail(Subject::Ticket(id)).unwrap();
    let reopen = &trail[5].record;
    assert_eq!(reopen.actor, me.record());
    assert!(reopen.changes.iter().any(|c| c.field == "status"
        && c.before.as_deref() == Some("pending")
        && c.after.as_deref() == Some("open")));
}

#[test]
fn illegal_transitions_and_closed_tickets_are_refused_and_change_nothing() {
    let f = fixture();
    let e = &f.engine;
    let id = e
        .open_ticket(&f.admin, &draft(f.consumer, None, "Question"))
        .unwrap()
        .id();
    e.set_ticket_status(&f.admin, id, TicketStatus::Resolved)
        .unwrap();
    let refused = e
        .set_ticket_status(&f.admin, id, TicketStatus::Pending)
        .unwrap_err();
    assert_eq!(refused.code(), "illegal_ticket_transition");
    assert_eq!(refused.kind(), ErrorKind::Validation);
    e.set_ticket_status(&f.admin, id, TicketStatus::Closed)
        .unwrap();
    let before = e.get_ticket(&f.admin, id).unwrap();
    let trail_before = ticket_trail(&f, id).len();
    for to in TicketStatus::ALL {
        let error = e.set_ticket_status(&f.admin, id, to).unwrap_err();
        assert_eq!(error.code(), "illegal_ticket_transition", "{to}");
    }
    let comment = e
        .comment_ticket(&f.admin, id, "anyone?", Visibility::Visible)
        .unwrap_err();
    assert_eq!(comment.code(), "ticket_closed");
    let me = Actor::customer(f.consumer);
    assert_eq!(
        e.comment_ticket(&me, id, "hello?", Visibility::Visible)
            .unwrap_err()
            .code(),
        "ticket_closed"
    );
    assert_eq!(
        e.assign_ticket(&f.admin, id, None).unwrap_err().code(),
        "ticket_closed"
    );
    assert_eq!(e.get_ticket(&f.admin, id).unwrap(), before);
    assert_eq!(ticket_trail(&f, id).len(), trail_before);
    assert_eq!(trail_before, 3);
}

#[test]
fn another_customers_ticket_reads_exactly_like_a_missing_one() {
    let f = fixture();
    let e = &f.engine;
    let stranger = other_customer(&f);
    let theirs = Actor::customer(stranger);
    let order = f.order(&[("TEE", 1)]).unwrap().id();
    let id = e
        .open_ticket(&f.admin, &draft(f.consumer, Some(order), "Mine"))
        .unwrap()
        .id();
    let missing = TicketId(987_654);
    let same = |hidden: Error, absent: Error| {
        assert_eq!(hidden.kind(), ErrorKind::NotFound);
        assert_eq!(hidden.code(), absent.code());
        assert_eq!(
            hidden.to_string().replace(&id.to_string(), "#"),
            absent.to_string().replace(&missing.to_string(), "#")
        );
        assert_eq!(hidden, Error::not_found(EntityKind::Ticket, id));
    };
    same(
        e.get_ticket(&theirs, id).unwrap_err(),
        e.get_ticket(&theirs, missing).unwrap_err(),
    );
    same(
        e.comment_ticket(&theirs, id, "hi", Visibility::Visible)
            .unwrap_err(),
        e.comment_ticket(&theirs, missing, "hi", Visibility::Visible)
            .unwrap_err(),
    );
    // Nor may they open one for someone else, or about someone else's order.
    let for_other = e
        .open_ticket(&theirs, &draft(f.consumer, None, "x"))
        .unwrap_err();
    assert_eq!(
        for_other,
        Error::not_found(EntityKind::Customer, f.consumer)
    );
    let about_other = e
        .open_ticket(&theirs, &draft(stranger, Some(order), "x"))
        .unwrap_err();
    assert_eq!(about_other, Error::not_found(EntityKind::Order, order));
    // Staff get a plain answer for the same mistake.
    let staff_mistake = e
        .open_ticket(&f.admin, &draft(stranger, Some(order), "x"))
        .unwrap_err();
    assert_eq!(staff_mistake.field(), Some("order"));
    // Their listing holds nothing of another customer's, even when asked for.
    let asked = TicketFilter {
        customer: Some(f.consumer),
        ..TicketFilter::default()
    };
    assert!(e.list_tickets(&theirs, &asked).unwrap().items.is_empty());
    assert!(
        e.list_tickets(&theirs, &TicketFilter::default())
            .unwrap()
            .items
            .is_empty()
    );
    // Nothing was written by the refused attempts: one ticket, one audit entry.
    assert_eq!(ticket_trail(&f, id).len(), 1);
    assert_eq!(
        e.list_tickets(&f.admin, &TicketFilter::default())
            .unwrap()
            .items
            .len(),
        1
    );
}

#[test]
fn customers_open_and_read_their_own_tickets_without_internal_comments() {
    let f = fixture();
    let e = &f.engine;
    let me = Actor::customer(f.consumer);
    let order = f.order(&[("TEE", 1)]).unwrap().id();
    let id = e
        .open_ticket(&me, &draft(f.consumer, Some(order), "Wrong size"))
        .unwrap()
        .id();
    e.comment_ticket(&f.admin, id, "serial returner", Visibility::Internal)
        .unwrap();
    e.comment_ticket(&f.admin, id, "We will swap it.", Visibility::Visible)
        .unwrap();
    // Staff see three comments, the customer two, wherever they look.
    assert_eq!(e.get_ticket(&f.admin, id).unwrap().comments().len(), 3);
    let seen = e.get_ticket(&me, id).unwrap();
    assert_eq!(seen.comments().len(), 2);
    assert!(seen.comments().iter().all(|c| !c.internal()));
    let listed = e.list_tickets(&me, &TicketFilter::default()).unwrap();
    assert_eq!(ids(&listed.items), vec![id]);
    assert!(listed.items[0].comments().iter().all(|c| !c.internal()));
    let after_comment = e
        .comment_ticket(&me, id, "Thanks", Visibility::Visible)
        .unwrap();
    assert_eq!(after_comment.comments().len(), 3);
    assert!(after_comment.comments().iter().all(|c| !c.internal()));
    let history = e.purchase_history(&me, f.consumer).unwrap();
    assert_eq!(ids(&history.tickets), vec![id]);
    assert!(history.tickets[0].comments().iter().all(|c| !c.internal()));
    let staff_history = e.purchase_history(&f.admin, f.consumer).unwrap();
    assert_eq!(staff_history.tickets[0].comments().len(), 4);
    // A customer may not write internal comments, assign, or change the status.
    for result in [
        e.comment_ticket(&me, id, "psst", Visibility::Internal),
        e.assign_ticket(&me, id, None),
        e.set_ticket_status(&me, id, TicketStatus::Closed),
    ] {
        assert!(matches!(result, Err(Error::Forbidden { .. })), "{result:?}");
    }
    assert_eq!(e.get_ticket(&f.admin, id).unwrap().comments().len(), 4);
}

#[test]
fn tickets_go_only_to_active_staff_who_may_work_them() {
    let f = fixture();
    let e = &f.engine;
    let id = e
        .open_ticket(&f.admin, &draft(f.consumer, None, "Invoice"))
        .unwrap()
        .id();
    let (packer, _) = staff(&f, "packer", Role::Warehouse);
    let (processor, _) = staff(&f, "processor", Role::OrderProcessor);
    let (leaver, _) = staff(&f, "leaver", Role::CustomerService);
    e.disable_user(&f.admin, "leaver").unwrap();
    assert_eq!(
        e.assign_ticket(&f.admin, id, Some(packer))
            .unwrap_err()
            .field(),
        Some("assignee")
    );
    assert_eq!(
        e.assign_ticket(&f.admin, id, Some(leaver))
            .unwrap_err()
            .field(),
        Some("assignee")
    );
    assert_eq!(
        e.assign_ticket(&f.admin, id, Some(UserId(99_999)))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(ticket_trail(&f, id).len(), 1);
    let given = e.assign_ticket(&f.admin, id, Some(processor)).unwrap();
    assert_eq!(given.assignee(), Some(processor));
    let taken_back = e.assign_ticket(&f.admin, id, None).unwrap();
    assert_eq!(taken_back.assignee(), None);
    assert_eq!(ticket_trail(&f, id).len(), 3);
}

#[test]
fn listings_filter_by_status_assignee_customer_and_order_and_page() {
    let f = fixture();
    let e = &f.engine;
    let other = other_customer(&f);
    let order = f.order(&[("TEE", 1)]).unwrap().id();
    let (agent, _) = staff(&f, "agent", Role::CustomerService);
    let mut mine = Vec::new();
    for n in 0..5 {
        let about = (n % 2 == 0).then_some(order);
        mine.push(
            e.open_ticket(&f.admin, &draft(f.consumer, about, &format!("Q{n}")))
                .unwrap()
                .id(),
        );
    }
    let theirs: Vec<TicketId> = (0..3)
        .map(|n| {
            e.open_ticket(&f.admin, &draft(other, None, &format!("R{n}")))
                .unwrap()
                .id()
        })
        .collect();
    e.assign_ticket(&f.admin, mine[1], Some(agent)).unwrap();
    e.assign_ticket(&f.admin, theirs[2], Some(agent)).unwrap();
    e.set_ticket_status(&f.admin, mine[3], TicketStatus::Pending)
        .unwrap();
    e.set_ticket_status(&f.admin, theirs[0], TicketStatus::Pending)
        .unwrap();

    let list = |filter: TicketFilter| ids(&e.list_tickets(&f.admin, &filter).unwrap().items);
    let all: Vec<TicketId> = mine.iter().chain(&theirs).copied().collect();
    assert_eq!(list(TicketFilter::default()), all);
    assert_eq!(
        list(TicketFilter {
            customer: Some(other),
            ..TicketFilter::default()
        }),
        theirs
    );
    assert_eq!(
        list(TicketFilter {
            order: Some(order),
            ..TicketFilter::default()
        }),
        vec![mine[0], mine[2], mine[4]]
    );
    assert_eq!(
        list(TicketFilter {
            assignee: Some(agent),
            ..TicketFilter::default()
        }),
        vec![mine[1], theirs[2]]
    );
    assert_eq!(
        list(TicketFilter {
            status: Some(TicketStatus::Pending),
            ..TicketFilter::default()
        }),
        vec![mine[3], theirs[0]]
    );
    assert_eq!(
        list(TicketFilter {
            status: Some(TicketStatus::Open),
            customer: Some(f.consumer),
            ..TicketFilter::default()
        }),
        vec![mine[0], mine[1], mine[2], mine[4]]
    );
    assert_eq!(
        list(TicketFilter {
            status: Some(TicketStatus::Closed),
            ..TicketFilter::default()
        }),
        vec![]
    );
    // Paging two at a time, with and without an index, visits each ticket once.
    for base in [
        TicketFilter::default(),
        TicketFilter {
            status: Some(TicketStatus::Open),
            ..TicketFilter::default()
        },
    ] {
        let mut filter = TicketFilter { limit: 2, ..base };
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let page = e.list_tickets(&f.admin, &filter).unwrap();
            assert!(page.items.len() <= 2);
            pages += 1;
            seen.extend(ids(&page.items));
            match page.next_cursor {
                Some(cursor) => filter.cursor = Some(cursor),
                None => break,
            }
        }
        let expected: Vec<TicketId> = e
            .list_tickets(
                &f.admin,
                &TicketFilter {
                    cursor: None,
                    limit: 0,
                    ..filter.clone()
                },
            )
            .unwrap()
            .items
            .iter()
            .map(Ticket::id)
            .collect();
        assert_eq!(seen, expected);
        assert!(seen.len() >= 6, "{seen:?}");
        assert!(pages >= 3);
    }
    let bad = e
        .list_tickets(
            &f.admin,
            &TicketFilter {
                cursor: Some("zz".into()),
                ..TicketFilter::default()
            },
        )
        .unwrap_err();
    assert_eq!(bad.field(), Some("cursor"));
    // A customer's own listing, filters and all.
    let me = Actor::customer(f.consumer);
    assert_eq!(
        ids(&e.list_tickets(&me, &TicketFilter::default()).unwrap().items),
        mine
    );
    assert_eq!(
        ids(&e
            .list_tickets(
                &me,
                &TicketFilter {
                    assignee: Some(agent),
                    ..TicketFilter::default()
                }
            )
            .unwrap()
            .items),
        vec![mine[1]]
    );
}

#[test]
fn an_unreadable_ticket_is_skipped_and_reported_by_listings() {
    let f = fixture();
    let a = f
        .engine
        .open_ticket(&f.admin, &draft(f.consumer, None, "A"))
        .unwrap()
        .id();
    let b = f
        .engine
        .open_ticket(&f.admin, &draft(f.consumer, None, "B"))
        .unwrap()
        .id();
    let c = f
        .engine
        .open_ticket(&f.admin, &draft(f.consumer, None, "C"))
        .unwrap()
        .id();
    let store = UnreadableRecord::new(f.store.clone(), RecordKey::Ticket(b));
    let (engine, _) = sample::engine(&store, 1);
    let admin = sample::admin();
    for filter in [
        TicketFilter::default(),
        TicketFilter {
            customer: Some(f.consumer),
            ..TicketFilter::default()
        },
        TicketFilter {
            status: Some(TicketStatus::Open),
            ..TicketFilter::default()
        },
    ] {
        let page = engine.list_tickets(&admin, &filter).unwrap();
        assert_eq!(ids(&page.items), vec![a, c], "{filter:?}");
        assert_eq!(page.skipped.len(), 1);
        assert_eq!(page.skipped[0].key, RecordKey::Ticket(b));
        assert_eq!(page.skipped[0].reason, UNREADABLE_REASON);
    }
    assert_eq!(
        engine.get_ticket(&admin, b).unwrap_err().code(),
        "corrupted"
    );
}

#[test]
fn staff_who_may_not_work_tickets_are_refused_and_nothing_is_written() {
    let f = fixture();
    let e = &f.engine;
    let (_, analyst) = staff(&f, "analyst", Role::Analyst);
    let (_, packer) = staff(&f, "packer", Role::Warehouse);
    let id = e
        .open_ticket(&f.admin, &draft(f.consumer, None, "Q"))
        .unwrap()
        .id();
    // Analysts read; they do not write.
    assert_eq!(e.get_ticket(&analyst, id).unwrap().id(), id);
    let refused = [
        e.open_ticket(&analyst, &draft(f.consumer, None, "x")).err(),
        e.comment_ticket(&analyst, id, "x", Visibility::Visible)
            .err(),
        e.get_ticket(&packer, id).err(),
        e.list_tickets(&packer, &TicketFilter::default()).err(),
    ];
    assert_eq!(
        refused
            .iter()
            .filter(|r| matches!(r, Some(Error::Forbidden { .. })))
            .count(),
        4
    );
    assert_eq!(ticket_trail(&f, id).len(), 1);
    // An order of the customer created later is a fine subject too.
    let order = e
        .create_order(&f.admin, &OrderRequest::simple(f.consumer, &[("MUG", 1)]))
        .unwrap()
        .id();
    let about = e
        .open_ticket(
            &Actor::customer(f.consumer),
            &draft(f.consumer, Some(order), "Mug"),
        )
        .unwrap();
    assert_eq!(about.order(), Some(order));
}

#[test]
fn the_communication_log_shows_a_tickets_opening_and_visible_comments_only() {
    let f = fixture();
    let e = &f.engine;
    let order = f.order(&[("TEE", 1)]).unwrap().id();
    let (_, agent) = staff(&f, "agent", Role::CustomerService);
    let me = Actor::customer(f.consumer);
    let id = e
        .open_ticket(&me, &draft(f.consumer, Some(order), "Parcel late"))
        .unwrap()
        .id();
    e.comment_ticket(&agent, id, "courier says Tuesday", Visibility::Internal)
        .unwrap();
    e.comment_ticket(&agent, id, "It arrives Tuesday.", Visibility::Visible)
        .unwrap();
    e.comment_ticket(&me, id, "Thank you!", Visibility::Visible)
        .unwrap();
    let long = "x".repeat(crate::validate::limits::MAX_TEXT_CHARS);
    e.comment_ticket(&agent, id, &long, Visibility::Visible)
        .unwrap();

    let log = e.messages(&f.admin, f.consumer, 50).unwrap();
    let seen: Vec<(MessageChannel, Direction, String)> = log
        .iter()
        .rev()
        .map(|m| (m.channel, m.direction, m.text.chars().take(60).collect()))
        .collect();
    let prefix = format!("ticket {id} \"Parcel late\" ");
    assert_eq!(
        seen,
        vec![
            (
                MessageChannel::Ticket,
                Direction::Inbound,
                format!("{prefix}opened: Please help.")
            ),
            (
                MessageChannel::Ticket,
                Direction::Outbound,
                format!("{prefix}It arrives Tuesday.")
            ),
            (
                MessageChannel::Ticket,
                Direction::Inbound,
                format!("{prefix}Thank you!")
            ),
            (
                MessageChannel::Ticket,
                Direction::Outbound,
                format!("{prefix}{}", "x".repeat(60 - prefix.chars().count()))
            ),
        ]
    );
    assert!(log.iter().all(|m| m.order == Some(order)));
    // The long comment is cut to the log's limit, marked as cut.
    let cut = &log[0].text;
    assert_eq!(cut.chars().count(), crate::validate::limits::MAX_TEXT_CHARS);
    assert!(cut.ends_with('…'));
    assert!(!log.iter().any(|m| m.text.contains("courier says")));
    // Only a ticket writes ticket entries.
    let forged = e.log_message(
        &agent,
        f.consumer,
        MessageChannel::Ticket,
        Direction::Outbound,
        "ticket 1 \"Refund\" approved",
        None,
    );
    assert!(matches!(forged, Err(Error::Validation { ref field, .. }) if field == "channel"));
    assert_eq!(e.messages(&f.admin, f.consumer, 50).unwrap().len(), 4);
}
