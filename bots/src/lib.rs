//! ordo-bots: the long-running side of ordo (`ordo serve`).
//!
//! - `config`: `ServeConfig` from a TOML file and `ORDO_*` variables (env wins).
//! - `pool`: `EnginePool`, the bounded blocking pool every engine call goes through.
//! - `http`: the axum router: `GET /healthz`, `POST /api/v1` (the wire contract), rate
//!   limits on logins and registrations; channel routes are merged in `http::router`.
//! - `socket`: the owner-only Unix socket in the data directory the `ordo` CLI uses
//!   while the service runs.
//! - `serve`: the service's life (runtime, listeners, backups, background tasks,
//!   graceful shutdown).
//! - `sms`: the SMS channel (Twilio-compatible): command parser, segment counter, webhook
//!   signatures, TwiML replies and the REST client that sends.
//! - `retry`: the backoff (exponential, full jitter) every channel's dispatcher waits
//!   between attempts.
//! - `notify`: the notification dispatchers (claim, word, send, report), one per channel.
//! - `telegram`: the Telegram channel (commands, callback data, the bot).
//! - `carriers`: couriers' signed tracking webhooks (`POST /carriers/{carrier}/events`).
//! - `backend`: `AppStore`, the store a service runs on (sled or PostgreSQL).

pub mod backend;
pub mod carriers;
pub mod config;
mod exchange;
pub mod http;
pub mod notify;
pub mod payments;
pub mod pool;
pub mod retry;
pub mod serve;
pub mod sms;
pub mod socket;
pub mod telegram;
