//! A lock that a watchdog can see into: it records who holds it and who waits for it, and its
//! `acquire` gives up when an abort flag is raised. With `n` permits it is a counting
//! semaphore (up to `n` holders at once); with one it is a plain lock.
//!
//! Chapter 12 needs this because a real deadlock on `std::sync::Mutex` cannot be undone: the
//! waiting threads sleep in `lock()` for ever, and in the browser the only way out would be to
//! kill the worker. Here a waiter naps in short slices, and between naps it checks two flags:
//! the run's cancel flag and the demo's abort flag. So a watchdog can (1) read every lock's
//! holders and waiters, build the wait-for graph and find the cycle, then (2) raise the abort
//! flag, and every stuck thread returns [`GaveUp::Aborted`] instead of hanging.
//!
//! A snapshot of several locks is read one lock at a time, so it is not atomic. Each lock
//! therefore counts its `changes`: if a lock's count is the same in two snapshots, its state
//! did not move in between, and a picture built from such locks is a consistent one.

use crate::control::{Cancelled, Control};
use crate::sync::Ordering::Acquire;
use crate::sync::{AtomicBool, Condvar, Mutex};
use serde::Serialize;
use std::time::Duration;

/// How long a waiter sleeps before it looks at the cancel and abort flags again.
const NAP: Duration = Duration::from_millis(10);

/// Why an `acquire` returned without the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaveUp {
    /// The abort flag was raised (a watchdog broke a deadlock).
    Aborted,
    /// The run was cancelled.
    Cancelled,
}

impl From<Cancelled> for GaveUp {
    fn from(_: Cancelled) -> Self {
        GaveUp::Cancelled
    }
}

/// What a lock looks like at one moment: who holds it, who waits for it (in arrival order),
/// and how many times its state has changed so far.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockView {
    pub holders: Vec<usize>,
    pub waiters: Vec<usize>,
    pub permits: usize,
    pub changes: u64,
}

#[derive(Debug, Default)]
struct State {
    holders: Vec<usize>,
    waiters: Vec<usize>,
    changes: u64,
}

/// A lock (one permit) or semaphore (`n` permits) whose holders and waiters are visible.
/// Threads are named by number (`who`).
#[derive(Debug)]
pub struct ObservedLock {
    permits: usize,
    state: Mutex<State>,
    freed: Condvar,
}

impl Default for ObservedLock {
    fn default() -> Self {
        Self::new()
    }
}

impl ObservedLock {
    /// A lock: one holder at a time.
    pub fn new() -> Self {
        Self::with_permits(1)
    }

    /// A counting semaphore: up to `permits` holders at a time.
    pub fn with_permits(permits: usize) -> Self {
        assert!(permits >= 1, "a lock needs at least one permit");
        ObservedLock { permits, state: Mutex::new(State::default()), freed: Condvar::new() }
    }

    fn state(&self) -> crate::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a permit for `who`, waiting as long as it takes, unless `abort` is raised or the
    /// run is cancelled. `Ok(true)` when it had to wait, `Ok(false)` when the lock was free.
    pub fn acquire(&self, who: usize, abort: &AtomicBool, ctl: &Control) -> Result<bool, GaveUp> {
        let mut s = self.state();
        if s.holders.len() < self.permits {
            s.holders.push(who);
            s.changes += 1;
            return Ok(false);
        }
        s.waiters.push(who);
        s.changes += 1;
        let outcome = loop {
            if ctl.is_cancelled() {
                break Err(GaveUp::Cancelled);
            }
            if abort.load(Acquire) {
                break Err(GaveUp::Aborted);
            }
            if s.holders.len() < self.permits {
                s.holders.push(who);
                break Ok(true);
            }
            s = self.freed.wait_timeout(s, NAP).unwrap_or_else(|e| e.into_inner()).0;
        };
        s.waiters.retain(|&w| w != who);
        s.changes += 1;
        outcome
    }

    /// Takes a permit for `who` if one is free; never waits.
    pub fn try_acquire(&self, who: usize) -> bool {
        let mut s = self.state();
        if s.holders.len() < self.permits {
            s.holders.push(who);
            s.changes += 1;
            true
        } else {
            false
        }
    }

    /// Gives back the permit `who` holds. Returns `false` (and changes nothing) if `who` holds
    /// none.
    pub fn release(&self, who: usize) -> bool {
        let mut s = self.state();
        let Some(at) = s.holders.iter().position(|&h| h == who) else { return false };
        s.holders.remove(at);
        s.changes += 1;
        drop(s);
        self.freed.notify_all();
        true
    }

    /// Wakes every waiter so that it looks at its flags now rather than after its nap.
    pub fn wake_all(&self) {
        self.freed.notify_all();
    }

    /// Who holds it and who waits for it, now.
    pub fn view(&self) -> LockView {
        let s = self.state();
        LockView { holders: s.holders.clone(), waiters: s.waiters.clone(), permits: self.permits, changes: s.changes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::Ordering::Release;

    #[test]
    fn a_lock_has_one_holder_and_records_it() {
        let l = ObservedLock::new();
        let (abort, ctl) = (AtomicBool::new(false), Control::new());
        assert_eq!(l.acquire(0, &abort, &ctl), Ok(false));
        assert!(!l.try_acquire(1));
        assert_eq!(l.view().holders, [0]);
        assert!(!l.release(1), "only the holder can release");
        assert!(l.release(0));
        assert!(l.try_acquire(1));
        assert_eq!(l.view().holders, [1]);
    }

    #[test]
    fn a_semaphore_admits_up_to_its_permits() {
        let s = ObservedLock::with_permits(2);
        assert!(s.try_acquire(0) && s.try_acquire(1));
        assert!(!s.try_acquire(2));
        assert_eq!(s.view().holders, [0, 1]);
    }

    #[test]
    fn a_waiter_is_visible_and_gets_the_lock_when_it_is_released() {
        let l = ObservedLock::new();
        let (abort, ctl) = (AtomicBool::new(false), Control::new());
        l.acquire(0, &abort, &ctl).unwrap();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| l.acquire(1, &abort, &ctl));
            while l.view().waiters != [1] {
                std::thread::yield_now();
            }
            l.release(0);
            assert_eq!(waiter.join().unwrap(), Ok(true));
        });
        let v = l.view();
        assert_eq!((v.holders, v.waiters), (vec![1], vec![]));
    }

    #[test]
    fn raising_the_abort_flag_frees_a_stuck_waiter() {
        let l = ObservedLock::new();
        let (abort, ctl) = (AtomicBool::new(false), Control::new());
        l.acquire(0, &abort, &ctl).unwrap();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| l.acquire(1, &abort, &ctl));
            while l.view().waiters.is_empty() {
                std::thread::yield_now();
            }
            let before = l.view().changes;
            abort.store(true, Release);
            l.wake_all();
            assert_eq!(waiter.join().unwrap(), Err(GaveUp::Aborted));
            assert!(l.view().changes > before, "leaving the queue is a change");
        });
        assert_eq!(l.view().waiters, Vec::<usize>::new());
        assert_eq!(l.view().holders, [0], "the holder keeps it");
    }

    #[test]
    fn a_cancel_frees_a_stuck_waiter() {
        let l = ObservedLock::new();
        let (abort, ctl) = (AtomicBool::new(false), Control::new());
        l.acquire(0, &abort, &ctl).unwrap();
        ctl.cancel();
        assert_eq!(l.acquire(1, &abort, &ctl), Err(GaveUp::Cancelled));
    }
}
