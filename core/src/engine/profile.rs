//! Changing a customer's details, with rights per field.
//!
//! Staff who manage customers change any field. A customer changes their own name and
//! addresses at once; a new phone or email takes effect only after the code sent to the new
//! contact is answered ([`Engine::confirm_contact_change`]); their kind (and with it the
//! price group), status and credentials are staff-only.

use crate::audit::{AuditAction, Changes, FieldChange};
use crate::auth::{Actor, Operation};
use crate::customer::{ContactChange, Customer, CustomerDraft, CustomerInput};
use crate::error::{EntityKind, Error, Refusal, Result};
use crate::ids::CustomerId;
use crate::outbox::DomainEvent;
use crate::registration::{self, CodeRejection};
use crate::store::{Record, Store, keys};

use super::Engine;

impl<S: Store> Engine<S> {
    /// Changes a customer's details (audited field by field). Staff who manage customers
    /// change everything at once. A customer, on their own record, changes name and
    /// addresses at once, and a new phone or email only through a code sent to it (the
    /// returned customer then has a [`Customer::pending_contact`]); whether the new contact
    /// is taken is told only to whoever answers that code.
    ///
    /// # Errors
    /// `Validation`; `Duplicate` phone/email; `Forbidden` (a customer changing their kind,
    /// or a role without either right); `NotFound`.
    pub fn update_customer(
        &self,
        actor: &Actor,
        id: CustomerId,
        input: &CustomerInput,
    ) -> Result<Customer> {
        if actor.role().allows(Operation::ManageCustomers) {
            return self.update_customer_as_staff(actor, id, input);
        }
        actor.require(Operation::EditOwnProfile)?;
        if actor.customer_id() != Some(id) {
            return Err(Error::not_found(EntityKind::Customer, id));
        }
        let draft = CustomerDraft::parse(input)?;
        self.transact(|unit| {
            let mut customer = unit.customer(id)?;
            if draft.kind() != customer.kind() {
                return Err(Error::Forbidden {
                    role: actor.role().to_string(),
                    operation: "change the account kind (ask the shop)".into(),
                });
            }
            let old = customer.clone();
            customer.update_profile(draft.name().to_string(), draft.addresses().to_vec());
            let changes = customer_changes(&old, &customer);
            let contact_changed =
                draft.phone() != customer.phone() || draft.email() != customer.email();
            if contact_changed {
                // Whether the new phone or email is taken is checked only once the code sent
                // to it is answered: asking must not tell a customer whose number it is.
                // One code a minute keeps the new number from being flooded.
                if let Some(earlier) = customer.pending_contact() {
                    let ready = earlier
                        .verification
                        .issued_at
                        .plus_ms(crate::registration::RESEND_COOLDOWN_MS);
                    if self.clock.now() < ready {
                        return Err(Refusal::ContactCodeTooSoon.into());
                    }
                }
                // The code secret must exist before a code is derived from it.
                self.settings(unit)?;
                let verification = self.fresh_verification(customer.channel(), None);
                let nonce = verification.nonce;
                customer.request_contact_change(ContactChange {
                    phone: draft.phone().clone(),
                    email: draft.email().clone(),
                    verification,
                })?;
                unit.event(
                    self.clock.now(),
                    DomainEvent::ContactChangeRequested {
                        customer: id,
                        phone: draft.phone().clone(),
                        email: draft.email().clone(),
                        nonce,
                    },
                );
                let mut requested = Changes::new();
                requested.diff("phone (waiting for its code)", old.phone(), draft.phone());
                requested.diff("email (waiting for its code)", old.email(), draft.email());
                self.customer_audit(
                    unit,
                    actor,
                    id,
                    AuditAction::ContactChangeRequested,
                    requested.into_vec(),
                );
            }
            let details_changed = !changes.is_empty();
            if details_changed {
                unit.reindex(
                    &keys::customer_entries(&old),
                    &keys::customer_entries(&customer),
                );
                self.customer_audit(unit, actor, id, AuditAction::CustomerUpdated, changes);
            }
            if contact_changed || details_changed {
                unit.put(Record::Customer(customer.clone()));
            }
            Ok(customer)
        })
    }

    fn update_customer_as_staff(
        &self,
        actor: &Actor,
        id: CustomerId,
        input: &CustomerInput,
    ) -> Result<Customer> {
        let draft = CustomerDraft::parse(input)?;
        self.transact(|unit| {
            let mut customer = unit.customer(id)?;
            self.claim_contact(unit, actor, &draft, Some(id))?;
            let old = customer.clone();
            customer.update_details(draft.clone());
            let changes = customer_changes(&old, &customer);
            if changes.is_empty() {
                return Ok(customer);
            }
            unit.reindex(
                &keys::customer_entries(&old),
                &keys::customer_entries(&customer),
            );
            self.customer_audit(unit, actor, id, AuditAction::CustomerUpdated, changes);
            unit.put(Record::Customer(customer.clone()));
            Ok(customer)
        })
    }

    /// Answers the code sent to a new phone or email: the new contact details apply. A
    /// wrong code counts against the change's attempts.
    ///
    /// # Errors
    /// `Refused` for a wrong code (`WrongCode`), no pending change
    /// (`NoContactChangePending`), an expired code or too many attempts; `Duplicate` if someone took the phone or email meanwhile; `Forbidden`;
    /// `NotFound` for anyone but the customer themselves.
    pub fn confirm_contact_change(
        &self,
        actor: &Actor,
        id: CustomerId,
        code: &str,
    ) -> Result<Customer> {
        actor.require(Operation::EditOwnProfile)?;
        if actor.customer_id() != Some(id) {
            return Err(Error::not_found(EntityKind::Customer, id));
        }
        // The inner result carries refusals that still write (a counted failure).
        self.transact(|unit| {
            let mut customer = unit.customer(id)?;
            let change = customer
                .pending_contact()
                .cloned()
                .ok_or(Refusal::NoContactChangePending)?;
            let settings = self.settings(unit)?;
            let verification = &change.verification;
            match registration::check_code(
                &settings.code_secret,
                id,
                verification,
                code,
                self.clock.now(),
            ) {
                Ok(()) => {}
                Err(CodeRejection::Wrong) => {
                    customer.record_wrong_contact_code();
                    return Ok(Err(self.wrong_code(unit, actor, customer, verification)));
                }
                Err(other) => return Ok(Err(other.to_error(0))),
            }
            let draft = contact_draft(&customer, &change)?;
            self.claim_contact(unit, actor, &draft, Some(id))?;
            let old = customer.clone();
            customer.confirm_contact_change()?;
            unit.reindex(
                &keys::customer_entries(&old),
                &keys::customer_entries(&customer),
            );
            self.customer_audit(
                unit,
                actor,
                id,
                AuditAction::CustomerUpdated,
                customer_changes(&old, &customer),
            );
            unit.put(Record::Customer(customer.clone()));
            Ok(Ok(customer))
        })?
    }
}

/// The customer as they would be after `change`, as a draft for the uniqueness check.
fn contact_draft(customer: &Customer, change: &ContactChange) -> Result<CustomerDraft> {
    let mut input = CustomerInput {
        name: customer.name().to_string(),
        business: None,
        phone: change.phone.to_string(),
        email: change.email.to_string(),
        addresses: customer.addresses().iter().map(|a| a.to_input()).collect(),
    };
    if let crate::customer::CustomerKind::B2B { company, tax_id } = customer.kind() {
        input.business = Some((company.clone(), tax_id.clone()));
    }
    CustomerDraft::parse(&input)
}

/// The fields that differ between two versions of a customer, for the audit trail.
pub(super) fn customer_changes(old: &Customer, new: &Customer) -> Vec<FieldChange> {
    let addresses = |c: &Customer| {
        c.addresses()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let mut changes = Changes::new();
    changes.diff("name", old.name(), new.name());
    changes.diff(
        "kind",
        format!("{:?}", old.kind()),
        format!("{:?}", new.kind()),
    );
    changes.diff("phone", old.phone(), new.phone());
    changes.diff("email", old.email(), new.email());
    changes.diff("addresses", addresses(old), addresses(new));
    changes.into_vec()
}
