//! What `data-result` says about the race: the inputs, and after a run each version's total
//! and every unprotected total.

use super::{Outcome, Version};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// Before a run, the demo and its inputs; after one, what it found too.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "race/"))]
#[serde(untagged)]
pub enum Summary {
    Inputs(Inputs),
    Ran(Ran),
}

/// The demo and its validated inputs.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "race/"))]
pub struct Inputs {
    pub demo: &'static str,
    pub params: BTreeMap<&'static str, Value>,
}

/// The summary after a run.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "race/"))]
pub struct Ran {
    #[serde(flatten)]
    pub inputs: Inputs,
    pub expected: u64,
    /// The first run of each version, in the order they ran.
    pub runs: Vec<VersionRun>,
    /// Every unprotected total (empty when that version did not run).
    pub actuals: Vec<u64>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "race/"))]
#[serde(rename_all = "camelCase")]
pub struct VersionRun {
    pub method: Version,
    pub actual: u64,
    pub lost: u64,
    pub wall_ms: f64,
    pub threads_used: usize,
}

impl Summary {
    pub fn new(p: &Params, outcome: Option<&Outcome>) -> Summary {
        let inputs = Inputs { demo: "race", params: p.values().clone() };
        let Some(o) = outcome else { return Summary::Inputs(inputs) };
        Summary::Ran(Ran {
            inputs,
            expected: o.expected,
            runs: o
                .runs
                .iter()
                .map(|r| VersionRun { method: r.method, actual: r.actual, lost: r.lost, wall_ms: r.wall_ms, threads_used: r.threads_used })
                .collect(),
            actuals: o.spread.as_ref().map(|s| s.actuals.clone()).unwrap_or_default(),
        })
    }
}
