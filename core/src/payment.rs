//! The payment ledger of an order. Payment status is derived from it, never stored apart.
//!
//! Gateways come later; this is the book-keeping: payments and refunds with method,
//! external reference and time. Refunds never exceed what was paid.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::money::{Currency, Money};

/// How a customer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
// Lower-case words on the wire; bincode stores the variant index, so names are free.
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Credit or debit card.
    Card,
    /// Cash at the counter.
    Cash,
    /// Bank transfer.
    BankTransfer,
    /// Cash collected by the courier.
    CashOnDelivery,
}

impl PaymentMethod {
    /// Parses `card`, `cash`, `bank-transfer` or `cod`/`cash-on-delivery`.
    ///
    /// # Errors
    /// `Validation` for anything else.
    pub fn parse(text: &str) -> Result<PaymentMethod> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "card" => Ok(PaymentMethod::Card),
            "cash" => Ok(PaymentMethod::Cash),
            "bank-transfer" | "bank" | "transfer" => Ok(PaymentMethod::BankTransfer),
            "cod" | "cash-on-delivery" => Ok(PaymentMethod::CashOnDelivery),
            _ => Err(Error::invalid(
                "payment method",
                format!("{text:?} must be card, cash, bank-transfer or cod"),
            )),
        }
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PaymentMethod::Card => "card",
            PaymentMethod::Cash => "cash",
            PaymentMethod::BankTransfer => "bank-transfer",
            PaymentMethod::CashOnDelivery => "cash-on-delivery",
        })
    }
}

/// Money in or money back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LedgerEntryKind {
    /// The customer paid.
    Payment,
    /// We paid back.
    Refund,
}

/// One line of an order's payment ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Payment or refund.
    pub kind: LedgerEntryKind,
    /// Always positive.
    pub amount: Money,
    /// How the money moved.
    pub method: PaymentMethod,
    /// The gateway's or bank's reference (may be empty).
    pub external_reference: String,
    /// When it was recorded.
    pub at: Timestamp,
    /// Caller's idempotency key, if one was given.
    pub idempotency_key: Option<String>,
}

/// Where an order stands with money, derived from its ledger and total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentStatus {
    /// Nothing paid.
    Unpaid,
    /// Something paid, less than the total, nothing refunded.
    PartiallyPaid,
    /// The total (or more) paid, nothing refunded.
    Paid,
    /// Some of what was paid was refunded.
    PartiallyRefunded,
    /// Everything paid was refunded.
    Refunded,
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PaymentStatus::Unpaid => "unpaid",
            PaymentStatus::PartiallyPaid => "partially paid",
            PaymentStatus::Paid => "paid",
            PaymentStatus::PartiallyRefunded => "partially refunded",
            PaymentStatus::Refunded => "refunded",
        })
    }
}

/// Sums of a ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerSums {
    /// Total of payments.
    pub paid: Money,
    /// Total of refunds.
    pub refunded: Money,
}

impl LedgerSums {
    /// Sums `entries` in `currency`.
    ///
    /// # Errors
    /// `CurrencyMismatch` if an entry is in another currency (cannot happen for entries the
    /// engine wrote); `Validation` on overflow.
    pub fn of(entries: &[LedgerEntry], currency: Currency) -> Result<LedgerSums> {
        let mut paid = Money::zero(currency);
        let mut refunded = Money::zero(currency);
        for entry in entries {
            match entry.kind {
                LedgerEntryKind::Payment => paid = paid.add(&entry.amount)?,
                LedgerEntryKind::Refund => refunded = refunded.add(&entry.amount)?,
            }
        }
        Ok(LedgerSums { paid, refunded })
    }

    /// Paid minus refunded.
    ///
    /// # Errors
    /// Only on overflow.
    pub fn net(&self) -> Result<Money> {
        self.paid.sub(&self.refunded)
    }

    /// The status these sums mean for an order of `total`.
    pub fn status(&self, total: &Money) -> PaymentStatus {
        if !self.refunded.is_zero() {
            if self.refunded >= self.paid {
                PaymentStatus::Refunded
            } else {
                PaymentStatus::PartiallyRefunded
            }
        } else if self.paid.is_zero() {
            PaymentStatus::Unpaid
        } else if self.paid >= *total {
            PaymentStatus::Paid
        } else {
            PaymentStatus::PartiallyPaid
        }
    }
}

/// Checks a payment or refund amount: positive and in the order's currency.
///
/// # Errors
/// `Validation` or `CurrencyMismatch`.
pub fn check_amount(amount: &Money, currency: Currency) -> Result<()> {
    if amount.currency() != currency {
        return Err(Error::CurrencyMismatch {
            expected: currency,
            found: amount.currency(),
        });
    }
    if amount.is_negative() || amount.is_zero() {
        return Err(Error::invalid("amount", "must be greater than zero"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn usd(a: rust_decimal::Decimal) -> Money {
        Money::new(a, Currency::USD).unwrap()
    }

    fn entry(kind: LedgerEntryKind, a: rust_decimal::Decimal) -> LedgerEntry {
        LedgerEntry {
            kind,
            amount: usd(a),
            method: PaymentMethod::Card,
            external_reference: String::new(),
            at: Timestamp(0),
            idempotency_key: None,
        }
    }

    #[test]
    fn status_is_derived_from_the_ledger() {
        use LedgerEntryKind::*;
        let total = usd(dec!(100));
        let status = |entries: &[LedgerEntry]| {
            LedgerSums::of(entries, Currency::USD)
                .unwrap()
                .status(&total)
        };
        assert_eq!(status(&[]), PaymentStatus::Unpaid);
        assert_eq!(
            status(&[entry(Payment, dec!(40))]),
            PaymentStatus::PartiallyPaid
        );
        assert_eq!(
            status(&[entry(Payment, dec!(40)), entry(Payment, dec!(60))]),
            PaymentStatus::Paid
        );
        assert_eq!(
            status(&[entry(Payment, dec!(100)), entry(Refund, dec!(10))]),
            PaymentStatus::PartiallyRefunded
        );
        assert_eq!(
            status(&[entry(Payment, dec!(100)), entry(Refund, dec!(100))]),
            PaymentStatus::Refunded
        );
    }

    #[test]
    fn amounts_must_be_positive_and_in_currency() {
        assert!(check_amount(&usd(dec!(1)), Currency::USD).is_ok());
        assert!(check_amount(&usd(dec!(0)), Currency::USD).is_err());
        assert!(check_amount(&usd(dec!(-1)), Currency::USD).is_err());
        assert!(check_amount(&usd(dec!(1)), Currency::EUR).is_err());
    }

    #[test]
    fn methods_parse() {
        assert_eq!(
            PaymentMethod::parse("COD").unwrap(),
            PaymentMethod::CashOnDelivery
        );
        assert_eq!(
            PaymentMethod::parse("bank_transfer").unwrap(),
            PaymentMethod::BankTransfer
        );
        assert!(PaymentMethod::parse("bitcoin").is_err());
    }
}
