//! Two `ordo serve` processes on one PostgreSQL database (a throwaway server the test
//! process starts): each the real binary on its own port and its own `--data` directory
//! (which holds only its admin socket), both on the same database.
//!
//! - Concurrent orders for the last units through both processes' `/api/v1`: exactly the
//!   units there were are sold, the rest refused for stock, never oversold.
//! - Both SMS dispatchers running against one fake Twilio: every notification is sent
//!   exactly once.
//! - One process SIGKILLed mid-load: every order a client got a reference for is readable
//!   through the other.
//!
//! And `ordo migrate`: the demo shop from a sled directory into PostgreSQL and back,
//! verified, and the result usable.

// Test support asserts: a failed expectation here is a failed test, so panicking is the point.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[allow(dead_code)]
#[path = "cli/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../../bots/tests/support/fake_twilio.rs"]
mod fake_twilio;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Barrier, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{ordo, words};

const ADMIN_PW: &str = "amber-canyon-lantern-7";
const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TWILIO_TOKEN: &str = "test-auth-token-42";
const SHOP_NUMBER: &str = "+15550009000";

/// A database of the test server: its URL.
fn database() -> String {
    ordo_postgres::testserver::fresh_database()
        .unwrap_or_else(|why| panic!("a PostgreSQL server is needed for this test: {why}"))
}

/// `ordo --database URL LINE… --json` (with `env`), expecting success: the `ok` value.
fn json(url: &str, line: &str, env: &[(&str, &str)]) -> Value {
    let output = ordo()
        .arg("--database")
        .arg(url)
        .args(words(line))
        .arg("--json")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "ordo {line} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let response: Value = serde_json::from_slice(&output.stdout).unwrap();
    response["ok"].clone()
}

/// A shop on a fresh database: an administrator (`morgan`) and product `LAST-1` with
/// `units` in stock. Returns the URL.
fn shop(units: u64) -> String {
    let url = database();
    json(
        &url,
        "admin init --name 'Morgan Reyes' --login morgan",
        &[("ORDO_PASSWORD", ADMIN_PW)],
    );
    json(
        &url,
        "product add --sku LAST-1 --name 'Last one' --price '10.00 USD'",
        &[],
    );
    json(
        &url,
        &format!("product stock LAST-1 --warehouse MAIN --restock {units} --reason count"),
        &[],
    );
    url
}

/// A customer with a phone number; their id.
fn customer(url: &str, n: usize) -> u64 {
    let customer = json(
        url,
        &format!(
            "customer add --name 'Buyer {n}' --phone +1555000{n:04} \
             --email buyer{n}@example.com \
             --address 'Buyer {n}, 1 Main Street, Springfield, 12345, US'"
        ),
        &[],
    );
    customer["id"]
        .as_u64()
        .or_else(|| customer["id"].as_str().and_then(|id| id.parse().ok()))
        .unwrap_or_else(|| panic!("a customer id: {customer}"))
}

/// A running `ordo serve --database URL`.
struct Service {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    base: String,
    /// Everything it wrote on stderr, once it has exited.
    logs: Mutex<mpsc::Receiver<String>>,
    client: reqwest::blocking::Client,
}

impl Service {
    /// Starts `ordo --database URL --data DIR serve --listen 127.0.0.1:0` with `env` and
    /// waits until `/healthz` answers; also returns what it printed before listening.
    fn start(url: &str, data: &Path, env: &[(&str, &str)]) -> (Service, String) {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
            .env_remove("ORDO_DATA")
            .env_remove("ORDO_TOKEN")
            .env_remove("ORDO_PASSWORD")
            .env_remove("ORDO_DATABASE_URL")
            .env("USER", "tester")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .arg("--database")
            .arg(url)
            .arg("--data")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ordo serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (address, found) = mpsc::channel();
        std::thread::spawn(move || {
            let mut printed = String::new();
            let mut sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                printed.push_str(&line);
                printed.push('\n');
                if let Some(at) = line.find("listening on http://") {
                    let base = line[at + "listening on ".len()..].trim().to_string();
                    let _ = address.send((base, String::new()));
                    sent = true;
                } else if sent && line.starts_with("  stop:") {
                    let _ = address.send((String::new(), std::mem::take(&mut printed)));
                }
            }
        });
        let mut stderr = child.stderr.take().expect("stderr");
        let (logs_to, logs) = mpsc::channel();
        std::thread::spawn(move || {
            let mut all = String::new();
            let _ = stderr.read_to_string(&mut all);
            let _ = logs_to.send(all);
        });
        let Ok((base, _)) = found.recv_timeout(Duration::from_secs(120)) else {
            let _ = child.kill();
            let logs = logs
                .recv_timeout(Duration::from_secs(5))
                .unwrap_or_default();
            panic!("ordo serve did not say where it listens: {logs}");
        };
        let (_, printed) = found
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_default();
        let service = Service {
            child,
            base,
            logs: Mutex::new(logs),
            client: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let health = reqwest::blocking::get(format!("{}/healthz", service.base));
            if health.is_ok_and(|response| response.status() == 200) {
                break;
            }
            assert!(Instant::now() < deadline, "/healthz never answered 200");
            std::thread::sleep(Duration::from_millis(50));
        }
        (service, printed)
    }

    /// `POST /api/v1` with `body` and a bearer `token`: the JSON answer, or the transport
    /// error (the process is gone).
    fn try_post(&self, body: &Value, token: &str) -> Result<Value, String> {
        let response = self
            .client
            .post(format!("{}/api/v1", self.base))
            .header("authorization", format!("Bearer {token}"))
            .json(body)
            .send()
            .map_err(|e| e.to_string())?;
        let text = response.text().map_err(|e| e.to_string())?;
        serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
    }

    /// [`Service::try_post`], expecting an answer.
    fn post(&self, body: &Value, token: &str) -> Value {
        self.try_post(body, token).unwrap()
    }

    /// Signs `morgan` in through this service: the session token.
    fn login(&self) -> String {
        let body =
            json!({"op": "session.login", "args": {"login": "morgan", "password": ADMIN_PW}});
        let answer = self.post(&body, "none");
        answer["ok"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("a token: {answer}"))
            .to_string()
    }

    /// SIGTERM, then its exit status and its logs.
    fn stop(mut self) -> (std::process::ExitStatus, String) {
        signal(&self.child, "-TERM");
        let status = wait(&mut self.child);
        let logs = self
            .logs
            .lock()
            .unwrap()
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_default();
        (status, logs)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // A test that failed midway must not leave the service running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Sends `signal` (`-TERM`, `-KILL`) to `child`.
fn signal(child: &Child, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
}

/// Waits (at most a minute) for `child` to exit.
fn wait(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "ordo serve did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `order.create` of one `LAST-1` for `customer`.
fn order_request(customer: u64) -> Value {
    json!({"op": "order.create", "args": {"customer": customer,
        "items": [{"sku": "LAST-1", "quantity": 1}], "shipping": "standard", "payment": "card"}})
}

#[test]
fn two_services_on_one_database_sell_exactly_the_last_units() {
    const UNITS: u64 = 5;
    const BUYERS: usize = 16;
    let url = shop(UNITS);
    let buyer = customer(&url, 1);
    let dirs = tempfile::tempdir().unwrap();
    let (a, printed) = Service::start(&url, &dirs.path().join("a"), &[]);
    assert!(printed.contains("PostgreSQL"), "{printed}");
    assert!(
        printed.contains("pg_dump"),
        "backups are the database's: {printed}"
    );
    let (b, _) = Service::start(&url, &dirs.path().join("b"), &[]);
    // A session made through one process is good on the other: sessions are in the store.
    let token = a.login();
    let services = [&a, &b];
    let start = Barrier::new(BUYERS);
    let answers: Vec<Value> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..BUYERS)
            .map(|n| {
                let service = services[n % 2];
                let (start, token) = (&start, &token);
                scope.spawn(move || {
                    start.wait();
                    service.post(&order_request(buyer), token)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let placed = answers
        .iter()
        .filter(|a| a["ok"]["reference"].is_string())
        .count();
    let refused = answers
        .iter()
        .filter(|a| a["error"]["code"] == "insufficient_stock")
        .count();
    assert_eq!(placed as u64, UNITS, "{answers:?}");
    assert_eq!(
        refused,
        BUYERS - placed,
        "only refusals for stock: {answers:?}"
    );
    // Both processes sold some of them (the race ran through both).
    let by_service: Vec<usize> = (0..2)
        .map(|s| {
            answers
                .iter()
                .enumerate()
                .filter(|(n, a)| n % 2 == s && a["ok"]["reference"].is_string())
                .count()
        })
        .collect();
    assert_eq!(by_service.iter().sum::<usize>() as u64, UNITS);
    let product = json(&url, "product show LAST-1", &[]);
    assert_eq!(
        product["stock"]["reserved"].as_u64(),
        Some(UNITS),
        "{product}"
    );
    let available = product["stock"]["available"].as_i64();
    assert_eq!(available, Some(0), "{product}");
    let orders = b.post(&json!({"op": "order.list", "args": {"limit": 100}}), &token);
    assert_eq!(
        orders["ok"]["items"].as_array().map(Vec::len),
        Some(UNITS as usize),
        "{orders}"
    );
    for service in [a, b] {
        let (status, logs) = service.stop();
        assert_eq!(status.code(), Some(0), "{logs}");
    }
}

#[test]
fn with_both_dispatchers_running_every_notification_is_sent_exactly_once() {
    const ORDERS: usize = 6;
    let url = shop(100);
    let buyers: Vec<u64> = (0..ORDERS).map(|n| customer(&url, 100 + n)).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let twilio = runtime.block_on(fake_twilio::FakeTwilio::start(SID, TWILIO_TOKEN));
    let api_url = twilio.api_url();
    let env = [
        ("ORDO_TWILIO_ACCOUNT_SID", SID),
        ("ORDO_TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
        ("ORDO_TWILIO_FROM", SHOP_NUMBER),
        ("ORDO_TWILIO_API_URL", api_url.as_str()),
    ];
    let dirs = tempfile::tempdir().unwrap();
    let (a, _) = Service::start(&url, &dirs.path().join("a"), &env);
    let (b, _) = Service::start(&url, &dirs.path().join("b"), &env);
    let token = a.login();
    // Orders through both, then a status change for each: notifications of both kinds,
    // made by both processes, while both dispatchers poll.
    let mut references = Vec::new();
    for (n, buyer) in buyers.iter().enumerate() {
        let service = [&a, &b][n % 2];
        let answer = service.post(&order_request(*buyer), &token);
        let reference = answer["ok"]["reference"]
            .as_str()
            .unwrap_or_else(|| panic!("an order: {answer}"))
            .to_string();
        references.push(reference);
    }
    for (n, reference) in references.iter().enumerate() {
        let service = [&b, &a][n % 2];
        let answer = service.post(
            &json!({"op": "order.set_status", "args": {"order": reference, "status": "confirmed"}}),
            &token,
        );
        assert!(answer["ok"].is_object(), "{answer}");
    }
    // Wait until no delivery is left to send.
    let deadline = Instant::now() + Duration::from_secs(120);
    let deliveries = loop {
        let all = json(&url, "outbox list --all", &[]);
        let all = all.as_array().cloned().unwrap_or_default();
        let waiting = all.iter().filter(|d| d["status"] != "sent").count();
        if waiting == 0 && !all.is_empty() {
            break all;
        }
        assert!(
            Instant::now() < deadline,
            "deliveries still waiting after 2 minutes: {all:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    // Leave the dispatchers a few more polls in which a duplicate could still go out.
    std::thread::sleep(Duration::from_secs(3));
    let messages = twilio.messages();
    assert!(
        deliveries.len() >= ORDERS,
        "at least the order confirmations: {deliveries:?}"
    );
    assert_eq!(
        messages.len(),
        deliveries.len(),
        "one text per notification: {messages:?} for {deliveries:?}"
    );
    let distinct: HashSet<(String, String)> = messages
        .iter()
        .map(|m| (m.to.clone(), m.body.clone()))
        .collect();
    assert_eq!(
        distinct.len(),
        messages.len(),
        "no text twice: {messages:?}"
    );
    // Every buyer heard about their order.
    let phones: HashSet<&str> = messages.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(phones.len(), ORDERS, "{messages:?}");
    assert_eq!(twilio.requests(), messages.len());
    for service in [a, b] {
        let (status, logs) = service.stop();
        assert_eq!(status.code(), Some(0), "{logs}");
    }
}

#[test]
fn a_killed_service_loses_no_acknowledged_order() {
    const CLIENTS: usize = 6;
    const BEFORE_KILL: u64 = 30;
    let url = shop(100_000);
    let buyer = customer(&url, 1);
    let dirs = tempfile::tempdir().unwrap();
    let (mut victim, _) = Service::start(&url, &dirs.path().join("a"), &[]);
    let (survivor, _) = Service::start(&url, &dirs.path().join("b"), &[]);
    let token = survivor.login();
    let acknowledged = Mutex::new(Vec::<String>::new());
    let count = AtomicU64::new(0);
    let failed_after_kill = AtomicU64::new(0);
    let killed = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..CLIENTS {
            let (victim, acknowledged, count, killed, failed, token) = (
                &victim,
                &acknowledged,
                &count,
                &killed,
                &failed_after_kill,
                &token,
            );
            scope.spawn(move || {
                loop {
                    match victim.try_post(&order_request(buyer), token) {
                        Ok(answer) => {
                            let reference = answer["ok"]["reference"]
                                .as_str()
                                .unwrap_or_else(|| panic!("an order: {answer}"))
                                .to_string();
                            acknowledged.lock().unwrap().push(reference);
                            count.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(_) => {
                            assert!(killed.load(Ordering::SeqCst), "a failure before the kill");
                            failed.fetch_add(1, Ordering::SeqCst);
                            return;
                        }
                    }
                }
            });
        }
        // Kill it while the clients are sending.
        let deadline = Instant::now() + Duration::from_secs(120);
        while count.load(Ordering::SeqCst) < BEFORE_KILL {
            assert!(Instant::now() < deadline, "too few orders were placed");
            std::thread::sleep(Duration::from_millis(5));
        }
        killed.store(true, Ordering::SeqCst);
        signal(&victim.child, "-KILL");
    });
    let status = wait(&mut victim.child);
    assert_eq!(status.code(), None, "killed by a signal");
    let acknowledged = acknowledged.into_inner().unwrap();
    assert!(acknowledged.len() as u64 >= BEFORE_KILL);
    // Every client saw the process go away (its requests in flight were never answered).
    assert_eq!(failed_after_kill.load(Ordering::SeqCst), CLIENTS as u64);
    let mut read = 0;
    for reference in &acknowledged {
        let answer = survivor.post(
            &json!({"op": "order.get", "args": {"reference": reference}}),
            &token,
        );
        assert_eq!(answer["ok"]["reference"], reference.as_str(), "{answer}");
        read += 1;
    }
    assert_eq!(read, acknowledged.len());
    // The stock agrees with the orders that exist: none half-written.
    let product = survivor.post(
        &json!({"op": "product.get", "args": {"sku": "LAST-1"}}),
        &token,
    );
    let reserved = product["ok"]["stock"]["reserved"].as_u64();
    let orders = count_orders(&survivor, &token);
    assert_eq!(reserved, Some(orders), "{product}");
    assert!(orders >= acknowledged.len() as u64);
    let (status, logs) = survivor.stop();
    assert_eq!(status.code(), Some(0), "{logs}");
}

/// Every order in the store, paging through `order.list`.
fn count_orders(service: &Service, token: &str) -> u64 {
    let mut after: Option<String> = None;
    let mut total = 0;
    loop {
        let answer = service.post(
            &json!({"op": "order.list", "args": {"limit": 100, "cursor": after}}),
            token,
        );
        let items = answer["ok"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        total += items.len() as u64;
        match answer["ok"]["next_cursor"].as_str() {
            Some(next) if !items.is_empty() => after = Some(next.to_string()),
            _ => return total,
        }
    }
}

/// `ordo ARGS… --json` (no store option added), expecting success: the `ok` value.
fn ordo_json(args: &[&str]) -> Value {
    let output = ordo().args(args).arg("--json").output().unwrap();
    assert!(
        output.status.success(),
        "ordo {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let response: Value = serde_json::from_slice(&output.stdout).unwrap();
    response["ok"].clone()
}

/// Every order of a store (`--data DIR` or `--database URL`): id and reference (none for
/// a draft), sorted.
fn references(store: &[&str]) -> Vec<String> {
    let mut args = store.to_vec();
    args.extend(["order", "list", "--limit", "500"]);
    let orders = ordo_json(&args);
    let items = orders
        .as_array()
        .or_else(|| orders["items"].as_array())
        .unwrap_or_else(|| panic!("a list: {orders}"));
    let mut references: Vec<String> = items
        .iter()
        .map(|o| format!("{} {}", o["id"], o["reference"]))
        .collect();
    references.sort();
    references
}

#[test]
fn migrate_copies_the_demo_into_postgres_and_back_verified() {
    let dirs = tempfile::tempdir().unwrap();
    let first = dirs.path().join("first");
    let back = dirs.path().join("back");
    let (first, back) = (first.to_str().unwrap(), back.to_str().unwrap());
    let url = database();
    ordo_json(&["--data", first, "demo", "--scale", "5"]);
    let orders = references(&["--data", first]);
    assert!(orders.len() >= 5, "the demo made orders: {orders:?}");

    let there = ordo_json(&["migrate", "--from", first, "--to", &url]);
    assert_eq!(there["verified"], true, "{there}");
    assert!(
        there["records"].as_u64().unwrap() > orders.len() as u64,
        "{there}"
    );
    assert!(there["index_entries"].as_u64().unwrap() > 0, "{there}");
    assert!(there["audit_entries"].as_u64().unwrap() > 0, "{there}");
    let parts = there["parts"].as_array().unwrap();
    assert!(
        parts
            .iter()
            .all(|p| p["same"] == true && p["source"] == p["target"])
    );
    assert!(
        // Listings leave archived orders out; the copy has them all.
        parts
            .iter()
            .any(|p| p["part"] == "records order"
                && p["target"].as_u64() >= Some(orders.len() as u64)),
        "{there}"
    );
    assert_eq!(references(&["--database", &url]), orders);

    let home = ordo_json(&["migrate", "--from", &url, "--to", back]);
    assert_eq!(home["verified"], true, "{home}");
    assert_eq!(home["records"], there["records"]);
    assert_eq!(home["index_entries"], there["index_entries"]);
    assert_eq!(home["counters"], there["counters"]);
    assert_eq!(home["audit_entries"], there["audit_entries"]);
    // The copy of the copy opens, lists the same orders, and takes new ones.
    assert_eq!(references(&["--data", back]), orders);
    let (id, _) = orders[0].split_once(' ').unwrap();
    let id = id.trim_matches('"');
    let order = ordo_json(&["--data", back, "order", "show", id]);
    assert_eq!(order["id"].to_string().trim_matches('"'), id, "{order}");
    for store in [["--data", back], ["--database", url.as_str()]] {
        let mut args = store.to_vec();
        args.extend([
            "product", "add", "--sku", "AFTER-1", "--name", "After", "--price", "1.00 USD",
        ]);
        let added = ordo_json(&args);
        assert!(
            added["id"].is_number() || added["id"].is_string(),
            "{added}"
        );
    }

    // A target that holds data is refused (a conflict), whichever the backend.
    for (from, to) in [(first, url.as_str()), (url.as_str(), first)] {
        let refused = ordo()
            .args(["migrate", "--from", from, "--to", to])
            .output()
            .unwrap();
        let line = support::check_failure("migrate", &refused, 5);
        assert!(line.contains("already holds data"), "{line}");
        assert!(!line.contains("postgres://postgres:"), "{line}");
    }
}
