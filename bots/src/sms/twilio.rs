//! The Twilio REST client: sends one SMS per call, through
//! `POST {api_url}/2010-04-01/Accounts/{sid}/Messages.json` with basic auth, and says how
//! the attempt ended in a way a dispatcher can act on ([`SendError`]).
//!
//! One call is one HTTP request: the client never retries by itself; the dispatcher owns
//! retries (with [`crate::retry::backoff`]) and the delivery record. A timeout is
//! [`SendError::Retryable`] although Twilio may have accepted the message before the
//! answer was lost, so a retry can send it twice: delivery is at-least-once.
//!
//! The auth token never appears in a `Debug` output, an error or a log line, and neither
//! does the message body (error texts that came from the network are scrubbed of both).

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::redirect::Policy;
use reqwest::{StatusCode, Url};
use serde::Deserialize;

/// Twilio's API base.
pub const DEFAULT_API_URL: &str = "https://api.twilio.com";
/// How long one request may take, connection included, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Twilio's error code for a recipient who texted STOP.
pub const OPTED_OUT_CODE: u32 = 21610;
/// At most this much of an answer is read (Twilio's are a few KB).
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// An error text from the network keeps at most this many characters.
const MAX_MESSAGE_CHARS: usize = 300;
/// A `Retry-After` longer than this is read as this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// A message body at least this long is scrubbed from error texts (a shorter one cannot
/// say anything worth hiding, and scrubbing it would mangle ordinary words).
const MIN_SCRUBBED_BODY_CHARS: usize = 8;
/// What a secret is replaced with.
const REDACTED: &str = "<redacted>";

/// Where and as whom to send. `Debug` shows everything but the auth token.
#[derive(Clone)]
pub struct TwilioConfig {
    /// The API base, [`DEFAULT_API_URL`] unless testing against a fake; `http` or
    /// `https`, no trailing path needed.
    pub api_url: String,
    /// The account SID (`AC…`), the basic-auth user and part of the URL.
    pub account_sid: String,
    /// The auth token, the basic-auth password. Secret.
    pub auth_token: String,
    /// The sender: a phone number in E.164 (`+15551234567`), or a Messaging Service SID
    /// (`MG` and 32 hex digits), which is sent as `MessagingServiceSid` instead of `From`.
    pub from: String,
    /// Where Twilio posts delivery status changes, if anywhere.
    pub status_callback: Option<String>,
    /// How long one request may take, connection included.
    pub timeout: Duration,
}

impl TwilioConfig {
    /// A configuration for the real API with the default timeout and no status callback.
    pub fn new(
        account_sid: impl Into<String>,
        auth_token: impl Into<String>,
        from: impl Into<String>,
    ) -> TwilioConfig {
        TwilioConfig {
            api_url: DEFAULT_API_URL.to_owned(),
            account_sid: account_sid.into(),
            auth_token: auth_token.into(),
            from: from.into(),
            status_callback: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl fmt::Debug for TwilioConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("api_url", &self.api_url)
            .field("account_sid", &self.account_sid)
            .field("auth_token", &REDACTED)
            .field("from", &self.from)
            .field("status_callback", &self.status_callback)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A configuration [`TwilioClient::new`] refuses. The texts name the field and never
/// repeat a value (a URL may carry credentials).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `api_url` is not an absolute `http`/`https` URL with a host.
    #[error("api_url: not an http or https URL with a host")]
    ApiUrl,
    /// `account_sid` is empty, too long, or not only letters and digits.
    #[error("account_sid: must be 1 to 64 letters and digits (AC…)")]
    AccountSid,
    /// `auth_token` is empty.
    #[error("auth_token: empty")]
    AuthToken,
    /// `from` is empty or has control characters.
    #[error("from: must be a phone number or a Messaging Service SID")]
    From,
    /// `status_callback` is not an absolute `http`/`https` URL.
    #[error("status_callback: not an http or https URL with a host")]
    StatusCallback,
    /// `timeout` is zero.
    #[error("timeout: must be above zero")]
    Timeout,
    /// The HTTP client could not be built (TLS set-up).
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
}

impl ConfigError {
    /// The configuration field at fault, as named in [`TwilioConfig`].
    pub fn field(&self) -> &'static str {
        match self {
            ConfigError::ApiUrl | ConfigError::Client(_) => "api_url",
            ConfigError::AccountSid => "account_sid",
            ConfigError::AuthToken => "auth_token",
            ConfigError::From => "from",
            ConfigError::StatusCallback => "status_callback",
            ConfigError::Timeout => "timeout",
        }
    }
}

/// A message's delivery status as Twilio names it. Twilio adds statuses over time; an
/// unknown one is kept (at most 32 characters) in [`MessageStatus::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Waiting in Twilio's queue.
    Queued,
    /// Accepted by a Messaging Service, not yet queued.
    Accepted,
    /// Scheduled for later.
    Scheduled,
    /// Being sent to the carrier.
    Sending,
    /// Handed to the carrier.
    Sent,
    /// The carrier confirmed delivery.
    Delivered,
    /// The carrier could not deliver.
    Undelivered,
    /// Twilio could not send.
    Failed,
    /// Scheduled, then canceled.
    Canceled,
    /// An inbound message being received.
    Receiving,
    /// An inbound message received.
    Received,
    /// Read (channels with read receipts).
    Read,
    /// Some parts delivered.
    PartiallyDelivered,
    /// A status this version does not know.
    Other(String),
}

impl MessageStatus {
    /// Reads Twilio's word (case-insensitive).
    pub fn parse(text: &str) -> MessageStatus {
        match text.trim().to_ascii_lowercase().as_str() {
            "queued" => MessageStatus::Queued,
            "accepted" => MessageStatus::Accepted,
            "scheduled" => MessageStatus::Scheduled,
            "sending" => MessageStatus::Sending,
            "sent" => MessageStatus::Sent,
            "delivered" => MessageStatus::Delivered,
            "undelivered" => MessageStatus::Undelivered,
            "failed" => MessageStatus::Failed,
            "canceled" => MessageStatus::Canceled,
            "receiving" => MessageStatus::Receiving,
            "received" => MessageStatus::Received,
            "read" => MessageStatus::Read,
            "partially_delivered" => MessageStatus::PartiallyDelivered,
            other => MessageStatus::Other(other.chars().take(32).collect()),
        }
    }

    /// Twilio's word for it.
    pub fn as_str(&self) -> &str {
        match self {
            MessageStatus::Queued => "queued",
            MessageStatus::Accepted => "accepted",
            MessageStatus::Scheduled => "scheduled",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Undelivered => "undelivered",
            MessageStatus::Failed => "failed",
            MessageStatus::Canceled => "canceled",
            MessageStatus::Receiving => "receiving",
            MessageStatus::Received => "received",
            MessageStatus::Read => "read",
            MessageStatus::PartiallyDelivered => "partially_delivered",
            MessageStatus::Other(other) => other,
        }
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What Twilio said about a message it accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// Twilio's id of the message (`SM…`), which status callbacks name.
    pub sid: String,
    /// Usually `queued` (or `accepted` through a Messaging Service).
    pub status: MessageStatus,
    /// The segments Twilio will bill, when it said.
    pub num_segments: Option<u32>,
}

/// How a send failed, sorted by what the dispatcher should do next. No variant's text
/// contains the auth token or the message body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// May work later: HTTP 429 or 408, 5xx, a timeout, a connection or transfer error.
    #[error("Twilio send may succeed later: {reason}")]
    Retryable {
        /// What happened, for the delivery's last error.
        reason: String,
        /// How long Twilio asked to wait (`Retry-After`, in seconds), if it did.
        retry_after: Option<Duration>,
    },
    /// The recipient opted out (Twilio error 21610): never text this number again until
    /// it opts back in.
    #[error("the recipient has opted out of messages from this number (Twilio error 21610)")]
    OptedOut,
    /// Twilio refused the message for good (another 4xx, 401 included: wrong credentials);
    /// sending the same request again would fail the same way.
    #[error("Twilio refused the message (HTTP {status}{}): {message}", code_suffix(*.code))]
    Permanent {
        /// The HTTP status (0 if the request could not even be built).
        status: u16,
        /// Twilio's error code (`21211` invalid number, `20003` bad credentials, …).
        code: Option<u32>,
        /// Twilio's explanation, shortened and scrubbed.
        message: String,
    },
}

impl SendError {
    /// Whether the dispatcher should try again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Retryable { .. })
    }

    /// The wait Twilio asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SendError::Retryable { retry_after, .. } => *retry_after,
            SendError::OptedOut | SendError::Permanent { .. } => None,
        }
    }
}

/// `, code 21211` or nothing.
fn code_suffix(code: Option<u32>) -> String {
    code.map(|code| format!(", code {code}"))
        .unwrap_or_default()
}

/// Sends SMS through the Twilio REST API. Cheap to clone (the HTTP connection pool is
/// shared); `Debug` hides the auth token.
#[derive(Clone)]
pub struct TwilioClient {
    /// The HTTP client, with the configured timeout and no redirects.
    http: reqwest::Client,
    /// `{api_url}/2010-04-01/Accounts/{sid}/Messages.json`.
    messages_url: Url,
    /// Basic-auth user.
    account_sid: String,
    /// Basic-auth password. Secret.
    auth_token: String,
    /// The sending number or Messaging Service.
    sender: Sender,
    /// `StatusCallback`, if configured.
    status_callback: Option<String>,
    /// For error texts.
    timeout: Duration,
}

/// Who a message is sent as.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sender {
    /// A phone number (form field `From`).
    Number(String),
    /// A Messaging Service (form field `MessagingServiceSid`).
    Service(String),
}

impl fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioClient")
            .field("messages_url", &self.messages_url.as_str())
            .field("account_sid", &self.account_sid)
            .field("auth_token", &REDACTED)
            .field("sender", &self.sender)
            .field("status_callback", &self.status_callback)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl TwilioClient {
    /// Checks the configuration and builds the HTTP client (timeout, no redirects: the
    /// credentials go to the configured host only).
    ///
    /// # Errors
    /// [`ConfigError`] naming the first field that is wrong, or `Client` if the TLS
    /// client cannot be built.
    pub fn new(config: TwilioConfig) -> Result<TwilioClient, ConfigError> {
        let account_sid = config.account_sid.trim().to_owned();
        let sid_ok = (1..=64).contains(&account_sid.len())
            && account_sid.bytes().all(|byte| byte.is_ascii_alphanumeric());
        if !sid_ok {
            return Err(ConfigError::AccountSid);
        }
        let base = web_url(config.api_url.trim()).ok_or(ConfigError::ApiUrl)?;
        let messages_url = Url::parse(&format!(
            "{}/2010-04-01/Accounts/{account_sid}/Messages.json",
            base.as_str().trim_end_matches('/')
        ))
        .map_err(|_| ConfigError::ApiUrl)?;
        if config.auth_token.is_empty() {
            return Err(ConfigError::AuthToken);
        }
        let sender = sender(config.from.trim()).ok_or(ConfigError::From)?;
        let status_callback = match config.status_callback {
            Some(callback) => Some(
                web_url(callback.trim())
                    .ok_or(ConfigError::StatusCallback)?
                    .to_string(),
            ),
            None => None,
        };
        if config.timeout.is_zero() {
            return Err(ConfigError::Timeout);
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(Policy::none())
            .user_agent(concat!("ordo-bots/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ConfigError::Client(error.to_string()))?;
        Ok(TwilioClient {
            http,
            messages_url,
            account_sid,
            auth_token: config.auth_token,
            sender,
            status_callback,
            timeout: config.timeout,
        })
    }

    /// Sends `body` to `to` (E.164) in one request.
    ///
    /// # Errors
    /// [`SendError::Retryable`] for 429/408/5xx, timeouts and connection errors (with
    /// Twilio's `Retry-After`, if given); [`SendError::OptedOut`] for error 21610;
    /// [`SendError::Permanent`] for any other refusal, and for a success answer that is
    /// not a Twilio message (a wrong `api_url` answering 200 with a web page).
    pub async fn send(&self, to: &str, body: &str) -> Result<SentMessage, SendError> {
        let (sender_field, sender_value) = match &self.sender {
            Sender::Number(number) => ("From", number.as_str()),
            Sender::Service(sid) => ("MessagingServiceSid", sid.as_str()),
        };
        let mut form = vec![("To", to), (sender_field, sender_value), ("Body", body)];
        if let Some(callback) = &self.status_callback {
            form.push(("StatusCallback", callback));
        }
        let secrets = Secrets {
            auth_token: &self.auth_token,
            body,
        };
        let request = self
            .http
            .post(self.messages_url.clone())
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .form(&form);
        let response = request
            .send()
            .await
            .map_err(|error| transport_error(&error, self.timeout, &secrets))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let answer = match read_limited(response).await {
            Ok(answer) => answer,
            Err(error) if status.is_success() => {
                // Twilio accepted it but the answer was lost: the dispatcher may retry
                // (at-least-once) rather than lose the message.
                return Err(transport_error(&error, self.timeout, &secrets));
            }
            Err(_) => Vec::new(),
        };
        let outcome = classify(status, retry_after, &answer, &secrets);
        match &outcome {
            Ok(sent) => {
                tracing::debug!(sid = %sent.sid, status = %sent.status, "Twilio accepted a message")
            }
            Err(error) => {
                tracing::debug!(http_status = status.as_u16(), %error, "Twilio did not accept a message")
            }
        }
        outcome
    }
}

/// An absolute `http`/`https` URL with a host.
fn web_url(text: &str) -> Option<Url> {
    let url = Url::parse(text).ok()?;
    let web =
        matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty());
    web.then_some(url)
}

/// A Messaging Service SID (`MG` + 32 hex) or a phone number.
fn sender(from: &str) -> Option<Sender> {
    if from.is_empty() || from.chars().any(char::is_control) || from.len() > 64 {
        return None;
    }
    let service = from.len() == 34
        && from.starts_with("MG")
        && from.bytes().skip(2).all(|byte| byte.is_ascii_hexdigit());
    Some(if service {
        Sender::Service(from.to_owned())
    } else {
        Sender::Number(from.to_owned())
    })
}

/// What must never appear in an error text.
struct Secrets<'a> {
    /// The auth token.
    auth_token: &'a str,
    /// The message body.
    body: &'a str,
}

impl Secrets<'_> {
    /// `text` shortened to [`MAX_MESSAGE_CHARS`], with the token and the body replaced.
    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        if !self.auth_token.is_empty() {
            text = text.replace(self.auth_token, REDACTED);
        }
        if self.body.chars().count() >= MIN_SCRUBBED_BODY_CHARS {
            text = text.replace(self.body, REDACTED);
        }
        let mut short: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
        if short.len() < text.len() {
            short.push_str("...");
        }
        short
    }
}

/// A request that got no (complete) HTTP answer.
fn transport_error(error: &reqwest::Error, timeout: Duration, secrets: &Secrets<'_>) -> SendError {
    if error.is_builder() {
        return SendError::Permanent {
            status: 0,
            code: None,
            message: "the request could not be built".to_owned(),
        };
    }
    let reason = if error.is_timeout() {
        format!("no answer from Twilio within {} ms", timeout.as_millis())
    } else {
        let what = if error.is_connect() {
            "could not connect to Twilio"
        } else {
            "the request to Twilio failed"
        };
        format!("{what}: {}", causes(error))
    };
    SendError::Retryable {
        reason: secrets.scrub(&reason),
        retry_after: None,
    }
}

/// The error and its causes, without the URL.
fn causes(error: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(error);
    // Bounded: error chains are short, and we stop after a few links anyway.
    for _ in 0..4 {
        let Some(current) = cause else { break };
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&current.to_string());
        cause = current.source();
    }
    if text.is_empty() {
        text = "unknown error".to_owned();
    }
    text
}

/// Reads at most [`MAX_RESPONSE_BYTES`] of the answer.
async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_RESPONSE_BYTES.saturating_sub(bytes.len());
        bytes.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        if bytes.len() >= MAX_RESPONSE_BYTES {
            break;
        }
    }
    Ok(bytes)
}

/// `Retry-After` in seconds (an HTTP date is ignored: Twilio sends seconds).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
}

/// Twilio's message resource (the fields we read).
#[derive(Deserialize)]
struct MessageResource {
    /// `SM…`.
    sid: String,
    /// `queued`, `accepted`, …
    status: String,
    /// A string of digits in Twilio's answers; a number is accepted too.
    #[serde(default)]
    num_segments: Option<serde_json::Value>,
}

/// Twilio's error body (the fields we read).
#[derive(Deserialize)]
struct ErrorResource {
    /// `21211`, `20003`, …
    #[serde(default)]
    code: Option<u32>,
    /// What went wrong, in English.
    #[serde(default)]
    message: Option<String>,
}

/// Sorts an HTTP answer into the outcome of [`TwilioClient::send`].
fn classify(
    status: StatusCode,
    retry_after: Option<Duration>,
    answer: &[u8],
    secrets: &Secrets<'_>,
) -> Result<SentMessage, SendError> {
    if status.is_success() {
        return sent_message(answer).ok_or_else(|| SendError::Permanent {
            status: status.as_u16(),
            code: None,
            message: "the answer is not a Twilio message (is api_url right?)".to_owned(),
        });
    }
    if status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
    {
        return Err(SendError::Retryable {
            reason: format!("Twilio answered HTTP {}", status.as_u16()),
            retry_after,
        });
    }
    let error: Option<ErrorResource> = serde_json::from_slice(answer).ok();
    let code = error.as_ref().and_then(|error| error.code);
    if code == Some(OPTED_OUT_CODE) {
        return Err(SendError::OptedOut);
    }
    let message = error
        .and_then(|error| error.message)
        .filter(|message| !message.trim().is_empty())
        .map_or_else(
            || {
                status
                    .canonical_reason()
                    .unwrap_or("unexpected answer")
                    .to_owned()
            },
            |message| secrets.scrub(&message),
        );
    Err(SendError::Permanent {
        status: status.as_u16(),
        code,
        message,
    })
}

/// The message resource in a success answer, if it is one.
fn sent_message(answer: &[u8]) -> Option<SentMessage> {
    let resource: MessageResource = serde_json::from_slice(answer).ok()?;
    let sid_ok = (1..=64).contains(&resource.sid.len())
        && resource
            .sid
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric());
    if !sid_ok {
        return None;
    }
    let num_segments = match resource.num_segments {
        Some(serde_json::Value::String(text)) => text.trim().parse().ok(),
        Some(serde_json::Value::Number(number)) => {
            number.as_u64().and_then(|n| u32::try_from(n).ok())
        }
        _ => None,
    };
    Some(SentMessage {
        sid: resource.sid,
        status: MessageStatus::parse(&resource.status),
        num_segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "f00dfeedf00dfeedf00dfeedf00dfeed";
    const BODY: &str = "Your verification code is 483920";

    fn secrets() -> Secrets<'static> {
        Secrets {
            auth_token: TOKEN,
            body: BODY,
        }
    }

    fn config() -> TwilioConfig {
        TwilioConfig::new("AC0123456789abcdef0123456789abcdef", TOKEN, "+15550001111")
    }

    #[test]
    fn debug_hides_the_token() {
        let config = config();
        assert!(!format!("{config:?}").contains(TOKEN));
        assert!(format!("{config:?}").contains("<redacted>"));
        let client = TwilioClient::new(config).unwrap();
        assert!(!format!("{client:?}").contains(TOKEN));
    }

    #[test]
    fn the_messages_url_is_built_from_the_base() {
        let mut config = config();
        config.api_url = "http://127.0.0.1:9999/".into();
        let client = TwilioClient::new(config).unwrap();
        assert_eq!(
            client.messages_url.as_str(),
            "http://127.0.0.1:9999/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
        );
    }

    #[test]
    fn bad_configuration_names_its_field() {
        type Change = Box<dyn Fn(&mut TwilioConfig)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|c| c.api_url = "api.twilio.com".into()), "api_url"),
            (
                Box::new(|c| c.api_url = "ftp://api.twilio.com".into()),
                "api_url",
            ),
            (Box::new(|c| c.account_sid = String::new()), "account_sid"),
            (
                Box::new(|c| c.account_sid = "AC/../x".into()),
                "account_sid",
            ),
            (Box::new(|c| c.auth_token = String::new()), "auth_token"),
            (Box::new(|c| c.from = " ".into()), "from"),
            (
                Box::new(|c| c.status_callback = Some("/sms/status".into())),
                "status_callback",
            ),
            (Box::new(|c| c.timeout = Duration::ZERO), "timeout"),
        ];
        for (change, field) in cases {
            let mut config = config();
            change(&mut config);
            let error = TwilioClient::new(config).unwrap_err();
            assert_eq!(error.field(), field, "{error}");
            assert!(error.to_string().starts_with(field));
        }
    }

    #[test]
    fn a_messaging_service_sid_is_sent_as_such() {
        assert_eq!(
            sender("MG0123456789abcdef0123456789abcdef"),
            Some(Sender::Service("MG0123456789abcdef0123456789abcdef".into()))
        );
        assert_eq!(
            sender("+15550001111"),
            Some(Sender::Number("+15550001111".into()))
        );
        assert_eq!(sender("MGshort"), Some(Sender::Number("MGshort".into())));
        assert_eq!(sender("+1555\n"), None);
    }

    #[test]
    fn a_created_message_is_read() {
        let answer = br#"{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","num_segments":"2","error_code":null}"#;
        let sent = classify(StatusCode::CREATED, None, answer, &secrets()).unwrap();
        assert_eq!(
            sent,
            SentMessage {
                sid: "SM0123456789abcdef0123456789abcdef".into(),
                status: MessageStatus::Queued,
                num_segments: Some(2),
            }
        );
        let numeric = br#"{"sid":"SM1","status":"accepted","num_segments":1}"#;
        let sent = classify(StatusCode::CREATED, None, numeric, &secrets()).unwrap();
        assert_eq!(sent.num_segments, Some(1));
        assert_eq!(sent.status, MessageStatus::Accepted);
    }

    #[test]
    fn a_success_that_is_not_a_message_is_permanent() {
        for answer in [
            &b"<html>welcome</html>"[..],
            br#"{"sid":"","status":"queued"}"#,
            br#"{"sid":"SM 1","status":"queued"}"#,
        ] {
            let error = classify(StatusCode::OK, None, answer, &secrets()).unwrap_err();
            assert!(
                matches!(
                    error,
                    SendError::Permanent {
                        status: 200,
                        code: None,
                        ..
                    }
                ),
                "{error:?}"
            );
        }
    }

    #[test]
    fn statuses_sort_into_outcomes() {
        let wait = Some(Duration::from_secs(3));
        let too_many =
            classify(StatusCode::TOO_MANY_REQUESTS, wait, b"{}", &secrets()).unwrap_err();
        assert_eq!(too_many.retry_after(), wait);
        assert!(too_many.is_retryable());
        for status in [500, 502, 503, 504, 408] {
            let error =
                classify(StatusCode::from_u16(status).unwrap(), None, b"", &secrets()).unwrap_err();
            assert!(error.is_retryable(), "{status}");
        }
        let opted_out =
            br#"{"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400}"#;
        assert_eq!(
            classify(StatusCode::BAD_REQUEST, None, opted_out, &secrets()).unwrap_err(),
            SendError::OptedOut
        );
        let invalid = br#"{"code":21211,"message":"The 'To' number 123 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#;
        assert_eq!(
            classify(StatusCode::BAD_REQUEST, None, invalid, &secrets()).unwrap_err(),
            SendError::Permanent {
                status: 400,
                code: Some(21211),
                message: "The 'To' number 123 is not a valid phone number.".into(),
            }
        );
        let no_body = classify(StatusCode::NOT_FOUND, None, b"", &secrets()).unwrap_err();
        assert_eq!(
            no_body,
            SendError::Permanent {
                status: 404,
                code: None,
                message: "Not Found".into()
            }
        );
        let redirect = classify(StatusCode::FOUND, None, b"", &secrets()).unwrap_err();
        assert!(matches!(redirect, SendError::Permanent { status: 302, .. }));
    }

    #[test]
    fn error_texts_from_the_network_are_scrubbed_and_shortened() {
        let echo = format!(
            r#"{{"code":21617,"message":"token {TOKEN} body {BODY} {}","status":400}}"#,
            "x".repeat(1000)
        );
        let error =
            classify(StatusCode::BAD_REQUEST, None, echo.as_bytes(), &secrets()).unwrap_err();
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(TOKEN), "{text}");
            assert!(!text.contains(BODY), "{text}");
            assert!(text.len() < 500, "{}", text.len());
        }
        assert_eq!(
            error.to_string(),
            format!(
                "Twilio refused the message (HTTP 400, code 21617): token <redacted> body <redacted> {}...",
                "x".repeat(MAX_MESSAGE_CHARS - "token <redacted> body <redacted> ".len())
            )
        );
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, " 7 ".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(RETRY_AFTER, "99999999999".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(MAX_RETRY_AFTER));
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn statuses_round_trip() {
        for word in [
            "queued",
            "accepted",
            "scheduled",
            "sending",
            "sent",
            "delivered",
            "undelivered",
            "failed",
            "canceled",
            "receiving",
            "received",
            "read",
            "partially_delivered",
        ] {
            let status = MessageStatus::parse(word);
            assert!(!matches!(status, MessageStatus::Other(_)), "{word}");
            assert_eq!(status.as_str(), word);
            assert_eq!(MessageStatus::parse(&word.to_uppercase()), status);
        }
        assert_eq!(
            MessageStatus::parse("Teleported"),
            MessageStatus::Other("teleported".into())
        );
        assert_eq!(MessageStatus::parse(&"z".repeat(100)).as_str().len(), 32);
    }
}
