//! Locks written out in full for teaching, beside the standard library's `Mutex`.
//!
//! - [`spin`]: a spin lock: a waiting thread keeps a core busy asking "free yet?".
//! - [`manual`]: a lock with bare `acquire`/`release` and no guard, the way the book's
//!   Python calls `lock.acquire()` and `lock.release()`, so that forgetting the release on
//!   an early exit is possible (chapter 4 shows why `with` exists).
//! - [`rwlock`]: what chapter 13's readers-writer locks share; one file per policy:
//!   [`rwlock_readers`] (readers first: writers can starve), [`rwlock_writers`] (writers
//!   first: readers can starve) and [`rwlock_fair`] (a ticket each, served in order).
//! - [`observed`]: a lock (or semaphore) whose holders and waiters can be read, and whose
//!   waiting gives up when an abort flag is raised: chapter 12's forks, so that a watchdog
//!   can see a deadlock and undo it.
//! - [`priority`]: one "CPU" handed to the highest-priority waiting task, with or without
//!   aging (chapter 13's starving low-priority task).

pub mod manual;
pub mod observed;
pub mod priority;
pub mod rwlock;
pub mod rwlock_fair;
pub mod rwlock_readers;
pub mod rwlock_writers;
pub mod spin;
