//! A fake Telegram Bot API on 127.0.0.1 for tests: `POST /bot{token}/{method}` (method
//! names matched case-insensitively: teloxide sends `SendMessage`), with the Bot API's
//! `{"ok":true,"result":…}` answers and error bodies, and a script of failures.
//!
//! ```ignore
//! let telegram = FakeTelegram::start("123:token").await;
//! telegram.script([Reply::TooManyRequests { retry_after_secs: 1 }]);
//! let bot = ordo_bots::telegram::sender::bot("123:token", &telegram.api_url()).unwrap();
//! ```
//!
//! - A wrong token is answered 401 (`Unauthorized`), before anything else.
//! - `getMe`, `getWebhookInfo`, `deleteWebhook` answer as the real API does for a bot in
//!   polling mode; `setWebhook` is accepted and kept ([`FakeTelegram::webhook`]); `getUpdates` hands out the updates queued with [`FakeTelegram::push_update`]
//!   whose id is at least `offset` (waiting a little when there is none).
//! - Every call of a sending method (`sendMessage`, `sendPhoto`, `sendDocument`,
//!   `editMessageText`, `answerCallbackQuery`, `deleteMessage`) counts in
//!   [`FakeTelegram::calls`]; a scripted reply answers it instead of success, and only a
//!   successful one is recorded in [`FakeTelegram::sent`], with the time it arrived.
//! - A multipart/form-data call (teloxide's `sendDocument`, and `sendPhoto` of a file from
//!   memory) is read with axum's `Multipart` extractor: its text fields become the call's
//!   parameters, its file parts [`Call::files`] with their name and exact bytes. A photo
//!   sent by URL is a JSON call whose `photo` parameter is the URL.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

/// How the fake answers one sending call, instead of accepting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// 429 `Too Many Requests: retry after N` with `parameters.retry_after`.
    TooManyRequests {
        /// Seconds to wait.
        retry_after_secs: u32,
    },
    /// 400 `Bad Request: chat not found`.
    ChatNotFound,
    /// 403 `Forbidden: bot was blocked by the user`.
    Blocked,
    /// 500 `Internal Server Error`.
    ServerError,
}

/// One successful sending call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The method, lower case (`sendmessage`).
    pub method: String,
    /// Its JSON parameters.
    pub params: Value,
    /// When it arrived.
    pub at: std::time::Instant,
    /// The files uploaded with it (multipart), in order.
    pub files: Vec<UploadedFile>,
}

/// One file part of a multipart call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    /// The parameter it is (`document`, `photo`): teloxide sends the file in a part of
    /// its own and the parameter as `attach://PART`, which the fake resolves.
    pub field: String,
    /// The file name given with it.
    pub file_name: Option<String>,
    /// Its bytes, exactly as received.
    pub bytes: Vec<u8>,
}

impl Call {
    /// `chat_id` as a number.
    pub fn chat_id(&self) -> Option<i64> {
        self.params.get("chat_id").and_then(Value::as_i64)
    }

    /// `text`.
    pub fn text(&self) -> Option<&str> {
        self.params.get("text").and_then(Value::as_str)
    }
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Reply>,
    sent: Vec<Call>,
    calls: usize,
    updates: Vec<Value>,
    next_message_id: i64,
    webhook: Option<Value>,
}

/// The running fake.
#[derive(Clone)]
pub struct FakeTelegram {
    address: SocketAddr,
    token: String,
    inner: Arc<Mutex<Inner>>,
}

const SENDING: [&str; 6] = [
    "sendmessage",
    "sendphoto",
    "senddocument",
    "editmessagetext",
    "answercallbackquery",
    "deletemessage",
];

impl FakeTelegram {
    /// Starts the fake for the bot with `token` on a free port of 127.0.0.1.
    pub async fn start(token: &str) -> FakeTelegram {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = FakeTelegram {
            address: listener.local_addr().unwrap(),
            token: token.to_string(),
            inner: Arc::new(Mutex::new(Inner {
                next_message_id: 1000,
                ..Inner::default()
            })),
        };
        let app = Router::new()
            .route("/{bot}/{method}", post(handle))
            .with_state(fake.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        fake
    }

    /// The base URL to give the bot (no trailing `/`).
    pub fn api_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Answers the next sending calls with `replies`, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.lock().script.extend(replies);
    }

    /// The successful sending calls so far, in order.
    pub fn sent(&self) -> Vec<Call> {
        self.lock().sent.clone()
    }

    /// Every sending call so far, scripted failures included.
    pub fn calls(&self) -> usize {
        self.lock().calls
    }

    /// The parameters of the last `setWebhook` (`url`, `secret_token`), if one came.
    pub fn webhook(&self) -> Option<Value> {
        self.lock().webhook.clone()
    }

    /// Queues an update for `getUpdates` (its `update_id` must be set).
    pub fn push_update(&self, update: Value) {
        self.lock().updates.push(update);
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }
}

/// A `multipart/form-data` body (how teloxide uploads files): the text fields as a JSON
/// object — a field whose text is a JSON number, object or array becomes that value
/// (`chat_id`, `reply_markup`), any other stays a string — and the file parts. A field
/// teloxide sends as `attach://PART` names a file part; the file is given that field's
/// name.
async fn multipart_fields(mut form: Multipart) -> Result<(Value, Vec<UploadedFile>), String> {
    let mut fields = serde_json::Map::new();
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| e.to_string())?.to_vec();
        if file_name.is_some() {
            files.push(UploadedFile {
                field: name,
                file_name,
                bytes,
            });
            continue;
        }
        let value = String::from_utf8_lossy(&bytes).into_owned();
        let parsed = match serde_json::from_str::<Value>(&value) {
            Ok(v @ (Value::Number(_) | Value::Object(_) | Value::Array(_))) => v,
            _ => Value::String(value),
        };
        fields.insert(name, parsed);
    }
    // `document=attach://x7…` and a file part named `x7…`: the file is the document.
    for (name, value) in &fields {
        if let Some(part) = value.as_str().and_then(|v| v.strip_prefix("attach://")) {
            for file in files.iter_mut().filter(|f| f.field == part) {
                file.field.clone_from(name);
            }
        }
    }
    Ok((Value::Object(fields), files))
}

fn ok(result: Value) -> Response {
    Json(json!({"ok": true, "result": result})).into_response()
}

fn error(status: StatusCode, description: &str, parameters: Option<Value>) -> Response {
    let mut body = json!({"ok": false, "error_code": status.as_u16(), "description": description});
    if let Some(parameters) = parameters {
        body["parameters"] = parameters;
    }
    (status, Json(body)).into_response()
}

async fn handle(
    State(fake): State<FakeTelegram>,
    Path((bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    if bot != format!("bot{}", fake.token) {
        return error(StatusCode::UNAUTHORIZED, "Unauthorized", None);
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (params, files) = if content_type.starts_with("multipart/form-data") {
        let read = match Multipart::from_request(request, &()).await {
            Ok(form) => multipart_fields(form).await,
            Err(rejection) => Err(rejection.body_text()),
        };
        match read {
            Ok(read) => read,
            Err(_) => return error(StatusCode::BAD_REQUEST, "Bad Request: bad multipart", None),
        }
    } else {
        let body = match axum::body::to_bytes(request.into_body(), 64 << 20).await {
            Ok(body) => body,
            Err(_) => return error(StatusCode::BAD_REQUEST, "Bad Request: body", None),
        };
        if body.is_empty() {
            (json!({}), Vec::new())
        } else {
            match serde_json::from_slice(&body) {
                Ok(value) => (value, Vec::new()),
                Err(_) => return error(StatusCode::BAD_REQUEST, "Bad Request: not JSON", None),
            }
        }
    };
    let method = method.to_ascii_lowercase();
    match method.as_str() {
        "getme" => ok(json!({
            "id": 4242, "is_bot": true, "first_name": "ordo", "username": "ordo_test_bot",
            "can_join_groups": false, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "has_main_web_app": false
        })),
        "getwebhookinfo" => ok(json!({"url": "", "has_custom_certificate": false,
            "pending_update_count": 0})),
        "deletewebhook" | "setmycommands" => ok(json!(true)),
        "setwebhook" => {
            fake.lock().webhook = Some(params);
            ok(json!(true))
        }
        "getupdates" => get_updates(&fake, &params).await,
        sending if SENDING.contains(&sending) => send(&fake, sending, params, files),
        _ => error(StatusCode::NOT_FOUND, "Not Found: method not found", None),
    }
}

async fn get_updates(fake: &FakeTelegram, params: &Value) -> Response {
    let offset = params.get("offset").and_then(Value::as_i64).unwrap_or(0);
    for _ in 0..10 {
        let due: Vec<Value> = fake
            .lock()
            .updates
            .iter()
            .filter(|u| u["update_id"].as_i64().unwrap_or(0) >= offset)
            .cloned()
            .collect();
        if !due.is_empty() {
            return ok(Value::Array(due));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ok(json!([]))
}

fn send(fake: &FakeTelegram, method: &str, params: Value, files: Vec<UploadedFile>) -> Response {
    let mut inner = fake.lock();
    inner.calls += 1;
    if let Some(reply) = inner.script.pop_front() {
        return match reply {
            Reply::TooManyRequests { retry_after_secs } => error(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("Too Many Requests: retry after {retry_after_secs}"),
                Some(json!({"retry_after": retry_after_secs})),
            ),
            Reply::ChatNotFound => {
                error(StatusCode::BAD_REQUEST, "Bad Request: chat not found", None)
            }
            Reply::Blocked => error(
                StatusCode::FORBIDDEN,
                "Forbidden: bot was blocked by the user",
                None,
            ),
            Reply::ServerError => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                None,
            ),
        };
    }
    inner.next_message_id += 1;
    let message_id = inner.next_message_id;
    let chat_id = params.get("chat_id").and_then(Value::as_i64).unwrap_or(0);
    inner.sent.push(Call {
        method: method.to_string(),
        params: params.clone(),
        at: std::time::Instant::now(),
        files,
    });
    match method {
        "answercallbackquery" | "deletemessage" => ok(json!(true)),
        "senddocument" => ok(json!({
            "message_id": message_id,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Customer"},
            "document": {"file_id": "d1", "file_unique_id": "u2"},
            "caption": params.get("caption").cloned().unwrap_or(json!("")),
        })),
        "sendphoto" => ok(json!({
            "message_id": message_id,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Customer"},
            "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}],
            "caption": params.get("caption").cloned().unwrap_or(json!("")),
        })),
        _ => ok(json!({
            "message_id": message_id,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Customer"},
            "text": params.get("text").cloned().unwrap_or(json!("")),
        })),
    }
}
