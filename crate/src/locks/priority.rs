//! A priority scheduler in miniature: one "CPU" (a lock) that, whenever it is released, is
//! handed to the waiting task with the highest priority. Chapter 13's second kind of
//! starvation: while high-priority tasks keep arriving, a low-priority task never runs.
//!
//! The cure is **aging**: a waiting task's priority grows while it waits, until it
//! outranks the newcomers. Here waiting is counted in hand-offs: each time the CPU is handed
//! to another task, every task left waiting gains one level. (Operating systems age by
//! elapsed time; counting hand-offs makes the same idea deterministic, so a test can say
//! exactly when the low-priority task gets its turn.)
//!
//! The decision is [`pick`], a pure function: highest effective priority (`priority`, plus
//! `passed` with aging), ties to the task that arrived first. `release` makes it and hands
//! the CPU over directly (`holder` is set to the chosen task before anyone wakes), so the
//! order never depends on which thread the operating system wakes first.
//!
//! State (under one mutex): `holder` (the task on the CPU, `None`: idle), `waiters` (in
//! arrival order), `arrivals` (the next arrival number). Memory ordering: everything is
//! ordered by that mutex, as in [`super::rwlock`].

use super::rwlock::wait_until;
use crate::control::{Cancelled, Control};
use crate::sync::{Condvar, Mutex, MutexGuard};

/// A task waiting for the CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiter {
    pub task: usize,
    /// Its own priority; higher runs first.
    pub priority: u32,
    /// Hand-offs to other tasks since it started waiting.
    pub passed: u32,
    /// Arrival number: smaller arrived earlier.
    pub arrival: u64,
}

impl Waiter {
    /// The priority the scheduler compares: grown by its waiting when aging is on.
    pub fn effective(&self, aging: bool) -> u32 {
        if aging {
            self.priority.saturating_add(self.passed)
        } else {
            self.priority
        }
    }
}

/// The waiter to run next: highest effective priority, ties to the earliest arrival.
pub fn pick(waiters: &[Waiter], aging: bool) -> Option<usize> {
    (0..waiters.len()).max_by(|&a, &b| {
        let (a, b) = (&waiters[a], &waiters[b]);
        a.effective(aging).cmp(&b.effective(aging)).then(b.arrival.cmp(&a.arrival))
    })
}

#[derive(Debug, Default)]
struct State {
    holder: Option<usize>,
    waiters: Vec<Waiter>,
    arrivals: u64,
}

#[derive(Debug, Default)]
pub struct PriorityCpu {
    aging: bool,
    state: Mutex<State>,
    changed: Condvar,
}

impl PriorityCpu {
    pub fn new(aging: bool) -> Self {
        PriorityCpu { aging, ..Default::default() }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until the CPU is handed to `task` (or is idle with nobody waiting).
    pub fn acquire(&self, task: usize, priority: u32, ctl: &Control) -> Result<(), Cancelled> {
        let mut s = self.state();
        let arrival = s.arrivals;
        s.arrivals += 1;
        if s.holder.is_none() {
            // Idle means nobody waits either: `release` hands over to a waiter if there is one.
            s.holder = Some(task);
            return Ok(());
        }
        s.waiters.push(Waiter { task, priority, passed: 0, arrival });
        match wait_until(&self.changed, s, ctl, |s| s.holder == Some(task)) {
            Ok(_) => Ok(()),
            Err((mut s, c)) => {
                s.waiters.retain(|w| w.task != task);
                Err(c)
            }
        }
    }

    /// Leaves the CPU, handing it to the waiter [`pick`] chooses.
    pub fn release(&self) {
        let mut s = self.state();
        s.holder = None;
        if let Some(i) = pick(&s.waiters, self.aging) {
            let chosen = s.waiters.remove(i);
            for w in &mut s.waiters {
                w.passed += 1;
            }
            s.holder = Some(chosen.task);
            self.changed.notify_all();
        }
    }

    /// Tasks waiting for the CPU now.
    pub fn waiting(&self) -> usize {
        self.state().waiters.len()
    }

    pub fn holder(&self) -> Option<usize> {
        self.state().holder
    }
}

#[cfg(test)]
mod tests {
    use super::super::rwlock::tests::until;
    use super::*;
    use crate::sync::Ordering::SeqCst;
    use crate::sync::{AtomicBool, Mutex};

    fn w(task: usize, priority: u32, passed: u32, arrival: u64) -> Waiter {
        Waiter { task, priority, passed, arrival }
    }

    #[test]
    fn pick_takes_the_highest_priority_then_the_earliest_arrival() {
        let check = |waiters: &[Waiter], aging: bool, expected: Option<usize>| {
            assert_eq!(pick(waiters, aging).map(|i| waiters[i].task), expected, "{waiters:?} aging {aging}");
        };
        check(&[], false, None);
        check(&[w(0, 0, 9, 0), w(1, 3, 0, 1)], false, Some(1));
        check(&[w(0, 0, 2, 0), w(1, 3, 0, 1)], true, Some(1));
        check(&[w(0, 0, 3, 0), w(1, 3, 0, 1)], true, Some(0)); // a tie: L came first
        check(&[w(0, 0, 4, 5), w(1, 3, 0, 1)], true, Some(0));
        check(&[w(0, 2, 0, 7), w(1, 2, 0, 3), w(2, 1, 0, 0)], false, Some(1));
    }

    /// Two high-priority tasks (priority 3) take turns on the CPU; each leaves only once the
    /// other is waiting again, so at every hand-off a high-priority task waits. The low one
    /// (priority 0) waits from the start. Returns who got the CPU, in order.
    fn relay(aging: bool, turns: usize) -> Vec<&'static str> {
        let cpu = PriorityCpu::new(aging);
        let ctl = Control::new();
        let log = Mutex::new(Vec::new());
        let low_done = AtomicBool::new(false);
        let stop = AtomicBool::new(false);
        cpu.acquire(1, 3, &ctl).unwrap(); // H1 starts on the CPU, held by the test for now
        std::thread::scope(|s| {
            s.spawn(|| {
                cpu.acquire(0, 0, &ctl).unwrap();
                log.lock().unwrap().push("L");
                low_done.store(true, SeqCst);
                cpu.release();
            });
            until(|| cpu.waiting() == 1);
            for (task, name) in [(1, "H1"), (2, "H2")] {
                let (cpu, ctl, log, low_done, stop) = (&cpu, &ctl, &log, &low_done, &stop);
                s.spawn(move || loop {
                    if task == 2 || !log.lock().unwrap().is_empty() {
                        cpu.acquire(task, 3, ctl).unwrap();
                    }
                    log.lock().unwrap().push(name);
                    let others = if low_done.load(SeqCst) { 1 } else { 2 };
                    until(|| cpu.waiting() >= others || stop.load(SeqCst));
                    if log.lock().unwrap().len() >= turns {
                        stop.store(true, SeqCst);
                    }
                    let done = stop.load(SeqCst);
                    cpu.release();
                    if done {
                        return;
                    }
                });
            }
        });
        let mut log = log.into_inner().unwrap();
        log.truncate(turns);
        log
    }

    #[test]
    fn without_aging_the_low_priority_task_never_runs_while_high_ones_wait() {
        let log = relay(false, 20);
        assert!(!log.contains(&"L"), "{log:?}");
        assert_eq!(log[..4], ["H1", "H2", "H1", "H2"]);
    }

    #[test]
    fn with_aging_the_low_priority_task_runs_after_three_hand_offs() {
        // L gains a level per hand-off: 1, 2, then 3 ties H's 3, and L arrived first.
        let log = relay(true, 8);
        assert_eq!(log[..5], ["H1", "H2", "H1", "H2", "L"], "{log:?}");
    }

    #[test]
    fn a_cancelled_waiter_leaves_the_queue() {
        let cpu = PriorityCpu::new(false);
        let ctl = Control::new();
        cpu.acquire(0, 1, &ctl).unwrap();
        std::thread::scope(|s| {
            let t = s.spawn(|| cpu.acquire(1, 5, &ctl));
            until(|| cpu.waiting() == 1);
            ctl.cancel();
            assert_eq!(t.join().unwrap(), Err(Cancelled));
        });
        assert_eq!(cpu.waiting(), 0);
        cpu.release();
        assert_eq!(cpu.holder(), None);
    }
}
