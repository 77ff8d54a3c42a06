//! What a task can await or call: `sleep`, a blocking sleep, work on the loop, work handed to
//! the thread pool, and joining another task. Each future is written out by hand (no
//! `async` inside) so that its `poll` shows the two halves of an `await`: the first poll
//! arranges to be woken and answers `Pending`; a later poll, after the wake, answers `Ready`.

use super::core::{Clock, What};
use super::executor::{Loop, TaskId};
use crate::sync::{Arc, Mutex, PoisonError};
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// `await asyncio.sleep(ms)`: sets a timer and gives the loop back until it is due.
pub struct Sleep {
    lp: Loop,
    ms: f64,
    due: Option<f64>,
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut core = self.lp.core.borrow_mut();
        match self.due {
            Some(at) if core.now() >= at => Poll::Ready(()),
            Some(_) => Poll::Pending,
            None => {
                let at = core.now() + self.ms;
                let task = core.current;
                core.add_timer(at, task, cx.waker().clone());
                core.awaiting(format!("sleep {} ms", self.ms));
                drop(core);
                self.due = Some(at);
                Poll::Pending
            }
        }
    }
}

/// `await loop.run_in_executor(pool, work)`: the work runs on another thread and the loop
/// serves other tasks meanwhile. Answers the pool thread that did it.
pub struct Offload {
    lp: Loop,
    ms: f64,
    /// The work, when it is not `ms` of [`crunch`] (a test's rendezvous).
    job: Option<Box<dyn FnOnce() + Send>>,
    /// Set by the pool thread when the work is done (its thread index), with the waker to
    /// wake. Both sit behind one lock, so a job that ends before the first poll returns
    /// still finds the waker.
    done: Arc<Mutex<(Option<usize>, Option<Waker>)>>,
    /// Virtual clock: when the virtual pool finishes it.
    due: Option<f64>,
    started: bool,
}

impl Future for Offload {
    type Output = usize;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let lp = self.lp.clone();
        let mut core = lp.core.borrow_mut();
        if !self.started {
            self.started = true;
            let task = core.current;
            core.log(task, What::Offload, format!("{} ms of work to the pool", self.ms));
            match core.clock {
                Clock::Virtual => {
                    // The worker that is free first takes it.
                    let now = core.now();
                    let (w, free) = core.pool_free.iter().copied().enumerate().min_by(|a, b| a.1.total_cmp(&b.1)).expect("a pool");
                    let at = free.max(now) + self.ms;
                    core.pool_free[w] = at;
                    core.add_timer(at, task, cx.waker().clone());
                    self.due = Some(at);
                    self.done.lock().unwrap_or_else(PoisonError::into_inner).0 = Some(w);
                }
                Clock::Real { .. } => {
                    let iters = (self.ms * lp.iters_per_ms / speed_of(core.clock)) as u64;
                    let job = self.job.take().unwrap_or_else(|| Box::new(move || {
                        black_box(crunch(iters));
                    }));
                    self.done.lock().unwrap_or_else(PoisonError::into_inner).1 = Some(cx.waker().clone());
                    core.offloads_out += 1;
                    let done = self.done.clone();
                    rayon::spawn(move || {
                        job();
                        let mut d = done.lock().unwrap_or_else(PoisonError::into_inner);
                        d.0 = Some(rayon::current_thread_index().unwrap_or(usize::MAX));
                        if let Some(w) = d.1.take() {
                            w.wake();
                        }
                    });
                }
            }
            core.awaiting("the pool".into());
            return Poll::Pending;
        }
        let thread = self.done.lock().unwrap_or_else(PoisonError::into_inner).0;
        let ready = match (core.clock, self.due) {
            (Clock::Virtual, Some(at)) => core.now() >= at,
            _ => thread.is_some(),
        };
        match (ready, thread) {
            (true, Some(i)) => {
                if let Clock::Real { .. } = core.clock {
                    core.offloads_out -= 1;
                    core.pool_threads.insert(i);
                }
                let task = core.current;
                core.log(task, What::Back, format!("from pool thread {}", i + 1));
                Poll::Ready(i)
            }
            _ => {
                self.done.lock().unwrap_or_else(PoisonError::into_inner).1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// `await task`: ready once task `of` is done.
pub struct Join {
    lp: Loop,
    of: TaskId,
}

impl Future for Join {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut core = self.lp.core.borrow_mut();
        if core.tasks[self.of].state == super::TaskState::Done {
            return Poll::Ready(());
        }
        core.tasks[self.of].joiners.push(cx.waker().clone());
        let on = format!("join {}", core.tasks[self.of].name);
        core.awaiting(on);
        Poll::Pending
    }
}

fn speed_of(clock: Clock) -> f64 {
    match clock {
        Clock::Virtual => 1.0,
        Clock::Real { speed } => speed,
    }
}

impl Loop {
    /// `await asyncio.sleep(ms / 1000)`.
    pub fn sleep(&self, ms: f64) -> Sleep {
        Sleep { lp: self.clone(), ms, due: None }
    }

    /// `time.sleep(ms / 1000)` inside a coroutine: a blocking call. The task keeps the loop
    /// for the whole wait; every other task waits too.
    pub fn block(&self, ms: f64) {
        let mut core = self.core.borrow_mut();
        let t = core.current;
        core.log(t, What::Block, format!("time.sleep({} ms)", ms));
        match core.clock {
            Clock::Virtual => core.base += ms,
            Clock::Real { .. } => {
                let real = core.real_ms(ms);
                drop(core);
                std::thread::sleep(std::time::Duration::from_secs_f64(real / 1000.0));
            }
        }
    }

    /// CPU work on the loop's own thread, `ms` of it: like a blocking call, nobody else runs.
    /// On the real clock it is real work ([`crunch`]), sized by the calibration.
    pub fn work(&self, ms: f64) {
        let mut core = self.core.borrow_mut();
        let t = core.current;
        core.log(t, What::Cpu, format!("{} ms of work on the loop", ms));
        match core.clock {
            Clock::Virtual => core.base += ms,
            Clock::Real { speed } => {
                let iters = (ms * self.iters_per_ms / speed) as u64;
                drop(core);
                black_box(crunch(iters));
            }
        }
    }

    /// `await loop.run_in_executor(pool, work)` with `ms` of work; answers the pool thread.
    pub fn offload(&self, ms: f64) -> Offload {
        Offload { lp: self.clone(), ms, job: None, done: Arc::default(), due: None, started: false }
    }

    /// `await loop.run_in_executor(pool, job)` with a job of the caller's (the virtual clock
    /// counts it as `ms` and does not run it).
    pub fn offload_job(&self, ms: f64, job: impl FnOnce() + Send + 'static) -> Offload {
        Offload { lp: self.clone(), ms, job: Some(Box::new(job)), done: Arc::default(), due: None, started: false }
    }

    /// `await task`.
    pub fn join(&self, of: TaskId) -> Join {
        Join { lp: self.clone(), of }
    }
}

/// The work: `iters` rounds of a xorshift generator, which no compiler can skip (the result
/// is returned and passed through `black_box`) or run in parallel (each round needs the last).
pub fn crunch(iters: u64) -> u64 {
    let mut x = black_box(0x9E37_79B9_7F4A_7C15u64);
    for _ in 0..iters {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// How many rounds of [`crunch`] one millisecond holds on this thread, measured warm. The
/// browser runs wasm on a baseline compiler first and swaps in optimised code once it is hot,
/// so the batches are timed until the fastest has not improved by 3 % for 3 batches (at
/// least 8 batches, at most about 1 s), and the fastest batch gives the rate: on a shared
/// machine noise only adds time. (Timed over the first 20 ms only, the rate came out low,
/// and "600 ms" of work took about 490 ms once optimised: the real run beat the virtual one.)
pub fn calibrate() -> f64 {
    // About 1.5 ms a batch once optimised: long against the browser's coarsened clock (5 µs
    // on an isolated page, 100 µs elsewhere).
    const BATCH: u64 = 1 << 20;
    let (mut best, mut since_best, mut batches) = (f64::INFINITY, 0, 0);
    let start = crate::clock::now_ms();
    while batches < 8 || (since_best < 3 && crate::clock::since(start) < 1000.0) {
        let t = crate::clock::now_ms();
        black_box(crunch(BATCH));
        let ms = crate::clock::since(t).max(1e-6);
        if ms < best * 0.97 {
            since_best = 0;
        } else {
            since_best += 1;
        }
        best = best.min(ms);
        batches += 1;
    }
    BATCH as f64 / best
}
