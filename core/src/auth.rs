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
}

/// Every role.
pub const ALL_ROLES: [Role; 7] = [
    Role::Admin,
    Role::OrderProcessor,
    Role::CustomerService,
    Role::Sales,
    Role::Warehouse,
    Role::Analyst,
    Role::Customer,
];

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
    /// Create and update customer records.
    ManageCustomers,
    /// Read orders and their history.
    ReadOrders,
    /// Create orders and change their items.
    EditOrders,
    /// Change an order's shipping address.
    ChangeAddress,
    /// Place or confirm an order.
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
}

/// Every operation.
pub const ALL_OPERATIONS: [Operation; 15] = [
    Operation::ReadCatalog,
    Operation::ManageCatalog,
    Operation::ManageStock,
    Operation::ReadCustomers,
    Operation::ManageCustomers,
    Operation::ReadOrders,
    Operation::EditOrders,
    Operation::ChangeAddress,
    Operation::ConfirmOrders,
    Operation::Fulfil,
    Operation::CancelOrders,
    Operation::ArchiveOrders,
    Operation::RecordPayments,
    Operation::Refund,
    Operation::ReadAudit,
];

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::ReadCatalog => "read the catalog",
            Operation::ManageCatalog => "change the catalog",
            Operation::ManageStock => "change stock",
            Operation::ReadCustomers => "read customers",
            Operation::ManageCustomers => "change customers",
            Operation::ReadOrders => "read orders",
            Operation::EditOrders => "create or edit orders",
            Operation::ChangeAddress => "change shipping addresses",
            Operation::ConfirmOrders => "place or confirm orders",
            Operation::Fulfil => "move orders through fulfilment",
            Operation::CancelOrders => "cancel orders",
            Operation::ArchiveOrders => "archive or restore orders",
            Operation::RecordPayments => "record payments",
            Operation::Refund => "record refunds",
            Operation::ReadAudit => "read the audit trail",
        })
    }
}

impl Role {
    /// The permission matrix. A customer's permissions apply to their own data only
    /// (ownership is checked by the engine).
    pub fn allows(self, operation: Operation) -> bool {
        use Operation::*;
        match self {
            Role::Admin => true,
            Role::OrderProcessor => !matches!(operation, ManageCatalog | ManageCustomers),
            Role::CustomerService => matches!(
                operation,
                ReadCatalog
                    | ReadCustomers
                    | ManageCustomers
                    | ReadOrders
                    | ChangeAddress
                    | CancelOrders
                    | Refund
                    | ReadAudit
            ),
            Role::Sales => matches!(
                operation,
                ReadCatalog
                    | ManageCatalog
                    | ReadCustomers
                    | ManageCustomers
                    | ReadOrders
                    | EditOrders
                    | ConfirmOrders
                    | ReadAudit
            ),
            Role::Warehouse => matches!(operation, ReadCatalog | ManageStock | ReadOrders | Fulfil),
            Role::Analyst => matches!(
                operation,
                ReadCatalog | ReadCustomers | ReadOrders | ReadAudit
            ),
            Role::Customer => matches!(
                operation,
                ReadCatalog
                    | ReadOrders
                    | EditOrders
                    | ChangeAddress
                    | ConfirmOrders
                    | CancelOrders
            ),
        }
    }
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
}

/// The actor on a command: who and in which role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

    /// A staff user in `role`.
    ///
    /// # Errors
    /// `Validation` if `role` is `Customer` (customers act as [`Actor::customer`]).
    pub fn staff(user: UserId, role: Role) -> Result<Actor> {
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

    /// A customer acting for themselves.
    pub fn customer(id: CustomerId) -> Actor {
        Actor {
            principal: Principal::Customer(id),
            role: Role::Customer,
        }
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
            Principal::LocalAdmin(_) | Principal::Staff(_) | Principal::System => None,
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
        match &self.principal {
            Principal::LocalAdmin(user) => write!(f, "local admin ({user})"),
            Principal::Staff(id) => write!(f, "staff user {id} ({})", self.role),
            Principal::Customer(id) => write!(f, "customer {id}"),
            Principal::System => f.write_str("system"),
        }
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
            );
            assert_eq!(Role::Analyst.allows(op), read, "{op:?}");
        }
        assert!(Role::Warehouse.allows(Operation::Fulfil));
        assert!(!Role::Warehouse.allows(Operation::CancelOrders));
        assert!(!Role::Warehouse.allows(Operation::EditOrders));
        assert!(ALL_OPERATIONS.iter().all(|op| Role::Admin.allows(*op)));
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
