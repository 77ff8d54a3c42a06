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
use std::fmt;
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
            state: Mutex::new(State { items, unfinished_tasks: 0, is_shutdown: false }),
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
            state = match wait(&self.not_full, state, deadline) {
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
            state = wait(&self.not_empty, state, deadline).ok_or(GetError::Empty)?;
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
            state = self.all_tasks_done.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
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

/// Waits once on `cv`: until woken if there is no deadline, else at most until `deadline`.
/// `None` if the deadline has passed, without waiting.
fn wait<'a, T>(cv: &Condvar, guard: Guard<'a, T>, deadline: Option<f64>) -> Option<Guard<'a, T>> {
    let Some(deadline) = deadline else {
        return Some(cv.wait(guard).unwrap_or_else(PoisonError::into_inner));
    };
    let remaining_ms = deadline - clock::now_ms();
    if remaining_ms <= 0.0 {
        return None;
    }
    let remaining = Duration::try_from_secs_f64(remaining_ms / 1000.0).unwrap_or(Duration::MAX);
    Some(cv.wait_timeout(guard, remaining).unwrap_or_else(PoisonError::into_inner).0)
}

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

#[cfg(test)]
mod tests {
    //! Each test quotes the behaviour of Python's `queue` documentation
    //! (docs.python.org/3/library/queue.html, 3.13) that it checks.

    use super::*;
    use crate::sync::Ordering::{Acquire, Relaxed, Release};
    use crate::sync::{AtomicBool, AtomicUsize};
    use std::thread;
    use std::time::Instant;

    /// A timeout that would hang the test, were it honoured where it must be ignored.
    const HOUR: Duration = Duration::from_secs(3600);
    /// Lets another thread reach its blocking call first. No assertion depends on it.
    const SETTLE: Duration = Duration::from_millis(20);

    fn drain<T>(q: &Queue<T>) -> Vec<T> {
        std::iter::from_fn(|| q.get_nowait().ok()).collect()
    }

    fn check_order<T: Ord + Copy + fmt::Debug>(order: Order, input: &[T], expected: &[T]) {
        let q = Queue::new(order, 0);
        for &item in input {
            q.put_nowait(item).unwrap();
        }
        assert_eq!(drain(&q), expected, "{order:?}");
    }

    #[test]
    fn the_python_docs_worker_example() {
        let q = Queue::fifo(0);
        let done = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|s| {
            s.spawn(|| {
                while let Ok(item) = q.get(true, None) {
                    let _work = item * 2;
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    q.task_done().unwrap();
                }
            });
            for item in 0..30 {
                q.put(item, true, None).unwrap();
            }
            q.join();
            assert_eq!(done.load(std::sync::atomic::Ordering::Relaxed), 30);
            q.shutdown(false);
        });
    }

    #[test]
    fn each_order_returns_items_as_python_does() {
        // "In a FIFO queue, the first tasks added are the first retrieved. In a LIFO queue, the
        // most recently added entry is the first retrieved (operating like a stack). With a
        // priority queue, the entries are kept sorted (using the heapq module) and the lowest
        // valued entry is retrieved first." Entries in the documented `(priority_number, data)`.
        let input = [(3, 'c'), (1, 'a'), (4, 'd'), (2, 'b')];
        check_order(Order::Fifo, &input, &input);
        check_order(Order::Lifo, &input, &[(2, 'b'), (4, 'd'), (1, 'a'), (3, 'c')]);
        check_order(Order::Priority, &input, &[(1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')]);
        let shuffled: Vec<u32> = (0..100).map(|i| i * 37 % 100).collect();
        check_order(Order::Priority, &shuffled, &(0..100).collect::<Vec<u32>>());
    }

    #[test]
    fn fifo_and_lifo_take_items_that_cannot_be_ordered() {
        // Not Python's: the design choice that only the priority flavour needs `T: Ord`.
        struct Job(&'static str);
        let (fifo, lifo) = (Queue::fifo(0), Queue::lifo(0));
        for name in ["a", "b"] {
            fifo.put_nowait(Job(name)).unwrap();
            lifo.put_nowait(Job(name)).unwrap();
        }
        assert_eq!(fifo.get_nowait().unwrap().0, "a");
        assert_eq!(lifo.get_nowait().unwrap().0, "b");
        assert_eq!((fifo.order(), lifo.order()), (Order::Fifo, Order::Lifo));
    }

    #[test]
    fn qsize_empty_and_full_follow_the_contents() {
        // qsize(): "Return the approximate size of the queue"; empty(): "Return True if the
        // queue is empty"; full(): "Return True if the queue is full" (maxsize items in it).
        let q = Queue::fifo(2);
        assert_eq!((q.qsize(), q.empty(), q.full()), (0, true, false));
        q.put_nowait('a').unwrap();
        assert_eq!((q.qsize(), q.empty(), q.full()), (1, false, false));
        q.put_nowait('b').unwrap();
        assert_eq!((q.qsize(), q.empty(), q.full()), (2, false, true));
        q.get_nowait().unwrap();
        assert_eq!((q.qsize(), q.empty(), q.full()), (1, false, false));
    }

    #[test]
    fn put_nowait_on_a_full_queue_hands_the_item_back() {
        // put_nowait(item): "Equivalent to put(item, block=False)"; put with block false: "put
        // an item on the queue if a free slot is immediately available, else raise the Full
        // exception (timeout is ignored in that case)".
        let q = Queue::fifo(1);
        q.put_nowait(String::from("first")).unwrap();
        assert_eq!(
            q.put_nowait(String::from("second")),
            Err(PutError::Full(String::from("second")))
        );
        let refused = q.put(String::from("third"), false, Some(HOUR)).unwrap_err();
        assert!(refused.is_full());
        assert_eq!(refused.into_inner(), "third");
        // A refused item is not in the queue and is no task for join.
        assert_eq!((q.qsize(), q.unfinished_tasks()), (1, 1));
    }

    #[test]
    fn get_nowait_on_an_empty_queue_is_empty() {
        // get_nowait(): "Equivalent to get(False)"; get with block false: "return an item if
        // one is immediately available, else raise the Empty exception (timeout is ignored in
        // that case)".
        let q: Queue<u8> = Queue::fifo(0);
        assert_eq!(q.get_nowait(), Err(GetError::Empty));
        assert_eq!(q.get(false, Some(HOUR)), Err(GetError::Empty));
    }

    #[test]
    fn blocking_get_waits_until_a_producer_puts() {
        // get(block=True, timeout=None): "block if necessary until an item is available".
        let q = Queue::fifo(0);
        let putting = AtomicBool::new(false);
        thread::scope(|s| {
            let consumer = s.spawn(|| {
                let item = q.get(true, None);
                // `putting` is set before the only put: a get that returned before the
                // producer acted would read false.
                (item, putting.load(Acquire))
            });
            thread::sleep(SETTLE);
            putting.store(true, Release);
            q.put(42, true, None).unwrap();
            assert_eq!(consumer.join().unwrap(), (Ok(42), true));
        });
    }

    #[test]
    fn get_with_a_timeout_gives_up_after_it() {
        // get(timeout=t): "it blocks at most timeout seconds and raises the Empty exception if
        // no item was available within that time". A zero timeout gives up at once.
        let q: Queue<u8> = Queue::fifo(0);
        assert_eq!(q.get(true, Some(Duration::ZERO)), Err(GetError::Empty));
        let timeout = Duration::from_millis(30);
        let start = Instant::now();
        assert_eq!(q.get(true, Some(timeout)), Err(GetError::Empty));
        assert!(start.elapsed() >= timeout, "gave up after {:?}", start.elapsed());
    }

    #[test]
    fn put_with_a_timeout_on_a_full_queue_gives_up_after_it() {
        // put(timeout=t): "it blocks at most timeout seconds and raises the Full exception if
        // no free slot was available within that time".
        let q = Queue::fifo(1);
        q.put_nowait('a').unwrap();
        let timeout = Duration::from_millis(30);
        let start = Instant::now();
        assert_eq!(q.put('b', true, Some(timeout)), Err(PutError::Full('b')));
        assert!(start.elapsed() >= timeout, "gave up after {:?}", start.elapsed());
    }

    #[test]
    fn blocking_put_on_a_full_queue_waits_until_a_get_frees_a_slot() {
        // put(block=True, timeout=None): "block if necessary until a free slot is available".
        let q = Queue::fifo(1);
        q.put_nowait(1).unwrap();
        let getting = AtomicBool::new(false);
        thread::scope(|s| {
            let producer = s.spawn(|| {
                let put = q.put(2, true, None);
                // The queue stays full until the get below, which comes after the flag.
                (put, getting.load(Acquire))
            });
            thread::sleep(SETTLE);
            getting.store(true, Release);
            assert_eq!(q.get(true, None), Ok(1));
            assert_eq!(producer.join().unwrap(), (Ok(()), true));
        });
        assert_eq!(q.get_nowait(), Ok(2));
    }

    #[test]
    fn task_done_more_times_than_items_put_is_an_error() {
        // task_done(): "Raises a ValueError if called more times than there were items placed
        // in the queue." It counts puts, not gets.
        let q = Queue::fifo(0);
        assert_eq!(q.task_done(), Err(TaskDoneError));
        for item in ["a", "b", "c"] {
            q.put_nowait(item).unwrap();
        }
        q.get_nowait().unwrap();
        for _ in 0..3 {
            assert_eq!(q.task_done(), Ok(()));
        }
        assert_eq!(q.task_done(), Err(TaskDoneError));
        assert_eq!(q.unfinished_tasks(), 0);
        q.join(); // nothing unfinished: returns at once
    }

    #[test]
    fn join_returns_only_after_every_task_done() {
        // join(): "Blocks until all items in the queue have been gotten and processed. [...]
        // When the count of unfinished tasks drops to zero, join() unblocks." This is the
        // documentation's worker example, with three workers.
        const ITEMS: usize = 60;
        let q = Queue::fifo(4);
        let processed = AtomicUsize::new(0);
        thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    while let Ok(_item) = q.get(true, None) {
                        processed.fetch_add(1, Relaxed);
                        q.task_done().unwrap();
                    }
                });
            }
            for item in 0..ITEMS {
                q.put(item, true, None).unwrap();
            }
            q.join();
            // Each count happens before its task_done, which releases the queue's mutex that
            // join then acquires: every count is visible here, even through Relaxed.
            assert_eq!(processed.load(Relaxed), ITEMS);
            q.shutdown(false); // the workers' next get fails with ShutDown, and they end
        });
    }

    #[test]
    fn maxsize_zero_is_unbounded() {
        // Queue(maxsize): "If maxsize is less than or equal to zero, the queue size is infinite."
        let q = Queue::fifo(0);
        for item in 0..10_000 {
            q.put_nowait(item).unwrap();
        }
        assert_eq!(q.put(10_000, true, Some(Duration::ZERO)), Ok(()));
        assert_eq!((q.qsize(), q.full(), q.maxsize()), (10_001, false, 0));
    }

    #[test]
    fn four_producers_and_four_consumers_deliver_every_item_exactly_once() {
        // "The queue module implements multi-producer, multi-consumer queues. [...] The Queue
        // class in this module implements all the required locking semantics."
        const PER_PRODUCER: usize = 2_500;
        for order in [Order::Fifo, Order::Lifo, Order::Priority] {
            let q = &Queue::new(order, 8); // small, so that producers wait too
            let received: Vec<Vec<usize>> = thread::scope(|s| {
                let consumers: Vec<_> = (0..4)
                    .map(|_| s.spawn(|| std::iter::from_fn(|| q.get(true, None).ok()).collect()))
                    .collect();
                let producers: Vec<_> = (0..4)
                    .map(|p| {
                        s.spawn(move || {
                            for i in 0..PER_PRODUCER {
                                q.put(p * PER_PRODUCER + i, true, None).unwrap();
                            }
                        })
                    })
                    .collect();
                producers.into_iter().for_each(|p| p.join().unwrap());
                q.shutdown(false); // the consumers take what is left, then see ShutDown
                consumers.into_iter().map(|c| c.join().unwrap()).collect()
            });
            if order == Order::Fifo {
                // Each consumer sees each producer's items in the order they were put.
                for mine in &received {
                    for p in 0..4 {
                        let from_p = mine.iter().filter(|&&x| x / PER_PRODUCER == p);
                        assert!(from_p.clone().zip(from_p.skip(1)).all(|(a, b)| a < b));
                    }
                }
            }
            let mut all = received.concat();
            all.sort_unstable();
            assert_eq!(all, (0..4 * PER_PRODUCER).collect::<Vec<_>>(), "{order:?}");
            assert_eq!(q.unfinished_tasks(), 4 * PER_PRODUCER, "no task_done was called");
        }
    }

    #[test]
    fn after_shutdown_gets_drain_the_queue_then_fail() {
        // shutdown(immediate=False): "Future calls to put() raise ShutDown. [...] the queue
        // can be wound down normally with get() calls to extract tasks that have already been
        // loaded. [...] Once the queue is empty, future calls to get() will raise ShutDown."
        let q = Queue::fifo(0);
        q.put_nowait(1).unwrap();
        q.put_nowait(2).unwrap();
        assert!(q.shutdown(false).is_empty());
        assert!(q.is_shutdown());
        assert_eq!(q.put_nowait(3), Err(PutError::ShutDown(3)));
        assert_eq!(q.get_nowait(), Ok(1));
        assert_eq!(q.get(true, None), Ok(2));
        assert_eq!(q.get(true, None), Err(GetError::ShutDown));
        assert_eq!(q.get_nowait(), Err(GetError::ShutDown));
        // "And if task_done() is called for each remaining task, a pending join() will be
        // unblocked normally."
        q.task_done().unwrap();
        q.task_done().unwrap();
        q.join();
    }

    #[test]
    fn immediate_shutdown_drains_and_counts_the_drained_items_as_done() {
        // shutdown(immediate=True): "The queue is drained to be completely empty and the count
        // of unfinished tasks is reduced by the number of tasks drained. If unfinished tasks is
        // zero, callers of join() are unblocked." (3.14 wording; 3.13's code already did this.)
        let q = Queue::fifo(0);
        for item in 0..3 {
            q.put_nowait(item).unwrap();
        }
        assert_eq!(q.get_nowait(), Ok(0)); // taken, still being processed
        let marked = AtomicBool::new(false);
        thread::scope(|s| {
            let joiner = s.spawn(|| {
                q.join();
                marked.load(Acquire)
            });
            let mut drained = q.shutdown(true);
            drained.sort_unstable();
            assert_eq!(drained, [1, 2]);
            assert_eq!(q.unfinished_tasks(), 1);
            assert_eq!(q.get_nowait(), Err(GetError::ShutDown));
            thread::sleep(SETTLE);
            marked.store(true, Release);
            q.task_done().unwrap();
            assert!(joiner.join().unwrap(), "join returned before the last task_done");
        });
        assert_eq!(q.task_done(), Err(TaskDoneError));
    }

    #[test]
    fn shutdown_wakes_blocked_putters_and_getters() {
        // "Currently blocked callers of put() will be unblocked and will raise ShutDown in the
        // formerly blocked thread"; blocked get() callers re-check, find the queue empty and
        // raise ShutDown. Were a thread not blocked yet, it would fail the same way.
        let empty: Queue<u8> = Queue::fifo(1);
        let full = Queue::fifo(1);
        full.put_nowait("kept").unwrap();
        thread::scope(|s| {
            let getter = s.spawn(|| empty.get(true, None));
            let putter = s.spawn(|| full.put("refused", true, None));
            thread::sleep(SETTLE);
            empty.shutdown(false);
            full.shutdown(false);
            assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
            assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown("refused")));
        });
        assert_eq!(full.get_nowait(), Ok("kept"));
    }
}
