//! Chapter 16: lock-based and lock-free structures. A run measures, on real pool threads,
//! the throughput of five counters (unlocked, mutex, atomic `fetch_add`, the book's
//! approximate counter with padded shards and with packed ones), of seven stacks and queues
//! (a mutex around a `Vec` and a `VecDeque`, Treiber's stack and the Michael-Scott queue as
//! written here, and beside them a Treiber stack reclaimed by crossbeam-epoch and
//! crossbeam-queue's `SegQueue` and `ArrayQueue`), or of the book's reader racing a delete
//! (check-then-read against copy-on-read), for 1 up to the chosen number of threads, warm
//! and repeated, with the spread of its samples; and checks what each ends with: the count
//! (exact, lost, or lagging before the flush), every pushed value popped exactly once, or
//! the reads that found their key gone (`KeyError`).

mod counters;
mod dict;
mod explain;
mod library;
mod lockfree;
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

crate::choice! {
    #[cfg_attr(test, ts(export_to = "structures/"))]
    /// What a run measures: the counters, the stacks and queues, or a reader racing a delete.
    pub enum Structure { Counters = "counters", Stacks = "stacks", Dict = "dict" }
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
    /// Treiber's stack as written here: popped nodes kept until the threads join.
    Treiber,
    /// Treiber's stack with crossbeam-epoch: popped nodes freed while the threads run.
    EpochTreiber,
    LockedQueue,
    MsQueue,
    /// crossbeam-queue's `SegQueue`.
    SegQueue,
    /// crossbeam-queue's `ArrayQueue`.
    ArrayQueue,
    /// The reader racing a delete: `key in d`, then `d[key]`, two locked steps.
    CheckThenRead,
    /// The fix: read a snapshot taken under the lock.
    CopyOnRead,
}

impl Variant {
    const COUNTERS: [Variant; 5] = [Variant::Unlocked, Variant::Mutex, Variant::Atomic, Variant::ShardedPadded, Variant::ShardedPacked];
    const STACKS: [Variant; 7] = [Variant::LockedStack, Variant::Treiber, Variant::EpochTreiber, Variant::LockedQueue, Variant::MsQueue, Variant::SegQueue, Variant::ArrayQueue];
    const DICT: [Variant; 2] = [Variant::CheckThenRead, Variant::CopyOnRead];
}

pub const SPEC: DemoSpec = DemoSpec {
    id: "structures",
    chapter: 16,
    also: &[],
    nav: "Lock-based and lock-free structures",
    title: "Lock-based and lock-free structures",
    summary: "Counters, stacks, queues and a dictionary shared by real threads: unlocked ones lose updates, a check and a read in two locked steps race a delete, a lock makes threads take turns, and sharding or compare-and-swap lets them work side by side.",
    params: &[
        ParamSpec {
            name: "structure",
            label: "Structures",
            help: "counters: unlocked, mutex, atomic and the approximate counter (padded and packed shards); stacks: mutex and lock-free stacks and queues, written here and crossbeam's; dict: a reader racing a delete (readers and one deleter)",
            kind: Kind::Choice { values: Structure::WORDS },
            default: "counters",
        },
        ParamSpec { name: "threads", label: "Threads (up to)", help: "Each variant is measured on 1, 2, … up to this many threads (dict: 2 and up, one of them the deleter)", kind: Kind::Int { min: 1, max: 16 }, default: "2" },
        ParamSpec {
            name: "ops",
            label: "Operations per thread",
            help: "Increments, push-then-pop pairs, or reads, each thread does in one sample (stacks: threads × operations at most 2 000 000, since popped nodes are kept until the sample ends)",
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
        ParamSpec {
            name: "gap",
            label: "Gap between read and write",
            help: "The book's sleep(random) between read and write, here a spin of this many iterations: between the unlocked counter's load and its store; for the dict, a random spin of this many on average between the reader's check and its read, before each check, and after each of the deleter's changes (0 = none)",
            kind: Kind::Int { min: 0, max: MAX_GAP as i64 },
            default: "100",
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
    /// Increments, values pushed, or reads made.
    pub expected: u64,
    /// The count it ended with (after the flush, for the approximate counter), the values
    /// popped, or the reads that got a value.
    pub actual: u64,
    /// Updates lost (unlocked), or pushed values never popped; 0 for the dict.
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
    /// The dict: reads whose check found the key deleted (so they did not read).
    #[cfg_attr(test, ts(optional = nullable))]
    pub absent: Option<u64>,
    /// The dict: reads whose check found the key and whose read found it gone.
    #[cfg_attr(test, ts(optional = nullable))]
    pub key_errors: Option<u64>,
}

impl Final {
    /// A variant's final with only the counts every variant has.
    fn counted(variant: Variant, threads_used: usize, expected: u64, actual: u64) -> Final {
        Final { variant, threads_used, expected, actual, lost: expected.saturating_sub(actual), duplicated: None, lag: None, lag_bound: None, absent: None, key_errors: None }
    }
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
    /// The spin between the unlocked counter's load and store, and the dict's check and read.
    pub gap: u32,
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
/// The widest gap: a cancel is looked for every few thousand operations, each this long.
pub const MAX_GAP: u32 = 10_000;

/// What the inputs cannot be together: checked on every change (beside the control) and
/// again before a run.
fn check(p: &Params) -> Result<(), DemoError> {
    let structure = p.pick::<Structure>("structure");
    let k = p.int("threads") as u64;
    let ops = p.int("ops") as u64;
    let error = |param: &str, message: String| Err(DemoError::Invalid(vec![crate::params::ParamError { param: param.to_string(), message }]));
    if structure == Structure::Stacks && k * ops > MAX_NODES {
        return error("ops", format!("ops must be at most {} with {k} threads for the stacks: threads × ops at most {MAX_NODES}, since every node popped is kept until the sample ends", MAX_NODES / k));
    }
    if structure == Structure::Dict && k < 2 {
        return error("threads", format!("threads must be at least 2 for the dict: one deleter and at least one reader, got {k}"));
    }
    Ok(())
}

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    check(p)?;
    let structure = p.pick::<Structure>("structure");
    let k = p.int("threads") as usize;
    let ops = p.int("ops") as u32;
    let threshold = p.int("threshold") as u64;
    let gap = p.int("gap") as u32;
    let reps = p.int("samples") as usize;
    let sequential = env.pool_threads == 0;
    let variants: &[Variant] = match structure {
        Structure::Counters => &Variant::COUNTERS,
        Structure::Stacks => &Variant::STACKS,
        Structure::Dict => &Variant::DICT,
    };
    // Without a pool the threads would run one after another on this thread: only the chosen
    // count is run, and it says so. The dict needs its deleter beside at least one reader.
    let fewest = if structure == Structure::Dict { 2 } else { 1 };
    let counts: Vec<usize> = if sequential { vec![k] } else { (fewest..=k).collect() };
    let place = |n: usize| if sequential { Where::Caller } else { Where::Pool(n) };
    ctl.begin((counts.iter().sum::<usize>() * reps * variants.len()) as u32);

    // Warm every kernel on every thread that will run it, until it stops getting faster.
    let warm_up = measure::warm_up(place(k), k, ctl, || {
        for &v in variants {
            warm_kernel(v, threshold, gap, ctl)?;
        }
        Ok(())
    })?;

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); counts.len() * variants.len()];
    let mut used = vec![0usize; counts.len() * variants.len()];
    let mut finals: Vec<Final> = Vec::new();
    let knobs = sample::Knobs { ops, threshold, gap };
    for rep in 0..reps {
        for (ci, &n) in counts.iter().enumerate() {
            for (vi, &v) in variants.iter().enumerate() {
                let (ms, f) = sample(v, place(n), n, knobs, ctl)?;
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
            // The dict's deleter does no reads: its throughput is the readers'.
            let working = if structure == Structure::Dict { n - 1 } else { n };
            let total = (working as f64) * f64::from(ops);
            let per = |ms: f64| total / (ms.max(1e-3) / 1000.0);
            points.push(Point { variant: v, threads: n as u32, threads_used: used[slot], ops_per_sec: per(samples.median), ops_per_sec_range: [per(samples.max), per(samples.min)], samples });
        }
    }
    let threads_used = points.iter().map(|p| p.threads_used).max().unwrap_or(0);
    let explanation = explain::explain(structure, k, threshold, gap, &points, &finals, sequential);
    Ok(Outcome { structure, threads: k as u32, threads_used, ops, threshold: threshold as u32, gap, points, finals, warm_up: Some(warm_up), sequential, explanation })
}

/// One small unit of `v`'s kernel on structures of this thread's own, for the warm-up.
fn warm_kernel(v: Variant, threshold: u64, gap: u32, ctl: &Control) -> Result<(), Cancelled> {
    const N: u32 = 2000;
    fn churn<S: stacks::Store>() -> Result<(), Cancelled> {
        drop(stacks::churn(&S::new(1), 0, N / 4));
        Ok(())
    }
    match v {
        Variant::Unlocked => counters::unlocked(&AtomicU64::new(0), N, gap.min(100), ctl),
        Variant::Atomic => counters::atomic(&AtomicU64::new(0), N, ctl),
        Variant::Mutex => counters::locked(&Mutex::new(0), N, ctl),
        Variant::ShardedPadded | Variant::ShardedPacked => counters::sharded(&AtomicU64::new(0), &AtomicU64::new(0), threshold, N, ctl),
        Variant::LockedStack => churn::<stacks::LockedStack>(),
        Variant::Treiber => churn::<lockfree::Treiber>(),
        Variant::EpochTreiber => churn::<library::EpochTreiber>(),
        Variant::LockedQueue => churn::<stacks::LockedQueue>(),
        Variant::MsQueue => churn::<lockfree::MsQueue>(),
        Variant::SegQueue => churn::<library::Seg>(),
        Variant::ArrayQueue => churn::<library::Ring>(),
        Variant::CheckThenRead => dict::reader(&dict::dict(), &mut dict::Jitter::new(1), gap.min(100), dict::check_then_read, N / 4, ctl).map(drop),
        Variant::CopyOnRead => dict::reader(&dict::dict(), &mut dict::Jitter::new(1), gap.min(100), dict::copy_on_read, N / 4, ctl).map(drop),
    }
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
        check(p)?;
        Ok(steps::explored())
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
