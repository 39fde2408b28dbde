//! The Telegram dispatcher's [`Sender`]: a delivery to a chat goes out as `sendMessage`
//! through teloxide's [`Bot`]; the Bot API's answers are sorted into what the dispatcher
//! does next:
//!
//! - `429 Too Many Requests` with `retry_after` → [`SendFailure::Retryable`] carrying that
//!   wait (the dispatcher waits at least as long, longer if its own backoff says so);
//! - a network or I/O failure, an answer that is not the Bot API's JSON (a proxy's 502
//!   page), or an error the Bot API does not describe as the request's fault → retryable;
//! - `400 chat not found`, `403 bot was blocked by the user`, a deactivated user, any other
//!   `Bad Request`/`Forbidden`/`Unauthorized`, a group that moved → permanent (dead).
//!
//! A reason never holds the token: a request URL carries it (`/bot<token>/…`), so network
//! errors are described by their kind, never by reqwest's text.
//!
//! Telegram refuses texts over [`MAX_MESSAGE_CHARS`] characters; a longer text goes out in
//! parts of at most that many characters (at most [`MAX_PARTS`]; a longer one is refused
//! as permanent rather than sent half).

use std::sync::Arc;
use std::time::Duration;

use ordo_core::delivery::{DeliveryChannel, Recipient};
use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};

use crate::config::ServeConfig;
use crate::notify::{SendFailure, SendFuture, Sender, Sent};

use super::pace::ChatPacer;

/// Telegram's limit on a message's text, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// A notification longer than this many messages is refused, not sent in pieces.
pub const MAX_PARTS: usize = 4;

/// How long one Bot API call may take (teloxide's long polls use their own timeout).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a bot cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// The API URL is not an absolute URL.
    #[error("telegram.api_url: {0}")]
    ApiUrl(String),
    /// The HTTP client could not be built (TLS roots).
    #[error("the Telegram HTTP client: {0}")]
    Client(String),
}

/// A teloxide [`Bot`] for `token` talking to `api_url` (a base URL without a trailing
/// `/`: `https://api.telegram.org`, or a local fake). Never prints the token.
///
/// # Errors
/// [`BotError`] when the URL does not parse or the HTTP client cannot be built.
pub fn bot(token: &str, api_url: &str) -> Result<Bot, BotError> {
    let url = reqwest::Url::parse(api_url).map_err(|error| BotError::ApiUrl(error.to_string()))?;
    let client = teloxide::net::default_reqwest_settings()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|error| BotError::Client(error.without_url().to_string()))?;
    Ok(Bot::with_client(token, client).set_api_url(url))
}

/// The bot `config` describes: `None` without a token (the channel is off).
///
/// # Errors
/// [`BotError`] when the bot cannot be built from it.
pub fn from_config(config: &ServeConfig) -> Result<Option<Bot>, BotError> {
    let telegram = config.telegram();
    let Some(token) = &telegram.token else {
        return Ok(None);
    };
    bot(token.expose(), &telegram.api_url).map(Some)
}

/// Sends Telegram deliveries through the Bot API, each message in its chat's turn
/// ([`ChatPacer`]: one a second to one chat).
pub struct TelegramSender {
    bot: Bot,
    pacer: Arc<ChatPacer>,
}

impl TelegramSender {
    /// A sender over `bot`, with a pacer of its own.
    pub fn new(bot: Bot) -> TelegramSender {
        TelegramSender::paced(bot, ChatPacer::telegram())
    }

    /// A sender over `bot` whose messages take their turns from `pacer` (shared with the
    /// bot's replies).
    pub fn paced(bot: Bot, pacer: Arc<ChatPacer>) -> TelegramSender {
        TelegramSender { bot, pacer }
    }

    /// Sends `text` to `chat` in as few messages as the length limit allows; the id of
    /// the first is the provider's id.
    async fn send_text(&self, chat: i64, text: &str) -> Result<Sent, SendFailure> {
        let parts = split(text);
        if parts.len() > MAX_PARTS {
            return Err(SendFailure::Permanent {
                reason: format!(
                    "the text needs {} messages; at most {MAX_PARTS} are sent",
                    parts.len()
                ),
            });
        }
        let mut first = None;
        for part in parts {
            self.pacer.wait_turn(chat).await;
            let message = self
                .bot
                .send_message(ChatId(chat), part)
                .await
                .map_err(failure)?;
            first.get_or_insert(message.id.0.to_string());
        }
        Ok(Sent { provider_id: first })
    }
}

impl Sender for TelegramSender {
    fn channel(&self) -> DeliveryChannel {
        DeliveryChannel::Telegram
    }

    fn send<'a>(&'a self, to: &'a Recipient, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let Recipient::TelegramChat(chat) = to else {
                return Err(SendFailure::Permanent {
                    reason: format!("the Telegram dispatcher cannot reach {to}"),
                });
            };
            self.send_text(*chat, text).await
        })
    }
}

/// `text` in pieces of at most [`MAX_MESSAGE_CHARS`] characters, cut at a line break
/// where one falls in the piece's second half; never empty (an empty text is one empty
/// piece, which the Bot API refuses as permanent).
pub fn split(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    while rest.len() > MAX_MESSAGE_CHARS {
        let window = rest.get(..MAX_MESSAGE_CHARS).unwrap_or_default();
        let cut = window
            .iter()
            .rposition(|c| *c == '\n')
            .filter(|at| *at >= MAX_MESSAGE_CHARS / 2)
            .map_or(MAX_MESSAGE_CHARS, |at| at + 1);
        let tail = rest.split_off(cut);
        parts.push(rest.into_iter().collect());
        rest = tail;
    }
    parts.push(rest.into_iter().collect());
    parts
}

/// What the dispatcher does after this error (see the module documentation).
pub fn failure(error: RequestError) -> SendFailure {
    match error {
        RequestError::RetryAfter(wait) => SendFailure::Retryable {
            reason: format!("Telegram rate limit: retry after {} s", wait.seconds()),
            retry_after: Some(wait.duration()),
        },
        RequestError::MigrateToChatId(chat) => SendFailure::Permanent {
            reason: format!("the group moved to chat {chat}"),
        },
        RequestError::Api(api) => api_failure(api),
        RequestError::Network(error) => SendFailure::Retryable {
            reason: network_reason(&error),
            retry_after: None,
        },
        RequestError::InvalidJson { .. } => SendFailure::Retryable {
            reason: "the Bot API answered something that is not its JSON".into(),
            retry_after: None,
        },
        RequestError::Io(error) => SendFailure::Retryable {
            reason: format!("I/O error: {}", error.kind()),
            retry_after: None,
        },
    }
}

/// An error the Bot API described.
fn api_failure(api: ApiError) -> SendFailure {
    let reason = format!("Telegram: {api}");
    let transient = match &api {
        ApiError::Unknown(description) => {
            !["Bad Request", "Forbidden", "Unauthorized", "Not Found"]
                .iter()
                .any(|fault| description.starts_with(fault))
        }
        _ => false,
    };
    if transient {
        SendFailure::Retryable {
            reason,
            retry_after: None,
        }
    } else {
        SendFailure::Permanent { reason }
    }
}

/// A network failure by its kind: reqwest's own text names the URL, and with it the token.
fn network_reason(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the answer broke off"
    } else if error.is_request() {
        "the request failed"
    } else {
        "failed"
    };
    format!("Bot API request {kind}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_split_at_lines_within_the_limit() {
        assert_eq!(split("hello"), vec!["hello".to_string()]);
        assert_eq!(split(""), vec![String::new()]);
        let line = format!("{}\n", "é".repeat(99));
        let text = line.repeat(90);
        let parts = split(&text);
        assert_eq!(parts.concat(), text);
        assert!(parts.iter().all(|p| p.chars().count() <= MAX_MESSAGE_CHARS));
        assert!(
            parts
                .iter()
                .take(parts.len() - 1)
                .all(|p| p.ends_with('\n'))
        );
        let unbroken = "x".repeat(MAX_MESSAGE_CHARS * 2 + 1);
        let parts = split(&unbroken);
        assert_eq!(
            parts.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
            vec![MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS, 1]
        );
    }

    #[test]
    fn blocked_and_missing_chats_are_permanent_and_rate_limits_wait() {
        assert!(matches!(
            failure(RequestError::Api(ApiError::ChatNotFound)),
            SendFailure::Permanent { .. }
        ));
        assert!(matches!(
            failure(RequestError::Api(ApiError::BotBlocked)),
            SendFailure::Permanent { .. }
        ));
        assert!(matches!(
            failure(RequestError::Api(ApiError::Unknown(
                "Bad Request: odd".into()
            ))),
            SendFailure::Permanent { .. }
        ));
        assert!(matches!(
            failure(RequestError::Api(ApiError::Unknown(
                "Internal Server Error".into()
            ))),
            SendFailure::Retryable { .. }
        ));
        assert_eq!(
            failure(RequestError::RetryAfter(
                teloxide::types::Seconds::from_seconds(7)
            )),
            SendFailure::Retryable {
                reason: "Telegram rate limit: retry after 7 s".into(),
                retry_after: Some(Duration::from_secs(7)),
            }
        );
    }

    #[tokio::test]
    async fn a_network_failure_is_retryable_and_never_names_the_token() {
        // A port nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let token = "424242:network-s3cr3t";
        let sender = TelegramSender::new(bot(token, &format!("http://127.0.0.1:{port}")).unwrap());
        let failure = sender
            .send(&Recipient::TelegramChat(5), "hi")
            .await
            .unwrap_err();
        let SendFailure::Retryable { reason, .. } = failure else {
            panic!("{failure:?}");
        };
        assert!(!reason.contains("s3cr3t"), "{reason}");
        assert_eq!(reason, "Bot API request could not connect");
    }
}
