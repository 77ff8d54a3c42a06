//! Chapter 6, processes: workers that share nothing. Each "process" is a Web Worker with its
//! own wasm instance and its own memory, started by the engine worker ("main"), and it talks
//! to main only by messages: a structured clone plays the part of pickling, a transfer moves
//! the bytes. Beside them the same work runs on the engine's pool, whose threads share one
//! memory.
//!
//! A run is planned here ([`plan`]), carried out with real workers by the engine worker's
//! host (www/src/engine/processes/host.ts), whose workers each run [`process::step`]; the
//! host reports what it saw ([`seen`]), and the pool's side is measured here
//! ([`pool_side`]). The life cycle: pids and names, a daemon terminated when main finishes,
//! `join(timeout)`, `terminate()`; consumers that stop at `empty()` against poison pills;
//! the start cost of a process against a pool task; passing bytes by clone, transfer and
//! shared memory; fine-grained tasks through messages against the shared-memory pool.
//!
//! The step-through replays the check-then-act race between `empty()` and `get()`
//! ([`steps`]).

mod explain;
pub mod plan;
mod pool_side;
pub mod process;
pub mod seen;
mod steps;
mod summary;
#[cfg(test)]
mod tests;

pub use summary::Summary;

use super::stepper::Fit;
use super::{DemoError, Env, Erased};
use crate::control::Control;
use crate::demos::Demo;
use crate::live::Feed;
use crate::measure::Samples;
use crate::params::{Caps, DemoSpec, Kind, ParamError, ParamSpec, Params, Threads};
use crate::sched::Program;
use plan::Plan;
use pool_side::PoolSide;
use seen::{ExitedBy, Seen};
use serde::{Deserialize, Serialize};

crate::choice! {
    #[cfg_attr(test, ts(export_to = "processes/"))]
    #[derive(serde::Deserialize)]
    /// How a consumer knows the work is over.
    pub enum Ending {
        /// The book's: it stops as soon as `queue.empty()` says so.
        Poll = "poll",
        /// It stops at a poison pill, one per consumer after the last item.
        Pills = "pills",
    }
}

const NEEDS_POOL: &str = "worker processes and the shared-memory pool beside them need a cross-origin isolated page";

pub const SPEC: DemoSpec = DemoSpec {
    id: "processes",
    chapter: 6,
    also: &[],
    nav: "Processes",
    title: "Processes that share nothing",
    summary: "Start worker processes with their own memory that talk only by messages: daemons, join with a timeout, terminate, a queue between them, and what copying and messages cost against threads that share one memory.",
    params: &[
        ParamSpec { name: "consumers", label: "Consumers", help: "Consumer processes taking the producer's items from main's queue", kind: Kind::Int { min: 1, max: 6 }, default: "3" },
        ParamSpec { name: "tasks", label: "Items", help: "Items the producer puts, working 2 ms before each", kind: Kind::Int { min: 1, max: 200 }, default: "20" },
        ParamSpec {
            name: "ending",
            label: "Consumers stop",
            help: "poll: when queue.empty() says so (the book's); pills: at a poison pill",
            kind: Kind::Choice { values: <Ending as crate::params::Choice>::WORDS },
            default: "poll",
        },
        ParamSpec { name: "timeout", label: "Join timeout (ms)", help: "How long main's join(timeout) waits for each process", kind: Kind::Int { min: 10, max: 5000 }, default: "1000" },
        ParamSpec { name: "megabytes", label: "Bytes to pass (MB)", help: "Passed to a process by clone and by transfer, and to a pool thread in shared memory", kind: Kind::Int { min: 1, max: 64 }, default: "16" },
        ParamSpec { name: "fine", label: "Fine-grained tasks", help: "Tasks of a few µs each, through messages and through the pool", kind: Kind::Int { min: 100, max: 20000 }, default: "10000" },
        ParamSpec { name: "workers", label: "Workers", help: "Processes of the message pool, and threads of the shared-memory pool", kind: Kind::Int { min: 1, max: 4 }, default: "2" },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: false,
        threads: Threads::Sum { inputs: &["workers"], extra: 0, what: "workers", why: "", needs_pool: Some(NEEDS_POOL) },
        no_pool: None,
    },
};

/// One process after the run.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct Worker {
    pub pid: u32,
    pub name: String,
    pub daemon: bool,
    pub exited_by: ExitedBy,
    /// Items its queue handed it (consumers), items it put (the producer), tasks (the pool).
    pub tasks: u32,
    /// From `new Worker` to its wasm instance ready, in ms (`None`: it never got there).
    pub start_ms: Option<f64>,
}

/// One size of the dispatch sweep.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct Dispatched {
    pub work: u32,
    pub tasks: u32,
    pub message: Samples,
    pub pool: Samples,
    /// Median through messages over median on the pool.
    pub ratio: f64,
    /// The range of that ratio the samples allow (see `measure::speedup`).
    pub ratio_range: [f64; 2],
    /// One task's own work on a pool thread, in µs (pool median × k / tasks).
    pub task_us: f64,
}

/// The bytes passed three ways.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
pub struct Copied {
    pub bytes: u32,
    pub clone: Samples,
    pub transfer: Samples,
    pub shared: Samples,
    /// The sender's buffer was empty after the transfer: the bytes moved.
    pub detached: bool,
}

/// A real run: the processes, the queue's share-out, the measurements.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub main_pid: u32,
    pub ending: Ending,
    pub workers: Vec<Worker>,
    /// Items the producer put that no consumer took.
    pub left: u32,
    /// Whether a process's write into what it was sent showed in main's memory.
    pub shared_memory: bool,
    /// A process's start (median over the processes) and an empty pool task's round trip.
    pub process_start: Option<Samples>,
    pub task_start: Samples,
    pub copy: Copied,
    pub dispatch: Vec<Dispatched>,
    /// The smallest task (µs of work) of the sweep at which messages add at most a quarter.
    pub messages_stop_mattering_us: Option<f64>,
    pub threads_used: usize,
    pub explanation: String,
}

/// Messages "stop mattering" once they add at most this much to the pool's time.
pub const MATTERS: f64 = 1.25;

/// What a process's script sends through [`process::step`]: its state and the message.
#[derive(Deserialize)]
struct Turn {
    state: process::State,
    msg: process::In,
}

fn no_host() -> DemoError {
    DemoError::Invalid(vec![ParamError {
        param: String::new(),
        message: "the processes demo runs worker processes that the engine worker starts (www/src/engine/processes/host.ts); this run came without them".into(),
    }])
}

fn unreadable(what: &str, e: impl std::fmt::Display) -> DemoError {
    DemoError::Invalid(vec![ParamError { param: String::new(), message: format!("{what} could not be read: {e}") }])
}

/// The outcome of a run from what the host saw and what the pool measured.
pub fn outcome(plan: &Plan, seen: &Seen, pool: PoolSide) -> Result<Outcome, DemoError> {
    if seen.message_ms.len() != plan.sizes.len() || seen.message_ms.iter().chain([&seen.copy.clone_ms, &seen.copy.transfer_ms]).any(|m| m.is_empty()) {
        return Err(unreadable("the host's report", "a measurement has no samples"));
    }
    let mut workers = Vec::new();
    for p in &plan.processes {
        let s = seen.processes.iter().find(|s| s.pid == p.pid).ok_or_else(|| unreadable("the host's report", format!("process {} is missing", p.pid)))?;
        workers.push(Worker { pid: p.pid, name: p.name.clone(), daemon: p.daemon, exited_by: s.exited_by(), tasks: s.tasks, start_ms: s.start_ms });
    }
    let starts: Vec<f64> = workers.iter().filter_map(|w| w.start_ms).collect();
    let k = f64::from(plan.workers);
    let dispatch: Vec<Dispatched> = plan
        .sizes
        .iter()
        .zip(&seen.message_ms)
        .zip(pool.dispatch)
        .map(|((size, message), pool)| {
            let message = Samples::of(message.clone());
            Dispatched {
                work: size.work,
                tasks: size.tasks,
                ratio: message.median / pool.median.max(1e-9),
                ratio_range: crate::measure::speedup(&message, &pool).1,
                task_us: pool.median * k * 1000.0 / f64::from(size.tasks),
                message,
                pool,
            }
        })
        .collect();
    let messages_stop_mattering_us = dispatch.iter().find(|d| d.ratio <= MATTERS).map(|d| d.task_us);
    let copy = Copied {
        bytes: plan.copy_bytes,
        clone: Samples::of(seen.copy.clone_ms.clone()),
        transfer: Samples::of(seen.copy.transfer_ms.clone()),
        shared: pool.shared,
        detached: seen.copy.detached,
    };
    let ending = match plan.processes.iter().find_map(|p| match p.role {
        process::Role::Consumer { ending, .. } => Some(ending),
        _ => None,
    }) {
        Some(e) => e,
        None => Ending::Poll,
    };
    let mut o = Outcome {
        main_pid: plan.main_pid,
        ending,
        workers,
        left: seen.left,
        shared_memory: seen.copy.write_seen,
        process_start: (!starts.is_empty()).then(|| Samples::of(starts)),
        task_start: pool.task_start,
        copy,
        dispatch,
        messages_stop_mattering_us,
        threads_used: pool.threads_used,
        explanation: String::new(),
    };
    o.explanation = explain::explanation(&o);
    Ok(o)
}

pub struct ProcessesDemo;

impl Demo for ProcessesDemo {
    type Computed = Plan;
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    /// The plan, so that the host knows what to start and the page can show it first.
    fn compute(&self, p: &Params, _ctl: &Control, _ticket: u32) -> Result<Plan, DemoError> {
        Ok(plan::plan(p))
    }

    fn run(&self, _p: &Params, _env: Env, _ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        Err(no_host())
    }

    fn observe(&self, p: &Params, _env: Env, ctl: &Control, seen: &mut dyn erased_serde::Deserializer) -> Result<Outcome, DemoError> {
        let seen: Seen = erased_serde::deserialize(seen).map_err(|e| unreadable("the host's report", e))?;
        let plan = plan::plan(p);
        let pool = pool_side::measure(&plan, ctl)?;
        outcome(&plan, &seen, pool)
    }

    fn process(&self, msg: &mut dyn erased_serde::Deserializer) -> Result<Erased, DemoError> {
        let turn: Turn = erased_serde::deserialize(msg).map_err(|e| unreadable("the process's message", e))?;
        Ok(Box::new(process::step(turn.state, turn.msg)))
    }

    fn summary(&self, p: &Params, _computed: Option<&Plan>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, outcome)
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(steps::story(fit))
    }
}
