//! A bounded cache of values as sled holds them, in front of sled for point reads.
//!
//! A read that misses the overlay used to walk sled's page cache: a tree descent, a binary
//! search per node, LRU bookkeeping, and — right after a checkpoint wrote into a page — a
//! merge of the page's fragments into a fresh node. On the TPC-C mix that was a quarter of
//! the clients' CPU time. This cache answers the same read with one hash lookup.
//!
//! It holds only values equal to sled's, which keeps it simple to reason about:
//! - a read fills it with what sled returned for a key the overlay does not hold, while
//!   holding the overlay's read lock: no writer can add that key to the overlay meanwhile,
//!   and sled changes only keys the overlay holds (the checkpointer writes into sled what
//!   the overlay holds and removes it from the overlay afterwards), so the value is sled's
//!   and the key's latest;
//! - the checkpointer, when it drops an entry from the overlay (under the overlay's write
//!   lock, after sled has it), puts the same value here, or drops the key if removed;
//! - a write in the overlay makes a cached value stale, but every read looks at the overlay
//!   first, and the entry leaves the overlay only through the step above.
//!
//! The meta tree is never cached: the checkpointer writes it directly. Range scans go to
//! sled and the overlay (they are ordered; this cache is not).

use std::hash::{Hash, Hasher};

use quick_cache::Equivalent;
use quick_cache::sync::Cache;
use sled::IVec;

use crate::layout::{self, Slot};

/// Memory an entry costs beyond its key and value bytes (the cache's slot, hash, keys'
/// headers): an estimate, so the budget tracks real use to within a small factor.
const ENTRY_OVERHEAD: u64 = 80;

/// A guess at the mean entry size, for the cache's bookkeeping of evicted keys.
const MEAN_ENTRY_BYTES: usize = 512;

/// A cached key: the tree and the key in it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CacheKey {
    slot: u8,
    key: IVec,
}

impl Hash for CacheKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_key(self.slot, &self.key, state);
    }
}

/// A key looked up without copying it into an [`IVec`].
struct Lookup<'a> {
    slot: u8,
    key: &'a [u8],
}

impl Hash for Lookup<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_key(self.slot, self.key, state);
    }
}

impl Equivalent<CacheKey> for Lookup<'_> {
    fn equivalent(&self, cached: &CacheKey) -> bool {
        self.slot == cached.slot && self.key == cached.key.as_ref()
    }
}

/// The one hash both key forms share.
fn hash_key<H: Hasher>(slot: u8, key: &[u8], state: &mut H) {
    state.write_u8(slot);
    state.write(key);
}

/// What an entry weighs against the budget.
#[derive(Debug, Clone)]
struct Weight;

impl quick_cache::Weighter<CacheKey, IVec> for Weight {
    fn weight(&self, key: &CacheKey, value: &IVec) -> u64 {
        ENTRY_OVERHEAD + key.key.len() as u64 + value.len() as u64
    }
}

/// The read cache (see the module documentation); `None` inside when its budget is 0.
pub(crate) struct ReadCache {
    cache: Option<Cache<CacheKey, IVec, Weight>>,
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache")
            .field("bytes", &self.cache.as_ref().map_or(0, Cache::weight))
            .finish_non_exhaustive()
    }
}

/// The slot as the cache's key byte, or `None` for a tree that is not cached.
fn cached_slot(slot: Slot) -> Option<u8> {
    if slot == layout::META {
        return None;
    }
    u8::try_from(slot.0).ok()
}

impl ReadCache {
    /// A cache holding up to about `bytes` of keys and values (0: no cache).
    pub(crate) fn new(bytes: usize) -> ReadCache {
        let cache = (bytes > 0).then(|| {
            Cache::with_weighter((bytes / MEAN_ENTRY_BYTES).max(16), bytes as u64, Weight)
        });
        ReadCache { cache }
    }

    /// The cached value of `key` in the tree in `slot`.
    pub(crate) fn get(&self, slot: Slot, key: &[u8]) -> Option<IVec> {
        let cache = self.cache.as_ref()?;
        let slot = cached_slot(slot)?;
        cache.get(&Lookup { slot, key })
    }

    /// Records `value`, read from sled, as the value of `key`. The caller holds the
    /// overlay's read lock and found no entry for the key there (see the module
    /// documentation).
    pub(crate) fn fill(&self, slot: Slot, key: &[u8], value: &IVec) {
        let (Some(cache), Some(slot)) = (self.cache.as_ref(), cached_slot(slot)) else {
            return;
        };
        cache.insert(
            CacheKey {
                slot,
                key: IVec::from(key),
            },
            value.clone(),
        );
    }

    /// Records that sled now holds `value` for `key` (`None`: removed), if the key is
    /// cached: a key written but never read stays out, so what is only written (audit
    /// entries, index keys) does not push out what is read. The caller holds the overlay's
    /// write lock (see the module documentation).
    pub(crate) fn update(&self, slot: Slot, key: &[u8], value: Option<&IVec>) {
        let (Some(cache), Some(slot)) = (self.cache.as_ref(), cached_slot(slot)) else {
            return;
        };
        let lookup = Lookup { slot, key };
        match value {
            Some(value) if cache.contains_key(&lookup) => {
                let key = CacheKey {
                    slot,
                    key: IVec::from(key),
                };
                // Refused if the new value does not fit: then the old one must go too.
                if cache.replace(key, value.clone(), true).is_err() {
                    cache.remove(&lookup);
                }
            }
            Some(_) => {}
            None => {
                cache.remove(&lookup);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filled_value_is_updated_and_forgotten_but_an_update_adds_nothing() {
        let cache = ReadCache::new(1 << 20);
        let v = |bytes: &[u8]| IVec::from(bytes);
        assert_eq!(cache.get(Slot(3), b"order/1"), None);
        cache.update(Slot(3), b"order/1", Some(&v(b"v0")));
        assert_eq!(
            cache.get(Slot(3), b"order/1"),
            None,
            "only written, not cached"
        );
        cache.fill(Slot(3), b"order/1", &v(b"v1"));
        assert_eq!(cache.get(Slot(3), b"order/1").as_deref(), Some(&b"v1"[..]));
        // Another tree's key of the same bytes is another entry.
        assert_eq!(cache.get(Slot(4), b"order/1"), None);
        cache.update(Slot(3), b"order/1", Some(&v(b"v2")));
        assert_eq!(cache.get(Slot(3), b"order/1").as_deref(), Some(&b"v2"[..]));
        cache.update(Slot(3), b"order/1", None);
        assert_eq!(cache.get(Slot(3), b"order/1"), None);
    }

    #[test]
    fn the_meta_tree_and_a_zero_budget_cache_nothing() {
        let cache = ReadCache::new(1 << 20);
        cache.fill(layout::META, b"log_position", &IVec::from(&b"7"[..]));
        assert_eq!(cache.get(layout::META, b"log_position"), None);
        let none = ReadCache::new(0);
        none.fill(Slot(1), b"k", &IVec::from(&b"v"[..]));
        assert_eq!(none.get(Slot(1), b"k"), None);
    }

    #[test]
    fn the_budget_bounds_what_is_held() {
        let budget = 64 << 10;
        let cache = ReadCache::new(budget);
        let value = IVec::from(vec![7u8; 1000]);
        for i in 0..1000u32 {
            cache.fill(Slot(2), &i.to_be_bytes(), &value);
        }
        let held = cache.cache.as_ref().map_or(0, Cache::weight);
        assert!(held > 0 && held <= budget as u64, "held {held}");
        let found = (0..1000u32)
            .filter(|i| cache.get(Slot(2), &i.to_be_bytes()).is_some())
            .count();
        assert!(found > 0 && found < 1000, "found {found}");
    }
}
