//! The simple SQLite row: one pooled connection per client thread, each write transaction a
//! `BEGIN IMMEDIATE` of its own (its own commit, its own fsync under FULL), SQLite's
//! automatic checkpoints in whichever thread commits past 1,000 WAL pages.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, TransactionBehavior};

use super::work::{self, Done};
use super::{Synchronous, connect};
use crate::driver::{Driver, Outcome, RecentReferences};
use crate::rng::Rng;
use crate::workload::{Scale, Transaction};

/// Connections to one database, taken by a thread for one transaction and given back.
pub(super) struct Connections {
    path: PathBuf,
    synchronous: Synchronous,
    /// Extra pragmas for every connection of this pool (e.g. `PRAGMA query_only=1;`).
    pragmas: &'static str,
    idle: Mutex<Vec<Connection>>,
}

impl Connections {
    /// `count` connections opened now (more are opened if more threads ask at once).
    pub(super) fn open(
        path: &Path,
        synchronous: Synchronous,
        pragmas: &'static str,
        count: usize,
    ) -> rusqlite::Result<Connections> {
        let pool = Connections {
            path: path.to_path_buf(),
            synchronous,
            pragmas,
            idle: Mutex::new(Vec::with_capacity(count)),
        };
        let opened = (0..count)
            .map(|_| pool.connect())
            .collect::<rusqlite::Result<Vec<_>>>()?;
        *pool.idle.lock().unwrap_or_else(|p| p.into_inner()) = opened;
        Ok(pool)
    }

    fn connect(&self) -> rusqlite::Result<Connection> {
        let conn = connect(&self.path, self.synchronous)?;
        conn.execute_batch(self.pragmas)?;
        Ok(conn)
    }

    /// Moves the whole write-ahead log into the database file and truncates it (a
    /// `TRUNCATE` checkpoint on a connection of its own): the deferred work of every
    /// commit so far, paid now.
    ///
    /// # Errors
    /// Opening the connection or the checkpoint.
    pub(super) fn checkpoint_everything(&self) -> rusqlite::Result<()> {
        let conn = connect(&self.path, self.synchronous)?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE);", [], |_| Ok(()))
    }

    /// Runs `f` on an idle connection (a new one if none is idle).
    ///
    /// # Errors
    /// Opening a connection, or what `f` returns.
    pub(super) fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let taken = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match taken {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let result = f(&mut conn);
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(conn);
        result
    }
}

/// SQLite under test, the simple way: one connection per client thread, pooled.
pub struct SqliteDriver {
    name: String,
    connections: Connections,
    customers: u64,
    recent: RecentReferences,
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
        SqliteDriver {
            name: name.to_string(),
            connections: Connections::open(path, synchronous, "", threads)
                .expect("open sqlite pool"),
            customers: scale.customers,
            recent: RecentReferences::default(),
        }
    }

    fn transaction(
        &self,
        kind: Transaction,
        rng: &mut Rng,
        scale: &Scale,
    ) -> rusqlite::Result<Outcome> {
        let customers = self.customers;
        self.connections.with(|conn| match kind {
            Transaction::NewOrder => {
                let done = in_write_transaction(conn, |tx| {
                    match work::plan_new_order(tx, rng, scale, customers)? {
                        Some(plan) => work::write_new_order(tx, plan),
                        None => Ok(Done::rolled_back()),
                    }
                })?;
                if let Some(reference) = done.reference {
                    self.recent.push(reference);
                }
                Ok(done.outcome)
            }
            Transaction::Payment => {
                Ok(in_write_transaction(conn, |tx| {
                    match work::plan_payment(tx, rng, customers)? {
                        Some(plan) => work::write_payment(tx, &plan),
                        None => Ok(Done::rolled_back()),
                    }
                })?
                .outcome)
            }
            Transaction::OrderStatus => {
                // Half by reference, half by customer (latest order), as for ordo.
                let reference = self.recent.pick(rng).filter(|_| rng.percent(50));
                work::order_status(conn, rng, customers, reference)
            }
            Transaction::Delivery => Ok(in_write_transaction(conn, work::delivery)?.outcome),
            Transaction::StockLevel => work::stock_level(conn),
        })
    }
}

/// Runs `body` in a `BEGIN IMMEDIATE` transaction: committed if it committed, else rolled
/// back.
fn in_write_transaction(
    conn: &mut Connection,
    body: impl FnOnce(&Connection) -> rusqlite::Result<Done>,
) -> rusqlite::Result<Done> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let done = body(&tx)?;
    if done.outcome == Outcome::Committed {
        tx.commit()?;
    } else {
        tx.rollback()?;
    }
    Ok(done)
}

impl Driver for SqliteDriver {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn run(&self, kind: Transaction, rng: &mut Rng, scale: &Scale) -> Outcome {
        self.transaction(kind, rng, scale)
            .unwrap_or_else(|e| panic!("{} {}: {e}", self.name, kind.name()))
    }

    fn settle(&self) {
        self.connections
            .checkpoint_everything()
            .unwrap_or_else(|e| panic!("{} checkpoint: {e}", self.name));
    }
}
