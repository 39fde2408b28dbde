//! Payment commands: record payments and refunds in an order's ledger.

use serde::{Deserialize, Serialize};

use crate::audit::{AuditAction, FieldChange};
use crate::auth::{Actor, Operation};
use crate::error::{Error, Refusal, Result};
use crate::ids::OrderId;
use crate::money::Money;
use crate::order::Order;
use crate::outbox::DomainEvent;
use crate::payment::{self, LedgerEntry, LedgerEntryKind, PaymentMethod};
use crate::store::Store;
use crate::validate;

use super::{Engine, idempotency};

/// A payment or refund to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRequest {
    /// Amount (positive, in the order's currency).
    pub amount: Money,
    /// How the money moved.
    pub method: PaymentMethod,
    /// Gateway or bank reference (may be empty).
    #[serde(default)]
    pub external_reference: String,
    /// Makes retries safe: the same key and content record once.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

impl<S: Store> Engine<S> {
    /// Records a payment; it may not exceed the balance due.
    ///
    /// # Errors
    /// `Validation`/`CurrencyMismatch` for a bad amount; `Refused` for a draft or cancelled
    /// order (`PaymentsNotAccepted`) or an amount above the balance (`PaymentExceedsBalance`,
    /// `RefundExceedsPaid`); `IdempotencyMismatch`.
    pub fn record_payment(
        &self,
        actor: &Actor,
        order: OrderId,
        request: &PaymentRequest,
    ) -> Result<Order> {
        self.ledger_change(actor, order, request, LedgerEntryKind::Payment)
    }

    /// Records a refund; it may not exceed what was paid and not yet refunded.
    ///
    /// # Errors
    /// As [`Engine::record_payment`], with the cap being the net amount paid.
    pub fn record_refund(
        &self,
        actor: &Actor,
        order: OrderId,
        request: &PaymentRequest,
    ) -> Result<Order> {
        self.ledger_change(actor, order, request, LedgerEntryKind::Refund)
    }

    fn ledger_change(
        &self,
        actor: &Actor,
        id: OrderId,
        request: &PaymentRequest,
        kind: LedgerEntryKind,
    ) -> Result<Order> {
        let (operation, action) = match kind {
            LedgerEntryKind::Payment => (Operation::RecordPayments, AuditAction::PaymentRecorded),
            LedgerEntryKind::Refund => (Operation::Refund, AuditAction::RefundRecorded),
        };
        // The actor is checked before anything is read, the replay path included.
        actor.require(operation)?;
        let external_reference =
            validate::optional_text("external reference", &request.external_reference, 120)?;
        let key = request
            .idempotency_key
            .as_deref()
            .map(|k| validate::required_text("idempotency key", k, 128))
            .transpose()?;
        let window = self.config.idempotency_window_ms;
        let change = |_: &mut super::Unit<'_, S>, order: &mut Order| {
            payment::check_amount(&request.amount, order.currency())?;
            let sums = order.ledger_sums()?;
            match kind {
                LedgerEntryKind::Payment => {
                    if !order.status().accepts_payments() {
                        return Err(Refusal::PaymentsNotAccepted {
                            status: order.status(),
                        }
                        .into());
                    }
                    let due = order.balance_due()?;
                    if request.amount > due {
                        return Err(Refusal::PaymentExceedsBalance {
                            amount: request.amount,
                            due,
                        }
                        .into());
                    }
                }
                LedgerEntryKind::Refund => {
                    let refundable = sums.net()?;
                    if request.amount > refundable {
                        return Err(Refusal::RefundExceedsPaid {
                            amount: request.amount,
                            refundable,
                        }
                        .into());
                    }
                }
            }
            let now = self.clock.now();
            let before = order.payment_status()?;
            order.push_ledger_entry(
                LedgerEntry {
                    kind,
                    amount: request.amount,
                    method: request.method,
                    external_reference: external_reference.clone(),
                    at: now,
                    idempotency_key: key.clone(),
                },
                now,
            )?;
            let event = match kind {
                LedgerEntryKind::Payment => DomainEvent::PaymentRecorded {
                    order: order.id(),
                    customer: order.customer(),
                    amount: request.amount,
                },
                LedgerEntryKind::Refund => DomainEvent::RefundRecorded {
                    order: order.id(),
                    customer: order.customer(),
                    amount: request.amount,
                },
            };
            Ok((
                vec![
                    FieldChange::new(
                        if kind == LedgerEntryKind::Payment {
                            "payment"
                        } else {
                            "refund"
                        },
                        None,
                        Some(format!("{} by {}", request.amount, request.method)),
                    ),
                    FieldChange::new(
                        "payment status",
                        Some(before.to_string()),
                        Some(order.payment_status()?.to_string()),
                    ),
                ],
                vec![event],
            ))
        };
        self.transact(|unit| {
            // The replay check and the change read the same order in the same unit: a
            // payment with the same key that lands meanwhile moves the order's version, the
            // apply is refused, and the retry takes the replay path.
            if let Some(key) = &key {
                let current = unit.order(id)?;
                self.check_owner(actor, &current)?;
                let now = self.clock.now();
                // Keys are scoped to the order; the latest use within the window counts.
                if let Some(existing) = current.ledger().iter().rev().find(|e| {
                    e.idempotency_key.as_deref() == Some(key.as_str())
                        && idempotency::within_window(e.at, now, window)
                }) {
                    let same = existing.kind == kind
                        && existing.amount == request.amount
                        && existing.method == request.method
                        && existing.external_reference == external_reference;
                    return if same {
                        Ok(current)
                    } else {
                        Err(Error::IdempotencyMismatch { key: key.clone() })
                    };
                }
            }
            self.change_in_unit(unit, actor, id, action, &change)
        })
    }
}
