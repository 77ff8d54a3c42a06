//! What `data-result` says for the images demo.

use super::{Filter, Outcome, Plan};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// One thread count's best time and speedup.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "images/"))]
#[serde(rename_all = "camelCase")]
pub struct PointSummary {
    pub threads: u32,
    pub wall_ms: f64,
    pub speedup: f64,
}

/// The inputs and the picture's size and tiles; after a run the measured points, whether the
/// tiles wrote the whole pass's bytes, the output's checksum and which lane ran each tile.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "images/"))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
    pub filter: Filter,
    /// `None` when the picture is not known (yours, before one is chosen).
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub tiles: Option<u32>,
    /// The rest is `None` before a run.
    pub points: Option<Vec<PointSummary>>,
    pub threads_used: Option<u32>,
    pub identical: Option<bool>,
    pub differing: Option<u64>,
    pub checksum: Option<u32>,
    pub tile_lanes: Option<Vec<u32>>,
}

impl Summary {
    pub fn new(p: &Params, computed: Option<&Plan>, outcome: Option<&Outcome>) -> Summary {
        let plan = outcome.map(|o| &o.plan).or(computed);
        Summary {
            demo: "images",
            params: p.values().clone(),
            filter: p.pick("filter"),
            width: plan.map(|s| s.width),
            height: plan.map(|s| s.height),
            tiles: plan.map(|s| s.tiles),
            points: outcome.map(|o| o.points.iter().map(|pt| PointSummary { threads: pt.threads, wall_ms: pt.wall_ms, speedup: pt.speedup }).collect()),
            threads_used: outcome.map(|o| o.threads_used),
            identical: outcome.map(|o| o.identical),
            differing: outcome.map(|o| o.differing),
            checksum: outcome.map(|o| o.checksum),
            tile_lanes: outcome.map(|o| o.tile_lanes.clone()),
        }
    }
}
