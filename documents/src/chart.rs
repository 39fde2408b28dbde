//! PNG bar charts, drawn in memory: the charts of `ordo report … --chart FILE.png` (the
//! CLI writes the bytes to its file) and of the Telegram bot's `/report` (sent as a photo).
//!
//! A [`Chart`] is [`WIDTH`] × [`HEIGHT`] pixels on white, titled, with one or more
//! [`Panel`]s of bars stacked top to bottom; a chart marked empty shows a "no data" note in
//! place of the bars, so a caller that always asks for a chart gets a valid image. Text
//! uses the DejaVu Sans shipped in `documents/assets/fonts` (registered with plotters'
//! `ab_glyph` backend), so no system font is needed. Bar heights are `f64`: amounts arrive
//! exact ([`Decimal`]) and become floats here only to place bars; no figure a person reads
//! is computed from them. [`sales_chart`] is the sales report's chart, from the contract's
//! view.

use ordo_api::report_views::SalesView;
use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use crate::DocumentError;

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1000;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 600;

/// The family name the shipped font is registered under.
const FONT: &str = "sans-serif";
/// DejaVu Sans (Bitstream Vera licence, `documents/assets/fonts/LICENSE-DejaVu.txt`).
const FONT_BYTES: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
/// At most this many panels are drawn.
const PANELS_MAX: usize = 4;

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// The colour of a series of bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Blue.
    Blue,
    /// Green.
    Green,
    /// Red.
    Red,
    /// Magenta.
    Magenta,
    /// Cyan.
    Cyan,
}

impl Colour {
    /// Colours for several series of one kind (currencies), repeating.
    pub const PALETTE: [Colour; 4] = [Colour::Blue, Colour::Green, Colour::Magenta, Colour::Cyan];

    fn rgb(self) -> RGBColor {
        match self {
            Colour::Blue => BLUE,
            Colour::Green => GREEN,
            Colour::Red => RED,
            Colour::Magenta => MAGENTA,
            Colour::Cyan => CYAN,
        }
    }
}

/// One series: a value per label, stacked on the series before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its name in the legend (a legend is drawn for two series or more).
    pub name: String,
    /// Its colour.
    pub colour: Colour,
    /// One bar height per label (missing ones are 0).
    pub values: Vec<f64>,
}

/// One bar chart: a bar per label, the series stacked on each.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The panel's caption.
    pub caption: String,
    /// Under the x axis (empty: none, and less room).
    pub x_desc: String,
    /// Beside the y axis.
    pub y_desc: String,
    /// A label per bar.
    pub labels: Vec<String>,
    /// The series, stacked in this order.
    pub series: Vec<Series>,
}

/// A whole image.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The title on top.
    pub title: String,
    /// Nothing to show: the "no data" note instead of the panels.
    pub empty: bool,
    /// The panels, top to bottom (at most four are drawn).
    pub panels: Vec<Panel>,
    /// The first panel's share of the height, in percent, when there are others (they
    /// share the rest evenly).
    pub first_panel_percent: u32,
}

/// The sales report's chart: revenue per period above (a series per currency), orders per
/// period below.
pub fn sales_chart(view: &SalesView) -> Chart {
    let mut labels: Vec<String> = Vec::new();
    let mut currencies: Vec<String> = Vec::new();
    for row in &view.periods {
        if !labels.contains(&row.period) {
            labels.push(row.period.clone());
        }
        if !currencies.contains(&row.currency) {
            currencies.push(row.currency.clone());
        }
    }
    let slot = |period: &str| labels.iter().position(|label| label == period);
    let mut revenue = Vec::new();
    for (index, currency) in currencies.iter().enumerate() {
        let mut values = vec![0.0; labels.len()];
        for row in view.periods.iter().filter(|r| &r.currency == currency) {
            if let Some(value) = slot(&row.period).and_then(|at| values.get_mut(at)) {
                *value += amount(row.revenue);
            }
        }
        let colour = Colour::PALETTE
            .get(index % Colour::PALETTE.len())
            .copied()
            .unwrap_or(Colour::Blue);
        revenue.push(Series {
            name: format!("revenue {currency}"),
            colour,
            values,
        });
    }
    let mut orders = vec![0.0; labels.len()];
    for row in &view.periods {
        if let Some(value) = slot(&row.period).and_then(|at| orders.get_mut(at)) {
            *value += count(row.orders);
        }
    }
    let empty = zero(&orders) && revenue.iter().all(|s| zero(&s.values));
    Chart {
        title: format!("Sales {} – {} (by {})", view.from, view.to, view.group),
        empty,
        panels: vec![
            Panel {
                caption: "Revenue per period".to_string(),
                x_desc: String::new(),
                y_desc: format!("revenue ({})", currencies.join(", ")),
                labels: labels.clone(),
                series: revenue,
            },
            Panel {
                caption: "Orders per period".to_string(),
                x_desc: "period".to_string(),
                y_desc: "orders".to_string(),
                labels,
                series: vec![Series {
                    name: "orders".to_string(),
                    colour: Colour::Red,
                    values: orders,
                }],
            },
        ],
        first_panel_percent: 55,
    }
}

/// The chart as PNG bytes (8-bit RGB).
///
/// # Errors
/// [`DocumentError::Chart`] when the font cannot be loaded or drawing fails.
pub fn png(chart: &Chart) -> Result<Vec<u8>, DocumentError> {
    let pixels = usize::try_from(WIDTH * HEIGHT * 3).map_err(|_| failed("size"))?;
    let mut buffer = vec![0_u8; pixels];
    draw(&mut buffer, chart)?;
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(&buffer).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(bytes)
}

/// A drawing failure as the document's error.
fn failed(error: impl std::fmt::Display) -> DocumentError {
    DocumentError::Chart(error.to_string())
}

/// Draws `chart` into `buffer` (RGB, [`WIDTH`] × [`HEIGHT`]).
fn draw(buffer: &mut [u8], chart: &Chart) -> Result<(), DocumentError> {
    plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES)
        .map_err(|_| failed("the chart font (DejaVu Sans) could not be loaded"))?;
    let root = BitMapBackend::with_buffer(buffer, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(failed)?;
    let root = root
        .titled(&chart.title, (FONT, 26).into_font().color(&BLACK))
        .map_err(failed)?;
    let panels: Vec<&Panel> = chart.panels.iter().take(PANELS_MAX).collect();
    if chart.empty || panels.is_empty() {
        let style = (FONT, 22)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let (width, height) = root.dim_in_pixel();
        let centre = (
            i32::try_from(width / 2).unwrap_or(0),
            i32::try_from(height / 2).unwrap_or(0),
        );
        root.draw_text("No data in this range", &style, centre)
            .map_err(failed)?;
    } else if let [only] = panels.as_slice() {
        bars(&root, only)?;
    } else if let [first, rest @ ..] = panels.as_slice() {
        let percent = chart.first_panel_percent.clamp(10, 90);
        let (upper, lower) = root.split_vertically(HEIGHT * percent / 100);
        bars(&upper, first)?;
        for (area, panel) in lower.split_evenly((rest.len(), 1)).iter().zip(rest) {
            bars(area, panel)?;
        }
    }
    root.present().map_err(failed)
}

/// One panel's bars in `area`.
fn bars(area: &Area<'_>, spec: &Panel) -> Result<(), DocumentError> {
    let slots = spec.labels.len().max(1);
    let top = (0..slots)
        .map(|i| {
            spec.series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                .sum::<f64>()
        })
        .fold(0.0_f64, f64::max);
    let y_max = if top > 0.0 { top * 1.1 } else { 1.0 };
    let mut chart = ChartBuilder::on(area)
        .caption(&spec.caption, (FONT, 18))
        .margin(10)
        .x_label_area_size(if spec.x_desc.is_empty() { 30 } else { 50 })
        .y_label_area_size(80)
        .build_cartesian_2d((0..slots - 1).into_segmented(), 0.0..y_max)
        .map_err(failed)?;
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
        .x_desc(spec.x_desc.as_str())
        .y_desc(spec.y_desc.as_str())
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(failed)?;
    let mut base = vec![0.0; slots];
    for series in &spec.series {
        let colour = series.colour.rgb();
        let start = base.clone();
        chart
            .draw_series(series.values.iter().enumerate().map(|(index, value)| {
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
            }))
            .map_err(failed)?
            .label(series.name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
        for (slot, value) in base.iter_mut().zip(&series.values) {
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
            .draw()
            .map_err(failed)?;
    }
    Ok(())
}

/// An exact amount as a bar height (drawing only).
pub fn amount(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

/// A count as a bar height (drawing only).
pub fn count(value: u64) -> f64 {
    Decimal::from(value).to_f64().unwrap_or(0.0)
}

/// Whether every value is zero.
fn zero(values: &[f64]) -> bool {
    values.iter().all(|v| *v == 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordo_api::report_views::SalesRowView;

    fn row(period: &str, currency: &str, orders: u64, revenue: &str) -> SalesRowView {
        SalesRowView {
            period: period.into(),
            start: period.into(),
            currency: currency.into(),
            orders,
            revenue: revenue.parse().unwrap(),
            units: orders,
            cancelled: 0,
        }
    }

    fn view(periods: Vec<SalesRowView>) -> SalesView {
        SalesView {
            from: "2026-11-25".into(),
            to: "2026-12-01".into(),
            group: "day".into(),
            periods,
            products: Vec::new(),
        }
    }

    #[test]
    fn the_sales_chart_has_a_bar_per_period_and_a_revenue_series_per_currency() {
        let chart = sales_chart(&view(vec![
            row("2026-11-30", "USD", 2, "46.00"),
            row("2026-12-01", "USD", 1, "23.00"),
            row("2026-12-01", "EUR", 1, "10.50"),
        ]));
        assert!(!chart.empty);
        let [revenue, orders] = chart.panels.as_slice() else {
            panic!("two panels");
        };
        assert_eq!(revenue.labels, vec!["2026-11-30", "2026-12-01"]);
        assert_eq!(revenue.series.len(), 2);
        assert_eq!(revenue.series[0].values, vec![46.0, 23.0]);
        assert_eq!(revenue.series[1].values, vec![0.0, 10.5]);
        assert_eq!(orders.series[0].values, vec![2.0, 2.0]);
        assert_eq!(chart.title, "Sales 2026-11-25 – 2026-12-01 (by day)");
    }

    #[test]
    fn a_chart_is_a_png_of_the_fixed_size_even_without_data() {
        for chart in [
            sales_chart(&view(vec![row("2026-12-01", "USD", 3, "69.00")])),
            sales_chart(&view(Vec::new())),
        ] {
            let bytes = png(&chart).unwrap();
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
            let decoder = png::Decoder::new(bytes.as_slice());
            let reader = decoder.read_info().unwrap();
            assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
        }
        assert!(sales_chart(&view(Vec::new())).empty);
    }
}
