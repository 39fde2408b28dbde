//! A unit of work: the records one command loaded (with their versions) and the write set
//! it is building.
//!
//! **Every record a unit loads is version-checked when the write set is applied**: a record
//! that is put is checked by its put; every other record loaded becomes a read expectation
//! ([`WriteSet::reads`]) when the unit finishes. So a decision taken on a record the command
//! does not write — the price and status of a product, a customer's status and price
//! group, the pricing settings, the order a message is logged against — is never committed
//! after that record changed: the apply is refused (`Conflict`) and the command runs again
//! on fresh data.
//!
//! This is deliberately *every* load, not a list of the loads a decision depends on: a
//! command that forgets to list one is silently wrong (write skew), while checking one it
//! did not need only costs a retry when that record changes in the same instant (a false
//! conflict), and a version check per loaded record at apply time. Reads outside a unit
//! (queries, index lookups) are not checked: queries decide nothing, and index lookups lead
//! to records that are (a SKU moved to another product changes that product's version).
//! A record loaded twice keeps the version of its first load, so a decision taken on the
//! first read is checked even if a later read saw a newer version.

use std::collections::BTreeMap;

/// The unit's maps hash with foldhash: their keys come from one command, so SipHash's
/// protection against crafted collisions buys nothing here, and it cost 5 % of the
/// engine's instructions.
use foldhash::HashMap;
use std::rc::Rc;

use super::report_counters;
use crate::audit::AuditRecord;
use crate::catalog::{Product, Sku};
use crate::clock::Timestamp;
use crate::credentials::LoginId;
use crate::customer::Customer;
use crate::delivery::{self, Delivery};
use crate::error::{EntityKind, Error, Result};
use crate::ids::{CustomerId, DeliveryId, OrderId, ProductId, UserId};
use crate::inventory::Stock;
use crate::order::Order;
use crate::outbox::DomainEvent;
use crate::pricing::PricingSettings;
use crate::session::{LoginThrottle, Session};
use crate::staff::StaffUser;
use crate::store::{
    Expected, IdempotencyRecord, IndexEntry, IndexName, Record, RecordKey, Settings, Store,
    StoreError, WriteSet, keys,
};

pub(crate) struct Unit<'a, S: Store> {
    store: &'a S,
    versions: HashMap<RecordKey, Expected>,
    stocks: BTreeMap<ProductId, Stock>,
    /// Products read by this unit (commands never write a product they price with).
    products: HashMap<ProductId, Rc<Product>>,
    /// Events raised so far, fanned out into deliveries by [`Unit::fan_out`].
    events: Vec<(Timestamp, DomainEvent)>,
    writes: WriteSet,
    /// What each order loaded contributed to the report counters when first loaded
    /// (`finish` writes the difference to what the put order contributes).
    counted: HashMap<OrderId, Vec<(Vec<u8>, rust_decimal::Decimal)>>,
}

fn corrupted(key: &RecordKey, expected: &str) -> Error {
    Error::Storage(StoreError::Corrupted {
        key: key.to_string(),
        reason: format!("expected a {expected} record"),
    })
}

impl<'a, S: Store> Unit<'a, S> {
    pub(crate) fn new(store: &'a S) -> Unit<'a, S> {
        Unit {
            store,
            versions: HashMap::default(),
            stocks: BTreeMap::new(),
            products: HashMap::default(),
            events: Vec::new(),
            writes: WriteSet::new(),
            counted: HashMap::default(),
        }
    }

    pub(crate) fn store(&self) -> &'a S {
        self.store
    }

    /// Loads a record and remembers the version of its first load, for the put that may
    /// follow or the read expectation that [`Unit::finish`] makes of it.
    fn load(&mut self, key: RecordKey) -> Result<Option<Record>> {
        let found = self.store.get(&key)?;
        let expected = found
            .as_ref()
            .map_or(Expected::Absent, |v| Expected::Version(v.version));
        if let Some(Record::Order(order)) = found.as_ref().map(|v| &v.value) {
            self.counted
                .entry(order.id())
                .or_insert_with(|| report_counters::contribution(order));
        }
        self.versions.entry(key).or_insert(expected);
        Ok(found.map(|v| v.value))
    }

    /// A product, read once per unit of work (an order prices and reserves the same product
    /// more than once) and shared, not copied, with each caller.
    pub(crate) fn product(&mut self, id: ProductId) -> Result<Rc<Product>> {
        if let Some(product) = self.products.get(&id) {
            return Ok(product.clone());
        }
        let key = RecordKey::Product(id);
        let product = match self.load(key.clone())? {
            Some(Record::Product(p)) => Rc::new(p),
            Some(_) => return Err(corrupted(&key, "product")),
            None => return Err(Error::not_found(EntityKind::Product, id)),
        };
        self.products.insert(id, product.clone());
        Ok(product)
    }

    pub(crate) fn product_id_by_sku(&self, sku: &Sku) -> Result<Option<ProductId>> {
        Ok(self
            .store
            .index_get(IndexName::ProductBySku, &keys::product_sku(sku))?
            .map(ProductId))
    }

    pub(crate) fn product_by_sku(&mut self, sku: &Sku) -> Result<Rc<Product>> {
        let id = self
            .product_id_by_sku(sku)?
            .ok_or_else(|| Error::not_found(EntityKind::Product, format!("with SKU {sku}")))?;
        self.product(id)
    }

    pub(crate) fn customer(&mut self, id: CustomerId) -> Result<Customer> {
        let key = RecordKey::Customer(id);
        match self.load(key.clone())? {
            Some(Record::Customer(c)) => Ok(c),
            Some(_) => Err(corrupted(&key, "customer")),
            None => Err(Error::not_found(EntityKind::Customer, id)),
        }
    }

    pub(crate) fn order(&mut self, id: OrderId) -> Result<Order> {
        let key = RecordKey::Order(id);
        match self.load(key.clone())? {
            Some(Record::Order(o)) => Ok(*o),
            Some(_) => Err(corrupted(&key, "order")),
            None => Err(Error::not_found(EntityKind::Order, id)),
        }
    }

    /// The idempotency record stored under `key` (a scoped storage key).
    pub(crate) fn idempotency(&mut self, key: &str) -> Result<Option<IdempotencyRecord>> {
        let record_key = RecordKey::Idempotency(key.to_string());
        match self.load(record_key.clone())? {
            Some(Record::Idempotency(r)) => Ok(Some(r)),
            Some(_) => Err(corrupted(&record_key, "idempotency")),
            None => Ok(None),
        }
    }

    /// The store's pricing settings (the defaults if none were ever saved). Loaded, so the
    /// prices a command computes with them are checked against a concurrent change.
    pub(crate) fn pricing_settings(&mut self) -> Result<PricingSettings> {
        Ok(self
            .optional(
                RecordKey::PricingSettings,
                "pricing settings",
                |r| match r {
                    Record::PricingSettings(s) => Some(s),
                    _ => None,
                },
            )?
            .unwrap_or_default())
    }

    /// A record of any kind, with `extract` picking the expected variant.
    pub(crate) fn optional<T>(
        &mut self,
        key: RecordKey,
        what: &str,
        extract: impl FnOnce(Record) -> Option<T>,
    ) -> Result<Option<T>> {
        match self.load(key.clone())? {
            Some(record) => extract(record)
                .map(Some)
                .ok_or_else(|| corrupted(&key, what)),
            None => Ok(None),
        }
    }

    pub(crate) fn user(&mut self, id: UserId) -> Result<StaffUser> {
        self.optional(RecordKey::User(id), "staff user", |r| match r {
            Record::User(u) => Some(u),
            _ => None,
        })?
        .ok_or_else(|| Error::NotFound {
            entity: EntityKind::User,
            key: id.to_string(),
        })
    }

    pub(crate) fn settings(&mut self) -> Result<Option<Settings>> {
        self.optional(RecordKey::Settings, "settings", |r| match r {
            Record::Settings(s) => Some(s),
            _ => None,
        })
    }

    pub(crate) fn session(&mut self, token_hash: &str) -> Result<Option<Session>> {
        self.optional(
            RecordKey::Session(token_hash.to_string()),
            "session",
            |r| match r {
                Record::Session(s) => Some(s),
                _ => None,
            },
        )
    }

    pub(crate) fn throttle(&mut self, login: &LoginId) -> Result<LoginThrottle> {
        Ok(self
            .optional(
                RecordKey::Throttle(login.to_string()),
                "login throttle",
                |r| match r {
                    Record::Throttle(t) => Some(t),
                    _ => None,
                },
            )?
            .unwrap_or_else(|| LoginThrottle::new(login.clone())))
    }

    pub(crate) fn index_id(&self, index: IndexName, key: &[u8]) -> Result<Option<u64>> {
        Ok(self.store.index_get(index, key)?)
    }

    /// The stock record of `product`, loaded once per unit and written back by `finish`.
    pub(crate) fn stock_mut(&mut self, product: ProductId) -> Result<&mut Stock> {
        if !self.stocks.contains_key(&product) {
            let key = RecordKey::Stock(product);
            let stock = match self.load(key.clone())? {
                Some(Record::Stock(s)) => s,
                Some(_) => return Err(corrupted(&key, "stock")),
                None => Stock::empty(product),
            };
            self.stocks.insert(product, stock);
        }
        self.stocks
            .get_mut(&product)
            .ok_or_else(|| Error::Internal("stock record vanished from the unit of work".into()))
    }

    /// Queues a put of `record`, expecting the version it was loaded at (absent if never loaded).
    pub(crate) fn put(&mut self, record: Record) {
        let expected = self
            .versions
            .get(&record.key())
            .copied()
            .unwrap_or(Expected::Absent);
        self.writes.put(record, expected);
    }

    pub(crate) fn reindex(&mut self, old: &[IndexEntry], new: &[IndexEntry]) {
        self.writes.reindex(old, new);
    }

    pub(crate) fn audit(&mut self, record: AuditRecord) {
        self.writes.audit.push(record);
    }

    /// Raises `event`: [`Unit::fan_out`] turns it into deliveries in this write set.
    pub(crate) fn event(&mut self, at: Timestamp, event: DomainEvent) {
        self.events.push((at, event));
    }

    /// Turns the events raised into one delivery per recipient (the fan-out rule,
    /// [`delivery::recipients`]), in this same write set. The customer and order are taken
    /// as this unit leaves them (a registration's new customer, an order's new reference);
    /// the order's watch list is loaded (and so version-checked: a `SUB` landing meanwhile
    /// makes the command run again rather than miss the subscriber).
    ///
    /// # Errors
    /// `NotFound` if the event's customer does not exist; `Storage`.
    pub(crate) fn fan_out(&mut self) -> Result<()> {
        for (at, event) in std::mem::take(&mut self.events) {
            let customer = match self.written_customer(event.customer()) {
                Some(customer) => customer,
                None => self.customer(event.customer())?,
            };
            let (watch, reference) = match event.order() {
                Some(order) => {
                    let watch =
                        self.optional(RecordKey::OrderWatch(order), "order watch", |r| match r {
                            Record::OrderWatch(w) => Some(w),
                            _ => None,
                        })?;
                    let reference = match &event {
                        DomainEvent::OrderPlaced { reference, .. } => Some(reference.clone()),
                        _ => match self.written_order(order) {
                            Some(order) => order.reference().cloned(),
                            None => self.order(order)?.reference().cloned(),
                        },
                    };
                    (watch, reference)
                }
                None => (None, None),
            };
            for recipient in delivery::recipients(&event, &customer, watch.as_ref()) {
                let id = DeliveryId(self.store.next_id()?);
                let delivery = Delivery::new(id, at, event.clone(), reference.clone(), recipient);
                self.writes.reindex(&[], &keys::delivery_entries(&delivery));
                self.put(Record::Delivery(delivery));
            }
        }
        Ok(())
    }

    /// The customer as this unit last put it, if it did.
    fn written_customer(&self, id: CustomerId) -> Option<Customer> {
        self.writes
            .puts
            .iter()
            .rev()
            .find_map(|(record, _)| match record {
                Record::Customer(c) if c.id() == id => Some(c.clone()),
                _ => None,
            })
    }

    /// The order as this unit last put it, if it did.
    fn written_order(&self, id: OrderId) -> Option<Order> {
        self.writes
            .puts
            .iter()
            .rev()
            .find_map(|(record, _)| match record {
                Record::Order(o) if o.id() == id => Some((**o).clone()),
                _ => None,
            })
    }

    /// Whether a record this unit loaded is no longer at the version it was loaded at:
    /// what the unit decided on may never have existed together (a torn read).
    ///
    /// # Errors
    /// `Storage` if a record cannot be read again.
    pub(crate) fn moved_since_read(&self) -> Result<bool> {
        for (key, expected) in &self.versions {
            let now = self
                .store
                .get(key)?
                .map_or(Expected::Absent, |v| Expected::Version(v.version));
            if &now != expected {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The report counter deltas of every order put: its contribution now minus the one it
    /// had when loaded (nothing for a new order). An order put twice counts once, as last
    /// put.
    fn count_orders(&mut self) {
        let mut last: HashMap<OrderId, &Order> = HashMap::default();
        for (record, _) in &self.writes.puts {
            if let Record::Order(order) = record {
                last.insert(order.id(), order);
            }
        }
        let mut deltas = Vec::new();
        for (id, order) in last {
            let old = self.counted.get(&id).map(Vec::as_slice).unwrap_or_default();
            deltas.extend(report_counters::deltas(
                old,
                &report_counters::contribution(order),
            ));
        }
        self.writes.counters.extend(deltas);
    }

    /// The write set: the queued puts (stock records included) and a read expectation for
    /// every record loaded but not put.
    pub(crate) fn finish(mut self) -> WriteSet {
        let stocks = std::mem::take(&mut self.stocks);
        for (_, stock) in stocks {
            stock.check_invariants();
            self.put(Record::Stock(stock));
        }
        self.count_orders();
        let written: Vec<RecordKey> = self.writes.puts.iter().map(|(r, _)| r.key()).collect();
        let mut reads: Vec<(RecordKey, Expected)> = self
            .versions
            .into_iter()
            .filter(|(key, _)| !written.contains(key))
            .collect();
        reads.sort_by(|a, b| a.0.cmp(&b.0));
        self.writes.reads = reads;
        self.writes
    }
}
