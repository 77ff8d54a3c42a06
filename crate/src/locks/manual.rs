//! A lock with bare `acquire` and `release`, and no guard: the shape of Python's
//! `lock.acquire()` / `lock.release()` without `with`. Nothing releases it for you, so an
//! early return between the two leaves it locked for good: the "leaked lock" of chapter 4.
//!
//! Waiting is bounded: `acquire` gives up after `patience` and reports who holds the lock,
//! which is how the demo notices a leak instead of hanging forever.

use crate::control::{Cancelled, Control};
use crate::sync::{Condvar, Mutex};
use std::time::Duration;

/// Why an `acquire` returned without the lock.
#[derive(Debug, Clone, PartialEq)]
pub enum AcquireError {
    /// Nobody released the lock within the patience given; `holder` still has it.
    Stuck { holder: String, waited_ms: f64 },
    Cancelled,
}

impl From<Cancelled> for AcquireError {
    fn from(_: Cancelled) -> Self {
        AcquireError::Cancelled
    }
}

#[derive(Default)]
pub struct ManualLock {
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Default)]
struct State {
    /// The name of the holder, `None` when unlocked.
    holder: Option<String>,
    /// Threads inside `acquire` that found the lock taken and have not returned yet.
    waiters: usize,
}

impl ManualLock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the lock for `who`, waiting at most `patience`.
    pub fn acquire(&self, who: &str, patience: Duration, ctl: &Control) -> Result<(), AcquireError> {
        let start = crate::clock::now_ms();
        let mut s = self.state();
        let waits = s.holder.is_some();
        s.waiters += usize::from(waits);
        let outcome = loop {
            let Some(h) = s.holder.as_ref() else { break Ok(()) };
            if let Err(c) = ctl.check() {
                break Err(c.into());
            }
            let waited = crate::clock::since(start);
            let left = patience.as_secs_f64() * 1000.0 - waited;
            if left <= 0.0 {
                break Err(AcquireError::Stuck { holder: h.clone(), waited_ms: waited });
            }
            // Wake at least every 20 ms to notice a cancel.
            let nap = Duration::from_secs_f64((left.min(20.0) / 1000.0).max(0.0005));
            s = self.freed.wait_timeout(s, nap).unwrap_or_else(|e| e.into_inner()).0;
        };
        s.waiters -= usize::from(waits);
        if outcome.is_ok() {
            s.holder = Some(who.to_string());
        }
        outcome
    }

    pub fn release(&self) {
        self.state().holder = None;
        self.freed.notify_one();
    }

    pub fn holder(&self) -> Option<String> {
        self.state().holder.clone()
    }

    /// Threads waiting in `acquire` right now (for tests: a waiter seen here is blocked).
    pub fn waiters(&self) -> usize {
        self.state().waiters
    }

    fn state(&self) -> crate::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_released_lock_can_be_taken_again() {
        let l = ManualLock::new();
        let ctl = Control::new();
        l.acquire("A", Duration::from_millis(10), &ctl).unwrap();
        assert_eq!(l.holder().as_deref(), Some("A"));
        l.release();
        l.acquire("B", Duration::from_millis(10), &ctl).unwrap();
        assert_eq!(l.holder().as_deref(), Some("B"));
    }

    #[test]
    fn a_leaked_lock_is_reported_with_its_holder() {
        let l = ManualLock::new();
        let ctl = Control::new();
        l.acquire("A", Duration::from_millis(10), &ctl).unwrap();
        match l.acquire("B", Duration::from_millis(30), &ctl) {
            Err(AcquireError::Stuck { holder, waited_ms }) => {
                assert_eq!(holder, "A");
                assert!(waited_ms >= 30.0);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(l.waiters(), 0, "B gave up and is no longer waiting");
    }

    #[test]
    fn a_waiter_gets_the_lock_when_the_holder_releases() {
        let l = ManualLock::new();
        let ctl = Control::new();
        l.acquire("A", Duration::from_millis(10), &ctl).unwrap();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| l.acquire("B", Duration::from_secs(3600), &ctl));
            // Release only once B is blocked, so that what is tested is the wake-up.
            super::super::rwlock::tests::until(|| l.waiters() == 1);
            assert_eq!(l.holder().as_deref(), Some("A"), "B waits while A holds it");
            l.release();
            assert_eq!(waiter.join().unwrap(), Ok(()));
        });
        assert_eq!((l.holder().as_deref(), l.waiters()), (Some("B"), 0));
    }
}
