//! The [`PaymentGateway`] trait, its errors, and the idempotency key of an operation.

use std::fmt;

use ordo_core::ids::OrderId;
use ordo_core::money::Money;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// The idempotency key of one ledger operation: the order and the operation's number in
/// its ledger (`ordo-{order}-{number}`). Sent to the gateway as `Idempotency-Key` and
/// stored on the ledger entry, so a retry — after a timeout, or after a crash between the
/// gateway's answer and the ledger write — reaches the gateway with the same key and the
/// engine records it once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OperationKey(String);

impl OperationKey {
    /// The key of operation `number` (1-based) on `order`'s ledger.
    pub fn new(order: OrderId, number: usize) -> OperationKey {
        OperationKey(format!("ordo-{}-{number}", order.get()))
    }

    /// A key derived from this one for a second step of the same operation (e.g. the
    /// release of an authorization's rest after a partial capture).
    pub fn step(&self, step: &str) -> OperationKey {
        OperationKey(format!("{}-{step}", self.0))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OperationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An authorization to ask for.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest<'a> {
    /// The order it is for (sent as metadata, so webhooks find the order).
    pub order: OrderId,
    /// The amount to hold.
    pub amount: Money,
    /// The gateway's token of the customer's card (e.g. `pm_card_visa`); the manual
    /// gateway ignores it.
    pub payment_method: &'a str,
    /// The operation's key.
    pub key: &'a OperationKey,
}

/// What a gateway answered to an operation that succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayReceipt {
    /// The gateway's id of the payment (a PaymentIntent id); empty for the manual gateway.
    pub payment_id: String,
    /// Whether the gateway released the rest of the authorization (Stripe does on a
    /// partial capture): the flow records the void of the rest.
    pub rest_released: bool,
}

/// Why a gateway call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// The card was declined: nothing was charged or held.
    #[error("the card was declined ({code}): {message}")]
    Declined {
        /// The gateway's decline code (`card_declined`, `insufficient_funds`, …).
        code: String,
        /// The gateway's message, for the clerk.
        message: String,
    },
    /// A timeout, a lost connection, a 5xx or a 429: the same call with the same key may
    /// succeed later, and never does the operation twice.
    #[error("the payment gateway is unavailable: {0}")]
    Unavailable(String),
    /// The gateway refused the request (a 4xx other than a decline): retrying will not help.
    #[error("the payment gateway refused the request ({status}): {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The gateway's message.
        message: String,
    },
    /// An answer that does not parse as the gateway's.
    #[error("the payment gateway's answer is not understood: {0}")]
    Malformed(String),
    /// An amount that cannot be sent in whole minor units.
    #[error("{0} is not a whole number of minor units")]
    Amount(String),
}

impl GatewayError {
    /// Whether repeating the call with the same key may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            GatewayError::Unavailable(_) => true,
            GatewayError::Declined { .. }
            | GatewayError::Refused { .. }
            | GatewayError::Malformed(_)
            | GatewayError::Amount(_) => false,
        }
    }
}

/// A payment gateway. Every call carries the operation's key; calling twice with one key
/// MUST do the operation at most once (the gateway's idempotency), and a decline MUST
/// leave nothing charged or held.
pub trait PaymentGateway: Send + Sync {
    /// The gateway's configured name (`manual`, `stripe`, …): the `{gateway}` of its
    /// webhook path and of its references in the ledger.
    fn name(&self) -> &str;

    /// Whether money moves outside ordo (an HTTP gateway) or only in the ledger (manual).
    fn is_manual(&self) -> bool;

    /// Holds `request.amount` on the customer's card.
    ///
    /// # Errors
    /// [`GatewayError::Declined`] for a declined card; the others as documented there.
    fn authorize(&self, request: &AuthorizeRequest<'_>) -> Result<GatewayReceipt, GatewayError>;

    /// Captures `amount` of the authorization `payment_id`.
    ///
    /// # Errors
    /// As [`PaymentGateway::authorize`].
    fn capture(
        &self,
        payment_id: &str,
        amount: &Money,
        key: &OperationKey,
    ) -> Result<GatewayReceipt, GatewayError>;

    /// Releases what `payment_id` holds and has not captured.
    ///
    /// # Errors
    /// As [`PaymentGateway::authorize`].
    fn void(&self, payment_id: &str, key: &OperationKey) -> Result<GatewayReceipt, GatewayError>;

    /// Pays `amount` of what `payment_id` captured back.
    ///
    /// # Errors
    /// As [`PaymentGateway::authorize`].
    fn refund(
        &self,
        payment_id: &str,
        amount: &Money,
        key: &OperationKey,
    ) -> Result<GatewayReceipt, GatewayError>;
}

/// `money` in whole minor units of its currency (cents for USD, yen for JPY), computed
/// exactly from the decimal.
///
/// # Errors
/// [`GatewayError::Amount`] for a fraction of a minor unit or an amount past `i64`.
pub fn minor_units(money: &Money) -> Result<i64, GatewayError> {
    let scale = Decimal::from(10i64.pow(money.currency().minor_units()));
    let units = money
        .amount()
        .checked_mul(scale)
        .filter(|units| units.fract().is_zero())
        .and_then(|units| units.to_i64());
    units.ok_or_else(|| GatewayError::Amount(money.to_string()))
}

/// The money of `units` minor units of `currency`'s.
///
/// # Errors
/// `Validation` past the money bound.
pub(crate) fn from_minor_units(
    units: i64,
    currency: ordo_core::money::Currency,
) -> ordo_core::Result<Money> {
    Money::new(Decimal::new(units, currency.minor_units()), currency)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordo_core::money::Currency;
    use rust_decimal_macros::dec;

    #[test]
    fn minor_units_are_exact() {
        let usd = |a| Money::new(a, Currency::USD).unwrap();
        assert_eq!(minor_units(&usd(dec!(29.00))).unwrap(), 2900);
        assert_eq!(minor_units(&usd(dec!(0.01))).unwrap(), 1);
        assert_eq!(
            minor_units(&usd(dec!(1000000000))).unwrap(),
            100_000_000_000
        );
        let jpy = Money::new(dec!(1500), Currency::parse("JPY").unwrap()).unwrap();
        assert_eq!(minor_units(&jpy).unwrap(), 1500);
        assert_eq!(
            from_minor_units(2950, Currency::USD).unwrap(),
            usd(dec!(29.50))
        );
    }

    #[test]
    fn keys_name_the_order_and_the_operation() {
        let key = OperationKey::new(OrderId(7), 3);
        assert_eq!(key.as_str(), "ordo-7-3");
        assert_eq!(key.step("rest").as_str(), "ordo-7-3-rest");
    }
}
