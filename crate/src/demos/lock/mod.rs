//! Chapter 3: a lock. Threads add 1 to a shared counter many times, each addition inside a
//! critical section. Whatever the lock, the total is exact; what changes is how long the
//! threads wait for it (contention), and what waiting costs:
//! - `mutex`: `Mutex::lock` blocks; a waiting thread sleeps until the holder unlocks.
//! - `try`: `Mutex::try_lock` never waits; a thread that finds the lock taken counts a
//!   failed attempt and tries again.
//! - `spin`: a [`SpinLock`]: a waiting thread keeps asking, burning its core.

mod steps;
mod summary;

pub use summary::Summary;

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::sched::Program;
use super::{DemoError, Env};
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::locks::spin::SpinLock;
use crate::params::{Caps, Choice, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::pool::{run_threads, Run, SpanKind, Where};
use crate::workload::busy;
use serde::Serialize;
use crate::sync::{Mutex, TryLockError};

crate::choice! {
    #[cfg_attr(test, ts(export_to = "lock/"))]
    /// Which lock the threads take.
    pub enum LockMode { Mutex = "mutex", Try = "try", Spin = "spin" }
}

pub const SPEC: DemoSpec = DemoSpec {
    id: "lock",
    chapter: 3,
    also: &[],
    nav: "Locks",
    title: "Locks and contention",
    summary: "Threads increment one counter under a lock: always exact, but how long do they wait for it?",
    params: &[
        ParamSpec { name: "threads", label: "Threads", help: "Threads incrementing the counter", kind: Kind::Int { min: 1, max: 16 }, default: "4" },
        ParamSpec { name: "increments", label: "Increments per thread", help: "How many times each thread adds 1", kind: Kind::Int { min: 1, max: 200_000 }, default: "20000" },
        ParamSpec { name: "hold", label: "Work inside the lock", help: "Steps of computation while holding the lock (critical-section length)", kind: Kind::Int { min: 0, max: 5000 }, default: "50" },
        ParamSpec { name: "outside", label: "Work outside the lock", help: "Steps of computation between two acquisitions", kind: Kind::Int { min: 0, max: 5000 }, default: "50" },
        ParamSpec {
            name: "mode",
            label: "Lock",
            help: "mutex: blocking lock(); try: try_lock() and retry; spin: a spin lock",
            kind: Kind::Choice { values: LockMode::WORDS },
            default: "mutex",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: false,
        threads: ThreadsNeed::Sum { inputs: &["threads"], extra: 0, what: "threads", why: "", needs_pool: None },
        no_pool: None,
    },
};

/// Acquisitions drawn per thread, spread evenly over its run: enough to see contention
/// without drawing 100 000 bars.
const SAMPLED: u32 = 40;
/// Progress and cancellation are checked every this many increments.
const BATCH: u32 = 256;

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "lock/"))]
pub struct ThreadStats {
    pub name: String,
    pub lane: u32,
    pub acquisitions: u32,
    pub wait_ms: f64,
    pub max_wait_ms: f64,
    /// `try`: attempts that found the lock taken; `spin`: loads that found it taken.
    pub failed: u64,
    pub busy_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "lock/"))]
pub struct Outcome {
    pub mode: LockMode,
    pub threads: u32,
    /// Distinct threads that ran, all alive at once: the threads asked for (1 without a pool).
    pub threads_used: usize,
    pub expected: u64,
    pub actual: u64,
    pub exact: bool,
    pub wall_ms: f64,
    /// Increments per millisecond, all threads together.
    pub throughput: f64,
    pub stats: Vec<ThreadStats>,
    pub total_wait_ms: f64,
    /// Waiting as a share of the threads' time (0..1).
    pub wait_share: f64,
    /// A sample of every thread's acquisitions: waiting (hatched) then holding (solid).
    pub timeline: Run,
    pub explanation: String,
}

/// The counter behind the lock of each [`LockMode`].
enum Lock {
    Blocking(Mutex<u64>),
    Try(Mutex<u64>),
    Spin(SpinLock<u64>),
}

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let k = p.int("threads") as usize;
    let n = p.int("increments") as u32;
    let hold = p.int("hold") as u32;
    let outside = p.int("outside") as u32;
    let mode = p.pick::<LockMode>("mode");
    let place = if env.pool_threads > 0 { Where::Pool(k) } else { Where::Caller };
    ctl.begin(k as u32 * n);

    let lock = match mode {
        LockMode::Mutex => Lock::Blocking(Mutex::new(0)),
        LockMode::Try => Lock::Try(Mutex::new(0)),
        LockMode::Spin => Lock::Spin(SpinLock::new(0)),
    };
    let stats = Mutex::new(Vec::new());
    let timeline = run_threads(place, k, ctl, |t, rec| -> Result<(), Cancelled> {
        let mut st = ThreadStats { name: super::threads::name(t), lane: rec.lane(), ..Default::default() };
        let begun = clock::now_ms();
        // Spans for every stride-th acquisition, spread over the whole run.
        let stride = (n / SAMPLED).max(1);
        for i in 0..n {
            if i % BATCH == 0 && i > 0 {
                ctl.check()?;
                ctl.advance(BATCH);
            }
            busy(outside);
            let sample = i % stride == 0;
            let asked = clock::now_ms();
            let wait_span = |f: &mut dyn FnMut()| if sample { rec.span(SpanKind::Wait, f) } else { f() };
            let body = |value: &mut u64| {
                if sample {
                    rec.span(SpanKind::Work, || critical(value, hold));
                } else {
                    critical(value, hold);
                }
            };
            match &lock {
                Lock::Try(m) => {
                    let mut guard = None;
                    wait_span(&mut || loop {
                        match m.try_lock() {
                            Ok(g) => break guard = Some(g),
                            Err(TryLockError::WouldBlock) => {
                                st.failed += 1;
                                std::hint::spin_loop();
                            }
                            Err(TryLockError::Poisoned(e)) => break guard = Some(e.into_inner()),
                        }
                    });
                    let waited = clock::since(asked);
                    body(&mut guard.expect("the loop only ends holding the lock"));
                    note_wait(&mut st, waited);
                }
                Lock::Blocking(m) => {
                    let mut guard = None;
                    wait_span(&mut || guard = Some(m.lock().unwrap_or_else(|e| e.into_inner())));
                    let waited = clock::since(asked);
                    body(&mut guard.expect("lock() returns holding the lock"));
                    note_wait(&mut st, waited);
                }
                Lock::Spin(s) => {
                    let mut guard = None;
                    wait_span(&mut || {
                        let (g, spins) = s.lock();
                        st.failed += spins;
                        guard = Some(g);
                    });
                    let waited = clock::since(asked);
                    body(&mut guard.expect("lock() returns holding the lock"));
                    note_wait(&mut st, waited);
                }
            }
        }
        // The rest of this thread's increments; run_threads counts the thread's end as the last one.
        let rest = if n % BATCH == 0 { BATCH } else { n % BATCH };
        ctl.advance(rest - 1);
        st.busy_ms = clock::since(begun);
        stats.lock().unwrap_or_else(|e| e.into_inner()).push(st);
        Ok(())
    })?;

    let actual = match lock {
        Lock::Blocking(m) | Lock::Try(m) => m.into_inner().unwrap_or_else(|e| e.into_inner()),
        Lock::Spin(s) => s.into_inner(),
    };
    let mut stats = stats.into_inner().unwrap_or_else(|e| e.into_inner());
    stats.sort_by(|a, b| a.name.cmp(&b.name));
    let expected = k as u64 * u64::from(n);
    let total_wait_ms: f64 = stats.iter().map(|s| s.wait_ms).sum();
    let busy_ms: f64 = stats.iter().map(|s| s.busy_ms).sum();
    let wait_share = if busy_ms > 0.0 { (total_wait_ms / busy_ms).clamp(0.0, 1.0) } else { 0.0 };
    let failed: u64 = stats.iter().map(|s| s.failed).sum();
    let explanation = explain(mode, k, actual, expected, wait_share, failed);
    Ok(Outcome {
        mode,
        threads: k as u32,
        threads_used: timeline.threads_used(),
        expected,
        actual,
        exact: actual == expected,
        wall_ms: timeline.wall_ms,
        throughput: expected as f64 / timeline.wall_ms.max(1e-6),
        stats,
        total_wait_ms,
        wait_share,
        timeline,
        explanation,
    })
}

// snippet:start lock
/// The critical section: read the counter, compute a while, write it back plus one. Only
/// safe because the caller holds the lock for the whole of it.
fn critical(counter: &mut u64, hold: u32) {
    let read = *counter;
    std::hint::black_box(busy(hold));
    *counter = read + 1;
}
// snippet:end lock

fn note_wait(st: &mut ThreadStats, waited: f64) {
    st.acquisitions += 1;
    st.wait_ms += waited;
    st.max_wait_ms = st.max_wait_ms.max(waited);
}

fn explain(mode: LockMode, k: usize, actual: u64, expected: u64, share: f64, failed: u64) -> String {
    let exact = if actual == expected {
        format!("Exact: {actual} of {expected}, because only one thread at a time was inside the critical section.")
    } else {
        format!("Wrong: {actual} of {expected}. This must never happen with a lock; please report it.")
    };
    if k == 1 {
        return format!("{exact} With one thread nobody ever waits: the lock is free every time.");
    }
    let pct = (share * 100.0).round();
    let how = match mode {
        LockMode::Try => format!(
            " The threads spent {pct} % of their time getting the lock; {failed} try_lock calls found it taken and \
             returned at once, so the thread retried instead of sleeping."
        ),
        LockMode::Spin => format!(
            " The threads spent {pct} % of their time waiting, and while waiting they kept their cores busy, looking \
             {failed} times at a lock that was still taken."
        ),
        LockMode::Mutex => format!(
            " The threads spent {pct} % of their time waiting for the lock: while one holds it, the other {} wait.",
            k - 1
        ),
    };
    exact + &how
}

/// Chapter 3's demo in the registry.
pub struct LockDemo;

impl Demo for LockDemo {
    type Computed = ();
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, _p: &Params, _ctl: &Control, _ticket: u32) -> Result<(), DemoError> {
        Ok(())
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl)
    }

    fn summary(&self, p: &Params, _computed: Option<&()>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, outcome)
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(steps::story(fit))
    }
}

#[cfg(test)]
mod tests;
