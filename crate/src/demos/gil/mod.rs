//! Chapter 15: the GIL. CPython lets one thread at a time run Python bytecode: threads take
//! turns holding the global interpreter lock, so CPU-bound threads gain about nothing, while
//! separate processes (or a free-threaded build, Python 3.13t) run on every core.
//!
//! There is no Python here. The interpreter is a Rust countdown whose "bytecode" is one small
//! fixed chunk of real work, and the GIL is [`lock::Gil`], a simulated GIL that follows
//! CPython's protocol (drop requests after a switch interval, hand-over, I/O releases it) on
//! real pool threads. `processes` mode runs pool workers standing in for processes: each has
//! its own interpreter state and no lock, as separate processes would, but none is a process.

mod convoy;
mod lock;
mod steps;
mod summary;
#[cfg(test)]
mod tests;

pub use convoy::Convoy;
pub use lock::{Gil, Hold, HOLDS_CAP};
pub use steps::{outcomes, Outcomes};
pub use summary::Summary;

use super::{DemoError, Env};
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::demos::{stepper::Fit, Demo};
use crate::live::Feed;
use crate::measure::{self, Samples, WarmUp};
use crate::params::{Caps, Choice, DemoSpec, Kind, ParamSpec, Params, Threads};
use crate::pool::{run_threads, Where};
use crate::sched::Program;
use crate::sync::{AtomicU64, Barrier};
use crate::sync::Ordering::Relaxed;
use serde::Serialize;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "gil/"))]
    /// How the threads share the interpreter.
    pub enum Mode { Gil = "gil", FreeThreaded = "free-threaded", Processes = "processes" }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "gil/"))]
    /// Where the step-through's GIL may switch threads.
    pub enum Policy { Any = "any", Backedge = "backedge" }
}

/// Work in one bytecode of the countdown: iterations of [`crate::workload::busy`].
pub const STEP_WORK: u32 = 40;
/// Samples of each configuration (1 thread, k threads), taken in rotation.
pub const ROUNDS: usize = 3;
/// I/O waits of the convoy's I/O-bound thread, and how long each lasts.
pub const IO_ROUNDS: usize = 12;
pub const IO_WAIT_MS: u32 = 2;

pub const SPEC: DemoSpec = DemoSpec {
    id: "gil",
    chapter: 15,
    also: &[],
    nav: "The GIL",
    title: "The global interpreter lock",
    summary: "Threads that must hold one lock to run their bytecode take turns: CPU-bound threads gain about 1×, processes and a free-threaded build gain about the number of cores.",
    params: &[
        ParamSpec {
            name: "mode",
            label: "Interpreter",
            help: "gil: one lock for all threads (CPython); free-threaded: no GIL (Python 3.13t); processes: each worker its own interpreter, no lock",
            kind: Kind::Choice { values: Mode::WORDS },
            default: "gil",
        },
        ParamSpec { name: "threads", label: "Threads", help: "Threads (or processes) sharing the countdown", kind: Kind::Int { min: 1, max: 16 }, default: "2" },
        ParamSpec {
            name: "interval",
            label: "Switch interval (ms)",
            help: "How long a waiting thread waits before it asks the holder to drop the GIL (sys.setswitchinterval; CPython's default is 5 ms)",
            kind: Kind::Int { min: 1, max: 20 },
            default: "5",
        },
        ParamSpec { name: "work", label: "Countdown (thousands)", help: "The countdown's length in thousands of bytecodes, split between the threads", kind: Kind::Int { min: 10, max: 20_000 }, default: "1500" },
        ParamSpec {
            name: "policy",
            label: "Step-through switch points",
            help: "any: the GIL may switch at any bytecode (the book's run); backedge: only at back-edges and calls (CPython 3.10+)",
            kind: Kind::Choice { values: Policy::WORDS },
            default: "any",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: false,
        threads: Threads::Sum { inputs: &["threads"], extra: 0, what: "threads", why: "", needs_pool: None },
        no_pool: None,
    },
};

/// One configuration measured: `threads` threads, every sample's wall time.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "gil/"))]
#[serde(rename_all = "camelCase")]
pub struct Config {
    pub threads: u32,
    pub threads_used: u32,
    pub samples: Samples,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "gil/"))]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub mode: Mode,
    pub threads: u32,
    pub threads_used: u32,
    /// Whether the threads ran on the pool (false: one after another on the engine's thread).
    pub pooled: bool,
    pub interval_ms: u32,
    pub steps: u64,
    pub warm_up: WarmUp,
    pub one: Config,
    pub many: Config,
    /// Best 1-thread time / best k-thread time, and the range the samples allow.
    pub speedup: f64,
    pub speedup_range: [f64; 2],
    /// The first k-thread sample: its wall time, switches and holds of the GIL (or, without
    /// one, each thread's running span).
    pub wall_ms: f64,
    pub switches: u64,
    pub holds: Vec<Hold>,
    pub holds_dropped: bool,
    /// `None` without a pool of two (the convoy needs two threads at once).
    pub convoy: Option<Convoy>,
    pub explanation: String,
}

/// The shared interpreter of `free-threaded` mode: one object every thread updates.
struct Interp {
    executed: AtomicU64,
}

// snippet:start countdown
/// The countdown `while n > 0: n -= 1`, each bytecode a small chunk of real work; under the
/// GIL, the eval breaker checks for a drop request at every back-edge of the loop.
fn countdown(n: u64, mode: Mode, gil: &Gil, me: usize, lane: u32, shared: &Interp, ctl: &Control) -> Result<u64, Cancelled> {
    let mut left = n;
    let mut acc = 0u64;
    match mode {
        Mode::Gil => {
            let mut held = gil.take(me, lane);
            while left > 0 {
                acc ^= crate::workload::busy(STEP_WORK);
                left -= 1;
                if left.is_multiple_of(4096) {
                    ctl.check()?;
                }
                held = held.check().0; // the back-edge: drop the GIL if asked
            }
        }
        Mode::FreeThreaded | Mode::Processes => {
            let own = Interp { executed: AtomicU64::new(0) };
            // Free-threaded threads share one interpreter; a process has its own.
            let interp = if mode == Mode::FreeThreaded { shared } else { &own };
            while left > 0 {
                acc ^= crate::workload::busy(STEP_WORK);
                left -= 1;
                if left.is_multiple_of(4096) {
                    interp.executed.fetch_add(4096, Relaxed);
                    ctl.check()?;
                }
            }
        }
    }
    Ok(std::hint::black_box(acc))
}
// snippet:end countdown

/// What one run of `k` threads found.
struct One {
    wall_ms: f64,
    threads_used: u32,
    switches: u64,
    holds: Vec<Hold>,
    dropped: bool,
}

/// `k` threads count down `steps` between them (thread i takes its share), in `mode`. On a
/// pool, the threads meet at a barrier after noting their start, so all run at once.
fn race(place: Where, k: usize, steps: u64, mode: Mode, interval: f64, ctl: &Control) -> Result<One, DemoError> {
    let origin = clock::now_ms();
    let gil = Gil::new(interval, origin);
    let shared = Interp { executed: AtomicU64::new(0) };
    let meet = Barrier::new(k);
    let spans = crate::sync::Mutex::new(Vec::new());
    // A sample's time runs from the start line, where all k threads began together, to its
    // slowest thread's end: the run's own wall time also holds waking and gathering the pool's
    // workers, which differ with k and made two threads under the GIL look faster than one.
    let slowest = crate::sync::Mutex::new(0.0f64);
    let run = run_threads(place, k, ctl, |i, rec| {
        let share = steps / k as u64 + u64::from((i as u64) < steps % k as u64);
        let start = clock::since(origin);
        if matches!(place, Where::Pool(_)) {
            meet.wait();
        }
        countdown(share, mode, &gil, i, rec.lane(), &shared, ctl)?;
        let end = clock::since(rec.origin());
        {
            let mut s = slowest.lock().unwrap_or_else(|e| e.into_inner());
            *s = s.max(end);
        }
        if mode != Mode::Gil {
            spans.lock().unwrap_or_else(|e| e.into_inner()).push(Hold { lane: rec.lane(), start_ms: start, end_ms: clock::since(origin) });
        }
        Ok(())
    })?;
    let (holds, switches) = match mode {
        Mode::Gil => (gil.holds(), gil.switches()),
        _ => {
            let mut h = spans.into_inner().unwrap_or_else(|e| e.into_inner());
            h.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
            (h, 0)
        }
    };
    let dropped = holds.len() >= HOLDS_CAP;
    let wall_ms = slowest.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(One { wall_ms, threads_used: run.threads_used() as u32, switches, holds, dropped })
}

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let mode = p.pick::<Mode>("mode");
    let k = p.int("threads") as usize;
    let interval_ms = p.int("interval") as u32;
    let interval = f64::from(interval_ms);
    let steps = p.int("work") as u64 * 1000;
    let pooled = env.pool_threads > 0;
    let place = |c: usize| if pooled { Where::Pool(c) } else { Where::Caller };
    let with_convoy = env.pool_threads >= 2;
    let configs: Vec<usize> = if k == 1 { vec![1] } else { vec![1, k] };
    ctl.begin((ROUNDS * configs.iter().sum::<usize>() + if with_convoy { 2 } else { 0 }) as u32);

    // Warm the countdown, in this mode, on every thread that will run it (each with a GIL
    // of its own, so the warm-up never waits: it warms the code, not the hand-over).
    let warm_up = measure::warm_up(place(k), k, ctl, || countdown(2000, mode, &Gil::new(interval, 0.0), 0, 0, &Interp { executed: AtomicU64::new(0) }, ctl).map(|_| ()))?;

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); configs.len()];
    let mut used = vec![0u32; configs.len()];
    let mut shown: Option<One> = None;
    for _ in 0..ROUNDS {
        for (c, &threads) in configs.iter().enumerate() {
            let one = race(place(threads), threads, steps, mode, interval, ctl)?;
            times[c].push(one.wall_ms);
            used[c] = one.threads_used;
            if c == configs.len() - 1 && shown.is_none() {
                shown = Some(one);
            }
        }
    }
    let shown = shown.expect("at least one round");
    let config = |c: usize| Config { threads: configs[c] as u32, threads_used: used[c], samples: Samples::of(times[c].clone()) };
    let (one, many) = (config(0), config(configs.len() - 1));
    let (speedup, speedup_range) = measure::speedup(&one.samples, &many.samples);
    let convoy = if with_convoy { Some(convoy::convoy(mode, interval, ctl)?) } else { None };
    let explanation = explain(mode, k, pooled, env.cores, speedup, shown.switches, convoy.as_ref(), interval_ms);
    Ok(Outcome {
        mode,
        threads: k as u32,
        threads_used: many.threads_used,
        pooled,
        interval_ms,
        steps,
        warm_up,
        one,
        many,
        speedup,
        speedup_range,
        wall_ms: shown.wall_ms,
        switches: shown.switches,
        holds: shown.holds,
        holds_dropped: shown.dropped,
        convoy,
        explanation,
    })
}

#[allow(clippy::too_many_arguments)]
fn explain(mode: Mode, k: usize, pooled: bool, cores: u32, speedup: f64, switches: u64, convoy: Option<&Convoy>, interval: u32) -> String {
    let mut parts = Vec::new();
    if !pooled {
        parts.push("Without worker threads (this page is not cross-origin isolated) the threads ran one after another on one thread, so nothing could run in parallel and the GIL was never contended.".to_string());
    }
    let ideal = k.min(cores.max(1) as usize);
    match mode {
        Mode::Gil if k > 1 && pooled => parts.push(format!(
            "With the GIL, {k} threads took {speedup:.2}× the speed of one: they took turns, and the GIL changed hands {switches} times in the run shown. Only one thread runs bytecode at a time, however many cores there are."
        )),
        Mode::Gil => parts.push("One thread never waits for the GIL: it holds it the whole time.".to_string()),
        Mode::FreeThreaded | Mode::Processes if k > 1 && pooled => parts.push(format!(
            "Without a GIL, {k} threads ran {speedup:.2}× as fast as one (the ideal on {cores} cores is {ideal}×): each ran its share of the countdown on its own core."
        )),
        _ => parts.push("With one thread there is nothing to run in parallel.".to_string()),
    }
    if mode == Mode::Processes {
        parts.push("These are pool workers standing in for processes: each keeps its own interpreter state and shares no lock, as processes would, but none pays a process's start-up or the copying of its arguments.".to_string());
    }
    if let Some(c) = convoy {
        parts.push(if mode == Mode::Gil {
            format!(
                "The convoy: after each I/O wait the I/O-bound thread waited {:.2} ms (median) to run again, because the CPU-bound thread held the GIL until the switch interval ({interval} ms) passed and the drop request reached it.",
                c.median_ms
            )
        } else {
            format!("The convoy: without a GIL the I/O-bound thread ran again {:.3} ms (median) after each wait, with a CPU-bound thread beside it.", c.median_ms)
        });
    }
    parts.join(" ")
}

/// Chapter 15's demo in the registry.
pub struct GilDemo;

/// The instant part: every interleaving of the step-through counted under both policies.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "gil/"))]
pub struct Enumerated {
    pub policies: Vec<Outcomes>,
}

impl Demo for GilDemo {
    type Computed = Enumerated;
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, p: &Params, _ctl: &Control, _ticket: u32) -> Result<Enumerated, DemoError> {
        let k = (p.int("threads")).clamp(2, steps::MAX_STEP_THREADS) as usize;
        Ok(Enumerated { policies: vec![outcomes(k, Policy::Any), outcomes(k, Policy::Backedge)] })
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl)
    }

    fn summary(&self, p: &Params, computed: Option<&Enumerated>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, computed, outcome)
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(steps::story(fit))
    }
}
