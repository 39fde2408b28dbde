//! The Telegram channel (Bot API through teloxide). Each module has one job:
//!
//! - [`command`]: what a message or a button press asks for (`/track ORD-…`, `/login`,
//!   callback data), pure and fuzzed.
//! - [`reply`]: the words of the bot's replies.
//! - [`bot`]: the chat bot (teloxide `Dispatcher`, long polling): linking by `/login`,
//!   tracking with the engine's privacy, staff commands under the permission matrix.
//! - `cart`: `/cart` and checkout on the customer's Draft order (place → reference).
//! - `catalog`: `/catalog` pages and product cards (photo, price for the user's group,
//!   availability, Add to cart).
//! - `links`: a chat's sign-in and handled updates, kept in the engine's store.
//! - [`dialogue`]: teloxide's dialogue `Storage` on the engine's store.
//! - [`register`]: `/register`, the guided registration kept as the chat's dialogue.
//! - `staff`: staff commands that send files: `/picklist WAREHOUSE` (the pick list as a
//!   PDF document) and `/report` (sales today, 7 or 30 days).
//! - `upload`: a file for a chat from memory (`sendDocument`, `sendPhoto`), paced and
//!   retried like a message, logged by kind, name and size.
//! - [`pace`]: at most one message a second to one chat, other chats not held back.
//! - [`sender`]: the Telegram dispatcher's sender (`sendMessage`; 429 waits, a blocked or
//!   missing chat is permanent).
//! - [`webhook`]: webhook mode — the route on our axum server (secret checked in
//!   constant time) and the update listener it feeds.
//! - `fuzzing` (feature `fuzzing`): the body of the `telegram_command` fuzz target.

pub mod bot;
mod cart;
mod catalog;
pub mod command;
pub mod dialogue;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod links;
pub mod pace;
pub mod register;
pub mod reply;
pub mod sender;
mod staff;
mod upload;
pub mod webhook;
