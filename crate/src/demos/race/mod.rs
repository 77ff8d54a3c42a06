//! Chapter 14: a race condition. Threads add 1 to a shared counter many times, each
//! addition a separate read and write. When two threads read the same value, one of their
//! writes is lost. The reads and writes are atomic loads and stores (`Relaxed`), so the race
//! is real on real threads but not undefined behaviour; what is missing is atomicity of the
//! read-modify-write as a whole.
//!
//! Two fixes, both exact, at different costs: a `Mutex` around the read and the write, and
//! one atomic `fetch_add` that reads, adds and writes as a single indivisible step.

mod steps;
mod summary;

pub use summary::Summary;

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::sched::Program;
use super::{DemoError, Env};
use crate::control::{Cancelled, Control};
use crate::params::{Caps, Choice, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::pool::{run_threads, Run, SpanKind, Where};
use crate::workload::busy;
use serde::Serialize;
use crate::sync::AtomicU64;
use crate::sync::Ordering::Relaxed;
use crate::sync::Mutex;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "race/"))]
    /// Which versions of the increment a run races: all three side by side, or one.
    pub enum RaceMethod { All = "all", Unprotected = "unprotected", Mutex = "mutex", Atomic = "atomic" }
}

/// One version of the increment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "race/"))]
#[serde(rename_all = "lowercase")]
pub enum Version {
    /// Load, then store: updates get lost.
    Unprotected,
    /// A mutex around the read and the write.
    Mutex,
    /// One `fetch_add`.
    Atomic,
}

impl Version {
    /// How many times a run races this version: the unprotected one `repeats` times, to
    /// show the spread; an exact one once.
    fn times(self, repeats: usize) -> usize {
        match self {
            Version::Unprotected => repeats,
            Version::Mutex | Version::Atomic => 1,
        }
    }
}

pub const SPEC: DemoSpec = DemoSpec {
    id: "race",
    chapter: 14,
    also: &[],
    nav: "Race conditions",
    title: "Race conditions",
    summary: "Threads add 1 to one counter with a separate read and write. Updates get lost; a lock or an atomic add fixes it.",
    params: &[
        ParamSpec { name: "threads", label: "Threads", help: "Threads incrementing the counter", kind: Kind::Int { min: 1, max: 16 }, default: "4" },
        ParamSpec { name: "increments", label: "Increments per thread", help: "How many times each thread adds 1", kind: Kind::Int { min: 1, max: 1_000_000 }, default: "100000" },
        ParamSpec {
            name: "gap",
            label: "Work between read and write",
            help: "Steps of computation between reading the counter and writing it back (the book's sleep): a wider window loses more",
            kind: Kind::Int { min: 0, max: 1000 },
            default: "0",
        },
        ParamSpec { name: "repeats", label: "Racy runs", help: "How many times to run the unprotected version, to see the spread", kind: Kind::Int { min: 1, max: 10 }, default: "3" },
        ParamSpec {
            name: "method",
            label: "Versions to run",
            help: "all: unprotected, mutex and atomic side by side; or just one of them",
            kind: Kind::Choice { values: RaceMethod::WORDS },
            default: "all",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: false,
        threads: ThreadsNeed::Sum { inputs: &["threads"], extra: 0, what: "threads", why: "", needs_pool: None },
        no_pool: None,
    },
};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "race/"))]
pub struct MethodRun {
    pub method: Version,
    pub actual: u64,
    pub lost: u64,
    pub wall_ms: f64,
    pub threads_used: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "race/"))]
pub struct Spread {
    pub actuals: Vec<u64>,
    pub min: u64,
    pub max: u64,
    pub mean: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "race/"))]
pub struct Outcome {
    pub threads: u32,
    pub increments: u32,
    pub expected: u64,
    pub runs: Vec<MethodRun>,
    /// The unprotected version over its repeats (`null` when it was not run).
    pub spread: Option<Spread>,
    /// The first unprotected run's threads, side by side in time.
    pub timeline: Option<Run>,
    pub explanation: String,
}

// snippet:start race
/// `n` unprotected increments: read, (work), write. Between the load and the store another
/// thread can store too, and then one of the two updates is lost.
fn racy(counter: &AtomicU64, n: u32, gap: u32, ctl: &Control) -> Result<(), Cancelled> {
    for i in 0..n {
        if i % 4096 == 0 {
            ctl.check()?;
        }
        let read = counter.load(Relaxed);
        std::hint::black_box(busy(gap));
        counter.store(read + 1, Relaxed);
    }
    Ok(())
}

/// Fixed with a lock: nobody else can read or write between our read and our write.
fn locked(counter: &Mutex<u64>, n: u32, gap: u32, ctl: &Control) -> Result<(), Cancelled> {
    for i in 0..n {
        if i % 4096 == 0 {
            ctl.check()?;
        }
        let mut value = counter.lock().unwrap_or_else(|e| e.into_inner());
        let read = *value;
        std::hint::black_box(busy(gap));
        *value = read + 1;
    }
    Ok(())
}

/// Fixed with one atomic read-modify-write: `fetch_add` cannot be split.
fn atomic(counter: &AtomicU64, n: u32, gap: u32, ctl: &Control) -> Result<(), Cancelled> {
    for i in 0..n {
        if i % 4096 == 0 {
            ctl.check()?;
        }
        std::hint::black_box(busy(gap));
        counter.fetch_add(1, Relaxed);
    }
    Ok(())
}
// snippet:end race

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let k = p.int("threads") as usize;
    let n = p.int("increments") as u32;
    let gap = p.int("gap") as u32;
    let repeats = p.int("repeats") as usize;
    let place = if env.pool_threads > 0 { Where::Pool(k) } else { Where::Caller };
    let methods: &[Version] = match p.pick::<RaceMethod>("method") {
        RaceMethod::All => &[Version::Unprotected, Version::Mutex, Version::Atomic],
        RaceMethod::Unprotected => &[Version::Unprotected],
        RaceMethod::Mutex => &[Version::Mutex],
        RaceMethod::Atomic => &[Version::Atomic],
    };
    let runs_total = methods.iter().map(|m| m.times(repeats)).sum::<usize>();
    ctl.begin((runs_total * k) as u32);

    let expected = k as u64 * u64::from(n);
    let mut runs = Vec::new();
    let mut actuals = Vec::new();
    let mut timeline = None;
    for &m in methods {
        for _ in 0..m.times(repeats) {
            let (actual, run) = match m {
                Version::Unprotected => {
                    let c = AtomicU64::new(0);
                    let run = run_threads(place, k, ctl, |_, rec| rec.span(SpanKind::Work, || racy(&c, n, gap, ctl)))?;
                    (c.into_inner(), run)
                }
                Version::Mutex => {
                    let c = Mutex::new(0);
                    let run = run_threads(place, k, ctl, |_, rec| rec.span(SpanKind::Work, || locked(&c, n, gap, ctl)))?;
                    (c.into_inner().unwrap_or_else(|e| e.into_inner()), run)
                }
                Version::Atomic => {
                    let c = AtomicU64::new(0);
                    let run = run_threads(place, k, ctl, |_, rec| rec.span(SpanKind::Work, || atomic(&c, n, gap, ctl)))?;
                    (c.into_inner(), run)
                }
            };
            if m == Version::Unprotected {
                actuals.push(actual);
            }
            // Record the first run of each method; the spread keeps every racy total.
            if !runs.iter().any(|r: &MethodRun| r.method == m) {
                runs.push(MethodRun { method: m, actual, lost: expected - actual.min(expected), wall_ms: run.wall_ms, threads_used: run.threads_used() });
                if m == Version::Unprotected {
                    timeline = Some(run);
                }
            }
        }
    }
    let spread = (!actuals.is_empty()).then(|| Spread {
        min: *actuals.iter().min().expect("not empty"),
        max: *actuals.iter().max().expect("not empty"),
        mean: actuals.iter().sum::<u64>() as f64 / actuals.len() as f64,
        actuals,
    });
    let explanation = explain(k, gap, expected, &runs, spread.as_ref(), place == Where::Caller);
    Ok(Outcome { threads: k as u32, increments: n, expected, runs, spread, timeline, explanation })
}

fn explain(k: usize, gap: u32, expected: u64, runs: &[MethodRun], spread: Option<&Spread>, sequential: bool) -> String {
    let mut parts = Vec::new();
    if let Some(s) = spread {
        if sequential {
            parts.push("Without worker threads the increments ran one after another, so none was lost: a race needs two threads at the same time.".to_string());
        } else if k == 1 {
            parts.push("One thread alone never loses an update: nobody else writes between its read and its write.".to_string());
        } else if s.max < expected {
            let worst = expected - s.min;
            parts.push(format!(
                "Unprotected, every run lost updates (up to {worst} of {expected}), and a different number each time: \
                 two threads read the same value, both wrote value + 1, and one increment vanished."
            ));
        } else if s.min < expected {
            parts.push(format!(
                "Unprotected, some runs lost updates and some did not (between {} and {} of {expected}): a race \
                 depends on timing, which is why it slips through tests.",
                s.min, s.max
            ));
        } else {
            parts.push(format!(
                "This time no update was lost in {} run{}. All {k} threads were running at once, but an update is lost \
                 only when another thread writes between one thread's read and its write, and with {} that window is \
                 tiny. Widen it (work between read and write) and the race shows.",
                s.actuals.len(),
                if s.actuals.len() == 1 { "" } else { "s" },
                if gap == 0 { "nothing in between".to_string() } else { format!("{gap} steps in between") }
            ));
        }
    }
    let time = |m: Version| runs.iter().find(|r| r.method == m).map(|r| r.wall_ms);
    match (time(Version::Mutex), time(Version::Atomic)) {
        (Some(tm), Some(ta)) => parts.push(format!(
            "The mutex and the atomic add are both exact; here the atomic add took {ta:.0} ms and the mutex {tm:.0} ms, \
             because fetch_add is one instruction while the mutex makes threads wait their turn."
        )),
        (Some(_), None) => parts.push("The mutex makes the read and the write one indivisible step: exact.".to_string()),
        (None, Some(_)) => parts.push("fetch_add reads, adds and writes in one indivisible instruction: exact.".to_string()),
        _ => {}
    }
    parts.join(" ")
}

/// Chapter 14's demo in the registry.
pub struct RaceDemo;

impl Demo for RaceDemo {
    type Computed = ();
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, _p: &Params, _ctl: &Control, _ticket: u32) -> Result<(), DemoError> {
        Ok(())
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl)
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
