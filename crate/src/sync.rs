//! The one place that decides which synchronization primitives the crate uses.
//!
//! Every other module imports its locks, condition variables, shared pointers and atomics
//! from here (`use crate::sync::{Mutex, Condvar}`), never from `std::sync` directly. Today
//! these are simply std's. The point of the indirection is that a model checker's stand-ins
//! (for example loom's `loom::sync`, which explores every interleaving of a test) could later
//! be swapped in under a `cfg` in this one file, without touching the algorithms:
//!
//! ```text
//! #[cfg(loom)]      pub use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
//! #[cfg(not(loom))] pub use std::sync::{Arc, Condvar, Mutex, MutexGuard};
//! ```
//!
//! (The habit comes from crossbeam-utils' `primitive` module, switched by `cfg(crossbeam_loom)`,
//! and tokio's `src/loom/`, which picks `std` or `mocked` the same way.)
//!
//! In the browser these are still std's: built for wasm32 with `+atomics`, std's `Mutex` and
//! `Condvar` park a thread with `memory.atomic.wait32`, which works in Web Workers and traps
//! on the page's main thread. So code that can block (a blocking queue `get`, a `join`) runs
//! only on workers, never on the page. `std::time::Instant` panics on wasm32, so code that
//! needs a deadline reads [`crate::clock::now_ms`] and waits with
//! `Condvar::wait_timeout(guard, Duration)`, which needs no clock.

pub use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
pub use std::sync::{Arc, Barrier, Condvar, Mutex, MutexGuard, PoisonError, WaitTimeoutResult};
