//! A reader-preferring readers-writer lock: the first readers-writers problem of Courtois,
//! Heymans and Parnas, "Concurrent control with readers and writers" (CACM, 1971).
//!
//! Readers never wait for a waiting writer: a reader waits only while a writer is *inside*.
//! A writer needs the lock empty, no reader and no writer. As long as readers overlap (one
//! arrives before the last one leaves) the count of readers never drops to 0, and a
//! waiting writer waits for ever: this is the starvation of chapter 13.
//!
//! State (under one mutex):
//! - `readers`: readers inside (0: no reader).
//! - `writer`: `true` while a writer is inside (then `readers` is 0).
//! - `waiting`: threads inside a `lock_*` call, not yet let in (for display; the policy
//!   never looks at it, which is exactly the problem).
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
pub struct ReaderPreferring {
    state: Mutex<State>,
    changed: Condvar,
}

impl ReaderPreferring {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl RawRwLock for ReaderPreferring {
    fn policy(&self) -> &'static str {
        "readers"
    }

    // snippet:start starvation
    fn lock_shared(&self, ctl: &Control) -> Result<(), Cancelled> {
        let mut s = self.state();
        s.waiting.readers += 1;
        // A reader waits only for a writer that is inside, never for one that is waiting.
        let mut s = wait_until(&self.changed, s, ctl, |s| !s.writer).map_err(|(mut s, c)| {
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
            // Only now can a writer get in, if no reader arrives first.
            self.changed.notify_all();
        }
    }

    fn lock_exclusive(&self, ctl: &Control) -> Result<(), Cancelled> {
        let mut s = self.state();
        s.waiting.writers += 1;
        // A writer needs the room empty: with overlapping readers, that never happens.
        let mut s = wait_until(&self.changed, s, ctl, |s| !s.writer && s.readers == 0).map_err(|(mut s, c)| {
            s.waiting.writers -= 1;
            c
        })?;
        s.waiting.writers -= 1;
        s.writer = true;
        Ok(())
    }
    // snippet:end starvation

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
    use crate::sync::AtomicBool;
    use crate::sync::Ordering::SeqCst;

    #[test]
    fn readers_share_and_a_writer_is_alone() {
        excludes_writers(&ReaderPreferring::new());
    }

    #[test]
    fn a_cancel_ends_a_wait() {
        a_cancelled_wait_returns(&ReaderPreferring::new());
    }

    /// Two readers hand the lock to each other like a relay baton: each new read begins
    /// before the previous one ends, so the lock is never free. The writer waits through
    /// all of it and gets in only once the readers stop.
    #[test]
    fn overlapping_readers_starve_a_waiting_writer() {
        let lock = ReaderPreferring::new();
        let ctl = Control::new();
        let wrote = AtomicBool::new(false);
        let mut baton = lock.read(&ctl).unwrap();
        std::thread::scope(|s| {
            let writer = s.spawn(|| {
                let _g = lock.write(&ctl).unwrap();
                wrote.store(true, SeqCst);
            });
            until(|| lock.waiting().writers == 1);
            for _ in 0..100 {
                let next = lock.read(&ctl).unwrap(); // a new reader walks in past the writer...
                drop(baton); // ...before the previous one walks out
                baton = next;
                assert!(!wrote.load(SeqCst), "the writer got in while a reader was inside");
                assert_eq!(lock.waiting().writers, 1);
            }
            drop(baton);
            writer.join().unwrap();
        });
        assert!(wrote.load(SeqCst), "the writer gets in once the readers stop");
    }

    /// A reader arriving while a writer waits walks straight in.
    #[test]
    fn a_new_reader_overtakes_a_waiting_writer() {
        let lock = ReaderPreferring::new();
        let ctl = Control::new();
        let first = lock.read(&ctl).unwrap();
        std::thread::scope(|s| {
            let writer = s.spawn(|| drop(lock.write(&ctl).unwrap()));
            until(|| lock.waiting().writers == 1);
            // This returns at once: the waiting writer does not hold readers back.
            let second = std::thread::scope(|t| t.spawn(|| lock.lock_shared(&ctl)).join().unwrap());
            assert_eq!(second, Ok(()));
            assert_eq!(lock.waiting().writers, 1);
            lock.unlock_shared();
            drop(first);
            writer.join().unwrap();
        });
    }
}
