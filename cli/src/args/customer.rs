//! `ordo customer …`: customer arguments.

use clap::Subcommand;

/// Customer subcommands.
#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    /// Add a customer (active at once).
    #[command(after_long_help = "\
Examples:
  ordo customer add --name \"Ada Lovelace\" --phone +442071234567 --email ada@example.com \\
      --address \"Ada Lovelace, 12 St James's Square, London, SW1Y 4JH, GB\"
  ordo customer add --name \"Grace Hopper\" --phone +12025550143 --email grace@navy.example \\
      --company \"Hopper Systems Inc\" --tax-id US-98-7654321

A customer with --company and --tax-id is a business (B2B) customer and buys at wholesale
prices. The first --address is the default shipping address.")]
    Add {
        /// Full name.
        #[arg(long)]
        name: String,
        /// Phone in international format, e.g. +14155550123.
        #[arg(long)]
        phone: String,
        /// Email address.
        #[arg(long)]
        email: String,
        /// Company name (makes this a business customer; needs --tax-id).
        #[arg(long, requires = "tax_id")]
        company: Option<String>,
        /// Tax or VAT id (needs --company).
        #[arg(long, requires = "company")]
        tax_id: Option<String>,
        /// Address as "recipient, street, [line 2,] city, postal code, country" (repeatable).
        #[arg(long = "address", value_name = "ADDRESS")]
        addresses: Vec<String>,
    },
    /// List customers, optionally those whose name matches.
    #[command(after_long_help = "\
Examples:
  ordo customer list
  ordo customer list --name love          # finds \"Ada Lovelace\"
  ordo --json customer list --limit 500")]
    List {
        /// Only customers whose name contains this text (a word start, any case).
        #[arg(long)]
        name: Option<String>,
        /// Show at most this many customers (1 to 1000).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Start after this customer id (the last id of the previous page).
        #[arg(long, value_name = "ID", conflicts_with = "name")]
        after: Option<u64>,
    },
    /// Show a customer and their latest orders.
    #[command(after_long_help = "\
Examples:
  ordo customer show 42
  ordo customer show +442071234567")]
    Show {
        /// Customer id, or phone number starting with +.
        customer: String,
    },
    /// Show the audit trail of a customer and their orders.
    #[command(after_long_help = "Example:\n  ordo customer history 42")]
    History {
        /// Customer id.
        customer: String,
    },
}
