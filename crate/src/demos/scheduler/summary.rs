//! What `data-result` says for the scheduler: the virtual clock's runs (always; after a run,
//! those the real clock played), each run time's outcome and the counts of each; after a
//! real run, the real clock's drift; after the tests, their results.

use super::sim::{JobRuns, Outcome as RunOutcome};
use super::{Computed, Drift, Outcome, Program};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many run times had each outcome.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
pub struct Counts {
    pub ran: usize,
    pub missed: usize,
    pub coalesced: usize,
    pub skipped: usize,
}

impl Counts {
    pub fn of(jobs: &[JobRuns]) -> Counts {
        let mut c = Counts::default();
        for r in jobs.iter().flat_map(|j| &j.runs) {
            match r.outcome {
                RunOutcome::Ran => c.ran += 1,
                RunOutcome::Missed => c.missed += 1,
                RunOutcome::Coalesced => c.coalesced += 1,
                RunOutcome::Skipped => c.skipped += 1,
            }
        }
        c
    }
}

/// A test's name and whether it passed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
pub struct Passed {
    pub name: &'static str,
    pub passed: bool,
    pub lane: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
    pub program: Program,
    pub scheduler: &'static str,
    pub jobs: Vec<JobRuns>,
    pub counts: Counts,
    pub peak_instances: usize,
    /// Lines the main program printed (interval), on the virtual clock.
    pub main_lines: usize,
    /// Cron: the first fire times.
    pub next_fires: Vec<String>,
    /// Set after a real run: "real" (the real clock played the schedule) or "tests".
    pub clock: &'static str,
    /// The real clock's timed waits, late by (real ms); `null` before a real run.
    pub drift_ms: Option<Drift>,
    pub threads_used: Option<usize>,
    pub threads: Option<usize>,
    pub tests: Option<Vec<Passed>>,
    pub passed: Option<usize>,
    pub failed: Option<usize>,
    pub wall_ms: Option<f64>,
}

impl Summary {
    pub fn new(p: &Params, computed: Option<&Computed>, outcome: Option<&Outcome>) -> Summary {
        let c = computed.or(outcome.and_then(|o| o.computed.as_ref()));
        let mut s = Summary {
            demo: "scheduler",
            params: p.values().clone(),
            program: p.pick::<Program>("program"),
            scheduler: p.choice("scheduler"),
            jobs: c.map(|c| c.timeline.jobs.clone()).unwrap_or_default(),
            counts: c.map(|c| Counts::of(&c.timeline.jobs)).unwrap_or_default(),
            peak_instances: c.map_or(0, |c| c.timeline.peak_instances),
            main_lines: c.map_or(0, |c| c.main.len()),
            next_fires: c.map(|c| c.next_fires.clone()).unwrap_or_default(),
            clock: "virtual",
            drift_ms: None,
            threads_used: None,
            threads: None,
            tests: None,
            passed: None,
            failed: None,
            wall_ms: None,
        };
        if let Some(r) = outcome.and_then(|o| o.real.as_ref()) {
            s.clock = "real";
            s.drift_ms = Some(r.drift_ms.clone());
            s.threads_used = Some(r.threads_used);
            s.threads = Some(r.threads);
            s.wall_ms = Some(r.wall_ms);
        }
        if let Some(t) = outcome.and_then(|o| o.tests.as_ref()) {
            s.clock = "tests";
            s.tests = Some(t.results.iter().map(|r| Passed { name: r.name, passed: r.passed, lane: r.lane }).collect());
            s.passed = Some(t.passed);
            s.failed = Some(t.failed);
            s.threads_used = Some(t.threads_used);
            s.threads = Some(t.threads);
            s.wall_ms = Some(t.wall_ms);
        }
        s
    }
}
