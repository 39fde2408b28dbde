//! `ordo admin init` and `ordo user …`: staff users and their roles.

use ordo_core::auth::{Operation, Role};
use ordo_core::store::Store;

use crate::args::{AdminCommand, UserCommand};
use crate::context::Context;
use crate::password;
use crate::render::tables;
use crate::render::views::{ListView, StaffUserView};
use ordo_api::Request;
use ordo_api::request::{AddUser, ListArgs, OnUser, SetRole};

/// Runs `ordo admin …`.
///
/// # Errors
/// `Rule` (exit 3) if an administrator exists; `Validation` for the name, login or
/// password; `Duplicate` login (exit 5).
pub fn admin<S: Store>(ctx: &Context<S>, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::Init { name, login } => {
            // Refuse before asking for a password (the engine checks again).
            ctx.require(Operation::ManageUsers)?;
            let secret = password::choose(&format!("login {login}"), ctx.sign_in)?;
            let view: StaffUserView = ctx.call(Request::AdminInit(AddUser {
                name,
                login,
                role: None,
                password: secret,
            }))?;
            ctx.out.show(&view, || {
                format!(
                    "Created the administrator {} (login {}). Run commands as them with \
                     `ordo --as {}` or `ordo login {}`.",
                    view.name, view.login, view.login, view.login
                )
            })
        }
    }
}

/// Runs `ordo user …`.
///
/// # Errors
/// `Forbidden` (exit 6) unless the actor manages users; `Validation`; `NotFound`;
/// `Duplicate`; `Rule` for the last administrator.
pub fn user<S: Store>(ctx: &Context<S>, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { name, login, role } => {
            Role::parse(&role)?;
            ctx.require(Operation::ManageUsers)?;
            let secret = password::choose(&format!("login {login}"), ctx.sign_in)?;
            let view: StaffUserView = ctx.call(Request::UserAdd(AddUser {
                name,
                login,
                role: Some(role),
                password: secret,
            }))?;
            ctx.out.show(&view, || {
                format!(
                    "Added {} (login {}) as {}.",
                    view.name, view.login, view.role
                )
            })
        }
        UserCommand::List => {
            let page: ListView<StaffUserView> = ctx.call(Request::UserList(ListArgs::default()))?;
            ctx.out.warn_skipped(&page.skipped);
            ctx.out.show(&page, || tables::staff_list(&page.items))
        }
        UserCommand::Disable { login } => {
            let view: StaffUserView = ctx.call(Request::UserDisable(OnUser { login }))?;
            ctx.out.show(&view, || {
                format!(
                    "Disabled {} (login {}); their sessions have ended.",
                    view.name, view.login
                )
            })
        }
        UserCommand::Role { login, role } => {
            let view: StaffUserView = ctx.call(Request::UserSetRole(SetRole { login, role }))?;
            ctx.out.show(&view, || {
                format!("{} (login {}) is now {}.", view.name, view.login, view.role)
            })
        }
    }
}
