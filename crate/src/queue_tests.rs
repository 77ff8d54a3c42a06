//! Each test quotes the behaviour of Python's `queue` documentation
//! (docs.python.org/3/library/queue.html, 3.13) that it checks.

use super::*;
use crate::sync::Ordering::{Acquire, Relaxed, Release};
use crate::sync::{AtomicBool, AtomicUsize, Barrier};
use std::fmt;
use std::thread;
use std::time::Instant;

/// A timeout that would hang the test, were it honoured where it must be ignored.
const HOUR: Duration = Duration::from_secs(3600);

/// Waits until `cond` holds (another thread has blocked in the queue, say), yielding; fails
/// the test instead of hanging if that never happens.
fn until(what: &str, cond: impl Fn() -> bool) {
    let give_up = Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(Instant::now() < give_up, "never happened: {what}");
        thread::yield_now();
    }
}

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
    let done = crate::sync::AtomicU32::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            while let Ok(item) = q.get(true, None) {
                let _work = item * 2;
                done.fetch_add(1, crate::sync::Ordering::Relaxed);
                q.task_done().unwrap();
            }
        });
        for item in 0..30 {
            q.put(item, true, None).unwrap();
        }
        q.join();
        assert_eq!(done.load(crate::sync::Ordering::Relaxed), 30);
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
        until("the consumer blocks in get", || q.waiters().getters == 1);
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
    assert!(start.elapsed() >= timeout, "gave up after {:?}", start.elapsed());    assert_eq!(q.waiters(), Waiters::default(), "a wait that timed out is no longer counted");
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
    assert!(start.elapsed() >= timeout, "gave up after {:?}", start.elapsed());    assert_eq!(q.waiters(), Waiters::default(), "a wait that timed out is no longer counted");
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
        until("the producer blocks in put", || q.waiters().putters == 1);
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
fn join_blocks_until_the_last_task_done() {
    // join(): "Blocks until all items in the queue have been gotten and processed", and not
    // after the first of them: the joiner is seen blocked, stays blocked through the first
    // task_done, and returns only after the second.
    let q = Queue::fifo(0);
    q.put_nowait('a').unwrap();
    q.put_nowait('b').unwrap();
    let last_done = AtomicBool::new(false);
    thread::scope(|s| {
        let joiner = s.spawn(|| {
            q.join();
            last_done.load(Acquire)
        });
        until("the joiner blocks in join", || q.waiters().joiners == 1);
        assert_eq!(q.get_nowait(), Ok('a'));
        q.task_done().unwrap();
        assert_eq!((q.unfinished_tasks(), q.waiters().joiners), (1, 1), "one task left: join still waits");
        assert_eq!(q.get_nowait(), Ok('b'));
        last_done.store(true, Release);
        q.task_done().unwrap();
        assert!(joiner.join().unwrap(), "join returned before the last task_done");
    });
    assert_eq!(q.waiters(), Waiters::default());
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
        let start = &Barrier::new(8); // all eight run at once, none before the others exist
        let received: Vec<Vec<usize>> = thread::scope(|s| {
            let consumers: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        std::iter::from_fn(|| q.get(true, None).ok()).collect()
                    })
                })
                .collect();
            let producers: Vec<_> = (0..4)
                .map(|p| {
                    s.spawn(move || {
                        start.wait();
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
        // The shutdown woke the joiner, which found one task unfinished and waits again.
        until("the joiner blocks in join", || q.waiters().joiners == 1);
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
    // raise ShutDown. Both are blocked before the shutdown, so it is the wake-up that is tested.
    let empty: Queue<u8> = Queue::fifo(1);
    let full = Queue::fifo(1);
    full.put_nowait("kept").unwrap();
    thread::scope(|s| {
        let getter = s.spawn(|| empty.get(true, None));
        let putter = s.spawn(|| full.put("refused", true, None));
        until("the getter blocks", || empty.waiters().getters == 1);
        until("the putter blocks", || full.waiters().putters == 1);
        empty.shutdown(false);
        full.shutdown(false);
        assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
        assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown("refused")));
    });
    assert_eq!(full.get_nowait(), Ok("kept"));
    assert_eq!((empty.waiters(), full.waiters()), (Waiters::default(), Waiters::default()));
}
