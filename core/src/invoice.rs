//! Invoices: the figures of an order frozen when the invoice is issued, under a number
//! from one gap-free sequence.
//!
//! An [`Invoice`] copies everything a printed invoice shows — buyer and address, lines
//! with their tax rates, tax per rate, totals, the payments received — so a reprint gives
//! the same document even if the order changes later (a refund, an address change). The
//! engine (`engine::invoices`) issues at most one invoice per order and takes the number
//! inside the unit of work (see there for why the sequence has no gaps).
//!
//! The seller is copied in too, from the store's settings at issue (`seller.*`); an invoice
//! issued before the store had seller details (or by a release before schema 4) has an
//! empty one, and adapters print the seller they are configured with instead.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::Sku;
use crate::clock::Timestamp;
use crate::customer::Address;
use crate::error::{Refusal, Result};
use crate::ids::{CustomerId, OrderId, OrderReference};
use crate::money::{Currency, Money};
use crate::order::{Order, OrderStatus};
use crate::payment::{LedgerEntry, LedgerSums};
use crate::pricing::Totals;
use crate::seller::Seller;

/// One invoiced line: the order line as it stood at issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    /// The product's SKU.
    pub sku: Sku,
    /// The product's name on the order.
    pub name: String,
    /// Units invoiced.
    pub quantity: u32,
    /// Price of one unit, before tax.
    pub unit_price: Money,
    /// Tax rate of the line (0.20 = 20 %).
    #[serde(with = "rust_decimal::serde::str")]
    pub tax_rate: Decimal,
    /// Unit price × quantity.
    pub total: Money,
    /// Discount on the line.
    pub discount: Money,
    /// Tax on the discounted line.
    pub tax: Money,
}

/// Tax of every line at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxAtRate {
    /// The rate (0.20 = 20 %).
    #[serde(with = "rust_decimal::serde::str")]
    pub rate: Decimal,
    /// Σ (line total − discount) of the lines at this rate.
    pub base: Money,
    /// Σ line tax at this rate.
    pub tax: Money,
}

/// An issued invoice (immutable once written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    number: u64,
    order: OrderId,
    reference: OrderReference,
    customer: CustomerId,
    issued_at: Timestamp,
    buyer: String,
    buyer_address: Address,
    currency: Currency,
    lines: Vec<InvoiceLine>,
    taxes: Vec<TaxAtRate>,
    totals: Totals,
    payments: Vec<LedgerEntry>,
    /// The seller at issue (appended in schema 4; empty when the store had none).
    seller: Seller,
}

impl OrderStatus {
    /// Whether an invoice may be issued for an order in this status: once placed (it has
    /// a reference and its lines are priced), and never for a cancelled order.
    pub fn invoiceable(self) -> bool {
        use OrderStatus::*;
        match self {
            Placed | Confirmed | Picking | Packed | PartiallyShipped | Shipped | Delivered => true,
            Draft | Cancelled => false,
        }
    }
}

impl Invoice {
    /// Freezes `order` into invoice `number`, sold by `seller`, issued at `at`.
    ///
    /// # Errors
    /// `Refused(NotInvoiceable)` for a draft or cancelled order (or one without a
    /// reference); `CurrencyMismatch`/`Validation` if the tax sums overflow.
    pub fn issue(number: u64, order: &Order, seller: &Seller, at: Timestamp) -> Result<Invoice> {
        let reference = match order.reference() {
            Some(reference) if order.status().invoiceable() => reference.clone(),
            Some(_) | None => {
                return Err(Refusal::NotInvoiceable {
                    status: order.status(),
                }
                .into());
            }
        };
        let currency = order.currency();
        let mut taxes: Vec<TaxAtRate> = Vec::new();
        let mut lines = Vec::with_capacity(order.lines().len());
        for line in order.lines() {
            let base = line.amounts.total.sub(&line.amounts.discount)?;
            match taxes.iter_mut().find(|t| t.rate == line.tax_rate) {
                Some(at_rate) => {
                    at_rate.base = at_rate.base.add(&base)?;
                    at_rate.tax = at_rate.tax.add(&line.amounts.tax)?;
                }
                None => taxes.push(TaxAtRate {
                    rate: line.tax_rate,
                    base,
                    tax: line.amounts.tax,
                }),
            }
            lines.push(InvoiceLine {
                sku: line.sku.clone(),
                name: line.name.clone(),
                quantity: line.quantity,
                unit_price: line.unit_price,
                tax_rate: line.tax_rate,
                total: line.amounts.total,
                discount: line.amounts.discount,
                tax: line.amounts.tax,
            });
        }
        taxes.sort_by_key(|t| std::cmp::Reverse(t.rate));
        Ok(Invoice {
            number,
            order: order.id(),
            reference,
            customer: order.customer(),
            issued_at: at,
            buyer: order.customer_name().to_string(),
            buyer_address: order.shipping_address().clone(),
            currency,
            lines,
            taxes,
            totals: *order.totals(),
            payments: order.ledger().to_vec(),
            seller: seller.clone(),
        })
    }

    /// An invoice as schema 3 stored it, without a seller.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_schema_3(
        number: u64,
        order: OrderId,
        reference: OrderReference,
        customer: CustomerId,
        issued_at: Timestamp,
        buyer: String,
        buyer_address: Address,
        currency: Currency,
        lines: Vec<InvoiceLine>,
        taxes: Vec<TaxAtRate>,
        totals: Totals,
        payments: Vec<LedgerEntry>,
    ) -> Invoice {
        Invoice {
            number,
            order,
            reference,
            customer,
            issued_at,
            buyer,
            buyer_address,
            currency,
            lines,
            taxes,
            totals,
            payments,
            seller: Seller::default(),
        }
    }

    /// The invoice number (1, 2, 3, … with no gap).
    pub fn number(&self) -> u64 {
        self.number
    }
    /// The invoiced order.
    pub fn order(&self) -> OrderId {
        self.order
    }
    /// The order's reference.
    pub fn reference(&self) -> &OrderReference {
        &self.reference
    }
    /// The buyer.
    pub fn customer(&self) -> CustomerId {
        self.customer
    }
    /// When it was issued.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }
    /// The buyer's name at issue.
    pub fn buyer(&self) -> &str {
        &self.buyer
    }
    /// The buyer's (shipping) address at issue.
    pub fn buyer_address(&self) -> &Address {
        &self.buyer_address
    }
    /// Currency of every amount.
    pub fn currency(&self) -> Currency {
        self.currency
    }
    /// The lines at issue.
    pub fn lines(&self) -> &[InvoiceLine] {
        &self.lines
    }
    /// Tax per rate, highest rate first.
    pub fn taxes(&self) -> &[TaxAtRate] {
        &self.taxes
    }
    /// The order's totals at issue.
    pub fn totals(&self) -> &Totals {
        &self.totals
    }
    /// The order's ledger at issue (payments, refunds, holds).
    pub fn payments(&self) -> &[LedgerEntry] {
        &self.payments
    }
    /// The seller at issue (empty if the store had no seller details then).
    pub fn seller(&self) -> &Seller {
        &self.seller
    }

    /// What was paid and refunded at issue.
    ///
    /// # Errors
    /// As [`LedgerSums::of`].
    pub fn payment_sums(&self) -> Result<LedgerSums> {
        LedgerSums::of(&self.payments, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::ALL_STATUSES;

    #[test]
    fn only_placed_orders_that_are_not_cancelled_are_invoiceable() {
        let invoiceable: Vec<_> = ALL_STATUSES
            .iter()
            .copied()
            .filter(|s| s.invoiceable())
            .collect();
        assert_eq!(invoiceable.len(), 7);
        assert!(!OrderStatus::Draft.invoiceable());
        assert!(!OrderStatus::Cancelled.invoiceable());
        assert!(OrderStatus::Delivered.invoiceable());
    }
}
