//! The same workload on SQLite, written as a careful engineer would: WAL, prepared
//! (cached) statements, the indexes the queries need, `BEGIN IMMEDIATE` for writers, money
//! in integer cents, one audit row per change like ordo's audit trail.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::driver::{Driver, Outcome, RecentReferences};
use crate::rng::Rng;
use crate::workload::{self, INITIAL_STOCK, STOCK_THRESHOLD, Scale, Transaction};

/// SQLite's `synchronous` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    /// fsync at every commit (like ordo's Immediate).
    Full,
    /// fsync at checkpoints only; a crash can lose recent commits (like ordo's Periodic).
    Normal,
}

const SCHEMA: &str = "
CREATE TABLE product (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL, price_cents INTEGER NOT NULL);
CREATE TABLE stock (product_id INTEGER NOT NULL, warehouse INTEGER NOT NULL, on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL,
                    PRIMARY KEY (product_id, warehouse)) WITHOUT ROWID;
CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL UNIQUE, paid_cents INTEGER NOT NULL DEFAULT 0);
CREATE TABLE orders (id INTEGER PRIMARY KEY, reference TEXT NOT NULL UNIQUE, customer_id INTEGER NOT NULL, status INTEGER NOT NULL,
                     created_at INTEGER NOT NULL, total_cents INTEGER NOT NULL, paid_cents INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX orders_by_customer ON orders (customer_id, created_at);
CREATE INDEX orders_by_status ON orders (status, created_at);
CREATE INDEX orders_by_created ON orders (created_at);
CREATE TABLE order_line (order_id INTEGER NOT NULL, line_no INTEGER NOT NULL, product_id INTEGER NOT NULL, warehouse INTEGER NOT NULL,
                         quantity INTEGER NOT NULL, price_cents INTEGER NOT NULL, PRIMARY KEY (order_id, line_no)) WITHOUT ROWID;
CREATE TABLE payment (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, amount_cents INTEGER NOT NULL, at INTEGER NOT NULL);
CREATE TABLE audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, entity INTEGER NOT NULL, action TEXT NOT NULL);
";

const PLACED: i64 = 1;
const SHIPPED: i64 = 5;

/// SQLite under test: one connection per client thread, pooled.
pub struct SqliteDriver {
    name: String,
    path: PathBuf,
    synchronous: Synchronous,
    pool: Mutex<Vec<Connection>>,
    customers: u64,
    recent: RecentReferences,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn connect(path: &Path, synchronous: Synchronous) -> Connection {
    let conn = Connection::open(path).expect("open sqlite");
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .expect("busy timeout");
    let sync = match synchronous {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous={sync}; PRAGMA cache_size=-65536;"
    ))
    .expect("pragmas");
    conn
}

/// Creates and fills a database at `path`.
pub fn load(path: &Path, scale: &Scale) {
    let mut conn = connect(path, Synchronous::Normal);
    conn.execute_batch(SCHEMA).expect("schema");
    let tx = conn.transaction().expect("load transaction");
    {
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
            .prepare("INSERT INTO customer (id, name, phone) VALUES (?1, ?2, ?3)")
            .expect("prepare");
        for n in 0..scale.customers {
            customer
                .execute(params![
                    n as i64,
                    format!("Customer {n}"),
                    format!("+1555{n:07}")
                ])
                .expect("customer");
        }
    }
    tx.commit().expect("commit load");
}

impl SqliteDriver {
    /// A driver over the database at `path` with `threads` pooled connections.
    pub fn new(
        name: &str,
        path: &Path,
        synchronous: Synchronous,
        threads: usize,
        scale: &Scale,
    ) -> SqliteDriver {
        let pool = (0..threads).map(|_| connect(path, synchronous)).collect();
        SqliteDriver {
            name: name.to_string(),
            path: path.to_path_buf(),
            synchronous,
            pool: Mutex::new(pool),
            customers: scale.customers,
            recent: RecentReferences::default(),
        }
    }

    fn with_connection<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        let taken = self.pool.lock().expect("pool").pop();
        let mut conn = taken.unwrap_or_else(|| connect(&self.path, self.synchronous));
        let result = f(&mut conn);
        self.pool.lock().expect("pool").push(conn);
        result
    }

    fn new_order(
        conn: &mut Connection,
        rng: &mut Rng,
        scale: &Scale,
        customers: u64,
        recent: &RecentReferences,
    ) -> Outcome {
        let items = workload::new_order_items(rng, scale);
        let customer = rng.below(customers) as i64;
        let reference: String = (0..8)
            .map(|_| char::from(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"[rng.below(32) as usize]))
            .collect();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("begin");
        let mut lines = Vec::with_capacity(items.len());
        let mut subtotal = 0i64;
        for (product, quantity) in &items {
            let sku = match product {
                Some(p) => workload::sku(*p),
                None => "UNKNOWN".to_string(),
            };
            let found: Option<(i64, i64)> = tx
                .prepare_cached("SELECT id, price_cents FROM product WHERE sku = ?1")
                .expect("prepare")
                .query_row(params![sku], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .expect("select product");
            let Some((id, price)) = found else {
                tx.rollback().expect("rollback");
                return Outcome::RolledBack;
            };
            let (warehouse, available): (i64, i64) = tx
                .prepare_cached("SELECT warehouse, on_hand - reserved AS a FROM stock WHERE product_id = ?1 ORDER BY a DESC, warehouse LIMIT 1")
                .expect("prepare")
                .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?)))
                .expect("select stock");
            if available < i64::from(*quantity) {
                tx.rollback().expect("rollback");
                return Outcome::RolledBack;
            }
            tx.prepare_cached("UPDATE stock SET reserved = reserved + ?1 WHERE product_id = ?2 AND warehouse = ?3")
                .expect("prepare")
                .execute(params![i64::from(*quantity), id, warehouse])
                .expect("reserve");
            subtotal += price * i64::from(*quantity);
            lines.push((id, warehouse, *quantity, price));
        }
        // 20 % tax, banker's rounding to the cent, 5.00 shipping: the same arithmetic as ordo.
        let tax = (rust_decimal::Decimal::new(subtotal, 2) * rust_decimal::Decimal::new(20, 2))
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
        let tax_cents = (tax * rust_decimal::Decimal::ONE_HUNDRED)
            .trunc()
            .mantissa() as i64;
        let total = subtotal + tax_cents + 500;
        // References are random, like ordo's: on the rare collision, draw another.
        let mut reference = reference;
        for _ in 0..8 {
            let inserted = tx
                .prepare_cached("INSERT INTO orders (reference, customer_id, status, created_at, total_cents) VALUES (?1, ?2, ?3, ?4, ?5)")
                .expect("prepare")
                .execute(params![reference, customer, PLACED, now_ms(), total]);
            match inserted {
                Ok(_) => break,
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    reference = (0..8)
                        .map(|_| {
                            char::from(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"[rng.below(32) as usize])
                        })
                        .collect();
                }
                Err(e) => panic!("insert order: {e}"),
            }
        }
        let order = tx.last_insert_rowid();
        for (line_no, (id, warehouse, quantity, price)) in lines.iter().enumerate() {
            tx.prepare_cached("INSERT INTO order_line (order_id, line_no, product_id, warehouse, quantity, price_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .expect("prepare")
                .execute(params![order, line_no as i64, id, warehouse, i64::from(*quantity), price])
                .expect("insert line");
        }
        audit(&tx, order, "order created");
        tx.commit().expect("commit");
        recent.push(reference);
        Outcome::Committed
    }

    fn payment(conn: &mut Connection, rng: &mut Rng, customers: u64) -> Outcome {
        let customer = rng.below(customers) as i64;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("begin");
        let due: Option<(i64, i64)> = tx
            .prepare_cached("SELECT id, total_cents - paid_cents FROM orders WHERE customer_id = ?1 AND paid_cents < total_cents ORDER BY created_at DESC LIMIT 1")
            .expect("prepare")
            .query_row(params![customer], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .expect("select");
        let Some((order, amount)) = due else {
            tx.rollback().expect("rollback");
            return Outcome::RolledBack;
        };
        tx.prepare_cached("INSERT INTO payment (order_id, amount_cents, at) VALUES (?1, ?2, ?3)")
            .expect("prepare")
            .execute(params![order, amount, now_ms()])
            .expect("payment");
        tx.prepare_cached(
            "UPDATE orders SET paid_cents = paid_cents + ?1, version = version + 1 WHERE id = ?2",
        )
        .expect("prepare")
        .execute(params![amount, order])
        .expect("order");
        tx.prepare_cached("UPDATE customer SET paid_cents = paid_cents + ?1 WHERE id = ?2")
            .expect("prepare")
            .execute(params![amount, customer])
            .expect("customer");
        audit(&tx, order, "payment recorded");
        tx.commit().expect("commit");
        Outcome::Committed
    }

    fn order_status(
        conn: &mut Connection,
        rng: &mut Rng,
        customers: u64,
        recent: &RecentReferences,
    ) -> Outcome {
        // Half by reference, half by customer (latest order), as for ordo.
        let by_reference = recent.pick(rng).filter(|_| rng.percent(50));
        let latest: Option<i64> = match by_reference {
            Some(reference) => conn
                .prepare_cached("SELECT id FROM orders WHERE reference = ?1")
                .expect("prepare")
                .query_row(params![reference], |r| r.get(0))
                .optional()
                .expect("select"),
            None => conn
                .prepare_cached(
                    "SELECT id FROM orders WHERE customer_id = ?1 ORDER BY created_at DESC LIMIT 1",
                )
                .expect("prepare")
                .query_row(params![rng.below(customers) as i64], |r| r.get(0))
                .optional()
                .expect("select"),
        };
        let Some(order) = latest else {
            return Outcome::RolledBack;
        };
        let mut statement = conn
            .prepare_cached(
                "SELECT product_id, quantity, price_cents FROM order_line WHERE order_id = ?1",
            )
            .expect("prepare");
        let lines = statement
            .query_map(params![order], |r| r.get::<_, i64>(0))
            .expect("lines")
            .count();
        std::hint::black_box(lines);
        Outcome::Committed
    }

    fn delivery(conn: &mut Connection) -> Outcome {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("begin");
        let orders: Vec<i64> = tx
            .prepare_cached("SELECT id FROM orders WHERE status = ?1 ORDER BY created_at LIMIT 10")
            .expect("prepare")
            .query_map(params![PLACED], |r| r.get(0))
            .expect("select")
            .collect::<Result<_, _>>()
            .expect("rows");
        for order in &orders {
            let lines: Vec<(i64, i64, i64)> = tx
                .prepare_cached(
                    "SELECT product_id, warehouse, quantity FROM order_line WHERE order_id = ?1",
                )
                .expect("prepare")
                .query_map(params![order], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .expect("lines")
                .collect::<Result<_, _>>()
                .expect("rows");
            for (product, warehouse, quantity) in lines {
                tx.prepare_cached("UPDATE stock SET on_hand = on_hand - ?1, reserved = reserved - ?1 WHERE product_id = ?2 AND warehouse = ?3")
                    .expect("prepare")
                    .execute(params![quantity, product, warehouse])
                    .expect("consume");
            }
            // As ordo's batch: through confirmed, picking and packed to shipped, one audit
            // row per order.
            tx.prepare_cached("UPDATE orders SET status = ?1, version = version + 1 WHERE id = ?2")
                .expect("prepare")
                .execute(params![SHIPPED, order])
                .expect("ship");
            audit(&tx, *order, "shipped");
        }
        tx.commit().expect("commit");
        if orders.is_empty() {
            Outcome::RolledBack
        } else {
            Outcome::Committed
        }
    }

    fn stock_level(conn: &mut Connection) -> Outcome {
        let low: i64 = conn
            .prepare_cached(
                "SELECT COUNT(DISTINCT s.product_id) FROM (SELECT id FROM orders ORDER BY created_at DESC LIMIT 20) o
                 JOIN order_line l ON l.order_id = o.id JOIN stock s ON s.product_id = l.product_id
                 WHERE s.on_hand - s.reserved < ?1",
            )
            .expect("prepare")
            .query_row(params![STOCK_THRESHOLD as i64], |r| r.get(0))
            .expect("stock level");
        std::hint::black_box(low);
        Outcome::Committed
    }
}

fn audit(tx: &rusqlite::Transaction<'_>, entity: i64, action: &str) {
    tx.prepare_cached("INSERT INTO audit (at, entity, action) VALUES (?1, ?2, ?3)")
        .expect("prepare")
        .execute(params![now_ms(), entity, action])
        .expect("audit");
}

impl Driver for SqliteDriver {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn run(&self, kind: Transaction, rng: &mut Rng, scale: &Scale) -> Outcome {
        let customers = self.customers;
        self.with_connection(|conn| match kind {
            Transaction::NewOrder => {
                SqliteDriver::new_order(conn, rng, scale, customers, &self.recent)
            }
            Transaction::Payment => SqliteDriver::payment(conn, rng, customers),
            Transaction::OrderStatus => {
                SqliteDriver::order_status(conn, rng, customers, &self.recent)
            }
            Transaction::Delivery => SqliteDriver::delivery(conn),
            Transaction::StockLevel => SqliteDriver::stock_level(conn),
        })
    }
}
