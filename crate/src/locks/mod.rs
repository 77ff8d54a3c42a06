//! Locks written out in full for teaching, beside the standard library's `Mutex`.
//!
//! - [`spin`]: a spin lock: a waiting thread keeps a core busy asking "free yet?".
//! - [`manual`]: a lock with bare `acquire`/`release` and no guard, the way the book's
//!   Python calls `lock.acquire()` and `lock.release()`, so that forgetting the release on
//!   an early exit is possible (chapter 4 shows why `with` exists).

pub mod manual;
pub mod spin;
