//! The JSON shape of a pending notification (`ordo outbox list`).

use serde::{Deserialize, Serialize};

/// A notification waiting to be sent, as it would be sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationView {
    /// Outbox sequence number (what `ordo outbox ack` takes).
    pub sequence: u64,
    /// When the event happened.
    pub at: String,
    /// What happened, e.g. `order placed` or `verification code`.
    pub event: String,
    /// The customer it is for.
    pub customer_id: u64,
    /// Where it goes, e.g. `SMS to +442071234567`.
    pub to: String,
    /// The text.
    pub text: String,
}

/// What `ordo outbox ack` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckView {
    /// Notifications marked as sent.
    pub acknowledged: usize,
}
