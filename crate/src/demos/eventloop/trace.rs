//! Running a program on the loop, on either clock, and what comes back.

use super::cooking;
use super::programs::{self, Report};
use super::{Program, Setup};
use crate::aio::{Clock, Event, Executor, Finished, Halt, LoopState, PerTask, Span};
use crate::demos::DemoError;
use crate::params::ParamError;
use serde::Serialize;

/// One of the cooking analogy's schedules.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// "one after another", "overlapped" or "best order".
    pub name: &'static str,
    /// The order the dishes were started in.
    pub order: Vec<String>,
    pub total_ms: f64,
    pub spans: Vec<Span>,
}

/// A channels run: the items as they were put and got.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
pub struct Channel {
    pub produced: Vec<u32>,
    pub consumed: Vec<u32>,
    /// The most items the queue held at once.
    pub peak: usize,
}

/// One echo client.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
#[serde(rename_all = "camelCase")]
pub struct Client {
    pub name: String,
    pub sent: u32,
    pub echoed: u32,
    pub rtt_ms: Vec<f64>,
}

/// A run on the virtual clock: what `compute` answers, instantly, for every valid input.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    pub program: Program,
    pub blocking: bool,
    pub clock: &'static str,
    /// The tasks, in the order they were created: one lane each.
    pub tasks: Vec<String>,
    pub events: Vec<Event>,
    pub spans: Vec<Span>,
    pub per_task: Vec<PerTask>,
    pub total_ms: f64,
    /// The same program with every sleep a blocking one: one step after another.
    pub sequential_ms: f64,
    /// The step the step-through shows, and the loop's state there, replayed afresh.
    pub at: usize,
    pub state: LoopState,
    pub schedules: Option<Vec<Schedule>>,
    pub channel: Option<Channel>,
    pub echo: Option<Vec<Client>>,
}

/// What one run of the loop gives.
pub struct Ran {
    pub tasks: Vec<String>,
    pub events: Vec<Event>,
    pub spans: Vec<Span>,
    pub per_task: Vec<PerTask>,
    pub total_ms: f64,
    pub states: Vec<LoopState>,
    pub late: Vec<f64>,
    pub pool_threads: Vec<usize>,
    /// Lines the program printed.
    pub lines: usize,
    pub report: Report,
}

/// How one run of a program goes.
#[derive(Debug, Clone, Copy)]
pub struct How<'a> {
    pub clock: Clock,
    /// Where it stops: the step-through's replays halt after the step shown.
    pub halt: Halt,
    /// Every wait blocks: the program one thing after another.
    pub all_blocking: bool,
    /// The cooking's order of dishes (empty: the listed order).
    pub order: &'a [usize],
    /// Iterations of the work kernel per millisecond (the real clock's calibration; unused on
    /// the virtual clock, where work costs what it says).
    pub iters_per_ms: f64,
}

impl How<'static> {
    /// A whole run on the virtual clock, as the program is written.
    pub const VIRTUAL: How<'static> = How { clock: Clock::Virtual, halt: Halt::Never, all_blocking: false, order: &[], iters_per_ms: 0.0 };
}

/// Runs the program of `s` once, as `how` says.
pub fn run(s: &Setup, how: How, stop: &dyn Fn(usize) -> bool) -> Result<Ran, DemoError> {
    let mut ex = Executor::new(how.clock, how.halt, how.iters_per_ms);
    let report = programs::load(&ex.handle(), s, how.all_blocking, how.order);
    match ex.run(stop) {
        Finished::All | Finished::Halted => {}
        Finished::Cancelled => return Err(DemoError::Cancelled),
        Finished::Stuck => return Err(invalid("", "every task waits and nothing can wake one: the program is stuck".into())),
        Finished::TooLong => return Err(invalid("", format!("the run passed {} events and was stopped", crate::aio::MAX_EVENTS))),
    }
    let core = ex.core();
    let report = report.borrow().clone();
    Ok(Ran {
        tasks: core.tasks.iter().map(|r| r.name.clone()).collect(),
        events: core.events.clone(),
        spans: core.spans.clone(),
        per_task: core.per_task(),
        total_ms: core.now(),
        states: core.states.clone(),
        late: core.late.clone(),
        pool_threads: core.pool_threads.iter().copied().collect(),
        lines: core.output.len(),
        report,
    })
}

pub fn invalid(param: &str, message: String) -> DemoError {
    DemoError::Invalid(vec![ParamError { param: param.into(), message }])
}

/// The virtual-clock trace, with the step-through's state at `at` replayed in a run of its
/// own that stops there.
pub fn virtual_trace(s: &Setup, at: usize) -> Result<Trace, DemoError> {
    let never = |_: usize| false;
    let full = run(s, How::VIRTUAL, &never)?;
    let sequential = run(s, How { all_blocking: true, ..How::VIRTUAL }, &never)?;
    if at > full.events.len() {
        let n = full.events.len();
        return Err(invalid("at", format!("this run has {n} steps: the step must be 0-{n}, got {at}")));
    }
    let replay = run(s, How { halt: Halt::After(at), ..How::VIRTUAL }, &never)?;
    let state = replay.states.last().cloned().expect("a run that halts keeps its state");
    let schedules = (s.program == Program::Cooking).then(|| schedules(s));
    let r = &full.report;
    Ok(Trace {
        program: s.program,
        blocking: s.blocking,
        clock: "virtual",
        tasks: full.tasks,
        events: full.events,
        spans: full.spans,
        per_task: full.per_task,
        total_ms: full.total_ms,
        sequential_ms: sequential.total_ms,
        at,
        state,
        schedules,
        channel: (s.program == Program::Channels).then(|| Channel { produced: r.produced.clone(), consumed: r.consumed.clone(), peak: r.peak }),
        echo: (s.program == Program::Echo).then(|| clients(r)),
    })
}

pub fn clients(r: &Report) -> Vec<Client> {
    let mut c: Vec<Client> = r.clients.iter().map(|(name, sent, echoed, rtt)| Client { name: name.clone(), sent: *sent, echoed: *echoed, rtt_ms: rtt.clone() }).collect();
    c.sort_by(|a, b| a.name.cmp(&b.name));
    c
}

/// The cooking analogy's three schedules: one dish after another, overlapped in the listed
/// order, and the best of every order, found by running each (no blocking switch in these).
pub fn schedules(s: &Setup) -> Vec<Schedule> {
    let plain = Setup { blocking: false, ..s.clone() };
    let never = |_: usize| false;
    let go = |all_blocking: bool, order: &[usize]| run(&plain, How { all_blocking, order, ..How::VIRTUAL }, &never).expect("the dishes always finish");
    let listed: Vec<usize> = (0..cooking::DISHES.len()).collect();
    let seq = go(true, &listed);
    let over = go(false, &listed);
    let (best_order, best) = cooking::orders()
        .into_iter()
        .map(|o| {
            let r = go(false, &o);
            (o, r)
        })
        // The first of the fastest, in the order orders() lists them.
        .fold(None::<(Vec<usize>, Ran)>, |acc, (o, r)| match acc {
            Some((ao, ar)) if ar.total_ms <= r.total_ms => Some((ao, ar)),
            _ => Some((o, r)),
        })
        .expect("there are orders");
    vec![
        Schedule { name: "one after another", order: cooking::names(&listed), total_ms: seq.total_ms, spans: seq.spans },
        Schedule { name: "overlapped", order: cooking::names(&listed), total_ms: over.total_ms, spans: over.spans },
        Schedule { name: "best order", order: cooking::names(&best_order), total_ms: best.total_ms, spans: best.spans },
    ]
}
