//! What every command runs with: the engine, the actor and the output form.

use std::sync::Arc;

use ordo_core::auth::Actor;
use ordo_core::clock::SystemClock;
use ordo_core::random::SeededRandom;
use ordo_core::store::Store;
use ordo_core::{Engine, EngineConfig};

use crate::render::Output;

/// The engine, who is acting, and how to print.
pub struct Context<S: Store> {
    /// The engine over the data directory's store.
    pub engine: Engine<S>,
    /// The local administrator running the CLI.
    pub actor: Actor,
    /// JSON or human output.
    pub out: Output,
}

impl<S: Store> Context<S> {
    /// A context on the system clock, with references drawn from OS randomness.
    ///
    /// # Errors
    /// If the operating system cannot supply random bytes.
    pub fn new(store: S, out: Output) -> anyhow::Result<Context<S>> {
        let engine = Engine::new(
            store,
            Arc::new(SystemClock),
            Arc::new(SeededRandom::from_seed(os_seed()?)),
            EngineConfig::default(),
        );
        Ok(Context {
            engine,
            actor: local_actor(),
            out,
        })
    }
}

/// The local administrator: the OS user from `$USER`, or `unknown`.
pub fn local_actor() -> Actor {
    let user = std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    Actor::local_admin(&user)
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
