//! Customer commands and queries.

use crate::audit::{AuditAction, AuditRecord, FieldChange, Subject};
use crate::auth::{Actor, Operation};
use crate::customer::{Customer, CustomerDraft, CustomerInput, CustomerStatus, Phone};
use crate::error::{EntityKind, Error, Result};
use crate::ids::{CustomerId, RegistrationId};
use crate::store::{IndexName, Record, RecordKey, RecordKind, Store, Versioned, keys};

use super::queries::hide_not_found;
use super::{Engine, Page};

impl<S: Store> Engine<S> {
    /// Creates a customer record entered by staff (active at once).
    ///
    /// # Errors
    /// `Validation`; `Duplicate` for a phone or email already registered; `Forbidden`.
    pub fn create_customer(&self, actor: &Actor, input: &CustomerInput) -> Result<Customer> {
        actor.require(Operation::ManageCustomers)?;
        let draft = CustomerDraft::parse(input)?;
        self.transact(|unit| {
            let store = unit.store();
            if store
                .index_get(
                    IndexName::CustomerByPhone,
                    &keys::customer_phone(draft.phone()),
                )?
                .is_some()
            {
                return Err(Error::Duplicate {
                    entity: EntityKind::Customer,
                    field: "phone",
                    value: draft.phone().to_string(),
                });
            }
            if store
                .index_get(
                    IndexName::CustomerByEmail,
                    &keys::customer_email(draft.email()),
                )?
                .is_some()
            {
                return Err(Error::Duplicate {
                    entity: EntityKind::Customer,
                    field: "email",
                    value: draft.email().to_string(),
                });
            }
            let now = self.clock.now();
            // Staff vouch for customers they enter: active at once, with a Registration ID.
            let mut customer = Customer::create(
                CustomerId(store.next_id()?),
                draft.clone(),
                CustomerStatus::Active,
                now,
            );
            customer.activate(RegistrationId::generate(self.random.as_ref()));
            unit.reindex(&[], &keys::customer_entries(&customer));
            unit.audit(AuditRecord {
                at: now,
                actor: actor.record(),
                action: AuditAction::CustomerCreated,
                subjects: vec![Subject::Customer(customer.id())],
                changes: vec![
                    FieldChange::new("name", None, Some(customer.name().to_string())),
                    FieldChange::new("phone", None, Some(customer.phone().to_string())),
                    FieldChange::new("email", None, Some(customer.email().to_string())),
                ],
            });
            unit.put(Record::Customer(customer.clone()));
            Ok(customer)
        })
    }

    /// A customer by id. Customers may read only themselves.
    ///
    /// # Errors
    /// `NotFound`; `Forbidden`.
    pub fn get_customer(&self, actor: &Actor, id: CustomerId) -> Result<Customer> {
        require_read_customers(actor)?;
        if actor.customer_id().is_some_and(|me| me != id) {
            return Err(Error::not_found(EntityKind::Customer, id));
        }
        match self.store.get(&RecordKey::Customer(id))? {
            Some(Versioned {
                value: Record::Customer(c),
                ..
            }) => Ok(c),
            _ => Err(Error::not_found(EntityKind::Customer, id)),
        }
    }

    /// A customer by phone number.
    ///
    /// # Errors
    /// `Validation`; `NotFound`; `Forbidden`.
    pub fn customer_by_phone(&self, actor: &Actor, phone: &str) -> Result<Customer> {
        require_read_customers(actor)?;
        let phone = Phone::parse(phone)?;
        let unknown = || Error::not_found(EntityKind::Customer, format!("with phone {phone}"));
        let id = self
            .store
            .index_get(IndexName::CustomerByPhone, &keys::customer_phone(&phone))?
            .ok_or_else(unknown)?;
        // Someone else's phone reads exactly like a phone nobody has.
        self.get_customer(actor, CustomerId(id))
            .map_err(|e| hide_not_found(e, unknown))
    }

    /// Customers in id order (or, with `name`, those whose name matches), at most `limit`;
    /// a customer that cannot be read is skipped and reported in [`Page::skipped`].
    ///
    /// # Errors
    /// `Forbidden`; `Storage`.
    pub fn list_customers(
        &self,
        actor: &Actor,
        name: Option<&str>,
        after: Option<CustomerId>,
        limit: usize,
    ) -> Result<Page<Customer>> {
        actor.require(Operation::ReadCustomers)?;
        if let Some(me) = actor.customer_id() {
            return Ok(Page::of(vec![self.get_customer(actor, me)?]));
        }
        if let Some(name) = name {
            let mut page = Page::of(Vec::new());
            for id in self.customers_named(name, limit, &mut page.skipped)? {
                page.items.push(self.get_customer(actor, id)?);
            }
            return Ok(page);
        }
        self.list_records(
            RecordKind::Customer,
            after.map(RecordKey::Customer),
            limit,
            |record| match record {
                Record::Customer(c) => Some(c),
                _ => None,
            },
        )
    }
}

/// Customers read their own record; staff need the right to read customers.
fn require_read_customers(actor: &Actor) -> Result<()> {
    actor.require(Operation::ReadCustomers)
}
