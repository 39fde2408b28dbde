//! # ordo-documents
//!
//! Documents for people, from the wire contract's views (`ordo_api::views`): a warehouse's
//! pick list, an order's pack slip, a shipment's label (with a Code 128 barcode of the
//! order reference) and an invoice — each as plain text for terminals and as PDF bytes.
//!
//! Pure functions: no I/O, no clock, no randomness. The same input gives the same text and
//! byte-identical PDF bytes (printpdf writes a random trailer `/ID`; the `pdf` module replaces it
//! with one derived from the document's bytes). PDFs use the 14 built-in PDF fonts, so no
//! font file is needed and text is WinAnsi (characters outside it print as `?`).
//!
//! Every document but the label is a list of [`Line`]s rendered twice: joined as text,
//! or flowed onto A4 pages. The label has a fixed 100 × 150 mm layout.
//!
//! [`chart`] draws PNG bar charts in memory (the sales report's, and the CLI's other
//! report charts) with the DejaVu Sans shipped in `documents/assets/fonts`.
//!
//! No business rule lives here: what is on a pick list, what an invoice says, and who may
//! see either is decided by ordo-core; this crate only lays out what the views hold.

mod barcode;
pub mod chart;
mod content;
mod invoice;
mod label;
mod packslip;
mod pdf;
mod picklist;

pub use barcode::{QUIET_ZONE_MODULES, code128_modules};
pub use content::{Line, Style, to_text};
pub use invoice::{invoice_lines, invoice_pdf, invoice_text};
pub use label::{label_pdf, label_text};
pub use packslip::{packslip_lines, packslip_pdf, packslip_text};
pub use picklist::{picklist_lines, picklist_pdf, picklist_text};

use std::fmt;

/// Who sells and sends: printed as the invoice's seller and the label's sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// The name (first line).
    pub name: String,
    /// The address, one element per line.
    pub address: Vec<String>,
}

/// What is printed when no seller is known: neither the store's settings (`seller.*`) nor
/// the adapter (`ordo --seller`, `ORDO_SELLER`) name one.
pub const SELLER_NOT_CONFIGURED: &str =
    "(seller not configured: ordo settings set seller.name=...)";

impl Party {
    /// A party from `Name; line; line …` (semicolons separate lines; blanks dropped); the
    /// placeholder [`SELLER_NOT_CONFIGURED`] for blank text.
    pub fn parse(text: &str) -> Party {
        let mut parts = text
            .split(';')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_string);
        match parts.next() {
            Some(name) => Party {
                name,
                address: parts.collect(),
            },
            None => Party::unconfigured(),
        }
    }

    /// The party of the store's seller details: name, address lines, then the tax id and
    /// the contact when set (a seller set without a name prints the placeholder name).
    pub fn from_seller(seller: &ordo_api::views::SellerView) -> Party {
        let mut address = seller.address.clone();
        if !seller.tax_id.is_empty() {
            address.push(format!("Tax id: {}", seller.tax_id));
        }
        if !seller.contact.is_empty() {
            address.push(seller.contact.clone());
        }
        let name = if seller.name.is_empty() {
            SELLER_NOT_CONFIGURED.to_string()
        } else {
            seller.name.clone()
        };
        Party { name, address }
    }

    /// The placeholder seller.
    pub fn unconfigured() -> Party {
        Party {
            name: SELLER_NOT_CONFIGURED.to_string(),
            address: Vec::new(),
        }
    }

    /// Name then address lines.
    pub fn lines(&self) -> Vec<String> {
        std::iter::once(self.name.clone())
            .chain(self.address.iter().cloned())
            .collect()
    }
}

/// Why a document could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocumentError {
    /// The barcode's data cannot be encoded in Code 128.
    Barcode(String),
    /// The order has no shipment with that number (or none at all).
    NoSuchShipment {
        /// The number asked for; `None` for "the last".
        number: Option<u32>,
    },
    /// A draft order has no reference to print.
    NoReference,
    /// A chart could not be drawn (its font, or the drawing itself).
    Chart(String),
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentError::Barcode(why) => write!(f, "cannot draw the barcode: {why}"),
            DocumentError::NoSuchShipment { number: Some(n) } => {
                write!(f, "the order has no shipment {n}")
            }
            DocumentError::NoSuchShipment { number: None } => {
                f.write_str("the order has no shipment yet: ship it first")
            }
            DocumentError::NoReference => f.write_str("a draft order has no reference yet"),
            DocumentError::Chart(why) => write!(f, "cannot draw the chart: {why}"),
        }
    }
}

impl std::error::Error for DocumentError {}

/// An order's one-line shipping address (`OrderView::shipping_address`) as lines.
pub(crate) fn address_lines(one_line: &str) -> Vec<String> {
    one_line
        .split(", ")
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seller_is_parsed_from_semicolon_separated_lines() {
        let seller = Party::parse("Ordo Shop; 1 Main St ; ; Springfield 12345");
        assert_eq!(seller.name, "Ordo Shop");
        assert_eq!(seller.address, vec!["1 Main St", "Springfield 12345"]);
        assert_eq!(Party::parse("  ").name, SELLER_NOT_CONFIGURED);
    }

    #[test]
    fn a_one_line_address_splits_at_commas() {
        assert_eq!(
            address_lines("Ada Lovelace, 1 Analytical Way, London, N1 7AA, GB"),
            vec!["Ada Lovelace", "1 Analytical Way", "London", "N1 7AA", "GB"]
        );
    }
}
