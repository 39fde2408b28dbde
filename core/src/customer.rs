//! Customers: identity, contact details, addresses and the price group they buy at.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalog::PriceGroup;
use crate::clock::Timestamp;
use crate::credentials::Credentials;
use crate::error::{Error, Refusal, Result};
use crate::ids::CustomerId;
use crate::ids::RegistrationId;
use crate::registration::{Channel, Verification};
use crate::validate::{self, limits};

/// A phone number in canonical E.164 form (`+` then 8–15 digits, no leading zero).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Parses a phone number, dropping spaces, dashes, dots and parentheses.
    ///
    /// # Errors
    /// `Validation` if the result is not E.164.
    pub fn parse(text: &str) -> Result<Phone> {
        let cleaned: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        let digits = cleaned.strip_prefix('+').unwrap_or("");
        let ok = (8..=15).contains(&digits.len())
            && digits.chars().all(|c| c.is_ascii_digit())
            && !digits.starts_with('0');
        if ok {
            Ok(Phone(cleaned))
        } else {
            Err(Error::invalid(
                "phone",
                format!("{text:?} must be in international format, e.g. +14155550123"),
            ))
        }
    }

    /// The canonical number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Phone::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

/// An email address, case-folded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses and lower-cases an email address (`local@domain.tld`, at most 254 characters).
    ///
    /// # Errors
    /// `Validation` if it does not have that shape.
    pub fn parse(text: &str) -> Result<Email> {
        let lower = text.trim().to_lowercase();
        let bad = || {
            Error::invalid(
                "email",
                format!("{text:?} is not an email address like name@example.com"),
            )
        };
        if lower.len() > 254 || lower.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = lower.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(bad());
        }
        Ok(Email(lower))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

/// A postal address, checked. Build with [`Address::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    recipient: String,
    line1: String,
    line2: String,
    city: String,
    region: String,
    postal_code: String,
    country: String,
}

/// Unchecked address input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressInput {
    /// Who receives the parcel.
    pub recipient: String,
    /// Street and number.
    pub line1: String,
    /// Apartment, floor, company (optional).
    pub line2: String,
    /// City or town.
    pub city: String,
    /// State, province or county (optional).
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
}

impl Address {
    /// Checks required fields (recipient, line 1, city, postal code, country), lengths and
    /// characters; the country is a two-letter code.
    ///
    /// # Errors
    /// `Validation` naming the first bad field.
    pub fn parse(input: &AddressInput) -> Result<Address> {
        let country = input.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(Error::invalid(
                "country",
                format!("{:?} must be a two-letter code like US", input.country),
            ));
        }
        Ok(Address {
            recipient: validate::required_text(
                "recipient",
                &input.recipient,
                limits::MAX_NAME_CHARS,
            )?,
            line1: validate::required_text("address line 1", &input.line1, limits::MAX_NAME_CHARS)?,
            line2: validate::optional_text("address line 2", &input.line2, limits::MAX_NAME_CHARS)?,
            city: validate::required_text("city", &input.city, limits::MAX_NAME_CHARS)?,
            region: validate::optional_text("region", &input.region, limits::MAX_NAME_CHARS)?,
            postal_code: validate::required_text("postal code", &input.postal_code, 16)?,
            country,
        })
    }

    /// Parses the one-line form `recipient, line1, [line2,] city, postal code, country`.
    ///
    /// # Errors
    /// `Validation` if there are too few parts or a part is invalid.
    pub fn parse_line(text: &str) -> Result<Address> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let input = match parts.as_slice() {
            [recipient, line1, city, postal_code, country] => AddressInput {
                recipient: (*recipient).into(),
                line1: (*line1).into(),
                city: (*city).into(),
                postal_code: (*postal_code).into(),
                country: (*country).into(),
                ..AddressInput::default()
            },
            [recipient, line1, line2, city, postal_code, country] => AddressInput {
                recipient: (*recipient).into(),
                line1: (*line1).into(),
                line2: (*line2).into(),
                city: (*city).into(),
                postal_code: (*postal_code).into(),
                country: (*country).into(),
                ..AddressInput::default()
            },
            _ => {
                return Err(Error::invalid(
                    "address",
                    "must be \"recipient, street, [line 2,] city, postal code, country\"",
                ));
            }
        };
        Address::parse(&input)
    }

    /// Who receives the parcel.
    pub fn recipient(&self) -> &str {
        &self.recipient
    }
    /// City.
    pub fn city(&self) -> &str {
        &self.city
    }
    /// Two-letter country code.
    pub fn country(&self) -> &str {
        &self.country
    }
    /// Back to editable input.
    pub fn to_input(&self) -> AddressInput {
        AddressInput {
            recipient: self.recipient.clone(),
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            city: self.city.clone(),
            region: self.region.clone(),
            postal_code: self.postal_code.clone(),
            country: self.country.clone(),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.recipient, self.line1)?;
        if !self.line2.is_empty() {
            write!(f, ", {}", self.line2)?;
        }
        write!(f, ", {}", self.city)?;
        if !self.region.is_empty() {
            write!(f, ", {}", self.region)?;
        }
        write!(f, ", {}, {}", self.postal_code, self.country)
    }
}

/// Consumer or business, with the business's legal details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerKind {
    /// A consumer.
    B2C,
    /// A business.
    B2B {
        /// Registered company name.
        company: String,
        /// VAT or other tax id.
        tax_id: String,
    },
}

/// Where a customer is in their life with us. Registration and verification fill in the
/// pending states; only `Active` customers may place orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CustomerStatus {
    /// Registered, verification code not yet confirmed.
    PendingVerification,
    /// Verified business customer waiting for staff approval.
    PendingApproval,
    /// May place orders.
    Active,
    /// Registration rejected by staff.
    Rejected,
    /// Disabled by staff.
    Disabled,
    /// Registered but never verified in time: the phone and email are free again.
    Expired,
}

impl fmt::Display for CustomerStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CustomerStatus::PendingVerification => "pending verification",
            CustomerStatus::PendingApproval => "pending approval",
            CustomerStatus::Active => "active",
            CustomerStatus::Rejected => "rejected",
            CustomerStatus::Disabled => "disabled",
            CustomerStatus::Expired => "expired",
        })
    }
}

/// Unchecked customer input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerInput {
    /// Full name of the person.
    pub name: String,
    /// `None` for B2C; `Some((company, tax_id))` for B2B.
    #[serde(default)]
    pub business: Option<(String, String)>,
    /// Phone number.
    pub phone: String,
    /// Email address.
    pub email: String,
    /// Addresses; the first is the default shipping address.
    #[serde(default)]
    pub addresses: Vec<AddressInput>,
}

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    // Crate-visible only for `store::legacy`, which upgrades records of older schemas.
    pub(crate) id: CustomerId,
    pub(crate) name: String,
    pub(crate) kind: CustomerKind,
    pub(crate) phone: Phone,
    pub(crate) email: Email,
    pub(crate) addresses: Vec<Address>,
    pub(crate) status: CustomerStatus,
    pub(crate) created_at: Timestamp,
    pub(crate) registration_id: Option<RegistrationId>,
    pub(crate) channel: Channel,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) verification: Option<Verification>,
    pub(crate) rejection_reason: Option<String>,
    pub(crate) pending_contact: Option<Box<ContactChange>>,
}

/// A phone or email change a customer asked for, waiting for the code sent to the new
/// contact. Until it is answered the old contact details stay in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactChange {
    /// The phone after the change.
    pub phone: Phone,
    /// The email after the change.
    pub email: Email,
    /// The code sent to the new contact.
    pub verification: Verification,
}

/// A checked customer, not yet given an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDraft {
    name: String,
    kind: CustomerKind,
    phone: Phone,
    email: Email,
    addresses: Vec<Address>,
}

impl CustomerDraft {
    /// Checks every field.
    ///
    /// # Errors
    /// `Validation` naming the first bad field.
    pub fn parse(input: &CustomerInput) -> Result<CustomerDraft> {
        let name = validate::required_text("customer name", &input.name, limits::MAX_NAME_CHARS)?;
        let kind = match &input.business {
            None => CustomerKind::B2C,
            Some((company, tax_id)) => CustomerKind::B2B {
                company: validate::required_text("company name", company, limits::MAX_NAME_CHARS)?,
                tax_id: validate::required_text("tax id", tax_id, 32)?,
            },
        };
        if input.addresses.len() > 10 {
            return Err(Error::invalid("addresses", "may have at most 10 entries"));
        }
        Ok(CustomerDraft {
            name,
            kind,
            phone: Phone::parse(&input.phone)?,
            email: Email::parse(&input.email)?,
            addresses: input
                .addresses
                .iter()
                .map(Address::parse)
                .collect::<Result<_>>()?,
        })
    }

    /// The phone, for uniqueness checks before the customer exists.
    pub fn phone(&self) -> &Phone {
        &self.phone
    }

    /// The email, for uniqueness checks.
    pub fn email(&self) -> &Email {
        &self.email
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Consumer or business.
    pub fn kind(&self) -> &CustomerKind {
        &self.kind
    }

    /// The addresses.
    pub fn addresses(&self) -> &[Address] {
        &self.addresses
    }
}

impl Customer {
    /// A customer from a checked draft.
    pub fn create(
        id: CustomerId,
        draft: CustomerDraft,
        status: CustomerStatus,
        created_at: Timestamp,
    ) -> Customer {
        Customer {
            id,
            name: draft.name,
            kind: draft.kind,
            phone: draft.phone,
            email: draft.email,
            addresses: draft.addresses,
            status,
            created_at,
            registration_id: None,
            channel: Channel::Sms,
            credentials: None,
            verification: None,
            rejection_reason: None,
            pending_contact: None,
        }
    }

    /// The permanent Registration ID, once the account is active.
    pub fn registration_id(&self) -> Option<&RegistrationId> {
        self.registration_id.as_ref()
    }
    /// Where codes and notifications go.
    pub fn channel(&self) -> Channel {
        self.channel
    }
    /// Login and password hash, once chosen.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }
    /// The outstanding verification, if any.
    pub fn verification(&self) -> Option<&Verification> {
        self.verification.as_ref()
    }
    /// Why staff rejected the registration.
    pub fn rejection_reason(&self) -> Option<&str> {
        self.rejection_reason.as_deref()
    }

    /// The contact change waiting for its code, if any.
    pub fn pending_contact(&self) -> Option<&ContactChange> {
        self.pending_contact.as_deref()
    }

    /// Whether this is a registration that was not verified within `ttl_ms` of `created_at`.
    pub fn registration_lapsed(&self, now: Timestamp, ttl_ms: i64) -> bool {
        self.status == CustomerStatus::PendingVerification && now >= self.created_at.plus_ms(ttl_ms)
    }

    /// Ends a lapsed registration: its phone and email are free for someone else.
    ///
    /// # Errors
    /// `NotPendingRegistration` unless pending verification.
    pub fn expire(&mut self) -> Result<()> {
        if self.status != CustomerStatus::PendingVerification {
            return Err(Refusal::NotPendingRegistration {
                customer: self.id,
                status: self.status,
            }
            .into());
        }
        self.status = CustomerStatus::Expired;
        self.verification = None;
        Ok(())
    }

    /// Starts (or restarts) verification.
    ///
    /// # Errors
    /// `NotAwaitingCode` unless the customer is pending verification.
    pub fn start_verification(&mut self, verification: Verification) -> Result<()> {
        if self.status != CustomerStatus::PendingVerification {
            return Err(Refusal::NotAwaitingCode {
                customer: self.id,
                status: self.status,
            }
            .into());
        }
        self.channel = verification.channel;
        self.verification = Some(verification);
        Ok(())
    }

    /// Makes `channel` the customer's own channel (where their news go): a Telegram chat
    /// they signed in from, or their phone again when that chat signs out.
    pub fn set_channel(&mut self, channel: Channel) {
        self.channel = channel;
    }

    /// Counts a wrong code (of the registration, or of the pending contact change).
    pub fn record_wrong_code(&mut self) {
        if let Some(v) = &mut self.verification {
            v.attempts = v.attempts.saturating_add(1);
        }
    }

    /// Counts a wrong code for the pending contact change.
    pub fn record_wrong_contact_code(&mut self) {
        if let Some(change) = &mut self.pending_contact {
            change.verification.attempts = change.verification.attempts.saturating_add(1);
        }
    }

    /// Asks for a new phone and/or email; they take effect once the code sent to them is
    /// answered ([`Customer::confirm_contact_change`]).
    ///
    /// # Errors
    /// `AccountNotActive` unless the account is active.
    pub fn request_contact_change(&mut self, change: ContactChange) -> Result<()> {
        if self.status != CustomerStatus::Active {
            return Err(Refusal::AccountNotActive {
                customer: self.id,
                status: self.status,
            }
            .into());
        }
        self.pending_contact = Some(Box::new(change));
        Ok(())
    }

    /// The code for the pending contact change was right: the new contact details apply.
    ///
    /// # Errors
    /// `NoContactChangePending` if no change is pending.
    pub fn confirm_contact_change(&mut self) -> Result<()> {
        let change = self
            .pending_contact
            .take()
            .ok_or(Refusal::NoContactChangePending)?;
        self.phone = change.phone;
        self.email = change.email;
        Ok(())
    }

    /// Replaces the name and addresses: what a customer may change on their own.
    pub fn update_profile(&mut self, name: String, addresses: Vec<Address>) {
        self.name = name;
        self.addresses = addresses;
    }

    /// The code was right: consumers become active with `registration_id`; businesses wait
    /// for staff approval. Credentials are set either way.
    ///
    /// # Errors
    /// `NotAwaitingCode` unless pending verification.
    pub fn complete_verification(
        &mut self,
        credentials: Credentials,
        registration_id: RegistrationId,
    ) -> Result<()> {
        if self.status != CustomerStatus::PendingVerification {
            return Err(Refusal::NotAwaitingCode {
                customer: self.id,
                status: self.status,
            }
            .into());
        }
        self.verification = None;
        self.credentials = Some(credentials);
        match self.kind {
            CustomerKind::B2C => self.activate(registration_id),
            CustomerKind::B2B { .. } => self.status = CustomerStatus::PendingApproval,
        }
        Ok(())
    }

    /// Makes the account active with its permanent Registration ID (kept if it has one).
    pub fn activate(&mut self, registration_id: RegistrationId) {
        self.status = CustomerStatus::Active;
        if self.registration_id.is_none() {
            self.registration_id = Some(registration_id);
        }
    }

    /// Staff approval of a verified business registration.
    ///
    /// # Errors
    /// `NotAwaitingApproval` unless pending approval.
    pub fn approve(&mut self, registration_id: RegistrationId) -> Result<()> {
        if self.status != CustomerStatus::PendingApproval {
            return Err(Refusal::NotAwaitingApproval {
                customer: self.id,
                status: self.status,
            }
            .into());
        }
        self.activate(registration_id);
        Ok(())
    }

    /// Staff rejection of a pending registration.
    ///
    /// # Errors
    /// `NotRejectable` unless pending verification or approval.
    pub fn reject(&mut self, reason: String) -> Result<()> {
        match self.status {
            CustomerStatus::PendingVerification | CustomerStatus::PendingApproval => {
                self.status = CustomerStatus::Rejected;
                self.verification = None;
                self.rejection_reason = Some(reason);
                Ok(())
            }
            CustomerStatus::Active
            | CustomerStatus::Rejected
            | CustomerStatus::Disabled
            | CustomerStatus::Expired => Err(Refusal::NotRejectable {
                customer: self.id,
                status: self.status,
            }
            .into()),
        }
    }

    /// Sets (or replaces) login and password.
    pub fn set_credentials(&mut self, credentials: Credentials) {
        self.credentials = Some(credentials);
    }

    /// Replaces name, kind, contact details and addresses (status and account stay).
    pub fn update_details(&mut self, draft: CustomerDraft) {
        self.name = draft.name;
        self.kind = draft.kind;
        self.phone = draft.phone;
        self.email = draft.email;
        self.addresses = draft.addresses;
    }

    /// The customer's id.
    pub fn id(&self) -> CustomerId {
        self.id
    }
    /// Full name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Consumer or business.
    pub fn kind(&self) -> &CustomerKind {
        &self.kind
    }
    /// Phone.
    pub fn phone(&self) -> &Phone {
        &self.phone
    }
    /// Email.
    pub fn email(&self) -> &Email {
        &self.email
    }
    /// Addresses; the first is the default.
    pub fn addresses(&self) -> &[Address] {
        &self.addresses
    }
    /// Lifecycle status.
    pub fn status(&self) -> CustomerStatus {
        self.status
    }
    /// When the record was created.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// The price group: B2B customers buy wholesale, consumers retail.
    pub fn price_group(&self) -> PriceGroup {
        match self.kind {
            CustomerKind::B2C => PriceGroup::Retail,
            CustomerKind::B2B { .. } => PriceGroup::Wholesale,
        }
    }

    /// Whether the customer may place orders.
    pub fn can_order(&self) -> bool {
        self.status == CustomerStatus::Active
    }
}

/// Case-folded, whitespace-collapsed form of a name, used by the name index and search.
pub fn normalize_name(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn input(name: &str, phone: &str, email: &str) -> CustomerInput {
        CustomerInput {
            name: name.into(),
            business: None,
            phone: phone.into(),
            email: email.into(),
            addresses: vec![AddressInput {
                recipient: name.into(),
                line1: "1 Main St".into(),
                city: "Springfield".into(),
                postal_code: "12345".into(),
                country: "us".into(),
                ..AddressInput::default()
            }],
        }
    }

    #[test]
    fn phone_rules() {
        assert_eq!(
            Phone::parse("+1 (415) 555-0123").unwrap().as_str(),
            "+14155550123"
        );
        for bad in [
            "4155550123",
            "+0123456789",
            "+12",
            "+1234567890123456",
            "+1415abc0123",
            "",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_rules() {
        assert_eq!(
            Email::parse(" Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in [
            "ada",
            "ada@",
            "@x.com",
            "ada@example",
            "a b@x.com",
            "ada@x..com",
            "a@b@c.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn address_rules() {
        let a = Address::parse_line("Ada Lovelace, 1 Main St, Springfield, 12345, us").unwrap();
        assert_eq!(a.country(), "US");
        assert_eq!(
            a.to_string(),
            "Ada Lovelace, 1 Main St, Springfield, 12345, US"
        );
        assert!(Address::parse_line("Ada, 1 Main St, Springfield").is_err());
        assert!(Address::parse_line("Ada, , Springfield, 12345, US").is_err());
        assert!(Address::parse_line("Ada, 1 Main, Springfield, 12345, USA").is_err());
    }

    #[test]
    fn b2b_needs_company_and_tax_id_and_buys_wholesale() {
        let mut i = input("Bob", "+14155550100", "bob@acme.com");
        i.business = Some(("Acme".into(), " ".into()));
        assert!(CustomerDraft::parse(&i).is_err());
        i.business = Some(("Acme".into(), "US123".into()));
        let c = Customer::create(
            CustomerId(1),
            CustomerDraft::parse(&i).unwrap(),
            CustomerStatus::Active,
            Timestamp(0),
        );
        assert_eq!(c.price_group(), PriceGroup::Wholesale);
        assert!(c.can_order());
    }

    #[test]
    fn names_normalize() {
        assert_eq!(normalize_name("  Ada   LOVELACE "), "ada lovelace");
    }
}
