//! The book's reader racing a delete, on real threads. A reader asks `key in d` and then
//! reads `d[key]`: each step takes the dictionary's lock, but the pair does not hold it, so a
//! deleter can remove the key in between, and the read fails (Python's `KeyError`). The fix
//! the book names is copy-on-read: take a snapshot under the lock and read the snapshot,
//! which nobody else changes.

use super::counters::CHECK_EVERY;
use crate::control::{Cancelled, Control};
use crate::sync::Ordering::{AcqRel, Acquire};
use crate::sync::{AtomicUsize, Mutex};
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

fn locked(d: &Dict) -> crate::sync::MutexGuard<'_, BTreeMap<u64, u64>> {
    d.lock().unwrap_or_else(|e| e.into_inner())
}

// snippet:start structures-dict
/// `if key in d: value = d[key]`, as two locked steps: between them (`between`: the book's
/// moment, here a spin of `gap` iterations, or a rendezvous in a test) the deleter may run.
pub fn check_then_read(d: &Dict, key: u64, between: impl FnOnce()) -> Read {
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
pub fn copy_on_read(d: &Dict, key: u64, between: impl FnOnce()) -> Read {
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

/// The deleter's one step: `del d[key]`, then put it back, each under the lock.
pub fn delete_and_put_back(d: &Dict, key: u64) {
    locked(d).remove(&key);
    locked(d).insert(key, VALUE);
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

/// One reader: `ops` reads of [`KEY`], each `read` (one of the two above with its gap).
pub fn reader(d: &Dict, read: impl Fn(&Dict) -> Read, ops: u32, ctl: &Control) -> Result<Tally, Cancelled> {
    let mut t = Tally::default();
    for i in 0..ops {
        if i % CHECK_EVERY == 0 {
            ctl.check()?;
        }
        t.add(read(d));
    }
    Ok(t)
}

/// The deleter: deletes [`KEY`] and puts it back until every reader has finished
/// (`readers_left` falls to 0). Run after the readers (one thread, no pool) it does nothing.
pub fn deleter(d: &Dict, readers_left: &AtomicUsize, ctl: &Control) -> Result<u64, Cancelled> {
    let mut n = 0u64;
    while readers_left.load(Acquire) > 0 {
        if n % u64::from(CHECK_EVERY) == 0 {
            ctl.check()?;
        }
        delete_and_put_back(d, KEY);
        n += 1;
    }
    Ok(n)
}

/// Counts a reader out when it ends, however it ends (a cancel too), so the deleter stops.
pub struct Leaving<'a>(pub &'a AtomicUsize);

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, AcqRel);
    }
}
