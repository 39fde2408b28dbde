//! What every command runs with: the engine, the actor and the output form.

use std::sync::Arc;

use ordo_api::request::Logout;
use ordo_api::views::{SignedOutView, WhoView};
use ordo_api::{Caller, Outcome, Request};
use ordo_core::auth::{Operation, Role};
use ordo_core::clock::SystemClock;
use ordo_core::random::SeededRandom;
use ordo_core::store::Store;
use ordo_core::{Engine, EngineConfig};

use crate::identity::{self, Identity};
use crate::password::SignInPassword;
use crate::render::Output;

/// The engine, who is acting, and how to print.
pub struct Context<S: Store> {
    /// The engine over the data directory's store.
    pub engine: Engine<S>,
    /// Who runs the command (see [`crate::identity`]), as the contract names them.
    pub who: WhoView,
    /// JSON or human output.
    pub out: Output,
    /// Whether `--as` spent `$ORDO_PASSWORD` (so a new password must come from elsewhere).
    pub sign_in: SignInPassword,
    /// Who the requests come from: the local administrator (named after the OS user).
    caller: Caller,
    /// The session every request carries: `$ORDO_TOKEN`, or the one `--as` opened.
    session: Option<String>,
    /// Whether `session` was opened by `--as` for this command (ended by [`Context::close`]).
    opened: bool,
}

/// A request the contract refused or could not run: its wire error, whose status is the
/// exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub ordo_api::ApiError);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Refused {}

impl<S: Store> Context<S> {
    /// A context on the system clock, with references drawn from OS randomness, acting
    /// as `identity` says.
    ///
    /// # Errors
    /// If the operating system cannot supply random bytes; `Unauthenticated` if signing
    /// in fails.
    pub fn open(store: S, out: Output, identity: &Identity) -> anyhow::Result<Context<S>> {
        let engine = Engine::new(
            store,
            Arc::new(SystemClock),
            Arc::new(SeededRandom::from_seed(os_seed()?)),
            EngineConfig::default(),
        );
        let caller = Caller::Local {
            name: identity::os_user(),
        };
        let signed = identity::sign_in(&engine, &caller, identity)?;
        Ok(Context {
            engine,
            who: signed.who,
            out,
            sign_in: signed.password,
            caller,
            session: signed.session,
            opened: signed.opened,
        })
    }

    /// Refuses early, before asking for a password, what the engine would refuse anyway
    /// (the engine checks again).
    ///
    /// # Errors
    /// `Forbidden` naming the role and the operation.
    pub fn require(&self, operation: Operation) -> anyhow::Result<()> {
        let role = Role::parse(&self.who.role)?;
        if role.allows(operation) {
            return Ok(());
        }
        Err(ordo_core::Error::Forbidden {
            role: role.to_string(),
            operation: operation.to_string(),
        }
        .into())
    }

    /// Sends `request` through the wire contract (`ordo_api::execute`, as every front does)
    /// and reads the answer as `V`.
    ///
    /// # Errors
    /// [`Refused`] with the contract's error (its status is the exit code).
    pub fn call<V: serde::de::DeserializeOwned>(&self, request: Request) -> anyhow::Result<V> {
        call(&self.engine, &self.caller, self.session.as_deref(), request)
    }

    /// Ends the session `--as` opened, if any.
    ///
    /// # Errors
    /// If the logout cannot be written.
    pub fn close(self) -> anyhow::Result<()> {
        if self.opened {
            let _: SignedOutView = self.call(Request::SessionLogout(Logout::default()))?;
        }
        Ok(())
    }
}

/// Sends `request` to `engine` through the wire contract as `caller` (or `session`'s user)
/// and reads the answer as `V`.
///
/// # Errors
/// [`Refused`] with the contract's error (its status is the exit code).
pub fn call<S: Store, V: serde::de::DeserializeOwned>(
    engine: &Engine<S>,
    caller: &Caller,
    session: Option<&str>,
    request: Request,
) -> anyhow::Result<V> {
    match ordo_api::execute(engine, caller, session, request, None).outcome {
        Outcome::Ok(value) => Ok(serde_json::from_value(value)?),
        Outcome::Error(error) => Err(Refused(error).into()),
    }
}

/// 32 bytes from the operating system's random source.
///
/// # Errors
/// If the OS has none to give.
pub fn os_seed() -> anyhow::Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| anyhow::anyhow!("cannot read random bytes from the operating system: {e}"))?;
    Ok(seed)
}
