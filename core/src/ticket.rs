//! Customer-service tickets: a customer's question or problem (optionally about one of
//! their orders), worked by staff through a status lifecycle, with a thread of comments.
//!
//! A comment is either visible to the customer or internal (staff only); the engine
//! leaves internal comments out of every ticket it hands a customer. [`TicketStatus`] has
//! THE transition table ([`TicketStatus::allowed_next`]): closed is final, resolved may
//! reopen.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::auth::RecordedActor;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, OrderId, TicketId, UserId};
use crate::refusal::Refusal;
use crate::validate::{self, limits};

/// The longest ticket subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// The most comments one ticket holds (a longer conversation is a new ticket); bounds the
/// record's size.
pub const MAX_COMMENTS: usize = 200;

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Waiting for staff.
    Open,
    /// Waiting for the customer (or someone else) to answer.
    Pending,
    /// Staff consider it solved; the customer may still reopen it.
    Resolved,
    /// Done for good: nothing about it changes any more.
    Closed,
}

impl TicketStatus {
    /// Every status.
    pub const ALL: [TicketStatus; 4] = [
        TicketStatus::Open,
        TicketStatus::Pending,
        TicketStatus::Resolved,
        TicketStatus::Closed,
    ];

    /// THE transition table: the statuses a ticket may move to from `self`.
    pub fn allowed_next(self) -> &'static [TicketStatus] {
        use TicketStatus::*;
        match self {
            Open => &[Pending, Resolved, Closed],
            Pending => &[Open, Resolved, Closed],
            Resolved => &[Open, Closed],
            Closed => &[],
        }
    }

    /// Checks the move `self → to`.
    ///
    /// # Errors
    /// [`Refusal::IllegalTicketTransition`] naming the allowed next statuses.
    pub fn transition(self, to: TicketStatus) -> Result<TicketStatus> {
        if self.allowed_next().contains(&to) {
            Ok(to)
        } else {
            Err(Refusal::IllegalTicketTransition {
                from: self,
                to,
                allowed: self.allowed_next().to_vec(),
            }
            .into())
        }
    }

    /// Whether comments may still be added.
    pub fn accepts_comments(self) -> bool {
        match self {
            TicketStatus::Open | TicketStatus::Pending | TicketStatus::Resolved => true,
            TicketStatus::Closed => false,
        }
    }

    /// Where a customer's comment takes the ticket: they answered (pending) or are not
    /// satisfied (resolved), so it is staff's turn again.
    pub fn after_customer_comment(self) -> TicketStatus {
        match self {
            TicketStatus::Open | TicketStatus::Pending | TicketStatus::Resolved => {
                TicketStatus::Open
            }
            TicketStatus::Closed => TicketStatus::Closed,
        }
    }

    /// The byte this status has in index keys (part of the on-disk format).
    pub fn code(self) -> u8 {
        match self {
            TicketStatus::Open => 1,
            TicketStatus::Pending => 2,
            TicketStatus::Resolved => 3,
            TicketStatus::Closed => 4,
        }
    }

    /// Parses `open`, `pending`, `resolved` or `closed` (any case).
    ///
    /// # Errors
    /// `Validation` listing the statuses.
    pub fn parse(text: &str) -> Result<TicketStatus> {
        TicketStatus::ALL
            .into_iter()
            .find(|s| s.to_string().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                Error::invalid(
                    "ticket status",
                    format!("{text:?} must be open, pending, resolved or closed"),
                )
            })
    }
}

impl fmt::Display for TicketStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        })
    }
}

/// How urgent a ticket is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TicketPriority {
    /// When there is time.
    Low,
    /// The usual.
    #[default]
    Normal,
    /// Before the normal ones.
    High,
    /// Now.
    Urgent,
}

impl TicketPriority {
    /// Every priority, lowest first.
    pub const ALL: [TicketPriority; 4] = [
        TicketPriority::Low,
        TicketPriority::Normal,
        TicketPriority::High,
        TicketPriority::Urgent,
    ];

    /// Parses `low`, `normal`, `high` or `urgent` (any case).
    ///
    /// # Errors
    /// `Validation` listing the priorities.
    pub fn parse(text: &str) -> Result<TicketPriority> {
        TicketPriority::ALL
            .into_iter()
            .find(|p| p.to_string().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                Error::invalid(
                    "priority",
                    format!("{text:?} must be low, normal, high or urgent"),
                )
            })
    }
}

impl fmt::Display for TicketPriority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TicketPriority::Low => "low",
            TicketPriority::Normal => "normal",
            TicketPriority::High => "high",
            TicketPriority::Urgent => "urgent",
        })
    }
}

/// Who may read a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// The customer and staff.
    #[default]
    Visible,
    /// Staff only: never shown to the customer.
    Internal,
}

/// One comment on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketComment {
    at: Timestamp,
    author: RecordedActor,
    text: String,
    internal: bool,
}

impl TicketComment {
    /// A comment; `text` is checked (required, at most `MAX_TEXT_CHARS`, newlines allowed).
    ///
    /// # Errors
    /// `Validation` naming `comment`.
    pub fn new(
        at: Timestamp,
        author: RecordedActor,
        text: &str,
        visibility: Visibility,
    ) -> Result<TicketComment> {
        let text = validate::multiline_text("comment", text, limits::MAX_TEXT_CHARS)?;
        if text.is_empty() {
            return Err(Error::invalid("comment", "is required"));
        }
        Ok(TicketComment {
            at,
            author,
            text,
            internal: visibility == Visibility::Internal,
        })
    }

    /// When it was written.
    pub fn at(&self) -> Timestamp {
        self.at
    }

    /// Who wrote it.
    pub fn author(&self) -> &RecordedActor {
        &self.author
    }

    /// What it says.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether only staff may read it.
    pub fn internal(&self) -> bool {
        self.internal
    }
}

/// A checked request to open a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDraft {
    customer: CustomerId,
    order: Option<OrderId>,
    subject: String,
    priority: TicketPriority,
    message: Option<String>,
}

impl TicketDraft {
    /// Checks the input: a subject (required, one line, at most [`MAX_SUBJECT_CHARS`]) and
    /// an optional first message (at most `MAX_TEXT_CHARS`; empty means none).
    ///
    /// # Errors
    /// `Validation` naming `subject` or `comment`.
    pub fn parse(
        customer: CustomerId,
        order: Option<OrderId>,
        subject: &str,
        priority: TicketPriority,
        message: &str,
    ) -> Result<TicketDraft> {
        let subject = validate::required_text("subject", subject, MAX_SUBJECT_CHARS)?;
        let message = validate::multiline_text("comment", message, limits::MAX_TEXT_CHARS)?;
        Ok(TicketDraft {
            customer,
            order,
            subject,
            priority,
            message: (!message.is_empty()).then_some(message),
        })
    }

    /// Whose ticket it is.
    pub fn customer(&self) -> CustomerId {
        self.customer
    }

    /// The order it is about, if any.
    pub fn order(&self) -> Option<OrderId> {
        self.order
    }
}

/// A customer-service ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    id: TicketId,
    customer: CustomerId,
    order: Option<OrderId>,
    subject: String,
    status: TicketStatus,
    priority: TicketPriority,
    assignee: Option<UserId>,
    comments: Vec<TicketComment>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl Ticket {
    /// A new open ticket from `draft`; its first message (if any) is a visible comment by
    /// `author`.
    pub fn open(id: TicketId, draft: TicketDraft, author: RecordedActor, at: Timestamp) -> Ticket {
        let comments = draft
            .message
            .map(|text| TicketComment {
                at,
                author,
                text,
                internal: false,
            })
            .into_iter()
            .collect();
        let ticket = Ticket {
            id,
            customer: draft.customer,
            order: draft.order,
            subject: draft.subject,
            status: TicketStatus::Open,
            priority: draft.priority,
            assignee: None,
            comments,
            created_at: at,
            updated_at: at,
        };
        ticket.check_invariants();
        ticket
    }

    /// Adds a comment.
    ///
    /// # Errors
    /// [`Refusal::TicketClosed`] on a closed ticket; `Validation` past [`MAX_COMMENTS`].
    pub fn comment(&mut self, comment: TicketComment) -> Result<()> {
        if !self.status.accepts_comments() {
            return Err(Refusal::TicketClosed { ticket: self.id.0 }.into());
        }
        if self.comments.len() >= MAX_COMMENTS {
            return Err(Error::invalid(
                "comment",
                format!("a ticket holds at most {MAX_COMMENTS} comments; open a new ticket"),
            ));
        }
        self.updated_at = self.updated_at.max(comment.at);
        self.comments.push(comment);
        self.check_invariants();
        Ok(())
    }

    /// Moves the ticket to `to`.
    ///
    /// # Errors
    /// [`Refusal::IllegalTicketTransition`].
    pub fn set_status(&mut self, to: TicketStatus, at: Timestamp) -> Result<()> {
        self.status = self.status.transition(to)?;
        self.updated_at = self.updated_at.max(at);
        self.check_invariants();
        Ok(())
    }

    /// A customer commented: the ticket goes back to staff ([`TicketStatus::after_customer_comment`]).
    pub fn customer_commented(&mut self) {
        self.status = self.status.after_customer_comment();
    }

    /// Gives the ticket to `assignee` (`None`: nobody).
    ///
    /// # Errors
    /// [`Refusal::TicketClosed`] on a closed ticket.
    pub fn assign(&mut self, assignee: Option<UserId>, at: Timestamp) -> Result<()> {
        if self.status == TicketStatus::Closed {
            return Err(Refusal::TicketClosed { ticket: self.id.0 }.into());
        }
        self.assignee = assignee;
        self.updated_at = self.updated_at.max(at);
        Ok(())
    }

    /// The ticket as a customer may see it: without internal comments.
    pub fn without_internal_comments(mut self) -> Ticket {
        self.comments.retain(|c| !c.internal);
        self
    }

    /// Its id.
    pub fn id(&self) -> TicketId {
        self.id
    }

    /// Whose ticket it is.
    pub fn customer(&self) -> CustomerId {
        self.customer
    }

    /// The order it is about, if any.
    pub fn order(&self) -> Option<OrderId> {
        self.order
    }

    /// What it is about.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Where it is in its life.
    pub fn status(&self) -> TicketStatus {
        self.status
    }

    /// How urgent it is.
    pub fn priority(&self) -> TicketPriority {
        self.priority
    }

    /// The staff user working it, if any.
    pub fn assignee(&self) -> Option<UserId> {
        self.assignee
    }

    /// Its comments, oldest first.
    pub fn comments(&self) -> &[TicketComment] {
        &self.comments
    }

    /// When it was opened.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// When it last changed.
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    /// Asserts what every ticket holds (debug builds and tests).
    pub fn check_invariants(&self) {
        debug_assert!(!self.subject.is_empty(), "a ticket has a subject");
        debug_assert!(self.comments.len() <= MAX_COMMENTS, "comments are bounded");
        debug_assert!(self.created_at <= self.updated_at, "updated after created");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Principal, Role};

    fn author() -> RecordedActor {
        RecordedActor {
            principal: Principal::Customer(CustomerId(1)),
            role: Role::Customer,
        }
    }

    fn ticket() -> Ticket {
        let draft = TicketDraft::parse(
            CustomerId(1),
            None,
            " Where is my parcel? ",
            TicketPriority::Normal,
            "It was due Monday.",
        )
        .unwrap();
        Ticket::open(TicketId(5), draft, author(), Timestamp(10))
    }

    #[test]
    fn the_transition_table_is_exactly_this() {
        use TicketStatus::*;
        let mut allowed = Vec::new();
        for from in TicketStatus::ALL {
            for to in TicketStatus::ALL {
                if from.transition(to).is_ok() {
                    allowed.push((from, to));
                }
            }
        }
        assert_eq!(
            allowed,
            vec![
                (Open, Pending),
                (Open, Resolved),
                (Open, Closed),
                (Pending, Open),
                (Pending, Resolved),
                (Pending, Closed),
                (Resolved, Open),
                (Resolved, Closed),
            ]
        );
        let refused = Closed.transition(Open).unwrap_err();
        assert_eq!(refused.code(), "illegal_ticket_transition");
        assert_eq!(
            refused.to_string(),
            "a closed ticket cannot become open (it is final)"
        );
        assert_eq!(
            Resolved.transition(Pending).unwrap_err().to_string(),
            "a resolved ticket cannot become pending (allowed: open, closed)"
        );
    }

    #[test]
    fn drafts_check_subject_and_message() {
        let t = ticket();
        assert_eq!(t.subject(), "Where is my parcel?");
        assert_eq!(t.comments().len(), 1);
        assert!(!t.comments()[0].internal());
        let no_message =
            TicketDraft::parse(CustomerId(1), None, "Hi", TicketPriority::Low, "  ").unwrap();
        assert!(no_message.message.is_none());
        for (subject, message, field) in [
            ("  ", "", "subject"),
            (&"x".repeat(MAX_SUBJECT_CHARS + 1) as &str, "", "subject"),
            ("two\nlines", "", "subject"),
            (
                "ok",
                &"y".repeat(limits::MAX_TEXT_CHARS + 1) as &str,
                "comment",
            ),
        ] {
            let error = TicketDraft::parse(
                CustomerId(1),
                None,
                subject,
                TicketPriority::Normal,
                message,
            )
            .unwrap_err();
            assert_eq!(error.field(), Some(field), "{subject:?}");
        }
        assert!(TicketComment::new(Timestamp(1), author(), " ", Visibility::Visible).is_err());
        assert_eq!(
            TicketStatus::parse("Resolved").unwrap(),
            TicketStatus::Resolved
        );
        assert!(TicketStatus::parse("done").is_err());
        assert_eq!(
            TicketPriority::parse("URGENT").unwrap(),
            TicketPriority::Urgent
        );
        assert!(TicketPriority::parse("asap").is_err());
    }

    #[test]
    fn closed_is_final_and_customers_reopen_by_commenting() {
        let mut t = ticket();
        t.set_status(TicketStatus::Resolved, Timestamp(20)).unwrap();
        t.customer_commented();
        assert_eq!(t.status(), TicketStatus::Open);
        t.set_status(TicketStatus::Closed, Timestamp(30)).unwrap();
        assert_eq!(t.updated_at(), Timestamp(30));
        let comment =
            TicketComment::new(Timestamp(40), author(), "hello?", Visibility::Visible).unwrap();
        assert_eq!(t.comment(comment).unwrap_err().code(), "ticket_closed");
        assert_eq!(
            t.assign(Some(UserId(2)), Timestamp(40)).unwrap_err().code(),
            "ticket_closed"
        );
        t.customer_commented();
        assert_eq!(t.status(), TicketStatus::Closed);
    }

    #[test]
    fn internal_comments_are_left_out_for_customers_and_comments_are_bounded() {
        let mut t = ticket();
        let note = TicketComment::new(
            Timestamp(11),
            author(),
            "courier lost it",
            Visibility::Internal,
        )
        .unwrap();
        t.comment(note).unwrap();
        assert_eq!(t.comments().len(), 2);
        let seen = t.clone().without_internal_comments();
        assert_eq!(seen.comments().len(), 1);
        assert!(seen.comments().iter().all(|c| !c.internal()));
        let mut added = 0;
        while t.comments().len() < MAX_COMMENTS {
            let c =
                TicketComment::new(Timestamp(12), author(), "more", Visibility::Visible).unwrap();
            t.comment(c).unwrap();
            added += 1;
        }
        assert_eq!(added, MAX_COMMENTS - 2);
        let one_more =
            TicketComment::new(Timestamp(13), author(), "more", Visibility::Visible).unwrap();
        assert_eq!(t.comment(one_more).unwrap_err().field(), Some("comment"));
    }
}
