//! Chapter 16: lock-based and lock-free structures. A run measures, on real pool threads,
//! the throughput of five counters (unlocked, mutex, atomic `fetch_add`, the book's
//! approximate counter with padded shards and with packed ones) or of four stacks and
//! queues (a mutex around a `Vec` and a `VecDeque`, Treiber's stack, the Michael-Scott
//! queue), for 1 up to the chosen number of threads, warm and repeated, with the spread of
//! its samples; and checks what each ends with: the count (exact, lost, or lagging before
//! the flush), or every pushed value popped exactly once.

mod counters;
mod sample;
mod stacks;
pub mod steps;
mod summary;

pub use summary::Summary;

use super::{DemoError, Env};
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::demos::Demo;
use crate::live::Feed;
use crate::measure::{self, Samples, WarmUp};
use crate::params::{Caps, Choice, DemoSpec, Kind, ParamSpec, Params, Threads as ThreadsNeed};
use crate::pool::{run_threads, Where};
use crate::sync::Ordering::Relaxed;
use crate::sync::{AtomicU64, Mutex};
use serde::Serialize;
use sample::sample;
use stacks::Store;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "structures/"))]
    /// What a run measures: the counters, or the stacks and queues.
    pub enum Structure { Counters = "counters", Stacks = "stacks" }
}

/// One variant a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "structures/"))]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    Unlocked,
    Mutex,
    Atomic,
    /// The approximate counter, each shard on 128 bytes of its own.
    ShardedPadded,
    /// The approximate counter, shards packed eight to a cache line.
    ShardedPacked,
    LockedStack,
    Treiber,
    LockedQueue,
    MsQueue,
}

impl Variant {
    const COUNTERS: [Variant; 5] = [Variant::Unlocked, Variant::Mutex, Variant::Atomic, Variant::ShardedPadded, Variant::ShardedPacked];
    const STACKS: [Variant; 4] = [Variant::LockedStack, Variant::Treiber, Variant::LockedQueue, Variant::MsQueue];
}

pub const SPEC: DemoSpec = DemoSpec {
    id: "structures",
    chapter: 16,
    also: &[],
    nav: "Lock-based and lock-free structures",
    title: "Lock-based and lock-free structures",
    summary: "Counters, stacks and queues shared by real threads: unlocked ones lose updates, a lock makes threads take turns, and sharding or compare-and-swap lets them work side by side.",
    params: &[
        ParamSpec {
            name: "structure",
            label: "Structures",
            help: "counters: unlocked, mutex, atomic and the approximate counter (padded and packed shards); stacks: mutex and lock-free stacks and queues",
            kind: Kind::Choice { values: Structure::WORDS },
            default: "counters",
        },
        ParamSpec { name: "threads", label: "Threads (up to)", help: "Each variant is measured on 1, 2, … up to this many threads", kind: Kind::Int { min: 1, max: 16 }, default: "2" },
        ParamSpec {
            name: "ops",
            label: "Operations per thread",
            help: "Increments, or push-then-pop pairs, each thread does in one sample (stacks: threads × operations at most 2 000 000, since popped nodes are kept until the sample ends)",
            kind: Kind::Int { min: 100, max: 1_000_000 },
            default: "200000",
        },
        ParamSpec {
            name: "threshold",
            label: "Approximate counter's threshold",
            help: "A thread moves its shard into the global count every this many increments (the book uses 10)",
            kind: Kind::Int { min: 1, max: 10_000 },
            default: "10",
        },
        ParamSpec { name: "samples", label: "Samples", help: "Times each variant is measured at each thread count, in rotation", kind: Kind::Int { min: 1, max: 9 }, default: "3" },
        ParamSpec {
            name: "story",
            label: "Step-through",
            help: "aba: a Treiber stack that reuses a popped node; no-reuse: one that does not; delete: the book's reader racing a delete; copy-on-read: its fix",
            kind: Kind::Choice { values: steps::Story::WORDS },
            default: "aba",
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

/// One variant at one thread count: every sample's time, and the throughput of the median
/// and of the extremes.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "structures/"))]
#[serde(rename_all = "camelCase")]
pub struct Point {
    pub variant: Variant,
    pub threads: u32,
    pub threads_used: usize,
    pub samples: Samples,
    /// Operations per second (all threads together) at the median time.
    pub ops_per_sec: f64,
    /// At the slowest sample and the fastest.
    pub ops_per_sec_range: [f64; 2],
}

/// What one variant ended with, in its last sample at the most threads.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "structures/"))]
#[serde(rename_all = "camelCase")]
pub struct Final {
    pub variant: Variant,
    pub threads_used: usize,
    /// Increments, or values pushed.
    pub expected: u64,
    /// The count it ended with (after the flush, for the approximate counter), or the values
    /// popped.
    pub actual: u64,
    /// Updates lost (unlocked), or pushed values never popped.
    pub lost: u64,
    /// Values popped twice or never pushed (stacks and queues).
    #[cfg_attr(test, ts(optional = nullable))]
    pub duplicated: Option<u64>,
    /// The approximate counter: how far the global count lagged the true one once every
    /// thread had finished and before the flush, and the bound, threads × (threshold − 1).
    #[cfg_attr(test, ts(optional = nullable))]
    pub lag: Option<u64>,
    #[cfg_attr(test, ts(optional = nullable))]
    pub lag_bound: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "structures/"))]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub structure: Structure,
    pub threads: u32,
    /// The most threads that ran at once (1 without a pool).
    pub threads_used: usize,
    pub ops: u32,
    pub threshold: u32,
    pub points: Vec<Point>,
    pub finals: Vec<Final>,
    #[cfg_attr(test, ts(optional = nullable))]
    pub warm_up: Option<WarmUp>,
    /// Whether the threads ran one after another on the engine's own thread (no pool).
    pub sequential: bool,
    pub explanation: String,
}

/// The most nodes one stacks sample may make: each is kept until the sample ends.
pub const MAX_NODES: u64 = 2_000_000;

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let structure = p.pick::<Structure>("structure");
    let k = p.int("threads") as usize;
    let ops = p.int("ops") as u32;
    if structure == Structure::Stacks && k as u64 * u64::from(ops) > MAX_NODES {
        return Err(DemoError::Invalid(vec![crate::params::ParamError {
            param: "ops".to_string(),
            message: format!("ops must be at most {} with {k} threads for the stacks: threads × ops at most {MAX_NODES}, since every node popped is kept until the sample ends", MAX_NODES / k as u64),
        }]));
    }
    let threshold = p.int("threshold") as u64;
    let reps = p.int("samples") as usize;
    let sequential = env.pool_threads == 0;
    let variants: &[Variant] = match structure {
        Structure::Counters => &Variant::COUNTERS,
        Structure::Stacks => &Variant::STACKS,
    };
    // Without a pool the threads would run one after another on this thread: only the chosen
    // count is run, and it says so.
    let counts: Vec<usize> = if sequential { vec![k] } else { (1..=k).collect() };
    let place = |n: usize| if sequential { Where::Caller } else { Where::Pool(n) };
    ctl.begin((counts.iter().sum::<usize>() * reps * variants.len()) as u32);

    // Warm every kernel on every thread that will run it, until it stops getting faster.
    let warm_up = measure::warm_up(place(k), k, ctl, || {
        for &v in variants {
            warm_kernel(v, threshold, ctl)?;
        }
        Ok(())
    })?;

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); counts.len() * variants.len()];
    let mut used = vec![0usize; counts.len() * variants.len()];
    let mut finals: Vec<Final> = Vec::new();
    for rep in 0..reps {
        for (ci, &n) in counts.iter().enumerate() {
            for (vi, &v) in variants.iter().enumerate() {
                let (ms, f) = sample(v, place(n), n, ops, threshold, ctl)?;
                let slot = ci * variants.len() + vi;
                times[slot].push(ms);
                used[slot] = used[slot].max(f.threads_used);
                if rep + 1 == reps && ci + 1 == counts.len() {
                    finals.push(f);
                }
            }
        }
    }
    let mut points = Vec::new();
    for (ci, &n) in counts.iter().enumerate() {
        for (vi, &v) in variants.iter().enumerate() {
            let slot = ci * variants.len() + vi;
            let samples = Samples::of(std::mem::take(&mut times[slot]));
            let total = (n as f64) * f64::from(ops);
            let per = |ms: f64| total / (ms.max(1e-3) / 1000.0);
            points.push(Point { variant: v, threads: n as u32, threads_used: used[slot], ops_per_sec: per(samples.median), ops_per_sec_range: [per(samples.max), per(samples.min)], samples });
        }
    }
    let threads_used = points.iter().map(|p| p.threads_used).max().unwrap_or(0);
    let explanation = explain(structure, k, threshold, &points, &finals, sequential);
    Ok(Outcome { structure, threads: k as u32, threads_used, ops, threshold: threshold as u32, points, finals, warm_up: Some(warm_up), sequential, explanation })
}

/// One small unit of `v`'s kernel on structures of this thread's own, for the warm-up.
fn warm_kernel(v: Variant, threshold: u64, ctl: &Control) -> Result<(), Cancelled> {
    const N: u32 = 2000;
    match v {
        Variant::Unlocked => counters::unlocked(&AtomicU64::new(0), N, ctl),
        Variant::Atomic => counters::atomic(&AtomicU64::new(0), N, ctl),
        Variant::Mutex => counters::locked(&Mutex::new(0), N, ctl),
        Variant::ShardedPadded | Variant::ShardedPacked => counters::sharded(&AtomicU64::new(0), &AtomicU64::new(0), threshold, N, ctl),
        Variant::LockedStack => { drop(stacks::churn(&stacks::LockedStack::default(), 0, N / 4)); Ok(()) }
        Variant::Treiber => { drop(stacks::churn(&stacks::Treiber::default(), 0, N / 4)); Ok(()) }
        Variant::LockedQueue => { drop(stacks::churn(&stacks::LockedQueue::default(), 0, N / 4)); Ok(()) }
        Variant::MsQueue => { drop(stacks::churn(&stacks::MsQueue::default(), 0, N / 4)); Ok(()) }
    }
}

fn explain(structure: Structure, k: usize, threshold: u64, points: &[Point], finals: &[Final], sequential: bool) -> String {
    let mut parts = Vec::new();
    if sequential {
        parts.push(format!(
            "This page has no worker threads (it is not cross-origin isolated), so the {k} threads ran one after another on one thread: nothing raced, and the times are one thread's."
        ));
    }
    let at = |v: Variant, n: usize| points.iter().find(|p| p.variant == v && p.threads as usize == n).map(|p| p.ops_per_sec);
    let fin = |v: Variant| finals.iter().find(|f| f.variant == v);
    let mops = |x: f64| format!("{:.1} M ops/s", x / 1e6);
    match structure {
        Structure::Counters => {
            if let Some(f) = fin(Variant::Unlocked) {
                parts.push(if f.lost > 0 {
                    format!("Unlocked, {} of {} increments were lost: two threads loaded the same value and both stored value + 1.", f.lost, f.expected)
                } else if k == 1 || sequential {
                    "Unlocked, nothing was lost: with one thread at a time, nobody stores between a load and its store.".to_string()
                } else {
                    format!("Unlocked, this time no increment of {} was lost; the window between load and store is tiny, and a race depends on timing. Run again, or more operations.", f.expected)
                });
            }
            parts.push("The mutex and fetch_add end exact.".to_string());
            if let Some(f) = fin(Variant::ShardedPadded) {
                parts.push(format!(
                    "The approximate counter's global count lagged by {} when the threads finished (at most threads × (threshold − 1) = {}); the flush made it exact.",
                    f.lag.unwrap_or(0),
                    k as u64 * (threshold - 1)
                ));
            }
            if !sequential && k > 1 {
                if let (Some(m1), Some(mk), Some(pad), Some(pack)) = (at(Variant::Mutex, 1), at(Variant::Mutex, k), at(Variant::ShardedPadded, k), at(Variant::ShardedPacked, k)) {
                    parts.push(format!(
                        "With {k} threads the mutex did {} against {} on one: adding threads to one lock adds waiting, not speed. Padded shards did {}, packed ones {}: shards on one cache line make the cores pass the line back and forth (false sharing).",
                        mops(mk),
                        mops(m1),
                        mops(pad),
                        mops(pack)
                    ));
                }
            }
        }
        Structure::Stacks => {
            let bad: Vec<&Final> = finals.iter().filter(|f| f.lost > 0 || f.duplicated.unwrap_or(0) > 0).collect();
            parts.push(if bad.is_empty() {
                format!("Every value pushed was popped exactly once, by every variant ({} values each).", finals.first().map(|f| f.expected).unwrap_or(0))
            } else {
                format!("A variant lost or duplicated values: {:?}. That is a bug.", bad.iter().map(|f| f.variant).collect::<Vec<_>>())
            });
            if let (Some(l), Some(t)) = (at(Variant::LockedStack, k), at(Variant::Treiber, k)) {
                parts.push(format!(
                    "At {k} thread{}, the mutex stack did {} and Treiber's stack {}; the queues, {} behind a mutex and {} for Michael and Scott's. A lock-free structure promises progress, not speed: under contention every failed compare-and-swap is work thrown away.",
                    if k == 1 { "" } else { "s" },
                    mops(l),
                    mops(t),
                    at(Variant::LockedQueue, k).map(mops).unwrap_or_default(),
                    at(Variant::MsQueue, k).map(mops).unwrap_or_default()
                ));
            }
            parts.push("No popped node is freed while the run lasts, so no thread can read freed memory and no address is reused (no ABA); they are freed once every thread has ended.".to_string());
        }
    }
    parts.join(" ")
}

/// Chapter 16's demo in the registry.
pub struct StructuresDemo;

impl Demo for StructuresDemo {
    type Computed = steps::Explored;
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, p: &Params, _ctl: &Control, _ticket: u32) -> Result<steps::Explored, DemoError> {
        Ok(steps::explored(p))
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl)
    }

    fn summary(&self, p: &Params, computed: Option<&steps::Explored>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, computed, outcome)
    }

    fn step(&self, fit: &mut crate::demos::stepper::Fit) -> Option<(crate::sched::Program, &'static str)> {
        Some(steps::story(fit))
    }
}

#[cfg(test)]
mod tests;
