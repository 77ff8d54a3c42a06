//! What one step did: the [`Event`] that [`Machine::step`](super::Machine::step) returns, for
//! the page's log and for tests.

use super::program::ThreadId;
use serde::Serialize;

/// One executed step.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// The index of this step in the trace (0 for the first step of a run).
    pub step: usize,
    pub thread: ThreadId,
    /// The instruction that ran (for a wake-up from `wait`, the `wait` itself).
    pub pc: usize,
    pub action: Action,
    /// True when this step ended the thread (it ran off its end, or failed).
    pub finished: bool,
}

/// What the instruction did, with the values it saw. In JSON: `{"kind": "read", ...}`.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Copied shared `var`, whose value was `value`, into a local.
    Read { var: String, value: i64 },
    Wrote { var: String, value: i64 },
    /// A compare-and-swap saw `seen` in `var`, and `swapped` says whether it stored.
    Cas { var: String, seen: i64, swapped: bool },
    /// A local became `value`.
    Added { local: String, value: i64 },
    Locked { lock: String },
    Unlocked { lock: String },
    /// A `try_lock` found the lock held by `owner` and jumped.
    LockBusy { lock: String, owner: ThreadId },
    Put { queue: String, value: i64 },
    Got { queue: String, value: i64 },
    /// A `try_get` found the queue empty and jumped.
    QueueEmpty { queue: String },
    /// An `empty()` check saw `size` items in `queue` (and stored 1 for none, else 0).
    Checked { queue: String, size: usize },
    /// Released `released` and went to sleep on `cond`.
    Waiting { cond: String, released: String },
    /// Woken from a wait, took the condition's lock back.
    Reacquired { lock: String },
    /// The threads this notify woke (empty: the notify was lost).
    Notified { cond: String, woken: Vec<ThreadId> },
    Printed { text: String },
    /// A jump; `taken` is false when a conditional jump fell through to the next step.
    Jumped { taken: bool, to: usize },
    /// The step was an error (releasing a lock the thread does not hold, waiting without the
    /// lock, overflow); the thread stops here and keeps any locks it holds.
    Failed { message: String },
}
