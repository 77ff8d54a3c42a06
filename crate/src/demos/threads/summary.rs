//! What `data-result` says about the countdown: the inputs, and after a run every line in
//! order, where each thread ran, and how many were alive at once.

use super::Outcome;
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// Before a run, the demo and its inputs; after one, what it found too.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "threads/"))]
#[serde(untagged)]
pub enum Summary {
    Inputs(Inputs),
    Ran(Ran),
}

/// The demo and its validated inputs.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "threads/"))]
pub struct Inputs {
    pub demo: &'static str,
    pub params: BTreeMap<&'static str, Value>,
}

/// The summary after a run.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "threads/"))]
#[serde(rename_all = "camelCase")]
pub struct Ran {
    #[serde(flatten)]
    pub inputs: Inputs,
    pub threads_used: usize,
    pub lock: bool,
    /// Every line's text ("A: 5"), in the order printed.
    pub lines: Vec<String>,
    pub switches: usize,
    /// Each thread and the lane it ran on, by name.
    pub threads: Vec<ThreadLane>,
    /// The most threads alive at once (`threading.active_count()`, not counting the main thread).
    pub peak_active: usize,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "threads/"))]
pub struct ThreadLane {
    pub name: String,
    pub lane: u32,
}

impl Summary {
    pub fn new(p: &Params, outcome: Option<&Outcome>) -> Summary {
        let inputs = Inputs { demo: "threads", params: p.values().clone() };
        let Some(o) = outcome else { return Summary::Inputs(inputs) };
        Summary::Ran(Ran {
            inputs,
            threads_used: o.threads_used,
            lock: o.lock,
            lines: o.lines.iter().map(|l| l.text.clone()).collect(),
            switches: o.switches,
            threads: o.lives.iter().map(|l| ThreadLane { name: l.name.clone(), lane: l.lane }).collect(),
            peak_active: o.active.iter().map(|a| a[1] as usize).max().unwrap_or(0),
        })
    }
}
