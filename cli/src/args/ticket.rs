//! `ordo ticket …`: customer-service ticket arguments.

use clap::Subcommand;

/// Ticket subcommands.
#[derive(Debug, Subcommand)]
pub enum TicketCommand {
    /// Open a ticket for a customer (as a customer, --as: for yourself).
    #[command(after_long_help = "\
Examples:
  ordo ticket open --customer 7 --subject \"Parcel not here yet\"
  ordo ticket open --customer 7 --order ORD-7K3M-9QX1 --priority high \\
      --message \"Due Monday, still not here.\"
  ORDO_PASSWORD=$PW ordo --as ada ticket open --subject \"Invoice copy, please\"

The ticket starts open. --message becomes its first comment, which the customer sees.
A customer opens tickets only for themselves, about their own orders.")]
    Open {
        /// The customer's id (a customer acting with --as leaves it out).
        #[arg(long, value_name = "ID")]
        customer: Option<String>,
        /// The order it is about: id or reference.
        #[arg(long, value_name = "ORDER")]
        order: Option<String>,
        /// What it is about, in one line (at most 200 characters).
        #[arg(long)]
        subject: String,
        /// low, normal, high or urgent.
        #[arg(long, default_value = "normal")]
        priority: String,
        /// The first message (visible to the customer).
        #[arg(long, default_value = "")]
        message: String,
    },
    /// Add a comment; --internal keeps it from the customer.
    #[command(after_long_help = "\
Examples:
  ordo ticket comment 31 \"We have sent a replacement.\"
  ordo ticket comment 31 --internal \"Third complaint this month; offer a refund.\"

Customers see every comment except internal ones (staff only). A customer's comment on
a pending or resolved ticket sets it back to open: it is your turn again.")]
    Comment {
        /// The ticket's id.
        #[arg(value_name = "ID")]
        id: u64,
        /// The comment.
        text: String,
        /// Staff only: never shown to the customer.
        #[arg(long)]
        internal: bool,
    },
    /// Give a ticket to a staff user (customer service, order processor or admin).
    #[command(after_long_help = "\
Examples:
  ordo ticket assign 31 alice          # by login
  ordo ticket assign 31 4              # by staff id (ordo user list)
  ordo ticket assign 31 --nobody")]
    Assign {
        /// The ticket's id.
        #[arg(value_name = "ID")]
        id: u64,
        /// The staff user: a login, or an id (digits).
        #[arg(
            value_name = "USER",
            required_unless_present = "nobody",
            conflicts_with = "nobody"
        )]
        user: Option<String>,
        /// Take the ticket from whoever has it.
        #[arg(long)]
        nobody: bool,
    },
    /// Move a ticket to open, pending, resolved or closed.
    #[command(after_long_help = "\
Examples:
  ordo ticket status 31 pending        # waiting for the customer
  ordo ticket status 31 resolved       # the customer may still reopen it
  ordo ticket status 31 closed         # final: no more comments

open → pending, resolved, closed; pending → open, resolved, closed;
resolved → open, closed; closed is final.")]
    Status {
        /// The ticket's id.
        #[arg(value_name = "ID")]
        id: u64,
        /// open, pending, resolved or closed.
        status: String,
    },
    /// Show a ticket with its comments.
    #[command(after_long_help = "\
Examples:
  ordo ticket show 31
  ordo --json ticket show 31 | jq '.comments[] | select(.internal | not) | .text'")]
    Show {
        /// The ticket's id.
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// List tickets, oldest first (the order to work them in); filters combine.
    #[command(after_long_help = "\
Examples:
  ordo ticket list --status open                 # the queue
  ordo ticket list --assignee alice --status pending # one agent's waiting tickets
  ordo ticket list --customer 7
  ordo ticket list --order ORD-7K3M-9QX1
  ordo ticket list --limit 20 --cursor 118       # the next page")]
    List {
        /// open, pending, resolved or closed.
        #[arg(long)]
        status: Option<String>,
        /// Tickets assigned to this staff user (a login, or an id: digits).
        #[arg(long, value_name = "USER")]
        assignee: Option<String>,
        /// This customer's tickets (id).
        #[arg(long, value_name = "ID")]
        customer: Option<String>,
        /// Tickets about this order (id or reference).
        #[arg(long, value_name = "ORDER")]
        order: Option<String>,
        /// Show at most this many (1 to 500).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Continue after this cursor (printed under a full page).
        #[arg(long)]
        cursor: Option<String>,
    },
}

/// Help of `ordo ticket`.
pub const TICKET_HELP: &str = "\
Customer-service tickets: a customer's question or problem, optionally about one of
their orders, worked through open → pending (waiting for the customer) → resolved →
closed, with comments the customer sees and internal ones they never do. Every change
is in the audit trail (ordo customer history).

Customer service, order processors and admins work tickets; sales and analysts read
them. A customer signed in with --as (or $ORDO_TOKEN) opens tickets for themselves,
reads only their own and comments on them; anyone else's reads as not found.";
