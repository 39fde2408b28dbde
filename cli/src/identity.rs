//! Who runs a command: `--as LOGIN` (signs in for this one command), `$ORDO_TOKEN` (a
//! session from `ordo login`), or else the local administrator named after the OS user.
//!
//! The CLI decides only which of these applies; the engine checks passwords, sessions and
//! the permission matrix.

use ordo_api::Request;
use ordo_api::request::{Login, Nothing};
use ordo_api::views::{SessionView, WhoView};
use ordo_core::store::Store;

use crate::context::Transport;

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

/// Who a command runs as, and the session it carries.
#[derive(Debug)]
pub struct Signed {
    /// Who acts, as `session.get` (or `session.login`) said.
    pub who: WhoView,
    /// The session every request of the command carries (`$ORDO_TOKEN`, or `--as`'s).
    pub session: Option<String>,
    /// Whether this session was opened for this one command (`--as`): end it afterwards.
    pub opened: bool,
    /// Whether signing in used `$ORDO_PASSWORD`.
    pub password: SignInPassword,
}

/// Establishes who acts for `identity`, through the wire contract (`session.get`,
/// `session.login`) on `transport` (the local engine or a running service), as any front
/// would.
///
/// # Errors
/// `Unauthenticated` (exit 6) for a wrong password or an ended session; a password that
/// cannot be read.
pub fn sign_in<S: Store>(transport: &Transport<S>, identity: &Identity) -> anyhow::Result<Signed> {
    let ask = |session: Option<&str>, request: Request| -> anyhow::Result<serde_json::Value> {
        transport.call(session, request)
    };
    match identity {
        Identity::Local => Ok(Signed {
            who: serde_json::from_value(ask(None, Request::SessionGet(Nothing {}))?)?,
            session: None,
            opened: false,
            password: SignInPassword::Unused,
        }),
        Identity::Token(token) => Ok(Signed {
            who: serde_json::from_value(ask(Some(token), Request::SessionGet(Nothing {}))?)?,
            session: Some(token.clone()),
            opened: false,
            password: SignInPassword::Unused,
        }),
        Identity::SignIn(login) => {
            let secret = password::sign_in(login)?;
            let opened: SessionView = serde_json::from_value(ask(
                None,
                Request::SessionLogin(Login {
                    login: login.clone(),
                    password: secret,
                }),
            )?)?;
            let who =
                serde_json::from_value(ask(Some(&opened.token), Request::SessionGet(Nothing {}))?)?;
            Ok(Signed {
                who,
                session: Some(opened.token),
                opened: true,
                password: SignInPassword::UsedByAs,
            })
        }
    }
}

/// The OS user from `$USER`, or `unknown`.
pub fn os_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}
