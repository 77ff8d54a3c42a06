//! The bookkeeping of a run: what each thread publishes while it runs, the samples every [`SAMPLE_MS`], and the timeline's bars.

use super::compete::{share, us, Contended};
use super::{jain, LiveEvent, Role, Sample, MAX_SPANS, SAMPLE_MS};
use crate::clock;
use crate::control::Control;
use crate::live::Feed;
use crate::pool::{Span, SpanKind};
use crate::sync::{AtomicU32, Mutex};
use crate::sync::Ordering::Relaxed;

/// What every thread publishes while it runs, for the samples.
#[derive(Default)]
pub(super) struct Live {
    pub accesses: AtomicU32,
    /// Microseconds from the origin at which the current wait began, plus 1; 0: not waiting.
    pub waiting_since: AtomicU32,
    pub longest_us: AtomicU32,
}

/// Takes a sample at every [`SAMPLE_MS`] mark; whichever thread first passes a mark takes
/// it (a compare-exchange decides), so no extra thread is needed.
pub(super) struct Sampler<'a> {
    pub live: &'a [Live],
    pub roles: &'a [Role],
    pub lock: &'a dyn Contended,
    /// Marks at or after the end of the budget are left to the final sample.
    pub budget: u32,
    pub next_mark: AtomicU32,
    pub samples: Mutex<Vec<Sample>>,
}

impl Sampler<'_> {
    pub fn maybe_sample(&self, origin: f64, ctl: &Control, feed: &Feed) {
        let now = clock::since(origin);
        let mark = self.next_mark.load(Relaxed);
        if now < f64::from(mark) || now >= f64::from(self.budget) {
            return;
        }
        let next = (now as u32 / SAMPLE_MS + 1) * SAMPLE_MS;
        if self.next_mark.compare_exchange(mark, next, Relaxed, Relaxed).is_err() {
            return; // another thread took this one
        }
        let accesses: Vec<u32> = self.live.iter().map(|l| l.accesses.load(Relaxed)).collect();
        let now_us = us(now);
        let longest_ms = self
            .live
            .iter()
            .map(|l| {
                let since = l.waiting_since.load(Relaxed);
                let current = if since == 0 { 0 } else { now_us.saturating_sub(since - 1) };
                f64::from(l.longest_us.load(Relaxed).max(current)) / 1000.0
            })
            .collect();
        let w = self.lock.waiting();
        let sample = Sample {
            t_ms: now,
            jain: jain(&accesses),
            share: share(&accesses, self.roles, |r| matches!(r, Role::Writer | Role::Low)),
            accesses,
            longest_ms,
            waiting: [w.readers, w.writers],
        };
        feed.push(&LiveEvent::Sample(&sample));
        self.samples.lock().unwrap_or_else(|e| e.into_inner()).push(sample);
        ctl.advance((next - mark) / SAMPLE_MS);
    }
}

/// One thread's timeline bars, with bars shorter than a pixel merged into their neighbours.
pub(super) struct Bars {
    pub pixel: f64,
    pub lane: u32,
    pub task: u32,
    pub spans: Vec<Span>,
}

impl Bars {
    pub fn push(&mut self, kind: SpanKind, start_ms: f64, end_ms: f64) {
        if let Some(last) = self.spans.last_mut() {
            if start_ms - last.end_ms < self.pixel && (last.kind == kind || end_ms - start_ms < self.pixel) {
                last.end_ms = end_ms.max(last.end_ms);
                return;
            }
        }
        if end_ms - start_ms < self.pixel || self.spans.len() >= MAX_SPANS {
            return;
        }
        self.spans.push(Span { lane: self.lane, task: self.task, kind, start_ms, end_ms });
    }
}
