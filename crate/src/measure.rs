//! Measurements that teach: taken on warm code, repeated in rotation, shown with their spread.
//!
//! A browser first runs wasm on a quick baseline compiler and swaps in optimised code later,
//! once a function is hot (V8: Liftoff, then TurboFan; Firefox: its baseline tier, then Ion).
//! Measured cold, the first run of a comparison pays for that alone: on a fresh page, k = 1
//! took 140 ms against 99 ms warm, and the "speedup" at k = 2 beat Amdahl's law. So before
//! the first measurement, [`warm_up`] runs the measured kernel on every thread that will run it,
//! in rounds, until the time per unit stops falling. Then each configuration is measured
//! several times in rotation (1..K, then again), so that a slow moment of the machine lands
//! on every configuration alike, and [`Samples`] keeps every time with its median and range.
//! A speedup is taken from the best (fastest) time of each: on a machine shared with other
//! programs, noise only ever adds time, so the fastest sample is the closest to what the
//! threads themselves cost.

use crate::clock;
use crate::control::{Cancelled, Control};
use crate::pool::{run_threads_uncounted, Stopped, Where};
use serde::Serialize;

/// Units of the kernel each thread runs in one warm-up round.
const UNITS_PER_ROUND: u32 = 4;
/// Rounds at least. A browser swaps in optimised code some tens of milliseconds after a
/// function gets hot (later on a busy machine), and a noisy round can look flat before that.
const MIN_ROUNDS: u32 = 8;
/// Rounds the "stopped falling" test looks back over.
const WINDOW: usize = 3;
/// The warm-up stops after this long even if the time per unit still falls.
const MAX_WARM_UP_MS: f64 = 3000.0;
/// A round counts as no faster when it is within this fraction of the best round before it.
const FLAT: f64 = 0.03;

/// What the warm-up did, for the page and the bench.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WarmUp {
    pub rounds: u32,
    pub ms: f64,
    /// Microseconds per unit in the first round (the slowest thread's) and in the last. Where
    /// two warm-ups are combined (the caller's, then the pool's), the first is the caller's
    /// first round and the last the pool's last.
    pub first_unit_us: f64,
    pub last_unit_us: f64,
    /// Whether the time per unit stopped falling before the time bound.
    pub settled: bool,
}

/// Runs `unit` (one unit of the measured kernel) on `k` threads at `place` (on a pool: all at
/// once), round after round, until the last rounds are no faster than the best before them
/// (see [`stopped_falling`]), or the bound is reached. A round's time is its slowest thread's, since any thread
/// still on cold code would slow the measurement. Cancels through `ctl`; counts no progress.
pub fn warm_up<U>(place: Where, k: usize, ctl: &Control, unit: U) -> Result<WarmUp, Stopped>
where
    U: Fn() -> Result<(), Cancelled> + Sync,
{
    let start = clock::now_ms();
    let mut per_unit: Vec<f64> = Vec::new();
    loop {
        ctl.check()?;
        let slowest = crate::sync::Mutex::new(0.0f64);
        // Cancelled through `ctl`, at the start line too; its threads count no progress.
        run_threads_uncounted(place, k, ctl, |_, _| {
            let t0 = clock::now_ms();
            for _ in 0..UNITS_PER_ROUND {
                ctl.check()?;
                unit()?;
            }
            let us = clock::since(t0) * 1000.0 / f64::from(UNITS_PER_ROUND);
            let mut s = slowest.lock().unwrap_or_else(|e| e.into_inner());
            *s = s.max(us);
            Ok(())
        })?;
        per_unit.push(slowest.into_inner().unwrap_or_else(|e| e.into_inner()));
        let settled = stopped_falling(&per_unit);
        if settled || clock::since(start) > MAX_WARM_UP_MS {
            let (first_unit_us, last_unit_us) = (per_unit[0], per_unit[per_unit.len() - 1]);
            return Ok(WarmUp { rounds: per_unit.len() as u32, ms: clock::since(start), first_unit_us, last_unit_us, settled });
        }
    }
}

/// Whether rounds with these times per unit have stopped getting faster: at least
/// [`MIN_ROUNDS`], and the best of the last [`WINDOW`] rounds no faster (within [`FLAT`])
/// than the best of all the rounds before them.
fn stopped_falling(per_unit: &[f64]) -> bool {
    let n = per_unit.len();
    if n < (MIN_ROUNDS as usize).max(WINDOW + 1) {
        return false;
    }
    let best = |xs: &[f64]| xs.iter().copied().fold(f64::INFINITY, f64::min);
    best(&per_unit[n - WINDOW..]) >= best(&per_unit[..n - WINDOW]) * (1.0 - FLAT)
}

/// Every time measured for one configuration, in milliseconds, with its median and range.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Samples {
    pub ms: Vec<f64>,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Samples {
    pub fn of(ms: Vec<f64>) -> Samples {
        assert!(!ms.is_empty(), "a measurement has at least one sample");
        let mut sorted = ms.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        Samples { ms, median, min: sorted[0], max: sorted[n - 1] }
    }

    /// (max - min) / median: how far apart this configuration's own runs were.
    pub fn spread(&self) -> f64 {
        (self.max - self.min) / self.median.max(1e-9)
    }
}

/// The speedup of `tk` over `t1` (best against best), and the range the samples allow: from
/// the slowest `tk` against the fastest `t1` to the fastest `tk` against the slowest `t1`.
pub fn speedup(t1: &Samples, tk: &Samples) -> (f64, [f64; 2]) {
    let s = t1.min / tk.min.max(1e-9);
    (s, [t1.min / tk.max.max(1e-9), t1.max / tk.min.max(1e-9)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_keep_every_time_with_median_and_range() {
        let s = Samples::of(vec![12.0, 10.0, 11.0]);
        assert_eq!((s.median, s.min, s.max), (11.0, 10.0, 12.0));
        assert_eq!(s.ms, [12.0, 10.0, 11.0]);
        assert_eq!(Samples::of(vec![4.0, 2.0]).median, 3.0);
        assert!((s.spread() - 2.0 / 11.0).abs() < 1e-12);
    }

    #[test]
    fn the_speedup_range_pairs_the_extremes() {
        let t1 = Samples::of(vec![100.0, 110.0, 90.0]);
        let t2 = Samples::of(vec![50.0, 60.0, 55.0]);
        let (s, [lo, hi]) = speedup(&t1, &t2);
        assert_eq!(s, 90.0 / 50.0);
        assert_eq!((lo, hi), (90.0 / 60.0, 110.0 / 50.0));
    }

    #[test]
    fn warm_up_runs_on_every_thread_and_stops_once_flat() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let lanes = crate::sync::Mutex::new(std::collections::BTreeSet::new());
        let ctl = Control::new();
        // A kernel of constant cost is flat from the start: the minimum number of rounds.
        let w = pool
            .install(|| {
                warm_up(Where::Pool(3), 3, &ctl, || {
                    lanes.lock().unwrap().insert(crate::pool::current_lane());
                    crate::workload::busy(20_000);
                    Ok(())
                })
            })
            .unwrap();
        assert!(w.settled, "{w:?}");
        assert!(w.rounds >= MIN_ROUNDS);
        assert_eq!(lanes.into_inner().unwrap().len(), 3, "every thread ran the kernel");
        assert_eq!(ctl.progress(), (0, 0), "the warm-up counts no progress");
    }

    #[test]
    fn the_warm_up_goes_on_while_rounds_get_faster() {
        // Times per unit as a browser shows them: cold, then falling as code is optimised.
        assert!(!stopped_falling(&[100.0; 7]), "too few rounds, however flat");
        assert!(stopped_falling(&[100.0; 8]), "warm from the start: the fewest rounds");
        let falling = [900.0, 880.0, 870.0, 700.0, 650.0, 600.0, 500.0, 400.0];
        assert!(!stopped_falling(&falling), "still falling");
        // A busy moment makes a few rounds slow before the optimised code arrives: that is not
        // "flat" while the last rounds are still faster than everything before them.
        assert!(!stopped_falling(&[1600.0, 3100.0, 3190.0, 1900.0, 1800.0, 1500.0, 900.0, 420.0]));
        let flat = [900.0, 880.0, 870.0, 700.0, 410.0, 400.0, 402.0, 399.0, 405.0];
        assert!(stopped_falling(&flat), "three rounds no faster than 400 (399 is within 3 %)");
        let again = [900.0, 880.0, 870.0, 700.0, 410.0, 400.0, 402.0, 399.0, 300.0];
        assert!(!stopped_falling(&again), "a round 25 % faster: still falling");
        let noisy = [400.0, 380.0, 390.0, 385.0, 382.0, 600.0, 390.0, 450.0];
        assert!(stopped_falling(&noisy), "slower rounds (noise) are not faster ones");
    }

    #[test]
    fn a_cancel_stops_the_warm_up() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let ctl = Control::new();
        ctl.cancel();
        let r = pool.install(|| warm_up(Where::Pool(2), 2, &ctl, || Ok(())));
        assert_eq!(r, Err(Stopped::Cancelled));
    }
}
