//! Running N tasks on k real threads, and recording who ran what, when.
//!
//! The pool of threads is rayon's (in the browser: Web Workers sharing one wasm memory,
//! started by wasm-bindgen-rayon). A rayon pool cannot be resized in the browser, so "run on
//! k threads" means: spawn exactly k jobs into the pool. Each job first waits at a start line
//! until all k have arrived; a job blocked there holds its worker, so the k jobs run on k
//! distinct workers, all alive at once. (Without the start line, a job that finishes before
//! another worker wakes lets its worker take the next job too, and "4 threads" quietly runs
//! on 1.) Then:
//! - [`run_threads`]: thread i runs its own body once (the demos about threads and locks);
//! - [`run_tasks`]: the k jobs take the next task number from one shared counter until none
//!   are left (a self-scheduling pool, the book's "queue of tasks and k worker threads").
//!
//! [`Where::Caller`] runs the same work one after another on the calling thread instead: the
//! sequential baseline, and the only choice on a page without a pool.
//!
//! Lanes name the thread a span ran on: 0 is the calling thread (the engine worker in the
//! browser), `i + 1` is pool thread `i`.

use crate::clock;
use crate::control::{Cancelled, Control};
use serde::Serialize;
pub(crate) use crate::start_line::StartLine;
use crate::start_line::together;
pub use crate::start_line::{Stopped, START_PATIENCE_MS};
use crate::sync::{AtomicUsize, Mutex};
use crate::sync::Ordering::Relaxed;

/// Where the tasks of a run execute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    /// One after another on the calling thread.
    Caller,
    /// On this many threads of the current rayon pool.
    Pool(usize),
}

/// What a span of a timeline shows: a thread computing, or waiting (for I/O, or its turn).
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    Work,
    Wait,
}

/// One bar of a timeline, in milliseconds from the start of its run.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    pub lane: u32,
    pub task: u32,
    pub kind: SpanKind,
    pub start_ms: f64,
    pub end_ms: f64,
}

/// The outcome of one run: its wall time, its timeline, and the order tasks finished in.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// Threads asked for: 1 for [`Where::Caller`], k for [`Where::Pool`].
    pub threads: u32,
    /// Lanes that ran at least one task, ascending (for a run of threads: every thread's).
    pub lanes: Vec<u32>,
    pub wall_ms: f64,
    pub spans: Vec<Span>,
    /// Task numbers in the order they finished.
    pub order: Vec<u32>,
}

impl Run {
    /// How many distinct threads did work.
    pub fn threads_used(&self) -> usize {
        self.lanes.len()
    }
}

/// Handed to each task so it can record its own spans (a task may wait, then work).
pub struct Recorder<'a> {
    origin: f64,
    lane: u32,
    task: u32,
    spans: &'a Mutex<Vec<Span>>,
}

impl Recorder<'_> {
    /// Runs `f`, recording it as one span of `kind`.
    pub fn span<T>(&self, kind: SpanKind, f: impl FnOnce() -> T) -> T {
        let start = clock::since(self.origin);
        let out = f();
        let end = clock::since(self.origin);
        self.push(kind, start, end);
        out
    }

    fn push(&self, kind: SpanKind, start_ms: f64, end_ms: f64) {
        let span = Span { lane: self.lane, task: self.task, kind, start_ms, end_ms };
        self.spans.lock().unwrap_or_else(|e| e.into_inner()).push(span);
    }

    pub fn lane(&self) -> u32 {
        self.lane
    }

    /// The run's origin (a [`clock::now_ms`] value): for [`run_threads`] on a pool, the moment
    /// the last thread reached the start line, when all began together.
    pub fn origin(&self) -> f64 {
        self.origin
    }
}

/// The lane of the current thread: 0 outside the pool, `i + 1` on pool thread `i`.
pub fn current_lane() -> u32 {
    rayon::current_thread_index().map_or(0, |i| i as u32 + 1)
}

/// A timeline recorded by hand, for threads that each handle many items (a consumer, a
/// worker of a task queue): each span names the item it was for and the lane it ran on,
/// where [`run_tasks`] names the thread's own task number.
pub struct SpanLog {
    origin: f64,
    spans: Mutex<Vec<Span>>,
}

impl SpanLog {
    /// Starts the log's clock: every time it reports is in milliseconds from now.
    pub fn new() -> Self {
        SpanLog { origin: clock::now_ms(), spans: Mutex::new(Vec::new()) }
    }

    /// Milliseconds since the log started.
    pub fn now(&self) -> f64 {
        clock::since(self.origin)
    }

    /// Runs `f` on the current thread, recording it as one span of `kind` for item `task`.
    pub fn span<T>(&self, task: u32, kind: SpanKind, f: impl FnOnce() -> T) -> T {
        let start = self.now();
        let out = f();
        self.record(task, kind, start);
        out
    }

    /// Records a span of `kind` for item `task` from `start_ms` (a value of [`SpanLog::now`])
    /// until now, on the current thread's lane: for a wait whose item is known only after it.
    pub fn record(&self, task: u32, kind: SpanKind, start_ms: f64) {
        let span = Span { lane: current_lane(), task, kind, start_ms, end_ms: self.now() };
        self.spans.lock().unwrap_or_else(|e| e.into_inner()).push(span);
    }

    /// The finished timeline: `threads` asked for, items in the order they finished, and the
    /// wall time until now.
    pub fn into_run(self, threads: u32, order: Vec<u32>) -> Run {
        let wall_ms = self.now();
        let mut spans = self.spans.into_inner().unwrap_or_else(|e| e.into_inner());
        spans.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
        let mut lanes: Vec<u32> = spans.iter().map(|s| s.lane).collect();
        lanes.sort_unstable();
        lanes.dedup();
        Run { threads, lanes, wall_ms, spans, order }
    }
}

impl Default for SpanLog {
    fn default() -> Self {
        Self::new()
    }
}

/// A run's timeline as its threads fill it in.
struct Books {
    /// When the run was asked for: its wall time counts from here, so it includes handing
    /// the jobs to the pool and waking the workers (spans count from the origin, when all
    /// threads began).
    called: f64,
    /// Whether finished tasks count as the run's progress (a warm-up's do not).
    counts: bool,
    spans: Mutex<Vec<Span>>,
    /// Finished tasks, in the order they finished, with the lane that ran each.
    order: Mutex<Vec<(u32, u32)>>,
}

impl Books {
    fn new(tasks: usize, counts: bool) -> Self {
        let (spans, order) = (Mutex::new(Vec::with_capacity(tasks)), Mutex::new(Vec::with_capacity(tasks)));
        Books { called: clock::now_ms(), counts, spans, order }
    }

    fn recorder(&self, origin: f64, task: usize) -> Recorder<'_> {
        Recorder { origin, lane: current_lane(), task: task as u32, spans: &self.spans }
    }

    fn finished(&self, task: usize, ctl: &Control) {
        self.order.lock().unwrap_or_else(|e| e.into_inner()).push((task as u32, current_lane()));
        if self.counts {
            ctl.tick();
        }
    }

    fn into_run(self, threads: u32) -> Run {
        let wall_ms = clock::since(self.called);
        let mut spans = self.spans.into_inner().unwrap_or_else(|e| e.into_inner());
        spans.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
        let finished = self.order.into_inner().unwrap_or_else(|e| e.into_inner());
        // A lane did work if it finished a task (whether or not the task drew a span).
        let mut lanes: Vec<u32> = finished.iter().map(|&(_, lane)| lane).chain(spans.iter().map(|s| s.lane)).collect();
        lanes.sort_unstable();
        lanes.dedup();
        let order = finished.into_iter().map(|(task, _)| task).collect();
        Run { threads, lanes, wall_ms, spans, order }
    }
}

/// Runs tasks `0..tasks` at `place`, counting each finished task on `ctl`: a self-scheduling
/// pool. On a pool, `k` job loops start together on `k` distinct workers (none starts before
/// all are alive); loop s runs task s first, then each takes the next task number until none
/// are left. So every loop works when there are at least k tasks, and [`Run::threads_used`]
/// is `min(k, tasks)`. A task returns `Err(Cancelled)` to stop the run; the
/// other threads stop before their next task.
pub fn run_tasks<F>(place: Where, tasks: usize, ctl: &Control, task: F) -> Result<Run, Stopped>
where
    F: Fn(usize, &Recorder) -> Result<(), Cancelled> + Sync,
{
    let books = Books::new(tasks, true);
    let loops = match place {
        Where::Caller => 1,
        Where::Pool(k) => k,
    };
    // Loop s starts with task s; after that, each takes the next task number left.
    let next = AtomicUsize::new(loops);

    // snippet:start concurrency
    let job_loop = |slot: usize, origin: f64| -> Result<(), Cancelled> {
        let mut i = slot;
        loop {
            ctl.check()?;
            if i >= tasks {
                return Ok(());
            }
            task(i, &books.recorder(origin, i))?;
            books.finished(i, ctl);
            i = next.fetch_add(1, Relaxed);
        }
    };

    let threads = match place {
        Where::Caller => {
            job_loop(0, clock::now_ms())?;
            1
        }
        // k loops on k workers, started together, sharing one counter of tasks.
        Where::Pool(k) => {
            together(k, ctl, START_PATIENCE_MS, job_loop)?;
            k as u32
        }
    };
    // snippet:end concurrency
    Ok(books.into_run(threads))
}

/// Runs `k` threads at `place`: thread `i` runs `body(i)` once. On a pool they are `k`
/// distinct workers, all alive at once (each waits at a start line for the others), so the
/// run's lanes are exactly `k`; at [`Where::Caller`] the bodies run one after another on the
/// calling thread. This is what a demo that says "k threads" runs.
pub fn run_threads<F>(place: Where, k: usize, ctl: &Control, body: F) -> Result<Run, Stopped>
where
    F: Fn(usize, &Recorder) -> Result<(), Cancelled> + Sync,
{
    run_threads_within(place, k, ctl, START_PATIENCE_MS, true, body)
}

/// [`run_threads`] whose finished threads are not counted as progress on `ctl` (which still
/// cancels it, at the start line too): for work before the run proper, such as a warm-up.
pub fn run_threads_uncounted<F>(place: Where, k: usize, ctl: &Control, body: F) -> Result<Run, Stopped>
where
    F: Fn(usize, &Recorder) -> Result<(), Cancelled> + Sync,
{
    run_threads_within(place, k, ctl, START_PATIENCE_MS, false, body)
}

/// [`run_threads`] with a start line that waits at most `patience_ms` for all k.
fn run_threads_within<F>(place: Where, k: usize, ctl: &Control, patience_ms: f64, counts: bool, body: F) -> Result<Run, Stopped>
where
    F: Fn(usize, &Recorder) -> Result<(), Cancelled> + Sync,
{
    let books = Books::new(k, counts);
    let thread = |i: usize, origin: f64| -> Result<(), Cancelled> {
        body(i, &books.recorder(origin, i))?;
        books.finished(i, ctl);
        Ok(())
    };
    let threads = match place {
        Where::Caller => {
            let origin = clock::now_ms();
            (0..k).try_for_each(|i| thread(i, origin))?;
            1
        }
        Where::Pool(_) => {
            together(k, ctl, patience_ms, thread)?;
            k as u32
        }
    };
    Ok(books.into_run(threads))
}

#[cfg(test)]
#[path = "pool_tests.rs"]
mod tests;
