//! Chapter 3's countdown in steps, with the learner's threads and lines as far as stays
//! readable, and the lock around it when they chose it.

use super::CountdownLock;
use crate::demos::stepper::{Fit, STEP_COUNT, STEP_THREADS};
use crate::sched::{examples, Program};

pub(super) fn story(fit: &mut Fit) -> (Program, &'static str) {
    match fit.p.pick::<CountdownLock>("lock") {
        CountdownLock::On => (countdown(fit, true), "With the lock, whichever thread takes it first prints all its lines; the other is blocked until it unlocks."),
        CountdownLock::Off => (countdown(fit, false), "Pick the threads in any order: every order you choose is one the operating system could have chosen."),
    }
}

fn countdown(fit: &mut Fit, locked: bool) -> Program {
    let threads = fit.int("threads", fit.input("threads", 2), 1, STEP_THREADS) as usize;
    let lines = fit.int("lines per thread", fit.input("count", 5), 1, STEP_COUNT);
    examples::countdown_of(locked, threads, lines)
}
