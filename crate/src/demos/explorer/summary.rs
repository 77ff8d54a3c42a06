//! What `data-result` says about an exploration: the counts, the verdict by outcome, every
//! final state with its interleavings, and the shortest counterexample with its threads.

use super::Report;
use crate::params::{Params, Value};
use crate::sched::explore::fuzz::Strategy;
use crate::sched::explore::{Count, Counting, Outcome};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::BTreeMap;

/// `data-result`: the exploration's figures, or only the inputs when there is none (the
/// registry always gives one; the page's old summary had that case too).
#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "explorer/"))]
#[serde(untagged)]
pub enum Summary {
    Found(Found),
    Inputs(Inputs),
}

#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
pub struct Inputs {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
}

#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
#[serde(rename_all = "camelCase")]
pub struct Found {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
    pub program: &'static str,
    pub interleavings: Option<Count>,
    pub counting: Counting,
    pub states: usize,
    pub complete: bool,
    pub cancelled: bool,
    pub stopped: Option<String>,
    pub nth: u32,
    pub assertion: Option<String>,
    pub deadlocks: Option<Count>,
    pub broken: Option<Count>,
    pub failed: Option<Count>,
    /// Each final state's summary and its interleavings, in the order the explorer lists them.
    #[cfg_attr(test, ts(type = "Record<string, string | null>"))]
    pub final_states: FinalStates,
    pub counterexample: Option<Counterexample>,
    /// For programs made of operations: the linearizability check.
    pub linearizability: Option<Linear>,
    /// The schedule fuzzer beside the exhaustive counts.
    pub fuzzer: Fuzzer,
}

/// The schedule fuzzer, for `data-result`: the chosen strategy's `schedules`, `failures` and
/// `rate`, the exhaustive counts they compare with, and every strategy's row.
#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
#[serde(rename_all = "camelCase")]
pub struct Fuzzer {
    pub strategy: &'static str,
    pub seed: u64,
    pub depth: usize,
    /// `None` when the chosen strategy did not run (uniform without exact counts, Cancel).
    pub schedules: Option<usize>,
    pub failures: Option<usize>,
    pub rate: Option<f64>,
    /// What the chosen strategy's rate converges to, when that is known exactly.
    pub expected: Option<f64>,
    pub exhaustive: Exhaustive,
    /// The naive scheduler's exact chance of a failing run (sum over failing interleavings of
    /// the product of 1 / runnable), when every interleaving was counted.
    pub naive_exact: Option<f64>,
    pub first_failing: Option<FirstFailing>,
    /// Each strategy that ran, by name.
    pub strategies: BTreeMap<&'static str, StrategyRow>,
    pub unavailable: Option<String>,
    pub cancelled: bool,
}

/// The explorer's counts that the fuzzer's rate stands beside.
#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
pub struct Exhaustive {
    pub interleavings: Option<Count>,
    /// Interleavings that deadlock, fail or break the assertion.
    pub failing: Option<Count>,
    /// Both counted exactly.
    pub exact: bool,
}

#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
#[serde(rename_all = "camelCase")]
pub struct StrategyRow {
    pub schedules: usize,
    pub failures: usize,
    pub rate: f64,
    pub expected: Option<f64>,
    pub distinct: usize,
    pub unfinished: usize,
    /// Wall time of the strategy's schedules on the engine's thread (for the benchmark).
    pub ms: f64,
}

#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
pub struct FirstFailing {
    pub index: usize,
    pub outcome: Outcome,
    pub trace: String,
    pub threads: Vec<String>,
}

/// The linearizability check, for `data-result`.
#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
#[serde(rename_all = "camelCase")]
pub struct Linear {
    pub linearizable: bool,
    pub complete: bool,
    /// Sequential orders of the operations, and the results they give.
    pub orders: Option<Count>,
    pub sequential: Vec<String>,
    pub matching: Option<Count>,
    pub not_matching: Option<Count>,
    /// A shortest interleaving whose result no sequential order gives.
    pub witness: Option<String>,
}

/// The final states as one object, keyed by their summary (`counter = 1`).
pub struct FinalStates(pub Vec<(String, Option<Count>)>);

impl Serialize for FinalStates {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
pub struct Counterexample {
    pub outcome: Outcome,
    pub trace: String,
    /// The thread that takes each step of `trace`, by name.
    pub threads: Vec<String>,
    pub summary: String,
}

impl Summary {
    pub fn new(p: &Params, r: Option<&Report>) -> Summary {
        let params = p.values().clone();
        match r {
            Some(r) => Summary::Found(found(params, r)),
            None => Summary::Inputs(Inputs { demo: "explorer", params }),
        }
    }
}

fn found(params: BTreeMap<&'static str, Value>, r: &Report) -> Found {
    let e = &r.exploration;
    Found {
        demo: "explorer",
        params,
        program: r.program_id,
        interleavings: e.interleavings,
        counting: e.counting,
        states: e.states,
        complete: e.complete,
        cancelled: e.cancelled,
        stopped: e.stopped.clone(),
        nth: r.nth,
        assertion: e.assertion.clone(),
        deadlocks: e.by_outcome.deadlock,
        broken: e.by_outcome.broken,
        failed: e.by_outcome.failed,
        final_states: FinalStates(e.final_states.iter().map(|f| (f.summary.clone(), f.interleavings)).collect()),
        counterexample: e.counterexample.as_ref().map(|c| Counterexample {
            outcome: c.outcome,
            trace: c.trace.clone(),
            threads: trace_names(&c.trace, &e.threads),
            summary: c.summary.clone(),
        }),
        linearizability: r.linearizability.as_ref().map(|l| Linear {
            linearizable: l.linearizable,
            complete: l.complete,
            orders: l.orders,
            sequential: l.sequential.clone(),
            matching: l.matching,
            not_matching: l.not_matching,
            witness: l.witness.as_ref().map(|w| w.trace.clone()),
        }),
        fuzzer: fuzzer(r),
    }
}

fn fuzzer(r: &Report) -> Fuzzer {
    let (e, z) = (&r.exploration, &r.fuzzing);
    let failing = [e.by_outcome.deadlock, e.by_outcome.broken, e.by_outcome.failed]
        .iter()
        .try_fold(0u128, |sum, c| c.map(|c| sum + c.0))
        .map(Count);
    let chosen = z.chosen.as_ref();
    Fuzzer {
        strategy: z.strategy.word(),
        seed: z.seed,
        depth: z.depth,
        schedules: chosen.map(|f| f.schedules),
        failures: chosen.map(|f| f.failures),
        rate: chosen.map(|f| f.rate),
        expected: chosen.and_then(|f| f.expected),
        exhaustive: Exhaustive { interleavings: e.interleavings, failing, exact: e.counting == Counting::Exact },
        naive_exact: z.runs.iter().find(|f| f.strategy == Strategy::Naive).and_then(|f| f.expected),
        first_failing: chosen.and_then(|f| f.first_failing.as_ref()).map(|f| FirstFailing {
            index: f.index,
            outcome: f.outcome,
            trace: f.trace.clone(),
            threads: trace_names(&f.trace, &e.threads),
        }),
        strategies: z
            .runs
            .iter()
            .map(|f| {
                let row = StrategyRow { schedules: f.schedules, failures: f.failures, rate: f.rate, expected: f.expected, distinct: f.distinct, unfinished: f.unfinished, ms: f.ms };
                (f.strategy.word(), row)
            })
            .collect(),
        unavailable: z.unavailable.clone(),
        cancelled: z.cancelled,
    }
}

/// The thread names of a trace: `0.1*3` → A, B, B, B (a number with no thread stays as it is).
pub fn trace_names(trace: &str, threads: &[String]) -> Vec<String> {
    if trace.is_empty() {
        return Vec::new();
    }
    trace
        .split('.')
        .flat_map(|item| {
            let (t, n) = match item.split_once('*') {
                Some((t, n)) => (t, n.parse::<usize>().unwrap_or(0)),
                None => (item, 1),
            };
            let name = t.parse::<usize>().ok().and_then(|i| threads.get(i)).cloned().unwrap_or_else(|| t.to_string());
            std::iter::repeat_n(name, n)
        })
        .collect()
}
