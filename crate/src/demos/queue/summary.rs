//! What `data-result` says about the queue: before a run only the inputs; after one, what
//! came out in which order, each item's path, the fill level and who waited how long.

use super::{ItemPath, Outcome, QueueOrder, StopOn};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// Before a run, only the inputs; after one, its figures too.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "queue/"))]
#[serde(untagged)]
pub enum Summary {
    Ran(RunSummary),
    Inputs { demo: &'static str, params: BTreeMap<&'static str, Value> },
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "queue/"))]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub demo: &'static str,
    pub params: BTreeMap<&'static str, Value>,
    pub threads_used: usize,
    pub order: QueueOrder,
    pub stop: StopOn,
    pub produced: u32,
    pub consumed: u32,
    pub order_out: Vec<u32>,
    pub left: Vec<u32>,
    pub order_check: Option<bool>,
    pub paths: Vec<PathSummary>,
    pub maxsize: u32,
    pub max_fill: u32,
    /// `qsize()` after every put and get, by time.
    pub fill: Vec<f64>,
    pub blocked_ms: BlockedMs,
    pub blocked_put_ms: f64,
    pub blocked_get_ms: f64,
    /// Every role and its thread, producers first.
    pub lanes: Vec<RoleLane>,
}

/// One item's path; producers and consumers are numbered from 1 (P1, C1).
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "queue/"))]
#[serde(rename_all = "camelCase")]
pub struct PathSummary {
    pub id: u32,
    pub producer: u32,
    pub consumer: Option<u32>,
    pub priority: u32,
    pub queued_ms: Option<f64>,
}

/// The time each producer and each consumer was blocked, in order.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "queue/"))]
pub struct BlockedMs {
    pub producers: Vec<f64>,
    pub consumers: Vec<f64>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "queue/"))]
pub struct RoleLane {
    pub name: String,
    pub lane: u32,
}

impl Summary {
    pub fn new(p: &Params, o: Option<&Outcome>) -> Summary {
        let params = p.values().clone();
        let Some(o) = o else { return Summary::Inputs { demo: "queue", params } };
        Summary::Ran(RunSummary {
            demo: "queue",
            params,
            threads_used: o.threads_used,
            order: o.order,
            stop: o.stop,
            produced: o.produced,
            consumed: o.consumed,
            order_out: o.order_out.clone(),
            left: o.left.clone(),
            order_check: o.order_check,
            paths: o.items.iter().map(PathSummary::of).collect(),
            maxsize: o.maxsize,
            max_fill: o.max_fill,
            fill: o.fill.iter().map(|f| f[1]).collect(),
            blocked_ms: BlockedMs {
                producers: o.producers.iter().map(|r| r.blocked_ms).collect(),
                consumers: o.consumers.iter().map(|r| r.blocked_ms).collect(),
            },
            blocked_put_ms: o.blocked_put_ms,
            blocked_get_ms: o.blocked_get_ms,
            lanes: o.producers.iter().chain(&o.consumers).map(|r| RoleLane { name: r.name.clone(), lane: r.lane }).collect(),
        })
    }
}

impl PathSummary {
    fn of(p: &ItemPath) -> PathSummary {
        PathSummary { id: p.id, producer: p.producer + 1, consumer: p.consumer.map(|c| c + 1), priority: p.priority, queued_ms: p.queued_ms }
    }
}
