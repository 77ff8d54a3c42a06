//! What `data-result` says for the reduction demo.

use super::ways::Floats;
use super::{Operator, Outcome};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// The inputs, and after a run: the rounds, the result, the additions and the depth of the
/// tree, the threads it ran on, each way's result, and for float sums the three sums.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "reduction/"))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
    /// The numbers as written (`1,4,8,3,2,5`, `0.1*500000,-50000`).
    pub values: String,
    pub count: usize,
    pub operator: Operator,
    /// The rest is `None` before a run.
    pub rounds: Option<Vec<Vec<f64>>>,
    pub round_sizes: Option<Vec<usize>>,
    pub result: Option<f64>,
    pub additions: Option<usize>,
    pub depth: Option<usize>,
    pub threads_used: Option<usize>,
    /// `tree`, `rayon`, `sequential` → result (`None` for a way that did not run).
    pub ways: Option<BTreeMap<&'static str, Option<f64>>>,
    pub results: Option<Floats>,
}

impl Summary {
    pub fn new(p: &Params, outcome: Option<&Outcome>) -> Summary {
        let list = p.list("values");
        Summary {
            demo: "reduction",
            params: p.values().clone(),
            values: list.text.clone(),
            count: list.numbers.len(),
            operator: p.pick::<Operator>("operator"),
            rounds: outcome.and_then(|o| o.rounds.clone()),
            round_sizes: outcome.map(|o| o.round_sizes.clone()),
            result: outcome.map(|o| o.result),
            additions: outcome.map(|o| o.additions),
            depth: outcome.map(|o| o.depth),
            threads_used: outcome.map(|o| o.threads_used),
            ways: outcome.map(|o| o.ways.iter().map(|w| (w.way, w.skipped.is_none().then_some(w.result))).collect()),
            results: outcome.and_then(|o| o.floats.clone()),
        }
    }
}
