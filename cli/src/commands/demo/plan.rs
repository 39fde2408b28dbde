//! The demo's 90 days of trading, planned up front as a time-ordered list of events: each
//! order's life (create, edits, payments, status moves, cancellation, refunds, archiving)
//! plus stock deliveries and corrections. Events later than "now" are dropped, so recent
//! orders are naturally still in flight while older ones are delivered or archived.

use ordo_core::clock::{DAY_MS, Timestamp};
use ordo_core::customer::AddressInput;
use ordo_core::engine::{ItemRequest, OrderRequest};
use ordo_core::ids::CustomerId;
use ordo_core::order::OrderStatus;
use ordo_core::payment::PaymentMethod;
use ordo_core::pricing::ShippingMethod;
use rust_decimal::Decimal;

use super::dice::Dice;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;

/// A customer as the planner needs to know them.
pub struct Buyer {
    /// Their id.
    pub id: CustomerId,
    /// Business customers buy in bulk.
    pub business: bool,
    /// Name, for alternative shipping addresses.
    pub name: String,
}

/// What the planner works with.
pub struct Setting<'a> {
    /// The first moment of the demo (catalog and customers exist from then on).
    pub start: Timestamp,
    /// The last moment: events after it do not happen.
    pub now: Timestamp,
    /// Who buys.
    pub buyers: &'a [Buyer],
    /// SKUs that can be ordered.
    pub skus: &'a [String],
    /// Every SKU in the catalog (stock events).
    pub all_skus: &'a [String],
    /// Warehouses that hold stock.
    pub warehouses: &'a [&'a str],
}

/// One thing that happens to an order.
#[derive(Debug, Clone)]
pub enum Step {
    /// Create the order (placed, or a draft).
    Create(Box<OrderRequest>),
    /// Move it to a status.
    Status(OrderStatus),
    /// Add units of a product.
    AddItem(ItemRequest),
    /// Change a line's quantity.
    SetQuantity(ItemRequest),
    /// Remove a line.
    RemoveItem(String),
    /// Ship somewhere else.
    SetAddress(Box<AddressInput>),
    /// Pay what is due (or half of it).
    Pay {
        /// How.
        method: PaymentMethod,
        /// Only half of the balance.
        half: bool,
        /// Gateway or bank reference.
        reference: String,
    },
    /// Cancel with a reason.
    Cancel(&'static str),
    /// Refund what was paid (or half of it).
    RefundPaid {
        /// Only half.
        half: bool,
    },
    /// Refund one unit of the first line (a return).
    RefundOneUnit,
    /// Archive with a reason.
    Archive(&'static str),
    /// Bring back from the archive.
    Restore,
}

/// What happens.
#[derive(Debug, Clone)]
pub enum Action {
    /// Something happens to order number `slot` (the slot's order once created).
    Order {
        /// Index of the planned order.
        slot: usize,
        /// What.
        step: Step,
    },
    /// Goods arrive.
    Restock {
        /// Product.
        sku: String,
        /// Warehouse.
        warehouse: String,
        /// Units.
        quantity: u64,
        /// Why.
        reason: String,
    },
    /// A count is corrected.
    Adjust {
        /// Product.
        sku: String,
        /// Warehouse.
        warehouse: String,
        /// Units (negative: fewer).
        delta: i64,
        /// Why.
        reason: &'static str,
    },
}

/// An action at a moment.
#[derive(Debug, Clone)]
pub struct Event {
    /// When it happens.
    pub at: Timestamp,
    /// What happens.
    pub action: Action,
}

/// Plans `orders` orders and the stock movements between `setting.start` and
/// `setting.now`, sorted by time (events after `now` are left out).
pub fn events(setting: &Setting<'_>, orders: usize, dice: &Dice) -> Vec<Event> {
    let mut events = stock_events(setting, dice);
    // The catalog and customers take the first day or so; trading starts on day two.
    let first_order = setting.start.plus_ms(2 * DAY_MS);
    let span_ms = (setting.now.millis() - first_order.millis() - 5 * MINUTE_MS).max(1);
    // More orders lately: the shop is growing (square-root spread of creation times).
    let mut created: Vec<Timestamp> = (0..orders)
        .map(|_| {
            let u = dice.below(1_000_000) as f64 / 1_000_000.0;
            first_order.plus_ms((u.sqrt() * span_ms as f64) as i64)
        })
        .collect();
    created.sort_unstable();
    for (slot, at) in created.into_iter().enumerate() {
        let life = OrderPlanner {
            setting,
            dice,
            slot,
            at,
            events: Vec::new(),
        };
        events.extend(life.plan());
    }
    events.retain(|e| e.at <= setting.now);
    // Stable: an order's own events keep their planned order when times tie.
    events.sort_by_key(|e| e.at);
    events
}

fn stock_events(setting: &Setting<'_>, dice: &Dice) -> Vec<Event> {
    let mut events = Vec::new();
    for (number, day) in [30, 60].into_iter().enumerate() {
        let Some(warehouse) = setting
            .warehouses
            .get(number % setting.warehouses.len().max(1))
        else {
            break;
        };
        let at = setting.start.plus_ms(day * DAY_MS + 7 * HOUR_MS);
        for (i, sku) in setting.all_skus.iter().enumerate() {
            events.push(Event {
                at: at.plus_ms(i as i64 * MINUTE_MS),
                action: Action::Restock {
                    sku: sku.clone(),
                    warehouse: (*warehouse).to_string(),
                    quantity: 1_500,
                    reason: format!("purchase order PO-{}", 4_100 + number * 100 + i),
                },
            });
        }
    }
    for _ in 0..15 {
        let (Some(sku), Some(warehouse)) =
            (dice.pick(setting.all_skus), dice.pick(setting.warehouses))
        else {
            break;
        };
        let day = dice.between(2, 88);
        events.push(Event {
            at: setting
                .start
                .plus_ms(day * DAY_MS + dice.between(8, 17) * HOUR_MS),
            action: Action::Adjust {
                sku: sku.clone(),
                warehouse: (*warehouse).to_string(),
                delta: -dice.between(1, 4),
                reason: dice
                    .pick(&[
                        "damaged in transit",
                        "cycle count correction",
                        "display sample",
                    ])
                    .unwrap_or(&"cycle count correction"),
            },
        });
    }
    events
}

/// How an order's story ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Goes all the way to delivered.
    Complete,
    /// Cancelled instead of moving to this status.
    CancelBefore(OrderStatus),
    /// Waits (on the customer, a query…) before this status.
    StuckBefore(OrderStatus),
}

const STAGES: [OrderStatus; 5] = [
    OrderStatus::Confirmed,
    OrderStatus::Picking,
    OrderStatus::Packed,
    OrderStatus::Shipped,
    OrderStatus::Delivered,
];

struct OrderPlanner<'a> {
    setting: &'a Setting<'a>,
    dice: &'a Dice,
    slot: usize,
    at: Timestamp,
    events: Vec<Event>,
}

impl OrderPlanner<'_> {
    fn push(&mut self, step: Step) {
        self.events.push(Event {
            at: self.at,
            action: Action::Order {
                slot: self.slot,
                step,
            },
        });
    }

    fn wait(&mut self, low_ms: i64, high_ms: i64) {
        self.at = self.at.plus_ms(self.dice.between(low_ms, high_ms));
    }

    fn plan(mut self) -> Vec<Event> {
        let dice = self.dice;
        let Some(buyer) = dice.pick(self.setting.buyers) else {
            return Vec::new();
        };
        let request = self.request(buyer);
        let skus: Vec<String> = request.items.iter().map(|i| i.sku.clone()).collect();
        let payment = request.payment;
        let shipping = request.shipping;
        let kind = dice.weighted(&[4, 4, 92]);
        let mut draft_request = request;
        draft_request.draft = kind != 2;
        self.push(Step::Create(Box::new(draft_request)));
        if kind == 0 {
            return self.stay_draft();
        }
        if kind == 1 {
            self.wait(30 * MINUTE_MS, 3 * HOUR_MS);
            self.push(Step::Status(OrderStatus::Placed));
        }
        self.edits(buyer, &skus);
        if payment == PaymentMethod::Card {
            self.wait(MINUTE_MS, 10 * MINUTE_MS);
            let reference = format!("ch_{:012x}", dice.below(1 << 48));
            self.push(Step::Pay {
                method: payment,
                half: false,
                reference,
            });
        }
        let fate = self.fate();
        let finished = self.stages(fate, payment, shipping);
        self.after(finished);
        self.events
    }

    fn request(&self, buyer: &Buyer) -> OrderRequest {
        let dice = self.dice;
        let items = self.items(buyer);
        let shipping = [
            ShippingMethod::Standard,
            ShippingMethod::Express,
            ShippingMethod::Pickup,
        ][dice.weighted(&[70, 20, 10])];
        let payment = if buyer.business {
            [PaymentMethod::BankTransfer, PaymentMethod::Card][dice.weighted(&[75, 25])]
        } else {
            [
                PaymentMethod::Card,
                PaymentMethod::CashOnDelivery,
                PaymentMethod::BankTransfer,
                PaymentMethod::Cash,
            ][dice.weighted(&[60, 20, 10, 10])]
        };
        let discounts = match dice.weighted(&[85, 8, 5, 2]) {
            1 => vec![("WELCOME10".to_string(), Decimal::TEN)],
            2 => vec![("SPRING15".to_string(), Decimal::from(15))],
            3 => vec![("VIP20".to_string(), Decimal::from(20))],
            _ => Vec::new(),
        };
        let notes = if dice.chance(10) {
            (*dice
                .pick(&[
                    "Please leave at the front door.",
                    "Gift wrap, please.",
                    "Call before delivery.",
                    "Deliver to reception.",
                    "Fragile: handle with care.",
                ])
                .unwrap_or(&""))
            .to_string()
        } else {
            String::new()
        };
        OrderRequest {
            customer: buyer.id,
            items,
            ship_to: None,
            shipping,
            payment,
            discounts,
            notes,
            draft: false,
            idempotency_key: dice
                .chance(30)
                .then(|| format!("web-{:06}-{}", self.slot, dice.below(1 << 32))),
        }
    }

    /// One to four distinct products: a few units for consumers, bulk for businesses.
    fn items(&self, buyer: &Buyer) -> Vec<ItemRequest> {
        let dice = self.dice;
        let lines = 1 + dice.weighted(&[45, 30, 15, 10]);
        let mut items: Vec<ItemRequest> = Vec::with_capacity(lines);
        for _ in 0..lines * 3 {
            if items.len() == lines {
                break;
            }
            let Some(sku) = dice.pick(self.setting.skus) else {
                break;
            };
            if items.iter().any(|i| &i.sku == sku) {
                continue;
            }
            let quantity = if buyer.business {
                *dice.pick(&[6, 10, 12, 20, 24, 36, 50, 60]).unwrap_or(&12)
            } else {
                1 + dice.weighted(&[60, 25, 15]) as i64
            };
            items.push(ItemRequest {
                sku: sku.clone(),
                quantity,
            });
        }
        items
    }

    fn stay_draft(mut self) -> Vec<Event> {
        if let Some(sku) = self.dice.pick(self.setting.skus).cloned()
            && self.dice.chance(50)
        {
            self.wait(10 * MINUTE_MS, 2 * HOUR_MS);
            self.push(Step::AddItem(ItemRequest { sku, quantity: 1 }));
        }
        if self.dice.chance(60) {
            self.wait(14 * DAY_MS, 20 * DAY_MS);
            self.push(Step::Archive("abandoned cart"));
        }
        self.events
    }

    fn edits(&mut self, buyer: &Buyer, skus: &[String]) {
        let dice = self.dice;
        if dice.chance(8)
            && let Some(sku) = dice.pick(self.setting.skus).cloned()
        {
            self.wait(5 * MINUTE_MS, HOUR_MS);
            let quantity = if buyer.business { 12 } else { 1 };
            self.push(Step::AddItem(ItemRequest { sku, quantity }));
        }
        if dice.chance(4)
            && let Some(sku) = skus.first().cloned()
        {
            self.wait(5 * MINUTE_MS, HOUR_MS);
            let quantity = if buyer.business { 50 } else { 2 };
            self.push(Step::SetQuantity(ItemRequest { sku, quantity }));
        }
        if skus.len() >= 2
            && dice.chance(3)
            && let Some(sku) = skus.last().cloned()
        {
            self.wait(5 * MINUTE_MS, HOUR_MS);
            self.push(Step::RemoveItem(sku));
        }
        if dice.chance(3) {
            self.wait(5 * MINUTE_MS, HOUR_MS);
            self.push(Step::SetAddress(Box::new(AddressInput {
                recipient: buyer.name.clone(),
                line1: format!("{} Harbour Way", dice.between(1, 99)),
                line2: "c/o front desk".into(),
                city: "Portland".into(),
                postal_code: "97209".into(),
                country: "US".into(),
                ..AddressInput::default()
            })));
        }
    }

    fn fate(&self) -> Fate {
        let dice = self.dice;
        match dice.weighted(&[86, 9, 5]) {
            1 => Fate::CancelBefore(
                [
                    OrderStatus::Confirmed,
                    OrderStatus::Picking,
                    OrderStatus::Packed,
                ][dice.weighted(&[50, 30, 20])],
            ),
            2 => Fate::StuckBefore(STAGES[dice.index(STAGES.len())]),
            _ => Fate::Complete,
        }
    }

    /// Walks the order through the statuses; returns whether it reached a final status.
    fn stages(&mut self, fate: Fate, payment: PaymentMethod, shipping: ShippingMethod) -> bool {
        let dice = self.dice;
        let mut paid = payment == PaymentMethod::Card;
        for stage in STAGES {
            match fate {
                Fate::CancelBefore(s) if s == stage => {
                    self.wait(HOUR_MS, DAY_MS);
                    let reason = *dice
                        .pick(&[
                            "customer changed their mind",
                            "ordered by mistake",
                            "payment not received",
                            "found a better price",
                            "delivery date too late",
                        ])
                        .unwrap_or(&"customer request");
                    self.push(Step::Cancel(reason));
                    if paid {
                        self.wait(HOUR_MS, 3 * DAY_MS);
                        self.push(Step::RefundPaid {
                            half: dice.chance(10),
                        });
                    }
                    return true;
                }
                Fate::StuckBefore(s) if s == stage => return false,
                Fate::CancelBefore(_) | Fate::StuckBefore(_) | Fate::Complete => {}
            }
            let (low, high) = match (stage, shipping) {
                (OrderStatus::Confirmed, _) => (20 * MINUTE_MS, 8 * HOUR_MS),
                (OrderStatus::Picking, _) => (2 * HOUR_MS, 20 * HOUR_MS),
                (OrderStatus::Packed, _) => (30 * MINUTE_MS, 4 * HOUR_MS),
                (OrderStatus::Delivered, ShippingMethod::Pickup) => (10 * MINUTE_MS, 2 * HOUR_MS),
                (OrderStatus::Delivered, ShippingMethod::Express) => (18 * HOUR_MS, 30 * HOUR_MS),
                (OrderStatus::Delivered, ShippingMethod::Standard) => (DAY_MS, 4 * DAY_MS),
                _ => (2 * HOUR_MS, 24 * HOUR_MS),
            };
            self.wait(low, high);
            self.push(Step::Status(stage));
            let pays_now = match payment {
                PaymentMethod::BankTransfer => stage == OrderStatus::Confirmed && dice.chance(95),
                PaymentMethod::CashOnDelivery | PaymentMethod::Cash => {
                    stage == OrderStatus::Delivered
                }
                PaymentMethod::Card => false,
            };
            if pays_now {
                self.wait(MINUTE_MS, 30 * MINUTE_MS);
                let reference = match payment {
                    PaymentMethod::BankTransfer => format!("BANK-{}", 880_000 + self.slot),
                    PaymentMethod::Card | PaymentMethod::Cash | PaymentMethod::CashOnDelivery => {
                        String::new()
                    }
                };
                self.push(Step::Pay {
                    method: payment,
                    half: payment == PaymentMethod::BankTransfer && dice.chance(10),
                    reference,
                });
                paid = true;
            }
        }
        if paid && dice.chance(4) {
            self.wait(3 * DAY_MS, 10 * DAY_MS);
            self.push(Step::RefundOneUnit);
        }
        true
    }

    /// Archives some long-finished orders (and restores a few of those).
    fn after(&mut self, finished: bool) {
        let dice = self.dice;
        if !finished || self.at.plus_ms(30 * DAY_MS) > self.setting.now || !dice.chance(35) {
            return;
        }
        self.wait(30 * DAY_MS, 40 * DAY_MS);
        self.push(Step::Archive("closed out after 30 days"));
        if dice.chance(3) {
            self.wait(2 * DAY_MS, 10 * DAY_MS);
            self.push(Step::Restore);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_sorted_bounded_by_now_and_start_with_creation() {
        let buyers: Vec<Buyer> = (1..=20)
            .map(|i| Buyer {
                id: CustomerId(i),
                business: i % 5 == 0,
                name: format!("Buyer {i}"),
            })
            .collect();
        let skus: Vec<String> = ["A-1", "B-2", "C-3", "D-4"].map(String::from).to_vec();
        let start = Timestamp(1_767_225_600_000);
        let now = start.plus_ms(90 * DAY_MS);
        let setting = Setting {
            start,
            now,
            buyers: &buyers,
            skus: &skus,
            all_skus: &skus,
            warehouses: &["MAIN", "EAST"],
        };
        let events = events(&setting, 300, &Dice::new());
        assert!(events.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(events.iter().all(|e| e.at >= start && e.at <= now));
        let mut seen = vec![false; 300];
        for event in &events {
            if let Action::Order { slot, step } = &event.action {
                if matches!(step, Step::Create(_)) {
                    seen[*slot] = true;
                } else {
                    assert!(seen[*slot], "slot {slot} acted on before it was created");
                }
            }
        }
        assert!(seen.iter().all(|s| *s));
    }
}
