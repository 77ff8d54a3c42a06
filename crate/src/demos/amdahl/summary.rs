//! What `data-result` says about chapter 2: the calculator's figures, and after a measured
//! run, every k's measurement.

use super::{Calculator, Outcome, Point};
use crate::measure::WarmUp;
use crate::params::Params;
use serde::Serialize;

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "amdahl/"))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub demo: &'static str,
    pub serial: f64,
    pub processors: u32,
    pub speedup: f64,
    /// 1/B; `null` when nothing is serial.
    pub ceiling: Option<f64>,
    pub gustafson: f64,
    /// Absent before a run, and after one on a page with no pool.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub measured: Option<MeasuredSummary>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "amdahl/"))]
#[serde(rename_all = "camelCase")]
pub struct MeasuredSummary {
    pub work: u32,
    pub points: Vec<PointSummary>,
    pub repeats: u32,
    pub warm_up: WarmUp,
    pub fitted_serial: Option<f64>,
    /// The lanes of the timeline shown (the last run with the most threads).
    pub lanes: Vec<u32>,
}

/// One k's measurement.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "amdahl/"))]
#[serde(rename_all = "camelCase")]
pub struct PointSummary {
    pub threads: u32,
    pub wall_ms: f64,
    pub samples_ms: Vec<f64>,
    pub speedup: f64,
    pub speedup_range: [f64; 2],
    pub predicted: f64,
    pub karp_flatt: Option<f64>,
    pub threads_used: usize,
}

impl Summary {
    /// After a compute, from its calculator; after a run, from the run's (the same inputs').
    pub fn new(p: &Params, computed: Option<&Calculator>, outcome: Option<&Outcome>) -> Summary {
        let own;
        let c = match computed.or(outcome.map(|o| &o.calculator)) {
            Some(c) => c,
            None => {
                own = super::calculate(p);
                &own
            }
        };
        let measured = outcome.and_then(|o| o.measured.as_ref()).map(|m| MeasuredSummary {
            work: m.work,
            points: m.points.iter().map(PointSummary::of).collect(),
            repeats: m.repeats,
            warm_up: m.warm_up.clone(),
            fitted_serial: m.fitted_serial,
            lanes: m.timeline.lanes.clone(),
        });
        Summary { demo: "amdahl", serial: c.serial, processors: c.processors, speedup: c.speedup, ceiling: c.ceiling, gustafson: c.gustafson, measured }
    }
}

impl PointSummary {
    fn of(p: &Point) -> PointSummary {
        PointSummary {
            threads: p.threads,
            wall_ms: p.wall_ms,
            samples_ms: p.samples.ms.clone(),
            speedup: p.speedup,
            speedup_range: p.speedup_range,
            predicted: p.predicted,
            karp_flatt: p.karp_flatt,
            threads_used: p.threads_used,
        }
    }
}
