//! The shared control block: which run is under way and which one the page cancelled, the
//! run's progress, and the same for a long computation (the explorer).
//!
//! In the browser one `Control` lives in a static inside the wasm memory, which is a
//! `SharedArrayBuffer`. The page's main thread maps the same words and writes a cancel or
//! reads progress with `Atomics` while the engine worker is busy: no message has to get
//! through a worker that is blocked in a rayon join.
//!
//! Layout (`repr(C)`, seven little-endian `u32` words, read by `www/src/client/engine-memory.ts`):
//! - word 0, `cancel`: the newest run id the page cancelled (0 = none).
//! - word 1, `done`: tasks finished so far in this run.
//! - word 2, `total`: tasks this run will do (0 while unknown).
//! - word 3, `run`: the id of the run the engine began last (0 = none yet).
//! - word 4, `latest`: the newest "latest wins" compute the page asked for; 0 after Cancel.
//! - word 5, `explored`: states the running compute has explored so far.
//! - word 6, `explore_limit`: the most states it will explore; with the top bit
//!   ([`FUZZING`]) set, the schedules the explorer's fuzzer will run (word 5 then counts
//!   schedules).
//!
//! **Cancelling a run that has not begun.** Runs carry the page's increasing request id. A
//! cancel stores that id in `cancel` (never lowering it), and a run counts as cancelled while
//! `cancel >= run`: a cancel raised before the run began is still there when it begins, so
//! the run refuses to start instead of clearing it (which is how a cancel pressed early used
//! to be lost). The page posts one run at a time (the next only after the last has answered),
//! so a cancel of run `n` can never stop an earlier run that should go on. `start_run`
//! stores `run` and then loads `cancel`, and the page stores `cancel` and then loads `run`,
//! all sequentially consistent: if the page sees that run `n` has not begun, run `n` will see
//! the cancel when it begins, so the page may report it cancelled at once.
//!
//! **Latest wins.** A compute the page may replace (the explorer, recomputed as a slider
//! moves) carries its request id as a ticket; the page stores the newest ticket in `latest`
//! before posting it. A queued compute whose ticket is no longer the newest is dropped
//! unstarted, and an exploration under way checks between states and stops.

use std::fmt;
use crate::sync::AtomicU32;
use crate::sync::Ordering::{Acquire, Relaxed, Release, SeqCst};

/// The top bit of word 6 (`explore_limit`): set while the compute runs the explorer's
/// schedule fuzzer, the low bits then being the schedules it will run.
pub const FUZZING: u32 = 1 << 31;

#[repr(C)]
#[derive(Debug, Default)]
pub struct Control {
    cancel: AtomicU32,
    done: AtomicU32,
    total: AtomicU32,
    run: AtomicU32,
    latest: AtomicU32,
    explored: AtomicU32,
    explore_limit: AtomicU32,
}

/// Where each word of [`Control`] is, as a word index from the block's address: sent to the
/// page with the schema (`demos::limits`), so the page has no second copy of the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Words {
    pub cancel: usize,
    pub done: usize,
    pub total: usize,
    pub run: usize,
    pub latest: usize,
    pub explored: usize,
    pub explore_limit: usize,
    /// How many words the block has.
    pub len: usize,
}

impl Control {
    /// The layout the page maps.
    pub const WORDS: Words = {
        const W: usize = std::mem::size_of::<u32>();
        Words {
            cancel: std::mem::offset_of!(Control, cancel) / W,
            done: std::mem::offset_of!(Control, done) / W,
            total: std::mem::offset_of!(Control, total) / W,
            run: std::mem::offset_of!(Control, run) / W,
            latest: std::mem::offset_of!(Control, latest) / W,
            explored: std::mem::offset_of!(Control, explored) / W,
            explore_limit: std::mem::offset_of!(Control, explore_limit) / W,
            len: std::mem::size_of::<Control>() / W,
        }
    };
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

/// Where a compute with a ticket stands (see "Latest wins" above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The newest the page asked for (or a compute with no ticket): go on.
    Current,
    /// The page asked for a newer one since: its result would be thrown away.
    Superseded,
    /// The page pressed Cancel.
    Cancelled,
}

impl Control {
    pub const fn new() -> Self {
        Control {
            cancel: AtomicU32::new(0),
            done: AtomicU32::new(0),
            total: AtomicU32::new(0),
            run: AtomicU32::new(0),
            latest: AtomicU32::new(0),
            explored: AtomicU32::new(0),
            explore_limit: AtomicU32::new(0),
        }
    }

    /// Begins run `id` (the page's request id, increasing): clears the progress, and refuses
    /// with `Err(Cancelled)` if the page cancelled this run before it began.
    pub fn start_run(&self, id: u32) -> Result<(), Cancelled> {
        self.done.store(0, Relaxed);
        self.total.store(0, Relaxed);
        self.run.store(id, SeqCst);
        if self.cancel_covers(id) {
            return Err(Cancelled);
        }
        Ok(())
    }

    /// The id of the run begun last (0 = none yet).
    pub fn current_run(&self) -> u32 {
        self.run.load(SeqCst)
    }

    /// Sets the progress for a run of `total` tasks. It leaves a cancel alone: one pressed
    /// before the demo got here still stops it.
    pub fn begin(&self, total: u32) {
        self.done.store(0, Relaxed);
        self.total.store(total, Relaxed);
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

    /// Asks the run under way to stop at its next check (what the page does for run `id`
    /// with [`cancel_run`](Self::cancel_run); natively, for whichever run this is).
    pub fn cancel(&self) {
        self.cancel_run(self.run.load(SeqCst).max(1));
    }

    /// Cancels run `id`, whether it is under way or has not begun (the page's store).
    pub fn cancel_run(&self, id: u32) {
        self.cancel.fetch_max(id, SeqCst);
    }

    fn cancel_covers(&self, run: u32) -> bool {
        let cancel = self.cancel.load(SeqCst);
        cancel != 0 && cancel >= run
    }

    pub fn is_cancelled(&self) -> bool {
        let run = self.run.load(Relaxed);
        let cancel = self.cancel.load(Acquire);
        cancel != 0 && cancel >= run
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

    /// The page asks for compute `ticket`, replacing any earlier one (the page's store).
    pub fn ask_compute(&self, ticket: u32) {
        self.latest.store(ticket, Release);
    }

    /// The page cancels the newest compute (the page's store).
    pub fn cancel_compute(&self) {
        self.latest.store(0, Release);
    }

    /// Where compute `ticket` stands; a compute with no ticket (0) is always current.
    pub fn standing(&self, ticket: u32) -> Standing {
        if ticket == 0 {
            return Standing::Current;
        }
        match self.latest.load(Acquire) {
            t if t == ticket => Standing::Current,
            0 => Standing::Cancelled,
            _ => Standing::Superseded,
        }
    }

    /// How far the running exploration got: `explored` states of at most `limit`.
    pub fn set_explored(&self, explored: u32, limit: u32) {
        self.explore_limit.store(limit, Relaxed);
        self.explored.store(explored, Relaxed);
    }

    /// How far the explorer's fuzzer got: `done` schedules of `total`. The same two words as
    /// [`Control::set_explored`], with [`FUZZING`] set in the limit, so the page can say
    /// "schedules" instead of "states".
    pub fn set_fuzzed(&self, done: u32, total: u32) {
        self.set_explored(done, total | FUZZING);
    }

    /// `(explored, limit)` of the exploration under way (or the last one).
    pub fn explored(&self) -> (u32, u32) {
        (self.explored.load(Relaxed), self.explore_limit.load(Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn begin_resets_progress_and_keeps_a_cancel() {
        let c = Control::new();
        assert_eq!(c.check(), Ok(()));
        c.begin(5);
        c.tick();
        c.tick();
        assert_eq!(c.progress(), (2, 5));
        c.cancel();
        assert_eq!(c.check(), Err(Cancelled));
        c.begin(3);
        assert_eq!(c.progress(), (0, 3));
        assert_eq!(c.check(), Err(Cancelled), "a demo's begin must not clear a cancel");
    }

    #[test]
    fn a_cancel_pressed_before_the_run_began_stops_it_and_no_later_one() {
        let c = Control::new();
        assert_eq!(c.start_run(1), Ok(()));
        assert_eq!(c.check(), Ok(()));
        // Run 1 has answered; run 3 is cancelled while it waits in the worker's queue.
        c.cancel_run(3);
        assert_eq!(c.start_run(3), Err(Cancelled), "cancelled before it began");
        assert_eq!(c.current_run(), 3);
        assert_eq!(c.check(), Err(Cancelled));
        assert_eq!(c.start_run(4), Ok(()), "the cancel of run 3 is not one of run 4");
        assert_eq!(c.check(), Ok(()));
        c.cancel_run(2); // a late store of an older id never lowers the word
        assert_eq!(c.check(), Ok(()));
        c.cancel_run(4);
        assert_eq!(c.check(), Err(Cancelled), "and a cancel during the run stops it");
    }

    #[test]
    fn cancel_stops_the_run_under_way_even_before_start_run() {
        // Native callers never call start_run: `cancel` then stops whatever runs on `c`.
        let c = Control::new();
        c.cancel();
        assert_eq!(c.check(), Err(Cancelled));
    }

    #[test]
    fn only_the_newest_compute_is_current() {
        let c = Control::new();
        assert_eq!(c.standing(0), Standing::Current, "no ticket: not a latest-wins compute");
        c.ask_compute(7);
        assert_eq!(c.standing(7), Standing::Current);
        c.ask_compute(9);
        assert_eq!(c.standing(7), Standing::Superseded);
        assert_eq!(c.standing(9), Standing::Current);
        c.cancel_compute();
        assert_eq!(c.standing(9), Standing::Cancelled);
        assert_eq!(c.standing(0), Standing::Current);
        c.set_explored(1024, 500_000);
        assert_eq!(c.explored(), (1024, 500_000));
    }

    #[test]
    fn layout_is_seven_words_in_the_documented_order() {
        // The page reads these words by offset; a reordering must fail here, not in a browser.
        let c = Control::new();
        let base = &c as *const Control as usize;
        let at = |p: *const AtomicU32| p as usize - base;
        assert_eq!(std::mem::size_of::<Control>(), 28);
        assert_eq!(at(&c.cancel), 0);
        assert_eq!(at(&c.done), 4);
        assert_eq!(at(&c.total), 8);
        assert_eq!(at(&c.run), 12);
        assert_eq!(at(&c.latest), 16);
        assert_eq!(at(&c.explored), 20);
        assert_eq!(at(&c.explore_limit), 24);
        let w = Control::WORDS;
        assert_eq!([w.cancel, w.done, w.total, w.run, w.latest, w.explored, w.explore_limit, w.len], [0, 1, 2, 3, 4, 5, 6, 7]);
    }
}
