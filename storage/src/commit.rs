//! The commit queue: how callers hand work to the single [`Writer`] without a thread of
//! its own.
//!
//! There is one `Writer` (so one committer at a time, as [`crate::writer`] requires), but
//! no writer thread: the caller that finds the writer free takes it and becomes the
//! **leader**. It commits everything queued at that moment — its own request and those of
//! callers that arrived meanwhile (the **followers**, who wait) — as one batch with one
//! flush, answers each follower, and then either puts the writer back or, if more work
//! queued up during its commit, hands the writer straight to the oldest waiting caller,
//! who leads the next batch. This is the group commit of LevelDB and RocksDB.
//!
//! A dedicated writer thread costs two thread switches per request (wake the writer, wake
//! the caller); here a caller alone never sleeps, and each follower is woken once.
//!
//! Bounds: each caller has one request in the queue at a time, so the queue holds at most
//! as many requests as there are calling threads; a batch takes at most
//! [`MAX_BATCH`] of them.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use ordo_core::store::StoreError;

use crate::writer::{Answer, MAX_BATCH, Work, Writer};

/// Where one caller waits for its answer, or for the writer to be handed to it.
struct Ticket {
    state: Mutex<TicketState>,
    changed: Condvar,
}

enum TicketState {
    /// Queued.
    Waiting,
    /// The previous leader handed over the writer: lead the next batch.
    Lead(Box<Writer>),
    /// Committed (or refused) by a leader.
    Done(Answer),
}

impl Ticket {
    fn new() -> Arc<Ticket> {
        Arc::new(Ticket {
            state: Mutex::new(TicketState::Waiting),
            changed: Condvar::new(),
        })
    }

    fn set(&self, state: TicketState) {
        *lock(&self.state) = state;
        self.changed.notify_one();
    }

    /// Blocks until the ticket is answered or promoted.
    fn wait(&self) -> TicketState {
        let mut state = lock(&self.state);
        loop {
            match std::mem::replace(&mut *state, TicketState::Waiting) {
                TicketState::Waiting => {
                    state = self
                        .changed
                        .wait(state)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                other => return other,
            }
        }
    }
}

/// Requests waiting for a leader, and the writer while no one leads.
struct Queue {
    pending: VecDeque<(Work, Arc<Ticket>)>,
    /// `None` while a leader holds the writer (or it is being handed over).
    idle_writer: Option<Box<Writer>>,
}

/// The commit queue in front of the store's one [`Writer`].
pub(crate) struct CommitQueue {
    queue: Mutex<Queue>,
}

/// Poisoning would mean a panic while the lock was held; every critical section here only
/// moves values in and out, so the data is whole either way.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl CommitQueue {
    /// A queue in front of `writer`.
    pub(crate) fn new(writer: Writer) -> CommitQueue {
        CommitQueue {
            queue: Mutex::new(Queue {
                pending: VecDeque::new(),
                idle_writer: Some(Box::new(writer)),
            }),
        }
    }

    /// Queues `work` and returns its answer once it is committed (and, in `Immediate`
    /// mode, durable) or refused.
    pub(crate) fn submit(&self, work: Work) -> Answer {
        let ticket = Ticket::new();
        let writer = {
            let mut queue = lock(&self.queue);
            queue.pending.push_back((work, ticket.clone()));
            queue.idle_writer.take()
        };
        let writer = match writer {
            Some(writer) => writer,
            None => match ticket.wait() {
                TicketState::Done(answer) => return answer,
                TicketState::Lead(writer) => writer,
                // `wait` returns only a changed state.
                TicketState::Waiting => return Answer::refused(unanswered()),
            },
        };
        self.lead(writer, &ticket)
    }

    /// Commits batches until `mine` is answered, then passes the writer on.
    fn lead(&self, mut writer: Box<Writer>, mine: &Arc<Ticket>) -> Answer {
        let mut my_answer = None;
        // Bounded: each round answers up to MAX_BATCH requests queued before `mine`, and
        // at most as many as there are callers are queued.
        while my_answer.is_none() {
            let batch: Vec<(Work, Arc<Ticket>)> = {
                let mut queue = lock(&self.queue);
                let take = queue.pending.len().min(MAX_BATCH);
                queue.pending.drain(..take).collect()
            };
            if batch.is_empty() {
                // Cannot happen while `mine` is unanswered; never spin on it.
                my_answer = Some(Answer::refused(unanswered()));
                break;
            }
            let (works, tickets): (Vec<Work>, Vec<Arc<Ticket>>) = batch.into_iter().unzip();
            let answers = process_guarded(&mut writer, works);
            for (ticket, answer) in tickets.into_iter().zip(answers) {
                if Arc::ptr_eq(&ticket, mine) {
                    my_answer = Some(answer);
                } else {
                    ticket.set(TicketState::Done(answer));
                }
            }
        }
        self.pass_on(writer);
        my_answer.unwrap_or_else(|| Answer::refused(unanswered()))
    }

    /// Hands the writer to the oldest waiting caller, or parks it if no one waits.
    fn pass_on(&self, writer: Box<Writer>) {
        let mut queue = lock(&self.queue);
        match queue.pending.front() {
            // The ticket's owner takes its own work from the queue when it leads.
            Some((_, next)) => next.set(TicketState::Lead(writer)),
            None => queue.idle_writer = Some(writer),
        }
    }

    /// The writer, once no call is in progress (the store is being dropped).
    pub(crate) fn into_writer(self) -> Option<Box<Writer>> {
        self.queue
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .idle_writer
    }
}

/// Runs one batch; a panic inside (a bug) stops the writer instead of stranding callers.
fn process_guarded(writer: &mut Writer, works: Vec<Work>) -> Vec<Answer> {
    let count = works.len();
    match catch_unwind(AssertUnwindSafe(|| writer.process(works))) {
        Ok(answers) => answers,
        Err(_) => {
            writer.stop("the storage writer panicked");
            (0..count)
                .map(|_| {
                    Answer::refused(StoreError::Io(
                        "the storage writer panicked; reopen the store".to_string(),
                    ))
                })
                .collect()
        }
    }
}

fn unanswered() -> StoreError {
    StoreError::Io("the storage writer did not answer".to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ordo_core::ids::OrderId;
    use ordo_core::store::{
        Expected, IdempotencyRecord, Record, RecordKey, Store, StoreError, WriteSet,
    };

    use crate::SledStore;

    fn marker(key: &str, fingerprint: String) -> WriteSet {
        let mut writes = WriteSet::new();
        writes.put(
            Record::Idempotency(IdempotencyRecord {
                key: key.to_string(),
                fingerprint,
                order: OrderId(1),
                created_at: ordo_core::clock::Timestamp(0),
            }),
            Expected::Absent,
        );
        writes
    }

    /// Many callers at once: every one is answered, each with its own outcome (one
    /// winner per contested key, all private keys stored), and backups taken by whichever
    /// caller leads see whole batches.
    #[test]
    fn every_caller_gets_its_own_answer_whoever_leads() {
        const THREADS: usize = 16;
        const WRITES: usize = 60;
        let store = Arc::new(SledStore::temporary().unwrap());
        let backups = tempfile::tempdir().unwrap();
        let handles: Vec<_> = (0..THREADS)
            .map(|thread| {
                let store = store.clone();
                let dir = backups.path().to_path_buf();
                std::thread::spawn(move || {
                    let mut won = 0;
                    for n in 0..WRITES {
                        let own = marker(&format!("own-{thread}-{n}"), thread.to_string());
                        store.apply(own).unwrap();
                        // Every thread races for the same key: only the first put of it wins.
                        match store.apply(marker(&format!("shared-{n}"), thread.to_string())) {
                            Ok(()) => won += 1,
                            Err(StoreError::Conflict) => {}
                            Err(other) => panic!("unexpected {other}"),
                        }
                        if n % 20 == 0 {
                            let file = dir.join(format!("{thread}-{n}.ordo-backup"));
                            let info = store.backup(&file).unwrap();
                            // This caller's own writes so far are committed, so in it.
                            let stored = info.entries_of("idempotency").unwrap();
                            assert!(stored > n as u64, "{stored} records in backup {n}");
                            assert_eq!(crate::backup::verify(&file).unwrap(), info);
                        }
                    }
                    won
                })
            })
            .collect();
        let won: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(won, WRITES, "exactly one winner per shared key");
        for thread in 0..THREADS {
            for n in 0..WRITES {
                let key = RecordKey::Idempotency(format!("own-{thread}-{n}"));
                assert!(store.get(&key).unwrap().is_some(), "{key} lost");
            }
        }
        let stats = store.stats();
        assert_eq!(stats.write_sets, (THREADS * WRITES + WRITES) as u64);
        assert_eq!(stats.rejected, ((THREADS - 1) * WRITES) as u64);
    }
}
