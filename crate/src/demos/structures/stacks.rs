//! Chapter 16's stacks and queues: one of each behind a mutex, and the lock-free classics,
//! Treiber's stack and the Michael-Scott queue, written out for reading.
//!
//! **Memory reclamation.** A lock-free pop unlinks a node while another thread may still be
//! reading it (it loaded the same head a moment ago and is about to read `head.next`).
//! Freeing the node then would be a use-after-free, and reusing its address would be the
//! ABA problem (the other thread's compare-and-swap would succeed on a head that only looks
//! unchanged). What is done here is the simplest answer that is plainly safe: **a popped
//! node is never freed during a run**. Each thread keeps the nodes it unlinked in a list of
//! its own, handed to the structure when the thread ends, and the structure frees them, with
//! whatever is still linked, when it is dropped, which is after every thread of the run has
//! been joined (`run_threads` returns only then). The cost is memory: a run holds every node
//! it ever made, which is why the demo caps its operations. Long-lived structures cannot do
//! that, and use hazard pointers or epochs (crossbeam-epoch) instead; this demo does not.

use crate::sync::Ordering::{Acquire, Relaxed, Release};
use crate::sync::{AtomicPtr, Mutex};
use std::collections::VecDeque;
use std::ptr;

/// What every variant offers: push (or enqueue) and pop (or dequeue); `retired` collects the
/// nodes this thread unlinked (unused by the locked ones).
pub trait Store: Sync + Default {
    fn push(&self, v: u64);
    fn pop(&self, retired: &mut Retired) -> Option<u64>;
    /// Takes the nodes a thread unlinked, to free them when the structure is dropped.
    fn retire(&self, retired: Retired);
}

struct Node {
    value: u64,
    next: AtomicPtr<Node>,
}

/// Nodes a thread unlinked, not yet freed.
#[derive(Default)]
pub struct Retired(Vec<*mut Node>);

// SAFETY: the pointers are only addresses until the structure that made them frees them;
// moving the list to another thread moves no access with it.
unsafe impl Send for Retired {}

/// The unlinked nodes, kept until the structure is dropped.
#[derive(Default)]
struct Graveyard(Mutex<Vec<*mut Node>>);

// SAFETY: as for `Retired`: the list is addresses, freed once, by `Drop`, with `&mut self`.
unsafe impl Sync for Graveyard {}
unsafe impl Send for Graveyard {}

impl Graveyard {
    fn take(&self, r: Retired) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend(r.0);
    }

    fn free_all(&mut self) {
        for n in self.0.get_mut().unwrap_or_else(|e| e.into_inner()).drain(..) {
            // SAFETY: every retired node came from `Box::into_raw`, was unlinked once (so it
            // is in exactly one list), and no thread of the run is alive any more.
            drop(unsafe { Box::from_raw(n) });
        }
    }
}

fn node(value: u64) -> *mut Node {
    Box::into_raw(Box::new(Node { value, next: AtomicPtr::new(ptr::null_mut()) }))
}

// snippet:start structures-stack
/// Treiber's stack: the head is one atomic pointer, changed only by compare-and-swap.
#[derive(Default)]
pub struct Treiber {
    head: AtomicPtr<Node>,
    graveyard: Graveyard,
}

impl Store for Treiber {
    fn push(&self, v: u64) {
        let new = node(v);
        let mut head = self.head.load(Relaxed);
        loop {
            // SAFETY: `new` is ours alone until the compare-and-swap publishes it.
            unsafe { (*new).next.store(head, Relaxed) };
            // Release: whoever pops `new` sees its value and next.
            match self.head.compare_exchange_weak(head, new, Release, Relaxed) {
                Ok(_) => return,
                Err(now) => head = now, // someone else pushed or popped: try again on theirs
            }
        }
    }

    fn pop(&self, retired: &mut Retired) -> Option<u64> {
        let mut head = self.head.load(Acquire);
        loop {
            if head.is_null() {
                return None;
            }
            // SAFETY: `head` was linked when we loaded it, and no node is freed while the
            // run lasts (see the module's note), so even if another thread has popped it
            // since, it is still allocated and its `next` unchanged.
            let next = unsafe { (*head).next.load(Relaxed) };
            match self.head.compare_exchange_weak(head, next, Acquire, Acquire) {
                Ok(_) => {
                    // SAFETY: as above; the value was written before the push's Release.
                    let v = unsafe { (*head).value };
                    retired.0.push(head); // not freed: another thread may still read it
                    return Some(v);
                }
                Err(now) => head = now,
            }
        }
    }

    fn retire(&self, retired: Retired) {
        self.graveyard.take(retired);
    }
}
// snippet:end structures-stack

impl Drop for Treiber {
    fn drop(&mut self) {
        let mut n = *self.head.get_mut();
        while !n.is_null() {
            // SAFETY: `&mut self`: no thread is left; every linked node is freed once.
            let b = unsafe { Box::from_raw(n) };
            n = b.next.load(Relaxed);
        }
        self.graveyard.free_all();
    }
}

/// The Michael-Scott queue: a linked list with a dummy node at its head; `head` and `tail`
/// are atomic pointers, and a thread that finds `tail` lagging helps move it on.
pub struct MsQueue {
    head: AtomicPtr<Node>,
    tail: AtomicPtr<Node>,
    graveyard: Graveyard,
}

impl Default for MsQueue {
    fn default() -> Self {
        let dummy = node(0);
        MsQueue { head: AtomicPtr::new(dummy), tail: AtomicPtr::new(dummy), graveyard: Graveyard::default() }
    }
}

impl Store for MsQueue {
    fn push(&self, v: u64) {
        let new = node(v);
        loop {
            let tail = self.tail.load(Acquire);
            // SAFETY: nodes are never freed during a run; `tail` is allocated.
            let next = unsafe { (*tail).next.load(Acquire) };
            if !next.is_null() {
                // The tail lags behind the last node: help it along, then try again.
                let _ = self.tail.compare_exchange(tail, next, Release, Relaxed);
                continue;
            }
            // Link the new node after the last one: the enqueue's linearisation point.
            // SAFETY: as above.
            if unsafe { (*tail).next.compare_exchange(ptr::null_mut(), new, Release, Relaxed) }.is_ok() {
                let _ = self.tail.compare_exchange(tail, new, Release, Relaxed);
                return;
            }
        }
    }

    fn pop(&self, retired: &mut Retired) -> Option<u64> {
        loop {
            let head = self.head.load(Acquire);
            let tail = self.tail.load(Acquire);
            // SAFETY: nodes are never freed during a run.
            let next = unsafe { (*head).next.load(Acquire) };
            if next.is_null() {
                return None; // only the dummy: empty
            }
            if head == tail {
                // Not empty, but the tail still points at the dummy: help it on first, so
                // the head never passes the tail.
                let _ = self.tail.compare_exchange(tail, next, Release, Relaxed);
                continue;
            }
            if self.head.compare_exchange(head, next, Acquire, Relaxed).is_ok() {
                // `next` is the new dummy; its value is ours. SAFETY: written before the
                // Release that linked it, never written again.
                let v = unsafe { (*next).value };
                retired.0.push(head);
                return Some(v);
            }
        }
    }

    fn retire(&self, retired: Retired) {
        self.graveyard.take(retired);
    }
}

impl Drop for MsQueue {
    fn drop(&mut self) {
        let mut n = *self.head.get_mut();
        while !n.is_null() {
            // SAFETY: `&mut self`: no thread is left; the dummy and every linked node once.
            let b = unsafe { Box::from_raw(n) };
            n = b.next.load(Relaxed);
        }
        self.graveyard.free_all();
    }
}

/// A stack behind one mutex.
#[derive(Default)]
pub struct LockedStack(Mutex<Vec<u64>>);

impl Store for LockedStack {
    fn push(&self, v: u64) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(v);
    }
    fn pop(&self, _: &mut Retired) -> Option<u64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }
    fn retire(&self, _: Retired) {}
}

/// A queue behind one mutex.
#[derive(Default)]
pub struct LockedQueue(Mutex<VecDeque<u64>>);

impl Store for LockedQueue {
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
