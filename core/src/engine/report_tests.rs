//! Reports against a hand-computed fixture, and the counters they read: kept in the order's
//! write set, equal to a recomputation from the orders after a random workload, and
//! rebuilt exactly by `rebuild_counters`.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::auth::{Actor, Role};
use crate::clock::{ManualClock, Timestamp};
use crate::engine::{Engine, OrderRequest, computed_counters, rebuild_counters};
use crate::ids::{CustomerId, OrderId, UserId};
use crate::order::OrderStatus;
use crate::random::{RandomSource, SeededRandom};
use crate::report::ReportGroup;
use crate::store::{IndexRange, MemoryStore, Store, WriteSet};
use crate::testkit::sample;

const HOUR: i64 = 3_600_000;

struct Shop {
    engine: Engine<Arc<MemoryStore>>,
    store: Arc<MemoryStore>,
    clock: Arc<ManualClock>,
    admin: Actor,
    first: CustomerId,
    second: CustomerId,
}

fn shop() -> Shop {
    let store = Arc::new(MemoryStore::new());
    let (engine, clock) = sample::engine(store.clone(), 7);
    let admin = sample::admin();
    engine
        .create_product(&admin, sample::product("TEE", 2000))
        .unwrap();
    engine
        .create_product(&admin, sample::product("MUG", 850))
        .unwrap();
    engine.restock(&admin, "TEE", "MAIN", 10, "count").unwrap();
    engine.restock(&admin, "MUG", "MAIN", 12, "count").unwrap();
    let first = engine
        .create_customer(&admin, &sample::customer(1))
        .unwrap()
        .id();
    let second = engine
        .create_customer(&admin, &sample::customer(3))
        .unwrap()
        .id();
    Shop {
        engine,
        store,
        clock,
        admin,
        first,
        second,
    }
}

impl Shop {
    fn order(&self, customer: CustomerId, items: &[(&str, i64)]) -> OrderId {
        self.engine
            .create_order(&self.admin, &OrderRequest::simple(customer, items))
            .unwrap()
            .id()
    }

    fn at(&self, day: i64, hour: i64) {
        self.clock
            .set(sample::EPOCH.plus_ms(day * 24 * HOUR + hour * HOUR));
    }

    /// Placed → … → `to`, one step at a time.
    fn advance(&self, order: OrderId, to: OrderStatus) {
        let from = self
            .engine
            .get_order(&self.admin, order)
            .unwrap()
            .value
            .status();
        for step in from.fulfilment_path(to).unwrap() {
            self.engine.change_status(&self.admin, order, step).unwrap();
        }
    }
}

fn day(n: i64) -> Timestamp {
    sample::EPOCH.plus_ms(n * 24 * HOUR)
}

/// The fixture (EPOCH = 2026-01-01, prices: TEE 20.00, MUG 8.50; tax 20 %, shipping 5.00):
/// - day 0 00:00 A: first, TEE×2 = 40.00 + 8.00 + 5.00 = 53.00
/// - day 0 00:00 B: first, MUG×3 = 25.50 + 5.10 + 5.00 = 35.60 (cancelled on day 1)
/// - day 0 00:00 C: second, TEE×1 = 20.00 + 4.00 + 5.00 = 29.00; shipped 03:00 (3 h)
/// - day 1 10:00 D: second, MUG×1 = 8.50 + 1.70 + 5.00 = 15.20
/// - A shipped day 1 10:00 (34 h), delivered day 3 10:00 (48 h)
fn fixture() -> Shop {
    let shop = shop();
    shop.at(0, 0);
    let a = shop.order(shop.first, &[("TEE", 2)]);
    let b = shop.order(shop.first, &[("MUG", 3)]);
    let c = shop.order(shop.second, &[("TEE", 1)]);
    shop.at(0, 3);
    shop.advance(c, OrderStatus::Shipped);
    shop.at(1, 10);
    shop.order(shop.second, &[("MUG", 1)]);
    shop.engine
        .cancel_order(&shop.admin, b, "changed their mind")
        .unwrap();
    shop.advance(a, OrderStatus::Shipped);
    shop.at(3, 10);
    shop.advance(a, OrderStatus::Delivered);
    shop
}

#[test]
fn sales_by_day_month_product_and_customer_match_the_hand_computed_fixture() {
    let shop = fixture();
    let report = shop
        .engine
        .sales_report(&shop.admin, day(0), day(1), ReportGroup::Day)
        .unwrap();
    let rows: Vec<_> = report
        .periods
        .iter()
        .map(|r| (r.period.as_str(), r.orders, r.revenue, r.units, r.cancelled))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("2026-01-01", 2, dec!(82.00), 3, 0),
            ("2026-01-02", 1, dec!(15.20), 1, 1),
        ]
    );
    let month = shop
        .engine
        .sales_report(&shop.admin, day(0), day(30), ReportGroup::Month)
        .unwrap();
    let rows: Vec<_> = month
        .periods
        .iter()
        .map(|r| (r.period.as_str(), r.orders, r.revenue, r.units, r.cancelled))
        .collect();
    assert_eq!(rows, vec![("2026-01", 3, dec!(97.20), 4, 1)]);

    let products: Vec<_> = report
        .products
        .iter()
        .map(|p| (p.sku.as_deref().unwrap(), p.units, p.revenue))
        .collect();
    assert_eq!(
        products,
        vec![("TEE", 3, dec!(60.00)), ("MUG", 1, dec!(8.50))]
    );
    // By customer: the customers report's top list, over the same days.
    let customers: Vec<_> = shop
        .engine
        .customer_report(&shop.admin, day(0), day(1), 10)
        .unwrap()
        .top
        .iter()
        .map(|c| (c.customer, c.orders, c.revenue))
        .collect();
    assert_eq!(
        customers,
        vec![(shop.first, 1, dec!(53.00)), (shop.second, 2, dec!(44.20))]
    );
    // Only day 1: B's cancellation is counted on the day it happened.
    let second_day = shop
        .engine
        .sales_report(&shop.admin, day(1), day(1), ReportGroup::Week)
        .unwrap();
    assert_eq!(second_day.periods.len(), 1);
    assert_eq!(second_day.periods[0].period, "2026-W01");
    assert_eq!(second_day.periods[0].cancelled, 1);
    assert_eq!(second_day.periods[0].revenue, dec!(15.20));
}

#[test]
fn speed_is_the_median_and_p90_bucket_of_each_stage() {
    let shop = fixture();
    let speed = shop
        .engine
        .speed_report(&shop.admin, day(0), day(6))
        .unwrap();
    // Shipped: C after 3 h (bucket ≤ 4 h), A after 34 h (bucket ≤ 36 h).
    assert_eq!(speed.to_ship.orders, 2);
    assert_eq!(speed.to_ship.median_ms, Some(4 * HOUR));
    assert_eq!(speed.to_ship.p90_ms, Some(36 * HOUR));
    // Delivered: A after 48 h.
    assert_eq!(speed.to_deliver.orders, 1);
    assert_eq!(speed.to_deliver.median_ms, Some(48 * HOUR));
    // Counted on the day the stage ended: nothing was delivered on days 0–2.
    let early = shop
        .engine
        .speed_report(&shop.admin, day(0), day(2))
        .unwrap();
    assert_eq!(early.to_deliver.orders, 0);
    assert_eq!(early.to_deliver.median_ms, None);
}

#[test]
fn customer_behaviour_matches_the_fixture() {
    let shop = fixture();
    let report = shop
        .engine
        .customer_report(&shop.admin, day(0), day(1), 10)
        .unwrap();
    assert_eq!(report.figures.len(), 1);
    let usd = &report.figures[0];
    assert_eq!(usd.customers, 2);
    assert_eq!(usd.orders, 3);
    assert_eq!(usd.revenue, dec!(97.20));
    assert_eq!(usd.average_order_value, dec!(32.40));
    assert_eq!(usd.repeat_customers, 1);
    assert_eq!(usd.repeat_purchase_rate, dec!(0.5));
    assert_eq!((usd.new_customers, usd.returning_customers), (2, 0));
    assert_eq!(report.top.first().map(|c| c.customer), Some(shop.first));
    // Day 1 alone: the second customer ordered on day 0 already.
    let later = shop
        .engine
        .customer_report(&shop.admin, day(1), day(1), 10)
        .unwrap();
    let usd = &later.figures[0];
    assert_eq!(
        (usd.customers, usd.new_customers, usd.returning_customers),
        (1, 0, 1)
    );
    assert_eq!(usd.repeat_purchase_rate, dec!(0));
}

#[test]
fn stock_shows_reserved_on_hand_and_days_of_cover() {
    let shop = fixture();
    let report = shop
        .engine
        .stock_report(&shop.admin, Some(day(1)), 7)
        .unwrap();
    let rows: Vec<_> = report
        .rows
        .iter()
        .map(|r| {
            (
                r.sku.as_str(),
                r.on_hand,
                r.reserved,
                r.available,
                r.units_last_30_days,
                r.days_of_cover,
                r.low,
            )
        })
        .collect();
    // TEE: 10 − 3 shipped = 7 on hand, 3 sold in 30 days → 7 / 0.1 = 70 days; low at ≤ 7.
    // MUG: 12 on hand, D's 1 reserved (B's 3 released), 1 sold → 11 / (1/30) = 330 days.
    assert_eq!(
        rows,
        vec![
            ("TEE", 7, 0, 7, 3, Some(dec!(70.0)), true),
            ("MUG", 12, 1, 11, 1, Some(dec!(330.0)), false),
        ]
    );
}

#[test]
fn only_report_roles_see_reports() {
    let shop = fixture();
    let mut allowed = 0;
    for role in crate::auth::ALL_ROLES {
        let actor = match role {
            Role::Customer => Actor::customer(shop.first),
            Role::Guest => Actor::guest(),
            staff => Actor::staff(UserId(99), staff).unwrap(),
        };
        let result = shop
            .engine
            .sales_report(&actor, day(0), day(1), ReportGroup::Day);
        let expected = matches!(role, Role::Admin | Role::Sales | Role::Analyst);
        assert_eq!(result.is_ok(), expected, "{role}");
        allowed += usize::from(expected);
    }
    assert_eq!(allowed, 3);
}

fn all_counters(store: &dyn Store) -> BTreeMap<Vec<u8>, Decimal> {
    store
        .counters(&IndexRange::prefix(&[], false), usize::MAX)
        .unwrap()
        .into_iter()
        .collect()
}

/// A random workload (orders placed, cancelled, edited, moved along, drafts): the counters
/// kept incrementally equal the sum of every order's contribution; zeroed, they are
/// rebuilt exactly.
#[test]
fn rebuilt_counters_equal_the_incremental_ones_after_a_random_workload() {
    let shop = shop();
    shop.engine
        .restock(&shop.admin, "TEE", "MAIN", 10_000, "more")
        .unwrap();
    shop.engine
        .restock(&shop.admin, "MUG", "MAIN", 10_000, "more")
        .unwrap();
    let random = SeededRandom::new(99);
    let customers = [shop.first, shop.second];
    let mut orders: Vec<OrderId> = Vec::new();
    let mut changed = 0;
    for _ in 0..300 {
        shop.clock
            .advance(i64::try_from(random.next_u64() % (9 * HOUR as u64)).unwrap());
        let pick = random.next_u64();
        let customer = customers[(pick % 2) as usize];
        match pick % 7 {
            0..=2 => {
                let mut request =
                    OrderRequest::simple(customer, &[("TEE", 1 + (pick % 3) as i64), ("MUG", 2)]);
                request.draft = pick.is_multiple_of(5);
                orders.push(
                    shop.engine
                        .create_order(&shop.admin, &request)
                        .unwrap()
                        .id(),
                );
                changed += 1;
            }
            step => {
                let Some(order) = orders.get((pick / 7) as usize % orders.len().max(1)) else {
                    continue;
                };
                let status = shop
                    .engine
                    .get_order(&shop.admin, *order)
                    .unwrap()
                    .value
                    .status();
                let result = match (step, status) {
                    (3, _) => shop
                        .engine
                        .cancel_order(&shop.admin, *order, "random")
                        .map(|_| ()),
                    (4, OrderStatus::Draft) => shop
                        .engine
                        .change_status(&shop.admin, *order, OrderStatus::Placed)
                        .map(|_| ()),
                    (5, OrderStatus::Placed | OrderStatus::Draft) => shop
                        .engine
                        .set_quantity(&shop.admin, *order, "MUG", 1 + (pick % 4) as i64)
                        .map(|_| ()),
                    (_, status) => match status.forward() {
                        Some(next) => shop
                            .engine
                            .change_status(&shop.admin, *order, next)
                            .map(|_| ()),
                        None => Ok(()),
                    },
                };
                if result.is_ok() {
                    changed += 1;
                }
            }
        }
    }
    assert!(changed > 200, "the workload changed orders {changed} times");
    let kept = all_counters(&*shop.store);
    assert!(kept.len() > 20, "{} counters", kept.len());
    assert_eq!(computed_counters(&*shop.store).unwrap(), kept);
    // Nothing to do on a store that is right.
    assert_eq!(rebuild_counters(&*shop.store).unwrap(), 0);

    // A store written before counters existed: none at all, or some wrong.
    let mut wipe = WriteSet::new();
    for (key, value) in &kept {
        wipe.count(key.clone(), -*value);
    }
    wipe.count(b"S\0\0\0\x01stale".to_vec(), Decimal::ONE);
    shop.store.apply(wipe).unwrap();
    assert_eq!(all_counters(&*shop.store).len(), 1);
    assert_eq!(rebuild_counters(&*shop.store).unwrap(), kept.len() + 1);
    assert_eq!(all_counters(&*shop.store), kept);
}

/// A status change that moves no figure (confirm, pick, pack) writes no counter delta.
#[test]
fn fulfilment_steps_that_move_no_figure_write_no_counter() {
    let shop = shop();
    let order = shop.order(shop.first, &[("TEE", 1)]);
    let before = all_counters(&*shop.store);
    shop.advance(order, OrderStatus::Packed);
    assert_eq!(all_counters(&*shop.store), before);
    assert_eq!(before.len(), 7, "3 sales, 2 product, 2 customer counters");
}
