//! A global interpreter lock, written the way CPython's `Python/ceval_gil.c` works (read, not
//! copied): one mutex guards the lock's state, one condvar wakes the threads that want it,
//! and a second condvar makes a thread that was asked to drop it wait until another has
//! really taken it (CPython's FORCE_SWITCHING), so it cannot grab it straight back.
//!
//! The protocol:
//! - a thread that wants the GIL waits on `wanted` for at most one switch interval at a time;
//!   if an interval passes and nobody has switched in the meantime, it sets the drop request
//!   (CPython's `gil_drop_request` on the eval breaker);
//! - the holder looks at the drop request at each of its checks ([`Held::check`], between two
//!   "bytecodes"); when it is set, it drops the GIL, waits on `switched` until some other
//!   thread has taken it, then queues for it again;
//! - a thread about to wait for I/O drops the GIL first ([`Held::io`]) and takes it back after.

use crate::clock;
use crate::sync::{AtomicBool, Condvar, Mutex, MutexGuard};
use crate::sync::Ordering::{Acquire, Relaxed, Release};
use serde::Serialize;
use std::time::Duration;

/// One interval in which a thread held the GIL, in ms from the run's origin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "gil/"))]
#[serde(rename_all = "camelCase")]
pub struct Hold {
    pub lane: u32,
    pub start_ms: f64,
    pub end_ms: f64,
}

/// The most holds a run keeps for its timeline (the count of switches is always exact).
pub const HOLDS_CAP: usize = 400;

struct State {
    /// The thread (its index in the run) that holds the GIL.
    holder: Option<usize>,
    /// How many times the GIL passed to a different thread than the one before.
    switches: u64,
    /// The thread that held it last.
    last: Option<usize>,
    /// Every acquisition so far, counting the first.
    takes: u64,
    /// When the current holder took it.
    since: f64,
    /// The latest time stamped under this lock (see [`Gil::stamp`]).
    latest: f64,
    holds: Vec<Hold>,
}

pub struct Gil {
    state: Mutex<State>,
    /// Signalled when the GIL is dropped: the waiters' condvar.
    wanted: Condvar,
    /// Signalled when the GIL is taken: the condvar a thread that was asked to drop waits on.
    switched: Condvar,
    drop_request: AtomicBool,
    interval: Duration,
    origin: f64,
}

impl Gil {
    /// A GIL with this switch interval, whose holds are timed from `origin` (a
    /// [`clock::now_ms`] value).
    pub fn new(interval_ms: f64, origin: f64) -> Gil {
        Gil {
            state: Mutex::new(State { holder: None, switches: 0, last: None, takes: 0, since: 0.0, latest: 0.0, holds: Vec::new() }),
            wanted: Condvar::new(),
            switched: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval: Duration::from_secs_f64(interval_ms.max(0.001) / 1000.0),
            origin,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The time now, in ms from the origin, taken under the lock and never before the last
    /// one taken under it. Every take and drop is stamped while the lock is held, so they
    /// happen in one order; but in a browser each worker's clock is its own
    /// `timeOrigin + now()`, a sum near 1.7e12 ms whose f64 steps are 0.24 µs, and two
    /// workers' sums can round a step apart. Without this a hold could seem to start a
    /// quarter of a microsecond before the previous one ended (Firefox did so in CI).
    fn stamp(&self, s: &mut State) -> f64 {
        s.latest = clock::since(self.origin).max(s.latest);
        s.latest
    }

    // snippet:start gil
    /// Takes the GIL for thread `me` (on `lane`), waiting as long as it takes.
    pub fn take(&self, me: usize, lane: u32) -> Held<'_> {
        let mut s = self.lock();
        while s.holder.is_some() {
            let seen = s.takes;
            let (guard, waited) = self.wanted.wait_timeout(s, self.interval).unwrap_or_else(|e| e.into_inner());
            s = guard;
            // A whole interval passed and nobody switched: ask the holder to drop it.
            if waited.timed_out() && s.holder.is_some() && s.takes == seen {
                self.drop_request.store(true, Release);
            }
        }
        if s.last.is_some_and(|last| last != me) {
            s.switches += 1;
        }
        s.last = Some(me);
        s.takes += 1;
        s.holder = Some(me);
        s.since = self.stamp(&mut s);
        // Whoever was asked to drop it may now queue for it again.
        self.drop_request.store(false, Relaxed);
        self.switched.notify_all();
        Held { gil: self, me, lane }
    }

    /// Drops the GIL held by `me`. `forced`: it was asked to, so wait until another thread
    /// has taken it before going on (else the dropper, already running, would win it back).
    fn drop_gil(&self, me: usize, lane: u32, forced: bool) {
        let mut s = self.lock();
        debug_assert_eq!(s.holder, Some(me));
        let end = self.stamp(&mut s);
        if s.holds.len() < HOLDS_CAP {
            let start = s.since;
            s.holds.push(Hold { lane, start_ms: start, end_ms: end });
        }
        s.holder = None;
        let taken = s.takes;
        self.wanted.notify_one();
        if forced {
            while s.takes == taken {
                s = self.switched.wait(s).unwrap_or_else(|e| e.into_inner());
            }
        }
    }
}

/// The GIL, held by one thread: it runs its bytecode between [`Held::check`]s.
pub struct Held<'a> {
    gil: &'a Gil,
    me: usize,
    lane: u32,
}

impl<'a> Held<'a> {
    /// The eval breaker, between two bytecodes: if another thread asked for the GIL, drop
    /// it, let that thread take it, and queue for it again. Returns whether it switched.
    pub fn check(self) -> (Held<'a>, bool) {
        if !self.gil.drop_request.load(Acquire) {
            return (self, false);
        }
        let (gil, me, lane) = (self.gil, self.me, self.lane);
        std::mem::forget(self);
        gil.drop_gil(me, lane, true);
        (gil.take(me, lane), true)
    }
    // snippet:end gil

    /// Waits for I/O (`wait`) without the GIL, as CPython does around a blocking call.
    pub fn io<T>(self, wait: impl FnOnce() -> T) -> (Held<'a>, T) {
        let (gil, me, lane) = (self.gil, self.me, self.lane);
        drop(self);
        let out = wait();
        (gil.take(me, lane), out)
    }

    /// Whether a drop request stands right now (for the tests).
    pub fn requested(&self) -> bool {
        self.gil.drop_request.load(Acquire)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.gil.drop_gil(self.me, self.lane, false);
    }
}

impl Gil {
    /// Switches so far (hand-overs from one holder to the next).
    pub fn switches(&self) -> u64 {
        self.lock().switches
    }

    /// The holds recorded so far, by start time.
    pub fn holds(&self) -> Vec<Hold> {
        let mut h = self.lock().holds.clone();
        h.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
        h
    }
}
