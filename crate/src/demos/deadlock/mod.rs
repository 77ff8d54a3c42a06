//! Chapter 12: deadlocks, on real threads. The dining philosophers: k philosophers on k pool
//! threads round a table with a fork (a lock) between each two; each needs both of its forks
//! to eat. If all of them take the left fork first, each waits for the right one, which its
//! neighbour holds: a circle of waits that nothing can break. A second classic: two threads
//! taking two locks in opposite order, the same circle with two.
//!
//! A watchdog on the engine thread sees that no meal is being eaten, draws the wait-for graph
//! from the locks' holders and waiters, finds the cycle, names it, and makes every thread give
//! up, so the run ends normally and the engine is ready again without a reload.
//!
//! Fixes the learner can switch on: one global lock order (`ordered`), try-lock with back-off
//! (`trylock`, which trades the deadlock for retries and a livelock risk), and a waiter that
//! seats at most k - 1 philosophers (`waiter`).
//!
//! - [`setup`]: the scenario and the fixes, who sits where, each thread's counts.
//! - [`table`]: the threads and the forks, as they run.
//! - [`graph`]: the wait-for graph and its cycle.
//! - [`watchdog`]: progress, the verdict, the recovery.
//! - `summary.rs`: what `data-result` says; `steps.rs`: the step-through programs.

pub mod graph;
pub mod setup;
mod steps;
mod summary;
pub mod table;
pub mod watchdog;

pub use summary::Summary;

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::sched::Program;
use super::{DemoError, Env};
use crate::control::Control;
use crate::params::{Caps, Choice, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::pool::{Run, SpanLog};
use serde::Serialize;
use setup::{Diner, Fix, Diners, Setup};
use table::Table;
use watchdog::{Cycle, Report, Verdict};

/// Why a run cannot go on without a pool.
const NEEDS_POOL: &str = "this demo needs real threads: every philosopher must hold a fork at the same time, and this page has no thread pool";

/// Every thread needs a pool worker of its own: a deadlock needs them all holding at once.
const THREADS: ThreadsNeed = ThreadsNeed::ByChoice {
    choice: "scenario",
    cases: &[
        ("philosophers", ThreadsNeed::Sum { inputs: &["philosophers"], extra: 0, what: "philosophers", why: "", needs_pool: Some(NEEDS_POOL) }),
        ("two-locks", ThreadsNeed::Sum { inputs: &[], extra: 2, what: "philosophers", why: "", needs_pool: Some(NEEDS_POOL) }),
    ],
};

pub const SPEC: DemoSpec = DemoSpec {
    id: "deadlock",
    chapter: 12,
    also: &[],
    nav: "Deadlocks",
    title: "Deadlocks: the dining philosophers",
    summary: "Philosophers on real threads share forks, one lock each. When every one holds a fork and waits for the next, nobody can ever eat: a watchdog finds the cycle and breaks it.",
    params: &[
        ParamSpec {
            name: "scenario",
            label: "Scenario",
            help: "philosophers: k threads round a table, a fork between each two; two-locks: thread A takes lock a then b, B takes b then a",
            kind: Kind::Choice { values: Diners::WORDS },
            default: "philosophers",
        },
        ParamSpec {
            name: "philosophers",
            label: "Philosophers",
            help: "Threads at the table, each on its own pool worker (two-locks always has 2)",
            kind: Kind::Int { min: 2, max: 8 },
            default: "5",
        },
        ParamSpec {
            name: "fix",
            label: "Fix",
            help: "none: left fork, then right; ordered: lower-numbered fork first; trylock: put the first back if the second is taken; waiter: at most k-1 seated",
            kind: Kind::Choice { values: Fix::WORDS },
            default: "none",
        },
        ParamSpec {
            name: "meals",
            label: "Meals each",
            help: "How many times each philosopher eats",
            kind: Kind::Int { min: 1, max: 50 },
            default: "5",
        },
        ParamSpec {
            name: "pause",
            label: "Pause holding one fork (ms)",
            help: "After its first fork, a philosopher waits up to this long for every other one to hold a fork too (the worst timing); 0: reach for the second at once",
            kind: Kind::Int { min: 0, max: 1000 },
            default: "100",
        },
        ParamSpec {
            name: "patience",
            label: "Watchdog (ms)",
            help: "How long the watchdog lets the table go without a meal before it looks for a cycle",
            kind: Kind::Int { min: 100, max: 5000 },
            default: "500",
        },
    ],
    caps: Caps { instant: false, steppable: true, live: true, threads: THREADS, no_pool: Some("The philosophers need real threads, which this page does not have; the step-through below works without them.") },
};

/// What the live feed carries: who sits where (first), each step of each thread, and the
/// watchdog's verdict.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "deadlock/", rename = "LiveEvent"))]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DemoEvent<'a> {
    Table { setup: &'a Setup, fix: Fix, meals: u32 },
    /// `who` did `what` (`took`, `waits for`, `released`, `eats`…), to lock `lock` if any.
    Step { t_ms: f64, who: usize, what: &'static str, lock: Option<usize>, meal: u32 },
    Watchdog { t_ms: f64, verdict: Verdict, cycle: Option<&'a Cycle>, message: &'a str },
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "deadlock/"))]
pub struct Outcome {
    pub scenario: Diners,
    pub fix: Fix,
    pub setup: Setup,
    pub meals_each: u32,
    pub pause_ms: u32,
    pub patience_ms: u32,
    pub deadlocked: bool,
    pub livelocked: bool,
    /// What the watchdog found, when it had to step in.
    pub watchdog: Option<Report>,
    pub diners: Vec<Diner>,
    pub meals_eaten: u32,
    pub meals_goal: u32,
    pub all_ate: bool,
    pub retries: u32,
    pub waits: u32,
    /// Distinct pool workers the philosophers ran on: one each, all alive at once.
    pub threads_used: usize,
    /// Thinking and eating (solid), waiting for a fork, pausing and backing off (hatched).
    pub timeline: Run,
    pub explanation: String,
}

pub fn run(p: &Params, _env: Env, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
    let scenario = p.pick::<Diners>("scenario");
    let fix = p.pick::<Fix>("fix");
    let setup = match scenario {
        Diners::TwoLocks => Setup::two_locks(fix),
        Diners::Philosophers => Setup::philosophers(p.int("philosophers") as usize, fix),
    };
    let k = setup.len();
    let meals = p.int("meals") as u32;
    let pause_ms = p.int("pause") as u32;
    let patience_ms = p.int("patience") as u32;
    ctl.begin(k as u32 * meals);

    let log = SpanLog::new();
    let table = Table::new(setup.clone(), fix, meals, pause_ms, ctl, feed, &log);
    feed.push(&DemoEvent::Table { setup: &setup, fix, meals });
    // Each thread is one job on the pool; the watchdog is the engine thread itself, which
    // would otherwise only sit and wait for the jobs to end.
    let report = rayon::in_place_scope(|s| {
        for me in 0..k {
            let t = &table;
            s.spawn(move |_| {
                let _ = t.seat_and_dine(me);
            });
        }
        watchdog::watch(&table, f64::from(patience_ms))
    });
    if ctl.is_cancelled() {
        return Err(DemoError::Cancelled);
    }
    if let Some(short) = *table.short.lock().unwrap_or_else(|e| e.into_inner()) {
        return Err(short.into());
    }
    let diners = table.diners();
    let mut lanes: Vec<u32> = diners.iter().map(|d| d.lane).collect();
    lanes.sort_unstable();
    lanes.dedup();
    let order = std::mem::take(&mut *table.order.lock().unwrap_or_else(|e| e.into_inner()));
    drop(table);
    let timeline = log.into_run(k as u32, order);

    let meals_eaten: u32 = diners.iter().map(|d| d.meals).sum();
    let meals_goal = k as u32 * meals;
    let deadlocked = report.as_ref().is_some_and(|r| r.kind == Verdict::Deadlock);
    let livelocked = report.as_ref().is_some_and(|r| r.kind == Verdict::Livelock);
    let retries = diners.iter().map(|d| d.retries).sum();
    let waits = diners.iter().map(|d| d.waits).sum();
    let explanation = explain(&setup, fix, report.as_ref(), retries, meals_eaten == meals_goal);
    Ok(Outcome {
        scenario,
        fix,
        setup,
        meals_each: meals,
        pause_ms,
        patience_ms,
        deadlocked,
        livelocked,
        watchdog: report,
        diners,
        meals_eaten,
        meals_goal,
        all_ate: meals_eaten == meals_goal,
        retries,
        waits,
        threads_used: lanes.len(),
        timeline,
        explanation,
    })
}

fn explain(s: &Setup, fix: Fix, report: Option<&Report>, retries: u32, all_ate: bool) -> String {
    let (t, l) = (s.thread_word(), s.lock_word());
    let k = s.len();
    match (fix, report.map(|r| r.kind)) {
        (_, Some(Verdict::Deadlock)) if s.two_locks => format!(
            "A took lock a and B took lock b; then each waited for the lock the other held. Neither can let go while \
             it waits, so neither will ever finish. All four Coffman conditions held: mutual exclusion, hold and wait, \
             no preemption, and circular wait. The watchdog saw no progress for {:.0} ms, found the cycle in the \
             wait-for graph, and made both threads give up; the engine is ready for another run.",
            report.map_or(0.0, |r| r.quiet_ms)
        ),
        (_, Some(Verdict::Deadlock)) => format!(
            "Every philosopher took the fork on its left and then waited for the one on its right, which its neighbour \
             held: a circle of {k} waits. All four Coffman conditions held (mutual exclusion, hold and wait, no \
             preemption, circular wait), so no one could ever eat again. The watchdog saw no meal for {:.0} ms, found \
             the cycle in the wait-for graph, and raised the abort flag; the engine is ready for another run.",
            report.map_or(0.0, |r| r.quiet_ms)
        ),
        (_, Some(Verdict::Livelock)) => format!(
            "Nobody was stuck, yet nobody ate: each {t} that found its second {l} taken put the first one back and \
             tried again ({retries} retries), in step with its neighbours. That is a livelock, the book's polite \
             diners. Random back-off makes it unlikely, not impossible."
        ),
        (Fix::None, None) if s.two_locks => "This time the timing was kind: one thread had both locks before the other \
             took its first. Nothing prevents the deadlock, though: raise the pause and run again."
            .to_string(),
        (Fix::None, None) => "This time the timing was kind: no moment came when every philosopher held one fork. \
             Nothing prevents it, though: raise the pause and run again."
            .to_string(),
        (Fix::Ordered, None) if s.two_locks => "Both threads take lock a before lock b. Whoever holds a can always get \
             b, so a circle of waits cannot form: no deadlock, whatever the timing."
            .to_string(),
        (Fix::Ordered, None) => format!(
            "Every philosopher takes the lower-numbered fork first, so P{k} reaches for f1 before f{k}. A circle of \
             waits would need someone holding a higher fork while waiting for a lower one, which this order forbids: \
             no deadlock, whatever the timing."
        ),
        (Fix::TryLock, None) => format!(
            "A {t} that cannot get its second {l} puts the first one back, waits a random moment and tries again: \
             nobody holds one {l} while waiting for another, so there is no deadlock. The price was {retries} \
             retries{}. If they all backed off in step, they could retry for ever without a meal: a livelock.",
            if all_ate { "" } else { ", and not every meal" }
        ),
        (Fix::Waiter, None) => format!(
            "A waiter (a semaphore with {} seats) lets at most {} {t}s sit at once. With {k} {l}s and at most {} \
             diners, one of them can always get both {l}s, so the circle never closes.",
            k - 1,
            k - 1,
            k - 1
        ),
    }
}


/// Chapter 12's demo in the registry.
pub struct DeadlockDemo;

impl Demo for DeadlockDemo {
    type Computed = ();
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, _p: &Params, _ctl: &Control, _ticket: u32) -> Result<(), DemoError> {
        Ok(())
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl, feed)
    }

    fn summary(&self, p: &Params, _computed: Option<&()>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, outcome)
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(steps::story(fit))
    }
}

#[cfg(test)]
mod tests;
