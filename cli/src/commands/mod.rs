//! One module per noun; each turns parsed arguments into engine calls and views.
//!
//! `verify` and `restore` run without opening the store (restore needs it closed),
//! `demo` builds its own engine, `serve` runs the service; every other command runs in a
//! [`Context`] whose actor comes from `--as`, `$ORDO_TOKEN` or the local administrator.
//!
//! Before opening the store, every command but `verify` and `serve` looks for a running
//! `ordo serve` on the data directory (its socket answers): the context's requests then
//! go there, and the commands that need the directory to themselves (`restore`,
//! `backup`, `demo`) refuse with a conflict (exit 5).

mod account;
mod activity;
mod backup;
mod customer;
mod demo;
mod documents;
mod migrate;
mod order;
pub mod outbox;
mod product;
pub mod report;
mod returns;
mod serve;
mod session;
mod settings;
mod shipment;
mod sms;
mod staff;
mod ticket;

use crate::args::{Cli, Command};
use crate::context::{Context, Transport};
use crate::identity::{self, Identity};
use crate::remote;
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
    if let Command::Verify(args) = &cli.command {
        return backup::verify(out, args);
    }
    if let Command::Migrate(args) = &cli.command {
        return migrate::run(out, args);
    }
    if let Command::Serve(args) = &cli.command {
        return serve::run(&data, cli.global.database.as_deref(), out, args);
    }
    if let Command::Sms(command) = &cli.command {
        return sms::run(out, command);
    }
    if let Some(url) = cli.global.database.as_deref() {
        return on_database(url, cli.command, &data, out, &identity);
    }
    let service = remote::find(&data, &identity::os_user())?;
    let transport = match (cli.command, service) {
        (Command::Restore(_), Some(service)) => {
            return Err(service.busy("restore", "stop the service first, then restore"));
        }
        (Command::Backup(_), Some(service)) => {
            return Err(service.busy(
                "backup",
                "the service takes automatic backups (see where in its start-up output), or \
                 stop it and run ordo backup",
            ));
        }
        (Command::Demo(_), Some(service)) => {
            return Err(service.busy(
                "demo",
                "stop the service first, or start it with ordo serve --demo",
            ));
        }
        (Command::Restore(args), None) => return backup::restore(&data, out, &args),
        (Command::Demo(args), None) => {
            return demo::run(store::open_store(&data)?, &data, out, &args);
        }
        (Command::Backup(args), None) => {
            return backup::backup(&store::open_store(&data)?, &data, out, &args);
        }
        (command, Some(service)) => (command, Transport::Service(service)),
        (command, None) => (command, Transport::local(store::open_store(&data)?)?),
    };
    let (command, transport) = transport;
    let ctx = Context::open(transport, out, &identity)?;
    let outcome = in_context(&ctx, command);
    // End the --as session even when the command failed; its error comes first.
    let closed = ctx.close();
    outcome.and(closed)
}

/// Runs a command on the PostgreSQL store at `url` (no service socket: every process
/// works on the database directly).
fn on_database(
    url: &str,
    command: Command,
    data: &std::path::Path,
    out: Output,
    identity: &Identity,
) -> anyhow::Result<()> {
    let command = match command {
        Command::Backup(_) | Command::Restore(_) => {
            return Err(anyhow::anyhow!(
                "a PostgreSQL store is backed up and restored by the database: use pg_dump \
                 and pg_restore"
            ));
        }
        Command::Demo(args) => return demo::run(store::open_database(url)?, data, out, &args),
        command => command,
    };
    let ctx = Context::open(Transport::local(store::open_database(url)?)?, out, identity)?;
    let outcome = in_context(&ctx, command);
    let closed = ctx.close();
    outcome.and(closed)
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
        Command::Ticket(command) => ticket::run(ctx, command),
        Command::Report(command) => report::run(ctx, command),
        Command::Picklist(args) => documents::picklist(ctx, &args),
        Command::Return(command) => returns::run(ctx, command),
        Command::Demo(_)
        | Command::Backup(_)
        | Command::Restore(_)
        | Command::Verify(_)
        | Command::Serve(_)
        | Command::Sms(_)
        | Command::Migrate(_) => Err(anyhow::anyhow!(
            "internal error: this command does not run in a context"
        )),
    }
}
