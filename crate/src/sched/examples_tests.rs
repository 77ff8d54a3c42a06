//! Tests of the built-in programs: the interleavings each chapter talks about, every
//! interleaving where there are few, and seeded random runs.

use super::*;
use crate::sched::{replay, run_random, Machine, RunStatus, Trace};
use std::collections::BTreeSet;
use crate::sync::Arc;

fn run(program: Program, trace: &str) -> Machine {
    replay(&Arc::new(program), &trace.parse().unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

/// Every end state (done or deadlocked) over every interleaving, as `outcome` describes it,
/// and how many interleavings there are. This is the whole of an exhaustive explorer: clone
/// the machine once per runnable thread and step it.
fn every_end(program: Program, outcome: impl Fn(&Machine) -> String) -> (BTreeSet<String>, usize) {
    let mut ends = BTreeSet::new();
    let mut count = 0;
    let mut stack = vec![Machine::new(program)];
    while let Some(machine) = stack.pop() {
        let runnable = machine.runnable();
        if runnable.is_empty() {
            ends.insert(outcome(&machine));
            count += 1;
        }
        for tid in runnable {
            let mut next = machine.clone();
            next.step(tid).unwrap();
            stack.push(next);
        }
    }
    (ends, count)
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn output(machine: &Machine) -> Vec<&str> {
    machine.state().output.iter().map(|l| l.text.as_str()).collect()
}

#[test]
fn lost_update_ends_at_1_when_both_read_before_either_writes() {
    let m = run(lost_update(2), "0.1.0.0.1.1");
    assert_eq!(m.to_string(), "counter=1 | A done tmp=1 | B done tmp=1");
    assert_eq!(run(lost_update(2), "0.0.0.1.1.1").var("counter"), 2);
    assert_eq!(run(lost_update(2), "1.0.1.1.0.0").var("counter"), 1);
    let (ends, count) = every_end(lost_update(2), |m| format!("{:?} {}", m.status(), m.var("counter")));
    assert_eq!(ends, set(&["Done 1", "Done 2"]));
    assert_eq!(count, 20); // 6 steps, 3 each: C(6, 3) orders
}

#[test]
fn locked_increment_always_ends_at_the_number_of_threads() {
    let (ends, count) = every_end(locked_increment(2), |m| format!("{:?} {}", m.status(), m.var("counter")));
    assert_eq!(ends, set(&["Done 2"]));
    assert_eq!(count, 2); // the lock leaves only "A first" and "B first"
    let program = Arc::new(locked_increment(3));
    for seed in 0..20 {
        let m = run_random(&program, seed, 1000);
        assert_eq!((m.status(), m.var("counter")), (RunStatus::Done, 3), "seed {seed}: {}", m.trace());
    }
}

#[test]
fn lost_update_with_many_threads_loses_updates_under_some_seeds() {
    let program = Arc::new(lost_update(5));
    let totals: BTreeSet<i64> = (0..40).map(|seed| run_random(&program, seed, 1000).var("counter")).collect();
    assert!(totals.len() > 1 && totals.iter().all(|&t| (1..=5).contains(&t)), "{totals:?}");
}

#[test]
fn opposite_order_locks_deadlock_when_each_takes_its_first_lock() {
    let m = run(opposite_order_locks(), "0.1");
    assert!(m.is_deadlocked());
    let why: Vec<(usize, Option<usize>, String)> = m.blocked().into_iter().map(|b| (b.thread, b.waits_for, b.message)).collect();
    assert_eq!(
        why,
        [
            (0, Some(1), "A waits for lock \"b\", held by B".to_string()),
            (1, Some(0), "B waits for lock \"a\", held by A".to_string()),
        ]
    );
    let m = run(opposite_order_locks(), "0.0.0.0.1.1.1.1");
    assert_eq!(m.status(), RunStatus::Done);
    assert_eq!(m.to_string(), "a=free b=free | A done | B done");

    let (ends, _) = every_end(opposite_order_locks(), |m| format!("{:?}", m.status()));
    assert_eq!(ends, set(&["Deadlocked", "Done"]));
    let (ends, _) = every_end(same_order_locks(), |m| format!("{:?}", m.status()));
    assert_eq!(ends, set(&["Done"]));
}

#[test]
fn a_leaked_lock_blocks_the_next_acquirer_forever() {
    let m = run(leaked_lock(), "0.0");
    assert!(m.is_deadlocked());
    assert_eq!(m.to_string(), "lock=A | A done | B@0");
    let blocked = m.blocked();
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].waits_for, Some(0));
    assert_eq!(blocked[0].message, "B waits for lock \"lock\", held by A, which has finished without releasing it");
    assert_eq!(m.leaked_locks(), [("lock".to_string(), 0)]);
    assert_eq!(run(leaked_lock(), "0").leaked_locks(), []);
    // B first: B releases, then A takes the lock and leaks it, but nobody else wants it.
    assert_eq!(run(leaked_lock(), "1.1.1.0.0").status(), RunStatus::Done);
}

#[test]
fn countdown_interleaves_without_the_lock_and_not_with_it() {
    let m = run(countdown(false), "0.1.0.0.0.1.1.1");
    assert_eq!(output(&m), ["A: 5", "B: 5", "A: 4", "B: 4"]);
    let program = Arc::new(countdown(true));
    let a_first = ["A: 5", "A: 4", "A: 3", "A: 2", "A: 1", "B: 5", "B: 4", "B: 3", "B: 2", "B: 1"];
    let b_first = ["B: 5", "B: 4", "B: 3", "B: 2", "B: 1", "A: 5", "A: 4", "A: 3", "A: 2", "A: 1"];
    for seed in 0..10 {
        let m = run_random(&program, seed, 1000);
        assert_eq!(m.status(), RunStatus::Done);
        // Whoever steps first takes the lock, and prints all five lines before the other.
        let expected = if m.trace().steps()[0] == 0 { a_first } else { b_first };
        assert_eq!(output(&m), expected, "seed {seed}: {}", m.trace());
    }
    let unlocked = Arc::new(countdown(false));
    let interleaved = (0..10).any(|seed| {
        let out = output(&run_random(&unlocked, seed, 1000)).join(" ");
        out != a_first.join(" ") && out != b_first.join(" ")
    });
    assert!(interleaved);
}

#[test]
fn producer_blocks_on_a_full_queue_and_consumer_on_an_empty_one() {
    let m = run(producer_consumer(4, 2), "0*6");
    assert_eq!(m.to_string(), "q=[1,2] | P@0 i=3 | C@0 x=0 left=4");
    assert_eq!(m.runnable(), [1]);
    assert_eq!(m.blocked()[0].message, "P waits for room in queue \"q\", which is full (2 of 2)");
    let m = run(producer_consumer(4, 2), "0*6.1*8");
    assert_eq!(m.to_string(), "q=[] | P@0 i=3 | C@0 x=2 left=2");
    assert_eq!(m.runnable(), [0]);
    let (ends, _) = every_end(producer_consumer(3, 1), |m| format!("{:?} {}", m.status(), output(m).join(",")));
    assert_eq!(ends, set(&["Done got 1,got 2,got 3"]));
}

#[test]
fn same_seed_same_trace_and_replay_gives_the_same_state() {
    let program = Arc::new(producer_consumer(5, 2));
    let first = run_random(&program, 42, 1000);
    let second = run_random(&program, 42, 1000);
    assert_eq!(first.trace(), second.trace());
    assert_eq!(first.state(), second.state());
    let replayed = replay(&program, first.trace()).unwrap();
    assert_eq!(replayed.state(), first.state());
    let text: Trace = first.trace().to_string().parse().unwrap();
    assert_eq!(&text, first.trace());
    let traces: BTreeSet<String> = (0..10).map(|seed| run_random(&program, seed, 1000).trace().to_string()).collect();
    assert!(traces.len() > 1, "different seeds should give different schedules");
}

#[test]
fn a_step_limit_stops_a_run_that_never_ends() {
    let spin = ProgramSpec::new("spin").thread(ThreadSpec::new("A").steps([Instr::jump(0)])).build().unwrap();
    let m = run_random(&Arc::new(spin), 1, 50);
    assert_eq!((m.status(), m.trace().len()), (RunStatus::Running, 50));
}

#[test]
fn a_trace_that_does_not_fit_says_where() {
    let error = replay(&Arc::new(leaked_lock()), &"0.0.1".parse().unwrap()).unwrap_err();
    assert_eq!(error.at, 2);
    assert_eq!(
        error.to_string(),
        "step 2 of the trace cannot run: B waits for lock \"lock\", held by A, which has finished without releasing it; no thread can step now"
    );
    assert_eq!(error.machine.trace().to_string(), "0.0");
}

#[test]
fn every_id_builds_and_unknown_ids_are_listed() {
    for id in IDS {
        let program = by_id(id).unwrap();
        assert!(!Machine::new(program).runnable().is_empty(), "{id}");
    }
    assert_eq!(
        by_id("deadlock").unwrap_err().to_string(),
        "there is no example program called \"deadlock\"; the examples are countdown, countdown-locked, lost-update, \
         locked-increment, opposite-locks, same-order-locks, producer-consumer, leaked-lock, philosophers, \
         philosophers-ordered, treiber-aba, treiber-fresh, dict-delete, dict-copy"
    );
}
