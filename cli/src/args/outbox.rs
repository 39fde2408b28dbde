//! `ordo outbox …`: notification delivery arguments.

use clap::Subcommand;

/// Outbox subcommands.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List notification deliveries not yet sent (pending, sending, failed, dead), with
    /// the text as it is sent.
    #[command(after_long_help = "\
Examples:
  ordo outbox list
  ordo outbox list --failed
  ordo outbox list --all --after 120 --limit 20
  ordo --json outbox list | jq '.[] | select(.event == \"verification code\")'")]
    List {
        /// Show at most this many (1 to 1000).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Start after this delivery id.
        #[arg(long, value_name = "ID")]
        after: Option<u64>,
        /// Only deliveries that failed (and will be tried again) or are dead (given up).
        #[arg(long, conflicts_with = "all")]
        failed: bool,
        /// Every delivery, sent ones included.
        #[arg(long)]
        all: bool,
    },
    /// Mark deliveries as sent by hand (you sent the message yourself), so no dispatcher
    /// sends them.
    #[command(after_long_help = "\
Examples:
  ordo outbox ack 121
  ordo outbox ack 121 122 125
  ordo outbox ack --all")]
    Ack {
        /// The deliveries' ids.
        #[arg(
            value_name = "ID",
            required_unless_present = "all",
            conflicts_with = "all"
        )]
        ids: Vec<u64>,
        /// Every delivery not yet sent.
        #[arg(long)]
        all: bool,
    },
    /// Queue a failed or dead delivery again (due now, with a fresh count of attempts).
    #[command(after_long_help = "\
Examples:
  ordo outbox list --failed
  ordo outbox retry 121")]
    Retry {
        /// The delivery's id (from `ordo outbox list`).
        #[arg(value_name = "ID")]
        id: u64,
    },
}

/// Help of `ordo outbox`.
pub const OUTBOX_HELP: &str = "\
Notification deliveries: every event a customer should hear of (order placed, status
changed, payment received, verification codes, approvals) becomes one delivery per
channel and recipient, written in the same atomic step as the change.

The dispatchers of `ordo serve` claim them, send them (SMS through Twilio) and mark them
sent; a failed attempt is tried again with growing pauses, and after the last one the
delivery is dead. `list` shows what is waiting or failed, verification codes included
(for local testing without a phone); `retry` queues a failed or dead one again; `ack`
marks deliveries as sent by hand, as a manual dispatcher. Needs the admin role (the
local administrator has it).";
