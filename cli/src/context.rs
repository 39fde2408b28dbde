//! What every command runs with: the engine, the actor and the output form.

use std::sync::Arc;

use ordo_core::auth::Actor;
use ordo_core::clock::SystemClock;
use ordo_core::random::SeededRandom;
use ordo_core::session::SessionToken;
use ordo_core::store::Store;
use ordo_core::{Engine, EngineConfig};

use crate::identity::{self, Identity};
use crate::password::SignInPassword;
use crate::render::Output;

/// The engine, who is acting, and how to print.
pub struct Context<S: Store> {
    /// The engine over the data directory's store.
    pub engine: Engine<S>,
    /// Who runs the command (see [`crate::identity`]).
    pub actor: Actor,
    /// JSON or human output.
    pub out: Output,
    /// Whether `--as` spent `$ORDO_PASSWORD` (so a new password must come from elsewhere).
    pub sign_in: SignInPassword,
    /// The one-command session `--as` opened, ended by [`Context::close`].
    session: Option<SessionToken>,
}

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
        let signed = identity::sign_in(&engine, identity)?;
        Ok(Context {
            engine,
            actor: signed.actor,
            out,
            sign_in: signed.password,
            session: signed.session,
        })
    }

    /// Ends the session `--as` opened, if any.
    ///
    /// # Errors
    /// If the logout cannot be written.
    pub fn close(self) -> anyhow::Result<()> {
        if let Some(token) = &self.session {
            self.engine.logout(token.reveal())?;
        }
        Ok(())
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
