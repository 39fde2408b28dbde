//! The `ordo` binary end to end: every subcommand and every exit code, run as a real
//! process against a fresh data directory per test.
//!
//! Exit codes: 0 ok, 1 internal (and damaged or unreadable backup files), 2 usage, 3
//! invalid input or refused by a rule, 4 not found, 5 conflict (also a data directory in
//! use), 6 not signed in or not allowed. Errors are one line on stderr starting with
//! `error: `; with `--json` stdout holds exactly one JSON value (and nothing at all on
//! failure).

// Test support asserts: a failed expectation here is a failed test, so panicking is the point.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "cli/accounts.rs"]
mod accounts;
#[path = "cli/backups.rs"]
mod backups;
#[path = "cli/customers.rs"]
mod customers;
#[path = "cli/demo.rs"]
mod demo;
#[path = "cli/documents.rs"]
mod documents;
#[path = "cli/general.rs"]
mod general;
#[path = "cli/orders.rs"]
mod orders;
#[path = "cli/postgres.rs"]
mod postgres;
#[path = "cli/products.rs"]
mod products;
#[path = "cli/reports.rs"]
mod reports;
#[path = "cli/returns.rs"]
mod returns;
#[path = "cli/serve.rs"]
mod serve;
#[path = "cli/settings.rs"]
mod settings;
#[path = "cli/shipments.rs"]
mod shipments;
#[path = "cli/staff.rs"]
mod staff;
#[path = "cli/support.rs"]
mod support;
#[path = "cli/syscalls.rs"]
mod syscalls;
#[path = "cli/tickets.rs"]
mod tickets;
