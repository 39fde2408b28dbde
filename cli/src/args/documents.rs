//! `ordo picklist`, `ordo order packslip|label|invoice`: documents for people, as text on
//! stdout or as a PDF file.

use std::path::PathBuf;

use clap::Args;

/// Help of `ordo picklist`.
pub const PICKLIST_HELP: &str = "\
What a warehouse has to pick: every order that is confirmed or being picked, the units
reserved in that warehouse, added up per product with the orders they belong to, sorted
by SKU so a picker walks the shelves once. Orders move on with `ordo order advance`.

Plain text on stdout, or a PDF (A4) with --pdf FILE. Needs the right to move orders
through fulfilment (admin, order processors, warehouse staff).";

/// Examples of `ordo picklist`.
pub const PICKLIST_EXAMPLES: &str = "\
Examples:
  ordo picklist MAIN
  ordo picklist EAST --pdf east-picklist.pdf
  ordo --json picklist MAIN | jq '.rows[] | {sku, quantity}'";

/// `ordo picklist`.
#[derive(Debug, Args)]
pub struct PicklistArgs {
    /// The warehouse code (e.g. MAIN).
    pub warehouse: String,
    /// Write the pick list as PDF to FILE instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub pdf: Option<PathBuf>,
}

/// `ordo order packslip`.
#[derive(Debug, Args)]
pub struct PackslipArgs {
    /// Order id or reference.
    pub order: String,
    /// Write the pack slip as PDF to FILE instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub pdf: Option<PathBuf>,
}

/// Who sells and sends, for labels and invoices.
#[derive(Debug, Args)]
pub struct SellerArgs {
    /// The seller (label sender, invoice seller): `Name; street; city …`, lines separated
    /// by semicolons. By default the store's seller (`ordo settings set seller.name=…
    /// seller.address='1 Market St; Leeds'`); an invoice always prints the seller frozen
    /// into it at issue, and this only when it has none.
    #[arg(long, value_name = "TEXT", env = "ORDO_SELLER")]
    pub seller: Option<String>,
}

/// `ordo order label`.
#[derive(Debug, Args)]
pub struct LabelArgs {
    /// Order id or reference.
    pub order: String,
    /// The shipment's number on the order (1, 2, …; default: the last).
    #[arg(long, value_name = "N")]
    pub shipment: Option<u32>,
    /// Write the 4 × 6 inch label as PDF to FILE (without it: the label's text).
    #[arg(long, value_name = "FILE")]
    pub pdf: Option<PathBuf>,
    /// The sender.
    #[command(flatten)]
    pub seller: SellerArgs,
}

/// `ordo order invoice`.
#[derive(Debug, Args)]
pub struct InvoiceArgs {
    /// Order id or reference.
    pub order: String,
    /// Write the invoice as PDF to FILE instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub pdf: Option<PathBuf>,
    /// The seller.
    #[command(flatten)]
    pub seller: SellerArgs,
}
