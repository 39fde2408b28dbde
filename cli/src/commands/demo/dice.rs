//! Reproducible choices for the demo content: a fixed-seed generator with the few
//! helpers the demo needs. (Order references still come from the engine's OS-seeded source.)

use ordo_core::random::{RandomSource, SeededRandom};

/// The seed of the demo content: every run builds the same shop (relative to "now").
const CONTENT_SEED: u64 = 0x04D0_DE40;

/// A fixed-seed source of demo choices.
pub struct Dice {
    source: SeededRandom,
}

impl Dice {
    /// Dice with the demo's fixed seed.
    pub fn new() -> Dice {
        Dice {
            source: SeededRandom::new(CONTENT_SEED),
        }
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        self.source.next_u64() % n
    }

    /// A number in `low..=high`.
    pub fn between(&self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = high.abs_diff(low).saturating_add(1);
        low.saturating_add_unsigned(self.below(span))
    }

    /// True with probability `percent` / 100.
    pub fn chance(&self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// An index into a slice of `len` elements (0 for an empty one).
    pub fn index(&self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap_or(0)
    }

    /// One element of `items` (which must not be empty).
    pub fn pick<'a, T>(&self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.index(items.len()))
    }

    /// An index chosen with the given weights.
    pub fn weighted(&self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut roll = self.below(total);
        for (index, weight) in weights.iter().enumerate() {
            if roll < *weight {
                return index;
            }
            roll -= weight;
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_stay_in_range_and_repeat() {
        let (a, b) = (Dice::new(), Dice::new());
        for _ in 0..1000 {
            let x = a.between(-3, 3);
            assert!((-3..=3).contains(&x));
            assert_eq!(x, b.between(-3, 3));
            assert!(a.weighted(&[0, 5, 0]) == 1);
            let _ = b.weighted(&[0, 5, 0]);
        }
        assert_eq!(a.below(0), 0);
        assert!(a.pick::<u8>(&[]).is_none());
    }
}
