//! The three ways to reduce, each on real threads (or the calling thread, when it says so).

use super::{Operator, DRAWN};
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::demos::DemoError;
use crate::pool::{current_lane, run_threads, Run, SpanKind, Where};
use crate::sync::Ordering::Relaxed;
use crate::sync::{AtomicBool, AtomicU32, AtomicU64, Barrier};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// One way's answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "reduction/"))]
pub struct Way {
    /// `tree`, `rayon` or `sequential`.
    pub way: &'static str,
    pub result: f64,
    pub additions: usize,
    /// Operator applications one after another, the longest chain: rounds for the tree,
    /// n - 1 for the sequential fold, `None` for rayon (its splits depend on the run).
    pub depth: Option<usize>,
    /// Distinct threads that combined numbers.
    pub threads_used: usize,
    pub wall_ms: f64,
    /// Why it did not run (rayon's reduce on a page without a pool).
    pub skipped: Option<&'static str>,
}

/// The tree's run: its rounds and who combined what.
pub struct Tree {
    pub way: Way,
    pub sizes: Vec<usize>,
    pub rounds: Option<Vec<Vec<f64>>>,
    pub combined_by: Option<Vec<Vec<Option<u32>>>>,
    pub timeline: Run,
}

/// Sizes of the rounds: n, then ceil(n / 2), … down to 1.
pub fn round_sizes(n: usize) -> Vec<usize> {
    let mut sizes = vec![n];
    while *sizes.last().unwrap_or(&1) > 1 {
        let last = sizes[sizes.len() - 1];
        sizes.push(last.div_ceil(2));
    }
    sizes
}

/// Pairs `lo..hi` of `pairs` that worker `t` of `k` combines: a contiguous block each.
fn block(t: usize, k: usize, pairs: usize) -> (usize, usize) {
    let per = pairs.div_ceil(k);
    ((t * per).min(pairs), ((t + 1) * per).min(pairs))
}

/// The book's tree on `threads` pool threads (one, the caller, without a pool). Each round's
/// pairs are split among the threads; nobody starts the next round before every pair of this
/// one is written: a barrier. Numbers live in one shared array per round (f64 bits in
/// atomics, each slot written by one thread and read after the barrier).
pub fn tree(values: &[f64], op: Operator, threads: usize, pooled: bool, ctl: &Control) -> Result<Tree, DemoError> {
    let sizes = round_sizes(values.len());
    let levels: Vec<Vec<AtomicU64>> = sizes.iter().map(|&n| (0..n).map(|_| AtomicU64::new(0)).collect()).collect();
    for (slot, v) in levels[0].iter().zip(values) {
        slot.store(v.to_bits(), Relaxed);
    }
    let drawn = values.len() <= DRAWN;
    let who: Vec<Vec<AtomicU32>> = if drawn { sizes.iter().map(|&n| (0..n).map(|_| AtomicU32::new(u32::MAX)).collect()).collect() } else { Vec::new() };
    // Without a pool the bodies would run one after another: a barrier for more than one
    // of them would wait forever, so the caller does the whole tree alone.
    let (place, k) = if pooled { (Where::Pool(threads), threads) } else { (Where::Caller, 1) };
    let barrier = Barrier::new(k);
    let stop = AtomicBool::new(false);
    let started = clock::now_ms();
    // snippet:start reduction
    let timeline = run_threads(place, k, ctl, |t, rec| -> Result<(), Cancelled> {
        for r in 1..sizes.len() {
            let (src, dst) = (&levels[r - 1], &levels[r]);
            let pairs = src.len() / 2;
            let (lo, hi) = block(t, k, pairs);
            rec.span(SpanKind::Work, || {
                for i in lo..hi {
                    let a = f64::from_bits(src[2 * i].load(Relaxed));
                    let b = f64::from_bits(src[2 * i + 1].load(Relaxed));
                    dst[i].store(op.apply(a, b).to_bits(), Relaxed);
                    if drawn {
                        who[r][i].store(t as u32, Relaxed);
                    }
                }
                // An odd number out goes on to the next round as it is.
                if src.len() % 2 == 1 && t == 0 {
                    dst[pairs].store(src[src.len() - 1].load(Relaxed), Relaxed);
                }
            });
            // One thread decides whether to stop, before the barrier, so all stop together.
            if t == 0 {
                stop.store(ctl.check().is_err(), Relaxed);
            }
            rec.span(SpanKind::Wait, || barrier.wait()); // the round is over for everyone
            if stop.load(Relaxed) {
                return Err(Cancelled);
            }
        }
        Ok(())
    })?;
    // snippet:end reduction
    let wall_ms = clock::since(started);
    let read = |level: &Vec<AtomicU64>| level.iter().map(|s| f64::from_bits(s.load(Relaxed))).collect::<Vec<f64>>();
    let result = read(&levels[sizes.len() - 1])[0];
    let rounds = drawn.then(|| levels.iter().map(read).collect());
    let combined_by = drawn.then(|| {
        who[1..].iter().map(|level| level.iter().map(|w| Some(w.load(Relaxed)).filter(|&w| w != u32::MAX)).collect()).collect()
    });
    let way = Way {
        way: "tree",
        result,
        additions: values.len() - 1,
        depth: Some(sizes.len() - 1),
        threads_used: timeline.threads_used(),
        wall_ms,
        skipped: None,
    };
    Ok(Tree { way, sizes, rounds, combined_by, timeline })
}

/// Rayon's `reduce_with` over the whole pool: rayon decides how to split, and each piece is
/// folded from left to right before the pieces are combined.
pub fn rayon_reduce(values: &[f64], op: Operator, pooled: bool) -> Way {
    let mut way = Way { way: "rayon", result: f64::NAN, additions: values.len() - 1, depth: None, threads_used: 0, wall_ms: 0.0, skipped: None };
    if !pooled {
        way.skipped = Some("there is no pool on this page, and rayon's reduce needs one");
        return way;
    }
    let lanes = AtomicU64::new(0);
    let started = clock::now_ms();
    let result = values
        .par_iter()
        .copied()
        .reduce_with(|a, b| {
            let bit = 1u64 << current_lane().min(63);
            if lanes.load(Relaxed) & bit == 0 {
                lanes.fetch_or(bit, Relaxed);
            }
            op.apply(a, b)
        })
        .unwrap_or(values[0]);
    way.wall_ms = clock::since(started);
    way.result = result;
    way.threads_used = (lanes.load(Relaxed).count_ones() as usize).max(1);
    way
}

/// One thread, left to right: ((a + b) + c) + …, n - 1 steps one after another.
pub fn sequential(values: &[f64], op: Operator) -> Way {
    let started = clock::now_ms();
    let result = values[1..].iter().fold(values[0], |acc, &v| op.apply(acc, v));
    Way { way: "sequential", result, additions: values.len() - 1, depth: Some(values.len() - 1), threads_used: 1, wall_ms: clock::since(started), skipped: None }
}

/// A float sum three ways: the running sum (one thread), the pairwise tree, and the list
/// cut into k contiguous pieces, each summed by its own thread, the k sums then added in order.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "reduction/"))]
#[serde(rename_all = "camelCase")]
pub struct Floats {
    pub sequential: f64,
    pub pairwise: f64,
    /// k (as text, a JSON key) → the sum on k threads, for k = 1 … threads.
    pub by_threads: BTreeMap<String, f64>,
    /// Threads that really ran each k (1 for every k without a pool, which sums the pieces
    /// one after another: the same numbers, the same order of additions).
    pub threads_used: BTreeMap<String, usize>,
}

pub fn floats(values: &[f64], threads: usize, pooled: bool, pairwise: f64, sequential: f64, ctl: &Control) -> Result<Floats, DemoError> {
    let mut by_threads = BTreeMap::new();
    let mut used = BTreeMap::new();
    for k in 1..=threads {
        let (sum, n) = split_sum(values, k, pooled, ctl)?;
        by_threads.insert(k.to_string(), sum);
        used.insert(k.to_string(), n);
    }
    Ok(Floats { sequential, pairwise, by_threads, threads_used: used })
}

/// The sum of `values` cut into `k` pieces, each a running sum on a thread of its own.
fn split_sum(values: &[f64], k: usize, pooled: bool, ctl: &Control) -> Result<(f64, usize), DemoError> {
    let partial: Vec<AtomicU64> = (0..k).map(|_| AtomicU64::new(0)).collect();
    let place = if pooled { Where::Pool(k) } else { Where::Caller };
    let run = crate::pool::run_threads_uncounted(place, k, ctl, |t, _rec| {
        let (lo, hi) = block(t, k, values.len());
        let s: f64 = values[lo..hi].iter().fold(0.0, |acc, &v| acc + v);
        partial[t].store(s.to_bits(), Relaxed);
        Ok(())
    })?;
    let sum = partial.iter().fold(0.0, |acc, p| acc + f64::from_bits(p.load(Relaxed)));
    Ok((sum, run.threads_used()))
}
