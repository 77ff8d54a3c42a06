//! Chapter 3: threads. The book's countdown: several named threads each count down and
//! sleep between lines; their output interleaves differently on every run. A lock around
//! the whole countdown makes one thread finish before the next starts.
//!
//! Python's thread API, and what plays its part here:
//! - `Thread(target=f, name="A").start()`: a job spawned into the pool (`rayon::scope`),
//!   which a pool worker (a Web Worker in the browser) picks up.
//! - `t.join()`: the end of the scope; the engine thread waits for every job.
//! - `t.is_alive()`, `threading.active_count()`, `threading.enumerate()`: read off the
//!   recorded lifetimes: a thread is alive from its first step to its last.
//! - `t.name`: the name given to each countdown (A, B, C…).

mod steps;
mod summary;

pub use summary::Summary;

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::sched::Program;
use super::{DemoError, Env};
use crate::control::Control;
use crate::params::{Caps, Choice, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::pool::{run_threads, Run, SpanKind, Where};
use crate::workload;
use serde::Serialize;
use crate::sync::Mutex;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "threads/"))]
    /// Whether each thread holds one shared lock for its whole countdown.
    pub enum CountdownLock { Off = "off", On = "on" }
}

pub const SPEC: DemoSpec = DemoSpec {
    id: "threads",
    chapter: 3,
    also: &[],
    nav: "Threads",
    title: "Threads",
    summary: "Named threads count down side by side. Their output interleaves, and differently every run.",
    params: &[
        ParamSpec { name: "threads", label: "Threads", help: "How many named threads (A, B, C…)", kind: Kind::Int { min: 1, max: 8 }, default: "3" },
        ParamSpec { name: "count", label: "Count from", help: "Each thread counts down from this number", kind: Kind::Int { min: 1, max: 20 }, default: "5" },
        ParamSpec { name: "delay", label: "Delay (ms)", help: "How long thread A sleeps after each line", kind: Kind::Int { min: 1, max: 2000 }, default: "100" },
        ParamSpec {
            name: "stagger",
            label: "Stagger (ms)",
            help: "Each later thread sleeps this much longer than the one before",
            kind: Kind::Int { min: 0, max: 500 },
            default: "30",
        },
        ParamSpec {
            name: "lock",
            label: "Lock around the countdown",
            help: "on: a thread holds a lock for its whole countdown",
            kind: Kind::Choice { values: CountdownLock::WORDS },
            default: "off",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: true,
        threads: ThreadsNeed::Sum { inputs: &["threads"], extra: 0, what: "threads", why: "", needs_pool: None },
        no_pool: None,
    },
};

/// One line of output, as the page shows it (and as the live feed carries it).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "threads/"))]
pub struct Line {
    pub t_ms: f64,
    pub thread: String,
    pub lane: u32,
    pub text: String,
}

/// When a thread was alive, and where it ran.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "threads/"))]
pub struct Life {
    pub name: String,
    pub lane: u32,
    pub start_ms: f64,
    pub end_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "threads/"))]
pub struct Outcome {
    pub names: Vec<String>,
    /// Distinct threads that ran, all alive at once: the threads asked for (1 without a pool).
    pub threads_used: usize,
    pub lock: bool,
    pub lines: Vec<Line>,
    /// How often consecutive lines came from different threads.
    pub switches: usize,
    pub lives: Vec<Life>,
    /// `threading.active_count()` over time (not counting the main thread): `[t, count]`
    /// at every start and end.
    pub active: Vec<[f64; 2]>,
    pub timeline: Run,
    pub explanation: String,
}

pub fn name(i: usize) -> String {
    char::from(b'A' + i as u8).to_string()
}

pub fn run(p: &Params, env: Env, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
    let k = p.int("threads") as usize;
    let count = p.int("count") as u32;
    let delay = p.int("delay") as u32;
    let stagger = p.int("stagger") as u32;
    let lock = match p.pick::<CountdownLock>("lock") {
        CountdownLock::Off => false,
        CountdownLock::On => true,
    };
    let place = if env.pool_threads > 0 { Where::Pool(k) } else { Where::Caller };
    ctl.begin(k as u32);
    feed.clear();

    let origin = crate::clock::now_ms();
    let lines = Mutex::new(Vec::new());
    let lives = Mutex::new(Vec::new());
    let countdown_lock = Mutex::new(());
    // snippet:start threads
    // Thread i counts down from `count`, sleeping between lines; with `lock` it holds one
    // shared lock for its whole countdown. run_threads starts k threads on k pool workers
    // (all alive before any begins) and waits for them.
    let timeline = run_threads(place, k, ctl, |i, rec| {
        let me = name(i);
        let start = crate::clock::since(origin);
        let my_delay = delay + i as u32 * stagger;
        let guard = lock.then(|| rec.span(SpanKind::Wait, || countdown_lock.lock().unwrap_or_else(|e| e.into_inner())));
        for n in (1..=count).rev() {
            let line = rec.span(SpanKind::Work, || Line {
                t_ms: crate::clock::since(origin),
                thread: me.clone(),
                lane: rec.lane(),
                text: format!("{me}: {n}"),
            });
            feed.push(&line);
            lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            rec.span(SpanKind::Wait, || workload::io_wait(my_delay, ctl))?;
        }
        drop(guard);
        let end = crate::clock::since(origin);
        lives.lock().unwrap_or_else(|e| e.into_inner()).push(Life { name: me, lane: rec.lane(), start_ms: start, end_ms: end });
        Ok(())
    })?;
    // snippet:end threads

    let mut lines = lines.into_inner().unwrap_or_else(|e| e.into_inner());
    lines.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
    let mut lives = lives.into_inner().unwrap_or_else(|e| e.into_inner());
    lives.sort_by(|a, b| a.name.cmp(&b.name));
    let switches = lines.windows(2).filter(|w| w[0].thread != w[1].thread).count();
    let active = active_counts(&lives);
    let explanation = explain(k, lock, switches, place == Where::Caller);
    let threads_used = timeline.threads_used();
    Ok(Outcome { names: (0..k).map(name).collect(), threads_used, lock, lines, switches, lives, active, timeline, explanation })
}

/// `threading.active_count()` as a step function of time, from the threads' lifetimes.
pub fn active_counts(lives: &[Life]) -> Vec<[f64; 2]> {
    let mut edges: Vec<(f64, i32)> = lives.iter().flat_map(|l| [(l.start_ms, 1), (l.end_ms, -1)]).collect();
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut n = 0;
    edges
        .into_iter()
        .map(|(t, d)| {
            n += d;
            [t, f64::from(n)]
        })
        .collect()
}

fn explain(k: usize, lock: bool, switches: usize, sequential: bool) -> String {
    if sequential {
        return "Without cross-origin isolation there are no worker threads, so the countdowns ran one after \
                another on the engine thread."
            .to_string();
    }
    if k == 1 {
        return "One thread alone prints its countdown in order: interleaving needs at least two.".to_string();
    }
    if lock {
        format!(
            "With the lock held for the whole countdown, each thread printed every line before the next one \
             could start ({switches} switches between threads): the lock turned {k} threads into a queue."
        )
    } else {
        format!(
            "Each sleep let another thread print, so the lines interleaved ({switches} switches between threads). \
             Run it again: the order can change, because the threads race and nothing orders them."
        )
    }
}

/// Chapter 3's demo in the registry.
pub struct ThreadsDemo;

impl Demo for ThreadsDemo {
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
