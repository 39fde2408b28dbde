//! `ordo`: the staff tool of the ordo customer-order engine.
//!
//! Parses the command line (clap exits with 2 on a malformed one), runs the command, and
//! turns an error into ONE line on stderr and the exit code of its kind
//! ([`ordo_core::ErrorKind::exit_code`]): 3 invalid, 4 not found, 5 conflict (also a data
//! directory in use by another process), 6 not signed in or not allowed, 1 otherwise
//! (including a damaged or unreadable backup file).
//!
//! # Code map
//! - `args`: the clap definitions, one file per noun (`account` holds the customer account
//!   options). Values stay text here, so a bad value is ordo's validation error (exit 3),
//!   not a clap usage error (exit 2).
//! - `parse`: the CLI's own small parsers (`SKU:QTY`, `KEY=VALUE`, `QTY:PRICE`, message
//!   direction, …), pure functions returning `ordo_core::Error`, each part checked by
//!   ordo-core's parsers.
//! - `store`: the only module that names a storage backend: opens `SledStore` (immediate
//!   durability) or, with `--database`, `PgStore`; backs sled up, verifies and restores
//!   backup files.
//! - `identity`: who acts: `--as LOGIN` (signs in for one command, signs out after),
//!   `$ORDO_TOKEN` (a session from `ordo login`), else `local admin ($USER)`.
//! - `password`: passwords from `$ORDO_PASSWORD` / `$ORDO_NEW_PASSWORD`, a no-echo prompt,
//!   or one line of standard input when it is not a terminal.
//! - `context`: the transport (the engine on the opened store, or a running `ordo serve`)
//!   + actor + output form, OS-seeded references.
//! - `remote`: a running `ordo serve` found by its socket in the data directory, and the
//!   client that sends requests there.
//! - `commands`: one module per noun turning arguments into engine calls (`account`:
//!   registration and passwords, `activity`: purchases and the log, `staff`, `session`,
//!   `outbox`, `backup`, `serve`); `demo` builds a sample shop, staff and accounts on a
//!   manual clock.
//! - `render`: `views` (the JSON wire types, converted by hand from domain types),
//!   `tables` (human output built from the same views) and `notifications` (the words of
//!   customer messages, a stand-in until the SMS and Telegram adapters have theirs).
//!
//! Architecture invariants: no business rule lives here (the engine decides, the CLI only
//! parses and renders; it calls `Actor::require` early only to avoid asking for a password
//! the engine would refuse anyway); nothing but `store` names a storage backend; with
//! `--json` stdout holds exactly one JSON value and nothing on failure (one exception:
//! `verify` of an undamaged backup holding records that do not decode prints its whole
//! report, then fails with exit 3); no password, hash,
//! code or token is printed except the token `ordo login` creates, the codes `outbox list`
//! exists to show, and the demo's generated passwords, once; no `unwrap`/`panic` outside
//! tests. Deliberately absent: reading the outbox for any role but admin (ordo-core has no
//! outbox operation in its permission matrix yet).

mod allocator;
mod args;
mod commands;
mod context;
mod identity;
mod parse;
mod password;
mod remote;
mod render;
mod store;

use std::process::ExitCode;

/// mimalloc instead of the system allocator (see [`allocator`]).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() -> ExitCode {
    allocator::keep_freed_pages();
    let cli = args::Cli::parse();
    let json = cli.global.json;
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", one_line(&error));
            if json && !render::wrote_stdout() {
                // With --json, stdout holds the contract's error response too.
                println!("{}", error_response(&error).to_json());
            }
            ExitCode::from(exit_code(&error))
        }
    }
}

/// The contract's response for a failed command.
fn error_response(error: &anyhow::Error) -> ordo_api::Response {
    let api_error = if let Some(refused) = error.downcast_ref::<context::Refused>() {
        refused.0.clone()
    } else if let Some(engine) = error.downcast_ref::<ordo_core::Error>() {
        ordo_api::ApiError::from_engine(engine)
    } else {
        ordo_api::ApiError {
            code: "internal".into(),
            kind: "internal".into(),
            field: None,
            message: one_line(error),
        }
    };
    ordo_api::Response::error(api_error, None)
}

/// The exit code for `error`: its ordo kind's code, or 1 for anything else.
fn exit_code(error: &anyhow::Error) -> u8 {
    let code = if let Some(refused) = error.downcast_ref::<context::Refused>() {
        refused.0.status()
    } else {
        error
            .downcast_ref::<ordo_core::Error>()
            .map_or(1, |e| e.kind().exit_code())
    };
    u8::try_from(code).unwrap_or(1)
}

/// The error and its causes on one line; a cause its error's message already says (as
/// `storage error: {0}` says its source) is not said twice.
fn one_line(error: &anyhow::Error) -> String {
    let mut line = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::one_line;
    use ordo_core::store::StoreError;

    #[test]
    fn an_error_is_one_line_and_says_each_cause_once() {
        let storage = anyhow::Error::from(ordo_core::Error::from(StoreError::Io(
            "disk full".to_string(),
        )));
        assert_eq!(one_line(&storage), "storage error: disk full");
        let wrapped = anyhow::Error::from(std::io::Error::other("no space\nleft"))
            .context("cannot write backup.ordo");
        assert_eq!(
            one_line(&wrapped),
            "cannot write backup.ordo: no space left"
        );
    }
}
