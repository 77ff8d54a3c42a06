//! Chapter 1: sequential vs concurrent vs parallel.
//!
//! The same N tasks run twice: one after another on the engine thread, then on k real
//! threads. Three kinds of task show three different answers:
//! - `cpu`: the book's prime checks. Threads help up to the number of cores, no further.
//! - `io`: a wait that uses no core. Threads overlap their waits, even past the core count.
//! - `chain`: the book's x -> x^2 - x + 1, where each step needs the previous result.
//!   Threads take turns; the work cannot overlap, so there is no speedup at all.

use crate::demos::Demo;
use crate::live::Feed;
use super::{DemoError, Env};
use crate::control::{Cancelled, Control};
use crate::params::{Caps, Choice, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};

mod summary;
pub use summary::Summary;
use crate::measure::{self, Samples, WarmUp};
use crate::pool::{run_tasks, Recorder, Run, SpanKind, Stopped, Where};
use crate::workload;
use serde::Serialize;
use crate::sync::{Condvar, Mutex};
use std::time::Duration;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "concurrency/"))]
    /// The kind of task both runs do.
    pub enum TaskKind { Cpu = "cpu", Io = "io", Chain = "chain" }
}

pub const SPEC: DemoSpec = DemoSpec {
    id: "concurrency",
    chapter: 1,
    also: &[],
    nav: "Concurrent vs sequential",
    title: "Sequential vs concurrent vs parallel",
    summary: "Run the same tasks one after another, then on real threads, and see which kinds of work get faster.",
    params: &[
        ParamSpec {
            name: "kind",
            label: "Kind of task",
            help: "cpu: the book's prime checks; io: waiting on a slow device; chain: each step needs the previous one",
            kind: Kind::Choice { values: TaskKind::WORDS },
            default: "cpu",
        },
        ParamSpec {
            name: "tasks",
            label: "Tasks",
            help: "How many tasks to run",
            kind: Kind::Int { min: 1, max: 256 },
            default: "32",
        },
        ParamSpec {
            name: "threads",
            label: "Threads",
            help: "Real threads for the concurrent run",
            kind: Kind::Int { min: 1, max: 16 },
            default: "4",
        },
        ParamSpec {
            name: "wait",
            label: "I/O wait (ms)",
            help: "How long each io task waits",
            kind: Kind::Int { min: 1, max: 1000 },
            default: "40",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: false,
        live: false,
        // Without a pool only the sequential run happens, on the caller.
        threads: ThreadsNeed::Sum { inputs: &["threads"], extra: 0, what: "threads", why: "", needs_pool: None },
        no_pool: None,
    },
};

/// What one task kind computed, so the two runs can be checked against each other.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "concurrency/"))]
pub struct Check {
    /// A sentence on what was computed.
    pub what: String,
    /// The value both runs must agree on.
    pub sequential: u64,
    pub concurrent: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "concurrency/"))]
pub struct Outcome {
    pub kind: TaskKind,
    pub tasks: u32,
    pub threads: u32,
    pub wait_ms: Option<u32>,
    pub cores: u32,
    /// How the CPU kernels were warmed up before measuring (`null` for waits, which run no
    /// code worth optimising).
    pub warm_up: Option<WarmUp>,
    /// How many times each run was measured, in rotation (sequential, concurrent, again).
    pub repeats: u32,
    /// The last sequential run's timeline.
    pub sequential: Run,
    pub sequential_ms: Samples,
    /// `None` when the host has no pool (a page that is not cross-origin isolated).
    pub concurrent: Option<Run>,
    pub concurrent_ms: Option<Samples>,
    /// Sequential / concurrent, best against best, and the range the samples allow.
    pub speedup: Option<f64>,
    pub speedup_range: Option<[f64; 2]>,
    /// Threads that did work in the concurrent run (the fewest of any repeat).
    pub threads_used: usize,
    pub check: Check,
    /// One sentence on why the result came out this way.
    pub explanation: String,
}

/// How often CPU-bound runs are measured. A wait takes as long as it takes, so I/O and the
/// chain (which waits for its turn) are measured once.
const CPU_REPEATS: u32 = 3;

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let kind = p.pick::<TaskKind>("kind");
    let tasks = p.int("tasks") as usize;
    let threads = p.int("threads") as usize;
    let wait = p.int("wait") as u32;
    let with_pool = env.pool_threads > 0;
    let repeats = match kind {
        TaskKind::Cpu => CPU_REPEATS,
        TaskKind::Io | TaskKind::Chain => 1,
    };
    ctl.begin(repeats * if with_pool { 2 * tasks as u32 } else { tasks as u32 });
    let warm_up = warm_up(kind, if with_pool { threads } else { 0 }, ctl)?;

    let (mut seq_ms, mut con_ms, mut used) = (Vec::new(), Vec::new(), usize::MAX);
    let (mut sequential, mut concurrent, mut seq_value, mut con_value) = (None, None, 0, None);
    for _ in 0..repeats {
        let (r, v) = run_kind(kind, tasks, wait, Where::Caller, ctl)?;
        seq_ms.push(r.wall_ms);
        (sequential, seq_value) = (Some(r), v);
        if with_pool {
            let (r, v) = run_kind(kind, tasks, wait, Where::Pool(threads), ctl)?;
            con_ms.push(r.wall_ms);
            used = used.min(r.threads_used());
            (concurrent, con_value) = (Some(r), Some(v));
        }
    }
    let sequential_ms = Samples::of(seq_ms);
    let concurrent_ms = with_pool.then(|| Samples::of(con_ms));
    let (speedup, speedup_range) = match &concurrent_ms {
        Some(c) => {
            let (s, range) = measure::speedup(&sequential_ms, c);
            (Some(s), Some(range))
        }
        None => (None, None),
    };
    let threads_used = if with_pool { used } else { 1 };
    let what = match kind {
        TaskKind::Cpu => format!("prime checks that confirmed a prime (of {tasks})"),
        TaskKind::Io => format!("waits of {wait} ms completed (of {tasks})"),
        TaskKind::Chain => format!("last five digits of the chain after {tasks} steps from 3"),
    };
    let check = Check { what, sequential: seq_value, concurrent: con_value };
    let explanation = explain(kind, threads, threads_used, speedup, env);
    Ok(Outcome {
        kind,
        tasks: tasks as u32,
        threads: threads as u32,
        wait_ms: (kind == TaskKind::Io).then_some(wait),
        cores: env.cores,
        warm_up,
        repeats,
        sequential: sequential.expect("at least one repeat"),
        sequential_ms,
        concurrent,
        concurrent_ms,
        speedup,
        speedup_range,
        threads_used,
        check,
        explanation,
    })
}

/// Brings the prime checks to the browser's optimised tier before measuring, on the caller
/// (the sequential run's thread) and on the pool threads (see [`measure`]).
fn warm_up(kind: TaskKind, threads: usize, ctl: &Control) -> Result<Option<WarmUp>, Stopped> {
    let cpu = match kind {
        TaskKind::Io => return Ok(None),
        TaskKind::Cpu => true,
        TaskKind::Chain => false,
    };
    // The very functions the run measures: a browser optimises one function at a time.
    let next = crate::sync::AtomicUsize::new(0);
    let unit = || {
        let i = next.fetch_add(1, crate::sync::Ordering::Relaxed);
        if cpu {
            std::hint::black_box(workload::prime_task(i));
        } else {
            std::hint::black_box(workload::chain_task(i as u64));
        }
        Ok(())
    };
    let here = measure::warm_up(Where::Caller, 1, ctl, unit)?;
    if threads == 0 {
        return Ok(Some(here));
    }
    let pool = measure::warm_up(Where::Pool(threads), threads, ctl, unit)?;
    let (rounds, ms, settled) = (here.rounds + pool.rounds, here.ms + pool.ms, here.settled && pool.settled);
    Ok(Some(WarmUp { rounds, ms, settled, first_unit_us: here.first_unit_us, last_unit_us: pool.last_unit_us }))
}

/// Runs `tasks` tasks of `kind` at `place`; returns the run and the value the tasks computed.
fn run_kind(kind: TaskKind, tasks: usize, wait: u32, place: Where, ctl: &Control) -> Result<(Run, u64), Stopped> {
    match kind {
        TaskKind::Cpu => {
            let primes = crate::sync::AtomicU64::new(0);
            let run = run_tasks(place, tasks, ctl, |i, rec| {
                let (_, prime) = rec.span(SpanKind::Work, || workload::prime_task(i));
                primes.fetch_add(u64::from(prime), crate::sync::Ordering::Relaxed);
                Ok(())
            })?;
            Ok((run, primes.into_inner()))
        }
        TaskKind::Io => {
            let done = crate::sync::AtomicU64::new(0);
            let run = run_tasks(place, tasks, ctl, |_, rec| {
                rec.span(SpanKind::Wait, || workload::io_wait(wait, ctl))?;
                done.fetch_add(1, crate::sync::Ordering::Relaxed);
                Ok(())
            })?;
            Ok((run, done.into_inner()))
        }
        TaskKind::Chain => {
            let chain = Chain::new(3);
            let run = run_tasks(place, tasks, ctl, |i, rec| chain.step(i, rec, ctl))?;
            Ok((run, chain.value()))
        }
    }
}

/// The chain's shared state: which step may run next and the value so far. A thread that
/// took step i waits (recorded as a wait span) until step i - 1 is done.
struct Chain {
    state: Mutex<(usize, u64)>,
    turn: Condvar,
}

impl Chain {
    fn new(start: u64) -> Self {
        Chain { state: Mutex::new((0, start)), turn: Condvar::new() }
    }

    fn step(&self, i: usize, rec: &Recorder, ctl: &Control) -> Result<(), Cancelled> {
        let x = rec.span(SpanKind::Wait, || -> Result<u64, Cancelled> {
            let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            while st.0 != i {
                ctl.check()?;
                // A timeout so that a cancel is noticed even if no step finishes.
                st = self.turn.wait_timeout(st, Duration::from_millis(20)).unwrap_or_else(|e| e.into_inner()).0;
            }
            Ok(st.1)
        })?;
        let next = rec.span(SpanKind::Work, || workload::chain_task(x));
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        *st = (i + 1, next);
        self.turn.notify_all();
        Ok(())
    }

    fn value(&self) -> u64 {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1
    }
}

/// One sentence on why the measured result came out as it did.
pub fn explain(kind: TaskKind, threads: usize, used: usize, speedup: Option<f64>, env: Env) -> String {
    let Some(s) = speedup else {
        return "This page is not cross-origin isolated, so it has no shared memory and no worker \
                threads: only the sequential run could happen here."
            .to_string();
    };
    let cores = env.cores.max(1) as usize;
    match kind {
        TaskKind::Cpu => {
            if used <= 1 {
                format!("Only one thread got work, so there was no parallelism: {s:.2}× is the cost of handing tasks to another thread.")
            } else if threads > cores {
                format!(
                    "CPU-bound: {threads} threads on {cores} cores ran {s:.2}× faster; once every core is busy, \
                     extra threads only take turns on the same cores."
                )
            } else {
                format!(
                    "CPU-bound: {used} threads checked different numbers on different cores at the same time, \
                     so the run was {s:.2}× faster (at most {threads}× is possible)."
                )
            }
        }
        TaskKind::Io => format!(
            "I/O-bound: a waiting thread uses no core, so {used} threads overlapped their waits and finished \
             {s:.2}× faster, even with only {cores} core{}.",
            if cores == 1 { "" } else { "s" }
        ),
        TaskKind::Chain => format!(
            "Inherently sequential: each step needs the previous step's result, so only one thread could work \
             at a time; {threads} threads took turns and got {s:.2}× (handing over between threads costs a little)."
        ),
    }
}

/// Chapter 1's demo in the registry.
pub struct ConcurrencyDemo;

impl Demo for ConcurrencyDemo {
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
}

#[cfg(test)]
mod tests;
