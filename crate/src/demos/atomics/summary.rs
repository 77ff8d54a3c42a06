//! What `data-result` says for the litmus tests: the inputs and the allowed sets, and after
//! a run the counted outcomes and the threads that ran them.

use super::{AddRun, Allowed, Models, Outcome};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "atomics/"))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
    pub test: String,
    pub access: String,
    pub threads: usize,
    pub allowed: Option<Allowed>,
    /// After a run.
    pub threads_used: Option<usize>,
    pub iterations: Option<u32>,
    #[cfg_attr(test, ts(type = "Record<string, number> | null"))]
    pub outcomes: Option<BTreeMap<String, u64>>,
    pub add: Option<AddRun>,
    /// The litmus run's wall time (the rendezvous included), for iterations per second.
    pub wall_ms: Option<f64>,
    /// `n += 1` cases counted exhaustively: (threads, increments, interleavings, lost).
    pub counted: Option<Vec<(usize, usize, String, String)>>,
}

impl Summary {
    pub fn new(p: &Params, computed: Option<&Models>, outcome: Option<&Outcome>) -> Summary {
        let test = p.choice("test").to_string();
        let threads = if test == "iriw" { 4 } else { 2 };
        let mut s = Summary {
            demo: "atomics",
            params: p.values().clone(),
            access: p.choice("access").to_string(),
            test,
            threads,
            allowed: computed.map(|c| c.allowed.clone()),
            threads_used: None,
            iterations: None,
            outcomes: None,
            add: None,
            wall_ms: None,
            counted: computed.map(|c| c.counted.iter().map(|k| (k.threads, k.increments, k.interleavings.clone(), k.lost.clone())).collect()),
        };
        if let Some(o) = outcome {
            s.allowed = Some(o.allowed.clone());
            s.threads_used = Some(o.threads_used);
            s.iterations = Some(o.iterations);
            s.outcomes = Some(o.outcomes.clone());
            s.add = o.add.clone();
            s.wall_ms = Some(o.wall_ms);
        }
        s
    }
}
