//! The teaching core of concurrency-playground.
//!
//! Everything here is plain Rust that builds and is unit-tested natively (`cargo test` from
//! the workspace root). The browser reaches it through [`bindings`], a thin layer that only
//! exists on wasm32 and is the one place that speaks `wasm_bindgen`.
//!
//! Map:
//! - [`amdahl`]: Amdahl's and Gustafson's laws, Karp-Flatt, the serial fraction that fits.
//! - [`params`]: the one schema of every demo's inputs, and their validation.
//! - [`workload`]: the work a demo does (prime checks, I/O-like waits, a dependent chain).
//! - [`pool`]: runs tasks on k real threads and records who ran what, when.
//! - [`control`]: the shared cancel flag and progress counters a run reports through.
//! - [`live`]: a feed of events that the page reads from shared memory during a run.
//! - [`locks`]: a spin lock, a guard-less lock, three readers-writer locks (readers first,
//!   writers first, fair) and a priority CPU, written out for teaching.
//! - [`http`]: a blocking GET with a timeout, behind a trait (the browser's XHR in [`bindings`]).
//! - [`demos`]: one module per demo, turning validated inputs into a result.

pub mod aio;
pub mod amdahl;
pub mod bench;
pub mod clock;
pub mod control;
pub mod demos;
pub mod live;
mod live_json;
pub mod locks;
pub mod measure;
pub mod params;
pub mod http;
pub mod pool;
pub mod queue;
pub mod sched;
mod start_line;
pub mod sync;
pub mod workload;

#[cfg(target_arch = "wasm32")]
pub mod bindings;

pub use control::{Cancelled, Control};
pub use demos::{DemoError, Env};
