//! The careful SQLite row: one write connection behind a leader/follower commit queue.
//!
//! A client decides before writing: it reads what its transaction needs (the customer, the
//! catalog, the order to pay) on a pooled read connection, then queues the write. The
//! first client to find no leader becomes the leader: it takes every queued write (at most
//! [`MAX_BATCH`]), runs them in ONE `BEGIN IMMEDIATE` transaction with a savepoint per
//! write — so a write that fails (stock short, a balance already paid, nothing to ship)
//! rolls back only itself — commits once (one fsync under FULL for the whole group),
//! answers every client of the group and steps down; a client still waiting then leads the
//! next group. The writer never checkpoints (`wal_autocheckpoint=0`): a background thread
//! does, nudged by the writer's WAL hook ([`super::checkpointer`]). Readers have their own connections (`query_only`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Condvar, Mutex};

use rusqlite::{Connection, TransactionBehavior};

use super::checkpointer::{CheckpointCounts, Checkpointer};
use super::pool::Connections;
use super::work::{self, Done, NewOrderPlan, PaymentPlan};
use super::{Synchronous, connect};
use crate::driver::{Driver, Outcome, RecentReferences};
use crate::rng::Rng;
use crate::workload::{Scale, Transaction};

/// Most writes one leader commits together (bounds the time a group holds the writer).
const MAX_BATCH: usize = 64;

/// A write queued for the leader.
#[derive(Debug)]
pub(super) enum Write {
    /// New-Order's writes for a plan read before.
    NewOrder(NewOrderPlan),
    /// Payment's writes for a plan read before.
    Payment(PaymentPlan),
    /// Delivery (it reads the oldest placed orders under the write lock).
    Delivery,
}

/// The queue's state, under one mutex.
#[derive(Default)]
struct Queue {
    /// Writes waiting for a leader, oldest first, each with its ticket.
    pending: Vec<(u64, Write)>,
    /// Answers not yet collected, by ticket (an error is the whole group's commit error).
    answers: HashMap<u64, Result<Done, String>>,
    next_ticket: u64,
    /// A leader is committing a group.
    leading: bool,
}

/// One write connection shared through a leader/follower commit queue.
pub(super) struct CommitQueue {
    queue: Mutex<Queue>,
    answered: Condvar,
    writer: Mutex<Connection>,
}

impl CommitQueue {
    /// A queue over `writer`.
    pub(super) fn new(writer: Connection) -> CommitQueue {
        CommitQueue {
            queue: Mutex::new(Queue::default()),
            answered: Condvar::new(),
            writer: Mutex::new(writer),
        }
    }

    /// Queues `write` and waits for its answer, leading a group if no one is.
    ///
    /// # Errors
    /// The text of the error that made the group's transaction fail.
    pub(super) fn submit(&self, write: Write) -> Result<Done, String> {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        queue.pending.push((ticket, write));
        loop {
            if let Some(answer) = queue.answers.remove(&ticket) {
                return answer;
            }
            if queue.leading {
                queue = self.answered.wait(queue).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            queue.leading = true;
            let take = queue.pending.len().min(MAX_BATCH);
            let group: Vec<(u64, Write)> = queue.pending.drain(..take).collect();
            drop(queue);
            let answers = self.commit_group(group);
            queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            queue.answers.extend(answers);
            queue.leading = false;
            self.answered.notify_all();
        }
    }

    /// Runs `group` in one transaction on the writer; every ticket's answer.
    fn commit_group(&self, group: Vec<(u64, Write)>) -> Vec<(u64, Result<Done, String>)> {
        let tickets: Vec<u64> = group.iter().map(|(ticket, _)| *ticket).collect();
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        match commit(&mut writer, group) {
            Ok(answers) => answers.into_iter().map(|(t, done)| (t, Ok(done))).collect(),
            Err(e) => {
                let message = format!("group commit of {} writes: {e}", tickets.len());
                tickets
                    .into_iter()
                    .map(|t| (t, Err(message.clone())))
                    .collect()
            }
        }
    }
}

/// One transaction for the whole group, a savepoint per write: a write that did not commit
/// is rolled back to its savepoint, the others stay.
///
/// # Errors
/// Whatever SQLite reports (the whole transaction is then rolled back).
pub(super) fn commit(
    conn: &mut Connection,
    mut group: Vec<(u64, Write)>,
) -> rusqlite::Result<Vec<(u64, Done)>> {
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut answers = Vec::with_capacity(group.len());
    if group.len() == 1
        && let Some((ticket, write)) = group.pop()
    {
        // A group of one needs no savepoint: the transaction is the write's own.
        let done = apply(&tx, write)?;
        if done.outcome == Outcome::Committed {
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        answers.push((ticket, done));
        return Ok(answers);
    }
    for (ticket, write) in group {
        let mut savepoint = tx.savepoint()?;
        let done = apply(&savepoint, write)?;
        if done.outcome != Outcome::Committed {
            savepoint.rollback()?;
        }
        // Releases the savepoint (after a rollback to it, releasing keeps nothing).
        savepoint.commit()?;
        answers.push((ticket, done));
    }
    tx.commit()?;
    Ok(answers)
}

/// Runs one queued write's statements.
fn apply(conn: &Connection, write: Write) -> rusqlite::Result<Done> {
    match write {
        Write::NewOrder(plan) => work::write_new_order(conn, plan),
        Write::Payment(plan) => work::write_payment(conn, &plan),
        Write::Delivery => work::delivery(conn),
    }
}

/// SQLite under test, the careful way: group commit over one writer, reads on their own
/// connections, a background checkpointer.
pub struct GroupCommitDriver {
    name: String,
    readers: Connections,
    writes: CommitQueue,
    checkpointer: Checkpointer,
    customers: u64,
    recent: RecentReferences,
}

impl GroupCommitDriver {
    /// A driver over the database at `path` with `threads` pooled read connections.
    pub fn new(
        name: &str,
        path: &Path,
        synchronous: Synchronous,
        threads: usize,
        scale: &Scale,
    ) -> GroupCommitDriver {
        let checkpointer =
            Checkpointer::start(path, synchronous).expect("start sqlite checkpointer");
        let mut writer = connect(path, synchronous).expect("open sqlite writer");
        checkpointer
            .attach(&mut writer)
            .expect("hand checkpoints to the checkpointer");
        GroupCommitDriver {
            name: name.to_string(),
            readers: Connections::open(path, synchronous, "PRAGMA query_only=1;", threads)
                .expect("open sqlite readers"),
            writes: CommitQueue::new(writer),
            checkpointer,
            customers: scale.customers,
            recent: RecentReferences::default(),
        }
    }

    /// What the background checkpointer did so far.
    pub fn checkpoints(&self) -> &CheckpointCounts {
        self.checkpointer.counts()
    }

    fn submit(&self, write: Write) -> Done {
        self.writes
            .submit(write)
            .unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    fn transaction(
        &self,
        kind: Transaction,
        rng: &mut Rng,
        scale: &Scale,
    ) -> rusqlite::Result<Outcome> {
        let customers = self.customers;
        Ok(match kind {
            Transaction::NewOrder => {
                match self
                    .readers
                    .with(|conn| work::plan_new_order(conn, rng, scale, customers))?
                {
                    Some(plan) => {
                        let done = self.submit(Write::NewOrder(plan));
                        if let Some(reference) = done.reference {
                            self.recent.push(reference);
                        }
                        done.outcome
                    }
                    None => Outcome::RolledBack,
                }
            }
            Transaction::Payment => {
                match self
                    .readers
                    .with(|conn| work::plan_payment(conn, rng, customers))?
                {
                    Some(plan) => self.submit(Write::Payment(plan)).outcome,
                    None => Outcome::RolledBack,
                }
            }
            Transaction::OrderStatus => {
                // Half by reference, half by customer (latest order), as for ordo.
                let reference = self.recent.pick(rng).filter(|_| rng.percent(50));
                self.readers
                    .with(|conn| work::order_status(conn, rng, customers, reference))?
            }
            Transaction::Delivery => self.submit(Write::Delivery).outcome,
            Transaction::StockLevel => self.readers.with(|conn| work::stock_level(conn))?,
        })
    }
}

impl Driver for GroupCommitDriver {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn run(&self, kind: Transaction, rng: &mut Rng, scale: &Scale) -> Outcome {
        self.transaction(kind, rng, scale)
            .unwrap_or_else(|e| panic!("{} {}: {e}", self.name, kind.name()))
    }

    fn settle(&self) {
        self.readers
            .checkpoint_everything()
            .unwrap_or_else(|e| panic!("{} checkpoint: {e}", self.name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite_driver::load;

    const SCALE: Scale = Scale {
        products: 50,
        customers: 5,
        warehouses: 2,
    };

    fn count(conn: &Connection, table: &str) -> i64 {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    /// Plans for `n` New-Orders that name only known items.
    fn new_orders(conn: &Connection, n: usize) -> Vec<NewOrderPlan> {
        let mut rng = Rng::new(7);
        let mut plans = Vec::new();
        while plans.len() < n {
            if let Some(plan) =
                work::plan_new_order(conn, &mut rng, &SCALE, SCALE.customers).unwrap()
            {
                plans.push(plan);
            }
        }
        plans
    }

    /// A write that fails in the middle of a group rolls back only itself: the group's
    /// other writes commit, and nothing of the failed one remains.
    #[test]
    fn a_failed_write_rolls_back_only_itself() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("group.db");
        load(&path, &SCALE);
        let mut conn = connect(&path, Synchronous::Normal).unwrap();
        let mut plans = new_orders(&conn, 4).into_iter();
        let first = plans.next().unwrap();
        let second = plans.next().unwrap();
        // Its earlier lines reserve stock before the last one finds too little.
        let greedy = plans.next().unwrap().with_last_quantity(1 << 40);
        let short = plans.next().unwrap().with_last_quantity(1 << 40);
        commit(&mut conn, vec![(0, Write::NewOrder(first))]).unwrap();
        let mut rng = Rng::new(3);
        let payment = (0..1_000)
            .find_map(|_| work::plan_payment(&conn, &mut rng, SCALE.customers).unwrap())
            .expect("the first order has a balance due");
        let (orders, lines, audit, notes) = (
            count(&conn, "orders"),
            count(&conn, "order_line"),
            count(&conn, "audit"),
            count(&conn, "notification"),
        );
        assert_eq!((orders, audit, notes), (1, 1, 1));

        // The same payment twice in one group: the second finds the balance paid (a
        // conflict); a New-Order runs short of stock on its last line. Both roll back to
        // their savepoints; the other new order and the delivery after it commit in the
        // same transaction.
        let answers = commit(
            &mut conn,
            vec![
                (1, Write::Payment(payment.clone())),
                (2, Write::Payment(payment)),
                (3, Write::NewOrder(greedy)),
                (4, Write::NewOrder(second)),
                (5, Write::Delivery),
            ],
        )
        .unwrap();
        let outcomes: Vec<(u64, Outcome)> = answers.iter().map(|(t, d)| (*t, d.outcome)).collect();
        assert_eq!(
            outcomes,
            vec![
                (1, Outcome::Committed),
                (2, Outcome::Conflict),
                (3, Outcome::RolledBack),
                (4, Outcome::Committed),
                (5, Outcome::Committed),
            ]
        );
        // Every unit reserved belongs to an order still placed (the delivery consumed the
        // shipped ones' reservations): the short order's earlier reservations are gone.
        let reserved: i64 = conn
            .query_row("SELECT SUM(reserved) FROM stock", [], |r| r.get(0))
            .unwrap();
        let held: i64 = conn
            .query_row(
                "SELECT COALESCE(SUM(l.quantity), 0) FROM order_line l JOIN orders o ON o.id = l.order_id
                 WHERE o.status = 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(reserved, held);
        assert_eq!(
            count(&conn, "payment"),
            1,
            "the conflicting payment left a row"
        );
        assert_eq!(count(&conn, "orders"), orders + 1);
        assert!(count(&conn, "order_line") > lines);
        // One audit and one notification per committed change: a payment, an order, two
        // shipped orders.
        assert_eq!(count(&conn, "audit"), audit + 4);
        assert_eq!(count(&conn, "notification"), notes + 4);
        let shipped: i64 = conn
            .query_row("SELECT COUNT(*) FROM orders WHERE status = 5", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(shipped, 2);

        // A group of one that does not commit (another New-Order short on its last line)
        // rolls its whole transaction back.
        let answers = commit(&mut conn, vec![(6, Write::NewOrder(short))]).unwrap();
        assert_eq!(answers.len(), 1);
        assert_eq!(answers[0].1.outcome, Outcome::RolledBack);
        assert_eq!(count(&conn, "orders"), orders + 1);
        let reserved_after: i64 = conn
            .query_row("SELECT SUM(reserved) FROM stock", [], |r| r.get(0))
            .unwrap();
        assert_eq!(reserved_after, reserved);
        assert_eq!(count(&conn, "audit"), audit + 4);
    }

    /// Many clients through the queue: every write is answered, and what committed is in
    /// the database.
    #[test]
    fn every_queued_write_is_answered() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("queue.db");
        load(&path, &SCALE);
        let plans = new_orders(&connect(&path, Synchronous::Normal).unwrap(), 40);
        let queue = CommitQueue::new(connect(&path, Synchronous::Normal).unwrap());
        let committed: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = plans
                .chunks(10)
                .map(|chunk| {
                    let queue = &queue;
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|plan| queue.submit(Write::NewOrder(plan.clone())).unwrap())
                            .filter(|done| done.outcome == Outcome::Committed)
                            .count()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(committed, 40);
        let conn = connect(&path, Synchronous::Normal).unwrap();
        assert_eq!(count(&conn, "orders"), 40);
        assert!(queue.queue.lock().unwrap().answers.is_empty());
    }
}
