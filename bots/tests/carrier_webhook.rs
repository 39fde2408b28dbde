//! `POST /carriers/{carrier}/events` through the service's router on 127.0.0.1: signed
//! events move shipments (and deliver the order once every parcel is); unsigned, wrongly
//! signed, replayed, older and unknown events change nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;

use ordo_bots::carriers::signature::sign;
use ordo_bots::config::ServeConfig;
use ordo_bots::http::{AppState, router};
use ordo_bots::pool::EnginePool;
use ordo_core::audit::Subject;
use ordo_core::engine::{OrderRequest, ShipRequest};
use ordo_core::ids::OrderId;
use ordo_core::order::OrderStatus;
use ordo_core::outbox::DomainEvent;
use ordo_core::shipment::{CarrierName, Shipment, TrackingNumber, TrackingStatus};
use ordo_core::store::{MemoryStore, Store};
use ordo_core::testkit::sample;

const SECRET: &str = "dhl-test-secret";
const FIRST: &str = "JD0000000001";
const SECOND: &str = "JD0000000002";

struct Service {
    url: String,
    pool: EnginePool<Arc<MemoryStore>>,
    store: Arc<MemoryStore>,
    order: OrderId,
}

/// A service with one order of three TEEs shipped by `dhl` in two parcels (FIRST with one
/// unit, SECOND with two), and only dhl's secret configured.
async fn start() -> Service {
    let store = Arc::new(MemoryStore::new());
    let (engine, _clock) = sample::engine(store.clone(), 3);
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
        .create_order(&admin, &OrderRequest::simple(customer, &[("TEE", 3)]))
        .unwrap()
        .id();
    engine
        .advance_orders(&admin, &[order], OrderStatus::Packed)
        .unwrap();
    for (tracking, units) in [(FIRST, 1), (SECOND, 2)] {
        engine
            .ship_order(
                &admin,
                order,
                &ShipRequest {
                    lines: vec![(ordo_core::catalog::Sku::parse("TEE").unwrap(), units)],
                    carrier: CarrierName::parse("dhl").unwrap(),
                    method: None,
                    tracking: TrackingNumber::parse(tracking).unwrap(),
                    weight: None,
                },
            )
            .unwrap();
    }
    let config = ServeConfig::parse(
        None,
        [("ORDO_CARRIERS_DHL_SECRET".to_string(), SECRET.to_string())],
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
        store,
        order,
    }
}

fn event(tracking: &str, status: &str, time: &str) -> String {
    format!(
        r#"{{"tracking_number":"{tracking}","status":"{status}","time":"{time}","location":"Leeds"}}"#
    )
}

/// What the tests look at after each request.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    statuses: Vec<TrackingStatus>,
    events: Vec<usize>,
    audit: Vec<usize>,
    order: OrderStatus,
    out_for_delivery_notices: usize,
}

impl Service {
    async fn post(&self, carrier: &str, body: &str, signature: Option<String>) -> u16 {
        let mut request = reqwest::Client::new()
            .post(format!("{}/carriers/{carrier}/events", self.url))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(signature) = signature {
            request = request.header("X-Ordo-Signature", signature);
        }
        request.send().await.unwrap().status().as_u16()
    }

    async fn signed(&self, body: &str) -> u16 {
        self.post("dhl", body, Some(sign(SECRET.as_bytes(), body.as_bytes())))
            .await
    }

    async fn seen(&self) -> Seen {
        let order = self.order;
        let store = self.store.clone();
        self.pool
            .run(move |engine| {
                let admin = sample::admin();
                let shipments: Vec<Shipment> = engine.order_shipments(&admin, order).unwrap();
                let out_for_delivery_notices = sample::deliveries(engine)
                    .iter()
                    .filter(|d| matches!(d.event(), DomainEvent::ShipmentOutForDelivery { .. }))
                    .count();
                Seen {
                    statuses: shipments.iter().map(Shipment::status).collect(),
                    events: shipments.iter().map(|s| s.events().len()).collect(),
                    audit: shipments
                        .iter()
                        .map(|s| {
                            store
                                .audit_for(Subject::Shipment(s.id()), None, 1000)
                                .unwrap()
                                .len()
                        })
                        .collect(),
                    order: engine.get_order(&admin, order).unwrap().value.status(),
                    out_for_delivery_notices,
                }
            })
            .await
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_events_move_shipments_and_the_last_delivery_delivers_the_order() {
    let service = start().await;
    let before = service.seen().await;
    assert_eq!(
        (before.statuses.clone(), before.order),
        (
            vec![TrackingStatus::InTransit, TrackingStatus::InTransit],
            OrderStatus::Shipped
        )
    );
    assert_eq!(before.out_for_delivery_notices, 0);

    let statuses = vec![
        service
            .signed(&event(FIRST, "out_for_delivery", "2026-12-01T08:00:00Z"))
            .await,
        service
            .signed(&event(FIRST, "delivered", "2026-12-01T11:00:00+01:00"))
            .await,
    ];
    assert_eq!(statuses, vec![200, 200]);
    let after_first = service.seen().await;
    assert_eq!(
        after_first.statuses,
        vec![TrackingStatus::Delivered, TrackingStatus::InTransit]
    );
    assert_eq!(
        after_first.out_for_delivery_notices, 1,
        "the customer heard it"
    );
    assert_eq!(
        after_first.order,
        OrderStatus::Shipped,
        "one parcel still on its way"
    );
    assert_eq!(after_first.audit[0], before.audit[0] + 2);

    assert_eq!(
        service
            .signed(&event(SECOND, "delivered", "2026-12-01T12:00:00Z"))
            .await,
        200
    );
    let done = service.seen().await;
    assert_eq!(
        done.statuses,
        vec![TrackingStatus::Delivered, TrackingStatus::Delivered]
    );
    assert_eq!(done.order, OrderStatus::Delivered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_and_wrongly_signed_events_change_nothing() {
    let service = start().await;
    let before = service.seen().await;
    let body = event(FIRST, "delivered", "2026-12-01T08:00:00Z");
    let good = sign(SECRET.as_bytes(), body.as_bytes());
    let answers = vec![
        service.post("dhl", &body, None).await,
        service
            .post("dhl", &body, Some(sign(b"other-secret", body.as_bytes())))
            .await,
        service
            .post("dhl", &body, Some(sign(SECRET.as_bytes(), b"{}")))
            .await,
        service
            .post(
                "dhl",
                &body,
                Some(good.trim_start_matches("sha256=").to_string()),
            )
            .await,
        service
            .post("dhl", &body, Some("sha256=zz".to_string()))
            .await,
        // Signed for dhl, posted as a carrier without a secret, or one ordo does not know.
        service.post("ups", &body, Some(good.clone())).await,
        service.post("acme", &body, Some(good.clone())).await,
    ];
    assert_eq!(answers, vec![401, 403, 403, 403, 403, 404, 404]);
    assert_eq!(service.seen().await, before, "nothing changed");
    // The same body, signed, does move it: the refusals were the signatures.
    assert_eq!(service.post("dhl", &body, Some(good)).await, 200);
    assert_eq!(
        service.seen().await.statuses,
        vec![TrackingStatus::Delivered, TrackingStatus::InTransit]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_event_has_one_effect_and_one_audit_entry() {
    let service = start().await;
    let before = service.seen().await;
    let body = event(FIRST, "out_for_delivery", "2026-12-01T08:00:00Z");
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(service.signed(&body).await);
    }
    assert_eq!(answers, vec![200, 200, 200]);
    let after = service.seen().await;
    assert_eq!(after.statuses[0], TrackingStatus::OutForDelivery);
    assert_eq!(after.events[0], before.events[0] + 1, "one event kept");
    assert_eq!(after.audit[0], before.audit[0] + 1, "one audit entry");
    assert_eq!(after.out_for_delivery_notices, 1, "the customer told once");
    assert_eq!(after.audit[1], before.audit[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_event_arriving_late_does_not_move_a_shipment_back() {
    let service = start().await;
    let answers = vec![
        service
            .signed(&event(FIRST, "out_for_delivery", "2026-12-01T10:00:00Z"))
            .await,
        service
            .signed(&event(FIRST, "in_transit", "2026-12-01T06:00:00Z"))
            .await,
    ];
    assert_eq!(answers, vec![200, 200]);
    let seen = service.seen().await;
    assert_eq!(
        seen.statuses,
        vec![TrackingStatus::OutForDelivery, TrackingStatus::InTransit]
    );
    assert_eq!(seen.out_for_delivery_notices, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_tracking_numbers_and_bad_bodies_change_nothing() {
    let service = start().await;
    let before = service.seen().await;
    let answers = vec![
        service
            .signed(&event("ZZ9999999999", "delivered", "2026-12-01T08:00:00Z"))
            .await,
        service.signed("not json").await,
        service
            .signed(&event(FIRST, "lost", "2026-12-01T08:00:00Z"))
            .await,
        service
            .signed(&event(FIRST, "delivered", "yesterday"))
            .await,
    ];
    assert_eq!(answers, vec![200, 400, 400, 400]);
    assert_eq!(service.seen().await, before);
}
