//! The communication log: every message sent to or received from a customer.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, MessageId, OrderId};
use crate::validate::{self, limits};

/// How a message travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MessageChannel {
    /// Text message.
    Sms,
    /// Telegram.
    Telegram,
    /// Email.
    Email,
    /// A note staff wrote about the customer.
    StaffNote,
    /// A customer-service ticket: its opening and every comment the customer sees.
    Ticket,
}

impl MessageChannel {
    /// Parses `sms`, `telegram`, `email`, `note` or `ticket`.
    ///
    /// # Errors
    /// `Validation` for anything else.
    pub fn parse(text: &str) -> Result<MessageChannel> {
        match text.trim().to_ascii_lowercase().as_str() {
            "sms" => Ok(MessageChannel::Sms),
            "telegram" => Ok(MessageChannel::Telegram),
            "email" => Ok(MessageChannel::Email),
            "note" | "staff-note" => Ok(MessageChannel::StaffNote),
            "ticket" => Ok(MessageChannel::Ticket),
            _ => Err(Error::invalid(
                "channel",
                format!("{text:?} must be sms, telegram, email, note or ticket"),
            )),
        }
    }
}

impl fmt::Display for MessageChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MessageChannel::Sms => "sms",
            MessageChannel::Telegram => "telegram",
            MessageChannel::Email => "email",
            MessageChannel::StaffNote => "note",
            MessageChannel::Ticket => "ticket",
        })
    }
}

/// To or from the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// From the customer to us.
    Inbound,
    /// From us to the customer.
    Outbound,
}

impl Direction {
    /// Parses `in`/`inbound` or `out`/`outbound`.
    ///
    /// # Errors
    /// `Validation` for anything else.
    pub fn parse(text: &str) -> Result<Direction> {
        match text.trim().to_ascii_lowercase().as_str() {
            "in" | "inbound" => Ok(Direction::Inbound),
            "out" | "outbound" => Ok(Direction::Outbound),
            _ => Err(Error::invalid(
                "direction",
                format!("{text:?} must be in or out"),
            )),
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Inbound => "in",
            Direction::Outbound => "out",
        })
    }
}

/// One logged message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommMessage {
    /// Id.
    pub id: MessageId,
    /// The customer.
    pub customer: CustomerId,
    /// When.
    pub at: Timestamp,
    /// How.
    pub channel: MessageChannel,
    /// Which way.
    pub direction: Direction,
    /// The text (at most 2,000 characters; newlines allowed).
    pub text: String,
    /// The order it is about, if any.
    pub order: Option<OrderId>,
}

/// Checks a message text.
///
/// # Errors
/// `Validation` if empty, too long or with control characters.
pub fn check_text(text: &str) -> Result<String> {
    let text = validate::multiline_text("message", text, limits::MAX_TEXT_CHARS)?;
    if text.is_empty() {
        return Err(Error::invalid("message", "is required"));
    }
    Ok(text)
}
