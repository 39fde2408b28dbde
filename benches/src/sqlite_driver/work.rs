//! The transaction bodies both SQLite drivers run (see the table at the top of
//! [`super`]): reads that decide (`plan_*`), writes that apply a decision (`write_*`,
//! `delivery`), and the two read-only transactions. Each takes a plain connection (a
//! transaction or savepoint derefs to one) and leaves commit or rollback to its caller.

use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::driver::Outcome;
use crate::rng::Rng;
use crate::workload::{self, STOCK_THRESHOLD, Scale};

/// `customer.status` of a customer who may order.
pub(super) const ACTIVE: i64 = 1;
/// `orders.status` of a placed order.
const PLACED: i64 = 1;
/// `orders.status` of a shipped order.
const SHIPPED: i64 = 5;
/// `notification.status` of a queued notification.
const QUEUED: i64 = 0;
/// `notification.channel` SMS.
const SMS: i64 = 0;
/// Who the audit names (the benchmark's clients act as the local administrator).
const ACTOR: &str = "local admin test";

/// How a write ended, and the reference of a placed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Done {
    /// The outcome the driver reports.
    pub(super) outcome: Outcome,
    /// The new order's reference (New-Order, committed).
    pub(super) reference: Option<String>,
}

impl Done {
    fn outcome(outcome: Outcome) -> Done {
        Done {
            outcome,
            reference: None,
        }
    }

    /// Rolled back on purpose (an unknown item, nothing to do).
    pub(super) fn rolled_back() -> Done {
        Done::outcome(Outcome::RolledBack)
    }
}

/// A line New-Order decided on: the product as read, and the quantity.
#[derive(Debug, Clone)]
struct PlannedLine {
    product: i64,
    sku: String,
    name: String,
    price_cents: i64,
    quantity: i64,
}

/// What New-Order read and decided before writing.
#[derive(Debug, Clone)]
pub(super) struct NewOrderPlan {
    customer: i64,
    customer_name: String,
    address: String,
    phone: String,
    tax_percent: i64,
    shipping_cents: i64,
    lines: Vec<PlannedLine>,
    reference: String,
    /// Draws another reference on the rare collision.
    rng: Rng,
}

impl NewOrderPlan {
    /// The plan with its last line asking for `quantity` units (tests: a line that cannot
    /// be reserved after the others were).
    #[cfg(test)]
    pub(super) fn with_last_quantity(mut self, quantity: i64) -> NewOrderPlan {
        if let Some(line) = self.lines.last_mut() {
            line.quantity = quantity;
        }
        self
    }
}

/// What Payment decided before writing: pay `amount_cents` on `order`.
#[derive(Debug, Clone)]
pub(super) struct PaymentPlan {
    order: i64,
    customer: i64,
    phone: String,
    amount_cents: i64,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn reference(rng: &mut Rng) -> String {
    (0..8)
        .map(|_| char::from(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"[rng.below(32) as usize]))
        .collect()
}

/// Money in cents as ordo prints it (`12.34`).
fn cents(amount: i64) -> Decimal {
    Decimal::new(amount, 2)
}

/// New-Order's reads: the customer, the pricing settings and every item's product, in
/// that order (ordo resolves every item before anything else). `None` when an item is
/// unknown (the 1 % roll-back) or the customer may not order.
///
/// # Errors
/// Whatever SQLite reports.
pub(super) fn plan_new_order(
    conn: &Connection,
    rng: &mut Rng,
    scale: &Scale,
    customers: u64,
) -> rusqlite::Result<Option<NewOrderPlan>> {
    let items = workload::new_order_items(rng, scale);
    let customer = rng.below(customers) as i64;
    let reference = reference(rng);
    let Some((customer_name, address, phone, status)) = conn
        .prepare_cached("SELECT name, address, phone, status FROM customer WHERE id = ?1")?
        .query_row(params![customer], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    if status != ACTIVE {
        return Ok(None);
    }
    let (tax_percent, shipping_cents): (i64, i64) = conn
        .prepare_cached("SELECT tax_percent, shipping_cents FROM pricing WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut lines = Vec::with_capacity(items.len());
    for (product, quantity) in &items {
        let sku = match product {
            Some(p) => workload::sku(*p),
            None => "UNKNOWN".to_string(),
        };
        let found = conn
            .prepare_cached("SELECT id, name, price_cents FROM product WHERE sku = ?1")?
            .query_row(params![sku], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .optional()?;
        let Some((product, name, price_cents)) = found else {
            return Ok(None);
        };
        lines.push(PlannedLine {
            product,
            sku,
            name,
            price_cents,
            quantity: i64::from(*quantity),
        });
    }
    Ok(Some(NewOrderPlan {
        customer,
        customer_name,
        address,
        phone,
        tax_percent,
        shipping_cents,
        lines,
        reference,
        rng: rng.clone(),
    }))
}

/// Reserves one line's units in the warehouse with most available; `None` if even that one
/// has too few (ordo refuses with `InsufficientStock`).
fn reserve(conn: &Connection, line: &PlannedLine) -> rusqlite::Result<Option<i64>> {
    let (warehouse, available): (i64, i64) = conn
        .prepare_cached("SELECT warehouse, on_hand - reserved AS a FROM stock WHERE product_id = ?1 ORDER BY a DESC, warehouse LIMIT 1")?
        .query_row(params![line.product], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if available < line.quantity {
        return Ok(None);
    }
    conn.prepare_cached(
        "UPDATE stock SET reserved = reserved + ?1 WHERE product_id = ?2 AND warehouse = ?3",
    )?
    .execute(params![line.quantity, line.product, warehouse])?;
    Ok(Some(warehouse))
}

/// Inserts the order header, drawing another reference on a collision (references are
/// random, like ordo's). The order's id and the reference used.
fn insert_order(
    conn: &Connection,
    plan: &mut NewOrderPlan,
    totals: [i64; 4],
    now: i64,
) -> rusqlite::Result<(i64, String)> {
    let [subtotal, tax, shipping, total] = totals;
    let mut reference = plan.reference.clone();
    let mut attempts = 0;
    loop {
        let inserted = conn
            .prepare_cached(
                "INSERT INTO orders (reference, customer_id, customer_name, ship_address, status, created_at,
                                     subtotal_cents, tax_cents, shipping_cents, total_cents)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                reference,
                plan.customer,
                plan.customer_name,
                plan.address,
                PLACED,
                now,
                subtotal,
                tax,
                shipping,
                total
            ]);
        match inserted {
            Ok(_) => return Ok((conn.last_insert_rowid(), reference)),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation && attempts < 8 =>
            {
                attempts += 1;
                reference = self::reference(&mut plan.rng);
            }
            Err(e) => return Err(e),
        }
    }
}

/// New-Order's writes for a plan: reserve stock per line, the order with its snapshots and
/// lines, the audit row, the notification row. Rolled back (by the caller) when a line
/// cannot be reserved.
///
/// # Errors
/// Whatever SQLite reports.
pub(super) fn write_new_order(conn: &Connection, mut plan: NewOrderPlan) -> rusqlite::Result<Done> {
    let mut warehouses = Vec::with_capacity(plan.lines.len());
    for line in &plan.lines {
        match reserve(conn, line)? {
            Some(warehouse) => warehouses.push(warehouse),
            None => return Ok(Done::rolled_back()),
        }
    }
    let subtotal: i64 = plan.lines.iter().map(|l| l.price_cents * l.quantity).sum();
    // Tax rounded half to even to the cent, then shipping: the same arithmetic as ordo.
    let tax = (cents(subtotal) * Decimal::new(plan.tax_percent, 2))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
    let tax_cents = (tax * Decimal::ONE_HUNDRED).trunc().mantissa() as i64;
    let shipping = plan.shipping_cents;
    let total = subtotal + tax_cents + shipping;
    let now = now_ms();
    let (order, reference) =
        insert_order(conn, &mut plan, [subtotal, tax_cents, shipping, total], now)?;
    for (line_no, (line, warehouse)) in plan.lines.iter().zip(&warehouses).enumerate() {
        conn.prepare_cached(
            "INSERT INTO order_line (order_id, line_no, product_id, sku, name, warehouse, quantity, price_cents,
                                     tax_percent, total_cents)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            order,
            line_no as i64,
            line.product,
            line.sku,
            line.name,
            warehouse,
            line.quantity,
            line.price_cents,
            plan.tax_percent,
            line.price_cents * line.quantity
        ])?;
    }
    let items: Vec<String> = plan
        .lines
        .iter()
        .map(|l| format!("{}×{}", l.sku, l.quantity))
        .collect();
    let changes = format!(
        r#"[{{"field":"status","to":"placed"}},{{"field":"items","to":"{}"}},{{"field":"total","to":"{}"}},{{"field":"reference","to":"{reference}"}}]"#,
        items.join(", "),
        cents(total)
    );
    audit(conn, now, "order created", order, plan.customer, &changes)?;
    let event = format!(
        r#"{{"event":"order placed","order":{order},"reference":"{reference}","customer":{},"total":"{}"}}"#,
        plan.customer,
        cents(total)
    );
    notify(conn, now, &plan.phone, order, &event)?;
    Ok(Done {
        outcome: Outcome::Committed,
        reference: Some(reference),
    })
}

/// Payment's read: the customer's latest order with a balance due. `None` if there is
/// none.
///
/// # Errors
/// Whatever SQLite reports.
pub(super) fn plan_payment(
    conn: &Connection,
    rng: &mut Rng,
    customers: u64,
) -> rusqlite::Result<Option<PaymentPlan>> {
    let customer = rng.below(customers) as i64;
    let due = conn
        .prepare_cached(
            "SELECT o.id, o.total_cents - o.paid_cents, c.phone FROM orders o JOIN customer c ON c.id = o.customer_id
             WHERE o.customer_id = ?1 AND o.paid_cents < o.total_cents ORDER BY o.created_at DESC LIMIT 1",
        )?
        .query_row(params![customer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(due.map(|(order, amount_cents, phone)| PaymentPlan {
        order,
        customer,
        phone,
        amount_cents,
    }))
}

/// Payment's writes: the order's paid amount (only if the balance still covers it, else a
/// `Conflict` as ordo reports when another client paid first), the payment row, the audit
/// row, the notification row.
///
/// # Errors
/// Whatever SQLite reports.
pub(super) fn write_payment(conn: &Connection, plan: &PaymentPlan) -> rusqlite::Result<Done> {
    let paid = conn
        .prepare_cached(
            "UPDATE orders SET paid_cents = paid_cents + ?1, version = version + 1
             WHERE id = ?2 AND paid_cents + ?1 <= total_cents",
        )?
        .execute(params![plan.amount_cents, plan.order])?;
    if paid == 0 {
        return Ok(Done::outcome(Outcome::Conflict));
    }
    let now = now_ms();
    conn.prepare_cached(
        "INSERT INTO payment (order_id, amount_cents, method, at) VALUES (?1, ?2, 'card', ?3)",
    )?
    .execute(params![plan.order, plan.amount_cents, now])?;
    let amount = cents(plan.amount_cents);
    let changes = format!(r#"[{{"field":"payment","to":"{amount} card"}}]"#);
    audit(
        conn,
        now,
        "payment recorded",
        plan.order,
        plan.customer,
        &changes,
    )?;
    let event = format!(
        r#"{{"event":"payment recorded","order":{},"customer":{},"amount":"{amount}"}}"#,
        plan.order, plan.customer
    );
    notify(conn, now, &plan.phone, plan.order, &event)?;
    Ok(Done::outcome(Outcome::Committed))
}

/// Delivery: ships the ten oldest placed orders (stock consumed, status, audit row and
/// notification row per order). Rolled back when there is none.
///
/// # Errors
/// Whatever SQLite reports.
pub(super) fn delivery(conn: &Connection) -> rusqlite::Result<Done> {
    let orders: Vec<(i64, i64, String)> = conn
        .prepare_cached(
            "SELECT o.id, o.customer_id, c.phone FROM orders o JOIN customer c ON c.id = o.customer_id
             WHERE o.status = ?1 ORDER BY o.created_at LIMIT 10",
        )?
        .query_map(params![PLACED], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    if orders.is_empty() {
        return Ok(Done::rolled_back());
    }
    let now = now_ms();
    for (order, customer, phone) in &orders {
        let lines: Vec<(i64, i64, i64)> = conn
            .prepare_cached(
                "SELECT product_id, warehouse, quantity FROM order_line WHERE order_id = ?1",
            )?
            .query_map(params![order], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        for (product, warehouse, quantity) in lines {
            conn.prepare_cached("UPDATE stock SET on_hand = on_hand - ?1, reserved = reserved - ?1 WHERE product_id = ?2 AND warehouse = ?3")?
                .execute(params![quantity, product, warehouse])?;
        }
        conn.prepare_cached(
            "UPDATE orders SET status = ?1, shipped_at = ?2, version = version + 1 WHERE id = ?3",
        )?
        .execute(params![SHIPPED, now, order])?;
        let changes = r#"[{"field":"status","from":"placed","to":"shipped"},{"field":"passed through","to":"confirmed, picking, packed"}]"#;
        audit(conn, now, "status changed", *order, *customer, changes)?;
        let event = format!(
            r#"{{"event":"order status changed","order":{order},"customer":{customer},"from":"placed","to":"shipped"}}"#
        );
        notify(conn, now, phone, *order, &event)?;
    }
    Ok(Done::outcome(Outcome::Committed))
}

/// Order-Status: half by a recent reference, half the customer's latest order; the order
/// and its lines. Rolled back when there is no such order.
///
/// # Errors
/// Whatever SQLite reports.
pub(super) fn order_status(
    conn: &Connection,
    rng: &mut Rng,
    customers: u64,
    reference: Option<String>,
) -> rusqlite::Result<Outcome> {
    let read = |r: &rusqlite::Row<'_>| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
        ))
    };
    let latest = match reference {
        Some(reference) => conn
            .prepare_cached(
                "SELECT id, status, total_cents, customer_name FROM orders WHERE reference = ?1",
            )?
            .query_row(params![reference], read)
            .optional()?,
        None => conn
            .prepare_cached(
                "SELECT id, status, total_cents, customer_name FROM orders WHERE customer_id = ?1
                 ORDER BY created_at DESC LIMIT 1",
            )?
            .query_row(params![rng.below(customers) as i64], read)
            .optional()?,
    };
    let Some((order, status, total, name)) = latest else {
        return Ok(Outcome::RolledBack);
    };
    std::hint::black_box((status, total, name));
    let mut statement = conn.prepare_cached(
        "SELECT sku, name, quantity, price_cents, warehouse FROM order_line WHERE order_id = ?1",
    )?;
    let lines = statement
        .query_map(params![order], |r| r.get::<_, String>(0))?
        .count();
    std::hint::black_box(lines);
    Ok(Outcome::Committed)
}

/// Stock-Level: low-stock products among the last 20 orders' items.
///
/// # Errors
/// Whatever SQLite reports.
pub(super) fn stock_level(conn: &Connection) -> rusqlite::Result<Outcome> {
    let low: i64 = conn
        .prepare_cached(
            "SELECT COUNT(DISTINCT s.product_id) FROM (SELECT id FROM orders ORDER BY created_at DESC LIMIT 20) o
             JOIN order_line l ON l.order_id = o.id JOIN stock s ON s.product_id = l.product_id
             WHERE s.on_hand - s.reserved < ?1",
        )?
        .query_row(params![STOCK_THRESHOLD as i64], |r| r.get(0))?;
    std::hint::black_box(low);
    Ok(Outcome::Committed)
}

fn audit(
    conn: &Connection,
    at: i64,
    action: &str,
    order: i64,
    customer: i64,
    changes: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit (at, actor, action, order_id, customer_id, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![at, ACTOR, action, order, customer, changes])?;
    Ok(())
}

fn notify(
    conn: &Connection,
    at: i64,
    phone: &str,
    order: i64,
    event: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO notification (created_at, status, channel, not_before, recipient, order_id, event)
         VALUES (?1, ?2, ?3, ?1, ?4, ?5, ?6)",
    )?
    .execute(params![at, QUEUED, SMS, phone, order, event])?;
    Ok(())
}
