//! `ordo demo`: builds a realistic sample shop through the engine, on a clock the demo
//! controls, stepping from 90 days ago to now; then prints a short tour.
//!
//! Everything goes through ordinary engine commands, so the demo data carries the same
//! audit trail, outbox events and invariants as real data.

mod catalog;
mod dice;
mod people;
mod plan;

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ordo_core::auth::Actor;
use ordo_core::clock::{Clock, DAY_MS, ManualClock, SystemClock, Timestamp};
use ordo_core::engine::{OrderFilter, PaymentRequest};
use ordo_core::error::ErrorKind;
use ordo_core::ids::OrderId;
use ordo_core::order::OrderStatus;
use ordo_core::random::SeededRandom;
use ordo_core::store::Store;
use ordo_core::{Engine, EngineConfig};
use rust_decimal::Decimal;

use crate::args::DemoArgs;
use crate::context::{local_actor, os_seed};
use crate::render::Output;
use crate::render::views::DemoView;

use dice::Dice;
use plan::{Action, Buyer, Event, Setting, Step};

/// Customers in the full demo.
const CUSTOMERS: usize = 200;
/// Orders in the full demo.
const ORDERS: usize = 2_000;
/// Days of history.
const DAYS: i64 = 90;

/// The demo engine with the clock it runs on.
struct Demo<S: Store> {
    engine: Engine<S>,
    clock: Arc<ManualClock>,
    actor: Actor,
}

/// Runs `ordo demo`.
///
/// # Errors
/// If demo data cannot be written (a failed engine command names its step).
pub fn run<S: Store>(store: S, data: &Path, out: Output, args: &DemoArgs) -> anyhow::Result<()> {
    let now = SystemClock.now();
    let start = now.plus_ms(-DAYS * DAY_MS);
    let clock = Arc::new(ManualClock::new(start));
    let demo = Demo {
        engine: Engine::new(
            store,
            clock.clone(),
            Arc::new(SeededRandom::from_seed(os_seed()?)),
            EngineConfig::default(),
        ),
        clock,
        actor: local_actor(),
    };
    match demo.engine.product_by_sku(&demo.actor, catalog::MARKER_SKU) {
        Ok(_) => return already_there(data, out),
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let began = Instant::now();
    let scale = |full: usize| (full * args.scale as usize / 100).max(5);
    let (customers, orders) = (scale(CUSTOMERS), scale(ORDERS));
    let dice = Dice::new();
    let products = catalog::products()?;
    let people = people::customers(customers, &dice);
    let bar = progress(out, (products.len() + people.len()) as u64);

    bar.set_message("catalog");
    let mut all_skus = Vec::with_capacity(products.len());
    let mut skus = Vec::with_capacity(products.len());
    for product in products {
        demo.clock.advance(10 * 60_000);
        let product = demo.engine.create_product(&demo.actor, product)?;
        for (warehouse, quantity) in catalog::WAREHOUSES {
            demo.engine.restock(
                &demo.actor,
                product.sku().as_str(),
                warehouse,
                quantity,
                "opening stock",
            )?;
        }
        all_skus.push(product.sku().to_string());
        if product.is_active() {
            skus.push(product.sku().to_string());
        }
        bar.inc(1);
    }

    bar.set_message("customers");
    let mut buyers = Vec::with_capacity(people.len());
    for person in &people {
        demo.clock.advance(5 * 60_000);
        let customer = demo.engine.create_customer(&demo.actor, person)?;
        buyers.push(Buyer {
            id: customer.id(),
            business: person.business.is_some(),
            name: customer.name().to_string(),
        });
        bar.inc(1);
    }

    let warehouses: Vec<&str> = catalog::WAREHOUSES.iter().map(|(w, _)| *w).collect();
    let setting = Setting {
        start,
        now,
        buyers: &buyers,
        skus: &skus,
        all_skus: &all_skus,
        warehouses: &warehouses,
    };
    let events = plan::events(&setting, orders, &dice);
    bar.inc_length(events.len() as u64);
    bar.set_message("90 days of orders");
    let mut slots: Vec<Option<OrderId>> = vec![None; orders];
    for event in &events {
        demo.clock.set(event.at);
        demo.play(event, &mut slots)
            .with_context(|| format!("demo step at {} failed", event.at))?;
        bar.inc(1);
    }
    bar.finish_and_clear();

    let view = DemoView {
        created: true,
        products: all_skus.len(),
        customers: buyers.len(),
        orders: slots.iter().flatten().count(),
        warehouses: warehouses.iter().map(|w| (*w).to_string()).collect(),
        seconds: (began.elapsed().as_millis() as f64) / 1000.0,
    };
    let tour = demo.tour(data, &view, &buyers)?;
    out.show(&view, || tour)
}

fn already_there(data: &Path, out: Output) -> anyhow::Result<()> {
    let view = DemoView {
        created: false,
        products: 0,
        customers: 0,
        orders: 0,
        warehouses: Vec::new(),
        seconds: 0.0,
    };
    out.show(&view, || {
        format!(
            "Demo data is already in {} (product {} exists); nothing was added.\n\
             Try `ordo order list` or `ordo product list`, or use another --data directory \
             for a fresh demo.",
            data.display(),
            catalog::MARKER_SKU
        )
    })
}

/// A progress bar on stderr, hidden for `--json` or when stderr is not a terminal.
fn progress(out: Output, length: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::hidden());
    if out.is_json() || !std::io::stderr().is_terminal() {
        return bar;
    }
    bar.set_draw_target(ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {msg:<18} [{bar:40}] {pos}/{len} ({eta} left)")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

impl<S: Store> Demo<S> {
    /// Carries out one planned event.
    fn play(&self, event: &Event, slots: &mut [Option<OrderId>]) -> anyhow::Result<()> {
        let (engine, actor) = (&self.engine, &self.actor);
        match &event.action {
            Action::Restock {
                sku,
                warehouse,
                quantity,
                reason,
            } => {
                engine.restock(actor, sku, warehouse, *quantity, reason)?;
            }
            Action::Adjust {
                sku,
                warehouse,
                delta,
                reason,
            } => {
                engine.adjust_stock(actor, sku, warehouse, *delta, reason)?;
            }
            Action::Order { slot, step } => {
                if let Step::Create(request) = step {
                    let order = engine.create_order(actor, request)?;
                    if let Some(place) = slots.get_mut(*slot) {
                        *place = Some(order.id());
                    }
                } else if let Some(Some(id)) = slots.get(*slot) {
                    self.step(*id, step)?;
                }
            }
        }
        Ok(())
    }

    fn step(&self, id: OrderId, step: &Step) -> anyhow::Result<()> {
        let (engine, actor) = (&self.engine, &self.actor);
        match step {
            Step::Create(_) => {}
            Step::Status(status) => {
                engine.change_status(actor, id, *status)?;
            }
            Step::AddItem(item) => {
                engine.add_item(actor, id, &item.sku, item.quantity)?;
            }
            Step::SetQuantity(item) => {
                engine.set_quantity(actor, id, &item.sku, item.quantity)?;
            }
            Step::RemoveItem(sku) => {
                engine.remove_item(actor, id, sku)?;
            }
            Step::SetAddress(address) => {
                engine.set_address(actor, id, address)?;
            }
            Step::Pay {
                method,
                half,
                reference,
            } => {
                let due = engine.get_order(actor, id)?.value.balance_due()?;
                let amount = if *half {
                    due.scale_by(Decimal::new(5, 1))?
                } else {
                    due
                };
                if !amount.is_zero() {
                    engine.record_payment(actor, id, &payment(amount, *method, reference))?;
                }
            }
            Step::Cancel(reason) => {
                engine.cancel_order(actor, id, reason)?;
            }
            Step::RefundPaid { half } => {
                let order = engine.get_order(actor, id)?.value;
                let net = order.ledger_sums()?.net()?;
                let amount = if *half {
                    net.scale_by(Decimal::new(5, 1))?
                } else {
                    net
                };
                if !amount.is_zero() {
                    let method = order.payment_method();
                    engine.record_refund(actor, id, &payment(amount, method, "refund"))?;
                }
            }
            Step::RefundOneUnit => {
                let order = engine.get_order(actor, id)?.value;
                let net = order.ledger_sums()?.net()?;
                if let Some(line) = order.lines().first() {
                    let amount = if line.unit_price < net {
                        line.unit_price
                    } else {
                        net
                    };
                    if !amount.is_zero() {
                        let method = order.payment_method();
                        engine.record_refund(actor, id, &payment(amount, method, "return"))?;
                    }
                }
            }
            Step::Archive(reason) => {
                engine.archive_order(actor, id, reason)?;
            }
            Step::Restore => {
                engine.restore_order(actor, id)?;
            }
        }
        Ok(())
    }

    /// The closing message: what was made and commands to try on it.
    fn tour(&self, data: &Path, view: &DemoView, buyers: &[Buyer]) -> anyhow::Result<String> {
        // The newest order waiting for confirmation, so the tour's status change works;
        // any recent order if none waits (tiny --scale runs).
        let mut reference = None;
        for status in [Some(OrderStatus::Placed), Some(OrderStatus::Shipped), None] {
            let page = self.engine.list_orders(
                &self.actor,
                &OrderFilter {
                    status,
                    limit: 20,
                    ..OrderFilter::default()
                },
            )?;
            reference = page
                .items
                .iter()
                .find_map(|o| o.value.reference().map(|r| r.to_string()));
            if reference.is_some() {
                break;
            }
        }
        let reference = reference.unwrap_or_else(|| "ORD-7K3M-9QX1".to_string());
        let last_name = buyers
            .first()
            .and_then(|b| b.name.split_whitespace().last())
            .unwrap_or("lovelace")
            .to_lowercase();
        let day = |days_ago: i64| {
            Timestamp(self.clock.now().millis() - days_ago * DAY_MS)
                .to_string()
                .chars()
                .take(10)
                .collect::<String>()
        };
        let data_flag = if data == Path::new("./ordo-data") {
            String::new()
        } else {
            format!(" --data {}", data.display())
        };
        let tour = [
            ("product list".to_string(), "catalog, prices, stock"),
            (
                "product show TEE-CLASSIC-BLK-M".to_string(),
                "specs, media, tiers, warehouses",
            ),
            (
                format!("customer list --name {last_name}"),
                "search by name",
            ),
            (
                "order list --status placed".to_string(),
                "waiting for confirmation",
            ),
            (
                format!("order list --from {} --to {}", day(7), day(0)),
                "the last week",
            ),
            (format!("order show {reference}"), "lines, totals, payments"),
            (
                format!("order status {reference} confirmed"),
                "move it along",
            ),
            (
                format!("order pay {reference} --amount 10.00"),
                "record a payment",
            ),
            (
                format!("order history {reference}"),
                "who changed what, when",
            ),
            (
                "order list --archived --status cancelled".to_string(),
                "archived too",
            ),
            (format!("--json order show {reference}"), "for scripts"),
        ];
        let width = tour.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
        let mut text = format!(
            "Demo shop ready in {} ({:.1} s): {} products in {}, {} customers, {} orders over \
             the last {DAYS} days.\n\nA short tour:\n",
            data.display(),
            view.seconds,
            view.products,
            view.warehouses.join(" and "),
            view.customers,
            view.orders,
        );
        for (command, comment) in tour {
            text.push_str(&format!(
                "  ordo{data_flag} {command:<width$}  # {comment}\n"
            ));
        }
        Ok(text)
    }
}

fn payment(
    amount: ordo_core::money::Money,
    method: ordo_core::payment::PaymentMethod,
    reference: &str,
) -> PaymentRequest {
    PaymentRequest {
        amount,
        method,
        external_reference: reference.to_string(),
        idempotency_key: None,
    }
}
