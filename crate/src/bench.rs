//! What `npm run bench` measures of the synchronization primitives, written once so that the
//! browser (crate/src/bindings/bench.rs, `benchSync`) and native code
//! (crate/examples/bench_native.rs) run exactly the same code:
//! - [`lock_throughput`]: lock/unlock pairs per second of std's `Mutex` and our
//!   [`SpinLock`], on 1 thread (uncontended) or k threads hammering one lock (contended);
//! - [`queue_throughput`]: items per second through a bounded FIFO [`Queue`] (Python's
//!   `queue.Queue`) with p producers and c consumers;
//! - [`pool_task_overhead`]: nanoseconds per empty task through the book's pool (k workers
//!   taking boxed tasks from one shared task queue) and through `rayon::scope` spawns;
//! - [`thread_per_task`] (native only): a fresh OS thread per task, spawned and joined.
//!   `std::thread::spawn` is unsupported on wasm32, so in the browser this is not possible.
//!
//! Threads come from the current rayon pool (a rayon pool cannot be resized in the browser):
//! k threads means exactly k jobs spawned with `rayon::scope`, as in [`crate::pool`]. The
//! jobs meet at a barrier before they start, so k must not exceed the pool's threads (or the
//! barrier, and a full bounded queue, would wait forever); the functions refuse that.
//! Times come from [`clock::now_ms`] (about 5 µs resolution in a cross-origin isolated
//! browser), so every figure is an aggregate over many operations. A run stops early, and
//! says so (`capped`), after [`BUDGET_MS`]: a spin lock with more threads than cores can crawl.

use crate::clock;
use crate::locks::spin::SpinLock;
use crate::queue::Queue;
use crate::sync::{AtomicBool, AtomicUsize, Barrier, Mutex, Ordering, PoisonError};
use serde::{Deserialize, Serialize};
use std::hint::black_box;

/// The longest one measurement may run, in milliseconds.
pub const BUDGET_MS: f64 = 2000.0;
/// The bound of the queue in [`queue_throughput`].
pub const QUEUE_MAXSIZE: usize = 64;
/// Operations between two looks at the clock (a clock read is a call into JS on wasm).
const CHUNK: u64 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LockKind {
    /// `std::sync::Mutex` (parks a waiting thread; `memory.atomic.wait32` on wasm).
    Mutex,
    /// [`crate::locks::spin::SpinLock`] (a waiting thread burns its core).
    Spin,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockThroughput {
    pub kind: LockKind,
    pub threads: u32,
    /// Lock/unlock pairs done, by all threads together.
    pub ops: u64,
    /// The counter the lock guards, at the end: equal to `ops` when the lock let one thread
    /// in at a time (a lost increment would leave it smaller).
    pub counted: u64,
    pub ms: f64,
    pub ops_per_sec: f64,
    /// The run hit [`BUDGET_MS`] before every thread did its share.
    pub capped: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueThroughput {
    pub producers: u32,
    pub consumers: u32,
    pub maxsize: usize,
    /// Items that went through (pills not counted).
    pub items: u64,
    pub ms: f64,
    pub items_per_sec: f64,
    pub capped: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolOverhead {
    /// Workers of the task-queue pool.
    pub workers: u32,
    /// Threads of the rayon pool the scope spawns run on (all of them).
    pub pool_threads: u32,
    pub tasks: u32,
    /// Submit n boxed empty tasks to a FIFO task queue, k workers run them; ns per task.
    pub task_queue_ns: f64,
    /// n empty `Scope::spawn`s in one `rayon::scope`, including the wait; ns per task.
    pub rayon_scope_ns: f64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadPerTask {
    pub tasks: u32,
    /// `std::thread::spawn` + `join` of an empty closure, one task after another.
    pub ns: f64,
}

/// Runs `job(i)` for i in 0..k on k threads of the current rayon pool, all released at once
/// by a barrier. Returns the wall time from the first start to the last end, in ms, and
/// each job's result.
fn on_threads<R: Send>(k: usize, job: impl Fn(usize) -> R + Sync) -> Result<(f64, Vec<R>), String> {
    let have = rayon::current_num_threads();
    if k == 0 || k > have {
        return Err(format!("{k} threads asked for, the pool has {have}"));
    }
    let barrier = Barrier::new(k);
    let done: Mutex<Vec<(f64, f64, R)>> = Mutex::new(Vec::with_capacity(k));
    let (job, barrier, done_ref) = (&job, &barrier, &done);
    rayon::scope(|s| {
        for i in 0..k {
            s.spawn(move |_| {
                barrier.wait();
                let t0 = clock::now_ms();
                let r = job(i);
                let t1 = clock::now_ms();
                done_ref.lock().unwrap_or_else(PoisonError::into_inner).push((t0, t1, r));
            });
        }
    });
    let done = done.into_inner().unwrap_or_else(PoisonError::into_inner);
    let start = done.iter().map(|d| d.0).fold(f64::INFINITY, f64::min);
    let end = done.iter().map(|d| d.1).fold(f64::NEG_INFINITY, f64::max);
    Ok((end - start, done.into_iter().map(|d| d.2).collect()))
}

/// `op` up to `ops` times, checking the clock and the shared stop flag every [`CHUNK`] ops.
/// Returns how many ops it did.
#[inline(always)]
fn lock_loop(ops: u64, stop: &AtomicBool, op: impl Fn()) -> u64 {
    let deadline = clock::now_ms() + BUDGET_MS;
    let mut done = 0;
    while done < ops {
        let n = CHUNK.min(ops - done);
        for _ in 0..n {
            op();
        }
        done += n;
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if clock::now_ms() > deadline {
            stop.store(true, Ordering::Relaxed);
            break;
        }
    }
    done
}

/// Lock/unlock pairs per second: `threads` threads each lock one shared lock, add 1 to the
/// counter it guards and unlock, `ops_per_thread` times. 1 thread is the uncontended case.
pub fn lock_throughput(kind: LockKind, threads: usize, ops_per_thread: u64) -> Result<LockThroughput, String> {
    let stop = AtomicBool::new(false);
    let ((ms, counts), counted) = match kind {
        LockKind::Mutex => {
            let m = Mutex::new(0u64);
            let r = on_threads(threads, |_| {
                lock_loop(ops_per_thread, &stop, || *m.lock().unwrap_or_else(PoisonError::into_inner) += 1)
            })?;
            (r, m.into_inner().unwrap_or_else(PoisonError::into_inner))
        }
        LockKind::Spin => {
            let l = SpinLock::new(0u64);
            let r = on_threads(threads, |_| lock_loop(ops_per_thread, &stop, || *l.lock().0 += 1))?;
            (r, l.into_inner())
        }
    };
    let ops: u64 = counts.iter().sum();
    Ok(LockThroughput {
        kind,
        threads: threads as u32,
        ops,
        counted,
        ms,
        ops_per_sec: ops as f64 / (ms / 1000.0),
        capped: stop.into_inner(),
    })
}

/// Items per second through a FIFO [`Queue`] bounded at [`QUEUE_MAXSIZE`]: `producers`
/// threads put `items` numbers in all (blocking while it is full), `consumers` threads get
/// until they get a pill (`None`); the last producer to finish puts one pill per consumer.
pub fn queue_throughput(producers: usize, consumers: usize, items: u64) -> Result<QueueThroughput, String> {
    if producers == 0 || consumers == 0 {
        return Err("a queue run needs at least one producer and one consumer".into());
    }
    let q: Queue<Option<u64>> = Queue::fifo(QUEUE_MAXSIZE);
    let producing = AtomicUsize::new(producers);
    let stop = AtomicBool::new(false);
    let (ms, got) = on_threads(producers + consumers, |i| {
        if i < producers {
            let mine = items / producers as u64 + u64::from((i as u64) < items % producers as u64);
            let deadline = clock::now_ms() + BUDGET_MS;
            for n in 0..mine {
                if n % 1024 == 1023 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if clock::now_ms() > deadline {
                        stop.store(true, Ordering::Relaxed);
                        break;
                    }
                }
                q.put(Some(n), true, None).unwrap_or_else(|_| unreachable!("the queue is never shut down"));
            }
            if producing.fetch_sub(1, Ordering::AcqRel) == 1 {
                for _ in 0..consumers {
                    q.put(None, true, None).unwrap_or_else(|_| unreachable!("the queue is never shut down"));
                }
            }
            0
        } else {
            let mut got = 0u64;
            while let Ok(Some(x)) = q.get(true, None) {
                black_box(x);
                got += 1;
            }
            got
        }
    })?;
    let items: u64 = got.iter().sum();
    Ok(QueueThroughput {
        producers: producers as u32,
        consumers: consumers as u32,
        maxsize: QUEUE_MAXSIZE,
        items,
        ms,
        items_per_sec: items as f64 / (ms / 1000.0),
        capped: stop.into_inner(),
    })
}

type Task = Box<dyn FnOnce() + Send>;

/// Nanoseconds per empty task: through the book's pool (`workers` job loops taking boxed
/// tasks from one unbounded FIFO task queue while the submitter puts them, then one pill per
/// worker), and through `rayon::scope` with one `spawn` per task. Both include submitting
/// and waiting for the last task.
pub fn pool_task_overhead(workers: usize, tasks: u32) -> Result<PoolOverhead, String> {
    let have = rayon::current_num_threads();
    if workers == 0 || workers > have {
        return Err(format!("{workers} workers asked for, the pool has {have}"));
    }
    let tasks = tasks.max(1);
    let task_queue = |n: u32| {
        let q: Queue<Option<Task>> = Queue::fifo(0);
        let t0 = clock::now_ms();
        rayon::scope(|s| {
            for _ in 0..workers {
                s.spawn(|_| {
                    while let Ok(Some(task)) = q.get(true, None) {
                        task();
                    }
                });
            }
            for i in 0..n {
                let task: Task = Box::new(move || {
                    black_box(i);
                });
                q.put(Some(task), true, None).unwrap_or_else(|_| unreachable!("an unbounded queue is never full"));
            }
            for _ in 0..workers {
                q.put(None, true, None).unwrap_or_else(|_| unreachable!("an unbounded queue is never full"));
            }
        });
        clock::since(t0) * 1e6 / f64::from(n)
    };
    let scope = |n: u32| {
        let t0 = clock::now_ms();
        rayon::scope(|s| {
            for i in 0..n {
                s.spawn(move |_| {
                    black_box(i);
                });
            }
        });
        clock::since(t0) * 1e6 / f64::from(n)
    };
    task_queue((tasks / 10).max(1)); // warm up
    let task_queue_ns = task_queue(tasks);
    scope((tasks / 10).max(1));
    let rayon_scope_ns = scope(tasks);
    Ok(PoolOverhead { workers: workers as u32, pool_threads: have as u32, tasks, task_queue_ns, rayon_scope_ns })
}

/// Nanoseconds per empty task when each task gets its own OS thread, spawned and joined one
/// after another. Native only: `std::thread::spawn` is unsupported on wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub fn thread_per_task(tasks: u32) -> ThreadPerTask {
    let tasks = tasks.max(1);
    let run = |n: u32| {
        let t0 = clock::now_ms();
        for i in 0..n {
            std::thread::spawn(move || black_box(i)).join().expect("an empty task does not panic");
        }
        clock::since(t0) * 1e6 / f64::from(n)
    };
    run((tasks / 10).max(1));
    ThreadPerTask { tasks, ns: run(tasks) }
}

/// Sizes of a [`suite`] run.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SuiteConfig {
    pub lock_ops: u64,
    pub queue_items: u64,
    pub pool_tasks: u32,
    /// Workers of the task-queue pool (the bench passes the core count).
    pub pool_workers: usize,
    /// Each measurement is repeated; the best (highest rate, lowest ns) is kept.
    pub repeats: u32,
}

impl Default for SuiteConfig {
    fn default() -> Self {
        SuiteConfig { lock_ops: 2_000_000, queue_items: 50_000, pool_tasks: 20_000, pool_workers: 2, repeats: 3 }
    }
}

/// Everything above, for the thread counts the pool allows: locks on 1, 2 and 4 threads;
/// queues with 1-4 producers x 1-4 consumers (p + c <= pool threads).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suite {
    pub pool_threads: u32,
    pub repeats: u32,
    pub locks: Vec<LockThroughput>,
    pub queues: Vec<QueueThroughput>,
    pub pool: PoolOverhead,
}

fn best<T>(repeats: u32, mut run: impl FnMut() -> Result<T, String>, better: impl Fn(&T, &T) -> bool) -> Result<T, String> {
    let mut keep = run()?;
    for _ in 1..repeats.max(1) {
        let r = run()?;
        if better(&r, &keep) {
            keep = r;
        }
    }
    Ok(keep)
}

pub fn suite(cfg: &SuiteConfig) -> Result<Suite, String> {
    let have = rayon::current_num_threads();
    let mut locks = Vec::new();
    for kind in [LockKind::Mutex, LockKind::Spin] {
        for threads in [1, 2, 4].into_iter().filter(|&t| t <= have) {
            locks.push(best(cfg.repeats, || lock_throughput(kind, threads, cfg.lock_ops), |a, b| a.ops_per_sec > b.ops_per_sec)?);
        }
    }
    let mut queues = Vec::new();
    for p in 1..=4 {
        for c in (1..=4).filter(|c| p + c <= have) {
            queues.push(best(cfg.repeats, || queue_throughput(p, c, cfg.queue_items), |a, b| a.items_per_sec > b.items_per_sec)?);
        }
    }
    let workers = cfg.pool_workers.clamp(1, have);
    let pool = best(
        cfg.repeats,
        || pool_task_overhead(workers, cfg.pool_tasks),
        |a, b| a.task_queue_ns + a.rayon_scope_ns < b.task_queue_ns + b.rayon_scope_ns,
    )?;
    Ok(Suite { pool_threads: have as u32, repeats: cfg.repeats, locks, queues, pool })
}

#[cfg(test)]
#[path = "bench_tests.rs"]
mod tests;
