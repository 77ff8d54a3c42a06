//! The competition itself: k threads on k pool workers, released together, taking turns on
//! a readers-writer lock or the priority CPU until the time budget runs out, each counting its
//! accesses and waits; then the totals, the meters and the timeline.

use super::explain::explain;
use super::record::{Bars, Live, Sampler};
use super::{jain, Contest, LiveEvent, Meter, Outcome, Role, Rule, Sample, ThreadStats, HIGH_PRIORITY, SAMPLE_MS, STARVED};
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::demos::DemoError;
use crate::live::Feed;
use crate::locks::priority::PriorityCpu;
use crate::locks::rwlock::{RawRwLock, Waiting};
use crate::pool::{run_threads, Run, Span, SpanKind, Where};
use crate::sync::Ordering::Relaxed;
use crate::sync::{AtomicU32, Mutex};
use crate::workload::io_wait;

pub(super) struct Config {
    pub budget: u32,
    pub hold: u32,
    pub pause: u32,
    pub roles: Vec<Role>,
}

/// What the competing threads take turns on: a readers-writer lock or the priority CPU.
pub(super) trait Contended: Sync {
    /// Gets in as thread `i` of role `role`.
    fn enter(&self, i: usize, role: Role, ctl: &Control) -> Result<(), Cancelled>;
    fn leave(&self, role: Role);
    fn waiting(&self) -> Waiting;
}

impl<L: RawRwLock> Contended for L {
    fn enter(&self, _i: usize, role: Role, ctl: &Control) -> Result<(), Cancelled> {
        if role == Role::Reader {
            self.lock_shared(ctl)
        } else {
            self.lock_exclusive(ctl)
        }
    }
    fn leave(&self, role: Role) {
        if role == Role::Reader {
            self.unlock_shared()
        } else {
            self.unlock_exclusive()
        }
    }
    fn waiting(&self) -> Waiting {
        RawRwLock::waiting(self)
    }
}

/// The priority CPU as a [`Contended`]: high tasks have [`HIGH_PRIORITY`], the low one 0.
pub(super) struct Cpu(pub PriorityCpu);

impl Contended for Cpu {
    fn enter(&self, i: usize, role: Role, ctl: &Control) -> Result<(), Cancelled> {
        self.0.acquire(i, if role == Role::Low { 0 } else { HIGH_PRIORITY }, ctl)
    }
    fn leave(&self, _role: Role) {
        self.0.release()
    }
    fn waiting(&self) -> Waiting {
        Waiting { readers: 0, writers: self.0.waiting() as u32 }
    }
}

pub(super) fn us(ms: f64) -> u32 {
    (ms * 1000.0).clamp(0.0, f64::from(u32::MAX - 1)) as u32
}

pub(super) fn names(roles: &[Role]) -> Vec<String> {
    let mut n = [0; 4];
    roles
        .iter()
        .map(|r| {
            let (letter, i) = match r {
                Role::Reader => ("R", 0),
                Role::Writer => ("W", 1),
                Role::High => ("H", 2),
                Role::Low => return "L".to_string(),
            };
            n[i] += 1;
            format!("{letter}{}", n[i])
        })
        .collect()
}

pub(super) fn compete(cfg: &Config, lock: &dyn Contended, policy: Rule, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
    let k = cfg.roles.len();
    let marks = cfg.budget.div_ceil(SAMPLE_MS);
    ctl.begin(marks + k as u32);
    let names = names(&cfg.roles);
    let priority = match policy {
        Rule::Priority | Rule::Aging => true,
        Rule::Readers | Rule::Writers | Rule::Fair => false,
    };
    let group = if priority { "low-priority task" } else { "writers" };
    feed.push(&LiveEvent::Start { names: &names, roles: &cfg.roles, group });
    let live: Vec<Live> = (0..k).map(|_| Live::default()).collect();
    let starving = |r: Role| matches!(r, Role::Writer | Role::Low);
    let sampler = Sampler { live: &live, roles: &cfg.roles, lock, budget: cfg.budget, next_mark: AtomicU32::new(SAMPLE_MS), samples: Mutex::new(Vec::new()) };
    let stats = Mutex::new(Vec::new());
    let spans = Mutex::new(Vec::new());
    // Bars shorter than this (about a pixel of a 720-pixel timeline) are merged.
    let pixel = f64::from(cfg.budget) / 600.0;
    let readers = cfg.roles.iter().filter(|r| **r == Role::Reader).count() as u32;
    let mut reader_no = 0;
    let stagger: Vec<u32> = cfg
        .roles
        .iter()
        .map(|r| {
            if *r != Role::Reader {
                return 0;
            }
            reader_no += 1;
            (reader_no - 1) * cfg.hold / readers.max(1)
        })
        .collect();

    // k threads on k pool workers, released together: the run's origin is that moment.
    let run = run_threads(Where::Pool(k), k, ctl, |i, rec| -> Result<(), Cancelled> {
        let role = cfg.roles[i];
        let me = &live[i];
        let mut st = ThreadStats { name: String::new(), role, lane: rec.lane(), accesses: 0, wait_ms: 0.0, max_wait_ms: 0.0, waiting_at_end: false, starved: false };
        let mut bars = Bars { pixel, lane: rec.lane(), task: i as u32, spans: Vec::new() };
        let origin = rec.origin();
        let deadline = origin + f64::from(cfg.budget);
        // Readers start a fraction of a read apart, so that their reads overlap.
        io_wait(stagger[i], ctl)?;
        while clock::now_ms() < deadline {
            let asked = clock::now_ms();
            me.waiting_since.store(us(asked - origin) + 1, Relaxed);
            lock.enter(i, role, ctl)?;
            let admitted = clock::now_ms();
            me.waiting_since.store(0, Relaxed);
            let waited = admitted.min(deadline) - asked;
            st.wait_ms += waited;
            st.max_wait_ms = st.max_wait_ms.max(waited);
            me.longest_us.fetch_max(us(st.max_wait_ms), Relaxed);
            bars.push(SpanKind::Wait, asked - origin, admitted.min(deadline) - origin);
            if admitted >= deadline {
                // Let in only after the time ran out: the wait counts, the access does not.
                st.waiting_at_end = true;
                lock.leave(role);
                break;
            }
            let work = io_wait(cfg.hold, ctl);
            lock.leave(role);
            work?;
            st.accesses += 1;
            me.accesses.fetch_add(1, Relaxed);
            bars.push(SpanKind::Work, admitted - origin, clock::since(origin));
            sampler.maybe_sample(origin, ctl, feed);
            io_wait(cfg.pause, ctl)?;
        }
        stats.lock().unwrap_or_else(|e| e.into_inner()).push((i, st));
        spans.lock().unwrap_or_else(|e| e.into_inner()).extend(bars.spans);
        Ok(())
    })?;
    let wall_ms = run.wall_ms;

    let mut stats: Vec<(usize, ThreadStats)> = stats.into_inner().unwrap_or_else(|e| e.into_inner());
    stats.sort_by_key(|(i, _)| *i);
    let starved = |st: &ThreadStats| st.accesses == 0 || st.max_wait_ms >= STARVED * f64::from(cfg.budget);
    let threads: Vec<ThreadStats> =
        stats.into_iter().map(|(i, st)| ThreadStats { name: names[i].clone(), starved: starved(&st), ..st }).collect();
    let counts: Vec<u32> = threads.iter().map(|t| t.accesses).collect();
    let mut samples = sampler.samples.into_inner().unwrap_or_else(|e| e.into_inner());
    // The last sample is the run's end, exact.
    let end = Sample {
        t_ms: f64::from(cfg.budget),
        accesses: counts.clone(),
        longest_ms: threads.iter().map(|t| t.max_wait_ms).collect(),
        jain: jain(&counts),
        share: share(&counts, &cfg.roles, starving),
        waiting: [0, 0],
    };
    feed.push(&LiveEvent::Sample(&end));
    samples.push(end);
    let meter = meter_of(&threads, starving, group);
    let others = meter_of(&threads, |r| !starving(r), if priority { "high-priority tasks" } else { "readers" });
    let mut spans: Vec<Span> = spans.into_inner().unwrap_or_else(|e| e.into_inner());
    spans.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
    // Rows in thread order (R1, R2, …), not in the order of the pool threads they ran on.
    let mut lanes: Vec<u32> = Vec::new();
    for t in &threads {
        if !lanes.contains(&t.lane) {
            lanes.push(t.lane);
        }
    }
    let timeline = Run { threads: k as u32, lanes, wall_ms, spans, order: Vec::new() };
    let scenario = if priority { Contest::Priority } else { Contest::ReadersWriters };
    let explanation = explain(policy, &meter, &others, jain(&counts), cfg);
    Ok(Outcome { scenario, threads_used: run.threads_used(), policy, budget_ms: cfg.budget, names, jain: jain(&counts), threads, samples, meter, others, timeline, explanation })
}

pub(super) fn share(counts: &[u32], roles: &[Role], group: impl Fn(Role) -> bool) -> f64 {
    let all: u32 = counts.iter().sum();
    let mine: u32 = counts.iter().zip(roles).filter(|(_, r)| group(**r)).map(|(c, _)| c).sum();
    if all == 0 {
        0.0
    } else {
        f64::from(mine) / f64::from(all)
    }
}

fn meter_of(threads: &[ThreadStats], group: impl Fn(Role) -> bool, name: &'static str) -> Meter {
    let all: u32 = threads.iter().map(|t| t.accesses).sum();
    let mine: Vec<&ThreadStats> = threads.iter().filter(|t| group(t.role)).collect();
    let accesses: u32 = mine.iter().map(|t| t.accesses).sum();
    Meter {
        group: name,
        share: if all == 0 { 0.0 } else { f64::from(accesses) / f64::from(all) },
        accesses,
        longest_wait_ms: mine.iter().map(|t| t.max_wait_ms).fold(0.0, f64::max),
        starved: mine.iter().any(|t| t.starved),
    }
}
