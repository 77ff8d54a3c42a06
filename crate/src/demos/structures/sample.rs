//! One sample of one variant: k threads leave the start line together, each runs its share,
//! and the sample's time is its slowest thread's; with what the structure ended with.

use super::*;
use crate::pool::Recorder;
use crate::sync::Ordering::{Acquire, Release};
use crate::sync::{AtomicBool, AtomicUsize};
use stacks::Store;

/// The inputs every sample takes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Knobs {
    pub ops: u32,
    pub threshold: u64,
    pub gap: u32,
}

/// Notes when this thread finished, counted from the moment all the sample's threads left
/// the start line together: a sample's time is its slowest thread's, without the cost of
/// waking the workers and gathering them (which, for short samples, would be most of it).
fn finished(rec: &Recorder, slowest: &Mutex<f64>) {
    let ms = clock::since(rec.origin());
    let mut s = slowest.lock().unwrap_or_else(|e| e.into_inner());
    *s = s.max(ms);
}

fn slowest_ms(slowest: &Mutex<f64>) -> f64 {
    *slowest.lock().unwrap_or_else(|e| e.into_inner())
}

/// One sample of `v` on `k` threads: its time and what it ended with.
pub(super) fn sample(v: Variant, place: Where, k: usize, knobs: Knobs, ctl: &Control) -> Result<(f64, Final), DemoError> {
    let Knobs { ops, threshold, gap } = knobs;
    let expected = k as u64 * u64::from(ops);
    let t0 = Mutex::new(0.0f64);
    let r = match v {
        Variant::Unlocked | Variant::Atomic => {
            let c = AtomicU64::new(0);
            let run = run_threads(place, k, ctl, |_, rec| {
                if v == Variant::Unlocked { counters::unlocked(&c, ops, gap, ctl) } else { counters::atomic(&c, ops, ctl) }.map(|()| finished(rec, &t0))
            })?;
            (slowest_ms(&t0), Final::counted(v, run.threads_used(), expected, c.into_inner()))
        }
        Variant::Mutex => {
            let c = Mutex::new(0u64);
            let run = run_threads(place, k, ctl, |_, rec| counters::locked(&c, ops, ctl).map(|()| finished(rec, &t0)))?;
            (slowest_ms(&t0), Final::counted(v, run.threads_used(), expected, c.into_inner().unwrap_or_else(|e| e.into_inner())))
        }
        Variant::ShardedPadded => approximate::<counters::Padded>(v, place, k, ops, threshold, ctl, &t0)?,
        Variant::ShardedPacked => approximate::<counters::Packed>(v, place, k, ops, threshold, ctl, &t0)?,
        Variant::LockedStack => churned::<stacks::LockedStack>(v, place, k, ops, ctl, &t0)?,
        Variant::Treiber => churned::<lockfree::Treiber>(v, place, k, ops, ctl, &t0)?,
        Variant::EpochTreiber => churned::<library::EpochTreiber>(v, place, k, ops, ctl, &t0)?,
        Variant::LockedQueue => churned::<stacks::LockedQueue>(v, place, k, ops, ctl, &t0)?,
        Variant::MsQueue => churned::<lockfree::MsQueue>(v, place, k, ops, ctl, &t0)?,
        Variant::SegQueue => churned::<library::Seg>(v, place, k, ops, ctl, &t0)?,
        Variant::ArrayQueue => churned::<library::Ring>(v, place, k, ops, ctl, &t0)?,
        Variant::CheckThenRead | Variant::CopyOnRead => raced(v, place, k, ops, gap, ctl, &t0)?,
    };
    Ok(r)
}

fn approximate<S: Default + AsRef<AtomicU64> + Sync>(v: Variant, place: Where, k: usize, ops: u32, threshold: u64, ctl: &Control, t0: &Mutex<f64>) -> Result<(f64, Final), DemoError> {
    let global = AtomicU64::new(0);
    let shards: Vec<S> = (0..k).map(|_| S::default()).collect();
    let run = run_threads(place, k, ctl, |i, rec| counters::sharded(&global, shards[i].as_ref(), threshold, ops, ctl).map(|()| finished(rec, t0)))?;
    let expected = k as u64 * u64::from(ops);
    let before = global.load(Relaxed);
    counters::flush(&global, &shards);
    let f = Final { lag: Some(expected - before.min(expected)), lag_bound: Some(k as u64 * (threshold - 1)), ..Final::counted(v, run.threads_used(), expected, global.into_inner()) };
    Ok((slowest_ms(t0), f))
}

fn churned<S: Store>(v: Variant, place: Where, k: usize, ops: u32, ctl: &Control, t0: &Mutex<f64>) -> Result<(f64, Final), DemoError> {
    let s = S::new(k);
    let popped = Mutex::new(Vec::new());
    let run = run_threads(place, k, ctl, |i, rec| {
        ctl.check()?;
        let got = stacks::churn(&s, i, ops);
        finished(rec, t0);
        popped.lock().unwrap_or_else(|e| e.into_inner()).extend(got);
        Ok::<(), Cancelled>(())
    })?;
    let mut all = popped.into_inner().unwrap_or_else(|e| e.into_inner());
    all.extend(stacks::drain(&s));
    drop(s);
    let actual = all.len() as u64;
    let (lost, duplicated) = stacks::check(k, ops, all);
    let f = Final { lost, duplicated: Some(duplicated), ..Final::counted(v, run.threads_used(), k as u64 * u64::from(ops), actual) };
    Ok((slowest_ms(t0), f))
}

/// The reader racing a delete: threads 0 to k − 2 read, thread k − 1 deletes and puts the
/// key back (a gap after each) until every reader has finished. The readers begin once the
/// deleter is deleting: threads leave the start line together, but one that was parked
/// there wakes later (in a browser, up to milliseconds), and readers that finished before the
/// deleter woke would race nothing. The sample's time is the slowest reader's, from then.
fn raced(v: Variant, place: Where, k: usize, ops: u32, gap: u32, ctl: &Control, t0: &Mutex<f64>) -> Result<(f64, Final), DemoError> {
    let d = dict::dict();
    let readers = k - 1;
    let left = AtomicUsize::new(readers);
    // Without a pool the deleter runs after the readers: nothing to wait for.
    let deleting = AtomicBool::new(place == Where::Caller);
    let tally = Mutex::new(dict::Tally::default());
    let run = run_threads(place, k, ctl, |i, _| {
        if i == readers {
            deleting.store(true, Release);
            return dict::deleter(&d, &left, gap, ctl).map(drop);
        }
        let _leaving = dict::Leaving(&left);
        while !deleting.load(Acquire) {
            ctl.check()?;
            std::hint::spin_loop();
        }
        let start = clock::now_ms();
        let mut jitter = dict::Jitter::new(i as u64 + 1);
        let read = if v == Variant::CheckThenRead { dict::check_then_read } else { dict::copy_on_read };
        let t = dict::reader(&d, &mut jitter, gap, read, ops, ctl)?;
        let ms = clock::since(start);
        let mut s = t0.lock().unwrap_or_else(|e| e.into_inner());
        *s = s.max(ms);
        drop(s);
        tally.lock().unwrap_or_else(|e| e.into_inner()).merge(t);
        Ok(())
    })?;
    let t = tally.into_inner().unwrap_or_else(|e| e.into_inner());
    let f = Final { absent: Some(t.absent), key_errors: Some(t.key_errors), lost: 0, ..Final::counted(v, run.threads_used(), t.reads, t.values) };
    Ok((slowest_ms(t0), f))
}
