//! Report tables.

use comfy_table::Table;

use super::{fields, table, with_currency};
use crate::commands::report::{CustomersView, SalesView, SpeedFigures, SpeedView, StockView};

/// `ordo report sales`.
pub fn report_sales(view: &SalesView) -> String {
    let mut periods = table(
        &["Period", "Orders", "Revenue", "Units", "Cancelled"],
        &[1, 2, 3, 4],
    );
    for r in &view.periods {
        periods.add_row(vec![
            r.period.clone(),
            r.orders.to_string(),
            with_currency(&r.revenue, &r.currency),
            r.units.to_string(),
            r.cancelled.to_string(),
        ]);
    }
    let mut products = table(
        &["SKU", "Product", "Units", "Revenue (before tax)"],
        &[2, 3],
    );
    for p in view.products.iter().take(10) {
        products.add_row(vec![
            p.sku.clone().unwrap_or_default(),
            p.name.clone().unwrap_or_default(),
            p.units.to_string(),
            with_currency(&p.revenue, &p.currency),
        ]);
    }
    format!(
        "Sales {from} to {to} by {}\n{periods}\n\nTop products\n{products}\n\n\
         Top customers: ordo report customers --from {from} --to {to}\n",
        view.group,
        from = view.from,
        to = view.to,
    )
}

fn hours(value: Option<&String>) -> String {
    value.map_or_else(|| "—".to_string(), |h| format!("≤ {h} h"))
}

fn stage(table: &mut Table, name: &str, f: &SpeedFigures) {
    table.add_row(vec![
        name.to_string(),
        f.orders.to_string(),
        hours(f.median_hours.as_ref()),
        hours(f.p90_hours.as_ref()),
    ]);
}

/// `ordo report speed`.
pub fn report_speed(view: &SpeedView) -> String {
    let mut stages = table(&["Stage", "Orders", "Median", "p90"], &[1, 2, 3]);
    stage(&mut stages, "placed → shipped", &view.to_ship);
    stage(&mut stages, "shipped → delivered", &view.to_deliver);
    format!(
        "Order speed {} to {} (each figure is the upper bound of its histogram bucket)\n{stages}\n",
        view.from, view.to
    )
}

/// `ordo report customers`.
pub fn report_customers(view: &CustomersView) -> String {
    let mut text = format!("Customers {} to {}\n", view.from, view.to);
    for f in &view.figures {
        text.push_str(&fields(&[
            ("Currency", f.currency.clone()),
            ("Customers", f.customers.to_string()),
            ("Orders", f.orders.to_string()),
            ("Revenue", with_currency(&f.revenue, &f.currency)),
            (
                "Average order value",
                with_currency(&f.average_order_value, &f.currency),
            ),
            (
                "Repeat customers",
                format!("{} (rate {})", f.repeat_customers, f.repeat_purchase_rate),
            ),
            ("New customers", f.new_customers.to_string()),
            ("Returning customers", f.returning_customers.to_string()),
        ]));
    }
    let mut top = table(&["Customer", "Name", "Orders", "Revenue"], &[0, 2, 3]);
    for c in &view.top {
        top.add_row(vec![
            c.customer.to_string(),
            c.name.clone().unwrap_or_default(),
            c.orders.to_string(),
            with_currency(&c.revenue, &c.currency),
        ]);
    }
    format!("{text}\nTop customers\n{top}\n")
}

/// `ordo report stock`.
pub fn report_stock(view: &StockView) -> String {
    let mut rows = table(
        &[
            "SKU",
            "Product",
            "On hand",
            "Reserved",
            "Available",
            "Sold 30 d",
            "Days of cover",
            "Low",
        ],
        &[2, 3, 4, 5, 6],
    );
    for r in &view.rows {
        rows.add_row(vec![
            r.sku.clone(),
            r.name.clone(),
            r.on_hand.to_string(),
            r.reserved.to_string(),
            r.available.to_string(),
            r.units_last_30_days.to_string(),
            r.days_of_cover.clone().unwrap_or_else(|| "—".to_string()),
            if r.low {
                "LOW".to_string()
            } else {
                String::new()
            },
        ]);
    }
    format!(
        "Stock as of {} (low: {} or fewer available)\n{rows}\n",
        view.as_of, view.low_threshold
    )
}
