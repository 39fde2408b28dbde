//! PNG charts for `ordo report … --chart FILE.png`, drawn from the same views the tables
//! and `--json` show.
//!
//! Every chart is [`WIDTH`] × [`HEIGHT`] pixels on white, titled with its report and range.
//! Text uses the DejaVu Sans shipped in `cli/assets/fonts` (registered with plotters'
//! `ab_glyph` backend), so no system font is needed. Amounts arrive as exact decimal strings
//! and become `f64` here only to place bars; no figure a person reads is computed from them.
//! A range without figures still gives a valid chart, with a "no data" note in place of the
//! bars, so scripts that always ask for a chart get a file.

use std::path::Path;

use anyhow::{Context as _, anyhow};
use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use crate::commands::report::{CustomersView, SalesView, SpeedFigures, SpeedView, StockView};

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1000;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 600;

/// The family name the shipped font is registered under.
const FONT: &str = "sans-serif";
/// DejaVu Sans (Bitstream Vera licence, `cli/assets/fonts/LICENSE-DejaVu.txt`).
const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// At most this many bars in a top-N chart (customers, stock).
const TOP_BARS_MAX: usize = 12;
/// Labels longer than this are cut, so bars keep readable names.
const LABEL_CHARS_MAX: usize = 10;

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// One bar chart: a label per bar and one or more series stacked on each bar.
struct Bars<'a> {
    caption: &'a str,
    x_desc: &'a str,
    y_desc: String,
    labels: Vec<String>,
    /// (name, colour, one value per label), stacked in this order.
    series: Vec<(String, RGBColor, Vec<f64>)>,
}

/// Draws the sales report: revenue per period above, orders per period below.
///
/// # Errors
/// If the file cannot be written, or the font cannot be loaded.
pub fn sales(file: &Path, view: &SalesView) -> anyhow::Result<()> {
    let mut labels: Vec<String> = Vec::new();
    for row in &view.periods {
        if !labels.contains(&row.period) {
            labels.push(row.period.clone());
        }
    }
    let mut currencies: Vec<String> = Vec::new();
    for row in &view.periods {
        if !currencies.contains(&row.currency) {
            currencies.push(row.currency.clone());
        }
    }
    let palette = [BLUE, GREEN, MAGENTA, CYAN];
    let mut revenue = Vec::new();
    for (index, currency) in currencies.iter().enumerate() {
        let mut values = vec![0.0; labels.len()];
        for row in view.periods.iter().filter(|r| &r.currency == currency) {
            if let Some(slot) = labels.iter().position(|l| l == &row.period) {
                values[slot] += amount(&row.revenue)?;
            }
        }
        let colour = palette[index % palette.len()];
        revenue.push((format!("revenue {currency}"), colour, values));
    }
    let mut orders = vec![0.0; labels.len()];
    for row in &view.periods {
        if let Some(slot) = labels.iter().position(|l| l == &row.period) {
            orders[slot] += count(row.orders);
        }
    }
    let title = format!("Sales {} – {} (by {})", view.from, view.to, view.group);
    let empty = orders.iter().all(|o| *o == 0.0) && revenue.iter().all(|s| zero(&s.2));
    draw(file, &title, empty, |root| {
        let (upper, lower) = root.split_vertically(HEIGHT * 55 / 100);
        bars(
            &upper,
            &Bars {
                caption: "Revenue per period",
                x_desc: "",
                y_desc: format!("revenue ({})", currencies.join(", ")),
                labels: labels.clone(),
                series: revenue,
            },
        )?;
        bars(
            &lower,
            &Bars {
                caption: "Orders per period",
                x_desc: "period",
                y_desc: "orders".to_string(),
                labels: labels.clone(),
                series: vec![("orders".to_string(), RED, orders)],
            },
        )
    })
}

/// Draws the speed report: the histogram of each stage.
///
/// # Errors
/// If the file cannot be written, or the font cannot be loaded.
pub fn speed(file: &Path, view: &SpeedView) -> anyhow::Result<()> {
    let title = format!("Order speed {} – {}", view.from, view.to);
    let empty = view.to_ship.orders == 0 && view.to_deliver.orders == 0;
    draw(file, &title, empty, |root| {
        let (upper, lower) = root.split_vertically(HEIGHT / 2);
        bars(&upper, &stage("placed → shipped", &view.to_ship, BLUE, ""))?;
        bars(
            &lower,
            &stage("shipped → delivered", &view.to_deliver, GREEN, "time taken"),
        )
    })
}

/// Draws the customers report: the top customers' revenue.
///
/// # Errors
/// If the file cannot be written, or the font cannot be loaded.
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
    let title = format!("Top customers {} – {}", view.from, view.to);
    let empty = top.is_empty();
    draw(file, &title, empty, |root| {
        bars(
            root,
            &Bars {
                caption: "Revenue per customer",
                x_desc: "customer",
                y_desc: "revenue".to_string(),
                labels,
                series: vec![("revenue".to_string(), BLUE, values)],
            },
        )
    })
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
    let labels = rows.iter().map(|r| short(&r.sku)).collect();
    let available = rows.iter().map(|r| count(r.available)).collect();
    let reserved = rows.iter().map(|r| count(r.reserved)).collect();
    let title = format!("Stock as of {}", view.as_of);
    let empty = rows.is_empty();
    draw(file, &title, empty, |root| {
        bars(
            root,
            &Bars {
                caption: "Available and reserved units (top products by units on hand)",
                x_desc: "product",
                y_desc: "units".to_string(),
                labels,
                series: vec![
                    ("available".to_string(), GREEN, available),
                    ("reserved".to_string(), RED, reserved),
                ],
            },
        )
    })
}

/// The bars of one speed stage.
fn stage<'a>(
    caption: &'a str,
    figures: &SpeedFigures,
    colour: RGBColor,
    x_desc: &'a str,
) -> Bars<'a> {
    let labels = figures
        .buckets
        .iter()
        .map(|b| match b.up_to_ms {
            Some(ms) => format!("≤{}", duration(ms)),
            None => ">30d".to_string(),
        })
        .collect();
    let values = figures.buckets.iter().map(|b| count(b.orders)).collect();
    Bars {
        caption,
        x_desc,
        y_desc: "orders".to_string(),
        labels,
        series: vec![(caption.to_string(), colour, values)],
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

/// Makes the file: white background, the title, then `body` or the "no data" note.
fn draw(
    file: &Path,
    title: &str,
    empty: bool,
    body: impl FnOnce(&Area<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    register_font()?;
    let root = BitMapBackend::new(file, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, (FONT, 26).into_font().color(&BLACK))?;
    if empty {
        let style = (FONT, 22)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let (width, height) = root.dim_in_pixel();
        let centre = (
            i32::try_from(width / 2).unwrap_or(0),
            i32::try_from(height / 2).unwrap_or(0),
        );
        root.draw_text("No data in this range", &style, centre)?;
    } else {
        body(&root)?;
    }
    root.present()
        .with_context(|| format!("cannot write {}", file.display()))?;
    Ok(())
}

/// One bar chart in `area`.
fn bars(area: &Area<'_>, spec: &Bars<'_>) -> anyhow::Result<()> {
    let slots = spec.labels.len().max(1);
    let top = (0..slots)
        .map(|i| {
            spec.series
                .iter()
                .map(|s| s.2.get(i).copied().unwrap_or(0.0))
                .sum::<f64>()
        })
        .fold(0.0_f64, f64::max);
    let y_max = if top > 0.0 { top * 1.1 } else { 1.0 };
    let mut chart = ChartBuilder::on(area)
        .caption(spec.caption, (FONT, 18))
        .margin(10)
        .x_label_area_size(if spec.x_desc.is_empty() { 30 } else { 50 })
        .y_label_area_size(80)
        .build_cartesian_2d((0..slots - 1).into_segmented(), 0.0..y_max)?;
    let labels = &spec.labels;
    let format_x = |value: &SegmentValue<usize>| match value {
        SegmentValue::CenterOf(index) => labels.get(*index).cloned().unwrap_or_default(),
        SegmentValue::Exact(_) | SegmentValue::Last => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(slots.min(16))
        .x_label_formatter(&format_x)
        .x_desc(spec.x_desc)
        .y_desc(spec.y_desc.as_str())
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 14))
        .draw()?;
    let mut base = vec![0.0; slots];
    for (name, colour, values) in &spec.series {
        let colour = *colour;
        let start = base.clone();
        chart
            .draw_series(values.iter().enumerate().map(|(index, value)| {
                let from = start.get(index).copied().unwrap_or(0.0);
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(index), from),
                        (SegmentValue::Exact(index + 1), from + value),
                    ],
                    colour.filled(),
                );
                bar.set_margin(0, 0, 4, 4);
                bar
            }))?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
        for (slot, value) in base.iter_mut().zip(values) {
            *slot += value;
        }
    }
    // One series is named by the caption; a legend is for telling several apart.
    if spec.series.len() > 1 {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FONT, 13))
            .draw()?;
    }
    Ok(())
}

/// Registers the shipped font (idempotent: a second registration replaces the first).
fn register_font() -> anyhow::Result<()> {
    plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES)
        .map_err(|_| anyhow!("the chart font (DejaVu Sans) could not be loaded"))
}

/// An exact amount as a bar height (drawing only).
fn amount(text: &str) -> anyhow::Result<f64> {
    let value: Decimal = text
        .parse()
        .with_context(|| format!("not an amount: {text}"))?;
    Ok(value.to_f64().unwrap_or(0.0))
}

/// A count as a bar height (drawing only).
fn count(value: u64) -> f64 {
    Decimal::from(value).to_f64().unwrap_or(0.0)
}

/// Whether every value is zero.
fn zero(values: &[f64]) -> bool {
    values.iter().all(|v| *v == 0.0)
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
