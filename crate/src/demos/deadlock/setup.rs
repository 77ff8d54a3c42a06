//! Who sits where: the scenario and the fix the learner chose, the threads and the two locks
//! each one takes in order ([`Setup`]), and each thread's counts ([`Diner`]).

use serde::Serialize;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "deadlock/"))]
    /// The fixes the learner can switch on.
    pub enum Fix {
        /// Left fork, then right fork: deadlock-prone.
        None = "none",
        /// The lower-numbered fork first: one global order, no cycle possible.
        Ordered = "ordered",
        /// Try the second fork; if it is taken, put the first back and back off.
        TryLock = "trylock",
        /// A waiter (a semaphore) seats at most k - 1 philosophers at once.
        Waiter = "waiter",
    }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "deadlock/"))]
    /// The scenario: who sits at the table, the dining philosophers or the two threads of the
    /// two-locks classic.
    pub enum Diners {
        Philosophers = "philosophers",
        TwoLocks = "two-locks",
    }
}

/// Who sits where: thread names, lock names, and the two locks each thread takes, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "deadlock/"))]
pub struct Setup {
    /// The two-locks classic (threads and locks) rather than philosophers and forks.
    pub two_locks: bool,
    pub names: Vec<String>,
    pub locks: Vec<String>,
    pub first: Vec<usize>,
    pub second: Vec<usize>,
}

impl Setup {
    /// `k` philosophers P1..Pk with forks f1..fk: Pi's left fork is fi, its right one the next.
    pub fn philosophers(k: usize, fix: Fix) -> Setup {
        let names = (1..=k).map(|i| format!("P{i}")).collect();
        let locks = (1..=k).map(|i| format!("f{i}")).collect();
        Setup::round_table(false, names, locks, fix)
    }

    /// The second classic: A takes lock a then b, B takes b then a.
    pub fn two_locks(fix: Fix) -> Setup {
        Setup::round_table(true, vec!["A".into(), "B".into()], vec!["a".into(), "b".into()], fix)
    }

    fn round_table(two_locks: bool, names: Vec<String>, locks: Vec<String>, fix: Fix) -> Setup {
        let k = names.len();
        let pairs: Vec<(usize, usize)> = (0..k)
            .map(|i| {
                let (left, right) = (i, (i + 1) % k);
                if fix == Fix::Ordered {
                    (left.min(right), left.max(right))
                } else {
                    (left, right)
                }
            })
            .collect();
        Setup { two_locks, names, locks, first: pairs.iter().map(|p| p.0).collect(), second: pairs.iter().map(|p| p.1).collect() }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The name of lock `i`: a fork (or lock), or past them, the waiter's seats.
    pub fn lock_name(&self, i: usize) -> &str {
        self.locks.get(i).map_or("a seat", String::as_str)
    }

    /// "philosopher" or "thread".
    pub fn thread_word(&self) -> &'static str {
        if self.two_locks {
            "thread"
        } else {
            "philosopher"
        }
    }

    /// "meal" or "finished round": what the watchdog counts.
    pub fn progress_word(&self) -> &'static str {
        if self.two_locks {
            "finished round"
        } else {
            "meal"
        }
    }

    /// "fork" or "lock".
    pub fn lock_word(&self) -> &'static str {
        if self.two_locks {
            "lock"
        } else {
            "fork"
        }
    }
}

/// One philosopher's counts, and what it is doing (for the watchdog's picture).
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "deadlock/"))]
pub struct Diner {
    pub name: String,
    /// The pool thread it ran on (0 until it starts).
    pub lane: u32,
    pub meals: u32,
    /// Times it found a lock taken and had to wait for it.
    pub waits: u32,
    pub wait_ms: f64,
    /// `trylock`: times the second fork was taken, so it put the first back.
    pub retries: u32,
    /// `waiting to start`, `thinking`, `waiting for a seat`, `waiting`, `holding one`,
    /// `eating`, `backing off`, `done`, `gave up`, `cancelled`.
    pub state: &'static str,
}
