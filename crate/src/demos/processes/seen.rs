//! What the host saw when it carried out the plan with real workers, as it reports it, and
//! how each process ended, decided from those times alone.

use serde::{Deserialize, Serialize};

/// One process as main saw it (times in ms since main began).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct SeenProcess {
    pub pid: u32,
    /// From `new Worker` to its first message (its wasm instance ready); `None` if it never
    /// became ready.
    pub start_ms: Option<f64>,
    /// When its `Done` arrived.
    pub done_at: Option<f64>,
    /// When main's `join(timeout)` on it gave up waiting, if it did.
    pub join_deadline: Option<f64>,
    /// When main called `terminate()` on it (the ones to terminate, daemons when main
    /// finished, and whatever was still alive then).
    pub terminated_at: Option<f64>,
    /// Items main's queue handed it, or tasks main's pool sent it.
    pub tasks: u32,
}

/// The copies: each sample's milliseconds, warm-up rounds left out.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct SeenCopy {
    pub clone_ms: Vec<f64>,
    pub transfer_ms: Vec<f64>,
    /// The sender's buffer was empty (detached) after the transfer.
    pub detached: bool,
    /// A write by the receiver into its clone showed in the sender's buffer.
    pub write_seen: bool,
}

/// Everything the host reports.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct Seen {
    pub processes: Vec<SeenProcess>,
    /// Items still in main's queue when main finished.
    pub left: u32,
    pub copy: SeenCopy,
    /// For each size of the plan's sweep, each sample's milliseconds through the message pool.
    pub message_ms: Vec<Vec<f64>>,
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "lowercase")]
pub enum ExitedBy {
    /// It returned by itself (before any join gave up on it).
    Finished,
    /// Main terminated it: a daemon when main finished, or `p.terminate()`.
    Terminated,
    /// A `join(timeout)` gave up while it was still running; main then terminated it.
    Timeout,
}

impl SeenProcess {
    pub fn exited_by(&self) -> ExitedBy {
        let gave_up = self.join_deadline.unwrap_or(f64::INFINITY);
        match (self.done_at, self.terminated_at) {
            (Some(done), terminated) if done <= gave_up && done <= terminated.unwrap_or(f64::INFINITY) => ExitedBy::Finished,
            _ if self.join_deadline.is_some() => ExitedBy::Timeout,
            _ => ExitedBy::Terminated,
        }
    }
}
