//! Load check of the inbound SMS path through the real server on loopback: seeds a shop
//! on a sled store in a temporary directory (Immediate durability), runs `ordo serve`'s
//! code on it (`serve::run_until`), and sends signed `TRACK REF REF` texts from the
//! customers' own phones from many concurrent clients; prints requests per second and
//! latency percentiles. Each request takes the number's rate-limit token, reads the
//! customer and two orders, and writes the inbound text and the reply into the log.
//!
//! `cargo run --release -p ordo-bots --example sms_load -- [SECONDS] [CLIENTS] [CUSTOMERS]`
//! (defaults 10, 16, 200).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ordo_bots::config::ServeConfig;
use ordo_bots::sms::signature;
use ordo_core::clock::SystemClock;
use ordo_core::engine::OrderRequest;
use ordo_core::random::SeededRandom;
use ordo_core::testkit::sample;
use ordo_core::{Engine, EngineConfig};
use ordo_storage::{Durability, SledStore, StoreConfig};

const TOKEN: &str = "load-test-token";

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: SECONDS CLIENTS CUSTOMERS"))
        .collect();
    let seconds = args.first().copied().unwrap_or(10);
    let clients = args.get(1).copied().unwrap_or(16) as usize;
    let customers = args.get(2).copied().unwrap_or(200);

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("shop");
    let open = || SledStore::open(&data, StoreConfig::new(Durability::Immediate)).unwrap();
    // Seed: `customers` customers with two orders each.
    let mut texts = Vec::new();
    {
        let engine = Engine::new(
            open(),
            Arc::new(SystemClock),
            Arc::new(SeededRandom::new(1)),
            EngineConfig::default(),
        );
        let admin = sample::admin();
        engine
            .create_product(&admin, sample::product("TEE", 1500))
            .unwrap();
        engine
            .restock(&admin, "TEE", "MAIN", 1_000_000, "load")
            .unwrap();
        for n in 1..=customers {
            let customer = engine
                .create_customer(&admin, &sample::realistic_customer(n))
                .unwrap();
            let refs: Vec<String> = (0..2)
                .map(|_| {
                    engine
                        .create_order(&admin, &OrderRequest::simple(customer.id(), &[("TEE", 1)]))
                        .unwrap()
                        .reference()
                        .unwrap()
                        .to_string()
                })
                .collect();
            texts.push((
                customer.phone().to_string(),
                format!("TRACK {} {}", refs[0], refs[1]),
            ));
        }
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let env = vec![
        ("ORDO_LISTEN".to_string(), format!("127.0.0.1:{port}")),
        ("ORDO_TWILIO_AUTH_TOKEN".to_string(), TOKEN.to_string()),
        (
            "ORDO_LIMITS_SMS_PER_MINUTE".to_string(),
            "100000".to_string(),
        ),
        ("ORDO_BACKUP_EVERY_MINUTES".to_string(), "0".to_string()),
    ];
    let config = ServeConfig::parse(None, env).unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let store = open();
    let service_data = data.clone();
    let service = std::thread::spawn(move || {
        ordo_bots::serve::run_until(
            store,
            &service_data,
            config,
            |_| ready_tx.send(()).unwrap(),
            || {
                Ok(async move {
                    let _ = stop_rx.await;
                })
            },
        )
        .unwrap();
    });
    ready_rx.recv_timeout(Duration::from_secs(60)).unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let texts = Arc::new(texts);
    let running = Arc::new(AtomicBool::new(true));
    let url = format!("{base}/sms/inbound");
    let started = Instant::now();
    let latencies: Vec<Duration> = runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut workers = Vec::new();
        for worker in 0..clients {
            let (client, texts, running, url) =
                (client.clone(), texts.clone(), running.clone(), url.clone());
            workers.push(tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut n = worker;
                while running.load(Ordering::Relaxed) {
                    let (from, body) = &texts[n % texts.len()];
                    n += clients;
                    let params = vec![
                        ("From".to_string(), from.clone()),
                        ("To".to_string(), "+15550009000".to_string()),
                        ("Body".to_string(), body.clone()),
                        ("MessageSid".to_string(), format!("SM{n:032x}")),
                    ];
                    let signed = signature::expected(TOKEN, &url, &params);
                    let at = Instant::now();
                    let response = client
                        .post(&url)
                        .header("X-Twilio-Signature", signed)
                        .form(&params)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200);
                    let body = response.text().await.unwrap();
                    assert!(body.contains("placed since"), "{body}");
                    seen.push(at.elapsed());
                }
                seen
            }));
        }
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        running.store(false, Ordering::Relaxed);
        let mut all = Vec::new();
        for worker in workers {
            all.extend(worker.await.unwrap());
        }
        all
    });
    let elapsed = started.elapsed();
    stop_tx.send(()).unwrap();
    service.join().unwrap();
    let mut sorted = latencies;
    sorted.sort();
    let pct = |p: f64| {
        let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[i].as_secs_f64() * 1000.0
    };
    println!(
        "inbound SMS (TRACK 2 refs, signed, sled Immediate): {clients} clients, {customers} customers, {:.1} s",
        elapsed.as_secs_f64()
    );
    println!(
        "  {} requests, {:.0} req/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        sorted.len(),
        sorted.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
}
