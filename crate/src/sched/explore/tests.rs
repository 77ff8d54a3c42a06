//! Tests of the explorer against numbers worked out by hand (chapter 19's issue: "a wrong
//! number is worse than none"), against a brute-force enumeration with no state cache, and
//! against a plain set of states for the exactness of the compact key.

use super::*;
use crate::sched::examples::{
    countdown, leaked_lock, locked_increment, lost_update, opposite_order_locks, philosophers, producer_consumer,
    same_order_locks,
};
use crate::sched::{replay, Instr, Machine, ProgramSpec, RunStatus, State, ThreadSpec};
use std::collections::{BTreeMap, HashSet};

fn run(program: Program, assertion: Option<&str>) -> Exploration {
    let assertion: Option<Assertion> = assertion.map(|a| a.parse().unwrap());
    explore(&Arc::new(program), assertion.as_ref(), Limits::default())
}

fn n(count: Option<Count>) -> u128 {
    count.expect("counted").0
}

/// Final states as (summary, interleavings), in the explorer's order.
fn finals(e: &Exploration) -> Vec<(String, u128)> {
    e.final_states.iter().map(|f| (f.summary.clone(), n(f.interleavings))).collect()
}

/// Threads named A, B, ... with `steps[i]` straight-line steps each: prints (every order
/// prints differently) or local additions (invisible to the other threads).
fn straight(steps: &[u32], print: bool) -> Program {
    let mut spec = ProgramSpec::new("straight");
    for (i, &k) in steps.iter().enumerate() {
        let name = char::from(b'A' + i as u8).to_string();
        let step = |j: u32| if print { Instr::print(&format!("{name}{j}")) } else { Instr::add("x", 1) };
        spec = spec.thread(ThreadSpec::new(&name).local("x", 0).steps((0..k).map(step)));
    }
    spec.build().unwrap()
}

#[test]
fn two_threads_of_a_and_b_steps_have_c_a_plus_b_over_a_interleavings() {
    // C(a + b, a), worked out by hand.
    let table = [(1, 1, 2), (2, 1, 3), (2, 2, 6), (3, 1, 4), (3, 2, 10), (3, 3, 20), (4, 2, 15), (4, 4, 70), (6, 3, 84), (5, 5, 252), (0, 3, 1)];
    for (a, b, hand) in table {
        let printed = run(straight(&[a, b], true), None);
        assert_eq!((n(printed.interleavings), printed.counting), (hand, Counting::Exact), "{a}+{b} printing");
        // Every order prints its lines in a different order: one final state per interleaving.
        assert_eq!(printed.final_states_total as u128, hand, "{a}+{b}");
        assert!(printed.final_states.iter().all(|f| n(f.interleavings) == 1 && f.steps == (a + b) as usize));

        let silent = run(straight(&[a, b], false), None);
        assert_eq!(n(silent.interleavings), hand, "{a}+{b} silent");
        // Local steps commute: the cache keeps one state per pair of program counters.
        assert_eq!(silent.states, ((a + 1) * (b + 1)) as usize, "{a}+{b} states");
        assert_eq!(finals(&silent), [("nothing shared".to_string(), hand)]);
        assert_eq!(super::interleavings_of(&[a, b]), Some(hand));
    }
}

#[test]
fn the_multinomial_formula_matches_pascals_triangle_and_three_threads() {
    let mut pascal = [[0u128; 8]; 8];
    for a in 0..8 {
        for b in 0..8 {
            pascal[a][b] = if a == 0 || b == 0 { 1 } else { pascal[a - 1][b] + pascal[a][b - 1] };
            assert_eq!(interleavings_of(&[a as u32, b as u32]), Some(pascal[a][b]), "C({a}+{b}, {a})");
        }
    }
    // 9! / (3! 3! 3!) = 362880 / 216.
    assert_eq!(interleavings_of(&[3, 3, 3]), Some(1680));
    assert_eq!(n(run(straight(&[3, 3, 3], false), None).interleavings), 1680);
    assert_eq!(n(run(straight(&[2, 1, 1], true), None).interleavings), 12);
    assert_eq!(interleavings_of(&[]), Some(1));
    assert_eq!(interleavings_of(&[60, 60, 60]), None);
}

#[test]
fn lost_update_reaches_exactly_1_and_2() {
    let e = run(lost_update(2), Some("counter == 2"));
    // Only AAABBB and BBBAAA put one whole increment before the other: 2 of C(6, 3) = 20.
    assert_eq!(finals(&e), [("counter = 1".to_string(), 18), ("counter = 2".to_string(), 2)]);
    assert_eq!((n(e.interleavings), n(e.by_outcome.broken), n(e.by_outcome.ok)), (20, 18, 2));
    assert_eq!(n(e.by_outcome.deadlock), 0);
    assert_eq!(e.longest, Some(6));
    let bad = e.counterexample.as_ref().unwrap();
    assert_eq!((bad.outcome, bad.summary.as_str(), bad.trace.as_str()), (Outcome::Broken, "counter = 1", "0.0.1.0.1.1"));
    assert_eq!(bad.detail, ["counter == 2 does not hold: counter is 1"]);
    let replayed = replay(&Arc::new(lost_update(2)), &bad.trace.parse().unwrap()).unwrap();
    assert_eq!((replayed.status(), replayed.var("counter")), (RunStatus::Done, 1));

    // Three threads: 9! / 3!^3 orders; only the 3! serial ones keep every update.
    let e = run(lost_update(3), Some("counter == 3"));
    let values: Vec<String> = e.final_states.iter().map(|f| f.summary.clone()).collect();
    assert_eq!(values, ["counter = 1", "counter = 2", "counter = 3"]);
    assert_eq!(n(e.interleavings), 1680);
    assert_eq!(n(e.final_states[2].interleavings), 6);
    assert_eq!(n(e.by_outcome.broken), 1674);
}

#[test]
fn the_lock_leaves_one_final_value() {
    for (threads, orders) in [(2, 2), (3, 6), (4, 24)] {
        let e = run(locked_increment(threads), Some(&format!("counter == {threads}")));
        assert_eq!(finals(&e), [(format!("counter = {threads}"), orders)], "{threads} threads: one order per permutation");
        assert!(e.counterexample.is_none());
    }
}

#[test]
fn opposite_order_locks_deadlock_in_some_interleavings_and_not_others() {
    let e = run(opposite_order_locks(), None);
    // By hand: whoever goes first, the other taking its first lock next deadlocks (1 way);
    // the first thread taking both locks leaves 2 ways to finish. 2 × (1 + 2) = 6.
    assert_eq!((n(e.interleavings), n(e.by_outcome.deadlock), n(e.by_outcome.ok)), (6, 2, 4));
    assert_eq!(finals(&e), [("every lock free".to_string(), 4), ("a held by A, b held by B".to_string(), 2)]);
    let bad = e.counterexample.as_ref().unwrap();
    assert_eq!((bad.outcome, bad.trace.as_str(), bad.steps), (Outcome::Deadlock, "0.1", 2));
    assert_eq!(bad.detail, ["A waits for lock \"b\", held by B", "B waits for lock \"a\", held by A"]);
    assert!(replay(&Arc::new(opposite_order_locks()), &"0.1".parse().unwrap()).unwrap().is_deadlocked());

    let e = run(same_order_locks(), None);
    assert_eq!((n(e.interleavings), n(e.by_outcome.deadlock)), (2, 0));
    assert!(e.counterexample.is_none());
}

#[test]
fn ordered_philosophers_never_deadlock_and_unordered_ones_do() {
    for k in 2..=5 {
        let e = run(philosophers(k, true), None);
        assert_eq!(e.counting, Counting::Exact, "k = {k}");
        assert_eq!(n(e.by_outcome.deadlock), 0, "ordered, k = {k}");
        assert!(n(e.interleavings) > 0 && e.counterexample.is_none());
        assert_eq!(finals(&e).len(), 1);

        let e = run(philosophers(k, false), None);
        assert!(n(e.by_outcome.deadlock) > 0, "unordered, k = {k}");
        assert!(n(e.by_outcome.ok) > 0, "some schedules still finish, k = {k}");
        // The shortest deadlock: each philosopher takes the left fork, P1 to Pk.
        let bad = e.counterexample.as_ref().unwrap();
        let left_forks: Vec<String> = (0..k).map(|i| i.to_string()).collect();
        assert_eq!((bad.outcome, bad.trace.clone(), bad.steps), (Outcome::Deadlock, left_forks.join("."), k));
        assert!(replay(&Arc::new(philosophers(k, false)), &bad.trace.parse().unwrap()).unwrap().is_deadlocked());
    }
    // Two philosophers are the opposite-order locks with a meal in between, which only the
    // holder of both forks can take: the same 2 deadlocks and 4 finishes.
    let e = run(philosophers(2, false), None);
    assert_eq!((n(e.by_outcome.deadlock), n(e.by_outcome.ok)), (2, 4));
}

/// Every interleaving one by one, with no state cache: (outcome, summary) → interleavings.
fn brute_force(program: Program, assertion: Option<&Assertion>) -> BTreeMap<(Outcome, String), u128> {
    let mut ends = BTreeMap::new();
    let mut stack = vec![Machine::new(program)];
    while let Some(machine) = stack.pop() {
        let runnable = machine.runnable();
        if runnable.is_empty() {
            let g = end_state(&machine, assertion);
            *ends.entry((g.outcome, g.summary)).or_insert(0) += 1;
        }
        for tid in runnable {
            let mut next = machine.clone();
            next.step(tid).unwrap();
            stack.push(next);
        }
    }
    ends
}

#[test]
fn the_cache_counts_what_brute_force_enumerates() {
    let cases: Vec<(Program, Option<&str>)> = vec![
        (lost_update(2), Some("counter == 2")),
        (lost_update(3), Some("counter == 3")),
        (locked_increment(3), Some("counter == 3")),
        (opposite_order_locks(), None),
        (same_order_locks(), None),
        (philosophers(3, false), None),
        (philosophers(3, true), None),
        (producer_consumer(3, 1), None),
        (producer_consumer(2, 2), None),
        (leaked_lock(), None),
        (countdown(true), None),
        (straight(&[2, 2, 1], true), None),
    ];
    for (program, assertion) in cases {
        let name = program.name.clone();
        let assertion: Option<Assertion> = assertion.map(|a| a.parse().unwrap());
        let expected = brute_force(program.clone(), assertion.as_ref());
        let e = explore(&Arc::new(program), assertion.as_ref(), Limits::default());
        let got: BTreeMap<(Outcome, String), u128> =
            e.final_states.iter().map(|f| ((f.outcome, f.summary.clone()), n(f.interleavings))).collect();
        assert_eq!(got, expected, "{name}");
        assert_eq!(n(e.interleavings), expected.values().sum::<u128>(), "{name}");
    }
}

#[test]
fn the_compact_key_tells_states_apart_exactly() {
    for program in [lost_update(3), philosophers(4, false), producer_consumer(4, 2), countdown(false), leaked_lock()] {
        let name = program.name.clone();
        let program = Arc::new(program);
        let mut seen: HashSet<State> = HashSet::new();
        let mut stack = vec![Machine::new(Arc::clone(&program))];
        seen.insert(stack[0].state().clone());
        while let Some(m) = stack.pop() {
            for tid in m.runnable() {
                let mut next = m.clone();
                next.step(tid).unwrap();
                if seen.insert(next.state().clone()) {
                    stack.push(next);
                }
            }
        }
        assert_eq!(explore(&program, None, Limits::default()).states, seen.len(), "{name}");
    }
}

#[test]
fn the_countdown_prints_every_one_of_c_10_5_orders() {
    // 15 steps a thread: C(30, 15) interleavings, but only the order of the 10 prints shows.
    let e = run(countdown(false), None);
    assert_eq!(n(e.interleavings), 155_117_520);
    assert_eq!((e.final_states_total, e.final_states.len()), (252, 252));
    assert!(e.states < 10_000, "{} states", e.states);
    // Past MAX_FINAL_STATES the list is cut, and the total still says how many there are.
    let e = run(straight(&[7, 6], true), None);
    assert_eq!((e.final_states_total, e.final_states.len()), (1716, MAX_FINAL_STATES));
}

#[test]
fn a_state_limit_stops_the_search_and_says_how_far_it_got() {
    let all = run(lost_update(2), None);
    let exact = |limit| explore(&Arc::new(lost_update(2)), None, Limits { max_states: limit });
    assert!(exact(all.states).complete, "a limit of exactly the states needed is enough");
    let e = exact(all.states - 1);
    assert!(!e.complete);
    assert_eq!(e.counting, Counting::AtLeast);

    let e = explore(&Arc::new(lost_update(6)), Some(&"counter == 6".parse().unwrap()), Limits { max_states: 1000 });
    assert_eq!((e.complete, e.states, e.counting), (false, 1000, Counting::AtLeast));
    let found = n(e.interleavings);
    assert!(found > 0, "the depth-first search finishes some interleavings before it stops");
    assert_eq!(
        e.stopped.as_deref().unwrap(),
        format!(
            "Stopped after 1,000 states (the limit). Explored so far: at least {} complete interleavings, {} final states, \
             and a counterexample. A property that held in the part explored may still fail in the rest.",
            Count(found),
            e.final_states_total
        )
    );
    // What it did find is real: the counterexample replays.
    let bad = e.counterexample.unwrap();
    let m = replay(&Arc::new(lost_update(6)), &bad.trace.parse().unwrap()).unwrap();
    assert!(m.var("counter") < 6);
}

#[test]
fn a_spin_loop_is_a_cycle_and_is_not_counted() {
    // B spins on try_lock while A holds the lock: that step leaves the state as it was.
    let spin = ProgramSpec::new("spin")
        .lock("m")
        .thread(ThreadSpec::new("A").steps([Instr::lock("m"), Instr::unlock("m")]))
        .thread(ThreadSpec::new("B").steps([Instr::try_lock("m", 0), Instr::unlock("m")]))
        .build()
        .unwrap();
    let e = run(spin, None);
    assert!(e.cyclic && e.complete);
    assert_eq!((e.counting, e.interleavings, e.longest), (Counting::Unbounded, None, None));
    let summaries: Vec<(Outcome, &str, Option<Count>)> =
        e.final_states.iter().map(|f| (f.outcome, f.summary.as_str(), f.interleavings)).collect();
    assert_eq!(summaries, [(Outcome::Ok, "every lock free", None)]);
}

#[test]
fn errors_are_failures_with_their_message() {
    let wrong = ProgramSpec::new("wrong release")
        .lock("m")
        .thread(ThreadSpec::new("A").steps([Instr::lock("m"), Instr::unlock("m")]))
        .thread(ThreadSpec::new("B").steps([Instr::unlock("m")]))
        .build()
        .unwrap();
    let e = run(wrong, None);
    assert_eq!(n(e.interleavings), 3);
    assert_eq!(n(e.by_outcome.failed), 3);
    let bad = e.counterexample.unwrap();
    assert_eq!((bad.outcome, bad.trace.as_str()), (Outcome::Failed, "0.0.1"));
    assert_eq!(bad.detail, ["B released lock \"m\" without holding it (it is free); only the thread that holds a lock may release it"]);
}

#[test]
fn counts_past_u64_stay_exact_and_past_u128_say_at_least() {
    // 3 threads of 20 local steps: 60! / 20!^3 interleavings over 21^3 states.
    let e = run(straight(&[20, 20, 20], false), None);
    assert_eq!(e.states, 21 * 21 * 21);
    assert_eq!(n(e.interleavings), interleavings_of(&[20, 20, 20]).unwrap());
    assert!(n(e.interleavings) > u64::MAX as u128);
    assert_eq!(e.counting, Counting::Exact);
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["interleavings"], "577831214478475823831865900", "a string: exact in JavaScript too");

    let e = run(straight(&[30, 30, 30], false), None);
    assert_eq!((e.counting, n(e.interleavings)), (Counting::AtLeast, u128::MAX));
}

#[test]
fn the_result_in_json() {
    let e = run(opposite_order_locks(), None);
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["interleavings"], "6");
    assert_eq!(v["by_outcome"]["deadlock"], "2");
    assert_eq!(v["counting"], "exact");
    assert_eq!(v["threads"], serde_json::json!(["A", "B"]));
    assert_eq!(v["counterexample"]["outcome"], "deadlock");
    assert_eq!(v["counterexample"]["trace"], "0.1");
    assert_eq!(v["final_states"][1]["summary"], "a held by A, b held by B");
    assert!(v["final_states"][0].get("vars").is_none());
    assert_eq!(Count(155_117_520).to_string(), "155,117,520");
    assert_eq!(Count(999).to_string(), "999");
}
