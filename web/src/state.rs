//! [`WebState`]: what every web handler gets.

use std::sync::Arc;

use ordo_bots::http::AppState;
use ordo_core::store::Store;

/// The service's state plus what only the web needs. Cheap to clone.
pub struct WebState<S: Store> {
    /// The service: the engine's pool and the configuration.
    pub app: AppState<S>,
    /// The key CSRF tokens are computed with (random per process: a restart only makes
    /// open forms ask to be reloaded).
    pub(crate) csrf_key: Arc<[u8; 32]>,
    /// Whether cookies get `Secure` (the configured public URL is https).
    pub(crate) secure_cookies: bool,
}

impl<S: Store> Clone for WebState<S> {
    fn clone(&self) -> Self {
        WebState {
            app: self.app.clone(),
            csrf_key: self.csrf_key.clone(),
            secure_cookies: self.secure_cookies,
        }
    }
}

impl<S: Store + Send + Sync + 'static> WebState<S> {
    /// The web state of the service `app`, with a fresh random CSRF key.
    pub fn new(app: AppState<S>) -> WebState<S> {
        let mut key = [0u8; 32];
        if getrandom::fill(&mut key).is_err() {
            // No OS randomness: a key from the clock and the address space is still
            // unknown to a remote attacker, and tokens stay bound to the cookie nonce.
            let seed = format!("{:?}{:p}", std::time::SystemTime::now(), &key);
            key = crate::csrf::digest(seed.as_bytes());
        }
        WebState::with_key(app, key)
    }

    /// The web state of `app` with a given CSRF key.
    pub fn with_key(app: AppState<S>, key: [u8; 32]) -> WebState<S> {
        let secure_cookies = app
            .config
            .public_url()
            .is_some_and(|url| url.trim().to_ascii_lowercase().starts_with("https://"));
        WebState {
            app,
            csrf_key: Arc::new(key),
            secure_cookies,
        }
    }
}
