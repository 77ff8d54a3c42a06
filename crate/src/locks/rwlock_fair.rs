//! A fair readers-writer lock: a ticket lock, like the queue at a deli counter. After the
//! fair ticket-based reader-writer lock of Mellor-Crummey and Scott, "Scalable
//! reader-writer synchronization for shared-memory multiprocessors" (PPoPP 1991), here on a
//! mutex and a condition variable instead of spinning.
//!
//! Every thread that arrives takes the next ticket and waits until its number is served,
//! readers and writers alike, so threads get in in the order they arrived (FIFO) and nobody
//! can be overtaken for ever. Readers still share: a reader whose number comes up goes in
//! and at once serves the next number, so a run of consecutive readers enters together;
//! a writer keeps its number "being served" until it leaves, so nobody passes it.
//!
//! State (under one mutex):
//! - `next`: the ticket the next arriving thread takes.
//! - `serving`: the ticket that may go in now. `next - serving` threads are queued.
//! - `readers`: readers inside; `writer`: `true` while a writer is inside.
//! - `abandoned`: tickets whose holder gave up (a cancel); `serving` skips them, so a
//!   cancelled waiter never blocks the queue behind it.
//! - `waiting`: threads holding a ticket, not yet let in (for display).
//!
//! Memory ordering: see [`super::rwlock`]; everything is ordered by the state mutex.

use super::rwlock::{wait_until, RawRwLock, Waiting};
use crate::control::{Cancelled, Control};
use crate::sync::{Condvar, Mutex, MutexGuard};
use std::collections::BTreeSet;

#[derive(Debug, Default)]
struct State {
    next: u64,
    serving: u64,
    readers: u32,
    writer: bool,
    abandoned: BTreeSet<u64>,
    waiting: Waiting,
}

impl State {
    /// Serves the next ticket that someone still holds.
    fn advance(&mut self) {
        self.serving += 1;
        while self.abandoned.remove(&self.serving) {
            self.serving += 1;
        }
    }

    /// Gives ticket `t` up: skipped now if it is being served, else when its turn comes.
    fn abandon(&mut self, t: u64) {
        if t == self.serving {
            self.advance();
        } else {
            self.abandoned.insert(t);
        }
    }
}

#[derive(Debug, Default)]
pub struct FairRwLock {
    state: Mutex<State>,
    changed: Condvar,
}

impl FairRwLock {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tickets handed out so far (the number the next arrival will get).
    pub fn tickets(&self) -> u64 {
        self.state().next
    }

    /// Takes a ticket and waits until it is served and `ready` holds.
    fn queue(&self, ctl: &Control, reader: bool, ready: impl Fn(&State) -> bool) -> Result<MutexGuard<'_, State>, Cancelled> {
        let mut s = self.state();
        let ticket = s.next;
        s.next += 1;
        s.waiting.count(reader, 1);
        let result = wait_until(&self.changed, s, ctl, |s| s.serving == ticket && ready(s));
        match result {
            Ok(mut s) => {
                s.waiting.count(reader, -1);
                Ok(s)
            }
            Err((mut s, c)) => {
                s.waiting.count(reader, -1);
                s.abandon(ticket);
                self.changed.notify_all();
                Err(c)
            }
        }
    }
}

impl RawRwLock for FairRwLock {
    fn policy(&self) -> &'static str {
        "fair"
    }

    fn lock_shared(&self, ctl: &Control) -> Result<(), Cancelled> {
        let mut s = self.queue(ctl, true, |s| !s.writer)?;
        s.readers += 1;
        // Serve the next ticket at once: if it is a reader, it joins this one.
        s.advance();
        self.changed.notify_all();
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
        // Its number is up, and the readers let in before it have left.
        let mut s = self.queue(ctl, false, |s| !s.writer && s.readers == 0)?;
        s.writer = true;
        Ok(())
    }

    fn unlock_exclusive(&self) {
        let mut s = self.state();
        s.writer = false;
        s.advance();
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
    use crate::sync::Ordering::SeqCst;
    use crate::sync::{AtomicU32, Mutex};

    #[test]
    fn readers_share_and_a_writer_is_alone() {
        excludes_writers(&FairRwLock::new());
    }

    #[test]
    fn a_cancel_ends_a_wait_and_the_queue_moves_on() {
        a_cancelled_wait_returns(&FairRwLock::new());
    }

    /// Threads arrive one at a time (each has its ticket before the next is started) while
    /// a writer holds the lock; then they are served in ticket order. The consecutive
    /// readers R2 and R3 go in together: each stays until both are inside.
    #[test]
    fn serves_in_arrival_order() {
        let lock = FairRwLock::new();
        let ctl = Control::new();
        let arrivals = ["W1", "R2", "R3", "W4", "R5", "W6", "R7"];
        let entered = Mutex::new(Vec::new());
        let pair_in = AtomicU32::new(0);
        let holder = lock.write(&ctl).unwrap(); // ticket 0
        std::thread::scope(|s| {
            for (i, name) in arrivals.iter().enumerate() {
                let (lock, ctl, entered, pair_in) = (&lock, &ctl, &entered, &pair_in);
                s.spawn(move || {
                    if name.starts_with('R') {
                        let _g = lock.read(ctl).unwrap();
                        entered.lock().unwrap().push(*name);
                        if *name == "R2" || *name == "R3" {
                            // Both readers of the group are inside at the same time.
                            pair_in.fetch_add(1, SeqCst);
                            until(|| pair_in.load(SeqCst) == 2);
                        }
                    } else {
                        let _g = lock.write(ctl).unwrap();
                        entered.lock().unwrap().push(*name);
                    }
                });
                until(|| lock.tickets() == i as u64 + 2);
            }
            assert_eq!(lock.waiting(), Waiting { readers: 4, writers: 3 });
            drop(holder);
        });
        let mut got = entered.into_inner().unwrap();
        // R2 and R3 enter together; which of them writes down its name first is a race.
        let pos = got.iter().position(|n| n.starts_with("R")).unwrap();
        got[pos..pos + 2].sort();
        assert_eq!(got, arrivals);
    }

    /// Unlike reader preference, a writer in the queue is not overtaken by later readers.
    #[test]
    fn a_queued_writer_is_not_overtaken() {
        let lock = FairRwLock::new();
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
            drop(a);
        });
        assert_eq!(*order.lock().unwrap(), ["W", "B"]);
    }
}
