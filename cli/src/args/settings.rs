//! `ordo settings …`: the store's settings (pricing and the seller).

use clap::Subcommand;

/// Settings subcommands.
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show the tax rates, shipping fees and tax rounding every order is priced with, and
    /// the seller invoices and labels print.
    #[command(after_long_help = "\
Examples:
  ordo settings show
  ordo --json settings show | jq .tax

Any role that may read the catalog may read them.")]
    Show,
    /// Change settings: one or more NAME=VALUE, all in one audited change.
    #[command(after_long_help = "\
Settings:
  tax.CATEGORY=RATE             standard or reduced; a fraction (0.2) or a percentage (20%).
                                Zero-rated products are always taxed at 0%.
  shipping.METHOD.CURRENCY=FEE  standard or express, any supported currency; FEE is an
                                amount (7.50) or none (the method is not offered in that
                                currency). Pickup is always free.
  rounding=MODE                 how tax is rounded to the currency's minor unit: half-even
                                (banker's rounding, the default) or half-up.
  seller.name=TEXT              who sells, printed on invoices and as the labels' sender;
  seller.address=LINE;LINE      also seller.tax_id (VAT number) and seller.contact (email
                                or phone). An empty value clears it. An invoice keeps the
                                seller it was issued with.

Examples:
  ordo settings set tax.standard=21%
  ordo settings set shipping.express.EUR=12.00 shipping.standard.JPY=800
  ordo settings set rounding=half-up
  ordo settings set shipping.express.USD=none
  ordo settings set seller.name='Ordo Shop Ltd' seller.address='1 Market St; Leeds LS1 1AA' \
                    seller.tax_id=GB123456789

Only an administrator may change them. Orders created afterwards are priced with the new
settings; existing orders keep the rates and rounding they were priced with. Each change
is one audit entry listing every setting before and after (see `ordo settings history`).")]
    Set {
        /// NAME=VALUE, e.g. tax.standard=21% or shipping.express.EUR=12.00.
        #[arg(value_name = "NAME=VALUE", required = true, num_args = 1..)]
        assignments: Vec<String>,
    },
    /// Every change to the settings, oldest first: who, when, before and after.
    #[command(
        after_long_help = "Examples:\n  ordo settings history\n  ordo --json settings history"
    )]
    History,
}
