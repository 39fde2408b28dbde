//! The payment ledger of an order. Payment status is derived from it, never stored apart.
//!
//! The book-keeping of money for an order: manual payments (cash, bank transfer, cash on
//! delivery), the card lifecycle (authorize, capture in full or in parts, void the
//! uncaptured rest) and refunds, each with method, external reference and time. The rules
//! are pure functions of the ledger's sums ([`LedgerSums::check`]): captures never exceed
//! what is authorized and neither captured nor voided; refunds never exceed captured and
//! paid money minus what was refunded. Gateways (`ordo-payments`) call the engine, which
//! applies these rules; they never write the ledger themselves.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Refusal, Result};
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

/// Money in, money held, money released or money back. Stored: new kinds go at the END.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LedgerEntryKind {
    /// The customer paid (a manual payment: the money is ours at once).
    Payment,
    /// We paid back.
    Refund,
    /// Money held on the customer's card, not yet ours.
    Authorization,
    /// Held money taken (all or part of what is authorized): it counts as paid.
    Capture,
    /// Held money released: what was authorized and not captured.
    Void,
}

impl fmt::Display for LedgerEntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LedgerEntryKind::Payment => "payment",
            LedgerEntryKind::Refund => "refund",
            LedgerEntryKind::Authorization => "authorization",
            LedgerEntryKind::Capture => "capture",
            LedgerEntryKind::Void => "void",
        })
    }
}

/// One operation on a ledger, as asked: what [`LedgerSums::check`] decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerOperation {
    /// A manual payment of this amount.
    Pay(Money),
    /// Hold this amount on a card.
    Authorize(Money),
    /// Take this much of what is held.
    Capture(Money),
    /// Release everything held and not taken.
    Void,
    /// Pay this much back.
    Refund(Money),
}

impl LedgerOperation {
    /// The kind of entry this operation records.
    pub fn kind(&self) -> LedgerEntryKind {
        match self {
            LedgerOperation::Pay(_) => LedgerEntryKind::Payment,
            LedgerOperation::Authorize(_) => LedgerEntryKind::Authorization,
            LedgerOperation::Capture(_) => LedgerEntryKind::Capture,
            LedgerOperation::Void => LedgerEntryKind::Void,
            LedgerOperation::Refund(_) => LedgerEntryKind::Refund,
        }
    }
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
    /// Money held on a card (authorized, not yet captured), nothing paid.
    Authorized,
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PaymentStatus::Unpaid => "unpaid",
            PaymentStatus::PartiallyPaid => "partially paid",
            PaymentStatus::Paid => "paid",
            PaymentStatus::PartiallyRefunded => "partially refunded",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Authorized => "authorized",
        })
    }
}

/// Sums of a ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerSums {
    /// Money that is ours: manual payments plus captures.
    pub paid: Money,
    /// Total of refunds.
    pub refunded: Money,
    /// Total of authorizations.
    pub authorized: Money,
    /// Total of captures (part of `paid`).
    pub captured: Money,
    /// Total of voids.
    pub voided: Money,
}

impl LedgerSums {
    /// Sums `entries` in `currency`.
    ///
    /// # Errors
    /// `CurrencyMismatch` if an entry is in another currency (cannot happen for entries the
    /// engine wrote); `Validation` on overflow.
    pub fn of(entries: &[LedgerEntry], currency: Currency) -> Result<LedgerSums> {
        let zero = Money::zero(currency);
        let mut sums = LedgerSums {
            paid: zero,
            refunded: zero,
            authorized: zero,
            captured: zero,
            voided: zero,
        };
        for entry in entries {
            match entry.kind {
                LedgerEntryKind::Payment => sums.paid = sums.paid.add(&entry.amount)?,
                LedgerEntryKind::Refund => sums.refunded = sums.refunded.add(&entry.amount)?,
                LedgerEntryKind::Authorization => {
                    sums.authorized = sums.authorized.add(&entry.amount)?;
                }
                LedgerEntryKind::Capture => {
                    sums.captured = sums.captured.add(&entry.amount)?;
                    sums.paid = sums.paid.add(&entry.amount)?;
                }
                LedgerEntryKind::Void => sums.voided = sums.voided.add(&entry.amount)?,
            }
        }
        Ok(sums)
    }

    /// Paid minus refunded.
    ///
    /// # Errors
    /// Only on overflow.
    pub fn net(&self) -> Result<Money> {
        self.paid.sub(&self.refunded)
    }

    /// What is held on a card and may still be captured or voided: authorized − captured −
    /// voided (never negative).
    ///
    /// # Errors
    /// Only on overflow.
    pub fn capturable(&self) -> Result<Money> {
        Ok(self
            .authorized
            .sub(&self.captured)?
            .sub(&self.voided)?
            .clamp_non_negative())
    }

    /// What may still be refunded: paid (captures included) − refunded, never negative.
    ///
    /// # Errors
    /// Only on overflow.
    pub fn refundable(&self) -> Result<Money> {
        Ok(self.net()?.clamp_non_negative())
    }

    /// The status these sums mean for an order of `total`.
    pub fn status(&self, total: &Money) -> PaymentStatus {
        let held = self
            .capturable()
            .map(|held| !held.is_zero())
            .unwrap_or(false);
        if !self.refunded.is_zero() {
            if self.refunded >= self.paid {
                PaymentStatus::Refunded
            } else {
                PaymentStatus::PartiallyRefunded
            }
        } else if self.paid.is_zero() {
            if held {
                PaymentStatus::Authorized
            } else {
                PaymentStatus::Unpaid
            }
        } else if self.paid >= *total {
            PaymentStatus::Paid
        } else {
            PaymentStatus::PartiallyPaid
        }
    }

    /// Decides `operation` on these sums, for an order that still owes `balance_due`
    /// (total − net paid): the entry kind and amount to record. Payments and
    /// authorizations together never exceed what is owed (money already held counts
    /// against it), captures never exceed what is held, a void releases everything held,
    /// refunds never exceed what was paid and not refunded. The order's status (whether it
    /// takes payments) is the engine's check, not this one.
    ///
    /// # Errors
    /// `Validation` for an amount that is not positive; `CurrencyMismatch`; `Refused`:
    /// `PaymentExceedsBalance`, `CaptureExceedsAuthorized`, `NothingToVoid`,
    /// `RefundExceedsPaid`.
    pub fn check(
        &self,
        balance_due: &Money,
        operation: LedgerOperation,
    ) -> Result<(LedgerEntryKind, Money)> {
        let currency = self.paid.currency();
        let amount = match operation {
            LedgerOperation::Pay(amount) | LedgerOperation::Authorize(amount) => {
                check_amount(&amount, currency)?;
                let due = balance_due.sub(&self.capturable()?)?.clamp_non_negative();
                if amount > due {
                    return Err(Refusal::PaymentExceedsBalance { amount, due }.into());
                }
                amount
            }
            LedgerOperation::Capture(amount) => {
                check_amount(&amount, currency)?;
                let capturable = self.capturable()?;
                if amount > capturable {
                    return Err(Refusal::CaptureExceedsAuthorized { amount, capturable }.into());
                }
                amount
            }
            LedgerOperation::Void => {
                let capturable = self.capturable()?;
                if capturable.is_zero() {
                    return Err(Refusal::NothingToVoid.into());
                }
                capturable
            }
            LedgerOperation::Refund(amount) => {
                check_amount(&amount, currency)?;
                let refundable = self.refundable()?;
                if amount > refundable {
                    return Err(Refusal::RefundExceedsPaid { amount, refundable }.into());
                }
                amount
            }
        };
        Ok((operation.kind(), amount))
    }
}

/// What starts the external reference of an entry a gateway adapter recorded:
/// `gw:{gateway}/{gateway's id}` (e.g. `gw:stripe/pi_123`). Entries without it are the
/// manual gateway's (cash, transfer, a card terminal at the counter).
pub const GATEWAY_REFERENCE_PREFIX: &str = "gw:";

/// The external reference of an entry recorded by gateway `gateway` for its object `id`.
pub fn gateway_reference(gateway: &str, id: &str) -> String {
    format!("{GATEWAY_REFERENCE_PREFIX}{gateway}/{id}")
}

/// The gateway and its object id in an external reference written by
/// [`gateway_reference`]; `None` for the manual gateway's references.
pub fn parse_gateway_reference(reference: &str) -> Option<(&str, &str)> {
    reference
        .strip_prefix(GATEWAY_REFERENCE_PREFIX)?
        .split_once('/')
        .filter(|(gateway, id)| !gateway.is_empty() && !id.is_empty())
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

    fn sums(entries: &[LedgerEntry]) -> LedgerSums {
        LedgerSums::of(entries, Currency::USD).unwrap()
    }

    #[test]
    fn the_card_lifecycle_moves_the_derived_status() {
        use LedgerEntryKind::*;
        let total = usd(dec!(100));
        let auth = entry(Authorization, dec!(100));
        assert_eq!(
            sums(std::slice::from_ref(&auth)).status(&total),
            PaymentStatus::Authorized
        );
        let partial = [auth.clone(), entry(Capture, dec!(40))];
        assert_eq!(sums(&partial).status(&total), PaymentStatus::PartiallyPaid);
        assert_eq!(sums(&partial).capturable().unwrap(), usd(dec!(60)));
        let voided = [
            auth.clone(),
            entry(Capture, dec!(40)),
            entry(Void, dec!(60)),
        ];
        assert_eq!(sums(&voided).capturable().unwrap(), usd(dec!(0)));
        assert_eq!(sums(&voided).status(&total), PaymentStatus::PartiallyPaid);
        let captured = [auth.clone(), entry(Capture, dec!(100))];
        assert_eq!(sums(&captured).status(&total), PaymentStatus::Paid);
        let refunded = [auth, entry(Capture, dec!(100)), entry(Refund, dec!(30))];
        assert_eq!(
            sums(&refunded).status(&total),
            PaymentStatus::PartiallyRefunded
        );
        // An authorization entirely voided leaves the order unpaid.
        let released = [entry(Authorization, dec!(100)), entry(Void, dec!(100))];
        assert_eq!(sums(&released).status(&total), PaymentStatus::Unpaid);
    }

    #[test]
    fn captures_stay_within_the_authorization_and_voids_take_the_rest() {
        use LedgerEntryKind::*;
        let due = usd(dec!(100));
        let held = sums(&[entry(Authorization, dec!(80)), entry(Capture, dec!(30))]);
        assert_eq!(
            held.check(&due, LedgerOperation::Capture(usd(dec!(50))))
                .unwrap(),
            (Capture, usd(dec!(50)))
        );
        assert!(matches!(
            held.check(&due, LedgerOperation::Capture(usd(dec!(50.01)))),
            Err(Error::Refused(Refusal::CaptureExceedsAuthorized { .. }))
        ));
        assert_eq!(
            held.check(&due, LedgerOperation::Void).unwrap(),
            (Void, usd(dec!(50)))
        );
        let none = sums(&[entry(Authorization, dec!(80)), entry(Capture, dec!(80))]);
        assert!(matches!(
            none.check(&due, LedgerOperation::Void),
            Err(Error::Refused(Refusal::NothingToVoid))
        ));
        // What is held counts against what may still be paid or authorized.
        let owed = usd(dec!(70)); // 100 total − 30 captured
        assert!(matches!(
            held.check(&owed, LedgerOperation::Pay(usd(dec!(20.01)))),
            Err(Error::Refused(Refusal::PaymentExceedsBalance { .. }))
        ));
        assert!(
            held.check(&owed, LedgerOperation::Authorize(usd(dec!(20))))
                .is_ok()
        );
        // Refunds: captured money only, never more than captured − refunded.
        assert!(matches!(
            held.check(&owed, LedgerOperation::Refund(usd(dec!(30.01)))),
            Err(Error::Refused(Refusal::RefundExceedsPaid { .. }))
        ));
        assert!(
            held.check(&owed, LedgerOperation::Refund(usd(dec!(30))))
                .is_ok()
        );
    }

    #[test]
    fn gateway_references_round_trip_and_manual_ones_are_none() {
        let reference = gateway_reference("stripe", "pi_123");
        assert_eq!(reference, "gw:stripe/pi_123");
        assert_eq!(
            parse_gateway_reference(&reference),
            Some(("stripe", "pi_123"))
        );
        assert_eq!(parse_gateway_reference("slip 42"), None);
        assert_eq!(parse_gateway_reference("gw:/x"), None);
        assert_eq!(parse_gateway_reference("gw:stripe/"), None);
    }

    mod laws {
        use super::*;
        use proptest::prelude::*;

        fn operation() -> impl Strategy<Value = LedgerOperation> {
            let cents = 1i64..15_000;
            let money = cents.prop_map(|c| usd(rust_decimal::Decimal::new(c, 2)));
            prop_oneof![
                money.clone().prop_map(LedgerOperation::Pay),
                money.clone().prop_map(LedgerOperation::Authorize),
                money.clone().prop_map(LedgerOperation::Capture),
                Just(LedgerOperation::Void),
                money.prop_map(LedgerOperation::Refund),
            ]
        }

        proptest! {
            /// For any sequence of operations, what the checks accept keeps refunds within
            /// what was paid and captures plus voids within what was authorized; paid money
            /// never passes the total; and the status is Refunded only if refunds cover
            /// everything paid.
            #[test]
            fn refunds_never_exceed_captures_for_any_sequence(
                operations in proptest::collection::vec(operation(), 1..40)
            ) {
                let total = usd(dec!(100));
                let mut ledger: Vec<LedgerEntry> = Vec::new();
                let mut accepted = 0usize;
                for operation in operations {
                    let before = sums(&ledger);
                    let due = total.sub(&before.net().unwrap()).unwrap().clamp_non_negative();
                    if let Ok((kind, amount)) = before.check(&due, operation) {
                        let mut e = entry(kind, amount.amount());
                        e.amount = amount;
                        ledger.push(e);
                        accepted += 1;
                    }
                    let after = sums(&ledger);
                    prop_assert!(after.refunded <= after.paid);
                    prop_assert!(
                        after.captured.add(&after.voided).unwrap() <= after.authorized
                    );
                    prop_assert!(after.net().unwrap() <= total);
                    if after.status(&total) == PaymentStatus::Refunded {
                        prop_assert!(after.refunded >= after.paid);
                    }
                }
                prop_assert_eq!(accepted, ledger.len());
            }
        }

        #[test]
        fn a_fixed_sequence_accepts_what_it_should() {
            // Guards the law above against passing with nothing accepted.
            let total = usd(dec!(100));
            let script = [
                LedgerOperation::Authorize(usd(dec!(100))),
                LedgerOperation::Capture(usd(dec!(60))),
                LedgerOperation::Refund(usd(dec!(61))), // refused: only 60 captured
                LedgerOperation::Refund(usd(dec!(20))),
                LedgerOperation::Void,
                LedgerOperation::Capture(usd(dec!(1))), // refused: voided
            ];
            let mut ledger = Vec::new();
            let mut accepted = 0;
            for operation in script {
                let before = sums(&ledger);
                let due = total
                    .sub(&before.net().unwrap())
                    .unwrap()
                    .clamp_non_negative();
                if let Ok((kind, amount)) = before.check(&due, operation) {
                    ledger.push(entry(kind, amount.amount()));
                    accepted += 1;
                }
            }
            assert_eq!(accepted, 4);
            let after = sums(&ledger);
            assert_eq!(after.refundable().unwrap(), usd(dec!(40)));
            assert_eq!(after.voided, usd(dec!(40)));
        }
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
