//! The seller: who sells, as invoices and shipping labels print it.
//!
//! Kept in the store's settings (`PricingSettings::seller`, changed with
//! `ordo settings set seller.name=…` like every other setting: admin only, audited), and
//! copied into each invoice when it is issued, so a reprint shows the seller as it was.
//! Every part may be empty: a store that never set them prints what the adapter is
//! configured with.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::validate;

/// Longest seller name.
pub const MAX_NAME_CHARS: usize = 120;
/// Most address lines.
pub const MAX_ADDRESS_LINES: usize = 6;
/// Longest address line.
pub const MAX_ADDRESS_LINE_CHARS: usize = 100;
/// Longest tax id (VAT number, EIN).
pub const MAX_TAX_ID_CHARS: usize = 40;
/// Longest contact (an email address or a phone number).
pub const MAX_CONTACT_CHARS: usize = 120;

/// The seller's details. Each part is validated text, possibly empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    name: String,
    address: Vec<String>,
    tax_id: String,
    contact: String,
}

/// One part of the seller's details, as a setting names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SellerField {
    /// `seller.name`.
    Name,
    /// `seller.address`: lines separated by `;`.
    Address,
    /// `seller.tax_id`.
    TaxId,
    /// `seller.contact`: an email address or phone number printed under the address.
    Contact,
}

impl SellerField {
    /// Every part, in the order settings list them.
    pub const ALL: [SellerField; 4] = [
        SellerField::Name,
        SellerField::Address,
        SellerField::TaxId,
        SellerField::Contact,
    ];

    /// `name`, `address`, `tax_id`, `contact`.
    pub fn name(self) -> &'static str {
        match self {
            SellerField::Name => "name",
            SellerField::Address => "address",
            SellerField::TaxId => "tax_id",
            SellerField::Contact => "contact",
        }
    }

    /// The part named `text` (case-insensitive; `-` for `_`).
    ///
    /// # Errors
    /// `Validation` (field `setting`) listing the parts.
    pub fn parse(text: &str) -> Result<SellerField> {
        let lower = text.trim().to_ascii_lowercase().replace('-', "_");
        SellerField::ALL
            .into_iter()
            .find(|f| f.name() == lower)
            .ok_or_else(|| {
                Error::invalid(
                    "setting",
                    format!("seller.{text} is not a setting; use seller.name, seller.address, seller.tax_id or seller.contact"),
                )
            })
    }
}

impl fmt::Display for SellerField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seller.{}", self.name())
    }
}

impl Seller {
    /// The name (empty when never set).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The address lines.
    pub fn address(&self) -> &[String] {
        &self.address
    }
    /// The tax id (empty when never set).
    pub fn tax_id(&self) -> &str {
        &self.tax_id
    }
    /// An email address or phone number (empty when never set).
    pub fn contact(&self) -> &str {
        &self.contact
    }
    /// Whether nothing was ever set.
    pub fn is_empty(&self) -> bool {
        self == &Seller::default()
    }

    /// The value of one part as a setting shows it (address lines joined by `; `).
    pub fn get(&self, field: SellerField) -> String {
        match field {
            SellerField::Name => self.name.clone(),
            SellerField::Address => self.address.join("; "),
            SellerField::TaxId => self.tax_id.clone(),
            SellerField::Contact => self.contact.clone(),
        }
    }

    /// These details with `field` set to `value` (validated; empty clears it).
    ///
    /// # Errors
    /// `Validation` naming the setting: a control character, or a part too long.
    pub fn with(&self, field: SellerField, value: &str) -> Result<Seller> {
        let label = field.to_string();
        let mut next = self.clone();
        match field {
            SellerField::Name => {
                next.name = validate::optional_text(&label, value, MAX_NAME_CHARS)?;
            }
            SellerField::Address => {
                let lines = value
                    .split(';')
                    .map(|line| validate::optional_text(&label, line, MAX_ADDRESS_LINE_CHARS))
                    .filter(|line| !matches!(line, Ok(l) if l.is_empty()))
                    .collect::<Result<Vec<String>>>()?;
                if lines.len() > MAX_ADDRESS_LINES {
                    return Err(Error::invalid(
                        &label,
                        format!("has at most {MAX_ADDRESS_LINES} lines (separated by ';')"),
                    ));
                }
                next.address = lines;
            }
            SellerField::TaxId => {
                next.tax_id = validate::optional_text(&label, value, MAX_TAX_ID_CHARS)?;
            }
            SellerField::Contact => {
                next.contact = validate::optional_text(&label, value, MAX_CONTACT_CHARS)?;
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_validated_trimmed_and_cleared_by_an_empty_value() {
        let seller = Seller::default()
            .with(SellerField::Name, "  Ordo Shop Ltd ")
            .unwrap()
            .with(SellerField::Address, "1 Market St; ; Leeds LS1 1AA ;UK")
            .unwrap()
            .with(SellerField::TaxId, "GB123456789")
            .unwrap();
        assert_eq!(seller.name(), "Ordo Shop Ltd");
        assert_eq!(seller.address(), ["1 Market St", "Leeds LS1 1AA", "UK"]);
        assert_eq!(
            seller.get(SellerField::Address),
            "1 Market St; Leeds LS1 1AA; UK"
        );
        assert!(!seller.is_empty());
        let cleared = seller.with(SellerField::TaxId, " ").unwrap();
        assert_eq!(cleared.tax_id(), "");
        for (field, bad) in [
            (SellerField::Name, "Ordo\u{7}Shop".to_string()),
            (SellerField::Name, "x".repeat(MAX_NAME_CHARS + 1)),
            (SellerField::Address, "a;b;c;d;e;f;g".to_string()),
            (SellerField::TaxId, "1".repeat(MAX_TAX_ID_CHARS + 1)),
            (SellerField::Contact, "line\nbreak".to_string()),
        ] {
            let error = seller.with(field, &bad).unwrap_err();
            assert_eq!(error.field(), Some(field.to_string().as_str()), "{bad:?}");
        }
        assert_eq!(SellerField::parse("Tax-Id").unwrap(), SellerField::TaxId);
        assert!(SellerField::parse("iban").is_err());
    }
}
