//! `asyncio.Queue` for tasks on one loop: `put` waits while the queue is full, `get` while it
//! is empty, `task_done` marks an item handled, and `join` waits until every item put has been
//! handled. There is no lock: only tasks of one loop use it, and a task is never interrupted
//! between two `await`s, so each method runs whole.

use super::executor::Loop;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct Inner {
    items: VecDeque<u32>,
    /// 0: unbounded, as in asyncio.
    maxsize: usize,
    /// Items put and not yet marked done.
    unfinished: usize,
    getters: VecDeque<Waker>,
    putters: VecDeque<Waker>,
    joiners: Vec<Waker>,
    /// The most items it ever held.
    peak: usize,
}

/// A queue of item numbers between tasks of one loop.
#[derive(Clone)]
pub struct Queue {
    lp: Loop,
    inner: Rc<RefCell<Inner>>,
}

impl Queue {
    pub fn new(lp: &Loop, maxsize: usize) -> Queue {
        let inner = Inner { items: VecDeque::new(), maxsize, unfinished: 0, getters: VecDeque::new(), putters: VecDeque::new(), joiners: Vec::new(), peak: 0 };
        Queue { lp: lp.clone(), inner: Rc::new(RefCell::new(inner)) }
    }

    /// `await q.put(item)`.
    pub fn put(&self, item: u32) -> Put {
        Put { q: self.clone(), item }
    }

    /// `await q.get()`.
    pub fn get(&self) -> Get {
        Get { q: self.clone() }
    }

    /// `q.task_done()`: when the last unfinished item is done, every `join` wakes.
    pub fn task_done(&self) {
        let mut q = self.inner.borrow_mut();
        q.unfinished = q.unfinished.checked_sub(1).expect("task_done() called more times than there were items");
        if q.unfinished == 0 {
            q.joiners.drain(..).for_each(Waker::wake);
        }
    }

    /// `await q.join()`.
    pub fn join(&self) -> QueueJoin {
        QueueJoin { q: self.clone() }
    }

    pub fn peak(&self) -> usize {
        self.inner.borrow().peak
    }
}

pub struct Put {
    q: Queue,
    item: u32,
}

impl Future for Put {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut q = self.q.inner.borrow_mut();
        if q.maxsize > 0 && q.items.len() >= q.maxsize {
            q.putters.push_back(cx.waker().clone());
            drop(q);
            self.q.lp.core.borrow_mut().awaiting(format!("put {} (queue full)", self.item));
            return Poll::Pending;
        }
        q.items.push_back(self.item);
        q.unfinished += 1;
        q.peak = q.peak.max(q.items.len());
        if let Some(w) = q.getters.pop_front() {
            w.wake();
        }
        Poll::Ready(())
    }
}

pub struct Get {
    q: Queue,
}

impl Future for Get {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        let mut q = self.q.inner.borrow_mut();
        match q.items.pop_front() {
            Some(item) => {
                if let Some(w) = q.putters.pop_front() {
                    w.wake();
                }
                Poll::Ready(item)
            }
            None => {
                q.getters.push_back(cx.waker().clone());
                drop(q);
                self.q.lp.core.borrow_mut().awaiting("get (queue empty)".into());
                Poll::Pending
            }
        }
    }
}

pub struct QueueJoin {
    q: Queue,
}

impl Future for QueueJoin {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut q = self.q.inner.borrow_mut();
        if q.unfinished == 0 {
            return Poll::Ready(());
        }
        q.joiners.push(cx.waker().clone());
        let left = q.unfinished;
        drop(q);
        self.q.lp.core.borrow_mut().awaiting(format!("q.join() ({left} unfinished)"));
        Poll::Pending
    }
}
