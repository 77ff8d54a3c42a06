//! Chapter 16's stacks and queues: what every variant offers (`Store`), one of each behind a
//! mutex, and how a run uses and checks them. The lock-free ones are in `lockfree.rs` (the
//! teaching Treiber stack and Michael-Scott queue) and `library.rs` (crossbeam's).

pub use super::lockfree::Retired;
use crate::sync::Mutex;
use std::collections::VecDeque;

/// What every variant offers: push (or enqueue) and pop (or dequeue); `retired` collects the
/// nodes this thread unlinked (used by the teaching lock-free ones alone).
pub trait Store: Sync {
    /// An empty structure for a run of `threads` threads (the bounded queue sizes itself).
    fn new(threads: usize) -> Self;
    fn push(&self, v: u64);
    fn pop(&self, retired: &mut Retired) -> Option<u64>;
    /// Takes the nodes a thread unlinked, to free them when the structure is dropped.
    fn retire(&self, retired: Retired);
}

/// A stack behind one mutex.
pub struct LockedStack(Mutex<Vec<u64>>);

impl Store for LockedStack {
    fn new(_threads: usize) -> Self {
        LockedStack(Mutex::new(Vec::new()))
    }
    fn push(&self, v: u64) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(v);
    }
    fn pop(&self, _: &mut Retired) -> Option<u64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }
    fn retire(&self, _: Retired) {}
}

/// A queue behind one mutex.
pub struct LockedQueue(Mutex<VecDeque<u64>>);

impl Store for LockedQueue {
    fn new(_threads: usize) -> Self {
        LockedQueue(Mutex::new(VecDeque::new()))
    }
    fn push(&self, v: u64) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push_back(v);
    }
    fn pop(&self, _: &mut Retired) -> Option<u64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
    }
    fn retire(&self, _: Retired) {}
}

/// What one thread of a run does: `ops` times, push a value of its own (`thread << 32 | i`)
/// then pop one (anyone's); it returns what it popped.
pub fn churn<S: Store>(s: &S, thread: usize, ops: u32) -> Vec<u64> {
    let mut retired = Retired::default();
    let mut got = Vec::with_capacity(ops as usize);
    for i in 0..ops {
        s.push(((thread as u64) << 32) | u64::from(i));
        if let Some(v) = s.pop(&mut retired) {
            got.push(v);
        }
    }
    s.retire(retired);
    got
}

/// After the threads: pops what is left.
pub fn drain<S: Store>(s: &S) -> Vec<u64> {
    let mut retired = Retired::default();
    let mut got = Vec::new();
    while let Some(v) = s.pop(&mut retired) {
        got.push(v);
    }
    s.retire(retired);
    got
}

/// Against every value pushed (`threads` × `ops`, each once): how many never came out and
/// how many came out more than once (or were never pushed).
pub fn check(threads: usize, ops: u32, mut popped: Vec<u64>) -> (u64, u64) {
    popped.sort_unstable();
    let mut expected = (0..threads as u64).flat_map(|t| (0..u64::from(ops)).map(move |i| (t << 32) | i));
    let (mut lost, mut extra) = (0u64, 0u64);
    let mut want = expected.next();
    let mut it = popped.into_iter().peekable();
    loop {
        match (want, it.peek().copied()) {
            (None, None) => break,
            (Some(_), None) => {
                lost += 1;
                want = expected.next();
            }
            (None, Some(_)) => {
                extra += 1;
                it.next();
            }
            (Some(w), Some(g)) if w == g => {
                want = expected.next();
                it.next();
            }
            (Some(w), Some(g)) if w < g => {
                lost += 1;
                want = expected.next();
            }
            (Some(_), Some(_)) => {
                extra += 1;
                it.next();
            }
        }
    }
    (lost, extra)
}
