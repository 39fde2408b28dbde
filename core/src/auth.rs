//! Who is acting (the [`Actor`] on every command) and what each role may do.
//!
//! The permission matrix is ONE table: [`Role::allows`]. The engine checks it on every
//! command, and checks ownership for customers (a customer acts only on their own data).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{CustomerId, UserId};

/// Roles of the people and programs that use ordo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// Everything.
    Admin,
    /// Takes and manages orders.
    OrderProcessor,
    /// Answers customers; reads everything customer-facing, edits addresses, cancels.
    CustomerService,
    /// Reads order history and customer activity; manages customers and prices.
    Sales,
    /// Reads pending orders and moves them through fulfilment; manages stock.
    Warehouse,
    /// Reads everything, changes nothing.
    Analyst,
    /// A customer acting on their own orders.
    Customer,
    /// Someone not signed in: may register, verify and log in, nothing else.
    Guest,
}

/// Every role.
pub const ALL_ROLES: [Role; 8] = [
    Role::Admin,
    Role::OrderProcessor,
    Role::CustomerService,
    Role::Sales,
    Role::Warehouse,
    Role::Analyst,
    Role::Customer,
    Role::Guest,
];

impl Role {
    /// Parses a role name (`admin`, `order-processor`, `customer-service`, `sales`,
    /// `warehouse`, `analyst`).
    ///
    /// # Errors
    /// `Validation` listing the staff roles.
    pub fn parse(text: &str) -> Result<Role> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str()
        {
            "admin" => Ok(Role::Admin),
            "order-processor" => Ok(Role::OrderProcessor),
            "customer-service" => Ok(Role::CustomerService),
            "sales" => Ok(Role::Sales),
            "warehouse" => Ok(Role::Warehouse),
            "analyst" => Ok(Role::Analyst),
            "customer" => Ok(Role::Customer),
            _ => Err(Error::invalid(
                "role",
                format!(
                    "{text:?} must be admin, order-processor, customer-service, sales, warehouse or analyst"
                ),
            )),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Admin => "admin",
            Role::OrderProcessor => "order processor",
            Role::CustomerService => "customer service",
            Role::Sales => "sales",
            Role::Warehouse => "warehouse",
            Role::Analyst => "analyst",
            Role::Customer => "customer",
            Role::Guest => "guest",
        })
    }
}

/// Things an actor may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operation {
    /// Read products and stock.
    ReadCatalog,
    /// Create and update products.
    ManageCatalog,
    /// Restock and adjust stock.
    ManageStock,
    /// Read customer records.
    ReadCustomers,
    /// Create customer records and change any field of any customer: kind, price group,
    /// status, contact details and credentials (staff only).
    ManageCustomers,
    /// A customer's own name and addresses, and their own phone or email through a
    /// verification code (customers only; the engine checks ownership).
    EditOwnProfile,
    /// Read orders and their history.
    ReadOrders,
    /// Create orders and change their items.
    EditOrders,
    /// Give an order a percentage discount (staff only: a customer never names a percentage).
    ApplyDiscounts,
    /// Change an order's shipping address.
    ChangeAddress,
    /// Place an order (a draft becomes an order with a reference, reserving stock).
    PlaceOrders,
    /// Confirm a placed order (staff: the shop accepts it).
    ConfirmOrders,
    /// Move an order through picking, packing, shipping and delivery.
    Fulfil,
    /// Cancel an order.
    CancelOrders,
    /// Archive and restore orders.
    ArchiveOrders,
    /// Record payments.
    RecordPayments,
    /// Record refunds.
    Refund,
    /// Read the audit trail.
    ReadAudit,
    /// Register as a new customer and verify the code.
    Register,
    /// Approve or reject business registrations.
    ApproveCustomers,
    /// Read staff users.
    ReadUsers,
    /// Create, disable and re-role staff users.
    ManageUsers,
    /// Write to a customer's communication log.
    LogMessages,
    /// Read a customer's communication log and purchase history.
    ReadMessages,
    /// Read pending notifications (with verification codes) and mark them sent: the
    /// dispatchers' job.
    DispatchNotifications,
    /// Reach the raw store (backups, statistics): the local administrator's tools.
    AccessStore,
    /// Count a caller's requests against a rate limit (the channels, running as system).
    LimitRates,
    /// Change the store's settings (tax rates, shipping fees, tax rounding).
    ManageSettings,
    /// Read customer-service tickets (customers: their own, without internal comments).
    ReadTickets,
    /// Work any customer's tickets: open one for them, comment (internal notes too),
    /// assign, change the status (the service desk: customer service and order processors).
    ManageTickets,
    /// Open a ticket for oneself and comment on it visibly (customers only; the engine
    /// checks ownership).
    OpenOwnTickets,
    /// Authorize card payments, capture them (in full or in parts) and void what is held.
    AuthorizePayments,
    /// Hand units of packed orders to a carrier as shipments, and cancel what a partly
    /// shipped order has not shipped (the warehouse).
    ShipOrders,
    /// Record a carrier's tracking events on shipments (the courier webhook runs as the
    /// system; warehouse staff may enter an event by hand).
    TrackShipments,
    /// Read sales, speed, customer and stock reports (staff who run the shop: admin,
    /// sales, analysts; never customers).
    ViewReports,
    /// Keep what the Telegram bot knows about a chat: its sign-in, its dialogue state and
    /// the updates it handled (the bot, running as the system, only).
    ManageChats,
    /// Issue an order's invoice (its number comes from the one gap-free sequence): the
    /// people who record payments — admin and order processors. Reading an issued invoice
    /// needs only `ReadOrders` (customers: their own orders').
    IssueInvoices,
    /// Read returns (customers: their own).
    ReadReturns,
    /// Work any customer's returns: open one for them, approve, refuse, refund, exchange
    /// (the service desk: customer service and admin).
    ManageReturns,
    /// Receive a return's units and inspect them: restock or write off (the service desk
    /// and the warehouse, where parcels arrive).
    ReceiveReturns,
    /// Open a return of one's own delivered units (customers only; the engine checks
    /// ownership; staff still approve it).
    OpenOwnReturns,
}

/// Every operation.
pub const ALL_OPERATIONS: [Operation; 41] = [
    Operation::ReadCatalog,
    Operation::ManageCatalog,
    Operation::ManageStock,
    Operation::ReadCustomers,
    Operation::ManageCustomers,
    Operation::EditOwnProfile,
    Operation::ReadOrders,
    Operation::EditOrders,
    Operation::ApplyDiscounts,
    Operation::ChangeAddress,
    Operation::PlaceOrders,
    Operation::ConfirmOrders,
    Operation::Fulfil,
    Operation::CancelOrders,
    Operation::ArchiveOrders,
    Operation::RecordPayments,
    Operation::Refund,
    Operation::ReadAudit,
    Operation::Register,
    Operation::ApproveCustomers,
    Operation::ReadUsers,
    Operation::ManageUsers,
    Operation::LogMessages,
    Operation::ReadMessages,
    Operation::DispatchNotifications,
    Operation::AccessStore,
    Operation::LimitRates,
    Operation::ManageSettings,
    Operation::ReadTickets,
    Operation::ManageTickets,
    Operation::OpenOwnTickets,
    Operation::AuthorizePayments,
    Operation::ShipOrders,
    Operation::TrackShipments,
    Operation::ViewReports,
    Operation::ManageChats,
    Operation::IssueInvoices,
    Operation::ReadReturns,
    Operation::ManageReturns,
    Operation::ReceiveReturns,
    Operation::OpenOwnReturns,
];

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::ReadCatalog => "read the catalog",
            Operation::ManageCatalog => "change the catalog",
            Operation::ManageStock => "change stock",
            Operation::ReadCustomers => "read customers",
            Operation::ManageCustomers => "change customers",
            Operation::EditOwnProfile => "edit their own profile",
            Operation::ReadOrders => "read orders",
            Operation::EditOrders => "create or edit orders",
            Operation::ApplyDiscounts => "apply discounts",
            Operation::ChangeAddress => "change shipping addresses",
            Operation::PlaceOrders => "place orders",
            Operation::ConfirmOrders => "confirm orders",
            Operation::Fulfil => "move orders through fulfilment",
            Operation::CancelOrders => "cancel orders",
            Operation::ArchiveOrders => "archive or restore orders",
            Operation::RecordPayments => "record payments",
            Operation::Refund => "record refunds",
            Operation::ReadAudit => "read the audit trail",
            Operation::Register => "register",
            Operation::ApproveCustomers => "approve or reject registrations",
            Operation::ReadUsers => "read staff users",
            Operation::ManageUsers => "manage staff users",
            Operation::LogMessages => "write to the communication log",
            Operation::ReadMessages => "read the communication log and purchase history",
            Operation::DispatchNotifications => "send pending notifications",
            Operation::AccessStore => "access the raw store",
            Operation::LimitRates => "count requests against rate limits",
            Operation::ManageSettings => "change the store's settings",
            Operation::ReadTickets => "read tickets",
            Operation::ManageTickets => "work tickets",
            Operation::OpenOwnTickets => "open and comment on their own tickets",
            Operation::AuthorizePayments => "authorize, capture and void card payments",
            Operation::ShipOrders => "ship orders",
            Operation::TrackShipments => "record tracking events",
            Operation::ViewReports => "view reports",
            Operation::ManageChats => "keep Telegram chats' sign-ins and dialogues",
            Operation::IssueInvoices => "issue invoices",
            Operation::ReadReturns => "read returns",
            Operation::ManageReturns => "work returns",
            Operation::ReceiveReturns => "receive and inspect returns",
            Operation::OpenOwnReturns => "open their own returns",
        })
    }
}

const Y: bool = true;
const N: bool = false;

/// THE permission matrix: one row per operation, one column per role in [`ALL_ROLES`] order.
/// A customer's permissions apply to their own data only (the engine checks ownership).
/// `docs/permissions.md` is generated from this table and a test keeps them equal.
#[rustfmt::skip]
const MATRIX: [(Operation, [bool; 8]); 41] = [
    //                              Admin OrdPr CustS Sales Wareh Analy Cust  Guest
    (Operation::ReadCatalog,       [Y,    Y,    Y,    Y,    Y,    Y,    Y,    N]),
    (Operation::ManageCatalog,     [Y,    N,    N,    Y,    N,    N,    N,    N]),
    (Operation::ManageStock,       [Y,    Y,    N,    N,    Y,    N,    N,    N]),
    (Operation::ReadCustomers,     [Y,    Y,    Y,    Y,    N,    Y,    Y,    N]),
    (Operation::ManageCustomers,   [Y,    N,    Y,    Y,    N,    N,    N,    N]),
    (Operation::EditOwnProfile,    [N,    N,    N,    N,    N,    N,    Y,    N]),
    (Operation::ReadOrders,        [Y,    Y,    Y,    Y,    Y,    Y,    Y,    N]),
    (Operation::EditOrders,        [Y,    Y,    N,    Y,    N,    N,    Y,    N]),
    (Operation::ApplyDiscounts,    [Y,    Y,    N,    Y,    N,    N,    N,    N]),
    (Operation::ChangeAddress,     [Y,    Y,    Y,    N,    N,    N,    Y,    N]),
    (Operation::PlaceOrders,       [Y,    Y,    N,    Y,    N,    N,    Y,    N]),
    (Operation::ConfirmOrders,     [Y,    Y,    N,    Y,    N,    N,    N,    N]),
    (Operation::Fulfil,            [Y,    Y,    N,    N,    Y,    N,    N,    N]),
    (Operation::CancelOrders,      [Y,    Y,    Y,    N,    N,    N,    Y,    N]),
    (Operation::ArchiveOrders,     [Y,    Y,    N,    N,    N,    N,    N,    N]),
    (Operation::RecordPayments,    [Y,    Y,    N,    N,    N,    N,    N,    N]),
    (Operation::Refund,            [Y,    Y,    Y,    N,    N,    N,    N,    N]),
    (Operation::ReadAudit,         [Y,    Y,    Y,    Y,    N,    Y,    N,    N]),
    (Operation::Register,          [Y,    N,    Y,    Y,    N,    N,    N,    Y]),
    (Operation::ApproveCustomers,  [Y,    N,    N,    Y,    N,    N,    N,    N]),
    (Operation::ReadUsers,         [Y,    N,    N,    N,    N,    N,    N,    N]),
    (Operation::ManageUsers,       [Y,    N,    N,    N,    N,    N,    N,    N]),
    (Operation::LogMessages,       [Y,    Y,    Y,    Y,    N,    N,    N,    N]),
    (Operation::ReadMessages,      [Y,    Y,    Y,    Y,    N,    Y,    Y,    N]),
    (Operation::DispatchNotifications, [Y, N,   N,    N,    N,    N,    N,    N]),
    (Operation::AccessStore,       [Y,    N,    N,    N,    N,    N,    N,    N]),
    (Operation::LimitRates,        [Y,    N,    N,    N,    N,    N,    N,    N]),
    (Operation::ManageSettings,    [Y,    N,    N,    N,    N,    N,    N,    N]),
    // Order processors work tickets too: most tickets are about an order, and they are
    // the ones who may already cancel, refund and change it. Sales and analysts read.
    (Operation::ReadTickets,       [Y,    Y,    Y,    Y,    N,    Y,    Y,    N]),
    (Operation::ManageTickets,     [Y,    Y,    Y,    N,    N,    N,    N,    N]),
    (Operation::OpenOwnTickets,    [N,    N,    N,    N,    N,    N,    Y,    N]),
    // The card lifecycle: who records payments (admin, order processors).
    (Operation::AuthorizePayments, [Y,    Y,    N,    N,    N,    N,    N,    N]),
    // Shipping is fulfilment: the same people who may move an order to shipped.
    (Operation::ShipOrders,        [Y,    Y,    N,    N,    Y,    N,    N,    N]),
    (Operation::TrackShipments,    [Y,    N,    N,    N,    Y,    N,    N,    N]),
    (Operation::ViewReports,       [Y,    N,    N,    Y,    N,    Y,    N,    N]),
    (Operation::ManageChats,       [Y,    N,    N,    N,    N,    N,    N,    N]),
    // An invoice is money paperwork: who records payments issues it.
    (Operation::IssueInvoices,     [Y,    Y,    N,    N,    N,    N,    N,    N]),
    // Returns are the service desk's; parcels coming back arrive at the warehouse.
    (Operation::ReadReturns,       [Y,    Y,    Y,    Y,    Y,    Y,    Y,    N]),
    (Operation::ManageReturns,     [Y,    N,    Y,    N,    N,    N,    N,    N]),
    (Operation::ReceiveReturns,    [Y,    N,    Y,    N,    Y,    N,    N,    N]),
    (Operation::OpenOwnReturns,    [N,    N,    N,    N,    N,    N,    Y,    N]),
];

impl Role {
    /// Looks the role and operation up in the permission matrix.
    pub fn allows(self, operation: Operation) -> bool {
        let column = ALL_ROLES.iter().position(|r| *r == self);
        MATRIX
            .iter()
            .find(|(op, _)| *op == operation)
            .zip(column)
            .and_then(|((_, row), column)| row.get(column).copied())
            .unwrap_or(false)
    }
}

/// The permission matrix as a Markdown table (what `docs/permissions.md` contains).
pub fn matrix_markdown() -> String {
    let mut out = String::from("| operation |");
    for role in ALL_ROLES {
        out.push_str(&format!(" {role} |"));
    }
    out.push_str("\n|---|");
    for _ in ALL_ROLES {
        out.push_str(":---:|");
    }
    out.push('\n');
    for (operation, row) in MATRIX {
        out.push_str(&format!("| {operation} |"));
        for allowed in row {
            out.push_str(if allowed { " yes |" } else { " — |" });
        }
        out.push('\n');
    }
    out
}

/// Who an actor is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Principal {
    /// Someone with direct access to the data directory (the CLI's default), by OS user name.
    LocalAdmin(String),
    /// A staff user.
    Staff(UserId),
    /// A customer.
    Customer(CustomerId),
    /// ordo itself (background jobs).
    System,
    /// Someone not signed in (a registration form, a chat before login).
    Guest,
}

/// The actor on a command: who and in which role.
///
/// An `Actor` is a capability: only the engine makes one for a signed-in user (from a
/// session, [`crate::engine::Engine::authenticate`] or `login`), and the embedding process
/// makes [`Actor::local_admin`], [`Actor::guest`] or [`Actor::system`]. It can be serialized
/// (for display) but never deserialized, so no wire format can forge one; the audit trail
/// records a [`RecordedActor`] instead.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Actor {
    principal: Principal,
    role: Role,
}

impl Actor {
    /// The local administrator (whoever can read the data directory can read its data).
    pub fn local_admin(os_user: &str) -> Actor {
        Actor {
            principal: Principal::LocalAdmin(os_user.to_string()),
            role: Role::Admin,
        }
    }

    /// A staff user in `role` (made by the engine from a session).
    ///
    /// # Errors
    /// `Validation` if `role` is `Customer` (customers act as [`Actor::customer`]).
    pub(crate) fn staff(user: UserId, role: Role) -> Result<Actor> {
        if role == Role::Customer {
            return Err(Error::invalid(
                "role",
                "staff users cannot have the customer role",
            ));
        }
        Ok(Actor {
            principal: Principal::Staff(user),
            role,
        })
    }

    /// A customer acting for themselves (made by the engine from a session).
    pub(crate) fn customer(id: CustomerId) -> Actor {
        Actor {
            principal: Principal::Customer(id),
            role: Role::Customer,
        }
    }

    /// Someone not signed in.
    pub fn guest() -> Actor {
        Actor {
            principal: Principal::Guest,
            role: Role::Guest,
        }
    }

    /// An actor for a verified session (built by the engine's `authenticate`).
    pub(crate) fn from_session(principal: Principal, role: Role) -> Actor {
        Actor { principal, role }
    }

    /// ordo's own background work.
    pub fn system() -> Actor {
        Actor {
            principal: Principal::System,
            role: Role::Admin,
        }
    }

    /// Who.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// In which role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The customer this actor is, if a customer.
    pub fn customer_id(&self) -> Option<CustomerId> {
        match self.principal {
            Principal::Customer(id) => Some(id),
            Principal::LocalAdmin(_)
            | Principal::Staff(_)
            | Principal::System
            | Principal::Guest => None,
        }
    }

    /// How the audit trail records this actor.
    pub fn record(&self) -> RecordedActor {
        RecordedActor {
            principal: self.principal.clone(),
            role: self.role,
        }
    }

    /// Checks the matrix.
    ///
    /// # Errors
    /// `Forbidden` naming the role and the operation.
    pub fn require(&self, operation: Operation) -> Result<()> {
        if self.role.allows(operation) {
            Ok(())
        } else {
            Err(Error::Forbidden {
                role: self.role.to_string(),
                operation: operation.to_string(),
            })
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        describe(&self.principal, self.role, f)
    }
}

fn describe(principal: &Principal, role: Role, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match principal {
        Principal::LocalAdmin(user) => write!(f, "local admin ({user})"),
        Principal::Staff(id) => write!(f, "staff user {id} ({role})"),
        Principal::Customer(id) => write!(f, "customer {id}"),
        Principal::System => f.write_str("system"),
        Principal::Guest => f.write_str("guest"),
    }
}

/// Who acted, as the audit trail keeps it: a description, not a capability (it cannot be
/// turned into an [`Actor`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordedActor {
    /// Who.
    pub principal: Principal,
    /// In which role.
    pub role: Role,
}

impl fmt::Display for RecordedActor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        describe(&self.principal, self.role, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyst_reads_only_and_warehouse_fulfils_only() {
        for op in ALL_OPERATIONS {
            let read = matches!(
                op,
                Operation::ReadCatalog
                    | Operation::ReadCustomers
                    | Operation::ReadOrders
                    | Operation::ReadAudit
                    | Operation::ReadMessages
                    | Operation::ReadTickets
                    | Operation::ViewReports
                    | Operation::ReadReturns
            );
            assert_eq!(Role::Analyst.allows(op), read, "{op:?}");
        }
        assert!(Role::Warehouse.allows(Operation::Fulfil));
        assert!(!Role::Warehouse.allows(Operation::CancelOrders));
        assert!(!Role::Warehouse.allows(Operation::EditOrders));
        assert!(ALL_OPERATIONS.iter().all(|op| Role::Admin.allows(*op)
            == !matches!(
                op,
                Operation::EditOwnProfile | Operation::OpenOwnTickets | Operation::OpenOwnReturns
            )));
    }

    #[test]
    fn every_operation_has_exactly_one_row() {
        for op in ALL_OPERATIONS {
            assert_eq!(MATRIX.iter().filter(|(o, _)| *o == op).count(), 1, "{op:?}");
        }
        assert!(
            ALL_OPERATIONS
                .iter()
                .all(|op| !Role::Guest.allows(*op) || *op == Operation::Register)
        );
    }

    #[test]
    fn the_documented_matrix_is_the_code_matrix() {
        crate::testkit::docs::assert_page_holds("docs/permissions.md", &matrix_markdown());
    }

    #[test]
    fn forbidden_names_role_and_operation() {
        let a = Actor::staff(UserId(3), Role::Analyst).unwrap();
        assert_eq!(
            a.require(Operation::EditOrders).unwrap_err().to_string(),
            "analyst may not create or edit orders"
        );
        assert!(Actor::staff(UserId(3), Role::Customer).is_err());
    }
}
