//! `ordo`: the staff tool of the ordo customer-order engine.
//!
//! Parses the command line (clap exits with 2 on a malformed one), runs the command, and
//! turns an error into ONE line on stderr and the exit code of its kind
//! ([`ordo_core::ErrorKind::exit_code`]): 3 invalid, 4 not found, 5 conflict, 1 otherwise.
//!
//! # Code map
//! - `args`: the clap definitions, one file per noun. Values stay text here, so a bad
//!   value is ordo's validation error (exit 3), not a clap usage error (exit 2).
//! - `parse`: the CLI's own small parsers (`SKU:QTY`, `KEY=VALUE`, `QTY:PRICE`, …), pure
//!   functions returning `ordo_core::Error`, each part checked by ordo-core's parsers.
//! - `store`: the only module that chooses a store (`SledStore`, immediate durability).
//! - `context`: engine + actor (`local admin ($USER)`) + output form, OS-seeded references.
//! - `commands`: one module per noun turning arguments into engine calls; `demo` builds a
//!   sample shop on a manual clock from a plan of timed events.
//! - `render`: `views` (the JSON wire types, converted by hand from domain types) and
//!   `tables` (human output built from the same views).
//!
//! Architecture invariants: no business rule lives here (the engine decides, the CLI only
//! parses and renders); nothing but `store` names a storage backend; with `--json` stdout
//! holds exactly one JSON value and nothing on failure; no `unwrap`/`panic` outside tests.

mod args;
mod commands;
mod context;
mod identity;
mod parse;
mod password;
mod render;
mod store;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", one_line(&error));
            ExitCode::from(exit_code(&error))
        }
    }
}

/// The exit code for `error`: its ordo kind's code, or 1 for anything else.
fn exit_code(error: &anyhow::Error) -> u8 {
    let code = error
        .downcast_ref::<ordo_core::Error>()
        .map_or(1, |e| e.kind().exit_code());
    u8::try_from(code).unwrap_or(1)
}

/// The error and its causes on one line.
fn one_line(error: &anyhow::Error) -> String {
    format!("{error:#}").replace(['\n', '\r'], " ")
}
