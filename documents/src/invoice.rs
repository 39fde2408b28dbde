//! An invoice: seller and buyer, lines, tax per rate, totals, payments, its number.

use std::str::FromStr;

use ordo_api::views::InvoiceView;
use rust_decimal::Decimal;

use crate::content::{Line, cell, to_text};
use crate::{Party, pdf};

/// A rate fraction (`"0.20"`) as a percentage (`"20%"`).
fn percent(rate: &str) -> String {
    match Decimal::from_str(rate) {
        Ok(fraction) => format!("{}%", (fraction * Decimal::ONE_HUNDRED).normalize()),
        Err(_) => rate.to_string(),
    }
}

/// Whether a view's amount is other than zero.
fn nonzero(amount: &str) -> bool {
    Decimal::from_str(amount).is_ok_and(|a| !a.is_zero())
}

/// The invoice's lines; `seller` is printed as the seller.
pub fn invoice_lines(invoice: &InvoiceView, seller: &Party) -> Vec<Line> {
    let currency = &invoice.currency;
    let mut lines = vec![
        Line::title(format!("Invoice {}", invoice.number)),
        Line::body(format!("Invoice number: {}", invoice.number)),
        Line::body(format!("Order: {}", invoice.reference)),
        Line::body(format!("Issued: {}", invoice.issued_at)),
        Line::gap(),
        Line::heading("Seller"),
    ];
    lines.extend(seller.lines().into_iter().map(Line::body));
    lines.push(Line::gap());
    lines.push(Line::heading("Bill to"));
    lines.push(Line::body(invoice.buyer.clone()));
    lines.extend(
        invoice
            .buyer_address
            .iter()
            .filter(|line| **line != invoice.buyer)
            .cloned()
            .map(Line::body),
    );
    lines.push(Line::gap());
    lines.push(Line::table(format!(
        "{} {} {:>5} {:>11} {:>6} {:>12}",
        cell("SKU", 14),
        cell("ITEM", 22),
        "QTY",
        "UNIT",
        "TAX",
        "AMOUNT"
    )));
    for line in &invoice.lines {
        lines.push(Line::table(format!(
            "{} {} {:>5} {:>11} {:>6} {:>12}",
            cell(&line.sku, 14),
            cell(&line.name, 22),
            line.quantity,
            line.unit_price,
            percent(&line.tax_rate),
            line.line_total
        )));
        if nonzero(&line.discount) {
            lines.push(Line::table(format!(
                "{} {:>12}",
                cell("    discount", 65),
                format!("-{}", line.discount)
            )));
        }
    }
    lines.push(Line::gap());
    let total_row = |label: &str, value: &str| {
        Line::table(format!("{} {:>12} {currency}", cell(label, 65), value))
    };
    lines.push(total_row("Subtotal", &invoice.totals.subtotal));
    lines.push(total_row(
        "Discount",
        &format!("-{}", invoice.totals.discount),
    ));
    lines.push(total_row("Shipping", &invoice.totals.shipping));
    for tax in &invoice.taxes {
        lines.push(total_row(
            &format!("Tax {} on {}", percent(&tax.rate), tax.base),
            &tax.tax,
        ));
    }
    lines.push(total_row("Total", &invoice.totals.total));
    lines.push(total_row("Paid", &invoice.paid));
    if nonzero(&invoice.refunded) {
        lines.push(total_row("Refunded", &invoice.refunded));
    }
    if !invoice.payments.is_empty() {
        lines.push(Line::gap());
        lines.push(Line::heading("Payments"));
        for payment in &invoice.payments {
            lines.push(Line::table(format!(
                "{} {} {:>12} {currency} {}",
                cell(&payment.at, 24),
                cell(&payment.kind, 14),
                payment.amount,
                payment.method
            )));
        }
    }
    lines
}

/// The invoice as terminal text.
pub fn invoice_text(invoice: &InvoiceView, seller: &Party) -> String {
    to_text(&invoice_lines(invoice, seller))
}

/// The invoice as PDF bytes (A4).
pub fn invoice_pdf(invoice: &InvoiceView, seller: &Party) -> Vec<u8> {
    pdf::flow(
        &format!("Invoice {}", invoice.number),
        &invoice_lines(invoice, seller),
    )
}
