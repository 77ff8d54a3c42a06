//! One sample of one variant: k threads leave the start line together, each runs its share,
//! and the sample's time is its slowest thread's; with what the structure ended with.

use super::*;
use crate::pool::Recorder;

/// Notes when this thread finished, counted from the moment all the sample's threads left
/// the start line together: a sample's time is its slowest thread's, without the cost of
/// waking the workers and gathering them (which, for short samples, would be most of it).
fn finished(rec: &Recorder, slowest: &Mutex<f64>) {
    let ms = clock::since(rec.origin());
    let mut s = slowest.lock().unwrap_or_else(|e| e.into_inner());
    *s = s.max(ms);
}

fn slowest_ms(slowest: Mutex<f64>) -> f64 {
    slowest.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// One sample of `v` on `k` threads: its time and what it ended with.
pub(super) fn sample(v: Variant, place: Where, k: usize, ops: u32, threshold: u64, ctl: &Control) -> Result<(f64, Final), DemoError> {
    let expected = k as u64 * u64::from(ops);
    let counted = |actual: u64, threads_used: usize| Final { variant: v, threads_used, expected, actual, lost: expected.saturating_sub(actual), duplicated: None, lag: None, lag_bound: None };
    let t0 = Mutex::new(0.0f64);
    let r = match v {
        Variant::Unlocked | Variant::Atomic => {
            let c = AtomicU64::new(0);
            let kernel = if v == Variant::Unlocked { counters::unlocked } else { counters::atomic };
            let run = run_threads(place, k, ctl, |_, rec| kernel(&c, ops, ctl).map(|()| finished(rec, &t0)))?;
            (slowest_ms(t0), counted(c.into_inner(), run.threads_used()))
        }
        Variant::Mutex => {
            let c = Mutex::new(0u64);
            let run = run_threads(place, k, ctl, |_, rec| counters::locked(&c, ops, ctl).map(|()| finished(rec, &t0)))?;
            (slowest_ms(t0), counted(c.into_inner().unwrap_or_else(|e| e.into_inner()), run.threads_used()))
        }
        Variant::ShardedPadded => approximate::<counters::Padded>(place, k, ops, threshold, ctl, &t0).map(|(ms, f)| (ms, Final { variant: v, ..f }))?,
        Variant::ShardedPacked => approximate::<counters::Packed>(place, k, ops, threshold, ctl, &t0).map(|(ms, f)| (ms, Final { variant: v, ..f }))?,
        Variant::LockedStack => churned::<stacks::LockedStack>(v, place, k, ops, ctl, &t0)?,
        Variant::Treiber => churned::<stacks::Treiber>(v, place, k, ops, ctl, &t0)?,
        Variant::LockedQueue => churned::<stacks::LockedQueue>(v, place, k, ops, ctl, &t0)?,
        Variant::MsQueue => churned::<stacks::MsQueue>(v, place, k, ops, ctl, &t0)?,
    };
    Ok(r)
}

fn approximate<S: Default + AsRef<AtomicU64> + Sync>(place: Where, k: usize, ops: u32, threshold: u64, ctl: &Control, t0: &Mutex<f64>) -> Result<(f64, Final), DemoError> {
    let global = AtomicU64::new(0);
    let shards: Vec<S> = (0..k).map(|_| S::default()).collect();
    let run = run_threads(place, k, ctl, |i, rec| counters::sharded(&global, shards[i].as_ref(), threshold, ops, ctl).map(|()| finished(rec, t0)))?;
    let ms = *t0.lock().unwrap_or_else(|e| e.into_inner());
    let expected = k as u64 * u64::from(ops);
    let before = global.load(Relaxed);
    counters::flush(&global, &shards);
    let actual = global.into_inner();
    Ok((
        ms,
        Final {
            variant: Variant::ShardedPadded,
            threads_used: run.threads_used(),
            expected,
            actual,
            lost: expected.saturating_sub(actual),
            duplicated: None,
            lag: Some(expected - before.min(expected)),
            lag_bound: Some(k as u64 * (threshold - 1)),
        },
    ))
}

fn churned<S: Store>(v: Variant, place: Where, k: usize, ops: u32, ctl: &Control, t0: &Mutex<f64>) -> Result<(f64, Final), DemoError> {
    let s = S::default();
    let popped = Mutex::new(Vec::new());
    let run = run_threads(place, k, ctl, |i, rec| {
        ctl.check()?;
        let got = stacks::churn(&s, i, ops);
        finished(rec, t0);
        popped.lock().unwrap_or_else(|e| e.into_inner()).extend(got);
        Ok::<(), Cancelled>(())
    })?;
    let ms = *t0.lock().unwrap_or_else(|e| e.into_inner());
    let mut all = popped.into_inner().unwrap_or_else(|e| e.into_inner());
    all.extend(stacks::drain(&s));
    drop(s);
    let (lost, duplicated) = stacks::check(k, ops, all.clone());
    let expected = k as u64 * u64::from(ops);
    Ok((ms, Final { variant: v, threads_used: run.threads_used(), expected, actual: all.len() as u64, lost, duplicated: Some(duplicated), lag: None, lag_bound: None }))
}
