//! ordo-bots: the long-running side of ordo (`ordo serve`).
//!
//! - `sms`: the SMS channel (Twilio-compatible): command parser, segment counter, webhook
//!   signatures, TwiML replies and the REST client that sends.
//! - `retry`: the backoff (exponential, full jitter) every channel's dispatcher waits
//!   between attempts.

pub mod retry;
pub mod sms;
