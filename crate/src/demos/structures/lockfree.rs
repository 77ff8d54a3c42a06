//! The lock-free classics written out for reading: Treiber's stack (R. K. Treiber, "Systems
//! Programming: Coping with Parallelism", IBM RJ 5118, 1986) and the Michael-Scott queue
//! (M. M. Michael and M. L. Scott, "Simple, Fast, and Practical Non-Blocking and Blocking
//! Concurrent Queue Algorithms", PODC 1996).
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
//! that; `library.rs` beside this file measures the same stack with crossbeam-epoch, which
//! frees popped nodes while the threads run.

use super::stacks::Store;
use crate::sync::Ordering::{Acquire, Relaxed, Release};
use crate::sync::{AtomicPtr, Mutex};
use std::ptr;

pub struct Node {
    value: u64,
    next: AtomicPtr<Node>,
}

/// Nodes a thread unlinked, not yet freed.
#[derive(Default)]
pub struct Retired(Vec<*mut Node>);

// SAFETY: the pointers are only addresses until the structure that made them frees them;
// moving the list to another thread moves no access with it.
unsafe impl Send for Retired {}

/// Every node a structure made: the linked ones, from `head`, and the unlinked ones in the
/// graveyard, kept until the structure is dropped and freed then, by the one `Drop` below.
struct Nodes {
    head: AtomicPtr<Node>,
    graveyard: Mutex<Vec<*mut Node>>,
}

// SAFETY: the graveyard is addresses, freed once, by `Drop`, with `&mut self`; `head` is an
// atomic pointer, which is `Sync` already.
unsafe impl Sync for Nodes {}
unsafe impl Send for Nodes {}

impl Nodes {
    fn new(head: *mut Node) -> Self {
        Nodes { head: AtomicPtr::new(head), graveyard: Mutex::new(Vec::new()) }
    }

    fn take(&self, r: Retired) {
        self.graveyard.lock().unwrap_or_else(|e| e.into_inner()).extend(r.0);
    }
}

impl Drop for Nodes {
    fn drop(&mut self) {
        let mut n = *self.head.get_mut();
        while !n.is_null() {
            // SAFETY: `&mut self`: no thread is left; every linked node (the queue's dummy
            // too) came from `Box::into_raw` and is freed once.
            let b = unsafe { Box::from_raw(n) };
            n = b.next.load(Relaxed);
        }
        for n in self.graveyard.get_mut().unwrap_or_else(|e| e.into_inner()).drain(..) {
            // SAFETY: every retired node came from `Box::into_raw`, was unlinked once (so it
            // is in exactly one list and no longer linked), and no thread of the run is alive.
            drop(unsafe { Box::from_raw(n) });
        }
    }
}

fn node(value: u64) -> *mut Node {
    Box::into_raw(Box::new(Node { value, next: AtomicPtr::new(ptr::null_mut()) }))
}

// snippet:start structures-stack
/// Treiber's stack: the head is one atomic pointer, changed only by compare-and-swap.
pub struct Treiber {
    nodes: Nodes, // `nodes.head` is the top; popped nodes wait in `nodes.graveyard`
}

impl Store for Treiber {
    fn new(_threads: usize) -> Self {
        Treiber { nodes: Nodes::new(ptr::null_mut()) }
    }

    fn push(&self, v: u64) {
        let head_ptr = &self.nodes.head;
        let new = node(v);
        let mut head = head_ptr.load(Relaxed);
        loop {
            // SAFETY: `new` is ours alone until the compare-and-swap publishes it.
            unsafe { (*new).next.store(head, Relaxed) };
            // Release: whoever pops `new` sees its value and next.
            match head_ptr.compare_exchange_weak(head, new, Release, Relaxed) {
                Ok(_) => return,
                Err(now) => head = now, // someone else pushed or popped: try again on theirs
            }
        }
    }

    fn pop(&self, retired: &mut Retired) -> Option<u64> {
        let head_ptr = &self.nodes.head;
        let mut head = head_ptr.load(Acquire);
        loop {
            if head.is_null() {
                return None;
            }
            // SAFETY: `head` was linked when we loaded it, and no node is freed while the
            // run lasts (see the module's note), so even if another thread has popped it
            // since, it is still allocated and its `next` unchanged.
            let next = unsafe { (*head).next.load(Relaxed) };
            match head_ptr.compare_exchange_weak(head, next, Acquire, Acquire) {
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
        self.nodes.take(retired);
    }
}
// snippet:end structures-stack

/// The Michael-Scott queue: a linked list with a dummy node at its head; `head` and `tail`
/// are atomic pointers, and a thread that finds `tail` lagging helps move it on.
pub struct MsQueue {
    nodes: Nodes, // `nodes.head` is the dummy; dequeued dummies wait in `nodes.graveyard`
    tail: AtomicPtr<Node>,
}

impl Store for MsQueue {
    fn new(_threads: usize) -> Self {
        let dummy = node(0);
        MsQueue { nodes: Nodes::new(dummy), tail: AtomicPtr::new(dummy) }
    }

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
        let head_ptr = &self.nodes.head;
        loop {
            let head = head_ptr.load(Acquire);
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
            if head_ptr.compare_exchange(head, next, Acquire, Relaxed).is_ok() {
                // `next` is the new dummy; its value is ours. SAFETY: written before the
                // Release that linked it, never written again.
                let v = unsafe { (*next).value };
                retired.0.push(head);
                return Some(v);
            }
        }
    }

    fn retire(&self, retired: Retired) {
        self.nodes.take(retired);
    }
}
