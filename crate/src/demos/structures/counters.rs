//! Chapter 16's counters, each a kernel that one thread runs `ops` times: unlocked (a racy
//! read, then write), a mutex, one atomic `fetch_add`, and the book's approximate counter
//! (a shard per thread, moved into the global count every `threshold` increments), its
//! shards either packed side by side (several on one cache line) or each on lines of its own.

use crate::control::{Cancelled, Control};
use crate::sync::Ordering::Relaxed;
use crate::sync::{AtomicU64, Mutex};

/// How often a kernel looks for a Cancel.
pub(super) const CHECK_EVERY: u32 = 4096;

// snippet:start structures
/// Unlocked: an atomic load, then a separate atomic store. Both are `Relaxed` atomics, so the
/// race is real on real threads but not undefined behaviour (as `read_volatile` and
/// `write_volatile` on a shared integer would be); what is missing is that nothing stops
/// another thread from storing between our load and our store. Then one update is lost.
/// `between` runs in that window: the book's `time.sleep` there, here a spin of `gap`
/// iterations (or, in a test, a rendezvous of two threads).
pub fn increment_unlocked(counter: &AtomicU64, between: impl FnOnce()) {
    let read = counter.load(Relaxed);
    between(); // another thread may store here: our store below then overwrites it
    counter.store(read + 1, Relaxed);
}

/// The unlocked counter, `ops` times, with a spin of `gap` iterations between each load and
/// its store.
pub fn unlocked(counter: &AtomicU64, ops: u32, gap: u32, ctl: &Control) -> Result<(), Cancelled> {
    for i in 0..ops {
        if i % CHECK_EVERY == 0 {
            ctl.check()?;
        }
        increment_unlocked(counter, || spin(gap));
    }
    Ok(())
}

/// The book's locked counter: exact, and every thread waits its turn for the one lock.
pub fn locked(counter: &Mutex<u64>, ops: u32, ctl: &Control) -> Result<(), Cancelled> {
    for i in 0..ops {
        if i % CHECK_EVERY == 0 {
            ctl.check()?;
        }
        *counter.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    }
    Ok(())
}

/// One indivisible read-modify-write instruction: exact, with no lock.
pub fn atomic(counter: &AtomicU64, ops: u32, ctl: &Control) -> Result<(), Cancelled> {
    for i in 0..ops {
        if i % CHECK_EVERY == 0 {
            ctl.check()?;
        }
        counter.fetch_add(1, Relaxed);
    }
    Ok(())
}

/// The approximate counter: a thread counts in its own shard, which only it writes, and
/// moves the shard into the global count once it reaches `threshold`. The global count is
/// touched once every `threshold` increments, so threads rarely meet there; the price is
/// that it lags the true count by what sits in the shards, less than `threshold` per thread.
pub fn sharded(global: &AtomicU64, shard: &AtomicU64, threshold: u64, ops: u32, ctl: &Control) -> Result<(), Cancelled> {
    for i in 0..ops {
        if i % CHECK_EVERY == 0 {
            ctl.check()?;
        }
        // Only this thread writes its shard: a load and a store are enough.
        let local = shard.load(Relaxed) + 1;
        if local >= threshold {
            global.fetch_add(local, Relaxed);
            shard.store(0, Relaxed);
        } else {
            shard.store(local, Relaxed);
        }
    }
    Ok(())
}

/// After every thread has finished: what the shards still hold goes into the global count,
/// which is then exact.
pub fn flush(global: &AtomicU64, shards: &[impl AsRef<AtomicU64>]) {
    for s in shards {
        global.fetch_add(s.as_ref().swap(0, Relaxed), Relaxed);
    }
}
// snippet:end structures

/// `gap` iterations of doing nothing that the compiler may not remove: the window the book
/// widens with `time.sleep(random)`, measured in iterations instead of seconds.
pub fn spin(gap: u32) {
    for i in 0..gap {
        std::hint::black_box(i);
    }
}

/// A shard with a cache line of its own: 128 bytes, since some cores fetch lines in
/// adjacent pairs, so 64-byte alignment can still share.
#[repr(align(128))]
#[derive(Default)]
pub struct Padded(pub AtomicU64);

/// A shard packed next to the others: eight to a 64-byte line, so the threads' private
/// writes still fight over one line (false sharing).
#[derive(Default)]
pub struct Packed(pub AtomicU64);

impl AsRef<AtomicU64> for Padded {
    fn as_ref(&self) -> &AtomicU64 {
        &self.0
    }
}

impl AsRef<AtomicU64> for Packed {
    fn as_ref(&self) -> &AtomicU64 {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shards_are_laid_out_as_they_say() {
        assert_eq!(std::mem::size_of::<Padded>(), 128);
        assert_eq!(std::mem::size_of::<Packed>(), 8);
        let packed: Vec<Packed> = (0..4).map(|_| Packed::default()).collect();
        let a = &packed[0] as *const Packed as usize;
        let b = &packed[3] as *const Packed as usize;
        assert_eq!(b - a, 24, "four packed shards span 32 bytes: within one 64-byte line if aligned");
    }

    #[test]
    fn one_sharded_thread_lags_by_less_than_the_threshold_then_flushes_exact() {
        let (g, s) = (AtomicU64::new(0), Padded::default());
        sharded(&g, &s.0, 10, 95, &Control::new()).unwrap();
        // By hand: 9 moves of 10 each, 5 left in the shard.
        assert_eq!((g.load(Relaxed), s.0.load(Relaxed)), (90, 5));
        flush(&g, std::slice::from_ref(&s));
        assert_eq!(g.load(Relaxed), 95);
    }
}
