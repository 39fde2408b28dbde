//! `POST /payments/{gateway}/webhook` through the service's router on 127.0.0.1: signed
//! events update the ledger once however often they arrive; bad, old or missing
//! signatures are refused and change nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use ordo_bots::config::ServeConfig;
use ordo_bots::http::{AppState, router};
use ordo_bots::pool::EnginePool;
use ordo_core::engine::{OrderRequest, PaymentRequest};
use ordo_core::ids::OrderId;
use ordo_core::payment::{LedgerEntryKind, PaymentMethod, gateway_reference};
use ordo_core::store::MemoryStore;
use ordo_core::testkit::sample;
use ordo_payments::webhook::signature_header;

const SECRET: &str = "whsec_test_secret";

struct Service {
    url: String,
    pool: EnginePool<Arc<MemoryStore>>,
    order: OrderId,
}

/// A service with one placed order (29.00 USD) holding an authorization through
/// `stripe` (intent `pi_1`), and the Stripe webhook secret configured.
async fn start() -> Service {
    let (engine, _clock) = sample::engine(Arc::new(MemoryStore::new()), 3);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 2000))
        .unwrap();
    engine.restock(&admin, "TEE", "MAIN", 5, "in").unwrap();
    let customer = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    let order = engine
        .create_order(&admin, &OrderRequest::simple(customer, &[("TEE", 1)]))
        .unwrap()
        .id();
    engine
        .authorize_payment(
            &admin,
            order,
            &PaymentRequest {
                amount: sample::usd_cents(2900),
                method: PaymentMethod::Card,
                external_reference: gateway_reference("stripe", "pi_1"),
                idempotency_key: Some(format!("ordo-{}-1", order.get())),
            },
        )
        .unwrap();
    let config = ServeConfig::parse(
        None,
        [(
            "ORDO_PAYMENTS_STRIPE_WEBHOOK_SECRET".to_string(),
            SECRET.to_string(),
        )],
    )
    .unwrap();
    let pool = EnginePool::new(engine, 2);
    let app = router(AppState::new(pool.clone(), config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    Service {
        url: format!("http://{addr}"),
        pool,
        order,
    }
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn succeeded(order: OrderId, received: i64) -> String {
    format!(
        r#"{{"id":"evt_1","type":"payment_intent.succeeded","data":{{"object":{{"id":"pi_1","object":"payment_intent","currency":"usd","amount_received":{received},"amount_capturable":0,"metadata":{{"ordo_order":"{}"}}}}}}}}"#,
        order.get()
    )
}

impl Service {
    async fn post(&self, gateway: &str, body: &str, signature: Option<String>) -> u16 {
        let mut request = reqwest::Client::new()
            .post(format!("{}/payments/{gateway}/webhook", self.url))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(signature) = signature {
            request = request.header("Stripe-Signature", signature);
        }
        request.send().await.unwrap().status().as_u16()
    }

    async fn kinds(&self) -> Vec<LedgerEntryKind> {
        let order = self.order;
        self.pool
            .run(move |engine| {
                let order = engine.get_order(&sample::admin(), order).unwrap().value;
                order.ledger().iter().map(|e| e.kind).collect()
            })
            .await
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_webhooks_make_one_ledger_entry() {
    let service = start().await;
    let body = succeeded(service.order, 2900);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let signature = signature_header(SECRET.as_bytes(), now(), body.as_bytes());
        statuses.push(service.post("stripe", &body, Some(signature)).await);
    }
    assert_eq!(statuses, vec![200, 200, 200]);
    assert_eq!(
        service.kinds().await,
        vec![LedgerEntryKind::Authorization, LedgerEntryKind::Capture],
        "three deliveries of one event, one capture"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_old_or_missing_signatures_are_refused_and_change_nothing() {
    let service = start().await;
    let body = succeeded(service.order, 2900);
    let wrong_secret = signature_header(b"whsec_other", now(), body.as_bytes());
    let old = signature_header(SECRET.as_bytes(), now() - 600, body.as_bytes());
    let other_body = signature_header(SECRET.as_bytes(), now(), b"{}");
    assert_eq!(service.post("stripe", &body, Some(wrong_secret)).await, 403);
    assert_eq!(service.post("stripe", &body, Some(old)).await, 403);
    assert_eq!(service.post("stripe", &body, Some(other_body)).await, 403);
    assert_eq!(service.post("stripe", &body, None).await, 403);
    // A gateway without a webhook secret has no webhook.
    let signed = signature_header(SECRET.as_bytes(), now(), body.as_bytes());
    assert_eq!(
        service.post("paypal", &body, Some(signed.clone())).await,
        404
    );
    assert_eq!(service.kinds().await, vec![LedgerEntryKind::Authorization]);
    // The same body, signed right, is taken.
    assert_eq!(service.post("stripe", &body, Some(signed)).await, 200);
    assert_eq!(
        service.kinds().await,
        vec![LedgerEntryKind::Authorization, LedgerEntryKind::Capture]
    );
}
