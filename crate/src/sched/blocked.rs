//! Why a thread cannot take its next step, and whom it waits for: the one place that decides
//! which threads are runnable, and the edges of the page's wait-for picture.

use super::machine::{Machine, ThreadStatus};
use super::program::ThreadId;
use super::Instr;
use serde::Serialize;

/// What a blocked thread waits for.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlockReason {
    /// It wants `lock` (to take it, or to take it back after a wait); `owner` holds it.
    Lock { lock: String, owner: ThreadId },
    /// Its `get` waits for an item.
    QueueEmpty { queue: String },
    /// Its `put` waits for room.
    QueueFull { queue: String, capacity: usize },
    /// It sleeps in `wait` until some thread notifies `cond`.
    Condition { cond: String },
}

/// A blocked thread, for the page: the reason, the thread it waits for (a wait-for edge,
/// when one thread is to blame), and a sentence.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocked {
    pub thread: ThreadId,
    pub reason: BlockReason,
    pub waits_for: Option<ThreadId>,
    pub message: String,
}

impl Machine {
    /// Why `tid` cannot step now; `None` when it can, or when it has finished.
    pub fn block_reason(&self, tid: ThreadId) -> Option<BlockReason> {
        let state = self.state();
        let thread = state.threads.get(tid)?;
        let lock_reason = |lock: &str| {
            state.locks[lock].map(|owner| BlockReason::Lock { lock: lock.to_string(), owner })
        };
        match &thread.status {
            ThreadStatus::Finished | ThreadStatus::Failed { .. } => None,
            ThreadStatus::Waiting { cond } => Some(BlockReason::Condition { cond: cond.clone() }),
            ThreadStatus::Reacquiring { lock } => lock_reason(lock),
            ThreadStatus::Active => match &self.program().threads[tid].steps[thread.pc] {
                Instr::Lock { lock } => lock_reason(lock),
                Instr::Get { queue, .. } if state.queues[queue].is_empty() => {
                    Some(BlockReason::QueueEmpty { queue: queue.clone() })
                }
                Instr::Put { queue, .. } => match self.program().capacity(queue) {
                    Some(capacity) if state.queues[queue].len() >= capacity => {
                        Some(BlockReason::QueueFull { queue: queue.clone(), capacity })
                    }
                    _ => None,
                },
                _ => None,
            },
        }
    }

    /// Every thread that is alive but cannot step, with the reason in words.
    pub fn blocked(&self) -> Vec<Blocked> {
        (0..self.state().threads.len())
            .filter_map(|tid| {
                let reason = self.block_reason(tid)?;
                let waits_for = match reason {
                    BlockReason::Lock { owner, .. } => Some(owner),
                    _ => None,
                };
                let message = self.explain(tid, &reason);
                Some(Blocked { thread: tid, reason, waits_for, message })
            })
            .collect()
    }

    /// Locks held by threads that have finished or failed: nobody can ever release them
    /// (the book's chapter 4 leak). Pairs of (lock, owner), in lock-name order.
    pub fn leaked_locks(&self) -> Vec<(String, ThreadId)> {
        self.state()
            .locks
            .iter()
            .filter_map(|(lock, owner)| owner.map(|o| (lock.clone(), o)))
            .filter(|(_, owner)| self.state().threads[*owner].status.is_over())
            .collect()
    }

    /// "B waits for lock \"lock\", held by A, which has finished without releasing it".
    pub(super) fn explain(&self, tid: ThreadId, reason: &BlockReason) -> String {
        let name = |t: ThreadId| self.program().thread_name(t).to_string();
        let me = name(tid);
        match reason {
            BlockReason::Lock { lock, owner } => {
                let want = match self.state().threads[tid].status {
                    ThreadStatus::Reacquiring { .. } => "to take back",
                    _ => "for",
                };
                let held = if *owner == tid {
                    "which it holds itself (a lock is not reentrant, so it waits forever)".to_string()
                } else {
                    let who = name(*owner);
                    match self.state().threads[*owner].status {
                        ThreadStatus::Finished => {
                            format!("held by {who}, which has finished without releasing it")
                        }
                        ThreadStatus::Failed { .. } => {
                            format!("held by {who}, which failed without releasing it")
                        }
                        _ => format!("held by {who}"),
                    }
                };
                format!("{me} waits {want} lock \"{lock}\", {held}")
            }
            BlockReason::QueueEmpty { queue } => {
                format!("{me} waits for an item in queue \"{queue}\", which is empty")
            }
            BlockReason::QueueFull { queue, capacity } => {
                format!("{me} waits for room in queue \"{queue}\", which is full ({capacity} of {capacity})")
            }
            BlockReason::Condition { cond } => {
                format!("{me} sleeps on condition \"{cond}\" until another thread notifies it")
            }
        }
    }
}
