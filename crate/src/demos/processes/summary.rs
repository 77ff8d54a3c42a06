//! What `data-result` says for the processes demo.

use super::seen::ExitedBy;
use super::{Ending, Outcome};
use crate::params::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// One process: `{pid, name, daemon, exitedBy, tasks}`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct WorkerLine {
    pub pid: u32,
    pub name: String,
    pub daemon: bool,
    pub exited_by: ExitedBy,
    pub tasks: u32,
}

/// The medians of the copies, in ms.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct CopyLine {
    pub bytes: u32,
    pub clone_ms: f64,
    pub transfer_ms: f64,
    pub shared_ms: f64,
}

/// The fine-grained job: medians in ms, and messages over pool.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct DispatchLine {
    pub tasks: u32,
    pub message_ms: f64,
    pub pool_ms: f64,
    pub ratio: f64,
}

/// The inputs, and after a run: every process and how it ended, whether memory was
/// shared, the items left, the copies and the fine-grained dispatch.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub demo: &'static str,
    #[cfg_attr(test, ts(type = "Record<string, number | string>"))]
    pub params: BTreeMap<&'static str, Value>,
    pub ending: Ending,
    /// The rest is `None` before a run.
    pub workers: Option<Vec<WorkerLine>>,
    pub shared_memory: Option<bool>,
    /// Items no consumer took.
    pub left: Option<u32>,
    pub copy: Option<CopyLine>,
    pub dispatch: Option<DispatchLine>,
    pub threads_used: Option<usize>,
}

impl Summary {
    pub fn new(p: &Params, outcome: Option<&Outcome>) -> Summary {
        Summary {
            demo: "processes",
            params: p.values().clone(),
            ending: p.pick::<Ending>("ending"),
            workers: outcome.map(|o| {
                o.workers.iter().map(|w| WorkerLine { pid: w.pid, name: w.name.clone(), daemon: w.daemon, exited_by: w.exited_by, tasks: w.tasks }).collect()
            }),
            shared_memory: outcome.map(|o| o.shared_memory),
            left: outcome.map(|o| o.left),
            copy: outcome.map(|o| CopyLine {
                bytes: o.copy.bytes,
                clone_ms: o.copy.clone.median,
                transfer_ms: o.copy.transfer.median,
                shared_ms: o.copy.shared.median,
            }),
            dispatch: outcome.and_then(|o| o.dispatch.first()).map(|d| DispatchLine { tasks: d.tasks, message_ms: d.message.median, pool_ms: d.pool.median, ratio: d.ratio }),
            threads_used: outcome.map(|o| o.threads_used),
        }
    }
}
