//! Read side: orders by id, reference, customer, name, date range and status, with cursor
//! pagination (newest first); audit trails; outbox.
//!
//! Every list walks an index, so its cost is O(log n + page), never a scan of all orders.
//!
//! **Listings survive a bad record.** A record whose stored bytes do not decode is passed
//! over by a listing and reported in [`Page::skipped`] (its key and why), so one damaged
//! record never hides all the others; the store contract allows this for listings only
//! (`store` module docs): a `get` of that one record still fails with `Corrupted`.

use std::ops::Bound;

use crate::audit::{AuditEntry, Subject};
use crate::auth::{Actor, Operation};
use crate::clock::Timestamp;
use crate::customer::normalize_name;
use crate::error::{EntityKind, Error, Result};
use crate::ids::{CustomerId, OrderId, OrderReference};
use crate::order::{Order, OrderStatus};
use crate::store::{
    IndexName, IndexRange, Record, RecordKey, RecordKind, SkippedRecord, Store, StoreError,
    Versioned, keys,
};

use super::Engine;

/// Most orders in one page.
pub const MAX_PAGE: usize = 500;
/// Most customers a name filter may match.
const MAX_NAME_MATCHES: usize = 1_000;
/// Most index entries one list call reads per source before returning a partial page.
const MAX_SCANNED_PER_SOURCE: usize = 20_000;

/// Filters for [`Engine::list_orders`]. All are optional and combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    /// Only this customer's orders.
    pub customer: Option<CustomerId>,
    /// Customers whose name contains this text (case-insensitive).
    pub customer_name: Option<String>,
    /// Created at or after.
    pub from: Option<Timestamp>,
    /// Created before.
    pub to: Option<Timestamp>,
    /// Only this status.
    pub status: Option<OrderStatus>,
    /// Include archived orders.
    pub include_archived: bool,
    /// Page size (1..=500; 0 means 50).
    pub limit: usize,
    /// Continue after this cursor (from a previous page).
    pub cursor: Option<String>,
    /// Oldest first instead of newest first (work queues: the next orders to pick).
    pub oldest_first: bool,
}

/// A record a listing passed over because its bytes do not decode.
pub type Skipped = SkippedRecord;

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, newest first (orders) or in id order (products, customers, staff).
    pub items: Vec<T>,
    /// Pass as `cursor` (orders) or as `after` (an id: products, customers) to get the
    /// next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Records within this page's range that could not be read (damaged bytes), by key,
    /// in the order met; the items are everything else. Empty on a healthy store.
    pub skipped: Vec<Skipped>,
}

impl<T> Page<T> {
    /// A page of `items` with no next page and nothing skipped.
    pub fn of(items: Vec<T>) -> Page<T> {
        Page {
            items,
            next_cursor: None,
            skipped: Vec::new(),
        }
    }
}

/// A position in creation order: (created, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Position {
    created: Timestamp,
    id: OrderId,
}

impl Position {
    fn encode(self) -> String {
        let mut text = String::with_capacity(32);
        for byte in keys::timestamp(self.created)
            .iter()
            .chain(self.id.0.to_be_bytes().iter())
        {
            text.push_str(&format!("{byte:02x}"));
        }
        text
    }

    fn decode(text: &str) -> Result<Position> {
        let bad = || Error::invalid("cursor", "is not a cursor from a previous page");
        if text.len() != 32 || !text.is_ascii() {
            return Err(bad());
        }
        let mut bytes = [0u8; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            let pair = text.get(2 * i..2 * i + 2).ok_or_else(bad)?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
        }
        let (time, id) = bytes.split_at(8);
        let time = u64::from_be_bytes(time.try_into().map_err(|_| bad())?) ^ (1 << 63);
        let id = u64::from_be_bytes(id.try_into().map_err(|_| bad())?);
        Ok(Position {
            created: Timestamp(time as i64),
            id: OrderId(id),
        })
    }

    /// The position an order index key (`prefix ‖ created ‖ order`) ends with.
    fn of_index_key(key: &[u8]) -> Option<Position> {
        let start = key.len().checked_sub(16)?;
        let (time, id) = key.get(start..)?.split_at(8);
        let time = u64::from_be_bytes(time.try_into().ok()?) ^ (1 << 63);
        Some(Position {
            created: Timestamp(time as i64),
            id: OrderId(u64::from_be_bytes(id.try_into().ok()?)),
        })
    }

    fn key_suffix(self) -> Vec<u8> {
        [
            keys::timestamp(self.created).as_slice(),
            &self.id.0.to_be_bytes(),
        ]
        .concat()
    }
}

/// Orders found by a walk, with their positions.
type Found = Vec<(Position, Versioned<Order>)>;

/// What one walk of an index source found: matching orders, orders that could not be read
/// (each with its position), and where it stopped early if it ran out of scan budget.
struct Walked {
    found: Found,
    skipped: Vec<(Position, Skipped)>,
    cut: Option<Position>,
}

/// One index range to walk: `prefix ‖ created ‖ id` keys.
struct Source {
    index: IndexName,
    prefix: Vec<u8>,
}

impl<S: Store> Engine<S> {
    /// Walks the `prefix ‖ id` keys of `index` after `after` (the key's trailing id), reading
    /// each entry's record (`key_of`, `take`) and keeping those `keep` accepts, up to
    /// `limit` entries (read or skipped) or [`MAX_SCANNED_PER_SOURCE`] keys; a record that
    /// does not decode is named in `skipped`. The one paged walk behind ticket and return
    /// listings.
    pub(super) fn walk_index<T>(
        &self,
        (index, prefix): (IndexName, &[u8]),
        after: Option<u64>,
        limit: usize,
        key_of: impl Fn(u64) -> RecordKey,
        take: impl Fn(Record) -> Option<T>,
        keep: impl Fn(&T) -> bool,
    ) -> Result<Page<T>> {
        let mut range = IndexRange {
            start: match after {
                Some(id) => Bound::Excluded([prefix, &id.to_be_bytes()].concat()),
                None => Bound::Included(prefix.to_vec()),
            },
            end: keys::prefix_end(prefix).map_or(Bound::Unbounded, Bound::Excluded),
            reverse: false,
        };
        let mut items = Vec::new();
        let mut skipped: Vec<SkippedRecord> = Vec::new();
        let mut scanned = 0usize;
        loop {
            let entries = self.store.index_scan(index, &range, 256)?;
            let exhausted = entries.len() < 256;
            for (key, id) in entries {
                scanned += 1;
                // The key's last 8 bytes: the record's id, or its position (a return's
                // number in its order).
                let position = keys::trailing_id(&key).unwrap_or(id);
                range.start = Bound::Excluded(key);
                let record_key = key_of(id);
                match self.store.get(&record_key) {
                    Ok(Some(Versioned { value, .. })) => match take(value) {
                        Some(item) => {
                            if keep(&item) {
                                items.push(item);
                            }
                        }
                        None => skipped.push(SkippedRecord {
                            key: record_key,
                            reason: format!("{} points at a record of another kind", index.name()),
                        }),
                    },
                    Ok(None) => {}
                    Err(StoreError::Corrupted { reason, .. }) => skipped.push(SkippedRecord {
                        key: record_key,
                        reason,
                    }),
                    Err(other) => return Err(other.into()),
                }
                if items.len() + skipped.len() >= limit || scanned >= MAX_SCANNED_PER_SOURCE {
                    return Ok(Page {
                        items,
                        next_cursor: Some(position.to_string()),
                        skipped,
                    });
                }
            }
            if exhausted {
                return Ok(Page {
                    items,
                    next_cursor: None,
                    skipped,
                });
            }
        }
    }

    /// An order by id. Customers see only their own (others are `NotFound`).
    ///
    /// # Errors
    /// `NotFound`; `Forbidden`; `Storage`.
    pub fn get_order(&self, actor: &Actor, id: OrderId) -> Result<Versioned<Order>> {
        actor.require(Operation::ReadOrders)?;
        let found = self
            .load_order(id)?
            .ok_or_else(|| Error::not_found(EntityKind::Order, id))?;
        self.check_owner(actor, &found.value)?;
        Ok(found)
    }

    fn load_order(&self, id: OrderId) -> Result<Option<Versioned<Order>>> {
        let key = RecordKey::Order(id);
        match self.store.get(&key)? {
            Some(Versioned {
                version,
                value: Record::Order(order),
            }) => Ok(Some(Versioned {
                version,
                value: *order,
            })),
            Some(_) => Err(StoreError::Corrupted {
                key: key.to_string(),
                reason: "expected an order record".into(),
            }
            .into()),
            None => Ok(None),
        }
    }

    /// An order by its public reference.
    ///
    /// # Errors
    /// `Validation` for a malformed reference; `NotFound`; `Forbidden`.
    pub fn order_by_reference(&self, actor: &Actor, reference: &str) -> Result<Versioned<Order>> {
        actor.require(Operation::ReadOrders)?;
        let reference = OrderReference::parse(reference)?;
        let unknown = || Error::not_found(EntityKind::Order, &reference);
        let id = self
            .store
            .index_get(
                IndexName::OrderByReference,
                &keys::order_reference(&reference),
            )?
            .ok_or_else(unknown)?;
        // Someone else's order reads exactly like a reference that does not exist.
        self.get_order(actor, OrderId(id))
            .map_err(|e| hide_not_found(e, unknown))
    }

    /// An order by id (digits) or reference (anything else), as staff type them.
    ///
    /// # Errors
    /// As [`Engine::get_order`] and [`Engine::order_by_reference`].
    pub fn find_order(&self, actor: &Actor, id_or_reference: &str) -> Result<Versioned<Order>> {
        let text = id_or_reference.trim();
        match text.parse::<u64>() {
            Ok(id) => self.get_order(actor, OrderId(id)),
            Err(_) => self.order_by_reference(actor, text),
        }
    }

    /// Lists orders matching `filter`, newest first (or oldest first), one page at a time.
    ///
    /// # Errors
    /// `Validation` for a bad cursor, limit or name; `Forbidden`; `Storage`.
    pub fn list_orders(
        &self,
        actor: &Actor,
        filter: &OrderFilter,
    ) -> Result<Page<Versioned<Order>>> {
        actor.require(Operation::ReadOrders)?;
        let limit = match filter.limit {
            0 => 50,
            n if n > MAX_PAGE => {
                return Err(Error::invalid(
                    "limit",
                    format!("must be at most {MAX_PAGE}"),
                ));
            }
            n => n,
        };
        let mut customer = filter.customer;
        if let Some(me) = actor.customer_id() {
            if customer.is_some_and(|c| c != me) {
                return Ok(Page::of(Vec::new()));
            }
            customer = Some(me);
        }
        let cursor = filter.cursor.as_deref().map(Position::decode).transpose()?;
        let mut skipped_customers = Vec::new();
        let sources = self.sources(customer, filter, &mut skipped_customers)?;
        let mut candidates: Vec<(Position, Versioned<Order>)> = Vec::new();
        let mut skipped: Vec<(Position, Skipped)> = Vec::new();
        let mut stop_before: Option<Position> = None;
        for source in &sources {
            let walked = self.walk(source, filter, cursor, customer, limit + 1)?;
            candidates.extend(walked.found);
            skipped.extend(walked.skipped);
            if let Some(cut) = walked.cut {
                stop_before = Some(match stop_before {
                    None => cut,
                    Some(s) if filter.oldest_first => s.min(cut),
                    Some(s) => s.max(cut),
                });
            }
        }
        // Whether `p` comes before `bound` in the listing's order (or is it).
        let up_to = |p: &Position, bound: &Position| {
            if filter.oldest_first {
                p <= bound
            } else {
                p >= bound
            }
        };
        // A source that hit its scan budget only vouches for positions up to its cut.
        if let Some(cut) = stop_before {
            candidates.retain(|(p, _)| up_to(p, &cut));
            skipped.retain(|(p, _)| up_to(p, &cut));
        }
        if filter.oldest_first {
            candidates.sort_by_key(|(position, _)| *position);
        } else {
            candidates.sort_by_key(|(position, _)| std::cmp::Reverse(*position));
        }
        candidates.dedup_by(|a, b| a.0 == b.0);
        let more = candidates.len() > limit || stop_before.is_some();
        candidates.truncate(limit);
        let last = candidates.last().map(|(p, _)| *p).or(stop_before);
        // What lies past the page's last item is reported with the page it belongs to.
        if let (true, Some(last)) = (more, last) {
            skipped.retain(|(p, _)| up_to(p, &last));
        }
        skipped.sort_by_key(|(p, _)| *p);
        skipped.dedup_by(|a, b| a.0 == b.0);
        if !filter.oldest_first {
            skipped.reverse();
        }
        let next_cursor = if more {
            last.map(Position::encode)
        } else {
            None
        };
        let mut skipped: Vec<Skipped> = skipped.into_iter().map(|(_, s)| s).collect();
        skipped.extend(skipped_customers);
        Ok(Page {
            items: candidates.into_iter().map(|(_, o)| o).collect(),
            next_cursor,
            skipped,
        })
    }

    fn sources(
        &self,
        customer: Option<CustomerId>,
        filter: &OrderFilter,
        skipped: &mut Vec<Skipped>,
    ) -> Result<Vec<Source>> {
        if let Some(customer) = customer {
            return Ok(vec![Source {
                index: IndexName::OrderByCustomer,
                prefix: keys::order_customer_prefix(customer),
            }]);
        }
        if let Some(name) = &filter.customer_name {
            let ids = self.customers_named(name, MAX_NAME_MATCHES, skipped)?;
            return Ok(ids
                .into_iter()
                .map(|c| Source {
                    index: IndexName::OrderByCustomer,
                    prefix: keys::order_customer_prefix(c),
                })
                .collect());
        }
        Ok(vec![match filter.status {
            Some(status) => Source {
                index: IndexName::OrderByStatus,
                prefix: keys::order_status_prefix(status),
            },
            None => Source {
                index: IndexName::OrderByCreated,
                prefix: Vec::new(),
            },
        }])
    }

    /// Walks one source in the filter's order, returning up to `want` matching orders, the
    /// orders met that could not be read, and the position where it stopped early if it
    /// ran out of scan budget.
    fn walk(
        &self,
        source: &Source,
        filter: &OrderFilter,
        cursor: Option<Position>,
        customer: Option<CustomerId>,
        want: usize,
    ) -> Result<Walked> {
        let (start, end) = keys::time_bounds(&source.prefix, filter.from, filter.to);
        let mut upper = match end {
            Some(end) => Bound::Excluded(end),
            None => Bound::Unbounded,
        };
        let mut lower = Bound::Included(start.clone());
        if let Some(cursor) = cursor {
            let at = [source.prefix.as_slice(), &cursor.key_suffix()].concat();
            if filter.oldest_first {
                if at >= start {
                    lower = Bound::Excluded(at);
                }
            } else {
                let tighter = match &upper {
                    Bound::Excluded(e) | Bound::Included(e) => at < *e,
                    Bound::Unbounded => true,
                };
                if tighter {
                    upper = Bound::Excluded(at);
                }
            }
        }
        let batch = want.clamp(16, 256);
        let mut walked = Walked {
            found: Vec::new(),
            skipped: Vec::new(),
            cut: None,
        };
        let mut scanned = 0usize;
        loop {
            let range = IndexRange {
                start: lower.clone(),
                end: upper.clone(),
                reverse: !filter.oldest_first,
            };
            let entries = self.store.index_scan(source.index, &range, batch)?;
            let exhausted = entries.len() < batch;
            for (key, id) in &entries {
                scanned += 1;
                let id = OrderId(*id);
                let indexed = Position::of_index_key(key).unwrap_or(Position {
                    created: Timestamp(i64::MIN),
                    id,
                });
                let position = match self.load_order(id) {
                    Ok(None) => None,
                    Ok(Some(order)) => {
                        let position = Position {
                            created: order.value.created_at(),
                            id: order.value.id(),
                        };
                        if self.matches(&order.value, filter, customer) {
                            walked.found.push((position, order));
                            if walked.found.len() >= want {
                                return Ok(walked);
                            }
                        }
                        Some(position)
                    }
                    Err(Error::Storage(StoreError::Corrupted { reason, .. })) => {
                        // Unreadable: reported where the index places it, whatever the
                        // filters (they cannot be checked on bytes that do not decode).
                        walked.skipped.push((
                            indexed,
                            Skipped {
                                key: RecordKey::Order(id),
                                reason,
                            },
                        ));
                        Some(indexed)
                    }
                    Err(other) => return Err(other),
                };
                if filter.oldest_first {
                    lower = Bound::Excluded(key.clone());
                } else {
                    upper = Bound::Excluded(key.clone());
                }
                if scanned >= MAX_SCANNED_PER_SOURCE {
                    walked.cut = Some(position.unwrap_or(indexed));
                    return Ok(walked);
                }
            }
            if exhausted {
                return Ok(walked);
            }
        }
    }

    /// One page of the records of `kind` in key order after `after`, at most `limit`, as
    /// `extract` turns them into items; records that do not decode are skipped and
    /// reported. The next cursor is the id of the last record covered (for `after`).
    pub(super) fn list_records<T>(
        &self,
        kind: RecordKind,
        after: Option<RecordKey>,
        limit: usize,
        extract: impl Fn(Record) -> Option<T>,
    ) -> Result<Page<T>> {
        let page = self.store.scan_listing(kind, after.as_ref(), limit)?;
        let next_cursor = match page.last_key() {
            Some(last) if page.len() >= limit => Some(cursor_of(&last)),
            Some(_) | None => None,
        };
        Ok(Page {
            items: page
                .records
                .into_iter()
                .filter_map(|v| extract(v.value))
                .collect(),
            next_cursor,
            skipped: page.skipped,
        })
    }

    fn matches(&self, order: &Order, filter: &OrderFilter, customer: Option<CustomerId>) -> bool {
        customer.is_none_or(|c| order.customer() == c)
            && filter.status.is_none_or(|s| order.status() == s)
            && (filter.include_archived || order.archived().is_none())
            && filter.from.is_none_or(|t| order.created_at() >= t)
            && filter.to.is_none_or(|t| order.created_at() < t)
    }

    /// Ids of customers whose name contains `query` (case-insensitive), where every word of
    /// the query must begin a word of the name: "love" finds "Ada Lovelace", "ada lov" too.
    /// The word index is walked for the query's rarest word (found by a bounded probe), and
    /// each candidate's full name is checked: O(log n + matches of that word).
    ///
    /// # Errors
    /// `Validation` for an empty query; `Storage`.
    /// (Customers whose record could not be read, so could not be checked, are added to
    /// `skipped`.)
    pub(super) fn customers_named(
        &self,
        query: &str,
        limit: usize,
        skipped: &mut Vec<Skipped>,
    ) -> Result<Vec<CustomerId>> {
        let needle = normalize_name(query);
        let words: Vec<&str> = needle.split(' ').filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            return Err(Error::invalid("customer name", "must not be empty"));
        }
        // Walk the rarest word: count each word's matches up to a small bound first.
        const PROBE: usize = 256;
        let mut word = words[0];
        let mut fewest = usize::MAX;
        for candidate in &words {
            let range = IndexRange::prefix(candidate.as_bytes(), false);
            let count = self
                .store
                .index_scan(IndexName::CustomerByName, &range, PROBE)?
                .len();
            if count < fewest || (count == fewest && candidate.len() > word.len()) {
                fewest = count;
                word = candidate;
            }
        }
        let mut ids: Vec<CustomerId> = Vec::new();
        let mut range = IndexRange::prefix(word.as_bytes(), false);
        loop {
            let entries = self
                .store
                .index_scan(IndexName::CustomerByName, &range, 512)?;
            let exhausted = entries.len() < 512;
            for (key, id) in &entries {
                let id = CustomerId(*id);
                range.start = Bound::Excluded(key.clone());
                if ids.contains(&id) {
                    continue;
                }
                let key = RecordKey::Customer(id);
                let full_name_matches = match self.store.get(&key) {
                    Ok(Some(Versioned {
                        value: Record::Customer(c),
                        ..
                    })) => normalize_name(c.name()).contains(&needle),
                    Ok(_) => false,
                    Err(StoreError::Corrupted { reason, .. }) => {
                        if !skipped.iter().any(|s| s.key == key) {
                            skipped.push(Skipped { key, reason });
                        }
                        false
                    }
                    Err(other) => return Err(other.into()),
                };
                if full_name_matches {
                    ids.push(id);
                    if ids.len() >= limit {
                        return Ok(ids);
                    }
                }
            }
            if exhausted {
                return Ok(ids);
            }
        }
    }

    /// The audit trail of an order, oldest first.
    ///
    /// # Errors
    /// `NotFound`; `Forbidden`; `Storage`.
    pub fn order_history(&self, actor: &Actor, id: OrderId) -> Result<Vec<AuditEntry>> {
        actor.require(Operation::ReadAudit)?;
        self.get_order(actor, id)?;
        self.audit_trail(Subject::Order(id))
    }

    /// The audit trail of a customer (their record and all their orders), oldest first.
    ///
    /// # Errors
    /// `Forbidden`; `Storage`.
    pub fn customer_history(&self, actor: &Actor, id: CustomerId) -> Result<Vec<AuditEntry>> {
        actor.require(Operation::ReadAudit)?;
        self.audit_trail(Subject::Customer(id))
    }

    pub(super) fn audit_trail(&self, subject: Subject) -> Result<Vec<AuditEntry>> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let batch = self.store.audit_for(subject, after, 1000)?;
            let done = batch.len() < 1000;
            after = batch.last().map(|e| e.sequence);
            all.extend(batch);
            if done {
                return Ok(all);
            }
        }
    }
}

/// A `NotFound` said in the caller's own words (the key they typed), so that a record they
/// may not see and one that does not exist give byte-for-byte the same error.
pub(super) fn hide_not_found(error: Error, unknown: impl FnOnce() -> Error) -> Error {
    match error {
        Error::NotFound { .. } => unknown(),
        other => other,
    }
}

/// How a listing's next cursor names the last record it covered: its id (for `after`).
fn cursor_of(key: &RecordKey) -> String {
    match key {
        RecordKey::Product(id) | RecordKey::Stock(id) => id.0.to_string(),
        RecordKey::Customer(id) => id.0.to_string(),
        RecordKey::Order(id) => id.0.to_string(),
        RecordKey::User(id) => id.0.to_string(),
        RecordKey::Message(id) => id.0.to_string(),
        RecordKey::Delivery(id) => id.0.to_string(),
        RecordKey::OrderWatch(id) => id.0.to_string(),
        RecordKey::Ticket(id) => id.0.to_string(),
        RecordKey::Shipment(id) => id.0.to_string(),
        RecordKey::TelegramChat(chat) => chat.to_string(),
        RecordKey::Invoice(number) => number.to_string(),
        RecordKey::Return(id) => id.0.to_string(),
        RecordKey::Idempotency(_)
        | RecordKey::PhoneSettings(_)
        | RecordKey::Session(_)
        | RecordKey::Throttle(_)
        | RecordKey::Settings
        | RecordKey::RateBucket(_)
        | RecordKey::PricingSettings => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let p = Position {
            created: Timestamp(1_700_000_000_123),
            id: OrderId(42),
        };
        assert_eq!(Position::decode(&p.encode()).unwrap(), p);
        assert!(Position::decode("zz").is_err());
        assert!(Position::decode(&"g".repeat(32)).is_err());
        assert!(Position::decode(&"é".repeat(16)).is_err());
    }

    mod unreadable {
        use crate::auth::{Actor, Role};
        use crate::engine::OrderFilter;
        use crate::engine::tests::fixture;
        use crate::error::Error;
        use crate::ids::{OrderId, ProductId};
        use crate::store::{RecordKey, StoreError};
        use crate::testkit::sample;
        use crate::testkit::wrappers::{UNREADABLE_REASON, UnreadableRecord};

        fn keys(skipped: &[super::Skipped]) -> Vec<RecordKey> {
            skipped.iter().map(|s| s.key.clone()).collect()
        }

        fn ids(orders: &[crate::store::Versioned<crate::order::Order>]) -> Vec<OrderId> {
            orders.iter().map(|o| o.value.id()).collect()
        }

        fn is_corrupted<T: std::fmt::Debug>(result: crate::Result<T>) -> bool {
            matches!(result, Err(Error::Storage(StoreError::Corrupted { .. })))
        }

        /// Regression (issue 8): one order that did not decode made `order list` fail for
        /// every order; now it is left out and reported, page by page, while reading that
        /// one order still fails.
        #[test]
        fn an_unreadable_order_is_skipped_and_reported_by_every_order_listing() {
            let f = fixture();
            let a = f.order(&[("TEE", 1)]).unwrap().id();
            let b = f.order(&[("TEE", 1)]).unwrap().id();
            let c = f.order(&[("MUG", 1)]).unwrap().id();
            let store = UnreadableRecord::new(f.store.clone(), RecordKey::Order(b));
            let (engine, _) = sample::engine(&store, 1);
            let admin = sample::admin();
            assert!(is_corrupted(engine.get_order(&admin, b)));
            let all = engine.list_orders(&admin, &OrderFilter::default()).unwrap();
            assert_eq!(ids(&all.items), vec![c, a]);
            assert_eq!(keys(&all.skipped), vec![RecordKey::Order(b)]);
            assert_eq!(all.skipped[0].reason, UNREADABLE_REASON);
            assert_eq!(all.next_cursor, None);
            // One at a time: the unreadable order is reported with the page it falls in.
            let mut filter = OrderFilter {
                limit: 1,
                ..OrderFilter::default()
            };
            let mut pages = Vec::new();
            loop {
                let page = engine.list_orders(&admin, &filter).unwrap();
                pages.push((ids(&page.items), keys(&page.skipped)));
                match page.next_cursor {
                    Some(cursor) => filter.cursor = Some(cursor),
                    None => break,
                }
            }
            assert_eq!(
                pages,
                vec![(vec![c], vec![]), (vec![a], vec![RecordKey::Order(b)])]
            );
            // Through every index: status, customer, the customer themself, oldest first.
            let filters = [
                OrderFilter {
                    status: Some(crate::order::OrderStatus::Placed),
                    ..OrderFilter::default()
                },
                OrderFilter {
                    customer: Some(f.consumer),
                    ..OrderFilter::default()
                },
                OrderFilter {
                    customer_name: Some("customer 1".into()),
                    ..OrderFilter::default()
                },
            ];
            for filter in &filters {
                let page = engine.list_orders(&admin, filter).unwrap();
                assert_eq!(ids(&page.items), vec![c, a], "{filter:?}");
                assert_eq!(keys(&page.skipped), vec![RecordKey::Order(b)], "{filter:?}");
            }
            let mine = engine
                .list_orders(&Actor::customer(f.consumer), &OrderFilter::default())
                .unwrap();
            assert_eq!(ids(&mine.items), vec![c, a]);
            assert_eq!(keys(&mine.skipped), vec![RecordKey::Order(b)]);
            let oldest = engine
                .list_orders(
                    &admin,
                    &OrderFilter {
                        oldest_first: true,
                        ..OrderFilter::default()
                    },
                )
                .unwrap();
            assert_eq!(ids(&oldest.items), vec![a, c]);
            assert_eq!(keys(&oldest.skipped), vec![RecordKey::Order(b)]);
            // On a healthy store nothing is skipped.
            let healthy = f
                .engine
                .list_orders(&admin, &OrderFilter::default())
                .unwrap();
            assert_eq!(ids(&healthy.items), vec![c, b, a]);
            assert!(healthy.skipped.is_empty());
        }

        #[test]
        fn unreadable_products_customers_and_staff_are_skipped_and_reported() {
            let f = fixture();
            let admin = sample::admin();
            let products = f.engine.list_products(&admin, None, 10).unwrap().items;
            let (tee, mug) = (products[0].id(), products[1].id());
            let store = UnreadableRecord::new(f.store.clone(), RecordKey::Product(mug));
            let (engine, _) = sample::engine(&store, 1);
            let page = engine.list_products(&admin, None, 10).unwrap();
            assert_eq!(
                page.items
                    .iter()
                    .map(|p| p.id())
                    .collect::<Vec<ProductId>>(),
                vec![tee]
            );
            assert_eq!(keys(&page.skipped), vec![RecordKey::Product(mug)]);
            assert_eq!(page.next_cursor, None);
            // A full page (read and skipped) points past its last record.
            let full = engine.list_products(&admin, None, 2).unwrap();
            assert_eq!(full.items.len(), 1);
            assert_eq!(full.next_cursor, Some(mug.0.to_string()));
            assert!(is_corrupted(engine.get_product(&admin, mug)));

            let store = UnreadableRecord::new(f.store.clone(), RecordKey::Customer(f.consumer));
            let (engine, _) = sample::engine(&store, 1);
            let page = engine.list_customers(&admin, None, None, 10).unwrap();
            assert_eq!(page.items.len(), 1);
            assert_ne!(page.items[0].id(), f.consumer);
            assert_eq!(keys(&page.skipped), vec![RecordKey::Customer(f.consumer)]);
            let named = engine
                .list_customers(&admin, Some("example"), None, 10)
                .unwrap();
            assert_eq!(named.items.len(), 1);
            assert_eq!(keys(&named.skipped), vec![RecordKey::Customer(f.consumer)]);
            let orders = engine
                .list_orders(
                    &admin,
                    &OrderFilter {
                        customer_name: Some("example".into()),
                        ..OrderFilter::default()
                    },
                )
                .unwrap();
            assert_eq!(keys(&orders.skipped), vec![RecordKey::Customer(f.consumer)]);
            assert!(is_corrupted(engine.get_customer(&admin, f.consumer)));

            let user = f
                .engine
                .add_user(&admin, "Sam", "sam", Role::Sales, "crates and pallets 9")
                .unwrap();
            let kept = f
                .engine
                .add_user(&admin, "Kim", "kim", Role::Analyst, "crates and pallets 9")
                .unwrap();
            let store = UnreadableRecord::new(f.store.clone(), RecordKey::User(user.id()));
            let (engine, _) = sample::engine(&store, 1);
            let staff = engine.list_users(&admin).unwrap();
            assert_eq!(
                staff.items.iter().map(|u| u.id()).collect::<Vec<_>>(),
                vec![kept.id()]
            );
            assert_eq!(keys(&staff.skipped), vec![RecordKey::User(user.id())]);
        }
    }
}
