//! What `data-result` says for the requests demo.

use super::{Ended, Mode, Outcome, PlanView, Server};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// One request as `data-result` lists it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "requests/"))]
#[serde(rename_all = "camelCase")]
pub struct Line {
    pub url: String,
    /// The status that came back (`None` for a timeout or an error).
    pub code: Option<u16>,
    pub outcome: Ended,
    pub start_ms: f64,
    pub end_ms: f64,
    pub lane: u32,
    /// When the server finished it, from its log.
    pub server_done_ms: Option<f64>,
}

/// The inputs and the URLs; after a run: each request, the wall time, the sequential time
/// (where measured), the threads that sent requests and who answered.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "requests/"))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
    pub mode: Mode,
    pub server: Server,
    /// The URLs a run fetches, in order.
    pub urls: Vec<String>,
    /// The rest is `None` before a run.
    pub requests: Option<Vec<Line>>,
    pub wall_ms: Option<f64>,
    pub sequential_ms: Option<f64>,
    pub threads_used: Option<usize>,
    pub answered_by: Option<Vec<String>>,
}

impl Summary {
    pub fn new(p: &Params, computed: Option<&Vec<PlanView>>, outcome: Option<&Outcome>) -> Summary {
        let urls = match (computed, outcome) {
            (_, Some(o)) => o.requests.iter().map(|r| r.url.clone()).collect(),
            (Some(c), None) => c.iter().map(|r| r.url.clone()).collect(),
            (None, None) => Vec::new(),
        };
        Summary {
            demo: "requests",
            params: p.values().clone(),
            mode: p.pick::<Mode>("mode"),
            server: p.pick::<Server>("server"),
            urls,
            requests: outcome.map(|o| {
                o.requests
                    .iter()
                    .map(|r| Line { url: r.url.clone(), code: r.code, outcome: r.outcome, start_ms: r.start_ms, end_ms: r.end_ms, lane: r.lane, server_done_ms: r.server_done_ms })
                    .collect()
            }),
            wall_ms: outcome.map(|o| o.wall_ms),
            sequential_ms: outcome.and_then(|o| o.sequential_ms),
            threads_used: outcome.map(|o| o.threads_used),
            answered_by: outcome.map(|o| o.answered_by.clone()),
        }
    }
}
