//! The real clock: the virtual timeline played on real threads with real timed waits.
//!
//! The decisions (which run times ran, which were skipped, coalesced or missed, and on which
//! worker) are the virtual clock's: they are exact there, and a real clock would only blur
//! them by its lateness. What the real clock adds is that lateness. One pool thread plays
//! the scheduler's thread and sleeps until each of its wakeups; one pool thread per executor
//! worker sleeps until each of its runs' starts and then sleeps for the run's length, as the
//! book's job does (`time.sleep(4)`). Each thread notes when it really woke: the drift is
//! that minus when it was meant to, in real milliseconds.
//!
//! These are timed waits of threads in Web Workers (`Atomics.wait` under the standard
//! library's sleep), not the page's `setTimeout`: the throttling browsers apply to a hidden
//! tab's timers is about the latter (the page measures its own timers beside this run).

use super::sim::Outcome as RunOutcome;
use super::{Computed, DemoError, REAL_MAX_MS};
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::measure::Samples;
use crate::pool::{self, Where};
use crate::sync::Mutex;
use serde::Serialize;
use std::time::Duration;

/// The first wait starts this long after all threads are at the start line (real ms), so
/// that no wait is already late when its thread first looks.
const LEAD_MS: f64 = 20.0;

/// How late timed waits came back, in real milliseconds.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
pub struct Drift {
    pub median: f64,
    pub p99: f64,
    pub min: f64,
    pub max: f64,
    pub count: usize,
}

impl Drift {
    /// Median, least and most as [`Samples`] takes them; the 99th percentile is the nearest
    /// rank. No waits at all (a timeline shorter than one interval) gives zeros.
    pub fn of(xs: Vec<f64>) -> Drift {
        if xs.is_empty() {
            return Drift { median: 0.0, p99: 0.0, min: 0.0, max: 0.0, count: 0 };
        }
        let s = Samples::of(xs);
        let mut sorted = s.ms.clone();
        sorted.sort_by(f64::total_cmp);
        let p99 = sorted[((sorted.len() as f64 * 0.99).ceil() as usize).clamp(1, sorted.len()) - 1];
        Drift { median: s.median, p99, min: s.min, max: s.max, count: sorted.len() }
    }
}

/// One run as the real clock saw it, in virtual ms (real ms over the scale) from the start.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
#[serde(rename_all = "camelCase")]
pub struct RealStart {
    pub scheduled_ms: f64,
    /// When the virtual clock started it.
    pub planned_ms: f64,
    pub start_ms: f64,
    pub end_ms: f64,
    pub worker: usize,
    /// Real milliseconds late.
    pub drift_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
#[serde(rename_all = "camelCase")]
pub struct RealRun {
    /// Real milliseconds per virtual second.
    pub scale: f64,
    pub runs: Vec<RealStart>,
    /// The scheduler thread's wakeups: (planned, real ms late).
    pub wakeups: Vec<(f64, f64)>,
    /// Every timed wait's lateness: wakeups and starts.
    pub drift_ms: Drift,
    pub threads: usize,
    /// Distinct pool threads that woke at least once.
    pub threads_used: usize,
    pub wall_ms: f64,
}

/// Plays `c`'s timeline at `scale` real ms per virtual second.
pub fn play(c: &Computed, scale: f64, ctl: &Control) -> Result<RealRun, DemoError> {
    let t = &c.timeline;
    let real_ms = t.end_ms as f64 * scale / 1000.0;
    if real_ms > REAL_MAX_MS {
        let most = (REAL_MAX_MS * 1000.0 / t.end_ms as f64).floor();
        return Err(super::invalid("scale", format!("at {scale} ms per virtual second this timeline would take {:.1} s; a real run lasts at most {} s: set it to {most} or less, or shorten the timeline", real_ms / 1000.0, REAL_MAX_MS / 1000.0)));
    }
    let wakes: Vec<i64> = t.steps.iter().filter(|s| s.wake).map(|s| s.t_ms).collect();
    // Worker w's runs: (scheduled, planned start, length), in start order.
    let mut lanes: Vec<Vec<(i64, i64, i64)>> = vec![Vec::new(); c.workers];
    for r in t.jobs.iter().flat_map(|j| &j.runs).filter(|r| r.outcome == RunOutcome::Ran) {
        if let Some(w) = r.worker {
            lanes[w].push((r.scheduled_ms, r.start_ms, r.end_ms - r.start_ms));
        }
    }
    for l in &mut lanes {
        l.sort_by_key(|r| r.1);
    }
    let to_real = |v: i64| v as f64 * scale / 1000.0;
    let total = wakes.len() + lanes.iter().map(Vec::len).sum::<usize>();
    ctl.begin(total as u32);
    let runs = Mutex::new(Vec::new());
    let wakeups = Mutex::new(Vec::new());
    let used = Mutex::new(Vec::new());
    let k = c.workers + 1;
    let run = pool::run_threads_uncounted(Where::Pool(k), k, ctl, |i, rec| -> Result<(), Cancelled> {
        let origin = rec.origin() + LEAD_MS;
        let mut woke = false;
        if i == 0 {
            for &w in &wakes {
                let late = wait_until(origin + to_real(w), ctl)?;
                wakeups.lock().unwrap_or_else(|e| e.into_inner()).push((w as f64, late));
                woke = true;
                ctl.tick();
            }
        } else {
            for &(scheduled, planned, len) in &lanes[i - 1] {
                let late = wait_until(origin + to_real(planned), ctl)?;
                let start = clock::since(origin);
                // The job sleeps, as the book's does, in slices that see a cancel.
                wait_until(clock::now_ms() + to_real(len), ctl)?;
                let end = clock::since(origin);
                let v = |real: f64| real * 1000.0 / scale;
                runs.lock().unwrap_or_else(|e| e.into_inner()).push(RealStart { scheduled_ms: scheduled as f64, planned_ms: planned as f64, start_ms: v(start), end_ms: v(end), worker: i - 1, drift_ms: late });
                woke = true;
                ctl.tick();
            }
        }
        if woke {
            used.lock().unwrap_or_else(|e| e.into_inner()).push(rayon::current_thread_index());
        }
        Ok(())
    })?;
    let runs: Vec<RealStart> = runs.into_inner().unwrap_or_else(|e| e.into_inner());
    let wakeups: Vec<(f64, f64)> = wakeups.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut used = used.into_inner().unwrap_or_else(|e| e.into_inner());
    used.sort_unstable();
    used.dedup();
    let drift = Drift::of(wakeups.iter().map(|w| w.1).chain(runs.iter().map(|r| r.drift_ms)).collect());
    Ok(RealRun { scale, runs, wakeups, drift_ms: drift, threads: k, threads_used: used.len(), wall_ms: run.wall_ms })
}

/// Sleeps until `target` (a [`clock::now_ms`] value) in slices of at most 50 ms, so that a
/// cancel is seen within one; returns how late it woke (0 or more, real ms).
fn wait_until(target: f64, ctl: &Control) -> Result<f64, Cancelled> {
    loop {
        ctl.check()?;
        let left = target - clock::now_ms();
        if left <= 0.0 {
            return Ok(-left);
        }
        std::thread::sleep(Duration::from_secs_f64(left.min(50.0) / 1000.0));
    }
}
