//! `ordo customer …`: customer arguments (account arguments are in [`super::account`]).

use clap::Subcommand;

use super::account::{
    LOG_EXAMPLES, LogArgs, REGISTER_EXAMPLES, RegisterArgs, UPDATE_EXAMPLES, UpdateArgs,
    VERIFY_EXAMPLES, VerifyCodeArgs,
};

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
  ordo customer show +442071234567
  ordo customer show CUS-4F7Q-2M9T")]
    Show {
        /// Customer id, phone (+…) or Registration ID (CUS-…).
        customer: String,
    },
    /// Change a customer's name, contact details or addresses.
    #[command(after_long_help = UPDATE_EXAMPLES)]
    Update(UpdateArgs),
    /// Show the audit trail of a customer and their orders.
    #[command(after_long_help = "Example:\n  ordo customer history 42")]
    History {
        /// Customer id, phone (+…) or Registration ID (CUS-…).
        customer: String,
    },
    /// Show a customer's orders, total spent, average order value, first and last order.
    #[command(
        after_long_help = "Examples:\n  ordo customer purchases 42\n  ordo --json customer purchases 42 | jq .total_spent"
    )]
    Purchases {
        /// Customer id, phone (+…) or Registration ID (CUS-…).
        customer: String,
    },
    /// Show a customer's communication log, or add to it with --note.
    #[command(after_long_help = LOG_EXAMPLES)]
    Log(LogArgs),
    /// Register a customer who confirms with a code (self-service sign-up on their behalf).
    #[command(after_long_help = REGISTER_EXAMPLES)]
    Register(RegisterArgs),
    /// Confirm a registration with the code sent, choosing a login and password.
    #[command(after_long_help = VERIFY_EXAMPLES)]
    Verify(VerifyCodeArgs),
    /// Send a new verification code (the old one stops working; wrong codes still count).
    #[command(
        name = "resend-code",
        after_long_help = "Example:\n  ordo customer resend-code 3f9c0a6e2b7d4c1e8a5f0b9d6e2c7a41\n\n\
A new code can be sent a minute after the last one, at most 5 times per registration."
    )]
    ResendCode {
        /// The registration handle printed by `ordo customer register`.
        registration: String,
    },
    /// Confirm a new phone or email with the code sent to it (a signed-in customer).
    #[command(
        name = "confirm-contact",
        after_long_help = "\
Example:
  ORDO_TOKEN=$TOKEN ordo customer confirm-contact CUS-4F7Q-2M9T --code 493027

A customer who changes their phone or email with `ordo customer update` keeps the old
details until they enter the code sent to the new phone (or, if only the email changed,
to the new email)."
    )]
    ConfirmContact {
        /// Customer id, phone (+…) or Registration ID (CUS-…).
        customer: String,
        /// The 6-digit code sent to the new contact.
        #[arg(long)]
        code: String,
    },
    /// Approve a verified business registration: active, with a Registration ID.
    #[command(after_long_help = "\
Examples:
  ordo customer approve 58
  ORDO_PASSWORD=$PW ordo --as sales customer approve 58")]
    Approve {
        /// Customer id.
        customer: String,
    },
    /// Reject a pending registration.
    #[command(
        after_long_help = "Example:\n  ordo customer reject 59 --reason \"tax id does not match the company\""
    )]
    Reject {
        /// Customer id.
        customer: String,
        /// Why (shown to the customer).
        #[arg(long)]
        reason: String,
    },
    /// Set a customer's login id and password (their sessions end).
    #[command(
        name = "set-password",
        after_long_help = "\
Examples:
  ordo customer set-password 42 --login ada
  ORDO_PASSWORD='rainy tulip orbit 42' ordo customer set-password 42 --login ada

The password comes from $ORDO_NEW_PASSWORD or $ORDO_PASSWORD (unless --as used it), or is
asked for twice on the terminal."
    )]
    SetPassword {
        /// Customer id, phone (+…) or Registration ID (CUS-…).
        customer: String,
        /// Login id (3 to 32 letters, digits, '.', '_' or '-').
        #[arg(long)]
        login: String,
    },
}
