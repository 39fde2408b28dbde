//! `ordo login`, `ordo logout`: sessions for scripts (`$ORDO_TOKEN`).

use ordo_core::store::Store;
use ordo_core::{AuthFailure, Error};

use crate::context::Context;
use crate::identity::TOKEN_ENV;
use crate::password;
use crate::render::views::{PasswordChangedView, SessionView, SignedOutView};
use ordo_api::Request;
use ordo_api::request::{ChangePassword, Login, Logout};

/// Signs in as `login` and prints the token once.
///
/// # Errors
/// `Unauthenticated` (exit 6) for a wrong login id or password, or while locked out.
pub fn login<S: Store>(ctx: &Context<S>, login: &str) -> anyhow::Result<()> {
    let secret = password::sign_in(login)?;
    let view: SessionView = ctx.call(Request::SessionLogin(Login {
        login: login.to_string(),
        password: secret,
    }))?;
    ctx.out.show(&view, || {
        format!(
            "Signed in as {} until {}. Commands run as them while ORDO_TOKEN is set:\n\
             export {TOKEN_ENV}={}",
            view.actor, view.expires_at, view.token
        )
    })
}

/// Ends the session in `$ORDO_TOKEN`.
///
/// # Errors
/// `Unauthenticated` (exit 6) if `$ORDO_TOKEN` is unset or malformed.
pub fn logout<S: Store>(ctx: &Context<S>) -> anyhow::Result<()> {
    let token = std::env::var(TOKEN_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            Error::from(AuthFailure::MissingToken {
                variable: TOKEN_ENV.to_string(),
            })
        })?;
    let view: SignedOutView = ctx.call(Request::SessionLogout(Logout { token: Some(token) }))?;
    ctx.out.show(&view, || {
        format!("Signed out. You may now: unset {TOKEN_ENV}")
    })
}

/// Changes the signed-in user's own password: the current one from `$ORDO_PASSWORD` (or
/// a prompt), the new one from `$ORDO_NEW_PASSWORD` (or a prompt).
///
/// # Errors
/// `Unauthenticated` (exit 6) for a wrong current password or while locked out;
/// `Validation` (exit 3) for a weak new one; a refusal (exit 3) for the local administrator,
/// who has no password.
pub fn change_password<S: Store>(ctx: &Context<S>) -> anyhow::Result<()> {
    let who = ctx.who.actor.clone();
    let current = password::sign_in(&who)?;
    let new = password::choose(&who, password::SignInPassword::UsedByAs)?;
    let view: PasswordChangedView = ctx.call(Request::SessionChangePassword(ChangePassword {
        current,
        new,
    }))?;
    ctx.out.show(&view, || {
        "Password changed. Every session of yours has ended: sign in again with `ordo login`."
            .to_string()
    })
}
