//! Deterministic simulation, in the style of TigerBeetle's VOPR, for any store: seeded
//! clients issue random commands against the engine over a store that injects faults
//! (conflicts, failed writes before and after they land) and crashes (the backend rebuilds
//! the store from what it keeps durably: a replay of the applied write sets for the
//! in-memory store, a reconnection for a database server). After every step: stock
//! conservation, reservations = open quantities, money consistent, no acknowledged write
//! lost, one audit entry per version of every order.
//!
//! `core/tests/simulation.rs` runs it on the in-memory store; the PostgreSQL backend runs
//! it on itself. `ORDO_SIM_SEEDS=N` runs N seeds; `ORDO_SIM_SEED=S` replays seed S.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::audit::{AuditAction, AuditEntry, Subject};
use crate::auth::{Actor, Role};
use crate::clock::ManualClock;
use crate::clock::Timestamp;
use crate::credentials::PasswordParams;
use crate::customer::AddressInput;
use crate::customer::CustomerStatus;
use crate::engine::{
    Engine, EngineConfig, OrderRequest, PaymentRequest, RegistrationRequest, ShipRequest,
    VerifyRequest,
};
use crate::error::{Error, Refusal};
use crate::ids::{CustomerId, OrderId, ProductId};
use crate::order::OrderStatus;
use crate::payment::PaymentMethod;
use crate::random::{RandomSource, SeededRandom};
use crate::registration::Channel;
use crate::shipment::{ALL_TRACKING_STATUSES, CarrierName, TrackingEvent, TrackingNumber};
use crate::store::{
    IndexName, IndexRange, MemoryStore, Record, RecordKey, RecordKind, ScanPage, Store, StoreError,
    Versioned, WriteSet,
};
use crate::testkit::{invariants, sample};

const SIM_PASSWORD: &str = "simulated lantern 42";
const SKUS: [&str; 5] = ["TEE", "MUG", "CAP", "BAG", "PEN"];
const WAREHOUSES: [&str; 2] = ["MAIN", "EAST"];

/// Per-mille fault rates.
#[derive(Clone, Copy, Default)]
struct Faults {
    io_before: u64,
    io_after: u64,
    conflict: u64,
}

/// What a store keeps through a crash, and how it comes back.
pub trait Backend: Send + Sync + 'static {
    /// The store the engine runs on.
    type Store: Store;
    /// A new, empty store.
    fn fresh(&self) -> Self::Store;
    /// The store after `crashed` went down: what it kept durably. `log` holds every write
    /// set it applied, in order (a store without durability of its own replays it).
    fn recover(&self, crashed: &Self::Store, log: &[WriteSet]) -> Self::Store;
}

/// The in-memory store: its durable state is the log of applied write sets, replayed.
#[derive(Debug, Default, Clone, Copy)]
pub struct InMemory;

impl Backend for InMemory {
    type Store = MemoryStore;

    fn fresh(&self) -> MemoryStore {
        MemoryStore::new()
    }

    fn recover(&self, _crashed: &MemoryStore, log: &[WriteSet]) -> MemoryStore {
        let rebuilt = MemoryStore::new();
        for ws in log {
            rebuilt
                .apply(ws.clone())
                .expect("the durable log replays cleanly");
        }
        rebuilt
    }
}

/// A store that injects faults: `live` serves reads and writes; every applied write set
/// is appended to `log`; a crash replaces `live` by what the backend recovers.
struct SimStore<B: Backend> {
    backend: B,
    live: RwLock<B::Store>,
    log: Mutex<Vec<WriteSet>>,
    next_id: AtomicU64,
    faults: Mutex<Faults>,
    random: SeededRandom,
}

impl<B: Backend> SimStore<B> {
    fn new(seed: u64, backend: B) -> SimStore<B> {
        SimStore {
            live: RwLock::new(backend.fresh()),
            backend,
            log: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(0),
            faults: Mutex::new(Faults::default()),
            random: SeededRandom::new(seed ^ 0x5eed),
        }
    }

    fn roll(&self, per_mille: u64) -> bool {
        per_mille > 0 && self.random.next_u64() % 1000 < per_mille
    }

    fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap() = faults;
    }

    /// Loses everything the backend does not keep, and checks the recovered state is
    /// identical to what was live.
    fn crash_and_recover(&self) {
        let mut live = self.live.write().unwrap();
        let before = dump(&*live);
        let recovered = self
            .backend
            .recover(&live, self.log.lock().unwrap().as_slice());
        assert_eq!(
            dump(&recovered),
            before,
            "the state recovered after a crash differs from the live state"
        );
        *live = recovered;
    }
}

fn dump(store: &dyn Store) -> Vec<Versioned<Record>> {
    let kinds = [
        RecordKind::Product,
        RecordKind::Customer,
        RecordKind::Order,
        RecordKind::Stock,
        RecordKind::Idempotency,
    ];
    kinds
        .iter()
        .flat_map(|k| store.scan(*k, None, usize::MAX).unwrap())
        .collect()
}

impl<B: Backend> Store for SimStore<B> {
    fn next_id(&self) -> Result<u64, StoreError> {
        Ok(self.next_id.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn get(&self, key: &RecordKey) -> Result<Option<Versioned<Record>>, StoreError> {
        self.live.read().unwrap().get(key)
    }
    fn scan(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<Vec<Versioned<Record>>, StoreError> {
        self.live.read().unwrap().scan(kind, after, limit)
    }
    fn scan_listing(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<ScanPage, StoreError> {
        self.live.read().unwrap().scan_listing(kind, after, limit)
    }
    fn index_get(&self, index: IndexName, key: &[u8]) -> Result<Option<u64>, StoreError> {
        self.live.read().unwrap().index_get(index, key)
    }
    fn index_scan(
        &self,
        index: IndexName,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError> {
        self.live.read().unwrap().index_scan(index, range, limit)
    }
    fn audit_for(
        &self,
        subject: Subject,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.live.read().unwrap().audit_for(subject, after, limit)
    }
    fn sync(&self) -> Result<(), StoreError> {
        self.live.read().unwrap().sync()
    }
    fn apply(&self, writes: WriteSet) -> Result<(), StoreError> {
        let faults = *self.faults.lock().unwrap();
        if self.roll(faults.io_before) {
            return Err(StoreError::Io("simulated write failure".into()));
        }
        if self.roll(faults.conflict) {
            return Err(StoreError::Conflict);
        }
        let live = self.live.read().unwrap();
        live.apply(writes.clone())?;
        self.log.lock().unwrap().push(writes);
        if self.roll(faults.io_after) {
            // The write landed but the acknowledgement is lost: the client cannot know.
            return Err(StoreError::Io("simulated lost acknowledgement".into()));
        }
        Ok(())
    }
    fn counters(
        &self,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, rust_decimal::Decimal)>, StoreError> {
        self.live.read().unwrap().counters(range, limit)
    }
}

/// What clients were told, to check that no acknowledged write is lost.
#[derive(Default)]
struct Acknowledged {
    /// Last acknowledged (version, status) per order; `None` once an outcome became uncertain.
    orders: BTreeMap<OrderId, Option<(u64, OrderStatus)>>,
    /// Order-creation keys whose outcome is unknown (retried later with the same content).
    pending_creates: Vec<(String, OrderRequest)>,
}

struct Sim<B: Backend> {
    seed: u64,
    random: SeededRandom,
    store: Arc<SimStore<B>>,
    clock: Arc<ManualClock>,
    engine: Engine<Arc<SimStore<B>>>,
    admin: Actor,
    customers: Vec<CustomerId>,
    products: HashMap<&'static str, ProductId>,
    acked: Acknowledged,
    /// Registrations waiting for their code: the customer and the registration handle.
    registering: Vec<(CustomerId, String)>,
    accounts: u64,
    next_key: u64,
    crashes: u64,
    successes: u64,
    faults_seen: u64,
    /// Return commands that succeeded.
    returns_worked: u64,
}

fn new_engine<B: Backend>(
    store: &Arc<SimStore<B>>,
    clock: &Arc<ManualClock>,
    seed: u64,
    generation: u64,
) -> Engine<Arc<SimStore<B>>> {
    let random = Arc::new(SeededRandom::new(
        seed.wrapping_mul(31).wrapping_add(generation),
    ));
    // Cheap password hashing: the simulation tests account logic, not argon2's cost.
    let config = EngineConfig {
        password_params: PasswordParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        },
        ..EngineConfig::default()
    };
    Engine::new(store.clone(), clock.clone(), random, config)
}

impl<B: Backend> Sim<B> {
    fn new(seed: u64, backend: B) -> Sim<B> {
        let store = Arc::new(SimStore::new(seed, backend));
        let clock = Arc::new(ManualClock::new(sample::EPOCH));
        let engine = new_engine(&store, &clock, seed, 0);
        let admin = sample::admin();
        let mut products = HashMap::new();
        for (i, sku) in SKUS.iter().enumerate() {
            let product = engine
                .create_product(&admin, sample::product(sku, 300 + 450 * i as i64))
                .unwrap();
            engine
                .restock(&admin, sku, WAREHOUSES[i % 2], 20, "opening stock")
                .unwrap();
            products.insert(*sku, product.id());
        }
        let customers = sample::customers(&engine, 0..6);
        store.set_faults(Faults {
            io_before: 15,
            io_after: 15,
            conflict: 40,
        });
        Sim {
            seed,
            random: SeededRandom::new(seed),
            store,
            clock,
            engine,
            admin,
            customers,
            products,
            acked: Acknowledged::default(),
            registering: Vec::new(),
            accounts: 0,
            next_key: 0,
            crashes: 0,
            successes: 0,
            faults_seen: 0,
            returns_worked: 0,
        }
    }

    fn pick(&self, n: usize) -> usize {
        (self.random.next_u64() % n as u64) as usize
    }

    fn any_order(&self) -> Option<OrderId> {
        let ids: Vec<OrderId> = self.acked.orders.keys().copied().collect();
        (!ids.is_empty()).then(|| ids[self.pick(ids.len())])
    }

    fn step(&mut self) {
        self.clock.advance(1 + self.pick(60_000) as i64);
        if self.pick(100) == 0 {
            self.store.crash_and_recover();
            self.crashes += 1;
            self.engine = new_engine(&self.store, &self.clock, self.seed, self.crashes);
        }
        if !self.acked.pending_creates.is_empty() && self.pick(3) == 0 {
            let (key, request) = self.acked.pending_creates.remove(0);
            self.create(key, request);
            return;
        }
        match self.pick(16) {
            15 => self.batch_step(),
            14 => self.account_step(),
            0..=3 => {
                let customer = self.customers[self.pick(self.customers.len())];
                let count = 1 + self.pick(3);
                let items: Vec<(&str, i64)> = (0..count)
                    .map(|_| (SKUS[self.pick(SKUS.len())], 1 + self.pick(4) as i64))
                    .collect();
                let mut request = OrderRequest::simple(customer, &items);
                request.draft = self.pick(8) == 0;
                self.next_key += 1;
                let key = format!("sim-{}-{}", self.seed, self.next_key);
                request.idempotency_key = Some(key.clone());
                self.create(key, request);
            }
            4 => {
                let (sku, warehouse) = (SKUS[self.pick(SKUS.len())], WAREHOUSES[self.pick(2)]);
                let quantity = 1 + self.pick(10) as u64;
                let result = self
                    .engine
                    .restock(&self.admin, sku, warehouse, quantity, "delivery")
                    .map(|_| ());
                self.note_plain(result);
            }
            5 => {
                let (sku, warehouse) = (SKUS[self.pick(SKUS.len())], WAREHOUSES[self.pick(2)]);
                let delta = self.pick(7) as i64 - 3;
                let result = self
                    .engine
                    .adjust_stock(&self.admin, sku, warehouse, delta, "cycle count")
                    .map(|_| ());
                self.note_plain(result);
            }
            choice => {
                let Some(id) = self.any_order() else { return };
                self.order_step(choice, id);
            }
        }
    }

    /// A warehouse batch: a few orders moved forward together, all of them or none.
    fn batch_step(&mut self) {
        let mut ids: Vec<OrderId> = (0..1 + self.pick(4))
            .filter_map(|_| self.any_order())
            .collect();
        ids.sort();
        ids.dedup();
        let Some(first) = ids.first() else { return };
        // A target the first order can reach; the others may not, which refuses the batch.
        let mut to = self
            .engine
            .get_order(&self.admin, *first)
            .unwrap()
            .value
            .status();
        for _ in 0..1 + self.pick(4) {
            to = to.forward().unwrap_or(to);
        }
        match self.engine.advance_orders(&self.admin, &ids, to) {
            Ok(orders) => {
                self.successes += 1;
                for order in orders {
                    let stored = self.engine.get_order(&self.admin, order.id()).unwrap();
                    assert_eq!(
                        stored.value, order,
                        "an acknowledged batch is what is stored"
                    );
                    self.acked
                        .orders
                        .insert(order.id(), Some((stored.version, order.status())));
                }
            }
            Err(Error::Storage(StoreError::Io(_))) => {
                self.faults_seen += 1;
                for id in ids {
                    self.acked.orders.insert(id, None);
                }
            }
            Err(Error::InBatch { refusal, .. }) => assert_business(&refusal),
            Err(e) => assert_business(&e),
        }
    }

    /// Registration, verification (sometimes after a wrong code) and login of customers.
    fn account_step(&mut self) {
        if self.registering.is_empty() || self.pick(3) == 0 {
            self.next_key += 1;
            let customer = sample::realistic_customer(10_000 + self.next_key);
            match self.engine.register_customer(
                &Actor::guest(),
                &RegistrationRequest {
                    customer,
                    channel: Channel::Sms,
                },
            ) {
                Ok(registration) => {
                    self.successes += 1;
                    self.registering.push((
                        registration.customer.id(),
                        registration.handle.reveal().to_string(),
                    ));
                }
                Err(Error::Storage(StoreError::Io(_))) => self.faults_seen += 1,
                Err(e) => assert_business(&e),
            }
            return;
        }
        let (id, handle) = self.registering.remove(self.pick(self.registering.len()));
        let customer = self.engine.get_customer(&self.admin, id).unwrap();
        if customer.status() == CustomerStatus::Active {
            return self.activated(id);
        }
        let nonce = customer.verification().map(|v| v.nonce).unwrap_or(0);
        let Some(code) = self
            .engine
            .verification_code(&Actor::system(), id, nonce)
            .unwrap()
        else {
            // Expired: ask for a new code (refused during the cooldown) and try again later.
            let _ = self.engine.resend_verification(&Actor::guest(), &handle);
            self.registering.push((id, handle));
            return;
        };
        let login = format!("sim{}", id.0);
        let verify = |code: &str| VerifyRequest {
            registration: handle.clone(),
            code: code.to_string(),
            login: login.clone(),
            password: SIM_PASSWORD.into(),
        };
        if self.pick(4) == 0 {
            let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
            match self
                .engine
                .verify_customer(&Actor::guest(), &verify(&wrong))
            {
                Err(Error::Refused(Refusal::WrongCode { .. }))
                | Err(Error::Storage(StoreError::Io(_))) => {}
                other => panic!("a wrong code was not refused: {other:?}"),
            }
        }
        match self.engine.verify_customer(&Actor::guest(), &verify(&code)) {
            Ok(c) => {
                assert_eq!(c.status(), CustomerStatus::Active);
                self.successes += 1;
                self.activated(id);
            }
            // Lost acknowledgement, or the code ran out of attempts: look again later.
            Err(Error::Storage(StoreError::Io(_)))
            | Err(Error::Refused(Refusal::TooManyCodeAttempts | Refusal::CodeExpired)) => {
                self.registering.push((id, handle))
            }
            Err(e) => panic!("verification with the right code failed: {e}"),
        }
    }

    /// A verified customer: has a Registration ID, can log in, and can now order.
    fn activated(&mut self, id: CustomerId) {
        let customer = self.engine.get_customer(&self.admin, id).unwrap();
        assert!(
            customer.registration_id().is_some(),
            "active customer {id} without a Registration ID"
        );
        let login = customer.credentials().map(|c| c.login.to_string()).unwrap();
        match self.engine.login(&login, SIM_PASSWORD) {
            Ok(outcome) => {
                let actor = self.engine.authenticate(outcome.token.reveal()).unwrap();
                assert_eq!(actor.customer_id(), Some(id));
                assert_eq!(actor.role(), Role::Customer);
            }
            Err(Error::Storage(StoreError::Io(_))) => self.faults_seen += 1,
            Err(e) => panic!("customer {id} could not log in: {e}"),
        }
        self.customers.push(id);
        self.accounts += 1;
    }

    fn create(&mut self, key: String, request: OrderRequest) {
        match self.engine.create_order(&self.admin, &request) {
            Ok(order) => {
                self.successes += 1;
                // A replay of an earlier uncertain create returns the current state of that order.
                let stored = self.engine.get_order(&self.admin, order.id()).unwrap();
                self.acked
                    .orders
                    .insert(order.id(), Some((stored.version, stored.value.status())));
            }
            Err(Error::Storage(StoreError::Io(_))) => {
                self.faults_seen += 1;
                self.acked.pending_creates.push((key, request));
            }
            Err(e) => assert_business(&e),
        }
    }

    fn order_step(&mut self, choice: usize, id: OrderId) {
        let e = &self.engine;
        let a = &self.admin;
        let current = e.get_order(a, id).unwrap().value;
        let sku = SKUS[self.pick(SKUS.len())];
        let result = match choice {
            // Delivered units come back: open a return, or work one of the order's.
            13 if matches!(
                current.status(),
                OrderStatus::Delivered | OrderStatus::Shipped | OrderStatus::PartiallyShipped
            ) && self.pick(2) == 0 =>
            {
                return self.return_step(&current);
            }
            // Packed orders mostly ship in parcels; shipped ones hear from carriers.
            9 | 10 | 13
                if (current.status().ships() && self.pick(4) > 0)
                    || (choice == 13 && current.status() == OrderStatus::Shipped) =>
            {
                match self.pick(4) {
                    // Ship one line's units, or everything left, with a new tracking number.
                    0 | 1 => {
                        self.next_key += 1;
                        let lines = match current.lines().get(self.pick(4)) {
                            Some(line) => vec![(line.sku.clone(), 1 + self.pick(3) as u32)],
                            None => Vec::new(),
                        };
                        let request = ShipRequest {
                            lines,
                            carrier: CarrierName::parse("dhl").unwrap(),
                            method: None,
                            tracking: TrackingNumber::parse(&format!(
                                "SIM{}X{}",
                                self.seed, self.next_key
                            ))
                            .unwrap(),
                            weight: None,
                        };
                        e.ship_order(a, id, &request)
                            .and_then(|_| e.get_order(a, id).map(|o| o.value))
                    }
                    2 => e.cancel_unshipped(a, id, "out of stock"),
                    // A carrier's event for one of the order's parcels (maybe a replay).
                    _ => {
                        let shipments = e.order_shipments(a, id).unwrap();
                        let Some(shipment) = shipments.get(self.pick(3)) else {
                            return;
                        };
                        let status = ALL_TRACKING_STATUSES[self.pick(4)];
                        let at = Timestamp(self.pick(5) as i64);
                        let event = TrackingEvent::new(at, status, "hub").unwrap();
                        let result =
                            e.track_shipment(a, shipment.carrier(), shipment.tracking(), &event);
                        result.and_then(|_| e.get_order(a, id).map(|o| o.value))
                    }
                }
            }
            6 => e.add_item(a, id, sku, 1 + self.pick(3) as i64),
            7 => e.set_quantity(a, id, sku, 1 + self.pick(5) as i64),
            8 => e.remove_item(a, id, sku),
            9 | 10 => {
                let next = current.status().allowed_next();
                match next.first() {
                    Some(OrderStatus::Cancelled) | None => return,
                    Some(to) if self.pick(6) > 0 => e.change_status(a, id, *to),
                    Some(_) => e.cancel_order(a, id, "customer asked"),
                }
            }
            11 => {
                let address = AddressInput {
                    recipient: "Sim".into(),
                    line1: format!("{} Moved St", self.pick(999)),
                    city: "Elsewhere".into(),
                    postal_code: "99999".into(),
                    country: "US".into(),
                    ..AddressInput::default()
                };
                e.set_address(a, id, &address)
            }
            12 => {
                if current.archived().is_some() {
                    e.restore_order(a, id)
                } else {
                    e.archive_order(a, id, "tidy up")
                }
            }
            _ => {
                self.next_key += 1;
                let request = PaymentRequest {
                    amount: sample::usd_cents(100 + self.pick(5000) as i64),
                    method: PaymentMethod::Card,
                    external_reference: format!("sim-{}", self.next_key),
                    idempotency_key: Some(format!("pay-{}-{}", self.seed, self.next_key)),
                };
                if self.pick(3) == 0 {
                    e.record_refund(a, id, &request)
                } else {
                    e.record_payment(a, id, &request)
                }
            }
        };
        match result {
            Ok(order) => {
                self.successes += 1;
                let stored = self.engine.get_order(&self.admin, id).unwrap();
                assert_eq!(
                    stored.value, order,
                    "an acknowledged change is what is stored"
                );
                self.acked
                    .orders
                    .insert(id, Some((stored.version, order.status())));
            }
            Err(Error::Storage(StoreError::Io(_))) => {
                self.faults_seen += 1;
                self.acked.orders.insert(id, None);
            }
            Err(e) => assert_business(&e),
        }
    }

    /// A return of `order`: opened (some units of one line), or one of its returns moved
    /// on — approved (sometimes refused), received (each unit restocked into a warehouse
    /// or written off), refunded through the ledger or exchanged for a unit from stock.
    fn return_step(&mut self, order: &crate::order::Order) {
        use crate::returns::{Inspection, ReturnRequestLine, ReturnStatus};
        let (e, a) = (&self.engine, &self.admin);
        let filter = crate::engine::ReturnFilter {
            order: Some(order.id()),
            ..Default::default()
        };
        let open: Vec<_> = e
            .list_returns(a, &filter)
            .unwrap()
            .items
            .into_iter()
            .filter(|r| !r.status().allowed_next().is_empty())
            .collect();
        let mut order_changed = false;
        let result = match open.get(self.pick(open.len() + 1)) {
            None => {
                let Some(line) = order.lines().get(self.pick(order.lines().len().max(1))) else {
                    return;
                };
                let request = ReturnRequestLine {
                    sku: line.sku.clone(),
                    quantity: 1 + self.pick(line.quantity as usize) as u32,
                    reason: "does not fit".into(),
                };
                e.open_return(a, order.id(), &[request])
            }
            Some(ret) => match ret.status() {
                ReturnStatus::Requested if self.pick(4) == 0 => {
                    e.refuse_return(a, ret.id(), "worn")
                }
                ReturnStatus::Requested => e.approve_return(a, ret.id()),
                ReturnStatus::Approved => {
                    let mut lines = Vec::new();
                    for line in ret.lines() {
                        let kept = self.pick(line.quantity as usize + 1) as u32;
                        if kept > 0 {
                            let warehouse = WAREHOUSES[self.pick(2)];
                            lines.push((
                                line.sku.clone(),
                                kept,
                                Inspection::Restocked {
                                    warehouse: crate::inventory::WarehouseCode::parse(warehouse)
                                        .unwrap(),
                                },
                            ));
                        }
                        if kept < line.quantity {
                            lines.push((
                                line.sku.clone(),
                                line.quantity - kept,
                                Inspection::WrittenOff {
                                    reason: "damaged".into(),
                                },
                            ));
                        }
                    }
                    e.receive_return(a, ret.id(), &lines)
                }
                ReturnStatus::Received if self.pick(3) > 0 => {
                    order_changed = true;
                    let request = crate::engine::ReturnRefund {
                        amount: None,
                        method: None,
                        external_reference: String::new(),
                    };
                    e.refund_return(a, ret.id(), &request)
                }
                ReturnStatus::Received => {
                    self.next_key += 1;
                    let sku = crate::catalog::Sku::parse(SKUS[self.pick(SKUS.len())]).unwrap();
                    let request = crate::engine::ExchangeRequest {
                        lines: vec![(sku, 1)],
                        warehouse: None,
                        carrier: CarrierName::parse("ups").unwrap(),
                        tracking: TrackingNumber::parse(&format!(
                            "RX{}X{}",
                            self.seed, self.next_key
                        ))
                        .unwrap(),
                    };
                    e.exchange_return(a, ret.id(), &request)
                }
                ReturnStatus::Refused | ReturnStatus::Refunded | ReturnStatus::Exchanged => {
                    return;
                }
            },
        };
        match result {
            Ok(_) => {
                self.successes += 1;
                self.returns_worked += 1;
                if order_changed {
                    let stored = self.engine.get_order(&self.admin, order.id()).unwrap();
                    self.acked
                        .orders
                        .insert(order.id(), Some((stored.version, stored.value.status())));
                }
            }
            Err(Error::Storage(StoreError::Io(_))) => {
                self.faults_seen += 1;
                if order_changed {
                    self.acked.orders.insert(order.id(), None);
                }
            }
            Err(e) => assert_business(&e),
        }
    }

    fn note_plain(&mut self, result: Result<(), Error>) {
        match result {
            Ok(()) => self.successes += 1,
            Err(Error::Storage(StoreError::Io(_))) => self.faults_seen += 1,
            Err(e) => assert_business(&e),
        }
    }

    fn check(&mut self) {
        invariants::check_store(&*self.store).unwrap_or_else(|v| panic!("invariant broken: {v}"));
        let orders = invariants::all_orders(&*self.store).unwrap();
        for order in &orders {
            let stored = self.engine.get_order(&self.admin, order.id()).unwrap();
            let history = self.engine.order_history(&self.admin, order.id()).unwrap();
            assert_eq!(
                history.len() as u64,
                stored.version,
                "order {}: one audit entry per version",
                order.id()
            );
            match self.acked.orders.get(&order.id()) {
                Some(Some((version, status))) => {
                    assert_eq!(
                        (stored.version, stored.value.status()),
                        (*version, *status),
                        "acknowledged state of order {} lost",
                        order.id()
                    );
                }
                // Uncertain or created by a lost acknowledgement: learn the truth now.
                Some(None) | None => {
                    self.acked
                        .orders
                        .insert(order.id(), Some((stored.version, stored.value.status())));
                }
            }
        }
        assert!(
            self.acked
                .orders
                .keys()
                .all(|id| orders.iter().any(|o| o.id() == *id)),
            "an acknowledged order vanished"
        );
        self.check_conservation();
    }

    /// On hand + shipped = Σ of every audited restock and adjustment + units restocked
    /// from returns, per product (written-off units are in neither: they left as shipped
    /// units and never came back on hand; a replacement leaves as shipped).
    fn check_conservation(&self) {
        let returns = invariants::all_returns(&*self.store).unwrap();
        for (sku, product) in &self.products {
            let came_back: i64 = returns
                .iter()
                .flat_map(|r| r.inspections())
                .filter(|i| {
                    i.product == *product
                        && matches!(i.outcome, crate::returns::Inspection::Restocked { .. })
                })
                .map(|i| i64::from(i.quantity))
                .sum();
            let stock = self.engine.stock_of(&self.admin, *product).unwrap();
            let shipped: u64 = stock.levels().iter().map(|l| l.shipped()).sum();
            let received: i64 = self
                .store
                .audit_for(Subject::Product(*product), None, usize::MAX)
                .unwrap()
                .iter()
                .filter(|e| {
                    matches!(
                        e.record.action,
                        AuditAction::StockRestocked | AuditAction::StockAdjusted
                    )
                })
                .map(|e| {
                    let change = &e.record.changes[0];
                    let number =
                        |v: &Option<String>| v.as_deref().unwrap_or("0").parse::<i64>().unwrap();
                    number(&change.after) - number(&change.before)
                })
                .sum();
            assert_eq!(
                stock.total_on_hand() as i64 + shipped as i64,
                received + came_back,
                "conservation of {sku}"
            );
        }
    }
}

fn assert_business(e: &Error) {
    assert!(
        matches!(
            e,
            Error::Validation { .. }
                | Error::Refused(_)
                | Error::InsufficientStock { .. }
                | Error::IllegalTransition { .. }
                | Error::NotFound { .. }
                | Error::Conflict
        ),
        "unexpected error: {e:?}"
    );
}

/// What one seed (or several, summed) did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Commands that succeeded.
    pub successes: u64,
    /// Injected write failures the clients saw.
    pub faults: u64,
    /// Crashes and recoveries.
    pub crashes: u64,
    /// Orders at the end.
    pub orders: u64,
    /// Customers who registered, verified and logged in.
    pub accounts: u64,
    /// Parcels at the end.
    pub shipments: u64,
    /// Return commands that succeeded.
    pub returns: u64,
}

impl Outcome {
    fn add(&mut self, other: Outcome) {
        self.successes += other.successes;
        self.faults += other.faults;
        self.crashes += other.crashes;
        self.orders += other.orders;
        self.accounts += other.accounts;
        self.shipments += other.shipments;
        self.returns += other.returns;
    }

    /// Panics unless the runs exercised successes, injected faults, crashes, accounts,
    /// parcels and returns (a simulation that did none of them proves nothing).
    ///
    /// # Panics
    /// When one of them is zero.
    pub fn assert_exercised(&self) {
        assert!(
            self.successes > 0
                && self.faults > 0
                && self.crashes > 0
                && self.accounts > 0
                && self.shipments > 0
                && self.returns > 0,
            "the simulation must exercise successes, faults and crashes: {self:?}"
        );
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} successful commands, {} injected write failures, {} crashes, {} orders, \
             {} verified accounts, {} shipments, {} return commands",
            self.successes,
            self.faults,
            self.crashes,
            self.orders,
            self.accounts,
            self.shipments,
            self.returns
        )
    }
}

/// Runs `steps` simulated steps of one seed on a store of `backend`, checking everything
/// after each, then settles (no faults, every uncertain create retried, a last crash) and
/// checks once more.
///
/// # Panics
/// When an invariant breaks or an acknowledged write is lost.
pub fn run<B: Backend>(seed: u64, steps: usize, backend: B) -> Outcome {
    let mut sim = Sim::new(seed, backend);
    for _ in 0..steps {
        sim.step();
        sim.check();
    }
    sim.store.set_faults(Faults::default());
    while let Some((key, request)) = sim.acked.pending_creates.pop() {
        sim.create(key, request);
    }
    sim.store.crash_and_recover();
    sim.check();
    Outcome {
        successes: sim.successes,
        faults: sim.faults_seen,
        crashes: sim.crashes,
        orders: sim.acked.orders.len() as u64,
        accounts: sim.accounts,
        shipments: invariants::all_shipments(&*sim.store).unwrap().len() as u64,
        returns: sim.returns_worked,
    }
}

/// The seeds to run: `ORDO_SIM_SEED=S` alone if set, else `ORDO_SIM_SEEDS` (or `default`)
/// seeds spread over the 64-bit space.
///
/// # Panics
/// When `ORDO_SIM_SEED` is not a number.
pub fn seeds(default: u64) -> Vec<u64> {
    if let Ok(seed) = std::env::var("ORDO_SIM_SEED") {
        return vec![seed.parse().expect("ORDO_SIM_SEED must be a number")];
    }
    let count: u64 = std::env::var("ORDO_SIM_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default);
    let base = 0x0DD0_u64;
    (0..count)
        .map(|i| base.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
        .collect()
}

/// Runs every seed, each on a backend from `backend`, and sums what they did. A failing
/// seed is named with `replay` (the command that replays it, given the seed) before its
/// panic goes on.
///
/// # Panics
/// When a seed's run fails.
pub fn run_seeds<B: Backend>(
    seeds: &[u64],
    steps: usize,
    backend: impl Fn() -> B,
    replay: impl Fn(u64) -> String,
) -> Outcome {
    let mut total = Outcome::default();
    for &seed in seeds {
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(seed, steps, backend())));
        match outcome {
            Ok(outcome) => total.add(outcome),
            Err(panic) => {
                eprintln!(
                    "simulation failed for seed {seed}; replay with {}",
                    replay(seed)
                );
                std::panic::resume_unwind(panic);
            }
        }
    }
    total
}
