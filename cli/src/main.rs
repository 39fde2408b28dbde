//! `ordo`: the staff tool of the ordo customer-order engine.
//!
//! Parses the command line (clap exits with 2 on a malformed one), runs the command, and
//! turns an error into ONE line on stderr and the exit code of its kind
//! ([`ordo_core::ErrorKind::exit_code`]): 3 invalid, 4 not found, 5 conflict, 1 otherwise.

mod args;
mod commands;
mod context;
mod parse;
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
