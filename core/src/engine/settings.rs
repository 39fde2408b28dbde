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
                actor: actor.record(),
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

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use crate::audit::{AuditAction, Subject};
    use crate::auth::{ALL_ROLES, Actor, Operation, Role};
    use crate::catalog::TaxCategory;
    use crate::engine::OrderRequest;
    use crate::engine::tests::fixture;
    use crate::error::Error;
    use crate::ids::UserId;
    use crate::money::{Currency, RoundingMode};
    use crate::pricing::{PricingChange, PricingSettings, ShippingMethod};
    use crate::testkit::sample;

    fn changes(texts: &[&str]) -> Vec<PricingChange> {
        texts
            .iter()
            .map(|t| PricingChange::parse(t).unwrap())
            .collect()
    }

    fn field_changes(
        entry: &crate::audit::AuditEntry,
    ) -> Vec<(String, Option<String>, Option<String>)> {
        entry
            .record
            .changes
            .iter()
            .map(|c| (c.field.clone(), c.before.clone(), c.after.clone()))
            .collect()
    }

    #[test]
    fn a_fresh_store_prices_with_the_defaults() {
        let f = fixture();
        let settings = f.engine.pricing_settings(&f.admin).unwrap();
        assert_eq!(settings, PricingSettings::default());
        assert_eq!(settings.tax_rates().rate(TaxCategory::Standard), dec!(0.20));
        assert_eq!(settings.tax_rates().rate(TaxCategory::Reduced), dec!(0.05));
        assert_eq!(settings.tax_rounding(), RoundingMode::HalfEven);
        assert_eq!(
            settings
                .shipping_rates()
                .fee(ShippingMethod::Express, Currency::EUR)
                .unwrap()
                .to_string(),
            "15.00 EUR"
        );
        assert!(f.engine.settings_history(&f.admin).unwrap().is_empty());
    }

    #[test]
    fn an_admin_changes_them_in_one_audited_change_and_new_orders_use_them() {
        let f = fixture();
        let old = f.order(&[("TEE", 1)]).unwrap();
        let saved = f
            .engine
            .change_pricing_settings(
                &f.admin,
                &changes(&[
                    "tax.standard=25%",
                    "shipping.standard.USD=7.50",
                    "shipping.express.EUR=none",
                    "tax.standard=0.21",
                    "rounding=half-up",
                ]),
            )
            .unwrap();
        assert_eq!(f.engine.pricing_settings(&f.admin).unwrap(), saved);
        // One audit entry, one before/after per changed setting (the last value counts).
        let history = f.engine.settings_history(&f.admin).unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(
            history[0].record.action,
            AuditAction::PricingSettingsChanged
        );
        assert_eq!(history[0].record.subjects, vec![Subject::Settings]);
        assert_eq!(history[0].record.actor, f.admin.record());
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            field_changes(&history[0]),
            vec![
                ("rounding".to_string(), some("half-even"), some("half-up")),
                ("shipping.express.EUR".to_string(), some("15.00 EUR"), None),
                (
                    "shipping.standard.USD".to_string(),
                    some("5.00 USD"),
                    some("7.50 USD")
                ),
                ("tax.standard".to_string(), some("20%"), some("21%")),
            ]
        );
        // A new order: 21 % of 20.00 = 4.20, shipping 7.50, rounded half up.
        let new = f.order(&[("TEE", 1)]).unwrap();
        assert_eq!(new.lines()[0].tax_rate, dec!(0.21));
        assert_eq!(new.totals().tax, sample::usd_cents(420));
        assert_eq!(new.totals().shipping, sample::usd_cents(750));
        assert_eq!(new.tax_rounding(), RoundingMode::HalfUp);
        // The order placed before keeps what it was priced with.
        let kept = f.engine.get_order(&f.admin, old.id()).unwrap().value;
        assert_eq!(kept, old);
        assert_eq!(kept.totals().tax, sample::usd_cents(400));
        assert_eq!(kept.tax_rounding(), RoundingMode::HalfEven);
        f.check();
    }

    #[test]
    fn tax_is_rounded_as_the_store_says() {
        let f = fixture();
        let mut cheap = sample::product("CENT", 25);
        cheap.price_lists.clear();
        f.engine.create_product(&f.admin, cheap).unwrap();
        f.engine
            .restock(&f.admin, "CENT", "MAIN", 10, "initial count")
            .unwrap();
        f.engine
            .change_pricing_settings(&f.admin, &changes(&["tax.standard=10%"]))
            .unwrap();
        // 0.25 × 10 % = 0.025: half even → 0.02.
        let even = f.order(&[("CENT", 1)]).unwrap();
        assert_eq!(even.totals().tax, sample::usd_cents(2));
        f.engine
            .change_pricing_settings(&f.admin, &changes(&["rounding=half-up"]))
            .unwrap();
        let up = f.order(&[("CENT", 1)]).unwrap();
        assert_eq!(up.totals().tax, sample::usd_cents(3));
        // Each order keeps its own mode when it changes later.
        let even = f
            .engine
            .set_quantity(&f.admin, even.id(), "CENT", 3)
            .unwrap();
        assert_eq!(
            even.totals().tax,
            sample::usd_cents(8),
            "0.075 → 0.08 (even)"
        );
        let up = f.engine.set_quantity(&f.admin, up.id(), "CENT", 5).unwrap();
        assert_eq!(up.totals().tax, sample::usd_cents(13), "0.125 → 0.13 (up)");
        let even = f
            .engine
            .set_quantity(&f.admin, even.id(), "CENT", 5)
            .unwrap();
        assert_eq!(
            even.totals().tax,
            sample::usd_cents(12),
            "0.125 → 0.12 (even)"
        );
        f.check();
    }

    #[test]
    fn only_an_admin_changes_them_and_catalog_readers_read_them() {
        let f = fixture();
        let change = changes(&["tax.reduced=6%"]);
        for role in ALL_ROLES {
            let actor = match role {
                Role::Customer => Actor::customer(f.consumer),
                Role::Guest => Actor::guest(),
                staff => Actor::staff(UserId(9), staff).unwrap(),
            };
            let changed = f.engine.change_pricing_settings(&actor, &change);
            assert_eq!(changed.is_ok(), role == Role::Admin, "{role}: {changed:?}");
            if role != Role::Admin {
                assert!(matches!(changed, Err(Error::Forbidden { .. })), "{role}");
            }
            let read = f.engine.pricing_settings(&actor);
            assert_eq!(
                read.is_ok(),
                role.allows(Operation::ReadCatalog),
                "{role}: {read:?}"
            );
        }
        // The admin's change went through once; the refused ones left no trace.
        assert_eq!(f.engine.settings_history(&f.admin).unwrap().len(), 1);
    }

    #[test]
    fn refused_and_empty_changes_write_nothing() {
        let f = fixture();
        assert!(matches!(
            f.engine.change_pricing_settings(&f.admin, &[]),
            Err(Error::Validation { .. })
        ));
        let refused = f
            .engine
            .change_pricing_settings(&f.admin, &changes(&["tax.reduced=7%", "tax.standard=120%"]))
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "tax.standard must be between 0 and 1 (0% to 100%)"
        );
        // Setting what is already set changes nothing and is not audited.
        let same = f
            .engine
            .change_pricing_settings(
                &f.admin,
                &changes(&["tax.standard=0.2", "rounding=half-even"]),
            )
            .unwrap();
        assert_eq!(same, PricingSettings::default());
        assert_eq!(
            f.engine.pricing_settings(&f.admin).unwrap(),
            PricingSettings::default()
        );
        assert!(f.engine.settings_history(&f.admin).unwrap().is_empty());
        // An order in a currency without a fee for its method is refused, naming both.
        f.engine
            .change_pricing_settings(&f.admin, &changes(&["shipping.standard.USD=none"]))
            .unwrap();
        let mut request = OrderRequest::simple(f.consumer, &[("TEE", 1)]);
        assert_eq!(
            f.engine
                .create_order(&f.admin, &request)
                .unwrap_err()
                .to_string(),
            "shipping method standard has no rate in USD"
        );
        request.shipping = ShippingMethod::Pickup;
        assert!(f.engine.create_order(&f.admin, &request).is_ok());
    }
}
