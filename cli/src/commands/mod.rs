//! One module per noun; each turns parsed arguments into engine calls and views.
//!
//! `verify` and `restore` run without opening the store (restore needs it closed),
//! `demo` builds its own engine; every other command runs in a [`Context`] whose actor
//! comes from `--as`, `$ORDO_TOKEN` or the local administrator.

mod account;
mod activity;
mod backup;
mod customer;
mod demo;
mod order;
pub mod outbox;
mod product;
mod session;
mod settings;
mod staff;

use crate::args::{Cli, Command};
use crate::context::Context;
use crate::identity::Identity;
use crate::render::Output;
use crate::store::{self, AppStore};

/// Runs the command line `cli`.
///
/// # Errors
/// Any engine error (an `ordo_core::Error`, which decides the exit code) or I/O error.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let out = Output::new(cli.global.json);
    let data = cli.global.data;
    let identity = match &cli.command {
        // Signing in and out works whatever session is (or is not) in $ORDO_TOKEN.
        Command::Login { .. } | Command::Logout => Identity::Local,
        _ => Identity::choose(cli.global.as_login.as_deref()),
    };
    match cli.command {
        Command::Verify(args) => backup::verify(out, &args),
        Command::Restore(args) => backup::restore(&data, out, &args),
        Command::Demo(args) => demo::run(store::open_store(&data)?, &data, out, &args),
        Command::Backup(args) => backup::backup(&store::open_store(&data)?, &data, out, &args),
        command => {
            let ctx = Context::open(store::open_store(&data)?, out, &identity)?;
            let outcome = in_context(&ctx, command);
            // End the --as session even when the command failed; its error comes first.
            let closed = ctx.close();
            outcome.and(closed)
        }
    }
}

/// Runs a command that needs an engine and an actor.
fn in_context(ctx: &Context<AppStore>, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Product(command) => product::run(ctx, command),
        Command::Customer(command) => customer::run(ctx, command),
        Command::Order(command) => order::run(ctx, command),
        Command::Outbox(command) => outbox::run(ctx, command),
        Command::Settings(command) => settings::run(ctx, command),
        Command::Admin(command) => staff::admin(ctx, command),
        Command::User(command) => staff::user(ctx, command),
        Command::Login { login } => session::login(ctx, &login),
        Command::Logout => session::logout(ctx),
        Command::Password => session::change_password(ctx),
        Command::Demo(_) | Command::Backup(_) | Command::Restore(_) | Command::Verify(_) => Err(
            anyhow::anyhow!("internal error: this command does not run in a context"),
        ),
    }
}
