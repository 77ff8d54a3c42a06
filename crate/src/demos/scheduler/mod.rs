//! Chapter 19, scheduling: the book's APScheduler examples on a scheduler written here in
//! Rust ([`sim`]) that follows APScheduler 3.x's rules on a virtual clock, with cron
//! expressions parsed and checked here ([`cron`]), and the book's concurrent unit tests of
//! `fib` ([`fib`]).
//!
//! `compute` is the virtual clock: the whole timeline of a schedule, every run time's
//! outcome (ran, missed, coalesced, skipped) and the state after each event for the
//! step-through, exact and the same every time. `run` is the real clock: the same timeline
//! played on pool workers with real timed waits, measuring how late each wakeup and start
//! comes ([`real`]); or the book's tests of `fib`, run concurrently on k pool threads.

pub mod cron;
pub mod fib;
mod real;
pub mod sim;
mod summary;
#[cfg(test)]
mod tests;

pub use real::{Drift, RealRun};
pub use summary::Summary;

use super::{DemoError, Env};
use crate::control::{Cancelled, Control};
use crate::demos::Demo;
use crate::live::Feed;
use crate::params::{Caps, Choice, DemoSpec, Kind, ParamError, ParamSpec, Params, Switch, Threads};
use crate::pool::{self, Where};
use serde::Serialize;
use sim::{Job, Timeline, Trigger};

crate::choice! {
    #[cfg_attr(test, ts(export_to = "scheduler/"))]
    /// Which of the book's examples.
    pub enum Program {
        /// Examples 1-3: a job every `every` seconds.
        Interval = "interval",
        /// Example 4: a cron job, by default Monday to Friday at 17:00.
        Cron = "cron",
        /// Examples 5-7: the unit tests of fib, run concurrently.
        Fibtests = "fibtests",
    }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "scheduler/"))]
    /// Where the scheduler's loop runs.
    pub enum SchedulerKind {
        /// `BlockingScheduler`: in the main thread; `start()` never returns.
        Blocking = "blocking",
        /// `BackgroundScheduler`: in a thread of its own; main goes on.
        Background = "background",
    }
}

/// The largest number of run times one timeline may have.
pub const MAX_RUNS: usize = 400;
/// A real run lasts at most this long (real milliseconds).
pub const REAL_MAX_MS: f64 = 20_000.0;
/// Cron timelines cover this many fire times.
pub const CRON_FIRES: usize = 6;

fn check_cron(s: &str) -> Result<(), String> {
    cron::Cron::parse(s).map(|_| ()).map_err(|e| e.0)
}

fn check_start(s: &str) -> Result<(), String> {
    cron::parse_datetime(s).map(|_| ()).map_err(|e| e.0)
}

pub const SPEC: DemoSpec = DemoSpec {
    id: "scheduler",
    chapter: 19,
    also: &[],
    nav: "Scheduling on two clocks",
    title: "A scheduler on two clocks",
    summary: "The book's APScheduler examples on a scheduler written in Rust with APScheduler 3.x's rules: an interval job under a blocking and a background scheduler, a job that overlaps itself with max_instances, coalescing and misfires, and a cron job Monday to Friday at 17:00. Step through it on a virtual clock, then play it on the real clock and measure how late real timers fire; and run the book's unit tests of fib concurrently on real threads.",
    params: &[
        ParamSpec { name: "program", label: "Example", help: "interval (the book's examples 1-3), cron (example 4) or fibtests (examples 5-7: the unit tests of fib)", kind: Kind::Choice { values: Program::WORDS }, default: "interval" },
        ParamSpec { name: "scheduler", label: "Scheduler", help: "blocking: BlockingScheduler, start() never returns; background: BackgroundScheduler, main goes on", kind: Kind::Choice { values: SchedulerKind::WORDS }, default: "background" },
        ParamSpec { name: "every", label: "Interval (s)", help: "Interval: the job runs every this many seconds (the book: 3)", kind: Kind::Int { min: 1, max: 3600 }, default: "3" },
        ParamSpec { name: "cron", label: "Cron expression", help: "Cron: minute hour day month day_of_week, as in a crontab (weekday numbers: 0 or 7 = Sunday; names like mon-fri)", kind: Kind::Text { max_len: 100, check: check_cron }, default: "0 17 * * mon-fri" },
        ParamSpec { name: "start", label: "Start (virtual date)", help: "Cron: the virtual clock starts here, e.g. 2024-03-01 12:00 (no time zone)", kind: Kind::Text { max_len: 20, check: check_start }, default: "2024-03-01 12:00" },
        ParamSpec { name: "duration", label: "Job length (s)", help: "How long one run takes (the book's example 3 sleeps 4 s)", kind: Kind::Float { min: 0.0, max: 3600.0, step: 0.5 }, default: "0.5" },
        ParamSpec { name: "instances", label: "max_instances", help: "A run due while this many of the job run is skipped (APScheduler's default: 1; the book's example 3: 3)", kind: Kind::Int { min: 1, max: 10 }, default: "1" },
        ParamSpec { name: "coalesce", label: "coalesce", help: "on: several run times due at once run once (APScheduler's default)", kind: Kind::Choice { values: Switch::WORDS }, default: "on" },
        ParamSpec { name: "grace", label: "misfire_grace_time (s)", help: "A run that starts later than this after its time is missed (APScheduler's default: 1 s)", kind: Kind::Int { min: 0, max: 3600 }, default: "1" },
        ParamSpec { name: "workers", label: "Executor workers", help: "The executor's pool (APScheduler's default thread pool has 10)", kind: Kind::Int { min: 1, max: 10 }, default: "3" },
        ParamSpec { name: "stallat", label: "Scheduler held up at (s)", help: "Interval: the scheduler's own thread stops waking at this time (a suspended laptop, a throttled tab)", kind: Kind::Int { min: 0, max: 3600 }, default: "5" },
        ParamSpec { name: "stall", label: "… for (s)", help: "Interval: and wakes this many seconds later; 0 = never held up", kind: Kind::Int { min: 0, max: 3600 }, default: "0" },
        ParamSpec { name: "horizon", label: "Timeline (s)", help: "Interval: the virtual clock runs this long (runs started by then finish)", kind: Kind::Int { min: 1, max: 3600 }, default: "20" },
        ParamSpec { name: "scale", label: "Real ms per virtual s", help: "A real run plays one virtual second in this many real milliseconds", kind: Kind::Int { min: 10, max: 200 }, default: "25" },
        ParamSpec { name: "threads", label: "Test threads", help: "Fibtests: workers running the tests (the book: fork_for_tests(4))", kind: Kind::Int { min: 1, max: 16 }, default: "4" },
        ParamSpec { name: "rounds", label: "Rounds per test", help: "Fibtests: each test computes its values this many times, so there is work to share", kind: Kind::Int { min: 1, max: 1000 }, default: "40" },
    ],
    caps: Caps {
        instant: false,
        steppable: false,
        live: false,
        threads: Threads::ByChoice {
            choice: "program",
            cases: &[
                (
                    "interval",
                    Threads::Sum {
                        inputs: &["workers"],
                        extra: 1,
                        what: "executor workers + the scheduler's thread",
                        why: "",
                        needs_pool: Some("a real-clock run plays the executor's workers on pool threads, which need a cross-origin isolated page; the virtual clock above shows the same schedule"),
                    },
                ),
                ("fibtests", Threads::Sum { inputs: &["threads"], extra: 0, what: "test threads", why: "", needs_pool: None }),
            ],
        },
        no_pool: None,
    },
};

/// The inputs a schedule reads.
#[derive(Debug, Clone)]
pub struct Setup {
    pub program: Program,
    pub blocking: bool,
    pub job: Job,
    pub workers: usize,
    pub horizon_ms: i64,
    pub pause: Option<(i64, i64)>,
    /// Cron: the virtual clock's 0, minutes since the epoch.
    pub origin_min: i64,
}

fn invalid(param: &str, message: String) -> DemoError {
    DemoError::Invalid(vec![ParamError { param: param.to_string(), message }])
}

impl Setup {
    pub fn of(p: &Params) -> Result<Setup, DemoError> {
        let program = p.pick::<Program>("program");
        let secs = |k: &str| p.int(k) * 1000;
        let origin_min = cron::parse_datetime(p.text("start")).map_err(|e| invalid("start", e.0))?;
        let trigger = match program {
            Program::Cron => {
                let c = cron::Cron::parse(p.text("cron")).map_err(|e| invalid("cron", e.0))?;
                Trigger::Cron { cron: c, origin_min }
            }
            _ => Trigger::Interval { every_ms: secs("every"), start_ms: 0 },
        };
        let job = Job {
            id: "job".to_string(),
            trigger,
            duration_ms: (p.float("duration") * 1000.0).round() as i64,
            max_instances: p.int("instances") as usize,
            coalesce: p.on("coalesce"),
            grace_ms: Some(secs("grace")),
        };
        let mut horizon_ms = secs("horizon");
        let mut pause = (p.int("stall") > 0).then(|| (secs("stallat"), secs("stallat") + secs("stall")));
        match program {
            Program::Interval => {
                let runs = horizon_ms / secs("every");
                if runs as usize > MAX_RUNS {
                    return Err(invalid("horizon", format!("a timeline of {} s with a run every {} s has {runs} run times; at most {MAX_RUNS} are drawn: shorten the timeline or lengthen the interval", p.int("horizon"), p.int("every"))));
                }
            }
            Program::Cron => {
                // The cron timeline covers its first fire times, however far apart.
                let fires = next_fires(&job.trigger, CRON_FIRES);
                let Some(&last) = fires.last() else {
                    return Err(invalid("cron", format!("{} never fires in the 8 years after the start", p.text("cron"))));
                };
                horizon_ms = last;
                pause = None;
            }
            Program::Fibtests => {}
        }
        Ok(Setup { program, blocking: p.pick::<SchedulerKind>("scheduler") == SchedulerKind::Blocking, job, workers: p.int("workers") as usize, horizon_ms, pause, origin_min })
    }

    pub fn simulate(&self) -> Timeline {
        sim::simulate(std::slice::from_ref(&self.job), self.workers, self.horizon_ms, self.pause)
    }
}

/// The first `n` fire times of `t` (virtual ms).
pub fn next_fires(t: &Trigger, n: usize) -> Vec<i64> {
    let mut out = Vec::new();
    let mut prev = None;
    while out.len() < n {
        let Some(next) = t.next(prev) else { break };
        out.push(next);
        prev = Some(next);
    }
    out
}

/// One line the main program prints, on the virtual clock.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
#[serde(rename_all = "camelCase")]
pub struct MainLine {
    pub t_ms: i64,
    pub text: String,
}

/// What the main thread does. Blocking (the book's example 1): `start()` runs the
/// scheduler's loop in main and never returns, so the line after it never prints. Background
/// (example 2): `start()` returns at once and main prints every 2 s.
pub fn main_lines(s: &Setup, end_ms: i64) -> Vec<MainLine> {
    let mut out = vec![MainLine { t_ms: 0, text: "scheduler.start()".to_string() }];
    if s.blocking {
        out.push(MainLine { t_ms: 0, text: "start() runs the scheduler's loop here and never returns: 'Printing in the main thread.' is never printed".to_string() });
    } else {
        out.extend((1..).map(|i| i * 2000).take_while(|&t| t <= end_ms).map(|t| MainLine { t_ms: t, text: "Printing in the main thread.".to_string() }));
    }
    out
}

/// The virtual clock's answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
#[serde(rename_all = "camelCase")]
pub struct Computed {
    pub program: Program,
    pub blocking: bool,
    pub timeline: Timeline,
    pub main: Vec<MainLine>,
    /// Cron: the first fire times as dates ("Fri 2024-03-01 17:00").
    pub next_fires: Vec<String>,
    pub workers: usize,
    pub horizon_ms: i64,
    /// The book's tests (fibtests): their names.
    pub tests: Vec<&'static str>,
    /// Cron: the virtual clock's 0 as minutes since 1970-01-01 00:00 (no time zone), so the
    /// page can write its times as dates.
    pub origin_min: Option<i64>,
}

pub fn compute(p: &Params) -> Result<Computed, DemoError> {
    let s = Setup::of(p)?;
    let tests = fib::CASES.iter().map(|c| c.name).collect();
    if s.program == Program::Fibtests {
        let timeline = Timeline { jobs: Vec::new(), steps: Vec::new(), peak_instances: 0, end_ms: 0 };
        return Ok(Computed { program: s.program, blocking: s.blocking, timeline, main: Vec::new(), next_fires: Vec::new(), workers: s.workers, horizon_ms: 0, tests, origin_min: None });
    }
    let timeline = s.simulate();
    let next_fires = match s.program {
        Program::Cron => next_fires(&s.job.trigger, CRON_FIRES).iter().map(|&t| cron::format_minute(s.origin_min + t / 60_000)).collect(),
        _ => Vec::new(),
    };
    let main = match s.program {
        Program::Interval => main_lines(&s, timeline.end_ms.max(s.horizon_ms)),
        _ => Vec::new(),
    };
    let origin_min = (s.program == Program::Cron).then_some(s.origin_min);
    Ok(Computed { program: s.program, blocking: s.blocking, main, next_fires, workers: s.workers, horizon_ms: s.horizon_ms, timeline, tests, origin_min })
}

/// The book's tests, run concurrently.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
#[serde(rename_all = "camelCase")]
pub struct TestsRun {
    pub results: Vec<fib::TestResult>,
    pub passed: usize,
    pub failed: usize,
    pub threads: usize,
    pub threads_used: usize,
    pub wall_ms: f64,
    /// No pool: the tests ran one after another on the engine's thread.
    pub sequential: bool,
}

/// Runs the book's tests as `run_tasks` tasks: k workers, each taking the next test.
pub fn run_tests(k: usize, rounds: u32, place: Where, ctl: &Control) -> Result<TestsRun, DemoError> {
    let found = crate::sync::Mutex::new(Vec::new());
    ctl.begin(fib::CASES.len() as u32);
    let run = pool::run_tasks(place, fib::CASES.len(), ctl, |i, rec| -> Result<(), Cancelled> {
        let c = &fib::CASES[i];
        let start = crate::clock::since(rec.origin());
        let (passed, detail) = fib::check(c, rounds);
        let end = crate::clock::since(rec.origin());
        found.lock().unwrap_or_else(|e| e.into_inner()).push(fib::TestResult { name: c.name, passed, detail, lane: rec.lane(), start_ms: start, end_ms: end });
        Ok(())
    })?;
    let mut results = found.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|r| fib::CASES.iter().position(|c| c.name == r.name));
    let passed = results.iter().filter(|r| r.passed).count();
    Ok(TestsRun { failed: results.len() - passed, passed, results, threads: k, threads_used: run.threads_used(), wall_ms: run.wall_ms, sequential: place == Where::Caller })
}

/// What a run gives: the real clock's playing of a schedule, or the tests.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub program: Program,
    pub real: Option<RealRun>,
    pub tests: Option<TestsRun>,
    /// The virtual clock's timeline the real run played.
    pub computed: Option<Computed>,
}

pub struct SchedulerDemo;

impl Demo for SchedulerDemo {
    type Computed = Computed;
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, p: &Params, _ctl: &Control, _ticket: u32) -> Result<Computed, DemoError> {
        compute(p)
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        let program = p.pick::<Program>("program");
        match program {
            Program::Fibtests => {
                let k = p.int("threads") as usize;
                let place = if env.pool_threads == 0 { Where::Caller } else { Where::Pool(k) };
                let tests = run_tests(k, p.int("rounds") as u32, place, ctl)?;
                Ok(Outcome { program, real: None, tests: Some(tests), computed: None })
            }
            Program::Cron => Err(invalid("program", "a cron schedule spans days: the real clock plays interval schedules only; the virtual clock above shows the cron job's runs".to_string())),
            Program::Interval => {
                let c = compute(p)?;
                let real = real::play(&c, p.int("scale") as f64, ctl)?;
                Ok(Outcome { program, real: Some(real), tests: None, computed: Some(c) })
            }
        }
    }

    fn summary(&self, p: &Params, computed: Option<&Computed>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, computed, outcome)
    }
}
