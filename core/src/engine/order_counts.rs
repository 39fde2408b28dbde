//! Counting orders without reading them: the staff dashboard's tiles (orders today and
//! this week, orders waiting per status) count index entries — keys only, no order
//! decoded — where counting through a listing decodes (and a front serializes) every
//! order it returns.
//!
//! The count is of the `OrderByStatus` (a status given) or `OrderByCreated` index within
//! the creation-time bounds: drafts and archived orders are counted like any other (an
//! order in a waiting status cannot be archived, so a waiting count equals the listing's).
//! A customer counts their own orders only (their index; a status filter reads each of
//! their orders).

use std::ops::Bound;

use crate::auth::{Actor, Operation};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{CustomerId, OrderId};
use crate::order::OrderStatus;
use crate::store::{IndexName, IndexRange, Record, RecordKey, Store, keys};

use super::Engine;

/// The most index entries one count reads; a count that reaches it says `capped`.
pub const MAX_COUNTED: u64 = 100_000;

/// Index entries read per store call.
const BATCH: usize = 1024;

/// Which orders to count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderCountFilter {
    /// Only this status.
    pub status: Option<OrderStatus>,
    /// Created at or after.
    pub from: Option<Timestamp>,
    /// Created before.
    pub to: Option<Timestamp>,
}

/// How many orders matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderCount {
    /// The number (at most [`MAX_COUNTED`]).
    pub count: u64,
    /// Whether counting stopped at [`MAX_COUNTED`] (there are at least that many).
    pub capped: bool,
}

impl<S: Store> Engine<S> {
    /// Counts the orders matching `filter` without reading them (a customer: their own).
    ///
    /// # Errors
    /// `Forbidden` without the right to read orders; `Storage`.
    pub fn count_orders(&self, actor: &Actor, filter: &OrderCountFilter) -> Result<OrderCount> {
        actor.require(Operation::ReadOrders)?;
        if let Some(me) = actor.customer_id() {
            return self.count_own_orders(me, filter);
        }
        let (index, prefix) = match filter.status {
            Some(status) => (IndexName::OrderByStatus, keys::order_status_prefix(status)),
            None => (IndexName::OrderByCreated, Vec::new()),
        };
        self.count_entries(index, &prefix, filter, |_| Ok(true))
    }

    /// A customer's own orders: their index within the time bounds, each read only when
    /// a status is asked for.
    fn count_own_orders(&self, me: CustomerId, filter: &OrderCountFilter) -> Result<OrderCount> {
        let prefix = keys::order_customer_prefix(me);
        self.count_entries(IndexName::OrderByCustomer, &prefix, filter, |id| {
            let Some(status) = filter.status else {
                return Ok(true);
            };
            Ok(match self.store.get(&RecordKey::Order(OrderId(id)))? {
                Some(found) => match found.value {
                    Record::Order(order) => order.status() == status,
                    _ => false,
                },
                None => false,
            })
        })
    }

    /// Counts the entries of `index` under `prefix` within the filter's creation-time
    /// bounds that `keep` (given the order id) accepts, up to [`MAX_COUNTED`] read.
    fn count_entries(
        &self,
        index: IndexName,
        prefix: &[u8],
        filter: &OrderCountFilter,
        keep: impl Fn(u64) -> Result<bool>,
    ) -> Result<OrderCount> {
        let (start, end) = keys::time_bounds(prefix, filter.from, filter.to);
        let mut range = IndexRange {
            start: Bound::Included(start),
            end: end.map_or(Bound::Unbounded, Bound::Excluded),
            reverse: false,
        };
        let mut read = 0u64;
        let mut count = 0u64;
        while !range.is_empty() {
            let entries = self.store.index_scan(index, &range, BATCH)?;
            let exhausted = entries.len() < BATCH;
            for (key, id) in entries {
                read += 1;
                if keep(id)? {
                    count += 1;
                }
                if read >= MAX_COUNTED {
                    return Ok(OrderCount {
                        count,
                        capped: true,
                    });
                }
                range.start = Bound::Excluded(key);
            }
            if exhausted {
                break;
            }
        }
        Ok(OrderCount {
            count,
            capped: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::Actor;
    use crate::clock::{Clock, DAY_MS};
    use crate::engine::OrderRequest;
    use crate::engine::tests::fixture;
    use crate::order::OrderStatus;

    use super::*;

    #[test]
    fn counts_match_the_listing_by_status_and_day_and_customers_count_their_own() {
        let f = fixture();
        let other = f
            .engine
            .create_customer(&f.admin, &crate::testkit::sample::customer(3))
            .unwrap()
            .id();
        let mut placed = 0;
        for n in 0..5 {
            let customer = if n % 2 == 0 { f.consumer } else { other };
            f.engine
                .create_order(&f.admin, &OrderRequest::simple(customer, &[("MUG", 1)]))
                .unwrap();
            placed += 1;
            if n == 2 {
                f.clock.advance(DAY_MS);
            }
        }
        assert_eq!(placed, 5);
        let count = |actor: &Actor, filter: OrderCountFilter| {
            f.engine.count_orders(actor, &filter).unwrap()
        };
        assert_eq!(
            count(&f.admin, OrderCountFilter::default()),
            OrderCount {
                count: 5,
                capped: false
            }
        );
        let waiting = OrderCountFilter {
            status: Some(OrderStatus::Placed),
            ..OrderCountFilter::default()
        };
        let shipped = OrderCountFilter {
            status: Some(OrderStatus::Shipped),
            ..OrderCountFilter::default()
        };
        assert_eq!(count(&f.admin, waiting).count, 5);
        assert_eq!(count(&f.admin, shipped).count, 0);
        let now = f.clock.now();
        let today = OrderCountFilter {
            from: Some(now.plus_ms(-(now.millis().rem_euclid(DAY_MS)))),
            ..OrderCountFilter::default()
        };
        assert_eq!(count(&f.admin, today).count, 2);
        let placed_today = OrderCountFilter {
            status: Some(OrderStatus::Placed),
            ..today
        };
        assert_eq!(count(&f.admin, placed_today).count, 2);
        let before_today = OrderCountFilter {
            to: today.from,
            ..OrderCountFilter::default()
        };
        assert_eq!(count(&f.admin, before_today).count, 3);
        // A customer counts their own: orders 0, 2 and 4.
        let mine = Actor::customer(f.consumer);
        assert_eq!(count(&mine, OrderCountFilter::default()).count, 3);
        assert_eq!(count(&mine, waiting).count, 3);
        assert_eq!(count(&mine, shipped).count, 0);
        assert!(
            f.engine
                .count_orders(&Actor::guest(), &OrderCountFilter::default())
                .is_err()
        );
    }
}
