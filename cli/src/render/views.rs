//! The JSON shapes `--json` prints: the wire contract's views (`ordo_api::views`), and the
//! few that only the command line has (the demo, backups).

pub use ordo_api::views::*;

mod backup;

pub use backup::BackupView;

use serde::Serialize;

/// What `ordo demo` did.
#[derive(Debug, Serialize)]
pub struct DemoView {
    /// False if demo data was already there and nothing was added.
    pub created: bool,
    /// Products in the demo catalog.
    pub products: usize,
    /// Customers created.
    pub customers: usize,
    /// Orders created.
    pub orders: usize,
    /// Service-desk tickets opened.
    pub tickets: usize,
    /// Warehouses stocked.
    pub warehouses: Vec<String>,
    /// Pending registrations (waiting for their code or for approval).
    pub registrations: usize,
    /// Customers given a login and password.
    pub customer_logins: usize,
    /// The staff users created, with their generated passwords (shown this once).
    pub staff: Vec<StaffLoginView>,
    /// One customer login to try, with its generated password.
    pub customer_login: Option<CustomerLoginView>,
    /// Seconds the run took.
    pub seconds: f64,
    /// Returns opened (restocked and refunded, written off, exchanged, approved, refused).
    pub returns: usize,
}

/// A demo staff user's sign-in.
#[derive(Debug, Serialize)]
pub struct StaffLoginView {
    /// Login id.
    pub login: String,
    /// Role.
    pub role: String,
    /// Generated password.
    pub password: String,
}

/// A demo customer's sign-in.
#[derive(Debug, Serialize)]
pub struct CustomerLoginView {
    /// The customer.
    pub customer_id: u64,
    /// Their name.
    pub name: String,
    /// Login id.
    pub login: String,
    /// Generated password.
    pub password: String,
}
