//! The flow of one payment operation through a gateway:
//!
//! 1. the actor's right and the ledger's rules are checked on the order as it stands, so
//!    a refused operation never reaches the gateway;
//! 2. the operation's key is its number in the order's ledger ([`OperationKey`]);
//! 3. the gateway is called, transient failures retried with the SAME key (bounded);
//! 4. the result is recorded through the engine under the same key.
//!
//! A crash between 3 and 4 leaves the ledger as it was, so the same command run again
//! computes the same key, the gateway answers with its first result instead of charging
//! again, and the engine records it once. (The key is the ledger's next number: another
//! operation recorded on the order in between gives the retry a new key — the gap a
//! stored pending-operation record would close; see ARCHITECTURE.md.) A decline records
//! nothing.

use std::time::Duration;

use ordo_core::auth::{Actor, Operation};
use ordo_core::engine::{Engine, PaymentRequest, VoidRequest};
use ordo_core::ids::OrderId;
use ordo_core::money::Money;
use ordo_core::order::Order;
use ordo_core::payment::{LedgerOperation, PaymentMethod, gateway_reference};
use ordo_core::store::Store;

use crate::gateway::{
    AuthorizeRequest, GatewayError, GatewayReceipt, OperationKey, PaymentGateway,
};

/// How often and how patiently a transient gateway failure is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Calls in all, the first included (at least 1).
    pub attempts_max: u32,
    /// The wait before the second call; doubled before each further one.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts_max: 4,
            backoff: Duration::from_millis(500),
        }
    }
}

/// Why a payment operation through a gateway did not happen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PaymentError {
    /// The engine refused (rules, rights, a missing order) before or after the gateway.
    #[error(transparent)]
    Engine(#[from] ordo_core::Error),
    /// The gateway declined or failed; nothing was recorded.
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// A capture, void or refund on an order with no authorization through this gateway.
    #[error("order {order} has no payment through the {gateway} gateway")]
    NoGatewayPayment {
        /// The order.
        order: OrderId,
        /// The gateway.
        gateway: String,
    },
}

/// Payment operations on one engine through one gateway.
pub struct Payments<'a, S: Store> {
    engine: &'a Engine<S>,
    gateway: &'a dyn PaymentGateway,
    retry: RetryPolicy,
}

impl<'a, S: Store> Payments<'a, S> {
    /// Operations through `gateway`, retried as `retry` says.
    pub fn new(
        engine: &'a Engine<S>,
        gateway: &'a dyn PaymentGateway,
        retry: RetryPolicy,
    ) -> Payments<'a, S> {
        Payments {
            engine,
            gateway,
            retry,
        }
    }

    /// Authorizes `amount` on the card `payment_method` (a gateway token; ignored by the
    /// manual gateway) and records the hold.
    ///
    /// # Errors
    /// [`PaymentError::Engine`] for a refusal (rights, rules); [`PaymentError::Gateway`]
    /// for a decline or a gateway that stays unavailable — nothing is recorded then.
    pub fn authorize(
        &self,
        actor: &Actor,
        order: OrderId,
        amount: Money,
        payment_method: &str,
    ) -> Result<Order, PaymentError> {
        let (current, key) = self.prepare(actor, order, LedgerOperation::Authorize(amount))?;
        let request = AuthorizeRequest {
            order: current.id(),
            amount,
            payment_method,
            key: &key,
        };
        let receipt = self.call(|| self.gateway.authorize(&request))?;
        let recorded = self.engine.authorize_payment(
            actor,
            order,
            &self.request(amount, &receipt.payment_id, &key),
        )?;
        Ok(recorded)
    }

    /// Captures `amount` of what the order holds; a gateway that releases the rest of the
    /// authorization (Stripe, on a partial capture) gets that release recorded too.
    ///
    /// # Errors
    /// As [`Payments::authorize`]; [`PaymentError::NoGatewayPayment`].
    pub fn capture(
        &self,
        actor: &Actor,
        order: OrderId,
        amount: Money,
    ) -> Result<Order, PaymentError> {
        let (current, key) = self.prepare(actor, order, LedgerOperation::Capture(amount))?;
        let payment_id = self.payment_id(&current)?;
        let receipt = self.call(|| self.gateway.capture(&payment_id, &amount, &key))?;
        let mut recorded =
            self.engine
                .capture_payment(actor, order, &self.request(amount, &payment_id, &key))?;
        if receipt.rest_released && !recorded.ledger_sums()?.capturable()?.is_zero() {
            recorded = self.record_void(actor, order, &payment_id, &key.step("rest"))?;
        }
        Ok(recorded)
    }

    /// Releases what the order holds and has not captured (also a cancelled order's void
    /// due: this is how the void of a cancellation reaches the gateway).
    ///
    /// # Errors
    /// As [`Payments::capture`].
    pub fn void(&self, actor: &Actor, order: OrderId) -> Result<Order, PaymentError> {
        let (current, key) = self.prepare(actor, order, LedgerOperation::Void)?;
        let payment_id = self.payment_id(&current)?;
        self.call(|| self.gateway.void(&payment_id, &key))?;
        self.record_void(actor, order, &payment_id, &key)
    }

    /// Refunds `amount` of what was captured and not yet refunded.
    ///
    /// # Errors
    /// As [`Payments::capture`].
    pub fn refund(
        &self,
        actor: &Actor,
        order: OrderId,
        amount: Money,
    ) -> Result<Order, PaymentError> {
        let (current, key) = self.prepare(actor, order, LedgerOperation::Refund(amount))?;
        let payment_id = self.payment_id(&current)?;
        self.call(|| self.gateway.refund(&payment_id, &amount, &key))?;
        Ok(self
            .engine
            .record_refund(actor, order, &self.request(amount, &payment_id, &key))?)
    }

    /// Checks the actor's right and the ledger's rules, and names the operation's key.
    fn prepare(
        &self,
        actor: &Actor,
        order: OrderId,
        operation: LedgerOperation,
    ) -> Result<(Order, OperationKey), PaymentError> {
        actor.require(match operation {
            LedgerOperation::Pay(_) => Operation::RecordPayments,
            LedgerOperation::Refund(_) => Operation::Refund,
            LedgerOperation::Authorize(_) | LedgerOperation::Capture(_) | LedgerOperation::Void => {
                Operation::AuthorizePayments
            }
        })?;
        let current = self.engine.get_order(actor, order)?.value;
        let takes_money = matches!(
            operation,
            LedgerOperation::Authorize(_) | LedgerOperation::Capture(_)
        );
        if takes_money && !current.status().accepts_payments() {
            return Err(
                ordo_core::Error::from(ordo_core::error::Refusal::PaymentsNotAccepted {
                    status: current.status(),
                })
                .into(),
            );
        }
        current
            .ledger_sums()?
            .check(&current.balance_due()?, operation)?;
        let key = OperationKey::new(order, current.ledger().len() + 1);
        Ok((current, key))
    }

    /// The gateway's payment id of the order's authorization through this gateway.
    fn payment_id(&self, order: &Order) -> Result<String, PaymentError> {
        if self.gateway.is_manual() {
            return Ok(String::new());
        }
        match order.gateway_authorization() {
            Some((gateway, id)) if gateway == self.gateway.name() => Ok(id.to_string()),
            Some(_) | None => Err(PaymentError::NoGatewayPayment {
                order: order.id(),
                gateway: self.gateway.name().to_string(),
            }),
        }
    }

    fn record_void(
        &self,
        actor: &Actor,
        order: OrderId,
        payment_id: &str,
        key: &OperationKey,
    ) -> Result<Order, PaymentError> {
        Ok(self.engine.void_authorization(
            actor,
            order,
            &VoidRequest {
                external_reference: self.reference(payment_id),
                idempotency_key: Some(key.to_string()),
            },
        )?)
    }

    fn reference(&self, payment_id: &str) -> String {
        if self.gateway.is_manual() || payment_id.is_empty() {
            String::new()
        } else {
            gateway_reference(self.gateway.name(), payment_id)
        }
    }

    fn request(&self, amount: Money, payment_id: &str, key: &OperationKey) -> PaymentRequest {
        PaymentRequest {
            amount,
            method: PaymentMethod::Card,
            external_reference: self.reference(payment_id),
            idempotency_key: Some(key.to_string()),
        }
    }

    /// Calls `once` until it succeeds, fails for good, or the attempts run out.
    fn call(
        &self,
        once: impl Fn() -> Result<GatewayReceipt, GatewayError>,
    ) -> Result<GatewayReceipt, GatewayError> {
        let mut wait = self.retry.backoff;
        let mut attempt = 1;
        loop {
            match once() {
                Err(error) if error.is_retryable() && attempt < self.retry.attempts_max => {
                    tracing::warn!(attempt, %error, "payment gateway call failed; retrying with the same key");
                    std::thread::sleep(wait);
                    wait = wait.saturating_mul(2);
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }
}
