//! What `data-result` says about a server run: the inputs, and after a run `server, clients,
//! requests, answered, rps, latencyMs{p50, p99}, perClient[…]` with the checks and the fib
//! experiment.

use super::{FibExperiment, Latency, Load, Outcome, PerClient, Sweep, Variant};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "server/"))]
#[serde(untagged)]
pub enum Summary {
    Inputs(Inputs),
    Ran(Box<Ran>),
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "server/"))]
pub struct Inputs {
    pub demo: &'static str,
    pub params: BTreeMap<&'static str, Value>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "server/"))]
#[serde(rename_all = "camelCase")]
pub struct Ran {
    #[serde(flatten)]
    pub inputs: Inputs,
    pub server: Variant,
    pub load: Load,
    pub clients: u32,
    pub threads_used: u32,
    pub requests: u64,
    pub answered: u64,
    pub wrong: u64,
    pub stray: u64,
    pub exactly_once: bool,
    pub rps: f64,
    pub latency_ms: Latency,
    pub per_client: Vec<PerClient>,
    pub fib: Option<FibExperiment>,
    /// Reactor only: loop turns that found something ready, by how many connections were.
    pub ready_sizes: Option<Vec<u64>>,
    pub wraps: u64,
    /// With `sweep` on: every server at 1 to `clients` clients.
    pub sweep: Option<Sweep>,
}

impl Summary {
    pub fn new(p: &Params, outcome: Option<&Outcome>) -> Summary {
        let inputs = Inputs { demo: "server", params: p.values().clone() };
        let Some(o) = outcome else { return Summary::Inputs(inputs) };
        Summary::Ran(Box::new(Ran {
            inputs,
            server: o.server,
            load: o.load,
            clients: o.clients,
            threads_used: o.threads_used,
            requests: o.requests,
            answered: o.answered,
            wrong: o.wrong,
            stray: o.stray,
            exactly_once: o.exactly_once,
            rps: o.rps,
            latency_ms: o.latency_ms.clone(),
            per_client: o.per_client.clone(),
            fib: o.fib.clone(),
            ready_sizes: o.reactor.as_ref().map(|l| l.by_size.clone()),
            wraps: o.wraps,
            sweep: o.sweep.clone(),
        }))
    }
}
