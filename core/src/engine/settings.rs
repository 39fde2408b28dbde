//! Store settings commands: the pricing settings (tax rates, shipping fees, tax rounding).
//!
//! They live in the store, not in the engine's configuration, so every process on a store
//! prices identically; only an administrator changes them (`ManageSettings`), every change
//! is one audit entry with each changed setting's before and after, and orders read them
//! in their unit of work, so an order priced while they change is retried on the new ones.

use crate::audit::{AuditAction, AuditEntry, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation};
use crate::error::{Error, Result};
use crate::pricing::{PricingChange, PricingSettings};
use crate::store::{Record, RecordKey, Store, StoreError, Versioned};

use super::Engine;

/// Most changes one command makes.
const MAX_CHANGES: usize = 50;

impl<S: Store> Engine<S> {
    /// The store's pricing settings (the defaults on a store that never changed them).
    ///
    /// # Errors
    /// `Forbidden` for roles that may not read the catalog; `Storage`.
    pub fn pricing_settings(&self, actor: &Actor) -> Result<PricingSettings> {
        actor.require(Operation::ReadCatalog)?;
        match self.store.get(&RecordKey::PricingSettings)? {
            Some(Versioned {
                value: Record::PricingSettings(settings),
                ..
            }) => Ok(settings),
            Some(_) => Err(StoreError::Corrupted {
                key: RecordKey::PricingSettings.to_string(),
                reason: "expected a pricing settings record".into(),
            }
            .into()),
            None => Ok(PricingSettings::default()),
        }
    }

    /// Makes `changes` to the pricing settings, in order, as one change: one audit entry
    /// listing every setting whose value differs, before and after. Orders created from
    /// now on price with the new settings; existing orders keep the rates and rounding they
    /// were priced with. Returns the settings as stored.
    ///
    /// # Errors
    /// `Forbidden` unless the actor may manage settings (administrators); `Validation` for
    /// no changes, too many, or a value out of range; `Conflict` after too many lost races.
    pub fn change_pricing_settings(
        &self,
        actor: &Actor,
        changes: &[PricingChange],
    ) -> Result<PricingSettings> {
        actor.require(Operation::ManageSettings)?;
        if changes.is_empty() {
            return Err(Error::invalid(
                "settings",
                "name at least one setting to change",
            ));
        }
        if changes.len() > MAX_CHANGES {
            return Err(Error::invalid(
                "settings",
                format!("at most {MAX_CHANGES} changes at once"),
            ));
        }
        self.transact(|unit| {
            let before = unit.pricing_settings()?;
            let mut after = before.clone();
            for change in changes {
                after = after.with(change)?;
            }
            let differences = after.diff(&before);
            if differences.is_empty() {
                // Nothing changes: nothing to write or audit.
                return Ok(after);
            }
            unit.audit(AuditRecord {
                at: self.clock.now(),
                actor: actor.clone(),
                action: AuditAction::PricingSettingsChanged,
                subjects: vec![Subject::Settings],
                changes: differences
                    .into_iter()
                    .map(|(field, was, now)| FieldChange::new(&field, was, now))
                    .collect(),
            });
            unit.put(Record::PricingSettings(after.clone()));
            Ok(after)
        })
    }

    /// Every change to the store's settings, oldest first.
    ///
    /// # Errors
    /// `Forbidden` for roles that may not read the audit trail; `Storage`.
    pub fn settings_history(&self, actor: &Actor) -> Result<Vec<AuditEntry>> {
        actor.require(Operation::ReadAudit)?;
        self.audit_trail(Subject::Settings)
    }
}
