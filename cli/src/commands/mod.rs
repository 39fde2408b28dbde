//! One module per noun; each turns parsed arguments into engine calls and views.

mod customer;
mod demo;
mod order;
mod product;

use crate::args::{Cli, Command};
use crate::context::Context;
use crate::render::Output;
use crate::store;

/// Runs the command line `cli`.
///
/// # Errors
/// Any engine error (an `ordo_core::Error`, which decides the exit code) or I/O error.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let out = Output::new(cli.global.json);
    let store = store::open_store(&cli.global.data)?;
    match cli.command {
        Command::Demo(args) => demo::run(store, &cli.global.data, out, &args),
        Command::Product(command) => product::run(&Context::new(store, out)?, command),
        Command::Customer(command) => customer::run(&Context::new(store, out)?, command),
        Command::Order(command) => order::run(&Context::new(store, out)?, command),
    }
}
