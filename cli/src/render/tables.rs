//! Human output: tables and detail pages, built from the same views `--json` prints, so
//! both forms always show the same facts.

use std::fmt::Write as _;

use comfy_table::{CellAlignment, ContentArrangement, Table, modifiers, presets};

use super::views::{AuditEntryView, CustomerView, OrderPageView, OrderView, ProductView};

mod accounts;
mod operations;
mod reports;
mod returns;
mod shipments;
mod tickets;

pub use accounts::{messages, purchases, staff_list};
pub use operations::{backup, notifications, settings};
pub use reports::{report_customers, report_sales, report_speed, report_stock};
pub use returns::{return_detail, return_list};
pub use shipments::shipment_list;
pub use tickets::{ticket_detail, ticket_list};

/// A table with ordo's style and `header`; columns listed in `right` are right-aligned.
fn table(header: &[&str], right: &[usize]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .apply_modifier(modifiers::UTF8_ROUND_CORNERS)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    for index in right {
        if let Some(column) = table.column_mut(*index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// `label: value` lines, labels padded to one width.
fn fields(rows: &[(&str, String)]) -> String {
    let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0) + 2;
    let mut text = String::new();
    for (label, value) in rows {
        let _ = writeln!(text, "{:<width$}{value}", format!("{label}:"));
    }
    text
}

fn with_currency(amount: &str, currency: &str) -> String {
    format!("{amount} {currency}")
}

/// The product list.
pub fn product_list(products: &[ProductView]) -> String {
    if products.is_empty() {
        return "No products yet. Add one with `ordo product add` or try `ordo demo`.".into();
    }
    let mut t = table(
        &[
            "ID",
            "SKU",
            "Name",
            "Price",
            "Wholesale from",
            "Available",
            "Active",
        ],
        &[0, 3, 4, 5],
    );
    for p in products {
        let wholesale = p
            .price_lists
            .iter()
            .find(|l| l.group == "wholesale")
            .and_then(|l| l.tiers.iter().map(|t| t.unit_price.clone()).next_back())
            .map_or_else(String::new, |price| with_currency(&price, &p.currency));
        t.add_row(vec![
            p.id.to_string(),
            p.sku.clone(),
            p.name.clone(),
            with_currency(&p.base_price, &p.currency),
            wholesale,
            p.stock.available.to_string(),
            yes_no(p.active).to_string(),
        ]);
    }
    format!("{t}\n{} product(s)", products.len())
}

/// One product in full.
pub fn product_detail(p: &ProductView) -> String {
    let mut text = fields(&[
        ("SKU", p.sku.clone()),
        ("Name", p.name.clone()),
        ("ID", p.id.to_string()),
        ("Price", with_currency(&p.base_price, &p.currency)),
        ("Tax", p.tax_category.clone()),
        ("Active", yes_no(p.active).to_string()),
        (
            "Backorders",
            if p.backorder_allowed {
                "allowed"
            } else {
                "not allowed"
            }
            .to_string(),
        ),
        (
            "Weight",
            p.weight_kg
                .as_ref()
                .map_or_else(|| "—".to_string(), |kg| format!("{kg} kg")),
        ),
        (
            "Size",
            p.dimensions_cm
                .as_ref()
                .map_or_else(|| "—".to_string(), |cm| format!("{cm} cm")),
        ),
        ("Added", p.created_at.clone()),
    ]);
    if !p.description.is_empty() {
        let _ = writeln!(text, "\n{}", p.description);
    }
    for list in &p.price_lists {
        let mut t = table(&["From qty", "Unit price"], &[0, 1]);
        for tier in &list.tiers {
            t.add_row(vec![
                tier.min_quantity.to_string(),
                with_currency(&tier.unit_price, &p.currency),
            ]);
        }
        let _ = writeln!(text, "\n{} prices:\n{t}", capitalized(&list.group));
    }
    if !p.specifications.is_empty() {
        let mut t = table(&["Specification", "Value"], &[]);
        for spec in &p.specifications {
            t.add_row(vec![spec.name.clone(), spec.value.clone()]);
        }
        let _ = writeln!(text, "\n{t}");
    }
    if !p.media.is_empty() {
        let _ = writeln!(text, "\nMedia:");
        for media in &p.media {
            let _ = writeln!(text, "  {:<6} {}", media.kind, media.url);
        }
    }
    let _ = write!(text, "\n{}", stock(p));
    text
}

/// Stock of a product per warehouse.
pub fn stock(p: &ProductView) -> String {
    if p.stock.warehouses.is_empty() {
        return format!("No stock of {} in any warehouse yet.", p.sku);
    }
    let mut t = table(
        &["Warehouse", "On hand", "Reserved", "Available", "Shipped"],
        &[1, 2, 3, 4],
    );
    for w in &p.stock.warehouses {
        t.add_row(vec![
            w.warehouse.clone(),
            w.on_hand.to_string(),
            w.reserved.to_string(),
            w.available.to_string(),
            w.shipped.to_string(),
        ]);
    }
    t.add_row(vec![
        "all".to_string(),
        p.stock.on_hand.to_string(),
        p.stock.reserved.to_string(),
        p.stock.available.to_string(),
        String::new(),
    ]);
    format!("Stock of {}:\n{t}", p.sku)
}

/// The customer list.
pub fn customer_list(customers: &[CustomerView]) -> String {
    if customers.is_empty() {
        return "No customers found.".into();
    }
    let mut t = table(
        &[
            "ID", "Name", "Company", "Phone", "Email", "Prices", "Status",
        ],
        &[0],
    );
    for c in customers {
        t.add_row(vec![
            c.id.to_string(),
            c.name.clone(),
            c.company.clone().unwrap_or_default(),
            c.phone.clone(),
            c.email.clone(),
            c.price_group.clone(),
            c.status.clone(),
        ]);
    }
    format!("{t}\n{} customer(s)", customers.len())
}

/// One customer in full, with their latest orders.
pub fn customer_detail(c: &CustomerView, recent: &[OrderView]) -> String {
    let mut rows = vec![
        ("Name", c.name.clone()),
        ("ID", c.id.to_string()),
        ("Kind", c.kind.to_uppercase()),
    ];
    if let (Some(company), Some(tax_id)) = (&c.company, &c.tax_id) {
        rows.push(("Company", company.clone()));
        rows.push(("Tax id", tax_id.clone()));
    }
    rows.extend([
        ("Phone", c.phone.clone()),
        ("Email", c.email.clone()),
        ("Status", c.status.clone()),
    ]);
    if let Some(reason) = &c.rejection_reason {
        rows.push(("Rejected", reason.clone()));
    }
    rows.extend([
        (
            "Registration",
            c.registration_id
                .clone()
                .unwrap_or_else(|| "(none yet)".into()),
        ),
        ("Login", c.login.clone().unwrap_or_else(|| "(none)".into())),
        ("Notified by", c.channel.clone()),
        ("Prices", c.price_group.clone()),
        ("Since", c.created_at.clone()),
    ]);
    for (i, address) in c.addresses.iter().enumerate() {
        rows.push((if i == 0 { "Ships to" } else { "Also" }, address.clone()));
    }
    let mut text = fields(&rows);
    if recent.is_empty() {
        text.push_str("\nNo orders yet.");
    } else {
        let _ = write!(text, "\nLatest orders:\n{}", order_table(recent));
    }
    text
}

/// A page of orders (the caller adds the next-page hint).
pub fn order_list(page: &OrderPageView) -> String {
    if page.orders.is_empty() {
        return "No orders found.".into();
    }
    format!(
        "{}\n{} order(s)",
        order_table(&page.orders),
        page.orders.len()
    )
}

/// Orders as a table, one row each.
fn order_table(orders: &[OrderView]) -> Table {
    let mut t = table(
        &[
            "ID",
            "Reference",
            "Created",
            "Customer",
            "Status",
            "Items",
            "Total",
            "Payment",
        ],
        &[0, 5, 6],
    );
    for o in orders {
        let items: u32 = o.lines.iter().map(|l| l.quantity).sum();
        let status = if o.archived {
            format!("{} (archived)", o.status)
        } else {
            o.status.clone()
        };
        t.add_row(vec![
            o.id.to_string(),
            o.reference.clone().unwrap_or_else(|| "(draft)".into()),
            date_and_minutes(&o.created_at),
            o.customer_name.clone(),
            status,
            items.to_string(),
            with_currency(&o.total, &o.currency),
            o.payment_status.clone(),
        ]);
    }
    t
}

/// One order in full.
pub fn order_detail(o: &OrderView) -> String {
    let mut rows = vec![
        (
            "Order",
            o.reference
                .clone()
                .unwrap_or_else(|| "(draft, no reference yet)".into()),
        ),
        ("ID", o.id.to_string()),
        ("Status", o.status.clone()),
        (
            "Customer",
            format!("{} (id {})", o.customer_name, o.customer_id),
        ),
        ("Ship to", o.shipping_address.clone()),
        ("Shipping", o.shipping_method.clone()),
        ("Pays by", o.payment_method.clone()),
        ("Created", o.created_at.clone()),
    ];
    if let Some(reason) = &o.cancel_reason {
        rows.push(("Cancelled", reason.clone()));
    }
    if let (Some(at), Some(reason)) = (&o.archived_at, &o.archive_reason) {
        rows.push(("Archived", format!("{at}: {reason}")));
    }
    if !o.notes.is_empty() {
        rows.push(("Notes", o.notes.clone()));
    }
    let mut text = fields(&rows);
    let _ = writeln!(text, "\n{}", lines_table(o));
    text.push_str(&money_summary(o));
    if !o.payments.is_empty() {
        let mut t = table(&["When", "Kind", "Amount", "Method", "Reference"], &[2]);
        for p in &o.payments {
            t.add_row(vec![
                date_and_minutes(&p.at),
                p.kind.clone(),
                with_currency(&p.amount, &o.currency),
                p.method.clone(),
                p.external_reference.clone(),
            ]);
        }
        let _ = writeln!(text, "\nPayments:\n{t}");
    }
    let history: Vec<String> = o
        .status_history
        .iter()
        .map(|s| format!("{} {}", date_and_minutes(&s.at), s.status))
        .collect();
    let _ = write!(text, "\nHistory: {}", history.join(" → "));
    text
}

/// Totals, payments and discounts, amounts aligned on the decimal point.
fn money_summary(o: &OrderView) -> String {
    let mut money = vec![("Subtotal", &o.totals.subtotal)];
    if o.totals.discount != zero_like(&o.totals.discount) {
        money.push(("Discount", &o.totals.discount));
    }
    money.extend([
        ("Tax", &o.totals.tax),
        ("Shipping", &o.totals.shipping),
        ("Total", &o.totals.total),
        ("Paid", &o.paid),
        ("Refunded", &o.refunded),
        ("Balance due", &o.balance_due),
        ("Refund due", &o.refund_due),
    ]);
    // Card holds show only where there are any (most orders are paid by hand).
    for (label, amount) in [("Authorized", &o.authorized), ("Void due", &o.void_due)] {
        if !amount.is_empty() && *amount != zero_like(amount) {
            money.push((label, amount));
        }
    }
    let width = money.iter().map(|(_, a)| a.len()).max().unwrap_or(0);
    let mut text = String::new();
    for (label, amount) in money {
        let _ = writeln!(text, "{label:>12}  {amount:>width$} {}", o.currency);
    }
    let _ = writeln!(text, "{:>12}  {}", "Payment", o.payment_status);
    if !o.discounts.is_empty() {
        let list: Vec<String> = o
            .discounts
            .iter()
            .map(|d| format!("{} {}%", d.label, d.percent))
            .collect();
        let _ = writeln!(text, "{:>12}  {}", "Discounts", list.join(", "));
    }
    text
}

fn lines_table(o: &OrderView) -> Table {
    let mut t = table(
        &[
            "SKU",
            "Product",
            "Qty",
            "Unit price",
            "Line total",
            "Warehouse",
        ],
        &[2, 3, 4],
    );
    for l in &o.lines {
        let mut warehouse = l.warehouse.clone().unwrap_or_default();
        if l.backordered > 0 {
            let _ = write!(warehouse, " ({} backordered)", l.backordered);
        }
        t.add_row(vec![
            l.sku.clone(),
            l.name.clone(),
            l.quantity.to_string(),
            l.unit_price.clone(),
            l.line_total.clone(),
            warehouse.trim().to_string(),
        ]);
    }
    t
}

/// An audit trail.
pub fn audit(entries: &[AuditEntryView]) -> String {
    if entries.is_empty() {
        return "No history recorded.".into();
    }
    let mut t = table(&["#", "When", "Who", "What", "Changes"], &[0]);
    for e in entries {
        let changes: Vec<String> = e
            .changes
            .iter()
            .map(|c| match (&c.before, &c.after) {
                (Some(before), Some(after)) => format!("{}: {before} → {after}", c.field),
                (None, Some(after)) => format!("{}: {after}", c.field),
                (Some(before), None) => format!("{}: {before} → (removed)", c.field),
                (None, None) => c.field.clone(),
            })
            .collect();
        t.add_row(vec![
            e.sequence.to_string(),
            date_and_minutes(&e.at),
            e.actor.clone(),
            e.action.clone(),
            changes.join("\n"),
        ]);
    }
    t.to_string()
}

/// `2026-03-01T12:34:56Z` → `2026-03-01 12:34` (RFC 3339 text from the views).
fn date_and_minutes(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time}"),
        _ => rfc3339.to_string(),
    }
}

fn zero_like(amount: &str) -> String {
    amount
        .chars()
        .map(|c| if c.is_ascii_digit() { '0' } else { c })
        .collect()
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_text_helpers() {
        assert_eq!(date_and_minutes("2026-03-01T12:34:56Z"), "2026-03-01 12:34");
        assert_eq!(date_and_minutes("odd"), "odd");
        assert_eq!(zero_like("12.50"), "00.00");
        assert_eq!(capitalized("wholesale"), "Wholesale");
        assert_eq!(
            fields(&[("A", "1".into()), ("Long", "2".into())]),
            "A:    1\nLong: 2\n"
        );
    }
}
