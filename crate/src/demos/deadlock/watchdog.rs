//! The watchdog: it runs on the engine thread while the philosophers run on the pool, and
//! watches one number, the meals eaten. When no meal was eaten for `patience` ms it looks at
//! the table:
//! - if the wait-for graph of the locks has a cycle, and the cycle's locks did not change
//!   between two looks (so the picture is consistent, not a blur of moments), it is a
//!   deadlock: nobody on the cycle can ever move;
//! - if there is no cycle but the philosophers kept retrying (`trylock`) all that time, it is
//!   a livelock: busy, polite, and getting nowhere;
//! - otherwise the table is slow, not stuck (a long pause), and the watchdog keeps watching.
//!
//! For a deadlock or a livelock it raises the abort flag: every philosopher gives up, puts its
//! forks back, and the run returns normally, so the engine is ready for the next run.

use super::graph::{find_cycle, wait_for, Edge};
use super::table::{Diner, Table};
use super::DemoEvent;
use crate::clock;
use crate::locks::observed::LockView;
use crate::sync::Ordering::Acquire;
use serde::Serialize;
use std::time::Duration;

/// How often the watchdog looks at the meal counter.
const SAMPLE: Duration = Duration::from_millis(10);

/// A circle of waits, in order: `threads[i]` waits for `locks[i]`, which `threads[i + 1]`
/// (round the circle) holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "deadlock/"))]
pub struct Cycle {
    pub threads: Vec<usize>,
    pub names: Vec<String>,
    pub locks: Vec<usize>,
    pub lock_names: Vec<String>,
    /// "P1 holds f1 and waits for f2, held by P2; …".
    pub text: String,
}

/// What the watchdog called it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "deadlock/"))]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A cycle of waits that stayed still: nobody on it can ever move.
    Deadlock,
    /// No cycle, but retries and no progress: busy and getting nowhere.
    Livelock,
}

/// What the watchdog found, and the table as it saw it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "deadlock/"))]
pub struct Report {
    pub kind: Verdict,
    /// How long no meal had been eaten when it stepped in.
    pub quiet_ms: f64,
    pub message: String,
    pub cycle: Option<Cycle>,
    /// Every lock (forks, then the seats) as the watchdog saw it.
    pub locks: Vec<LockView>,
    pub edges: Vec<Edge>,
    pub diners: Vec<Diner>,
}

/// Watches `t` until every thread has left, the run is cancelled, or it finds the table
/// stuck (then it makes everyone give up and says why).
pub fn watch(t: &Table, patience_ms: f64) -> Option<Report> {
    let k = t.k();
    let mut meals = t.eaten.load(Acquire);
    let mut retries = t.retries.load(Acquire);
    let mut quiet_since = clock::now_ms();
    // A livelock is called only after a longer silence: a philosopher may hold a fork for a
    // whole pause while its neighbours retry, and that is not yet a livelock.
    let livelock_ms = patience_ms + 2.0 * f64::from(t.pause_ms);
    loop {
        if t.finished.load(Acquire) == k || t.ctl.is_cancelled() {
            return None;
        }
        std::thread::sleep(SAMPLE);
        let now_meals = t.eaten.load(Acquire);
        if now_meals != meals {
            meals = now_meals;
            retries = t.retries.load(Acquire);
            quiet_since = clock::now_ms();
            continue;
        }
        let quiet = clock::since(quiet_since);
        if quiet < patience_ms {
            continue;
        }
        // Jobs that never started wait for a free thread, and the only one left may be this
        // one (a caller inside a pool that is too small): stop watching and let it run them.
        let started = t.started.load(Acquire);
        if started < k && t.finished.load(Acquire) == started {
            return None;
        }
        // Two looks at the locks, one sample apart.
        let before = t.views();
        std::thread::sleep(SAMPLE);
        let after = t.views();
        if t.eaten.load(Acquire) != meals {
            continue;
        }
        let edges = wait_for(&after);
        let stuck = find_cycle(&edges).filter(|c| c.iter().all(|e| before[e.lock].changes == after[e.lock].changes));
        let retried = t.retries.load(Acquire) - retries;
        let quiet = clock::since(quiet_since);
        let (kind, cycle, message) = if let Some(c) = stuck {
            let cycle = describe(t, &c);
            let round: Vec<&str> = cycle.names.iter().chain(cycle.names.first()).map(String::as_str).collect();
            let message = format!(
                "no {} for {quiet:.0} ms, and the wait-for graph has a cycle of {}: {}. Nobody on it can move: a \
                 deadlock. The watchdog raised the abort flag; every {} put its {}s back and gave up.",
                t.setup.progress_word(),
                cycle.threads.len(),
                round.join(" → "),
                t.setup.thread_word(),
                t.setup.lock_word()
            );
            (Verdict::Deadlock, Some(cycle), message)
        } else if retried > 0 && quiet >= livelock_ms {
            let message = format!(
                "no {} for {quiet:.0} ms, yet no cycle of waits: the {}s kept trying ({retried} retries), putting the \
                 first {} back each time. A livelock: busy, polite, and getting nowhere. The watchdog stopped the run.",
                t.setup.progress_word(),
                t.setup.thread_word(),
                t.setup.lock_word()
            );
            (Verdict::Livelock, None, message)
        } else {
            continue; // slow, not stuck
        };
        // The picture first, then the rescue (which changes it).
        let diners = t.diners();
        t.feed.push(&DemoEvent::Watchdog { t_ms: t.log.now(), verdict: kind, cycle: cycle.as_ref(), message: &message });
        t.give_up();
        return Some(Report { kind, quiet_ms: quiet, message, cycle, locks: after, edges, diners });
    }
}

fn describe(t: &Table, c: &[Edge]) -> Cycle {
    let s = &t.setup;
    let names = &s.names;
    let n = c.len();
    let text = (0..n)
        .map(|i| {
            let e = c[i];
            // What `e.from` holds is what the thread before it on the circle waits for.
            let held = c[(i + n - 1) % n].lock;
            format!("{} holds {} and waits for {}, held by {}", names[e.from], s.lock_name(held), s.lock_name(e.lock), names[e.to])
        })
        .collect::<Vec<_>>()
        .join("; ")
        + ".";
    Cycle {
        threads: c.iter().map(|e| e.from).collect(),
        names: c.iter().map(|e| names[e.from].clone()).collect(),
        locks: c.iter().map(|e| e.lock).collect(),
        lock_names: c.iter().map(|e| s.lock_name(e.lock).to_string()).collect(),
        text,
    }
}
