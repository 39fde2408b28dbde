//! `ordo product …`: catalog and stock arguments.

use clap::{ArgGroup, Args, Subcommand};

/// Catalog and stock subcommands.
#[derive(Debug, Subcommand)]
pub enum ProductCommand {
    /// Add a product to the catalog.
    #[command(after_long_help = "\
Examples:
  ordo product add --sku TEE-RED-M --name \"Classic tee, red, M\" --price \"19.90 USD\"
  ordo product add --sku MUG-01 --name \"Stoneware mug\" --price \"12.50 USD\" \\
      --spec Material=Stoneware --spec Capacity=\"350 ml\" \\
      --photo https://cdn.example.com/mug.jpg --wholesale 1:9.00 --wholesale 24:7.50 \\
      --tax reduced --weight 0.45 --dimensions 12x12x11")]
    Add(ProductAddArgs),
    /// List products with their price and available stock.
    #[command(after_long_help = "\
Examples:
  ordo product list
  ordo product list --limit 20 --after 20
  ordo --json product list | jq '.[].sku'")]
    List {
        /// Show at most this many products (1 to 1000).
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Start after this product id (the last id of the previous page).
        #[arg(long, value_name = "ID")]
        after: Option<u64>,
    },
    /// Show a product: prices, specifications, media and stock per warehouse.
    #[command(after_long_help = "Example:\n  ordo product show TEE-RED-M")]
    Show {
        /// The product's SKU.
        sku: String,
    },
    /// Change a product; fields not given stay as they are.
    #[command(after_long_help = "\
Examples:
  ordo product update TEE-RED-M --price \"17.90 USD\"
  ordo product update TEE-RED-M --inactive
  ordo product update TEE-RED-M --weight 0.2 --dimensions 30x20x2
  ordo product update TEE-RED-M --spec Material=Linen --photo https://cdn.example.com/tee.jpg

A list option (--spec, --photo, --video, --wholesale) replaces that whole list.")]
    Update(ProductUpdateArgs),
    /// Receive or correct stock in a warehouse.
    #[command(after_long_help = "\
Examples:
  ordo product stock TEE-RED-M --warehouse MAIN --restock 100 --reason \"PO 4711\"
  ordo product stock TEE-RED-M --warehouse EAST --adjust -2 --reason \"damaged in transit\"

--restock adds received units; --adjust corrects the count up or down (never below what
open orders have reserved).")]
    Stock(ProductStockArgs),
}

/// `ordo product add`.
#[derive(Debug, Args)]
pub struct ProductAddArgs {
    /// Stock-keeping unit: 2-32 letters, digits, '-', '_' or '.'.
    #[arg(long)]
    pub sku: String,
    /// Display name.
    #[arg(long)]
    pub name: String,
    /// Retail (B2C) price with currency, e.g. "12.50 USD".
    #[arg(long, allow_hyphen_values = true)]
    pub price: String,
    /// Longer description.
    #[arg(long, default_value = "")]
    pub description: String,
    /// A specification as KEY=VALUE (repeatable).
    #[arg(long = "spec", value_name = "KEY=VALUE")]
    pub specs: Vec<String>,
    /// A photo URL (repeatable).
    #[arg(long = "photo", value_name = "URL")]
    pub photos: Vec<String>,
    /// A video URL (repeatable).
    #[arg(long = "video", value_name = "URL")]
    pub videos: Vec<String>,
    /// A wholesale (B2B) price tier as QTY:PRICE (repeatable; the first tier must be 1).
    #[arg(long = "wholesale", value_name = "QTY:PRICE")]
    pub wholesale: Vec<String>,
    /// Tax category: standard, reduced or zero.
    #[arg(long, default_value = "standard")]
    pub tax: String,
    /// Accept orders beyond available stock (backorders).
    #[arg(long)]
    pub backorder: bool,
    /// Add the product without making it orderable yet.
    #[arg(long)]
    pub inactive: bool,
    /// Shipping weight in kg, up to three decimals (0.29 = 290 g); printed on labels.
    #[arg(long, value_name = "KG")]
    pub weight: Option<String>,
    /// Packed size in cm, length x width x height (30x20x10).
    #[arg(long, value_name = "LxWxH")]
    pub dimensions: Option<String>,
}

/// `ordo product update`.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("changes").required(true).multiple(true).args([
        "new_sku", "name", "price", "description", "specs", "photos", "videos", "wholesale",
        "no_wholesale", "tax", "backorder", "active", "inactive", "weight", "dimensions",
    ])
))]
pub struct ProductUpdateArgs {
    /// The product's current SKU.
    pub sku: String,
    /// A new SKU.
    #[arg(long = "new-sku", value_name = "SKU")]
    pub new_sku: Option<String>,
    /// A new display name.
    #[arg(long)]
    pub name: Option<String>,
    /// A new retail price with currency.
    #[arg(long, allow_hyphen_values = true)]
    pub price: Option<String>,
    /// A new description.
    #[arg(long)]
    pub description: Option<String>,
    /// Specifications as KEY=VALUE (replace all).
    #[arg(long = "spec", value_name = "KEY=VALUE")]
    pub specs: Vec<String>,
    /// Photo URLs (replace all photos).
    #[arg(long = "photo", value_name = "URL")]
    pub photos: Vec<String>,
    /// Video URLs (replace all videos).
    #[arg(long = "video", value_name = "URL")]
    pub videos: Vec<String>,
    /// Wholesale tiers as QTY:PRICE (replace the wholesale list).
    #[arg(long = "wholesale", value_name = "QTY:PRICE")]
    pub wholesale: Vec<String>,
    /// Remove the wholesale price list.
    #[arg(long, conflicts_with = "wholesale")]
    pub no_wholesale: bool,
    /// Tax category: standard, reduced or zero.
    #[arg(long)]
    pub tax: Option<String>,
    /// Backorders: allow or deny.
    #[arg(long, value_name = "allow|deny")]
    pub backorder: Option<String>,
    /// Make the product orderable.
    #[arg(long, conflicts_with = "inactive")]
    pub active: bool,
    /// Stop the product from being ordered.
    #[arg(long)]
    pub inactive: bool,
    /// Shipping weight in kg ("" removes it).
    #[arg(long, value_name = "KG")]
    pub weight: Option<String>,
    /// Packed size in cm, LxWxH ("" removes it).
    #[arg(long, value_name = "LxWxH")]
    pub dimensions: Option<String>,
}

/// `ordo product stock`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("change").required(true).args(["restock", "adjust"])))]
pub struct ProductStockArgs {
    /// The product's SKU.
    pub sku: String,
    /// Warehouse code, e.g. MAIN.
    #[arg(long)]
    pub warehouse: String,
    /// Units received.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub restock: Option<String>,
    /// Correction, e.g. -2 or +5.
    #[arg(long, value_name = "±N", allow_hyphen_values = true)]
    pub adjust: Option<String>,
    /// Why (kept in the audit trail).
    #[arg(long)]
    pub reason: String,
}
