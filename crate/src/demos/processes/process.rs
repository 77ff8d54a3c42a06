//! What runs inside one worker process: its own wasm instance, its own memory, and nothing
//! but messages to and from main. A process cannot block waiting for a message (it shares
//! no memory to wait on), so its loop is written as a step: a message in, the messages to
//! send and what to do next out. The worker's script (www/src/engine/processes/process.ts)
//! only pumps messages through [`step`] and holds the [`State`] between two of them.

use super::Ending;
use crate::clock;
use crate::workload::busy;
use serde::{Deserialize, Serialize};

/// What a process does, as main's plan gives it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Role {
    /// Works `ms` milliseconds, then returns.
    Work { ms: u32 },
    /// Works in slices forever: only a terminate ends it.
    Forever,
    /// Puts `tasks` items, working `ms` before each, then `pills` poison pills.
    Producer { tasks: u32, ms: u32, pills: u32 },
    /// Takes items until the queue looks empty (`poll`) or until a pill (`pills`), working
    /// `ms` on each.
    Consumer { ending: Ending, ms: u32 },
    /// One process of the message pool: runs each task it is sent, until told to stop.
    Pool,
}

/// A message to a process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum In {
    Start { role: Role },
    /// The process asked to be woken (`Step::again_ms`).
    Tick,
    /// Main's answer to `empty()`.
    Empty { empty: bool },
    /// Main's answer to `get()`: an item, or `None` for a poison pill.
    Item { item: Option<u32> },
    /// One task of the message pool: `work` busy-loop steps.
    Task { id: u32, work: u32 },
    Stop,
}

/// A message from a process to main.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Out {
    /// `queue.empty()`?
    AskEmpty,
    /// `queue.get()`: main answers when it has an item.
    AskGet,
    /// `queue.put(item)`, or a poison pill for `None`.
    Put { item: Option<u32> },
    /// A slice of endless work done (a daemon's heartbeat).
    Beat,
    Result { id: u32, value: u32 },
    /// The process returned, after `tasks` items or tasks.
    Done { tasks: u32 },
}

/// What a process remembers between two messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
pub struct State {
    pub role: Option<Role>,
    /// Items put (producer), items taken (consumer), tasks run (pool).
    pub count: u32,
}

/// The answer to one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "processes/"))]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub state: State,
    pub send: Vec<Out>,
    /// Send this process a `Tick` after that many milliseconds.
    pub again_ms: Option<u32>,
    /// The process returned: its script closes the worker.
    pub exit: bool,
}

/// Slice of endless work between two heartbeats, and the pause after it (ms): a daemon
/// that never ends, yet leaves the cores to the rest of the run.
const SLICE_MS: u32 = 2;
const PAUSE_MS: u32 = 20;

/// Works for `ms` milliseconds of the shared clock.
fn work_for(ms: u32) {
    let t = clock::now_ms();
    while clock::since(t) < f64::from(ms) {
        std::hint::black_box(busy(1_000));
    }
}

// snippet:start processes
/// One message through a process: its loop, one turn at a time.
pub fn step(mut state: State, msg: In) -> Step {
    let mut send = Vec::new();
    let mut again_ms = None;
    let mut exit = false;
    if let In::Start { role } = msg {
        state.role = Some(role);
    }
    let Some(role) = state.role else { return Step { state, send, again_ms, exit: true } };
    match (role, msg) {
        (Role::Work { ms }, In::Start { .. }) => {
            work_for(ms);
            send.push(Out::Done { tasks: 1 });
            exit = true;
        }
        (Role::Forever, In::Start { .. } | In::Tick) => {
            work_for(SLICE_MS);
            send.push(Out::Beat);
            again_ms = Some(PAUSE_MS);
        }
        // The producer: work, put an item; after the last, one pill per consumer.
        (Role::Producer { tasks, ms, pills }, In::Start { .. } | In::Tick) => {
            if state.count < tasks {
                work_for(ms);
                send.push(Out::Put { item: Some(state.count) });
                state.count += 1;
                again_ms = Some(0);
            } else {
                send.extend((0..pills).map(|_| Out::Put { item: None }));
                send.push(Out::Done { tasks: state.count });
                exit = true;
            }
        }
        // The book's consumer: `while not queue.empty(): item = queue.get()`.
        (Role::Consumer { ending: Ending::Poll, .. }, In::Start { .. }) => send.push(Out::AskEmpty),
        (Role::Consumer { ending: Ending::Poll, .. }, In::Empty { empty: false }) => send.push(Out::AskGet),
        (Role::Consumer { ending: Ending::Poll, .. }, In::Empty { empty: true }) => {
            send.push(Out::Done { tasks: state.count });
            exit = true;
        }
        // The fix: `while (item := queue.get()) is not None`.
        (Role::Consumer { ending: Ending::Pills, .. }, In::Start { .. }) => send.push(Out::AskGet),
        (Role::Consumer { .. }, In::Item { item: None }) => {
            send.push(Out::Done { tasks: state.count });
            exit = true;
        }
        (Role::Consumer { ending, ms }, In::Item { item: Some(_) }) => {
            work_for(ms);
            state.count += 1;
            send.push(match ending {
                Ending::Poll => Out::AskEmpty,
                Ending::Pills => Out::AskGet,
            });
        }
        (Role::Pool, In::Task { id, work }) => {
            state.count += 1;
            send.push(Out::Result { id, value: busy(work) as u32 });
        }
        (_, In::Stop) => {
            send.push(Out::Done { tasks: state.count });
            exit = true;
        }
        // Anything else (a pool process's start, a stray tick) needs nothing.
        _ => {}
    }
    Step { state, send, again_ms, exit }
}
// snippet:end processes
