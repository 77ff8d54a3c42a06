//! A writer-preferring readers-writer lock: the second readers-writers problem of Courtois,
//! Heymans and Parnas, "Concurrent control with readers and writers" (CACM, 1971).
//!
//! A writer announces itself as soon as it starts waiting, and from then on no *new* reader
//! gets in; the readers already inside finish, and the writer goes next. This cures the
//! writers' starvation of [`super::rwlock_readers`], and moves it: while writers keep
//! arriving back to back, some writer is always waiting, and the readers wait for ever.
//!
//! State (under one mutex):
//! - `readers`: readers inside.
//! - `writer`: `true` while a writer is inside (then `readers` is 0).
//! - `waiting.writers`: writers waiting to get in. **Any value above 0 closes the door to
//!   new readers**: this count is the whole policy.
//! - `waiting.readers`: readers waiting (for display only).
//!
//! Memory ordering: see [`super::rwlock`]; everything is ordered by the state mutex.

use super::rwlock::{wait_until, RawRwLock, Waiting};
use crate::control::{Cancelled, Control};
use crate::sync::{Condvar, Mutex, MutexGuard};

#[derive(Debug, Default)]
struct State {
    readers: u32,
    writer: bool,
    waiting: Waiting,
}

#[derive(Debug, Default)]
pub struct WriterPreferring {
    state: Mutex<State>,
    changed: Condvar,
}

impl WriterPreferring {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl RawRwLock for WriterPreferring {
    fn policy(&self) -> &'static str {
        "writers"
    }

    fn lock_shared(&self, ctl: &Control) -> Result<(), Cancelled> {
        let mut s = self.state();
        s.waiting.readers += 1;
        // A reader also waits while any writer is waiting: the writer was there first.
        let mut s = wait_until(&self.changed, s, ctl, |s| !s.writer && s.waiting.writers == 0).map_err(|(mut s, c)| {
            s.waiting.readers -= 1;
            c
        })?;
        s.waiting.readers -= 1;
        s.readers += 1;
        Ok(())
    }

    fn unlock_shared(&self) {
        let mut s = self.state();
        s.readers -= 1;
        if s.readers == 0 {
            self.changed.notify_all();
        }
    }

    fn lock_exclusive(&self, ctl: &Control) -> Result<(), Cancelled> {
        let mut s = self.state();
        s.waiting.writers += 1; // from here on, new readers wait
        let result = wait_until(&self.changed, s, ctl, |s| !s.writer && s.readers == 0);
        let (mut s, outcome) = match result {
            Ok(s) => (s, Ok(())),
            Err((s, c)) => (s, Err(c)),
        };
        s.waiting.writers -= 1;
        match outcome {
            Ok(()) => s.writer = true,
            // Readers held back by this writer may go in now.
            Err(_) => self.changed.notify_all(),
        }
        outcome
    }

    fn unlock_exclusive(&self) {
        self.state().writer = false;
        self.changed.notify_all();
    }

    fn waiting(&self) -> Waiting {
        self.state().waiting
    }
}

#[cfg(test)]
mod tests {
    use super::super::rwlock::tests::{a_cancelled_wait_returns, excludes_writers, until};
    use super::*;
    use crate::sync::Mutex;

    #[test]
    fn readers_share_and_a_writer_is_alone() {
        excludes_writers(&WriterPreferring::new());
    }

    #[test]
    fn a_cancel_ends_a_wait() {
        a_cancelled_wait_returns(&WriterPreferring::new());
    }

    /// Reader A reads; writer W starts waiting; then reader B arrives. B waits behind W, so
    /// when A leaves, W writes before B reads (with reader preference B would walk in).
    #[test]
    fn a_waiting_writer_goes_before_readers_that_arrive_after_it() {
        let lock = WriterPreferring::new();
        let ctl = Control::new();
        let order = Mutex::new(Vec::new());
        let a = lock.read(&ctl).unwrap();
        std::thread::scope(|s| {
            s.spawn(|| {
                let _g = lock.write(&ctl).unwrap();
                order.lock().unwrap().push("W");
            });
            until(|| lock.waiting().writers == 1);
            s.spawn(|| {
                let _g = lock.read(&ctl).unwrap();
                order.lock().unwrap().push("B");
            });
            until(|| lock.waiting().readers == 1);
            assert!(order.lock().unwrap().is_empty(), "nobody gets in while A reads");
            drop(a);
        });
        assert_eq!(*order.lock().unwrap(), ["W", "B"]);
    }

    /// A writer that gives up (cancel) opens the door again for the readers it held back.
    #[test]
    fn a_cancelled_writer_lets_held_back_readers_in() {
        let lock = WriterPreferring::new();
        let run = Control::new();
        let writer_ctl = Control::new();
        let a = lock.read(&run).unwrap();
        std::thread::scope(|s| {
            let w = s.spawn(|| lock.lock_exclusive(&writer_ctl));
            until(|| lock.waiting().writers == 1);
            let b = s.spawn(|| drop(lock.read(&run).unwrap()));
            until(|| lock.waiting().readers == 1);
            writer_ctl.cancel();
            assert_eq!(w.join().unwrap(), Err(Cancelled));
            b.join().unwrap(); // B gets in beside A
        });
        drop(a);
    }
}
