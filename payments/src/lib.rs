//! ordo's payment gateways.
//!
//! - [`PaymentGateway`]: what a gateway does — authorize, capture (in full or in part),
//!   void, refund — each call carrying an [`OperationKey`] the gateway uses as its
//!   idempotency key, so a retry after a timeout never charges or refunds twice.
//! - [`ManualGateway`]: cash, bank transfer, cash on delivery, a card terminal at the
//!   counter — nothing leaves the process; what the ledger did before gateways.
//! - [`StripeGateway`]: an HTTP adapter for a Stripe-shaped REST API (PaymentIntents with
//!   manual capture, `/capture`, `/cancel`, `/v1/refunds`), base URL configurable.
//! - [`Payments`]: the flow one staff command runs — check the rules, call the gateway
//!   (retrying transient failures with the same key), record the result in the ledger
//!   through the engine under the same key.
//! - [`webhook`]: `Stripe-Signature` verification and the events that update the ledger
//!   idempotently.
//!
//! The rules (what may be captured, refunded, voided) are ordo-core's
//! (`LedgerSums::check`); this crate checks them before calling a gateway only so that a
//! refused operation never reaches the outside, and the engine checks them again when it
//! records.

mod flow;
mod gateway;
mod manual;
mod stripe;
pub mod webhook;

pub use flow::{PaymentError, Payments, RetryPolicy};
pub use gateway::{
    AuthorizeRequest, GatewayError, GatewayReceipt, OperationKey, PaymentGateway, minor_units,
};
pub use manual::ManualGateway;
pub use stripe::{SecretKey, StripeConfig, StripeGateway};
