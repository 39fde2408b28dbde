//! `ordo admin init` and `ordo user …`: staff users and their roles.

use ordo_core::auth::{Operation, Role};
use ordo_core::store::Store;

use crate::args::{AdminCommand, UserCommand};
use crate::context::Context;
use crate::password;
use crate::render::tables;
use crate::render::views::StaffUserView;

/// Runs `ordo admin …`.
///
/// # Errors
/// `Rule` (exit 3) if an administrator exists; `Validation` for the name, login or
/// password; `Duplicate` login (exit 5).
pub fn admin<S: Store>(ctx: &Context<S>, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::Init { name, login } => {
            // Refuse before asking for a password (the engine checks again).
            ctx.actor.require(Operation::ManageUsers)?;
            let secret = password::choose(&format!("login {login}"), ctx.sign_in)?;
            let user = ctx.engine.init_admin(&ctx.actor, &name, &login, &secret)?;
            let view = StaffUserView::new(&user);
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
            let role = Role::parse(&role)?;
            ctx.actor.require(Operation::ManageUsers)?;
            let secret = password::choose(&format!("login {login}"), ctx.sign_in)?;
            let user = ctx
                .engine
                .add_user(&ctx.actor, &name, &login, role, &secret)?;
            let view = StaffUserView::new(&user);
            ctx.out.show(&view, || {
                format!(
                    "Added {} (login {}) as {}.",
                    view.name, view.login, view.role
                )
            })
        }
        UserCommand::List => {
            let users = ctx.engine.list_users(&ctx.actor)?;
            ctx.out.warn_skipped(&users.skipped);
            let views: Vec<StaffUserView> = users.items.iter().map(StaffUserView::new).collect();
            ctx.out.show(&views, || tables::staff_list(&views))
        }
        UserCommand::Disable { login } => {
            let user = ctx.engine.disable_user(&ctx.actor, &login)?;
            let view = StaffUserView::new(&user);
            ctx.out.show(&view, || {
                format!(
                    "Disabled {} (login {}); their sessions have ended.",
                    view.name, view.login
                )
            })
        }
        UserCommand::Role { login, role } => {
            let role = Role::parse(&role)?;
            let user = ctx.engine.set_user_role(&ctx.actor, &login, role)?;
            let view = StaffUserView::new(&user);
            ctx.out.show(&view, || {
                format!("{} (login {}) is now {}.", view.name, view.login, view.role)
            })
        }
    }
}
