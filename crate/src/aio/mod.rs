//! A small single-threaded async executor: an event loop in the sense of Python's asyncio,
//! driving real Rust futures. It is teaching code, meant to be read next to chapters 9-11:
//!
//! - [`Executor`] owns the tasks (each a boxed future) and runs the loop: take the next task
//!   from the **ready queue** and poll it until it reaches an `await` that cannot finish yet;
//!   when nothing is ready, wait for the earliest **timer** (or, on the real clock, for a wake
//!   from another thread). One task runs at a time: while it runs, nobody else does.
//! - [`Loop`] is what a task holds to talk to its loop, like `asyncio.get_running_loop()`:
//!   [`Loop::sleep`] (`await asyncio.sleep`), [`Loop::block`] (`time.sleep` inside a
//!   coroutine: the loop stalls), [`Loop::work`] (CPU work on the loop), [`Loop::offload`]
//!   (`loop.run_in_executor`: the work goes to the real thread pool and the loop goes on),
//!   [`Loop::spawn`], [`Loop::join`] and [`Loop::cancel`].
//! - [`Queue`] is `asyncio.Queue` (bounded `put`, `get`, `task_done`, `join`); [`socket`]
//!   gives simulated stream sockets with a delivery delay, for the echo protocol.
//!
//! Two clocks ([`Clock`]): a **virtual** clock, where waiting takes no time at all (the loop
//! jumps to the next timer) and only blocking calls and work move it, so every run is exact
//! and replayable; and the **real** clock, where sleeps, blocking and work take real time.
//!
//! Everything the loop does is logged ([`Event`]), with each task's busy, idle and scheduled
//! time as tokio-console reports them ([`PerTask`]): busy while it is polled, scheduled while
//! it is ready but another task has the loop, idle while it waits at an `await`.

mod core;
mod executor;
mod futures;
mod queue;
pub mod socket;
#[cfg(test)]
mod tests;

pub use self::core::{Clock, Event, Halt, LoopState, PerTask, Span, TaskState, TaskView, TimerView, What};
pub use executor::{Executor, Finished, Loop, TaskId, MAX_EVENTS};
pub use futures::{calibrate, crunch};
pub use queue::Queue;
