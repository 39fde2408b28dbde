//! The storage contract: the [`Store`] trait, the [`WriteSet`] it applies atomically, and
//! the index keys the engine asks for.
//!
//! # Contract (every backend MUST)
//! - `apply` is atomic: every put, index change and audit entry of a `WriteSet` becomes
//!   visible and durable together, or none does.
//! - `apply` checks every [`Expected`] version first — those of the puts and those of the
//!   read expectations ([`WriteSet::reads`]: records the change was decided on but does not
//!   write). If any record's current version differs (or a record expected `Absent`
//!   exists), it MUST return [`StoreError::Conflict`] and write nothing. A put's new
//!   version is the expected version + 1 (`Absent` → 1); a read expectation writes nothing.
//!   Within one batch of write sets, a read expectation is checked against the versions
//!   the earlier write sets of the batch leave behind, exactly like a put's.
//! - A unique index insert whose key already maps to a different id MUST return
//!   `Conflict` and write nothing.
//! - Audit sequence numbers are unique, never reused, and increasing within one write set
//!   and across write sets applied one after another. They need NOT follow commit order
//!   between concurrent write sets: a backend that takes them from a database sequence
//!   (PostgreSQL) hands a number out before its transaction commits, so an entry with a
//!   smaller number can become visible after one with a larger number. Therefore no reader
//!   keeps a "sequence > cursor" position across calls to catch up on later entries:
//!   `audit_for` returns one subject's entries ordered by sequence and the engine reads a
//!   subject's whole trail afresh each time, and notifications are records (deliveries)
//!   consumed as a pending set by their status and due time, never by a sequence a late
//!   commit could slip under. Per subject the order is the commit order whenever every
//!   write set that audits the subject also puts the subject's record: such write sets
//!   conflict on its version, so they commit one after another, and a backend MUST number
//!   a write set's entries only after its version checks hold (conformance check
//!   `audit_of_one_subject_follows_its_record_versions`).
//! - Bytes that do not decode MUST be reported as [`StoreError::Corrupted`] naming the key,
//!   never a panic. [`Store::get`], [`Store::scan`], `audit_for`, the
//!   index calls and `apply` return the error. **Only listings skip:** [`Store::scan_listing`]
//!   MUST report such a record in [`ScanPage::skipped`] (its key and why) and go on past
//!   it, so one bad record never makes a listing fail; the engine's list queries (orders,
//!   products, customers, staff users) skip records this way, and only they do, passing the
//!   skipped keys on to their caller (`Page::skipped`). Everything that decides or copies
//!   (commands, invariant checks, backups, a `get` of one record) still gets `Corrupted`.
//! - Reads see only fully applied `WriteSet`s.
//! - [`Store::sync`] MUST return only once every `WriteSet` applied before the call is as
//!   durable as the store promises (on stable storage, for a durable backend). Reads may
//!   see a write set earlier; a dispatcher claims a delivery and then calls `sync` before
//!   sending, so it never announces a change a crash can still erase.
//!
//! - [`WriteSet::counters`] are commutative deltas: `apply` MUST add each delta to the
//!   counter's current value (an absent counter is zero) atomically with the rest of the
//!   write set, with no version check (two write sets adding to one counter never
//!   conflict), and MUST lose no delta under concurrent applies. A counter whose value is
//!   zero is not returned by [`Store::counters`] (a backend may delete it). A sum past
//!   [`Decimal`]'s range refuses the write set (`Io`) and writes nothing.
//!
//! Nothing here assumes sled: versions map to `UPDATE … WHERE version = $n`, index entries
//! to an index table or native indexes, sequences to sequences, counter deltas to
//! `UPDATE … SET v = v + $1` (or `INSERT … ON CONFLICT DO UPDATE`).

pub mod keys;
pub mod legacy;
mod memory;

use std::fmt;
use std::ops::Bound;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::audit::{AuditEntry, AuditRecord, Subject};
use crate::catalog::Product;
use crate::clock::Timestamp;
use crate::customer::Customer;
use crate::delivery::{Delivery, OrderWatch, PhoneSettings};
use crate::ids::{
    CustomerId, DeliveryId, MessageId, OrderId, ProductId, ReturnId, ShipmentId, TicketId, UserId,
};
use crate::inventory::Stock;
use crate::invoice::Invoice;
use crate::message::CommMessage;
use crate::order::Order;
use crate::pricing::PricingSettings;
use crate::ratelimit::RateBucket;
use crate::registration::CodeSecret;
use crate::returns::Return;
use crate::session::{LoginThrottle, Session};
use crate::shipment::Shipment;
use crate::staff::StaffUser;
use crate::telegram::TelegramChat;
use crate::ticket::Ticket;

pub use memory::MemoryStore;

/// A remembered idempotent request: the key, the request's fingerprint and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// Where the record is stored: the caller's key within its scope (the actor who sent
    /// it), as `engine::idempotency_storage_key` builds it.
    pub key: String,
    /// The request's canonical fingerprint (`v1:` + SHA-256 hex), compared on replay.
    pub fingerprint: String,
    /// The order the first request created.
    pub order: OrderId,
    /// When the key was first used; after the engine's idempotency window it counts as
    /// new. (Appended last: stored records are positional.)
    pub created_at: Timestamp,
}

/// Every kind of stored entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    /// A product.
    Product(Product),
    /// A customer.
    Customer(Customer),
    /// An order (with its lines and ledger); boxed, being by far the largest record.
    Order(Box<Order>),
    /// All stock of one product.
    Stock(Stock),
    /// An idempotency key.
    Idempotency(IdempotencyRecord),
    /// A staff user.
    User(StaffUser),
    /// A login session (keyed by the token's hash).
    Session(Session),
    /// Failed-login bookkeeping for one login id.
    Throttle(LoginThrottle),
    /// A communication-log message.
    Message(CommMessage),
    /// Store-wide settings (the verification-code secret, bootstrap state). One record.
    Settings(Settings),
    /// A rate-limit bucket.
    RateBucket(RateBucket),
    /// Tax rates, shipping fees and the tax rounding mode. One record, kept in the settings
    /// tree beside [`Record::Settings`] (its kind is [`RecordKind::Settings`]); absent on a
    /// store that never changed them, which prices with the defaults.
    PricingSettings(PricingSettings),
    /// A notification for one recipient on one channel.
    Delivery(Delivery),
    /// The phones that subscribed to (or muted) one order's news.
    OrderWatch(OrderWatch),
    /// One phone number's SMS settings (opted out or not).
    PhoneSettings(PhoneSettings),
    /// A customer-service ticket (with its comments).
    Ticket(Ticket),
    /// A parcel handed to a carrier.
    Shipment(Shipment),
    /// What the Telegram bot keeps about one chat (its link, dialogue, last update).
    TelegramChat(TelegramChat),
    /// An issued invoice (keyed by its number).
    Invoice(Invoice),
    /// Units of a delivered order coming back.
    Return(Return),
}

/// Store-wide settings, kept in one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The secret verification codes are derived from (redacted in human-readable
    /// serializations).
    #[serde(serialize_with = "crate::secret::redacted")]
    pub code_secret: CodeSecret,
    /// Whether `init_admin` has run.
    pub admin_initialized: bool,
}

impl Record {
    /// The key this record is stored under.
    pub fn key(&self) -> RecordKey {
        match self {
            Record::Product(p) => RecordKey::Product(p.id()),
            Record::Customer(c) => RecordKey::Customer(c.id()),
            Record::Order(o) => RecordKey::Order(o.id()),
            Record::Stock(s) => RecordKey::Stock(s.product()),
            Record::Idempotency(i) => RecordKey::Idempotency(i.key.clone()),
            Record::User(u) => RecordKey::User(u.id()),
            Record::Session(s) => RecordKey::Session(s.token_hash.clone()),
            Record::Throttle(t) => RecordKey::Throttle(t.login.to_string()),
            Record::Message(m) => RecordKey::Message(m.id),
            Record::Settings(_) => RecordKey::Settings,
            Record::RateBucket(b) => RecordKey::RateBucket(b.key.clone()),
            Record::PricingSettings(_) => RecordKey::PricingSettings,
            Record::Delivery(d) => RecordKey::Delivery(d.id()),
            Record::OrderWatch(w) => RecordKey::OrderWatch(w.order),
            Record::PhoneSettings(p) => RecordKey::PhoneSettings(p.phone.as_str().to_string()),
            Record::Ticket(t) => RecordKey::Ticket(t.id()),
            Record::Shipment(s) => RecordKey::Shipment(s.id()),
            Record::TelegramChat(c) => RecordKey::TelegramChat(c.chat_id()),
            Record::Invoice(i) => RecordKey::Invoice(i.number()),
            Record::Return(r) => RecordKey::Return(r.id()),
        }
    }
}

/// The kinds of record, for scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RecordKind {
    /// Products.
    Product,
    /// Customers.
    Customer,
    /// Orders.
    Order,
    /// Stock records.
    Stock,
    /// Idempotency keys.
    Idempotency,
    /// Staff users.
    User,
    /// Sessions.
    Session,
    /// Login throttles.
    Throttle,
    /// Communication-log messages.
    Message,
    /// The settings record.
    Settings,
    /// Rate-limit buckets.
    RateBucket,
    /// Notification deliveries.
    Delivery,
    /// Order watch lists.
    OrderWatch,
    /// Per-phone SMS settings.
    PhoneSettings,
    /// Customer-service tickets.
    Ticket,
    /// Shipments.
    Shipment,
    /// Telegram chats.
    TelegramChat,
    /// Invoices.
    Invoice,
    /// Returns.
    Return,
}

/// Every record kind.
pub const ALL_RECORD_KINDS: [RecordKind; 19] = [
    RecordKind::Product,
    RecordKind::Customer,
    RecordKind::Order,
    RecordKind::Stock,
    RecordKind::Idempotency,
    RecordKind::User,
    RecordKind::Session,
    RecordKind::Throttle,
    RecordKind::Message,
    RecordKind::Settings,
    RecordKind::RateBucket,
    RecordKind::Delivery,
    RecordKind::OrderWatch,
    RecordKind::PhoneSettings,
    RecordKind::Ticket,
    RecordKind::Shipment,
    RecordKind::TelegramChat,
    RecordKind::Invoice,
    RecordKind::Return,
];

/// Where a record lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RecordKey {
    /// A product.
    Product(ProductId),
    /// A customer.
    Customer(CustomerId),
    /// An order.
    Order(OrderId),
    /// A product's stock.
    Stock(ProductId),
    /// An idempotency key.
    Idempotency(String),
    /// A staff user.
    User(UserId),
    /// A session, by token hash (hex).
    Session(String),
    /// A login throttle, by login id.
    Throttle(String),
    /// A message.
    Message(MessageId),
    /// The settings record.
    Settings,
    /// A rate-limit bucket, by `scope:key`.
    RateBucket(String),
    /// The pricing settings record (kind [`RecordKind::Settings`]).
    PricingSettings,
    /// A notification delivery.
    Delivery(DeliveryId),
    /// An order's watch list.
    OrderWatch(OrderId),
    /// A phone's SMS settings, by E.164 number.
    PhoneSettings(String),
    /// A customer-service ticket.
    Ticket(TicketId),
    /// A shipment.
    Shipment(ShipmentId),
    /// A Telegram chat, by chat id.
    TelegramChat(i64),
    /// An invoice, by number.
    Invoice(u64),
    /// A return.
    Return(ReturnId),
}

impl RecordKey {
    /// The kind of record.
    pub fn kind(&self) -> RecordKind {
        match self {
            RecordKey::Product(_) => RecordKind::Product,
            RecordKey::Customer(_) => RecordKind::Customer,
            RecordKey::Order(_) => RecordKind::Order,
            RecordKey::Stock(_) => RecordKind::Stock,
            RecordKey::Idempotency(_) => RecordKind::Idempotency,
            RecordKey::User(_) => RecordKind::User,
            RecordKey::Session(_) => RecordKind::Session,
            RecordKey::Throttle(_) => RecordKind::Throttle,
            RecordKey::Message(_) => RecordKind::Message,
            RecordKey::Settings | RecordKey::PricingSettings => RecordKind::Settings,
            RecordKey::RateBucket(_) => RecordKind::RateBucket,
            RecordKey::Delivery(_) => RecordKind::Delivery,
            RecordKey::OrderWatch(_) => RecordKind::OrderWatch,
            RecordKey::PhoneSettings(_) => RecordKind::PhoneSettings,
            RecordKey::Ticket(_) => RecordKind::Ticket,
            RecordKey::Shipment(_) => RecordKind::Shipment,
            RecordKey::TelegramChat(_) => RecordKind::TelegramChat,
            RecordKey::Invoice(_) => RecordKind::Invoice,
            RecordKey::Return(_) => RecordKind::Return,
        }
    }

    /// The key of `kind` whose [`RecordKey::id_bytes`] are `bytes` (how a backend that keeps
    /// a tree or table per kind names a record it cannot decode); `None` if no key of that
    /// kind has these bytes.
    pub fn from_id_bytes(kind: RecordKind, bytes: &[u8]) -> Option<RecordKey> {
        let number = || <[u8; 8]>::try_from(bytes).ok().map(u64::from_be_bytes);
        let text = || String::from_utf8(bytes.to_vec()).ok();
        match kind {
            RecordKind::Product => number().map(|id| RecordKey::Product(ProductId(id))),
            RecordKind::Customer => number().map(|id| RecordKey::Customer(CustomerId(id))),
            RecordKind::Order => number().map(|id| RecordKey::Order(OrderId(id))),
            RecordKind::Stock => number().map(|id| RecordKey::Stock(ProductId(id))),
            RecordKind::User => number().map(|id| RecordKey::User(UserId(id))),
            RecordKind::Message => number().map(|id| RecordKey::Message(MessageId(id))),
            RecordKind::Idempotency => text().map(RecordKey::Idempotency),
            RecordKind::Session => text().map(RecordKey::Session),
            RecordKind::Throttle => text().map(RecordKey::Throttle),
            RecordKind::RateBucket => text().map(RecordKey::RateBucket),
            RecordKind::Delivery => number().map(|id| RecordKey::Delivery(DeliveryId(id))),
            RecordKind::OrderWatch => number().map(|id| RecordKey::OrderWatch(OrderId(id))),
            RecordKind::PhoneSettings => text().map(RecordKey::PhoneSettings),
            RecordKind::Ticket => number().map(|id| RecordKey::Ticket(TicketId(id))),
            RecordKind::Shipment => number().map(|id| RecordKey::Shipment(ShipmentId(id))),
            RecordKind::TelegramChat => {
                number().map(|n| RecordKey::TelegramChat(keys::chat_from_ordered(n)))
            }
            RecordKind::Invoice => number().map(RecordKey::Invoice),
            RecordKind::Return => number().map(|id| RecordKey::Return(ReturnId(id))),
            RecordKind::Settings => [RecordKey::Settings, RecordKey::PricingSettings]
                .into_iter()
                .find(|key| key.id_bytes() == bytes),
        }
    }

    /// The key's bytes within its kind: big-endian ids (so byte order = numeric order) or
    /// the idempotency key's UTF-8.
    pub fn id_bytes(&self) -> Vec<u8> {
        match self {
            RecordKey::Product(id) | RecordKey::Stock(id) => id.0.to_be_bytes().to_vec(),
            RecordKey::Customer(id) => id.0.to_be_bytes().to_vec(),
            RecordKey::Order(id) => id.0.to_be_bytes().to_vec(),
            RecordKey::User(id) => id.0.to_be_bytes().to_vec(),
            RecordKey::Message(id) => id.0.to_be_bytes().to_vec(),
            RecordKey::Delivery(id) => id.0.to_be_bytes().to_vec(),
            RecordKey::OrderWatch(id) => id.0.to_be_bytes().to_vec(),
            RecordKey::Ticket(id) => id.0.to_be_bytes().to_vec(),
            RecordKey::Shipment(id) => id.0.to_be_bytes().to_vec(),
            RecordKey::TelegramChat(chat) => keys::chat_ordered(*chat).to_be_bytes().to_vec(),
            RecordKey::Invoice(number) => number.to_be_bytes().to_vec(),
            RecordKey::Return(id) => id.0.to_be_bytes().to_vec(),
            RecordKey::Idempotency(key)
            | RecordKey::PhoneSettings(key)
            | RecordKey::Session(key)
            | RecordKey::Throttle(key)
            | RecordKey::RateBucket(key) => key.as_bytes().to_vec(),
            RecordKey::Settings => b"settings".to_vec(),
            // Sorts after `settings` in bytes as the variants do in `Ord`, so every backend
            // scans the settings kind in the same order.
            RecordKey::PricingSettings => b"settings/pricing".to_vec(),
        }
    }
}

impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordKey::Product(id) => write!(f, "product/{id}"),
            RecordKey::Customer(id) => write!(f, "customer/{id}"),
            RecordKey::Order(id) => write!(f, "order/{id}"),
            RecordKey::Stock(id) => write!(f, "stock/{id}"),
            RecordKey::Idempotency(key) => write!(f, "idempotency/{key}"),
            RecordKey::User(id) => write!(f, "user/{id}"),
            RecordKey::Session(hash) => write!(f, "session/{}", hash.get(..8).unwrap_or(hash)),
            RecordKey::Throttle(login) => write!(f, "throttle/{login}"),
            RecordKey::Message(id) => write!(f, "message/{id}"),
            RecordKey::Settings => f.write_str("settings"),
            RecordKey::RateBucket(key) => write!(f, "rate/{key}"),
            RecordKey::PricingSettings => f.write_str("settings/pricing"),
            RecordKey::Delivery(id) => write!(f, "delivery/{id}"),
            RecordKey::OrderWatch(id) => write!(f, "watch/{id}"),
            RecordKey::PhoneSettings(phone) => write!(f, "phone/{phone}"),
            RecordKey::Ticket(id) => write!(f, "ticket/{id}"),
            RecordKey::Shipment(id) => write!(f, "shipment/{id}"),
            RecordKey::TelegramChat(chat) => write!(f, "telegram_chat/{chat}"),
            RecordKey::Invoice(number) => write!(f, "invoice/{number}"),
            RecordKey::Return(id) => write!(f, "return/{id}"),
        }
    }
}

/// A value with the version it was stored at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versioned<T> {
    /// Starts at 1, +1 on every put.
    pub version: u64,
    /// The value.
    pub value: T,
}

/// What a put expects to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expected {
    /// The record must not exist yet.
    Absent,
    /// The record must be at exactly this version.
    Version(u64),
}

impl Expected {
    /// The version the record has after the put.
    pub fn next_version(self) -> u64 {
        match self {
            Expected::Absent => 1,
            Expected::Version(v) => v + 1,
        }
    }

    /// Whether a record at `current` (`None`: absent) is what this expects.
    pub fn matches(self, current: Option<u64>) -> bool {
        match (self, current) {
            (Expected::Absent, None) => true,
            (Expected::Version(want), Some(have)) => want == have,
            (Expected::Absent, Some(_)) | (Expected::Version(_), None) => false,
        }
    }
}

/// The secondary indexes. Each maps ordered byte keys to an entity id; see [`keys`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum IndexName {
    /// Unique: reference → order.
    OrderByReference,
    /// customer ‖ created ‖ order → order.
    OrderByCustomer,
    /// created ‖ order → order.
    OrderByCreated,
    /// status ‖ created ‖ order → order.
    OrderByStatus,
    /// name word ‖ 0 ‖ customer → customer (one entry per word of the name).
    CustomerByName,
    /// Unique: phone → customer.
    CustomerByPhone,
    /// Unique: email → customer.
    CustomerByEmail,
    /// Unique: SKU → product.
    ProductBySku,
    /// Unique: login id → customer.
    CustomerByLogin,
    /// Unique: Registration ID → customer.
    CustomerByRegistration,
    /// Unique: login id → staff user.
    UserByLogin,
    /// customer ‖ time ‖ message → message.
    MessageByCustomer,
    /// Unique: SHA-256 of a pending registration's handle → customer.
    RegistrationByHandle,
    /// channel ‖ not_before ‖ delivery → delivery: what each channel's dispatcher may
    /// claim, in due order (queued statuses only).
    DeliveryQueue,
    /// status ‖ delivery → delivery.
    DeliveryByStatus,
    /// Unique: the provider's message id → delivery (for status callbacks).
    DeliveryByProvider,
    /// customer ‖ ticket → ticket.
    TicketByCustomer,
    /// status ‖ ticket → ticket.
    TicketByStatus,
    /// staff user ‖ ticket → ticket (assigned tickets only).
    TicketByAssignee,
    /// order ‖ ticket → ticket (tickets about an order only).
    TicketByOrder,
    /// order ‖ shipment → shipment.
    ShipmentByOrder,
    /// Unique: carrier ‖ 0 ‖ tracking number → shipment (for the courier webhook).
    ShipmentByTracking,
    /// Unique: order → invoice number (one invoice per order).
    InvoiceByOrder,
    /// Unique: order ‖ the return's number among the order's returns → return.
    ReturnByOrder,
    /// customer ‖ return → return.
    ReturnByCustomer,
    /// status code ‖ return → return.
    ReturnByStatus,
}

/// Every index, for backends that create one tree or table each.
pub const ALL_INDEXES: [IndexName; 26] = [
    IndexName::OrderByReference,
    IndexName::OrderByCustomer,
    IndexName::OrderByCreated,
    IndexName::OrderByStatus,
    IndexName::CustomerByName,
    IndexName::CustomerByPhone,
    IndexName::CustomerByEmail,
    IndexName::ProductBySku,
    IndexName::CustomerByLogin,
    IndexName::CustomerByRegistration,
    IndexName::UserByLogin,
    IndexName::MessageByCustomer,
    IndexName::RegistrationByHandle,
    IndexName::DeliveryQueue,
    IndexName::DeliveryByStatus,
    IndexName::DeliveryByProvider,
    IndexName::TicketByCustomer,
    IndexName::TicketByStatus,
    IndexName::TicketByAssignee,
    IndexName::TicketByOrder,
    IndexName::ShipmentByOrder,
    IndexName::ShipmentByTracking,
    IndexName::InvoiceByOrder,
    IndexName::ReturnByOrder,
    IndexName::ReturnByCustomer,
    IndexName::ReturnByStatus,
];

impl IndexName {
    /// Whether a key may map to only one id.
    pub fn is_unique(self) -> bool {
        match self {
            IndexName::OrderByReference
            | IndexName::ShipmentByTracking
            | IndexName::ReturnByOrder
            | IndexName::CustomerByPhone
            | IndexName::CustomerByEmail
            | IndexName::ProductBySku
            | IndexName::CustomerByLogin
            | IndexName::CustomerByRegistration
            | IndexName::UserByLogin
            | IndexName::RegistrationByHandle
            | IndexName::DeliveryByProvider
            | IndexName::InvoiceByOrder => true,
            IndexName::OrderByCustomer
            | IndexName::OrderByCreated
            | IndexName::OrderByStatus
            | IndexName::CustomerByName
            | IndexName::MessageByCustomer
            | IndexName::DeliveryQueue
            | IndexName::DeliveryByStatus
            | IndexName::TicketByCustomer
            | IndexName::TicketByStatus
            | IndexName::TicketByAssignee
            | IndexName::TicketByOrder
            | IndexName::ShipmentByOrder
            | IndexName::ReturnByCustomer
            | IndexName::ReturnByStatus => false,
        }
    }

    /// A stable short name (tree or table name).
    pub fn name(self) -> &'static str {
        match self {
            IndexName::OrderByReference => "idx_order_reference",
            IndexName::OrderByCustomer => "idx_order_customer",
            IndexName::OrderByCreated => "idx_order_created",
            IndexName::OrderByStatus => "idx_order_status",
            IndexName::CustomerByName => "idx_customer_name",
            IndexName::CustomerByPhone => "idx_customer_phone",
            IndexName::CustomerByEmail => "idx_customer_email",
            IndexName::ProductBySku => "idx_product_sku",
            IndexName::CustomerByLogin => "idx_customer_login",
            IndexName::CustomerByRegistration => "idx_customer_registration",
            IndexName::UserByLogin => "idx_user_login",
            IndexName::MessageByCustomer => "idx_message_customer",
            IndexName::RegistrationByHandle => "idx_registration_handle",
            IndexName::DeliveryQueue => "idx_delivery_queue",
            IndexName::DeliveryByStatus => "idx_delivery_status",
            IndexName::DeliveryByProvider => "idx_delivery_provider",
            IndexName::TicketByCustomer => "idx_ticket_customer",
            IndexName::TicketByStatus => "idx_ticket_status",
            IndexName::TicketByAssignee => "idx_ticket_assignee",
            IndexName::TicketByOrder => "idx_ticket_order",
            IndexName::ShipmentByOrder => "idx_shipment_order",
            IndexName::ShipmentByTracking => "idx_shipment_tracking",
            IndexName::InvoiceByOrder => "idx_invoice_order",
            IndexName::ReturnByOrder => "idx_return_order",
            IndexName::ReturnByCustomer => "idx_return_customer",
            IndexName::ReturnByStatus => "idx_return_status",
        }
    }
}

/// One index entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IndexEntry {
    /// Which index.
    pub index: IndexName,
    /// Ordered key bytes.
    pub key: Vec<u8>,
    /// The entity the key points to.
    pub id: u64,
}

/// A range of index keys to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRange {
    /// Lower bound.
    pub start: Bound<Vec<u8>>,
    /// Upper bound.
    pub end: Bound<Vec<u8>>,
    /// Newest (largest key) first.
    pub reverse: bool,
}

impl IndexRange {
    /// True if no key can lie in the range (start after end, or an empty half-open range).
    /// Backends check this before scanning: ordered maps panic on inverted ranges.
    pub fn is_empty(&self) -> bool {
        let (start, start_inclusive) = match &self.start {
            Bound::Included(s) => (s, true),
            Bound::Excluded(s) => (s, false),
            Bound::Unbounded => return false,
        };
        match &self.end {
            Bound::Included(e) => start > e || (start == e && !start_inclusive),
            Bound::Excluded(e) => start >= e,
            Bound::Unbounded => false,
        }
    }

    /// All keys starting with `prefix`.
    pub fn prefix(prefix: &[u8], reverse: bool) -> IndexRange {
        IndexRange {
            start: Bound::Included(prefix.to_vec()),
            end: keys::prefix_end(prefix).map_or(Bound::Unbounded, Bound::Excluded),
            reverse,
        }
    }
}

/// Everything one command changes, applied atomically by [`Store::apply`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteSet {
    /// Records to write, each with the version it expects to find.
    pub puts: Vec<(Record, Expected)>,
    /// Index entries to add.
    pub index_inserts: Vec<IndexEntry>,
    /// Index entries to remove.
    pub index_removes: Vec<IndexEntry>,
    /// Audit entries to append.
    pub audit: Vec<AuditRecord>,
    /// Read expectations: records the change was decided on but does not write, each with
    /// the version it was read at (`Absent` if it did not exist). `apply` checks them like
    /// the puts' versions and writes nothing for them, so a change decided on a price, a
    /// customer status or a setting that moved meanwhile is refused (`Conflict`) instead of
    /// committed (write skew).
    pub reads: Vec<(RecordKey, Expected)>,
    /// Commutative counter deltas (report figures), added to the counters' values with no
    /// version check (see the contract). Appended last.
    pub counters: Vec<CounterDelta>,
}

/// One commutative change of a counter: `delta` is added to the value stored under `key`
/// (zero when absent). Counts are whole numbers, money amounts exact decimals; the key
/// says which (see `engine::report_counters` for the keys the engine writes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDelta {
    /// The counter's key (ordered bytes, scanned by [`Store::counters`]).
    pub key: Vec<u8>,
    /// What to add (negative to subtract).
    pub delta: Decimal,
}

impl WriteSet {
    /// An empty write set.
    pub fn new() -> WriteSet {
        WriteSet::default()
    }

    /// Adds a put.
    pub fn put(&mut self, record: Record, expected: Expected) {
        self.puts.push((record, expected));
    }

    /// Adds a read expectation: the write set applies only if the record at `key` is still
    /// at `expected` (still absent for `Absent`).
    pub fn expect(&mut self, key: RecordKey, expected: Expected) {
        self.reads.push((key, expected));
    }

    /// Adds the index changes that take an entity from `old` entries to `new` entries.
    pub fn reindex(&mut self, old: &[IndexEntry], new: &[IndexEntry]) {
        for entry in old.iter().filter(|e| !new.contains(e)) {
            self.index_removes.push(entry.clone());
        }
        for entry in new.iter().filter(|e| !old.contains(e)) {
            self.index_inserts.push(entry.clone());
        }
    }

    /// Adds a counter delta (see [`WriteSet::counters`]).
    pub fn count(&mut self, key: Vec<u8>, delta: Decimal) {
        self.counters.push(CounterDelta { key, delta });
    }

    /// True if nothing would be written (read expectations write nothing: a write set of
    /// only those need not be applied).
    pub fn is_empty(&self) -> bool {
        self.puts.is_empty()
            && self.index_inserts.is_empty()
            && self.index_removes.is_empty()
            && self.audit.is_empty()
            && self.counters.is_empty()
    }
}

/// A record a listing passed over because its bytes do not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRecord {
    /// Its key.
    pub key: RecordKey,
    /// Why it could not be read (the [`StoreError::Corrupted`] reason).
    pub reason: String,
}

/// One page of [`Store::scan_listing`]: the records that decoded and those passed over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanPage {
    /// Records that decoded, in key order.
    pub records: Vec<Versioned<Record>>,
    /// Records in the same range whose bytes do not decode, in key order.
    pub skipped: Vec<SkippedRecord>,
}

impl ScanPage {
    /// How many entries the page covered (read and skipped): a page shorter than the
    /// limit asked for is the last.
    pub fn len(&self) -> usize {
        self.records.len() + self.skipped.len()
    }

    /// True if the page covered nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The largest key the page covered (read or skipped): where the next page starts after.
    pub fn last_key(&self) -> Option<RecordKey> {
        let read = self.records.last().map(|v| v.value.key());
        let skipped = self.skipped.last().map(|s| s.key.clone());
        read.max(skipped)
    }
}

/// Errors a store returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// An expected version did not match, or a unique index key is taken.
    #[error("conflicting concurrent change")]
    Conflict,
    /// Stored bytes do not decode.
    #[error("record {key} is corrupted: {reason}")]
    Corrupted {
        /// The key whose bytes are bad.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The data directory is in use by another process.
    #[error("{0}")]
    Locked(String),
    /// An I/O or backend failure.
    #[error("{0}")]
    Io(String),
}

/// A storage backend. See the module documentation for the contract.
pub trait Store: Send + Sync {
    /// A fresh id, unique across the store's lifetime (never reused, even after a crash).
    ///
    /// # Errors
    /// `Io` on backend failure.
    fn next_id(&self) -> Result<u64, StoreError>;

    /// The record at `key` with its version.
    ///
    /// # Errors
    /// `Corrupted` if its bytes do not decode; `Io`.
    fn get(&self, key: &RecordKey) -> Result<Option<Versioned<Record>>, StoreError>;

    /// Records of one kind in key order, starting after `after`, at most `limit`.
    ///
    /// # Errors
    /// `Corrupted` for a record in the range that does not decode; `Io`.
    fn scan(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<Vec<Versioned<Record>>, StoreError>;

    /// [`Store::scan`] for listings: the same range and limit (counting skipped entries),
    /// but a record whose bytes do not decode is reported in [`ScanPage::skipped`] and the
    /// scan goes on past it. Only listings may use it (see the contract).
    ///
    /// # Errors
    /// `Io`; `Corrupted` only if the damage is beyond one record (a key that names no
    /// record of `kind`).
    fn scan_listing(
        &self,
        kind: RecordKind,
        after: Option<&RecordKey>,
        limit: usize,
    ) -> Result<ScanPage, StoreError>;

    /// The id an index key maps to (exact match).
    ///
    /// # Errors
    /// `Io`.
    fn index_get(&self, index: IndexName, key: &[u8]) -> Result<Option<u64>, StoreError>;

    /// Entries of `index` within `range`, in key order (or reverse), at most `limit`.
    ///
    /// # Errors
    /// `Io`.
    fn index_scan(
        &self,
        index: IndexName,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError>;

    /// Audit entries about `subject`, oldest first, with sequence > `after`, at most `limit`.
    ///
    /// # Errors
    /// `Corrupted`; `Io`.
    fn audit_for(
        &self,
        subject: Subject,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError>;

    /// Returns once every write set applied before the call is durable (see the contract);
    /// at once if it already is.
    ///
    /// # Errors
    /// `Io` if it cannot be made durable.
    fn sync(&self) -> Result<(), StoreError>;

    /// Applies `writes` atomically (see the contract).
    ///
    /// # Errors
    /// `Conflict` if a version or unique key check fails (nothing written); `Io`.
    fn apply(&self, writes: WriteSet) -> Result<(), StoreError>;

    /// Counters (see [`WriteSet::counters`]) with keys within `range`, in key order (or
    /// reverse), at most `limit`; counters at zero are left out.
    ///
    /// # Errors
    /// `Corrupted` for a value that does not decode; `Io`.
    fn counters(
        &self,
        range: &IndexRange,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Decimal)>, StoreError>;
}

/// Forwards every call through a shared pointer, so `Engine<Arc<SledStore>>` works.
macro_rules! forward_store {
    ($($pointer:ty),*) => {$(
impl<S: Store + ?Sized> Store for $pointer {
    fn next_id(&self) -> Result<u64, StoreError> {
        (**self).next_id()
    }
    fn get(&self, key: &RecordKey) -> Result<Option<Versioned<Record>>, StoreError> {
        (**self).get(key)
    }
    fn scan(&self, kind: RecordKind, after: Option<&RecordKey>, limit: usize) -> Result<Vec<Versioned<Record>>, StoreError> {
        (**self).scan(kind, after, limit)
    }
    fn scan_listing(&self, kind: RecordKind, after: Option<&RecordKey>, limit: usize) -> Result<ScanPage, StoreError> {
        (**self).scan_listing(kind, after, limit)
    }
    fn index_get(&self, index: IndexName, key: &[u8]) -> Result<Option<u64>, StoreError> {
        (**self).index_get(index, key)
    }
    fn index_scan(&self, index: IndexName, range: &IndexRange, limit: usize) -> Result<Vec<(Vec<u8>, u64)>, StoreError> {
        (**self).index_scan(index, range, limit)
    }
    fn audit_for(&self, subject: Subject, after: Option<u64>, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        (**self).audit_for(subject, after, limit)
    }
    fn sync(&self) -> Result<(), StoreError> {
        (**self).sync()
    }
    fn apply(&self, writes: WriteSet) -> Result<(), StoreError> {
        (**self).apply(writes)
    }
    fn counters(&self, range: &IndexRange, limit: usize) -> Result<Vec<(Vec<u8>, Decimal)>, StoreError> {
        (**self).counters(range, limit)
    }
}
    )*};
}

forward_store!(std::sync::Arc<S>, &S);
