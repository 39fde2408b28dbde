//! What the Telegram bot keeps about one chat, so a restart forgets nothing: the session
//! the chat is signed in with (by the HASH of its token, as sessions are stored — never
//! the token), the chat's dialogue state (what a guided flow is waiting for, serialized by
//! the bot), and the last update the bot handled in it (Telegram re-delivers updates
//! after a restart; the bot acts on each at most once).
//!
//! The rules (who may read and change it, what linking does to the customer's channel)
//! are in `engine::telegram_chats`.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};

/// The longest dialogue state kept for a chat, in bytes (a guided flow's few answers).
pub const MAX_DIALOGUE_BYTES: usize = 16 * 1024;

/// One Telegram chat's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelegramChat {
    chat_id: i64,
    /// SHA-256 (hex) of the token of the session the chat is signed in with (redacted in
    /// human-readable serializations).
    #[serde(serialize_with = "crate::secret::redacted")]
    session_hash: Option<String>,
    dialogue: Option<String>,
    last_update: Option<u64>,
    updated_at: Timestamp,
}

impl TelegramChat {
    /// A chat the bot has not kept anything about yet.
    pub fn new(chat_id: i64, now: Timestamp) -> TelegramChat {
        TelegramChat {
            chat_id,
            session_hash: None,
            dialogue: None,
            last_update: None,
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

    /// The last update id handled in this chat.
    pub fn last_update(&self) -> Option<u64> {
        self.last_update
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

    /// Records `update` as handled; false (and nothing changes) if it or a later update
    /// already was. Telegram numbers updates in increasing order and the bot handles one
    /// chat's updates in order, so "not after the last" means "seen".
    pub fn mark_update(&mut self, update: u64, now: Timestamp) -> bool {
        if self.last_update.is_some_and(|last| update <= last) {
            return false;
        }
        self.last_update = Some(update);
        self.updated_at = now;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_is_new_once_and_older_ones_are_not() {
        let mut chat = TelegramChat::new(-100, Timestamp(1));
        assert!(chat.mark_update(7, Timestamp(2)));
        assert!(!chat.mark_update(7, Timestamp(3)));
        assert!(!chat.mark_update(6, Timestamp(3)));
        assert!(chat.mark_update(9, Timestamp(4)));
        assert_eq!(chat.last_update(), Some(9));
        assert_eq!(chat.updated_at(), Timestamp(4));
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
