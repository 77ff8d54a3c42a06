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

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::sched::Program;
use super::{DemoError, Env};
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::locks::manual::{AcquireError, ManualLock};
use crate::params::{Caps, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::pool::{run_threads, Recorder, Run, SpanKind, Where};
use crate::workload::busy;
use serde::Serialize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use crate::sync::AtomicBool;
use crate::sync::Ordering::{Acquire, Release};
use crate::sync::Mutex;
use std::time::Duration;

pub const SPEC: DemoSpec = DemoSpec {
    id: "guard",
    chapter: 4,
    nav: "The with statement",
    title: "Guards: the with statement",
    summary: "A thread fails while holding a lock. Released by hand, the lock leaks and the next thread waits forever; a guard releases it on every way out.",
    params: &[
        ParamSpec {
            name: "style",
            label: "Releasing the lock",
            help: "manual: acquire() and release() by hand; guard: a guard releases on scope exit",
            kind: Kind::Choice { values: &["manual", "guard"] },
            default: "manual",
        },
        ParamSpec {
            name: "failure",
            label: "Inside the critical section",
            help: "error: opening a missing file fails and returns early; panic: the thread panics; none: all goes well",
            kind: Kind::Choice { values: &["error", "panic", "none"] },
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
    caps: Caps { instant: false, steppable: true, live: false, threads: ThreadsNeed::None, no_pool: None },
};

/// One thing that happened, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub t_ms: f64,
    pub thread: &'static str,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub style: &'static str,
    /// Distinct threads that ran, all alive at once: the threads asked for (1 without a pool).
    pub threads_used: usize,
    pub failure: &'static str,
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
    let style = p.choice("style");
    let failure = p.choice("failure");
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
fn manual_critical_section(lock: &ManualLock, failure: &str, ctl: &Control) -> Result<(), String> {
    lock.acquire("A", Duration::from_secs(5), ctl).map_err(|e| format!("{e:?}"))?;
    if failure == "panic" {
        panic!("A panicked inside the critical section");
    }
    if failure == "error" {
        open_missing_file()?; // returns early: the release below never runs
    }
    lock.release();
    Ok(())
}

/// The same with a guard: `_guard` unlocks when it is dropped, on every way out of this
/// function (a normal return, the early return of `?`, or a panic unwinding through it).
fn guarded_critical_section(lock: &Mutex<u32>, failure: &str) -> Result<(), String> {
    let mut _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
    if failure == "panic" {
        panic!("A panicked inside the critical section");
    }
    if failure == "error" {
        open_missing_file()?;
    }
    *_guard += 1;
    Ok(())
}
// snippet:end guard

fn thread_a(style: &str, failure: &str, rec: &Recorder, manual: &ManualLock, guarded: &Mutex<u32>, log: &dyn Fn(&'static str, String)) {
    log("A", "acquires the lock".into());
    let quiet = Control::new();
    let outcome = rec.span(SpanKind::Work, || {
        std::hint::black_box(busy(2000));
        catch_unwind(AssertUnwindSafe(|| {
            if style == "manual" {
                manual_critical_section(manual, failure, &quiet)
            } else {
                guarded_critical_section(guarded, failure)
            }
        }))
    });
    match outcome {
        Ok(Ok(())) => log("A", "finished its work and released the lock".into()),
        Ok(Err(e)) => log("A", format!("failed: {e}; returned early")),
        Err(_) => log("A", "panicked inside the critical section; the thread unwound and ended".into()),
    }
}

#[allow(clippy::type_complexity)]
fn thread_b(
    style: &str,
    patience: Duration,
    rec: &Recorder,
    manual: &ManualLock,
    guarded: &Mutex<u32>,
    log: &dyn Fn(&'static str, String),
    ctl: &Control,
) -> Result<(bool, Option<String>, bool, bool, f64), Cancelled> {
    log("B", "wants the lock".into());
    let asked = clock::now_ms();
    if style == "guard" {
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
        return Ok((false, None, poisoned, true, waited));
    }
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

fn explain(style: &str, failure: &str, leaked: bool, poisoned: bool, patience: i64) -> String {
    match (style, failure) {
        (_, "none") => "Nothing failed, so A released the lock and B took it right after: both styles work on the happy path.".into(),
        ("manual", _) if leaked => format!(
            "A left the critical section without reaching release(), so the lock stayed taken after A ended. B would \
             have waited forever; the watchdog saw no progress for {patience} ms, named the holder, and released it. \
             Use a guard (Python's `with lock:`) and this cannot happen."
        ),
        ("guard", "panic") if poisoned => "The guard released the lock while A's panic unwound, and marked the mutex \
             poisoned: B's lock() returned an error that says A stopped half-way. B chose to go on with into_inner()."
            .into(),
        ("guard", _) => "The early return dropped the guard, and dropping it unlocked the mutex: B got the lock at once. \
             This is what `with lock:` does in Python."
            .into(),
        _ => "B got the lock.".into(),
    }
}


/// Chapter 4's demo in the registry.
pub struct GuardDemo;

impl Demo for GuardDemo {
    type Computed = ();
    type Outcome = Outcome;
    type Summary = crate::demos::demo_summary::Legacy;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, _p: &Params, _ctl: &Control, _ticket: u32) -> Result<(), DemoError> {
        Ok(())
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl)
    }

    fn summary(&self, _p: &Params, _computed: Option<&Self::Computed>, _outcome: Option<&Self::Outcome>) -> Self::Summary {
        crate::demos::demo_summary::Legacy
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(super::stepper::guard_story(fit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demos;

    fn run_with(style: &str, failure: &str) -> Outcome {
        let raw: Vec<(String, String)> = [("style", style), ("failure", failure), ("patience", "100")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let p = demos::validate("guard", &raw).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        pool.install(|| run(&p, Env { cores: 2, pool_threads: 2 }, &Control::new())).unwrap()
    }

    #[test]
    fn manual_release_leaks_on_error_and_the_watchdog_recovers() {
        for failure in ["error", "panic"] {
            let o = run_with("manual", failure);
            assert!(o.leaked, "{failure}");
            assert!(o.b_got_lock);
            assert!(o.b_waited_ms >= 100.0);
            assert!(o.watchdog.as_deref().unwrap().contains("its holder A has already finished"));
            let whats: Vec<&str> = o.events.iter().map(|e| e.thread).collect();
            assert_eq!(whats.first(), Some(&"A"));
            assert!(whats.contains(&"watchdog"));
        }
    }

    #[test]
    fn a_guard_releases_on_error_and_poisons_on_panic() {
        let o = run_with("guard", "error");
        assert!(!o.leaked && !o.poisoned && o.b_got_lock && o.watchdog.is_none());
        let o = run_with("guard", "panic");
        assert!(o.poisoned && o.b_got_lock && !o.leaked);
        assert!(o.events.iter().any(|e| e.what.contains("PoisonError")));
    }

    #[test]
    fn nothing_leaks_when_nothing_fails() {
        for style in ["manual", "guard"] {
            let o = run_with(style, "none");
            assert!(!o.leaked && o.b_got_lock && o.watchdog.is_none(), "{style}");
        }
    }
}
