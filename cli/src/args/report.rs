//! `ordo report …`: report arguments.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Report subcommands.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Sales per day, week or month, with the best products and customers.
    #[command(after_long_help = "\
Examples:
  ordo report sales --from 2026-09-01 --to 2026-11-30 --group week
  ordo report sales --from 2026-11-01 --to 2026-11-30 --csv november.csv
  ordo report sales --from 2026-09-01 --to 2026-11-30 --group week --chart sales.png
  ordo --json report sales --from 2026-11-01 --to 2026-11-30 | jq .ok.periods")]
    Sales(ReportArgs),
    /// Order speed: placed → shipped and shipped → delivered (median, p90).
    Speed(ReportArgs),
    /// Customer behaviour: repeat purchases, average order value, top, new vs returning.
    Customers(ReportArgs),
    /// Stock: low stock, reserved vs on hand, days of cover from the last 30 days.
    Stock(StockReportArgs),
}

/// A date range and where to write.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub from: String,
    /// Last day, included (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub to: String,
    /// day, week or month (sales only).
    #[arg(long, default_value = "day")]
    pub group: String,
    /// Also write the rows as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Also draw a chart into this PNG file (1000×600).
    #[arg(long, value_name = "FILE.png", value_parser = png_file)]
    pub chart: Option<PathBuf>,
}

/// Options of `ordo report stock`.
#[derive(Debug, Args)]
pub struct StockReportArgs {
    /// The last day of the 30-day window (default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Low at or below this many available units.
    #[arg(long, default_value_t = 5)]
    pub low: u64,
    /// Also write the rows as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Also draw a chart into this PNG file (1000×600).
    #[arg(long, value_name = "FILE.png", value_parser = png_file)]
    pub chart: Option<PathBuf>,
}

/// A `--chart` file: its name must end in `.png` (the encoder picks the format from it, and a
/// chart named otherwise would be a surprise to whoever opens it).
fn png_file(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    let is_png = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if is_png {
        Ok(path)
    } else {
        Err("a chart is a PNG image: give a file name ending in .png".to_string())
    }
}
