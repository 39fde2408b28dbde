//! `ordo serve`: options and help.

use std::path::PathBuf;

use clap::Args;

/// What `ordo serve --help` teaches.
pub const SERVE_HELP: &str = "\
Run ordo as a service on the data directory: an HTTP server speaking the ordo-api wire
contract (POST /api/v1, GET /healthz), automatic backups, and a Unix socket through
which every other `ordo` command keeps working while the service holds the store.

What runs:
  HTTP      GET /healthz answers 200 `ok` while the store answers.
            POST /api/v1 takes one ordo-api request (docs/api.md) and answers with the
            same response JSON as `ordo --json` and the C API. Send
            `Authorization: Bearer <token>` (the token from session.login) to act as
            that user; without it only guest operations work (registration, login).
            Logins and registrations are rate-limited per caller address.
  socket    DIR/ordo.sock (owner-only, mode 0600): `ordo` commands on the same
            --data DIR find it and send their requests to the service instead of
            opening the store, with the same output and exit codes. `ordo restore`,
            `ordo backup` and `ordo demo` need the directory to themselves and refuse
            while the service runs (the service takes automatic backups instead).
  backups   every 60 minutes into DIR.backups beside the data directory, keeping 48
            files (configurable; `ordo verify FILE` checks one).

Stop it with Ctrl-C or `kill -TERM <pid>`: it stops accepting, finishes the requests in
flight, stops the backups, closes the store and removes the socket, then exits 0.

On PostgreSQL (--database URL or ORDO_DATABASE_URL) the service runs on the database and
--data DIR holds only its socket: several services, each with its own DIR, may share one
database. There are no automatic backups then: use the database's own (pg_dump).

Configuration: --config FILE (TOML; every key in docs/ordo.example.toml) and ORDO_*
environment variables, which win over the file: ORDO_LISTEN, ORDO_PUBLIC_URL,
ORDO_BACKUP_DIR, ORDO_BACKUP_EVERY_MINUTES (0 turns backups off), ORDO_BACKUP_KEEP,
ORDO_POOL_BLOCKING_THREADS, ORDO_LIMITS_LOGIN_PER_MINUTE,
ORDO_LIMITS_REGISTRATION_PER_MINUTE, ORDO_TWILIO_ACCOUNT_SID, ORDO_TWILIO_AUTH_TOKEN,
ORDO_TWILIO_FROM, ORDO_TWILIO_API_URL, ORDO_DISPATCH_LEASE_SECONDS,
ORDO_DISPATCH_MAX_ATTEMPTS. --listen wins over both. A bad value stops the start with a
message naming the key. Logs go to stderr, filtered by RUST_LOG (default `info`); they
never hold tokens, passwords, codes or request bodies.";

/// Examples for `ordo serve --help`.
pub const SERVE_EXAMPLES: &str = "\
Examples:
  ordo serve --demo                              # a sample shop, and how to try it
  ordo --data /srv/shop serve --listen 127.0.0.1:9000
  ORDO_BACKUP_DIR=/backups ordo serve --config /etc/ordo.toml
  curl -s http://127.0.0.1:8080/healthz
  curl -s http://127.0.0.1:8080/api/v1 \\
       -d '{\"op\": \"session.login\", \"args\": {\"login\": \"sam\", \"password\": \"…\"}}'
  ordo order list                                # while it runs: through the socket
  ordo --database postgres://ordo@db/ordo --data /run/ordo-1 serve --listen 0.0.0.0:8080";

/// Options of `ordo serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen for HTTP here (default 127.0.0.1:8080; port 0 picks a free one, printed at
    /// start). Wins over ORDO_LISTEN and the file.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Seed the demo shop first if the store is empty, and print how to try it.
    #[arg(long)]
    pub demo: bool,
    /// Read the configuration from this TOML file (see docs/ordo.example.toml).
    #[arg(long, value_name = "FILE", env = "ORDO_CONFIG")]
    pub config: Option<PathBuf>,
    /// Size of the demo in percent of the full one (for tests).
    #[arg(long, hide = true, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub demo_scale: u32,
}
