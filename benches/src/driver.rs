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
}
