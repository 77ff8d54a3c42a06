//! What `data-result` says about chapter 3: before a run only the inputs; after one, both
//! strategies' figures (who ran which task, idle time per worker) and the hand-off cost.

use super::{Outcome, Strategy};
use crate::measure::WarmUp;
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// Before a run, only the inputs; after one, its figures too.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "pool/"))]
#[serde(untagged)]
pub enum Summary {
    Ran(RunSummary),
    Inputs { demo: &'static str, params: BTreeMap<&'static str, Value> },
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "pool/"))]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub demo: &'static str,
    pub params: BTreeMap<&'static str, Value>,
    pub workers: u32,
    pub warm_up: WarmUp,
    pub tasks: u32,
    pub sizes: Vec<u32>,
    pub pool_threads: u32,
    pub held_aside: Vec<u32>,
    pub queue: StrategySummary,
    pub stealing: StrategySummary,
    /// The median hand-off; `null` with a single pool thread.
    pub handoff_us: Option<f64>,
}

/// One strategy's run.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "pool/"))]
#[serde(rename_all = "camelCase")]
pub struct StrategySummary {
    pub wall_ms: f64,
    /// `[task, lane]` for every task, by task number.
    pub assignment: Vec<[u32; 2]>,
    pub per_worker: Vec<WorkerSummary>,
    pub idle_ms: f64,
    pub streak: f64,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "pool/"))]
#[serde(rename_all = "camelCase")]
pub struct WorkerSummary {
    pub worker: u32,
    pub lane: u32,
    pub tasks: u32,
    pub idle_ms: f64,
}

impl Summary {
    pub fn new(p: &Params, o: Option<&Outcome>) -> Summary {
        let params = p.values().clone();
        let Some(o) = o else { return Summary::Inputs { demo: "pool", params } };
        Summary::Ran(RunSummary {
            demo: "pool",
            params,
            workers: o.workers,
            warm_up: o.warm_up.clone(),
            tasks: o.tasks,
            sizes: o.sizes.clone(),
            pool_threads: o.pool_threads,
            held_aside: o.held_aside.clone(),
            queue: StrategySummary::of(&o.queue),
            stealing: StrategySummary::of(&o.stealing),
            handoff_us: o.handoff.as_ref().map(|h| h.median_us),
        })
    }
}

impl StrategySummary {
    fn of(s: &Strategy) -> StrategySummary {
        StrategySummary {
            wall_ms: s.wall_ms,
            assignment: s.runs.iter().map(|r| [r.task, r.lane]).collect(),
            per_worker: s.workers.iter().map(|w| WorkerSummary { worker: w.worker, lane: w.lane, tasks: w.tasks, idle_ms: w.idle_ms }).collect(),
            idle_ms: s.idle_ms,
            streak: s.streak,
        }
    }
}
