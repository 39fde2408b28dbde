//! `ordo return …`: returns and exchanges arguments.

use clap::Subcommand;

/// Return subcommands.
#[derive(Debug, Subcommand)]
pub enum ReturnCommand {
    /// Open a return of delivered units of an order (as a customer, --as: your own order).
    #[command(after_long_help = "\
Examples:
  ordo return open ORD-7K3M-9QX1 --line TEE-RED-M:1 --reason \"too small\"
  ordo return open 1042 --line TEE:2 --line MUG:1 --reason \"arrived damaged\"

Only units shipped and delivered come back (a parcel counts once its carrier reports
it delivered), never more over all the order's returns. The return starts requested;
staff approve or refuse it. --reason goes with every --line.")]
    Open {
        /// The order: id or reference.
        #[arg(value_name = "ORDER")]
        order: String,
        /// Units of one line as SKU:QTY (repeatable, at least one).
        #[arg(long = "line", value_name = "SKU:QTY", required = true)]
        lines: Vec<String>,
        /// Why they come back (the customer's words).
        #[arg(long)]
        reason: String,
    },
    /// Approve a requested return: the customer hears they may send the units.
    #[command(after_long_help = "Example:\n  ordo return approve 2051")]
    Approve {
        /// The return's id.
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// Refuse a requested return, saying why.
    #[command(after_long_help = "\
Example:
  ordo return refuse 2051 --reason \"bought more than 30 days ago\"

A refused return is final; its units may be asked back in a new return.")]
    Refuse {
        /// The return's id.
        #[arg(value_name = "ID")]
        id: u64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Receive an approved return: restock or write off every unit.
    #[command(after_long_help = "\
Examples:
  ordo return receive 2051 --restock TEE-RED-M:1@MAIN
  ordo return receive 2052 --restock TEE:1@EAST --write-off TEE:1:\"torn seam\"

Every unit of the return is named exactly once. --restock SKU:QTY@WAREHOUSE puts
resellable units back on hand in that warehouse (its stock grows at once);
--write-off SKU:QTY:REASON records damaged units that are not restocked.")]
    Receive {
        /// The return's id.
        #[arg(value_name = "ID")]
        id: u64,
        /// Resellable units: SKU:QTY@WAREHOUSE (repeatable).
        #[arg(long, value_name = "SKU:QTY@WAREHOUSE")]
        restock: Vec<String>,
        /// Damaged units: SKU:QTY:REASON (repeatable).
        #[arg(long = "write-off", value_name = "SKU:QTY:REASON")]
        write_off: Vec<String>,
    },
    /// Refund a received return through the order's payment ledger.
    #[command(after_long_help = "\
Examples:
  ordo return refund 2051                          # what the units were paid
  ordo return refund 2051 --amount 15.00 --method bank-transfer --reference RF-2051

A refund is never more than the returned units were paid (their share of the line
with its discount and tax; shipping is not refunded), nor more than the order can still
refund. Without --method, the order's payment method.")]
    Refund {
        /// The return's id.
        #[arg(value_name = "ID")]
        id: u64,
        /// Amount in the order's currency (default: what the units were paid).
        #[arg(long)]
        amount: Option<String>,
        /// card, cash, bank-transfer or cod.
        #[arg(long)]
        method: Option<String>,
        /// The bank's or gateway's reference.
        #[arg(long, default_value = "")]
        reference: String,
    },
    /// Send a replacement for a received return instead of a refund.
    #[command(after_long_help = "\
Example:
  ordo return exchange 2051 --line TEE-RED-L:1 --carrier ups --tracking 1Z999AA10123456784

The replacement (any products, worth at most what the returned units were paid) is
taken from stock at once (--warehouse, or the one with the most available) and leaves
with the carrier and tracking number given; the customer hears the tracking number.")]
    Exchange {
        /// The return's id.
        #[arg(value_name = "ID")]
        id: u64,
        /// Replacement units as SKU:QTY (repeatable, at least one).
        #[arg(long = "line", value_name = "SKU:QTY", required = true)]
        lines: Vec<String>,
        /// The warehouse to take them from.
        #[arg(long)]
        warehouse: Option<String>,
        /// The carrier (dhl, ups, …).
        #[arg(long)]
        carrier: String,
        /// The carrier's tracking number.
        #[arg(long)]
        tracking: String,
    },
    /// Show a return: lines, inspections, refund or replacement, history.
    #[command(after_long_help = "\
Examples:
  ordo return show 2051
  ordo --json return show 2051 | jq .refund_limit")]
    Show {
        /// The return's id.
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// List returns, oldest first; filters combine.
    #[command(after_long_help = "\
Examples:
  ordo return list --status requested              # waiting for a decision
  ordo return list --status approved               # on their way back
  ordo return list --order ORD-7K3M-9QX1
  ordo return list --customer 7 --limit 20 --cursor 2051")]
    List {
        /// requested, approved, refused, received, refunded or exchanged.
        #[arg(long)]
        status: Option<String>,
        /// Returns of this order (id or reference).
        #[arg(long, value_name = "ORDER")]
        order: Option<String>,
        /// This customer's returns (id).
        #[arg(long, value_name = "ID")]
        customer: Option<String>,
        /// Show at most this many (1 to 500).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Continue after this cursor (printed under a full page).
        #[arg(long)]
        cursor: Option<String>,
    },
}

/// Help of `ordo return`.
pub const RETURN_HELP: &str = "\
Returns and exchanges: units of a delivered order coming back, worked through
requested → approved (or refused) → received (each unit restocked into a warehouse or
written off) → refunded through the order's ledger, or exchanged for a replacement
shipped from stock. Every change is in the audit trail.

Customer service and admins work returns; the warehouse also receives them; everyone
else on staff reads them. A customer signed in with --as (or $ORDO_TOKEN) opens returns
of their own delivered orders and reads only their own; anyone else's reads as not
found.";
