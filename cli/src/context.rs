//! What every command runs with: the transport to the engine, the actor and the output
//! form.
//!
//! The transport is the engine on the store this process opened, or a running `ordo
//! serve` that holds the store (its socket, [`crate::remote`]); commands send the same
//! requests either way and get the same responses, so output and exit codes are alike.

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
use crate::remote::Service;
use crate::render::Output;

/// Where requests go.
pub enum Transport<S: Store> {
    /// The engine on the store this process opened, as the local administrator named
    /// `caller`.
    Local {
        /// The engine over the data directory's store.
        engine: Engine<S>,
        /// The local administrator (named after the OS user).
        caller: Caller,
    },
    /// A running `ordo serve` holding the store, through its socket.
    Service(Service),
}

impl<S: Store> Transport<S> {
    /// The engine on `store`: the system clock, references drawn from OS randomness,
    /// requests from the local administrator named after the OS user.
    ///
    /// # Errors
    /// If the operating system cannot supply random bytes.
    pub fn local(store: S) -> anyhow::Result<Transport<S>> {
        let engine = Engine::new(
            store,
            Arc::new(SystemClock),
            Arc::new(SeededRandom::from_seed(os_seed()?)),
            EngineConfig::default(),
        );
        Ok(Transport::Local {
            engine,
            caller: Caller::Local {
                name: identity::os_user(),
            },
        })
    }

    /// Sends `request` as the local administrator (or `session`'s user) and reads the
    /// answer as `V`.
    ///
    /// # Errors
    /// [`Refused`] with the contract's error (its status is the exit code); a service
    /// that cannot be reached.
    pub fn call<V: serde::de::DeserializeOwned>(
        &self,
        session: Option<&str>,
        request: Request,
    ) -> anyhow::Result<V> {
        match self {
            Transport::Local { engine, caller } => call(engine, caller, session, request),
            Transport::Service(service) => answer(service.send(session, request)?),
        }
    }
}

/// The engine (or the service), who is acting, and how to print.
pub struct Context<S: Store> {
    /// Where requests go.
    transport: Transport<S>,
    /// Who runs the command (see [`crate::identity`]), as the contract names them.
    pub who: WhoView,
    /// JSON or human output.
    pub out: Output,
    /// Whether `--as` spent `$ORDO_PASSWORD` (so a new password must come from elsewhere).
    pub sign_in: SignInPassword,
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
    /// A context sending its requests through `transport`, acting as `identity` says.
    ///
    /// # Errors
    /// `Unauthenticated` if signing in fails; a service that cannot be reached.
    pub fn open(
        transport: Transport<S>,
        out: Output,
        identity: &Identity,
    ) -> anyhow::Result<Context<S>> {
        let signed = identity::sign_in(&transport, identity)?;
        Ok(Context {
            transport,
            who: signed.who,
            out,
            sign_in: signed.password,
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
        self.transport.call(self.session.as_deref(), request)
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
    answer(ordo_api::execute(engine, caller, session, request, None))
}

/// A response's value read as `V`, or its error as [`Refused`].
fn answer<V: serde::de::DeserializeOwned>(response: ordo_api::Response) -> anyhow::Result<V> {
    match response.outcome {
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
