//! Views of documents for people: an issued invoice and a warehouse's pick list. The
//! renderers of `ordo-documents` print from these, so every front prints the same figures.

use ordo_core::engine::PickList;
use ordo_core::invoice::Invoice;
use serde::{Deserialize, Serialize};

use super::{PaymentView, SellerView, TotalsView, amount};

/// An issued invoice: the order's figures frozen at issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceView {
    /// The invoice number (gap-free: 1, 2, 3, …).
    pub number: u64,
    /// The order's id.
    pub order_id: u64,
    /// The order's reference.
    pub reference: String,
    /// When it was issued.
    pub issued_at: String,
    /// The buyer's name.
    pub buyer: String,
    /// The buyer's address, one line per element.
    pub buyer_address: Vec<String>,
    /// Currency of every amount.
    pub currency: String,
    /// The lines.
    pub lines: Vec<InvoiceLineView>,
    /// Tax per rate, highest rate first.
    pub taxes: Vec<TaxRateView>,
    /// Totals.
    pub totals: TotalsView,
    /// Received: payments plus captures.
    pub paid: String,
    /// Refunded.
    pub refunded: String,
    /// The ledger at issue, oldest first.
    pub payments: Vec<PaymentView>,
    /// The seller at issue (the store's `seller.*` settings then); absent for an invoice
    /// issued before the store had any, which prints the seller the adapter is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller: Option<SellerView>,
}

/// One invoiced line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceLineView {
    /// SKU.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// Units.
    pub quantity: u32,
    /// Price of one unit before tax.
    pub unit_price: String,
    /// Tax rate as a fraction, e.g. `"0.20"`.
    pub tax_rate: String,
    /// Unit price × quantity.
    pub line_total: String,
    /// Discount on the line.
    pub discount: String,
    /// Tax on the line.
    pub tax: String,
}

/// Tax at one rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaxRateView {
    /// The rate as a fraction, e.g. `"0.20"`.
    pub rate: String,
    /// What it was charged on (line totals less discounts).
    pub base: String,
    /// The tax.
    pub tax: String,
}

/// What one warehouse has to pick, per product, sorted by SKU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickListView {
    /// The warehouse.
    pub warehouse: String,
    /// Orders with units to pick there.
    pub orders: usize,
    /// Whether the list was cut at the engine's bound (the oldest orders are on it).
    pub truncated: bool,
    /// Products to pick.
    pub rows: Vec<PickRowView>,
}

/// One product to pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickRowView {
    /// SKU.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// Units over every order.
    pub quantity: u64,
    /// The orders it is for.
    pub orders: Vec<PickOrderView>,
}

/// Units of a product for one order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickOrderView {
    /// The order's reference.
    pub reference: String,
    /// Units.
    pub quantity: u32,
}

impl InvoiceView {
    /// The view of `invoice`.
    ///
    /// # Errors
    /// Only if the ledger sums overflow (cannot happen for invoices the engine wrote).
    pub fn new(invoice: &Invoice) -> ordo_core::Result<InvoiceView> {
        let sums = invoice.payment_sums()?;
        let address = invoice.buyer_address().to_input();
        let buyer_address = [
            address.recipient,
            address.line1,
            address.line2,
            format!("{} {}", address.postal_code, address.city),
            address.region,
            address.country,
        ]
        .into_iter()
        .map(|line| line.trim().to_string())
        .filter(|line| !line.is_empty())
        .collect();
        Ok(InvoiceView {
            number: invoice.number(),
            order_id: invoice.order().get(),
            reference: invoice.reference().to_string(),
            issued_at: invoice.issued_at().to_string(),
            buyer: invoice.buyer().to_string(),
            buyer_address,
            currency: invoice.currency().to_string(),
            lines: invoice
                .lines()
                .iter()
                .map(|line| InvoiceLineView {
                    sku: line.sku.to_string(),
                    name: line.name.clone(),
                    quantity: line.quantity,
                    unit_price: amount(&line.unit_price),
                    tax_rate: line.tax_rate.to_string(),
                    line_total: amount(&line.total),
                    discount: amount(&line.discount),
                    tax: amount(&line.tax),
                })
                .collect(),
            taxes: invoice
                .taxes()
                .iter()
                .map(|t| TaxRateView {
                    rate: t.rate.to_string(),
                    base: amount(&t.base),
                    tax: amount(&t.tax),
                })
                .collect(),
            totals: TotalsView::new(invoice.totals()),
            paid: amount(&sums.paid),
            refunded: amount(&sums.refunded),
            payments: invoice.payments().iter().map(PaymentView::new).collect(),
            seller: SellerView::of(invoice.seller()),
        })
    }
}

impl PickListView {
    /// The view of `list`.
    pub fn new(list: &PickList) -> PickListView {
        PickListView {
            warehouse: list.warehouse.to_string(),
            orders: list.orders,
            truncated: list.truncated,
            rows: list
                .rows
                .iter()
                .map(|row| PickRowView {
                    sku: row.sku.to_string(),
                    name: row.name.clone(),
                    quantity: row.quantity,
                    orders: row
                        .orders
                        .iter()
                        .map(|(reference, quantity)| PickOrderView {
                            reference: reference.to_string(),
                            quantity: *quantity,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
