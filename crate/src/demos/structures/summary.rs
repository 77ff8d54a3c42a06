//! What `data-result` says about the structures: the inputs, and after a run the threads
//! that did the work, each variant's throughput at the most threads, and what each ended with
//! (for the dict, the reads that met a `KeyError`).

use super::steps::{found, Explored, Found, Story};
use super::{Final, Outcome, Structure, Variant};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "structures/"))]
#[serde(untagged)]
pub enum Summary {
    Inputs(Inputs),
    Ran(Ran),
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "structures/"))]
#[serde(rename_all = "camelCase")]
pub struct Inputs {
    pub demo: &'static str,
    pub params: BTreeMap<&'static str, Value>,
    /// ABA on the Treiber stack that reuses a popped node, as the explorer found it: the
    /// interleavings, those that break `top != kept`, and a shortest one as a trace.
    pub aba: Option<Found>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "structures/"))]
#[serde(rename_all = "camelCase")]
pub struct Ran {
    #[serde(flatten)]
    pub inputs: Inputs,
    pub structure: Structure,
    pub threads: u32,
    pub threads_used: usize,
    pub ops: u32,
    /// The spin, in iterations, between the unlocked counter's load and store and between
    /// the dict reader's check and read: the book's sleep.
    pub gap: u32,
    /// Each variant, in the order it ran: its median throughput (ops/s) at the most threads.
    pub throughput: Vec<Throughput>,
    /// What each variant ended with at the most threads.
    #[serde(rename = "final")]
    pub finals: Vec<Final>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "structures/"))]
#[serde(rename_all = "camelCase")]
pub struct Throughput {
    pub variant: Variant,
    pub ops_per_sec: f64,
    pub ops_per_sec_range: [f64; 2],
}

impl Summary {
    pub fn new(p: &Params, computed: Option<&Explored>, outcome: Option<&Outcome>) -> Summary {
        let inputs = Inputs { demo: "structures", params: p.values().clone(), aba: Some(computed.and_then(Explored::aba).cloned().unwrap_or_else(|| found(Story::Aba))) };
        let Some(o) = outcome else { return Summary::Inputs(inputs) };
        let top = o.points.iter().map(|p| p.threads).max().unwrap_or(0);
        Summary::Ran(Ran {
            inputs,
            structure: o.structure,
            threads: o.threads,
            threads_used: o.threads_used,
            ops: o.ops,
            gap: o.gap,
            throughput: o
                .points
                .iter()
                .filter(|p| p.threads == top)
                .map(|p| Throughput { variant: p.variant, ops_per_sec: p.ops_per_sec, ops_per_sec_range: p.ops_per_sec_range })
                .collect(),
            finals: o.finals.clone(),
        })
    }
}
