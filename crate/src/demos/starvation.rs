//! Chapter 13: starvation. A thread that is ready to run never gets its turn, because the
//! rules always let someone else go first. Two scenarios, both on real pool threads that
//! wait for each other at a start line, then compete for a fixed time budget:
//!
//! - `readers-writers`: readers and writers share one readers-writer lock
//!   ([`crate::locks::rwlock`]). Readers read back to back, their starts staggered so their
//!   reads overlap. With `policy=readers` the lock is never empty, so writers never get in;
//!   `writers` lets a waiting writer go first (and can starve readers in turn); `fair`
//!   serves everyone in arrival order.
//! - `priority`: one "CPU" ([`crate::locks::priority`]) handed to the highest-priority
//!   waiting task. High-priority tasks keep coming back; the one low-priority task runs only
//!   with `aging=on`.
//!
//! Every thread counts its accesses, its total and longest wait. Jain's fairness index
//! J = (Σx)² / (n Σx²) over the access counts (1: equal shares; 1/n: one thread got all)
//! is sampled every [`SAMPLE_MS`] by whichever thread first passes the mark, and streamed
//! to the page through the live feed with the counts.

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::sched::Program;
use super::{DemoError, Env};
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::locks::priority::PriorityCpu;
use crate::locks::rwlock::{RawRwLock, Waiting};
use crate::locks::rwlock_fair::FairRwLock;
use crate::locks::rwlock_readers::ReaderPreferring;
use crate::locks::rwlock_writers::WriterPreferring;
use crate::params::{Caps, Threads as ThreadsNeed, DemoSpec, Kind, ParamError, ParamSpec, Params};
use crate::pool::{run_threads, Run, Span, SpanKind, Where};
use crate::sync::{AtomicU32, Mutex};
use crate::workload::io_wait;
use serde::Serialize;
use crate::sync::Ordering::Relaxed;

mod explain;
mod record;
mod steps;
use explain::explain;
use record::{Bars, Live, Sampler};
pub use steps::step_program;

pub const SPEC: DemoSpec = DemoSpec {
    id: "starvation",
    chapter: 13,
    nav: "Starvation",
    title: "Starvation",
    summary: "Readers and writers share one lock. Let readers go first and the writers never get in: count who got how much, and who waited how long.",
    params: &[
        ParamSpec {
            name: "scenario",
            label: "Scenario",
            help: "readers-writers: one readers-writer lock; priority: one CPU handed to the highest-priority task",
            kind: Kind::Choice { values: &["readers-writers", "priority"] },
            default: "readers-writers",
        },
        ParamSpec {
            name: "policy",
            label: "Lock policy",
            help: "readers: readers first; writers: a waiting writer first; fair: a ticket each, in arrival order",
            kind: Kind::Choice { values: &["readers", "writers", "fair"] },
            default: "readers",
        },
        ParamSpec { name: "readers", label: "Readers", help: "Reader threads (readers-writers)", kind: Kind::Int { min: 1, max: 8 }, default: "3" },
        ParamSpec { name: "writers", label: "Writers", help: "Writer threads (readers-writers)", kind: Kind::Int { min: 1, max: 8 }, default: "2" },
        ParamSpec { name: "high", label: "High-priority tasks", help: "Tasks that outrank the one low-priority task (priority)", kind: Kind::Int { min: 1, max: 8 }, default: "2" },
        ParamSpec {
            name: "aging",
            label: "Aging",
            help: "on: a waiting task gains a priority level each time the CPU goes to someone else (priority)",
            kind: Kind::Choice { values: &["off", "on"] },
            default: "off",
        },
        ParamSpec { name: "budget", label: "Run for (ms)", help: "How long the threads compete", kind: Kind::Int { min: 200, max: 5000 }, default: "1000" },
        ParamSpec { name: "hold", label: "Access (ms)", help: "How long one read, write or CPU slice lasts", kind: Kind::Int { min: 1, max: 50 }, default: "5" },
        ParamSpec { name: "pause", label: "Pause (ms)", help: "How long a thread rests between two accesses", kind: Kind::Int { min: 0, max: 100 }, default: "0" },
    ],
    caps: Caps { instant: false, steppable: true, live: true, threads: ThreadsNeed::None, no_pool: Some("Starvation needs threads that run at the same time, which this page does not have; the step-through below works.") },
};

/// How often the counts and Jain's index are sampled.
pub const SAMPLE_MS: u32 = 50;
/// Priority of the high-priority tasks; the low one has 0, so with aging it waits through
/// this many hand-offs, then wins the tie (it arrived first).
pub const HIGH_PRIORITY: u32 = 10;
/// A thread that waited this share of the run for one turn (or never got one) starved.
pub const STARVED: f64 = 0.5;
/// Timeline bars kept per thread (bars shorter than a pixel are merged first).
const MAX_SPANS: usize = 600;

/// Jain's fairness index of `counts`: (Σx)² / (n Σx²). 1 when all are equal (also when all
/// are 0), 1/n when one thread got everything.
pub fn jain(counts: &[u32]) -> f64 {
    let n = counts.len() as f64;
    let sum: f64 = counts.iter().map(|&x| f64::from(x)).sum();
    let squares: f64 = counts.iter().map(|&x| f64::from(x).powi(2)).sum();
    if squares == 0.0 {
        1.0
    } else {
        sum * sum / (n * squares)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Reader,
    Writer,
    High,
    Low,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThreadStats {
    pub name: String,
    pub role: Role,
    pub lane: u32,
    pub accesses: u32,
    pub wait_ms: f64,
    pub max_wait_ms: f64,
    /// Still waiting when the time ran out.
    pub waiting_at_end: bool,
    /// Never got in, or waited at least [`STARVED`] of the run for one turn.
    pub starved: bool,
}

/// One sample of the run so far (also the live feed's event).
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub t_ms: f64,
    pub accesses: Vec<u32>,
    /// Longest wait of each thread so far, counting a wait still going on.
    pub longest_ms: Vec<f64>,
    pub jain: f64,
    /// The starving group's share of all accesses (writers', or the low task's).
    pub share: f64,
    pub waiting: [u32; 2],
}

/// What the live feed carries: who competes, then a sample every [`SAMPLE_MS`].
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum LiveEvent<'a> {
    Start { names: &'a [String], roles: &'a [Role], group: &'static str },
    Sample(&'a Sample),
}

/// The starvation meter: how the group that can starve fared.
#[derive(Debug, Clone, Serialize)]
pub struct Meter {
    /// `writers`, `readers` or `low-priority task`.
    pub group: &'static str,
    pub share: f64,
    pub accesses: u32,
    pub longest_wait_ms: f64,
    /// A thread of the group starved (see [`ThreadStats::starved`]).
    pub starved: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub scenario: &'static str,
    /// Distinct threads that ran, all alive at once: the threads asked for (1 without a pool).
    pub threads_used: usize,
    /// `readers`, `writers`, `fair`, or for priority `priority` / `aging`.
    pub policy: &'static str,
    pub budget_ms: u32,
    pub names: Vec<String>,
    pub threads: Vec<ThreadStats>,
    pub jain: f64,
    pub samples: Vec<Sample>,
    /// Writers' share and longest wait (priority: the low task's).
    pub meter: Meter,
    /// The other side: readers' (priority: the high tasks').
    pub others: Meter,
    pub timeline: Run,
    pub explanation: String,
}

pub fn run(p: &Params, env: Env, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
    let priority = p.choice("scenario") == "priority";
    let roles: Vec<Role> = if priority {
        let high = p.int("high") as usize;
        (0..high).map(|_| Role::High).chain([Role::Low]).collect()
    } else {
        let (r, w) = (p.int("readers") as usize, p.int("writers") as usize);
        (0..r).map(|_| Role::Reader).chain((0..w).map(|_| Role::Writer)).collect()
    };
    check_threads(roles.len(), env, priority)?;
    let cfg = Config {
        budget: p.int("budget") as u32,
        hold: p.int("hold") as u32,
        pause: p.int("pause") as u32,
        roles,
    };
    let aging = p.choice("aging") == "on";
    Ok(match (priority, p.choice("policy")) {
        (true, _) => compete(&cfg, &Cpu(PriorityCpu::new(aging)), if aging { "aging" } else { "priority" }, ctl, feed)?,
        (false, "writers") => compete(&cfg, &WriterPreferring::new(), "writers", ctl, feed)?,
        (false, "fair") => compete(&cfg, &FairRwLock::new(), "fair", ctl, feed)?,
        _ => compete(&cfg, &ReaderPreferring::new(), "readers", ctl, feed)?,
    })
}

/// Every thread needs a pool thread of its own, and there must be a pool: run one after
/// another, the first thread would use the whole budget alone.
fn check_threads(k: usize, env: Env, priority: bool) -> Result<(), DemoError> {
    let (param, what) = if priority { ("high", "high-priority tasks + 1") } else { ("writers", "readers + writers") };
    let (param, message) = if env.pool_threads == 0 {
        ("", "starvation needs real threads running at the same time, and this page has no thread pool".to_string())
    } else if k > env.pool_threads as usize {
        (param, format!("{what} must be at most {0} here: the engine's pool has {0} workers, and each thread needs one", env.pool_threads))
    } else {
        return Ok(());
    };
    Err(DemoError::Invalid(vec![ParamError { param: param.to_string(), message }]))
}

struct Config {
    budget: u32,
    hold: u32,
    pause: u32,
    roles: Vec<Role>,
}

/// What the competing threads take turns on: a readers-writer lock or the priority CPU.
trait Contended: Sync {
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
struct Cpu(PriorityCpu);

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

fn us(ms: f64) -> u32 {
    (ms * 1000.0).clamp(0.0, f64::from(u32::MAX - 1)) as u32
}

fn names(roles: &[Role]) -> Vec<String> {
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

fn compete(cfg: &Config, lock: &dyn Contended, policy: &'static str, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
    let k = cfg.roles.len();
    let marks = cfg.budget.div_ceil(SAMPLE_MS);
    ctl.begin(marks + k as u32);
    let names = names(&cfg.roles);
    let priority = policy == "priority" || policy == "aging";
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
    let scenario = if priority { "priority" } else { "readers-writers" };
    let explanation = explain(policy, &meter, &others, jain(&counts), cfg);
    Ok(Outcome { scenario, threads_used: run.threads_used(), policy, budget_ms: cfg.budget, names, jain: jain(&counts), threads, samples, meter, others, timeline, explanation })
}

fn share(counts: &[u32], roles: &[Role], group: impl Fn(Role) -> bool) -> f64 {
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


/// Chapter 13's demo in the registry.
pub struct StarvationDemo;

impl Demo for StarvationDemo {
    type Computed = ();
    type Outcome = Outcome;
    type Summary = crate::demos::demo_summary::Legacy;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, _p: &Params, _ctl: &Control, _ticket: u32) -> Result<(), DemoError> {
        Ok(())
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl, feed)
    }

    fn summary(&self, _p: &Params, _computed: Option<&Self::Computed>, _outcome: Option<&Self::Outcome>) -> Self::Summary {
        crate::demos::demo_summary::Legacy
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(super::stepper::starvation_story(fit))
    }
}

#[cfg(test)]
mod tests;
