//! What `data-result` says for the event loop: the virtual-clock run (always), and after a
//! real run what the real clock measured.

use super::trace::{self, Schedule, Trace};
use super::{Late, Outcome, Program, Setup};
use crate::aio::{Event, LoopState, PerTask};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// A cooking schedule, without its lanes.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
#[serde(rename_all = "camelCase")]
pub struct Total {
    pub name: &'static str,
    pub order: Vec<String>,
    pub total_ms: f64,
}

/// What the real clock measured.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
#[serde(rename_all = "camelCase")]
pub struct Real {
    pub total_ms: f64,
    pub speed: u32,
    pub events: Vec<Event>,
    pub per_task: Vec<PerTask>,
    pub late_ms: Late,
    pub threads_used: usize,
    pub pool_threads: Vec<usize>,
    pub offloaded: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "eventloop/"))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
    pub program: Program,
    pub blocking: bool,
    /// The virtual clock's log, in order.
    pub events: Vec<Event>,
    pub total_ms: f64,
    pub sequential_ms: f64,
    pub per_task: Vec<PerTask>,
    pub at: usize,
    pub state: LoopState,
    /// Cooking: the three schedules' totals.
    pub schedules: Option<Vec<Total>>,
    /// Channels: items put, items got, and the order they were got in.
    pub produced: Option<usize>,
    pub consumed: Option<usize>,
    pub order: Option<Vec<u32>>,
    /// Echo: (client, sent, echoed).
    pub echo: Option<Vec<(String, u32, u32)>>,
    /// After a real run.
    pub real: Option<Real>,
}

impl Summary {
    pub fn new(p: &Params, computed: Option<&Trace>, outcome: Option<&Outcome>) -> Summary {
        // After a run the page has no trace to hand: the virtual run is replayed (it is exact,
        // so this is the same trace) rather than carried in every outcome.
        let fresh;
        let t = match computed {
            Some(t) => t,
            None => {
                fresh = trace::virtual_trace(&Setup::of(p), p.int("at") as usize).ok();
                match &fresh {
                    Some(t) => t,
                    None => return Summary::empty(p),
                }
            }
        };
        let totals = |s: &Vec<Schedule>| s.iter().map(|s| Total { name: s.name, order: s.order.clone(), total_ms: s.total_ms }).collect();
        Summary {
            demo: "eventloop",
            params: p.values().clone(),
            program: t.program,
            blocking: t.blocking,
            events: t.events.clone(),
            total_ms: t.total_ms,
            sequential_ms: t.sequential_ms,
            per_task: t.per_task.clone(),
            at: t.at,
            state: t.state.clone(),
            schedules: t.schedules.as_ref().map(totals),
            produced: t.channel.as_ref().map(|c| c.produced.len()),
            consumed: t.channel.as_ref().map(|c| c.consumed.len()),
            order: t.channel.as_ref().map(|c| c.consumed.clone()),
            echo: t.echo.as_ref().map(|cs| cs.iter().map(|c| (c.name.clone(), c.sent, c.echoed)).collect()),
            real: outcome.map(|o| Real {
                total_ms: o.total_ms,
                speed: o.speed,
                events: o.events.clone(),
                per_task: o.per_task.clone(),
                late_ms: o.late_ms.clone(),
                threads_used: o.threads_used,
                pool_threads: o.pool_threads.clone(),
                offloaded: o.offloaded,
            }),
        }
    }

    /// Inputs the virtual run refused (a step past the end): the inputs alone.
    fn empty(p: &Params) -> Summary {
        Summary {
            demo: "eventloop",
            params: p.values().clone(),
            program: p.pick::<Program>("program"),
            blocking: false,
            events: vec![],
            total_ms: 0.0,
            sequential_ms: 0.0,
            per_task: vec![],
            at: 0,
            state: LoopState::default(),
            schedules: None,
            produced: None,
            consumed: None,
            order: None,
            echo: None,
            real: None,
        }
    }
}
