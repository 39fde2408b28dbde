//! Durability tests that need real directories and other processes: crash consistency
//! under SIGKILL, the single-process directory lock, reopening, and damaged bytes on disk.
//!
//! Child processes are this test binary run again with `ORDO_STORAGE_CHILD` set: the test
//! `child_process_entry_point` then plays the child's role (and is a no-op otherwise).

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ordo_core::audit::{AuditAction, AuditRecord, Subject};
use ordo_core::auth::Actor;
use ordo_core::clock::Timestamp;
use ordo_core::engine::OrderRequest;
use ordo_core::ids::{CustomerId, OrderId, ProductId};
use ordo_core::inventory::WarehouseCode;
use ordo_core::order::{Order, OrderStatus};
use ordo_core::outbox::DomainEvent;
use ordo_core::store::{
    Expected, IdempotencyRecord, Record, RecordKey, RecordKind, Store, StoreError, WriteSet, keys,
};
use ordo_core::testkit::{invariants, sample};
use ordo_storage::{Durability, SledStore, StoreConfig};

#[path = "durability/backup.rs"]
mod backup;

const CHILD_ROLE: &str = "ORDO_STORAGE_CHILD";
const CHILD_DIR: &str = "ORDO_STORAGE_CHILD_DIR";
const CHILD_SEED: &str = "ORDO_STORAGE_CHILD_SEED";
const CHILD_CUSTOMERS: &str = "ORDO_STORAGE_CHILD_CUSTOMERS";
/// How the crash writer opens the store: `immediate`, `immediate-tiny` or `periodic-tiny`
/// (tiny: a checkpoint every few orders, so kills land during checkpoints).
const CHILD_CONFIG: &str = "ORDO_STORAGE_CHILD_CONFIG";
/// How many write sets the periodic writer acknowledges before it waits to be killed.
const CHILD_COUNT: &str = "ORDO_STORAGE_CHILD_COUNT";

const SKUS: [&str; 6] = [
    "TEE-RED-S",
    "TEE-RED-M",
    "TEE-BLU-L",
    "MUG-WHT",
    "CAP-BLK",
    "BAG-TOTE",
];

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let path =
            std::env::temp_dir().join(format!("ordo-storage-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// xorshift64*: deterministic from a printed seed, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn immediate() -> StoreConfig {
    StoreConfig::new(Durability::Immediate)
}

fn spawn_child(role: &str, dir: &Path, env: &[(&str, String)]) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "child_process_entry_point",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ROLE, role)
        .env(CHILD_DIR, dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    command.spawn().unwrap()
}

/// Forwards each complete stdout line of a child (a line cut by the kill is dropped).
fn stdout_lines(child: &mut Child) -> (mpsc::Receiver<String>, std::thread::JoinHandle<()>) {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) if line.ends_with('\n') => {
                    if tx.send(line.trim_end().to_string()).is_err() {
                        return;
                    }
                }
                Ok(_) => return,
            }
        }
    });
    (rx, thread)
}

fn stderr_text(child: &mut Child) -> std::thread::JoinHandle<String> {
    let mut stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    })
}

fn wait_for_ready(lines: &mpsc::Receiver<String>, early: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .expect("child did not report READY in time");
        if line == "READY" {
            return;
        }
        early.push(line);
    }
}

// ---------------------------------------------------------------------------------------
// Child roles
// ---------------------------------------------------------------------------------------

/// Runs a child role when spawned by a test; does nothing in a normal test run.
#[test]
fn child_process_entry_point() {
    let Ok(role) = std::env::var(CHILD_ROLE) else {
        return;
    };
    let dir = PathBuf::from(std::env::var(CHILD_DIR).unwrap());
    // libtest has printed "test child_process_entry_point ... " without a newline.
    println!();
    match role.as_str() {
        "hold" => hold_store_open(&dir),
        "crash-writer" => crash_writer(&dir),
        "periodic-writer" => periodic_writer(&dir),
        other => panic!("unknown child role {other}"),
    }
}

/// Opens the store and keeps it open until stdin closes.
fn hold_store_open(dir: &Path) {
    let store = SledStore::open(dir, immediate()).unwrap();
    println!("READY");
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(store);
}

/// Creates orders from 4 threads until killed, printing `ACK id reference customer` after
/// each `create_order` returns and `CANCEL id` after each `cancel_order` returns.
fn crash_writer(dir: &Path) {
    let seed: u64 = std::env::var(CHILD_SEED).unwrap().parse().unwrap();
    let customers: Vec<u64> = std::env::var(CHILD_CUSTOMERS)
        .unwrap()
        .split(',')
        .map(|c| c.parse().unwrap())
        .collect();
    let config = match std::env::var(CHILD_CONFIG).as_deref() {
        Ok("immediate-tiny") => immediate().with_checkpoint_bytes(4096),
        Ok("periodic-tiny") => StoreConfig::new(Durability::Periodic {
            flush_every_ms: 3_600_000,
        })
        .with_checkpoint_bytes(4096),
        _ => immediate(),
    };
    let store = Arc::new(SledStore::open(dir, config).unwrap());
    let (engine, _clock) = sample::engine(store, seed);
    let engine = Arc::new(engine);
    println!("READY");
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let engine = engine.clone();
            let customers = customers.clone();
            std::thread::spawn(move || {
                let mut rng = Rng::new(seed.wrapping_mul(31).wrapping_add(t + 1));
                let admin = sample::admin();
                let mut mine: Vec<OrderId> = Vec::new();
                loop {
                    let customer = customers[rng.below(customers.len() as u64) as usize];
                    let first = rng.below(SKUS.len() as u64) as usize;
                    let lines = 1 + rng.below(3) as usize;
                    let items: Vec<(&str, i64)> = (0..lines)
                        .map(|i| (SKUS[(first + i) % SKUS.len()], 1 + rng.below(5) as i64))
                        .collect();
                    let request = OrderRequest::simple(CustomerId(customer), &items);
                    match engine.create_order(&admin, &request) {
                        Ok(order) => {
                            let reference = order.reference().unwrap();
                            println!("ACK {} {reference} {customer}", order.id().0);
                            mine.push(order.id());
                        }
                        Err(e) => {
                            eprintln!("create_order failed: {e}");
                            continue;
                        }
                    }
                    // Every fifth order, cancel an earlier one (releasing its stock).
                    if mine.len().is_multiple_of(5) {
                        let victim = mine[mine.len() - 3];
                        match engine.cancel_order(&admin, victim, "crash test") {
                            Ok(_) => println!("CANCEL {}", victim.0),
                            Err(e) => eprintln!("cancel_order failed: {e}"),
                        }
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        let _ = thread.join();
    }
}

/// Periodic mode with an hour between `fdatasync`s and no checkpoint: acknowledges
/// `CHILD_COUNT` write sets (printing `ACK n` after each `apply` returns), then `DONE`, then
/// waits to be killed.
fn periodic_writer(dir: &Path) {
    let count: u64 = std::env::var(CHILD_COUNT).unwrap().parse().unwrap();
    let config = StoreConfig::new(Durability::Periodic {
        flush_every_ms: 3_600_000,
    })
    .with_checkpoint_every(Duration::from_secs(3600));
    let store = SledStore::open(dir, config).unwrap();
    println!("READY");
    for n in 0..count {
        let mut ws = WriteSet::new();
        ws.put(marker(&format!("periodic-{n}")), Expected::Absent);
        store.apply(ws).unwrap();
        println!("ACK {n}");
    }
    println!("DONE");
    std::thread::sleep(Duration::from_secs(3600));
}

// ---------------------------------------------------------------------------------------
// Crash test
// ---------------------------------------------------------------------------------------

/// What a child acknowledged about one order.
#[derive(Debug)]
struct Ack {
    reference: String,
    customer: u64,
}

/// Products with plenty of stock and some customers; returns the customers' ids.
fn setup_catalog(dir: &Path) -> Vec<u64> {
    let store = SledStore::open(dir, immediate()).unwrap();
    let (engine, _clock) = sample::engine(&store, 1);
    let admin = sample::admin();
    for (i, sku) in SKUS.iter().enumerate() {
        engine
            .create_product(&admin, sample::product(sku, 500 + 100 * i as i64))
            .unwrap();
        engine
            .restock(&admin, sku, "MAIN", 10_000_000, "crash test stock")
            .unwrap();
    }
    (1..=8)
        .map(|n| {
            engine
                .create_customer(&admin, &sample::customer(n))
                .unwrap()
                .id()
                .0
        })
        .collect()
}

fn all_orders(store: &SledStore) -> Vec<Order> {
    let mut orders = Vec::new();
    let mut after: Option<RecordKey> = None;
    loop {
        let page = store.scan(RecordKind::Order, after.as_ref(), 500).unwrap();
        let done = page.len() < 500;
        after = page.last().map(|v| v.value.key());
        orders.extend(page.into_iter().map(|v| match v.value {
            Record::Order(order) => *order,
            other => panic!("order scan returned {other:?}"),
        }));
        if done {
            return orders;
        }
    }
}

fn all_outbox(store: &SledStore) -> Vec<DomainEvent> {
    let mut events = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .scan(RecordKind::Delivery, after.as_ref(), 500)
            .unwrap();
        let done = page.len() < 500;
        after = page.last().map(|v| v.value.key());
        events.extend(page.into_iter().map(|v| match v.value {
            Record::Delivery(delivery) => delivery.event().clone(),
            other => panic!("delivery scan returned {other:?}"),
        }));
        if done {
            return events;
        }
    }
}

/// Reopens the store and checks everything the crash test promises; returns how many
/// acknowledged orders were checked.
fn verify_after_crash(
    dir: &Path,
    acked: &BTreeMap<u64, Ack>,
    cancelled: &BTreeSet<u64>,
) -> Result<usize, String> {
    let store = SledStore::open(dir, immediate()).map_err(|e| format!("reopen: {e}"))?;
    // Every acknowledged order is present and intact.
    for (id, ack) in acked {
        let Some(stored) = store.get(&RecordKey::Order(OrderId(*id))).unwrap() else {
            return Err(format!("acknowledged order {id} is missing"));
        };
        let Record::Order(order) = stored.value else {
            return Err(format!("order {id} holds another record"));
        };
        let reference = order.reference().map(ToString::to_string);
        if reference.as_deref() != Some(ack.reference.as_str())
            || order.customer().0 != ack.customer
        {
            return Err(format!(
                "order {id} does not match its acknowledgement {ack:?}"
            ));
        }
        if order.lines().is_empty() {
            return Err(format!("order {id} lost its lines"));
        }
        let expected_status = if cancelled.contains(id) {
            order.status() == OrderStatus::Cancelled
        } else {
            matches!(order.status(), OrderStatus::Placed | OrderStatus::Cancelled)
        };
        if !expected_status {
            return Err(format!("order {id} has status {}", order.status()));
        }
    }
    let orders = all_orders(&store);
    // No partial order: each order's own index entries resolve to it (point reads), the
    // whole-store invariants hold (every index entry points to a matching order, stock
    // reservations equal the open orders' reservations).
    for order in &orders {
        for entry in keys::order_entries(order) {
            let found = store.index_get(entry.index, &entry.key).unwrap();
            if found != Some(order.id().0) {
                return Err(format!(
                    "order {}: index {} maps its key to {found:?}",
                    order.id(),
                    entry.index.name()
                ));
            }
        }
    }
    invariants::check_store(&store)?;
    let mut reserved: BTreeMap<(ProductId, WarehouseCode), u64> = BTreeMap::new();
    for order in orders.iter().filter(|o| o.status().holds_stock()) {
        for line in order.lines() {
            if let Some(warehouse) = &line.warehouse {
                *reserved
                    .entry((line.product, warehouse.clone()))
                    .or_default() += u64::from(line.reserved);
            }
        }
    }
    for stock in invariants::all_stock(&store)? {
        for level in stock.levels() {
            if level.reserved() > level.on_hand() {
                return Err(format!("stock of {} oversold", stock.product()));
            }
            let want = reserved
                .get(&(stock.product(), level.warehouse().clone()))
                .copied()
                .unwrap_or(0);
            if level.reserved() != want {
                return Err(format!(
                    "stock of {} in {}: reserved {} but open orders hold {want}",
                    stock.product(),
                    level.warehouse(),
                    level.reserved()
                ));
            }
        }
    }
    // The audit entry and the deliveries of every change are there, and only those.
    let mut placed_events = BTreeSet::new();
    let mut cancel_events = BTreeSet::new();
    for event in all_outbox(&store) {
        match event {
            DomainEvent::OrderPlaced { order, .. } => placed_events.insert(order.0),
            DomainEvent::OrderCancelled { order, .. } => cancel_events.insert(order.0),
            other => return Err(format!("unexpected event {other:?}")),
        };
    }
    let order_ids: BTreeSet<u64> = orders.iter().map(|o| o.id().0).collect();
    let cancelled_ids: BTreeSet<u64> = orders
        .iter()
        .filter(|o| o.status() == OrderStatus::Cancelled)
        .map(|o| o.id().0)
        .collect();
    if placed_events != order_ids || cancel_events != cancelled_ids {
        return Err("delivered events do not match the stored orders".to_string());
    }
    for order in &orders {
        let trail = store
            .audit_for(Subject::Order(order.id()), None, 10)
            .unwrap();
        let actions: Vec<AuditAction> = trail.iter().map(|e| e.record.action).collect();
        let want = if order.status() == OrderStatus::Cancelled {
            vec![AuditAction::OrderCreated, AuditAction::OrderCancelled]
        } else {
            vec![AuditAction::OrderCreated]
        };
        if actions != want {
            return Err(format!("order {} has audit trail {actions:?}", order.id()));
        }
    }
    Ok(acked.len())
}

#[test]
fn acknowledged_orders_survive_sigkill_and_the_store_stays_consistent() {
    const KILLS: usize = 30;
    const CONFIGS: [&str; 3] = ["immediate", "immediate-tiny", "periodic-tiny"];
    let seed = match std::env::var("ORDO_CRASH_SEED") {
        Ok(seed) => seed.parse().unwrap(),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    };
    eprintln!("crash test seed {seed} (rerun with ORDO_CRASH_SEED={seed})");
    let mut rng = Rng::new(seed);
    let dir = TempDir::new("crash");
    let customers = setup_catalog(dir.path());
    let customer_list = customers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let started = Instant::now();
    let mut acked: BTreeMap<u64, Ack> = BTreeMap::new();
    let mut cancelled: BTreeSet<u64> = BTreeSet::new();
    let mut checks = 0usize;
    let mut early_kills = 0usize;
    for round in 0..KILLS {
        let env = [
            (CHILD_SEED, seed.wrapping_add(round as u64 + 1).to_string()),
            (CHILD_CUSTOMERS, customer_list.clone()),
            (CHILD_CONFIG, CONFIGS[round % CONFIGS.len()].to_string()),
        ];
        let mut child = spawn_child("crash-writer", dir.path(), &env);
        let (lines, reader) = stdout_lines(&mut child);
        let stderr = stderr_text(&mut child);
        let mut output = Vec::new();
        // One kill in four lands at any moment from the start (possibly while sled
        // recovers); the others while orders are being written.
        if rng.below(4) == 0 {
            early_kills += 1;
            std::thread::sleep(Duration::from_millis(rng.below(200)));
        } else {
            wait_for_ready(&lines, &mut output);
            std::thread::sleep(Duration::from_millis(20 + rng.below(400)));
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "round {round}: the writer exited by itself ({status}):\n{}",
                stderr.join().unwrap()
            );
        }
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        output.extend(lines.try_iter());
        let child_errors = stderr.join().unwrap();
        let mut acked_now = 0;
        for line in &output {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["ACK", id, reference, customer] => {
                    acked_now += 1;
                    acked.insert(
                        id.parse().unwrap(),
                        Ack {
                            reference: (*reference).to_string(),
                            customer: customer.parse().unwrap(),
                        },
                    );
                }
                ["CANCEL", id] => {
                    cancelled.insert(id.parse().unwrap());
                }
                _ => {}
            }
        }
        checks += verify_after_crash(dir.path(), &acked, &cancelled).unwrap_or_else(|e| {
            panic!("round {round} (seed {seed}): {e}\nchild stderr:\n{child_errors}")
        });
        eprintln!(
            "round {round} ({}): {acked_now} orders acknowledged, {} in total, all present",
            CONFIGS[round % CONFIGS.len()],
            acked.len()
        );
    }
    eprintln!(
        "crash test: {KILLS} SIGKILLs ({early_kills} at random moments from start; \
         a third each Immediate, Immediate and Periodic with a checkpoint every few \
         orders), \
         {} acknowledged orders ({} cancellations) all present and consistent \
         ({checks} acknowledged-order checks over all rounds), {:.1} s",
        acked.len(),
        cancelled.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        acked.len() >= 100,
        "too few orders were written to mean anything"
    );
}

// ---------------------------------------------------------------------------------------
// Lock, reopen, corruption
// ---------------------------------------------------------------------------------------

#[test]
fn a_directory_open_in_another_process_is_locked() {
    let dir = TempDir::new("lock");
    drop(SledStore::open(dir.path(), immediate()).unwrap());
    let mut child = spawn_child("hold", dir.path(), &[]);
    let (lines, reader) = stdout_lines(&mut child);
    let stderr = stderr_text(&mut child);
    wait_for_ready(&lines, &mut Vec::new());
    match SledStore::open(dir.path(), immediate()) {
        Err(StoreError::Locked(message)) => {
            assert!(message.contains("in use by another"), "{message}");
            assert!(message.contains(&dir.path().display().to_string()));
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    reader.join().unwrap();
    assert!(
        status.success(),
        "holder failed: {}",
        stderr.join().unwrap()
    );
    // Released when the other process ends.
    SledStore::open(dir.path(), immediate()).unwrap();
}

fn marker(key: &str) -> Record {
    Record::Idempotency(IdempotencyRecord {
        key: key.to_string(),
        fingerprint: "fingerprint".to_string(),
        order: OrderId(1),
        created_at: Timestamp(0),
    })
}

fn audit_about(order: u64) -> AuditRecord {
    AuditRecord {
        at: Timestamp(1),
        actor: Actor::system().record(),
        action: AuditAction::StatusChanged,
        subjects: vec![Subject::Order(OrderId(order))],
        changes: Vec::new(),
    }
}

#[test]
fn records_ids_and_sequences_survive_reopening() {
    let dir = TempDir::new("reopen");
    let (first_id, audit_seq) = {
        let store = SledStore::open(dir.path(), immediate()).unwrap();
        let mut ws = WriteSet::new();
        ws.put(marker("a"), Expected::Absent);
        ws.audit.push(audit_about(1));
        store.apply(ws).unwrap();
        let audit = store
            .audit_for(Subject::Order(OrderId(1)), None, 10)
            .unwrap();
        (store.next_id().unwrap(), audit[0].sequence)
    };
    let store = SledStore::open(dir.path(), immediate()).unwrap();
    assert_eq!(
        store
            .get(&RecordKey::Idempotency("a".into()))
            .unwrap()
            .unwrap()
            .version,
        1
    );
    assert!(store.next_id().unwrap() > first_id);
    let mut ws = WriteSet::new();
    ws.put(marker("a"), Expected::Version(1));
    ws.audit.push(audit_about(1));
    store.apply(ws).unwrap();
    let audit = store
        .audit_for(Subject::Order(OrderId(1)), None, 10)
        .unwrap();
    assert_eq!(audit.len(), 2);
    assert!(audit[1].sequence > audit_seq);
}

/// Periodic mode keeps what it acknowledged across a process crash: the commit log is
/// written before `apply` returns, and the page cache outlives the process.
#[test]
fn periodic_mode_survives_sigkill() {
    const COUNT: u64 = 300;
    let dir = TempDir::new("periodic-kill");
    let mut child = spawn_child(
        "periodic-writer",
        dir.path(),
        &[(CHILD_COUNT, COUNT.to_string())],
    );
    let (lines, reader) = stdout_lines(&mut child);
    let stderr = stderr_text(&mut child);
    let mut acked = 0u64;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the writer stopped before DONE");
        if line.starts_with("ACK ") {
            acked += 1;
        }
        if line == "DONE" {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    let child_errors = stderr.join().unwrap();
    assert_eq!(acked, COUNT, "child stderr:\n{child_errors}");
    let store = SledStore::open(dir.path(), immediate()).unwrap();
    // Nothing was checkpointed or synced by the writer: it all comes from the log.
    assert_eq!(store.replayed_at_open(), COUNT);
    let mut present = 0;
    for n in 0..COUNT {
        let key = RecordKey::Idempotency(format!("periodic-{n}"));
        assert!(store.get(&key).unwrap().is_some(), "{key} lost");
        present += 1;
    }
    assert_eq!(present, COUNT);
}

#[test]
fn periodic_mode_keeps_data_across_a_clean_close() {
    let dir = TempDir::new("periodic");
    let config = StoreConfig::new(Durability::Periodic { flush_every_ms: 50 });
    {
        let store = SledStore::open(dir.path(), config.clone()).unwrap();
        assert_eq!(store.durability(), config.durability);
        let mut ws = WriteSet::new();
        ws.put(marker("p"), Expected::Absent);
        store.apply(ws).unwrap();
    }
    let store = SledStore::open(dir.path(), config).unwrap();
    assert!(
        store
            .get(&RecordKey::Idempotency("p".into()))
            .unwrap()
            .is_some()
    );
    let zero = StoreConfig::new(Durability::Periodic { flush_every_ms: 0 });
    let other = TempDir::new("periodic-zero");
    assert!(matches!(
        SledStore::open(other.path(), zero),
        Err(StoreError::Io(_))
    ));
}

/// Overwrites one value in a closed store's tree with raw sled.
fn damage(dir: &Path, tree: &str, key: &[u8], value: &[u8]) {
    let db = sled::open(dir).unwrap();
    db.open_tree(tree).unwrap().insert(key, value).unwrap();
    db.flush().unwrap();
    drop(db);
    // sled's background threads may hold the directory lock a moment after the drop:
    // wait for it, or the next open could fail as locked.
    let file = std::fs::File::open(dir.join("db")).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while file.try_lock().is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the lock was not released"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn damaged_bytes_on_disk_are_reported_as_corrupted_naming_the_key() {
    let dir = TempDir::new("damage");
    {
        let store = SledStore::open(dir.path(), immediate()).unwrap();
        let mut ws = WriteSet::new();
        ws.put(marker("good"), Expected::Absent);
        ws.put(marker("bad"), Expected::Absent);
        store.apply(ws).unwrap();
    }
    // A truncated value, then an unknown schema version.
    for damaged in [&[1u8][..], &[1u8, 99, 0, 0][..]] {
        damage(dir.path(), "idempotency", b"bad", damaged);
        let store = SledStore::open(dir.path(), immediate()).unwrap();
        let key = RecordKey::Idempotency("bad".into());
        match store.get(&key) {
            Err(StoreError::Corrupted { key, reason }) => {
                assert_eq!(key, "idempotency/bad");
                assert!(!reason.is_empty());
            }
            other => panic!("expected Corrupted, got {other:?}"),
        }
        // A scan does not skip it either.
        assert!(matches!(
            store.scan(RecordKind::Idempotency, None, 10),
            Err(StoreError::Corrupted { .. })
        ));
        // The writer refuses to build on it: a put expecting any version is rejected.
        let mut ws = WriteSet::new();
        ws.put(marker("bad"), Expected::Version(1));
        assert!(matches!(store.apply(ws), Err(StoreError::Corrupted { .. })));
        // Other records are unaffected.
        assert!(
            store
                .get(&RecordKey::Idempotency("good".into()))
                .unwrap()
                .is_some()
        );
    }
    // An index value and an unknown storage format version.
    damage(dir.path(), "idx_product_sku", b"SKU", b"\x01\x01\xff");
    {
        let store = SledStore::open(dir.path(), immediate()).unwrap();
        match store.index_get(ordo_core::store::IndexName::ProductBySku, b"SKU") {
            Err(StoreError::Corrupted { key, .. }) => assert_eq!(key, "idx_product_sku/534b55"),
            other => panic!("expected Corrupted, got {other:?}"),
        }
    }
    damage(dir.path(), "meta", b"format_version", &[1, 1, 99]);
    match SledStore::open(dir.path(), immediate()) {
        Err(StoreError::Corrupted { key, reason }) => {
            assert_eq!(key, "meta/format_version");
            assert!(reason.contains("99"), "{reason}");
        }
        other => panic!("expected Corrupted, got {other:?}"),
    }
}

/// Regression: sled's background threads can hold the directory lock for a moment after
/// the `Db` is dropped, so an immediate reopen in the same process failed with `Locked`.
#[test]
fn reopening_right_after_drop_is_not_locked() {
    let dir = TempDir::new("reopen-fast");
    for round in 0..20u64 {
        let durability = if round % 2 == 0 {
            Durability::Immediate
        } else {
            Durability::Periodic { flush_every_ms: 5 }
        };
        let store = SledStore::open(dir.path(), StoreConfig::new(durability))
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let mut ws = WriteSet::new();
        ws.put(marker(&format!("k{round}")), Expected::Absent);
        store.apply(ws).unwrap();
    }
    let store = SledStore::open(dir.path(), immediate()).unwrap();
    assert_eq!(
        store
            .scan(RecordKind::Idempotency, None, 100)
            .unwrap()
            .len(),
        20
    );
}
