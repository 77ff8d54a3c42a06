//! The table: k threads (philosophers, or the two threads of the two-locks classic), each a
//! job on its own pool thread, and a lock between each two (the forks). Every lock is an
//! [`ObservedLock`], so a watchdog can read who holds what and who waits, and can make every
//! stuck thread give up by raising [`Table::abort`].
//!
//! Each philosopher thinks, takes its first fork, holds it for the pause, takes its second
//! fork, eats, and puts both back, `meals` times. The fixes change one line each: the order of
//! the two forks (`ordered`), how the second one is taken (`trylock`), or who may sit down at
//! all (`waiter`).
//!
//! The pause is where the deadlock comes from. During it a philosopher holding one fork waits
//! until every philosopher at the table holds one too, or until the pause runs out: the worst
//! timing, made likely rather than left to luck. With pause 0 the threads reach for the second
//! fork at once and only the real timing decides.

use super::DemoEvent;
use crate::control::Control;
use crate::live::Feed;
use crate::locks::observed::{GaveUp, LockView, ObservedLock};
use crate::pool::{current_lane, SpanKind, SpanLog, StartLine, Stopped};
use crate::sched::SplitMix64;
use crate::sync::Ordering::{Acquire, Relaxed, Release};
use crate::sync::{AtomicBool, AtomicU32, AtomicUsize, Condvar, Mutex};
use crate::workload::io_wait;
pub use super::setup::{Diner, Fix, Setup};
use std::time::Duration;

/// How long a meal takes (a real sleep on the philosopher's thread).
pub const EAT_MS: u32 = 12;

/// A barrier that gives up after a timeout: the pause's "until everyone holds one fork".
struct Rendezvous {
    parties: usize,
    /// (threads waiting now, generation).
    state: Mutex<(usize, u64)>,
    all_here: Condvar,
}

impl Rendezvous {
    /// Waits until `parties` threads are here, or `ms` pass, or the table gives up.
    fn wait(&self, ms: u32, t: &Table) -> Result<(), GaveUp> {
        let start = crate::clock::now_ms();
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.0 += 1;
        if s.0 == self.parties {
            *s = (0, s.1 + 1);
            self.all_here.notify_all();
            return Ok(());
        }
        let generation = s.1;
        loop {
            let left = f64::from(ms) - crate::clock::since(start);
            let stop = t.check();
            if s.1 != generation {
                return Ok(());
            }
            if left <= 0.0 || stop.is_err() {
                s.0 -= 1;
                return stop;
            }
            let nap = Duration::from_secs_f64(left.clamp(0.5, 10.0) / 1000.0);
            s = self.all_here.wait_timeout(s, nap).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// A lock `who` holds; dropping it puts the lock back (and says so on the live feed).
pub struct Held<'t> {
    table: &'t Table<'t>,
    who: usize,
    /// A fork's number, or `None` for a seat at the waiter's table.
    lock: Option<usize>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let t = self.table;
        match self.lock {
            Some(f) => {
                t.forks[f].release(self.who);
                t.say(self.who, "released", Some(f));
            }
            None => {
                if let Some(seats) = &t.seats {
                    seats.release(self.who);
                    t.say(self.who, "left the table", None);
                }
            }
        }
    }
}

/// Everything the threads of one run share.
pub struct Table<'a> {
    pub setup: Setup,
    pub fix: Fix,
    pub meals: u32,
    pub pause_ms: u32,
    pub forks: Vec<ObservedLock>,
    /// `waiter`: a semaphore with k - 1 seats.
    pub seats: Option<ObservedLock>,
    /// Raised by the watchdog: every thread puts its locks back and leaves.
    pub abort: AtomicBool,
    /// Meals eaten so far, by everyone: the progress the watchdog watches.
    pub eaten: AtomicU32,
    /// `trylock` retries so far, by everyone.
    pub retries: AtomicU32,
    /// Threads that have started their job.
    pub started: AtomicUsize,
    /// Where every philosopher waits for the others before the first meal, so that all k
    /// are alive at once on k pool workers (none can finish and free its worker for another).
    start: StartLine,
    /// Set when the pool did not give every philosopher a worker in time: nothing was eaten.
    pub short: Mutex<Option<Stopped>>,
    /// Threads that have left their job (done, gave up, cancelled or panicked).
    pub finished: AtomicUsize,
    pub diners: Vec<Mutex<Diner>>,
    /// Thread numbers in the order they finished.
    pub order: Mutex<Vec<u32>>,
    pub ctl: &'a Control,
    pub feed: &'a Feed,
    pub log: &'a SpanLog,
    rendezvous: Rendezvous,
}

impl<'a> Table<'a> {
    pub fn new(setup: Setup, fix: Fix, meals: u32, pause_ms: u32, ctl: &'a Control, feed: &'a Feed, log: &'a SpanLog) -> Self {
        let k = setup.len();
        let seats = (fix == Fix::Waiter).then(|| ObservedLock::with_permits(k - 1));
        let diners = setup.names.iter().map(|n| Mutex::new(Diner { name: n.clone(), state: "waiting to start", ..Default::default() })).collect();
        // With a waiter only k - 1 can sit, so only k - 1 can ever hold a fork at once.
        let parties = if fix == Fix::Waiter { k - 1 } else { k };
        Table {
            forks: (0..k).map(|_| ObservedLock::new()).collect(),
            seats,
            setup,
            fix,
            meals,
            pause_ms,
            abort: AtomicBool::new(false),
            eaten: AtomicU32::new(0),
            retries: AtomicU32::new(0),
            started: AtomicUsize::new(0),
            start: StartLine::new(k),
            short: Mutex::new(None),
            finished: AtomicUsize::new(0),
            diners,
            order: Mutex::new(Vec::new()),
            ctl,
            feed,
            log,
            rendezvous: Rendezvous { parties, state: Mutex::new((0, 0)), all_here: Condvar::new() },
        }
    }

    pub fn k(&self) -> usize {
        self.setup.len()
    }

    // snippet:start deadlock
    /// One philosopher: think, take two forks, eat; `meals` times. Every lock is a guard
    /// (`Held`): it goes back on the table when the guard is dropped, at the end of each
    /// meal, or on the way out when the watchdog raises the abort flag.
    fn dine(&self, me: usize) -> Result<(), GaveUp> {
        let (first, second) = (self.setup.first[me], self.setup.second[me]); // ordered: lower first
        for meal in 0..self.meals {
            self.think(me, meal)?;
            let _seat = self.sit_down(me)?; // waiter: at most k - 1 philosophers at the table
            let _forks = loop {
                let a = self.take(me, first)?; // waits while a neighbour holds it
                self.pause(me)?; // holding one fork: the dangerous moment
                if self.fix != Fix::TryLock {
                    break (a, self.take(me, second)?); // if every neighbour holds one: waits for ever
                }
                match self.try_take(me, second) {
                    Some(b) => break (a, b),
                    None => {
                        drop(a); // put the first fork back, wait a little, try again
                        self.back_off(me)?; // polite, but if all do it in step: a livelock
                    }
                }
            };
            self.eat(me, meal)?;
        } // the forks and the seat go back here, as their guards are dropped
        Ok(())
    }
    // snippet:end deadlock

    /// The job of thread `me`: dine, then say how it ended. A panic still counts as finished
    /// (the guard below), so the watchdog never waits for a thread that is gone.
    pub fn seat_and_dine(&self, me: usize) -> Result<(), GaveUp> {
        struct Leaving<'t, 'a>(&'t Table<'a>, usize);
        impl Drop for Leaving<'_, '_> {
            fn drop(&mut self) {
                self.0.order.lock().unwrap_or_else(|e| e.into_inner()).push(self.1 as u32);
                self.0.finished.fetch_add(1, Release);
            }
        }
        self.started.fetch_add(1, Release);
        let _leaving = Leaving(self, me);
        self.diner(me, |d| d.lane = current_lane());
        let outcome = match self.start.arrive(self.ctl) {
            Ok(_) => self.dine(me),
            Err(Stopped::Cancelled) => Err(GaveUp::Cancelled),
            Err(short) => {
                *self.short.lock().unwrap_or_else(|e| e.into_inner()) = Some(short);
                Err(GaveUp::Aborted)
            }
        };
        let state = match outcome {
            Ok(()) => "done",
            Err(GaveUp::Aborted) => "gave up",
            Err(GaveUp::Cancelled) => "cancelled",
        };
        self.diner(me, |d| d.state = state);
        self.say(me, state, None);
        outcome
    }

    /// `Err` once the run is cancelled or the watchdog gave up on it.
    pub fn check(&self) -> Result<(), GaveUp> {
        self.ctl.check()?;
        if self.abort.load(Acquire) {
            return Err(GaveUp::Aborted);
        }
        Ok(())
    }

    /// Makes every thread give up: raised once, by the watchdog.
    pub fn give_up(&self) {
        self.abort.store(true, Release);
        for f in &self.forks {
            f.wake_all();
        }
        if let Some(s) = &self.seats {
            s.wake_all();
        }
        self.rendezvous.all_here.notify_all();
    }

    /// Every lock's holders and waiters now (the forks, then the seats if there is a waiter).
    pub fn views(&self) -> Vec<LockView> {
        self.forks.iter().chain(&self.seats).map(ObservedLock::view).collect()
    }

    pub fn diners(&self) -> Vec<Diner> {
        self.diners.iter().map(|d| d.lock().unwrap_or_else(|e| e.into_inner()).clone()).collect()
    }

    fn diner(&self, me: usize, f: impl FnOnce(&mut Diner)) {
        f(&mut self.diners[me].lock().unwrap_or_else(|e| e.into_inner()));
    }

    pub(super) fn say(&self, who: usize, what: &'static str, lock: Option<usize>) {
        let meal = self.diners[who].lock().unwrap_or_else(|e| e.into_inner()).meals;
        self.feed.push(&DemoEvent::Step { t_ms: self.log.now(), who, what, lock, meal });
    }

    fn think(&self, me: usize, meal: u32) -> Result<(), GaveUp> {
        self.check()?;
        self.diner(me, |d| d.state = "thinking");
        self.say(me, "thinking", None);
        // 2-10 ms, different for each philosopher and meal.
        let ms = 2 + ((me as u32 * 7 + meal * 3) % 9);
        self.log.span(me as u32, SpanKind::Work, || io_wait(ms, self.ctl))?;
        Ok(())
    }

    fn sit_down(&self, me: usize) -> Result<Option<Held<'_>>, GaveUp> {
        let Some(seats) = &self.seats else { return Ok(None) };
        if !seats.try_acquire(me) {
            self.diner(me, |d| d.state = "waiting for a seat");
            self.say(me, "waits for a seat", None);
            let start = self.log.now();
            seats.acquire(me, &self.abort, self.ctl)?;
            self.log.record(me as u32, SpanKind::Wait, start);
        }
        self.say(me, "sat down", None);
        Ok(Some(Held { table: self, who: me, lock: None }))
    }

    /// Takes fork `f`, waiting as long as it takes (or until the table gives up).
    fn take(&self, me: usize, f: usize) -> Result<Held<'_>, GaveUp> {
        if !self.forks[f].try_acquire(me) {
            self.diner(me, |d| d.state = "waiting");
            self.say(me, "waits for", Some(f));
            let start = self.log.now();
            let got = self.forks[f].acquire(me, &self.abort, self.ctl);
            // A wait counts even when it never ends (a deadlock the watchdog broke).
            self.log.record(me as u32, SpanKind::Wait, start);
            let waited = self.log.now() - start;
            self.diner(me, |d| {
                d.waits += 1;
                d.wait_ms += waited;
            });
            got?;
        }
        self.diner(me, |d| d.state = "holding one");
        self.say(me, "took", Some(f));
        Ok(Held { table: self, who: me, lock: Some(f) })
    }

    fn try_take(&self, me: usize, f: usize) -> Option<Held<'_>> {
        if self.forks[f].try_acquire(me) {
            self.say(me, "took", Some(f));
            return Some(Held { table: self, who: me, lock: Some(f) });
        }
        self.retries.fetch_add(1, Relaxed);
        self.diner(me, |d| d.retries += 1);
        self.say(me, "found taken", Some(f));
        None
    }

    fn pause(&self, me: usize) -> Result<(), GaveUp> {
        if self.pause_ms == 0 {
            return self.check();
        }
        self.log.span(me as u32, SpanKind::Wait, || self.rendezvous.wait(self.pause_ms, self))
    }

    fn back_off(&self, me: usize) -> Result<(), GaveUp> {
        self.diner(me, |d| d.state = "backing off");
        let tries = self.diners[me].lock().unwrap_or_else(|e| e.into_inner()).retries;
        // A different random wait for each philosopher and retry: 1 ms up to the pause.
        let mut rng = SplitMix64::new(((me as u64) << 32) | u64::from(tries));
        let ms = 1 + rng.below(self.pause_ms.max(10) as usize) as u32;
        self.log.span(me as u32, SpanKind::Wait, || io_wait(ms, self.ctl))?;
        self.check()
    }

    fn eat(&self, me: usize, meal: u32) -> Result<(), GaveUp> {
        self.diner(me, |d| d.state = "eating");
        self.say(me, "eats", None);
        self.log.span(me as u32, SpanKind::Work, || io_wait(EAT_MS, self.ctl))?;
        self.diner(me, |d| d.meals = meal + 1);
        self.eaten.fetch_add(1, Release);
        self.ctl.tick();
        Ok(())
    }
}
