//! What `data-result` says about chapter 1: before a run only the inputs, after one the
//! figures of both runs (best times, every sample, lanes, the completion order).

use super::{Check, Outcome, TaskKind};
use crate::measure::WarmUp;
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// Before a run, only the inputs; after one, the run's figures too.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "concurrency/"))]
#[serde(untagged)]
pub enum Summary {
    Ran(RunSummary),
    Inputs { demo: &'static str, params: BTreeMap<&'static str, Value> },
}

/// The figures of a finished run.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "concurrency/"))]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub demo: &'static str,
    pub params: BTreeMap<&'static str, Value>,
    pub kind: TaskKind,
    pub tasks: u32,
    pub threads: u32,
    pub threads_used: usize,
    /// The best sequential time, and the best concurrent one (`null` without a pool).
    pub sequential_ms: f64,
    pub concurrent_ms: Option<f64>,
    pub samples: PerRun<Vec<f64>>,
    pub speedup: Option<f64>,
    pub speedup_range: Option<[f64; 2]>,
    pub repeats: u32,
    pub warm_up: Option<WarmUp>,
    pub check: Check,
    pub lanes: PerRun<Vec<u32>>,
    /// How many spans each timeline has.
    pub spans: PerRun<usize>,
    /// The concurrent run's completion order (the sequential one's without a pool).
    pub order: Vec<u32>,
}

/// One figure of each run; the concurrent one is empty (or 0) when there was none.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "concurrency/"))]
pub struct PerRun<T> {
    pub sequential: T,
    pub concurrent: T,
}

impl Summary {
    pub fn new(p: &Params, o: Option<&Outcome>) -> Summary {
        let params = p.values().clone();
        match o {
            Some(o) => Summary::Ran(RunSummary::of(params, o)),
            None => Summary::Inputs { demo: "concurrency", params },
        }
    }
}

impl RunSummary {
    fn of(params: BTreeMap<&'static str, Value>, o: &Outcome) -> RunSummary {
        let con = o.concurrent.as_ref();
        RunSummary {
            demo: "concurrency",
            params,
            kind: o.kind,
            tasks: o.tasks,
            threads: o.threads,
            threads_used: o.threads_used,
            sequential_ms: o.sequential_ms.min,
            concurrent_ms: o.concurrent_ms.as_ref().map(|s| s.min),
            samples: PerRun { sequential: o.sequential_ms.ms.clone(), concurrent: o.concurrent_ms.as_ref().map(|s| s.ms.clone()).unwrap_or_default() },
            speedup: o.speedup,
            speedup_range: o.speedup_range,
            repeats: o.repeats,
            warm_up: o.warm_up.clone(),
            check: o.check.clone(),
            lanes: PerRun { sequential: o.sequential.lanes.clone(), concurrent: con.map(|r| r.lanes.clone()).unwrap_or_default() },
            spans: PerRun { sequential: o.sequential.spans.len(), concurrent: con.map_or(0, |r| r.spans.len()) },
            order: con.unwrap_or(&o.sequential).order.clone(),
        }
    }
}
