//! What every system under test implements.

use crate::rng::Rng;
use crate::workload::{Scale, Transaction};

/// How a transaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Committed.
    Committed,
    /// Rolled back on purpose (New-Order with an unknown item) or found nothing to do.
    RolledBack,
    /// Lost a race and gave up (counted, not retried by the driver).
    Conflict,
}

/// A system under test, shared by all client threads.
pub trait Driver: Send + Sync {
    /// Name in the report.
    fn name(&self) -> String;

    /// Runs one transaction of kind `kind` for a client with `rng`.
    fn run(&self, kind: Transaction, rng: &mut Rng, scale: &Scale) -> Outcome;

    /// Pays the work the run's commits deferred (a sled checkpoint, a SQLite WAL
    /// checkpoint), after the clients stop and before the clock does, so a run's throughput
    /// includes it. Nothing by default.
    fn settle(&self) {}
}

/// The last references New-Order created, for Order-Status by reference (shared by clients).
#[derive(Debug, Default)]
pub struct RecentReferences {
    ring: std::sync::Mutex<std::collections::VecDeque<String>>,
}

impl RecentReferences {
    /// Most references kept.
    const KEEP: usize = 1_000;

    /// Remembers a new reference.
    pub fn push(&self, reference: String) {
        let mut ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        if ring.len() == Self::KEEP {
            ring.pop_front();
        }
        ring.push_back(reference);
    }

    /// A random remembered reference.
    pub fn pick(&self, rng: &mut Rng) -> Option<String> {
        let ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        if ring.is_empty() {
            return None;
        }
        ring.get(rng.below(ring.len() as u64) as usize).cloned()
    }
}
