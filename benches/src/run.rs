//! Runs a driver with client threads for a while and summarizes what happened.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::driver::{Driver, Outcome};
use crate::rng::Rng;
use crate::workload::{Scale, TRANSACTIONS, Transaction};

/// Counts and latencies of one run.
#[derive(Debug, Clone, Default)]
pub struct RunStats {
    /// Wall time of the run, the settling included.
    pub elapsed: Duration,
    /// Of which the driver's settling took (see [`Driver::settle`]).
    pub settled: Duration,
    /// Per transaction kind: (committed, rolled back, conflicts).
    pub counts: BTreeMap<Transaction, (u64, u64, u64)>,
    /// Per transaction kind: latencies in microseconds, sorted.
    pub latencies_us: BTreeMap<Transaction, Vec<u32>>,
}

impl RunStats {
    /// Transactions per second of `kind` that completed (committed or rolled back on purpose).
    pub fn per_second(&self, kind: Transaction) -> f64 {
        let (committed, rolled_back, _) = self.counts.get(&kind).copied().unwrap_or_default();
        (committed + rolled_back) as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// All transactions per second.
    pub fn total_per_second(&self) -> f64 {
        TRANSACTIONS.iter().map(|k| self.per_second(*k)).sum()
    }

    /// The `q`-quantile latency of `kind` in microseconds (0 if none ran).
    pub fn latency_us(&self, kind: Transaction, q: f64) -> u32 {
        let values = self
            .latencies_us
            .get(&kind)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if values.is_empty() {
            return 0;
        }
        let index = ((values.len() as f64 - 1.0) * q).round() as usize;
        values[index.min(values.len() - 1)]
    }

    /// Conflicts of all kinds.
    pub fn conflicts(&self) -> u64 {
        self.counts.values().map(|c| c.2).sum()
    }
}

/// Runs `driver` with `threads` clients for `duration`, each client with its own generator.
pub fn run(
    driver: &dyn Driver,
    scale: &Scale,
    threads: usize,
    duration: Duration,
    seed: u64,
) -> RunStats {
    let start = Instant::now();
    let deadline = start + duration;
    let per_thread: Vec<RunStats> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut rng = Rng::new(seed.wrapping_mul(1_000_003).wrapping_add(t as u64 + 1));
                    let mut stats = RunStats::default();
                    while Instant::now() < deadline {
                        let kind = Transaction::pick(&mut rng);
                        let began = Instant::now();
                        let outcome = driver.run(kind, &mut rng, scale);
                        let micros = u32::try_from(began.elapsed().as_micros()).unwrap_or(u32::MAX);
                        let counts = stats.counts.entry(kind).or_default();
                        match outcome {
                            Outcome::Committed => counts.0 += 1,
                            Outcome::RolledBack => counts.1 += 1,
                            Outcome::Conflict => counts.2 += 1,
                        }
                        stats.latencies_us.entry(kind).or_default().push(micros);
                    }
                    stats
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client thread"))
            .collect()
    });
    // The deferred work of what the clients committed counts in the run's time.
    let settling = Instant::now();
    driver.settle();
    let mut total = RunStats {
        elapsed: start.elapsed(),
        settled: settling.elapsed(),
        ..RunStats::default()
    };
    for stats in per_thread {
        for (kind, (c, r, x)) in stats.counts {
            let entry = total.counts.entry(kind).or_default();
            entry.0 += c;
            entry.1 += r;
            entry.2 += x;
        }
        for (kind, mut values) in stats.latencies_us {
            total
                .latencies_us
                .entry(kind)
                .or_default()
                .append(&mut values);
        }
    }
    for values in total.latencies_us.values_mut() {
        values.sort_unstable();
    }
    total
}
