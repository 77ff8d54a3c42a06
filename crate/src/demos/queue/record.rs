//! What a run of the queue demo records: each item's path, each role's waits, the outcome
//! the page draws, and the events of the live feed.

use super::{QueueOrder, StopOn};
use crate::pool::Run;
use serde::Serialize;

/// The path of one item through the queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "queue/"))]
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
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "queue/"))]
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
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "queue/"))]
pub struct Outcome {
    pub order: QueueOrder,
    /// Distinct threads that ran, all alive at once: the threads asked for (1 without a pool).
    pub threads_used: usize,
    pub stop: StopOn,
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

/// What happened, in an event of the live feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "queue/"))]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Put,
    Get,
    /// A producer waits.
    Full,
    /// A consumer waits.
    Empty,
    /// A pill was put.
    Pill,
    /// A consumer stopped.
    Stop,
    Shutdown,
}

/// One event on the live feed.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "queue/"))]
pub struct Event {
    pub e: EventKind,
    pub t: f64,
    pub who: String,
    pub lane: u32,
    pub id: Option<u32>,
    pub priority: Option<u32>,
    /// `qsize()` right after the event.
    pub size: u32,
}
