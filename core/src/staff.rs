//! Staff users: people who run the shop, each with one role.

use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::clock::Timestamp;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::validate::{self, limits};

/// A staff user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffUser {
    id: UserId,
    name: String,
    role: Role,
    active: bool,
    credentials: Credentials,
    created_at: Timestamp,
}

impl StaffUser {
    /// A new active staff user.
    ///
    /// # Errors
    /// `Validation` for a bad name or the customer/guest roles.
    pub fn create(
        id: UserId,
        name: &str,
        role: Role,
        credentials: Credentials,
        created_at: Timestamp,
    ) -> Result<StaffUser> {
        check_staff_role(role)?;
        Ok(StaffUser {
            id,
            name: validate::required_text("name", name, limits::MAX_NAME_CHARS)?,
            role,
            active: true,
            credentials,
            created_at,
        })
    }

    /// Id.
    pub fn id(&self) -> UserId {
        self.id
    }
    /// Name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// Whether the user may log in.
    pub fn is_active(&self) -> bool {
        self.active
    }
    /// Login and password hash.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }
    /// Created.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// Changes the role.
    ///
    /// # Errors
    /// `Validation` for the customer/guest roles.
    pub fn set_role(&mut self, role: Role) -> Result<()> {
        check_staff_role(role)?;
        self.role = role;
        Ok(())
    }

    /// Disables the user and ends their sessions from `now` on.
    pub fn disable(&mut self, now: Timestamp) {
        self.active = false;
        self.credentials.sessions_valid_after = now;
    }

    /// Replaces the credentials (password change).
    pub fn set_credentials(&mut self, credentials: Credentials) {
        self.credentials = credentials;
    }
}

fn check_staff_role(role: Role) -> Result<()> {
    match role {
        Role::Customer | Role::Guest => Err(Error::invalid(
            "role",
            format!("{role} is not a staff role"),
        )),
        Role::Admin
        | Role::OrderProcessor
        | Role::CustomerService
        | Role::Sales
        | Role::Warehouse
        | Role::Analyst => Ok(()),
    }
}
