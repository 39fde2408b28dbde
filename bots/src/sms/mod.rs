//! The SMS channel, Twilio-compatible. Each module has one job and, except the REST
//! client, no I/O, so the lead's server and dispatcher compose them:
//!
//! - [`command`]: what a customer's text asks for (`TRACK ORD-…`, `ORDERS`, `STOP`, …).
//! - [`segments`]: how many SMS segments a reply costs (GSM-7 or UCS-2).
//! - [`signature`]: `X-Twilio-Signature` (HMAC-SHA1) for inbound webhooks and callbacks.
//! - [`twiml`]: the XML reply to an inbound webhook.
//! - [`twilio`]: the REST client that sends one message per call.
//! - `fuzzing` (feature `fuzzing`): the body of the `sms_command` fuzz target.

pub mod command;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod segments;
pub mod signature;
pub mod twilio;
pub mod twiml;
