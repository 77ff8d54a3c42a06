//! The one place that decides which synchronization primitives the crate uses.
//!
//! Every other module imports its locks, condition variables, shared pointers and atomics
//! from here (`use crate::sync::{Mutex, Condvar}`), never from `std::sync` directly. Today
//! these are simply std's. The point of the indirection is that a model checker's stand-ins
//! (for example loom's `loom::sync`, which explores every interleaving of a test) could later
//! be swapped in under a `cfg` in this one file, without touching the algorithms:
//!
//! ```text
//! #[cfg(loom)]      pub type Mutex<T> = loom::sync::Mutex<T>;
//! #[cfg(not(loom))] pub type Mutex<T> = std::sync::Mutex<T>;
//! ```
//!
//! The rule is enforced: `clippy.toml` (next to the crate's `Cargo.toml`) lists std's
//! primitives under `disallowed-types`, and `npm test` runs clippy with that lint denied.
//! That is why they are type aliases here and not `pub use`: a re-export is the very same
//! type as std's, so clippy would flag every use of it, while an alias is a name of this
//! module. Only [`Ordering`] is re-exported as is: it is a plain enum (loom uses std's too),
//! and a `use crate::sync::Ordering::Relaxed` needs an enum, not an alias. This module alone
//! may name `std::sync`.
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

#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

pub use std::sync::atomic::Ordering;

pub type AtomicBool = std::sync::atomic::AtomicBool;
pub type AtomicI32 = std::sync::atomic::AtomicI32;
pub type AtomicU8 = std::sync::atomic::AtomicU8;
pub type AtomicU32 = std::sync::atomic::AtomicU32;
pub type AtomicU64 = std::sync::atomic::AtomicU64;
pub type AtomicUsize = std::sync::atomic::AtomicUsize;
pub type AtomicPtr<T> = std::sync::atomic::AtomicPtr<T>;

pub type Arc<T> = std::sync::Arc<T>;
pub type Barrier = std::sync::Barrier;
pub type Condvar = std::sync::Condvar;
pub type Mutex<T> = std::sync::Mutex<T>;
pub type MutexGuard<'a, T> = std::sync::MutexGuard<'a, T>;
pub type OnceLock<T> = std::sync::OnceLock<T>;
pub type PoisonError<T> = std::sync::PoisonError<T>;
pub type TryLockError<T> = std::sync::TryLockError<T>;
pub type WaitTimeoutResult = std::sync::WaitTimeoutResult;
