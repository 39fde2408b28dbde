//! The command line, as clap parses it: global options and one subcommand per noun.
//!
//! Arguments stay as text here; commands parse them with ordo-core's parse functions (and
//! [`crate::parse`]), so a bad value is a validation error (exit 3) with ordo's own message,
//! while clap reports only malformed command lines (exit 2).

mod account;
mod backup;
mod customer;
pub(crate) mod documents;
mod migrate;
mod order;
mod outbox;
mod product;
mod report;
mod returns;
mod serve;
mod settings;
pub(crate) mod shipment;
mod sms;
mod staff;
mod ticket;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use account::{LogArgs, RegisterArgs, UpdateArgs, VerifyCodeArgs};
pub use backup::{BackupArgs, RestoreArgs, VerifyArgs};
pub use customer::CustomerCommand;
pub use migrate::MigrateArgs;
pub use order::{OrderCommand, OrderCreateArgs, OrderListArgs, PaymentArgs, VoidArgs};
pub use outbox::OutboxCommand;
pub use product::{ProductAddArgs, ProductCommand, ProductStockArgs, ProductUpdateArgs};
pub use report::{ReportArgs, ReportCommand, StockReportArgs};
pub use returns::ReturnCommand;
pub use serve::ServeArgs;
pub use settings::SettingsCommand;
pub use sms::{SimulateArgs, SmsCommand};
pub use staff::{AdminCommand, UserCommand};
pub use ticket::TicketCommand;

const ABOUT: &str = "ordo: the staff tool for the ordo customer-order engine";

const LONG_ABOUT: &str = "\
ordo: the staff tool for the ordo customer-order engine.

Manage the catalog and stock, customers, and orders through their whole life: draft,
placed, confirmed, picking, packed, shipped, delivered (or cancelled), with payments,
refunds, archiving and a full audit trail. Every change goes through the same engine
and rules as the bots and the C API.

Data lives in the directory given by --data (or $ORDO_DATA, default ./ordo-data).
Add --json to any command for exactly one JSON value on stdout (amounts are decimal
strings such as \"12.50\" next to a \"currency\" field). Errors are one line on stderr.

Who is acting: by default the local administrator (whoever can read the data directory
can read its data), recorded in the audit trail with the OS user name. --as LOGIN runs
one command as that staff user (password from $ORDO_PASSWORD or a prompt), so the
permission matrix applies; $ORDO_TOKEN (from `ordo login`) does the same for a session.
--as wins over $ORDO_TOKEN. backup, restore, verify and demo work on the data directory
itself and always run as the local administrator.

While `ordo serve` runs on the data directory, commands send their requests to it
through its socket (DIR/ordo.sock) instead of opening the store, with the same output
and exit codes; backup, restore and demo refuse then (exit 5).

Exit codes: 0 ok, 1 internal error (also a damaged or unreadable backup file), 2 usage
error, 3 invalid input or refused by a business rule, 4 not found, 5 conflict
(duplicate, idempotency key reused), 6 not signed in or not allowed.";

const EXAMPLES: &str = "\
Examples:
  ordo demo                                   # a realistic sample shop to explore
  ordo serve --demo                           # the same, served over HTTP
  ordo product list
  ordo customer list --name ada
  ordo order create --customer 7 --item TEE-CLASSIC-BLK-M:2 --item MUG-STONE-350:1
  ordo order list --status placed --from 2026-03-01 --to 2026-03-31
  ordo order status ORD-7K3M-9QX1 confirmed
  ordo --json order show ORD-7K3M-9QX1 | jq .total
  ordo settings set tax.standard=21% shipping.express.EUR=12.00
  ordo backup --to shop.ordo-backup
  ORDO_PASSWORD=$PW ordo --as sam order status ORD-7K3M-9QX1 picking
  export ORDO_TOKEN=$(ORDO_PASSWORD=$PW ordo --json login sam | jq -r .token)";

/// The `ordo` command line.
#[derive(Debug, Parser)]
#[command(
    name = "ordo",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = EXAMPLES,
    propagate_version = true
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes (before or after the subcommand).
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Data directory.
    #[arg(
        long = "data",
        value_name = "DIR",
        env = "ORDO_DATA",
        default_value = "./ordo-data",
        global = true
    )]
    pub data: PathBuf,
    /// PostgreSQL database URL (postgres://user:password@host/db): use it instead of the
    /// data directory; several ordo processes may share one database.
    #[arg(
        long = "database",
        value_name = "URL",
        env = "ORDO_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database: Option<String>,
    /// Print exactly one JSON object or array on stdout instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Run as this staff user (password from $ORDO_PASSWORD or a prompt).
    #[arg(long = "as", value_name = "LOGIN", global = true)]
    pub as_login: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a realistic sample shop: 50 products, 200 customers, 2,000 orders, staff.
    #[command(
        long_about = "\
Create a realistic sample shop in the data directory: about 50 products (clothing,
home and electronics, with specifications, photos, videos, retail prices and wholesale
price tiers) stocked in two warehouses (MAIN and EAST), 200 customers (about 20%
businesses with company and tax id) and 2,000 orders spread over the last 90 days in
every status, with payments, refunds, cancellations and archived orders. It also adds
one staff user per role with a generated password (printed once, at the end), five
pending registrations (some waiting for their code, some businesses waiting for
approval) and logins for twenty customers.

Running it again does nothing: existing demo data is detected and left alone.",
        after_long_help = "\
Examples:
  ordo --data /tmp/shop demo
  ordo --data /tmp/shop order list --status shipped"
    )]
    Demo(DemoArgs),
    /// Manage the catalog and stock.
    #[command(subcommand)]
    Product(ProductCommand),
    /// Manage customers.
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// Create, change, pay, fulfil and look up orders.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Show and change the store's pricing settings: tax rates, shipping fees, rounding.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Pending customer notifications (a manual dispatcher for local testing).
    #[command(subcommand, long_about = outbox::OUTBOX_HELP)]
    Outbox(OutboxCommand),
    /// Create the first administrator.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage staff users and their roles.
    #[command(subcommand)]
    User(UserCommand),
    /// Sign in and print a session token for $ORDO_TOKEN.
    #[command(after_long_help = "\
Examples:
  ordo login sam                                   # asks for the password
  export ORDO_TOKEN=$(ORDO_PASSWORD=$PW ordo --json login sam | jq -r .token)
  ordo order list                                  # now runs as sam
  ordo logout

The token is printed once and stored nowhere (ordo keeps only its hash). Staff sessions
last 12 hours, customer sessions 30 days. Customers sign in with the login they chose
at verification; with their token, commands show only their own data.")]
    Login {
        /// Login id of a staff user or customer.
        login: String,
    },
    /// Change your own password (the current one is needed; all your sessions end).
    #[command(after_long_help = "\
Examples:
  ORDO_TOKEN=$TOKEN ordo password                  # asks for the current and the new one
  ORDO_PASSWORD=$OLD ORDO_NEW_PASSWORD=$NEW ordo --as sam password

The current password comes from $ORDO_PASSWORD (or a prompt), the new one from
$ORDO_NEW_PASSWORD (or a prompt, twice). Wrong current passwords count like failed
logins: after 5 the login is locked for a while.")]
    Password,
    /// End the session of $ORDO_TOKEN.
    #[command(after_long_help = "Example:\n  ordo logout && unset ORDO_TOKEN")]
    Logout,
    /// Write a backup of the data directory to one file.
    #[command(long_about = backup::BACKUP_HELP, after_long_help = backup::BACKUP_EXAMPLES)]
    Backup(BackupArgs),
    /// Restore the data directory from a backup file.
    #[command(long_about = backup::RESTORE_HELP, after_long_help = backup::RESTORE_EXAMPLES)]
    Restore(RestoreArgs),
    /// Check a backup file without restoring it.
    #[command(long_about = backup::VERIFY_HELP, after_long_help = backup::VERIFY_EXAMPLES)]
    Verify(VerifyArgs),
    /// Run the service: HTTP (/api/v1, /healthz), backups, and the socket the CLI uses.
    #[command(long_about = serve::SERVE_HELP, after_long_help = serve::SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Try the SMS channel of a running service without a phone.
    #[command(subcommand, long_about = sms::SMS_HELP)]
    Sms(SmsCommand),
    /// Customer-service tickets: open, comment, assign, change status, show, list.
    #[command(subcommand, long_about = ticket::TICKET_HELP)]
    Ticket(TicketCommand),
    /// Reports: sales, order speed, customers, stock (tables, --csv FILE).
    #[command(subcommand)]
    Report(ReportCommand),
    /// What a warehouse has to pick, per product (text, or --pdf FILE).
    #[command(long_about = documents::PICKLIST_HELP, after_long_help = documents::PICKLIST_EXAMPLES)]
    Picklist(documents::PicklistArgs),
    /// Returns and exchanges: open, approve, refuse, receive, refund, exchange, show, list.
    #[command(subcommand, long_about = returns::RETURN_HELP)]
    Return(ReturnCommand),
    /// Copy a whole store into an empty one (sled ⇄ PostgreSQL), then verify the copy.
    #[command(long_about = migrate::MIGRATE_HELP, after_long_help = migrate::MIGRATE_EXAMPLES)]
    Migrate(MigrateArgs),
}

/// Options of `ordo demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Size of the customer and order sets in percent of the full demo (for tests).
    #[arg(long, hide = true, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub scale: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
