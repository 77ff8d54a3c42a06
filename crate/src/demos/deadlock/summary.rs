//! What `data-result` says about a run of the philosophers: the verdict, the watchdog's cycle,
//! every thread's meals, waits and retries.

use super::setup::{Fix, Diners};
use super::Outcome;
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// `data-result`: before any run, only the inputs; after one, what it did.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "deadlock/"))]
#[serde(untagged)]
pub enum Summary {
    Ran(Ran),
    Inputs(Inputs),
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "deadlock/"))]
pub struct Inputs {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "deadlock/"))]
#[serde(rename_all = "camelCase")]
pub struct Ran {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
    pub threads_used: usize,
    pub scenario: Diners,
    pub fix: Fix,
    pub deadlocked: bool,
    pub livelocked: bool,
    /// The threads on the watchdog's cycle, by name.
    pub cycle: Option<Vec<String>>,
    pub cycle_text: Option<String>,
    /// The watchdog's message, when it stepped in.
    pub watchdog: Option<String>,
    pub meals: Vec<Meals>,
    pub meals_eaten: u32,
    pub meals_goal: u32,
    pub all_ate: bool,
    pub retries: u32,
}

/// One thread's part.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "deadlock/"))]
pub struct Meals {
    pub name: String,
    pub meals: u32,
    pub waits: u32,
    pub retries: u32,
    /// How it ended (`done`, `gave up`, `cancelled`).
    pub ended: &'static str,
}

impl Summary {
    pub fn new(p: &Params, o: Option<&Outcome>) -> Summary {
        let params = p.values().clone();
        let Some(o) = o else { return Summary::Inputs(Inputs { demo: "deadlock", params }) };
        let cycle = o.watchdog.as_ref().and_then(|w| w.cycle.as_ref());
        Summary::Ran(Ran {
            demo: "deadlock",
            params,
            threads_used: o.threads_used,
            scenario: o.scenario,
            fix: o.fix,
            deadlocked: o.deadlocked,
            livelocked: o.livelocked,
            cycle: cycle.map(|c| c.names.clone()),
            cycle_text: cycle.map(|c| c.text.clone()),
            watchdog: o.watchdog.as_ref().map(|w| w.message.clone()),
            meals: o.diners.iter().map(|d| Meals { name: d.name.clone(), meals: d.meals, waits: d.waits, retries: d.retries, ended: d.state }).collect(),
            meals_eaten: o.meals_eaten,
            meals_goal: o.meals_goal,
            all_ate: o.all_ate,
            retries: o.retries,
        })
    }
}
