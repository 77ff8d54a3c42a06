//! What `data-result` says about the GIL: the inputs and the step-through's enumerated
//! outcomes; after a run, its mode, threads, wall time, speedup, switches, holds and the
//! convoy's latency.

use super::{Enumerated, Hold, Mode, Outcome, Outcomes};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "gil/"))]
#[serde(untagged)]
pub enum Summary {
    Inputs(Inputs),
    Ran(Ran),
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "gil/"))]
pub struct Inputs {
    pub demo: &'static str,
    pub params: BTreeMap<&'static str, Value>,
    /// The step-through's interleavings under each policy (after a compute).
    #[cfg_attr(test, ts(optional = nullable))]
    pub policies: Option<Vec<Outcomes>>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "gil/"))]
#[serde(rename_all = "camelCase")]
pub struct Ran {
    #[serde(flatten)]
    pub inputs: Inputs,
    pub mode: Mode,
    pub threads: u32,
    pub threads_used: u32,
    pub wall_ms: f64,
    pub speedup: f64,
    pub switches: u64,
    pub holds: Vec<Hold>,
    /// Median wait of the I/O-bound thread to run again; `null` without a pool of two.
    pub io_latency_ms: Option<f64>,
}

impl Summary {
    pub fn new(p: &Params, computed: Option<&Enumerated>, outcome: Option<&Outcome>) -> Summary {
        let inputs = Inputs { demo: "gil", params: p.values().clone(), policies: computed.map(|c| c.policies.clone()) };
        let Some(o) = outcome else { return Summary::Inputs(inputs) };
        Summary::Ran(Ran {
            inputs,
            mode: o.mode,
            threads: o.threads,
            threads_used: o.threads_used,
            wall_ms: o.wall_ms,
            speedup: o.speedup,
            switches: o.switches,
            holds: o.holds.clone(),
            io_latency_ms: o.convoy.as_ref().map(|c| c.median_ms),
        })
    }
}
