//! What the Telegram bot keeps about one chat, so a restart forgets nothing: the session
//! the chat is signed in with (by the HASH of its token, as sessions are stored — never
//! the token), the chat's dialogue state (what a guided flow is waiting for, serialized by
//! the bot), and the last updates the bot handled in it (Telegram re-delivers updates
//! after a restart; the bot acts on each at most once).
//!
//! The rules (who may read and change it, what linking does to the customer's channel)
//! are in `engine::telegram_chats`.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};

/// The longest dialogue state kept for a chat, in bytes (a guided flow's few answers).
pub const MAX_DIALOGUE_BYTES: usize = 16 * 1024;

/// How many of a chat's latest handled update ids are kept. Updates of one chat may be
/// handled slightly out of order (teloxide runs a button press whose message is gone
/// apart from the chat's messages), so a window of ids is kept, not just the last.
pub const RECENT_UPDATES: usize = 64;

/// One Telegram chat's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelegramChat {
    chat_id: i64,
    /// SHA-256 (hex) of the token of the session the chat is signed in with (redacted in
    /// human-readable serializations).
    #[serde(serialize_with = "crate::secret::redacted")]
    session_hash: Option<String>,
    dialogue: Option<String>,
    /// The latest handled update ids, ascending, at most [`RECENT_UPDATES`].
    recent_updates: Vec<u64>,
    updated_at: Timestamp,
}

impl TelegramChat {
    /// A chat the bot has not kept anything about yet.
    pub fn new(chat_id: i64, now: Timestamp) -> TelegramChat {
        TelegramChat {
            chat_id,
            session_hash: None,
            dialogue: None,
            recent_updates: Vec::new(),
            updated_at: now,
        }
    }

    /// The chat id.
    pub fn chat_id(&self) -> i64 {
        self.chat_id
    }

    /// The stored hash of the chat's session token, if it is signed in.
    pub fn session_hash(&self) -> Option<&str> {
        self.session_hash.as_deref()
    }

    /// The serialized dialogue state, if a flow is under way.
    pub fn dialogue(&self) -> Option<&str> {
        self.dialogue.as_deref()
    }

    /// The last (highest) update id handled in this chat.
    pub fn last_update(&self) -> Option<u64> {
        self.recent_updates.last().copied()
    }

    /// When the record last changed.
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    /// Signs the chat in with the session stored under `hash`; returns the hash it
    /// replaces.
    pub fn link(&mut self, hash: String, now: Timestamp) -> Option<String> {
        self.updated_at = now;
        self.session_hash.replace(hash)
    }

    /// Signs the chat out; returns the hash it was signed in with.
    pub fn unlink(&mut self, now: Timestamp) -> Option<String> {
        self.updated_at = now;
        self.session_hash.take()
    }

    /// Keeps `dialogue` as the chat's state (`None` ends the flow).
    ///
    /// # Errors
    /// `Validation` for a state over [`MAX_DIALOGUE_BYTES`].
    pub fn set_dialogue(&mut self, dialogue: Option<String>, now: Timestamp) -> Result<()> {
        if dialogue
            .as_ref()
            .is_some_and(|d| d.len() > MAX_DIALOGUE_BYTES)
        {
            return Err(Error::invalid(
                "dialogue",
                format!("at most {MAX_DIALOGUE_BYTES} bytes"),
            ));
        }
        self.dialogue = dialogue;
        self.updated_at = now;
        Ok(())
    }

    /// Records `update` as handled; false (and nothing changes) if it already was, or if
    /// it is older than every one of the [`RECENT_UPDATES`] latest handled (too old to
    /// tell: taken as seen, so an old re-delivery never acts again).
    pub fn mark_update(&mut self, update: u64, now: Timestamp) -> bool {
        let full = self.recent_updates.len() >= RECENT_UPDATES;
        let oldest = self.recent_updates.first().copied();
        if full && oldest.is_some_and(|oldest| update < oldest) {
            return false;
        }
        let Err(at) = self.recent_updates.binary_search(&update) else {
            return false;
        };
        self.recent_updates.insert(at, update);
        if self.recent_updates.len() > RECENT_UPDATES {
            self.recent_updates.remove(0);
        }
        self.updated_at = now;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_is_new_once_even_when_handled_out_of_order() {
        let mut chat = TelegramChat::new(-100, Timestamp(1));
        assert!(chat.mark_update(7, Timestamp(2)));
        assert!(!chat.mark_update(7, Timestamp(3)));
        assert!(chat.mark_update(9, Timestamp(4)));
        // 8 came after 9 (a button press handled apart): still new, once.
        assert!(chat.mark_update(8, Timestamp(5)));
        assert!(!chat.mark_update(8, Timestamp(6)));
        assert_eq!(chat.last_update(), Some(9));
        assert_eq!(chat.updated_at(), Timestamp(5));
        // The window holds the latest RECENT_UPDATES ids; older ones count as seen.
        let mut marked = 0;
        for update in 100..100 + RECENT_UPDATES as u64 {
            marked += usize::from(chat.mark_update(update, Timestamp(7)));
        }
        assert_eq!(marked, RECENT_UPDATES);
        assert!(!chat.mark_update(10, Timestamp(8)), "older than the window");
        assert!(!chat.mark_update(99, Timestamp(8)));
        assert!(!chat.mark_update(150, Timestamp(8)));
        assert!(chat.mark_update(1_000, Timestamp(8)));
        assert_eq!(chat.last_update(), Some(1_000));
    }

    #[test]
    fn a_dialogue_over_the_limit_is_refused_and_the_old_one_kept() {
        let mut chat = TelegramChat::new(1, Timestamp(1));
        chat.set_dialogue(Some("{\"step\":1}".into()), Timestamp(2))
            .unwrap();
        let big = "x".repeat(MAX_DIALOGUE_BYTES + 1);
        assert!(chat.set_dialogue(Some(big), Timestamp(3)).is_err());
        assert_eq!(chat.dialogue(), Some("{\"step\":1}"));
    }

    #[test]
    fn the_session_hash_is_redacted_in_json() {
        let mut chat = TelegramChat::new(1, Timestamp(1));
        chat.link("ab".repeat(32), Timestamp(2));
        let json = serde_json::to_string(&chat).unwrap();
        assert!(!json.contains(&"ab".repeat(32)), "{json}");
    }
}
