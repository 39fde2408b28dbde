//! Telegram's per-chat send rate: at most one message a second to one chat. A
//! [`ChatPacer`] hands each message to a chat a turn at least [`CHAT_INTERVAL`] after the
//! previous one's, in the order they asked (a queue per chat); different chats have their
//! own turns, so a busy chat holds no other back. The bot's replies and the dispatcher's
//! pushes of one service share one pacer (`ordo serve` builds it), as they share the chat.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// The shortest time between two messages to one chat.
pub const CHAT_INTERVAL: Duration = Duration::from_secs(1);

/// Chats whose turns are remembered before the ones already past are forgotten.
const REMEMBERED_CHATS: usize = 1024;

/// The next free turn of each chat.
#[derive(Debug)]
pub struct ChatPacer {
    interval: Duration,
    next: Mutex<HashMap<i64, Instant>>,
}

impl ChatPacer {
    /// A pacer spacing messages to one chat by `interval`.
    pub fn new(interval: Duration) -> Arc<ChatPacer> {
        Arc::new(ChatPacer {
            interval,
            next: Mutex::new(HashMap::new()),
        })
    }

    /// A pacer at Telegram's rate ([`CHAT_INTERVAL`]).
    pub fn telegram() -> Arc<ChatPacer> {
        ChatPacer::new(CHAT_INTERVAL)
    }

    /// Takes the next turn of `chat` (now if the chat has been quiet for an interval) and
    /// waits until it comes.
    pub async fn wait_turn(&self, chat: i64) {
        let turn = self.take_turn(chat, Instant::now());
        tokio::time::sleep_until(turn).await;
    }

    /// Reserves `chat`'s next turn as of `now` and returns it.
    fn take_turn(&self, chat: i64, now: Instant) -> Instant {
        // A poisoned lock only means another sender panicked mid-update: the map is
        // still a map of instants.
        let mut next = match self.next.lock() {
            Ok(next) => next,
            Err(poisoned) => poisoned.into_inner(),
        };
        if next.len() >= REMEMBERED_CHATS {
            next.retain(|_, free| *free > now);
        }
        let turn = next.get(&chat).map_or(now, |free| (*free).max(now));
        next.insert(chat, turn + self.interval);
        turn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_of_one_chat_are_spaced_and_other_chats_are_not_held() {
        let pacer = ChatPacer::new(Duration::from_secs(1));
        let now = Instant::now();
        let first = pacer.take_turn(1, now);
        let second = pacer.take_turn(1, now);
        let third = pacer.take_turn(1, now + Duration::from_millis(100));
        let other = pacer.take_turn(2, now);
        assert_eq!(first, now);
        assert_eq!(second, now + Duration::from_secs(1));
        assert_eq!(third, now + Duration::from_secs(2));
        assert_eq!(other, now, "another chat goes at once");
        // A chat quiet for longer than the interval goes at once again.
        let later = now + Duration::from_secs(10);
        assert_eq!(pacer.take_turn(1, later), later);
    }

    #[test]
    fn past_turns_are_forgotten_when_many_chats_were_seen() {
        let pacer = ChatPacer::new(Duration::from_millis(10));
        let now = Instant::now();
        for chat in 0..REMEMBERED_CHATS as i64 {
            pacer.take_turn(chat, now);
        }
        pacer.take_turn(-1, now + Duration::from_secs(1));
        let remembered = pacer.next.lock().unwrap().len();
        assert_eq!(remembered, 1, "only the chat whose turn is still ahead");
    }
}
