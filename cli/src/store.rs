//! Where the data lives: the one module that chooses and opens the store.
//!
//! Every other module sees only `ordo_core::store::Store` through the engine.

use std::path::Path;

use anyhow::Context as _;
use ordo_storage::{Durability, SledStore, StoreConfig};

/// The store the CLI runs on.
pub type AppStore = SledStore;

/// Opens (creating if needed) the store in `dir`, with every acknowledged change on stable
/// storage before the command reports success.
///
/// # Errors
/// If the directory cannot be created, is in use by another ordo process, or holds data
/// that cannot be read.
pub fn open_store(dir: &Path) -> anyhow::Result<AppStore> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    let store = SledStore::open(dir, StoreConfig::new(Durability::Immediate))
        .map_err(ordo_core::Error::from)?;
    Ok(store)
}
