//! `ordo customer …` account arguments: registration, verification, approval, passwords,
//! contact changes and the communication log.

use clap::Args;

/// Options of `ordo customer register`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Full name.
    #[arg(long)]
    pub name: String,
    /// Phone in international format, e.g. +14155550123 (codes go here by SMS).
    #[arg(long)]
    pub phone: String,
    /// Email address.
    #[arg(long)]
    pub email: String,
    /// Company name (a business registration, approved by staff; needs --tax-id).
    #[arg(long, requires = "tax_id")]
    pub company: Option<String>,
    /// Tax or VAT id (needs --company).
    #[arg(long, requires = "company")]
    pub tax_id: Option<String>,
    /// Address as "recipient, street, [line 2,] city, postal code, country" (repeatable;
    /// the first is the default).
    #[arg(long = "address", value_name = "ADDRESS", required = true)]
    pub addresses: Vec<String>,
    /// Send the code to this Telegram chat instead of by SMS.
    #[arg(long, value_name = "CHAT_ID", allow_hyphen_values = true)]
    pub telegram: Option<String>,
}

/// Examples of `ordo customer register`.
pub const REGISTER_EXAMPLES: &str = "\
Examples:
  ordo customer register --name \"Ada Lovelace\" --phone +442071234567 \\
      --email ada@example.com --address \"Ada Lovelace, 12 St James's Square, London, SW1Y 4JH, GB\"
  ordo customer register --name \"Grace Hopper\" --phone +12025550143 --email grace@hopper.example \\
      --company \"Hopper Systems Inc\" --tax-id US-98-7654321 \\
      --address \"Grace Hopper, 1 Navy Yard, Washington, 20374, US\" --telegram 123456789

The customer is pending verification and a 6-digit code (valid 10 minutes, 5 attempts)
goes out by SMS, or to the Telegram chat. Until the SMS and Telegram adapters run,
`ordo outbox list` shows the message. The command prints a registration handle (32 hex
characters): it is shown once, and only it reaches the registration.
Next: `ordo customer verify HANDLE --code CODE --login LOGIN`. A registration not verified
within 24 hours lapses and frees its phone and email.";

/// Options of `ordo customer verify`.
#[derive(Debug, Args)]
pub struct VerifyCodeArgs {
    /// The registration handle printed by `ordo customer register`.
    pub registration: String,
    /// The 6-digit code that was sent.
    #[arg(long)]
    pub code: String,
    /// The login id the customer chooses.
    #[arg(long)]
    pub login: String,
}

/// Examples of `ordo customer verify`.
pub const VERIFY_EXAMPLES: &str = "\
Examples:
  ordo customer verify 3f9c0a6e2b7d4c1e8a5f0b9d6e2c7a41 --code 493027 --login ada
  ORDO_PASSWORD='rainy tulip orbit 42' ordo customer verify 3f9c0a6e2b7d4c1e8a5f0b9d6e2c7a41 --code 493027 --login ada

The password comes from $ORDO_NEW_PASSWORD or $ORDO_PASSWORD, or is asked for twice on the
terminal. The code is checked first: 5 wrong codes per registration, new codes included.
A consumer becomes active with a permanent Registration ID (CUS-…); a business
waits for staff approval (`ordo customer approve ID`).";

/// Options of `ordo customer update`: only the given fields change.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Customer id, phone (+…) or Registration ID (CUS-…).
    pub customer: String,
    /// New full name.
    #[arg(long)]
    pub name: Option<String>,
    /// New phone.
    #[arg(long)]
    pub phone: Option<String>,
    /// New email.
    #[arg(long)]
    pub email: Option<String>,
    /// New company name.
    #[arg(long)]
    pub company: Option<String>,
    /// New tax id.
    #[arg(long)]
    pub tax_id: Option<String>,
    /// Replace all addresses with these (repeatable; the first is the default).
    #[arg(long = "address", value_name = "ADDRESS")]
    pub addresses: Vec<String>,
}

/// Examples of `ordo customer update`.
pub const UPDATE_EXAMPLES: &str = "\
Examples:
  ordo customer update 42 --email ada.lovelace@example.org
  ordo customer update 42 --phone +442071230000 \\
      --address \"Ada Lovelace, 1 New Road, London, N1 9GU, GB\"

Fields not given keep their value; --address replaces every address.";

/// Options of `ordo customer log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Customer id, phone (+…) or Registration ID (CUS-…).
    pub customer: String,
    /// Add this text to the log (a staff note unless --channel says otherwise).
    #[arg(long, value_name = "TEXT", visible_alias = "text")]
    pub note: Option<String>,
    /// The order it is about (id or reference).
    #[arg(long, value_name = "ORDER", requires = "note")]
    pub order: Option<String>,
    /// How the message travelled: sms, telegram, email or note.
    #[arg(long, default_value = "note", requires = "note")]
    pub channel: String,
    /// in (from the customer) or out (to the customer).
    #[arg(long, default_value = "out", requires = "note")]
    pub direction: String,
    /// Show at most this many messages (1 to 1000).
    #[arg(long, default_value_t = 50, conflicts_with = "note")]
    pub limit: usize,
}

/// Examples of `ordo customer log`.
pub const LOG_EXAMPLES: &str = "\
Examples:
  ordo customer log 42
  ordo customer log 42 --note \"Prefers delivery after 5 pm\"
  ordo customer log 42 --note \"Asked where the parcel is\" --channel telegram --direction in \\
      --order ORD-7K3M-9QX1";
