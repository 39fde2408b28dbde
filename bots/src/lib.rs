//! ordo-bots: the long-running side of ordo (`ordo serve`).
//!
//! - `sms`: the SMS channel (Twilio-compatible): command parser, segment counter, webhook
//!   signatures, TwiML replies and the REST client that sends.
