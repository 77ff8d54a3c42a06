//! What `data-result` says about a starvation run: every thread's accesses and waits, Jain's
//! index, and the meters of the group that can starve and of the others.

use super::{Contest, Outcome, Role, Rule};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// `data-result`: before any run, only the inputs; after one, what it did.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "starvation/"))]
#[serde(untagged)]
pub enum Summary {
    Ran(Ran),
    Inputs(Inputs),
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "starvation/"))]
pub struct Inputs {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "starvation/"))]
#[serde(rename_all = "camelCase")]
pub struct Ran {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
    pub threads_used: usize,
    pub scenario: Contest,
    pub policy: Rule,
    /// Per thread, in thread order (R1, R2, …, W1, …).
    pub names: Vec<String>,
    pub roles: Vec<Role>,
    pub accesses: Vec<u32>,
    pub longest_wait_ms: Vec<f64>,
    pub wait_ms: Vec<f64>,
    pub lanes: Vec<u32>,
    pub jain: f64,
    pub starved: Vec<bool>,
    /// The group that can starve (writers, or the low-priority task).
    pub starving: Starving,
    pub others: Others,
    /// How many samples of the counts were taken.
    pub samples: usize,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "starvation/"))]
#[serde(rename_all = "camelCase")]
pub struct Starving {
    pub group: &'static str,
    pub accesses: u32,
    pub share: f64,
    pub longest_wait_ms: f64,
    pub starved: bool,
}

/// The other side, without its share (the page never said it).
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "starvation/"))]
#[serde(rename_all = "camelCase")]
pub struct Others {
    pub group: &'static str,
    pub accesses: u32,
    pub longest_wait_ms: f64,
    pub starved: bool,
}

impl Summary {
    pub fn new(p: &Params, o: Option<&Outcome>) -> Summary {
        let params = p.values().clone();
        let Some(o) = o else { return Summary::Inputs(Inputs { demo: "starvation", params }) };
        let each = |f: fn(&super::ThreadStats) -> f64| o.threads.iter().map(f).collect::<Vec<f64>>();
        let (m, x) = (&o.meter, &o.others);
        Summary::Ran(Ran {
            demo: "starvation",
            params,
            threads_used: o.threads_used,
            scenario: o.scenario,
            policy: o.policy,
            names: o.threads.iter().map(|t| t.name.clone()).collect(),
            roles: o.threads.iter().map(|t| t.role).collect(),
            accesses: o.threads.iter().map(|t| t.accesses).collect(),
            longest_wait_ms: each(|t| t.max_wait_ms),
            wait_ms: each(|t| t.wait_ms),
            lanes: o.threads.iter().map(|t| t.lane).collect(),
            jain: o.jain,
            starved: o.threads.iter().map(|t| t.starved).collect(),
            starving: Starving { group: m.group, accesses: m.accesses, share: m.share, longest_wait_ms: m.longest_wait_ms, starved: m.starved },
            others: Others { group: x.group, accesses: x.accesses, longest_wait_ms: x.longest_wait_ms, starved: x.starved },
            samples: o.samples.len(),
        })
    }
}
