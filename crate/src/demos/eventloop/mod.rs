//! Chapters 9-11, asynchronous programming: one event loop ([`crate::aio`], written for this
//! page in Rust) running the book's programs. Chapter 9's cooking analogy, chapter 10's
//! countdowns (with `time.sleep` inside a coroutine, and CPU work on the loop or handed to the
//! pool with `run_in_executor`), chapter 11's producers and consumers on an `asyncio.Queue`
//! and its echo server written as a protocol, and its five downloads.
//!
//! `compute` runs the program on the virtual clock: exact, instant and replayable. The
//! step-through is the input `at`: the loop's state after that many events, from a fresh run
//! that stops there, so stepping back is a replay, never an undo of remembered states. A real
//! run (`run`) is the same program on the real clock, on the engine worker's thread: real
//! sleeps, real work, and offloaded work on the real pool threads, while the loop goes on
//! serving its timers.

mod cooking;
mod explain;
mod programs;
mod summary;
#[cfg(test)]
mod tests;
mod trace;

pub use summary::Summary;
pub use trace::{Trace, Schedule, Channel, Client};

use super::{DemoError, Env};
use crate::aio::{self, Clock, Event, PerTask, Span};
use crate::control::Control;
use crate::demos::Demo;
use crate::live::Feed;
use crate::params::{Also, Caps, Choice, DemoSpec, Kind, ParamSpec, Params, Switch, Threads};
use serde::Serialize;
use trace::{invalid, How};

crate::choice! {
    #[cfg_attr(test, ts(export_to = "eventloop/"))]
    /// Which of the book's programs the loop runs.
    pub enum Program {
        /// Chapter 9: one cook, three dishes.
        Cooking = "cooking",
        /// Chapter 10: three countdowns.
        Countdowns = "countdowns",
        /// Chapter 11: producers and consumers on an asyncio.Queue.
        Channels = "channels",
        /// Chapter 11: an echo server as a transport and a protocol, with clients.
        Echo = "echo",
        /// Chapter 11: five downloads, each a request and then its chunks as they arrive.
        Downloads = "downloads",
    }
}


/// A real run may last at most this long.
pub const REAL_MAX_MS: f64 = 30_000.0;

pub const SPEC: DemoSpec = DemoSpec {
    id: "eventloop",
    chapter: 9,
    also: &[
        Also { chapter: 10, nav: "Countdowns that block", params: &[("program", "countdowns")] },
        Also { chapter: 11, nav: "Queues and an echo server", params: &[("program", "channels")] },
    ],
    nav: "The event loop",
    title: "The event loop",
    summary: "One event loop, written in Rust, running the book's asynchronous programs: a cook with three dishes, three countdowns, producers and consumers on a queue, and an echo server. Step through it forwards and backwards on a virtual clock, then run it on the real one, block it with time.sleep, and hand CPU work to real threads.",
    params: &[
        ParamSpec {
            name: "program",
            label: "Program",
            help: "cooking (chapter 9), countdowns (chapter 10), channels, echo or downloads (chapter 11)",
            kind: Kind::Choice { values: Program::WORDS },
            default: "cooking",
        },
        ParamSpec {
            name: "blocking",
            label: "Blocking call",
            help: "on: one await asyncio.sleep becomes time.sleep (the countdowns' sleep, the bread's bake, the first consumer's work, the echo server's handler, the downloads' file writes)",
            kind: Kind::Choice { values: Switch::WORDS },
            default: "off",
        },
        ParamSpec { name: "cpu", label: "CPU work per tick (ms)", help: "Countdowns: computing this long after each tick", kind: Kind::Int { min: 0, max: 1000 }, default: "0" },
        ParamSpec {
            name: "offload",
            label: "Offload the work",
            help: "on: the countdowns' CPU work goes to the thread pool with run_in_executor, and the loop goes on meanwhile",
            kind: Kind::Choice { values: Switch::WORDS },
            default: "off",
        },
        ParamSpec { name: "producers", label: "Producers", help: "Channels: tasks that put items", kind: Kind::Int { min: 1, max: 4 }, default: "2" },
        ParamSpec { name: "consumers", label: "Consumers", help: "Channels: tasks that get them", kind: Kind::Int { min: 1, max: 4 }, default: "2" },
        ParamSpec { name: "items", label: "Items", help: "Channels: items made in all", kind: Kind::Int { min: 1, max: 40 }, default: "8" },
        ParamSpec { name: "maxsize", label: "Queue size", help: "Channels: asyncio.Queue(maxsize); 0 = unbounded", kind: Kind::Int { min: 0, max: 10 }, default: "2" },
        ParamSpec { name: "clients", label: "Clients", help: "Echo: clients, each sending 3 messages", kind: Kind::Int { min: 1, max: 6 }, default: "3" },
        ParamSpec { name: "seed", label: "Seed", help: "Chooses the extra wait of each producer, consumer and client", kind: Kind::Int { min: 0, max: 999_999 }, default: "1" },
        ParamSpec { name: "speed", label: "Real-clock speed", help: "A real run goes this many times faster than the program's own seconds", kind: Kind::Int { min: 1, max: 20 }, default: "1" },
        ParamSpec { name: "at", label: "Step", help: "The step-through shows the loop after this many events (0 = before the first)", kind: Kind::Int { min: 0, max: aio::MAX_EVENTS as i64 }, default: "0" },
    ],
    caps: Caps {
        instant: false,
        steppable: false,
        live: false,
        threads: Threads::ByChoice {
            choice: "offload",
            cases: &[(
                "on",
                Threads::Sum {
                    inputs: &[],
                    extra: 1,
                    what: "pool thread",
                    why: "",
                    needs_pool: Some("offloaded work runs on the thread pool, which needs a cross-origin isolated page; the virtual clock shows the same program"),
                },
            )],
        },
        no_pool: None,
    },
};

/// The inputs a program reads.
#[derive(Debug, Clone)]
pub struct Setup {
    pub program: Program,
    pub blocking: bool,
    pub cpu: f64,
    pub offload: bool,
    pub producers: u32,
    pub consumers: u32,
    pub items: u32,
    pub maxsize: usize,
    pub clients: u32,
    pub seed: u64,
}

impl Setup {
    pub fn of(p: &Params) -> Setup {
        let n = |k: &str| p.int(k) as u32;
        Setup {
            program: p.pick::<Program>("program"),
            blocking: p.on("blocking"),
            cpu: p.int("cpu") as f64,
            offload: p.on("offload"),
            producers: n("producers"),
            consumers: n("consumers"),
            items: n("items"),
            maxsize: p.int("maxsize") as usize,
            clients: n("clients"),
            seed: p.int("seed") as u64,
        }
    }
}

/// How late the real clock's timers fired, in real milliseconds.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
pub struct Late {
    pub median: f64,
    pub max: f64,
    pub count: usize,
}

/// A run on the real clock.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub program: Program,
    pub blocking: bool,
    pub clock: &'static str,
    pub speed: u32,
    pub tasks: Vec<String>,
    /// Times in the program's milliseconds (real milliseconds times the speed).
    pub events: Vec<Event>,
    pub spans: Vec<Span>,
    pub per_task: Vec<PerTask>,
    pub total_ms: f64,
    /// What the virtual clock says the same program takes.
    pub virtual_ms: f64,
    pub late_ms: Late,
    /// The loop's own thread and the pool threads that did offloaded work.
    pub threads_used: usize,
    /// The pool threads (rayon's indices, from 0) that did offloaded work.
    pub pool_threads: Vec<usize>,
    pub offloaded: usize,
    /// Rounds of work per millisecond on the loop's thread, measured before the run.
    pub iters_per_ms: f64,
    pub explanation: String,
}

/// The real run of `p`: the virtual run first (for its length, checked against the limit,
/// and the progress bar's total), then the same program on the real clock.
pub fn run_real(p: &Params, ctl: &Control) -> Result<Outcome, DemoError> {
    let s = Setup::of(p);
    let speed = p.int("speed") as u32;
    let never = |_: usize| false;
    let virt = trace::run(&s, How::VIRTUAL, &never)?;
    let real_ms = virt.total_ms / f64::from(speed);
    if real_ms > REAL_MAX_MS {
        let need = (virt.total_ms / REAL_MAX_MS).ceil();
        return Err(invalid("speed", format!("at speed {speed} this run would take {:.1} s; a real run lasts at most {} s: set the speed to {need} or more", real_ms / 1000.0, REAL_MAX_MS / 1000.0)));
    }
    ctl.begin(virt.lines as u32);
    let iters_per_ms = aio::calibrate();
    let done = std::cell::Cell::new(0usize);
    let stop = |lines: usize| {
        if lines > done.get() {
            ctl.advance((lines - done.get()) as u32);
            done.set(lines);
        }
        ctl.is_cancelled()
    };
    let r = trace::run(&s, How { clock: Clock::Real { speed: f64::from(speed) }, iters_per_ms, ..How::VIRTUAL }, &stop)?;
    let mut late = r.late.clone();
    late.sort_by(f64::total_cmp);
    let offloaded = r.events.iter().filter(|e| e.what == aio::What::Offload).count();
    let mut o = Outcome {
        program: s.program,
        blocking: s.blocking,
        clock: "real",
        speed,
        tasks: r.tasks,
        events: r.events,
        spans: r.spans,
        per_task: r.per_task,
        total_ms: r.total_ms,
        virtual_ms: virt.total_ms,
        late_ms: Late { median: late.get(late.len() / 2).copied().unwrap_or(0.0), max: late.last().copied().unwrap_or(0.0), count: late.len() },
        threads_used: 1 + r.pool_threads.len(),
        pool_threads: r.pool_threads,
        offloaded,
        iters_per_ms,
        explanation: String::new(),
    };
    o.explanation = explain::real(&o);
    Ok(o)
}

pub struct EventLoopDemo;

impl Demo for EventLoopDemo {
    type Computed = Trace;
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, p: &Params, _ctl: &Control, _ticket: u32) -> Result<Trace, DemoError> {
        trace::virtual_trace(&Setup::of(p), p.int("at") as usize)
    }

    fn run(&self, p: &Params, _env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        run_real(p, ctl)
    }

    fn summary(&self, p: &Params, computed: Option<&Trace>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, computed, outcome)
    }
}
