//! Where the k threads of a run meet before any begins, so that all k are alive at once on k
//! distinct pool workers (see [`crate::pool`], which runs every pool run through it).

use crate::clock;
use crate::control::{Cancelled, Control};
use crate::sync::{Condvar, Mutex};
use std::time::Duration;

/// Why the threads of a run did not all run to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// A cancel was requested.
    Cancelled,
    /// The pool did not give `asked` workers at once within [`START_PATIENCE_MS`]: only
    /// `arrived` reached the start line, so nothing ran (it never runs on fewer than asked).
    Short { arrived: usize, asked: usize },
}

impl From<Cancelled> for Stopped {
    fn from(_: Cancelled) -> Self {
        Stopped::Cancelled
    }
}

/// How long the first thread at a start line waits for the others before the run is refused.
/// Idle pool workers pick up a job in microseconds; only workers kept busy elsewhere miss it.
pub const START_PATIENCE_MS: f64 = 10_000.0;

/// Where k threads wait for each other before any begins, so that all k are alive at once.
/// A thread blocked here holds its pool worker, so k arrivals are k distinct workers: none can
/// finish early and then run a second job on the same worker. Bounded: past its patience the
/// start line gives up, and every thread that came, and every one that comes later, is told.
pub(crate) struct StartLine {
    k: usize,
    /// Threads arrived, the time the last one did (the run's origin), and, once it gave up,
    /// how many had arrived then.
    state: Mutex<(usize, Option<f64>, Option<usize>)>,
    all_here: Condvar,
    opened: f64,
    patience_ms: f64,
}

impl StartLine {
    pub(crate) fn new(k: usize) -> Self {
        Self::with_patience(k, START_PATIENCE_MS)
    }

    pub(crate) fn with_patience(k: usize, patience_ms: f64) -> Self {
        StartLine { k, state: Mutex::new((0, None, None)), all_here: Condvar::new(), opened: clock::now_ms(), patience_ms }
    }

    /// Waits for the other threads; returns the origin, the same for all of them.
    pub(crate) fn arrive(&self, ctl: &Control) -> Result<f64, Stopped> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.0 += 1;
        // After a cancel the line never opens: the threads that saw it have left, and a last
        // one running its body alone could wait for ever for the others (a consumer in get).
        if s.0 == self.k && s.2.is_none() && !ctl.is_cancelled() {
            s.1 = Some(clock::now_ms());
            self.all_here.notify_all();
        }
        loop {
            if let Some(origin) = s.1 {
                return Ok(origin);
            }
            if let Some(arrived) = s.2 {
                return Err(Stopped::Short { arrived, asked: self.k });
            }
            if ctl.is_cancelled() {
                return Err(Stopped::Cancelled);
            }
            if clock::since(self.opened) > self.patience_ms {
                s.2 = Some(s.0);
                self.all_here.notify_all();
                continue;
            }
            // Short slices: a cancel raised by the page sends no notification.
            s = self.all_here.wait_timeout(s, Duration::from_millis(10)).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// Runs `k` jobs on `k` distinct workers of the current rayon pool, all alive at once: each
/// waits at a start line until all have arrived, then runs `job(slot, origin)` (`slot` in
/// `0..k`, `origin` the moment the last one arrived).
pub(crate) fn together<J>(k: usize, ctl: &Control, patience_ms: f64, job: J) -> Result<(), Stopped>
where
    J: Fn(usize, f64) -> Result<(), Cancelled> + Sync,
{
    together_dyn(k, ctl, patience_ms, &job)
}

/// [`together`] for any job through one `dyn` call: rayon's scope and spawn are then built
/// once into the engine rather than once per demo, which kept 50 KB of near-copies in the
/// wasm. A job runs for milliseconds; one indirect call per job costs nothing beside it.
fn together_dyn(k: usize, ctl: &Control, patience_ms: f64, job: &(dyn Fn(usize, f64) -> Result<(), Cancelled> + Sync)) -> Result<(), Stopped> {
    assert!(k >= 1, "a pool run needs at least one thread");
    let line = StartLine::with_patience(k, patience_ms);
    let failed = Mutex::new(None);
    let fail = |e: Stopped| {
        let mut f = failed.lock().unwrap_or_else(|e| e.into_inner());
        // A refusal or a cancel says more than the cancels it caused in other threads.
        if f.is_none() || e != Stopped::Cancelled {
            *f = Some(e);
        }
    };
    rayon::scope(|s| {
        for slot in 0..k {
            let (line, fail) = (&line, &fail);
            s.spawn(move |_| match line.arrive(ctl) {
                Ok(origin) => {
                    if let Err(e) = job(slot, origin) {
                        fail(e.into());
                    }
                }
                Err(e) => fail(e),
            });
        }
    });
    match failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancel_while_threads_wait_at_the_start_line_keeps_it_shut_for_the_last() {
        // Two of three have arrived when the cancel comes; the third, arriving after it, must
        // not open the line and run alone (it could wait for ever for the other two).
        let line = StartLine::with_patience(3, 60_000.0);
        let ctl = Control::new();
        std::thread::scope(|s| {
            let waiting: Vec<_> = (0..2).map(|_| s.spawn(|| line.arrive(&ctl))).collect();
            while line.state.lock().unwrap().0 < 2 {
                std::thread::yield_now();
            }
            ctl.cancel();
            for w in waiting {
                assert_eq!(w.join().unwrap(), Err(Stopped::Cancelled));
            }
        });
        assert_eq!(line.arrive(&ctl), Err(Stopped::Cancelled), "the last one does not run alone");
    }
}
