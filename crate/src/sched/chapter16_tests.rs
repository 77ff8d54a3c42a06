//! Chapter 16's programs: the ABA interleaving written out by hand, counts from a small
//! enumerator of this file's own (not the explorer), and the explorer and linearizability
//! check agreeing with both.

use super::*;
use crate::sched::ops::linearizability;
use crate::sched::{explore, replay, Limits, Machine, Outcome};
use crate::sync::Arc;
use std::collections::{BTreeMap, HashMap};

/// Every complete interleaving: the end states' shared variables (as `name=value` text),
/// each with the number of interleavings that end there. A recursion memoised on the whole
/// machine state (its `Debug` text), independent of the explorer's graph, merging and
/// forward counting; the Treiber programs have 146 million interleavings and 400-odd states.
fn every_end(program: &Program) -> BTreeMap<String, u128> {
    fn ends(m: &Machine, memo: &mut HashMap<String, BTreeMap<String, u128>>) -> BTreeMap<String, u128> {
        let key = format!("{:?}", m.state());
        if let Some(found) = memo.get(&key) {
            return found.clone();
        }
        let mut out = BTreeMap::new();
        let runnable = m.runnable();
        if runnable.is_empty() {
            let vars: Vec<String> = m.state().vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.insert(vars.join(" "), 1);
        }
        for tid in runnable {
            let mut next = m.clone();
            next.step(tid).unwrap();
            for (end, n) in ends(&next, memo) {
                *out.entry(end).or_insert(0) += n;
            }
        }
        memo.insert(key, out.clone());
        out
    }
    ends(&Machine::new(program.clone()), &mut HashMap::new())
}

fn run(program: Program, trace: &str) -> Machine {
    replay(&Arc::new(program), &trace.parse().unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

/// A reads top (1) and next[1] (2); B pops 1, pops 2 (kept), pushes 1 back; A's CAS(top, 1, 2)
/// then succeeds and puts B's node on top: 3 steps of A, B's 5 + 6 + 4, A's last 3.
const ABA: &str = "0.0.0.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.0.0.0";

#[test]
fn the_aba_interleaving_written_out_by_hand_puts_bs_node_back_on_the_stack() {
    let m = run(treiber(true, false), ABA);
    assert!(m.runnable().is_empty());
    assert_eq!((m.var("top"), m.var("kept"), m.var("got")), (2, 2, 1), "{m}");
    assert!(!treiber_assertion().holds(m.state()));
    // Without reuse the same schedule cannot happen: A's CAS sees the fresh node 4 and fails,
    // so A goes round again: its last two steps jump back and read top afresh (4).
    let m = run(treiber(false, false), ABA);
    assert_eq!(m.var("top"), 4, "{m}");
    let a = &m.state().threads[0];
    assert_eq!((a.pc, a.locals["ok"], a.locals["t"]), (1, 0, 4), "A's CAS failed and A read top again: {m}");
}

#[test]
fn the_explorer_finds_aba_and_only_with_reuse() {
    for reuse in [true, false] {
        let program = treiber(reuse, false);
        let ends = every_end(&program);
        let total: u128 = ends.values().sum();
        let bad: u128 = ends.iter().filter(|(k, _)| {
            let get = |name: &str| k.split(' ').find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap().to_string();
            get("top") == get("kept")
        }).map(|(_, n)| n).sum();
        let e = explore(&Arc::new(program.clone()), Some(&treiber_assertion()), Limits::default());
        assert_eq!(e.interleavings.unwrap().0, total, "reuse {reuse}");
        assert_eq!(e.by_outcome.broken.unwrap().0, bad, "reuse {reuse}");
        if reuse {
            assert!(bad > 0);
            let c = e.counterexample.expect("ABA found");
            assert_eq!(c.outcome, Outcome::Broken);
            // The shortest counterexample replays to the broken state, and is no longer than
            // the one written out by hand.
            let m = run(program, &c.trace);
            assert_eq!(m.var("top"), m.var("kept"), "{}", c.trace);
            assert!(c.steps <= ABA.split('.').count());
        } else {
            assert_eq!(bad, 0);
            assert!(e.counterexample.is_none());
        }
    }
}

#[test]
fn the_sequential_twin_gives_the_results_worked_out_by_hand() {
    // A's pop before B's three operations, between them, or after: four orders.
    // A first: A gets 1; B pops 2, 3, keeps 3, pushes 2: top 2, next[2] = 0.
    // After B's first pop: B popped 1, A gets 2, B pops 3 (kept), pushes 1: top 1, next[1] = 0.
    // After B's second pop: B popped 1, 2 (kept); A gets 3; B pushes 1 onto the empty stack.
    // Last: B popped 1, 2 (kept), pushed 1 (next[1] = 3); A gets 1: top 3.
    let ends = every_end(&treiber(true, true));
    let tops: Vec<(i64, i64, i64)> = ends.keys().map(|k| {
        let get = |name: &str| k.split(' ').find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap().parse().unwrap();
        (get("got"), get("kept"), get("top"))
    }).collect();
    let mut want = vec![(1, 3, 2), (2, 3, 1), (3, 2, 1), (1, 2, 3)];
    want.sort();
    assert_eq!(tops, want);
    assert_eq!(ends.values().sum::<u128>(), 4, "one interleaving per order: {ends:?}");
}

#[test]
fn aba_is_not_linearizable_and_no_reuse_is() {
    let check = |reuse: bool| {
        let limits = Limits::default();
        let concurrent = explore(&Arc::new(treiber(reuse, false)), Some(&treiber_assertion()), limits);
        let sequential = explore(&Arc::new(treiber(reuse, true)), Some(&treiber_assertion()), limits);
        linearizability(&concurrent, &sequential)
    };
    let aba = check(true);
    assert!(aba.complete && !aba.linearizable);
    assert_eq!(aba.orders.unwrap().0, 4);
    let w = aba.witness.expect("a witness");
    let m = run(treiber(true, false), &w.trace);
    assert_eq!(m.var("top"), m.var("kept"), "the witness is ABA: {}", w.trace);
    assert_eq!(aba.matching.unwrap().0 + aba.not_matching.unwrap().0, aba.interleavings.unwrap().0);
    let fresh = check(false);
    assert!(fresh.complete && fresh.linearizable, "{fresh:?}");
    assert_eq!(fresh.not_matching.unwrap().0, 0);
}

#[test]
fn the_reader_racing_a_delete_raises_keyerror_in_2_of_6_orders_and_the_copy_never() {
    // Worked out by hand: D's one step goes before R's step 0 (R sees no key), after 0 or
    // after 1 (R found the key, D deletes it, R's read fails: KeyError), or after 2, after 3
    // or after R's print (R read the value in time). Six orders, two KeyErrors.
    let ends = every_end(&dict_race(false, false));
    let total: u128 = ends.values().sum();
    let errors: u128 = ends.iter().filter(|(k, _)| k.contains("keyerrors=1")).map(|(_, n)| n).sum();
    assert_eq!((total, errors), (6, 2), "{ends:?}");
    let e = explore(&Arc::new(dict_race(false, false)), Some(&dict_assertion()), Limits::default());
    assert_eq!(e.by_outcome.broken.unwrap().0, 2);
    // R checks the key and takes the branch (2 steps), D deletes it, R reads it: KeyError.
    assert_eq!(e.counterexample.unwrap().trace, "0.0.1.0*4");
    // Copy-on-read: no order raises it.
    let ends = every_end(&dict_race(true, false));
    assert!(ends.keys().all(|k| k.contains("keyerrors=0")), "{ends:?}");
    let concurrent = explore(&Arc::new(dict_race(false, false)), Some(&dict_assertion()), Limits::default());
    let sequential = explore(&Arc::new(dict_race(false, true)), Some(&dict_assertion()), Limits::default());
    let l = linearizability(&concurrent, &sequential);
    assert!(!l.linearizable && l.not_matching.unwrap().0 == 2, "{l:?}");
    let concurrent = explore(&Arc::new(dict_race(true, false)), Some(&dict_assertion()), Limits::default());
    let sequential = explore(&Arc::new(dict_race(true, true)), Some(&dict_assertion()), Limits::default());
    assert!(linearizability(&concurrent, &sequential).linearizable);
}

#[test]
fn an_index_the_array_does_not_have_stops_the_thread_with_the_indices_it_has() {
    let p = ProgramSpec::new("bad index")
        .array("next", 1, &[0, 0])
        .thread(ThreadSpec::new("A").local("i", 5).local("n", 0).steps([Instr::read_at("next", "i", "n")]));
    let m = run(super::super::examples::build(p), "0");
    let crate::sched::ThreadStatus::Failed { message } = &m.state().threads[0].status else { panic!("{m}") };
    assert_eq!(message, "A read next[5], which does not exist; next has the indices 1, 2");
    let unknown = ProgramSpec::new("no array").var("top", 0).thread(ThreadSpec::new("A").local("n", 0).steps([Instr::read_at("nxt", 0, "n")]));
    assert_eq!(
        unknown.build().unwrap_err().to_string(),
        "thread A step 0 uses shared array \"nxt\", which does not exist; there are no shared arrays"
    );
}

