//! The payment gateways' HTTP side: `POST /payments/{gateway}/webhook`.
//!
//! Mounted by `ordo serve` for each gateway whose webhook secret is configured
//! (`payments.NAME.webhook_secret`). The rules — the signature check, what an event means
//! for the ledger, and the idempotency of its effect — are `ordo_payments::webhook`'s;
//! this module reads the request, answers, and runs the engine call on the pool.

pub mod webhook;
