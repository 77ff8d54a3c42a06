//! Why a [`Queue`](super::Queue) call returned without doing what it was asked: the
//! errors of `put`, `get` and `task_done`, named as in Python's `queue` module.

use std::fmt;

/// Why `put` handed its item back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PutError<T> {
    /// No free slot: right away (`block = false`) or within the timeout.
    Full(T),
    /// The queue was shut down.
    ShutDown(T),
}

impl<T> PutError<T> {
    /// The item that was not put.
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(item) | PutError::ShutDown(item) => item,
        }
    }

    pub fn is_full(&self) -> bool {
        matches!(self, PutError::Full(_))
    }

    pub fn is_shutdown(&self) -> bool {
        matches!(self, PutError::ShutDown(_))
    }
}

// Like crossbeam's `TrySendError`: no `T: Debug` needed to unwrap a `Result` of a put.
impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("Full(..)"),
            PutError::ShutDown(_) => f.write_str("ShutDown(..)"),
        }
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PutError::Full(_) => {
                "the queue is full: it holds at most maxsize items, and put waits for a free \
                 slot only with block = true, up to its timeout"
            }
            PutError::ShutDown(_) => "the queue is shut down: put is allowed only before shutdown",
        })
    }
}

impl<T> std::error::Error for PutError<T> {}

/// Why `get` returned no item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetError {
    /// No item: right away (`block = false`) or within the timeout.
    Empty,
    /// The queue was shut down and has no items left.
    ShutDown,
}

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GetError::Empty => {
                "the queue is empty: get waits for an item only with block = true, up to its \
                 timeout"
            }
            GetError::ShutDown => {
                "the queue is shut down and empty: after shutdown, get only takes the items \
                 already in it"
            }
        })
    }
}

impl std::error::Error for GetError {}

/// `task_done` was called more times than items were put.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "task_done called more times than items were put: each put allows one task_done",
        )
    }
}

impl std::error::Error for TaskDoneError {}
