//! `ordo serve`: opens the store, seeds the demo when asked (and the store is empty),
//! and runs the service (`ordo_bots::serve`) until SIGINT or SIGTERM.
//!
//! The only command with logs: a `tracing` subscriber on stderr, filtered by `RUST_LOG`.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context as _;

use ordo_api::request::{CustomerList, ListArgs, OrderList};
use ordo_api::{ApiError, Request};
use ordo_bots::config::{ListenAddress, ServeConfig};
use ordo_bots::serve::Ready;
use ordo_core::store::Store;
use serde_json::Value;

use crate::args::{DemoArgs, ServeArgs};
use crate::context::{Refused, Transport};
use crate::identity;
use crate::remote;
use crate::render::Output;
use crate::store;

use super::demo;

/// Runs `ordo serve` on the sled store in `data`, or on the PostgreSQL `database` when
/// given (then `data` holds only the admin socket: each process sharing the database
/// has its own).
///
/// # Errors
/// A bad configuration (naming the key; exit 2); a service already running on `data` or the
/// store in use (exit 5); an address or socket that cannot be bound; the database
/// unreachable; the demo failing.
pub fn run(
    data: &Path,
    database: Option<&str>,
    out: Output,
    args: &ServeArgs,
) -> anyhow::Result<()> {
    init_logs();
    let env = std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)));
    let mut config =
        ServeConfig::load(args.config.as_deref(), env).map_err(|e| bad_config(e.to_string()))?;
    if let Some(listen) = &args.listen {
        let listen = ListenAddress::parse(listen)
            .map_err(|reason| bad_config(format!("--listen: {reason}")))?;
        config = config.with_listen(listen);
    }
    if let Some(service) = remote::find(data, &identity::os_user())? {
        return Err(service.busy("serve", "one service per data directory"));
    }
    let store = match database {
        Some(url) => {
            std::fs::create_dir_all(data).with_context(|| {
                format!("cannot create {} for the admin socket", data.display())
            })?;
            store::open_database(url)?
        }
        None => store::open_store(data)?,
    };
    if args.demo {
        seed_demo(&store, data, out, args.demo_scale)?;
    }
    // The web pages (ordo-web) are merged into the service's router.
    let postgres = store.sled().is_none();
    let web: ordo_bots::serve::ExtraRoutes = Box::new(ordo_web::router);
    ordo_bots::serve::run_with(store, data, config, Some(web), |ready| {
        print_ready(ready, data, postgres)
    })?;
    Ok(())
}

/// A configuration that cannot be used: a usage error (exit 2), naming the key.
fn bad_config(message: String) -> anyhow::Error {
    Refused(ApiError::bad_request("invalid_configuration", message)).into()
}

/// Logs on stderr: `RUST_LOG` if set, else `info`.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A subscriber set already (never, in the binary) keeps logging where it did.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// Seeds the demo shop if the store is empty; says so if it is not.
fn seed_demo<S: Store>(store: S, data: &Path, out: Output, scale: u32) -> anyhow::Result<()> {
    let transport = Transport::local(&store)?;
    if !is_empty(&transport)? {
        eprintln!(
            "The store in {} is not empty: --demo adds nothing to it (use an empty --data \
             directory for the demo).",
            data.display()
        );
        return Ok(());
    }
    drop(transport);
    demo::run(&store, data, out, &DemoArgs { scale })
}

/// True if the store has no products, customers, orders or staff users.
fn is_empty<S: Store>(transport: &Transport<S>) -> anyhow::Result<bool> {
    let one = Some(1);
    let pages: [Value; 4] = [
        transport.call(
            None,
            Request::ProductList(ListArgs {
                after: None,
                limit: one,
            }),
        )?,
        transport.call(
            None,
            Request::CustomerList(CustomerList {
                limit: one,
                ..CustomerList::default()
            }),
        )?,
        transport.call(
            None,
            Request::OrderList(OrderList {
                limit: one,
                ..OrderList::default()
            }),
        )?,
        transport.call(
            None,
            Request::UserList(ListArgs {
                after: None,
                limit: one,
            }),
        )?,
    ];
    Ok(pages
        .iter()
        .all(|page| page["items"].as_array().is_none_or(Vec::is_empty)))
}

/// Says where the service listens (stdout, at once: scripts and tests wait for it).
fn print_ready(ready: &Ready, data: &Path, postgres: bool) {
    let backups = match &ready.backups {
        Some(plan) => format!(
            "every {} min into {} (keeping {})",
            plan.every_minutes,
            plan.dir.display(),
            plan.keep
        ),
        None if postgres => {
            "the database's own (pg_dump): no automatic backups on PostgreSQL".to_string()
        }
        None => "off".to_string(),
    };
    let store = if postgres {
        "  store:   PostgreSQL (--database; other ordo serve processes may share it)\n"
    } else {
        ""
    };
    let mut stdout = std::io::stdout().lock();
    // Nothing to do if stdout is gone: the service runs on, its logs say where.
    let _ = writeln!(
        stdout,
        "ordo serve: listening on http://{}\n{store}  socket:  {} (ordo commands on {} go through it)\n  \
         backups: {backups}\n  stop:    Ctrl-C or kill -TERM {}\n\n{}",
        ready.http,
        ready.socket.display(),
        data.display(),
        std::process::id(),
        try_it(ready.http, data)
    );
    let _ = stdout.flush();
}

/// How to try every channel of a running service at `http` on `data` (the SMS channel
/// adds its line here).
pub fn try_it(http: SocketAddr, data: &Path) -> String {
    let api = format!("http://{http}/api/v1");
    format!(
        "Web:\n  \
         console: http://{http}/console   (staff: a login and password, e.g. the demo's above)\n  \
         portal:  http://{http}/          (customers: e.g. the demo's customer sign-in above)\n\n\
         Try it:\n  \
         curl -s http://{http}/healthz\n  \
         TOKEN=$(curl -s {api} -d '{{\"op\": \"session.login\", \"args\": {{\"login\": \"LOGIN\", \"password\": \"PASSWORD\"}}}}' | jq -r .ok.token)\n  \
         curl -s {api} -H \"Authorization: Bearer $TOKEN\" -d '{{\"op\": \"order.list\", \"args\": {{\"limit\": 5}}}}'\n  \
         ordo --data {} order list        # the CLI, through the service's socket\n  \
         ordo sms simulate --url http://{http} --from PHONE \"ORDERS\"   # SMS, without a phone\n\
         (LOGIN and PASSWORD: a staff user, such as one the demo printed above; PHONE: a\n\
         customer's number, e.g. from `ordo customer list`, texting TRACK REF, ORDERS, HELP.)",
        data.display()
    )
}
