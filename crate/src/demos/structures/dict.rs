//! The book's reader racing a delete, on real threads. A reader asks `key in d` and then
//! reads `d[key]`: each step takes the dictionary's lock, but the pair does not hold it, so a
//! deleter can remove the key in between, and the read fails (Python's `KeyError`). The fix
//! the book names is copy-on-read: take a snapshot under the lock and read the snapshot,
//! which nobody else changes.

use super::counters::{spin, CHECK_EVERY};
use crate::control::{Cancelled, Control};
use crate::sched::SplitMix64;
use crate::sync::Ordering::{AcqRel, Acquire};
use crate::sync::{AtomicUsize, Mutex, MutexGuard};
use std::collections::BTreeMap;

/// A dictionary shared by threads, every access under its one lock.
pub type Dict = Mutex<BTreeMap<u64, u64>>;

/// The key the deleter removes and puts back, and the value it has.
pub const KEY: u64 = 0;
pub const VALUE: u64 = 42;

/// What one read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// The check said the key was not there, so the reader did not read.
    Absent,
    Value(u64),
    /// The check said the key was there, and the read found it gone.
    KeyError,
}

/// A dictionary of a few entries, the deleter's key among them.
pub fn dict() -> Dict {
    Mutex::new((0..8).map(|k| (k, if k == KEY { VALUE } else { k })).collect())
}

fn locked(d: &Dict) -> MutexGuard<'_, BTreeMap<u64, u64>> {
    d.lock().unwrap_or_else(|e| e.into_inner())
}

// snippet:start structures-dict
/// `if key in d: value = d[key]`, as two locked steps: between them (`between`: the book's
/// moment, here a random spin of `gap` iterations on average, or a rendezvous in a test) the
/// deleter may run.
pub fn check_then_read(d: &Dict, key: u64, between: &mut dyn FnMut()) -> Read {
    let present = locked(d).contains_key(&key); // `key in d`: the lock is released again
    if !present {
        return Read::Absent;
    }
    between();
    match locked(d).get(&key) { // `d[key]`: a second locked step
        Some(&v) => Read::Value(v),
        None => Read::KeyError,
    }
}

/// Copy-on-read: one locked step takes a snapshot; the check and the read are on the
/// snapshot, which no other thread can change, so a key it has cannot vanish.
pub fn copy_on_read(d: &Dict, key: u64, between: &mut dyn FnMut()) -> Read {
    let snapshot = locked(d).clone();
    if !snapshot.contains_key(&key) {
        return Read::Absent;
    }
    between();
    match snapshot.get(&key) {
        Some(&v) => Read::Value(v),
        None => Read::KeyError, // cannot happen: nothing changes a snapshot
    }
}

/// The deleter's one step: `del d[key]`, wait, put it back, wait; each change under the
/// lock. The waits (`between`, the same gap as the reader's) keep the key away for a while,
/// as the book's sleeping threads do; without them it would be gone for a few instructions.
pub fn delete_and_put_back(d: &Dict, key: u64, mut between: impl FnMut()) {
    locked(d).remove(&key);
    between();
    locked(d).insert(key, VALUE);
    between();
}
// snippet:end structures-dict

/// What a reader counted over its reads.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub reads: u64,
    pub values: u64,
    pub absent: u64,
    pub key_errors: u64,
}

impl Tally {
    pub fn add(&mut self, r: Read) {
        self.reads += 1;
        match r {
            Read::Absent => self.absent += 1,
            Read::Value(_) => self.values += 1,
            Read::KeyError => self.key_errors += 1,
        }
    }

    pub fn merge(&mut self, o: Tally) {
        self.reads += o.reads;
        self.values += o.values;
        self.absent += o.absent;
        self.key_errors += o.key_errors;
    }
}

/// The book's `time.sleep(random)`, as a spin: 0 to 2 × `gap` iterations (`gap` on average),
/// drawn from a generator of each thread's own (the scheduler's [`SplitMix64`]). Random, not
/// fixed: a reader and a deleter that spin the same fixed count can fall into step through
/// the lock, every check landing while the key is there (or every one while it is gone), and
/// then never race.
pub struct Jitter(SplitMix64);

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Jitter(SplitMix64::new(seed))
    }

    pub fn spin(&mut self, gap: u32) {
        spin(self.0.below(2 * gap as usize + 1) as u32);
    }
}

/// One reader: `ops` reads of [`KEY`], each `read` (one of the two above, with `jitter`'s
/// spin between check and read), and a spin of its own before each (the reader's other
/// work: without it, a reader that found the key absent would take the lock again at once,
/// and fall into step with the deleter, seeing the key absent at every check).
pub fn reader(d: &Dict, jitter: &mut Jitter, gap: u32, read: fn(&Dict, u64, &mut dyn FnMut()) -> Read, ops: u32, ctl: &Control) -> Result<Tally, Cancelled> {
    let mut t = Tally::default();
    for i in 0..ops {
        if i % CHECK_EVERY == 0 {
            ctl.check()?;
        }
        jitter.spin(gap);
        t.add(read(d, KEY, &mut || jitter.spin(gap)));
    }
    Ok(t)
}

/// The deleter: deletes [`KEY`] and puts it back, with a random spin of `gap` on average
/// after each, until every reader has finished (`readers_left` falls to 0). Run after the
/// readers (one thread, no pool) it does nothing.
pub fn deleter(d: &Dict, readers_left: &AtomicUsize, gap: u32, ctl: &Control) -> Result<u64, Cancelled> {
    let mut jitter = Jitter::new(u64::MAX / 3);
    let mut n = 0u32;
    while readers_left.load(Acquire) > 0 {
        if n % CHECK_EVERY == 0 {
            ctl.check()?;
        }
        delete_and_put_back(d, KEY, || jitter.spin(gap));
        n = n.wrapping_add(1);
    }
    Ok(u64::from(n))
}

/// Counts a reader out when it ends, however it ends (a cancel too), so the deleter stops.
pub struct Leaving<'a>(pub &'a AtomicUsize);

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, AcqRel);
    }
}
