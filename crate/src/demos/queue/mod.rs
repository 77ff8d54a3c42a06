//! Chapter 3 (with chapter 6's poison pills): producers and consumers on real threads around
//! one [`Queue`] with Python's `queue.Queue` semantics.
//!
//! Producers make items (an I/O-like wait each) and put them in the queue; consumers get
//! them and process them (another wait). A bounded queue (`maxsize > 0`) makes producers
//! block while it is full; consumers block while it is empty. Each item carries who made it
//! and when it was put, so its whole path can be shown: made by, taken by, time in the queue.
//!
//! How consumers learn that no more items will come (the `stop` input):
//! - `pills` (the default, the book's fix in chapter 6): once every producer is done, one
//!   sentinel per consumer is put after the items; a consumer that gets one stops. It relies
//!   on the pills coming out last, which holds for FIFO and for the priority queue (a pill
//!   sorts after every item) but not for LIFO, where the pills put last come out first and
//!   the consumers stop with items still in the queue. The run shows that, and counts them.
//! - `shutdown` (Python 3.13): wait in `join` until every item put was marked with
//!   `task_done`, then `shutdown()`: every blocked and later `get` fails with `ShutDown`. It
//!   does not depend on the order, and needs no sentinel value in the item type.
//!
//! Python's main thread would do that last step after joining the producers; here the engine
//! thread waits for the whole run inside the pool, so the last producer to finish does it.
//!
//! Every role blocks in the queue, so each needs a thread of its own: producers + consumers
//! must fit in the pool, and all roles start together (the start line of run_threads), as Python starts every
//! thread before joining them. A cancel wakes everyone through `shutdown(immediate)`.

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::sched::Program;
use super::{DemoError, Env};
use crate::control::{Cancelled, Control};
use crate::params::{Caps, Choice, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::pool::{run_threads, SpanKind, SpanLog, Where};
use crate::queue::{GetError, Order, PutError, Queue};
use crate::sync::Ordering::AcqRel;
use crate::sync::{AtomicUsize, Mutex, PoisonError};
use crate::workload::io_wait;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "queue/"))]
    /// Which queue: Python's `Queue`, `LifoQueue` or `PriorityQueue`.
    pub enum QueueOrder { Fifo = "fifo", Lifo = "lifo", Priority = "priority" }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "queue/"))]
    /// How consumers learn that no more items will come.
    pub enum StopOn { Pills = "pills", Shutdown = "shutdown" }
}

pub const SPEC: DemoSpec = DemoSpec {
    id: "queue",
    chapter: 3,
    also: &[],
    nav: "Queues",
    title: "Queues: producers and consumers",
    summary: "Producer threads put items into one queue, consumer threads take them out. Watch it fill and drain, and who waits for whom.",
    params: &[
        ParamSpec { name: "producers", label: "Producers", help: "Threads that make items and put them in the queue", kind: Kind::Int { min: 1, max: 8 }, default: "2" },
        ParamSpec { name: "consumers", label: "Consumers", help: "Threads that get items from the queue and process them", kind: Kind::Int { min: 1, max: 8 }, default: "2" },
        ParamSpec { name: "items", label: "Items per producer", help: "How many items each producer makes", kind: Kind::Int { min: 1, max: 50 }, default: "8" },
        ParamSpec { name: "maxsize", label: "maxsize", help: "The most items the queue holds; 0 = unbounded", kind: Kind::Int { min: 0, max: 50 }, default: "3" },
        ParamSpec {
            name: "order",
            label: "Order",
            help: "fifo: Queue, oldest first; lifo: LifoQueue, newest first; priority: PriorityQueue, smallest priority first",
            kind: Kind::Choice { values: QueueOrder::WORDS },
            default: "fifo",
        },
        ParamSpec { name: "produce", label: "Produce delay (ms)", help: "How long a producer takes to make one item", kind: Kind::Int { min: 0, max: 1000 }, default: "20" },
        ParamSpec { name: "consume", label: "Consume delay (ms)", help: "How long a consumer takes to process one item", kind: Kind::Int { min: 0, max: 1000 }, default: "45" },
        ParamSpec {
            name: "stop",
            label: "Consumers stop on",
            help: "pills: one sentinel per consumer after the items (the book); shutdown: join, then shutdown() (Python 3.13)",
            kind: Kind::Choice { values: StopOn::WORDS },
            default: "pills",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: true,
        // Every role blocks in the queue, so each needs a thread of its own.
        threads: ThreadsNeed::Sum {
            inputs: &["producers", "consumers"],
            extra: 0,
            what: "producers + consumers",
            why: ", and each is a thread that may block on the queue",
            needs_pool: Some(
                "producers and consumers wait for each other, so they need real threads, and this page has none \
                 (it is not cross-origin isolated)",
            ),
        },
        no_pool: Some("Producers and consumers wait for each other, so they need real threads, which this page does not have."),
    },
};

mod books;
mod explain;
mod message;
mod record;
mod steps;
mod summary;
pub use summary::Summary;

/// Chapter 3's demo in the registry.
pub struct QueueDemo;

impl Demo for QueueDemo {
    type Computed = ();
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, _p: &Params, _ctl: &Control, _ticket: u32) -> Result<(), DemoError> {
        Ok(())
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl, feed)
    }

    fn summary(&self, p: &Params, _computed: Option<&()>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, outcome)
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(steps::story(fit))
    }
}

#[cfg(test)]
mod tests;

use books::{blank_path, lock, Books, WakeAllOnPanic};
pub use record::{Event, EventKind, ItemPath, Outcome, Role};
pub use message::{priority, Item, Msg};

pub fn run(p: &Params, _env: Env, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
    let producers = p.int("producers") as usize;
    let consumers = p.int("consumers") as usize;
    let per_producer = p.int("items") as u32;
    let maxsize = p.int("maxsize") as usize;
    let chosen = p.pick::<QueueOrder>("order");
    let order = match chosen {
        QueueOrder::Fifo => Order::Fifo,
        QueueOrder::Lifo => Order::Lifo,
        QueueOrder::Priority => Order::Priority,
    };
    let stop = p.pick::<StopOn>("stop");
    let (produce, consume) = (p.int("produce") as u32, p.int("consume") as u32);

    let total = producers as u32 * per_producer;
    ctl.begin(2 * total + (producers + consumers) as u32);
    feed.clear();
    let books = Books {
        feed,
        ctl,
        log: SpanLog::new(),
        paths: Mutex::new((0..total).map(|id| (false, blank_path(id, id / per_producer))).collect()),
        out: Mutex::new(Vec::with_capacity(total as usize)),
        fill: Mutex::new(vec![[0.0, 0.0]]),
        roles: Mutex::new(Vec::new()),
    };
    let q: Queue<Msg> = Queue::new(order, maxsize);
    let finished = AtomicUsize::new(0);

    // snippet:start queue
    // A producer makes each item (an I/O-like wait), then puts it. put_nowait hands the item
    // back if the queue is full; then the producer blocks in put until a consumer frees a slot.
    let producer = |p: u32, me: &mut Role| -> Result<(), Cancelled> {
        for i in 0..per_producer {
            let id = p * per_producer + i;
            books.log.span(id, SpanKind::Work, || io_wait(produce, ctl))?;
            let put_ms = books.now();
            let item = Item { id, producer: p, priority: priority(id), put_ms };
            let blocked = match q.put_nowait(Msg::Item(item)) {
                Ok(()) => false,
                Err(PutError::Full(msg)) => {
                    books.note(&q, EventKind::Full, me, None);
                    let put = books.log.span(id, SpanKind::Wait, || q.put(msg, true, None));
                    me.blocked_count += 1;
                    me.blocked_ms += books.now() - put_ms;
                    if put.is_err() {
                        return ctl.check(); // shut down: only a cancel does that mid-run
                    }
                    true
                }
                Err(PutError::ShutDown(_)) => return ctl.check(),
            };
            books.put(&q, me, item, blocked);
        }
        // The last producer to finish does what Python's main thread would do after joining
        // the producers: tell the consumers that nothing more will come.
        if finished.fetch_add(1, AcqRel) + 1 == producers {
            match stop {
                StopOn::Pills => {
                    for _ in 0..consumers {
                        q.put(Msg::Pill, true, None).or_else(|_| ctl.check())?;
                        books.note(&q, EventKind::Pill, me, None);
                    }
                }
                StopOn::Shutdown => {
                    q.join(); // every item put has been marked task_done
                    q.shutdown(false); // every waiting and later get fails with ShutDown
                    books.note(&q, EventKind::Shutdown, me, None);
                }
            }
        }
        Ok(())
    };

    // A consumer gets items until it gets a pill or the queue is shut down. get_nowait says
    // Empty at once; then the consumer blocks in get until a producer puts something.
    let consumer = |c: u32, me: &mut Role| -> Result<(), Cancelled> {
        loop {
            let asked = books.now();
            let mut waited = false;
            let msg = match q.get_nowait() {
                Err(GetError::Empty) => {
                    books.note(&q, EventKind::Empty, me, None);
                    let msg = q.get(true, None); // blocks until a producer puts (or a shutdown)
                    waited = true;
                    me.blocked_count += 1;
                    me.blocked_ms += books.now() - asked;
                    msg
                }
                other => other,
            };
            let item = match msg {
                Ok(Msg::Item(item)) => item,
                Ok(Msg::Pill) | Err(_) => {
                    books.note(&q, EventKind::Stop, me, None);
                    return ctl.check(); // a pill, or ShutDown: either way, stop
                }
            };
            if waited {
                books.log.record(item.id, SpanKind::Wait, asked); // drawn under the item it got
            }
            books.got(&q, me, c, item);
            let processed = books.log.span(item.id, SpanKind::Work, || io_wait(consume, ctl));
            q.task_done().expect("one task_done per item got"); // also after a cancel: join must not wait for it
            processed?;
        }
    };
    // snippet:end queue

    // Like Python's `t.start()` for every thread before any works: run_threads starts each
    // role on a pool worker of its own, all alive before any begins (none can finish early
    // and then run another role on the same worker).
    let run = run_threads(Where::Pool(producers + consumers), producers + consumers, ctl, |i, _| {
        let _wake = WakeAllOnPanic(&q);
        let is_producer = i < producers;
        let index = if is_producer { i } else { i - producers } as u32;
        let prefix = if is_producer { 'P' } else { 'C' };
        let mut me = Role { name: format!("{prefix}{}", index + 1), lane: crate::pool::current_lane(), items: 0, blocked_ms: 0.0, blocked_count: 0 };
        let result = if is_producer { producer(index, &mut me) } else { consumer(index, &mut me) };
        if result.is_err() {
            q.shutdown(true); // a cancel: wake every thread blocked in the queue
        }
        lock(&books.roles).push((is_producer, index, me));
        result
    });
    let run = run?;

    let left: Vec<u32> = q.shutdown(true).into_iter().filter_map(|m| if let Msg::Item(i) = m { Some(i.id) } else { None }).collect();
    let Books { log, paths, out, fill, roles, .. } = books;
    let order_out = out.into_inner().unwrap_or_else(PoisonError::into_inner);
    let items: Vec<ItemPath> = paths.into_inner().unwrap_or_else(PoisonError::into_inner).into_iter().filter(|p| p.0).map(|p| p.1).collect();
    let mut fill = fill.into_inner().unwrap_or_else(PoisonError::into_inner);
    fill.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let max_fill = fill.iter().map(|f| f[1] as u32).max().unwrap_or(0);
    let mut roles = roles.into_inner().unwrap_or_else(PoisonError::into_inner);
    roles.sort_by_key(|(is_producer, index, _)| (!*is_producer, *index));
    let (producer_roles, consumer_roles): (Vec<_>, Vec<_>) = roles.into_iter().partition(|r| r.0);
    let producers_out: Vec<Role> = producer_roles.into_iter().map(|r| r.2).collect();
    let consumers_out: Vec<Role> = consumer_roles.into_iter().map(|r| r.2).collect();
    let timeline = log.into_run((producers + consumers) as u32, order_out.clone());

    let order_check = (producers == 1 && consumers == 1).then(|| order_allowed(order, &order_out));
    let o = Outcome {
        order: chosen,
        threads_used: run.threads_used(),
        stop,
        maxsize: maxsize as u32,
        produced: items.len() as u32,
        consumed: order_out.len() as u32,
        left,
        order_check,
        fill,
        max_fill,
        blocked_put_ms: producers_out.iter().map(|r| r.blocked_ms).sum(),
        blocked_get_ms: consumers_out.iter().map(|r| r.blocked_ms).sum(),
        wall_ms: timeline.wall_ms,
        producers: producers_out,
        consumers: consumers_out,
        items,
        order_out,
        timeline,
        explanation: String::new(),
    };
    let explanation = explain::explain(&o, producers, consumers, produce, consume);
    Ok(Outcome { explanation, ..o })
}

/// With one producer (which puts ids in increasing order) and one consumer, whether `out`
/// can have come out of a queue of `order`:
/// - FIFO: increasing, exactly as put;
/// - LIFO: no ids `c > b > a` got in the order c, a, b (when c was got, a and b were both
///   below it, b above a, so b had to come out before a);
/// - priority: no id got before an older one (put earlier, so already waiting) with a smaller
///   `(priority, id)` key.
pub fn order_allowed(order: Order, out: &[u32]) -> bool {
    let n = out.len();
    match order {
        Order::Fifo => out.windows(2).all(|w| w[0] < w[1]),
        Order::Lifo => (0..n).all(|i| {
            (i + 1..n).all(|j| out[j] > out[i] || (j + 1..n).all(|k| !(out[j] < out[k] && out[k] < out[i])))
        }),
        Order::Priority => (0..n).all(|i| {
            (i + 1..n).all(|j| out[j] > out[i] || (priority(out[i]), out[i]) < (priority(out[j]), out[j]))
        }),
    }
}
