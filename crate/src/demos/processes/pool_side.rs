//! The same work on threads that share one memory: the engine's rayon pool. What a task on
//! the pool costs to start, what passing the bytes costs when they are already in memory
//! both sides can read, and the plan's dispatch sweep as k self-scheduling pool threads.

use super::plan::{Plan, Size};
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::measure::Samples;
use crate::pool::{run_threads_uncounted, Stopped, Where};
use crate::sync::{AtomicUsize, Ordering::Relaxed};
use crate::workload::busy;
use serde::Serialize;
use std::hint::black_box;

/// Empty tasks timed together for one sample of the start cost (the clock's resolution is
/// about 5 µs in a browser, a task's round trip a few times that).
const STARTS_PER_SAMPLE: u32 = 100;
/// One byte in every page of 4 KiB is read by whoever receives the bytes, the same for
/// every way of passing them: enough to touch every page, not enough to hide the copy.
pub const STRIDE: usize = 4096;

/// What the pool measured.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct PoolSide {
    /// One empty task from the engine worker into the pool and back (ms per task).
    pub task_start: Samples,
    /// A pool task handed the bytes where they lie, reading one byte a page.
    pub shared: Samples,
    /// For each size of the sweep: the whole job on k pool threads.
    pub dispatch: Vec<Samples>,
    /// Distinct pool threads that ran the fine-grained job (its last sample).
    pub threads_used: usize,
}

/// The sum of one byte in every [`STRIDE`]: what each receiver reads.
pub fn touch(bytes: &[u8]) -> u32 {
    bytes.iter().step_by(STRIDE).map(|&b| u32::from(b)).sum()
}

fn sampled(plan: &Plan, mut once: impl FnMut() -> Result<f64, Stopped>) -> Result<Samples, Stopped> {
    for _ in 0..plan.warm_rounds {
        once()?;
    }
    Ok(Samples::of((0..plan.samples).map(|_| once()).collect::<Result<_, _>>()?))
}

/// `size.tasks` tasks of `size.work` steps on k pool threads that take the next task
/// number from one shared counter: no message, no copy, one atomic add per task.
fn dispatch(k: usize, size: Size, ctl: &Control) -> Result<(f64, usize), Stopped> {
    let next = AtomicUsize::new(0);
    let t = clock::now_ms();
    let run = run_threads_uncounted(Where::Pool(k), k, ctl, |_, _| {
        while next.fetch_add(1, Relaxed) < size.tasks as usize {
            black_box(busy(size.work));
        }
        Ok::<(), Cancelled>(())
    })?;
    Ok((clock::since(t), run.threads_used()))
}

/// Every pool measurement of the plan, on `k` = `plan.workers` threads.
pub fn measure(plan: &Plan, ctl: &Control) -> Result<PoolSide, Stopped> {
    let task_start = sampled(plan, || {
        let t = clock::now_ms();
        for _ in 0..STARTS_PER_SAMPLE {
            rayon::scope(|s| s.spawn(|_| black_box(())));
        }
        Ok(clock::since(t) / f64::from(STARTS_PER_SAMPLE))
    })?;
    let bytes: Vec<u8> = (0..plan.copy_bytes as usize).map(|i| i as u8).collect();
    let shared = sampled(plan, || {
        let t = clock::now_ms();
        let mut seen = 0;
        rayon::scope(|s| s.spawn(|_| seen = touch(&bytes)));
        black_box(seen);
        Ok(clock::since(t))
    })?;
    drop(bytes);
    let k = plan.workers as usize;
    let mut threads_used = 0;
    let mut samples = Vec::new();
    for (i, &size) in plan.sizes.iter().enumerate() {
        samples.push(sampled(plan, || {
            ctl.check().map_err(|_| Stopped::Cancelled)?;
            let (ms, used) = dispatch(k, size, ctl)?;
            if i == 0 {
                threads_used = used;
            }
            Ok(ms)
        })?);
    }
    Ok(PoolSide { task_start, shared, dispatch: samples, threads_used })
}
