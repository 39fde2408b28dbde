//! `ordo migrate`: options and help.

use clap::Args;

/// What `ordo migrate --help` teaches.
pub const MIGRATE_HELP: &str = "\
Copy a whole store into an empty one: a sled data directory into a PostgreSQL database,
or back, or between two of a kind. Every record, index entry, report counter and audit
entry is copied, then a verification pass reads both stores again and compares them
(counts and a SHA-256 digest per record kind, per index, for the counters and for the
audit trail); any difference fails the command.

FROM and TO are a data directory or a postgres:// (postgresql://) URL. The source is only
read; stop every `ordo serve` on it first (a sled directory in use is refused). The
target must be empty: a data directory that does not exist or is empty, or a database
without ordo records.

What changes: record versions start again at 1 in the target (they only guard
concurrent changes), and audit entries are numbered again, in the same order. Ids keep
their values and new ids are handed out above every copied one.";

/// Examples for `ordo migrate --help`.
pub const MIGRATE_EXAMPLES: &str = "\
Examples:
  ordo migrate --from ./ordo-data --to postgres://ordo@db.internal/ordo
  ordo migrate --from postgres://ordo@db.internal/ordo --to ./ordo-data-copy";

/// Options of `ordo migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The store to copy: a data directory or a postgres:// URL.
    #[arg(long, value_name = "DIR|URL")]
    pub from: String,
    /// The empty store to fill: a data directory or a postgres:// URL.
    #[arg(long, value_name = "DIR|URL")]
    pub to: String,
}
