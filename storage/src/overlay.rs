//! The overlay: changes accepted (and in the commit log) but not yet checkpointed into sled,
//! kept in memory per tree, and the read view that sees them in front of sled.
//!
//! Every read goes through a [`View`]: a key found in the overlay wins (a removal hides
//! sled's entry), otherwise sled answers; range scans merge both in key order, forward or
//! reverse, up to the limit. The writer inserts a whole batch under the overlay's write lock
//! and a view holds its read lock for a whole read call, so a read sees a batch entirely or
//! not at all. Entries leave the overlay only after the checkpointer has put them in sled
//! (then both agree), and only those at or below the checkpointed log position: a newer
//! write of the same key stays.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;

use ordo_core::store::StoreError;
use sled::IVec;

use crate::error::from_sled;
use crate::layout::{Slot, TREE_COUNT, Trees};
use crate::read_cache::ReadCache;
use crate::wal::Change;

/// Memory an entry costs beyond its key and value bytes (map node, position, lengths): an
/// estimate, so the cap below tracks real use to within a small factor.
const ENTRY_OVERHEAD: usize = 64;

/// Keys removed per hold of the write lock after a checkpoint.
const REMOVE_CHUNK: usize = 1024;

/// Keys copied per hold of the read lock by a checkpoint's snapshot.
const SNAPSHOT_CHUNK: usize = 4096;

/// One overlay entry: the log position that wrote it and the value (`None`: removed).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    position: u64,
    value: Option<IVec>,
}

/// The overlay's contents.
#[derive(Debug)]
pub(crate) struct State {
    /// Keys as `IVec` (short ones inline): a snapshot's clones cost no allocation.
    slots: Vec<BTreeMap<IVec, Entry>>,
    /// The last log position inserted.
    last_position: u64,
}

/// Every entry of one tree taken for a checkpoint: key and value (`None`: removed).
pub(crate) type TreeChanges = Vec<(IVec, Option<IVec>)>;

/// The overlay (see the module documentation).
#[derive(Debug)]
pub(crate) struct Overlay {
    state: RwLock<State>,
    /// Estimated bytes held (see [`ENTRY_OVERHEAD`]).
    bytes: AtomicUsize,
    /// Notified when entries leave (writers waiting for room).
    room: (Mutex<()>, Condvar),
    /// Values as sled holds them, for point reads (see [`crate::read_cache`]).
    cache: ReadCache,
}

fn cost(key: &[u8], value: Option<&IVec>) -> usize {
    ENTRY_OVERHEAD + key.len() + value.map_or(0, |v| v.len())
}

impl Overlay {
    /// An empty overlay after log position `last_position`, without a read cache.
    pub(crate) fn new(last_position: u64) -> Overlay {
        Overlay {
            state: RwLock::new(State {
                slots: (0..TREE_COUNT).map(|_| BTreeMap::new()).collect(),
                last_position,
            }),
            bytes: AtomicUsize::new(0),
            room: (Mutex::new(()), Condvar::new()),
            cache: ReadCache::new(0),
        }
    }

    /// The overlay with a read cache of about `bytes` in front of sled (0: none).
    pub(crate) fn with_read_cache(mut self, bytes: usize) -> Overlay {
        self.cache = ReadCache::new(bytes);
        self
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        // Poisoning would mean a panic inside `insert`/`remove_through`, which only move
        // values between maps: the maps are whole either way.
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    /// A read view over the overlay and `trees`, holding the read lock until dropped.
    pub(crate) fn view<'a>(&'a self, trees: &'a Trees) -> View<'a> {
        View {
            state: self.read(),
            trees,
            cache: &self.cache,
        }
    }

    /// Inserts one batch's changes at `position` (later changes of a key win).
    pub(crate) fn insert(&self, position: u64, changes: Vec<Change>) {
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        let mut added: usize = 0;
        let mut freed: usize = 0;
        for (slot, key, value) in changes {
            let value = value.map(IVec::from);
            let key_len = key.len();
            added += cost(&key, value.as_ref());
            let Some(tree) = state.slots.get_mut(slot.0) else {
                continue;
            };
            if let Some(old) = tree.insert(IVec::from(key), Entry { position, value }) {
                freed += ENTRY_OVERHEAD + key_len + old.value.as_ref().map_or(0, |v| v.len());
            }
        }
        state.last_position = state.last_position.max(position);
        // Under the write lock, so no other update interleaves.
        let held = self.bytes.load(Ordering::Acquire);
        self.bytes
            .store((held + added).saturating_sub(freed), Ordering::Release);
    }

    /// Estimated bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Acquire)
    }

    /// Whether nothing waits for a checkpoint.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.read().slots.iter().all(BTreeMap::is_empty)
    }

    /// Everything held, per tree, and a log position `P` such that every entry written at
    /// or below `P` is in it (its latest value, or a newer one). The read lock is taken per
    /// chunk of keys, so the writer (and the readers queued behind it) never wait for a
    /// whole copy: an entry inserted meanwhile has a position above `P`, and taking it too
    /// (or not) is harmless, since its record stays in the log until a later checkpoint.
    pub(crate) fn snapshot(&self) -> (u64, Vec<(Slot, TreeChanges)>) {
        let upto = self.read().last_position;
        let mut trees = Vec::new();
        for slot in 0..TREE_COUNT {
            let mut changes: TreeChanges = Vec::new();
            let mut after: Option<IVec> = None;
            // Bounded: each round takes a full chunk of keys above the last, or ends.
            loop {
                let state = self.read();
                let Some(tree) = state.slots.get(slot) else {
                    break;
                };
                let start = after
                    .as_ref()
                    .map_or(Bound::Unbounded, |key| Bound::Excluded(key.as_ref()));
                let before = changes.len();
                changes.extend(
                    tree.range::<[u8], _>((start, Bound::Unbounded))
                        .take(SNAPSHOT_CHUNK)
                        .map(|(key, entry)| (key.clone(), entry.value.clone())),
                );
                if changes.len() - before < SNAPSHOT_CHUNK {
                    break;
                }
                after = changes.last().map(|(key, _)| key.clone());
            }
            if !changes.is_empty() {
                trees.push((Slot(slot), changes));
            }
        }
        (upto, trees)
    }

    /// Drops the entries of `taken` (a [`Overlay::snapshot`] now in sled) that are still
    /// those written at or below `position` (a newer write of the same key stays), and
    /// wakes writers waiting for room. The write lock is taken per chunk of keys, so
    /// readers never wait for a whole checkpoint's worth: which of these entries a reader
    /// still finds changes nothing it sees, since sled holds the same values.
    pub(crate) fn remove_through(&self, position: u64, taken: &[(Slot, TreeChanges)]) {
        for (slot, changes) in taken {
            for chunk in changes.chunks(REMOVE_CHUNK) {
                let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
                let Some(tree) = state.slots.get_mut(slot.0) else {
                    continue;
                };
                let mut freed = 0;
                for (key, _) in chunk {
                    if tree
                        .get(key)
                        .is_some_and(|entry| entry.position <= position)
                        && let Some(entry) = tree.remove(key)
                    {
                        freed += cost(key, entry.value.as_ref());
                        // Sled now holds this value; a cached older one would be stale.
                        self.cache.update(*slot, key, entry.value.as_ref());
                    }
                }
                // Under the write lock, so no other update interleaves.
                let held = self.bytes.load(Ordering::Acquire);
                self.bytes
                    .store(held.saturating_sub(freed), Ordering::Release);
            }
        }
        let _guard = self.room.0.lock().unwrap_or_else(|p| p.into_inner());
        self.room.1.notify_all();
    }

    /// Waits up to `timeout` for the overlay to hold less than `cap` bytes; true if it does.
    pub(crate) fn wait_for_room(&self, cap: usize, timeout: Duration) -> bool {
        let guard = self.room.0.lock().unwrap_or_else(|p| p.into_inner());
        if self.bytes() < cap {
            return true;
        }
        let _ = self
            .room
            .1
            .wait_timeout(guard, timeout)
            .unwrap_or_else(|p| p.into_inner());
        self.bytes() < cap
    }
}

/// A consistent read of overlay-then-sled (see the module documentation).
pub(crate) struct View<'a> {
    state: RwLockReadGuard<'a, State>,
    trees: &'a Trees,
    cache: &'a ReadCache,
}

/// Whether a range with these bounds can hold a key (`BTreeMap::range` panics otherwise).
fn is_valid(start: Bound<&[u8]>, end: Bound<&[u8]>) -> bool {
    match (start, end) {
        (Bound::Included(a), Bound::Included(b)) => a <= b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => a < b,
        _ => true,
    }
}

impl View<'_> {
    /// The value of `key` in the tree in `slot`: the overlay's, else the read cache's, else
    /// sled's (which then fills the cache: this view holds the overlay's read lock, see
    /// [`crate::read_cache`]).
    ///
    /// # Errors
    /// `Io` (or `Corrupted`) from sled.
    pub(crate) fn get(&self, slot: Slot, key: &[u8]) -> Result<Option<IVec>, StoreError> {
        if let Some(entry) = self.state.slots.get(slot.0).and_then(|tree| tree.get(key)) {
            return Ok(entry.value.clone());
        }
        if let Some(value) = self.cache.get(slot, key) {
            return Ok(Some(value));
        }
        let value = self.trees.tree(slot).get(key).map_err(from_sled)?;
        if let Some(value) = &value {
            self.cache.fill(slot, key, value);
        }
        Ok(value)
    }

    /// Up to `limit` entries of the tree in `slot` within the bounds, in key order (or
    /// reverse key order), overlay and sled merged.
    ///
    /// # Errors
    /// `Io` (or `Corrupted`) from sled.
    pub(crate) fn range(
        &self,
        slot: Slot,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        reverse: bool,
        limit: usize,
    ) -> Result<Vec<(IVec, IVec)>, StoreError> {
        if limit == 0 || !is_valid(start, end) {
            return Ok(Vec::new());
        }
        let Some(overlay) = self.state.slots.get(slot.0) else {
            return Ok(Vec::new());
        };
        let tree = self.trees.tree(slot);
        let sled_items = tree.range::<&[u8], _>((start, end));
        let overlay_items = overlay.range::<[u8], _>((start, end));
        if reverse {
            merge(sled_items.rev(), overlay_items.rev(), true, limit)
        } else {
            merge(sled_items, overlay_items, false, limit)
        }
    }
}

/// Merges sled's entries with the overlay's (which win on equal keys; removals hide), in
/// forward or reverse key order, up to `limit` present entries.
fn merge<'o>(
    sled_items: impl Iterator<Item = sled::Result<(IVec, IVec)>>,
    overlay_items: impl Iterator<Item = (&'o IVec, &'o Entry)>,
    reverse: bool,
    limit: usize,
) -> Result<Vec<(IVec, IVec)>, StoreError> {
    let mut sled_items = sled_items.peekable();
    let mut overlay_items = overlay_items.peekable();
    let mut out = Vec::new();
    // Bounded: each round consumes at least one entry of either iterator.
    while out.len() < limit {
        let sled_key = match sled_items.peek() {
            Some(Ok((key, _))) => Some(key.clone()),
            Some(Err(_)) => {
                if let Some(Err(error)) = sled_items.next() {
                    return Err(from_sled(error));
                }
                continue;
            }
            None => None,
        };
        let overlay_first = match (&sled_key, overlay_items.peek()) {
            (None, None) => break,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (Some(sled_key), Some((overlay_key, _))) => {
                let order = overlay_key.as_ref().cmp(sled_key.as_ref());
                let order = if reverse { order.reverse() } else { order };
                if order == std::cmp::Ordering::Equal {
                    // The overlay's entry replaces sled's.
                    sled_items.next();
                }
                order != std::cmp::Ordering::Greater
            }
        };
        if overlay_first {
            if let Some((key, entry)) = overlay_items.next()
                && let Some(value) = &entry.value
            {
                out.push((key.clone(), value.clone()));
            }
        } else if let Some(item) = sled_items.next() {
            out.push(item.map_err(from_sled)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
