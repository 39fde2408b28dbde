//! `ordo demo`: builds a realistic sample shop through the engine, on a clock the demo
//! controls, stepping from 90 days ago to now; then prints a short tour.
//!
//! Everything goes through ordinary engine commands, so the demo data carries the same
//! audit trail, outbox events and invariants as real data.

mod accounts;
mod catalog;
mod desk;
mod dice;
mod passphrase;
mod people;
mod plan;
mod returns;

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ordo_api::request::{
    ItemChange, OnOrder, OrderKey, OrderList, Payment, ProductKey, RemoveItem, SetAddress,
    SetStatus, Ship, ShipLine, StockChange, WithReason,
};
use ordo_api::{Caller, Request};
use ordo_core::catalog::ProductInput;
use ordo_core::clock::{Clock, DAY_MS, ManualClock, SystemClock, Timestamp};
use ordo_core::customer::CustomerInput;
use ordo_core::engine::PaymentRequest;
use ordo_core::ids::{CustomerId, OrderId};
use ordo_core::money::{Currency, Money};
use ordo_core::order::OrderStatus;
use ordo_core::payment::PaymentMethod;
use ordo_core::random::SeededRandom;
use ordo_core::store::Store;
use ordo_core::{Engine, EngineConfig};
use rust_decimal::Decimal;

use crate::args::DemoArgs;
use crate::context::{Refused, call, os_seed};
use crate::identity::os_user;
use crate::render::Output;
use crate::render::views::{
    CustomerView, DemoView, ListView, OrderView, ProductView, ShipmentView,
};

use dice::Dice;
use plan::{Action, Buyer, Event, Setting, Step};

/// Customers in the full demo.
const CUSTOMERS: usize = 200;
/// Orders in the full demo.
const ORDERS: usize = 2_000;
/// Days of history.
const DAYS: i64 = 90;
/// Service-desk tickets in the full demo.
const TICKETS: usize = 40;
/// The longest a ticket's work moves the clock on.
const TICKET_STEP_MS: i64 = 3_600_000;
/// The longest one return's handling moves the clock on (opened, received a day later).
const RETURN_STEP_MS: i64 = 3_600_000 + DAY_MS;

/// The demo engine with the clock it runs on.
struct Demo<S: Store> {
    engine: Engine<S>,
    clock: Arc<ManualClock>,
    /// The local administrator, as every request of the demo comes from.
    caller: Caller,
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
        caller: Caller::Local { name: os_user() },
    };
    let marker = demo.call::<ProductView>(Request::ProductGet(ProductKey::Sku {
        sku: catalog::MARKER_SKU.to_string(),
    }));
    match marker {
        Ok(_) => return already_there(data, out),
        Err(e)
            if e.downcast_ref::<Refused>()
                .is_some_and(|r| r.0.code == "not_found") => {}
        Err(e) => return Err(e),
    }
    let began = Instant::now();
    let scale = |full: usize| (full * args.scale as usize / 100).max(5);
    let dice = Dice::new();
    let products = catalog::products()?;
    let people = people::customers(scale(CUSTOMERS), &dice);
    let bar = progress(out, (products.len() + people.len()) as u64);
    bar.set_message("staff");
    let staff = demo.staff()?;
    // Who sells: invoices and labels print it.
    let _: serde_json::Value = demo.call(Request::SettingsSet(ordo_api::request::SetSettings {
        changes: catalog::SELLER.iter().map(|s| (*s).to_string()).collect(),
    }))?;
    let (all_skus, skus) = demo.catalog(products, &bar)?;
    let buyers = demo.customers(&people, &bar)?;
    bar.set_message("customer logins");
    let (customer_logins, customer_login) = demo.customer_logins(&buyers)?;
    let warehouses: Vec<&str> = catalog::WAREHOUSES.iter().map(|(w, _)| *w).collect();
    let setting = Setting {
        start,
        now,
        buyers: &buyers,
        skus: &skus,
        all_skus: &all_skus,
        warehouses: &warehouses,
    };
    let orders = demo.trade(&setting, scale(ORDERS), &dice, &bar)?;
    // The desk's work is in the past too: it starts as long before now as it can take,
    // on orders that existed (tickets) or were delivered (returns) by then.
    let desk_span = scale(TICKETS) as i64 * TICKET_STEP_MS + returns::COUNT as i64 * RETURN_STEP_MS;
    demo.clock.set(now.plus_ms(-desk_span - 3_600_000));
    bar.set_message("service desk");
    let tickets = demo.tickets(&buyers, &dice, scale(TICKETS))?;
    bar.set_message("returns");
    let returns = demo.returns(warehouses.first().copied().unwrap_or("MAIN"))?;
    bar.set_message("registrations");
    let (approval, code) = demo.registrations()?;
    bar.finish_and_clear();
    let view = DemoView {
        created: true,
        products: all_skus.len(),
        customers: buyers.len(),
        orders,
        tickets,
        warehouses: warehouses.iter().map(|w| (*w).to_string()).collect(),
        registrations: approval.len() + code.len(),
        customer_logins,
        staff,
        customer_login,
        seconds: (began.elapsed().as_millis() as f64) / 1000.0,
        returns,
    };
    let tour = demo.tour(data, &view, &buyers, (&approval, &code))?;
    out.show(&view, || tour)
}

fn already_there(data: &Path, out: Output) -> anyhow::Result<()> {
    let view = DemoView {
        created: false,
        products: 0,
        customers: 0,
        orders: 0,
        tickets: 0,
        warehouses: Vec::new(),
        registrations: 0,
        customer_logins: 0,
        staff: Vec::new(),
        customer_login: None,
        seconds: 0.0,
        returns: 0,
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
        ProgressStyle::with_template("{spinner} {msg:<18} [{wide_bar}] {pos}/{len} {eta:>4}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

impl<S: Store> Demo<S> {
    /// Creates the catalog and its opening stock; returns (every SKU, orderable SKUs).
    fn catalog(
        &self,
        products: Vec<ProductInput>,
        bar: &ProgressBar,
    ) -> anyhow::Result<(Vec<String>, Vec<String>)> {
        bar.set_message("catalog");
        let mut all_skus = Vec::with_capacity(products.len());
        let mut skus = Vec::with_capacity(products.len());
        for product in products {
            self.clock.advance(10 * 60_000);
            let product: ProductView = self.call(Request::ProductCreate(product))?;
            let sku = product.sku.as_str();
            for (warehouse, quantity) in catalog::WAREHOUSES {
                self.restock(sku, warehouse, quantity, "opening stock")?;
            }
            all_skus.push(sku.to_string());
            if product.active {
                skus.push(sku.to_string());
            }
            bar.inc(1);
        }
        Ok((all_skus, skus))
    }

    /// Creates the customers, five minutes apart.
    fn customers(&self, people: &[CustomerInput], bar: &ProgressBar) -> anyhow::Result<Vec<Buyer>> {
        bar.set_message("customers");
        let mut buyers = Vec::with_capacity(people.len());
        for person in people {
            self.clock.advance(5 * 60_000);
            let customer: CustomerView = self.call(Request::CustomerCreate(person.clone()))?;
            buyers.push(Buyer {
                id: CustomerId(customer.id),
                business: person.business.is_some(),
                name: customer.name,
            });
            bar.inc(1);
        }
        Ok(buyers)
    }

    /// Plays `orders` orders' lives and the stock movements, in time order, with the clock
    /// set to each event's time; returns how many orders were created.
    fn trade(
        &self,
        setting: &Setting<'_>,
        orders: usize,
        dice: &Dice,
        bar: &ProgressBar,
    ) -> anyhow::Result<usize> {
        let events = plan::events(setting, orders, dice);
        bar.inc_length(events.len() as u64);
        bar.set_message("90 days of orders");
        let mut slots: Vec<Option<OrderId>> = vec![None; orders];
        for event in &events {
            self.clock.set(event.at);
            self.play(event, &mut slots)
                .with_context(|| format!("demo step at {} failed", event.at))?;
            bar.inc(1);
        }
        Ok(slots.iter().flatten().count())
    }

    /// Carries out one planned event.
    fn play(&self, event: &Event, slots: &mut [Option<OrderId>]) -> anyhow::Result<()> {
        match &event.action {
            Action::Restock {
                sku,
                warehouse,
                quantity,
                reason,
            } => {
                self.restock(sku, warehouse, *quantity, reason)?;
            }
            Action::Adjust {
                sku,
                warehouse,
                delta,
                reason,
            } => {
                let _: ProductView = self.call(Request::ProductAdjust(StockChange {
                    sku: sku.clone(),
                    warehouse: warehouse.to_string(),
                    quantity: *delta,
                    reason: reason.to_string(),
                }))?;
            }
            Action::Order { slot, step } => {
                if let Step::Create(request) = step {
                    let order: OrderView = self.call(Request::OrderCreate((**request).clone()))?;
                    if let Some(place) = slots.get_mut(*slot) {
                        *place = Some(OrderId(order.id));
                    }
                } else if let Some(Some(id)) = slots.get(*slot) {
                    self.step(*id, step)?;
                }
            }
        }
        Ok(())
    }

    fn step(&self, id: OrderId, step: &Step) -> anyhow::Result<()> {
        let order = OrderKey::Id { id: id.get() };
        let request = match step {
            Step::Create(_) => return Ok(()),
            Step::Status(OrderStatus::Shipped) => return self.ship(id),
            Step::Status(status) => Request::OrderSetStatus(SetStatus {
                order,
                status: status.to_string(),
            }),
            Step::AddItem(item) => Request::OrderAddItem(ItemChange {
                order,
                sku: item.sku.clone(),
                quantity: item.quantity,
            }),
            Step::SetQuantity(item) => Request::OrderSetQuantity(ItemChange {
                order,
                sku: item.sku.clone(),
                quantity: item.quantity,
            }),
            Step::RemoveItem(sku) => Request::OrderRemoveItem(RemoveItem {
                order,
                sku: sku.to_string(),
            }),
            Step::SetAddress(address) => Request::OrderSetAddress(SetAddress {
                order,
                address: (**address).clone(),
            }),
            Step::Pay {
                method,
                half,
                reference,
            } => return self.pay(id, *method, *half, reference),
            Step::Cancel(reason) => Request::OrderCancel(WithReason {
                order,
                reason: reason.to_string(),
            }),
            Step::RefundPaid { half } => return self.refund(id, Refund::Paid { half: *half }),
            Step::RefundOneUnit => return self.refund(id, Refund::OneUnit),
            Step::Archive(reason) => Request::OrderArchive(WithReason {
                order,
                reason: reason.to_string(),
            }),
            Step::Restore => Request::OrderRestore(OnOrder { order }),
        };
        let _: OrderView = self.call(request)?;
        Ok(())
    }

    /// Hands a packed order to a carrier with a tracking number and a weight: every fourth
    /// order of more than one line in two parcels (its first line first), the rest in one.
    /// Tracking numbers derive from the order id, so the demo replays alike.
    fn ship(&self, id: OrderId) -> anyhow::Result<()> {
        const CARRIERS: [&str; 3] = ["dhl", "ups", "postnl"];
        let order = self.order(id)?;
        let carrier = CARRIERS
            .get(usize::try_from(id.get() % 3).unwrap_or(0))
            .copied()
            .unwrap_or("dhl");
        let parcel = |lines: Vec<ShipLine>, number: u64, units: u64| -> anyhow::Result<()> {
            // Half a kilogram a unit.
            let grams = units.max(1) * 500;
            let _: ShipmentView = self.call(Request::OrderShip(Ship {
                order: OrderKey::Id { id: id.get() },
                lines,
                carrier: carrier.to_string(),
                method: None,
                tracking_number: format!("{}{:08}{number}", carrier.to_uppercase(), id.get()),
                weight_kg: Some(format!("{}.{:03}", grams / 1000, grams % 1000)),
            }))?;
            Ok(())
        };
        let total: u64 = order.lines.iter().map(|l| u64::from(l.quantity)).sum();
        match order.lines.first() {
            Some(first) if id.get().is_multiple_of(4) && order.lines.len() > 1 => {
                let line = ShipLine {
                    sku: first.sku.clone(),
                    quantity: first.quantity,
                };
                parcel(vec![line], 1, u64::from(first.quantity))?;
                parcel(Vec::new(), 2, total - u64::from(first.quantity))
            }
            _ => parcel(Vec::new(), 1, total),
        }
    }

    /// A request through the wire contract, as the local administrator.
    fn call<V: serde::de::DeserializeOwned>(&self, request: Request) -> anyhow::Result<V> {
        call(&self.engine, &self.caller, None, request)
    }

    /// Units received into a warehouse.
    fn restock(
        &self,
        sku: &str,
        warehouse: &str,
        quantity: u64,
        reason: &str,
    ) -> anyhow::Result<()> {
        let _: ProductView = self.call(Request::ProductRestock(StockChange {
            sku: sku.to_string(),
            warehouse: warehouse.to_string(),
            quantity: i64::try_from(quantity).unwrap_or(i64::MAX),
            reason: reason.to_string(),
        }))?;
        Ok(())
    }

    /// An order as the contract shows it.
    fn order(&self, id: OrderId) -> anyhow::Result<OrderView> {
        self.call(Request::OrderGet(OrderKey::Id { id: id.get() }))
    }

    /// Records a payment or refund through the contract.
    fn ledger(&self, id: OrderId, refund: bool, request: PaymentRequest) -> anyhow::Result<()> {
        let payment = Payment {
            order: OrderKey::Id { id: id.get() },
            payment: request,
        };
        let _: OrderView = self.call(if refund {
            Request::PaymentRefund(payment)
        } else {
            Request::PaymentRecord(payment)
        })?;
        Ok(())
    }

    /// Pays the balance due (or half of it), if anything is due.
    fn pay(
        &self,
        id: OrderId,
        method: PaymentMethod,
        half: bool,
        reference: &str,
    ) -> anyhow::Result<()> {
        let order = self.order(id)?;
        let currency = Currency::parse(&order.currency)?;
        let due = Money::parse(&order.balance_due, Some(currency), "balance due")?;
        let amount = if half {
            due.scale_by(Decimal::new(5, 1))?
        } else {
            due
        };
        if !amount.is_zero() {
            self.ledger(id, false, payment(amount, method, reference))?;
        }
        Ok(())
    }

    /// Refunds by the order's payment method, if anything was paid.
    fn refund(&self, id: OrderId, what: Refund) -> anyhow::Result<()> {
        let order = self.order(id)?;
        let currency = Currency::parse(&order.currency)?;
        let money = |text: &str| Money::parse(text, Some(currency), "amount");
        let net = money(&order.paid)?.sub(&money(&order.refunded)?)?;
        let (amount, reference) = match what {
            Refund::Paid { half: true } => (net.scale_by(Decimal::new(5, 1))?, "refund"),
            Refund::Paid { half: false } => (net, "refund"),
            Refund::OneUnit => match order.lines.first() {
                Some(line) if money(&line.unit_price)? < net => {
                    (money(&line.unit_price)?, "return")
                }
                Some(_) | None => (net, "return"),
            },
        };
        if !amount.is_zero() {
            let method = PaymentMethod::parse(&order.payment_method)?;
            self.ledger(id, true, payment(amount, method, reference))?;
        }
        Ok(())
    }

    /// The closing message: what was made and commands to try on it.
    fn tour(
        &self,
        data: &Path,
        view: &DemoView,
        buyers: &[Buyer],
        pending: (&[u64], &[String]),
    ) -> anyhow::Result<String> {
        let reference = self.tour_order()?;
        let last_name = buyers
            .first()
            .and_then(|b| b.name.split_whitespace().last())
            .unwrap_or("lovelace")
            .to_lowercase();
        let day = |days_ago: i64| {
            let text = Timestamp(self.clock.now().millis() - days_ago * DAY_MS).to_string();
            text.chars().take(10).collect::<String>()
        };
        let data_flag = data_flag(data);
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
                format!("order advance {reference} --to shipped"),
                "picked, packed, shipped (name several: a batch)",
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
            (
                "ticket list --status open".to_string(),
                "the service desk's open tickets",
            ),
        ];
        let width = tour.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
        let mut text = headline(data, view);
        for (command, comment) in tour {
            text.push_str(&format!(
                "  ordo{data_flag} {command:<width$}  # {comment}\n"
            ));
        }
        text.push_str(&accounts::tour(
            &format!("ordo{data_flag}"),
            view,
            pending,
            &reference,
        ));
        Ok(text)
    }

    /// The newest order waiting for confirmation that owes at least 10.00, so the tour's
    /// status change and payment work; a recent order of another status if none waits
    /// (tiny `--scale` runs).
    fn tour_order(&self) -> anyhow::Result<String> {
        // The tour records a payment of 10.00 on it: prefer one that still owes that much.
        let owes_ten = |order: &OrderView| {
            order
                .balance_due
                .parse::<Decimal>()
                .is_ok_and(|due| due >= Decimal::TEN)
        };
        for status in [Some(OrderStatus::Placed), Some(OrderStatus::Shipped), None] {
            let page: ListView<OrderView> = self.call(Request::OrderList(OrderList {
                status: status.map(|s| s.to_string()),
                limit: Some(50),
                ..OrderList::default()
            }))?;
            let chosen = page
                .items
                .iter()
                .find(|o| owes_ten(o) && o.reference.is_some())
                .or_else(|| page.items.iter().find(|o| o.reference.is_some()));
            if let Some(reference) = chosen.and_then(|o| o.reference.clone()) {
                return Ok(reference);
            }
        }
        Ok("ORD-7K3M-9QX1".to_string())
    }
}

/// ` --data DIR` for the tour's commands, unless DIR is the default.
fn data_flag(data: &Path) -> String {
    if data == Path::new("./ordo-data") {
        String::new()
    } else {
        format!(" --data {}", data.display())
    }
}

/// The first line of the tour: what the demo made, where.
fn headline(data: &Path, view: &DemoView) -> String {
    format!(
        "Demo shop ready in {} ({:.1} s): {} products in {}, {} customers, {} orders over \
         the last {DAYS} days, {} service tickets, {} returns, {} staff users, {} pending \
         registrations.\n\nA short tour:\n",
        data.display(),
        view.seconds,
        view.products,
        view.warehouses.join(" and "),
        view.customers,
        view.orders,
        view.tickets,
        view.returns,
        view.staff.len(),
        view.registrations,
    )
}

/// What a refund gives back.
#[derive(Debug, Clone, Copy)]
enum Refund {
    /// What was paid (or half of it).
    Paid {
        /// Only half.
        half: bool,
    },
    /// One unit of the first line, at most what was paid (a return).
    OneUnit,
}

fn payment(amount: Money, method: PaymentMethod, reference: &str) -> PaymentRequest {
    PaymentRequest {
        amount,
        method,
        external_reference: reference.to_string(),
        idempotency_key: None,
    }
}
