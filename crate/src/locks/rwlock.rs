//! What the three readers-writer locks of chapter 13 have in common: the interface, the
//! guards, and the one way they wait.
//!
//! A readers-writer lock lets any number of readers in at once, or one writer alone. Which
//! waiting thread goes first when both kinds wait is the lock's *policy*, and the policy
//! decides who can starve:
//! - [`ReaderPreferring`](super::rwlock_readers::ReaderPreferring): readers never wait for
//!   a waiting writer; a steady stream of readers starves the writers.
//! - [`WriterPreferring`](super::rwlock_writers::WriterPreferring): a waiting writer stops
//!   new readers; a steady stream of writers starves the readers.
//! - [`FairRwLock`](super::rwlock_fair::FairRwLock): a ticket for everyone, served in order;
//!   nobody waits for more than the threads that arrived before it.
//!
//! The locks guard no data of their own (the demo's shared "document" is a pair of atomic
//! counters), so the interface is the raw one of the `lock_api` crate: `lock_shared` /
//! `unlock_shared` for readers, `lock_exclusive` / `unlock_exclusive` for writers, and
//! guards that call the unlock when dropped.
//!
//! Each lock keeps its state in a [`Mutex`] and sleeps on a [`Condvar`]. Memory ordering
//! comes from that mutex: a writer's `unlock_exclusive` takes it after the writer's last
//! write, and the next reader's `lock_shared` takes it before the reader's first read, so
//! the unlock happens-before the lock (std's `Mutex` releases and acquires).
//!
//! **Waits are bounded by the cancel flag.** A waiting thread sleeps at most [`NAP`], then
//! checks [`Control`]; a cancelled wait undoes what it registered and returns
//! `Err(Cancelled)`, so a cancel never leaves a thread hanging.

use crate::control::{Cancelled, Control};
use crate::sync::{Condvar, MutexGuard};
use std::time::Duration;

/// The longest a waiting thread sleeps before it looks at the cancel flag again.
pub const NAP: Duration = Duration::from_millis(20);

/// How many threads are waiting to get in right now (for the live view and the tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    pub readers: u32,
    pub writers: u32,
}

impl Waiting {
    /// Adds `by` (+1 or -1) to the readers' count if `reader`, else to the writers'.
    pub fn count(&mut self, reader: bool, by: i32) {
        let n = if reader { &mut self.readers } else { &mut self.writers };
        *n = n.wrapping_add_signed(by);
    }
}

/// A readers-writer lock without data. Implementations decide who goes first.
pub trait RawRwLock: Sync {
    /// The policy as the demo's input spells it: `readers`, `writers` or `fair`.
    fn policy(&self) -> &'static str;
    /// Waits until this thread may read alongside other readers.
    fn lock_shared(&self, ctl: &Control) -> Result<(), Cancelled>;
    /// Ends a read begun by `lock_shared`.
    fn unlock_shared(&self);
    /// Waits until this thread is alone: no reader and no other writer inside.
    fn lock_exclusive(&self, ctl: &Control) -> Result<(), Cancelled>;
    /// Ends a write begun by `lock_exclusive`.
    fn unlock_exclusive(&self);
    /// Threads inside a `lock_*` call right now, not yet let in.
    fn waiting(&self) -> Waiting;

    /// Reads until the guard is dropped.
    fn read(&self, ctl: &Control) -> Result<ReadGuard<'_, Self>, Cancelled>
    where
        Self: Sized,
    {
        self.lock_shared(ctl)?;
        Ok(ReadGuard { lock: self })
    }

    /// Writes until the guard is dropped.
    fn write(&self, ctl: &Control) -> Result<WriteGuard<'_, Self>, Cancelled>
    where
        Self: Sized,
    {
        self.lock_exclusive(ctl)?;
        Ok(WriteGuard { lock: self })
    }
}

/// Proof of a read in progress; dropping it calls `unlock_shared`.
pub struct ReadGuard<'a, L: RawRwLock> {
    lock: &'a L,
}

impl<L: RawRwLock> Drop for ReadGuard<'_, L> {
    fn drop(&mut self) {
        self.lock.unlock_shared();
    }
}

/// Proof of a write in progress; dropping it calls `unlock_exclusive`.
pub struct WriteGuard<'a, L: RawRwLock> {
    lock: &'a L,
}

impl<L: RawRwLock> Drop for WriteGuard<'_, L> {
    fn drop(&mut self) {
        self.lock.unlock_exclusive();
    }
}

/// Sleeps on `cv` until `ready(state)` holds, waking at least every [`NAP`] to check `ctl`.
/// Returns the guard with `ready` true, or `Err` with the guard still held, so the caller
/// can undo its registration before it leaves.
pub(crate) fn wait_until<'a, S>(
    cv: &Condvar,
    mut state: MutexGuard<'a, S>,
    ctl: &Control,
    mut ready: impl FnMut(&S) -> bool,
) -> Result<MutexGuard<'a, S>, (MutexGuard<'a, S>, Cancelled)> {
    while !ready(&state) {
        if let Err(c) = ctl.check() {
            return Err((state, c));
        }
        state = cv.wait_timeout(state, NAP).unwrap_or_else(|e| e.into_inner()).0;
    }
    Ok(state)
}

#[cfg(test)]
pub(crate) mod tests {
    //! Checks every policy must pass, shared by the three locks' own tests.
    use super::*;
    use crate::sync::AtomicU32;
    use crate::sync::Ordering::SeqCst;

    /// Waits (yielding, never sleeping a fixed time) until `cond` holds; fails the test
    /// instead of hanging if it never does.
    pub fn until(cond: impl Fn() -> bool) {
        let give_up = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !cond() {
            assert!(std::time::Instant::now() < give_up, "waited 30 s for a thread to get there");
            std::thread::yield_now();
        }
    }

    /// Readers share; a writer is alone. Four readers and two writers, 200 rounds each;
    /// `inside` counts readers as 1 and writers as 1000, and is checked on every entry.
    pub fn excludes_writers<L: RawRwLock>(lock: &L) {
        let inside = AtomicU32::new(0);
        let ctl = Control::new();
        let start = crate::sync::Barrier::new(6); // all six contend from the first round
        std::thread::scope(|s| {
            for r in 0..6 {
                let (lock, inside, ctl, start) = (lock, &inside, &ctl, &start);
                s.spawn(move || {
                    start.wait();
                    for _ in 0..200 {
                        if r < 4 {
                            let _g = lock.read(ctl).unwrap();
                            let now = inside.fetch_add(1, SeqCst) + 1;
                            assert!(now < 1000, "a reader got in beside a writer");
                            inside.fetch_sub(1, SeqCst);
                        } else {
                            let _g = lock.write(ctl).unwrap();
                            let now = inside.fetch_add(1000, SeqCst) + 1000;
                            assert_eq!(now, 1000, "a writer got in beside someone");
                            inside.fetch_sub(1000, SeqCst);
                        }
                    }
                });
            }
        });
        assert_eq!(lock.waiting(), Waiting::default());
    }

    /// A writer waiting behind a reader gives up on cancel, and the lock still works after.
    pub fn a_cancelled_wait_returns<L: RawRwLock>(lock: &L) {
        let ctl = Control::new();
        let g = lock.read(&ctl).unwrap();
        std::thread::scope(|s| {
            let w = s.spawn(|| lock.lock_exclusive(&ctl));
            until(|| lock.waiting().writers == 1);
            ctl.cancel();
            assert_eq!(w.join().unwrap(), Err(Cancelled));
        });
        assert_eq!(lock.waiting(), Waiting::default());
        drop(g);
        let fresh = Control::new();
        drop(lock.write(&fresh).unwrap());
        drop(lock.read(&fresh).unwrap());
    }
}
