//! Fuzz target bodies, kept in the library so `cargo test` can replay every committed corpus
//! file through exactly the code the fuzzer runs (see `fuzz/` and FUZZING.md).
//!
//! Each function must never panic on any input except to report a broken invariant.

use std::sync::Arc;

use arbitrary::{Arbitrary, Unstructured};

use crate::catalog::{BackorderPolicy, PriceGroup, Sku, TaxCategory};
use crate::clock::Timestamp;
use crate::customer::{Address, Email, Phone};
use crate::engine::{OrderFilter, OrderRequest, PaymentRequest, ShipRequest};
use crate::ids::{OrderId, OrderReference, RegistrationId};
use crate::inventory::WarehouseCode;
use crate::money::{Currency, Money};
use crate::order::{ALL_STATUSES, OrderStatus};
use crate::payment::PaymentMethod;
use crate::pricing::ShippingMethod;
use crate::shipment::{ALL_TRACKING_STATUSES, CarrierName, TrackingEvent, TrackingNumber};
use crate::store::MemoryStore;
use crate::validate;

use super::{invariants, sample};

/// Every core parser of outside text, on arbitrary bytes (lossy UTF-8).
pub fn parsers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let _ = Sku::parse(text);
    let _ = Phone::parse(text);
    let _ = Email::parse(text);
    let _ = Address::parse_line(text);
    let _ = OrderReference::parse(text);
    let _ = RegistrationId::parse(text);
    let _ = WarehouseCode::parse(text);
    let _ = Currency::parse(text);
    let _ = Money::parse(text, None, "amount");
    let _ = Money::parse(text, Some(Currency::USD), "amount");
    let _ = Timestamp::parse_date(text, "date");
    let _ = OrderStatus::parse(text);
    let _ = PaymentMethod::parse(text);
    let _ = ShippingMethod::parse(text);
    let _ = crate::returns::ReturnStatus::parse(text);
    // A parsed setting must also apply without panicking (or be refused).
    if let Ok(change) = crate::pricing::PricingChange::parse(text) {
        let _ = crate::pricing::PricingSettings::default().with(&change);
    }
    let _ = crate::money::RoundingMode::parse(text);
    let _ = PriceGroup::parse(text);
    let _ = TaxCategory::parse(text);
    let _ = crate::auth::Role::parse(text);
    let _ = crate::credentials::LoginId::parse(text);
    let _ = crate::session::SessionToken::parse(text);
    let _ = validate::url("url", text);
    let _ = validate::required_text("text", text, 40);
}

const SKUS: [&str; 4] = ["TEE", "MUG", "CAP", "PRE"];

/// One fuzzed engine command.
#[derive(Debug, Arbitrary)]
enum Op {
    Create {
        customer: u8,
        items: Vec<(u8, i8)>,
        draft: bool,
    },
    AddItem {
        order: u8,
        product: u8,
        quantity: i8,
    },
    SetQuantity {
        order: u8,
        product: u8,
        quantity: i8,
    },
    RemoveItem {
        order: u8,
        product: u8,
    },
    Status {
        order: u8,
        to: u8,
    },
    Cancel {
        order: u8,
    },
    Archive {
        order: u8,
    },
    Restore {
        order: u8,
    },
    Restock {
        product: u8,
        quantity: u16,
    },
    Adjust {
        product: u8,
        delta: i16,
    },
    Pay {
        order: u8,
        cents: u32,
    },
    Refund {
        order: u8,
        cents: u32,
    },
    List {
        status: Option<u8>,
        limit: u8,
        oldest_first: bool,
    },
    /// A batch status change (last, so older corpus files decode as before).
    Advance {
        orders: Vec<u8>,
        to: u8,
    },
    /// A shipment: one line's units (or everything left), a tracking number.
    Ship {
        order: u8,
        line: Option<(u8, u8)>,
        tracking: u8,
    },
    /// Cancel what a partly shipped order has not shipped.
    CancelUnshipped {
        order: u8,
    },
    /// A carrier's event on a tracking number (which may not exist).
    Track {
        tracking: u8,
        status: u8,
        at: u16,
    },
    /// A return of some units of one product of an order (appended: older corpus files
    /// decode as before).
    OpenReturn {
        order: u8,
        product: u8,
        quantity: u8,
    },
    /// One step of a return: approve, refuse, receive (restocked into MAIN or EAST, or
    /// written off), refund (an amount, or what the units were paid), exchange.
    WorkReturn {
        pick: u8,
        action: u8,
        cents: u32,
        product: u8,
    },
}

/// An engine result, with a broken invariant of ordo's own (`Error::Internal`, or a store
/// error on the in-memory store, which never fails) reported as a panic: refusals are
/// expected, bugs are not.
fn refused_or_done<T>(result: crate::Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) if error.kind() == crate::ErrorKind::Internal => {
            panic!("an engine operation broke: {error:?}")
        }
        Err(_) => None,
    }
}

/// One step of return `id` by the administrator: refusals are expected, bugs are not.
fn work_return(
    engine: &crate::Engine<Arc<MemoryStore>>,
    id: crate::ids::ReturnId,
    action: u8,
    cents: u32,
    product: &str,
) -> bool {
    use crate::returns::Inspection;
    let admin = sample::admin();
    let Ok(current) = engine.get_return(&admin, id) else {
        panic!("an opened return vanished")
    };
    let (Ok(main), Ok(east), Ok(product)) = (
        WarehouseCode::parse("MAIN"),
        WarehouseCode::parse("EAST"),
        Sku::parse(product),
    ) else {
        panic!("fuzz setup")
    };
    match action % 6 {
        0 => refused_or_done(engine.approve_return(&admin, id)).is_some(),
        1 => refused_or_done(engine.refuse_return(&admin, id, "fuzz")).is_some(),
        // Every unit restocked (MAIN or EAST by the amount's parity) or written off.
        2 | 3 => {
            let outcome = match (action % 6, cents % 2) {
                (2, 0) => Inspection::Restocked { warehouse: main },
                (2, _) => Inspection::Restocked { warehouse: east },
                _ => Inspection::WrittenOff {
                    reason: "fuzz".into(),
                },
            };
            let lines: Vec<_> = current
                .lines()
                .iter()
                .map(|l| (l.sku.clone(), l.quantity, outcome.clone()))
                .collect();
            refused_or_done(engine.receive_return(&admin, id, &lines)).is_some()
        }
        4 => {
            let amount =
                (!cents.is_multiple_of(3)).then(|| sample::usd_cents(i64::from(cents % 100_000)));
            let request = crate::engine::ReturnRefund {
                amount,
                method: None,
                external_reference: String::new(),
            };
            refused_or_done(engine.refund_return(&admin, id, &request)).is_some()
        }
        _ => {
            let Ok(tracking) = TrackingNumber::parse(&format!("FX{cents:08}")) else {
                panic!("fuzz tracking number")
            };
            let Ok(carrier) = CarrierName::parse("ups") else {
                panic!("fuzz carrier")
            };
            let request = crate::engine::ExchangeRequest {
                lines: vec![(product, 1)],
                warehouse: None,
                carrier,
                tracking,
            };
            refused_or_done(engine.exchange_return(&admin, id, &request)).is_some()
        }
    }
}

/// Arbitrary command sequences on the in-memory store; every invariant is checked after each
/// step, and no operation may fail with an internal error (either panics, which the fuzzer
/// reports).
pub fn engine_ops(data: &[u8]) {
    let _ = engine_ops_counted(data);
}

/// What one run of [`engine_ops`] did with returns (so tests can tell that a corpus
/// exercises them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReturnCounts {
    /// Returns opened.
    pub opened: u64,
    /// Return steps that succeeded (approve, refuse, receive, refund, exchange).
    pub steps: u64,
}

/// [`engine_ops`], counting what it did with returns.
pub fn engine_ops_counted(data: &[u8]) -> ReturnCounts {
    let mut counts = ReturnCounts::default();
    let mut input = Unstructured::new(data);
    let store = Arc::new(MemoryStore::new());
    let (engine, clock) = sample::engine(store.clone(), 1);
    let admin = sample::admin();
    for (i, sku) in SKUS.iter().enumerate() {
        let mut product = sample::product(sku, 100 + 250 * i as i64);
        if *sku == "PRE" {
            product.backorder = BackorderPolicy::Allow;
        }
        if engine.create_product(&admin, product).is_err()
            || engine.restock(&admin, sku, "MAIN", 5, "start").is_err()
        {
            panic!("fuzz setup failed");
        }
    }
    let customers: Vec<_> = (0..3)
        .filter_map(|n| engine.create_customer(&admin, &sample::customer(n)).ok())
        .collect();
    let mut orders: Vec<OrderId> = Vec::new();
    let mut returns: Vec<crate::ids::ReturnId> = Vec::new();
    for _ in 0..64 {
        let Ok(op) = Op::arbitrary(&mut input) else {
            break;
        };
        clock.advance(1_000);
        let pick = |i: u8| (!orders.is_empty()).then(|| orders[usize::from(i) % orders.len()]);
        let sku = |p: u8| SKUS[usize::from(p) % SKUS.len()];
        let payment = |cents: u32| PaymentRequest {
            amount: sample::usd_cents(i64::from(cents % 1_000_000)),
            method: PaymentMethod::Card,
            external_reference: String::new(),
            idempotency_key: None,
        };
        match op {
            Op::Create {
                customer,
                items,
                draft,
            } => {
                let Some(customer) = customers.get(usize::from(customer) % customers.len().max(1))
                else {
                    continue;
                };
                let items: Vec<(&str, i64)> = items
                    .iter()
                    .take(6)
                    .map(|(p, q)| (sku(*p), i64::from(*q)))
                    .collect();
                let mut request = OrderRequest::simple(customer.id(), &items);
                request.draft = draft;
                if let Some(order) = refused_or_done(engine.create_order(&admin, &request)) {
                    orders.push(order.id());
                }
            }
            Op::AddItem {
                order,
                product,
                quantity,
            } => {
                if let Some(id) = pick(order) {
                    refused_or_done(engine.add_item(&admin, id, sku(product), i64::from(quantity)));
                }
            }
            Op::SetQuantity {
                order,
                product,
                quantity,
            } => {
                if let Some(id) = pick(order) {
                    refused_or_done(engine.set_quantity(
                        &admin,
                        id,
                        sku(product),
                        i64::from(quantity),
                    ));
                }
            }
            Op::RemoveItem { order, product } => {
                if let Some(id) = pick(order) {
                    refused_or_done(engine.remove_item(&admin, id, sku(product)));
                }
            }
            Op::Status { order, to } => {
                if let Some(id) = pick(order) {
                    let to = ALL_STATUSES[usize::from(to) % ALL_STATUSES.len()];
                    let before = engine.get_order(&admin, id).map(|o| o.value.status());
                    if refused_or_done(engine.change_status(&admin, id, to)).is_some()
                        && let Ok(before) = before
                        && !before.allowed_next().contains(&to)
                    {
                        panic!("illegal transition {before} -> {to} succeeded");
                    }
                }
            }
            Op::Cancel { order } => {
                if let Some(id) = pick(order) {
                    refused_or_done(engine.cancel_order(&admin, id, "fuzz"));
                }
            }
            Op::Archive { order } => {
                if let Some(id) = pick(order) {
                    refused_or_done(engine.archive_order(&admin, id, "fuzz"));
                }
            }
            Op::Restore { order } => {
                if let Some(id) = pick(order) {
                    refused_or_done(engine.restore_order(&admin, id));
                }
            }
            Op::Restock { product, quantity } => {
                refused_or_done(engine.restock(
                    &admin,
                    sku(product),
                    "MAIN",
                    u64::from(quantity),
                    "fuzz",
                ));
            }
            Op::Adjust { product, delta } => {
                refused_or_done(engine.adjust_stock(
                    &admin,
                    sku(product),
                    "MAIN",
                    i64::from(delta),
                    "fuzz",
                ));
            }
            Op::Pay { order, cents } => {
                if let Some(id) = pick(order) {
                    refused_or_done(engine.record_payment(&admin, id, &payment(cents)));
                }
            }
            Op::Refund { order, cents } => {
                if let Some(id) = pick(order) {
                    refused_or_done(engine.record_refund(&admin, id, &payment(cents)));
                }
            }
            Op::List {
                status,
                limit,
                oldest_first,
            } => {
                let filter = OrderFilter {
                    status: status.map(|s| ALL_STATUSES[usize::from(s) % ALL_STATUSES.len()]),
                    limit: usize::from(limit),
                    oldest_first,
                    include_archived: true,
                    ..OrderFilter::default()
                };
                refused_or_done(engine.list_orders(&admin, &filter));
            }
            Op::Advance { orders: picks, to } => {
                let ids: Vec<OrderId> = picks.iter().take(8).filter_map(|i| pick(*i)).collect();
                let to = ALL_STATUSES[usize::from(to) % ALL_STATUSES.len()];
                let before: Vec<_> = ids
                    .iter()
                    .map(|id| engine.get_order(&admin, *id).map(|o| o.value))
                    .collect();
                if refused_or_done(engine.advance_orders(&admin, &ids, to)).is_some() {
                    // Every order reached `to` along legal steps, or the batch must have failed.
                    for order in before.into_iter().flatten() {
                        if order.status().fulfilment_path(to).is_err() {
                            panic!(
                                "batch moved order {} from {} to {to}",
                                order.id(),
                                order.status()
                            );
                        }
                    }
                }
            }
            Op::Ship {
                order,
                line,
                tracking,
            } => {
                let Some(id) = pick(order) else { continue };
                let lines = line
                    .and_then(|(p, q)| Sku::parse(sku(p)).ok().map(|s| (s, u32::from(q))))
                    .into_iter()
                    .collect();
                let (Ok(carrier), Ok(tracking)) = (
                    CarrierName::parse("dhl"),
                    TrackingNumber::parse(&format!("FZ{tracking:06}")),
                ) else {
                    panic!("fuzz tracking number")
                };
                let request = ShipRequest {
                    lines,
                    carrier,
                    method: None,
                    tracking,
                    weight: None,
                };
                refused_or_done(engine.ship_order(&admin, id, &request));
            }
            Op::CancelUnshipped { order } => {
                let Some(id) = pick(order) else { continue };
                refused_or_done(engine.cancel_unshipped(&admin, id, "fuzz"));
            }
            Op::Track {
                tracking,
                status,
                at,
            } => {
                let status =
                    ALL_TRACKING_STATUSES[usize::from(status) % ALL_TRACKING_STATUSES.len()];
                let (Ok(carrier), Ok(tracking), Ok(event)) = (
                    CarrierName::parse("dhl"),
                    TrackingNumber::parse(&format!("FZ{tracking:06}")),
                    TrackingEvent::new(Timestamp(i64::from(at)), status, "fuzz"),
                ) else {
                    panic!("fuzz tracking event")
                };
                refused_or_done(engine.track_shipment(
                    &crate::auth::Actor::system(),
                    &carrier,
                    &tracking,
                    &event,
                ));
            }
            Op::OpenReturn {
                order,
                product,
                quantity,
            } => {
                let Some(id) = pick(order) else { continue };
                let Ok(sku) = Sku::parse(sku(product)) else {
                    panic!("fuzz SKU")
                };
                let line = crate::returns::ReturnRequestLine {
                    sku,
                    quantity: u32::from(quantity),
                    reason: "fuzz".into(),
                };
                if let Some(opened) = refused_or_done(engine.open_return(&admin, id, &[line])) {
                    returns.push(opened.id());
                    counts.opened += 1;
                }
            }
            Op::WorkReturn {
                pick: which,
                action,
                cents,
                product,
            } => {
                let Some(id) =
                    (!returns.is_empty()).then(|| returns[usize::from(which) % returns.len()])
                else {
                    continue;
                };
                if work_return(&engine, id, action, cents, sku(product)) {
                    counts.steps += 1;
                }
            }
        }
        if let Err(violation) = invariants::check_store(store.as_ref()) {
            panic!("invariant broken: {violation}");
        }
    }
    counts
}
