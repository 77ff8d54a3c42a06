//! Pool threads held aside, so that rayon's work stealing runs on exactly k of them.

use super::lock;
use crate::pool::current_lane;
use crate::sync::{Condvar, Mutex, PoisonError};

/// Pool threads held aside: each runs [`Aside::hold`] and sleeps until released.
#[derive(Default)]
pub(super) struct Aside {
    /// The lanes held so far, and whether they may go.
    state: Mutex<(Vec<u32>, bool)>,
    changed: Condvar,
}

impl Aside {
    pub(super) fn hold(&self) {
        let mut s = lock(&self.state);
        s.0.push(current_lane());
        self.changed.notify_all();
        while !s.1 {
            s = self.changed.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Waits until `n` threads are held; their lanes.
    pub(super) fn wait_for(&self, n: usize) -> Vec<u32> {
        let mut s = lock(&self.state);
        while s.0.len() < n {
            s = self.changed.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
        s.0.clone()
    }
}

/// Lets the held threads go when the run ends, also when it unwinds.
pub(super) struct ReleaseOnDrop<'a>(pub(super) &'a Aside);

impl Drop for ReleaseOnDrop<'_> {
    fn drop(&mut self) {
        lock(&self.0.state).1 = true;
        self.0.changed.notify_all();
    }
}
