//! The kept libraries beside the teaching versions (`lockfree.rs`), measured the same way:
//! a Treiber stack whose popped nodes crossbeam-epoch frees while the threads still run, and
//! crossbeam-queue's `SegQueue` (an unbounded queue of segments) and `ArrayQueue` (a bounded
//! ring buffer, after Dmitry Vyukov's bounded MPMC queue).
//!
//! **Memory reclamation by epochs** (K. Fraser, "Practical lock-freedom", 2004, the scheme
//! crossbeam-epoch implements). Before touching a node a thread *pins* itself: it announces
//! the global epoch it saw. A pop that unlinks a node does not free it but *defers* the
//! free, tagged with the current epoch. The global epoch moves on only once every pinned
//! thread has seen it, so garbage two epochs old can no longer be reachable from any pinned
//! thread's loads, and is freed then, by whichever thread comes by. What it costs: a pin
//! per operation (a thread-local announcement and a fence), a deferred closure per popped
//! node, and now and then the work of collecting; what it buys: memory stays bounded by
//! what is linked plus a few epochs of garbage, where the teaching stack keeps every node
//! it ever made until its threads join.

use super::lockfree::Retired;
use super::stacks::Store;
use crate::sync::Ordering::{Acquire, Relaxed, Release};
use crossbeam_epoch::{self as epoch, Atomic, Owned};
use crossbeam_queue::{ArrayQueue, SegQueue};

struct Node {
    value: u64,
    next: Atomic<Node>,
}

// snippet:start structures-epoch
/// Treiber's stack with crossbeam-epoch: the same compare-and-swap on the head, but a popped
/// node is handed to the epoch collector, which frees it once no pinned thread can hold it.
pub struct EpochTreiber {
    head: Atomic<Node>,
}

impl Store for EpochTreiber {
    fn new(_threads: usize) -> Self {
        EpochTreiber { head: Atomic::null() }
    }

    fn push(&self, v: u64) {
        let mut new = Owned::new(Node { value: v, next: Atomic::null() });
        let guard = epoch::pin();
        loop {
            let head = self.head.load(Relaxed, &guard);
            new.next.store(head, Relaxed);
            match self.head.compare_exchange_weak(head, new, Release, Relaxed, &guard) {
                Ok(_) => return,
                Err(e) => new = e.new, // the node comes back to us: try again
            }
        }
    }

    fn pop(&self, _: &mut Retired) -> Option<u64> {
        let guard = epoch::pin(); // from here until `guard` drops, no node we load is freed
        loop {
            let head = self.head.load(Acquire, &guard);
            // SAFETY: we are pinned, and a node is only freed two epochs after it was
            // unlinked, so `head`, linked when we loaded it, is still allocated.
            let h = unsafe { head.as_ref() }?;
            let next = h.next.load(Relaxed, &guard);
            if self.head.compare_exchange_weak(head, next, Acquire, Acquire, &guard).is_ok() {
                let v = h.value;
                // SAFETY: `head` is unlinked, by us alone (our compare-and-swap took it), so
                // no later load can reach it; threads pinned now may still read it, and the
                // collector waits for them before freeing it.
                unsafe { guard.defer_destroy(head) };
                return Some(v);
            }
        }
    }

    fn retire(&self, _: Retired) {}
}
// snippet:end structures-epoch

impl Drop for EpochTreiber {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: no other thread can reach the stack, so no guard is needed,
        // and every linked node is owned by the stack alone and freed once.
        unsafe {
            let guard = epoch::unprotected();
            let mut n = self.head.load(Relaxed, guard);
            while !n.is_null() {
                let next = n.deref().next.load(Relaxed, guard);
                drop(n.into_owned());
                n = next;
            }
        }
    }
}

/// crossbeam-queue's unbounded `SegQueue`: values in segments of 31 slots, linked in a list;
/// a segment is freed once every value in it has been read.
pub struct Seg(SegQueue<u64>);

impl Store for Seg {
    fn new(_threads: usize) -> Self {
        Seg(SegQueue::new())
    }
    fn push(&self, v: u64) {
        self.0.push(v);
    }
    fn pop(&self, _: &mut Retired) -> Option<u64> {
        self.0.pop()
    }
    fn retire(&self, _: Retired) {}
}

/// crossbeam-queue's bounded `ArrayQueue`: one array allocated up front, used as a ring, and
/// no allocation per value. Each thread pushes then pops, so at most one value per thread is
/// in the queue at once (a pop finds it empty only when every value pushed has been popped):
/// room for twice the threads is never full; if it were, the push would wait.
pub struct Ring(ArrayQueue<u64>);

impl Store for Ring {
    fn new(threads: usize) -> Self {
        Ring(ArrayQueue::new(2 * threads.max(1)))
    }
    fn push(&self, mut v: u64) {
        while let Err(back) = self.0.push(v) {
            v = back; // full: the value is handed back; try again
            std::hint::spin_loop();
        }
    }
    fn pop(&self, _: &mut Retired) -> Option<u64> {
        self.0.pop()
    }
    fn retire(&self, _: Retired) {}
}
