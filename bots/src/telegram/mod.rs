//! The Telegram channel (Bot API through teloxide). Each module has one job:
//!
//! - [`command`]: what a message or a button press asks for (`/track ORD-…`, `/login`,
//!   callback data), pure and fuzzed.
//! - [`reply`]: the words of the bot's replies.
//! - [`bot`]: the chat bot (teloxide `Dispatcher`, long polling): linking by `/login`,
//!   tracking with the engine's privacy, staff commands under the permission matrix.
//! - [`sender`]: the Telegram dispatcher's sender (`sendMessage`; 429 waits, a blocked or
//!   missing chat is permanent).
//! - `fuzzing` (feature `fuzzing`): the body of the `telegram_command` fuzz target.

pub mod bot;
pub mod command;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod reply;
pub mod sender;
