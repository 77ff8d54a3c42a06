//! What `data-result` says about the lock demo: the inputs, and after a run the total and
//! every thread's waiting, as tests and embeds read them.

use super::{LockMode, Outcome};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// Before a run, the demo and its inputs; after one, what it found too.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "lock/"))]
#[serde(untagged)]
pub enum Summary {
    Inputs(Inputs),
    Ran(Ran),
}

/// The demo and its validated inputs.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "lock/"))]
pub struct Inputs {
    pub demo: &'static str,
    pub params: BTreeMap<&'static str, Value>,
}

/// The summary after a run.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "lock/"))]
#[serde(rename_all = "camelCase")]
pub struct Ran {
    #[serde(flatten)]
    pub inputs: Inputs,
    pub threads_used: usize,
    pub mode: LockMode,
    pub threads: u32,
    pub expected: u64,
    pub actual: u64,
    pub exact: bool,
    /// Each thread's time waiting for the lock, in the order of the threads' names.
    pub wait_ms: Vec<f64>,
    pub failed: Vec<u64>,
    pub acquisitions: Vec<u32>,
    pub lanes: Vec<u32>,
}

impl Summary {
    pub fn new(p: &Params, outcome: Option<&Outcome>) -> Summary {
        let inputs = Inputs { demo: "lock", params: p.values().clone() };
        let Some(o) = outcome else { return Summary::Inputs(inputs) };
        Summary::Ran(Ran {
            inputs,
            threads_used: o.threads_used,
            mode: o.mode,
            threads: o.threads,
            expected: o.expected,
            actual: o.actual,
            exact: o.exact,
            wait_ms: o.stats.iter().map(|s| s.wait_ms).collect(),
            failed: o.stats.iter().map(|s| s.failed).collect(),
            acquisitions: o.stats.iter().map(|s| s.acquisitions).collect(),
            lanes: o.stats.iter().map(|s| s.lane).collect(),
        })
    }
}
