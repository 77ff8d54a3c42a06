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
use crate::params::{Caps, Threads as ThreadsNeed, DemoSpec, Kind, ParamError, ParamSpec, Params};
use crate::pool::{run_threads, Run, SpanKind, SpanLog, Where};
use crate::queue::{GetError, Order, PutError, Queue};
use crate::sync::Ordering::AcqRel;
use crate::sync::{AtomicUsize, Mutex, PoisonError};
use crate::workload::io_wait;
use serde::Serialize;

pub const SPEC: DemoSpec = DemoSpec {
    id: "queue",
    chapter: 3,
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
            kind: Kind::Choice { values: &["fifo", "lifo", "priority"] },
            default: "fifo",
        },
        ParamSpec { name: "produce", label: "Produce delay (ms)", help: "How long a producer takes to make one item", kind: Kind::Int { min: 0, max: 1000 }, default: "20" },
        ParamSpec { name: "consume", label: "Consume delay (ms)", help: "How long a consumer takes to process one item", kind: Kind::Int { min: 0, max: 1000 }, default: "45" },
        ParamSpec {
            name: "stop",
            label: "Consumers stop on",
            help: "pills: one sentinel per consumer after the items (the book); shutdown: join, then shutdown() (Python 3.13)",
            kind: Kind::Choice { values: &["pills", "shutdown"] },
            default: "pills",
        },
    ],
    caps: Caps { instant: false, steppable: true, live: true, threads: ThreadsNeed::None, no_pool: Some("Producers and consumers wait for each other, so they need real threads, which this page does not have.") },
};

mod books;
mod message;

/// Chapter 3's demo in the registry.
pub struct QueueDemo;

impl Demo for QueueDemo {
    type Computed = ();
    type Outcome = Outcome;
    type Summary = crate::demos::demo_summary::Legacy;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, _p: &Params, _ctl: &Control, _ticket: u32) -> Result<(), DemoError> {
        Ok(())
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl, feed)
    }

    fn summary(&self, _p: &Params, _computed: Option<&Self::Computed>, _outcome: Option<&Self::Outcome>) -> Self::Summary {
        crate::demos::demo_summary::Legacy
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(crate::demos::stepper::queue_story(fit))
    }
}

#[cfg(test)]
mod tests;

use books::{blank_path, lock, Books, WakeAllOnPanic};
pub use message::{priority, Item, Msg};

/// The path of one item through the queue.
#[derive(Debug, Clone, Serialize)]
pub struct ItemPath {
    pub id: u32,
    pub priority: u32,
    /// Producer index (0-based; the page names them P1, P2…).
    pub producer: u32,
    pub producer_lane: u32,
    /// `put` was called.
    pub put_ms: f64,
    /// `put` returned: the item was in the queue. Later than `put_ms` if the queue was full.
    pub in_ms: f64,
    /// The first `put_nowait` found the queue full, so the producer blocked in `put`.
    pub blocked: bool,
    /// Consumer index, lane and time of `get`; `None` if no consumer took it.
    pub consumer: Option<u32>,
    pub consumer_lane: Option<u32>,
    pub got_ms: Option<f64>,
    /// From `in_ms` to `got_ms`: how long it sat in the queue.
    pub queued_ms: Option<f64>,
}

/// What one producer or consumer did.
#[derive(Debug, Clone, Serialize)]
pub struct Role {
    /// "P1", "C2"…
    pub name: String,
    pub lane: u32,
    /// Items put (producer) or got (consumer).
    pub items: u32,
    /// Time blocked in `put` on a full queue (producer) or in `get` on an empty one (consumer).
    pub blocked_ms: f64,
    /// How many `put`s (`get`s) found the queue full (empty) and had to wait.
    pub blocked_count: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub order: &'static str,
    /// Distinct threads that ran, all alive at once: the threads asked for (1 without a pool).
    pub threads_used: usize,
    pub stop: &'static str,
    pub maxsize: u32,
    pub produced: u32,
    pub consumed: u32,
    /// Item ids in the order consumers got them (exact for one consumer).
    pub order_out: Vec<u32>,
    /// Ids of items still in the queue when every consumer had stopped.
    pub left: Vec<u32>,
    /// With one producer and one consumer: whether the order out is one this queue's order
    /// allows (FIFO: as put; LIFO: newest first; priority: smallest first). `None` otherwise.
    pub order_check: Option<bool>,
    pub items: Vec<ItemPath>,
    /// `qsize()` read right after every put and get: `[t_ms, size]`, by time.
    pub fill: Vec<[f64; 2]>,
    pub max_fill: u32,
    pub producers: Vec<Role>,
    pub consumers: Vec<Role>,
    pub blocked_put_ms: f64,
    pub blocked_get_ms: f64,
    pub wall_ms: f64,
    /// Making or processing an item (solid), blocked on the queue (hatched).
    pub timeline: Run,
    pub explanation: String,
}

/// One event on the live feed.
#[derive(Debug, Serialize)]
pub struct Event {
    /// `put`, `get`, `full` (a producer waits), `empty` (a consumer waits), `pill` (one was
    /// put), `stop` (a consumer stopped), `shutdown`.
    pub e: &'static str,
    pub t: f64,
    pub who: String,
    pub lane: u32,
    pub id: Option<u32>,
    pub priority: Option<u32>,
    /// `qsize()` right after the event.
    pub size: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    Pills,
    Shutdown,
}


pub fn run(p: &Params, env: Env, ctl: &Control, feed: &Feed) -> Result<Outcome, DemoError> {
    let producers = p.int("producers") as usize;
    let consumers = p.int("consumers") as usize;
    let per_producer = p.int("items") as u32;
    let maxsize = p.int("maxsize") as usize;
    let order = match p.choice("order") {
        "lifo" => Order::Lifo,
        "priority" => Order::Priority,
        _ => Order::Fifo,
    };
    let stop = if p.choice("stop") == "shutdown" { Stop::Shutdown } else { Stop::Pills };
    let (produce, consume) = (p.int("produce") as u32, p.int("consume") as u32);
    check_threads(producers + consumers, env)?;

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
                    books.note(&q, "full", me, None);
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
                Stop::Pills => {
                    for _ in 0..consumers {
                        q.put(Msg::Pill, true, None).or_else(|_| ctl.check())?;
                        books.note(&q, "pill", me, None);
                    }
                }
                Stop::Shutdown => {
                    q.join(); // every item put has been marked task_done
                    q.shutdown(false); // every waiting and later get fails with ShutDown
                    books.note(&q, "shutdown", me, None);
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
                    books.note(&q, "empty", me, None);
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
                    books.note(&q, "stop", me, None);
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
        order: p.choice("order"),
        threads_used: run.threads_used(),
        stop: p.choice("stop"),
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
    let explanation = explain(&o, producers, consumers, produce, consume);
    Ok(Outcome { explanation, ..o })
}


/// Producers and consumers block in the queue, so each needs its own pool thread; the run
/// needs a pool at all.
fn check_threads(roles: usize, env: Env) -> Result<(), DemoError> {
    let message = if env.pool_threads == 0 {
        "producers and consumers wait for each other, so they need real threads, and this page has none \
         (it is not cross-origin isolated)"
            .to_string()
    } else if roles > env.pool_threads as usize {
        format!(
            "producers + consumers must be at most {0} here, got {roles}: each is a thread that may block on the \
             queue, and the engine's pool has {0} workers",
            env.pool_threads
        )
    } else {
        return Ok(());
    };
    let param = if env.pool_threads == 0 { "" } else { "consumers" };
    Err(DemoError::Invalid(vec![ParamError { param: param.to_string(), message }]))
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

fn explain(o: &Outcome, producers: usize, consumers: usize, produce: u32, consume: u32) -> String {
    let mut s = if o.left.is_empty() {
        format!("All {} items were consumed, each exactly once. ", o.produced)
    } else if o.order == "lifo" && o.stop == "pills" {
        format!(
            "{} of {} items were consumed; {} were still in the queue when the consumers stopped: in a LIFO queue the \
             pills, put last, came out first. Poison pills only work if they come out after the items; join and \
             shutdown() do not depend on the order. ",
            o.consumed,
            o.produced,
            o.left.len()
        )
    } else {
        format!("{} of {} items were consumed; {} were left in the queue. ", o.consumed, o.produced, o.left.len())
    };
    s += match o.order {
        "lifo" => "LIFO: each get took the newest item in the queue, like a stack. ",
        "priority" => "Priority: each get took the item with the smallest priority number waiting at that moment. ",
        _ if producers > 1 => "FIFO: items left in the order they went in, and each producer's items stayed in order. ",
        _ => "FIFO: items left in the order they went in. ",
    };
    if let Some(ok) = o.order_check {
        s += "With one producer and one consumer that order can be checked: ";
        s += if ok { "it holds. " } else { "it does NOT hold; please report it. " };
    }
    // Items per second each side can manage, if nothing waited.
    let rate = |n: usize, ms: u32| if ms == 0 { f64::INFINITY } else { n as f64 * 1000.0 / f64::from(ms) };
    let (made, taken) = (rate(producers, produce), rate(consumers, consume));
    let bound = if o.maxsize == 0 { "unbounded".to_string() } else { format!("maxsize {}", o.maxsize) };
    s += &format!("The queue held at most {} ({bound}). ", o.max_fill);
    if made > taken && o.maxsize == 0 {
        s += "Producers can make items faster than consumers take them, and the queue is unbounded: it grows, and put never blocks.";
    } else if made > taken {
        s += &format!(
            "Producers can make items faster than consumers take them, so the queue fills and put blocks: producers waited {:.0} ms in all for a free slot.",
            o.blocked_put_ms
        );
    } else {
        s += &format!(
            "Consumers can take items as fast as producers make them, so the queue stays short: consumers waited {:.0} ms in all on an empty queue.",
            o.blocked_get_ms
        );
    }
    s
}
