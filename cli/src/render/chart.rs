//! PNG charts for `ordo report … --chart FILE.png`, drawn from the same views the tables
//! and `--json` show, by `ordo_documents::chart` (the drawing, its size and the shipped
//! font live there, shared with the Telegram bot's `/report`); this module says what each
//! report's bars are and writes the file.
//!
//! Amounts arrive as exact decimal strings and become `f64` only to place bars; no figure a
//! person reads is computed from them. A range without figures still gives a valid chart,
//! with a "no data" note in place of the bars, so scripts that always ask for a chart get a
//! file.

use std::path::Path;

use anyhow::{Context as _, anyhow};
use ordo_api::report_views::{SalesRowView, SalesView as ContractSales};
use ordo_documents::chart::{self, Chart, Colour, Panel, Series};
use rust_decimal::Decimal;

use crate::commands::report::{CustomersView, SalesView, SpeedFigures, SpeedView, StockView};

/// At most this many bars in a top-N chart (customers, stock).
const TOP_BARS_MAX: usize = 12;
/// Labels longer than this are cut, so bars keep readable names.
const LABEL_CHARS_MAX: usize = 10;

/// Draws the sales report: revenue per period above, orders per period below (the chart
/// of the contract's view, `ordo_documents::chart::sales_chart`).
///
/// # Errors
/// If an amount does not read, the file cannot be written, or the font cannot be loaded.
pub fn sales(file: &Path, view: &SalesView) -> anyhow::Result<()> {
    let periods = view
        .periods
        .iter()
        .map(|row| {
            Ok(SalesRowView {
                period: row.period.clone(),
                start: row.start.clone(),
                currency: row.currency.clone(),
                orders: row.orders,
                revenue: decimal(&row.revenue)?,
                units: row.units,
                cancelled: row.cancelled,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let contract = ContractSales {
        from: view.from.clone(),
        to: view.to.clone(),
        group: view.group.clone(),
        periods,
        products: Vec::new(),
    };
    write(file, &chart::sales_chart(&contract))
}

/// Draws the speed report: the histogram of each stage.
///
/// # Errors
/// If the file cannot be written, or the font cannot be loaded.
pub fn speed(file: &Path, view: &SpeedView) -> anyhow::Result<()> {
    let chart = Chart {
        title: format!("Order speed {} – {}", view.from, view.to),
        empty: view.to_ship.orders == 0 && view.to_deliver.orders == 0,
        panels: vec![
            stage("placed → shipped", &view.to_ship, Colour::Blue, ""),
            stage(
                "shipped → delivered",
                &view.to_deliver,
                Colour::Green,
                "time taken",
            ),
        ],
        first_panel_percent: 50,
    };
    write(file, &chart)
}

/// Draws the customers report: the top customers' revenue.
///
/// # Errors
/// If an amount does not read, the file cannot be written, or the font cannot be loaded.
pub fn customers(file: &Path, view: &CustomersView) -> anyhow::Result<()> {
    let top: Vec<_> = view.top.iter().take(TOP_BARS_MAX).collect();
    let labels = top
        .iter()
        .map(|c| {
            let name = c.name.clone().unwrap_or_else(|| format!("#{}", c.customer));
            short(&format!("{name} ({})", c.currency))
        })
        .collect();
    let values = top
        .iter()
        .map(|c| amount(&c.revenue))
        .collect::<anyhow::Result<Vec<f64>>>()?;
    let chart = Chart {
        title: format!("Top customers {} – {}", view.from, view.to),
        empty: top.is_empty(),
        panels: vec![Panel {
            caption: "Revenue per customer".to_string(),
            x_desc: "customer".to_string(),
            y_desc: "revenue".to_string(),
            labels,
            series: vec![Series {
                name: "revenue".to_string(),
                colour: Colour::Blue,
                values,
            }],
        }],
        first_panel_percent: 100,
    };
    write(file, &chart)
}

/// Draws the stock report: available and reserved units of the products with the most on
/// hand, stacked (the bar's height is what is on hand).
///
/// # Errors
/// If the file cannot be written, or the font cannot be loaded.
pub fn stock(file: &Path, view: &StockView) -> anyhow::Result<()> {
    let mut rows: Vec<_> = view.rows.iter().collect();
    rows.sort_by(|a, b| b.on_hand.cmp(&a.on_hand).then(a.sku.cmp(&b.sku)));
    rows.truncate(TOP_BARS_MAX);
    let series =
        |name: &str, colour, units: fn(&&crate::commands::report::StockRow) -> u64| Series {
            name: name.to_string(),
            colour,
            values: rows.iter().map(|r| chart::count(units(r))).collect(),
        };
    let chart = Chart {
        title: format!("Stock as of {}", view.as_of),
        empty: rows.is_empty(),
        panels: vec![Panel {
            caption: "Available and reserved units (top products by units on hand)".to_string(),
            x_desc: "product".to_string(),
            y_desc: "units".to_string(),
            labels: rows.iter().map(|r| short(&r.sku)).collect(),
            series: vec![
                series("available", Colour::Green, |r| r.available),
                series("reserved", Colour::Red, |r| r.reserved),
            ],
        }],
        first_panel_percent: 100,
    };
    write(file, &chart)
}

/// The bars of one speed stage.
fn stage(caption: &str, figures: &SpeedFigures, colour: Colour, x_desc: &str) -> Panel {
    let labels = figures
        .buckets
        .iter()
        .map(|b| match b.up_to_ms {
            Some(ms) => format!("≤{}", duration(ms)),
            None => ">30d".to_string(),
        })
        .collect();
    let values = figures
        .buckets
        .iter()
        .map(|b| chart::count(b.orders))
        .collect();
    Panel {
        caption: caption.to_string(),
        x_desc: x_desc.to_string(),
        y_desc: "orders".to_string(),
        labels,
        series: vec![Series {
            name: caption.to_string(),
            colour,
            values,
        }],
    }
}

/// A bucket bound for a label: whole hours below a day, days (with one decimal) above.
fn duration(ms: i64) -> String {
    const HOUR_MS: i64 = 3_600_000;
    if ms < 24 * HOUR_MS {
        format!("{}h", ms / HOUR_MS)
    } else {
        let days = Decimal::from(ms) / Decimal::from(24 * HOUR_MS);
        format!("{}d", days.round_dp(1).normalize())
    }
}

/// Draws `chart` and writes the PNG to `file`.
fn write(file: &Path, chart: &Chart) -> anyhow::Result<()> {
    let bytes = chart::png(chart).map_err(|error| anyhow!("{error}"))?;
    std::fs::write(file, bytes).with_context(|| format!("cannot write {}", file.display()))
}

/// An exact amount.
fn decimal(text: &str) -> anyhow::Result<Decimal> {
    text.parse()
        .with_context(|| format!("not an amount: {text}"))
}

/// An exact amount as a bar height (drawing only).
fn amount(text: &str) -> anyhow::Result<f64> {
    Ok(chart::amount(decimal(text)?))
}

/// `text` cut to [`LABEL_CHARS_MAX`] characters.
fn short(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS_MAX {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(LABEL_CHARS_MAX - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_bounds_read_as_hours_then_days() {
        assert_eq!(duration(3_600_000), "1h");
        assert_eq!(duration(12 * 3_600_000), "12h");
        assert_eq!(duration(24 * 3_600_000), "1d");
        assert_eq!(duration(36 * 3_600_000), "1.5d");
        assert_eq!(duration(30 * 24 * 3_600_000), "30d");
    }

    #[test]
    fn long_labels_are_cut_and_short_ones_kept() {
        assert_eq!(short("MUG-1"), "MUG-1");
        let cut = short("A very long customer name indeed");
        assert_eq!(cut.chars().count(), LABEL_CHARS_MAX);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn amounts_are_read_exactly_and_refused_when_not_numbers() {
        assert!((amount("12.50").unwrap() - 12.5).abs() < 1e-9);
        assert!(amount("twelve").is_err());
    }
}
