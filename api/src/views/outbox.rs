//! The JSON shape of a pending notification (`ordo outbox list`).

use serde::{Deserialize, Serialize};

/// A notification delivery, with its text as it would be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationView {
    /// Delivery id (what `ordo outbox retry` takes).
    pub id: u64,
    /// When the event happened.
    pub at: String,
    /// What happened, e.g. `order placed` or `verification code`.
    pub event: String,
    /// The customer it is about.
    pub customer_id: u64,
    /// `sms`, `telegram` or `email`.
    pub channel: String,
    /// Where it goes, e.g. `SMS to +442071234567`.
    pub to: String,
    /// `pending`, `sending`, `sent`, `failed` or `dead`.
    pub status: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// What the provider last reported (`delivered`, …).
    pub carrier_status: Option<String>,
    /// The text.
    pub text: String,
}

/// What `outbox.ack` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckView {
    /// Deliveries marked as sent by hand.
    pub acknowledged: usize,
}
