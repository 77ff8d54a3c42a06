//! The schedule fuzzer (chapter 19): instead of every interleaving, many random ones, the way
//! a stress test or a randomized scheduler meets a bug. Three ways to choose the next thread:
//!
//! - **Naive**: uniformly among the runnable threads, at every step ([`RandomScheduler`]).
//!   It does *not* pick interleavings uniformly. An interleaving's chance is the product of
//!   `1 / runnable` over its steps, so one where a thread finishes early (after which the
//!   rest is forced, chance 1 per step) is far likelier than one that alternates to the end.
//!   For two 3-step threads the two serial orders are 2 of the 20 interleavings (10 %), yet
//!   the naive scheduler runs one of them a quarter of the time (1/8 each).
//! - **PCT** (probabilistic concurrency testing, Burckhardt, Kothari, Musuvathi and
//!   Nagarakatte, ASPLOS 2010): every thread gets a random distinct priority, the highest
//!   runnable one always runs, and at `depth - 1` random steps the running thread drops
//!   below all the others. A bug that needs `d` ordering constraints ("B reads between A's
//!   read and A's write" is one, so the lost update has depth 2) is found in each run with
//!   probability at least `1 / (n · k^(d-1))` for `n` threads and `k` steps.
//! - **Uniform**: each next thread in proportion to the number of complete interleavings
//!   below that choice, read from the explorer's exact counts ([`Tree`]). Every interleaving
//!   is then equally likely, so the failure rate converges to the exhaustive ratio
//!   `failing / interleavings`. It needs those counts, so only where the explorer finished.
//!
//! Every schedule is run on a fresh [`Machine`] and judged the way the explorer judges an end
//! state, and schedule `i` draws from its own generator seeded from `(seed, strategy, i)`:
//! the same inputs give the same schedules, one by one, on every machine and in wasm.

use super::graph::{outcome_of, Graph, NONE};
use super::{Halt, Outcome};
use crate::sched::assertion::Assertion;
use crate::sched::machine::Machine;
use crate::sched::program::{Program, ThreadId};
use crate::sched::random::{RandomScheduler, SplitMix64};
use crate::sync::Arc;
use serde::Serialize;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

/// The explored state graph with every node's count of complete interleavings below it: what
/// the uniform sampler draws from, and what gives the naive scheduler's exact odds. Built only
/// when the exploration counted every interleaving exactly (complete and acyclic).
pub struct Tree {
    graph: Graph,
    /// Complete interleavings from each state to an end state: 1 at an end state, the sum over
    /// its successors elsewhere (the same `paths` as in the module notes of [`super`]).
    paths: Vec<u128>,
    /// Interleavings from the start into each state (the explorer's `ways`).
    ways: Vec<u128>,
    /// The naive scheduler's chance of passing through each state: 1 at the start, and each
    /// step out of a state with `r` runnable threads carries `1 / r` of it.
    naive: Vec<f64>,
}

impl Tree {
    pub(super) fn new(graph: Graph, order: &[u32]) -> Tree {
        let n = graph.nodes.len();
        let mut paths = vec![0u128; n];
        for &s in order.iter().rev() {
            let out = graph.out(s);
            paths[s as usize] = if out.is_empty() { 1 } else { out.iter().map(|&(_, to)| paths[to as usize]).sum() };
        }
        let (mut ways, mut naive) = (vec![0u128; n], vec![0f64; n]);
        ways[0] = 1;
        naive[0] = 1.0;
        for &s in order {
            let out = graph.out(s);
            let share = naive[s as usize] / out.len().max(1) as f64;
            for &(_, to) in out {
                ways[to as usize] += ways[s as usize];
                naive[to as usize] += share;
            }
        }
        Tree { graph, paths, ways, naive }
    }

    /// Every complete interleaving (ending done or deadlocked).
    pub fn interleavings(&self) -> u128 {
        self.paths[0]
    }

    fn bad_ends(&self) -> impl Iterator<Item = usize> + '_ {
        self.graph.nodes.iter().enumerate().filter_map(|(i, node)| {
            (node.end != NONE && self.graph.groups[node.end as usize].outcome != Outcome::Ok).then_some(i)
        })
    }

    /// The interleavings that deadlock, fail or break the assertion.
    pub fn failing(&self) -> u128 {
        self.bad_ends().map(|i| self.ways[i]).sum()
    }

    /// The naive scheduler's exact chance of a failing run: the sum, over failing
    /// interleavings, of the product of `1 / runnable` along each.
    pub fn naive_failure(&self) -> f64 {
        self.bad_ends().map(|i| self.naive[i]).sum()
    }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "explorer/"))]
    /// How the fuzzer picks the next thread (see the module notes).
    pub enum Strategy {
        Naive = "naive",
        Pct = "pct",
        Uniform = "uniform",
    }
}

/// How much to fuzz.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub schedules: usize,
    pub seed: u64,
    /// PCT's bug depth `d`: `d - 1` priority changes per run.
    pub depth: usize,
    /// PCT's step count `k`, the range its change points are drawn from (the longest
    /// interleaving when the explorer knows it).
    pub steps: usize,
    /// A run that has not ended after this many steps (a spin loop) is counted `unfinished`.
    pub max_steps: usize,
}

/// The first failing schedule met, to replay in the stepper.
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
#[derive(Debug, Clone, Serialize)]
pub struct Failing {
    /// Which schedule it was, from 0.
    pub index: usize,
    pub outcome: Outcome,
    /// As trace text (`0.1.0.0.1.1`), which the stepper replays.
    pub trace: String,
    pub steps: usize,
}

/// What one strategy found.
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
#[derive(Debug, Clone, Serialize)]
pub struct Fuzzed {
    pub strategy: Strategy,
    /// Schedules run (fewer than asked after Cancel).
    pub schedules: usize,
    /// Runs that deadlocked, failed or broke the assertion.
    pub failures: usize,
    pub deadlocks: usize,
    pub broken: usize,
    pub failed: usize,
    /// Runs still going after `max_steps` steps: neither good nor bad.
    pub unfinished: usize,
    /// `failures / schedules`.
    pub rate: f64,
    /// Different interleavings among the runs (told apart by a 64-bit hash of the trace).
    pub distinct: usize,
    /// What `rate` converges to, where that is known exactly: for the naive scheduler its
    /// exact chance of failing, for the uniform one `failing / interleavings`.
    pub expected: Option<f64>,
    pub first_failing: Option<Failing>,
    pub cancelled: bool,
    /// Wall time of these schedules, in milliseconds (for the benchmark's schedules per second;
    /// nothing else reads it, so the rest of the result stays a function of the inputs).
    pub ms: f64,
}

/// The generator of schedule `i`: its own stream, so schedule `i` is the same whoever ran the
/// ones before it.
fn schedule_rng(seed: u64, strategy: Strategy, i: usize) -> SplitMix64 {
    let mut mix = SplitMix64::new(seed ^ ((strategy as u64 + 1) << 56) ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    SplitMix64::new(mix.next_u64())
}

/// A number in `0..n` (`n > 0`), exactly uniform: draw as many bits as `n - 1` has and try
/// again past `n` (fewer than two draws on average).
fn below_u128(rng: &mut SplitMix64, n: u128) -> u128 {
    let bits = 128 - (n - 1).leading_zeros();
    let mask = if bits == 128 { u128::MAX } else { (1u128 << bits) - 1 };
    loop {
        let x = if bits <= 64 { rng.next_u64() as u128 } else { ((rng.next_u64() as u128) << 64) | rng.next_u64() as u128 };
        if x & mask < n {
            return x & mask;
        }
    }
}

/// One schedule under PCT: random distinct priorities `depth..depth + n` (higher runs first),
/// and `depth - 1` change points drawn from steps `1..=k`. When step `k_i` comes, the thread
/// that would take it drops to priority `i`, below every starting priority, and the highest
/// runnable thread then steps.
struct Pct {
    priority: Vec<usize>,
    changes: Vec<usize>,
    taken: usize,
}

impl Pct {
    fn new(rng: &mut SplitMix64, threads: usize, depth: usize, k: usize) -> Pct {
        let mut priority: Vec<usize> = (depth..depth + threads).collect();
        for i in (1..threads).rev() {
            priority.swap(i, rng.below(i + 1)); // Fisher-Yates
        }
        let changes = (1..depth).map(|_| 1 + rng.below(k.max(1))).collect();
        Pct { priority, changes, taken: 0 }
    }

    fn pick(&mut self, runnable: &[ThreadId]) -> ThreadId {
        let highest = |priority: &[usize]| *runnable.iter().max_by_key(|&&t| priority[t]).expect("some thread can step");
        self.taken += 1;
        for (i, &k) in self.changes.iter().enumerate() {
            if k == self.taken {
                let t = highest(&self.priority);
                self.priority[t] = i + 1;
            }
        }
        highest(&self.priority)
    }
}

/// The uniform sampler's choice at `node`: each step in proportion to the complete
/// interleavings below it. Returns the thread and the state it leads to.
fn uniform_pick(tree: &Tree, rng: &mut SplitMix64, node: u32) -> (ThreadId, u32) {
    let mut r = below_u128(rng, tree.paths[node as usize]);
    for &(tid, to) in tree.graph.out(node) {
        if r < tree.paths[to as usize] {
            return (tid, to);
        }
        r -= tree.paths[to as usize];
    }
    unreachable!("a state's paths are the sum of its successors'")
}

/// Runs schedule `i` to its end (or `max_steps`), choosing threads by `strategy`.
fn one_schedule(program: &Arc<Program>, strategy: Strategy, tree: Option<&Tree>, cfg: &Config, i: usize) -> Machine {
    let mut rng = schedule_rng(cfg.seed, strategy, i);
    let mut m = Machine::new(Arc::clone(program));
    let mut naive = RandomScheduler::new(rng.next_u64());
    let mut pct = Pct::new(&mut rng, program.threads.len(), cfg.depth, cfg.steps);
    let mut node = 0u32;
    while m.trace().len() < cfg.max_steps {
        let runnable = m.runnable();
        if runnable.is_empty() {
            break;
        }
        let tid = match (strategy, tree) {
            (Strategy::Naive, _) => naive.pick(&m).expect("some thread can step"),
            (Strategy::Pct, _) => pct.pick(&runnable),
            (Strategy::Uniform, Some(tree)) => {
                let (tid, to) = uniform_pick(tree, &mut rng, node);
                node = to;
                tid
            }
            (Strategy::Uniform, None) => unreachable!("checked by fuzz"),
        };
        m.step(tid).expect("every strategy picks a runnable thread");
    }
    m
}

/// Runs `cfg.schedules` schedules of `program` under `strategy`. `watch` hears the schedules
/// done every 256 and may halt: after [`Halt::Cancel`] the result covers the runs so far,
/// after [`Halt::Abandon`] there is none. `None` also when `strategy` is uniform and there is
/// no [`Tree`] (the explorer did not count every interleaving).
pub fn fuzz(
    program: &Arc<Program>,
    assertion: Option<&Assertion>,
    strategy: Strategy,
    tree: Option<&Tree>,
    cfg: &Config,
    watch: &mut dyn FnMut(usize) -> Option<Halt>,
) -> Option<Fuzzed> {
    if strategy == Strategy::Uniform && tree.is_none() {
        return None;
    }
    let mut f = Fuzzed {
        strategy,
        schedules: 0,
        failures: 0,
        deadlocks: 0,
        broken: 0,
        failed: 0,
        unfinished: 0,
        rate: 0.0,
        distinct: 0,
        expected: tree.and_then(|t| match strategy {
            Strategy::Naive => Some(t.naive_failure()),
            Strategy::Uniform => Some(t.failing() as f64 / t.interleavings() as f64),
            Strategy::Pct => None,
        }),
        first_failing: None,
        cancelled: false,
        ms: 0.0,
    };
    let mut seen = HashSet::new();
    let started = crate::clock::now_ms();
    for i in 0..cfg.schedules {
        if i % 256 == 0 && i > 0 {
            match watch(i) {
                None => {}
                Some(Halt::Abandon) => return None,
                Some(Halt::Cancel) => {
                    f.cancelled = true;
                    break;
                }
            }
        }
        let m = one_schedule(program, strategy, tree, cfg, i);
        f.schedules += 1;
        let mut h = DefaultHasher::new();
        m.trace().steps().hash(&mut h);
        seen.insert(h.finish());
        if !m.runnable().is_empty() {
            f.unfinished += 1;
            continue;
        }
        let outcome = outcome_of(&m, assertion);
        match outcome {
            Outcome::Ok => continue,
            Outcome::Deadlock => f.deadlocks += 1,
            Outcome::Broken => f.broken += 1,
            Outcome::Failed => f.failed += 1,
        }
        f.failures += 1;
        if f.first_failing.is_none() {
            f.first_failing = Some(Failing { index: i, outcome, trace: m.trace().to_string(), steps: m.trace().len() });
        }
    }
    f.ms = crate::clock::since(started);
    let _ = watch(f.schedules);
    f.distinct = seen.len();
    f.rate = if f.schedules == 0 { 0.0 } else { f.failures as f64 / f.schedules as f64 };
    Some(f)
}

#[cfg(test)]
#[path = "fuzz_tests.rs"]
mod tests;
