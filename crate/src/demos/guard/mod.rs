//! Chapter 4: the `with` statement, as Rust's guards. Thread A takes a lock and then fails
//! inside the critical section (the book's missing file). Thread B wants the lock next.
//! - `manual`: `acquire()` … `release()` by hand, like Python without `with`. The failure
//!   returns early (`?`) or unwinds past `release()`, so the lock stays taken; B waits, a
//!   watchdog notices that nothing moved for `patience` ms, names the holder, releases the
//!   leaked lock, and B goes on.
//! - `guard`: `Mutex::lock()` returns a guard that unlocks when it goes out of scope, on
//!   the early return and on a panic alike. After a panic the mutex is *poisoned*: B's
//!   `lock()` returns `Err(PoisonError)`, a warning that A stopped half-way, and B decides
//!   to go on with `into_inner()`.

mod steps;
mod summary;

pub use summary::Summary;

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::sched::Program;
use super::{DemoError, Env};
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::locks::manual::{AcquireError, ManualLock};
use crate::params::{Caps, Choice, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::pool::{run_threads, Recorder, Run, SpanKind, Where};
use crate::workload::busy;
use serde::Serialize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use crate::sync::AtomicBool;
use crate::sync::Ordering::{Acquire, Release};
use crate::sync::Mutex;
use std::time::Duration;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "guard/"))]
    /// How thread A releases the lock.
    pub enum GuardStyle { Manual = "manual", Guard = "guard" }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "guard/"))]
    /// What goes wrong inside A's critical section.
    pub enum GuardFailure { Error = "error", Panic = "panic", None = "none" }
}

pub const SPEC: DemoSpec = DemoSpec {
    id: "guard",
    chapter: 4,
    also: &[],
    nav: "The with statement",
    title: "Guards: the with statement",
    summary: "A thread fails while holding a lock. Released by hand, the lock leaks and the next thread waits forever; a guard releases it on every way out.",
    params: &[
        ParamSpec {
            name: "style",
            label: "Releasing the lock",
            help: "manual: acquire() and release() by hand; guard: a guard releases on scope exit",
            kind: Kind::Choice { values: GuardStyle::WORDS },
            default: "manual",
        },
        ParamSpec {
            name: "failure",
            label: "Inside the critical section",
            help: "error: opening a missing file fails and returns early; panic: the thread panics; none: all goes well",
            kind: Kind::Choice { values: GuardFailure::WORDS },
            default: "error",
        },
        ParamSpec {
            name: "patience",
            label: "Watchdog (ms)",
            help: "How long thread B may wait for the lock before the watchdog calls it stuck",
            kind: Kind::Int { min: 50, max: 5000 },
            default: "800",
        },
    ],
    // A and B take two pool workers when there are two, and run on the engine thread
    // otherwise (see `run`): no pool size refuses the run.
    caps: Caps { instant: false, steppable: true, live: false, threads: ThreadsNeed::None, no_pool: None },
};

/// One thing that happened, in order.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "guard/"))]
pub struct Event {
    pub t_ms: f64,
    pub thread: &'static str,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "guard/"))]
pub struct Outcome {
    pub style: GuardStyle,
    /// Distinct threads that ran, all alive at once: the threads asked for (1 without a pool).
    pub threads_used: usize,
    pub failure: GuardFailure,
    pub events: Vec<Event>,
    /// A left the lock taken when it finished.
    pub leaked: bool,
    /// What the watchdog said, when it had to step in.
    pub watchdog: Option<String>,
    /// B found the mutex poisoned (guard style, after a panic).
    pub poisoned: bool,
    /// B got the lock in the end.
    pub b_got_lock: bool,
    pub b_waited_ms: f64,
    pub timeline: Run,
    pub explanation: String,
}

/// The book's failing operation: opening a file that is not there.
fn open_missing_file() -> Result<(), String> {
    Err("FileNotFoundError: [Errno 2] No such file or directory: 'missing.txt'".to_string())
}

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let style = p.pick::<GuardStyle>("style");
    let failure = p.pick::<GuardFailure>("failure");
    let patience = Duration::from_millis(p.int("patience") as u64);
    // A and B must overlap: without a pool they would run one after another on one thread,
    // and B would find the lock leaked without ever waiting. Run them anyway; B's wait is
    // then the watchdog's alone.
    let place = if env.pool_threads >= 2 { Where::Pool(2) } else { Where::Caller };
    ctl.begin(2);

    let origin = clock::now_ms();
    let events = Mutex::new(Vec::new());
    let log = |thread: &'static str, what: String| {
        events.lock().unwrap_or_else(|e| e.into_inner()).push(Event { t_ms: clock::since(origin), thread, what });
    };
    let a_holds = AtomicBool::new(false);
    let manual = ManualLock::new();
    let guarded = Mutex::new(0u32);
    let report = Mutex::new((false, None::<String>, false, false, 0.0f64)); // leaked, watchdog, poisoned, got, waited

    let timeline = run_threads(place, 2, ctl, |i, rec| -> Result<(), Cancelled> {
        if i == 0 {
            thread_a(style, failure, rec, &manual, &guarded, &log);
            a_holds.store(true, Release);
        } else {
            // B starts asking only once A has been through its critical section (or died
            // in it), so the story is always the same: A first, then B.
            while !a_holds.load(Acquire) && place != Where::Caller {
                ctl.check()?;
                std::hint::spin_loop();
            }
            let r = thread_b(style, patience, rec, &manual, &guarded, &log, ctl)?;
            *report.lock().unwrap_or_else(|e| e.into_inner()) = r;
        }
        Ok(())
    })?;

    let (leaked, watchdog, poisoned, b_got_lock, b_waited_ms) = report.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut events = events.into_inner().unwrap_or_else(|e| e.into_inner());
    events.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
    let explanation = explain(style, failure, leaked, poisoned, p.int("patience"));
    let threads_used = timeline.threads_used();
    Ok(Outcome { style, threads_used, failure, events, leaked, watchdog, poisoned, b_got_lock, b_waited_ms, timeline, explanation })
}

// snippet:start guard
/// Thread A: take the lock, do the work, release. With `manual`, a failure skips the release.
fn manual_critical_section(lock: &ManualLock, failure: GuardFailure, ctl: &Control) -> Result<(), String> {
    lock.acquire("A", Duration::from_secs(5), ctl).map_err(|e| format!("{e:?}"))?;
    match failure {
        GuardFailure::Panic => panic!("A panicked inside the critical section"),
        GuardFailure::Error => open_missing_file()?, // returns early: the release below never runs
        GuardFailure::None => {}
    }
    lock.release();
    Ok(())
}

/// The same with a guard: `_guard` unlocks when it is dropped, on every way out of this
/// function (a normal return, the early return of `?`, or a panic unwinding through it).
fn guarded_critical_section(lock: &Mutex<u32>, failure: GuardFailure) -> Result<(), String> {
    let mut _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
    match failure {
        GuardFailure::Panic => panic!("A panicked inside the critical section"),
        GuardFailure::Error => open_missing_file()?,
        GuardFailure::None => {}
    }
    *_guard += 1;
    Ok(())
}
// snippet:end guard

fn thread_a(style: GuardStyle, failure: GuardFailure, rec: &Recorder, manual: &ManualLock, guarded: &Mutex<u32>, log: &dyn Fn(&'static str, String)) {
    log("A", "acquires the lock".into());
    let quiet = Control::new();
    let outcome = rec.span(SpanKind::Work, || {
        std::hint::black_box(busy(2000));
        catch_unwind(AssertUnwindSafe(|| match style {
            GuardStyle::Manual => manual_critical_section(manual, failure, &quiet),
            GuardStyle::Guard => guarded_critical_section(guarded, failure),
        }))
    });
    match outcome {
        Ok(Ok(())) => log("A", "finished its work and released the lock".into()),
        Ok(Err(e)) => log("A", format!("failed: {e}; returned early")),
        Err(_) => log("A", "panicked inside the critical section; the thread unwound and ended".into()),
    }
}

/// What B reports: the lock leaked, the watchdog's message, the mutex was poisoned, B got
/// the lock, and how long B waited.
type BReport = (bool, Option<String>, bool, bool, f64);

fn thread_b(
    style: GuardStyle,
    patience: Duration,
    rec: &Recorder,
    manual: &ManualLock,
    guarded: &Mutex<u32>,
    log: &dyn Fn(&'static str, String),
    ctl: &Control,
) -> Result<BReport, Cancelled> {
    log("B", "wants the lock".into());
    let asked = clock::now_ms();
    match style {
        GuardStyle::Guard => Ok(b_with_guard(rec, guarded, log, asked)),
        GuardStyle::Manual => b_by_hand(patience, rec, manual, log, ctl, asked),
    }
}

/// B takes the mutex, and learns from `lock()` whether A panicked holding it.
fn b_with_guard(rec: &Recorder, guarded: &Mutex<u32>, log: &dyn Fn(&'static str, String), asked: f64) -> BReport {
    // B holds the guard only for this expression: taking the lock is all it needs to show.
    let poisoned = rec.span(SpanKind::Wait, || match guarded.lock() {
        Ok(guard) => {
            drop(guard);
            false
        }
        Err(poison) => {
            drop(poison.into_inner());
            true
        }
    });
    let waited = clock::since(asked);
    if poisoned {
        log("B", "got Err(PoisonError): A panicked while holding the lock; B recovers the data with into_inner()".into());
    } else {
        log("B", "got the lock".into());
    }
    (false, None, poisoned, true, waited)
}

/// B acquires the lock A took by hand, and the watchdog steps in when A leaked it.
fn b_by_hand(patience: Duration, rec: &Recorder, manual: &ManualLock, log: &dyn Fn(&'static str, String), ctl: &Control, asked: f64) -> Result<BReport, Cancelled> {
    let first = rec.span(SpanKind::Wait, || manual.acquire("B", patience, ctl));
    match first {
        Ok(()) => {
            let waited = clock::since(asked);
            log("B", "got the lock".into());
            manual.release();
            Ok((false, None, false, true, waited))
        }
        Err(AcquireError::Cancelled) => Err(Cancelled),
        Err(AcquireError::Stuck { holder, waited_ms }) => {
            let message = format!(
                "no progress for {waited_ms:.0} ms: B is waiting for the lock, and its holder {holder} has already \
                 finished. The lock leaked."
            );
            log("watchdog", message.clone());
            log("watchdog", format!("releases the lock {holder} leaked, so that B can go on"));
            manual.release();
            rec.span(SpanKind::Wait, || manual.acquire("B", patience, ctl)).map_err(|_| Cancelled)?;
            let waited = clock::since(asked);
            log("B", "got the lock after the watchdog stepped in".into());
            manual.release();
            Ok((true, Some(message), false, true, waited))
        }
    }
}

fn explain(style: GuardStyle, failure: GuardFailure, leaked: bool, poisoned: bool, patience: i64) -> String {
    match (style, failure) {
        (_, GuardFailure::None) => "Nothing failed, so A released the lock and B took it right after: both styles work on the happy path.".into(),
        (GuardStyle::Manual, _) if leaked => format!(
            "A left the critical section without reaching release(), so the lock stayed taken after A ended. B would \
             have waited forever; the watchdog saw no progress for {patience} ms, named the holder, and released it. \
             Use a guard (Python's `with lock:`) and this cannot happen."
        ),
        (GuardStyle::Guard, GuardFailure::Panic) if poisoned => "The guard released the lock while A's panic unwound, and marked the mutex \
             poisoned: B's lock() returned an error that says A stopped half-way. B chose to go on with into_inner()."
            .into(),
        (GuardStyle::Guard, _) => "The early return dropped the guard, and dropping it unlocked the mutex: B got the lock at once. \
             This is what `with lock:` does in Python."
            .into(),
        (GuardStyle::Manual, _) => "B got the lock.".into(),
    }
}

/// Chapter 4's demo in the registry.
pub struct GuardDemo;

impl Demo for GuardDemo {
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
