//! Chapter 3: a thread pool. The book's "queuing in threading" picture: a fixed number k of
//! worker threads pull tasks from one shared task queue (a [`Queue`], FIFO, with one poison
//! pill per worker at the end), so whichever worker is free takes the next task.
//!
//! The same tasks then run through rayon's work stealing on the same k threads:
//! `(0..n).into_par_iter().for_each(…)`. rayon splits the range of tasks into pieces; each
//! thread works through its own piece from its own deque, and only a thread that runs dry
//! steals half of what another has left. No shared queue, no lock per task. The rayon pool
//! has a fixed number of threads (in the browser, Web Workers started with the page), so to
//! give rayon exactly k of them, the others are held aside, parked on a condition variable,
//! for the length of that run.
//!
//! Task sizes are pseudo-random but fixed by a seed ([`SplitMix64`]), so both strategies get
//! the same tasks, and a shared link gives the same tasks again.
//!
//! Python could also start one new thread per task. Nothing here can: a wasm program cannot
//! create threads (`std::thread::spawn` is unsupported on wasm32), so that is not faked.
//! What is measured instead is the opposite cost: handing one task to an idle pool worker.

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::sched::Program;
use super::{DemoError, Env};
use crate::control::{Cancelled, Control};
use crate::measure::{self, WarmUp};
use crate::params::{Caps, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::pool::{current_lane, run_threads, Run, SpanKind, SpanLog, Stopped, Where};
use crate::queue::Queue;
use crate::sync::{Mutex, MutexGuard, PoisonError};
use crate::workload::cpu_units;
use rayon::prelude::*;
use serde::Serialize;

mod aside;
mod explain;
mod handoff;
mod steps;
mod summary;
use aside::{Aside, ReleaseOnDrop};
use handoff::handoff;
pub use handoff::Handoff;
pub use summary::Summary;

pub const SPEC: DemoSpec = DemoSpec {
    id: "pool",
    chapter: 3,
    also: &[],
    nav: "Thread pools",
    title: "Thread pools: a task queue vs work stealing",
    summary: "k workers pull tasks from one shared queue. Then rayon runs the same tasks on the same k threads by work stealing.",
    params: &[
        ParamSpec { name: "workers", label: "Workers (k)", help: "Worker threads, for both runs", kind: Kind::Int { min: 1, max: 16 }, default: "4" },
        ParamSpec { name: "tasks", label: "Tasks", help: "How many tasks to run", kind: Kind::Int { min: 1, max: 500 }, default: "40" },
        ParamSpec { name: "size", label: "Task size", help: "Average work per task, in prime checks (each about a millisecond)", kind: Kind::Int { min: 1, max: 100 }, default: "6" },
        ParamSpec { name: "spread", label: "Size spread (%)", help: "0: every task the same size; 100: sizes from almost 0 to twice the average", kind: Kind::Int { min: 0, max: 100 }, default: "80" },
        ParamSpec { name: "seed", label: "Seed", help: "Picks the pseudo-random task sizes; the same seed gives the same tasks", kind: Kind::Int { min: 0, max: 999_999 }, default: "1" },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: true,
        threads: ThreadsNeed::Sum {
            inputs: &["workers"],
            extra: 0,
            what: "workers",
            why: "",
            needs_pool: Some("a thread pool needs real threads, and this page has none (it is not cross-origin isolated)"),
        },
        no_pool: Some("A thread pool needs real threads, which this page does not have."),
    },
};

/// Vigna's SplitMix64: a tiny, fast pseudo-random generator, good enough for task sizes, and
/// the same on every platform.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, from the top 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` task sizes around `mean`, each within `mean * (1 ± spread/100)`, at least 1.
pub fn task_sizes(n: usize, mean: u32, spread_pct: u32, seed: u64) -> Vec<u32> {
    let mut rng = SplitMix64(seed);
    let spread = f64::from(spread_pct) / 100.0;
    (0..n).map(|_| (f64::from(mean) * (1.0 + spread * (2.0 * rng.next_f64() - 1.0))).round().max(1.0) as u32).collect()
}

/// One task as it ran.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "pool/"))]
pub struct TaskRun {
    pub task: u32,
    /// The thread that ran it (see `pool.rs`: `i + 1` is pool thread `i`).
    pub lane: u32,
    /// The worker, 1..=k.
    pub worker: u32,
    pub start_ms: f64,
    pub end_ms: f64,
}

/// What one worker did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "pool/"))]
pub struct Worker {
    pub worker: u32,
    pub lane: u32,
    pub tasks: u32,
    pub busy_ms: f64,
    /// The run's wall time minus the time it ran tasks.
    pub idle_ms: f64,
}

/// One strategy's run of the tasks.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "pool/"))]
pub struct Strategy {
    pub name: &'static str,
    pub wall_ms: f64,
    /// Every task run, by task number.
    pub runs: Vec<TaskRun>,
    pub workers: Vec<Worker>,
    pub idle_ms: f64,
    /// How many neighbouring tasks (t, t+1, …) a worker ran one after another, on average.
    pub streak: f64,
    pub timeline: Run,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "pool/"))]
pub struct Outcome {
    pub workers: u32,
    pub tasks: u32,
    pub sizes: Vec<u32>,
    pub total_units: u64,
    pub pool_threads: u32,
    pub queue: Strategy,
    pub stealing: Strategy,
    /// Lanes held aside during the stealing run, so that rayon had exactly k threads.
    pub held_aside: Vec<u32>,
    /// `None` if the pool has a single thread (no idle worker to hand a task to).
    pub handoff: Option<Handoff>,
    pub explanation: String,
    /// How the prime checks were brought to the browser's optimised tier before measuring.
    pub warm_up: WarmUp,
}

/// Which strategy's run an event of the feed belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "pool/"))]
#[serde(rename_all = "lowercase")]
pub enum RunName {
    Queue,
    Steal,
}

/// What a worker did with a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "pool/"))]
#[serde(rename_all = "lowercase")]
pub enum Took {
    Take,
    Done,
}

/// One event on the live feed: a worker took a task, or finished it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "pool/"))]
pub struct Event {
    pub run: RunName,
    pub e: Took,
    pub task: u32,
    pub lane: u32,
    pub t: f64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub fn run(p: &Params, env: Env, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
    let k = p.int("workers") as usize;
    let n = p.int("tasks") as usize;
    let sizes = task_sizes(n, p.int("size") as u32, p.int("spread") as u32, p.int("seed") as u64);
    ctl.begin(2 * n as u32 + k as u32);
    feed.clear();

    // Both strategies run warm code: the first would otherwise pay for the browser's first tier.
    let warm_up = measure::warm_up(Where::Pool(k), k, ctl, || cpu_units(1, ctl).map(drop))?;
    let queue = with_a_task_queue(k, &sizes, ctl, feed)?;
    let (stealing, held_aside) = with_work_stealing(k, &sizes, ctl, feed)?;
    let handoff = handoff(ctl)?;
    let mut o = Outcome {
        workers: k as u32,
        tasks: n as u32,
        total_units: sizes.iter().map(|&s| u64::from(s)).sum(),
        sizes,
        pool_threads: env.pool_threads,
        queue,
        stealing,
        held_aside,
        handoff,
        warm_up,
        explanation: String::new(),
    };
    o.explanation = explain::explain(&o);
    Ok(o)
}

/// Tells the page that a worker took (`take`) or finished (`done`) a task.
fn report(feed: &Feed, log: &SpanLog, run: RunName, e: Took, task: usize) {
    let t = (log.now() * 100.0).round() / 100.0;
    feed.push(&Event { run, e, task: task as u32, lane: current_lane(), t });
}

// snippet:start pool
/// The book's pool: k workers and one shared FIFO task queue. The main thread puts every
/// task in the queue, then one pill (`None`) per worker. Each worker gets the next task until
/// it gets a pill: whoever is free takes the next one.
fn with_a_task_queue(k: usize, sizes: &[u32], ctl: &Control, feed: &Feed) -> Result<Strategy, Stopped> {
    let log = SpanLog::new();
    let lanes = Mutex::new(vec![0; k]);
    let tasks: Queue<Option<usize>> = Queue::fifo(0);
    for t in 0..sizes.len() {
        tasks.put(Some(t), true, None).expect("an unbounded queue is never full");
    }
    for _ in 0..k {
        tasks.put(None, true, None).expect("an unbounded queue is never full");
    }
    // k worker threads, all started before any takes a task.
    run_threads(Where::Pool(k), k, ctl, |worker, _| {
        lock(&lanes)[worker] = current_lane();
        while let Ok(Some(t)) = tasks.get(true, None) {
            report(feed, &log, RunName::Queue, Took::Take, t);
            log.span(t as u32, SpanKind::Work, || cpu_units(sizes[t], ctl))?;
            report(feed, &log, RunName::Queue, Took::Done, t);
            ctl.advance(1);
        }
        Ok(()) // a pill: this worker is done
    })?;
    let lanes = lanes.into_inner().unwrap_or_else(PoisonError::into_inner);
    Ok(strategy("queue", log, k, &lanes))
}

/// Work stealing: rayon splits 0..n into pieces. Each thread runs its own piece from its own
/// deque; a thread that runs out steals half of what another has left. No queue, no pills.
fn steal(sizes: &[u32], ctl: &Control, feed: &Feed, log: &SpanLog) {
    (0..sizes.len()).into_par_iter().for_each(|t| {
        report(feed, log, RunName::Steal, Took::Take, t);
        if log.span(t as u32, SpanKind::Work, || cpu_units(sizes[t], ctl)).is_ok() {
            report(feed, log, RunName::Steal, Took::Done, t);
            ctl.advance(1);
        }
    });
}
// snippet:end pool

/// The same tasks through rayon's work stealing, on exactly k of the pool's threads: the
/// pool's other threads are held aside (parked) until it is done.
fn with_work_stealing(k: usize, sizes: &[u32], ctl: &Control, feed: &Feed) -> Result<(Strategy, Vec<u32>), Cancelled> {
    let aside = Aside::default();
    let total = rayon::current_num_threads();
    let (log, held) = rayon::scope(|s| {
        for _ in 0..total.saturating_sub(k) {
            s.spawn(|_| aside.hold());
        }
        let _release = ReleaseOnDrop(&aside);
        let mut held = aside.wait_for(total.saturating_sub(k));
        held.sort_unstable();
        let log = SpanLog::new();
        steal(sizes, ctl, feed, &log);
        (log, held)
    });
    ctl.check()?;
    let free: Vec<u32> = (1..=total as u32).filter(|l| !held.contains(l)).collect();
    Ok((strategy("stealing", log, k, &free), held))
}

/// Turns a log of task spans into per-task runs and per-worker figures. `lanes[w]` is the
/// lane of worker `w + 1`.
fn strategy(name: &'static str, log: SpanLog, k: usize, lanes: &[u32]) -> Strategy {
    let mut timeline = log.into_run(k as u32, Vec::new());
    let wall_ms = timeline.wall_ms;
    let worker_of = |lane: u32| lanes.iter().position(|&l| l == lane).map_or(0, |w| w as u32 + 1);
    let mut runs: Vec<TaskRun> = timeline
        .spans
        .iter()
        .map(|s| TaskRun { task: s.task, lane: s.lane, worker: worker_of(s.lane), start_ms: s.start_ms, end_ms: s.end_ms })
        .collect();
    let mut by_end = runs.clone();
    by_end.sort_by(|a, b| a.end_ms.total_cmp(&b.end_ms));
    timeline.order = by_end.iter().map(|r| r.task).collect();
    runs.sort_by_key(|r| r.task);

    let mut workers = Vec::with_capacity(lanes.len());
    let mut streaks = 0;
    for (w, &lane) in lanes.iter().enumerate() {
        let mut mine: Vec<&TaskRun> = runs.iter().filter(|r| r.lane == lane).collect();
        mine.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
        streaks += mine.windows(2).filter(|p| p[1].task != p[0].task + 1).count() + usize::from(!mine.is_empty());
        let busy_ms: f64 = mine.iter().map(|r| r.end_ms - r.start_ms).sum();
        let idle_ms = (wall_ms - busy_ms).max(0.0);
        workers.push(Worker { worker: w as u32 + 1, lane, tasks: mine.len() as u32, busy_ms, idle_ms });
    }
    let idle_ms = workers.iter().map(|w| w.idle_ms).sum();
    let streak = if streaks == 0 { 0.0 } else { runs.len() as f64 / streaks as f64 };
    Strategy { name, wall_ms, runs, workers, idle_ms, streak, timeline }
}


/// Chapter 3's demo in the registry.
pub struct PoolDemo;

impl Demo for PoolDemo {
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
