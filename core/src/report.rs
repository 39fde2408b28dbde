//! Reports: what the engine answers about sales, order speed, customers and stock, and the
//! pure arithmetic behind them (periods, percentiles from histograms, days of cover).
//!
//! Figures are read from the report counters the engine keeps in every order's write set
//! (`engine::report_counters`), never by decoding the orders of a range. Days are UTC
//! days; a range is whole days, both ends included. Money sums are exact decimals in one
//! currency per row (sums may exceed what one `Money` may hold, so they are plain
//! `Decimal`s beside their currency).

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use crate::clock::{DAY_MS, Timestamp};
use crate::error::{Error, Result};
use crate::ids::{CustomerId, ProductId};
use crate::money::Currency;

/// The longest range a report covers, in days (ten years).
pub const MAX_REPORT_DAYS: u32 = 3660;

/// Julian day number of 1970-01-01 (day 0 of the counters).
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// How rows are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportGroup {
    /// One row per UTC day.
    Day,
    /// One row per ISO week (Monday to Sunday).
    Week,
    /// One row per calendar month.
    Month,
}

impl ReportGroup {
    /// `day`, `week` or `month`.
    ///
    /// # Errors
    /// `Validation` on `group` for anything else.
    pub fn parse(text: &str) -> Result<ReportGroup> {
        match text.trim().to_ascii_lowercase().as_str() {
            "day" => Ok(ReportGroup::Day),
            "week" => Ok(ReportGroup::Week),
            "month" => Ok(ReportGroup::Month),
            _ => Err(Error::invalid(
                "group",
                format!("{text:?} is not day, week or month"),
            )),
        }
    }

    /// The first day of the period holding `day`.
    pub fn period_start(self, day: u32) -> u32 {
        match self {
            ReportGroup::Day => day,
            // 1970-01-01 was a Thursday: day 4 (1970-01-05) is the first Monday.
            ReportGroup::Week => day.saturating_sub((day + 3) % 7),
            ReportGroup::Month => match date_of(day) {
                Some(date) => day.saturating_sub(u32::from(date.day()) - 1),
                None => day,
            },
        }
    }
}

/// A whole-day UTC range, both ends included (checked: `from ≤ to`, at most
/// [`MAX_REPORT_DAYS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayRange {
    from: u32,
    to: u32,
}

impl DayRange {
    /// The days holding `from` and `to`.
    ///
    /// # Errors
    /// `Validation` on `to` if it is before `from` or the range is longer than
    /// [`MAX_REPORT_DAYS`]; on `from` if it is before 1970.
    pub fn new(from: Timestamp, to: Timestamp) -> Result<DayRange> {
        if from.millis() < 0 {
            return Err(Error::invalid("from", "must be 1970-01-01 or later"));
        }
        let from = day_of(from);
        let to = day_of(to);
        if to < from {
            return Err(Error::invalid("to", "must not be before from"));
        }
        if to - from >= MAX_REPORT_DAYS {
            return Err(Error::invalid(
                "to",
                format!("a report covers at most {MAX_REPORT_DAYS} days"),
            ));
        }
        Ok(DayRange { from, to })
    }

    /// The first day (days since 1970-01-01).
    pub fn from(self) -> u32 {
        self.from
    }

    /// The last day (included).
    pub fn to(self) -> u32 {
        self.to
    }

    /// How many days.
    pub fn days(self) -> u32 {
        self.to - self.from + 1
    }
}

/// The UTC day of a timestamp (days since 1970-01-01; earlier times count as day 0).
pub fn day_of(at: Timestamp) -> u32 {
    u32::try_from(at.millis().div_euclid(DAY_MS)).unwrap_or(0)
}

/// Midnight UTC at the start of `day`.
pub fn day_start(day: u32) -> Timestamp {
    Timestamp(i64::from(day) * DAY_MS)
}

fn date_of(day: u32) -> Option<Date> {
    let julian = i32::try_from(day)
        .ok()?
        .checked_add(UNIX_EPOCH_JULIAN_DAY)?;
    Date::from_julian_day(julian).ok()
}

/// `YYYY-MM-DD` of a day.
pub fn day_label(day: u32) -> String {
    match date_of(day) {
        Some(date) => format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        ),
        None => format!("day {day}"),
    }
}

/// How a period is named: `2026-11-30` (day), `2026-W49` (ISO week), `2026-11` (month).
pub fn period_label(group: ReportGroup, start: u32) -> String {
    match (group, date_of(start)) {
        (ReportGroup::Day, _) | (_, None) => day_label(start),
        (ReportGroup::Week, Some(date)) => {
            let (year, week, _) = date.to_iso_week_date();
            format!("{year:04}-W{week:02}")
        }
        (ReportGroup::Month, Some(date)) => {
            format!("{:04}-{:02}", date.year(), u8::from(date.month()))
        }
    }
}

/// Sales of one period in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SalesRow {
    /// The period's name ([`period_label`]).
    pub period: String,
    /// The period's first day, midnight UTC.
    pub period_start: Timestamp,
    /// The currency of `revenue`.
    pub currency: Currency,
    /// Orders placed (not cancelled since).
    pub orders: u64,
    /// Σ order totals.
    pub revenue: Decimal,
    /// Units ordered.
    pub units: u64,
    /// Orders placed in the period and cancelled since are not counted above; this is how
    /// many orders were cancelled during the period.
    pub cancelled: u64,
}

/// One product's sales over a range, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductSales {
    /// The product.
    pub product: ProductId,
    /// Its SKU today (`None` if the product no longer reads).
    pub sku: Option<String>,
    /// Its name today.
    pub name: Option<String>,
    /// The currency of `revenue`.
    pub currency: Currency,
    /// Units ordered.
    pub units: u64,
    /// Σ line total − line discount (before tax).
    pub revenue: Decimal,
}

/// One customer's purchases over a range, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerSales {
    /// The customer.
    pub customer: CustomerId,
    /// Their name today (`None` if the record no longer reads).
    pub name: Option<String>,
    /// The currency of `revenue`.
    pub currency: Currency,
    /// Orders placed.
    pub orders: u64,
    /// Σ order totals.
    pub revenue: Decimal,
}

/// The sales report: per period, per product, per customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SalesReport {
    /// The range covered.
    pub range: DayRange,
    /// How periods are grouped.
    pub group: ReportGroup,
    /// One row per period and currency with any figure, in time order.
    pub periods: Vec<SalesRow>,
    /// Products by revenue, largest first (ties by id). Customers by revenue are in
    /// [`CustomerReport::top`]: a range has a counter pair per customer and day, many more
    /// than per product, so the sales report leaves them out to stay fast.
    pub products: Vec<ProductSales>,
}

/// Durations of one stage of fulfilment, from a histogram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeedFigures {
    /// Orders that completed the stage within the range.
    pub orders: u64,
    /// The median, as the upper bound of the bucket holding it (`None`: no orders, or the
    /// median is in the open-ended last bucket).
    pub median_ms: Option<i64>,
    /// The 90th percentile, likewise.
    pub p90_ms: Option<i64>,
    /// Orders per bucket (index into [`SPEED_BUCKET_BOUNDS_MS`], the last beyond them).
    pub buckets: Vec<u64>,
}

/// Upper bounds (inclusive, in ms) of the speed histogram buckets: 1, 2, 4, 8, 12 hours,
/// 1, 1.5, 2, 3, 4, 5, 7, 10, 14, 21, 30 days; one more bucket holds everything longer.
pub const SPEED_BUCKET_BOUNDS_MS: [i64; 16] = {
    const HOUR: i64 = 3_600_000;
    [
        HOUR,
        2 * HOUR,
        4 * HOUR,
        8 * HOUR,
        12 * HOUR,
        24 * HOUR,
        36 * HOUR,
        48 * HOUR,
        72 * HOUR,
        96 * HOUR,
        120 * HOUR,
        168 * HOUR,
        240 * HOUR,
        336 * HOUR,
        504 * HOUR,
        720 * HOUR,
    ]
};

/// The histogram bucket of a duration (index into [`SPEED_BUCKET_BOUNDS_MS`], or its
/// length for longer ones).
pub fn speed_bucket(duration_ms: i64) -> u8 {
    let index = SPEED_BUCKET_BOUNDS_MS
        .iter()
        .position(|bound| duration_ms <= *bound)
        .unwrap_or(SPEED_BUCKET_BOUNDS_MS.len());
    u8::try_from(index).unwrap_or(u8::MAX)
}

impl SpeedFigures {
    /// Figures from bucket counts (index as in [`speed_bucket`]).
    pub fn from_buckets(buckets: Vec<u64>) -> SpeedFigures {
        let orders: u64 = buckets.iter().sum();
        SpeedFigures {
            orders,
            median_ms: quantile_bound(&buckets, orders, 50),
            p90_ms: quantile_bound(&buckets, orders, 90),
            buckets,
        }
    }
}

/// The upper bound of the bucket holding the `percent`th percentile (nearest rank).
fn quantile_bound(buckets: &[u64], orders: u64, percent: u64) -> Option<i64> {
    if orders == 0 {
        return None;
    }
    // Nearest rank: the ceil(p/100 · n)th smallest duration.
    let rank = (orders * percent).div_ceil(100).max(1);
    let mut seen = 0u64;
    for (index, count) in buckets.iter().enumerate() {
        seen += count;
        if seen >= rank {
            return SPEED_BUCKET_BOUNDS_MS.get(index).copied();
        }
    }
    None
}

/// The speed report: placed → shipped and shipped → delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeedReport {
    /// The range covered (by the day each stage ended).
    pub range: DayRange,
    /// Placed → shipped, for orders shipped within the range.
    pub to_ship: SpeedFigures,
    /// Shipped → delivered, for orders delivered within the range.
    pub to_deliver: SpeedFigures,
}

/// Customer behaviour in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerFigures {
    /// The currency.
    pub currency: Currency,
    /// Customers who placed at least one order in the range.
    pub customers: u64,
    /// Orders they placed.
    pub orders: u64,
    /// Σ order totals.
    pub revenue: Decimal,
    /// revenue / orders, rounded to the currency's minor unit (half-even).
    pub average_order_value: Decimal,
    /// Customers with two or more orders in the range.
    pub repeat_customers: u64,
    /// repeat customers / customers, as a fraction rounded to 4 places.
    pub repeat_purchase_rate: Decimal,
    /// Customers whose first order ever is in the range.
    pub new_customers: u64,
    /// Customers who had ordered before the range.
    pub returning_customers: u64,
}

/// The customer report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerReport {
    /// The range covered.
    pub range: DayRange,
    /// Per currency.
    pub figures: Vec<CustomerFigures>,
    /// The top customers by revenue (at most the number asked for).
    pub top: Vec<CustomerSales>,
}

/// One product's stock position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockRow {
    /// The product.
    pub product: ProductId,
    /// Its SKU.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// Units on hand, all warehouses.
    pub on_hand: u64,
    /// Units reserved for open orders.
    pub reserved: u64,
    /// on hand − reserved.
    pub available: u64,
    /// Units ordered in the last 30 days (to the report's day, included).
    pub units_last_30_days: u64,
    /// available ÷ (units of the last 30 days ÷ 30), one decimal; `None` when nothing sold.
    pub days_of_cover: Option<Decimal>,
    /// Available at or below the low-stock threshold.
    pub low: bool,
}

/// The stock report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockReport {
    /// The day the 30-day window ends on.
    pub as_of: Timestamp,
    /// Available units at or below which a product is low.
    pub low_threshold: u64,
    /// Low products first, then by days of cover (fewest first), then SKU.
    pub rows: Vec<StockRow>,
}

/// available ÷ (units sold in 30 days ÷ 30), rounded to one decimal (`None` without sales).
pub fn days_of_cover(available: u64, units_last_30_days: u64) -> Option<Decimal> {
    if units_last_30_days == 0 {
        return None;
    }
    let per_day = Decimal::from(units_last_30_days) / Decimal::from(30);
    let mut days = (Decimal::from(available) / per_day).round_dp(1);
    // Always one decimal, so tables and CSV columns read alike (`170.0`, not `170`).
    days.rescale(1);
    Some(days)
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn day(text: &str) -> u32 {
        day_of(Timestamp::parse_date(text, "d").unwrap())
    }

    #[test]
    fn periods_start_on_the_day_monday_and_first_of_month() {
        // 2026-12-02 is a Wednesday.
        let wednesday = day("2026-12-02");
        assert_eq!(ReportGroup::Day.period_start(wednesday), wednesday);
        assert_eq!(ReportGroup::Week.period_start(wednesday), day("2026-11-30"));
        assert_eq!(
            ReportGroup::Week.period_start(day("2026-11-30")),
            day("2026-11-30")
        );
        assert_eq!(
            ReportGroup::Week.period_start(day("2026-12-06")),
            day("2026-11-30")
        );
        assert_eq!(
            ReportGroup::Month.period_start(wednesday),
            day("2026-12-01")
        );
        assert_eq!(
            ReportGroup::Month.period_start(day("2024-02-29")),
            day("2024-02-01")
        );
        assert_eq!(
            period_label(ReportGroup::Week, day("2026-11-30")),
            "2026-W49"
        );
        assert_eq!(
            period_label(ReportGroup::Month, day("2026-12-01")),
            "2026-12"
        );
        assert_eq!(period_label(ReportGroup::Day, wednesday), "2026-12-02");
        assert!(ReportGroup::parse("fortnight").is_err());
        assert_eq!(ReportGroup::parse("Week").unwrap(), ReportGroup::Week);
    }

    #[test]
    fn ranges_are_checked() {
        let at = |d: &str| Timestamp::parse_date(d, "d").unwrap();
        let range = DayRange::new(at("2026-11-01"), at("2026-11-30")).unwrap();
        assert_eq!(range.days(), 30);
        assert!(DayRange::new(at("2026-11-02"), at("2026-11-01")).is_err());
        assert!(DayRange::new(at("2000-01-01"), at("2026-11-01")).is_err());
    }

    #[test]
    fn percentiles_are_the_upper_bound_of_their_bucket() {
        let hour = 3_600_000;
        assert_eq!(speed_bucket(0), 0);
        assert_eq!(speed_bucket(hour), 0);
        assert_eq!(speed_bucket(hour + 1), 1);
        assert_eq!(speed_bucket(31 * 24 * hour), 16);
        let mut buckets = vec![0u64; 17];
        // 10 orders: 4 within an hour, 5 within a day (12–24 h), 1 after 31 days.
        buckets[0] = 4;
        buckets[5] = 5;
        buckets[16] = 1;
        let figures = SpeedFigures::from_buckets(buckets);
        assert_eq!(figures.orders, 10);
        assert_eq!(figures.median_ms, Some(24 * hour));
        assert_eq!(figures.p90_ms, Some(24 * hour));
        assert_eq!(SpeedFigures::from_buckets(vec![0; 17]).median_ms, None);
    }

    #[test]
    fn days_of_cover_divides_available_by_the_daily_rate() {
        assert_eq!(days_of_cover(10, 0), None);
        assert_eq!(
            days_of_cover(10, 30).map(|d| d.to_string()),
            Some("10.0".into())
        );
        assert_eq!(days_of_cover(7, 9), Some(dec!(23.3)));
    }
}
