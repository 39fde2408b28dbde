//! What the customer channels that know a caller only by phone number (SMS) may ask:
//! track orders, list open orders, subscribe to or mute an order's news, opt out of texts.
//!
//! **Privacy lives here, not in the channel:** an order is told only to the phone number of
//! its customer; for any other number it is `None`, exactly as for a reference that does
//! not exist, so a channel cannot give away more than this module returns. Everything
//! here needs `DispatchNotifications` (the channel services run as the system).

use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation};
use crate::customer::Phone;
use crate::delivery::{OrderWatch, PhoneSettings};
use crate::error::{EntityKind, Error, Result};
use crate::ids::{CustomerId, OrderId, OrderReference};
use crate::order::Order;
use crate::store::{IndexName, IndexRange, Record, RecordKey, Store, Versioned, keys};

use super::Engine;
use super::notifications::phone_settings;

/// The most orders [`Engine::open_orders_by_phone`] looks through (newest first).
const OPEN_ORDERS_SCAN: usize = 50;

impl<S: Store> Engine<S> {
    /// The orders behind `references` that `phone` may see (those of the customer whose
    /// phone it is), in the order asked; `None` for a reference that does not exist and,
    /// identically, for one whose order belongs to someone else.
    ///
    /// # Errors
    /// `Forbidden`; `Storage`.
    pub fn track_by_phone(
        &self,
        actor: &Actor,
        phone: &Phone,
        references: &[OrderReference],
    ) -> Result<Vec<(OrderReference, Option<Order>)>> {
        actor.require(Operation::DispatchNotifications)?;
        let owner = self.customer_id_by_phone(phone)?;
        let mut out = Vec::with_capacity(references.len());
        for reference in references {
            let order = match owner {
                Some(owner) => self.order_of(owner, reference)?,
                None => None,
            };
            out.push((reference.clone(), order));
        }
        Ok(out)
    }

    /// The open orders (placed, not yet delivered or cancelled) of the customer whose phone
    /// `phone` is, newest first, at most `limit`; none for a number no customer has.
    ///
    /// # Errors
    /// `Forbidden`; `Storage`.
    pub fn open_orders_by_phone(
        &self,
        actor: &Actor,
        phone: &Phone,
        limit: usize,
    ) -> Result<Vec<Order>> {
        actor.require(Operation::DispatchNotifications)?;
        let Some(customer) = self.customer_id_by_phone(phone)? else {
            return Ok(Vec::new());
        };
        let range = IndexRange::prefix(&keys::order_customer_prefix(customer), true);
        let mut out = Vec::new();
        for (_, id) in
            self.store
                .index_scan(IndexName::OrderByCustomer, &range, OPEN_ORDERS_SCAN)?
        {
            if let Some(Versioned {
                value: Record::Order(order),
                ..
            }) = self.store.get(&RecordKey::Order(OrderId(id)))?
                && order.status().is_open()
                && order.archived().is_none()
            {
                out.push(*order);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Records that `phone` wants a text on every later status change of the order
    /// (`on`), or none at all, and returns the order. Only the order's customer's phone
    /// may: for any other number the error is the one for a reference that does not exist.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Storage`.
    pub fn watch_order(
        &self,
        actor: &Actor,
        phone: &Phone,
        reference: &OrderReference,
        on: bool,
    ) -> Result<Order> {
        actor.require(Operation::DispatchNotifications)?;
        let unknown = || Error::not_found(EntityKind::Order, reference);
        let owner = self.customer_id_by_phone(phone)?.ok_or_else(unknown)?;
        let order = self.order_of(owner, reference)?.ok_or_else(unknown)?;
        let id = order.id();
        self.transact(|unit| {
            // Loaded so a change of owner or phone meanwhile makes this run again.
            let order = unit.order(id)?;
            let mut watch = unit
                .optional(RecordKey::OrderWatch(id), "order watch", |r| match r {
                    Record::OrderWatch(w) => Some(w),
                    _ => None,
                })?
                .unwrap_or_else(|| OrderWatch::new(id));
            let before = watch.wants(phone);
            if watch.set(phone, on) {
                unit.audit(AuditRecord {
                    at: self.clock.now(),
                    actor: actor.record(),
                    action: AuditAction::OrderWatchChanged,
                    subjects: vec![Subject::Order(id), Subject::Customer(order.customer())],
                    changes: vec![FieldChange::new(
                        "texts",
                        before.map(|b| format!("{} to {phone}", wish(b))),
                        Some(format!("{} to {phone}", wish(on))),
                    )],
                });
                unit.put(Record::OrderWatch(watch));
            }
            Ok(order)
        })
    }

    /// Whether `phone` opted out of texts (`STOP`) and has not opted back in.
    ///
    /// # Errors
    /// `Forbidden`; `Storage`.
    pub fn phone_opted_out(&self, actor: &Actor, phone: &Phone) -> Result<bool> {
        actor.require(Operation::DispatchNotifications)?;
        Ok(
            match self
                .store
                .get(&RecordKey::PhoneSettings(phone.as_str().to_string()))?
            {
                Some(Versioned {
                    value: Record::PhoneSettings(settings),
                    ..
                }) => settings.opted_out,
                _ => false,
            },
        )
    }

    /// Opts `phone` out of every text (`STOP`: nothing is sent to it, not even verification
    /// codes) or back in (`START`). Audited on the customer whose phone it is, if any.
    /// Returns whether anything changed.
    ///
    /// # Errors
    /// `Forbidden`; `Storage`.
    pub fn set_phone_opt_out(&self, actor: &Actor, phone: &Phone, opted_out: bool) -> Result<bool> {
        actor.require(Operation::DispatchNotifications)?;
        let owner = self.customer_id_by_phone(phone)?;
        self.transact(|unit| {
            let held = phone_settings(unit, phone.as_str())?.is_some_and(|s| s.opted_out);
            if held == opted_out {
                return Ok(false);
            }
            let now = self.clock.now();
            if let Some(customer) = owner {
                unit.audit(AuditRecord {
                    at: now,
                    actor: actor.record(),
                    action: AuditAction::TextsOptedOut,
                    subjects: vec![Subject::Customer(customer)],
                    changes: vec![FieldChange::new(
                        "texts",
                        Some(format!("{} to {phone}", allowed(held))),
                        Some(format!("{} to {phone}", allowed(opted_out))),
                    )],
                });
            }
            unit.put(Record::PhoneSettings(PhoneSettings {
                phone: phone.clone(),
                opted_out,
                changed: now,
            }));
            Ok(true)
        })
    }

    /// The customer whose phone `phone` is.
    fn customer_id_by_phone(&self, phone: &Phone) -> Result<Option<CustomerId>> {
        Ok(self
            .store
            .index_get(IndexName::CustomerByPhone, &keys::customer_phone(phone))?
            .map(CustomerId))
    }

    /// The order behind `reference` if it is `owner`'s.
    fn order_of(&self, owner: CustomerId, reference: &OrderReference) -> Result<Option<Order>> {
        let Some(id) = self.store.index_get(
            IndexName::OrderByReference,
            &keys::order_reference(reference),
        )?
        else {
            return Ok(None);
        };
        Ok(match self.store.get(&RecordKey::Order(OrderId(id)))? {
            Some(Versioned {
                value: Record::Order(order),
                ..
            }) if order.customer() == owner => Some(*order),
            _ => None,
        })
    }
}

fn wish(on: bool) -> &'static str {
    if on { "every status change" } else { "none" }
}

fn allowed(opted_out: bool) -> &'static str {
    if opted_out { "opted out" } else { "allowed" }
}
