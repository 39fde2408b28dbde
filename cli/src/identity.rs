//! Who runs a command: `--as LOGIN` (signs in for this one command), `$ORDO_TOKEN` (a
//! session from `ordo login`), or else the local administrator named after the OS user.
//!
//! The CLI decides only which of these applies; the engine checks passwords, sessions and
//! the permission matrix.

use ordo_core::Engine;
use ordo_core::auth::Actor;
use ordo_core::session::SessionToken;
use ordo_core::store::Store;

use crate::password::{self, SignInPassword};

/// The environment variable holding a session token.
pub const TOKEN_ENV: &str = "ORDO_TOKEN";

/// How the actor is established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The local administrator (`local admin ($USER)`).
    Local,
    /// A session token from `$ORDO_TOKEN`.
    Token(String),
    /// Sign in as this login for one command (`--as`).
    SignIn(String),
}

impl Identity {
    /// `--as` if given, else `$ORDO_TOKEN` if set, else the local administrator.
    pub fn choose(as_login: Option<&str>) -> Identity {
        if let Some(login) = as_login {
            return Identity::SignIn(login.to_string());
        }
        match std::env::var(TOKEN_ENV) {
            Ok(token) if !token.trim().is_empty() => Identity::Token(token),
            Ok(_) | Err(_) => Identity::Local,
        }
    }
}

/// The actor a command runs as, and the session to end afterwards (`--as`).
#[derive(Debug)]
pub struct Signed {
    /// Who acts.
    pub actor: Actor,
    /// The one-command session opened by `--as`.
    pub session: Option<SessionToken>,
    /// Whether signing in used `$ORDO_PASSWORD`.
    pub password: SignInPassword,
}

/// Establishes the actor for `identity`.
///
/// # Errors
/// `Unauthenticated` (exit 6) for a wrong password or an ended session; a password that
/// cannot be read.
pub fn sign_in<S: Store>(engine: &Engine<S>, identity: &Identity) -> anyhow::Result<Signed> {
    match identity {
        Identity::Local => Ok(Signed {
            actor: local_actor(),
            session: None,
            password: SignInPassword::Unused,
        }),
        Identity::Token(token) => Ok(Signed {
            actor: engine.authenticate(token)?,
            session: None,
            password: SignInPassword::Unused,
        }),
        Identity::SignIn(login) => {
            let secret = password::sign_in(login)?;
            let outcome = engine.login(login, &secret)?;
            Ok(Signed {
                actor: outcome.actor,
                session: Some(outcome.token),
                password: SignInPassword::UsedByAs,
            })
        }
    }
}

/// The local administrator: the OS user from `$USER`, or `unknown`.
pub fn local_actor() -> Actor {
    Actor::local_admin(&os_user())
}

/// The OS user from `$USER`, or `unknown`.
pub fn os_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}
