//! A fake Twilio Messaging API on 127.0.0.1 for tests: the one endpoint ordo calls,
//! `POST /2010-04-01/Accounts/{sid}/Messages.json`, with Twilio's basic auth, its form
//! fields, its JSON answers and error bodies, and a script of failures.
//!
//! ```ignore
//! let twilio = FakeTwilio::start("AC…", "token").await;
//! twilio.fail_next(2, Reply::ServerError);          // 500, 500, then success
//! let client = TwilioClient::new(twilio.config("+15550001111")).unwrap();
//! assert!(client.send("+15551234567", "hi").await.is_err());
//! assert_eq!(twilio.requests(), 1);
//! ```
//!
//! - Every request to the endpoint counts in [`FakeTwilio::requests`], whatever its answer.
//! - Credentials are checked first (wrong or missing: 401 with Twilio's error 20003); a
//!   scripted reply is used only by a request whose credentials are right.
//! - Then the form is checked as Twilio does (`To` 21604, `From`/`MessagingServiceSid`
//!   21603, `Body` 21602, a body over 1600 characters 21617), then the script, then the
//!   message is accepted: recorded and answered 201 with a Twilio-shaped message.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ordo_bots::sms::segments;
use ordo_bots::sms::signature;
use ordo_bots::sms::twilio::TwilioConfig;
use serde_json::{Value, json};

/// How the fake answers one request, instead of accepting the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// HTTP 500 with Twilio's error body.
    ServerError,
    /// HTTP 503, as a load balancer in front of Twilio answers.
    Unavailable,
    /// HTTP 429 (Twilio error 20429) with `Retry-After: {retry_after_secs}`.
    TooManyRequests {
        /// The `Retry-After` header, in seconds.
        retry_after_secs: u64,
    },
    /// `status` with Twilio's error body for `code` (400 21211: invalid `To`; 400 21610:
    /// recipient opted out; …).
    Error {
        /// The HTTP status.
        status: u16,
        /// Twilio's error code.
        code: u32,
    },
    /// `status` with exactly this body (for answers Twilio would not give).
    Raw {
        /// The HTTP status.
        status: u16,
        /// The body, sent as `application/json`.
        body: String,
    },
    /// Answer nothing for this long (past the client's timeout), then 500; the message is
    /// not accepted.
    Hang(Duration),
    /// Accept and record the message at once, but answer only after this long: Twilio
    /// took it and the client may never hear so.
    SlowAccept(Duration),
}

/// A message the fake accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedMessage {
    /// The `SM…` sid the fake gave it.
    pub sid: String,
    /// `To`.
    pub to: String,
    /// `From`, if sent.
    pub from: Option<String>,
    /// `MessagingServiceSid`, if sent.
    pub messaging_service_sid: Option<String>,
    /// `Body`.
    pub body: String,
    /// `StatusCallback`, if sent.
    pub status_callback: Option<String>,
}

/// What the server shares with the test.
struct Shared {
    account_sid: String,
    auth_token: String,
    script: Mutex<VecDeque<Reply>>,
    messages: Mutex<Vec<RecordedMessage>>,
    requests: AtomicUsize,
    next_sid: AtomicU64,
}

/// A running fake; the server stops when this is dropped.
pub struct FakeTwilio {
    address: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeTwilio {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Locks a mutex even if a panicking test poisoned it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FakeTwilio {
    /// Starts the fake on 127.0.0.1 with a free port, for this account.
    pub async fn start(account_sid: &str, auth_token: &str) -> FakeTwilio {
        let shared = Arc::new(Shared {
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            script: Mutex::new(VecDeque::new()),
            messages: Mutex::new(Vec::new()),
            requests: AtomicUsize::new(0),
            next_sid: AtomicU64::new(1),
        });
        let app = Router::new()
            .route(
                "/2010-04-01/Accounts/{sid}/Messages.json",
                post(create_message),
            )
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("fake Twilio cannot bind: {e}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("fake Twilio has no address: {e}"));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeTwilio {
            address,
            shared,
            server,
        }
    }

    /// The base to configure as the API URL (`http://127.0.0.1:PORT`).
    pub fn api_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A client configuration for this fake: its account, token and URL, sending as
    /// `from`, a 2-second timeout.
    pub fn config(&self, from: &str) -> TwilioConfig {
        let mut config = TwilioConfig::new(
            self.shared.account_sid.clone(),
            self.shared.auth_token.clone(),
            from,
        );
        config.api_url = self.api_url();
        config.timeout = Duration::from_secs(2);
        config
    }

    /// The next `count` requests with the right credentials get `reply` (after replies
    /// already scripted); the ones after are accepted again.
    pub fn fail_next(&self, count: usize, reply: Reply) {
        lock(&self.shared.script).extend(std::iter::repeat_n(reply, count));
    }

    /// The next requests with the right credentials get these replies, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.shared.script).extend(replies);
    }

    /// Every message accepted so far, in order.
    pub fn messages(&self) -> Vec<RecordedMessage> {
        lock(&self.shared.messages).clone()
    }

    /// Every request the endpoint received so far, whatever it answered.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Posts a status callback for an accepted message to its `StatusCallback` URL, signed
    /// with the auth token as Twilio signs (`X-Twilio-Signature`), and returns the HTTP
    /// status the receiver answered.
    pub async fn send_status_callback(
        &self,
        message_sid: &str,
        status: &str,
        error_code: Option<u32>,
    ) -> StatusCode {
        let message = self
            .messages()
            .into_iter()
            .find(|message| message.sid == message_sid)
            .unwrap_or_else(|| panic!("no accepted message {message_sid}"));
        let url = message
            .status_callback
            .clone()
            .unwrap_or_else(|| panic!("message {message_sid} has no status callback"));
        let mut params = vec![
            ("AccountSid".to_owned(), self.shared.account_sid.clone()),
            ("ApiVersion".to_owned(), "2010-04-01".to_owned()),
            ("MessageSid".to_owned(), message.sid.clone()),
            ("MessageStatus".to_owned(), status.to_owned()),
            ("SmsSid".to_owned(), message.sid.clone()),
            ("SmsStatus".to_owned(), status.to_owned()),
            ("To".to_owned(), message.to.clone()),
        ];
        if let Some(from) = &message.from {
            params.push(("From".to_owned(), from.clone()));
        }
        if let Some(code) = error_code {
            params.push(("ErrorCode".to_owned(), code.to_string()));
        }
        let signed = signature::expected(&self.shared.auth_token, &url, &params);
        let response = reqwest::Client::new()
            .post(&url)
            .header("X-Twilio-Signature", signed)
            .form(&params)
            .send()
            .await
            .unwrap_or_else(|e| panic!("status callback to {url}: {e}"));
        StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY)
    }
}

/// `POST /2010-04-01/Accounts/{sid}/Messages.json`.
async fn create_message(
    State(shared): State<Arc<Shared>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    if !authorized(&shared, &sid, &headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            20003,
            "Authentication Error - invalid username",
        );
    }
    let Ok(Form(form)) = Form::<Vec<(String, String)>>::from_request(request, &()).await else {
        return error(
            StatusCode::BAD_REQUEST,
            21600,
            "The request is not form-encoded",
        );
    };
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    let message = RecordedMessage {
        sid: format!("SM{:032x}", shared.next_sid.fetch_add(1, Ordering::SeqCst)),
        to: field("To").unwrap_or_default(),
        from: field("From"),
        messaging_service_sid: field("MessagingServiceSid"),
        body: field("Body").unwrap_or_default(),
        status_callback: field("StatusCallback"),
    };
    if let Some(refusal) = refuse_form(&message) {
        return refusal;
    }
    let scripted = lock(&shared.script).pop_front();
    match scripted {
        None => accept(&shared, message),
        Some(Reply::SlowAccept(delay)) => {
            let answer = accept(&shared, message);
            tokio::time::sleep(delay).await;
            answer
        }
        Some(Reply::Hang(delay)) => {
            tokio::time::sleep(delay).await;
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                20500,
                "Internal Server Error",
            )
        }
        Some(Reply::ServerError) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            20500,
            "Internal Server Error",
        ),
        Some(Reply::Unavailable) => {
            (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response()
        }
        Some(Reply::TooManyRequests { retry_after_secs }) => {
            let mut answer = error(StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests");
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                answer.headers_mut().insert(header::RETRY_AFTER, value);
            }
            answer
        }
        Some(Reply::Error { status, code }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            error(status, code, canned_message(code))
        }
        Some(Reply::Raw { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
    }
}

/// Basic auth `account_sid:auth_token` for the account in the path.
fn authorized(shared: &Shared, sid: &str, headers: &HeaderMap) -> bool {
    let expected = format!("{}:{}", shared.account_sid, shared.auth_token);
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| BASE64.decode(encoded.trim()).ok());
    sid == shared.account_sid && given.as_deref() == Some(expected.as_bytes())
}

/// Twilio's refusals of a form that lacks what a message needs.
fn refuse_form(message: &RecordedMessage) -> Option<Response> {
    if message.to.is_empty() {
        return Some(error(
            StatusCode::BAD_REQUEST,
            21604,
            "A 'To' phone number is required.",
        ));
    }
    if message.from.is_none() && message.messaging_service_sid.is_none() {
        return Some(error(
            StatusCode::BAD_REQUEST,
            21603,
            "A 'From' phone number is required.",
        ));
    }
    if message.body.is_empty() {
        return Some(error(
            StatusCode::BAD_REQUEST,
            21602,
            "Message body is required.",
        ));
    }
    if message.body.chars().count() > 1600 {
        return Some(error(
            StatusCode::BAD_REQUEST,
            21617,
            "The concatenated message body exceeds the 1600 character limit.",
        ));
    }
    None
}

/// Records `message` and answers 201 with Twilio's message resource.
fn accept(shared: &Shared, message: RecordedMessage) -> Response {
    let counted = segments::count(&message.body);
    let account = &shared.account_sid;
    let resource: Value = json!({
        "account_sid": account,
        "api_version": "2010-04-01",
        "body": message.body,
        "date_created": "Thu, 01 Jan 2026 00:00:00 +0000",
        "date_sent": null,
        "date_updated": "Thu, 01 Jan 2026 00:00:00 +0000",
        "direction": "outbound-api",
        "error_code": null,
        "error_message": null,
        "from": message.from,
        "messaging_service_sid": message.messaging_service_sid,
        "num_media": "0",
        "num_segments": counted.parts.to_string(),
        "price": null,
        "price_unit": "USD",
        "sid": message.sid,
        "status": if message.messaging_service_sid.is_some() { "accepted" } else { "queued" },
        "subresource_uris": {
            "media": format!("/2010-04-01/Accounts/{account}/Messages/{}/Media.json", message.sid)
        },
        "to": message.to,
        "uri": format!("/2010-04-01/Accounts/{account}/Messages/{}.json", message.sid),
    });
    lock(&shared.messages).push(message);
    (StatusCode::CREATED, Json(resource)).into_response()
}

/// Twilio's error body.
fn error(status: StatusCode, code: u32, message: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, Json(body)).into_response()
}

/// Twilio's wording for the codes tests script.
fn canned_message(code: u32) -> &'static str {
    match code {
        21211 => "Invalid 'To' Phone Number",
        21610 => "Attempt to send to unsubscribed recipient",
        21408 => {
            "Permission to send an SMS has not been enabled for the region indicated by the 'To' number"
        }
        21614 => "'To' number is not a valid mobile number",
        _ => "Error",
    }
}
