//! The trees of the database and the byte keys inside them (see `docs/storage-format.md`).
//!
//! One `sled::Db` holds: a tree per record kind, a tree per secondary index (named by
//! [`IndexName::name`]), the audit trail, its per-subject index, the outbox, and a meta
//! tree with the storage format version and the last assigned sequence number. Keys are
//! big-endian so byte order is numeric order.

use ordo_core::audit::Subject;
use ordo_core::store::{IndexName, RecordKey, RecordKind, StoreError};

use crate::error::from_sled;

/// The on-disk layout version kept in the meta tree. Bump it with a migration when a
/// tree is added, removed or renamed or a key encoding changes (value shapes are versioned
/// by the codec's schema byte).
pub(crate) const STORAGE_FORMAT_VERSION: u64 = 9;

/// Meta key: the layout version the database was created with.
pub(crate) const META_FORMAT_VERSION: &[u8] = b"format_version";
/// Meta key: the last audit sequence number handed out.
pub(crate) const META_LAST_AUDIT: &[u8] = b"last_audit_sequence";
/// Meta key: the last outbox sequence number handed out.
pub(crate) const META_LAST_OUTBOX: &[u8] = b"last_outbox_sequence";
/// Meta key: the last id handed out by `next_id`.
pub(crate) const META_LAST_ID: &[u8] = b"last_id";

/// Meta key: the last commit log position a checkpoint moved into the trees (format 8;
/// the log is replayed after it at open, see [`crate::wal`]).
pub(crate) const META_LOG_POSITION: &[u8] = b"log_position";

/// Meta key: the floor of `next_id` (set by a restore, so a restored
/// database never hands out an id its records already use).
pub(crate) const META_ID_OFFSET: &[u8] = b"id_offset";

/// Every record kind, in tree-slot order.
pub(crate) const RECORD_KINDS: [RecordKind; 19] = ordo_core::store::ALL_RECORD_KINDS;

/// A tree's position in [`Trees::all`] (and in the writer's per-tree batches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Slot(pub(crate) usize);

/// Slots 0–18: records; 19–44: indexes; then these. (Slots are positions in memory and
/// in backup files; on disk a tree is known by its name.)
pub(crate) const AUDIT: Slot = Slot(45);
/// The audit-by-subject tree.
pub(crate) const AUDIT_BY_SUBJECT: Slot = Slot(46);
/// The outbox tree of storage format 3 and earlier: emptied into deliveries by the
/// migration to format 4, written no more (kept so older stores and backups read).
pub(crate) const OUTBOX: Slot = Slot(47);
/// The meta tree.
pub(crate) const META: Slot = Slot(48);
/// The report counters tree (`WriteSet::counters`): key → exact decimal value.
pub(crate) const COUNTERS: Slot = Slot(49);
/// How many trees there are.
pub(crate) const TREE_COUNT: usize = 50;

/// The tree of a record kind.
pub(crate) fn record_slot(kind: RecordKind) -> Slot {
    Slot(match kind {
        RecordKind::Product => 0,
        RecordKind::Customer => 1,
        RecordKind::Order => 2,
        RecordKind::Stock => 3,
        RecordKind::Idempotency => 4,
        RecordKind::User => 5,
        RecordKind::Session => 6,
        RecordKind::Throttle => 7,
        RecordKind::Message => 8,
        RecordKind::Settings => 9,
        RecordKind::RateBucket => 10,
        RecordKind::Delivery => 11,
        RecordKind::OrderWatch => 12,
        RecordKind::PhoneSettings => 13,
        RecordKind::Ticket => 14,
        RecordKind::Shipment => 15,
        RecordKind::TelegramChat => 16,
        RecordKind::Invoice => 17,
        RecordKind::Return => 18,
    })
}

/// The tree of an index (exhaustive, so a new index must be given a slot here).
pub(crate) fn index_slot(index: IndexName) -> Slot {
    Slot(match index {
        IndexName::OrderByReference => 19,
        IndexName::OrderByCustomer => 20,
        IndexName::OrderByCreated => 21,
        IndexName::OrderByStatus => 22,
        IndexName::CustomerByName => 23,
        IndexName::CustomerByPhone => 24,
        IndexName::CustomerByEmail => 25,
        IndexName::ProductBySku => 26,
        IndexName::CustomerByLogin => 27,
        IndexName::CustomerByRegistration => 28,
        IndexName::UserByLogin => 29,
        IndexName::MessageByCustomer => 30,
        IndexName::RegistrationByHandle => 31,
        IndexName::DeliveryQueue => 32,
        IndexName::DeliveryByStatus => 33,
        IndexName::DeliveryByProvider => 34,
        IndexName::TicketByCustomer => 35,
        IndexName::TicketByStatus => 36,
        IndexName::TicketByAssignee => 37,
        IndexName::TicketByOrder => 38,
        IndexName::ShipmentByOrder => 39,
        IndexName::ShipmentByTracking => 40,
        IndexName::InvoiceByOrder => 41,
        IndexName::ReturnByOrder => 42,
        IndexName::ReturnByCustomer => 43,
        IndexName::ReturnByStatus => 44,
    })
}

/// The stable tree name of a record kind.
pub(crate) fn record_tree_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Product => "products",
        RecordKind::Customer => "customers",
        RecordKind::Order => "orders",
        RecordKind::Stock => "stock",
        RecordKind::Idempotency => "idempotency",
        RecordKind::User => "users",
        RecordKind::Session => "sessions",
        RecordKind::Throttle => "login_throttles",
        RecordKind::Message => "messages",
        RecordKind::Settings => "settings",
        RecordKind::RateBucket => "rate_buckets",
        RecordKind::Delivery => "deliveries",
        RecordKind::OrderWatch => "order_watches",
        RecordKind::PhoneSettings => "phone_settings",
        RecordKind::Ticket => "tickets",
        RecordKind::Shipment => "shipments",
        RecordKind::TelegramChat => "telegram_chats",
        RecordKind::Invoice => "invoices",
        RecordKind::Return => "returns",
    }
}

/// The names of all trees, in slot order.
pub(crate) fn tree_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = RECORD_KINDS.iter().map(|k| record_tree_name(*k)).collect();
    names.extend(ordo_core::store::ALL_INDEXES.iter().map(|i| i.name()));
    names.extend([
        "audit",
        "audit_by_subject",
        "outbox",
        "meta",
        "report_counters",
    ]);
    debug_assert_eq!(names.len(), TREE_COUNT);
    names
}

/// The kind of value a tree holds (how the codec must read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    /// Records of a kind.
    Records(RecordKind),
    /// An index's ids.
    Index(IndexName),
    /// Audit entries.
    Audit,
    /// Audit-by-subject markers.
    AuditBySubject,
    /// Outbox messages.
    Outbox,
    /// Counters.
    Meta,
    /// Report counters (exact decimals).
    ReportCounters,
}

impl Content {
    /// How the codec reads and upgrades this tree's values.
    pub(crate) fn value_kind(self) -> crate::codec::ValueKind {
        use crate::codec::ValueKind;
        match self {
            Content::Records(_) => ValueKind::Record,
            Content::Index(_) => ValueKind::Id,
            Content::Audit => ValueKind::Audit,
            Content::AuditBySubject => ValueKind::Marker,
            Content::Outbox => ValueKind::Outbox,
            Content::Meta => ValueKind::Counter,
            Content::ReportCounters => ValueKind::Amount,
        }
    }
}

/// What the tree in `slot` holds (`None` for a slot out of range).
pub(crate) fn content(slot: Slot) -> Option<Content> {
    if let Some(kind) = RECORD_KINDS.into_iter().find(|k| record_slot(*k) == slot) {
        return Some(Content::Records(kind));
    }
    if let Some(index) = ordo_core::store::ALL_INDEXES
        .into_iter()
        .find(|i| index_slot(*i) == slot)
    {
        return Some(Content::Index(index));
    }
    match slot {
        AUDIT => Some(Content::Audit),
        AUDIT_BY_SUBJECT => Some(Content::AuditBySubject),
        OUTBOX => Some(Content::Outbox),
        META => Some(Content::Meta),
        COUNTERS => Some(Content::ReportCounters),
        _ => None,
    }
}

/// Every tree, opened.
#[derive(Clone)]
pub(crate) struct Trees {
    all: Vec<sled::Tree>,
}

impl Trees {
    /// Opens (creating if needed) every tree of the layout.
    ///
    /// # Errors
    /// `Io` (or `Corrupted`) from sled.
    pub(crate) fn open(db: &sled::Db) -> Result<Trees, StoreError> {
        let all = tree_names()
            .into_iter()
            .map(|name| db.open_tree(name).map_err(from_sled))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Trees { all })
    }

    /// Every tree with its slot, in slot order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Slot, &sled::Tree)> {
        self.all.iter().enumerate().map(|(i, tree)| (Slot(i), tree))
    }

    /// The tree in `slot`.
    pub(crate) fn tree(&self, slot: Slot) -> &sled::Tree {
        // Slots are the constants above and the two exhaustive maps, all < TREE_COUNT,
        // and `open` created exactly TREE_COUNT trees.
        &self.all[slot.0]
    }

    /// The tree of a record kind.
    pub(crate) fn records(&self, kind: RecordKind) -> &sled::Tree {
        self.tree(record_slot(kind))
    }

    /// The tree of an index.
    pub(crate) fn index(&self, index: IndexName) -> &sled::Tree {
        self.tree(index_slot(index))
    }
}

/// A sequence number as a key (big-endian: byte order is numeric order).
pub(crate) fn sequence_key(sequence: u64) -> [u8; 8] {
    sequence.to_be_bytes()
}

/// The sequence number of an audit or outbox key.
pub(crate) fn sequence_of(key: &[u8]) -> Option<u64> {
    let start = key.len().checked_sub(8)?;
    let bytes: [u8; 8] = key.get(start..)?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

/// `tag ‖ id` of a subject: 1 = order, 2 = customer, 3 = product, 4 = staff user,
/// 5 = the store's settings (id 0), 6 = ticket, 7 = shipment, 8 = return.
pub(crate) fn subject_prefix(subject: Subject) -> [u8; 9] {
    let (tag, id) = match subject {
        Subject::Order(id) => (1u8, id.0),
        Subject::Customer(id) => (2u8, id.0),
        Subject::Product(id) => (3u8, id.0),
        Subject::User(id) => (4u8, id.0),
        Subject::Settings => (5u8, 0),
        Subject::Ticket(id) => (6u8, id.0),
        Subject::Shipment(id) => (7u8, id.0),
        Subject::Invoice(number) => (8u8, number),
        Subject::Return(id) => (9u8, id.0),
    };
    let mut key = [0u8; 9];
    key[0] = tag;
    key[1..].copy_from_slice(&id.to_be_bytes());
    key
}

/// An audit-by-subject key: `tag ‖ id ‖ sequence`.
pub(crate) fn subject_key(subject: Subject, sequence: u64) -> Vec<u8> {
    let mut key = subject_prefix(subject).to_vec();
    key.extend_from_slice(&sequence_key(sequence));
    key
}

/// Hex rendering of key bytes for error messages.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How a key is named in errors: `tree/key`.
pub(crate) fn index_label(index: IndexName, key: &[u8]) -> String {
    format!("{}/{}", index.name(), hex(key))
}

/// How a report counter is named in errors: `report_counters/<hex>`.
pub(crate) fn counter_label(key: &[u8]) -> String {
    format!("report_counters/{}", hex(key))
}

/// How a record key is named in errors.
pub(crate) fn record_label(key: &RecordKey) -> String {
    key.to_string()
}

#[cfg(test)]
mod tests {
    use ordo_core::ids::{CustomerId, OrderId};

    use super::*;

    #[test]
    fn subject_keys_sort_by_subject_then_sequence() {
        let a = subject_key(Subject::Order(OrderId(2)), 9);
        let b = subject_key(Subject::Order(OrderId(2)), 10);
        let c = subject_key(Subject::Order(OrderId(3)), 1);
        let d = subject_key(Subject::Customer(CustomerId(1)), 1);
        assert!(a < b && b < c && c < d);
        assert!(a.starts_with(&subject_prefix(Subject::Order(OrderId(2)))));
        assert_eq!(sequence_of(&b), Some(10));
        assert_eq!(sequence_of(b"short"), None);
    }

    #[test]
    fn slots_are_distinct_and_in_range() {
        let mut slots: Vec<usize> = RECORD_KINDS.iter().map(|k| record_slot(*k).0).collect();
        slots.extend(
            ordo_core::store::ALL_INDEXES
                .iter()
                .map(|i| index_slot(*i).0),
        );
        slots.extend([AUDIT.0, AUDIT_BY_SUBJECT.0, OUTBOX.0, META.0, COUNTERS.0]);
        for slot in 0..TREE_COUNT {
            assert!(content(Slot(slot)).is_some());
        }
        assert_eq!(content(Slot(TREE_COUNT)), None);
        assert_eq!(tree_names().len(), TREE_COUNT);
        let mut sorted = slots.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, (0..TREE_COUNT).collect::<Vec<_>>());
    }
}
