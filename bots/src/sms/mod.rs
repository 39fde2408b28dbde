//! The SMS channel, Twilio-compatible. Each module has one job and, except the REST
//! client, no I/O, so the lead's server and dispatcher compose them:
//!
//! - [`command`]: what a customer's text asks for (`TRACK ORD-…`, `ORDERS`, `STOP`, …).
//! - [`segments`]: how many SMS segments a reply costs (GSM-7 or UCS-2).
//! - [`signature`]: `X-Twilio-Signature` (HMAC-SHA1) for inbound webhooks and callbacks.
//! - [`twiml`]: the XML reply to an inbound webhook.
//! - [`twilio`]: the REST client that sends one message per call.
//! - [`reply`]: the words of every reply, within three segments.
//! - [`webhook`]: `POST /sms/inbound` and `POST /sms/status` (signature, rate limit,
//!   engine calls, TwiML).
//! - [`sender`]: the SMS dispatcher's sender (Twilio).
//! - [`simulate`]: a correctly signed inbound text to a running service (`ordo sms simulate`).
//! - `fuzzing` (feature `fuzzing`): the body of the `sms_command` fuzz target.

pub mod command;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod reply;
pub mod segments;
pub mod sender;
pub mod signature;
pub mod simulate;
pub mod twilio;
pub mod twiml;
pub mod webhook;
