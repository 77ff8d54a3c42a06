//! Running N tasks on k real threads, and recording who ran what, when.
//!
//! The pool of threads is rayon's (in the browser: Web Workers sharing one wasm memory,
//! started by wasm-bindgen-rayon). A rayon pool cannot be resized in the browser, so "run on
//! k threads" means: spawn exactly k job loops into the pool, each taking the next task
//! number from one shared counter until none are left (a self-scheduling pool, the book's
//! "queue of tasks and k worker threads"). [`Where::Caller`] runs the same tasks one after
//! another on the calling thread instead: the sequential baseline.
//!
//! Lanes name the thread a span ran on: 0 is the calling thread (the engine worker in the
//! browser), `i + 1` is pool thread `i`.

use crate::clock;
use crate::control::{Cancelled, Control};
use serde::Serialize;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Mutex;

/// Where the tasks of a run execute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    /// One after another on the calling thread.
    Caller,
    /// On this many threads of the current rayon pool.
    Pool(usize),
}

/// What a span of a timeline shows: a thread computing, or waiting (for I/O, or its turn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    Work,
    Wait,
}

/// One bar of a timeline, in milliseconds from the start of its run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    pub lane: u32,
    pub task: u32,
    pub kind: SpanKind,
    pub start_ms: f64,
    pub end_ms: f64,
}

/// The outcome of one run: its wall time, its timeline, and the order tasks finished in.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// Threads asked for: 1 for [`Where::Caller`], k for [`Where::Pool`].
    pub threads: u32,
    /// Lanes that ran at least one task, ascending.
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

/// Runs tasks `0..tasks` at `place`, counting each finished task on `ctl`. A task returns
/// `Err(Cancelled)` to stop the run; the other threads stop before their next task.
pub fn run_tasks<F>(place: Where, tasks: usize, ctl: &Control, task: F) -> Result<Run, Cancelled>
where
    F: Fn(usize, &Recorder) -> Result<(), Cancelled> + Sync,
{
    let spans = Mutex::new(Vec::with_capacity(tasks));
    let order = Mutex::new(Vec::with_capacity(tasks));
    let next = AtomicUsize::new(0);
    let origin = clock::now_ms();

    // snippet:start concurrency
    let job_loop = || -> Result<(), Cancelled> {
        let lane = current_lane();
        loop {
            ctl.check()?;
            let i = next.fetch_add(1, Relaxed);
            if i >= tasks {
                return Ok(());
            }
            let rec = Recorder { origin, lane, task: i as u32, spans: &spans };
            task(i, &rec)?;
            order.lock().unwrap_or_else(|e| e.into_inner()).push(i as u32);
            ctl.tick();
        }
    };

    let threads = match place {
        Where::Caller => {
            job_loop()?;
            1
        }
        Where::Pool(k) => {
            assert!(k >= 1, "a pool run needs at least one thread");
            let failed = Mutex::new(None);
            rayon::scope(|s| {
                for _ in 0..k {
                    s.spawn(|_| {
                        if let Err(e) = job_loop() {
                            *failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                        }
                    });
                }
            });
            if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
                return Err(e);
            }
            k as u32
        }
    };
    // snippet:end concurrency
    let wall_ms = clock::since(origin);

    let mut spans = spans.into_inner().unwrap_or_else(|e| e.into_inner());
    spans.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
    let mut lanes: Vec<u32> = spans.iter().map(|s| s.lane).collect();
    lanes.sort_unstable();
    lanes.dedup();
    let order = order.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(Run { threads, lanes, wall_ms, spans, order })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload;
    use std::collections::BTreeSet;

    fn pool(n: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap()
    }

    #[test]
    fn caller_runs_every_task_in_order_on_lane_zero() {
        let ctl = Control::new();
        let run = run_tasks(Where::Caller, 5, &ctl, |_, rec| {
            rec.span(SpanKind::Work, || ());
            Ok(())
        })
        .unwrap();
        assert_eq!(run.order, [0, 1, 2, 3, 4]);
        assert_eq!(run.lanes, [0]);
        assert_eq!(run.threads, 1);
        assert_eq!(ctl.progress().0, 5);
    }

    #[test]
    fn pool_runs_every_task_exactly_once_on_several_threads() {
        let ctl = Control::new();
        let run = pool(4)
            .install(|| {
                run_tasks(Where::Pool(4), 40, &ctl, |i, rec| {
                    // Real waits so that all four threads get a share.
                    rec.span(SpanKind::Wait, || workload::io_wait(2, &ctl))?;
                    assert!(i < 40);
                    Ok(())
                })
            })
            .unwrap();
        let mut seen = run.order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..40).collect::<Vec<u32>>());
        assert!(run.threads_used() >= 2, "lanes {:?}", run.lanes);
        assert!(run.lanes.iter().all(|&l| (1..=4).contains(&l)));
        // A lane never runs two spans at once.
        for lane in &run.lanes {
            let mut mine: Vec<&Span> = run.spans.iter().filter(|s| s.lane == *lane).collect();
            mine.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
            for w in mine.windows(2) {
                assert!(w[0].end_ms <= w[1].start_ms);
            }
        }
        let tasks: BTreeSet<u32> = run.spans.iter().map(|s| s.task).collect();
        assert_eq!(tasks.len(), 40);
    }

    #[test]
    fn a_span_log_names_the_item_and_the_lane_of_each_span() {
        let log = SpanLog::new();
        pool(2).install(|| {
            rayon::scope(|s| {
                for item in 0..4u32 {
                    let log = &log;
                    s.spawn(move |_| log.span(item, SpanKind::Work, || ()));
                }
            })
        });
        let asked = log.now();
        log.record(9, SpanKind::Wait, asked); // on the calling thread: lane 0
        let run = log.into_run(2, vec![3, 1]);
        let items: BTreeSet<u32> = run.spans.iter().map(|s| s.task).collect();
        assert_eq!(items, BTreeSet::from([0, 1, 2, 3, 9]));
        assert_eq!(run.lanes.first(), Some(&0));
        assert!(run.lanes.iter().all(|&l| l <= 2), "{:?}", run.lanes);
        assert!(run.spans.windows(2).all(|w| w[0].start_ms <= w[1].start_ms));
        assert_eq!((run.threads, run.order), (2, vec![3, 1]));
    }

    #[test]
    fn a_cancelled_run_stops_early_and_says_so() {
        let ctl = Control::new();
        let result = pool(2).install(|| {
            run_tasks(Where::Pool(2), 1000, &ctl, |i, _| {
                if i == 10 {
                    ctl.cancel();
                }
                workload::io_wait(1, &ctl)
            })
        });
        assert!(matches!(result, Err(Cancelled)));
        assert!(ctl.progress().0 < 1000);
    }
}
