//! `ordo order ship`: the arguments of a shipment.

use clap::Args;

/// What to ship, with whom.
#[derive(Debug, Args)]
pub struct ShipArgs {
    /// Order id or reference.
    pub order: String,
    /// Units of one line as SKU:QTY (repeatable; none: every unit left).
    #[arg(long = "line")]
    pub lines: Vec<String>,
    /// The carrier (e.g. dhl, ups, postnl).
    #[arg(long)]
    pub carrier: String,
    /// The carrier's tracking number.
    #[arg(long)]
    pub tracking: String,
    /// The parcel's weight in kg (e.g. 1.25); without it, the sum of its products'
    /// weights when every one has a weight.
    #[arg(long)]
    pub weight: Option<String>,
    /// standard, express or pickup (default: the order's shipping method).
    #[arg(long)]
    pub method: Option<String>,
}
