//! `ordo outbox …`: notification outbox arguments.

use clap::Subcommand;

/// Outbox subcommands.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List pending notifications, rendered as they would be sent.
    #[command(after_long_help = "\
Examples:
  ordo outbox list
  ordo outbox list --after 120 --limit 20
  ordo --json outbox list | jq '.[] | select(.event == \"verification code\")'")]
    List {
        /// Show at most this many (1 to 1000).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Start after this sequence number.
        #[arg(long, value_name = "SEQ")]
        after: Option<u64>,
    },
    /// Mark notifications as sent.
    #[command(after_long_help = "\
Examples:
  ordo outbox ack 121
  ordo outbox ack 121 122 125
  ordo outbox ack --all")]
    Ack {
        /// Sequence numbers of the notifications sent.
        #[arg(
            value_name = "SEQ",
            required_unless_present = "all",
            conflicts_with = "all"
        )]
        sequences: Vec<u64>,
        /// Every pending notification.
        #[arg(long)]
        all: bool,
    },
}

/// Help of `ordo outbox`.
pub const OUTBOX_HELP: &str = "\
The notification outbox: what ordo would send customers (order placed, shipped, payment
received, verification codes, approvals), written in the same atomic step as the change.

For local testing and as a manual dispatcher until the SMS and Telegram adapters run:
`list` shows each pending notification as it would be sent, verification codes
included; after sending one by hand, `ack` marks it as sent. Needs the admin role (the
local administrator has it).";
