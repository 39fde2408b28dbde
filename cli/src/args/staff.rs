//! `ordo admin …` and `ordo user …`: staff user arguments.

use clap::Subcommand;

/// Administrator bootstrap subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create the first administrator (once per data directory).
    #[command(after_long_help = "\
Examples:
  ordo admin init --name \"Morgan Reyes\" --login morgan
  ORDO_PASSWORD='correct horse battery staple' ordo admin init --name \"Morgan Reyes\" --login morgan

The password comes from $ORDO_PASSWORD or is asked for (twice) on the terminal. It must
have 10 to 128 characters, must not contain the login id and must not be a common
password. Once an administrator exists this is refused (exit 3): they add other users
with `ordo --as LOGIN user add`.")]
    Init {
        /// Full name.
        #[arg(long)]
        name: String,
        /// Login id: 3 to 32 letters, digits, '.', '_' or '-'.
        #[arg(long)]
        login: String,
    },
}

/// Staff user subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff user with a role.
    #[command(after_long_help = "\
Roles: admin, order-processor, customer-service, sales, warehouse, analyst
(docs/permissions.md lists what each may do).

Examples:
  ordo user add --name \"Sam Okafor\" --login sam --role warehouse
  ORDO_PASSWORD=$ADMIN_PW ORDO_NEW_PASSWORD=$SAM_PW ordo --as morgan user add \\
      --name \"Sam Okafor\" --login sam --role warehouse

The new user's password comes from $ORDO_NEW_PASSWORD, else $ORDO_PASSWORD (unless --as
used it), else it is asked for twice on the terminal.")]
    Add {
        /// Full name.
        #[arg(long)]
        name: String,
        /// Login id.
        #[arg(long)]
        login: String,
        /// admin, order-processor, customer-service, sales, warehouse or analyst.
        #[arg(long)]
        role: String,
    },
    /// List staff users.
    #[command(after_long_help = "Examples:\n  ordo user list\n  ordo --json user list")]
    List,
    /// Disable a staff user; their sessions end at once.
    #[command(after_long_help = "Example:\n  ordo user disable sam")]
    Disable {
        /// Login id.
        login: String,
    },
    /// Give a staff user another role (effective at their next command).
    #[command(after_long_help = "Example:\n  ordo user role sam order-processor")]
    Role {
        /// Login id.
        login: String,
        /// The new role.
        role: String,
    },
}
