//! What the "main" process will do, decided from the inputs before any worker starts: the
//! processes with their synthetic pids and names, which are daemons, which one main
//! terminates, which ones it joins with a timeout, and the sizes of the measurements. The
//! engine worker's host (www/src/engine/processes/host.ts) carries the plan out with real
//! Web Workers and reports what it saw ([`super::seen`]).

use super::process::Role;
use super::Ending;
use crate::params::Params;
use serde::Serialize;

/// The pid of "main" (the engine worker); its children count up from here.
pub const MAIN_PID: u32 = 1000;
/// How long the plain worker works before it returns, in milliseconds.
pub const WORKER_MS: u32 = 20;
/// How long the producer works before each put, and a consumer on each task (ms).
pub const PRODUCE_MS: u32 = 2;
pub const CONSUME_MS: u32 = 1;
/// Measurements of the copy and of the dispatch: warm-up rounds (not kept), then samples.
pub const WARM_ROUNDS: usize = 1;
pub const SAMPLES: usize = 3;
/// Busy-loop steps of each fine-grained task (a few µs), and the bigger sizes of the sweep.
pub const FINE_WORK: u32 = 2_000;
pub const SWEEP: [u32; 4] = [FINE_WORK, 20_000, 200_000, 2_000_000];

/// One child process.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
pub struct ProcessPlan {
    pub pid: u32,
    pub name: String,
    /// Terminated when main finishes, never joined.
    pub daemon: bool,
    /// Main terminates it as soon as it has started (`p.terminate()`).
    pub terminate: bool,
    /// Main joins it, in plan order, waiting at most the join timeout for each.
    pub joined: bool,
    pub role: Role,
}

/// One size of the dispatch sweep: `tasks` tasks of `work` busy-loop steps each.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
pub struct Size {
    pub work: u32,
    pub tasks: u32,
}

/// Everything main does, in order: start every process, terminate the one to terminate,
/// join the joined ones, terminate what is left; then measure the copies and the dispatch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub main_pid: u32,
    pub processes: Vec<ProcessPlan>,
    pub join_timeout_ms: u32,
    pub tasks: u32,
    /// Bytes passed by clone, by transfer and through shared memory.
    pub copy_bytes: u32,
    pub warm_rounds: usize,
    pub samples: usize,
    /// Processes of the message pool (and threads of the shared-memory pool).
    pub workers: u32,
    /// The fine-grained job first, then bigger tasks with about the same total work.
    pub sizes: Vec<Size>,
}

impl Plan {
    /// The processes of the message pool, in pid order.
    pub fn pool(&self) -> impl Iterator<Item = &ProcessPlan> {
        self.processes.iter().filter(|p| p.role == Role::Pool)
    }
}

/// The plan for inputs `p`.
pub fn plan(p: &Params) -> Plan {
    let consumers = p.int("consumers") as u32;
    let tasks = p.int("tasks") as u32;
    let ending = p.pick::<Ending>("ending");
    let workers = p.int("workers") as u32;
    let fine = p.int("fine") as u32;
    let mut processes = Vec::new();
    let mut add = |name: String, daemon: bool, terminate: bool, role: Role| {
        let pid = MAIN_PID + 1 + processes.len() as u32;
        processes.push(ProcessPlan { pid, name, daemon, terminate, joined: !daemon && !terminate, role });
    };
    add("worker".into(), false, false, Role::Work { ms: WORKER_MS });
    add("background".into(), true, false, Role::Forever);
    add("slow".into(), false, false, Role::Forever);
    add("killed".into(), false, true, Role::Forever);
    add("producer".into(), false, false, Role::Producer { tasks, ms: PRODUCE_MS, pills: if ending == Ending::Pills { consumers } else { 0 } });
    for i in 1..=consumers {
        add(format!("consumer-{i}"), false, false, Role::Consumer { ending, ms: CONSUME_MS });
    }
    for i in 1..=workers {
        add(format!("pool-{i}"), false, false, Role::Pool);
    }
    Plan {
        main_pid: MAIN_PID,
        processes,
        join_timeout_ms: p.int("timeout") as u32,
        tasks,
        copy_bytes: p.int("megabytes") as u32 * 1024 * 1024,
        warm_rounds: WARM_ROUNDS,
        samples: SAMPLES,
        workers,
        sizes: sizes(fine, workers),
    }
}

/// The sweep: `fine` tasks of [`FINE_WORK`] steps, then each bigger size with the same total
/// work (and at least two tasks per worker).
pub fn sizes(fine: u32, workers: u32) -> Vec<Size> {
    let total = u64::from(fine) * u64::from(FINE_WORK);
    SWEEP.iter().map(|&work| Size { work, tasks: (total / u64::from(work)).max(2 * u64::from(workers)) as u32 }).collect()
}
