//! Registrations waiting for their code, kept server-side between the registration form
//! and the code page.
//!
//! The engine answers `customer.register` with a registration handle that verifying needs,
//! and the registration form takes the login and password that `customer.verify` sets.
//! None of these may reach a page, a hidden field, a cookie or a log, so they stay here, in
//! the process's memory, under a random key; the visitor's `ordo_registration` cookie
//! (path `/register`, `HttpOnly`) holds only that key. An entry lives at most [`TTL`] and
//! is dropped when the registration is verified; the map holds at most [`MAX_ENTRIES`]
//! (the per-peer registration rate limit bounds how fast it fills). A restart forgets
//! them: the visitor registers again (the engine frees a lapsed registration's phone and
//! email), which is the price of keeping no secret at rest in the web layer.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a registration waits for its code here.
pub(crate) const TTL: Duration = Duration::from_secs(60 * 60);

/// The most registrations waiting at once.
pub(crate) const MAX_ENTRIES: usize = 10_000;

/// A secret string: kept in memory only, never printed (`Debug` is redacted) and never
/// serialized (no `Serialize`).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Hidden(String);

impl Hidden {
    /// Hides `text`.
    pub fn new(text: String) -> Hidden {
        Hidden(text)
    }

    /// The secret itself, for the one request that needs it.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One registration waiting for its code.
#[derive(Debug, Clone)]
pub(crate) struct Waiting {
    /// The engine's registration handle.
    pub handle: Hidden,
    /// The login the visitor chose.
    pub login: String,
    /// The password the visitor chose (handed to `customer.verify`, then dropped).
    pub password: Hidden,
    /// Where the code went (`SMS`), for the page.
    pub sent_via: String,
    /// The phone the code went to, for the page.
    pub phone: String,
    /// When this entry is forgotten.
    pub expires: Instant,
}

/// The waiting registrations of this process. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub(crate) struct Pending {
    entries: Arc<Mutex<HashMap<String, Waiting>>>,
}

impl Pending {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Waiting>> {
        // A panic elsewhere while holding the lock leaves a consistent map (every change
        // is one insert or remove): keep using it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `waiting` under a fresh random key and returns the key; `None` without OS
    /// randomness or when [`MAX_ENTRIES`] registrations are already waiting.
    pub fn insert(&self, waiting: Waiting) -> Option<String> {
        let key = crate::csrf::nonce()?;
        let now = Instant::now();
        let mut entries = self.lock();
        entries.retain(|_, entry| entry.expires > now);
        if entries.len() >= MAX_ENTRIES {
            return None;
        }
        entries.insert(key.clone(), waiting);
        Some(key)
    }

    /// The registration waiting under `key`, unless it expired.
    pub fn get(&self, key: &str) -> Option<Waiting> {
        let now = Instant::now();
        let mut entries = self.lock();
        match entries.get(key) {
            Some(entry) if entry.expires > now => Some(entry.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Replaces the login and password of the registration under `key` (the visitor chose
    /// others after the engine refused them).
    pub fn set_login(&self, key: &str, login: String, password: Hidden) {
        if let Some(entry) = self.lock().get_mut(key) {
            entry.login = login;
            entry.password = password;
        }
    }

    /// Forgets the registration under `key`.
    pub fn remove(&self, key: &str) {
        self.lock().remove(key);
    }

    /// How many registrations are waiting (expired ones included until the next insert).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(expires: Instant) -> Waiting {
        Waiting {
            handle: Hidden::new("h".repeat(32)),
            login: "ada".into(),
            password: Hidden::new("rainy-tulip-orbit-42".into()),
            sent_via: "SMS".into(),
            phone: "+442071234567".into(),
            expires,
        }
    }

    #[test]
    fn entries_expire_are_bounded_and_never_print_their_secrets() {
        let pending = Pending::default();
        let now = Instant::now();
        let live = pending.insert(waiting(now + TTL)).unwrap();
        let stale = pending.insert(waiting(now)).unwrap();
        assert_ne!(live, stale);
        assert_eq!(live.len(), 32);
        assert!(pending.get(&live).is_some());
        assert!(pending.get(&stale).is_none(), "an expired entry is gone");
        assert!(pending.get("unknown").is_none());
        let shown = format!("{:?}", pending.get(&live).unwrap());
        assert!(
            !shown.contains("hhhh") && !shown.contains("rainy"),
            "{shown}"
        );
        pending.set_login(&live, "ada2".into(), Hidden::new("other-pass".into()));
        assert_eq!(pending.get(&live).unwrap().login, "ada2");
        pending.remove(&live);
        assert!(pending.get(&live).is_none());
        assert_eq!(pending.len(), 0);
        let mut kept = 0;
        while pending.insert(waiting(now + TTL)).is_some() {
            kept += 1;
        }
        assert_eq!(kept, MAX_ENTRIES, "the map is bounded");
    }
}
