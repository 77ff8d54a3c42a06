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
use crate::sync::{AtomicUsize, Condvar, Mutex};
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

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

/// Why the threads of a run did not all run to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// A cancel was requested.
    Cancelled,
    /// The pool did not give `asked` workers at once within [`START_PATIENCE_MS`]: only
    /// `arrived` reached the start line, so nothing ran (it never runs on fewer than asked).
    Short { arrived: usize, asked: usize },
}

impl From<Cancelled> for Stopped {
    fn from(_: Cancelled) -> Self {
        Stopped::Cancelled
    }
}

/// How long the first thread at a start line waits for the others before the run is refused.
/// Idle pool workers pick up a job in microseconds; only workers kept busy elsewhere miss it.
pub const START_PATIENCE_MS: f64 = 10_000.0;

/// Where k threads wait for each other before any begins, so that all k are alive at once.
/// A thread blocked here holds its pool worker, so k arrivals are k distinct workers: none can
/// finish early and then run a second job on the same worker. Bounded: past its patience the
/// start line gives up, and every thread that came, and every one that comes later, is told.
pub(crate) struct StartLine {
    k: usize,
    /// Threads arrived, the time the last one did (the run's origin), and, once it gave up,
    /// how many had arrived then.
    state: Mutex<(usize, Option<f64>, Option<usize>)>,
    all_here: Condvar,
    opened: f64,
    patience_ms: f64,
}

impl StartLine {
    pub(crate) fn new(k: usize) -> Self {
        Self::with_patience(k, START_PATIENCE_MS)
    }

    fn with_patience(k: usize, patience_ms: f64) -> Self {
        StartLine { k, state: Mutex::new((0, None, None)), all_here: Condvar::new(), opened: clock::now_ms(), patience_ms }
    }

    /// Waits for the other threads; returns the origin, the same for all of them.
    pub(crate) fn arrive(&self, ctl: &Control) -> Result<f64, Stopped> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.0 += 1;
        // After a cancel the line never opens: the threads that saw it have left, and a last
        // one running its body alone could wait for ever for the others (a consumer in get).
        if s.0 == self.k && s.2.is_none() && !ctl.is_cancelled() {
            s.1 = Some(clock::now_ms());
            self.all_here.notify_all();
        }
        loop {
            if let Some(origin) = s.1 {
                return Ok(origin);
            }
            if let Some(arrived) = s.2 {
                return Err(Stopped::Short { arrived, asked: self.k });
            }
            if ctl.is_cancelled() {
                return Err(Stopped::Cancelled);
            }
            if clock::since(self.opened) > self.patience_ms {
                s.2 = Some(s.0);
                self.all_here.notify_all();
                continue;
            }
            // Short slices: a cancel raised by the page sends no notification.
            s = self.all_here.wait_timeout(s, Duration::from_millis(10)).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// Runs `k` jobs on `k` distinct workers of the current rayon pool, all alive at once: each
/// waits at a start line until all have arrived, then runs `job(slot, origin)` (`slot` in
/// `0..k`, `origin` the moment the last one arrived).
fn together<J>(k: usize, ctl: &Control, patience_ms: f64, job: J) -> Result<(), Stopped>
where
    J: Fn(usize, f64) -> Result<(), Cancelled> + Sync,
{
    assert!(k >= 1, "a pool run needs at least one thread");
    let line = StartLine::with_patience(k, patience_ms);
    let failed = Mutex::new(None);
    let fail = |e: Stopped| {
        let mut f = failed.lock().unwrap_or_else(|e| e.into_inner());
        // A refusal or a cancel says more than the cancels it caused in other threads.
        if f.is_none() || e != Stopped::Cancelled {
            *f = Some(e);
        }
    };
    rayon::scope(|s| {
        for slot in 0..k {
            let (line, job, fail) = (&line, &job, &fail);
            s.spawn(move |_| match line.arrive(ctl) {
                Ok(origin) => {
                    if let Err(e) = job(slot, origin) {
                        fail(e.into());
                    }
                }
                Err(e) => fail(e),
            });
        }
    });
    match failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
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
                    rec.span(SpanKind::Work, || workload::busy(100));
                    assert!(i < 40);
                    Ok(())
                })
            })
            .unwrap();
        let mut seen = run.order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..40).collect::<Vec<u32>>());
        assert_eq!(run.threads_used(), 4, "every loop starts with a task of its own: lanes {:?}", run.lanes);
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
    fn k_threads_are_k_distinct_workers_even_when_each_has_almost_nothing_to_do() {
        // Without the start line, a job that ends before another worker wakes lets its worker
        // take the next job as well: "4 threads" then ran on 1 to 3 workers. Many tries, each
        // with bodies too short to overlap by chance; every one must use exactly k lanes.
        let p = pool(4);
        let ctl = Control::new();
        for k in 1..=4 {
            for _ in 0..100 {
                let run = p.install(|| run_threads(Where::Pool(k), k, &ctl, |_, _| Ok(()))).unwrap();
                assert_eq!(run.threads_used(), k, "lanes {:?}", run.lanes);
                assert_eq!(run.threads, k as u32);
                let mut order = run.order.clone();
                order.sort_unstable();
                assert_eq!(order, (0..k as u32).collect::<Vec<_>>(), "each thread ran its body once");
            }
        }
    }

    #[test]
    fn the_k_threads_are_all_alive_at_once() {
        // Every thread waits inside its body until all k are inside: this finishes only if
        // they run at the same time (a Barrier would hang if any two shared a worker).
        let p = pool(3);
        let inside = crate::sync::Barrier::new(3);
        let run = p.install(|| run_threads(Where::Pool(3), 3, &Control::new(), |_, _| {
            inside.wait();
            Ok(())
        }));
        assert_eq!(run.unwrap().threads_used(), 3);
    }

    #[test]
    fn a_self_scheduling_run_starts_all_its_loops_together() {
        // One task per loop, each task waiting until all k tasks have begun: only k loops that
        // are alive at once, on k workers, can get through.
        let p = pool(4);
        let begun = crate::sync::Barrier::new(4);
        let run = p.install(|| run_tasks(Where::Pool(4), 4, &Control::new(), |_, _| {
            begun.wait();
            Ok(())
        }));
        assert_eq!(run.unwrap().threads_used(), 4);
    }

    #[test]
    fn more_threads_than_free_workers_are_refused_not_run_on_fewer() {
        let p = pool(2);
        let ran = AtomicUsize::new(0);
        let result = p.install(|| {
            // Patience far beyond a worker's wake-up (microseconds), so both free ones arrive.
            run_threads_within(Where::Pool(3), 3, &Control::new(), 3000.0, true, |_, _| {
                ran.fetch_add(1, Relaxed);
                Ok(())
            })
        });
        assert_eq!(result.unwrap_err(), Stopped::Short { arrived: 2, asked: 3 });
        assert_eq!(ran.load(Relaxed), 0, "no thread began its work");
        // The pool is free again afterwards: the same run on 2 threads works.
        assert_eq!(p.install(|| run_threads(Where::Pool(2), 2, &Control::new(), |_, _| Ok(()))).unwrap().threads_used(), 2);
    }

    #[test]
    fn a_cancel_releases_threads_waiting_at_the_start_line() {
        let p = pool(2);
        let ctl = Control::new();
        ctl.cancel();
        let result = p.install(|| run_threads(Where::Pool(3), 3, &ctl, |_, _| Ok(())));
        assert_eq!(result.unwrap_err(), Stopped::Cancelled);
    }

    #[test]
    fn a_cancel_while_threads_wait_at_the_start_line_keeps_it_shut_for_the_last() {
        // Two of three have arrived when the cancel comes; the third, arriving after it, must
        // not open the line and run alone (it could wait for ever for the other two).
        let line = StartLine::with_patience(3, 60_000.0);
        let ctl = Control::new();
        std::thread::scope(|s| {
            let waiting: Vec<_> = (0..2).map(|_| s.spawn(|| line.arrive(&ctl))).collect();
            while line.state.lock().unwrap().0 < 2 {
                std::thread::yield_now();
            }
            ctl.cancel();
            for w in waiting {
                assert_eq!(w.join().unwrap(), Err(Stopped::Cancelled));
            }
        });
        assert_eq!(line.arrive(&ctl), Err(Stopped::Cancelled), "the last one does not run alone");
    }

    #[test]
    fn threads_at_the_caller_run_one_after_another() {
        let run = run_threads(Where::Caller, 3, &Control::new(), |_, rec| {
            rec.span(SpanKind::Work, || ());
            Ok(())
        })
        .unwrap();
        assert_eq!((run.order, run.lanes, run.threads), (vec![0, 1, 2], vec![0], 1));
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
        assert_eq!(result.unwrap_err(), Stopped::Cancelled);
        assert!(ctl.progress().0 < 1000);
    }
}
