//! The loop's state apart from the futures themselves: the clock, the ready queue, the timer
//! heap, what each task is doing, and the log. The executor keeps the futures outside this
//! struct, so that a future being polled can borrow it (to set a timer, read the clock, log
//! what it waits for) while the executor holds its task.

use super::executor::TaskId;
use serde::Serialize;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};
use std::task::Waker;

/// Which clock a loop runs on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clock {
    /// Waiting costs nothing: with nothing ready, the loop jumps to the next timer. Only
    /// blocking calls and work move the clock, by exactly what they say. Runs are exact and
    /// replay the same way every time.
    Virtual,
    /// Wall-clock milliseconds ([`crate::clock::now_ms`]), with every duration divided by
    /// `speed`, so a 6.9 s program at speed 10 takes 0.69 s.
    Real { speed: f64 },
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "eventloop/"))]
    /// What happened, in the loop's log.
    pub enum What {
        /// A task was created; it is ready.
        Spawn = "spawn",
        /// The loop took the task from the ready queue and polls it.
        Run = "run",
        /// The task reached an `await` that cannot finish yet and gave the loop back.
        Await = "await",
        /// Something woke the task: it joins the ready queue.
        Ready = "ready",
        /// A timer came due.
        Timer = "timer",
        /// The task called a blocking function: the loop can do nothing else meanwhile.
        Block = "block",
        /// The task computes on the loop: nothing else runs meanwhile either.
        Cpu = "cpu",
        /// The task handed work to the thread pool (`run_in_executor`) and waits for it.
        Offload = "offload",
        /// Offloaded work came back from the pool.
        Back = "back",
        /// The task printed a line.
        Print = "print",
        /// The task finished (or was cancelled).
        Done = "done",
    }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "eventloop/"))]
    /// Where a task is.
    pub enum TaskState {
        /// Ready, not yet run.
        New = "new",
        /// It has the loop.
        Running = "running",
        /// In the ready queue, waiting for its turn.
        Ready = "ready",
        /// Suspended at an `await` until something wakes it.
        Waiting = "waiting",
        Done = "done",
    }
}

/// One entry of the loop's log. `t` is the loop's clock in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
pub struct Event {
    pub t: f64,
    pub task: String,
    pub what: What,
    pub detail: String,
}

/// A stretch of one task's lane: running, ready (scheduled) or waiting (idle).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
pub struct Span {
    pub task: String,
    pub from: f64,
    pub to: f64,
    pub state: TaskState,
}

/// One task's time, as tokio-console splits it: busy (being polled), scheduled (ready, but
/// another task has the loop) and idle (waiting at an `await`). The three add up to its life.
///
/// A task becomes ready when the loop notices its wake. The loop looks at its timers between
/// polls, as asyncio's and tokio's do, so a timer that comes due while another task holds the
/// loop (a blocking call, long work) is noticed only when that task gives the loop back: until
/// then its task is still idle, and the timer fires late.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
#[serde(rename_all = "camelCase")]
pub struct PerTask {
    pub name: String,
    pub busy_ms: f64,
    pub idle_ms: f64,
    pub scheduled_ms: f64,
}

/// A timer in the heap, as the step-through shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
pub struct TimerView {
    pub at: f64,
    pub task: String,
}

/// A task, as the step-through shows it: where it is and what it waits for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
pub struct TaskView {
    pub name: String,
    pub state: TaskState,
    pub on: String,
}

/// The whole loop at one step: after `step` events of the log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
pub struct LoopState {
    pub step: usize,
    pub t: f64,
    pub running: Option<String>,
    /// The ready queue, front first.
    pub ready: Vec<String>,
    /// The timer heap, earliest first.
    pub timers: Vec<TimerView>,
    pub tasks: Vec<TaskView>,
    /// What the tasks printed so far.
    pub output: Vec<String>,
}

/// Where to stop a run: `Never`, or right after the log's `n`-th event, keeping the state
/// there (a replay of the first `n` steps). `Every` keeps the state after every event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Halt {
    Never,
    After(usize),
    Every,
}

pub(crate) struct Timer {
    pub at: f64,
    pub seq: u64,
    pub task: Option<TaskId>,
    pub waker: Waker,
}

impl PartialEq for Timer {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Timer {}
impl PartialOrd for Timer {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
/// Earliest first; two timers due at once fire in the order they were set.
impl Ord for Timer {
    fn cmp(&self, o: &Self) -> Ordering {
        self.at.total_cmp(&o.at).then(self.seq.cmp(&o.seq))
    }
}

pub(crate) struct Record {
    pub name: String,
    pub state: TaskState,
    pub on: String,
    /// When the current state began.
    pub since: f64,
    pub busy: f64,
    pub idle: f64,
    pub scheduled: f64,
    /// In the ready queue now (a second wake adds nothing).
    pub queued: bool,
    /// Wakers of tasks that `join` this one.
    pub joiners: Vec<Waker>,
}

pub(crate) struct Core {
    pub clock: Clock,
    /// Virtual: the clock itself. Real: when the run began ([`crate::clock::now_ms`]).
    pub base: f64,
    pub ready: VecDeque<TaskId>,
    pub timers: BinaryHeap<Reverse<Timer>>,
    pub seq: u64,
    pub tasks: Vec<Record>,
    pub current: Option<TaskId>,
    pub events: Vec<Event>,
    pub spans: Vec<Span>,
    pub output: Vec<String>,
    pub halt: Halt,
    pub halted: bool,
    pub states: Vec<LoopState>,
    /// Timer lateness on the real clock: how long after its deadline each timer fired, in
    /// real milliseconds.
    pub late: Vec<f64>,
    /// Offloaded jobs not back yet (real clock): the loop waits for them even with no timer.
    pub offloads_out: usize,
    /// When each worker of the virtual pool is free again (virtual clock).
    pub pool_free: Vec<f64>,
    /// The pool threads that did offloaded work (real clock: rayon's thread indices).
    pub pool_threads: std::collections::BTreeSet<usize>,
}

/// Workers of the virtual pool that offloaded work runs on, on the virtual clock.
pub const VIRTUAL_POOL: usize = 4;

impl Core {
    pub fn new(clock: Clock, halt: Halt) -> Core {
        let base = match clock {
            Clock::Virtual => 0.0,
            Clock::Real { .. } => crate::clock::now_ms(),
        };
        let mut core = Core {
            clock,
            base,
            ready: VecDeque::new(),
            timers: BinaryHeap::new(),
            seq: 0,
            tasks: Vec::new(),
            current: None,
            events: Vec::new(),
            spans: Vec::new(),
            output: Vec::new(),
            halt,
            halted: false,
            states: Vec::new(),
            late: Vec::new(),
            offloads_out: 0,
            pool_free: vec![0.0; VIRTUAL_POOL],
            pool_threads: Default::default(),
        };
        if halt == Halt::Every || halt == Halt::After(0) {
            core.keep_state();
            core.halted = halt == Halt::After(0);
        }
        core
    }

    /// The loop's time in milliseconds since it started (on the real clock, multiplied back by
    /// the speed, so that both clocks read in the program's own milliseconds).
    pub fn now(&self) -> f64 {
        match self.clock {
            Clock::Virtual => self.base,
            Clock::Real { speed } => (crate::clock::now_ms() - self.base) * speed,
        }
    }

    /// A program's milliseconds as real ones.
    pub fn real_ms(&self, ms: f64) -> f64 {
        match self.clock {
            Clock::Virtual => 0.0,
            Clock::Real { speed } => ms / speed,
        }
    }

    pub fn log(&mut self, task: Option<TaskId>, what: What, detail: String) {
        let name = task.map_or_else(|| "loop".to_string(), |t| self.tasks[t].name.clone());
        if what == What::Print {
            self.output.push(detail.clone());
        }
        self.events.push(Event { t: self.now(), task: name, what, detail });
        match self.halt {
            Halt::Every => self.keep_state(),
            Halt::After(n) if n == self.events.len() => {
                self.keep_state();
                self.halted = true;
            }
            _ => {}
        }
    }

    /// Moves task `t` into `state` now, closing the span of its previous state and adding
    /// that span's length to its busy, idle or scheduled time.
    pub fn enter(&mut self, t: TaskId, state: TaskState) {
        let now = self.now();
        let r = &mut self.tasks[t];
        let len = now - r.since;
        match r.state {
            TaskState::Running => r.busy += len,
            TaskState::Waiting => r.idle += len,
            TaskState::Ready | TaskState::New => r.scheduled += len,
            TaskState::Done => {}
        }
        if len > 0.0 && r.state != TaskState::Done {
            let shown = if r.state == TaskState::New { TaskState::Ready } else { r.state };
            self.spans.push(Span { task: r.name.clone(), from: r.since, to: now, state: shown });
        }
        r.state = state;
        r.since = now;
    }

    /// Sets a timer: `waker` is woken once the clock reaches `at`.
    pub fn add_timer(&mut self, at: f64, task: Option<TaskId>, waker: Waker) {
        self.seq += 1;
        self.timers.push(Reverse(Timer { at, seq: self.seq, task, waker }));
    }

    /// The current task says what it waits for, as it gives the loop back.
    pub fn awaiting(&mut self, on: String) {
        if let Some(t) = self.current {
            self.tasks[t].on = on.clone();
            self.log(Some(t), What::Await, on);
        }
    }

    fn keep_state(&mut self) {
        let name = |t: &TaskId| self.tasks[*t].name.clone();
        let mut timers: Vec<&Timer> = self.timers.iter().map(|r| &r.0).collect();
        timers.sort();
        let state = LoopState {
            step: self.events.len(),
            t: self.now(),
            running: self.current.map(|t| name(&t)),
            ready: self.ready.iter().map(name).collect(),
            timers: timers.iter().map(|tm| TimerView { at: tm.at, task: tm.task.map_or_else(|| "loop".into(), |t| name(&t)) }).collect(),
            tasks: self.tasks.iter().map(|r| TaskView { name: r.name.clone(), state: r.state, on: r.on.clone() }).collect(),
            output: self.output.clone(),
        };
        self.states.push(state);
    }

    pub fn per_task(&self) -> Vec<PerTask> {
        self.tasks.iter().map(|r| PerTask { name: r.name.clone(), busy_ms: r.busy, idle_ms: r.idle, scheduled_ms: r.scheduled }).collect()
    }
}
