//! Notification deliveries as the dispatchers and staff work them: claim with a lease,
//! report how the attempt ended, take the provider's status callbacks, list, retry.
//! Everything here needs `DispatchNotifications` (administrators and the system): a
//! delivery names a recipient, and a dispatcher derives verification codes.

use super::queries::MAX_PAGE;
use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation};
use crate::delivery::{
    CarrierStatus, Delivery, DeliveryChannel, DeliveryStatus, LeaseLost, PhoneSettings, Recipient,
    SendOutcome,
};
use crate::error::{EntityKind, Error, Result};
use crate::ids::DeliveryId;
use crate::refusal::Refusal;
use crate::store::{IndexName, IndexRange, Record, RecordKey, Store, Versioned, keys};

use super::Engine;
use super::queries::Page;
use super::unit::Unit;

/// Which deliveries a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeliveryFilter {
    /// Not yet sent: pending, sending, failed and dead.
    #[default]
    Unsent,
    /// Only the failed and the dead.
    Problems,
    /// Every delivery, sent ones included.
    All,
}

impl<S: Store> Engine<S> {
    /// Claims up to `limit` deliveries of `channel` that are due (pending, failed and due
    /// again, or sending under a lapsed lease) for the dispatcher `owner`, with a lease of
    /// the engine's `delivery_lease_ms`. Returns them once their claims — and so the write
    /// sets that created them — are durable (`Store::sync`). An SMS delivery to a number
    /// that opted out is not claimed but marked dead.
    ///
    /// # Errors
    /// `Forbidden`; `Storage`.
    pub fn claim_deliveries(
        &self,
        actor: &Actor,
        channel: DeliveryChannel,
        owner: &str,
        limit: usize,
    ) -> Result<Vec<Delivery>> {
        actor.require(Operation::DispatchNotifications)?;
        let now = self.clock.now();
        let (start, end) = keys::delivery_queue_due(channel, now);
        let range = IndexRange {
            start: std::ops::Bound::Included(start),
            end: std::ops::Bound::Excluded(end),
            reverse: false,
        };
        let due = self
            .store
            .index_scan(IndexName::DeliveryQueue, &range, limit.min(MAX_PAGE))?;
        let mut claimed = Vec::new();
        for (_, id) in due {
            let taken = self.transact(|unit| {
                let Some(mut delivery) = delivery_in(unit, DeliveryId(id))? else {
                    return Ok(None);
                };
                let now = self.clock.now();
                if !delivery.claimable(now) {
                    // Another dispatcher was faster.
                    return Ok(None);
                }
                let before = keys::delivery_entries(&delivery);
                let opted_out = match delivery.recipient() {
                    Recipient::Phone(phone) => phone_settings(unit, phone.as_str())?
                        .is_some_and(|settings| settings.opted_out),
                    Recipient::TelegramChat(_) | Recipient::Email(_) => false,
                };
                if opted_out {
                    delivery.abandon("the recipient opted out (STOP); nothing is sent", now);
                } else {
                    delivery.claim(owner, now, self.config.delivery_lease_ms);
                }
                unit.reindex(&before, &keys::delivery_entries(&delivery));
                unit.put(Record::Delivery(delivery.clone()));
                Ok((!opted_out).then_some(delivery))
            })?;
            claimed.extend(taken);
        }
        if !claimed.is_empty() {
            self.store.sync()?;
        }
        Ok(claimed)
    }

    /// Records how `owner`'s attempt `attempt` at a delivery ended: sent, failed for now
    /// (tried again from the given time, until `delivery_max_attempts`), or dead.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; [`Refusal::DeliveryNotHeld`] if `owner` no longer holds
    /// that attempt (its lease lapsed and another dispatcher took it over); `Storage`.
    pub fn finish_delivery(
        &self,
        actor: &Actor,
        id: DeliveryId,
        owner: &str,
        attempt: u32,
        outcome: &SendOutcome,
    ) -> Result<Delivery> {
        actor.require(Operation::DispatchNotifications)?;
        self.transact(|unit| {
            let mut delivery = delivery_in(unit, id)?.ok_or_else(|| unknown(id))?;
            let before = keys::delivery_entries(&delivery);
            let now = self.clock.now();
            delivery
                .finish(
                    owner,
                    attempt,
                    outcome,
                    self.config.delivery_max_attempts,
                    now,
                )
                .map_err(|LeaseLost::NotHeld| Refusal::DeliveryNotHeld { delivery: id.0 })?;
            unit.reindex(&before, &keys::delivery_entries(&delivery));
            unit.put(Record::Delivery(delivery.clone()));
            Ok(delivery)
        })
    }

    /// Takes a provider's status callback for the message it calls `provider_id`; a report
    /// older than what is held changes nothing (callbacks arrive out of order).
    ///
    /// # Errors
    /// `Forbidden`; `NotFound` for an id no delivery has; `Storage`.
    pub fn carrier_report(
        &self,
        actor: &Actor,
        provider_id: &str,
        status: CarrierStatus,
    ) -> Result<Delivery> {
        actor.require(Operation::DispatchNotifications)?;
        let missing =
            || Error::not_found(EntityKind::Delivery, format!("for message {provider_id}"));
        let id = self
            .store
            .index_get(IndexName::DeliveryByProvider, provider_id.as_bytes())?
            .ok_or_else(missing)?;
        self.transact(|unit| {
            let mut delivery = delivery_in(unit, DeliveryId(id))?.ok_or_else(missing)?;
            if delivery.carrier_report(status, self.clock.now()) {
                unit.put(Record::Delivery(delivery.clone()));
            }
            Ok(delivery)
        })
    }

    /// Queues a failed or dead delivery again, due now, with a fresh count of attempts
    /// (audited on the customer it is about).
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; [`Refusal::DeliveryNotRetryable`] for any other status;
    /// `Storage`.
    pub fn retry_delivery(&self, actor: &Actor, id: DeliveryId) -> Result<Delivery> {
        actor.require(Operation::DispatchNotifications)?;
        self.transact(|unit| {
            let mut delivery = delivery_in(unit, id)?.ok_or_else(|| unknown(id))?;
            let before = keys::delivery_entries(&delivery);
            let status = delivery.status();
            let now = self.clock.now();
            if !delivery.retry(now) {
                return Err(Refusal::DeliveryNotRetryable {
                    delivery: id.0,
                    status,
                }
                .into());
            }
            unit.reindex(&before, &keys::delivery_entries(&delivery));
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action: AuditAction::NotificationRetried,
                subjects: vec![Subject::Customer(delivery.customer())],
                changes: vec![
                    FieldChange::new("delivery", None, Some(id.to_string())),
                    FieldChange::new(
                        "status",
                        Some(status.to_string()),
                        Some(delivery.status().to_string()),
                    ),
                ],
            });
            unit.put(Record::Delivery(delivery.clone()));
            Ok(delivery)
        })
    }

    /// Marks deliveries as sent by hand (someone sent the messages outside ordo), so no
    /// dispatcher sends them, all in one write; idempotent for those already sent. At most
    /// 500 (`MAX_PAGE`) at once.
    ///
    /// # Errors
    /// `Forbidden`; `Validation` for too many; `NotFound` (and nothing changes) if one
    /// does not exist; `Storage`.
    pub fn acknowledge_deliveries(&self, actor: &Actor, ids: &[DeliveryId]) -> Result<usize> {
        actor.require(Operation::DispatchNotifications)?;
        if ids.len() > MAX_PAGE {
            return Err(Error::invalid(
                "deliveries",
                format!("at most {MAX_PAGE} at once"),
            ));
        }
        self.transact(|unit| {
            let now = self.clock.now();
            let mut changed = 0;
            for id in ids {
                let mut delivery = delivery_in(unit, *id)?.ok_or_else(|| unknown(*id))?;
                let before = keys::delivery_entries(&delivery);
                if delivery.mark_sent_by_hand(now) {
                    unit.reindex(&before, &keys::delivery_entries(&delivery));
                    unit.put(Record::Delivery(delivery));
                    changed += 1;
                }
            }
            Ok(changed)
        })
    }

    /// One delivery.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`; `Storage`.
    pub fn get_delivery(&self, actor: &Actor, id: DeliveryId) -> Result<Delivery> {
        actor.require(Operation::DispatchNotifications)?;
        match self.store.get(&RecordKey::Delivery(id))? {
            Some(Versioned {
                value: Record::Delivery(d),
                ..
            }) => Ok(d),
            _ => Err(unknown(id)),
        }
    }

    /// Deliveries in id (creation) order after `after`, at most `limit`, as `filter` says.
    ///
    /// # Errors
    /// `Forbidden`; `Storage`.
    pub fn list_deliveries(
        &self,
        actor: &Actor,
        filter: DeliveryFilter,
        after: Option<DeliveryId>,
        limit: usize,
    ) -> Result<Page<Delivery>> {
        actor.require(Operation::DispatchNotifications)?;
        let limit = limit.clamp(1, MAX_PAGE);
        let wanted: &[DeliveryStatus] = match filter {
            DeliveryFilter::All => {
                return self.list_records(
                    crate::store::RecordKind::Delivery,
                    after.map(RecordKey::Delivery),
                    limit,
                    |record| match record {
                        Record::Delivery(d) => Some(d),
                        _ => None,
                    },
                );
            }
            DeliveryFilter::Unsent => &[
                DeliveryStatus::Pending,
                DeliveryStatus::Sending,
                DeliveryStatus::Failed,
                DeliveryStatus::Dead,
            ],
            DeliveryFilter::Problems => &[DeliveryStatus::Failed, DeliveryStatus::Dead],
        };
        // Merge the statuses' id-ordered index ranges into one id order.
        let from = after.map_or(0, |a| a.0.saturating_add(1));
        let mut ids = Vec::new();
        for status in wanted {
            let prefix = keys::delivery_status_prefix(*status);
            let mut start = prefix.clone();
            start.extend_from_slice(&from.to_be_bytes());
            let range = IndexRange {
                start: std::ops::Bound::Included(start),
                end: keys::prefix_end(&prefix)
                    .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
                reverse: false,
            };
            ids.extend(
                self.store
                    .index_scan(IndexName::DeliveryByStatus, &range, limit)?
                    .into_iter()
                    .map(|(_, id)| id),
            );
        }
        ids.sort_unstable();
        ids.truncate(limit);
        let next_cursor = (ids.len() == limit)
            .then(|| ids.last().map(ToString::to_string))
            .flatten();
        let mut items = Vec::with_capacity(ids.len());
        for id in ids {
            items.push(self.get_delivery(actor, DeliveryId(id))?);
        }
        Ok(Page {
            items,
            next_cursor,
            skipped: Vec::new(),
        })
    }
}

fn unknown(id: DeliveryId) -> Error {
    Error::not_found(EntityKind::Delivery, id.to_string())
}

/// A delivery loaded into the unit (version-checked at apply), if it exists.
fn delivery_in<S: Store>(unit: &mut Unit<'_, S>, id: DeliveryId) -> Result<Option<Delivery>> {
    unit.optional(RecordKey::Delivery(id), "delivery", |r| match r {
        Record::Delivery(d) => Some(d),
        _ => None,
    })
}

/// A phone's SMS settings loaded into the unit, if any were ever stored.
pub(super) fn phone_settings<S: Store>(
    unit: &mut Unit<'_, S>,
    phone: &str,
) -> Result<Option<PhoneSettings>> {
    unit.optional(
        RecordKey::PhoneSettings(phone.to_string()),
        "phone settings",
        |r| match r {
            Record::PhoneSettings(p) => Some(p),
            _ => None,
        },
    )
}
