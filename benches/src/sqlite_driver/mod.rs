//! The same workload on SQLite, doing the same logical work per transaction as ordo, in two
//! write paths: a pool of connections that each run `BEGIN IMMEDIATE` ([`SqliteDriver`],
//! the simple row) and one write connection behind a group-commit queue with a background
//! checkpointer ([`GroupCommitDriver`], what a careful SQLite user would build). Both run
//! the transaction bodies of `work`; WAL, prepared statements in a cache that holds them
//! all, money in integer cents.
//!
//! # What each side does per transaction
//!
//! Checked against `core/src/engine` (`orders.rs` `create_order`, `payments.rs`
//! `record_payment`, `fulfilment.rs` `advance_orders`, `unit.rs` `fan_out`) and
//! `core/src/store/keys.rs` (`order_entries`, `delivery_entries`).
//!
//! **New-Order** (5–15 lines):
//! 1. ordo loads the customer (status, name, default address, contact) — SQLite reads the
//!    `customer` row (status, name, address, phone).
//! 2. ordo resolves every SKU (`ProductBySku` index, then the product record) before
//!    anything else, and rolls back on an unknown one (1 %) — SQLite looks every SKU up in
//!    `product` (unique index on `sku`) first, and rolls back on an unknown one.
//! 3. ordo loads the pricing settings (tax rates, shipping fee) — SQLite reads `pricing`.
//! 4. ordo loads each product's stock record, picks the warehouse with most available,
//!    reserves and writes the stock record back — SQLite selects the best `stock` row and
//!    updates `reserved`.
//! 5. ordo writes the order record with header snapshots (customer name, shipping address)
//!    and lines (SKU, name, unit price, tax rate, quantity, warehouse, amounts) — SQLite
//!    inserts an `orders` row with the same snapshots and one `order_line` row per line.
//! 6. ordo writes four order index entries (`OrderByCustomer`, `OrderByCreated`,
//!    `OrderByStatus`, `OrderByReference`) — SQLite maintains four indexes on `orders`
//!    (customer, created, status, unique reference).
//! 7. ordo appends one audit entry (changes: status, items, total, reference) and two
//!    subject markers (the order, the customer) — SQLite inserts one `audit` row whose
//!    `changes` is the JSON of those changes, indexed by order and by customer.
//! 8. ordo fans the `OrderPlaced` event out into one notification delivery (to the
//!    customer's phone) with two index entries (`DeliveryByStatus`, `DeliveryQueue`) —
//!    SQLite inserts one `notification` row with the event as JSON, indexed by status and
//!    (partially, while queued) by channel and due time.
//!
//! **Payment**: ordo finds the customer's latest unpaid order with a query outside the
//! transaction, then loads the order, checks the amount against the balance, appends the
//! ledger entry inside the order record and writes it back, one audit entry with two
//! subject markers, and one notification delivery (`PaymentRecorded`) with two index
//! entries — SQLite selects the latest unpaid order, updates `orders.paid_cents` (checking
//! the balance in the `WHERE`), inserts a `payment` row (the ledger entry), one `audit`
//! row and one `notification` row.
//!
//! **Delivery** (10 oldest placed orders, one transaction): per order ordo loads it, walks
//! it through confirmed, picking and packed to shipped (consuming the reserved stock:
//! stock records written back), rewrites the order record and its `OrderByStatus` entry,
//! appends an audit entry (status from → to, passed through) with two subject markers and
//! fans `OrderStatusChanged` out into one notification delivery — SQLite selects the ten,
//! reads each one's lines, updates `stock`, updates the order's `status` and `shipped_at`
//! (the status index moves with it), inserts one `audit` and one `notification` row.
//!
//! **Order-Status** and **Stock-Level** read the same records on both sides (the order
//! with its lines; the last 20 orders' products and their stock).
//!
//! Deliberately not mirrored, each named so a reader can weigh it:
//! - ordo's report counters (`WriteSet::counters`: 7 + 2 × lines upserts per New-Order,
//!   one per Delivery) are a precomputed aggregate ordo keeps so reports never scan
//!   orders; a SQLite application would answer the same reports with `GROUP BY` over the
//!   `orders_by_created` index. Leaving them out favours SQLite.
//! - ordo's optimistic version checks (every record read is checked again at apply) and
//!   the order-watch lookup of each fan-out: SQLite's writer holds the write lock, so what
//!   it read inside the transaction cannot move. The group-commit driver reads the catalog
//!   and the customer before taking the lock (decide before writing); they never change
//!   during a run, and stock and balances are checked again under the lock.
//! - SQLite's `payment` table and `customer.status` check are its normal form of what
//!   ordo keeps inside the order and customer records.

mod checkpointer;
mod group;
mod pool;
mod work;

use std::path::Path;

use rusqlite::{Connection, params};

use crate::workload::{self, INITIAL_STOCK, Scale};

pub use checkpointer::CheckpointCounts;
pub use group::GroupCommitDriver;
pub use pool::SqliteDriver;

/// SQLite's `synchronous` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    /// fsync at every commit (like ordo's Immediate).
    Full,
    /// fsync at checkpoints only; a power loss can lose recent commits, a process crash
    /// cannot (WAL mode).
    Normal,
}

/// Prepared statements each connection keeps: above the number of distinct statements the
/// transaction bodies prepare (20), so none is ever evicted and prepared again.
const STATEMENT_CACHE: usize = 48;

const SCHEMA: &str = "
CREATE TABLE product (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL, price_cents INTEGER NOT NULL);
CREATE TABLE stock (product_id INTEGER NOT NULL, warehouse INTEGER NOT NULL, on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL,
                    PRIMARY KEY (product_id, warehouse)) WITHOUT ROWID;
CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL UNIQUE, address TEXT NOT NULL,
                       status INTEGER NOT NULL);
CREATE TABLE pricing (id INTEGER PRIMARY KEY CHECK (id = 1), tax_percent INTEGER NOT NULL, shipping_cents INTEGER NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, reference TEXT NOT NULL UNIQUE, customer_id INTEGER NOT NULL,
                     customer_name TEXT NOT NULL, ship_address TEXT NOT NULL, status INTEGER NOT NULL,
                     created_at INTEGER NOT NULL, shipped_at INTEGER, subtotal_cents INTEGER NOT NULL,
                     tax_cents INTEGER NOT NULL, shipping_cents INTEGER NOT NULL, total_cents INTEGER NOT NULL,
                     paid_cents INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX orders_by_customer ON orders (customer_id, created_at);
CREATE INDEX orders_by_status ON orders (status, created_at);
CREATE INDEX orders_by_created ON orders (created_at);
CREATE TABLE order_line (order_id INTEGER NOT NULL, line_no INTEGER NOT NULL, product_id INTEGER NOT NULL, sku TEXT NOT NULL,
                         name TEXT NOT NULL, warehouse INTEGER NOT NULL, quantity INTEGER NOT NULL, price_cents INTEGER NOT NULL,
                         tax_percent INTEGER NOT NULL, total_cents INTEGER NOT NULL, PRIMARY KEY (order_id, line_no)) WITHOUT ROWID;
CREATE TABLE payment (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, amount_cents INTEGER NOT NULL, method TEXT NOT NULL,
                      at INTEGER NOT NULL);
CREATE TABLE audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                    order_id INTEGER NOT NULL, customer_id INTEGER NOT NULL, changes TEXT NOT NULL);
CREATE INDEX audit_by_order ON audit (order_id, seq);
CREATE INDEX audit_by_customer ON audit (customer_id, seq);
CREATE TABLE notification (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, status INTEGER NOT NULL, channel INTEGER NOT NULL,
                           not_before INTEGER NOT NULL, recipient TEXT NOT NULL, order_id INTEGER NOT NULL, event TEXT NOT NULL);
CREATE INDEX notification_by_status ON notification (status, id);
CREATE INDEX notification_queue ON notification (channel, not_before, id) WHERE status = 0;
";

/// Opens a connection to `path` in WAL mode with `synchronous` and a statement cache that
/// fits every statement of the workload.
///
/// # Errors
/// Whatever SQLite reports on opening or setting the pragmas.
fn connect(path: &Path, synchronous: Synchronous) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let sync = match synchronous {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous={sync}; PRAGMA cache_size=-65536;"
    ))?;
    Ok(conn)
}

/// Creates and fills a database at `path`: the catalog with its stock, the customers (each
/// with a default address, active), the pricing settings (20 % tax, 5.00 shipping).
pub fn load(path: &Path, scale: &Scale) {
    let mut conn = connect(path, Synchronous::Normal).expect("open sqlite");
    conn.execute_batch(SCHEMA).expect("schema");
    let tx = conn.transaction().expect("load transaction");
    {
        tx.execute(
            "INSERT INTO pricing (id, tax_percent, shipping_cents) VALUES (1, 20, 500)",
            [],
        )
        .expect("pricing");
        let mut product = tx
            .prepare("INSERT INTO product (id, sku, name, price_cents) VALUES (?1, ?2, ?3, ?4)")
            .expect("prepare");
        let mut stock = tx.prepare("INSERT INTO stock (product_id, warehouse, on_hand, reserved) VALUES (?1, ?2, ?3, 0)").expect("prepare");
        for n in 0..scale.products {
            let sku = workload::sku(n);
            product
                .execute(params![
                    n as i64,
                    sku,
                    format!("Product {sku}"),
                    100 + (n as i64 % 9_900) * 100
                ])
                .expect("product");
            for w in 0..scale.warehouses {
                stock
                    .execute(params![n as i64, w as i64, INITIAL_STOCK as i64])
                    .expect("stock");
            }
        }
        let mut customer = tx
            .prepare("INSERT INTO customer (id, name, phone, address, status) VALUES (?1, ?2, ?3, ?4, ?5)")
            .expect("prepare");
        for n in 0..scale.customers {
            customer
                .execute(params![
                    n as i64,
                    format!("Customer {n} Example"),
                    format!("+1555{n:07}"),
                    format!("Customer {n}, {n} Main Street, 12345 Springfield, US"),
                    work::ACTIVE,
                ])
                .expect("customer");
        }
    }
    tx.commit().expect("commit load");
}
