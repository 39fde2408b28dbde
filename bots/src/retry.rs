//! How long a dispatcher waits before the next attempt at a delivery that failed for a
//! reason that may pass (a 429, a 5xx, a timeout): exponential backoff with full jitter,
//! capped. Shared by every channel (SMS, Telegram).
//!
//! Full jitter (a uniformly random wait between zero and the exponential ceiling, as in
//! AWS's "Exponential Backoff and Jitter") spreads out dispatchers that failed together,
//! so a provider that recovers is not hit by all of them at the same instant. The
//! randomness comes in through the caller's [`Rng`], so tests are deterministic.

use std::time::Duration;

use rand::Rng;

/// The wait before retry number `attempt` (0 for the first retry, 1 for the second, …):
/// uniformly random in `[0, min(max, base × 2^attempt)]`. Never more than `max`, whatever
/// `attempt` (no overflow).
pub fn backoff(attempt: u32, base: Duration, max: Duration, rng: &mut impl Rng) -> Duration {
    let ceiling = ceiling(attempt, base, max);
    let ceiling_nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(rng.gen_range(0..=ceiling_nanos))
}

/// The exponential ceiling before jitter: `min(max, base × 2^attempt)`.
pub fn ceiling(attempt: u32, base: Duration, max: Duration) -> Duration {
    let factor = 1u32.checked_shl(attempt).unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const BASE: Duration = Duration::from_millis(500);
    const MAX: Duration = Duration::from_secs(60);

    #[test]
    fn the_ceiling_doubles_then_stops_at_max() {
        let ceilings: Vec<u64> = (0..10)
            .map(|attempt| ceiling(attempt, BASE, MAX).as_millis() as u64)
            .collect();
        assert_eq!(
            ceilings,
            [
                500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000
            ]
        );
        assert_eq!(ceiling(31, BASE, MAX), MAX);
        assert_eq!(ceiling(32, BASE, MAX), MAX);
        assert_eq!(ceiling(u32::MAX, BASE, MAX), MAX);
        assert_eq!(
            ceiling(u32::MAX, Duration::MAX, Duration::MAX),
            Duration::MAX
        );
    }

    #[test]
    fn waits_are_spread_over_the_whole_range() {
        let mut rng = StdRng::seed_from_u64(7);
        let waits: Vec<Duration> = (0..2_000)
            .map(|_| backoff(3, BASE, MAX, &mut rng))
            .collect();
        let ceiling = Duration::from_secs(4);
        assert!(waits.iter().all(|wait| *wait <= ceiling));
        let below_quarter = waits.iter().filter(|w| **w < ceiling / 4).count();
        let above_three_quarters = waits.iter().filter(|w| **w > ceiling * 3 / 4).count();
        // Uniform: about 500 each; far from all or none.
        assert!((350..650).contains(&below_quarter), "{below_quarter}");
        assert!(
            (350..650).contains(&above_three_quarters),
            "{above_three_quarters}"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_waits() {
        let run = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..8)
                .map(|attempt| backoff(attempt, BASE, MAX, &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn a_zero_ceiling_waits_zero() {
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(backoff(5, Duration::ZERO, MAX, &mut rng), Duration::ZERO);
        assert_eq!(backoff(5, BASE, Duration::ZERO, &mut rng), Duration::ZERO);
    }

    proptest! {
        #[test]
        fn a_wait_never_exceeds_its_ceiling_or_max(
            attempt in any::<u32>(),
            base_ms in 0u64..10_000_000,
            max_ms in 0u64..100_000_000,
            seed in any::<u64>(),
        ) {
            let (base, max) = (Duration::from_millis(base_ms), Duration::from_millis(max_ms));
            let wait = backoff(attempt, base, max, &mut StdRng::seed_from_u64(seed));
            prop_assert!(wait <= ceiling(attempt, base, max));
            prop_assert!(wait <= max);
        }

        #[test]
        fn ceilings_never_shrink_with_more_attempts(attempt in 0u32..70, base_ms in 0u64..100_000, max_ms in 0u64..10_000_000) {
            let (base, max) = (Duration::from_millis(base_ms), Duration::from_millis(max_ms));
            prop_assert!(ceiling(attempt + 1, base, max) >= ceiling(attempt, base, max));
        }
    }
}
