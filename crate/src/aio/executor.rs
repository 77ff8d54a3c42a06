//! The event loop itself: tasks, the ready queue, timers, and the loop that runs them.

use super::core::{Clock, Core, Halt, LoopState, Record, TaskState, What};
use crate::sync::{Arc, Condvar, Mutex, PoisonError};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Wake, Waker};
use std::time::Duration;

pub type TaskId = usize;

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// The part of the loop that other threads may touch: a wake from a pool thread (offloaded
/// work that finished) lands here, and the condition variable rouses a loop that waits for
/// its next timer. Wakes from the loop's own thread take the same path, so every wake is one
/// kind of thing.
#[derive(Default)]
struct Woken {
    tasks: Mutex<Vec<TaskId>>,
    changed: Condvar,
}

/// A task's waker: waking it puts its id on the loop's list of woken tasks.
struct TaskWaker {
    task: TaskId,
    woken: Arc<Woken>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.tasks.lock().unwrap_or_else(PoisonError::into_inner).push(self.task);
        self.woken.changed.notify_one();
    }
}

/// What a task holds to talk to its loop (Python's `asyncio.get_running_loop()`). Cloning it
/// is cheap; it lives on the loop's thread only.
#[derive(Clone)]
pub struct Loop {
    pub(crate) core: Rc<RefCell<Core>>,
    spawned: Rc<RefCell<Vec<(TaskId, Task)>>>,
    cancelled: Rc<RefCell<Vec<TaskId>>>,
    woken: Arc<Woken>,
    /// How much of [`super::futures::crunch`] is one millisecond of work here (real clock).
    pub(crate) iters_per_ms: f64,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// Every task finished.
    All,
    /// Stopped where [`Halt::After`] said.
    Halted,
    /// Tasks still wait, but nothing can wake them: no task is ready and no timer is set.
    Stuck,
    /// The caller asked it to stop.
    Cancelled,
    /// The log passed [`MAX_EVENTS`]: a program that would run for ever is stopped.
    TooLong,
}

/// A run stops after this many events, whatever the program does.
pub const MAX_EVENTS: usize = 50_000;

/// The event loop: it owns the tasks and runs them one at a time.
pub struct Executor {
    handle: Loop,
    tasks: Vec<Option<Task>>,
    wakers: Vec<Waker>,
}

impl Executor {
    /// A loop on `clock`, stopping where `halt` says. `iters_per_ms` sizes work on the real
    /// clock ([`super::futures::calibrate`]); the virtual clock ignores it.
    pub fn new(clock: Clock, halt: Halt, iters_per_ms: f64) -> Executor {
        let handle = Loop {
            core: Rc::new(RefCell::new(Core::new(clock, halt))),
            spawned: Rc::default(),
            cancelled: Rc::default(),
            woken: Arc::default(),
            iters_per_ms,
        };
        Executor { handle, tasks: Vec::new(), wakers: Vec::new() }
    }

    /// The handle that tasks use.
    pub fn handle(&self) -> Loop {
        self.handle.clone()
    }

    /// Runs until every task is done, the halt point is reached, or `stop(lines)` says so
    /// (`lines`: how many lines the program has printed, for a progress bar).
    pub fn run(&mut self, stop: &dyn Fn(usize) -> bool) -> Finished {
        loop {
            self.take_spawned();
            self.take_cancelled();
            self.fire_timers();
            self.take_woken();
            let core = self.handle.core.borrow();
            if core.halted {
                return Finished::Halted;
            }
            if core.events.len() > MAX_EVENTS {
                return Finished::TooLong;
            }
            let next = core.ready.front().copied();
            let all_done = core.tasks.iter().all(|r| r.state == TaskState::Done);
            let lines = core.output.len();
            drop(core);
            if stop(lines) {
                return Finished::Cancelled;
            }
            if let Some(t) = next {
                self.poll(t);
            } else if all_done {
                return Finished::All;
            } else if !self.wait() {
                return Finished::Stuck;
            }
        }
    }

    /// Takes task `t` from the front of the ready queue and polls it once: it runs until it
    /// finishes or awaits something that is not ready. Nothing else runs meanwhile.
    fn poll(&mut self, t: TaskId) {
        {
            let mut core = self.handle.core.borrow_mut();
            core.ready.pop_front();
            core.tasks[t].queued = false;
            core.current = Some(t);
            core.enter(t, TaskState::Running);
            core.log(Some(t), What::Run, String::new());
        }
        let waker = self.wakers[t].clone();
        let mut cx = Context::from_waker(&waker);
        let finished = match self.tasks[t].as_mut() {
            Some(task) => task.as_mut().poll(&mut cx).is_ready(),
            None => true,
        };
        let mut core = self.handle.core.borrow_mut();
        core.current = None;
        if finished {
            self.tasks[t] = None;
            finish(&mut core, t, String::new());
        } else {
            core.enter(t, TaskState::Waiting);
        }
    }

    /// Tasks spawned during the last poll get their futures and wakers.
    fn take_spawned(&mut self) {
        for (id, task) in self.handle.spawned.borrow_mut().drain(..) {
            debug_assert_eq!(id, self.tasks.len());
            self.tasks.push(Some(task));
            self.wakers.push(Waker::from(Arc::new(TaskWaker { task: id, woken: self.handle.woken.clone() })));
        }
    }

    /// Drops the futures of cancelled tasks: they never run again.
    fn take_cancelled(&mut self) {
        let ids: Vec<TaskId> = self.handle.cancelled.borrow_mut().drain(..).collect();
        for t in ids {
            let mut core = self.handle.core.borrow_mut();
            if core.tasks[t].state == TaskState::Done {
                continue;
            }
            self.tasks[t] = None;
            core.ready.retain(|&r| r != t);
            core.tasks[t].queued = false;
            finish(&mut core, t, "cancelled".into());
        }
    }

    /// Wakes the tasks of every timer that is due.
    fn fire_timers(&mut self) {
        let mut core = self.handle.core.borrow_mut();
        let now = core.now();
        while core.timers.peek().is_some_and(|r| r.0.at <= now) {
            let timer = core.timers.pop().expect("peeked").0;
            if let Clock::Real { speed } = core.clock {
                core.late.push((now - timer.at) / speed);
            }
            core.log(timer.task, What::Timer, format!("due at {} ms", timer.at));
            timer.waker.wake();
        }
    }

    /// Woken tasks join the back of the ready queue, each once.
    fn take_woken(&mut self) {
        let ids: Vec<TaskId> = std::mem::take(&mut *self.handle.woken.tasks.lock().unwrap_or_else(PoisonError::into_inner));
        let mut core = self.handle.core.borrow_mut();
        for t in ids {
            let r = &core.tasks[t];
            if r.queued || r.state == TaskState::Done {
                continue;
            }
            core.tasks[t].queued = true;
            core.tasks[t].on.clear();
            core.enter(t, TaskState::Ready);
            core.ready.push_back(t);
            core.log(Some(t), What::Ready, String::new());
        }
    }

    /// Nothing is ready: wait for the next timer. The virtual clock jumps to it; the real
    /// clock sleeps until it is due or another thread wakes a task. False when there is
    /// nothing to wait for.
    fn wait(&mut self) -> bool {
        let mut core = self.handle.core.borrow_mut();
        let next = core.timers.peek().map(|r| r.0.at);
        match core.clock {
            Clock::Virtual => match next {
                Some(at) => {
                    core.base = core.base.max(at);
                    true
                }
                None => false,
            },
            Clock::Real { .. } => {
                let offloads = core.offloads_out > 0;
                if next.is_none() && !offloads {
                    return false;
                }
                // A nap of at most 20 ms, so that a cancel is seen soon.
                let left = next.map_or(20.0, |at| core.real_ms(at - core.now()).min(20.0));
                drop(core);
                let woken = self.handle.woken.tasks.lock().unwrap_or_else(PoisonError::into_inner);
                if woken.is_empty() && left > 0.0 {
                    drop(self.handle.woken.changed.wait_timeout(woken, Duration::from_secs_f64(left / 1000.0)));
                }
                true
            }
        }
    }

    /// The loop's state after the run, for the summary.
    pub(crate) fn core(&self) -> std::cell::Ref<'_, Core> {
        self.handle.core.borrow()
    }

    /// The states kept by [`Halt::After`] or [`Halt::Every`].
    pub fn states(&self) -> Vec<LoopState> {
        self.handle.core.borrow().states.clone()
    }
}

/// Marks task `t` done and wakes whoever joins it.
fn finish(core: &mut Core, t: TaskId, why: String) {
    core.enter(t, TaskState::Done);
    core.tasks[t].on.clear();
    for w in std::mem::take(&mut core.tasks[t].joiners) {
        w.wake();
    }
    core.log(Some(t), What::Done, why);
}

impl Loop {
    /// Creates a task (`asyncio.create_task`): it joins the back of the ready queue.
    pub fn spawn(&self, name: &str, task: impl Future<Output = ()> + 'static) -> TaskId {
        let mut core = self.core.borrow_mut();
        let id = core.tasks.len();
        let now = core.now();
        core.tasks.push(Record {
            name: name.to_string(),
            state: TaskState::New,
            on: String::new(),
            since: now,
            busy: 0.0,
            idle: 0.0,
            scheduled: 0.0,
            queued: true,
            joiners: Vec::new(),
        });
        core.ready.push_back(id);
        self.spawned.borrow_mut().push((id, Box::pin(task)));
        let by = core.current;
        core.log(by, What::Spawn, name.to_string());
        id
    }

    /// Cancels task `t` (`task.cancel()`): it is dropped at its current `await` and never
    /// runs again.
    pub fn cancel(&self, t: TaskId) {
        self.cancelled.borrow_mut().push(t);
    }

    /// The loop's clock, in the program's milliseconds.
    pub fn now(&self) -> f64 {
        self.core.borrow().now()
    }

    /// A line of the program's output.
    pub fn print(&self, line: String) {
        let mut core = self.core.borrow_mut();
        let t = core.current;
        core.log(t, What::Print, line);
    }

    /// The name of task `t`.
    pub fn name(&self, t: TaskId) -> String {
        self.core.borrow().tasks[t].name.clone()
    }
}
