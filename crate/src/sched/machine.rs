//! The machine that runs a [`Program`] one chosen step at a time: its state, which threads
//! may step, and what a step does. No threads, no clock: the caller (a learner clicking a
//! lane, a seeded random scheduler, an explorer) picks the thread of every step.
//!
//! The machine records the [`Trace`] of the threads it was told to step, so that any state
//! can be rebuilt from (program, trace); [`Machine::undo`] does exactly that.

use super::event::{Action, Event};
use super::instr::{print_parts, Instr, Operand, Part};
use super::program::{Program, ThreadId};
use super::trace::{replay, Trace};
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use crate::sync::Arc;

/// Where a thread is in its life. Whether an `Active` thread is blocked depends on the other
/// threads (see [`Machine::block_reason`]), so it is computed, not stored.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ThreadStatus {
    /// Its next step is the instruction at `pc` (which may be blocked right now).
    Active,
    /// Inside `wait` on `cond` (at `pc`), not yet notified: it cannot step.
    Waiting { cond: String },
    /// Notified; its next step takes `lock` back, then it goes on after the `wait`.
    Reacquiring { lock: String },
    /// Ran off the end of its steps (locks it still holds stay held).
    Finished,
    /// Stopped by an error (locks it still holds stay held).
    Failed { message: String },
}

impl ThreadStatus {
    pub fn is_over(&self) -> bool {
        matches!(self, ThreadStatus::Finished | ThreadStatus::Failed { .. })
    }
}

/// One thread's registers.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ThreadState {
    pub pc: usize,
    pub locals: BTreeMap<String, i64>,
    #[serde(flatten)]
    pub status: ThreadStatus,
}

/// A line of the shared output, and who printed it.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Line {
    pub thread: ThreadId,
    pub text: String,
}

/// Everything that can differ between two runs of one program. Two machines with equal
/// states behave the same from here on (output included, which an explorer that merges
/// states may want to leave out of its key).
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct State {
    pub vars: BTreeMap<String, i64>,
    /// Each lock's owner; `None` when free.
    pub locks: BTreeMap<String, Option<ThreadId>>,
    /// Each queue's items, oldest first.
    #[cfg_attr(test, ts(as = "BTreeMap<String, Vec<i64>>"))]
    pub queues: BTreeMap<String, VecDeque<i64>>,
    /// Each condition's sleeping threads, longest waiting first.
    #[cfg_attr(test, ts(as = "BTreeMap<String, Vec<ThreadId>>"))]
    pub waiters: BTreeMap<String, VecDeque<ThreadId>>,
    pub threads: Vec<ThreadState>,
    pub output: Vec<Line>,
}

/// Where the whole run is.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Some thread can step.
    Running,
    /// Every thread has finished (or failed).
    Done,
    /// Some threads have not finished, and none can step.
    Deadlocked,
}

/// Why a thread could not be stepped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    NoSuchThread { thread: ThreadId, threads: usize, runnable: Vec<String> },
    Over { name: String, failed: bool, runnable: Vec<String> },
    Blocked { why: String, runnable: Vec<String> },
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let runnable = match self {
            StepError::NoSuchThread { thread, threads, runnable } => {
                write!(f, "there is no thread {thread}; threads are numbered 0 to {}", threads - 1)?;
                runnable
            }
            StepError::Over { name, failed: false, runnable } => {
                write!(f, "thread {name} has finished")?;
                runnable
            }
            StepError::Over { name, failed: true, runnable } => {
                write!(f, "thread {name} has stopped after an error")?;
                runnable
            }
            StepError::Blocked { why, runnable } => {
                write!(f, "{why}")?;
                runnable
            }
        };
        if runnable.is_empty() {
            write!(f, "; no thread can step now")
        } else {
            write!(f, "; the threads that can step are {}", runnable.join(", "))
        }
    }
}

impl std::error::Error for StepError {}

/// A program being run. Cloning is cheap enough for an explorer (the program is shared).
#[derive(Debug, Clone)]
#[cfg_attr(test, derive(ts_rs::TS), ts(as = "View<'static>"))]
pub struct Machine {
    program: Arc<Program>,
    state: State,
    trace: Trace,
}

impl Machine {
    /// The start state: shared variables at their initial values, every lock free, every
    /// queue empty, every thread at step 0 (a thread with no steps has already finished).
    pub fn new(program: impl Into<Arc<Program>>) -> Machine {
        let program = program.into();
        let state = State {
            vars: program.vars.iter().map(|v| (v.name.clone(), v.init)).collect(),
            locks: program.locks.iter().map(|l| (l.clone(), None)).collect(),
            queues: program.queues.iter().map(|q| (q.name.clone(), VecDeque::new())).collect(),
            waiters: program.conds.iter().map(|c| (c.name.clone(), VecDeque::new())).collect(),
            threads: program
                .threads
                .iter()
                .map(|t| ThreadState {
                    pc: 0,
                    locals: t.locals.iter().map(|l| (l.name.clone(), l.init)).collect(),
                    status: if t.steps.is_empty() { ThreadStatus::Finished } else { ThreadStatus::Active },
                })
                .collect(),
            output: Vec::new(),
        };
        Machine { program, state, trace: Trace::default() }
    }

    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// The threads stepped so far, in order.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The value of shared variable `name` (panics if the program has none by that name).
    pub fn var(&self, name: &str) -> i64 {
        self.state.vars[name]
    }

    /// The threads whose next step can execute now, in id order.
    pub fn runnable(&self) -> Vec<ThreadId> {
        (0..self.state.threads.len()).filter(|&t| self.can_step(t)).collect()
    }

    pub fn can_step(&self, tid: ThreadId) -> bool {
        self.state.threads.get(tid).is_some_and(|t| !t.status.is_over()) && self.block_reason(tid).is_none()
    }

    /// Every thread has finished or failed.
    pub fn is_done(&self) -> bool {
        self.state.threads.iter().all(|t| t.status.is_over())
    }

    /// Some thread has not finished, and no thread can step: nothing will ever change.
    pub fn is_deadlocked(&self) -> bool {
        !self.is_done() && self.runnable().is_empty()
    }

    pub fn status(&self) -> RunStatus {
        if self.is_done() {
            RunStatus::Done
        } else if self.runnable().is_empty() {
            RunStatus::Deadlocked
        } else {
            RunStatus::Running
        }
    }

    /// Rebuilds the state before the last step (by replaying the trace without it) and
    /// returns the thread of the undone step; `None` at the start.
    pub fn undo(&mut self) -> Option<ThreadId> {
        let mut shorter = self.trace.clone();
        let last = shorter.pop()?;
        // A prefix of a trace that ran is a trace that runs: every step is deterministic.
        *self = replay(&self.program, &shorter).expect("a prefix of a valid trace replays");
        Some(last)
    }

    /// Runs the next step of thread `tid`.
    pub fn step(&mut self, tid: ThreadId) -> Result<Event, StepError> {
        if !self.can_step(tid) {
            return Err(self.step_error(tid));
        }
        let pc = self.state.threads[tid].pc;
        let action = self.execute(tid);
        let thread = &mut self.state.threads[tid];
        if thread.status == ThreadStatus::Active && thread.pc == self.program.threads[tid].steps.len() {
            thread.status = ThreadStatus::Finished;
        }
        let event = Event { step: self.trace.len(), thread: tid, pc, action, finished: thread.status.is_over() };
        self.trace.push(tid);
        Ok(event)
    }

    fn step_error(&self, tid: ThreadId) -> StepError {
        let runnable = self.runnable().into_iter().map(|t| format!("{t} ({})", self.program.thread_name(t))).collect();
        match self.state.threads.get(tid) {
            None => StepError::NoSuchThread { thread: tid, threads: self.state.threads.len(), runnable },
            Some(t) if t.status.is_over() => StepError::Over {
                name: self.program.thread_name(tid).to_string(),
                failed: matches!(t.status, ThreadStatus::Failed { .. }),
                runnable,
            },
            Some(_) => {
                let reason = self.block_reason(tid).expect("a live thread that cannot step is blocked");
                StepError::Blocked { why: self.explain(tid, &reason), runnable }
            }
        }
    }
}

/// The page's picture of a machine: where the run is, what can step, who waits for whom.
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "MachineView"))]
#[derive(Serialize)]
pub(crate) struct View<'a> {
    status: RunStatus,
    steps: usize,
    trace: String,
    runnable: Vec<ThreadId>,
    blocked: Vec<super::Blocked>,
    /// `[lock, owner]` pairs: locks held by threads that have ended.
    leaked: Vec<(String, ThreadId)>,
    #[serde(flatten)]
    state: &'a State,
}

/// In JSON a machine is its state plus `status`, `steps`, `trace` (the URL encoding),
/// `runnable`, `blocked` and `leaked`; the program is sent once, separately.
impl Serialize for Machine {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        View {
            status: self.status(),
            steps: self.trace.len(),
            trace: self.trace.to_string(),
            runnable: self.runnable(),
            blocked: self.blocked(),
            leaked: self.leaked_locks(),
            state: &self.state,
        }
        .serialize(s)
    }
}

/// A one-line summary for tests and logs:
/// `counter=1 lock=A q=[1,2] | A@3 tmp=1 | B done tmp=1 | C@2 waits c`.
impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |t: ThreadId| self.program.thread_name(t);
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.program.vars.iter().map(|v| format!("{}={}", v.name, self.state.vars[&v.name])));
        parts.extend(self.program.locks.iter().map(|l| match self.state.locks[l] {
            Some(owner) => format!("{l}={}", name(owner)),
            None => format!("{l}=free"),
        }));
        parts.extend(self.program.queues.iter().map(|q| {
            let items: Vec<String> = self.state.queues[&q.name].iter().map(|v| v.to_string()).collect();
            format!("{}=[{}]", q.name, items.join(","))
        }));
        let mut text = parts.join(" ");
        for (tid, t) in self.state.threads.iter().enumerate() {
            let status = match &t.status {
                ThreadStatus::Active => format!("@{}", t.pc),
                ThreadStatus::Waiting { cond } => format!("@{} waits {cond}", t.pc),
                ThreadStatus::Reacquiring { .. } => format!("@{} woken", t.pc),
                ThreadStatus::Finished => " done".to_string(),
                ThreadStatus::Failed { .. } => " failed".to_string(),
            };
            let locals: String = self.program.threads[tid].locals.iter().map(|l| format!(" {}={}", l.name, t.locals[&l.name])).collect();
            if !text.is_empty() {
                text.push_str(" | ");
            }
            text.push_str(&format!("{}{status}{locals}", name(tid)));
        }
        f.write_str(&text)
    }
}

// What each instruction does to the state, in a file of its own.
#[path = "execute.rs"]
mod execute;

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
