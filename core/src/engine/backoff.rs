//! How long a command waits before it tries again after losing a race: nothing the first
//! time (a yield, as a lost race is usually over at once), then exponentially longer with
//! jitter, so commands contending for one hot record (the last units of a best seller) on
//! a shared database do not all come back at the same instant and lose again.

use std::hash::{BuildHasher, Hash, Hasher};
use std::time::Duration;

/// The first wait's ceiling; each later one doubles it.
const BASE: Duration = Duration::from_micros(50);

/// The longest ceiling.
const CEILING: Duration = Duration::from_millis(10);

/// The wait before attempt `retry` + 1 (`retry` = 0 after the first lost race): a random
/// duration in `[0, min(BASE · 2^retry, CEILING))`, zero (a yield) for `retry` = 0.
pub(super) fn wait(retry: u32) -> Duration {
    if retry == 0 {
        return Duration::ZERO;
    }
    let ceiling = BASE.saturating_mul(1u32 << retry.min(20)).min(CEILING);
    // Jitter from std's per-process random hasher keys: no RNG crate, no I/O.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    retry.hash(&mut hasher);
    std::thread::current().id().hash(&mut hasher);
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX).max(1);
    Duration::from_nanos(hasher.finish() % nanos)
}

/// Waits before the next attempt (see [`wait`]).
pub(super) fn pause(retry: u32) {
    let wait = wait(retry);
    if wait.is_zero() {
        std::thread::yield_now();
    } else {
        std::thread::sleep(wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_exponentially_up_to_the_ceiling_with_jitter() {
        assert_eq!(wait(0), Duration::ZERO);
        for retry in 1..40 {
            let ceiling = BASE.saturating_mul(1u32 << retry.min(20)).min(CEILING);
            let waits: Vec<Duration> = (0..50).map(|_| wait(retry)).collect();
            assert!(
                waits.iter().all(|w| *w < ceiling),
                "retry {retry}: {waits:?}"
            );
            // Jitter: 50 draws are not all the same.
            let first = waits[0];
            assert!(
                waits.iter().any(|w| *w != first),
                "retry {retry}: no jitter"
            );
        }
    }
}
