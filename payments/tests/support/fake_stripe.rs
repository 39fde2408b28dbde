//! A fake Stripe-shaped gateway on 127.0.0.1 for tests: PaymentIntents with manual
//! capture, `/capture`, `/cancel`, `/v1/refunds`, bearer auth, and Stripe's idempotency —
//! a request whose `Idempotency-Key` was seen gets the first answer again and does
//! nothing. It counts what it did (charges = intents authorized, captures, voids,
//! refunds), and can be told to answer slowly (after doing the work, as when an answer
//! is lost to a timeout).
//!
//! A card token `pm_card_chargeDeclined` is declined (402, `card_error`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::{Value, json};

/// One intent as the fake keeps it (minor units).
#[derive(Debug, Clone, Default)]
pub struct Intent {
    pub amount: i64,
    pub capturable: i64,
    pub received: i64,
    pub refunded: i64,
    pub status: String,
    pub order: String,
    pub currency: String,
}

#[derive(Default)]
struct Inner {
    intents: HashMap<String, Intent>,
    /// Idempotency key → the first answer.
    answers: HashMap<String, (u16, Value)>,
    requests: usize,
    charges: usize,
    captures: usize,
    voids: usize,
    refunds: usize,
    keys: Vec<String>,
    slow_answers: usize,
}

/// The fake server; dropped with its runtime at the end of the test.
pub struct FakeStripe {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    _runtime: tokio::runtime::Runtime,
}

pub const SECRET_KEY: &str = "sk_test_fake_secret";
/// How long a slow answer waits (longer than the client timeout the tests use).
pub const SLOW: Duration = Duration::from_millis(900);

impl FakeStripe {
    pub fn start() -> FakeStripe {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/v1/payment_intents", post(create))
            .route("/v1/payment_intents/{id}/capture", post(capture))
            .route("/v1/payment_intents/{id}/cancel", post(cancel))
            .route("/v1/refunds", post(refund))
            .with_state(inner.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app).await });
        FakeStripe {
            addr,
            inner,
            _runtime: runtime,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }

    /// The next `n` answers come after [`SLOW`] (the work is done at once).
    pub fn answer_slowly(&self, n: usize) {
        self.lock().slow_answers = n;
    }
    pub fn requests(&self) -> usize {
        self.lock().requests
    }
    pub fn charges(&self) -> usize {
        self.lock().charges
    }
    pub fn captures(&self) -> usize {
        self.lock().captures
    }
    pub fn voids(&self) -> usize {
        self.lock().voids
    }
    pub fn refunds(&self) -> usize {
        self.lock().refunds
    }
    pub fn keys(&self) -> Vec<String> {
        self.lock().keys.clone()
    }
    pub fn intent(&self, id: &str) -> Intent {
        self.lock().intents.get(id).cloned().unwrap()
    }
}

type Shared = State<Arc<Mutex<Inner>>>;

fn intent_json(id: &str, intent: &Intent) -> Value {
    json!({
        "id": id,
        "object": "payment_intent",
        "amount": intent.amount,
        "amount_capturable": intent.capturable,
        "amount_received": intent.received,
        "currency": intent.currency,
        "status": intent.status,
        "metadata": {"ordo_order": intent.order},
    })
}

fn error(status: u16, kind: &str, code: &str, message: &str) -> (u16, Value) {
    (
        status,
        json!({"error": {"type": kind, "code": code, "decline_code": code, "message": message}}),
    )
}

/// Auth, idempotency and slowness around `work`.
async fn idempotent(
    state: &Arc<Mutex<Inner>>,
    headers: &HeaderMap,
    work: impl FnOnce(&mut Inner) -> (u16, Value),
) -> Response {
    let (answer, slow) = {
        let mut inner = state.lock().unwrap();
        inner.requests += 1;
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if auth != format!("Bearer {SECRET_KEY}") {
            return (StatusCode::UNAUTHORIZED, Json(json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}))).into_response();
        }
        let Some(key) = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
        else {
            return (StatusCode::BAD_REQUEST, Json(json!({"error": {"type": "invalid_request_error", "message": "ordo always sends a key"}}))).into_response();
        };
        inner.keys.push(key.clone());
        let answer = match inner.answers.get(&key) {
            Some(first) => first.clone(),
            None => {
                let answer = work(&mut inner);
                inner.answers.insert(key, answer.clone());
                answer
            }
        };
        let slow = inner.slow_answers > 0;
        if slow {
            inner.slow_answers -= 1;
        }
        (answer, slow)
    };
    if slow {
        tokio::time::sleep(SLOW).await;
    }
    (StatusCode::from_u16(answer.0).unwrap(), Json(answer.1)).into_response()
}

async fn create(
    State(state): Shared,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    idempotent(&state, &headers, |inner| {
        let amount: i64 = form.get("amount").and_then(|a| a.parse().ok()).unwrap_or(0);
        if form.get("capture_method").map(String::as_str) != Some("manual") || amount <= 0 {
            return error(
                400,
                "invalid_request_error",
                "parameter_invalid",
                "bad request",
            );
        }
        if form.get("payment_method").map(String::as_str) == Some("pm_card_chargeDeclined") {
            return error(
                402,
                "card_error",
                "card_declined",
                "Your card was declined.",
            );
        }
        inner.charges += 1;
        let id = format!("pi_{}", inner.charges);
        let intent = Intent {
            amount,
            capturable: amount,
            status: "requires_capture".into(),
            order: form
                .get("metadata[ordo_order]")
                .cloned()
                .unwrap_or_default(),
            currency: form.get("currency").cloned().unwrap_or_default(),
            ..Intent::default()
        };
        let body = intent_json(&id, &intent);
        inner.intents.insert(id, intent);
        (200, body)
    })
    .await
}

async fn capture(
    State(state): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    idempotent(&state, &headers, |inner| {
        let Some(intent) = inner.intents.get_mut(&id) else {
            return error(
                404,
                "invalid_request_error",
                "resource_missing",
                "no such intent",
            );
        };
        let amount: i64 = form
            .get("amount_to_capture")
            .and_then(|a| a.parse().ok())
            .unwrap_or(intent.capturable);
        if intent.status != "requires_capture" || amount <= 0 || amount > intent.capturable {
            return error(
                400,
                "invalid_request_error",
                "amount_too_large",
                "cannot capture",
            );
        }
        // Stripe releases the rest of a partial capture.
        intent.received = amount;
        intent.capturable = 0;
        intent.status = "succeeded".into();
        let body = intent_json(&id, intent);
        inner.captures += 1;
        (200, body)
    })
    .await
}

async fn cancel(State(state): Shared, Path(id): Path<String>, headers: HeaderMap) -> Response {
    idempotent(&state, &headers, |inner| {
        let Some(intent) = inner.intents.get_mut(&id) else {
            return error(
                404,
                "invalid_request_error",
                "resource_missing",
                "no such intent",
            );
        };
        if intent.status != "requires_capture" {
            return error(
                400,
                "invalid_request_error",
                "payment_intent_unexpected_state",
                "cannot cancel",
            );
        }
        intent.capturable = 0;
        intent.status = "canceled".into();
        let body = intent_json(&id, intent);
        inner.voids += 1;
        (200, body)
    })
    .await
}

async fn refund(
    State(state): Shared,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    idempotent(&state, &headers, |inner| {
        let id = form.get("payment_intent").cloned().unwrap_or_default();
        let Some(intent) = inner.intents.get_mut(&id) else {
            return error(404, "invalid_request_error", "resource_missing", "no such intent");
        };
        let amount: i64 = form.get("amount").and_then(|a| a.parse().ok()).unwrap_or(0);
        if amount <= 0 || amount > intent.received - intent.refunded {
            return error(400, "invalid_request_error", "amount_too_large", "refund too large");
        }
        intent.refunded += amount;
        inner.refunds += 1;
        let refund_id = format!("re_{}", inner.refunds);
        (200, json!({"id": refund_id, "object": "refund", "amount": amount, "payment_intent": id, "status": "succeeded"}))
    })
    .await
}
