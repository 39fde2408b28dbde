//! The workload: data scale, the transaction mix and the inputs of each transaction.

use crate::rng::Rng;

/// How much data and how many warehouses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// Products in the catalog (each stocked in every warehouse).
    pub products: u64,
    /// Customers at start.
    pub customers: u64,
    /// Warehouses.
    pub warehouses: u64,
}

/// Units of every product in every warehouse at start: enough that a run never runs dry.
pub const INITIAL_STOCK: u64 = 1_000_000;

/// "Low stock" for Stock-Level: products with less available than this are counted.
pub const STOCK_THRESHOLD: u64 = INITIAL_STOCK - 20;

/// The five transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transaction {
    /// A customer orders 5–15 items (1 % name an unknown item and roll back).
    NewOrder,
    /// A payment on one of the customer's recent unpaid orders.
    Payment,
    /// A customer's latest order and its lines.
    OrderStatus,
    /// Ship the oldest placed orders.
    Delivery,
    /// Count low-stock products among the last 20 orders' items.
    StockLevel,
}

/// All five, in report order.
pub const TRANSACTIONS: [Transaction; 5] = [
    Transaction::NewOrder,
    Transaction::Payment,
    Transaction::OrderStatus,
    Transaction::Delivery,
    Transaction::StockLevel,
];

impl Transaction {
    /// Picks one with TPC-C's mix: 45 / 43 / 4 / 4 / 4 percent.
    pub fn pick(rng: &mut Rng) -> Transaction {
        match rng.below(100) {
            0..45 => Transaction::NewOrder,
            45..88 => Transaction::Payment,
            88..92 => Transaction::OrderStatus,
            92..96 => Transaction::Delivery,
            _ => Transaction::StockLevel,
        }
    }

    /// Short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Transaction::NewOrder => "new-order",
            Transaction::Payment => "payment",
            Transaction::OrderStatus => "order-status",
            Transaction::Delivery => "delivery",
            Transaction::StockLevel => "stock-level",
        }
    }
}

/// The SKU of product number `n` (0-based).
pub fn sku(n: u64) -> String {
    format!("P{n:07}")
}

/// An item of a New-Order: product number (or `None` for the deliberately unknown item)
/// and quantity.
pub type Item = (Option<u64>, u32);

/// The items of one New-Order: 5–15 distinct products, quantities 1–10; with 1 %
/// probability the last item is unknown.
pub fn new_order_items(rng: &mut Rng, scale: &Scale) -> Vec<Item> {
    let count = rng.between(5, 15) as usize;
    let mut items: Vec<Item> = Vec::with_capacity(count);
    while items.len() < count {
        let product = rng.below(scale.products);
        if items.iter().all(|(p, _)| *p != Some(product)) {
            items.push((Some(product), rng.between(1, 10) as u32));
        }
    }
    if rng.percent(1)
        && let Some(last) = items.last_mut()
    {
        last.0 = None;
    }
    items
}
