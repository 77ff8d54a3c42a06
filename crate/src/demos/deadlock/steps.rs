//! The deadlock demo's step-through programs: the book's philosophers and two-lock classics
//! with the fix the learner chose, on the deterministic scheduler.

use super::setup::{Fix, Diners};
use crate::demos::stepper::Fit;
use crate::sched::{examples, Instr, Program, ProgramSpec, ThreadSpec};

/// Chapter 12: the philosophers (or the two threads of the two-locks classic) with the fix the
/// learner chose. `none` and `ordered` are the book's programs; `trylock` and `waiter` are
/// built here.
pub(super) fn story(fit: &mut Fit) -> (Program, &'static str) {
    let p = fit.p;
    let two = p.pick::<Diners>("scenario") == Diners::TwoLocks;
    let k = if two { 2 } else { p.int("philosophers").max(2) as usize };
    match (p.pick::<Fix>("fix"), two) {
        (Fix::Ordered, true) => (
            examples::same_order_locks(),
            "Both threads take a before b: whoever gets a can always get b. Try any order; none deadlocks.",
        ),
        (Fix::Ordered, false) => (
            examples::philosophers(k, true),
            "The last philosopher reaches for f1 before its other fork, like everyone else takes the lower one first. Try any order: no schedule deadlocks.",
        ),
        (Fix::TryLock, _) => (
            polite_table(k, two),
            "Whoever finds its second lock taken puts the first back and starts again. No schedule deadlocks, but you can keep them all retrying for ever: a livelock.",
        ),
        (Fix::Waiter, _) => (
            waiter_table(k, two),
            "The waiter is a queue with one place fewer than there are diners: put() blocks while the table is full, so someone can always get both locks.",
        ),
        (Fix::None, true) => (
            examples::opposite_order_locks(),
            "Step A once and B once: each holds one lock and waits for the other's. Trace 0.1 is a deadlock, reached by hand.",
        ),
        (Fix::None, false) => (
            examples::philosophers(k, false),
            "Step every philosopher once, each takes its left fork, and no one can step again: a deadlock reached by hand. Or let the seeded random scheduler look for one.",
        ),
    }
}

/// Names of the diners and their locks, and each diner's (first, second) lock.
fn table_names(k: usize, two: bool) -> (Vec<String>, Vec<String>, Vec<(usize, usize)>) {
    if two {
        return (vec!["A".into(), "B".into()], vec!["a".into(), "b".into()], vec![(0, 1), (1, 0)]);
    }
    let names = (1..=k).map(|i| format!("P{i}")).collect();
    let locks = (1..=k).map(|i| format!("f{i}")).collect();
    (names, locks, (0..k).map(|i| (i, (i + 1) % k)).collect())
}

/// `trylock`: take the first lock, try the second; if it is taken, put the first back and
/// start again.
fn polite_table(k: usize, two: bool) -> Program {
    let (names, locks, pairs) = table_names(k, two);
    let mut spec = ProgramSpec::new(if two { "two locks, with try-lock" } else { "philosophers with try-lock" });
    for l in &locks {
        spec = spec.lock(l);
    }
    for (name, (a, b)) in names.iter().zip(pairs) {
        let (first, second) = (&locks[a], &locks[b]);
        spec = spec.thread(ThreadSpec::new(name).local("meals", 0).steps([
            Instr::lock(first),              // 0
            Instr::try_lock(second, 6),      // 1: taken? go to 6
            Instr::add("meals", 1),          // 2: eat
            Instr::unlock(second),           // 3
            Instr::unlock(first),            // 4
            Instr::jump(8),                  // 5: done
            Instr::unlock(first),            // 6: put the first back
            Instr::jump(0),                  // 7: and start again
        ]));
    }
    spec.build().expect("the try-lock table is valid")
}

/// `waiter`: a queue with k - 1 places is the waiter's semaphore: `put` to sit down blocks
/// while the table is full, `get` leaves it.
fn waiter_table(k: usize, two: bool) -> Program {
    let (names, locks, pairs) = table_names(k, two);
    let mut spec = ProgramSpec::new(if two { "two locks, with a waiter" } else { "philosophers with a waiter" })
        .queue("seats", Some(k - 1));
    for l in &locks {
        spec = spec.lock(l);
    }
    for (name, (a, b)) in names.iter().zip(pairs) {
        let (first, second) = (&locks[a], &locks[b]);
        spec = spec.thread(ThreadSpec::new(name).local("meals", 0).local("seat", 0).steps([
            Instr::put("seats", 1),          // sit down (blocks while the table is full)
            Instr::lock(first),
            Instr::lock(second),
            Instr::add("meals", 1),          // eat
            Instr::unlock(second),
            Instr::unlock(first),
            Instr::get("seats", "seat"),     // leave the table
        ]));
    }
    spec.build().expect("the waiter's table is valid")
}
