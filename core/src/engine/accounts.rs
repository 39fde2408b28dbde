//! Customer accounts: registration, verification codes, approval, credentials, contact
//! changes, purchase history and the communication log.

use std::collections::BTreeMap;

use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation};
use crate::clock::Timestamp;
use crate::credentials::{Credentials, LoginId, Password, PasswordHash};
use crate::customer::{Customer, CustomerStatus};
use crate::error::{EntityKind, Error, Refusal, Result};
use crate::ids::{CustomerId, MessageId, OrderId, RegistrationId};
use crate::message::{self, CommMessage, Direction, MessageChannel};
use crate::money::Money;
use crate::order::OrderStatus;
use crate::outbox::DomainEvent;
use crate::registration::CodeSecret;
use crate::store::{IndexName, IndexRange, Record, RecordKey, Settings, Store, Versioned, keys};

use super::{Engine, OrderFilter, Unit};

/// A customer's purchases at a glance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseHistory {
    /// Orders, newest first (archived included).
    pub orders: Vec<crate::order::Order>,
    /// Σ totals of orders that were placed and not cancelled, per currency.
    pub total_spent: Vec<Money>,
    /// Average of those totals, per currency.
    pub average_order_value: Vec<Money>,
    /// First order placed.
    pub first_order_at: Option<Timestamp>,
    /// Latest order placed.
    pub last_order_at: Option<Timestamp>,
    /// The customer's service tickets, oldest first (for the customer themself, without
    /// internal comments).
    pub tickets: Vec<crate::ticket::Ticket>,
}

impl<S: Store> Engine<S> {
    /// The settings record, created with a fresh code secret on first use.
    pub(super) fn settings(&self, unit: &mut Unit<'_, S>) -> Result<Settings> {
        if let Some(settings) = unit.settings()? {
            return Ok(settings);
        }
        let mut secret = [0u8; 32];
        for chunk in secret.chunks_mut(8) {
            chunk.copy_from_slice(&self.random.next_u64().to_le_bytes());
        }
        let settings = Settings {
            code_secret: CodeSecret(secret),
            admin_initialized: false,
        };
        unit.put(Record::Settings(settings.clone()));
        Ok(settings)
    }

    pub(super) fn customer_audit(
        &self,
        unit: &mut Unit<'_, S>,
        actor: &Actor,
        id: CustomerId,
        action: AuditAction,
        changes: Vec<FieldChange>,
    ) {
        unit.audit(AuditRecord {
            at: self.clock.now(),
            actor: actor.record(),
            action,
            subjects: vec![Subject::Customer(id)],
            changes,
        });
    }

    /// Refuses a login id that any customer or staff user already has (other than `me`).
    pub(super) fn check_login_free(
        &self,
        unit: &mut Unit<'_, S>,
        login: &LoginId,
        me: Option<CustomerId>,
    ) -> Result<()> {
        let key = keys::login(login);
        let customer = unit.index_id(IndexName::CustomerByLogin, &key)?;
        let staff = unit.index_id(IndexName::UserByLogin, &key)?;
        if staff.is_some() || customer.is_some_and(|id| Some(CustomerId(id)) != me) {
            return Err(Error::Duplicate {
                entity: EntityKind::Customer,
                field: "login id",
                value: login.to_string(),
            });
        }
        Ok(())
    }

    /// Approves a verified business registration: active, with a Registration ID.
    ///
    /// # Errors
    /// `Refused` (`NotAwaitingApproval`) unless pending approval; `Forbidden`; `NotFound`.
    pub fn approve_customer(&self, actor: &Actor, id: CustomerId) -> Result<Customer> {
        actor.require(Operation::ApproveCustomers)?;
        self.transact(|unit| {
            let mut customer = unit.customer(id)?;
            let before = keys::customer_entries(&customer);
            let registration_id = RegistrationId::generate(self.random.as_ref());
            customer.approve(registration_id.clone())?;
            unit.reindex(&before, &keys::customer_entries(&customer));
            self.customer_audit(
                unit,
                actor,
                id,
                AuditAction::CustomerApproved,
                vec![
                    FieldChange::new(
                        "status",
                        Some(CustomerStatus::PendingApproval.to_string()),
                        Some(CustomerStatus::Active.to_string()),
                    ),
                    FieldChange::new("registration id", None, Some(registration_id.to_string())),
                ],
            );
            unit.event(
                self.clock.now(),
                DomainEvent::RegistrationApproved {
                    customer: id,
                    registration_id,
                },
            );
            unit.put(Record::Customer(customer.clone()));
            Ok(customer)
        })
    }

    /// Rejects a pending registration with a reason.
    ///
    /// # Errors
    /// `Validation` for a missing reason; `Refused` (`NotRejectable`) unless pending; `Forbidden`; `NotFound`.
    pub fn reject_customer(&self, actor: &Actor, id: CustomerId, reason: &str) -> Result<Customer> {
        actor.require(Operation::ApproveCustomers)?;
        let reason = crate::validate::required_text(
            "rejection reason",
            reason,
            crate::validate::limits::MAX_NAME_CHARS,
        )?;
        self.transact(|unit| {
            let mut customer = unit.customer(id)?;
            let before = customer.status();
            customer.reject(reason.clone())?;
            self.customer_audit(
                unit,
                actor,
                id,
                AuditAction::CustomerRejected,
                vec![
                    FieldChange::new(
                        "status",
                        Some(before.to_string()),
                        Some(customer.status().to_string()),
                    ),
                    FieldChange::new("reason", None, Some(reason.clone())),
                ],
            );
            unit.put(Record::Customer(customer.clone()));
            Ok(customer)
        })
    }

    /// Sets a customer's login id and password on their behalf (staff only: a customer
    /// changes their own password with [`Engine::change_password`], which needs the current
    /// one). Every existing session of the customer ends.
    ///
    /// # Errors
    /// `Validation` (policy); `Duplicate` login; `Refused` (`AccountNotVerified`) for a customer without a verified
    /// account; `Forbidden`; `NotFound`.
    pub fn set_customer_credentials(
        &self,
        actor: &Actor,
        id: CustomerId,
        login: &str,
        password: &str,
    ) -> Result<Customer> {
        actor.require(Operation::ManageCustomers)?;
        let login = LoginId::parse(login)?;
        let password = Password::new(&login, password)?;
        let hash =
            PasswordHash::create(&password, self.config.password_params, self.random.as_ref())?;
        self.transact(|unit| {
            let mut customer = unit.customer(id)?;
            if !matches!(
                customer.status(),
                CustomerStatus::Active | CustomerStatus::PendingApproval
            ) {
                return Err(Refusal::AccountNotVerified {
                    customer: id,
                    status: customer.status(),
                }
                .into());
            }
            self.check_login_free(unit, &login, Some(id))?;
            let before_entries = keys::customer_entries(&customer);
            let before = customer.credentials().map(|c| c.login.to_string());
            customer.set_credentials(Credentials {
                login: login.clone(),
                hash: hash.clone(),
                sessions_valid_after: self.clock.now(),
            });
            unit.reindex(&before_entries, &keys::customer_entries(&customer));
            self.customer_audit(
                unit,
                actor,
                id,
                AuditAction::CredentialsChanged,
                vec![
                    FieldChange::new("login id", before, Some(login.to_string())),
                    FieldChange::new("password", None, Some("changed".into())),
                ],
            );
            unit.put(Record::Customer(customer.clone()));
            Ok(customer)
        })
    }

    /// A customer by Registration ID.
    ///
    /// # Errors
    /// `Validation` for a malformed id; `NotFound`; `Forbidden`.
    pub fn customer_by_registration_id(&self, actor: &Actor, text: &str) -> Result<Customer> {
        actor.require(Operation::ReadCustomers)?;
        let registration = RegistrationId::parse(text)?;
        let unknown = || Error::not_found(EntityKind::Customer, &registration);
        let id = self
            .store
            .index_get(
                IndexName::CustomerByRegistration,
                &keys::registration(&registration),
            )?
            .ok_or_else(unknown)?;
        self.get_customer(actor, CustomerId(id))
            .map_err(|e| super::queries::hide_not_found(e, unknown))
    }

    /// Orders, total spent, first/last order and average order value of a customer.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Storage`.
    pub fn purchase_history(&self, actor: &Actor, id: CustomerId) -> Result<PurchaseHistory> {
        actor.require(Operation::ReadMessages)?;
        self.get_customer(actor, id)?;
        let mut orders = Vec::new();
        let mut cursor = None;
        loop {
            let filter = OrderFilter {
                customer: Some(id),
                include_archived: true,
                limit: 500,
                cursor,
                ..OrderFilter::default()
            };
            let page = self.list_orders(actor, &filter)?;
            orders.extend(page.items.into_iter().map(|v| v.value));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let counted: Vec<&crate::order::Order> = orders
            .iter()
            .filter(|o| !matches!(o.status(), OrderStatus::Draft | OrderStatus::Cancelled))
            .collect();
        let mut per_currency: BTreeMap<crate::money::Currency, (Money, u32)> = BTreeMap::new();
        for order in &counted {
            let total = order.totals().total;
            let entry = per_currency
                .entry(total.currency())
                .or_insert((Money::zero(total.currency()), 0));
            entry.0 = entry.0.add(&total)?;
            entry.1 += 1;
        }
        let total_spent = per_currency.values().map(|(sum, _)| *sum).collect();
        let average_order_value = per_currency
            .values()
            .map(|(sum, count)| {
                Money::rounded(
                    sum.amount() / rust_decimal::Decimal::from(*count),
                    sum.currency(),
                )
            })
            .collect::<Result<_>>()?;
        let tickets = self.tickets_of(actor, id)?;
        Ok(PurchaseHistory {
            tickets,
            first_order_at: counted.iter().map(|o| o.created_at()).min(),
            last_order_at: counted.iter().map(|o| o.created_at()).max(),
            orders,
            total_spent,
            average_order_value,
        })
    }

    /// Adds a message to a customer's communication log (adapters log what they send and
    /// receive; staff add notes).
    ///
    /// # Errors
    /// `Validation`; `NotFound` for the customer or order; `Forbidden`.
    pub fn log_message(
        &self,
        actor: &Actor,
        customer: CustomerId,
        channel: MessageChannel,
        direction: Direction,
        text: &str,
        order: Option<OrderId>,
    ) -> Result<CommMessage> {
        actor.require(Operation::LogMessages)?;
        if channel == MessageChannel::Ticket {
            return Err(Error::invalid(
                "channel",
                "ticket entries are written by the ticket itself: comment on the ticket",
            ));
        }
        let text = message::check_text(text)?;
        self.transact(|unit| {
            unit.customer(customer)?;
            if let Some(order) = order
                && unit.order(order)?.customer() != customer
            {
                return Err(Error::invalid(
                    "order",
                    format!("{order} does not belong to customer {customer}"),
                ));
            }
            let message = CommMessage {
                id: MessageId(unit.store().next_id()?),
                customer,
                at: self.clock.now(),
                channel,
                direction,
                text: text.clone(),
                order,
            };
            unit.reindex(&[], &keys::message_entries(&message));
            self.customer_audit(
                unit,
                actor,
                customer,
                AuditAction::MessageLogged,
                vec![FieldChange::new(
                    "message",
                    None,
                    Some(format!(
                        "{channel} {direction}: {} characters",
                        text.chars().count()
                    )),
                )],
            );
            unit.put(Record::Message(message.clone()));
            Ok(message)
        })
    }

    /// A customer's communication log, newest first, at most `limit`.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Storage`.
    pub fn messages(
        &self,
        actor: &Actor,
        customer: CustomerId,
        limit: usize,
    ) -> Result<Vec<CommMessage>> {
        actor.require(Operation::ReadMessages)?;
        self.get_customer(actor, customer)?;
        let range = IndexRange::prefix(&keys::message_customer_prefix(customer), true);
        let mut out = Vec::new();
        for (_, id) in
            self.store
                .index_scan(IndexName::MessageByCustomer, &range, limit.min(1000))?
        {
            if let Some(Versioned {
                value: Record::Message(m),
                ..
            }) = self.store.get(&RecordKey::Message(MessageId(id)))?
            {
                out.push(m);
            }
        }
        Ok(out)
    }
}
