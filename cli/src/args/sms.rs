//! `ordo sms …`: trying the SMS channel without a phone.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// What `ordo sms --help` teaches.
pub const SMS_HELP: &str = "\
The SMS channel of a running `ordo serve`: customers text TRACK and their order
references (several in one text), ORDERS, SUB or UNSUB and a reference, HELP, or the
carrier keywords STOP/START; the service answers by SMS, and texts subscribers on every
status change.

`simulate` sends the service the webhook Twilio would send for a text, signed with the
configured auth token exactly as Twilio signs it, and prints the reply: the SMS channel,
end to end, without a phone. An order is told only to its customer's phone: from any
other number the reply is the one for a reference that does not exist.";

/// SMS subcommands.
#[derive(Debug, Subcommand)]
pub enum SmsCommand {
    /// Send a running service a text as if from a phone, and print its reply.
    #[command(after_long_help = "\
Examples:
  ordo sms simulate --from +15551234567 \"TRACK ORD-7K3M-Q9TX\"
  ordo sms simulate --from +15551234567 \"ORD-7K3M-Q9TX ORD-2B6D-H4PZ\"
  ordo sms simulate --from +15551234567 ORDERS
  ordo sms simulate --url http://127.0.0.1:9000 --from +15551234567 HELP")]
    Simulate(SimulateArgs),
}

/// Options of `ordo sms simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The sender's phone number (E.164).
    #[arg(long, value_name = "PHONE")]
    pub from: String,
    /// The shop's number the text goes to (default: twilio.from, or +15550000000).
    #[arg(long, value_name = "PHONE")]
    pub to: Option<String>,
    /// The service's URL (default: http:// and its listen address from the
    /// configuration).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The service's configuration file, for its address, public URL and auth token
    /// (ORDO_* variables win, as for `ordo serve`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The text.
    #[arg(value_name = "TEXT")]
    pub text: String,
}
