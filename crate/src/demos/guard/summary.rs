//! What `data-result` says about the guard demo: the inputs, and after a run whether the lock
//! leaked or was poisoned, what the watchdog said, and every event as "thread: what".

use super::{GuardFailure, GuardStyle, Outcome};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// Before a run, the demo and its inputs; after one, what it found too.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "guard/"))]
#[serde(untagged)]
pub enum Summary {
    Inputs(Inputs),
    Ran(Ran),
}

/// The demo and its validated inputs.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "guard/"))]
pub struct Inputs {
    pub demo: &'static str,
    pub params: BTreeMap<&'static str, Value>,
}

/// The summary after a run.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "guard/"))]
#[serde(rename_all = "camelCase")]
pub struct Ran {
    #[serde(flatten)]
    pub inputs: Inputs,
    pub threads_used: usize,
    pub style: GuardStyle,
    pub failure: GuardFailure,
    pub leaked: bool,
    pub poisoned: bool,
    pub b_got_lock: bool,
    /// `null` when the watchdog did not have to step in.
    pub watchdog: Option<String>,
    /// Every event in order, as "A: acquires the lock".
    pub events: Vec<String>,
}

impl Summary {
    pub fn new(p: &Params, outcome: Option<&Outcome>) -> Summary {
        let inputs = Inputs { demo: "guard", params: p.values().clone() };
        let Some(o) = outcome else { return Summary::Inputs(inputs) };
        Summary::Ran(Ran {
            inputs,
            threads_used: o.threads_used,
            style: o.style,
            failure: o.failure,
            leaked: o.leaked,
            poisoned: o.poisoned,
            b_got_lock: o.b_got_lock,
            watchdog: o.watchdog.clone(),
            events: o.events.iter().map(|e| format!("{}: {}", e.thread, e.what)).collect(),
        })
    }
}
