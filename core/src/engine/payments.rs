//! Payment commands: the ledger of an order — manual payments, the card lifecycle
//! (authorize, capture, void) and refunds. The rules are [`LedgerSums::check`]'s; this
//! module loads the order, checks the actor and the order's status, and writes the entry
//! with its audit and event in one write set. Idempotency keys make every operation safe
//! to retry: a gateway (`ordo-payments`) passes the key it sent to the gateway, so the
//! result of one gateway call is recorded once however often it is reported.

use serde::{Deserialize, Serialize};

use crate::audit::{AuditAction, FieldChange};
use crate::auth::{Actor, Operation};
use crate::error::{Error, Refusal, Result};
use crate::ids::OrderId;
use crate::money::Money;
use crate::order::Order;
use crate::outbox::DomainEvent;
use crate::payment::{LedgerEntry, LedgerEntryKind, LedgerOperation, LedgerSums, PaymentMethod};
use crate::store::Store;
use crate::validate;

use super::{Engine, idempotency};

/// A payment, authorization, capture or refund to record.
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

/// A void: releases everything authorized and not captured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidRequest {
    /// Gateway reference of the cancellation (may be empty).
    #[serde(default)]
    pub external_reference: String,
    /// Makes retries safe: the same key and content record once.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// One ledger operation as the engine records it (the checked form of a request).
pub(super) struct LedgerCommand {
    pub(super) operation: LedgerOperation,
    pub(super) method: Option<PaymentMethod>,
    pub(super) external_reference: String,
    pub(super) key: Option<String>,
}

impl<S: Store> Engine<S> {
    /// Records a manual payment (cash, bank transfer, cash on delivery, a card taken
    /// outside any gateway); with what is authorized it may not exceed the balance due.
    ///
    /// # Errors
    /// `Validation`/`CurrencyMismatch` for a bad amount; `Refused` for a draft or cancelled
    /// order (`PaymentsNotAccepted`) or an amount above the balance (`PaymentExceedsBalance`);
    /// `IdempotencyMismatch`.
    pub fn record_payment(
        &self,
        actor: &Actor,
        order: OrderId,
        request: &PaymentRequest,
    ) -> Result<Order> {
        self.ledger_change(
            actor,
            order,
            request_command(request, LedgerOperation::Pay)?,
        )
    }

    /// Records a refund; it may not exceed what was paid or captured and not yet refunded.
    ///
    /// # Errors
    /// As [`Engine::record_payment`], with `RefundExceedsPaid` for the cap; refunds are
    /// taken in any status (a cancelled order's refund due among them).
    pub fn record_refund(
        &self,
        actor: &Actor,
        order: OrderId,
        request: &PaymentRequest,
    ) -> Result<Order> {
        self.ledger_change(
            actor,
            order,
            request_command(request, LedgerOperation::Refund)?,
        )
    }

    /// Records an authorization: money held on a card, not yet ours. With manual
    /// payments and other authorizations it may not exceed the balance due.
    ///
    /// # Errors
    /// As [`Engine::record_payment`].
    pub fn authorize_payment(
        &self,
        actor: &Actor,
        order: OrderId,
        request: &PaymentRequest,
    ) -> Result<Order> {
        self.ledger_change(
            actor,
            order,
            request_command(request, LedgerOperation::Authorize)?,
        )
    }

    /// Records a capture of held money, in full or in part.
    ///
    /// # Errors
    /// As [`Engine::record_payment`], with `CaptureExceedsAuthorized` for an amount above
    /// what is authorized and neither captured nor voided.
    pub fn capture_payment(
        &self,
        actor: &Actor,
        order: OrderId,
        request: &PaymentRequest,
    ) -> Result<Order> {
        self.ledger_change(
            actor,
            order,
            request_command(request, LedgerOperation::Capture)?,
        )
    }

    /// Records the void of everything authorized and not captured (in any status: a
    /// cancelled order's void due is recorded this way once the gateway released it).
    ///
    /// # Errors
    /// `Refused` (`NothingToVoid`) when nothing is held; `IdempotencyMismatch`; `Forbidden`.
    pub fn void_authorization(
        &self,
        actor: &Actor,
        order: OrderId,
        request: &VoidRequest,
    ) -> Result<Order> {
        let command = LedgerCommand {
            operation: LedgerOperation::Void,
            method: None,
            external_reference: validate::optional_text(
                "external reference",
                &request.external_reference,
                120,
            )?,
            key: check_key(request.idempotency_key.as_deref())?,
        };
        self.ledger_change(actor, order, command)
    }

    fn ledger_change(&self, actor: &Actor, id: OrderId, command: LedgerCommand) -> Result<Order> {
        let kind = command.operation.kind();
        let (operation, action) = operation_and_action(kind);
        // The actor is checked before anything is read, the replay path included.
        actor.require(operation)?;
        let window = self.config.idempotency_window_ms;
        let change = |_: &mut super::Unit<'_, S>, order: &mut Order| {
            let (changes, event) = self.push_checked(order, &command)?;
            Ok((changes, event.into_iter().collect()))
        };
        self.transact(|unit| {
            // The replay check and the change read the same order in the same unit: an
            // operation with the same key that lands meanwhile moves the order's version,
            // the apply is refused, and the retry takes the replay path.
            if let Some(key) = &command.key {
                let current = unit.order(id)?;
                self.check_owner(actor, &current)?;
                let now = self.clock.now();
                // Keys are scoped to the order; the latest use within the window counts.
                if let Some(existing) = current.ledger().iter().rev().find(|e| {
                    e.idempotency_key.as_deref() == Some(key.as_str())
                        && idempotency::within_window(e.at, now, window)
                }) {
                    return if replays(existing, &command) {
                        Ok(current)
                    } else {
                        Err(Error::IdempotencyMismatch { key: key.clone() })
                    };
                }
            }
            self.change_in_unit(unit, actor, id, action, &change)
        })
    }

    /// On cancelling `order`: voids what the manual gateway holds (nothing reaches
    /// outside), leaving a gateway's hold as the order's void due. The audit's changes.
    pub(super) fn void_on_cancel(&self, order: &mut Order) -> Result<Vec<FieldChange>> {
        if order.ledger_sums()?.capturable()?.is_zero() || order.gateway_authorization().is_some() {
            return Ok(Vec::new());
        }
        let command = LedgerCommand {
            operation: LedgerOperation::Void,
            method: None,
            external_reference: String::new(),
            key: None,
        };
        Ok(self.push_checked(order, &command)?.0)
    }

    /// Checks `command` against `order` (its status and its ledger) and appends the entry:
    /// the audit's field changes and the event to raise, if customers hear of it.
    pub(super) fn push_checked(
        &self,
        order: &mut Order,
        command: &LedgerCommand,
    ) -> Result<(Vec<FieldChange>, Option<DomainEvent>)> {
        let kind = command.operation.kind();
        let takes_money = match kind {
            LedgerEntryKind::Payment
            | LedgerEntryKind::Authorization
            | LedgerEntryKind::Capture => true,
            LedgerEntryKind::Refund | LedgerEntryKind::Void => false,
        };
        if takes_money && !order.status().accepts_payments() {
            return Err(Refusal::PaymentsNotAccepted {
                status: order.status(),
            }
            .into());
        }
        let sums = order.ledger_sums()?;
        let (kind, amount) = sums.check(&order.balance_due()?, command.operation)?;
        let method = command
            .method
            .unwrap_or_else(|| last_authorization_method(order));
        let now = self.clock.now();
        let before = order.payment_status()?;
        order.push_ledger_entry(
            LedgerEntry {
                kind,
                amount,
                method,
                external_reference: command.external_reference.clone(),
                at: now,
                idempotency_key: command.key.clone(),
            },
            now,
        )?;
        debug_assert_eq!(ledger_violation(&order.ledger_sums()?), None);
        let (order_id, customer) = (order.id(), order.customer());
        let event = match kind {
            // A capture is money received, as a manual payment is.
            LedgerEntryKind::Payment | LedgerEntryKind::Capture => {
                Some(DomainEvent::PaymentRecorded {
                    order: order_id,
                    customer,
                    amount,
                })
            }
            LedgerEntryKind::Refund => Some(DomainEvent::RefundRecorded {
                order: order_id,
                customer,
                amount,
            }),
            // A hold and its release are the card issuer's to tell; the customer hears of
            // money taken or given back.
            LedgerEntryKind::Authorization | LedgerEntryKind::Void => None,
        };
        Ok((
            vec![
                FieldChange::new(
                    &kind.to_string(),
                    None,
                    Some(format!("{amount} by {method}")),
                ),
                FieldChange::new(
                    "payment status",
                    Some(before.to_string()),
                    Some(order.payment_status()?.to_string()),
                ),
            ],
            event,
        ))
    }
}

/// The permission and audit action of each kind of entry.
fn operation_and_action(kind: LedgerEntryKind) -> (Operation, AuditAction) {
    match kind {
        LedgerEntryKind::Payment => (Operation::RecordPayments, AuditAction::PaymentRecorded),
        LedgerEntryKind::Refund => (Operation::Refund, AuditAction::RefundRecorded),
        LedgerEntryKind::Authorization => {
            (Operation::AuthorizePayments, AuditAction::PaymentAuthorized)
        }
        LedgerEntryKind::Capture => (Operation::AuthorizePayments, AuditAction::PaymentCaptured),
        LedgerEntryKind::Void => (
            Operation::AuthorizePayments,
            AuditAction::AuthorizationVoided,
        ),
    }
}

fn check_key(key: Option<&str>) -> Result<Option<String>> {
    key.map(|k| validate::required_text("idempotency key", k, 128))
        .transpose()
}

fn request_command(
    request: &PaymentRequest,
    operation: impl Fn(Money) -> LedgerOperation,
) -> Result<LedgerCommand> {
    Ok(LedgerCommand {
        operation: operation(request.amount),
        method: Some(request.method),
        external_reference: validate::optional_text(
            "external reference",
            &request.external_reference,
            120,
        )?,
        key: check_key(request.idempotency_key.as_deref())?,
    })
}

/// Whether `existing` (found under the command's key) is the same operation: a void's
/// amount is decided by the ledger, so only its kind and reference are compared.
fn replays(existing: &LedgerEntry, command: &LedgerCommand) -> bool {
    let same_amount = match command.operation {
        LedgerOperation::Pay(amount)
        | LedgerOperation::Authorize(amount)
        | LedgerOperation::Capture(amount)
        | LedgerOperation::Refund(amount) => existing.amount == amount,
        LedgerOperation::Void => true,
    };
    existing.kind == command.operation.kind()
        && same_amount
        && command
            .method
            .is_none_or(|method| existing.method == method)
        && existing.external_reference == command.external_reference
}

/// A void is recorded with the method of what it releases.
fn last_authorization_method(order: &Order) -> PaymentMethod {
    order
        .ledger()
        .iter()
        .rev()
        .find(|e| e.kind == LedgerEntryKind::Authorization)
        .map_or(PaymentMethod::Card, |e| e.method)
}

/// The ledger's invariants, broken or not: refunds within what was paid, captures and
/// voids within what was authorized. `None` when they hold.
pub(crate) fn ledger_violation(sums: &LedgerSums) -> Option<&'static str> {
    let settled = sums.captured.add(&sums.voided).ok()?;
    if sums.refunded > sums.paid {
        Some("refunds exceed what was paid")
    } else if settled > sums.authorized {
        Some("captures and voids exceed what was authorized")
    } else {
        None
    }
}
