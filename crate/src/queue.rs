//! A blocking, optionally bounded queue with the semantics of Python's `queue` module: the
//! queue of the chapter 3-4 demos (producers, consumers, `task_done` and `join`).
//!
//! The algorithm is CPython's `Lib/queue.py` (3.13), step for step: one mutex guards the items,
//! the count of unfinished tasks and the shutdown flag, and three condition variables share it:
//! - `not_empty`: each put wakes one waiting getter;
//! - `not_full`: each get wakes one waiting putter (putters wait while `qsize >= maxsize`);
//! - `all_tasks_done`: wakes every `join` when the count of unfinished tasks reaches zero.
//!
//! Every wait sits in a loop that re-checks its condition before looking at the deadline, so a
//! spurious wakeup, or an item another thread took first, only means waiting again.
//!
//! Not in CPython: [`Queue::waiters`] counts the threads asleep in `get`, `put` and `join`, so
//! that a test (or a live view) can know that a thread has blocked instead of hoping it has.
//!
//! From Python to here:
//! - `Queue(n)`, `LifoQueue(n)`, `PriorityQueue(n)`: `Queue::new(Order::Fifo | Lifo | Priority, n)`
//! - `maxsize <= 0`, infinite: `maxsize == 0`, unbounded;
//! - `put` raises `Full`: `Err(PutError::Full(item))`, which hands the item back;
//! - `get` raises `Empty`: `Err(GetError::Empty)`;
//! - `task_done` raises `ValueError`: `Err(TaskDoneError)`;
//! - `ShutDown` (3.13): `PutError::ShutDown(item)` and `GetError::ShutDown`;
//! - a negative `timeout` raises `ValueError`: cannot be written, a `Duration` is never negative.
//!
//! As in Python, `block = false` ignores `timeout`, and `block = true` with a zero timeout
//! gives up at once when it cannot proceed. Deadlines are read from [`crate::clock::now_ms`]
//! (`Instant` panics on wasm32); waits are `Condvar::wait_timeout`, which needs no clock.
//!
//! Design: `Queue<T>` asks nothing of `T`. Only the priority flavour needs `T: Ord` (it pops
//! the smallest item first, like `heapq`, so `(priority, data)` tuples work as in Python), and
//! only its constructors ask for it: [`Queue::new`] (any order) and [`Queue::priority`];
//! [`Queue::fifo`] and [`Queue::lifo`] take any `T`. The priority heap is std's
//! `BinaryHeap<Reverse<T>>`; its constructor, where `T: Ord` is known, stores the heap's push
//! and pop as plain function pointers, so `put` and `get` need no bound. Equal items leave in
//! no particular order, as with `heapq`: add a sequence number to the tuple for ties.
//! The queue is generic on purpose: what a demo wants to show about an item (who made it,
//! when) travels inside `T`, not in the queue.
//!
//! Blocking calls park the thread: in the browser they run on workers only, never on the
//! page's main thread (see [`crate::sync`]).
//!
//! The Python documentation's worker example, in Rust (it runs as the unit test
//! `the_python_docs_worker_example`; doctests cannot link on the threaded wasm target):
//!
//! ```ignore
//! use playground::queue::Queue;
//! let q = Queue::fifo(0);
//! std::thread::scope(|s| {
//!     s.spawn(|| {
//!         while let Ok(item) = q.get(true, None) {
//!             let _work = item * 2;
//!             q.task_done().unwrap();
//!         }
//!     });
//!     for item in 0..30 {
//!         q.put(item, true, None).unwrap();
//!     }
//!     q.join(); // block until all tasks are done
//!     q.shutdown(false); // the worker's next get fails with ShutDown, and it ends
//! });
//! ```

use crate::clock;
use crate::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Duration;

/// Which item `get` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Order {
    /// The oldest (`queue.Queue`).
    Fifo,
    /// The newest, like a stack (`queue.LifoQueue`).
    Lifo,
    /// The smallest (`queue.PriorityQueue`).
    Priority,
}

pub struct Queue<T> {
    order: Order,
    /// 0 = unbounded.
    maxsize: usize,
    state: Mutex<State<T>>,
    not_empty: Condvar,
    not_full: Condvar,
    all_tasks_done: Condvar,
}

type Guard<'a, T> = MutexGuard<'a, State<T>>;

struct State<T> {
    items: Items<T>,
    /// Items put and not yet marked done with `task_done`.
    unfinished_tasks: usize,
    is_shutdown: bool,
    waiters: Waiters,
}

/// Threads blocked inside the queue: counted from the moment a call decides to wait (under the
/// queue's lock, which the wait then releases) until it has woken and taken the lock back. A
/// thread counted here will see, when it re-checks, every change made after it was counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiters {
    /// In `get`, waiting for an item.
    pub getters: usize,
    /// In `put`, waiting for a free slot.
    pub putters: usize,
    /// In `join`, waiting for the last `task_done`.
    pub joiners: usize,
}

enum Items<T> {
    Fifo(VecDeque<T>),
    Lifo(Vec<T>),
    Priority(MinHeap<T>),
}

/// A min-heap made where `T: Ord` was known, carrying its own push and pop.
struct MinHeap<T> {
    heap: BinaryHeap<Reverse<T>>,
    push: fn(&mut BinaryHeap<Reverse<T>>, Reverse<T>),
    pop: fn(&mut BinaryHeap<Reverse<T>>) -> Option<Reverse<T>>,
}

impl<T> Items<T> {
    fn len(&self) -> usize {
        match self {
            Items::Fifo(d) => d.len(),
            Items::Lifo(v) => v.len(),
            Items::Priority(h) => h.heap.len(),
        }
    }

    fn push(&mut self, item: T) {
        match self {
            Items::Fifo(d) => d.push_back(item),
            Items::Lifo(v) => v.push(item),
            Items::Priority(h) => (h.push)(&mut h.heap, Reverse(item)),
        }
    }

    fn pop(&mut self) -> Option<T> {
        match self {
            Items::Fifo(d) => d.pop_front(),
            Items::Lifo(v) => v.pop(),
            Items::Priority(h) => (h.pop)(&mut h.heap).map(|Reverse(item)| item),
        }
    }

    /// Removes every item, in no particular order.
    fn drain(&mut self) -> Vec<T> {
        match self {
            Items::Fifo(d) => d.drain(..).collect(),
            Items::Lifo(v) => std::mem::take(v),
            Items::Priority(h) => h.heap.drain().map(|Reverse(item)| item).collect(),
        }
    }
}

impl<T: Ord> Queue<T> {
    /// A queue of `order` holding at most `maxsize` items (0 = unbounded). Asks for `T: Ord`
    /// because one of the orders needs it; [`Queue::fifo`] and [`Queue::lifo`] do not.
    pub fn new(order: Order, maxsize: usize) -> Self {
        match order {
            Order::Fifo => Self::fifo(maxsize),
            Order::Lifo => Self::lifo(maxsize),
            Order::Priority => Self::priority(maxsize),
        }
    }

    /// `queue.PriorityQueue(maxsize)`: `get` returns the smallest item.
    pub fn priority(maxsize: usize) -> Self {
        let heap =
            MinHeap { heap: BinaryHeap::new(), push: BinaryHeap::push, pop: BinaryHeap::pop };
        Self::with_items(Order::Priority, maxsize, Items::Priority(heap))
    }
}

impl<T> Queue<T> {
    /// `queue.Queue(maxsize)`: `get` returns the oldest item.
    pub fn fifo(maxsize: usize) -> Self {
        Self::with_items(Order::Fifo, maxsize, Items::Fifo(VecDeque::new()))
    }

    /// `queue.LifoQueue(maxsize)`: `get` returns the newest item.
    pub fn lifo(maxsize: usize) -> Self {
        Self::with_items(Order::Lifo, maxsize, Items::Lifo(Vec::new()))
    }

    fn with_items(order: Order, maxsize: usize, items: Items<T>) -> Self {
        Queue {
            order,
            maxsize,
            state: Mutex::new(State { items, unfinished_tasks: 0, is_shutdown: false, waiters: Waiters::default() }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            all_tasks_done: Condvar::new(),
        }
    }

    pub fn order(&self) -> Order {
        self.order
    }

    /// The bound given at construction; 0 = unbounded.
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }

    /// Puts `item` in the queue. With `block` and no `timeout`, waits as long as it takes for a
    /// free slot; with a `timeout`, waits at most that long and then hands the item back in
    /// `Full`. Without `block`, hands it back at once if there is no free slot (`timeout` is
    /// ignored). Hands it back in `ShutDown` once [`Queue::shutdown`] was called.
    pub fn put(&self, item: T, block: bool, timeout: Option<Duration>) -> Result<(), PutError<T>> {
        let mut state = self.lock();
        if state.is_shutdown {
            return Err(PutError::ShutDown(item));
        }
        let deadline = if block { deadline_after(timeout) } else { None };
        while self.is_full(&state) {
            if !block {
                return Err(PutError::Full(item));
            }
            state = match wait(&self.not_full, state, deadline, |w| &mut w.putters) {
                Some(state) => state,
                None => return Err(PutError::Full(item)),
            };
            if state.is_shutdown {
                return Err(PutError::ShutDown(item));
            }
        }
        state.items.push(item);
        state.unfinished_tasks += 1;
        self.not_empty.notify_one();
        Ok(())
    }

    /// `put(item, false, None)`.
    pub fn put_nowait(&self, item: T) -> Result<(), PutError<T>> {
        self.put(item, false, None)
    }

    /// Removes and returns the next item. With `block` and no `timeout`, waits as long as it
    /// takes for one; with a `timeout`, waits at most that long, then `Empty`. Without
    /// `block`, `Empty` at once if there is none (`timeout` is ignored). After a shutdown it
    /// still returns the items left, then `ShutDown`.
    pub fn get(&self, block: bool, timeout: Option<Duration>) -> Result<T, GetError> {
        let mut state = self.lock();
        if state.is_shutdown && state.items.len() == 0 {
            return Err(GetError::ShutDown);
        }
        let deadline = if block { deadline_after(timeout) } else { None };
        while state.items.len() == 0 {
            if !block {
                return Err(GetError::Empty);
            }
            state = wait(&self.not_empty, state, deadline, |w| &mut w.getters).ok_or(GetError::Empty)?;
            if state.is_shutdown && state.items.len() == 0 {
                return Err(GetError::ShutDown);
            }
        }
        let item = state.items.pop().expect("the loop above waited for an item");
        self.not_full.notify_one();
        Ok(item)
    }

    /// `get(false, None)`.
    pub fn get_nowait(&self) -> Result<T, GetError> {
        self.get(false, None)
    }

    /// Items in the queue now (another thread may change it before you act on it).
    pub fn qsize(&self) -> usize {
        self.lock().items.len()
    }

    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Whether a non-blocking put would fail for lack of room; never for an unbounded queue.
    pub fn full(&self) -> bool {
        self.is_full(&self.lock())
    }

    /// Marks one item that was put as done. `join` returns once every item put is marked.
    /// `Err(TaskDoneError)`, changing nothing, if every item put is already marked.
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut state = self.lock();
        if state.unfinished_tasks == 0 {
            return Err(TaskDoneError);
        }
        state.unfinished_tasks -= 1;
        if state.unfinished_tasks == 0 {
            self.all_tasks_done.notify_all();
        }
        Ok(())
    }

    /// Blocks until every item put has been marked with [`Queue::task_done`].
    pub fn join(&self) {
        let mut state = self.lock();
        while state.unfinished_tasks > 0 {
            state = wait(&self.all_tasks_done, state, None, |w| &mut w.joiners).expect("no deadline");
        }
    }

    /// How many threads are blocked in `get`, `put` and `join` right now.
    pub fn waiters(&self) -> Waiters {
        self.lock().waiters
    }

    /// Items put and not yet marked done (Python's `unfinished_tasks` attribute).
    pub fn unfinished_tasks(&self) -> usize {
        self.lock().unfinished_tasks
    }

    pub fn is_shutdown(&self) -> bool {
        self.lock().is_shutdown
    }

    /// Python 3.13's `shutdown`: from now on every `put` fails with `ShutDown`, including
    /// those blocked now. `get` returns the items left and then fails with `ShutDown`.
    /// With `immediate`, the items left are removed first, each counting as done for
    /// `join`; they are returned (in no particular order) instead of being dropped silently.
    pub fn shutdown(&self, immediate: bool) -> Vec<T> {
        let mut state = self.lock();
        state.is_shutdown = true;
        let drained = if immediate { state.items.drain() } else { Vec::new() };
        if immediate {
            state.unfinished_tasks = state.unfinished_tasks.saturating_sub(drained.len());
            self.all_tasks_done.notify_all();
        }
        self.not_empty.notify_all();
        self.not_full.notify_all();
        drained
    }

    fn is_full(&self, state: &State<T>) -> bool {
        self.maxsize > 0 && state.items.len() >= self.maxsize
    }

    /// A panic while the lock is held (only possible in `T::cmp`) leaves a valid heap, if in
    /// an unspecified order, so a poisoned lock is used as is, as `pool.rs` does.
    fn lock(&self) -> Guard<'_, T> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The time on [`clock::now_ms`] at which a wait of `timeout` gives up; `None` = never.
fn deadline_after(timeout: Option<Duration>) -> Option<f64> {
    timeout.map(|t| clock::now_ms() + t.as_secs_f64() * 1000.0)
}

/// Waits once on `cv`: until woken if there is no deadline, else at most until `deadline`,
/// counted meanwhile in the waiters' count that `count` picks. `None` if the deadline has
/// passed, without waiting.
fn wait<'a, T>(
    cv: &Condvar,
    mut guard: Guard<'a, T>,
    deadline: Option<f64>,
    count: fn(&mut Waiters) -> &mut usize,
) -> Option<Guard<'a, T>> {
    let timeout = match deadline {
        None => None,
        Some(deadline) => {
            let remaining_ms = deadline - clock::now_ms();
            if remaining_ms <= 0.0 {
                return None;
            }
            Some(Duration::try_from_secs_f64(remaining_ms / 1000.0).unwrap_or(Duration::MAX))
        }
    };
    *count(&mut guard.waiters) += 1;
    let mut guard = match timeout {
        None => cv.wait(guard).unwrap_or_else(PoisonError::into_inner),
        Some(t) => cv.wait_timeout(guard, t).unwrap_or_else(PoisonError::into_inner).0,
    };
    *count(&mut guard.waiters) -= 1;
    Some(guard)
}

#[path = "queue_errors.rs"]
mod errors;
pub use errors::{GetError, PutError, TaskDoneError};

#[cfg(test)]
#[path = "queue_tests.rs"]
mod tests;
