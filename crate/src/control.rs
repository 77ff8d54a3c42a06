//! The shared control block of a run: a cancel flag and progress counters.
//!
//! In the browser one `Control` lives in a static inside the wasm memory, which is a
//! `SharedArrayBuffer`. The page's main thread maps the same three words and writes the
//! cancel flag or reads progress with `Atomics` while the engine worker is busy running the
//! demo: no message has to get through a worker that is blocked in a rayon join.
//!
//! Layout (`repr(C)`, three little-endian `u32` words, read by `www/src/engine/client.ts`):
//! - word 0, `cancel`: 0 = run on, 1 = a cancel was requested.
//! - word 1, `done`: tasks finished so far in this run.
//! - word 2, `total`: tasks this run will do (0 while unknown).

use std::fmt;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

#[repr(C)]
#[derive(Debug, Default)]
pub struct Control {
    cancel: AtomicU32,
    done: AtomicU32,
    total: AtomicU32,
}

/// A run stopped because a cancel was requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the run was cancelled")
    }
}

impl std::error::Error for Cancelled {}

impl Control {
    pub const fn new() -> Self {
        Control { cancel: AtomicU32::new(0), done: AtomicU32::new(0), total: AtomicU32::new(0) }
    }

    /// Starts a run of `total` tasks: clears the cancel flag and the progress.
    pub fn begin(&self, total: u32) {
        self.done.store(0, Relaxed);
        self.total.store(total, Relaxed);
        self.cancel.store(0, Release);
    }

    /// Adds `more` tasks to the run's total (a demo made of several phases).
    pub fn add_total(&self, more: u32) {
        self.total.fetch_add(more, Relaxed);
    }

    /// Counts one finished task.
    pub fn tick(&self) {
        self.done.fetch_add(1, Relaxed);
    }

    /// Counts `n` finished steps at once (for work too fine-grained to count one by one).
    pub fn advance(&self, n: u32) {
        self.done.fetch_add(n, Relaxed);
    }

    /// Asks the running work to stop at its next check.
    pub fn cancel(&self) {
        self.cancel.store(1, Release);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Acquire) != 0
    }

    /// `Err(Cancelled)` once a cancel was requested; workloads call this between steps.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// `(done, total)` as the page's progress bar shows it.
    pub fn progress(&self) -> (u32, u32) {
        (self.done.load(Relaxed), self.total.load(Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn begin_clears_cancel_and_progress() {
        let c = Control::new();
        c.begin(5);
        c.tick();
        c.tick();
        c.cancel();
        assert_eq!(c.progress(), (2, 5));
        assert_eq!(c.check(), Err(Cancelled));
        c.begin(3);
        assert_eq!(c.progress(), (0, 3));
        assert_eq!(c.check(), Ok(()));
    }

    #[test]
    fn layout_is_three_words_cancel_first() {
        // The page reads these words by offset; a reordering must fail here, not in a browser.
        let c = Control::new();
        let base = &c as *const Control as usize;
        assert_eq!(std::mem::size_of::<Control>(), 12);
        assert_eq!(&c.cancel as *const _ as usize - base, 0);
        assert_eq!(&c.done as *const _ as usize - base, 4);
        assert_eq!(&c.total as *const _ as usize - base, 8);
    }
}
