//! Chapter 13: starvation. A thread that is ready to run never gets its turn, because the
//! rules always let someone else go first. Two scenarios, both on real pool threads that
//! wait for each other at a start line, then compete for a fixed time budget:
//!
//! - `readers-writers`: readers and writers share one readers-writer lock
//!   ([`crate::locks::rwlock`]). Readers read back to back, their starts staggered so their
//!   reads overlap. With `policy=readers` the lock is never empty, so writers never get in;
//!   `writers` lets a waiting writer go first (and can starve readers in turn); `fair`
//!   serves everyone in arrival order.
//! - `priority`: one "CPU" ([`crate::locks::priority`]) handed to the highest-priority
//!   waiting task. High-priority tasks keep coming back; the one low-priority task runs only
//!   with `aging=on`.
//!
//! Every thread counts its accesses, its total and longest wait. Jain's fairness index
//! J = (Σx)² / (n Σx²) over the access counts (1: equal shares; 1/n: one thread got all)
//! is sampled every [`SAMPLE_MS`] by whichever thread first passes the mark, and streamed
//! to the page through the live feed with the counts.

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::sched::Program;
use super::{DemoError, Env};
use crate::control::Control;
use crate::locks::priority::PriorityCpu;
use crate::locks::rwlock_fair::FairRwLock;
use crate::locks::rwlock_readers::ReaderPreferring;
use crate::locks::rwlock_writers::WriterPreferring;
use crate::params::{Caps, Choice, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::pool::Run;
use serde::Serialize;

mod compete;
mod explain;
mod record;
mod steps;
mod summary;
use compete::{compete, Config, Cpu};
pub use steps::step_program;
pub use summary::Summary;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "starvation/"))]
    /// The scenario: readers and writers on one lock, or tasks on one priority CPU.
    pub enum Contest {
        ReadersWriters = "readers-writers",
        Priority = "priority",
    }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "starvation/"))]
    /// Who the readers-writer lock lets in first.
    pub enum RwPolicy {
        Readers = "readers",
        Writers = "writers",
        Fair = "fair",
    }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "starvation/"))]
    /// Whether a waiting task gains priority (the priority scenario).
    pub enum Aging {
        Off = "off",
        On = "on",
    }
}

/// The rule a run was served by: a lock policy, or for priority `priority` / `aging`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "starvation/"))]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    Readers,
    Writers,
    Fair,
    Priority,
    Aging,
}

/// Why a run cannot go on without a pool: run one after another, the first thread would use
/// the whole budget alone.
const NEEDS_POOL: &str = "starvation needs real threads running at the same time, and this page has no thread pool";
const EACH_NEEDS_ONE: &str = ", and each thread needs one";

/// Every thread needs a pool thread of its own, and there must be a pool.
const THREADS: ThreadsNeed = ThreadsNeed::ByChoice {
    choice: "scenario",
    cases: &[
        ("readers-writers", ThreadsNeed::Sum { inputs: &["readers", "writers"], extra: 0, what: "readers + writers", why: EACH_NEEDS_ONE, needs_pool: Some(NEEDS_POOL) }),
        ("priority", ThreadsNeed::Sum { inputs: &["high"], extra: 1, what: "high-priority tasks + 1", why: EACH_NEEDS_ONE, needs_pool: Some(NEEDS_POOL) }),
    ],
};

pub const SPEC: DemoSpec = DemoSpec {
    id: "starvation",
    chapter: 13,
    also: &[],
    nav: "Starvation",
    title: "Starvation",
    summary: "Readers and writers share one lock. Let readers go first and the writers never get in: count who got how much, and who waited how long.",
    params: &[
        ParamSpec {
            name: "scenario",
            label: "Scenario",
            help: "readers-writers: one readers-writer lock; priority: one CPU handed to the highest-priority task",
            kind: Kind::Choice { values: Contest::WORDS },
            default: "readers-writers",
        },
        ParamSpec {
            name: "policy",
            label: "Lock policy",
            help: "readers: readers first; writers: a waiting writer first; fair: a ticket each, in arrival order",
            kind: Kind::Choice { values: RwPolicy::WORDS },
            default: "readers",
        },
        ParamSpec { name: "readers", label: "Readers", help: "Reader threads (readers-writers)", kind: Kind::Int { min: 1, max: 8 }, default: "3" },
        ParamSpec { name: "writers", label: "Writers", help: "Writer threads (readers-writers)", kind: Kind::Int { min: 1, max: 8 }, default: "2" },
        ParamSpec { name: "high", label: "High-priority tasks", help: "Tasks that outrank the one low-priority task (priority)", kind: Kind::Int { min: 1, max: 8 }, default: "2" },
        ParamSpec {
            name: "aging",
            label: "Aging",
            help: "on: a waiting task gains a priority level each time the CPU goes to someone else (priority)",
            kind: Kind::Choice { values: Aging::WORDS },
            default: "off",
        },
        ParamSpec { name: "budget", label: "Run for (ms)", help: "How long the threads compete", kind: Kind::Int { min: 200, max: 5000 }, default: "1000" },
        ParamSpec { name: "hold", label: "Access (ms)", help: "How long one read, write or CPU slice lasts", kind: Kind::Int { min: 1, max: 50 }, default: "5" },
        ParamSpec { name: "pause", label: "Pause (ms)", help: "How long a thread rests between two accesses", kind: Kind::Int { min: 0, max: 100 }, default: "0" },
    ],
    caps: Caps { instant: false, steppable: true, live: true, threads: THREADS, no_pool: Some("Starvation needs threads that run at the same time, which this page does not have; the step-through below works.") },
};

/// How often the counts and Jain's index are sampled.
pub const SAMPLE_MS: u32 = 50;
/// Priority of the high-priority tasks; the low one has 0, so with aging it waits through
/// this many hand-offs, then wins the tie (it arrived first).
pub const HIGH_PRIORITY: u32 = 10;
/// A thread that waited this share of the run for one turn (or never got one) starved.
pub const STARVED: f64 = 0.5;
/// Timeline bars kept per thread (bars shorter than a pixel are merged first).
const MAX_SPANS: usize = 600;

/// Jain's fairness index of `counts`: (Σx)² / (n Σx²). 1 when all are equal (also when all
/// are 0), 1/n when one thread got everything.
pub fn jain(counts: &[u32]) -> f64 {
    let n = counts.len() as f64;
    let sum: f64 = counts.iter().map(|&x| f64::from(x)).sum();
    let squares: f64 = counts.iter().map(|&x| f64::from(x).powi(2)).sum();
    if squares == 0.0 {
        1.0
    } else {
        sum * sum / (n * squares)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "starvation/"))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Reader,
    Writer,
    High,
    Low,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "starvation/"))]
pub struct ThreadStats {
    pub name: String,
    pub role: Role,
    pub lane: u32,
    pub accesses: u32,
    pub wait_ms: f64,
    pub max_wait_ms: f64,
    /// Still waiting when the time ran out.
    pub waiting_at_end: bool,
    /// Never got in, or waited at least [`STARVED`] of the run for one turn.
    pub starved: bool,
}

/// One sample of the run so far (also the live feed's event).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "starvation/"))]
pub struct Sample {
    pub t_ms: f64,
    pub accesses: Vec<u32>,
    /// Longest wait of each thread so far, counting a wait still going on.
    pub longest_ms: Vec<f64>,
    pub jain: f64,
    /// The starving group's share of all accesses (writers', or the low task's).
    pub share: f64,
    pub waiting: [u32; 2],
}

/// What the live feed carries: who competes, then a sample every [`SAMPLE_MS`].
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "starvation/"))]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum LiveEvent<'a> {
    Start { names: &'a [String], roles: &'a [Role], group: &'static str },
    Sample(&'a Sample),
}

/// The starvation meter: how the group that can starve fared.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "starvation/"))]
pub struct Meter {
    /// `writers`, `readers` or `low-priority task`.
    pub group: &'static str,
    pub share: f64,
    pub accesses: u32,
    pub longest_wait_ms: f64,
    /// A thread of the group starved (see [`ThreadStats::starved`]).
    pub starved: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "starvation/"))]
pub struct Outcome {
    pub scenario: Contest,
    /// Distinct threads that ran, all alive at once: the threads asked for (1 without a pool).
    pub threads_used: usize,
    /// `readers`, `writers`, `fair`, or for priority `priority` / `aging`.
    pub policy: Rule,
    pub budget_ms: u32,
    pub names: Vec<String>,
    pub threads: Vec<ThreadStats>,
    pub jain: f64,
    pub samples: Vec<Sample>,
    /// Writers' share and longest wait (priority: the low task's).
    pub meter: Meter,
    /// The other side: readers' (priority: the high tasks').
    pub others: Meter,
    pub timeline: Run,
    pub explanation: String,
}

pub fn run(p: &Params, _env: Env, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
    let contest = p.pick::<Contest>("scenario");
    let roles: Vec<Role> = match contest {
        Contest::Priority => {
            let high = p.int("high") as usize;
            (0..high).map(|_| Role::High).chain([Role::Low]).collect()
        }
        Contest::ReadersWriters => {
            let (r, w) = (p.int("readers") as usize, p.int("writers") as usize);
            (0..r).map(|_| Role::Reader).chain((0..w).map(|_| Role::Writer)).collect()
        }
    };
    let cfg = Config {
        budget: p.int("budget") as u32,
        hold: p.int("hold") as u32,
        pause: p.int("pause") as u32,
        roles,
    };
    Ok(match contest {
        Contest::Priority => match p.pick::<Aging>("aging") {
            Aging::On => compete(&cfg, &Cpu(PriorityCpu::new(true)), Rule::Aging, ctl, feed)?,
            Aging::Off => compete(&cfg, &Cpu(PriorityCpu::new(false)), Rule::Priority, ctl, feed)?,
        },
        Contest::ReadersWriters => match p.pick::<RwPolicy>("policy") {
            RwPolicy::Writers => compete(&cfg, &WriterPreferring::new(), Rule::Writers, ctl, feed)?,
            RwPolicy::Fair => compete(&cfg, &FairRwLock::new(), Rule::Fair, ctl, feed)?,
            RwPolicy::Readers => compete(&cfg, &ReaderPreferring::new(), Rule::Readers, ctl, feed)?,
        },
    })
}

/// Chapter 13's demo in the registry.
pub struct StarvationDemo;

impl Demo for StarvationDemo {
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
